//! What a lab is: the `labs/<id>/lab.toml` format and its validation.
//!
//! A lab names the scenario (server) the learner's client talks to, says in Markdown what the
//! client must do, and lists named **checks** — each with points, the prerequisite checks it
//! depends on, and a plain-language explanation shown when it fails. Starter files and
//! reference solutions for node, python and shell sit beside `lab.toml`.
//!
//! ```toml
//! format_version = 1
//! id = "tcp-hello"
//! title = "Say hello over TCP"
//! scenario = "tcp-echo"
//! instructions = "Connect to $NETLAB_HOST:$NETLAB_PORT, send hello…"
//! expected_stdout = "hello"
//!
//! [[checks]]
//! name = "connected"
//! kind = "connected"
//! points = 1
//! fail = "Nothing connected to the server. Read NETLAB_HOST and NETLAB_PORT and connect."
//! ```

use crate::diag::{toml_message, CourseError};
use crate::scenario;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The lab file format this netlab reads.
pub const FORMAT_VERSION: u32 = 1;
/// Default client time limit.
pub const DEFAULT_TIME_LIMIT_SECS: f64 = 10.0;

/// A learner's language and how to run a client file in it.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// The default where no workspace says otherwise.
    #[default]
    Node,
    Python,
    Shell,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Node, Language::Python, Language::Shell];

    /// The client file's extension.
    pub fn ext(self) -> &'static str {
        match self {
            Language::Node => "js",
            Language::Python => "py",
            Language::Shell => "sh",
        }
    }

    /// The interpreter that runs a client file.
    pub fn interpreter(self) -> &'static str {
        match self {
            Language::Node => "node",
            Language::Python => "python3",
            Language::Shell => "bash",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Language::Node => "node",
            Language::Python => "python",
            Language::Shell => "shell",
        }
    }

    pub fn parse(s: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.name() == s)
    }
}

/// One lab, as written in `lab.toml`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    /// Must be [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Stable id; also the folder name and the `netlab check` argument.
    pub id: String,
    pub title: String,
    /// `client` (the learner writes a client for netlab's server, the default) or `server` (the
    /// learner writes the server; netlab's scripted clients drive it).
    #[serde(default)]
    pub kind: LabKind,
    /// The scenario the lab's server runs. For a server lab: the netlab server that behaves as
    /// the learner's must (its transport says how netlab's clients connect).
    pub scenario: String,
    /// Server labs: the scripted clients that drive the learner's server (see
    /// [`crate::lab::server::drivers`]); each names the steps `step` checks refer to.
    #[serde(default)]
    pub driver: Option<String>,
    /// What the client must do (Markdown).
    pub instructions: String,
    /// Seconds the client may run before it is stopped.
    #[serde(default = "default_limit")]
    pub time_limit_secs: f64,
    /// The server puts a per-run random token in what it sends (`tcp-greeting`: the greeting
    /// becomes `Echo server <token>\r\n`); `{nonce}` in `expected_stdout` stands for it, so a
    /// client that prints a literal instead of what it received fails, and is told so.
    #[serde(default)]
    pub nonce: bool,
    /// Bytes `tcp-bulk` sends in this lab (scenario setting).
    #[serde(default)]
    pub bulk_bytes: Option<u64>,
    /// Expected standard output, compared after trimming trailing spaces and blank lines.
    #[serde(default)]
    pub expected_stdout: Option<String>,
    /// Or a regular expression the whole (trimmed) output must match.
    #[serde(default)]
    pub expected_stdout_regex: Option<String>,
    /// The expected server-side canonical trace (`netlab-trace/1`); a line starting with `?`
    /// may be absent (e.g. `drain`, which depends on the reader's speed).
    #[serde(default)]
    pub expected_trace: Option<String>,
    /// The checks, in the order they are reported.
    pub checks: Vec<Check>,
    /// Hints, from a nudge to the answer: per language (`[hints] node = […] python = […]
    /// shell = […]`), or one list for every language (`hints = […]`, the older form). Read
    /// them through [`Lab::hints_for`].
    #[serde(default)]
    pub hints: Hints,
    /// Starter file per language (relative to the lab folder).
    #[serde(default)]
    pub starters: BTreeMap<Language, String>,
    /// Reference solution per language (relative to the lab folder).
    #[serde(default)]
    pub solutions: BTreeMap<Language, String>,
}

/// Who writes what in a lab.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LabKind {
    /// The learner writes a client; netlab runs the server and grades what it observed.
    #[default]
    Client,
    /// The learner writes a server; netlab's clients drive it and grade what they observed.
    Server,
}

impl LabKind {
    /// The learner's program: `client` or `server`.
    pub fn word(self) -> &'static str {
        match self {
            LabKind::Client => "client",
            LabKind::Server => "server",
        }
    }
}

/// A lab's hints: one list for every language, or a list per language. Each list goes from a
/// nudge (what to think about) to the answer (the lines to write).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Hints {
    /// `[hints]` with a list per language.
    PerLanguage(LanguageHints),
    /// `hints = […]`: the same list whatever the learner's language.
    Shared(Vec<String>),
}

impl Default for Hints {
    fn default() -> Self {
        Hints::Shared(Vec::new())
    }
}

/// Hints per language, each list from a nudge to the answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageHints {
    #[serde(default)]
    pub node: Vec<String>,
    #[serde(default)]
    pub python: Vec<String>,
    #[serde(default)]
    pub shell: Vec<String>,
}

impl Hints {
    /// The hints a learner writing in `lang` reads, in order.
    pub fn for_language(&self, lang: Language) -> &[String] {
        match self {
            Hints::Shared(v) => v,
            Hints::PerLanguage(h) => match lang {
                Language::Node => &h.node,
                Language::Python => &h.python,
                Language::Shell => &h.shell,
            },
        }
    }

    /// True when there is no hint in any language.
    pub fn is_empty(&self) -> bool {
        Language::ALL
            .iter()
            .all(|l| self.for_language(*l).is_empty())
    }
}

fn default_limit() -> f64 {
    DEFAULT_TIME_LIMIT_SECS
}

/// One named, scored check. (Unknown keys are rejected by [`Lab::parse`]; serde cannot do it
/// with a flattened kind.)
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Check {
    /// Short id shown in reports (`sent-hello`).
    pub name: String,
    #[serde(flatten)]
    pub kind: CheckKind,
    #[serde(default = "one")]
    pub points: u32,
    /// Checks that must pass first; if one failed, this one is skipped.
    #[serde(default)]
    pub depends: Vec<String>,
    /// The plain sentence a learner reads when this check fails.
    pub fail: String,
}

fn one() -> u32 {
    1
}

/// What a check looks at. Each kind reads the server-observed trace or the client's process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CheckKind {
    /// The server saw at least one connection (or datagram).
    Connected,
    /// The server saw exactly `count` connections (or datagrams, for UDP).
    Connections { count: u32 },
    /// Every connection's incoming bytes equal `bytes` (escaped: `hello\r\n`), however TCP
    /// split them; for UDP, every datagram.
    Sent { bytes: String },
    /// Every connection was closed by the client with a FIN (`end`), never a reset.
    EndedWithFin,
    /// The client sent nothing before the server wrote `bytes` (escaped).
    WaitedFor { bytes: String },
    /// The server's timeline shows `event` (e.g. `timeout`) on every connection.
    Event { event: String },
    /// The server finished sending (`finish`) before the client closed: it read everything.
    ReadToEnd,
    /// The server-side canonical trace matches `expected_trace`.
    Trace,
    /// Standard output matches `expected_stdout` / `expected_stdout_regex`.
    Stdout,
    /// The client exited with status 0 within the time limit.
    ExitZero,
    // ---- HTTP ------------------------------------------------------------------------------
    /// The server saw this many HTTP requests in all.
    Requests { count: u32 },
    /// Every request was `method url` (e.g. `GET /hello`); with `url` ending in `*`, a prefix.
    Requested { method: String, url: String },
    /// Every request carried `header` (any case) with exactly `value`.
    RequestHeader { header: String, value: String },
    /// Every request body (if any) arrived only after the server's `100 Continue`.
    BodyAfterContinue,
    /// Nothing was sent on an upgrade/CONNECT before the server's 101/200.
    SilentUntilSwitch,
    /// Requests in flight (received, not yet answered) never exceeded `max`, and reached
    /// `peak` (defaults to `max`).
    InFlight {
        max: u32,
        #[serde(default)]
        peak: Option<u32>,
    },
    // ---- server labs -----------------------------------------------------------------------
    /// The driver's step `step` saw the learner's server do the right thing.
    Step { step: String },
    // ---- TLS -------------------------------------------------------------------------------
    /// The first handshake of the run (conn1: the `https-impostor` scenario's self-signed
    /// certificate) never completed: the client verified the certificate and refused it.
    ImpostorRefused,
    /// A connection after the impostor's completed a TLS handshake (`secureConnection`).
    RealHandshake,
    // ---- framing and errors ----------------------------------------------------------------
    /// Every line the client printed ends with a whole line the server wrote, never with the
    /// piece of a line that one `data` chunk carried.
    WholeLines,
    /// On every connection where the server stayed silent (wrote nothing, never closed
    /// first), the client gave up by itself before the time limit.
    GaveUpOnSilence,
    /// The server saw at least one IPv4 client (IPv4-mapped included) and one IPv6 client.
    BothFamilies,
}

impl Lab {
    /// Parse and validate a `lab.toml`. `path` is used in messages only.
    pub fn parse(path: &str, text: &str) -> Result<Lab, CourseError> {
        let lab: Lab = toml::from_str(text).map_err(|e| CourseError::Parse {
            path: path.to_string(),
            message: toml_message(text, &e),
        })?;
        check_keys(path, text)?;
        crate::course::check_control_chars(path, text)?;
        lab.validate(path).map_err(|e| match e {
            // Point at the offending line where the problem names one.
            CourseError::Invalid { path, message } if message.starts_with("unknown scenario") => {
                let pattern = format!(r#"scenario\s*=\s*"{}""#, regex::escape(&lab.scenario));
                CourseError::Invalid {
                    path,
                    message: crate::diag::locate(text, 0, &pattern, &message),
                }
            }
            CourseError::Invalid { path, message } if message.starts_with("unknown driver") => {
                let pattern = format!(
                    r#"driver\s*=\s*"{}""#,
                    regex::escape(lab.driver.as_deref().unwrap_or_default())
                );
                CourseError::Invalid {
                    path,
                    message: crate::diag::locate(text, 0, &pattern, &message),
                }
            }
            e => e,
        })?;
        Ok(lab)
    }

    fn validate(&self, path: &str) -> Result<(), CourseError> {
        let bad = |message: String| {
            Err(CourseError::Invalid {
                path: path.to_string(),
                message,
            })
        };
        if self.format_version != FORMAT_VERSION {
            return bad(format!(
                "format_version {} is not supported (this netlab reads {FORMAT_VERSION})",
                self.format_version
            ));
        }
        if scenario::find(&self.scenario).is_none() {
            return bad(format!(
                "unknown scenario `{}`{}",
                self.scenario,
                scenario::suggest(&self.scenario)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default()
            ));
        }
        if !(0.1..=600.0).contains(&self.time_limit_secs) {
            return bad("time_limit_secs must be between 0.1 and 600".into());
        }
        if self.checks.is_empty() {
            return bad("a lab needs at least one check".into());
        }
        let driver = match (self.kind, &self.driver) {
            (LabKind::Client, None) => None,
            (LabKind::Client, Some(_)) => {
                return bad("`driver` is for server labs (kind = \"server\")".into())
            }
            (LabKind::Server, None) => {
                return bad("a server lab needs a `driver` (netlab's clients)".into())
            }
            (LabKind::Server, Some(d)) => match crate::lab::server::drivers::find(d) {
                Some(d) => Some(d),
                None => {
                    return bad(format!(
                        "unknown driver `{d}` (drivers: {})",
                        crate::lab::server::drivers::names().join(", ")
                    ))
                }
            },
        };
        let mut seen = Vec::new();
        for c in &self.checks {
            if seen.contains(&c.name.as_str()) {
                return bad(format!("two checks are named `{}`", c.name));
            }
            for d in &c.depends {
                if !seen.contains(&d.as_str()) {
                    return bad(format!(
                        "check `{}` depends on `{d}`, which is not an earlier check",
                        c.name
                    ));
                }
            }
            match (&c.kind, driver) {
                (CheckKind::Step { step }, Some(d)) if !d.has_step(step) => {
                    return bad(format!(
                        "check `{}`: driver `{}` has no step `{step}` (steps: {})",
                        c.name,
                        d.name,
                        d.step_names().join(", ")
                    ));
                }
                (CheckKind::Step { .. }, None) => {
                    return bad(format!(
                        "check `{}`: `step` checks are for server labs",
                        c.name
                    ));
                }
                (CheckKind::Step { .. }, Some(_)) => {}
                (_, Some(_)) => {
                    return bad(format!(
                        "check `{}`: a server lab's checks are `step` checks",
                        c.name
                    ));
                }
                _ => {}
            }
            match &c.kind {
                CheckKind::Sent { bytes } | CheckKind::WaitedFor { bytes }
                    if crate::trace::unescape(bytes).is_none() =>
                {
                    return bad(format!("check `{}`: bad escape in `{bytes}`", c.name));
                }
                CheckKind::Trace => match &self.expected_trace {
                    None => return bad(format!("check `{}` needs expected_trace", c.name)),
                    Some(t) => {
                        let plain: String = t
                            .lines()
                            .map(|l| l.trim_start().trim_start_matches('?'))
                            .collect::<Vec<_>>()
                            .join("\n");
                        if let Err(e) = crate::trace::canon::CanonTrace::parse(&plain) {
                            return bad(format!("expected_trace {e}"));
                        }
                    }
                },
                CheckKind::Stdout
                    if self.expected_stdout.is_none() && self.expected_stdout_regex.is_none() =>
                {
                    return bad(format!(
                        "check `{}` needs expected_stdout or expected_stdout_regex",
                        c.name
                    ));
                }
                _ => {}
            }
            seen.push(&c.name);
        }
        if let Some(re) = &self.expected_stdout_regex {
            // `{nonce}` stands for the run's token (hex), filled in before matching.
            if let Err(e) = regex::Regex::new(&re.replace("{nonce}", "0123abcd")) {
                return bad(format!("expected_stdout_regex: {e}"));
            }
        }
        Ok(())
    }

    /// The learner's file in a workspace for `lang`: `client.js`, `server.py`…
    pub fn program_file(&self, lang: Language) -> String {
        format!("{}.{}", self.kind.word(), lang.ext())
    }

    /// The hints for a learner writing in `lang`, from a nudge to the answer.
    pub fn hints_for(&self, lang: Language) -> &[String] {
        self.hints.for_language(lang)
    }

    /// Total points.
    pub fn max_points(&self) -> u32 {
        self.checks.iter().map(|c| c.points).sum()
    }
}

/// Reject unknown keys in `[[checks]]` tables, naming the line.
fn check_keys(path: &str, text: &str) -> Result<(), CourseError> {
    const COMMON: &[&str] = &["name", "kind", "points", "depends", "fail"];
    let value: toml::Value = toml::from_str(text).map_err(|e| CourseError::Parse {
        path: path.to_string(),
        message: toml_message(text, &e),
    })?;
    let Some(checks) = value.get("checks").and_then(|c| c.as_array()) else {
        return Ok(());
    };
    for c in checks {
        let Some(table) = c.as_table() else { continue };
        let extra: &[&str] = match table.get("kind").and_then(|k| k.as_str()) {
            Some("connections") => &["count"],
            Some("sent") | Some("waited_for") => &["bytes"],
            Some("event") => &["event"],
            Some("requests") => &["count"],
            Some("requested") => &["method", "url"],
            Some("request_header") => &["header", "value"],
            Some("in_flight") => &["max", "peak"],
            Some("step") => &["step"],
            _ => &[],
        };
        for key in table.keys() {
            if !COMMON.contains(&key.as_str()) && !extra.contains(&key.as_str()) {
                let line = text
                    .lines()
                    .position(|l| {
                        l.trim_start().starts_with(&format!("{key} "))
                            || l.trim_start().starts_with(&format!("{key}="))
                    })
                    .map(|i| format!("line {}: ", i + 1))
                    .unwrap_or_default();
                let name = table.get("name").and_then(|n| n.as_str()).unwrap_or("?");
                let mut allowed: Vec<&str> = COMMON.to_vec();
                allowed.extend_from_slice(extra);
                return Err(CourseError::Parse {
                    path: path.to_string(),
                    message: format!(
                        "{line}unknown field `{key}` in check `{name}` (allowed: {})",
                        allowed.join(", ")
                    ),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
format_version = 1
id = "x"
title = "X"
scenario = "tcp-echo"
instructions = "do it"

[[checks]]
name = "connected"
kind = "connected"
fail = "nothing connected"
"#;

    #[test]
    fn minimal_lab_parses() {
        let lab = Lab::parse("x/lab.toml", MINIMAL).unwrap();
        assert_eq!(lab.checks[0].kind, CheckKind::Connected);
        assert_eq!(lab.time_limit_secs, DEFAULT_TIME_LIMIT_SECS);
        assert_eq!(lab.max_points(), 1);
    }

    #[test]
    fn server_labs_need_a_known_driver_and_step_checks() {
        let server = MINIMAL
            .replace(
                "scenario = \"tcp-echo\"",
                "kind = \"server\"\nscenario = \"tcp-echo\"\ndriver = \"echo\"",
            )
            .replace("kind = \"connected\"", "kind = \"step\"\nstep = \"echo\"");
        let lab = Lab::parse("x", &server).unwrap();
        assert_eq!(lab.kind, LabKind::Server);
        assert_eq!(lab.program_file(Language::Python), "server.py");
        let e = Lab::parse(
            "x",
            &server.replace("driver = \"echo\"", "driver = \"ecoh\""),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown driver `ecoh` (drivers: echo,"), "{e}");
        assert!(
            e.contains("x:7:1: unknown driver"),
            "the line of `driver =`: {e}"
        );
        let e = Lab::parse("x", &server.replace("step = \"echo\"", "step = \"ehco\""))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("driver `echo` has no step `ehco` (steps: listening, echo,"),
            "{e}"
        );
        let e = Lab::parse("x", &server.replace("driver = \"echo\"\n", ""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("a server lab needs a `driver`"), "{e}");
        let client_step =
            MINIMAL.replace("kind = \"connected\"", "kind = \"step\"\nstep = \"echo\"");
        let e = Lab::parse("x", &client_step).unwrap_err().to_string();
        assert!(e.contains("`step` checks are for server labs"), "{e}");
        let server_connected =
            server.replace("kind = \"step\"\nstep = \"echo\"", "kind = \"connected\"");
        let e = Lab::parse("x", &server_connected).unwrap_err().to_string();
        assert!(e.contains("a server lab's checks are `step` checks"), "{e}");
    }

    #[test]
    fn errors_name_line_and_column() {
        let bad = MINIMAL.replace("title = \"X\"", "title = \"X\"\ncolour = 3");
        let e = Lab::parse("x/lab.toml", &bad).unwrap_err().to_string();
        assert!(e.contains("x/lab.toml:5:1:"), "{e}");
        assert!(e.contains("unknown field `colour`"), "{e}");
        assert!(e.contains("^"), "{e}");
        let bad = MINIMAL.replace("tcp-echo", "tcp-ecoh");
        let e = Lab::parse("x/lab.toml", &bad).unwrap_err().to_string();
        assert!(
            e.contains("5:1: unknown scenario `tcp-ecoh` (did you mean `tcp-echo`?)"),
            "{e}"
        );
        let bad = MINIMAL.replace(
            "kind = \"connected\"",
            "kind = \"connected\"\ndepends = [\"zzz\"]",
        );
        assert!(Lab::parse("x", &bad).is_err());
        let bad = MINIMAL.replace("kind = \"connected\"", "kind = \"connected\"\npoints_ = 3");
        let e = Lab::parse("x", &bad).unwrap_err().to_string();
        assert!(e.contains("line 11: unknown field `points_`"), "{e}");
        assert!(Lab::parse("x", "format_version = [").is_err());
    }

    #[test]
    fn hints_per_language_or_shared() {
        let shared = MINIMAL.replace(
            "instructions = \"do it\"",
            "instructions = \"do it\"\nhints = [\"a\", \"b\"]",
        );
        let lab = Lab::parse("x", &shared).unwrap();
        assert_eq!(lab.hints_for(Language::Python), ["a", "b"]);
        assert_eq!(lab.hints_for(Language::Shell), ["a", "b"]);
        let per = format!(
            "{MINIMAL}\n[hints]\nnode = [\"n1\", \"n2\"]\npython = [\"p1\"]\nshell = [\"s1\"]\n"
        );
        let lab = Lab::parse("x", &per).unwrap();
        assert_eq!(lab.hints_for(Language::Node), ["n1", "n2"]);
        assert_eq!(lab.hints_for(Language::Python), ["p1"]);
        assert_eq!(lab.hints_for(Language::Shell), ["s1"]);
        assert!(!lab.hints.is_empty());
        assert!(Lab::parse("x", MINIMAL).unwrap().hints.is_empty());
        let typo = format!("{MINIMAL}\n[hints]\npyhton = [\"p1\"]\n");
        assert!(Lab::parse("x", &typo).is_err());
    }
}

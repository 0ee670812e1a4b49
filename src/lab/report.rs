//! The verdict of a check, for people and for programs.
//!
//! The text report leads with the verdict and points, then one line per check (✓ ✗ –) with the
//! failed ones explained in plain words and their evidence (a trace diff, a hex dump), the
//! client's stderr tail, and a reproduce recipe. `--json` gives the same as data, modelled on
//! exercism's results.json v3 (`status`, `points`, `max_points`, `checks[]`).

use super::grade::{CheckResult, Status};
use super::model::Lab;
use super::run::{ClientOutcome, ExitStatus};
use serde::Serialize;

/// Everything one `netlab check` says.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub version: u32,
    pub lab: String,
    pub title: String,
    /// `pass`, `fail`, or `error` when netlab could not run the client at all.
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    pub checks: Vec<CheckResult>,
    pub client: ClientOutcome,
    /// The client's command line, as run.
    pub command: Vec<String>,
    /// How to reproduce by hand.
    pub reproduce: Vec<String>,
    /// The server-side canonical trace the grade was based on.
    pub trace: String,
    /// Last lines of the client's stderr.
    pub stderr_tail: String,
    /// What the learner wrote: `client` or `server` (the `client` field above is that
    /// program's process either way).
    pub role: &'static str,
    /// Who this is for (`--student`), so results from many CI jobs can be merged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub student: Option<String>,
    /// The server's timeline of the run (bounded, as the run kept it), so the TUI's lab view
    /// can show what the server saw; not part of the JSON report.
    #[serde(skip)]
    pub timeline: Vec<std::sync::Arc<crate::trace::Entry>>,
    /// Server labs: netlab's clients on the trace model — client lanes (`client#N` sockets,
    /// `creq#N` HTTP requests) with Node's event names; the data behind the steps' transcripts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub client_timeline: Vec<crate::trace::Entry>,
    /// Server labs: what netlab's clients did and saw, step by step (their side of the run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<crate::lab::server::StepResult>,
    /// The run's packets (the wire view), for `check --wire` and checks that cite the wire;
    /// not part of the JSON report, and never graded unless a check asks.
    #[serde(skip)]
    pub wire: crate::lab::run::WireLane,
}

impl Report {
    pub fn new(
        lab: &Lab,
        checks: Vec<CheckResult>,
        client: ClientOutcome,
        command: Vec<String>,
        trace: String,
        server_seen_anything: bool,
    ) -> Report {
        let points = checks.iter().map(|c| c.points).sum();
        let all_pass = checks.iter().all(|c| c.status == Status::Pass);
        // Never pass when nothing reached the server, whatever the checks say; a client that
        // could not even be started was not graded at all.
        let status = if matches!(client.status, ExitStatus::NotStarted { .. }) {
            Status::Error
        } else if all_pass && server_seen_anything {
            Status::Pass
        } else {
            Status::Fail
        };
        let stderr = String::from_utf8_lossy(&client.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(12).collect();
        let stderr_tail = strip_controls(&tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        let shown_cmd = shell_words(&command);
        let scenario = crate::scenario::find(&lab.scenario);
        let mut reproduce = Vec::new();
        match scenario.map(|s| s.transport) {
            _ if lab.kind == super::model::LabKind::Server => {
                let port = scenario.map(|s| s.default_port).unwrap_or(8124);
                let (env, place) =
                    if scenario.is_some_and(|s| s.transport == crate::scenario::Transport::Unix) {
                        (
                            "NETLAB_SOCKET=/tmp/netlab-lab.sock".to_string(),
                            "/tmp/netlab-lab.sock".to_string(),
                        )
                    } else {
                        (
                            format!("NETLAB_HOST=127.0.0.1 NETLAB_PORT={port}"),
                            port.to_string(),
                        )
                    };
                let tls =
                    scenario.is_some_and(|s| s.transport == crate::scenario::Transport::Https);
                if tls {
                    // Any certificate for localhost will do by hand; a self-signed one is its
                    // own CA for the client.
                    reproduce.push(
                        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout key.pem -out cert.pem"
                            .to_string(),
                    );
                }
                let env = if tls {
                    format!("{env} NETLAB_CERT=cert.pem NETLAB_KEY=key.pem")
                } else {
                    env
                };
                reproduce.push(format!("{env} {shown_cmd}    # terminal 1: your server"));
                if let Some(try_cmd) = scenario.and_then(|s| s.try_commands.first()) {
                    let filled = try_cmd
                        .replace("{host}", "127.0.0.1")
                        .replace("{port}", &place)
                        .replace("{socket}", &place)
                        .replace("{ca}", "cert.pem");
                    reproduce.push(format!("{filled}    # terminal 2: a client"));
                }
            }
            Some(crate::scenario::Transport::Unix) => {
                reproduce.push(format!(
                    "netlab serve {} --socket /tmp/netlab-lab.sock    # terminal 1",
                    lab.scenario
                ));
                reproduce.push(format!(
                    "NETLAB_SOCKET=/tmp/netlab-lab.sock {shown_cmd}    # terminal 2"
                ));
            }
            _ => {
                let port = scenario.map(|s| s.default_port).unwrap_or(8124);
                reproduce.push(format!(
                    "netlab serve {} --port {port}    # terminal 1: watch the timeline",
                    lab.scenario
                ));
                reproduce.push(format!(
                    "NETLAB_HOST=127.0.0.1 NETLAB_PORT={port} {shown_cmd}    # terminal 2"
                ));
            }
        }
        Report {
            version: 3,
            lab: lab.id.clone(),
            title: lab.title.clone(),
            status,
            points,
            max_points: lab.max_points(),
            checks,
            client,
            command,
            reproduce,
            trace,
            stderr_tail,
            role: lab.kind.word(),
            student: None,
            timeline: Vec::new(),
            client_timeline: Vec::new(),
            steps: Vec::new(),
            wire: Default::default(),
        }
    }

    /// How the learner's program ended, in words (`exit 0`, `stopped by netlab's SIGTERM` for
    /// a server netlab stopped, `stopped at the time limit`…): the report's and the TUI's.
    pub fn how_it_ended(&self) -> String {
        let server = self.role == "server";
        match &self.client.status {
            ExitStatus::Exited { code } => format!("exit {code}"),
            ExitStatus::Signaled { signal } if server && *signal == libc::SIGTERM => {
                "stopped by netlab's SIGTERM".to_string()
            }
            ExitStatus::Signaled { signal } if server && *signal == libc::SIGKILL => {
                "killed: it did not exit within 1 s of SIGTERM".to_string()
            }
            ExitStatus::Signaled { signal } => format!("killed by signal {signal}"),
            ExitStatus::TimedOut => "stopped at the time limit".to_string(),
            ExitStatus::NotStarted { error } => {
                format!("did not start: {}", crate::errname::rewrite(error))
            }
        }
    }

    /// The human report. `color` adds ANSI colours; OS errors read as Node names them.
    pub fn text(&self, color: bool) -> String {
        let paint = |code: &str, s: &str| crate::term::paint(code, s, color);
        let mut o = String::new();
        o.push_str(&format!(
            "netlab check {} — {}\n",
            paint("1", &self.lab),
            self.title
        ));
        let how = self.how_it_ended();
        o.push_str(&format!(
            "{}: {}  ({how}, {:.2} s, sandbox: {})\n",
            self.role,
            strip_controls(&shell_words(&self.command)),
            self.client.seconds,
            self.client.sandbox
        ));
        if self.client.leftovers_killed > 0 {
            o.push_str(&format!(
                "  note: {} process(es) your {} left running were stopped\n",
                self.client.leftovers_killed, self.role
            ));
        }
        if self.client.stdout_bytes > self.client.stdout.len() as u64 {
            o.push_str(&format!(
                "  note: your {} printed {} bytes; only the first {} were kept\n",
                self.role,
                self.client.stdout_bytes,
                self.client.stdout.len()
            ));
        }
        o.push('\n');
        // A check worth no points is shown only when it has something to say.
        let shown = self
            .checks
            .iter()
            .filter(|c| c.max_points > 0 || c.status == Status::Fail);
        for c in shown {
            let code = match c.status {
                Status::Pass => "32",
                Status::Fail => "31",
                Status::Error => "33",
                Status::Skip | Status::Missing => "2",
            };
            let mark = c.status.mark();
            o.push_str(&format!(
                "  {} {:<22} {}/{}\n",
                paint(code, mark),
                c.name,
                c.points,
                c.max_points
            ));
            if let Some(m) = &c.message {
                for line in wrap(&strip_controls(m), 88) {
                    o.push_str(&format!("      {line}\n"));
                }
            }
            if let Some(out) = &c.output {
                let out = strip_controls(out);
                for line in out.lines() {
                    let styled = if line.starts_with('-') && !line.starts_with("---") {
                        paint("31", line)
                    } else if line.starts_with('+') && !line.starts_with("+++") {
                        paint("32", line)
                    } else {
                        line.to_string()
                    };
                    o.push_str(&format!("        {styled}\n"));
                }
            }
        }
        if self.status != Status::Pass {
            if !self.stderr_tail.trim().is_empty() {
                o.push_str(&format!("\nyour {}'s stderr (last lines):\n", self.role));
                for l in strip_controls(&self.stderr_tail).lines() {
                    o.push_str(&format!("  | {l}\n"));
                }
            }
            o.push_str("\nreproduce it by hand:\n");
            for r in &self.reproduce {
                o.push_str(&format!("  {r}\n"));
            }
        }
        let verdict = match self.status {
            Status::Pass => paint("1;32", "PASS"),
            Status::Error => paint("1;33", "ERROR"),
            _ => paint("1;31", "FAIL"),
        };
        o.push_str(&format!(
            "\n{verdict}  {}/{} points\n",
            self.points, self.max_points
        ));
        crate::errname::rewrite(&o)
    }

    /// The JSON report.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// `s` without control characters (ESC sequences, CR, BEL…), keeping newlines and tabs:
/// what a student's program printed, or a folder name, is safe on a terminal and in files.
pub fn strip_controls(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}

/// A command line as a shell would show it.
pub fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

//! What a lesson is: the `lessons/NN-slug.toml` format, parsed and checked.
//!
//! A lesson is an ordered list of **steps**. Each step is one thing the learner does: read
//! (`text`), start a live server and poke it (`serve`), watch a built-in client talk to one
//! (`demo`), answer a question (`quiz`), or go write a client (`lab`).
//!
//! ```toml
//! #:schema ../schema/lesson.schema.json
//! format_version = 1
//! id = "tcp-server"
//! title = "A TCP server and its clients"
//! summary = "…"
//!
//! [[steps]]
//! kind = "serve"
//! scenario = "tcp-echo"
//! body = "Start the echo server, then connect to it."
//! try = [{ label = "nc", cmd = "printf 'hello\\r\\n' | nc -N {host} {port}" }]
//! look_for = ["connection", "data", "end", "close"]
//! wire = true   # about the packets: run with `--wire` (SYN, data segments, FIN beside the events)
//! ```
//!
//! In `try` commands `{host}`, `{port}`, `{socket}` and `{ca}` stand for the live server's
//! address, filled in when the step's server runs. Every command is run by the test suite
//! against the real scenario, so a lesson never shows a command that does not work.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The lesson file format this netlab reads.
pub const FORMAT_VERSION: u32 = 1;

/// One lesson, as written in its TOML file.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Must be 1.
    pub format_version: u32,
    /// Stable id: progress files and `netlab lesson ID` use it. Rename with `aliases`.
    pub id: String,
    /// Former ids, so old progress files and links keep working after a rename.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub title: String,
    /// One or two sentences: what the learner will be able to do afterwards.
    pub summary: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step of a lesson.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Step {
    /// Reading: Markdown (headings, emphasis, lists, code blocks, tables).
    Text {
        /// Optional heading shown above the step.
        #[serde(default)]
        title: Option<String>,
        body: String,
    },
    /// Start a named scenario and try it from another terminal.
    Serve {
        #[serde(default)]
        title: Option<String>,
        /// A scenario of `netlab serve --list`.
        scenario: String,
        /// What to do and why (Markdown).
        body: String,
        /// Commands to try from another terminal, with `{host}`, `{port}`, `{socket}`, `{ca}`.
        #[serde(default, rename = "try")]
        try_: Vec<Try>,
        /// Events the learner should see appear in the timeline.
        #[serde(default)]
        look_for: Vec<String>,
        /// This step is about the packets: run it with the wire view on
        /// (`netlab serve SCENARIO --wire`), so the timeline shows the TCP segments and UDP
        /// datagrams beside the socket events. Without the wire view the step still runs.
        #[serde(default)]
        wire: bool,
    },
    /// Run a built-in demo client against its scenario; both sides recorded.
    Demo {
        #[serde(default)]
        title: Option<String>,
        /// A demo of `netlab demo --list`.
        demo: String,
        body: String,
        #[serde(default)]
        look_for: Vec<String>,
        /// This step is about the packets: run it with the wire view on
        /// (`netlab demo NAME --wire`), so the timeline shows the TCP segments and UDP
        /// datagrams beside the socket events. Without the wire view the step still runs.
        #[serde(default)]
        wire: bool,
    },
    /// A multiple-choice question: one or several right answers, each option explained.
    Quiz {
        #[serde(default)]
        title: Option<String>,
        /// The question (Markdown).
        question: String,
        /// At least two; at least one with `correct = true`.
        choices: Vec<Choice>,
    },
    /// Go and write a client for a lab of the catalogue.
    Lab {
        #[serde(default)]
        title: Option<String>,
        /// A lab id of `netlab list`.
        lab: String,
        /// Why this lab now, what to watch for (Markdown).
        body: String,
    },
}

/// A command to try against a running scenario.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Try {
    /// Which tool, shown beside the command (`nc`, `curl`, `node`, `python3`).
    pub label: String,
    /// The shell command, with placeholders.
    pub cmd: String,
    /// True for commands that wait for typing (telnet, `nc` without `-q`): shown to the
    /// learner, not run by the test suite.
    #[serde(default)]
    pub interactive: bool,
}

/// One answer of a quiz.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub text: String,
    #[serde(default)]
    pub correct: bool,
    /// Why this answer is right or wrong, shown after answering.
    pub why: String,
}

impl Step {
    /// The step's kind as written in TOML.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Text { .. } => "text",
            Step::Serve { .. } => "serve",
            Step::Demo { .. } => "demo",
            Step::Quiz { .. } => "quiz",
            Step::Lab { .. } => "lab",
        }
    }

    /// The heading shown for the step: its title, or one made from its kind.
    pub fn heading(&self) -> String {
        let title = match self {
            Step::Text { title, .. }
            | Step::Serve { title, .. }
            | Step::Demo { title, .. }
            | Step::Quiz { title, .. }
            | Step::Lab { title, .. } => title.clone(),
        };
        title.unwrap_or_else(|| match self {
            Step::Text { .. } => String::new(),
            Step::Serve { scenario, .. } => format!("Live: netlab serve {scenario}"),
            Step::Demo { .. } => format!("Demo: {}", self.demo_command().unwrap_or_default()),
            Step::Quiz { .. } => "Quiz".to_string(),
            Step::Lab { lab, .. } => format!("Lab: {lab}"),
        })
    }

    /// True when the step is about the packets and should run with the wire view on
    /// (`--wire`): `wire = true` on a `serve` or `demo` step; false for every other step.
    pub fn wire(&self) -> bool {
        match self {
            Step::Serve { wire, .. } | Step::Demo { wire, .. } => *wire,
            _ => false,
        }
    }

    /// The command that runs a demo step by hand: `netlab demo NAME`, with `--wire` when the
    /// step is about the packets.
    pub fn demo_command(&self) -> Option<String> {
        match self {
            Step::Demo { demo, wire, .. } => Some(format!(
                "netlab demo {demo}{}",
                if *wire { " --wire" } else { "" }
            )),
            _ => None,
        }
    }

    /// The scenario whose server this step runs, if any (serve steps, and demos' servers).
    pub fn scenario(&self) -> Option<&str> {
        match self {
            Step::Serve { scenario, .. } => Some(scenario),
            Step::Demo { demo, .. } => crate::demo::find(demo).map(|d| d.scenario),
            _ => None,
        }
    }
}

impl Choice {
    /// True when the quiz has several right answers (the learner picks all of them).
    pub fn several_right(choices: &[Choice]) -> bool {
        choices.iter().filter(|c| c.correct).count() > 1
    }
}

/// Fill `{host}`, `{port}`, `{socket}`, `{ca}` in a command.
pub fn fill(cmd: &str, host: &str, port: u16, socket: &str, ca: &str) -> String {
    cmd.replace("{host}", host)
        .replace("{port}", &port.to_string())
        .replace("{socket}", socket)
        .replace("{ca}", ca)
}

/// A `try` command as shown when the step's server is not running: the scenario's usual port,
/// and conventional names for the socket path and the CA file.
pub fn fill_default(cmd: &str, scenario: &str) -> String {
    let port = crate::scenario::find(scenario).map_or(0, |s| s.default_port);
    fill(
        cmd,
        "127.0.0.1",
        port,
        &format!("/tmp/netlab-{scenario}.sock"),
        "ca.pem",
    )
}

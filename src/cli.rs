//! The command-line interface: clap definitions only. The binary's `cmd` modules carry each
//! command out on top of the library.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// netlab: learn network programming by watching it happen.
#[derive(Debug, Parser)]
#[command(
    name = "netlab",
    version,
    about,
    long_about = None,
    after_help = "Start here:\n  netlab serve tcp-echo            (then, in another terminal)\n  printf 'hello\\r\\n' | nc -N 127.0.0.1 8124\n\nExit codes: 0 pass, 1 fail, 2 usage, 3 bad course/config, 4 internal error."
)]
pub struct Cli {
    /// Use the course (lessons and labs) in DIR instead of the one built into netlab.
    #[arg(long, global = true, value_name = "DIR")]
    pub course: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a named scenario and print its live event timeline.
    ///
    /// Connect from another terminal (nc, curl, node, python3) and watch the server's events:
    /// listening, connection, data, end, finish, close, drain, timeout… Ctrl-C stops the server
    /// gracefully. Example: `netlab serve tcp-echo --port 8124`.
    Serve(ServeArgs),
    /// Run a built-in demo client against its scenario and show both sides' events.
    Demo(DemoArgs),
    /// Run your own client inside a running `netlab serve --wire`'s network namespace, so
    /// its packets show in the wire view: `netlab exec -- nc 127.0.0.1 8124`.
    Exec(ExecArgs),
    /// Grade a client for a lab against the trace the server observed.
    ///
    /// `netlab check tcp-hello -- node client.js` starts the lab's server on a free port, runs
    /// the command with NETLAB_HOST and NETLAB_PORT (or NETLAB_SOCKET) set, stops it and
    /// everything it started at the time limit, and explains every failed check. Inside a
    /// workspace made by `netlab init`, `netlab check LAB` grades your own client file (in a
    /// lab's folder, plain `netlab check` does).
    Check(CheckArgs),
    /// Check your own client again on every save, until Ctrl-C.
    ///
    /// Inside a workspace: `netlab watch LAB`, or plain `netlab watch` in a lab's folder. Only
    /// a save counts (reading the file does not), and each save runs exactly one check.
    Watch(WatchArgs),
    /// Make a learner workspace: netlab.toml and, per lab, a starter client and a README.
    ///
    /// Never overwrites a file. Then edit `<lab>/client.<ext>` and run `netlab check <lab>`.
    Init(InitArgs),
    /// Grade a whole class: every student's clients, in parallel, each isolated.
    ///
    /// CLASS_DIR holds one workspace per student (as `netlab init` makes them; the folder name
    /// is the student id). `netlab grade merge FILES…` combines JSON results instead.
    Grade(GradeArgs),
    /// Generate the mdBook companion from the course: pages, recorded timelines, diagrams.
    Book(BookArgs),
    /// Turn a recorded timeline (JSON lines from `serve --json` or `demo --json`) into a
    /// sequence diagram (`--svg`) or the canonical trace.
    Trace(TraceArgs),
    /// Open the course in the terminal (what `netlab` alone does): lessons, live servers and
    /// their timelines, labs checked on every save.
    Tui(TuiArgs),
    /// List the lessons and labs, with your progress.
    List(ListArgs),
    /// Print a lesson as plain text (for screen readers and pipes).
    Lesson(LessonArgs),
    /// Check a course (lessons and labs): exit 0 when valid, 3 with file:line:col otherwise.
    Validate(ValidateArgs),
    /// Print a shell completion script: `netlab completions bash > ~/.local/share/bash-completion/completions/netlab`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Tools for course authors.
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Prove the labs: each parses, names a real scenario, every reference solution passes
    /// through the real grader and every starter fails.
    Check(DevCheckArgs),
    /// Write the JSON Schemas of the lesson and lab formats to schema/ (generated from the
    /// Rust types); with --check, fail when they are stale.
    Schema {
        /// Where to write them.
        #[arg(long, default_value = "schema")]
        dir: PathBuf,
        #[arg(long)]
        check: bool,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct GradeArgs {
    #[command(subcommand)]
    pub command: Option<GradeCommand>,
    /// The class directory: one student workspace per folder.
    #[arg(required = true)]
    pub class_dir: Option<PathBuf>,
    /// Grade only these labs (repeatable). Default: every lab a workspace contains.
    #[arg(long = "lab", value_name = "ID")]
    pub labs: Vec<String>,
    /// Checks run at once. Default: the number of CPU cores.
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Seconds each client may run (default: each lab's limit).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: crate::grade::format::Format,
    /// Write the gradebook here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write each student's full reports to DIR/<student>.md.
    #[arg(long, value_name = "DIR")]
    pub feedback: Option<PathBuf>,
    /// Confine learner clients: auto (every layer the kernel offers), require (all layers, or
    /// exit 4 before running anything), off (no sandbox). See README "Grading untrusted code".
    #[arg(long, value_enum, default_value = "auto", value_name = "MODE")]
    pub sandbox: crate::sandbox::Mode,
}

#[derive(Debug, Subcommand)]
pub enum GradeCommand {
    /// Combine JSON results (`netlab grade --format json`, `netlab check --format json`) into
    /// one gradebook.
    Merge {
        /// JSON files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "table")]
        format: crate::grade::format::Format,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct BookArgs {
    /// The book directory (book.toml and src/).
    #[arg(long, default_value = "book")]
    pub out: PathBuf,
    /// Write nothing; exit 1 listing the pages that differ from the course.
    #[arg(long)]
    pub check: bool,
    /// Only the pages: do not run the live steps to record timelines.
    #[arg(long)]
    pub no_record: bool,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// JSON lines file; `-` or nothing reads standard input.
    pub file: Option<PathBuf>,
    /// Print an SVG sequence diagram.
    #[arg(long)]
    pub svg: bool,
    /// The diagram's title.
    #[arg(long, default_value = "netlab timeline")]
    pub title: String,
}

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// Open this lesson (id, alias or number) instead of resuming.
    #[arg(long)]
    pub lesson: Option<String>,
    /// Open at this step (1-based).
    #[arg(long)]
    pub step: Option<usize>,
    /// Confine learner clients: auto (every layer the kernel offers), require (all layers, or
    /// exit 4 before running anything), off (no sandbox). See README "Grading untrusted code".
    #[arg(long, value_enum, default_value = "auto", value_name = "MODE")]
    pub sandbox: crate::sandbox::Mode,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LessonArgs {
    /// A lesson id (see `netlab list`), alias or number.
    pub id: String,
    /// The lesson as JSON (its steps as in the TOML file).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// A course directory (with lessons/ and labs/); default: the built-in course.
    pub dir: Option<PathBuf>,
    /// `{"ok":true,"lessons":N,"steps":N,"labs":N}` or `{"ok":false,"error":"…"}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DevCheckArgs {
    /// A course directory (with labs/); default: the built-in course.
    pub dir: Option<PathBuf>,
    /// Only these labs.
    #[arg(long = "lab")]
    pub labs: Vec<String>,
    /// Confine the reference solutions and starters as learner clients are: auto, require (all
    /// layers, or exit 4 before running anything), off. See README "Grading untrusted code".
    #[arg(long, value_enum, default_value = "auto", value_name = "MODE")]
    pub sandbox: crate::sandbox::Mode,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The demo to run (see --list).
    #[arg(required_unless_present = "list")]
    pub name: Option<String>,
    /// List the demos and exit.
    #[arg(long)]
    pub list: bool,
    /// One JSON object per line instead of the readable timeline.
    #[arg(long)]
    pub json: bool,
    /// Do not print HTTP heads as `> `/`< ` wire lines under `request` and `writeHead()`.
    #[arg(long)]
    pub no_heads: bool,
    /// The wire view: also show the TCP segments and UDP datagrams (SYN, FIN, RST, data,
    /// TLS records) on the timeline. netlab runs in its own network namespace for it (no root
    /// needed); `netlab exec -- CMD` runs your own client there.
    #[arg(long)]
    pub wire: bool,
    /// Also write the captured packets to FILE as pcapng (Wireshark, `tcpdump -r`); implies
    /// --wire.
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to make the workspace (created if missing); default: netlab/workspace in your
    /// data folder ($XDG_DATA_HOME, else ~/.local/share), where the TUI finds it too.
    pub dir: Option<PathBuf>,
    /// The language of your clients.
    #[arg(long, default_value = "node", value_parser = ["node", "python", "shell"])]
    pub lang: String,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The lab to grade (e.g. tcp-hello); in a lab's folder of a workspace, that lab.
    pub lab: Option<String>,
    /// Seconds the client may run (default: the lab's limit, usually 10).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Print the result as JSON (status, points, max_points, checks[]); same as --format json.
    #[arg(long)]
    pub json: bool,
    /// text (default), json, or junit (one testsuite, one testcase).
    #[arg(long, value_enum)]
    pub format: Option<CheckFormat>,
    /// The student's id, recorded in JSON and JUnit results (for `netlab grade merge`).
    /// Default: $NETLAB_STUDENT, else $GITHUB_ACTOR.
    #[arg(long)]
    pub student: Option<String>,
    /// Confine learner clients: auto (every layer the kernel offers), require (all layers, or
    /// exit 4 before running anything), off (no sandbox). See README "Grading untrusted code".
    #[arg(long, value_enum, default_value = "auto", value_name = "MODE")]
    pub sandbox: crate::sandbox::Mode,
    /// Also print the run's timeline with the wire lane (the packets the run's network
    /// namespace saw) under the report.
    #[arg(long)]
    pub wire: bool,
    /// Also write the run's packets to FILE as pcapng; implies --wire.
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
    /// The client command and its arguments, after `--`.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The lab (e.g. tcp-hello); in a lab's folder of a workspace, that lab.
    pub lab: Option<String>,
    /// Seconds the client may run (default: the lab's limit, usually 10).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Confine learner clients: auto (every layer the kernel offers), require (all layers, or
    /// exit 4 before running anything), off (no sandbox). See README "Grading untrusted code".
    #[arg(long, value_enum, default_value = "auto", value_name = "MODE")]
    pub sandbox: crate::sandbox::Mode,
}

/// Formats of `netlab check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Junit,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The scenario to serve (see --list).
    #[arg(required_unless_present = "list")]
    pub scenario: Option<String>,
    /// List the scenarios and exit.
    #[arg(long)]
    pub list: bool,
    /// TCP/UDP port; 0 picks a free one. Default: the scenario's own (e.g. 8124 for tcp-echo).
    #[arg(long, short)]
    pub port: Option<u16>,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Unix socket path (unix-echo). Default: a fresh path in the temp directory.
    #[arg(long)]
    pub socket: Option<PathBuf>,
    /// Where `https` writes its throwaway CA certificate (PEM) for clients to trust.
    #[arg(long, value_name = "PATH")]
    pub ca_out: Option<PathBuf>,
    /// Bytes tcp-bulk sends.
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    pub bytes: u64,
    /// One JSON object per line, flushed per event, instead of the readable timeline.
    #[arg(long)]
    pub json: bool,
    /// Do not print HTTP heads as `> `/`< ` wire lines under `request` and `writeHead()`.
    #[arg(long)]
    pub no_heads: bool,
    /// Record everything but print only `listening` and, when the server stops, a summary of
    /// each connection (exact byte counts and content hashes). For load experiments.
    #[arg(long, short)]
    pub quiet: bool,
    /// The wire view: also show the TCP segments and UDP datagrams (SYN, FIN, RST, data,
    /// TLS records) on the timeline. netlab runs in its own network namespace for it (no root
    /// needed); `netlab exec -- CMD` runs your own client there.
    #[arg(long)]
    pub wire: bool,
    /// Also write the captured packets to FILE as pcapng (Wireshark, `tcpdump -r`); implies
    /// --wire.
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
}

impl ServeArgs {
    /// Whether the wire view is asked for (`--wire`, or `--pcap`, which implies it).
    pub fn wire(&self) -> bool {
        self.wire || self.pcap.is_some()
    }
}

impl DemoArgs {
    /// Whether the wire view is asked for (`--wire`, or `--pcap`, which implies it).
    pub fn wire(&self) -> bool {
        self.wire || self.pcap.is_some()
    }
}

impl CheckArgs {
    /// Whether the wire view is asked for (`--wire`, or `--pcap`, which implies it).
    pub fn wire(&self) -> bool {
        self.wire || self.pcap.is_some()
    }
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The wire-mode netlab to join (its pid, as `netlab exec` lists them). Default: the only
    /// one running.
    #[arg(long)]
    pub pid: Option<u32>,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

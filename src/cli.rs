//! The command-line interface (clap definitions only; the work is in [`crate::cmd`]).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// netlab: learn network programming by watching it happen.
#[derive(Debug, Parser)]
#[command(
    name = "netlab",
    version,
    about,
    long_about = None,
    after_help = "Start here:\n  netlab serve tcp-echo            (then, in another terminal)\n  printf 'hello\\r\\n' | nc -q1 127.0.0.1 8124\n\nExit codes: 0 pass, 1 fail, 2 usage, 3 bad course/config, 4 internal error."
)]
pub struct Cli {
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
    /// Bytes tcp-bulk sends.
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    pub bytes: u64,
    /// One JSON object per line, flushed per event, instead of the readable timeline.
    #[arg(long)]
    pub json: bool,
    /// Record everything but print only `listening` and, when the server stops, a summary of
    /// each connection (exact byte counts and content hashes). For load experiments.
    #[arg(long, short)]
    pub quiet: bool,
}

//! netlab teaches network programming by letting people watch it happen.
//!
//! A learner starts a live TCP, Unix-socket or UDP server inside netlab, connects to it with
//! `nc`, `curl`, Node or Python, and watches the server's event timeline — `listening`,
//! `connection`, `data`, `end`, `finish`, `close`, `drain`, `timeout` — in Node's vocabulary and
//! order. Graders compare the same timeline against what a lab expects.
//!
//! # Layout
//!
//! Layers, each using only the ones above it; the `netlab` binary (`src/main.rs`, with one
//! module per command in `src/cmd/`) sits on top and is the only place that prints for a
//! command or picks an exit code.
//!
//! - [`trace`]: the one trace model everything reads — [`trace::Event`] (Node's event names,
//!   plus the server's own calls such as `write(n) → false`; [`trace::EventKind`] names every
//!   kind once), the bounded-memory [`trace::Recorder`], the canonical diffable text form
//!   ([`trace::canon`]) and rendering for people and for JSON ([`trace::render`]).
//! - [`engine`]: Node's `net` and `dgram` semantics on tokio — the socket state machine
//!   (`write`/`drain`, `end`/`finish`, `timeout`, `allowHalfOpen`), the accept loop with
//!   graceful shutdown, and UDP.
//! - [`http`]: HTTP/1.1 on the engine — a sans-IO server connection with the `http` module's
//!   events (`request`, `checkContinue`, `upgrade`, `connect`, `clientError`), the `http`
//!   scenario's routes, and a client with Node's `Agent` pooling.
//! - [`sandbox`]: the sandbox every learner client runs in (environment allow-list, rlimits,
//!   Landlock, user/PID/network/mount namespaces, seccomp), through a re-executed launcher.
//! - [`tls`]: a throwaway CA and server certificate for the `https` scenario (rustls, rcgen).
//! - [`wire`]: the wire view — TCP segments and UDP datagrams captured on a loopback
//!   (`AF_PACKET`) and recorded in a `wire` lane of the same timeline; pcapng export.
//! - [`scenario`]: the named servers (`tcp-echo`, `tcp-bulk`, `udp-pong`, `http`, …), each with
//!   its own server function; [`scenario::start`] is the one way to run one in the background.
//! - [`demo`]: built-in demo clients, recorded beside the scenario's server on one timeline.
//! - [`diag`]: course-file diagnostics — the error type and `file:LINE:COL` + caret messages
//!   that lessons and labs share.
//! - [`lab`]: labs — the `lab.toml` format, the embedded catalogue, running a learner's client
//!   safely, grading it against the server-observed trace, the report, and
//!   [`lab::check::check_one`], a whole check start to finish.
//! - [`course`]: lessons (`lessons/*.toml`: text, live `serve` and `demo` steps, quizzes, lab
//!   links), loaded embedded or from `--course DIR`; the learner's progress file; JSON Schemas.
//! - [`watch`]: watch mode's file watcher — one notification per save, none for reads.
//! - [`workspace`]: the learner's folder (`netlab.toml`, a client per lab, progress) — found,
//!   read and written in one place.
//! - [`grade`]: classroom grading — a class of workspaces graded in parallel, gradebooks as a
//!   table, JSON, JUnit, CSV or Markdown, per-student feedback, merging.
//! - [`tui`]: the terminal UI (ratatui, The Elm Architecture): state and `update` ([`tui::app`]),
//!   one keymap ([`tui::keymap`]), the view, and the runtime that carries out commands.
//! - [`book`]: the mdBook companion generated from the course, with timelines recorded at
//!   build time and SVG sequence diagrams.
//! - [`cli`]: the command-line surface (clap); [`suggest`]: "did you mean"; [`term`]: colour;
//!   [`error`]: the library's error type and the process exit codes; [`errname`]: OS errors
//!   in Node's words (`ECONNRESET (connection reset by peer)`).
//!
//! netlab runs on Linux only: it relies on `/proc`, `PR_SET_CHILD_SUBREAPER`, `TCP_INFO` and
//! Linux's sandboxing facilities.

#[cfg(not(target_os = "linux"))]
compile_error!(
    "netlab builds on Linux only for now: it relies on /proc, PR_SET_CHILD_SUBREAPER, TCP_INFO \
     and Linux's sandboxing (Landlock, namespaces). Ports are welcome."
);

pub mod book;
pub mod cli;
pub mod course;
pub mod demo;
pub mod diag;
pub mod engine;
pub mod errname;
pub mod error;
#[cfg(test)]
pub mod fuzzing;
pub mod grade;
pub mod http;
pub mod lab;
pub mod sandbox;
pub mod scenario;
pub mod suggest;
pub mod term;
pub mod tls;
pub mod trace;
pub mod tui;
pub mod watch;
pub mod wire;
pub mod workspace;

pub use error::{Error, ExitCode};

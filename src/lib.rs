//! netlab teaches network programming by letting people watch it happen.
//!
//! A learner starts a live TCP, Unix-socket or UDP server inside netlab, connects to it with
//! `nc`, `curl`, Node or Python, and watches the server's event timeline — `listening`,
//! `connection`, `data`, `end`, `finish`, `close`, `drain`, `timeout` — in Node's vocabulary and
//! order. Graders compare the same timeline against what a lab expects.
//!
//! # Layout
//!
//! - [`trace`]: the one trace model everything reads — [`trace::Event`] (Node's event names,
//!   plus the server's own calls such as `write(n) → false`), the bounded-memory
//!   [`trace::Recorder`], the canonical diffable text form ([`trace::canon`]) and rendering for
//!   people and for JSON ([`trace::render`]).
//! - [`engine`]: Node's `net` and `dgram` semantics on tokio — the socket state machine
//!   (`write`/`drain`, `end`/`finish`, `timeout`, `allowHalfOpen`), the accept loop with
//!   graceful shutdown, and UDP.
//! - [`http`]: HTTP/1.1 on the engine — a sans-IO server connection with the `http` module's
//!   events (`request`, `checkContinue`, `upgrade`, `connect`, `clientError`) and the `http`
//!   scenario's routes.
//! - [`scenario`]: the named servers (`tcp-echo`, `tcp-bulk`, `udp-pong`, …) that lessons, labs
//!   and `netlab serve` refer to.
//! - [`lab`]: labs — the `lab.toml` format, the embedded catalogue, running a learner's client
//!   safely (time limit, whole process tree killed, capped output), grading it against the
//!   server-observed trace, and the report.
//! - [`sandbox`]: the sandbox every learner client runs in (environment allow-list, rlimits,
//!   Landlock, user/PID/network/mount namespaces, seccomp), through a re-executed launcher.
//! - [`course`]: the course — lessons (`lessons/*.toml`: text, live `serve` and `demo` steps,
//!   quizzes, lab links), loaded embedded or from `--course DIR` and checked with file:line:col
//!   diagnostics; the learner's progress file; JSON Schemas for course authors' editors.
//! - [`grade`]: classroom grading — a class directory of workspaces graded in parallel with
//!   each check isolated, gradebooks as a table, JSON, JUnit, CSV or Markdown, per-student
//!   feedback, and merging results graded elsewhere.
//! - [`demo`]: built-in demo clients, recorded beside the scenario's server on one timeline.
//! - [`tls`]: a throwaway CA and server certificate for the `https` scenario (rustls, rcgen).
//! - [`tui`]: the terminal UI (ratatui, The Elm Architecture): lessons, the live timeline,
//!   labs in watch mode, the course map, progress.
//! - [`book`]: the mdBook companion generated from the course, with timelines recorded at
//!   build time and SVG sequence diagrams.
//! - [`cli`]: the command-line surface (clap); [`cmd`]: one module per command.
//! - [`error`]: the library's error type and the process exit codes.

pub mod book;
pub mod cli;
pub mod cmd;
pub mod course;
pub mod demo;
pub mod engine;
pub mod error;
#[cfg(test)]
pub mod fuzzing;
pub mod grade;
pub mod http;
pub mod lab;
pub mod sandbox;
pub mod scenario;
pub mod term;
pub mod tls;
pub mod trace;
pub mod tui;

pub use error::{Error, ExitCode};

//! Labs: learner-written clients graded against the trace the server observed.
//!
//! - [`model`]: the `lab.toml` format and its validation.
//! - [`catalog`]: the labs embedded in the binary (or a `--course DIR`), with their files.
//! - [`check`]: one check start to finish — run, grade, report — as every front end uses it.
//! - [`run`]: running a client safely — time limit, whole process tree killed, capped output.
//! - [`view`]: the typed [`view::ServerView`] of what the server observed in one run.
//! - [`checks`]: one function per check kind, over that view and the client's process.
//! - [`grade`]: the checks of a lab in order (prerequisites, skips, points) and the one
//!   [`Status`] type of all grading.
//! - [`diff`]: line diffs, hex diffs and output trimming for reports.
//! - [`report`]: the verdict for people (plain sentences, diffs) and for programs (JSON).

pub mod catalog;
pub mod check;
pub mod checks;
pub mod diff;
pub mod grade;
pub mod model;
pub mod report;
pub mod run;
pub mod server;
pub mod view;

pub use catalog::{Catalog, LabEntry};
pub use grade::{CheckResult, Status};
pub use model::{Check, CheckKind, Lab, Language};

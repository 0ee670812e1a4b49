//! Labs: learner-written clients graded against the trace the server observed.
//!
//! - [`model`]: the `lab.toml` format and its validation.
//! - [`catalog`]: the labs embedded in the binary (or a `--course DIR`), with their files.
//! - [`check`]: one check start to finish — run, grade, report — as every front end uses it.
//! - [`run`]: running a client safely — time limit, whole process tree killed, capped output.
//! - [`grade`]: each check against the server-side trace and the client's process.
//! - [`report`]: the verdict for people (plain sentences, diffs) and for programs (JSON).

pub mod catalog;
pub mod check;
pub mod grade;
pub mod model;
pub mod report;
pub mod run;

pub use catalog::{Catalog, LabEntry};
pub use model::{Check, CheckKind, Lab, Language};

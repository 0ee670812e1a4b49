//! Grading one run: each check of the lab against what the server observed.
//!
//! The run's timeline is read once into a typed [`ServerView`]; each check kind is one small
//! function in [`super::checks`]. A check whose prerequisite failed is reported as skipped,
//! with the reason. A run where the server saw nothing can never pass.
//!
//! [`Status`] is the one outcome type of netlab's grading: a check's, a report's and a
//! gradebook cell's.

use super::checks::{self, Ctx, Failure};
use super::model::{Check, Lab};
use super::run::RunResult;
use super::view::ServerView;
use crate::trace::canon::{CanonTrace, Item};
use serde::{Deserialize, Serialize};

/// How a check, a lab run or a gradebook cell came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Everything asked for was there.
    Pass,
    /// The client did not do what the lab asks.
    Fail,
    /// A check not run because a check it depends on did not pass.
    Skip,
    /// netlab could not grade it (an unsafe submission, no language, an unreadable file):
    /// not the student's score.
    Error,
    /// The student has no client file for this lab.
    Missing,
}

impl Status {
    /// The lower-case word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
            Status::Missing => "missing",
        }
    }

    /// The mark shown before a check's name.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Fail => "✗",
            Status::Skip | Status::Missing => "–",
            Status::Error => "!",
        }
    }
}

/// One check's result, as reported.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check's name from `lab.toml`.
    pub name: String,
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    /// Why it failed or was skipped, in plain words.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<String>,
    /// Supporting detail: a diff, a hex dump.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub output: Option<String>,
}

/// Grade `run` against `lab`.
pub fn grade(lab: &Lab, run: &RunResult) -> Vec<CheckResult> {
    let view = ServerView::build(&run.entries);
    let ctx = Ctx {
        lab,
        run,
        view: &view,
    };
    let mut results: Vec<CheckResult> = Vec::new();
    for check in &lab.checks {
        let r = judge(&ctx, check, &results);
        results.push(r);
    }
    results
}

/// One check's result, given the results so far (for its prerequisites).
fn judge(ctx: &Ctx, check: &Check, earlier: &[CheckResult]) -> CheckResult {
    let mut r = CheckResult {
        name: check.name.clone(),
        status: Status::Pass,
        points: 0,
        max_points: check.points,
        message: None,
        output: None,
    };
    let failed_dep = check.depends.iter().find(|d| {
        earlier
            .iter()
            .any(|r| &r.name == *d && r.status != Status::Pass)
    });
    if let Some(dep) = failed_dep {
        r.status = Status::Skip;
        r.message = Some(format!("skipped: it needs `{dep}`, which did not pass"));
        return r;
    }
    match checks::evaluate(ctx, check) {
        Ok(()) => r.points = check.points,
        Err(Failure {
            blocked: Some(why), ..
        }) if earlier.iter().any(|e| e.status == Status::Fail) => {
            let first = earlier.iter().find(|e| e.status == Status::Fail);
            r.status = Status::Skip;
            r.message = Some(format!(
                "skipped: {why} (see `{}`)",
                first.map(|e| e.name.as_str()).unwrap_or_default()
            ));
        }
        Err(f) => {
            r.status = Status::Fail;
            let mut message = if f.specific.is_empty() {
                check.fail.clone()
            } else {
                format!("{} ({})", check.fail, f.specific)
            };
            if let Some(note) = checks::wire::note(ctx, &check.kind) {
                message.push_str("; ");
                message.push_str(&note);
            }
            r.message = Some(message);
            r.output = f.output;
        }
    }
    r
}

/// True when the server saw anything from a client at all (a connection or a datagram).
pub fn anything_seen(trace: &CanonTrace) -> bool {
    trace.blocks.iter().any(|b| {
        b.name.starts_with("conn")
            || (b.name == "server"
                && b.lines
                    .iter()
                    .any(|l| matches!(&l.item, Item::Bytes { .. })))
    })
}

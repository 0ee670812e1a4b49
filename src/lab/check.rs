//! One check of one client, start to finish: run it against the lab's server, grade what the
//! server observed, and build the report. `netlab check`, `netlab dev check`, class grading and
//! the TUI's lab view all call [`check_one`]; they differ only in where the client comes from
//! and how the report is shown.

use super::report::Report;
use super::run::{self, RunError};
use super::{grade, Catalog, LabEntry};
use std::path::Path;
use std::time::Duration;

/// Run and grade one client: the whole of `netlab check` but finding the client and printing.
pub async fn check_one(
    entry: &LabEntry,
    command: &[String],
    cwd: &Path,
    limit: Duration,
) -> Result<Report, RunError> {
    let result = match entry.lab.kind {
        super::model::LabKind::Client => run::run(&entry.lab, command, cwd, limit).await?,
        super::model::LabKind::Server => {
            super::server::run(&entry.lab, command, cwd, limit).await?
        }
    };
    let checks = grade::grade(&entry.lab, &result);
    let seen = match entry.lab.kind {
        super::model::LabKind::Client => grade::anything_seen(&result.trace),
        super::model::LabKind::Server => result.steps.iter().any(|s| s.name == "listening" && s.ok),
    };
    let mut report = Report::new(
        &entry.lab,
        checks,
        result.client,
        command.to_vec(),
        result.trace.to_string(),
        seen,
    );
    if entry.lab.kind == super::model::LabKind::Server {
        report.client_timeline = result.entries.iter().map(|e| (**e).clone()).collect();
    }
    report.timeline = result.entries;
    report.steps = result.steps;
    report.wire = result.wire;
    Ok(report)
}

/// The time limit for a run: the one asked for, else the lab's, kept within 0.1 s – 1 h.
pub fn time_limit(entry: &LabEntry, asked: Option<f64>) -> Duration {
    Duration::from_secs_f64(
        asked
            .unwrap_or(entry.lab.time_limit_secs)
            .clamp(0.1, 3600.0),
    )
}

/// A lab id that is not in the catalogue, with the closest one and the list of all.
#[derive(Debug, thiserror::Error)]
#[error("unknown lab `{name}`{}; labs: {known}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
pub struct UnknownLab {
    pub name: String,
    pub suggestion: Option<String>,
    pub known: String,
}

/// A lab by id, or an error naming the closest one.
pub fn find_lab<'a>(catalog: &'a Catalog, id: &str) -> Result<&'a LabEntry, UnknownLab> {
    catalog.find(id).ok_or_else(|| UnknownLab {
        name: id.to_string(),
        suggestion: crate::suggest::closest(id, catalog.labs.iter().map(|l| l.lab.id.as_str()))
            .map(str::to_string),
        known: catalog
            .labs
            .iter()
            .map(|l| l.lab.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

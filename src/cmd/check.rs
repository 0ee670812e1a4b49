//! `netlab check LAB [-- CMD…]`: grade one client for one lab.
//!
//! With a command, that command is the client. Without one, netlab looks for the learner's
//! workspace (`netlab.toml`, written by `netlab init`, in this folder or a parent) and runs
//! `<lab>/client.<ext>` with the workspace's language.

use netlab::cli::{CheckArgs, CheckFormat};
use netlab::lab::check::{check_one, find_lab, time_limit};
use netlab::lab::report::Verdict;
use netlab::lab::Catalog;
use netlab::workspace::{ClientCommand, Workspace};
use netlab::{term, Error, ExitCode};
use std::path::Path;

/// Run `netlab check`.
pub fn run(course: Option<&Path>, args: CheckArgs) -> Result<ExitCode, Error> {
    let catalog = Catalog::load(course)?;
    let entry = find_lab(&catalog, &args.lab)?;
    let here = std::env::current_dir()?;
    let ClientCommand { argv: command, cwd } = if args.command.is_empty() {
        learner_client(&here, &entry.lab.id)?
    } else {
        ClientCommand {
            argv: args.command.clone(),
            cwd: here,
        }
    };
    let limit = time_limit(entry, args.timeout);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut report = rt.block_on(check_one(entry, &command, &cwd, limit))?;
    report.student = args
        .student
        .clone()
        .or_else(|| std::env::var("NETLAB_STUDENT").ok())
        .or_else(|| std::env::var("GITHUB_ACTOR").ok())
        .filter(|s| !s.is_empty());
    let format = match (args.format, args.json) {
        (Some(f), _) => f,
        (None, true) => CheckFormat::Json,
        (None, false) => CheckFormat::Text,
    };
    match format {
        CheckFormat::Json => println!("{}", report.json()),
        CheckFormat::Text => print!("{}", report.text(term::color_stdout())),
        CheckFormat::Junit => {
            let grade = netlab::grade::from_report(&report);
            let book = netlab::grade::Gradebook {
                students: vec![netlab::grade::StudentGrades {
                    student: report.student.clone().unwrap_or_else(|| "student".into()),
                    labs: vec![grade],
                }],
            };
            print!("{}", netlab::grade::format::junit(&book));
        }
    }
    Ok(match report.status {
        Verdict::Pass => ExitCode::Pass,
        Verdict::Fail => ExitCode::Fail,
        Verdict::Error => ExitCode::Internal,
    })
}

/// The learner's own client for `lab`, from the workspace around `cwd`.
fn learner_client(cwd: &Path, lab: &str) -> Result<ClientCommand, Error> {
    let ws = Workspace::locate(cwd).map_err(|e| match e {
        netlab::workspace::WorkspaceError::NotFound { .. } => Error::Usage(format!(
            "no client command given and no netlab.toml here or above {}: run `netlab init` to make a workspace, or give the client after `--` (e.g. `netlab check {lab} -- node client.js`)",
            cwd.display()
        )),
        other => Error::Workspace(other),
    })?;
    Ok(ws.client_command(lab)?)
}

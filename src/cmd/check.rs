//! `netlab check LAB [-- CMD…]`: grade one client for one lab.
//!
//! With a command, that command is the client. Without one, netlab looks for the learner's
//! workspace (`netlab.toml`, written by `netlab init`, in this folder or a parent) and runs
//! `<lab>/client.<ext>` with the workspace's language.

use crate::cli::{CheckArgs, CheckFormat};
use crate::lab::report::Report;
use crate::lab::Status;
use crate::lab::{grade, run, Catalog, LabEntry, Language};
use crate::{scenario, term, Error, ExitCode};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Run `netlab check`.
pub fn run(course: Option<&Path>, args: CheckArgs) -> Result<ExitCode, Error> {
    let catalog = Catalog::load(course)?;
    let entry = find_lab(&catalog, &args.lab)?;
    let (command, cwd) = if args.command.is_empty() {
        client_command(&std::env::current_dir()?, &entry.lab.id)?
    } else {
        (args.command.clone(), std::env::current_dir()?)
    };
    let limit = Duration::from_secs_f64(
        args.timeout
            .unwrap_or(entry.lab.time_limit_secs)
            .clamp(0.1, 3600.0),
    );
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
            let grade = crate::grade::from_report(&report);
            let book = crate::grade::Gradebook {
                students: vec![crate::grade::StudentGrades {
                    student: report.student.clone().unwrap_or_else(|| "student".into()),
                    labs: vec![grade],
                }],
                incomplete: None,
            };
            print!("{}", crate::grade::format::junit(&book));
        }
    }
    Ok(match report.status {
        Status::Pass => ExitCode::Pass,
        // The client command could not be started: the command line names no runnable program.
        Status::Error => ExitCode::Usage,
        _ => ExitCode::Fail,
    })
}

/// Run and grade one client: the whole of `netlab check` but the printing.
pub async fn check_one(
    entry: &LabEntry,
    command: &[String],
    cwd: &Path,
    limit: Duration,
) -> Result<Report, Error> {
    let result = run::run(&entry.lab, command, cwd, limit)
        .await
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let checks = grade::grade(&entry.lab, &result);
    let seen = grade::anything_seen(&result.trace);
    Ok(Report::new(
        &entry.lab,
        checks,
        result.client,
        command.to_vec(),
        result.trace.to_string(),
        seen,
    ))
}

/// A lab by id, or a usage error naming the closest one.
pub fn find_lab<'a>(catalog: &'a Catalog, id: &str) -> Result<&'a LabEntry, Error> {
    catalog.find(id).ok_or_else(|| Error::UnknownLab {
        name: id.to_string(),
        suggestion: catalog
            .labs
            .iter()
            .map(|l| (scenario::strsim(id, &l.lab.id), l.lab.id.clone()))
            .filter(|(d, _)| *d <= 3)
            .min()
            .map(|(_, n)| n),
        known: catalog
            .labs
            .iter()
            .map(|l| l.lab.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The learner's own client for `lab`, from the workspace around `cwd`: the command to run it
/// and the folder to run it in.
pub fn client_command(cwd: &Path, lab: &str) -> Result<(Vec<String>, PathBuf), Error> {
    let root = cwd
        .ancestors()
        .find(|d| d.join("netlab.toml").is_file())
        .ok_or_else(|| {
            Error::Usage(format!(
                "no client command given and no netlab.toml here or above {}: run `netlab init` to make a workspace, or give the client after `--` (e.g. `netlab check {lab} -- node client.js`)",
                cwd.display()
            ))
        })?
        .to_path_buf();
    let cfg_path = root.join("netlab.toml");
    let text = std::fs::read_to_string(&cfg_path)?;
    let lang = parse_language(&text).ok_or_else(|| {
        Error::Usage(format!(
            "{}: expected a line like `language = \"node\"` (node, python or shell)",
            cfg_path.display()
        ))
    })?;
    let dir = root.join(lab);
    let file = dir.join(format!("client.{}", lang.ext()));
    if !file.is_file() {
        return Err(Error::Usage(format!(
            "{} does not exist: write your client there (or run `netlab init` to get a starter)",
            file.display()
        )));
    }
    Ok((
        vec![
            lang.interpreter().to_string(),
            file.to_string_lossy().into_owned(),
        ],
        dir,
    ))
}

/// The `language` of a workspace's `netlab.toml`.
pub fn parse_language(text: &str) -> Option<Language> {
    #[derive(serde::Deserialize)]
    struct Ws {
        language: String,
    }
    let ws: Ws = toml::from_str(text).ok()?;
    Language::parse(&ws.language)
}

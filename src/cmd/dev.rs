//! `netlab dev check [DIR]`: prove a course's labs, for course authors and CI.
//!
//! Every lab must parse and name a real scenario (checked when the catalogue loads); every
//! reference solution must pass through the real grader, and every starter must fail — a
//! starter that passes would grade nothing.

use netlab::cli::DevCheckArgs;
use netlab::lab::check::{check_one, time_limit};
use netlab::lab::Status;
use netlab::lab::{Catalog, Language};
use netlab::{Error, ExitCode};
use std::path::Path;

/// Run `netlab dev check`.
pub fn check(course: Option<&Path>, args: DevCheckArgs) -> Result<ExitCode, Error> {
    let dir = args.dir.as_deref().or(course);
    let catalog = Catalog::load(dir)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut problems = 0;
    let mut ran = 0;
    // Every sandbox level the runs had, for the summary.
    let mut levels = std::collections::BTreeSet::new();
    let in_ci = std::env::var_os("CI").is_some();
    for entry in &catalog.labs {
        if !args.labs.is_empty() && !args.labs.contains(&entry.lab.id) {
            continue;
        }
        println!("{} ({}):", entry.lab.id, entry.lab.scenario);
        let work = tempfile::tempdir()?;
        let runs = entry
            .lab
            .solutions
            .iter()
            .map(|(l, f)| (*l, f, Status::Pass))
            .chain(
                entry
                    .lab
                    .starters
                    .iter()
                    .map(|(l, f)| (*l, f, Status::Fail)),
            );
        for (lang, file, want) in runs {
            if !available(lang) {
                if in_ci {
                    println!("  ✗ {file}: `{}` is not installed", lang.interpreter());
                    problems += 1;
                } else {
                    println!(
                        "  - {file}: skipped, `{}` is not installed",
                        lang.interpreter()
                    );
                }
                continue;
            }
            let path = work.path().join(file);
            std::fs::write(&path, entry.file(file).unwrap_or_default())?;
            let cmd = netlab::workspace::client_argv(lang, &path);
            let limit = time_limit(entry, None);
            let report = rt.block_on(check_one(entry, &cmd, work.path(), limit))?;
            ran += 1;
            levels.insert(report.client.sandbox.clone());
            let role = if want == Status::Pass {
                "solution"
            } else {
                "starter"
            };
            if report.status == want {
                println!(
                    "  ✓ {file} ({role}) {} {}/{} in {:.2} s",
                    if want == Status::Pass {
                        "passes"
                    } else {
                        "fails"
                    },
                    report.points,
                    report.max_points,
                    report.client.seconds
                );
            } else {
                problems += 1;
                println!(
                    "  ✗ {file} ({role}) should {} but got {:?}:",
                    if want == Status::Pass { "pass" } else { "fail" },
                    report.status
                );
                for line in report.text(false).lines() {
                    println!("      {line}");
                }
            }
        }
    }
    let levels: Vec<String> = levels.into_iter().collect();
    println!(
        "\n{} lab(s), {ran} run(s), {problems} problem(s); sandbox: {}",
        catalog.labs.len(),
        if levels.is_empty() {
            "nothing ran".to_string()
        } else {
            levels.join(", ")
        }
    );
    Ok(if problems == 0 {
        ExitCode::Pass
    } else {
        ExitCode::Fail
    })
}

fn available(lang: Language) -> bool {
    std::process::Command::new(lang.interpreter())
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

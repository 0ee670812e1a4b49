//! `netlab grade CLASS_DIR …` and `netlab grade merge FILES…`.

use netlab::cli::{GradeArgs, GradeCommand};
use netlab::grade::format::{self, Format};
use netlab::grade::{self, Gradebook};
use netlab::lab::Catalog;
use netlab::{Error, ExitCode};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

/// Run `netlab grade`.
pub fn run(course: Option<&Path>, args: GradeArgs) -> Result<ExitCode, Error> {
    if let Some(GradeCommand::Merge { files, format, out }) = args.command {
        let book = grade::merge(&files).map_err(|e| Error::Usage(e.to_string()))?;
        write(&book, format, out.as_deref())?;
        return Ok(verdict(&book));
    }
    let class = args
        .class_dir
        .ok_or_else(|| Error::Usage("give the class directory".into()))?;
    let catalog = Catalog::load(course)?;
    let tasks =
        grade::plan(&class, &catalog, &args.labs).map_err(|e| Error::Usage(e.to_string()))?;
    if tasks.is_empty() {
        return Err(Error::Usage(format!(
            "nothing to grade in {}: no student folder holds a lab folder{}",
            class.display(),
            if args.labs.is_empty() {
                " (name labs with --lab)"
            } else {
                ""
            }
        )));
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let bar = if std::io::stderr().is_terminal() && args.format != Format::Json {
        let b = indicatif::ProgressBar::new(tasks.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} grading [{bar:30}] {pos}/{len} {elapsed} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let progress = {
        let bar = bar.clone();
        Arc::new(
            move |_done: usize, _total: usize, t: &grade::Task, g: &grade::LabGrade| {
                bar.set_message(format!("{} {} {}", t.student, t.lab, g.status.as_str()));
                bar.inc(1);
            },
        )
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let book = rt.block_on(grade::run(tasks, &catalog, jobs, args.timeout, progress));
    bar.finish_and_clear();
    if let Some(dir) = &args.feedback {
        let n = format::feedback(&book, dir)?;
        eprintln!("feedback: {n} file(s) in {}", dir.display());
    }
    write(&book, args.format, args.out.as_deref())?;
    if args.out.is_some() && args.format != Format::Table {
        eprintln!("{}", format::summary(&book));
    }
    Ok(verdict(&book))
}

fn write(book: &Gradebook, format: Format, out: Option<&Path>) -> Result<(), Error> {
    let text = format::render(book, format);
    match out {
        Some(p) => std::fs::write(p, text)?,
        None => print!("{text}"),
    }
    Ok(())
}

/// 0 when every student passed every lab, 1 otherwise.
fn verdict(book: &Gradebook) -> ExitCode {
    if book.all_pass() {
        ExitCode::Pass
    } else {
        ExitCode::Fail
    }
}

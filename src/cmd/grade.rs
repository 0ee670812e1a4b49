//! `netlab grade CLASS_DIR …` and `netlab grade merge FILES…`.
//!
//! `--out` and `--feedback` are tried before anyone is graded; each finished (student, lab)
//! is appended to a journal beside `--out` at once; Ctrl-C or SIGTERM stops the runs still
//! going (their clients killed, temporary folders removed) and writes the gradebook of what
//! finished, marked incomplete. Every file is written atomically ([`netlab::grade::output`]).

use netlab::cli::{GradeArgs, GradeCommand};
use netlab::grade::format::{self, Format};
use netlab::grade::output::{self, Journal};
use netlab::grade::{self, Gradebook};
use netlab::lab::report::strip_controls;
use netlab::lab::Catalog;
use netlab::{Error, ExitCode};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Run `netlab grade`.
pub fn run(course: Option<&Path>, args: GradeArgs) -> Result<ExitCode, Error> {
    if let Some(GradeCommand::Merge { files, format, out }) = args.command {
        if let Some(out) = &out {
            writable(out, output::check_writable_file(out))?;
        }
        let book = grade::merge(&files)?;
        write(&book, format, out.as_deref())?;
        return Ok(verdict(&book));
    }
    let class = args
        .class_dir
        .ok_or_else(|| Error::Usage("give the class directory".into()))?;
    let catalog = Catalog::load(course)?;
    let tasks = grade::plan(&class, &catalog, &args.labs)?;
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
    // Outputs first: an unwritable path must fail now, not after the whole class ran.
    if let Some(out) = &args.out {
        writable(out, output::check_writable_file(out))?;
    }
    if let Some(dir) = &args.feedback {
        writable(dir, output::check_writable_dir(dir))?;
    }
    let journal = match &args.out {
        Some(out) => {
            let path = Journal::beside(out);
            Some(Journal::create(&path).map_err(|e| cannot_write(&path, e))?)
        }
        None => None,
    };
    let journal_path = journal.as_ref().map(|j| j.path.clone());
    let journal = Arc::new(Mutex::new(journal));
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let bar = progress_bar(tasks.len() as u64, args.format);
    let progress = {
        let (bar, journal) = (bar.clone(), journal.clone());
        Arc::new(
            move |_done: usize, _total: usize, t: &grade::Task, g: &grade::LabGrade| {
                if let Some(j) = journal.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
                    if let Err(e) = j.append(&t.student, g) {
                        bar.println(format!("warning: cannot journal a grade: {e}"));
                    }
                }
                bar.set_message(format!(
                    "{} {} {}",
                    strip_controls(&t.student),
                    t.lab,
                    g.status.as_str()
                ));
                bar.inc(1);
            },
        )
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let stop = CancellationToken::new();
    rt.block_on(stop_on_signals(stop.clone()))?;
    let book = rt.block_on(grade::run(
        tasks,
        &catalog,
        jobs,
        args.timeout,
        progress,
        stop,
    ));
    bar.finish_and_clear();
    let saved = write_outputs(&book, &args.feedback, args.format, args.out.as_deref());
    if let Err(e) = saved {
        if let Some(p) = &journal_path {
            eprintln!(
                "every grade so far is kept in {} (one JSON line per student and lab)",
                p.display()
            );
        }
        return Err(e);
    }
    if let Some(p) = &journal_path {
        let _ = std::fs::remove_file(p);
    }
    if let Some(i) = book.incomplete {
        eprintln!(
            "incomplete: {} of {} graded — grading was interrupted",
            i.graded, i.total
        );
        return Ok(ExitCode::Fail);
    }
    Ok(verdict(&book))
}

/// Cancel `stop` on the first SIGINT (Ctrl-C), SIGTERM or SIGHUP. Listening starts before
/// this returns, so no signal during grading is missed.
async fn stop_on_signals(stop: CancellationToken) -> Result<(), Error> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
        stop.cancel();
    });
    Ok(())
}

fn progress_bar(len: u64, format: Format) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || format == Format::Json {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new(len);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} grading [{bar:30}] {pos}/{len} {elapsed} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    b
}

/// Feedback files, then the gradebook.
fn write_outputs(
    book: &Gradebook,
    feedback: &Option<std::path::PathBuf>,
    format: Format,
    out: Option<&Path>,
) -> Result<(), Error> {
    if let Some(dir) = feedback {
        let n = format::feedback(book, dir).map_err(|e| cannot_write(dir, e))?;
        eprintln!("feedback: {n} file(s) in {}", dir.display());
    }
    write(book, format, out)?;
    if out.is_some() && format != Format::Table {
        eprintln!("{}", format::summary(book));
    }
    Ok(())
}

fn cannot_write(path: &Path, e: std::io::Error) -> Error {
    Error::Usage(format!("cannot write {}: {e}", path.display()))
}

fn writable(path: &Path, r: std::io::Result<()>) -> Result<(), Error> {
    r.map_err(|e| cannot_write(path, e))
}

fn write(book: &Gradebook, format: Format, out: Option<&Path>) -> Result<(), Error> {
    let text = format::render(book, format);
    match out {
        Some(p) => output::write_atomic(p, text.as_bytes()).map_err(|e| cannot_write(p, e))?,
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

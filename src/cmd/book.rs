//! `netlab book` and `netlab trace`.

use netlab::cli::{BookArgs, TraceArgs};
use netlab::course::Course;
use netlab::{Error, ExitCode};
use std::io::Read;
use std::path::Path;

/// `netlab book [--out DIR] [--check] [--no-record]`.
pub fn run(course: Option<&Path>, args: BookArgs) -> Result<ExitCode, Error> {
    let c = Course::load(course)?;
    let stale = netlab::book::write_pages(&c, &args.out, args.check)?;
    if args.check {
        if stale.is_empty() {
            println!("the book in {} is up to date", args.out.display());
            return Ok(ExitCode::Pass);
        }
        for p in &stale {
            eprintln!("stale: {}", p.display());
        }
        eprintln!("run `netlab book` to regenerate");
        return Ok(ExitCode::Fail);
    }
    println!("pages written to {}", args.out.join("src").display());
    if !args.no_record {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let (names, notes) = rt.block_on(netlab::book::record(&c, &args.out.join("src")))?;
        println!("{} timelines recorded (trace + svg)", names.len());
        for n in notes {
            eprintln!("note: {n}");
        }
    }
    println!("build it with: mdbook build {}", args.out.display());
    Ok(ExitCode::Pass)
}

/// `netlab trace [FILE] [--svg]`.
pub fn trace(args: TraceArgs) -> Result<ExitCode, Error> {
    let text = match args.file.as_deref() {
        None => read_stdin()?,
        Some(p) if p == Path::new("-") => read_stdin()?,
        Some(p) => {
            std::fs::read_to_string(p).map_err(|e| Error::Usage(format!("{}: {e}", p.display())))?
        }
    };
    let mut entries = Vec::new();
    let mut skipped = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<netlab::trace::Entry>(line) {
            Ok(e) => entries.push(e),
            Err(_) => skipped += 1, // notes, summaries, lag markers
        }
    }
    if entries.is_empty() {
        return Err(Error::Usage(
            "no timeline entries in the input (expected JSON lines from `netlab serve --json` or `netlab demo --json`)".into(),
        ));
    }
    if args.svg {
        print!("{}", netlab::book::svg::sequence(&args.title, &entries));
    } else {
        print!("{}", netlab::trace::canon::from_entries(&entries));
    }
    if skipped > 0 {
        eprintln!("note: {skipped} line(s) that are not timeline entries were skipped");
    }
    Ok(ExitCode::Pass)
}

fn read_stdin() -> Result<String, Error> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    Ok(s)
}

//! `netlab list`, `netlab lesson ID` and `netlab validate`: the course from the command line.

use netlab::cli::{LessonArgs, ListArgs, ValidateArgs};
use netlab::course::lesson::{fill_default, Step};
use netlab::course::progress::{Progress, Store};
use netlab::course::Course;
use netlab::{Error, ExitCode};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn load(course: Option<&Path>) -> Result<Course, Error> {
    Ok(Course::load(course)?)
}

fn progress() -> Progress {
    let cwd = std::env::current_dir().unwrap_or_default();
    let (p, warning) = Store::locate(&cwd).load();
    if let Some(w) = warning {
        eprintln!("netlab: warning: {w}");
    }
    p
}

/// `netlab list [--json]`.
pub fn list(course: Option<&Path>, args: ListArgs) -> Result<ExitCode, Error> {
    let c = load(course)?;
    let p = progress();
    if args.json {
        let lessons: Vec<serde_json::Value> = c
            .lessons
            .iter()
            .map(|e| {
                let l = &e.lesson;
                let steps: Vec<serde_json::Value> = l
                    .steps
                    .iter()
                    .map(|s| {
                        let mut v = serde_json::json!({ "kind": s.kind() });
                        match s {
                            Step::Serve { scenario, .. } => {
                                v["scenario"] = scenario.as_str().into()
                            }
                            Step::Demo { demo, .. } => v["demo"] = demo.as_str().into(),
                            Step::Lab { lab, .. } => v["lab"] = lab.as_str().into(),
                            _ => {}
                        }
                        v
                    })
                    .collect();
                let labs: Vec<&str> = l
                    .steps
                    .iter()
                    .filter_map(|s| match s {
                        Step::Lab { lab, .. } => Some(lab.as_str()),
                        _ => None,
                    })
                    .collect();
                serde_json::json!({
                    "id": l.id,
                    "title": l.title,
                    "summary": l.summary,
                    "steps": steps,
                    "labs": labs,
                    "done": p.lesson_done(&l.id, l.steps.len()),
                })
            })
            .collect();
        let labs: Vec<serde_json::Value> = c
            .labs
            .labs
            .iter()
            .map(|e| {
                serde_json::json!({
                    "id": e.lab.id,
                    "title": e.lab.title,
                    "scenario": e.lab.scenario,
                    "passed": p.lab_passed(&e.lab.id),
                })
            })
            .collect();
        let out = serde_json::json!({ "lessons": lessons, "labs": labs });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(std::io::Error::from)?
        );
        return Ok(ExitCode::Pass);
    }
    let mark = |done: bool| if done { "✓" } else { " " };
    println!("Lessons");
    for (i, e) in c.lessons.iter().enumerate() {
        let l = &e.lesson;
        println!(
            "  {} {:>2}. {:<18} {}",
            mark(p.lesson_done(&l.id, l.steps.len())),
            i + 1,
            l.id,
            l.title
        );
    }
    println!("\nLabs");
    for e in &c.labs.labs {
        println!(
            "  {} {:<20} {}",
            mark(p.lab_passed(&e.lab.id)),
            e.lab.id,
            e.lab.title
        );
    }
    println!("\n`netlab lesson ID` prints a lesson; `netlab` opens the course.");
    Ok(ExitCode::Pass)
}

/// `netlab lesson ID`: the lesson as plain text.
pub fn lesson(course: Option<&Path>, args: LessonArgs) -> Result<ExitCode, Error> {
    let c = load(course)?;
    let Some((n, e)) = c.find(&args.id) else {
        return Err(Error::Usage(format!(
            "unknown lesson `{}`{}; `netlab list` shows them all",
            args.id,
            c.suggest(&args.id)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default()
        )));
    };
    if args.json {
        let mut v = serde_json::to_value(&e.lesson).map_err(std::io::Error::from)?;
        v["number"] = (n + 1).into();
        println!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(std::io::Error::from)?
        );
    } else {
        print!("{}", plain_text(&c, n, &e.lesson));
    }
    Ok(ExitCode::Pass)
}

/// A lesson as plain text: for screen readers, pipes and the book's text view.
pub fn plain_text(c: &Course, n: usize, l: &netlab::course::lesson::Lesson) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Lesson {} of {}: {}\n",
        n + 1,
        c.lessons.len(),
        l.title
    );
    let _ = writeln!(out, "{}\n", l.summary.trim());
    let total = l.steps.len();
    for (i, s) in l.steps.iter().enumerate() {
        let heading = s.heading();
        let _ = writeln!(
            out,
            "── Step {}/{total}{}{}",
            i + 1,
            if heading.is_empty() { "" } else { ": " },
            heading
        );
        match s {
            Step::Text { body, .. } => {
                let _ = writeln!(out, "{}\n", body.trim());
            }
            Step::Serve {
                scenario,
                body,
                try_,
                look_for,
                ..
            } => {
                let _ = writeln!(out, "{}\n", body.trim());
                let _ = writeln!(out, "Start the server:  netlab serve {scenario}");
                if !try_.is_empty() {
                    let _ = writeln!(out, "Then, from another terminal:");
                    for t in try_ {
                        let cmd = fill_default(&t.cmd, scenario);
                        let _ = writeln!(out, "  [{}] {cmd}", t.label);
                    }
                }
                if !look_for.is_empty() {
                    let _ = writeln!(out, "Look for: {}", look_for.join(", "));
                }
                out.push('\n');
            }
            Step::Demo { body, look_for, .. } => {
                let _ = writeln!(out, "{}\n", body.trim());
                let _ = writeln!(out, "Run it:  {}", s.demo_command().unwrap_or_default());
                if !look_for.is_empty() {
                    let _ = writeln!(out, "Look for: {}", look_for.join(", "));
                }
                out.push('\n');
            }
            Step::Quiz {
                question, choices, ..
            } => {
                let _ = writeln!(out, "{}", question.trim());
                let several = netlab::course::lesson::Choice::several_right(choices);
                if several {
                    let _ = writeln!(out, "(several answers are right)");
                }
                for (k, ch) in choices.iter().enumerate() {
                    let _ = writeln!(out, "  ({}) {}", letter(k), ch.text.trim());
                }
                let right: Vec<String> = choices
                    .iter()
                    .enumerate()
                    .filter(|(_, ch)| ch.correct)
                    .map(|(k, _)| format!("({})", letter(k)))
                    .collect();
                let _ = writeln!(out, "Answer: {}", right.join(", "));
                for (k, ch) in choices.iter().enumerate() {
                    let _ = writeln!(out, "  ({}) {}", letter(k), ch.why.trim());
                }
                out.push('\n');
            }
            Step::Lab { lab, body, .. } => {
                let _ = writeln!(out, "{}\n", body.trim());
                if let Some(e) = c.labs.find(lab) {
                    let _ = writeln!(out, "Lab `{lab}`: {}", e.lab.title);
                }
                let _ = writeln!(
                    out,
                    "Start it:  netlab init && netlab check {lab}   (or: netlab check {lab} -- node client.js)\n"
                );
            }
        }
    }
    out
}

fn letter(k: usize) -> char {
    (b'a' + (k % 26) as u8) as char
}

/// `netlab validate [DIR]`: exit 0 when the course loads cleanly, 3 with the first problem.
pub fn validate(course: Option<&Path>, args: ValidateArgs) -> Result<ExitCode, Error> {
    let here = std::env::current_dir()?;
    let (dir, loaded) = match course_folder(args.dir.as_deref().or(course), &here) {
        Ok(d) => {
            let loaded = load(d.as_deref());
            (d, loaded)
        }
        Err(e) => (None, Err(e)),
    };
    let dir = dir.as_deref();
    let c = match loaded {
        Ok(c) => c,
        Err(e) if args.json => {
            println!(
                "{}",
                serde_json::json!({"ok": false, "error": e.to_string()})
            );
            return Ok(e.exit_code());
        }
        Err(e) => return Err(e),
    };
    let steps: usize = c.lessons.iter().map(|e| e.lesson.steps.len()).sum();
    if args.json {
        println!(
            "{}",
            serde_json::json!({"ok": true, "lessons": c.lessons.len(), "steps": steps, "labs": c.labs.labs.len()})
        );
        return Ok(ExitCode::Pass);
    }
    println!(
        "ok: {} lessons ({steps} steps) and {} labs in {}",
        c.lessons.len(),
        c.labs.labs.len(),
        dir.map_or("the built-in course".to_string(), |d| d
            .display()
            .to_string())
    );
    Ok(ExitCode::Pass)
}

/// The course folder to validate: the one given (or its parent, when given its `lessons/` or
/// `labs/` folder), else the current folder when it holds a course, else none (the built-in
/// course). A folder with neither `lessons/` nor `labs/` is a bad course (exit 3) that says so.
fn course_folder(given: Option<&Path>, here: &Path) -> Result<Option<PathBuf>, Error> {
    let is_course = |d: &Path| d.join("lessons").is_dir() || d.join("labs").is_dir();
    let Some(dir) = given else {
        return Ok(is_course(here).then(|| here.to_path_buf()));
    };
    if is_course(dir) {
        return Ok(Some(dir.to_path_buf()));
    }
    let named = dir.file_name().and_then(|n| n.to_str());
    if let (Some("lessons" | "labs"), Some(parent)) = (named, dir.parent()) {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if is_course(parent) {
            return Ok(Some(parent.to_path_buf()));
        }
    }
    if !dir.exists() {
        // Loading it says what is missing, as for any broken course.
        return Ok(Some(dir.to_path_buf()));
    }
    Err(netlab::diag::CourseError::Invalid {
        path: dir.display().to_string(),
        message: "not a course folder: it has no lessons/ or labs/ folder inside (give the folder that holds them)".into(),
    }
    .into())
}

/// `netlab dev schema [--check]`: write (or compare) the JSON Schemas in `schema/`.
pub fn schema(dir: &Path, check: bool) -> Result<ExitCode, Error> {
    let mut stale = Vec::new();
    for (name, text) in netlab::course::schema::all() {
        let path = dir.join(name);
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old != text {
            if check {
                stale.push(path.display().to_string());
            } else {
                std::fs::create_dir_all(dir)?;
                std::fs::write(&path, text)?;
                println!("wrote {}", path.display());
            }
        }
    }
    if !stale.is_empty() {
        eprintln!("stale: {} (run `netlab dev schema`)", stale.join(", "));
        return Ok(ExitCode::Fail);
    }
    Ok(ExitCode::Pass)
}

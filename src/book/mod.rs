//! The mdBook companion, generated from the same lessons and labs as the TUI.
//!
//! [`pages`] turns the course into Markdown pages — a chapter per lesson, a page per lab, the
//! appendices (CLI reference from clap, file formats with their JSON Schemas, grading formats,
//! a teacher's guide with CI jobs, the chapter's errors) and `SUMMARY.md`. Pages depend only on
//! the course files, so a test can regenerate them and fail when the committed book is stale.
//!
//! [`record`] runs every live step for real when the book is built — the demo, or the
//! scenario's server with the step's first command as its client — and writes the timeline in
//! the canonical trace format (`traces/<lesson>-stepN.trace`) and as a sequence diagram
//! ([`svg`]); chapters include both, so every timeline in the book was observed, never typed.
//! A timeline is recorded **once**: a step whose trace and diagram already exist is kept, since
//! ports, timings and the order of concurrent events differ from run to run — so `netlab book`
//! run twice changes no file. Delete `traces/<lesson>-stepN.*` to record that step again.
//!
//! A step about the packets (`wire = true`) is recorded with the wire view: its demo runs as a
//! child `netlab demo NAME --wire --json` (the child enters its own network namespace, which
//! this multi-threaded process cannot), and its entries — packets included — make the diagram
//! (packet rows between the lanes) and `traces/<lesson>-stepN.timeline`, the readable timeline
//! the page shows under the canonical trace (which ignores the wire, as graders do). Where the
//! wire view is unavailable the step is recorded without packets and a note says so.

pub mod svg;

use crate::course::lesson::{fill, fill_default, Choice, Step};
use crate::course::Course;
use crate::scenario::{self, BindSpec, ServeConfig};
use crate::trace::{Entry, Recorder};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `book.toml`, written when missing.
pub const BOOK_TOML: &str = r#"[book]
title = "netlab: network programming you can watch"
authors = ["the netlab authors"]
language = "en"
src = "src"

[output.html]
default-theme = "light"
"#;

/// The trace and diagram file names of a live step (without extension).
pub fn trace_name(lesson: &str, step: usize) -> String {
    format!("{lesson}-step{step}")
}

fn lesson_file(i: usize, id: &str) -> String {
    format!("lessons/{:02}-{id}.md", i + 1)
}

/// Every generated page: (path under `src/`, contents).
pub fn pages(course: &Course) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut summary = String::from("# Summary\n\n[Introduction](intro.md)\n\n# Lessons\n\n");
    for (i, e) in course.lessons.iter().enumerate() {
        let file = lesson_file(i, &e.lesson.id);
        let _ = writeln!(summary, "- [{}. {}]({file})", i + 1, e.lesson.title);
        out.push((file, lesson_page(course, i)));
    }
    summary.push_str("\n# Labs\n\n");
    // In teaching order: as the lessons link them, then any lab no lesson links.
    let mut order: Vec<&str> = Vec::new();
    for l in &course.lessons {
        for s in &l.lesson.steps {
            if let crate::course::lesson::Step::Lab { lab, .. } = s {
                if !order.contains(&lab.as_str()) {
                    order.push(lab);
                }
            }
        }
    }
    let mut labs: Vec<_> = course.labs.labs.iter().collect();
    labs.sort_by_key(|e| {
        order
            .iter()
            .position(|id| *id == e.lab.id)
            .unwrap_or(usize::MAX)
    });
    for e in labs {
        let file = format!("labs/{}.md", e.lab.id);
        let _ = writeln!(summary, "- [{}]({file})", e.lab.title);
        out.push((file, lab_page(course, &e.lab.id)));
    }
    summary.push_str("\n# Appendices\n\n");
    for (file, title, text) in appendices() {
        let _ = writeln!(summary, "- [{title}]({file})");
        out.push((file.to_string(), text));
    }
    out.push(("intro.md".into(), intro(course)));
    out.push(("SUMMARY.md".into(), summary));
    out.sort();
    out
}

fn intro(course: &Course) -> String {
    let mut o = String::from(
        "# Introduction\n\nThis book is the reading companion of **netlab**, a program that teaches network \
programming by letting you watch it happen: it runs live TCP, UDP, HTTP and HTTPS servers and shows \
every event they emit, in Node.js's names and order, while you connect with `nc`, `curl`, Node or \
Python. Every chapter here is generated from the same lesson files the terminal app shows, and every \
timeline and diagram was recorded by running the step for real when the book was built.\n\n\
To follow along live, install netlab and run it:\n\n```sh\ncargo run --release      # from a clone of the repository: opens lesson 1\nnetlab lesson tcp-server # any lesson as plain text\n```\n\n## Lessons\n\n",
    );
    for (i, e) in course.lessons.iter().enumerate() {
        let _ = writeln!(
            o,
            "{}. [{}]({}) — {}",
            i + 1,
            e.lesson.title,
            lesson_file(i, &e.lesson.id),
            e.lesson.summary.trim()
        );
    }
    o
}

fn lesson_page(course: &Course, i: usize) -> String {
    let l = &course.lessons[i].lesson;
    let mut o = format!("# {}. {}\n\n*{}*\n", i + 1, l.title, l.summary.trim());
    for (n, step) in l.steps.iter().enumerate() {
        let heading = step.heading();
        if !heading.is_empty() {
            let _ = write!(o, "\n## {heading}\n");
        }
        o.push('\n');
        match step {
            Step::Text { body, .. } => {
                let _ = writeln!(o, "{}", body.trim());
            }
            Step::Serve {
                scenario,
                body,
                try_,
                look_for,
                ..
            } => {
                let _ = writeln!(o, "{}\n", body.trim());
                let _ = writeln!(
                    o,
                    "Start the server:\n\n```sh\nnetlab serve {scenario}\n```\n"
                );
                if !try_.is_empty() {
                    o.push_str("Then, from another terminal:\n\n```sh\n");
                    for t in try_ {
                        let cmd = fill_default(&t.cmd, scenario);
                        let _ = writeln!(o, "{cmd}    # {}", t.label);
                    }
                    o.push_str("```\n\n");
                }
                if !look_for.is_empty() {
                    let _ = writeln!(o, "Look for: {}.\n", quote_list(look_for));
                }
                recorded(
                    &mut o,
                    &l.id,
                    n + 1,
                    "the server's timeline with the first command above as the client",
                );
            }
            Step::Demo { body, look_for, .. } => {
                let _ = writeln!(o, "{}\n", body.trim());
                let cmd = step.demo_command().unwrap_or_default();
                let _ = writeln!(o, "Run it:\n\n```sh\n{cmd}\n```\n");
                if !look_for.is_empty() {
                    let _ = writeln!(o, "Look for: {}.\n", quote_list(look_for));
                }
                if step.wire() {
                    recorded_wire(&mut o, &l.id, n + 1, &cmd);
                } else {
                    recorded(&mut o, &l.id, n + 1, "both sides of the demo");
                }
            }
            Step::Quiz {
                question, choices, ..
            } => {
                let _ = writeln!(o, "**Quiz.** {}\n", question.trim());
                if Choice::several_right(choices) {
                    o.push_str("*(Several answers are right.)*\n\n");
                }
                // A Markdown list (one item per option), not consecutive `a.` lines that
                // Markdown runs into one paragraph.
                for (k, c) in choices.iter().enumerate() {
                    let _ = writeln!(o, "- **{}.** {}", (b'a' + k as u8) as char, c.text.trim());
                }
                o.push_str("\n<details><summary>Answer</summary>\n\n");
                for (k, c) in choices.iter().enumerate() {
                    let mark = if c.correct { "✓ right" } else { "✗ wrong" };
                    let _ = writeln!(
                        o,
                        "- **{}. {mark}** — {}",
                        (b'a' + k as u8) as char,
                        c.why.trim()
                    );
                }
                o.push_str("\n</details>\n");
            }
            Step::Lab { lab, body, .. } => {
                let title = course
                    .labs
                    .find(lab)
                    .map_or(lab.clone(), |e| e.lab.title.clone());
                let _ = writeln!(
                    o,
                    "{}\n\n**Lab:** [{title}](../labs/{lab}.md) — `netlab check {lab}`",
                    body.trim()
                );
            }
        }
    }
    o
}

fn quote_list(v: &[String]) -> String {
    v.iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn recorded(o: &mut String, lesson: &str, step: usize, what: &str) {
    let name = trace_name(lesson, step);
    let _ = writeln!(
        o,
        "Recorded when this book was built ({what}), in netlab's canonical trace format:\n\n```text\n{{{{#include ../traces/{name}.trace}}}}\n```\n\n![Sequence diagram of {name}](../traces/{name}.svg)"
    );
}

/// A wire step's recording: the canonical trace (socket events: what graders compare), the
/// readable timeline with the packets among the events, and the diagram with packet rows.
fn recorded_wire(o: &mut String, lesson: &str, step: usize, cmd: &str) {
    let name = trace_name(lesson, step);
    let _ = writeln!(
        o,
        "Recorded when this book was built (both sides of the demo), in netlab's canonical trace format — socket events only, as graders compare them:\n\n```text\n{{{{#include ../traces/{name}.trace}}}}\n```\n\nThe same run as `{cmd}` prints it: the packets (`wire#N`, `→` toward the server, `←` from it) among the socket events, in time order:\n\n```text\n{{{{#include ../traces/{name}.timeline}}}}\n```\n\n![Sequence diagram of {name}, with the packets](../traces/{name}.svg)"
    );
}

fn lab_page(course: &Course, id: &str) -> String {
    let Some(e) = course.labs.find(id) else {
        return String::new();
    };
    let lab = &e.lab;
    let mut o = format!(
        "# Lab: {}\n\nServer: `netlab serve {}` · {} points · time limit {} s\n\n{}\n\n## Checks\n\n| check | points | when it fails |\n|---|---|---|\n",
        lab.title,
        lab.scenario,
        lab.max_points(),
        lab.time_limit_secs,
        lab.instructions.trim()
    );
    for c in &lab.checks {
        let _ = writeln!(
            o,
            "| `{}` | {} | {} |",
            c.name,
            c.points,
            c.fail.replace('|', "\\|").replace('\n', " ")
        );
    }
    if !lab.hints.is_empty() {
        o.push_str("\n## Hints\n\n");
        let per_language = matches!(lab.hints, crate::lab::model::Hints::PerLanguage(_));
        for lang in crate::lab::Language::ALL {
            if per_language {
                let _ = writeln!(o, "### In {}\n", lang.name());
            }
            for (i, h) in lab.hints_for(lang).iter().enumerate() {
                let _ = writeln!(
                    o,
                    "<details><summary>Hint {}</summary>\n\n{}\n\n</details>\n",
                    i + 1,
                    h.trim()
                );
            }
            if !per_language {
                break;
            }
        }
    }
    let _ = writeln!(
        o,
        "\n## Get started\n\n```sh\nnetlab init mywork --lang node   # or python, shell\ncd mywork/{id}\nnetlab check {id}\n```"
    );
    let lessons: Vec<String> = course
        .lessons
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.lesson
                .steps
                .iter()
                .any(|s| matches!(s, Step::Lab { lab, .. } if lab == id))
        })
        .map(|(i, l)| format!("[{}](../{})", l.lesson.title, lesson_file(i, &l.lesson.id)))
        .collect();
    if !lessons.is_empty() {
        let _ = writeln!(o, "\nTaught in: {}.", lessons.join(", "));
    }
    o
}

fn appendices() -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("appendix/cli.md", "Command-line reference", cli_reference()),
        ("appendix/formats.md", "Lesson and lab files", formats()),
        (
            "appendix/lesson.schema.json.md",
            "Lesson JSON Schema",
            format!(
                "# Lesson JSON Schema\n\n`schema/lesson.schema.json`, generated from the Rust types:\n\n```json\n{}```\n",
                crate::course::schema::lesson()
            ),
        ),
        (
            "appendix/lab.schema.json.md",
            "Lab JSON Schema",
            format!(
                "# Lab JSON Schema\n\n`schema/lab.schema.json`, generated from the Rust types:\n\n```json\n{}```\n",
                crate::course::schema::lab()
            ),
        ),
        ("appendix/grading.md", "Grading formats and exit codes", GRADING.to_string()),
        ("appendix/teachers.md", "Teacher's guide", TEACHERS.to_string()),
        ("appendix/node-facts.md", "Node facts the chapter got wrong", NODE_FACTS.to_string()),
    ]
}

/// Every subcommand and flag, from clap's own definitions.
pub fn cli_reference() -> String {
    use clap::CommandFactory;
    let mut o =
        String::from("# Command-line reference\n\nGenerated from netlab's argument parser.\n");
    fn walk(cmd: &clap::Command, path: &str, o: &mut String) {
        let name = if path.is_empty() {
            cmd.get_name().to_string()
        } else {
            format!("{path} {}", cmd.get_name())
        };
        let _ = write!(o, "\n## `{name}`\n\n");
        if let Some(about) = cmd.get_long_about().or(cmd.get_about()) {
            let _ = writeln!(o, "{about}\n");
        }
        let mut c = cmd.clone();
        let usage = c.render_usage().to_string();
        let _ = writeln!(o, "```text\n{}\n```\n", usage.trim());
        let args: Vec<&clap::Arg> = cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set() && a.get_id() != "help" && a.get_id() != "version")
            .collect();
        if !args.is_empty() {
            o.push_str("| argument | meaning |\n|---|---|\n");
            for a in args {
                let mut names = Vec::new();
                if let Some(s) = a.get_short() {
                    names.push(format!("-{s}"));
                }
                if let Some(l) = a.get_long() {
                    names.push(format!("--{l}"));
                }
                if names.is_empty() {
                    names.push(a.get_id().to_string().to_uppercase());
                }
                let mut help = a
                    .get_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default()
                    .replace('|', "\\|")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('\n', " ");
                let values: Vec<String> = a
                    .get_possible_values()
                    .iter()
                    .map(|v| v.get_name().to_string())
                    .collect();
                if !values.is_empty() {
                    let _ = write!(help, " One of: {}.", values.join(", "));
                }
                let _ = writeln!(o, "| `{}` | {} |", names.join(", "), help.trim());
            }
            o.push('\n');
        }
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            walk(sub, &name, o);
        }
    }
    walk(&crate::cli::Cli::command(), "", &mut o);
    o.push_str(
        "\nExit codes: 0 pass, 1 fail, 2 usage, 3 bad course or configuration, 4 internal error.\n",
    );
    o
}

fn formats() -> String {
    String::from(
        r#"# Lesson and lab files

A course is a directory with `lessons/` and `labs/`; netlab embeds its own and `--course DIR`
loads another. `netlab validate [DIR]` checks one (exit 0, or 3 with `file:LINE:COL: message`,
the line and a caret).

## Lessons: `lessons/NN-slug.toml`

```toml
#:schema ../schema/lesson.schema.json
format_version = 1
id = "tcp-server"            # stable: progress and `netlab lesson ID` use it
aliases = []                 # former ids
title = "A TCP server and its clients"
summary = "…"

[[steps]]
kind = "text"                # text | serve | demo | quiz | lab
body = "Markdown…"

[[steps]]
kind = "serve"
scenario = "tcp-echo"        # `netlab serve --list`
body = "What to do…"
try = [{ label = "nc", cmd = "printf 'hello\\r\\n' | nc -N {host} {port}" }]
look_for = ["connection", "data", "end", "close"]

[[steps]]
kind = "demo"
demo = "tcp-echo"            # `netlab demo --list`
body = "…"

[[steps]]
kind = "quiz"
question = "…"
[[steps.choices]]
text = "…"
correct = true
why = "…"

[[steps]]
kind = "lab"
lab = "tcp-hello"
body = "…"
```

Commands in `try` may use `{host}`, `{port}`, `{socket}` and `{ca}`; every one that is not
`interactive = true` is run by the test suite against the real scenario. Code blocks in `js` or
`python` must say how they run: ```` ```js client=SCENARIO ````, ```` ```js server=tcp|unix|udp|http ````
or ```` ```js fails ````; the test suite runs each.

## Labs: `labs/<id>/lab.toml`

A lab names its scenario, says in Markdown what the client must do, and lists scored checks
(`connected`, `connections`, `sent`, `ended_with_fin`, `waited_for`, `event`, `read_to_end`,
`trace`, `stdout`, `exit_zero`, `requests`, `requested`, `request_header`,
`body_after_continue`, `silent_until_switch`, `in_flight`), each with `points`, `depends` and
the sentence a learner reads when it fails; plus hints, and starters and reference solutions per
language. `netlab dev check` proves every lab: each solution passes through the real grader and
each starter fails.

Both formats have a JSON Schema (see the next appendices), generated from netlab's types and
referenced from each file's first line, so editors with taplo or *Even Better TOML* complete
and check them.
"#,
    )
}

/// Appendix prose lives as Markdown beside this module (`src/book/appendix/`).
const GRADING: &str = include_str!("appendix/grading.md");

const TEACHERS: &str = include_str!("appendix/teachers.md");

const NODE_FACTS: &str = include_str!("appendix/node-facts.md");

/// Run every live step of the course whose `traces/<name>.trace` and `.svg` under `src` do not
/// both exist yet, and write them (recorded once: see the module docs). Returns the names
/// recorded, and a note per step whose client could not run.
pub async fn record(course: &Course, src: &Path) -> std::io::Result<(Vec<String>, Vec<String>)> {
    let dir = src.join("traces");
    std::fs::create_dir_all(&dir)?;
    let mut names = Vec::new();
    let mut notes = Vec::new();
    for l in &course.lessons {
        for (n, step) in l.lesson.steps.iter().enumerate() {
            let name = trace_name(&l.lesson.id, n + 1);
            let files: &[&str] = if step.wire() {
                &["trace", "svg", "timeline"]
            } else {
                &["trace", "svg"]
            };
            let kept = files
                .iter()
                .all(|ext| dir.join(format!("{name}.{ext}")).is_file());
            if kept {
                continue;
            }
            let (entries, title, canon) = match step {
                Step::Demo { demo, .. } if step.wire() => {
                    let title = step.demo_command().unwrap_or_default();
                    match wire_demo(demo).await {
                        Ok((entries, None)) => (entries, title, None),
                        Ok((entries, Some(why))) => {
                            notes.push(format!("{name}: recorded without wire rows: {why}"));
                            (entries, title, None)
                        }
                        Err(why) => {
                            // The child could not run at all: record in-process, without them.
                            notes.push(format!("{name}: recorded without wire rows: {why}"));
                            let Some(d) = crate::demo::find(demo) else {
                                continue;
                            };
                            let rec = Recorder::new();
                            if let Err(e) =
                                crate::demo::run(d, rec.clone(), ServeConfig::default()).await
                            {
                                notes.push(format!("{name}: the demo failed: {e}"));
                            }
                            (entries_of(&rec), title, Some(rec.canonical()))
                        }
                    }
                }
                Step::Demo { demo, .. } => {
                    let Some(d) = crate::demo::find(demo) else {
                        continue;
                    };
                    let rec = Recorder::new();
                    if let Err(e) = crate::demo::run(d, rec.clone(), ServeConfig::default()).await {
                        notes.push(format!("{name}: the demo failed: {e}"));
                    }
                    (
                        entries_of(&rec),
                        format!("netlab demo {demo}"),
                        Some(rec.canonical()),
                    )
                }
                Step::Serve { scenario, try_, .. } => {
                    let cmd = try_.iter().find(|t| !t.interactive).map(|t| t.cmd.clone());
                    let (rec, note) = serve_with(scenario, cmd.as_deref()).await?;
                    if let Some(note) = note {
                        notes.push(format!("{name}: {note}"));
                    }
                    (
                        entries_of(&rec),
                        format!("netlab serve {scenario}"),
                        Some(rec.canonical()),
                    )
                }
                _ => continue,
            };
            // The recorder's own canonical trace: exact byte counts, not only the previews.
            let canon = canon.unwrap_or_else(|| crate::trace::canon::from_entries(&entries));
            std::fs::write(dir.join(format!("{name}.trace")), canon.to_string())?;
            std::fs::write(
                dir.join(format!("{name}.svg")),
                svg::sequence(&title, &entries),
            )?;
            if step.wire() {
                std::fs::write(
                    dir.join(format!("{name}.timeline")),
                    timeline_text(&entries),
                )?;
            }
            names.push(name);
        }
    }
    Ok((names, notes))
}

fn entries_of(rec: &Recorder) -> Vec<Entry> {
    rec.recent().iter().map(|e| (**e).clone()).collect()
}

/// Most lines of a wire step's readable timeline in the book (a bulk transfer makes hundreds).
pub const TIMELINE_LINES: usize = 120;

/// The readable timeline of a wire step, as `netlab demo NAME --wire` prints it (without
/// colour): socket events and packets in time order, one per line, at most
/// [`TIMELINE_LINES`] of them, then how many more there were.
pub fn timeline_text(entries: &[Entry]) -> String {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
    let mut o = String::new();
    for e in sorted.iter().take(TIMELINE_LINES) {
        let _ = writeln!(o, "{}", crate::trace::render::line(e, false).trim_end());
    }
    if sorted.len() > TIMELINE_LINES {
        let _ = writeln!(o, "… {} more", sorted.len() - TIMELINE_LINES);
    }
    o
}

/// Most time a wire-mode demo may take while the book is built.
const WIRE_DEMO_LIMIT: Duration = Duration::from_secs(60);

/// Run `netlab demo NAME --wire --json` as a child and read its entries. `Ok` with a reason
/// when it ran but showed no packets (the wire view is unavailable here: its notice); `Err`
/// when it could not run.
async fn wire_demo(demo: &str) -> Result<(Vec<Entry>, Option<String>), String> {
    let bin = crate::sandbox::launcher_path()
        .ok_or_else(|| "cannot find the netlab binary to run the demo with --wire".to_string())?;
    let child = tokio::process::Command::new(&bin)
        .args(["demo", demo, "--wire", "--json"])
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let out = match tokio::time::timeout(WIRE_DEMO_LIMIT, child.wait_with_output()).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => return Err(format!("`netlab demo {demo} --wire` failed: {e}")),
        // Dropping the future drops the child: killed (kill_on_drop) and reaped by tokio.
        Err(_) => {
            return Err(format!(
                "`netlab demo {demo} --wire` did not finish in 60 s"
            ))
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let said = || {
        stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    };
    if !out.status.success() {
        return Err(format!(
            "`netlab demo {demo} --wire` exited with {}: {}",
            out.status,
            said()
        ));
    }
    let entries: Vec<Entry> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Entry>(l).ok())
        .collect();
    if entries.is_empty() {
        return Err(format!("`netlab demo {demo} --wire` printed no timeline"));
    }
    let why = (!entries.iter().any(|e| e.scope.is_wire())).then(|| {
        stderr
            .lines()
            .find(|l| l.contains("wire view unavailable"))
            .map_or_else(
                || "the capture saw no packets".to_string(),
                |l| l.trim().to_string(),
            )
    });
    Ok((entries, why))
}

/// Serve `scenario` on a free port, run `cmd` (filled in) against it, stop the server.
async fn serve_with(
    scenario: &str,
    cmd: Option<&str>,
) -> std::io::Result<(Recorder, Option<String>)> {
    let sc = scenario::find(scenario)
        .ok_or_else(|| std::io::Error::other(format!("unknown scenario {scenario}")))?;
    let tmp = tempfile::tempdir()?;
    let spec = BindSpec {
        socket: Some(tmp.path().join("s.sock")),
        ca_out: Some(tmp.path().join("ca.pem")),
        ..BindSpec::default()
    };
    let server = scenario::start(sc, &spec, ServeConfig::default()).await?;
    let port = server.port.unwrap_or(0);
    let mut note = None;
    if let Some(cmd) = cmd {
        let filled = fill(
            cmd,
            "127.0.0.1",
            port,
            &tmp.path().join("s.sock").display().to_string(),
            &tmp.path().join("ca.pem").display().to_string(),
        );
        let child = tokio::process::Command::new("bash")
            .arg("-c")
            .arg(&filled)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .status();
        match tokio::time::timeout(Duration::from_secs(20), child).await {
            Ok(Ok(s)) if s.success() => {}
            Ok(Ok(s)) => note = Some(format!("`{filled}` exited with {s}")),
            Ok(Err(e)) => note = Some(format!("`{filled}` could not run: {e}")),
            Err(_) => note = Some(format!("`{filled}` did not finish in 20 s")),
        }
    }
    let rec = server.recorder.clone();
    let _ = server.stop().await;
    Ok((rec, note))
}

/// Write the pages (and `book.toml` when missing) under `book_dir`; with `check`, write
/// nothing and return the pages that differ from what is there.
pub fn write_pages(course: &Course, book_dir: &Path, check: bool) -> std::io::Result<Vec<PathBuf>> {
    let src = book_dir.join("src");
    let mut stale = Vec::new();
    if !check && !book_dir.join("book.toml").exists() {
        std::fs::create_dir_all(book_dir)?;
        std::fs::write(book_dir.join("book.toml"), BOOK_TOML)?;
    }
    let pages = pages(course);
    // Pages of lessons and labs that no longer exist (renamed, renumbered, removed): stale too.
    for dir in ["lessons", "labs"] {
        let Ok(entries) = std::fs::read_dir(src.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let rel = format!("{dir}/{}", e.file_name().to_string_lossy());
            let ours = pages.iter().any(|(r, _)| *r == rel);
            if !ours && rel.ends_with(".md") {
                if check {
                    stale.push(e.path());
                } else {
                    std::fs::remove_file(e.path())?;
                }
            }
        }
    }
    for (rel, text) in pages {
        let path = src.join(&rel);
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old != text {
            if check {
                stale.push(path);
            } else {
                if let Some(p) = path.parent() {
                    std::fs::create_dir_all(p)?;
                }
                std::fs::write(&path, text)?;
            }
        }
    }
    Ok(stale)
}

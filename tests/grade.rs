//! `netlab grade` over a generated class of 41 students: reference solutions in three
//! languages, buggy clients, hostile ones (hang, crash, orphans and setsid escapes, stdout
//! flood, 1 GiB flood, reset), missing files and a broken workspace. Every verdict must be
//! right in every format, nothing may be left running, and the whole run must fit in
//! (checks × limit / jobs).

mod common;

use common::{have, netlab_bin, repo_root};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// (student, language or None for a broken workspace, lab, client source or None, expected)
type Spec = (
    String,
    Option<&'static str>,
    &'static str,
    Option<String>,
    &'static str,
);

fn lab_file(lab: &str, f: &str) -> Option<String> {
    Some(
        repo_root()
            .join("labs")
            .join(lab)
            .join(f)
            .display()
            .to_string(),
    )
}

fn bad(f: &str) -> Option<String> {
    Some(
        repo_root()
            .join("tests/lab-clients")
            .join(f)
            .display()
            .to_string(),
    )
}

fn class() -> Vec<Spec> {
    let mut v: Vec<Spec> = Vec::new();
    let mut add =
        |name: &str, lang, lab, src, expect| v.push((name.to_string(), lang, lab, src, expect));
    for i in 0..7 {
        add(
            &format!("node-{i:02}"),
            Some("node"),
            "tcp-hello",
            lab_file("tcp-hello", "solution.js"),
            "pass",
        );
    }
    for i in 0..5 {
        add(
            &format!("py-{i:02}"),
            Some("python"),
            "tcp-hello",
            lab_file("tcp-hello", "solution.py"),
            "pass",
        );
    }
    for i in 0..4 {
        add(
            &format!("sh-{i:02}"),
            Some("shell"),
            "tcp-hello",
            lab_file("tcp-hello", "solution.sh"),
            "pass",
        );
    }
    add(
        "udp-a",
        Some("python"),
        "udp-ping",
        lab_file("udp-ping", "solution.py"),
        "pass",
    );
    add(
        "udp-b",
        Some("python"),
        "udp-ping",
        lab_file("udp-ping", "solution.py"),
        "pass",
    );
    add(
        "udp-c",
        Some("node"),
        "udp-ping",
        lab_file("udp-ping", "solution.js"),
        "pass",
    );
    add(
        "http-a",
        Some("shell"),
        "http-get",
        lab_file("http-get", "solution.sh"),
        "pass",
    );
    add(
        "http-b",
        Some("shell"),
        "http-get",
        lab_file("http-get", "solution.sh"),
        "pass",
    );
    add(
        "greet-a",
        Some("python"),
        "tcp-greeting",
        lab_file("tcp-greeting", "solution.py"),
        "pass",
    );
    // Buggy.
    add(
        "bug-no-cr",
        Some("python"),
        "tcp-hello",
        bad("hello-no-cr.py"),
        "fail",
    );
    add(
        "bug-twice",
        Some("python"),
        "tcp-hello",
        bad("hello-twice.py"),
        "fail",
    );
    add(
        "bug-destroy",
        Some("node"),
        "tcp-hello",
        bad("hello-destroy.js"),
        "fail",
    );
    add(
        "bug-print",
        Some("shell"),
        "tcp-hello",
        bad("print-only.sh"),
        "fail",
    );
    add(
        "starter-js",
        Some("node"),
        "tcp-hello",
        lab_file("tcp-hello", "starter.js"),
        "fail",
    );
    add(
        "starter-py",
        Some("python"),
        "tcp-hello",
        lab_file("tcp-hello", "starter.py"),
        "fail",
    );
    add(
        "starter-sh",
        Some("shell"),
        "tcp-hello",
        lab_file("tcp-hello", "starter.sh"),
        "fail",
    );
    add(
        "bug-udp-twice",
        Some("python"),
        "udp-ping",
        bad("udp-twice.py"),
        "fail",
    );
    add(
        "bug-udp-nl",
        Some("shell"),
        "udp-ping",
        bad("udp-newline.sh"),
        "fail",
    );
    add(
        "bug-get-path",
        Some("shell"),
        "http-get",
        bad("get-wrong-path.sh"),
        "fail",
    );
    // Hostile.
    add(
        "evil-hang",
        Some("shell"),
        "tcp-hello",
        bad("hang.sh"),
        "fail",
    );
    add(
        "evil-crash",
        Some("python"),
        "tcp-hello",
        bad("crash.py"),
        "fail",
    );
    add(
        "evil-orphans",
        Some("shell"),
        "tcp-hello",
        bad("orphans.sh"),
        "pass",
    );
    add(
        "evil-stdout",
        Some("shell"),
        "tcp-hello",
        bad("stdout-flood.sh"),
        "fail",
    );
    add(
        "evil-flood",
        Some("python"),
        "tcp-hello",
        bad("flood.py"),
        "fail",
    );
    add(
        "evil-reset",
        Some("python"),
        "tcp-greeting",
        bad("greeting-reset.py"),
        "fail",
    );
    // No client file; a workspace without a valid netlab.toml.
    add("lazy-a", Some("node"), "tcp-hello", None, "missing");
    add("lazy-b", Some("python"), "udp-ping", None, "missing");
    add(
        "broken",
        None,
        "tcp-hello",
        lab_file("tcp-hello", "solution.js"),
        "error",
    );
    v
}

fn write_class(dir: &Path) -> BTreeMap<(String, String), &'static str> {
    let mut expected = BTreeMap::new();
    for (student, lang, lab, src, expect) in class() {
        let ws = dir.join(&student);
        std::fs::create_dir_all(ws.join(lab)).unwrap();
        match lang {
            Some(l) => {
                std::fs::write(ws.join("netlab.toml"), format!("language = \"{l}\"\n")).unwrap()
            }
            None => std::fs::write(ws.join("netlab.toml"), "language = [broken\n").unwrap(),
        }
        if let Some(src) = src {
            let ext = match lang {
                Some("python") => "py",
                Some("shell") => "sh",
                _ => "js",
            };
            std::fs::copy(src, ws.join(lab).join(format!("client.{ext}"))).unwrap();
        }
        expected.insert((student, lab.to_string()), expect);
    }
    expected
}

/// Tests that run clients take turns: the 41-student test asserts that no `netlab-grade-`
/// client is left running anywhere, which another test's live clients would break.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn none_running(pattern: &str) -> bool {
    !Command::new("pgrep")
        .args(["-f", pattern])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn a_class_of_41_is_graded_right_in_every_format_and_safely() {
    let _turn = serial();
    if !have("node") || !have("python3") || !have("curl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let class_dir = dir.path().join("class");
    let expected = write_class(&class_dir);
    assert!(expected.len() >= 40);
    let (jobs, limit) = (4usize, 3.0f64);
    let out = dir.path().join("book.json");
    let feedback = dir.path().join("feedback");
    let started = Instant::now();
    let run = Command::new(netlab_bin())
        .arg("grade")
        .arg(&class_dir)
        .args([
            "--jobs",
            &jobs.to_string(),
            "--timeout",
            &limit.to_string(),
            "--format",
            "json",
            "--out",
        ])
        .arg(&out)
        .arg("--feedback")
        .arg(&feedback)
        .output()
        .unwrap();
    let took = started.elapsed();
    // Not every student passed: exit 1, and the summary on stderr.
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bound = Duration::from_secs_f64(expected.len() as f64 * limit / jobs as f64);
    assert!(took < bound, "took {took:?}, bound {bound:?}");

    // JSON: every verdict.
    let book: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let mut got = BTreeMap::new();
    for s in book["students"].as_array().unwrap() {
        for l in s["labs"].as_array().unwrap() {
            got.insert(
                (
                    s["student"].as_str().unwrap().to_string(),
                    l["lab"].as_str().unwrap().to_string(),
                ),
                l["status"].as_str().unwrap().to_string(),
            );
            assert!(l["points"].as_u64().unwrap() <= l["max_points"].as_u64().unwrap());
            if l["status"] == "pass" {
                assert_eq!(l["points"], l["max_points"]);
            }
        }
    }
    let want: BTreeMap<(String, String), String> = expected
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    pretty_assertions::assert_eq!(got, want);

    // Nothing a client started survives: not the hang, the orphans, the setsid escapees.
    for p in [
        "sleep 600",
        "sleep 4242",
        "sleep 4243",
        "sleep 4244",
        "netlab-grade-",
    ] {
        assert!(none_running(p), "`{p}` is still running");
    }

    // Feedback: one file per student with the full report.
    let fb = std::fs::read_to_string(feedback.join("bug-no-cr.md")).unwrap();
    assert!(fb.contains("## tcp-hello — fail"), "{fb}");
    assert!(fb.contains("sent-hello"), "{fb}");
    assert_eq!(
        std::fs::read_dir(&feedback).unwrap().count(),
        expected.len()
    );

    // The other formats, from the merged JSON (no second grading run).
    let render = |format: &str| -> String {
        let o = Command::new(netlab_bin())
            .args(["grade", "merge"])
            .arg(&out)
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        String::from_utf8(o.stdout).unwrap()
    };
    // CSV.
    let csv = render("csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("student,lab,status,points,max_points"));
    let rows: BTreeMap<(String, String), String> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            ((f[0].to_string(), f[1].to_string()), f[2].to_string())
        })
        .collect();
    pretty_assertions::assert_eq!(rows, want);
    // Markdown.
    let md = render("markdown");
    assert!(md.starts_with("## netlab grades"));
    assert!(
        md.contains("| evil-hang |") && md.contains("missing"),
        "{md}"
    );
    assert!(md.contains(&format!("{} students", expected.len())), "{md}");
    // JUnit, parsed back: a suite per student, a case per lab, the right outcome in each.
    let xml = render("junit");
    let parsed = parse_junit(&xml);
    let want_junit: BTreeMap<(String, String), String> = want
        .iter()
        .map(|(k, v)| {
            let o = match v.as_str() {
                "pass" => "pass",
                "fail" => "failure",
                "error" => "error",
                _ => "skipped",
            };
            (k.clone(), o.to_string())
        })
        .collect();
    pretty_assertions::assert_eq!(parsed, want_junit);
    assert!(xml.contains("<property name=\"max_points\""));
}

/// (suite, testcase) → pass | failure | error | skipped.
fn parse_junit(xml: &str) -> BTreeMap<(String, String), String> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = BTreeMap::new();
    let (mut suite, mut case) = (String::new(), None::<String>);
    let attr = |e: &quick_xml::events::BytesStart, name: &[u8]| -> String {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .map(|a| String::from_utf8_lossy(&a.value).into_owned())
            .unwrap_or_default()
    };
    loop {
        match r.read_event().expect("well-formed JUnit XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testsuite" => {
                suite = attr(&e, b"name")
            }
            Event::Start(e) if e.name().as_ref() == b"testcase" => {
                let name = attr(&e, b"name");
                out.insert((suite.clone(), name.clone()), "pass".to_string());
                case = Some(name);
            }
            Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                out.insert((suite.clone(), attr(&e, b"name")), "pass".to_string());
            }
            Event::Start(e) | Event::Empty(e)
                if matches!(e.name().as_ref(), b"failure" | b"error" | b"skipped") =>
            {
                if let Some(c) = &case {
                    let kind = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    out.insert((suite.clone(), c.clone()), kind);
                }
            }
            Event::End(e) if e.name().as_ref() == b"testcase" => case = None,
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn merge_combines_check_reports_from_many_ci_jobs() {
    if !have("node") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (student, client, lab) in [
        ("ana", "labs/tcp-hello/solution.js", "tcp-hello"),
        ("ben", "tests/lab-clients/hello-destroy.js", "tcp-hello"),
        ("ana", "labs/udp-ping/solution.js", "udp-ping"),
    ] {
        let o = Command::new(netlab_bin())
            .args([
                "check",
                lab,
                "--format",
                "json",
                "--student",
                student,
                "--",
                "node",
            ])
            .arg(repo_root().join(client))
            .output()
            .unwrap();
        let f = dir.path().join(format!("{student}-{lab}.json"));
        std::fs::write(&f, &o.stdout).unwrap();
        files.push(f);
    }
    let o = Command::new(netlab_bin())
        .args(["grade", "merge"])
        .args(&files)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "student,lab,status,points,max_points\nana,tcp-hello,pass,10,10\nana,udp-ping,pass,8,8\nben,tcp-hello,fail,8,10\n"
    );
    // A JUnit result straight from `netlab check`.
    let o = Command::new(netlab_bin())
        .args([
            "check",
            "tcp-hello",
            "--format",
            "junit",
            "--student",
            "ana",
            "--",
            "node",
        ])
        .arg(repo_root().join("labs/tcp-hello/solution.js"))
        .output()
        .unwrap();
    let parsed = parse_junit(&String::from_utf8_lossy(&o.stdout));
    assert_eq!(
        parsed[&("ana".to_string(), "tcp-hello".to_string())],
        "pass"
    );
    // Garbage input is a clear error, not a panic.
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{not json").unwrap();
    let o = Command::new(netlab_bin())
        .args(["grade", "merge"])
        .arg(&junk)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("junk.json: not JSON"));
}

#[test]
fn an_empty_or_missing_class_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(netlab_bin())
        .arg("grade")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing to grade"));
    let o = Command::new(netlab_bin())
        .args(["grade", "/nonexistent/class"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(netlab_bin())
        .arg("grade")
        .arg(dir.path())
        .args(["--lab", "tcp-helo"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown lab `tcp-helo`"));
}

/// A workspace `class/<name>` in `lang` whose `lab` client is `source` (written as is).
fn student(class: &Path, name: &str, lang: &str, lab: &str, source: &str) -> std::path::PathBuf {
    let ws = class.join(name);
    std::fs::create_dir_all(ws.join(lab)).unwrap();
    std::fs::write(ws.join("netlab.toml"), format!("language = \"{lang}\"\n")).unwrap();
    let ext = match lang {
        "python" => "py",
        "shell" => "sh",
        _ => "js",
    };
    std::fs::write(ws.join(lab).join(format!("client.{ext}")), source).unwrap();
    ws
}

fn hello_sh() -> String {
    std::fs::read_to_string(repo_root().join("labs/tcp-hello/solution.sh")).unwrap()
}

/// Every (student, lab) → (status, report) of a JSON gradebook.
fn statuses(book: &serde_json::Value) -> BTreeMap<String, (String, String)> {
    let mut m = BTreeMap::new();
    for s in book["students"].as_array().unwrap() {
        for l in s["labs"].as_array().unwrap() {
            m.insert(
                s["student"].as_str().unwrap().to_string(),
                (
                    l["status"].as_str().unwrap().to_string(),
                    l["report"].as_str().unwrap_or_default().to_string(),
                ),
            );
        }
    }
    m
}

#[test]
fn hostile_folder_names_and_stderr_are_safe_in_every_output() {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    let long = "x".repeat(254);
    let formula = "=HYPERLINK(\"evil\",\"click me\")";
    let esc = "\u{1b}[31mred\u{1b}]0;title\u{7}";
    for name in [long.as_str(), formula, esc, "-2+3", "@sum"] {
        student(&class, name, "shell", "tcp-hello", &hello_sh());
    }
    student(
        &class,
        "noisy",
        "shell",
        "tcp-hello",
        "printf '\\033]0;pwned\\007\\033[2Jboom\\n' >&2\nexit 3\n",
    );
    let out = dir.path().join("book.json");
    let feedback = dir.path().join("feedback");
    let run = Command::new(netlab_bin())
        .arg("grade")
        .arg(&class)
        .args(["--format", "json", "--timeout", "5", "--out"])
        .arg(&out)
        .arg("--feedback")
        .arg(&feedback)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    let book: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let got = statuses(&book);
    assert_eq!(got.len(), 6, "{got:?}");
    assert_eq!(got[&long].0, "pass");
    assert_eq!(got[formula].0, "pass");
    assert_eq!(got["[31mred]0;title"].0, "pass", "{got:?}");
    assert_eq!(got["noisy"].0, "fail");
    assert!(got["noisy"].1.contains("boom"), "{}", got["noisy"].1);
    // Feedback: one bounded, safe file per student, none with control characters.
    let names: Vec<String> = std::fs::read_dir(&feedback)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
    for n in &names {
        assert!(n.len() <= 104, "{n}");
        assert!(!n.chars().any(char::is_control), "{n:?}");
        let text = std::fs::read_to_string(feedback.join(n)).unwrap();
        assert!(!text.chars().any(|c| c == '\u{1b}' || c == '\u{7}'), "{n}");
    }
    // Every other format, from the gradebook.
    for format in ["table", "csv", "markdown", "junit"] {
        let o = Command::new(netlab_bin())
            .args(["grade", "merge", "--format", format])
            .arg(&out)
            .output()
            .unwrap();
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(
            !text.chars().any(|c| c == '\u{1b}' || c == '\u{7}'),
            "{format}: {text:?}"
        );
        if format == "csv" {
            for line in text.lines().skip(1) {
                let first = line.trim_start_matches('"');
                assert!(
                    !first.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "a formula cell: {line}"
                );
            }
            assert!(text.contains("\"'=HYPERLINK("), "{text}");
            assert!(text.contains("'-2+3,"), "{text}");
        }
    }
}

#[test]
fn an_unwritable_out_fails_before_anyone_is_graded() {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    student(&class, "slow", "shell", "tcp-hello", "sleep 4231\n");
    let started = Instant::now();
    let run = Command::new(netlab_bin())
        .arg("grade")
        .arg(&class)
        .args(["--timeout", "20", "--out"])
        .arg(dir.path().join("no-such-folder/book.csv"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_ne!(run.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10), "graded first");
    assert!(none_running("sleep 4231"));
    // The same for a --feedback path that is a file.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let run = Command::new(netlab_bin())
        .arg("grade")
        .arg(&class)
        .args(["--timeout", "20", "--feedback"])
        .arg(&file)
        .output()
        .unwrap();
    assert_ne!(run.status.code(), Some(0));
    assert!(started.elapsed() < Duration::from_secs(10), "graded first");
}

#[test]
fn symlinks_and_broken_workspaces_are_errors_never_passes() {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    let victim = student(&class, "victim", "shell", "tcp-hello", &hello_sh());
    // A lab folder that is a link to another student's.
    let thief = class.join("thief");
    std::fs::create_dir_all(&thief).unwrap();
    std::fs::write(thief.join("netlab.toml"), "language = \"shell\"\n").unwrap();
    std::os::unix::fs::symlink(victim.join("tcp-hello"), thief.join("tcp-hello")).unwrap();
    // A real lab folder with a link inside.
    let sneaky = student(&class, "sneaky", "shell", "tcp-hello", &hello_sh());
    std::os::unix::fs::symlink("/etc/hostname", sneaky.join("tcp-hello/notes.txt")).unwrap();
    // A netlab.toml that does not parse.
    let broken = student(&class, "broken", "shell", "tcp-hello", &hello_sh());
    std::fs::write(broken.join("netlab.toml"), "# mine\nlanguage = [shell\n").unwrap();
    // A lab folder over the copy cap: graded, with a note naming what was left out.
    let big = student(&class, "big", "shell", "tcp-hello", &hello_sh());
    let blob = std::fs::File::create(big.join("tcp-hello/blob.bin")).unwrap();
    blob.set_len(65 << 20).unwrap(); // sparse: no disk space used
    drop(blob);
    let out = dir.path().join("book.json");
    let run = Command::new(netlab_bin())
        .arg("grade")
        .arg(&class)
        .args(["--lab", "tcp-hello", "--format", "json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let got = statuses(&serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap());
    assert_eq!(got["victim"].0, "pass");
    for who in ["thief", "sneaky"] {
        assert_eq!(got[who].0, "error", "{who}: {:?}", got[who]);
        assert!(
            got[who].1.contains("symbolic link"),
            "{who}: {}",
            got[who].1
        );
    }
    assert_eq!(got["big"].0, "pass", "{:?}", got["big"]);
    assert!(
        got["big"]
            .1
            .contains("left out of the run (over the 64 MiB limit): blob.bin"),
        "{}",
        got["big"].1
    );
    assert_eq!(got["broken"].0, "error");
    assert!(
        got["broken"].1.contains("netlab.toml:2:"),
        "{}",
        got["broken"].1
    );
}

#[test]
fn feedback_replaces_a_planted_symlink_instead_of_following_it() {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    student(&class, "ana", "shell", "tcp-hello", &hello_sh());
    let feedback = dir.path().join("feedback");
    std::fs::create_dir_all(&feedback).unwrap();
    let precious = dir.path().join("precious.txt");
    std::fs::write(&precious, "the teacher's notes").unwrap();
    std::os::unix::fs::symlink(&precious, feedback.join("ana.md")).unwrap();
    let run = Command::new(netlab_bin())
        .arg("grade")
        .arg(&class)
        .arg("--feedback")
        .arg(&feedback)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{:?}", run);
    assert_eq!(
        std::fs::read_to_string(&precious).unwrap(),
        "the teacher's notes"
    );
    let meta = std::fs::symlink_metadata(feedback.join("ana.md")).unwrap();
    assert!(meta.is_file());
    assert!(std::fs::read_to_string(feedback.join("ana.md"))
        .unwrap()
        .contains("## tcp-hello — pass"));
}

#[test]
fn ctrl_c_keeps_every_finished_student_and_leaves_nothing_behind() {
    interrupted_mid_run("-INT");
}

#[test]
fn sigterm_keeps_every_finished_student_and_leaves_nothing_behind() {
    interrupted_mid_run("-TERM");
}

/// Send `signal` (as `kill` spells it) to `netlab grade` while two clients hang and two
/// students are done: the gradebook holds the two, says incomplete, and nothing is left.
fn interrupted_mid_run(signal: &str) {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    student(&class, "a-quick", "shell", "tcp-hello", &hello_sh());
    student(&class, "b-quick", "shell", "tcp-hello", &hello_sh());
    let hang = "exec 3<>\"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT\"\nsleep 4317\n";
    student(&class, "c-hang", "shell", "tcp-hello", hang);
    student(&class, "d-hang", "shell", "tcp-hello", hang);
    let out = dir.path().join("book.json");
    let child = Command::new(netlab_bin())
        .arg("grade")
        .arg(&class)
        .args([
            "--jobs",
            "4",
            "--timeout",
            "60",
            "--format",
            "json",
            "--out",
        ])
        .arg(&out)
        .env("TMPDIR", &tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    /// Kills and reaps `netlab grade` if the test fails before it exits.
    struct Reap(std::process::Child);
    impl Drop for Reap {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut guard = Reap(child);
    let child = &mut guard.0;
    // Ready when both quick students are journaled and both hanging clients run.
    let journal = dir.path().join(".netlab-grade-journal.jsonl");
    let deadline = Instant::now() + common::WAIT;
    loop {
        let lines = std::fs::read_to_string(&journal)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        let hanging = !none_running("sleep 4317");
        if lines == 2 && hanging {
            break;
        }
        assert!(Instant::now() < deadline, "never ready: {lines} journaled");
        assert!(
            child.try_wait().unwrap().is_none(),
            "netlab grade exited early"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + common::WAIT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "netlab grade ignored SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_ne!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("incomplete: 2 of 4"), "{stderr}");
    let book: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let got = statuses(&book);
    assert_eq!(got.keys().collect::<Vec<_>>(), ["a-quick", "b-quick"]);
    assert!(got.values().all(|(s, _)| s == "pass"), "{got:?}");
    assert_eq!(book["incomplete"]["graded"], 2, "{book:#}");
    assert_eq!(book["incomplete"]["total"], 4, "{book:#}");
    assert!(none_running("sleep 4317"), "a client survived");
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().collect();
    assert!(left.is_empty(), "temporary folders left: {left:?}");
    assert!(
        !journal.exists(),
        "the journal is removed once the gradebook is written"
    );
}

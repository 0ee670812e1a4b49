//! The book: generated pages match the course (stale pages fail), every live step has a
//! timeline recorded by running it and a diagram, every internal link resolves, mdBook builds
//! it (when installed; CI installs it), and headless Chromium renders a diagram (when
//! installed; CI installs it).

mod common;

use common::{have, netlab_bin, repo_root};
use netlab::book;
use netlab::course::lesson::Step;
use netlab::course::Course;
use std::path::{Path, PathBuf};
use std::process::Command;

fn course() -> Course {
    Course::load(None).unwrap()
}

fn live_steps(c: &Course) -> Vec<String> {
    c.lessons
        .iter()
        .flat_map(|l| {
            l.lesson
                .steps
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s, Step::Serve { .. } | Step::Demo { .. }))
                .map(|(n, _)| book::trace_name(&l.lesson.id, n + 1))
        })
        .collect()
}

#[test]
fn the_committed_book_is_up_to_date() {
    let out = Command::new(netlab_bin())
        .args(["book", "--check", "--out"])
        .arg(repo_root().join("book"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the book is stale; run `cargo run -- book`:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every lesson and lab has its page.
    let c = course();
    let src = repo_root().join("book/src");
    for (i, l) in c.lessons.iter().enumerate() {
        assert!(src
            .join(format!("lessons/{:02}-{}.md", i + 1, l.lesson.id))
            .is_file());
    }
    for l in &c.labs.labs {
        assert!(src.join(format!("labs/{}.md", l.lab.id)).is_file());
    }
    // Every live step has a recorded trace (canonical, parseable) and a diagram.
    for name in live_steps(&c) {
        let t = std::fs::read_to_string(src.join(format!("traces/{name}.trace")))
            .unwrap_or_else(|_| panic!("no trace for {name}"));
        netlab::trace::canon::CanonTrace::parse(&t).unwrap_or_else(|e| panic!("{name}: {e}"));
        let svg = std::fs::read_to_string(src.join(format!("traces/{name}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("marker-end"),
            "{name}"
        );
    }
}

#[test]
fn building_the_book_records_every_live_step() {
    if !have("nc") || !have("curl") || !have("node") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(netlab_bin())
        .arg("book")
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No live step's client failed while recording. The one note allowed: a wire step
    // recorded without its packets where this machine offers no wire view.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let notes: Vec<&str> = stderr.lines().filter(|l| l.contains("note:")).collect();
    assert!(
        notes
            .iter()
            .all(|l| l.contains("recorded without wire rows")),
        "{stderr}"
    );
    let c = course();
    for name in live_steps(&c) {
        let t =
            std::fs::read_to_string(dir.path().join(format!("src/traces/{name}.trace"))).unwrap();
        // Something really happened: a connection, a datagram, or a demo's client.
        assert!(
            t.contains("connection") || t.contains("message") || t.contains("client"),
            "{name} recorded nothing:\n{t}"
        );
    }
    // Every wire step has its readable timeline; with the wire view here, its packets too.
    for name in wire_steps(&c) {
        let text = std::fs::read_to_string(dir.path().join(format!("src/traces/{name}.timeline")))
            .unwrap_or_else(|_| panic!("no timeline for {name}"));
        let without = notes.iter().any(|l| l.contains(&format!("{name}:")));
        assert_eq!(
            text.contains("wire"),
            !without,
            "{name}: packets iff no note says otherwise:\n{text}\n{stderr}"
        );
    }
    // A fresh recording with packets: the handshake, the 7 bytes there and back and a FIN each
    // way are packet rows (the committed diagram's whole order is checked below).
    let echo = tcp_echo_wire_step(&c);
    if !notes.iter().any(|l| l.contains(&format!("{echo}:"))) {
        let svg =
            std::fs::read_to_string(dir.path().join(format!("src/traces/{echo}.svg"))).unwrap();
        let rows = |label: &str| {
            svg.lines()
                .filter(|l| l.contains("class=\"packet\"") && l.contains(label))
                .count()
        };
        assert_eq!(rows(">#1 SYN<"), 1, "{svg}");
        assert_eq!(rows(">#1 SYN-ACK<"), 1, "{svg}");
        assert_eq!(rows("PSH-ACK len 7<"), 2, "{svg}");
        assert_eq!(rows("FIN-ACK<"), 2, "{svg}");
    }
}

/// Where the wire view is unavailable (no namespaces, no CAP_NET_RAW), `netlab book` still
/// records every step — wire steps without their packets — and says so, once per wire step.
#[test]
fn without_the_wire_view_the_book_records_without_packets_and_says_so() {
    if !have("nc") || !have("curl") || !have("node") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(netlab_bin())
        .env("NETLAB_SANDBOX_PRETEND_LACKING", "namespaces,cap_net_raw")
        .arg("book")
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let c = course();
    for name in wire_steps(&c) {
        assert!(
            stderr.lines().any(|l| l.starts_with("note: ")
                && l.contains(&format!(
                    "{name}: recorded without wire rows: wire view unavailable"
                ))),
            "{name}:\n{stderr}"
        );
        let text = std::fs::read_to_string(dir.path().join(format!("src/traces/{name}.timeline")))
            .unwrap();
        assert!(!text.contains("wire"), "{name}:\n{text}");
        assert!(text.contains("listening"), "{name}:\n{text}");
        let svg =
            std::fs::read_to_string(dir.path().join(format!("src/traces/{name}.svg"))).unwrap();
        assert!(!svg.contains("class=\"packet\""), "{name}");
    }
}

/// The wire steps (`wire = true`): their pages show a readable timeline with the packets.
fn wire_steps(c: &Course) -> Vec<String> {
    c.lessons
        .iter()
        .flat_map(|l| {
            l.lesson
                .steps
                .iter()
                .enumerate()
                .filter(|(_, s)| s.wire())
                .map(|(n, _)| book::trace_name(&l.lesson.id, n + 1))
        })
        .collect()
}

/// The trace name of the wire step that runs the tcp-echo demo (lesson 2's handshake).
fn tcp_echo_wire_step(c: &Course) -> String {
    c.lessons
        .iter()
        .find_map(|l| {
            l.lesson.steps.iter().enumerate().find_map(|(n, s)| {
                matches!(s, Step::Demo { demo, .. } if demo == "tcp-echo" && s.wire())
                    .then(|| book::trace_name(&l.lesson.id, n + 1))
            })
        })
        .expect("a wire step runs the tcp-echo demo")
}

/// A tcp-echo diagram with packets: SYN, SYN-ACK, ACK, the data both ways, then a FIN-ACK each
/// way, as thin packet rows from top to bottom.
fn handshake_and_fins_in_order(name: &str, svg: &str) {
    let packets: Vec<&str> = svg
        .lines()
        .filter(|l| l.contains("class=\"packet\""))
        .filter_map(|l| l.split('>').nth(2)?.split('<').next())
        .collect();
    assert_eq!(
        &packets[..3],
        ["#1 SYN", "#1 SYN-ACK", "#1 ACK"],
        "{name}: the handshake first:\n{svg}"
    );
    let pos = |p: &str| packets.iter().position(|x| *x == p);
    let data = pos("#1 PSH-ACK len 7").unwrap_or_else(|| panic!("{name}: {packets:?}"));
    let fins: Vec<usize> = (0..packets.len())
        .filter(|&i| packets[i] == "#1 FIN-ACK")
        .collect();
    assert_eq!(fins.len(), 2, "{name}: a FIN each way: {packets:?}");
    assert!(data < fins[0], "{name}: {packets:?}");
    assert_eq!(
        packets.iter().filter(|p| **p == "#1 PSH-ACK len 7").count(),
        2,
        "{name}: the 7 bytes there and back: {packets:?}"
    );
    // The FINs are drawn in opposite directions (→ then ←, or ← then →).
    let dirs: Vec<bool> = svg
        .lines()
        .filter(|l| l.contains("class=\"packet\"") && l.contains(">#1 FIN-ACK<"))
        .map(|l| l.contains("x1=\"290\""))
        .collect();
    assert_eq!(dirs.len(), 2);
    assert_ne!(dirs[0], dirs[1], "{name}: one FIN each way");
}

/// The committed book's tcp-echo wire step was recorded with the wire view: its diagram has
/// the handshake, the data and a FIN each way in order, and its page shows the timeline.
#[test]
fn the_committed_wire_diagram_has_syn_and_fin_rows_in_order() {
    let c = course();
    let echo = tcp_echo_wire_step(&c);
    let src = repo_root().join("book/src");
    let svg = std::fs::read_to_string(src.join(format!("traces/{echo}.svg"))).unwrap();
    handshake_and_fins_in_order(&echo, &svg);
    let text = std::fs::read_to_string(src.join(format!("traces/{echo}.timeline"))).unwrap();
    let syn = text.find("→ SYN ").expect("a SYN toward the server");
    let fin = text.find("← FIN-ACK").expect("the server's FIN");
    assert!(syn < fin, "{text}");
    let page = std::fs::read_dir(src.join("lessons"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .find(|p| p.contains(&format!("traces/{echo}.timeline")))
        .expect("a page includes the timeline");
    assert!(page.contains("netlab demo tcp-echo --wire"));
}

/// `netlab book` is deterministic: run over a copy of the committed book (twice), it changes no
/// file — pages depend only on the course, and recorded timelines are kept, not re-recorded.
#[test]
fn building_the_book_again_changes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("book");
    let mut files = Vec::new();
    let root = repo_root().join("book");
    fn all(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                all(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    all(&root.join("src"), &mut files);
    files.push(root.join("book.toml"));
    assert!(files.len() > 60, "only {} files", files.len());
    for f in &files {
        let to = copy.join(f.strip_prefix(&root).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(f, &to).unwrap();
    }
    for _ in 0..2 {
        let out = Command::new(netlab_bin())
            .args(["book", "--out"])
            .arg(&copy)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut now = Vec::new();
        all(&copy, &mut now);
        assert_eq!(now.len(), files.len(), "files were added");
        for f in &files {
            let to = copy.join(f.strip_prefix(&root).unwrap());
            assert!(
                std::fs::read(f).unwrap() == std::fs::read(&to).unwrap(),
                "`netlab book` changed {}",
                to.display()
            );
        }
    }
}

/// Markdown links and includes in `text` (relative targets only).
fn targets(text: &str) -> Vec<String> {
    let mut v = Vec::new();
    let re = regex::Regex::new(r"\]\(([^)\s]+)\)|\{\{#include ([^}]+)\}\}").unwrap();
    for c in re.captures_iter(text) {
        let t = c.get(1).or(c.get(2)).unwrap().as_str().trim().to_string();
        if !t.starts_with("http") && !t.starts_with('#') && !t.starts_with("mailto:") {
            v.push(t);
        }
    }
    v
}

fn md_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            md_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

#[test]
fn every_internal_link_resolves() {
    let src = repo_root().join("book/src");
    let mut files = Vec::new();
    md_files(&src, &mut files);
    assert!(files.len() > 30);
    let mut broken = Vec::new();
    let mut n = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for t in targets(&text) {
            n += 1;
            let path = t.split('#').next().unwrap();
            if !f.parent().unwrap().join(path).exists() {
                broken.push(format!("{}: {t}", f.display()));
            }
        }
    }
    assert!(n > 100, "only {n} links checked");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn mdbook_builds_it() {
    if !have("mdbook") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("mdbook")
        .arg("build")
        .arg(repo_root().join("book"))
        .arg("-d")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = course();
    for (i, l) in c.lessons.iter().enumerate() {
        let html = dir
            .path()
            .join(format!("lessons/{:02}-{}.html", i + 1, l.lesson.id));
        let text =
            std::fs::read_to_string(&html).unwrap_or_else(|_| panic!("no {}", html.display()));
        assert!(text.contains("<h1"), "{}", html.display());
    }
    // The chapter embeds its diagram and the included trace.
    let ch = std::fs::read_to_string(dir.path().join("lessons/02-tcp-server.html")).unwrap();
    assert!(ch.contains("../traces/tcp-server-step3.svg"));
    assert!(ch.contains("netlab-trace/1"), "the trace was included");
    // Quiz options are a list: every option of every quiz is its own `<li>`, never lines run
    // into one paragraph.
    let mut options = 0;
    for (i, l) in c.lessons.iter().enumerate() {
        let html = std::fs::read_to_string(dir.path().join(format!(
            "lessons/{:02}-{}.html",
            i + 1,
            l.lesson.id
        )))
        .unwrap();
        for step in &l.lesson.steps {
            if let Step::Quiz { choices, .. } = step {
                for k in 0..choices.len() {
                    let letter = (b'a' + k as u8) as char;
                    options += 1;
                    assert!(
                        html.contains(&format!("<li><strong>{letter}.</strong>")),
                        "{}: option {letter} of a quiz is not a list item",
                        l.lesson.id
                    );
                }
            }
        }
        assert!(!html.contains("</p>\n<p>b. "), "{}", l.lesson.id);
    }
    assert!(options > 30, "only {options} quiz options checked");
}

/// No page holds a raw control character (a `\r` from a lab text breaks its code span).
#[test]
fn pages_hold_no_control_characters() {
    let src = repo_root().join("book/src");
    let mut files = Vec::new();
    md_files(&src, &mut files);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        // `split`, not `lines`: `lines` would hide a CR before a newline.
        if let Some((n, line)) = text
            .split('\n')
            .enumerate()
            .find(|(_, l)| l.chars().any(|c| c.is_control() && c != '\t'))
        {
            panic!("{}:{}: control character in {line:?}", f.display(), n + 1);
        }
    }
    // And the pages hold what the learner must send, visibly.
    let lab = std::fs::read_to_string(src.join("labs/tcp-hello.md")).unwrap();
    assert!(lab.contains("`hello\\r\\n`"), "{lab}");
}

#[test]
fn chromium_renders_a_diagram() {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {c}"))
                .status()
                .is_ok_and(|s| s.success())
        });
    let Some(chromium) = chromium else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is required in CI");
        }
        eprintln!("\n*** SKIPPING: chromium is not installed (CI installs it) ***\n");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let svg = repo_root().join("book/src/traces/tcp-server-step3.svg");
    // The chapter's own markup for it: an <img> in an HTML page.
    let page = dir.path().join("page.html");
    std::fs::write(
        &page,
        format!(
            "<html><body style=\"margin:0;background:#fff\"><img src=\"file://{}\"></body></html>",
            svg.display()
        ),
    )
    .unwrap();
    let png = dir.path().join("shot.png");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--allow-file-access-from-files",
            "--window-size=800,400",
            "--hide-scrollbars",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        png.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::fs::File::open(&png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = &buf[..info.buffer_size()];
    let channels = info.color_type.samples();
    // Count dark pixels (text and arrows): a blank or broken image has none.
    let dark = px
        .chunks(channels)
        .filter(|p| p.iter().take(3).all(|c| *c < 120))
        .count();
    assert!(dark > 500, "the diagram did not render: {dark} dark pixels");
}

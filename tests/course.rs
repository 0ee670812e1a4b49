//! The course as a learner meets it: it validates, it covers the chapter, every command a
//! lesson tells the learner to try works against the real scenario, every code block runs and
//! prints/sends what its `prints:`/`sends:`/`throws:` comments claim (checked against Node 20
//! itself), and broken lessons are reported with file:line:col and exit code 3.

mod common;

use common::{have, netlab_bin, Server};
use netlab::course::lesson::{fill, Step};
use netlab::course::snippet::{self, Run};
use netlab::course::Course;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Limit for one command or snippet.
const LIMIT: Duration = Duration::from_secs(20);

struct Outcome {
    ok: bool,
    timed_out: bool,
    stdout: String,
    stderr: String,
}

/// Run `cmd` in its own process group with a time limit; the whole group is killed and reaped.
fn run(mut cmd: Command) -> Outcome {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().expect("spawn");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let deadline = Instant::now() + LIMIT;
    let pgid = nix::unistd::Pid::from_raw(child.id() as i32);
    let (status, timed_out) = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break (Some(st), false);
        }
        if Instant::now() > deadline {
            break (None, true);
        }
        // Waiting on a child process: poll, bounded by the deadline.
        std::thread::sleep(Duration::from_millis(10));
    };
    // Whatever the outcome, nothing of the group survives (e.g. a backgrounded nc).
    let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
    let status = status.or_else(|| child.wait().ok());
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    Outcome {
        ok: status.is_some_and(|s| s.success()),
        timed_out,
        stdout,
        stderr,
    }
}

fn course() -> Course {
    Course::load(None).expect("the embedded course loads")
}

/// A scenario server with a fresh socket path / CA file.
fn serve(scenario: &str, dir: &Path) -> (Server, String, String) {
    let sock = dir.join("s.sock").display().to_string();
    let ca = dir.join("ca.pem").display().to_string();
    let transport = netlab::scenario::find(scenario).unwrap().transport;
    let s = match transport {
        netlab::scenario::Transport::Unix => Server::netlab(scenario, &["--socket", &sock]),
        netlab::scenario::Transport::Https => Server::netlab(scenario, &["--ca-out", &ca]),
        _ => Server::netlab(scenario, &[]),
    };
    (s, sock, ca)
}

#[test]
fn the_course_covers_the_chapter() {
    let out = Command::new(netlab_bin())
        .args(["list", "--json"])
        .env("XDG_DATA_HOME", tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lessons = v["lessons"].as_array().unwrap();
    assert!(lessons.len() >= 16, "{} lessons", lessons.len());
    for l in lessons {
        let kinds: Vec<&str> = l["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.iter().any(|k| *k == "serve" || *k == "demo"),
            "lesson {} has no live step",
            l["id"]
        );
        assert!(kinds.contains(&"quiz"), "lesson {} has no quiz", l["id"]);
    }
    let labs = v["labs"].as_array().unwrap();
    assert!(labs.len() >= 17, "{} labs", labs.len());
    // Every lab is linked from some lesson.
    let linked: Vec<&str> = lessons
        .iter()
        .flat_map(|l| l["labs"].as_array().unwrap())
        .map(|x| x.as_str().unwrap())
        .collect();
    for lab in labs {
        assert!(
            linked.contains(&lab["id"].as_str().unwrap()),
            "lab {} is in no lesson",
            lab["id"]
        );
    }
    // The topics of the chapter, each with its lesson.
    let ids: Vec<&str> = lessons.iter().map(|l| l["id"].as_str().unwrap()).collect();
    for topic in [
        "layers",
        "tcp-server",
        "unix-sockets",
        "events",
        "echo-halfopen",
        "nagle",
        "backpressure",
        "timeouts",
        "udp",
        "curl-v",
        "http-server",
        "http-server-events",
        "http-client",
        "agents",
        "client-events",
        "https",
    ] {
        assert!(ids.contains(&topic), "no lesson `{topic}`");
    }
}

#[test]
fn the_chapters_errors_are_corrected() {
    let c = course();
    let text = |id: &str| {
        let (_, e) = c.find(id).unwrap();
        toml::to_string(&e.lesson).unwrap()
    };
    assert!(text("udp").contains("'upd4'") && text("udp").contains("ERR_SOCKET_BAD_TYPE"));
    assert!(text("agents").contains("Infinity"));
    assert!(text("nagle").contains("Node 18"));
    assert!(text("backpressure").contains("returned `false`"));
}

#[test]
fn validate_and_schemas_are_clean() {
    let out = Command::new(netlab_bin()).arg("validate").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The committed JSON Schemas are what the Rust types generate.
    for (name, text) in netlab::course::schema::all() {
        let committed = std::fs::read_to_string(common::repo_root().join("schema").join(name))
            .unwrap_or_default();
        assert!(
            committed == text,
            "schema/{name} is stale: run `cargo run -- dev schema`"
        );
    }
    // Every course file points its editor at the schema.
    for f in std::fs::read_dir(common::repo_root().join("lessons")).unwrap() {
        let t = std::fs::read_to_string(f.unwrap().path()).unwrap();
        assert!(t.starts_with("#:schema ../schema/lesson.schema.json"));
    }
}

/// Copy the embedded course to a directory, apply `edit` to one lesson, and validate it.
fn validate_broken(file: &str, edit: impl Fn(&str) -> String) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = common::repo_root();
    let copy = |from: &Path, to: &Path| {
        Command::new("cp")
            .arg("-r")
            .arg(from)
            .arg(to)
            .status()
            .unwrap()
    };
    copy(&root.join("lessons"), dir.path());
    copy(&root.join("labs"), dir.path());
    let p = dir.path().join("lessons").join(file);
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, edit(&t)).unwrap();
    let out = Command::new(netlab_bin())
        .arg("validate")
        .arg(dir.path())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn broken_lessons_are_located_and_exit_3() {
    let (code, err) = validate_broken("02-tcp-server.toml", |t| {
        t.replacen("scenario = \"tcp-echo\"", "scenario = \"tcp-ehco\"", 1)
    });
    assert_eq!(code, 3, "{err}");
    assert!(
        regex::Regex::new(r"02-tcp-server\.toml:\d+:\d+: ")
            .unwrap()
            .is_match(&err),
        "{err}"
    );
    assert!(
        err.contains("unknown scenario `tcp-ehco` (did you mean `tcp-echo`?)"),
        "{err}"
    );
    assert!(err.contains("^"), "{err}");

    let (code, err) = validate_broken("02-tcp-server.toml", |t| {
        t.replacen("correct = true", "", 1)
    });
    assert_eq!(code, 3);
    assert!(err.contains("no right answer"), "{err}");

    let (code, err) = validate_broken("11-udp.toml", |t| t.replacen("title = ", "titel = ", 1));
    assert_eq!(code, 3);
    assert!(
        err.contains("11-udp.toml:4:1: unknown field `titel`"),
        "{err}"
    );

    let (code, err) = validate_broken("11-udp.toml", |t| format!("{t}\n[[steps]\nkind ="));
    assert_eq!(code, 3);
    assert!(
        regex::Regex::new(r"11-udp\.toml:\d+:\d+: ")
            .unwrap()
            .is_match(&err),
        "{err}"
    );

    let (code, err) = validate_broken("17-agents.toml", |t| {
        t.replacen("lab = \"http-agent-pool\"", "lab = \"http-agent-poll\"", 1)
    });
    assert_eq!(code, 3);
    assert!(err.contains("unknown lab `http-agent-poll`"), "{err}");

    let (code, err) = validate_broken("11-udp.toml", |t| t.replacen("```js fails", "```js", 1));
    assert_eq!(code, 3);
    assert!(err.contains("must say how it runs"), "{err}");
}

#[test]
fn validate_and_lesson_speak_json() {
    let out = Command::new(netlab_bin())
        .args(["validate", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert!(v["lessons"].as_u64().unwrap() >= 16, "{v}");
    let out = Command::new(netlab_bin())
        .args(["validate", "--json", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let out = Command::new(netlab_bin())
        .args(["lesson", "udp", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id"], "udp");
    assert_eq!(v["number"], 11);
    assert_eq!(v["steps"][0]["kind"], "text");
}

#[test]
fn lesson_prints_as_plain_text() {
    let out = Command::new(netlab_bin())
        .args(["lesson", "udp"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(
        t.starts_with("Lesson 11 of ")
            && t.lines()
                .next()
                .unwrap()
                .ends_with(": UDP: datagrams with dgram"),
        "{t}"
    );
    assert!(
        t.contains("Start the server:  netlab serve udp-pong"),
        "{t}"
    );
    assert!(t.contains("nc -u -w1 127.0.0.1 41234"), "{t}");
    assert!(t.contains("Answer: (a), (b)"), "{t}");
    assert!(!t.contains('\x1b'), "plain text has no escapes");
    let out = Command::new(netlab_bin())
        .args(["lesson", "upd"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `udp`?"));
}

/// Every non-interactive `try` command of every serve step, against the real scenario.
#[test]
fn every_command_a_lesson_shows_works() {
    for tool in ["nc", "curl", "node", "python3"] {
        if !have(tool) {
            return;
        }
    }
    let c = course();
    let mut failures = Vec::new();
    let mut ran = 0;
    for e in &c.lessons {
        for (i, step) in e.lesson.steps.iter().enumerate() {
            let Step::Serve { scenario, try_, .. } = step else {
                continue;
            };
            let dir = tempfile::tempdir().unwrap();
            let (server, sock, ca) = serve(scenario, dir.path());
            for t in try_.iter().filter(|t| !t.interactive) {
                let cmd = fill(&t.cmd, "127.0.0.1", server.port, &sock, &ca);
                let mut c = Command::new("bash");
                c.arg("-c").arg(&cmd);
                let o = run(c);
                ran += 1;
                if !o.ok {
                    failures.push(format!(
                        "{} step {} [{}]: `{cmd}` {}\nstdout: {}\nstderr: {}",
                        e.origin,
                        i + 1,
                        t.label,
                        if o.timed_out { "timed out" } else { "failed" },
                        o.stdout,
                        o.stderr
                    ));
                }
            }
            server.stop();
        }
    }
    assert!(ran >= 30, "only {ran} commands");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What a server snippet printed and sent to the probe.
struct Probed {
    stdout: String,
    sent: String,
}

/// Run a server snippet, wait for it to say `listening`, talk to it once, and collect what it
/// prints until every `prints:` claim holds (or a bounded wait ends).
fn probe_server(
    interp: &str,
    file: &Path,
    proto: &str,
    dir: &Path,
    claims: &[snippet::Claim],
) -> Result<Probed, String> {
    let port = if proto == "udp" {
        std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    } else {
        free_tcp_port()
    };
    let sock = dir.join("server.sock");
    let mut child = Command::new(interp)
        .arg(file)
        .current_dir(dir)
        .env("PORT", port.to_string())
        .env("SOCKET", &sock)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let pgid = nix::unistd::Pid::from_raw(child.id() as i32);
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let result = (|| {
        let mut printed = String::new();
        let deadline = Instant::now() + LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(l) => {
                    printed.push_str(&l);
                    printed.push('\n');
                    if l.contains("listening") {
                        break;
                    }
                }
                Err(_) => return Err("never printed `listening`".to_string()),
            }
        }
        let timeout = Some(Duration::from_secs(5));
        let got = match proto {
            "udp" => {
                let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
                s.set_read_timeout(timeout).unwrap();
                s.send_to(b"ping", ("127.0.0.1", port)).unwrap();
                let mut buf = [0u8; 1500];
                let (n, _) = s.recv_from(&mut buf).map_err(|e| e.to_string())?;
                buf[..n].to_vec()
            }
            "unix" => {
                let mut s =
                    std::os::unix::net::UnixStream::connect(&sock).map_err(|e| e.to_string())?;
                s.set_read_timeout(timeout).unwrap();
                s.write_all(b"hello\r\n").unwrap();
                s.shutdown(std::net::Shutdown::Write).unwrap();
                let mut v = Vec::new();
                let _ = s.read_to_end(&mut v);
                v
            }
            _ => {
                let mut s =
                    std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
                s.set_read_timeout(timeout).unwrap();
                if proto == "http" {
                    s.write_all(PROBE_REQUEST).unwrap();
                } else {
                    s.write_all(b"hello\r\n").unwrap();
                    s.shutdown(std::net::Shutdown::Write).unwrap();
                }
                let mut v = Vec::new();
                let _ = s.read_to_end(&mut v);
                v
            }
        };
        let sent = String::from_utf8_lossy(&got).into_owned();
        if sent.is_empty() || (proto == "http" && !sent.starts_with("HTTP/1.1 ")) {
            let short: String = sent.chars().take(200).collect();
            return Err(format!("unexpected answer {short:?}"));
        }
        // Events such as 'close' are printed after the probe saw the end: read on until every
        // `prints:` claim holds, bounded.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !claims
            .iter()
            .filter(|c| c.kind == snippet::ClaimKind::Prints)
            .all(|c| c.holds(&printed, "", ""))
        {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(l) => {
                    printed.push_str(&l);
                    printed.push('\n');
                }
                Err(_) => break,
            }
        }
        Ok(Probed {
            stdout: printed,
            sent,
        })
    })();
    let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
    let _ = child.wait();
    result
}

/// What the probe sends an `http` server snippet: a request with a small body that asks for
/// `100 Continue` (as curl does for large ones), sent at once.
const PROBE_REQUEST: &[u8] = b"POST /hello HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nhello";

/// Check a snippet's claims against what running it showed; a message per false claim.
fn check_claims(
    what: &str,
    s: &snippet::Snippet,
    mode: &Run,
    stdout: &str,
    sent: &str,
    stderr: &str,
) -> Vec<String> {
    let claims = s.claims();
    if claims.is_empty() {
        return vec![format!(
            "{what}: makes no claim about its output: add a `prints:`, `sends:` or `throws:` comment"
        )];
    }
    let mut out = Vec::new();
    for c in &claims {
        let fits = match c.kind {
            snippet::ClaimKind::Prints => true,
            snippet::ClaimKind::Sends => matches!(mode, Run::Server(_)),
            snippet::ClaimKind::Throws => matches!(mode, Run::Fails),
        };
        if !fits {
            out.push(format!(
                "{what} line {}: a {:?} claim does not fit this snippet",
                c.line, c.kind
            ));
        } else if !c.holds(stdout, sent, stderr) {
            let sent: String = sent.chars().take(600).collect();
            out.push(format!(
                "{what} line {}: the lesson claims it {:?} `{}`, but Node/Python did not\nstdout: {stdout}\nsent: {sent:?}\nstderr: {stderr}",
                c.line, c.kind, c.text
            ));
        }
    }
    out
}

/// Every runnable code block in every lesson runs as its info string says.
#[test]
fn every_code_block_runs() {
    if !have("node") || !have("python3") {
        return;
    }
    let c = course();
    let mut failures = Vec::new();
    let mut ran = 0;
    for e in &c.lessons {
        let bodies = e.lesson.steps.iter().filter_map(|s| match s {
            Step::Text { body, .. }
            | Step::Serve { body, .. }
            | Step::Demo { body, .. }
            | Step::Lab { body, .. } => Some(body),
            Step::Quiz { .. } => None,
        });
        for body in bodies {
            for s in snippet::extract(body) {
                let Ok(mode) = s.runnable() else { continue };
                let Some(interp) = s.interpreter() else {
                    continue;
                };
                let dir = tempfile::tempdir().unwrap();
                let file = dir.path().join(if interp == "node" {
                    "snippet.js"
                } else {
                    "snippet.py"
                });
                std::fs::write(&file, &s.code).unwrap();
                ran += 1;
                let what = format!("{}: ```{}", e.origin, s.info);
                match &mode {
                    Run::Shown => ran -= 1,
                    Run::Fails => {
                        let mut c = Command::new(interp);
                        c.arg(&file).current_dir(dir.path());
                        let o = run(c);
                        if o.ok || o.timed_out {
                            failures.push(format!("{what} should fail quickly, but did not"));
                        }
                        failures.extend(check_claims(&what, &s, &mode, &o.stdout, "", &o.stderr));
                    }
                    Run::Client(scenario) => {
                        let (server, sock, ca) = serve(scenario, dir.path());
                        let mut c = Command::new(interp);
                        c.arg(&file)
                            .current_dir(dir.path())
                            .env("NETLAB_HOST", "127.0.0.1")
                            .env("NETLAB_PORT", server.port.to_string())
                            .env("NETLAB_SOCKET", &sock)
                            .env("NETLAB_CA", &ca);
                        let o = run(c);
                        server.stop();
                        if !o.ok || o.stdout.trim().is_empty() {
                            failures.push(format!(
                                "{what}: exit ok={} timed_out={}\nstdout: {}\nstderr: {}",
                                o.ok, o.timed_out, o.stdout, o.stderr
                            ));
                        }
                        failures.extend(check_claims(&what, &s, &mode, &o.stdout, "", &o.stderr));
                    }
                    Run::Server(proto) => {
                        match probe_server(interp, &file, proto, dir.path(), &s.claims()) {
                            Err(why) => failures.push(format!("{what}: {why}")),
                            Ok(p) => failures
                                .extend(check_claims(&what, &s, &mode, &p.stdout, &p.sent, "")),
                        }
                    }
                }
            }
        }
    }
    assert!(ran >= 15, "only {ran} snippets ran");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Labs come after the lessons that teach what they need, the easier HTTP labs first, and
/// every lab's hints go from a nudge to the answer in each language.
#[test]
fn labs_in_teaching_order_with_hints_per_language() {
    let c = course();
    // The lesson number (1-based) that links each lab, in link order.
    let mut at: Vec<(String, usize)> = Vec::new();
    for (i, e) in c.lessons.iter().enumerate() {
        for s in &e.lesson.steps {
            if let Step::Lab { lab, .. } = s {
                at.push((lab.clone(), i + 1));
            }
        }
    }
    let lesson_of = |lab: &str| {
        at.iter()
            .find(|(l, _)| l == lab)
            .map(|(_, n)| *n)
            .unwrap_or_else(|| panic!("lab {lab} is in no lesson"))
    };
    let taught = |id: &str| c.find(id).unwrap().0 + 1;
    let pos = |lab: &str| at.iter().position(|(l, _)| l == lab).unwrap();
    // http.request / http.get are taught in http-client; 'continue', 'upgrade', 'connect' on
    // the client in client-events; agents in agents; TLS in https.
    for lab in ["http-get", "http-basic-auth"] {
        assert!(
            lesson_of(lab) >= taught("http-client"),
            "{lab} comes before http.request is taught"
        );
    }
    for lab in ["http-keepalive", "http-agent-pool"] {
        assert!(
            lesson_of(lab) >= taught("agents"),
            "{lab} comes before agents are taught"
        );
    }
    for lab in ["http-post-continue", "http-upgrade", "http-connect"] {
        assert!(
            lesson_of(lab) >= taught("client-events"),
            "{lab} comes before the client's 'continue'/'upgrade'/'connect' are taught"
        );
    }
    assert!(lesson_of("https-get") >= taught("https"));
    // The easiest HTTP labs first.
    assert!(pos("http-get") < pos("http-basic-auth"));
    assert!(pos("http-basic-auth") < pos("http-upgrade"));
    assert!(pos("http-basic-auth") < pos("http-connect"));
    // Hints: every language, at least a nudge and an answer, the answer as code.
    for e in &c.labs.labs {
        for lang in netlab::lab::Language::ALL {
            let h = e.lab.hints_for(lang);
            assert!(
                h.len() >= 2,
                "lab {} has {} hint(s) for {}",
                e.lab.id,
                h.len(),
                lang.name()
            );
            assert!(
                h.last().unwrap().contains('`'),
                "lab {}'s last {} hint should be the answer, in code",
                e.lab.id,
                lang.name()
            );
        }
    }
}

/// Predict, then watch: every lesson asks at least one question right before the live step
/// (serve or demo) that answers it, and the explanation sends the learner to the timeline.
#[test]
fn every_lesson_predicts_before_it_watches() {
    let c = course();
    for e in &c.lessons {
        let steps = &e.lesson.steps;
        let found = steps.windows(2).any(|w| match (&w[0], &w[1]) {
            (Step::Quiz { choices, .. }, Step::Serve { .. } | Step::Demo { .. }) => choices
                .iter()
                .filter(|c| c.correct)
                .any(|c| c.why.contains("timeline")),
            _ => false,
        });
        assert!(
            found,
            "{}: no quiz right before a live step whose right answer points at the timeline",
            e.origin
        );
    }
}

/// The wire view in the course (issue #18): the lessons about packets have steps run with
/// `--wire`; before each run of wire steps a quiz asks the learner to predict the packets (its
/// right answer sends them to the wire lane); after it a text step shows the lane's rows as the
/// learner will see them.
#[test]
fn wire_steps_predict_the_packets_then_read_them() {
    let c = course();
    for id in [
        "tcp-server",
        "events",
        "echo-halfopen",
        "nagle",
        "backpressure",
        "udp",
        "agents",
        "https",
    ] {
        let (_, e) = c.find(id).unwrap();
        assert!(
            e.lesson.steps.iter().any(Step::wire),
            "{}: no step runs with the wire view",
            e.origin
        );
    }
    let row = regex::Regex::new(
        r"(?m)^wire(#\d+)?\s+[→←] (SYN|SYN-ACK|ACK|PSH-ACK|FIN-ACK|RST|RST-ACK|datagram)\b",
    )
    .unwrap();
    let mut wire_steps = 0;
    for e in &c.lessons {
        let steps = &e.lesson.steps;
        for (i, s) in steps.iter().enumerate() {
            if !s.wire() || (i > 0 && steps[i - 1].wire()) {
                continue;
            }
            wire_steps += 1;
            // Only serve and demo steps can be wire steps (the format rejects it elsewhere).
            assert!(matches!(s, Step::Serve { .. } | Step::Demo { .. }));
            let at = format!("{} step {}", e.origin, i + 1);
            match i.checked_sub(1).map(|j| &steps[j]) {
                Some(Step::Quiz { choices, .. }) => {
                    assert!(
                        choices
                            .iter()
                            .filter(|c| c.correct)
                            .all(|c| c.why.contains("wire lane")),
                        "{at}: the right answer's why should send the learner to the wire lane"
                    );
                    assert!(choices.iter().all(|c| !c.why.trim().is_empty()));
                }
                _ => panic!("{at}: no quiz right before the wire step"),
            }
            let after = steps[i..].iter().find(|s| !s.wire());
            match after {
                Some(Step::Text { body, .. }) => assert!(
                    row.is_match(body),
                    "{at}: the text after the wire step shows no wire-lane row"
                ),
                _ => panic!("{at}: no text step after the wire step to read the lane"),
            }
        }
    }
    assert!(wire_steps >= 8, "only {wire_steps} wire steps");
    // Facts the lessons must keep.
    let text = |id: &str| {
        let (_, e) = c.find(id).unwrap();
        toml::to_string(&e.lesson).unwrap()
    };
    assert!(text("tcp-server").contains("→ SYN        seq 0 win 65495"));
    assert!(text("events").contains("→ RST-ACK"));
    assert!(text("events").contains("TIME_WAIT") && text("events").contains("60 seconds"));
    assert!(text("events").contains("ss -tan state time-wait"));
    assert!(
        text("nagle").contains("TCP_INFO"),
        "the fallback without the wire view"
    );
    assert!(text("backpressure").contains("win 0"));
    assert!(text("https").contains("ClientHello"));
}

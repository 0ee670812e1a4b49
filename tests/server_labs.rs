//! Server labs through the real binary: buggy servers fail with the sentence that names the
//! cause, servers that never listen, crash, or ignore SIGTERM get a verdict within the limit
//! plus 2 s and leave nothing behind, and a class mixing client and server labs grades right
//! in every format.

mod common;

use common::{have, netlab_bin, repo_root};
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};

fn buggy(f: &str) -> String {
    repo_root()
        .join("tests/server-labs")
        .join(f)
        .display()
        .to_string()
}

/// `netlab check LAB --format json [extra…] -- CMD…`: the report and how long it took.
fn check(lab: &str, extra: &[&str], cmd: &[&str]) -> (Value, Duration) {
    let started = Instant::now();
    let out = Command::new(netlab_bin())
        .args(["check", lab, "--format", "json"])
        .args(extra)
        .arg("--")
        .args(cmd)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, started.elapsed())
}

fn failed(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn tools() -> bool {
    have("node") && have("python3")
}

#[test]
fn buggy_servers_fail_with_the_sentence_that_names_the_cause() {
    if !tools() {
        return;
    }
    let cases = [
        (
            "echo-server",
            "node",
            "echo-no-end.js",
            "end",
            "your server never ended its own (no FIN within 2 s)",
        ),
        (
            "echo-server",
            "python3",
            "echo-one-at-a-time.py",
            "two-clients",
            "the second connection, opened while the first was still open: nothing came back",
        ),
        (
            "http-hello-server",
            "python3",
            "http-no-length.py",
            "hello",
            "no Content-Length and no chunked encoding",
        ),
        (
            "udp-pong-server",
            "python3",
            "udp-wrong-reply.py",
            "pong",
            "answer with the socket that received the ping",
        ),
        (
            "halfopen-server",
            "node",
            "halfopen-no-allow.js",
            "answer",
            "without { allowHalfOpen: true } a socket ends itself right after 'end'",
        ),
        (
            "halfopen-server",
            "python3",
            "halfopen-early.py",
            "waits-for-end",
            "your server answered before the client ended its side",
        ),
        (
            "udp-pong-server",
            "python3",
            "udp-echo-back.py",
            "pong",
            "expected \"pong\", got \"ping\"",
        ),
        (
            "http-hello-server",
            "python3",
            "http-dies-on-garbage.py",
            "bad-request",
            "your server no longer answers",
        ),
        (
            "echo-server",
            "node",
            "wrong-port.js",
            "listening",
            "Error: listen EACCES: permission denied 127.0.0.1 (the sandbox lets a server bind only the port in NETLAB_PORT)",
        ),
        (
            "greeting-server",
            "node",
            "greeting-waits.js",
            "greets-first",
            "nothing arrived within 2 s of connecting: greet as soon as the client connects",
        ),
        (
            "greeting-server",
            "python3",
            "greeting-no-newline.py",
            "greets-first",
            "expected the greeting \"Echo server\\r\\n\", got \"Echo server\"",
        ),
        (
            "unix-echo-server",
            "node",
            "unix-no-unlink.js",
            "socket-removed",
            "netlab's SIGTERM ended your server at once (its default action), leaving its socket file",
        ),
        (
            "unix-echo-server",
            "python3",
            "unix-no-end.py",
            "end",
            "your server never ended its own (no FIN within 2 s)",
        ),
        (
            "http-upload-server",
            "python3",
            "upload-no-chunked.py",
            "chunked",
            "was answered \"got 0 bytes\\n\", expected \"got 11 bytes\": a chunked body has no Content-Length",
        ),
        (
            "http-upload-server",
            "node",
            "upload-no-check.js",
            "too-large",
            "answered 100 Continue to a request declaring 2097152 bytes, more than the 1 MiB limit",
        ),
        (
            "http-upload-server",
            "python3",
            "upload-http10.py",
            "continue",
            "no 100 Continue within 2 s of a request with Expect: 100-continue",
        ),
        (
            "http-upgrade-server",
            "node",
            "upgrade-no-head.js",
            "early-bytes",
            "never came back, got \"\": in Node they arrive as the 'upgrade' listener's head argument",
        ),
        (
            "http-upgrade-server",
            "python3",
            "upgrade-always.py",
            "no-upgrade",
            "a request without Upgrade was answered 101",
        ),
        (
            "https-server",
            "python3",
            "https-plain.py",
            "handshake",
            "your server did not answer in TLS",
        ),
        (
            "bulk-server",
            "node",
            "bulk-no-drain.js",
            "memory",
            "it buffered the payload instead of waiting for the client — when write() returns false, stop and go on at 'drain'",
        ),
        (
            "bulk-server",
            "python3",
            "bulk-all-first.py",
            "memory",
            "in Python, sendall() each chunk as you make it",
        ),
        (
            "bulk-server",
            "node",
            "bulk-stops-at-false.js",
            "all-bytes",
            "then your server ended the connection: write() → false means wait for 'drain' and go on, not stop",
        ),
        (
            "https-server",
            "node",
            "https-no-end.js",
            "hello",
            "the chunked response never ended (no last, 0-size chunk within 2 s): did the handler call end()?",
        ),
    ];
    for (lab, interp, file, check_name, words) in cases {
        let (report, took) = check(lab, &["--timeout", "12"], &[interp, &buggy(file)]);
        assert_eq!(report["status"], "fail", "{file}: {report:#}");
        assert_eq!(report["role"], "server", "{file}");
        let fails = failed(&report);
        let msg = fails
            .iter()
            .find(|(n, _)| n == check_name)
            .unwrap_or_else(|| panic!("{file}: `{check_name}` did not fail: {fails:#?}"));
        assert!(msg.1.contains(words), "{file}: {}", msg.1);
        assert!(took < Duration::from_secs(14), "{file}: {took:?}");
    }
}

#[test]
fn servers_that_never_listen_crash_or_ignore_sigterm_end_in_time_and_leave_nothing() {
    if !tools() {
        return;
    }
    // Never listens: the limit, then a verdict quoting its stderr.
    let (report, took) = check(
        "echo-server",
        &["--timeout", "3"],
        &["python3", &buggy("never-listens.py")],
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    let fails = failed(&report);
    assert_eq!(fails[0].0, "listening", "{fails:#?}");
    assert!(
        fails[0].1.contains("never started listening on TCP port")
            && fails[0]
                .1
                .contains("netlab waited 3 s; its stderr said: starting up..."),
        "{}",
        fails[0].1
    );
    // Crashes: says so, with the error line.
    let (report, took) = check("echo-server", &[], &["python3", &buggy("crash.py")]);
    assert!(took < Duration::from_secs(5), "{took:?}");
    let fails = failed(&report);
    assert!(
        fails[0]
            .1
            .contains("it exited with status 1 first; its stderr said: KeyError: 'NETLAB_PORTT'"),
        "{}",
        fails[0].1
    );
    // Ignores SIGTERM and leaves a daemon: graded (it echoes), killed 1 s after SIGTERM, and
    // nothing of it is left — with the sandbox and without.
    for mode in ["auto", "off"] {
        let token = format!("SERVER-DAEMON-{}-{mode}", std::process::id());
        let (report, took) = check(
            "echo-server",
            &["--timeout", "20", "--sandbox", mode],
            &["python3", &buggy("ignores-sigterm.py"), &token],
        );
        assert_eq!(report["status"], "pass", "{mode}: {report:#}");
        assert_eq!(report["client"]["status"]["signal"], 9, "{mode}");
        assert!(took < Duration::from_secs(22), "{mode}: {took:?}");
        let left = Command::new("pgrep").args(["-f", &token]).output().unwrap();
        assert!(
            left.stdout.is_empty(),
            "{mode}: left running: {}",
            String::from_utf8_lossy(&left.stdout)
        );
    }
}

/// A server that exits mid-drive is reported as exiting, with its status, the step it was in
/// and its error line — not as the next step's reset or refusal — and netlab sends it no
/// SIGTERM (it waits for an interpreter's exit, which takes some milliseconds after its
/// sockets close).
#[test]
fn a_server_crashing_mid_drive_is_reported_as_exiting_with_its_status() {
    if !tools() {
        return;
    }
    for (interp, file, code, said) in [
        (
            "python3",
            "crash-on-bye.py",
            1,
            "ValueError: a client said bye, and this server takes it badly",
        ),
        ("node", "crash-on-bye.js", 7, "a client said bye: giving up"),
    ] {
        for mode in ["auto", "off"] {
            let (report, took) = check(
                "echo-server",
                &["--timeout", "12", "--sandbox", mode],
                &[interp, &buggy(file)],
            );
            assert!(took < Duration::from_secs(14), "{file} {mode}: {took:?}");
            assert_eq!(
                report["client"]["status"],
                serde_json::json!({"how": "exited", "code": code}),
                "{file} {mode}: {report:#}"
            );
            let fails = failed(&report);
            let end = fails
                .iter()
                .find(|(n, _)| n == "end")
                .unwrap_or_else(|| panic!("{file} {mode}: {fails:#?}"));
            let want = format!(
                "your server exited (status {code}) during step end; its stderr said: {said}"
            );
            assert!(end.1.contains(&want), "{file} {mode}: {}", end.1);
            // The steps after it were never run, and say why.
            let bulk = report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == "bulk")
                .unwrap();
            assert_eq!(bulk["status"], "skip", "{file} {mode}: {bulk:#}");
            assert!(
                bulk["message"].as_str().unwrap().contains(&format!(
                    "never got to this step: your server exited (status {code}) during step end"
                )),
                "{file} {mode}: {bulk:#}"
            );
        }
    }
}

/// netlab's clients are on the trace model: the report JSON's `client_timeline` holds their
/// lanes with Node's event names, like any timeline.
#[test]
fn netlab_clients_are_recorded_as_client_lanes() {
    if !tools() {
        return;
    }
    let echo = repo_root().join("labs/echo-server/solution.py");
    let (report, _) = check(
        "echo-server",
        &[],
        &["python3", &echo.display().to_string()],
    );
    assert_eq!(report["status"], "pass", "{report:#}");
    let lanes = report["client_timeline"].as_array().unwrap();
    let first: Vec<String> = lanes
        .iter()
        .filter(|e| e["scope"] == "client" && e["conn"] == 1)
        .map(|e| {
            format!(
                "{} {}",
                e["event"].as_str().unwrap(),
                e["text"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        first,
        [
            "connect ",
            "write hello\r\n",
            "data hello\r\n",
            "end() ",
            "finish ",
            "close "
        ],
        "{lanes:#?}"
    );
    // Every connection the drive opened is a lane, and each one closes.
    let opened = lanes.iter().filter(|e| e["event"] == "connect").count();
    let closed = lanes.iter().filter(|e| e["event"] == "close").count();
    assert!(
        opened >= 6 && opened == closed,
        "{opened} connects, {closed} closes"
    );
    let http = repo_root().join("labs/http-hello-server/solution.js");
    let (report, _) = check(
        "http-hello-server",
        &[],
        &["node", &http.display().to_string()],
    );
    let lanes = report["client_timeline"].as_array().unwrap();
    let statuses: Vec<u64> = lanes
        .iter()
        .filter(|e| e["scope"] == "client_request" && e["event"] == "response")
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(&statuses[..2], [200, 404], "{lanes:#?}");
    assert!(statuses.contains(&400), "{statuses:?}");
}

/// A step whose bytes differ from the expected ones says where, in hex and escaped, in the
/// text and in the JSON (`steps[].diff`).
#[test]
fn step_failures_show_where_the_bytes_differ() {
    if !tools() {
        return;
    }
    let (report, _) = check(
        "greeting-server",
        &[],
        &["python3", &buggy("greeting-no-newline.py")],
    );
    let fails = failed(&report);
    let greets = fails.iter().find(|(n, _)| n == "greets-first").unwrap();
    assert!(
        greets
            .1
            .contains(r#"at byte 11: expected 0d 0a ("\r\n"), got nothing more"#),
        "{}",
        greets.1
    );
    let step = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "greets-first")
        .unwrap();
    assert_eq!(
        step["diff"],
        serde_json::json!({"offset": 11, "expected_hex": "0d 0a", "expected": "\\r\\n", "got_hex": "", "got": ""})
    );
}

/// Runs `netlab check LAB --format json -- CMD…` while sampling its peak RSS (VmHWM, which
/// only grows, from /proc) until it exits: the report and the highest VmHWM seen, in kB.
fn check_sampling_rss(lab: &str, extra: &[&str], cmd: &[&str]) -> (Value, u64) {
    let mut child = Command::new(netlab_bin())
        .args(["check", lab, "--format", "json"])
        .args(extra)
        .arg("--")
        .args(cmd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut out).unwrap();
        out
    });
    let mut peak = 0u64;
    // Bounded: 30 s of 5 ms samples; VmHWM is a high-water mark, so sampling misses no peak
    // reached before the last sample (the bulk step ends well before netlab does).
    for _ in 0..6000 {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    if child.try_wait().unwrap().is_none() {
        let _ = child.kill();
    }
    child.wait().unwrap();
    let out = reader.join().unwrap();
    (serde_json::from_slice(&out).unwrap(), peak)
}

/// The echo-server's bulk step (8 MB written while reading slowly) is streamed and compared
/// as it goes: netlab's peak RSS while grading the node and python references stays within
/// 16 MiB of a run that never gets past `listening` (measured: ~0.5 MB over it; holding the
/// 8 MB sent and the 8 MB echoed would break the bound).
#[test]
fn grading_the_bulk_echo_keeps_netlabs_memory_bounded() {
    if !tools() {
        return;
    }
    let (base_report, base) = check_sampling_rss(
        "echo-server",
        &["--timeout", "1"],
        &["python3", &buggy("never-listens.py")],
    );
    assert_eq!(base_report["status"], "fail");
    assert!(base > 0, "no VmHWM sampled");
    for (interp, file) in [("node", "solution.js"), ("python3", "solution.py")] {
        let path = repo_root().join("labs/echo-server").join(file);
        let (report, peak) =
            check_sampling_rss("echo-server", &[], &[interp, &path.display().to_string()]);
        assert_eq!(report["status"], "pass", "{interp}: {report:#}");
        eprintln!(
            "netlab's peak RSS grading echo-server ({interp}): {peak} kB (baseline {base} kB)"
        );
        assert!(
            peak <= base + 16 * 1024,
            "{interp}: peak RSS {peak} kB, more than 16 MiB over the baseline {base} kB"
        );
    }
}

#[test]
fn reference_servers_pass_with_and_without_the_sandbox() {
    if !tools() {
        return;
    }
    for (lab, interp, file) in [
        ("echo-server", "python3", "solution.py"),
        ("udp-pong-server", "node", "solution.js"),
        ("http-hello-server", "node", "solution.js"),
        ("halfopen-server", "python3", "solution.py"),
        ("greeting-server", "node", "solution.js"),
        ("greeting-server", "python3", "solution.py"),
        ("unix-echo-server", "node", "solution.js"),
        ("unix-echo-server", "python3", "solution.py"),
        ("http-upload-server", "node", "solution.js"),
        ("http-upload-server", "python3", "solution.py"),
        ("http-upgrade-server", "node", "solution.js"),
        ("http-upgrade-server", "python3", "solution.py"),
        ("https-server", "node", "solution.js"),
        ("https-server", "python3", "solution.py"),
        ("bulk-server", "node", "solution.js"),
        ("bulk-server", "python3", "solution.py"),
    ] {
        let path = repo_root().join("labs").join(lab).join(file);
        for mode in ["require", "off"] {
            let (report, _) = check(
                lab,
                &["--sandbox", mode],
                &[interp, &path.display().to_string()],
            );
            assert_eq!(report["status"], "pass", "{lab} {mode}: {report:#}");
            let header = Command::new(netlab_bin())
                .args(["check", lab, "--sandbox", mode, "--", interp])
                .arg(&path)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&header.stdout);
            assert!(text.contains(&format!("server: {interp} ")), "{text}");
            assert!(
                text.contains("stopped by netlab's SIGTERM") || text.contains("exit 0"),
                "{text}"
            );
        }
    }
}

#[test]
fn a_class_mixing_client_and_server_labs_grades_right_in_every_format() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    let lab = |l: &str, f: &str| std::fs::read_to_string(repo_root().join("labs").join(l).join(f));
    let write = |student: &str, lang: &str, files: &[(&str, String)]| {
        let ws = class.join(student);
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::write(ws.join("netlab.toml"), format!("language = \"{lang}\"\n")).unwrap();
        for (path, text) in files {
            let p = ws.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    };
    write(
        "ana",
        "node",
        &[
            (
                "echo-server/server.js",
                lab("echo-server", "solution.js").unwrap(),
            ),
            (
                "tcp-hello/client.js",
                lab("tcp-hello", "solution.js").unwrap(),
            ),
        ],
    );
    write(
        "ben",
        "python",
        &[
            (
                "echo-server/server.py",
                std::fs::read_to_string(buggy("echo-one-at-a-time.py")).unwrap(),
            ),
            (
                "http-hello-server/server.py",
                lab("http-hello-server", "solution.py").unwrap(),
            ),
        ],
    );
    // A client file in a server lab's folder is not the server: missing.
    write(
        "cy",
        "python",
        &[(
            "udp-pong-server/client.py",
            lab("udp-pong-server", "solution.py").unwrap(),
        )],
    );
    let out = dir.path().join("book.json");
    let run = Command::new(netlab_bin())
        .arg("grade")
        .arg(&class)
        .args(["--jobs", "2", "--format", "json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    let book: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let mut got = std::collections::BTreeMap::new();
    for s in book["students"].as_array().unwrap() {
        for l in s["labs"].as_array().unwrap() {
            got.insert(
                format!(
                    "{}/{}",
                    s["student"].as_str().unwrap(),
                    l["lab"].as_str().unwrap()
                ),
                l["status"].as_str().unwrap().to_string(),
            );
        }
    }
    let want: std::collections::BTreeMap<String, String> = [
        ("ana/echo-server", "pass"),
        ("ana/tcp-hello", "pass"),
        ("ben/echo-server", "fail"),
        ("ben/http-hello-server", "pass"),
        ("cy/udp-pong-server", "missing"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(got, want);
    let missing = &book["students"][2]["labs"][0]["report"];
    assert!(
        missing
            .as_str()
            .unwrap()
            .contains("server.py does not exist"),
        "{missing}"
    );
    for (format, needle) in [
        ("csv", "ben,echo-server,fail"),
        ("markdown", "echo-server"),
        ("junit", "testcase"),
    ] {
        let o = Command::new(netlab_bin())
            .args(["grade", "merge", "--format", format])
            .arg(&out)
            .output()
            .unwrap();
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(text.contains(needle), "{format}: {text}");
    }
}

/// A Unix socket's file appears at bind(), before listen(): netlab waits for the listening
/// entry, so a server that listens late is not refused its first client.
#[test]
fn a_unix_server_that_listens_after_a_pause_is_waited_for() {
    if !tools() {
        return;
    }
    let (report, _) = check(
        "unix-echo-server",
        &[],
        &["python3", &buggy("unix-slow-listen.py")],
    );
    assert_eq!(report["status"], "pass", "{:?}", failed(&report));
}

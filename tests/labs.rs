//! Labs through the real binary: reference solutions pass (via `netlab dev check`), starters
//! fail, deliberately buggy clients fail with the right explanation, and hostile clients
//! (hang, orphans, setsid escape, stdout flood, crash) fail within the limit + 2 s with nothing
//! left running.

mod common;

use common::{have, netlab_bin, repo_root};
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};

struct Checked {
    json: Value,
    code: i32,
    took: Duration,
}

impl Checked {
    fn check(&self, name: &str) -> &Value {
        self.json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no check {name} in {:#}", self.json))
    }
    fn failed_with(&self, name: &str, words: &str) {
        let c = self.check(name);
        assert_eq!(c["status"], "fail", "{name} should fail: {:#}", self.json);
        let msg = c["message"].as_str().unwrap_or_default();
        assert!(msg.contains(words), "{name}: `{msg}` lacks `{words}`");
    }
    fn status(&self) -> &str {
        self.json["status"].as_str().unwrap()
    }
}

fn client(name: &str) -> String {
    repo_root()
        .join("tests/lab-clients")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn check(lab: &str, extra: &[&str], cmd: &[&str]) -> Checked {
    let start = Instant::now();
    let out = Command::new(netlab_bin())
        .args(["check", lab, "--json"])
        .args(extra)
        .arg("--")
        .args(cmd)
        .output()
        .expect("run netlab check");
    let took = start.elapsed();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    Checked {
        json,
        code: out.status.code().unwrap_or(-1),
        took,
    }
}

/// True when no process whose command line contains `needle` is running.
fn none_running(needle: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().all(|e| {
        std::fs::read(e.path().join("cmdline"))
            .map(|c| {
                let c = String::from_utf8_lossy(&c).replace('\0', " ");
                !c.contains(needle)
            })
            .unwrap_or(true)
    })
}

#[test]
fn dev_check_proves_every_lab() {
    if !have("node") || !have("python3") {
        return;
    }
    let out = Command::new(netlab_bin())
        .args(["dev", "check", "--sandbox", "require"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    // Every reference solution and starter, in every language, ran inside the full sandbox.
    assert!(
        text.contains("0 problem(s); sandbox: landlock+userns+seccomp\n"),
        "{text}"
    );
    for lab in [
        "tcp-hello",
        "tcp-greeting",
        "unix-hello",
        "udp-ping",
        "tcp-bulk",
        "tcp-idle",
        "http-get",
        "http-keepalive",
        "http-post-continue",
        "http-agent-pool",
        "http-basic-auth",
        "http-upgrade",
        "http-connect",
        "https-get",
    ] {
        assert!(
            text.contains(&format!("{lab} (")),
            "{lab} missing from:\n{text}"
        );
    }
}

#[test]
fn wrong_bytes_get_a_hex_diff() {
    let r = check("tcp-hello", &[], &["python3", &client("hello-no-cr.py")]);
    assert_eq!(r.status(), "fail");
    assert_eq!(r.code, 1);
    r.failed_with("sent-hello", "the server received \"hello\\n\" (6 B)");
    let out = r.check("sent-hello")["output"].as_str().unwrap();
    assert!(out.contains("first difference at byte 5"), "{out}");
    assert_eq!(r.check("printed-echo")["status"], "skip");
}

#[test]
fn a_reset_instead_of_end_is_explained() {
    if !have("node") {
        return;
    }
    let r = check("tcp-hello", &[], &["node", &client("hello-destroy.js")]);
    assert_eq!(r.status(), "fail");
    r.failed_with("closed-with-fin", "reset (ECONNRESET)");
    assert_eq!(r.check("sent-hello")["status"], "pass");
}

#[test]
fn printing_without_connecting_never_passes() {
    let r = check("tcp-hello", &[], &["bash", &client("print-only.sh")]);
    assert_eq!(r.status(), "fail");
    r.failed_with("connected", "Nothing reached the server");
    assert_eq!(r.check("printed-echo")["status"], "skip");
    assert_eq!(r.json["points"], 1, "only exit-zero: {:#}", r.json);
}

#[test]
fn an_extra_connection_fails() {
    let r = check("tcp-hello", &[], &["python3", &client("hello-twice.py")]);
    r.failed_with("one-connection", "saw 2 connections");
}

#[test]
fn speaking_before_the_greeting_fails() {
    let r = check("tcp-greeting", &[], &["bash", &client("greeting-eager.sh")]);
    r.failed_with(
        "waited-for-greeting",
        "you spoke before the server's greeting",
    );
}

#[test]
fn udp_payload_with_a_newline_fails() {
    let r = check("udp-ping", &[], &["bash", &client("udp-newline.sh")]);
    r.failed_with("sent-hello", "(14 B)");
}

#[test]
fn closing_a_bulk_transfer_early_fails() {
    let r = check("tcp-bulk", &[], &["python3", &client("bulk-early.py")]);
    r.failed_with(
        "read-to-end",
        "closed before the server had finished sending",
    );
}

#[test]
fn an_impatient_client_never_sees_the_timeout() {
    if !have("node") {
        return;
    }
    let r = check("tcp-idle", &[], &["node", &client("idle-impatient.js")]);
    r.failed_with("saw-timeout", "never timed out");
}

#[test]
fn a_hanging_client_is_stopped_at_the_limit() {
    let r = check(
        "tcp-hello",
        &["--timeout", "1"],
        &["bash", &client("hang.sh")],
    );
    assert_eq!(r.status(), "fail");
    r.failed_with("exit-zero", "still running after the time limit");
    assert!(r.took < Duration::from_secs(3), "took {:?}", r.took);
    assert!(none_running("sleep 600"));
}

#[test]
fn orphans_and_escaped_processes_are_killed() {
    let r = check("tcp-hello", &[], &["bash", &client("orphans.sh")]);
    // Its networking is right; what it left behind is stopped and noted.
    assert_eq!(r.status(), "pass", "{:#}", r.json);
    // Whether a process dies with the group kill or is found by the run marker depends on
    // timing; what must hold is that none survives.
    assert!(
        r.json["client"]["leftovers_killed"].is_u64(),
        "{:#}",
        r.json
    );
    for s in ["sleep 4242", "sleep 4243", "sleep 4244"] {
        assert!(none_running(s), "{s} is still running");
    }
}

#[test]
fn a_stdout_flood_is_capped_and_fails() {
    let r = check(
        "tcp-hello",
        &["--timeout", "3"],
        &["bash", &client("stdout-flood.sh")],
    );
    assert_eq!(r.status(), "fail");
    assert!(r.took < Duration::from_secs(5), "took {:?}", r.took);
    let total = r.json["client"]["stdout_bytes"].as_u64().unwrap();
    assert!(total > 1 << 20, "flood counted: {total}");
}

#[test]
fn a_crashing_client_fails_plainly() {
    let r = check("tcp-hello", &[], &["python3", &client("crash.py")]);
    assert_eq!(r.status(), "fail");
    r.failed_with("exit-zero", "killed by signal 9 (SIGKILL)");
}

#[test]
fn unknown_labs_and_missing_commands_are_usage_errors() {
    let out = Command::new(netlab_bin())
        .args(["check", "tcp-helo", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `tcp-hello`"));
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(netlab_bin())
        .args(["check", "tcp-hello"])
        .current_dir(dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("netlab init"));
}

#[test]
fn a_broken_course_is_exit_3_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let lab = dir.path().join("labs/bad");
    std::fs::create_dir_all(&lab).unwrap();
    std::fs::write(
        lab.join("lab.toml"),
        "format_version = 1\nid = \"bad\"\ntitle = 3\n",
    )
    .unwrap();
    let out = Command::new(netlab_bin())
        .args(["dev", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("labs/bad/lab.toml:3:9:"), "{err}");
    assert!(err.contains("^"), "{err}");
}

#[test]
fn the_text_report_explains_and_shows_how_to_reproduce() {
    let out = Command::new(netlab_bin())
        .args([
            "check",
            "tcp-hello",
            "--",
            "python3",
            &client("hello-no-cr.py"),
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("netlab check tcp-hello — Say hello over TCP\n"),
        "{text}"
    );
    assert!(text.contains("  ✓ connected              1/1\n"), "{text}");
    assert!(text.contains("  ✗ sent-hello             0/3\n"), "{text}");
    assert!(text.contains("  – printed-echo           0/2\n"), "{text}");
    assert!(
        text.contains("skipped: it needs `sent-hello`, which did not pass"),
        "{text}"
    );
    assert!(
        text.contains("reproduce it by hand:\n  netlab serve tcp-echo --port 8124"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("FAIL  5/10 points"), "{text}");
}

#[test]
fn init_writes_a_workspace_that_check_grades_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let out = Command::new(netlab_bin())
        .args(["init", ws.to_str().unwrap(), "--lang", "python"])
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(ws.join("netlab.toml"))
            .unwrap()
            .lines()
            .last(),
        Some("language = \"python\"")
    );
    let client = ws.join("tcp-hello/client.py");
    assert!(std::fs::read_to_string(&client).unwrap().contains("TODO"));
    assert!(ws.join("tcp-hello/README.md").is_file());

    // The starter fails; the learner's fixed client passes, graded from inside the workspace.
    let grade = |cwd: &std::path::Path| {
        Command::new(netlab_bin())
            .args(["check", "tcp-hello"])
            .current_dir(cwd)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(grade(&ws.join("tcp-hello")), Some(1));
    let mine = std::fs::read_to_string(repo_root().join("labs/tcp-hello/solution.py")).unwrap();
    std::fs::write(&client, &mine).unwrap();
    assert_eq!(grade(&ws), Some(0));

    // Running init again keeps the learner's work.
    let out = Command::new(netlab_bin())
        .args(["init", ws.to_str().unwrap(), "--lang", "python"])
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 file(s) written"));
    assert_eq!(std::fs::read_to_string(&client).unwrap(), mine);
}

#[test]
fn greeting_then_a_reset_fails_the_fin_check() {
    let r = check(
        "tcp-greeting",
        &[],
        &["python3", &client("greeting-reset.py")],
    );
    assert_eq!(r.check("waited-for-greeting")["status"], "pass");
    r.failed_with("closed-with-fin", "reset (ECONNRESET)");
}

#[test]
fn unix_hello_with_wrong_bytes_or_the_wrong_socket_fails() {
    let r = check("unix-hello", &[], &["python3", &client("unix-shout.py")]);
    r.failed_with("sent-hello", "\"HELLO\\r\\n\"");
    let r = check("unix-hello", &[], &["bash", &client("unix-tcp.sh")]);
    r.failed_with("connected", "NETLAB_SOCKET");
    assert_eq!(r.check("printed-echo")["status"], "skip");
}

#[test]
fn two_datagrams_fail_the_udp_lab() {
    let r = check("udp-ping", &[], &["python3", &client("udp-twice.py")]);
    r.failed_with("one-datagram", "saw 2 datagrams");
}

#[test]
fn printing_the_wrong_count_fails_the_bulk_lab() {
    if !have("node") {
        return;
    }
    let r = check("tcp-bulk", &[], &["node", &client("bulk-wrong-count.js")]);
    assert_eq!(r.check("read-to-end")["status"], "pass");
    r.failed_with("printed-total", "printed something else");
    let diff = r.check("printed-total")["output"].as_str().unwrap();
    assert!(diff.contains("- 8388608"), "{diff}");
}

#[test]
fn a_chatty_client_fails_the_idle_lab() {
    let r = check("tcp-idle", &[], &["bash", &client("idle-chatty.sh")]);
    r.failed_with("sent-hi", "the server received \"hi\\r\\nstill here");
}

/// (lab, client, interpreter, failing check, words in its explanation)
const HTTP_BUGS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "http-get",
        "get-no-accept.sh",
        "bash",
        "accept-header",
        "carried `Accept: */*`",
    ),
    (
        "http-get",
        "get-wrong-path.sh",
        "bash",
        "get-hello",
        "saw `GET /hi`",
    ),
    (
        "http-keepalive",
        "keepalive-two-conns.sh",
        "bash",
        "one-connection",
        "saw 2 connections",
    ),
    (
        "http-keepalive",
        "keepalive-one-request.sh",
        "bash",
        "two-requests",
        "saw 1 request,",
    ),
    (
        "http-post-continue",
        "continue-no-expect.sh",
        "bash",
        "expect-header",
        "had no `Expect` header",
    ),
    (
        "http-post-continue",
        "continue-eager.py",
        "python3",
        "waited-for-continue",
        "before the server's 100 Continue",
    ),
    (
        "http-agent-pool",
        "pool-sequential.sh",
        "bash",
        "pool-of-five",
        "at most 1 request(s) were in flight",
    ),
    (
        "http-agent-pool",
        "pool-unbounded.sh",
        "bash",
        "pool-of-five",
        "10 requests were in flight at once",
    ),
    (
        "http-basic-auth",
        "auth-wrong.sh",
        "bash",
        "credentials",
        "carried `Authorization: Basic bmV0bGFiOnNlY3JldA==`",
    ),
    (
        "http-basic-auth",
        "auth-none.sh",
        "bash",
        "credentials",
        "had no `Authorization` header",
    ),
    (
        "http-upgrade",
        "upgrade-eager.py",
        "python3",
        "waited-for-101",
        "you sent 3 byte(s) before the server switched",
    ),
    (
        "http-upgrade",
        "upgrade-websocket.py",
        "python3",
        "waited-for-101",
        "saw no upgrade or CONNECT request",
    ),
    (
        "http-connect",
        "connect-eager.py",
        "python3",
        "waited-for-200",
        "you sent 7 byte(s) before the server switched",
    ),
    (
        "http-connect",
        "connect-elsewhere.py",
        "python3",
        "connect-echo",
        "saw `CONNECT example.com:443`",
    ),
    (
        "https-get",
        "https-plain.sh",
        "bash",
        "tls-handshake",
        "tlsClientError ERR_SSL_HTTP_REQUEST",
    ),
    (
        "https-get",
        "https-untrusted.sh",
        "bash",
        "tls-handshake",
        "tlsClientError ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
    ),
];

#[test]
fn buggy_http_clients_fail_with_the_right_explanation() {
    if !have("curl") {
        return;
    }
    for (lab, file, interp, check_name, words) in HTTP_BUGS {
        let r = check(lab, &[], &[interp, &client(file)]);
        assert_eq!(r.status(), "fail", "{lab} with {file}: {:#}", r.json);
        r.failed_with(check_name, words);
    }
}

#[test]
fn completions_cover_every_command() {
    let out = Command::new(netlab_bin())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let script = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "demo", "check", "init", "dev", "completions"] {
        assert!(
            script.contains(cmd),
            "{cmd} missing from the bash completions"
        );
    }
    let bad = Command::new(netlab_bin())
        .args(["completions", "nosh"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_request_without_host_is_told_about_the_400_and_why() {
    let r = check("http-get", &[], &["bash", &client("get-no-host.sh")]);
    assert_eq!(r.status(), "fail");
    r.failed_with("one-request", "saw 0 requests");
    r.failed_with(
        "one-request",
        "the server answered 400 Bad Request because HTTP/1.1 requires a Host header",
    );
    r.failed_with(
        "one-request",
        "the `400` your client printed is that answer",
    );
    // The checks that need a request cannot say more: skipped, not failed twice.
    let get = r.check("get-hello");
    assert_eq!(get["status"], "skip", "{:#}", r.json);
    assert!(
        get["message"]
            .as_str()
            .unwrap()
            .contains("the server saw no HTTP request"),
        "{get:#}"
    );
    assert_eq!(r.check("accept-header")["status"], "skip");
}

#[test]
fn a_client_that_never_sends_its_fin_is_told_so_with_the_real_limit() {
    let r = check(
        "tcp-hello",
        &["--timeout", "2"],
        &["python3", &client("hello-no-fin.py")],
    );
    assert_eq!(r.status(), "fail");
    r.failed_with("exit-zero", "after the time limit (2 s)");
    r.failed_with("exit-zero", "you never ended your side of conn1");
    r.failed_with("exit-zero", "waiting for your FIN");
    // The FIN the server finally saw came from netlab stopping the client.
    r.failed_with(
        "closed-with-fin",
        "came only when netlab stopped your client",
    );
    let text = serde_json::to_string(&r.json).unwrap();
    assert!(!text.contains("(10 s)"), "{text}");
}

#[test]
fn a_passing_report_lists_no_empty_checks() {
    let out = Command::new(netlab_bin())
        .args(["check", "tcp-hello", "--", "bash"])
        .arg(repo_root().join("labs/tcp-hello/solution.sh"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("  ✓ sent-hello             3/3\n"), "{text}");
    assert!(!text.contains("timeline"), "{text}");
    assert!(!text.contains("0/0"), "{text}");
}

#[test]
fn control_characters_from_a_client_never_reach_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("evil.sh");
    std::fs::write(
        &evil,
        "printf '\\033]0;pwned\\007\\033[2Jboom\\n' >&2\nprintf '\\033[31mhello\\n'\nexit 3\n",
    )
    .unwrap();
    let out = Command::new(netlab_bin())
        .args(["check", "tcp-hello", "--"])
        .arg("bash")
        .arg(&evil)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("boom"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}

/// Echo printed is echo received: where the lab's server sends a per-run token, a client that
/// does all the talking right but prints a fixed string fails `printed`, told that it printed
/// what it did not receive — and the token differs between runs.
#[test]
fn printing_a_literal_instead_of_what_was_received_fails() {
    let r = check(
        "tcp-greeting",
        &[],
        &["python3", &client("greeting-literal.py")],
    );
    assert_eq!(r.status(), "fail", "{:#}", r.json);
    assert_eq!(r.check("waited-for-greeting")["status"], "pass");
    assert_eq!(r.check("sent-ping")["status"], "pass");
    r.failed_with("printed", "printed what it did not receive");
    let token = |r: &Checked| {
        let m = r.check("printed")["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        regex::Regex::new(r"token `([0-9a-f]{8})`")
            .unwrap()
            .captures(&m)
            .map(|c| c[1].to_string())
            .unwrap_or_else(|| panic!("no token in `{m}`"))
    };
    let again = check(
        "tcp-greeting",
        &[],
        &["python3", &client("greeting-literal.py")],
    );
    assert_ne!(
        token(&r),
        token(&again),
        "the token must change between runs"
    );
    if have("curl") {
        let r = check("http-get", &[], &["bash", &client("get-literal.sh")]);
        assert_eq!(r.status(), "fail", "{:#}", r.json);
        assert_eq!(r.check("get-hello")["status"], "pass");
        r.failed_with("printed", "printed what it did not receive");
    }
}

/// The fix-this-client labs: each starter is a plausible broken client, and the report names
/// what is broken; each reference solution passes (also proven by `netlab dev check`).
#[test]
fn broken_starters_of_fix_labs_fail_with_the_right_sentence() {
    if !have("node") || !have("python3") || !have("nc") || !have("curl") {
        return;
    }
    let labs = repo_root().join("labs");
    // (lab, [(check, words the failure must contain)]): one run per starter.
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "fix-missing-end",
            &[
                ("closed-with-fin", "your client never ended its side itself"),
                (
                    "exit-zero",
                    "it was waiting for your FIN while your client waited for its EOF",
                ),
            ],
        ),
        ("fix-crlf", &[("get-hello", "answered 400 Bad Request")]),
        (
            "fix-continue",
            &[("waited-for-continue", "before the server's 100 Continue")],
        ),
    ];
    for (lab, expect) in cases {
        for (interp, file) in [
            ("node", "starter.js"),
            ("python3", "starter.py"),
            ("bash", "starter.sh"),
        ] {
            let path = labs.join(lab).join(file).to_string_lossy().into_owned();
            let r = check(lab, &[], &[interp, &path]);
            assert_eq!(r.status(), "fail", "{lab} {file}: {:#}", r.json);
            for (check_name, words) in *expect {
                r.failed_with(check_name, words);
            }
        }
        let path = labs
            .join(lab)
            .join("solution.py")
            .to_string_lossy()
            .into_owned();
        let r = check(lab, &[], &["python3", &path]);
        assert_eq!(r.status(), "pass", "{lab} solution.py: {:#}", r.json);
    }
}

/// https-get: an impostor answers the run's first handshake with a self-signed certificate. A
/// client that does not verify (`rejectUnauthorized: false`) completes it and fails with a
/// sentence saying why; one that verifies but never connects again misses the real server.
#[test]
fn https_get_fails_a_client_that_does_not_verify() {
    if !have("node") || !have("python3") {
        return;
    }
    let r = check("https-get", &[], &["node", &client("https-insecure.js")]);
    assert_eq!(r.status(), "fail", "{:#}", r.json);
    r.failed_with("impostor-refused", "rejectUnauthorized: false");
    r.failed_with("impostor-refused", "self-signed");
    let r = check("https-get", &[], &["python3", &client("https-once.py")]);
    assert_eq!(r.status(), "fail", "{:#}", r.json);
    assert_eq!(r.check("impostor-refused")["status"], "pass");
    r.failed_with("tls-handshake", "connect again");
}

/// tcp-lines: a client that takes a `data` chunk for a line, or reads once, is told that a
/// chunk is not a message.
#[test]
fn a_client_that_prints_chunks_as_lines_fails_the_framing_lab() {
    if !have("node") || !have("python3") {
        return;
    }
    let r = check("tcp-lines", &[], &["node", &client("lines-per-chunk.js")]);
    assert_eq!(r.status(), "fail", "{:#}", r.json);
    r.failed_with("whole-lines", "split across two `data` chunks");
    let r = check("tcp-lines", &[], &["python3", &client("lines-one-recv.py")]);
    assert_eq!(r.status(), "fail", "{:#}", r.json);
    r.failed_with("whole-lines", "had not arrived yet");
    r.failed_with("read-to-end", "closed before the server had finished");
}

/// tcp-errors: a client must name each error and give up on silence by itself.
#[test]
fn clients_that_misreport_errors_fail_the_errors_lab() {
    if !have("node") || !have("python3") || !have("curl") {
        return;
    }
    let r = check(
        "tcp-errors",
        &["--timeout", "3"],
        &["node", &client("errors-no-timeout.js")],
    );
    assert_eq!(r.status(), "fail", "{:#}", r.json);
    r.failed_with("gave-up", "never answered on conn2");
    let r = check(
        "tcp-errors",
        &[],
        &["python3", &client("errors-messages.py")],
    );
    assert_eq!(r.status(), "fail", "{:#}", r.json);
    assert_eq!(r.check("gave-up")["status"], "pass");
    r.failed_with("reported", "printed something else");
    let r = check("tcp-errors", &[], &["bash", &client("errors-give-up.sh")]);
    assert_eq!(r.status(), "fail", "{:#}", r.json);
    r.failed_with("two-accepted", "saw 1 connection, expected 2");
}

/// dual-stack: a client must reach the dual-stack server over both IPv4 and IPv6.
#[test]
fn a_client_that_sticks_to_one_family_fails_the_dual_stack_lab() {
    if !have("python3") {
        return;
    }
    let r = check("dual-stack", &[], &["python3", &client("dual-v4-only.py")]);
    assert_eq!(r.status(), "fail", "{:#}", r.json);
    r.failed_with(
        "both-families",
        "only IPv4 clients (::ffff:127.0.0.1, ::ffff:127.0.0.1",
    );
    let r = check("dual-stack", &[], &["bash", &client("dual-v6-only.sh")]);
    assert_eq!(r.status(), "fail", "{:#}", r.json);
    r.failed_with("both-families", "only IPv6 clients (::1, ::1)");
}

//! The wire view through the real binary (issue #18's acceptance): `demo --wire` shows the
//! handshake, the data and both FINs beside the socket events; `--pcap` writes what
//! `tcpdump -r` reads; `serve --wire` + `netlab exec` capture the learner's own `nc`; the
//! fallbacks without namespaces; `check --wire`.
//!
//! Every process gets a registry directory of its own (`XDG_RUNTIME_DIR`), so tests running in
//! parallel (or other netlabs of this user) never see each other's wire-mode servers.

mod common;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::channel;
use std::time::Instant;

fn netlab(runtime: &Path) -> Command {
    let mut c = Command::new(common::netlab_bin());
    c.env("XDG_RUNTIME_DIR", runtime)
        .env_remove("NETLAB_SANDBOX_PRETEND_LACKING");
    c
}

fn lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn is_segment(v: &Value) -> bool {
    v["scope"] == "wire" && v["event"] == "segment"
}

/// The index of the first line at or after `from` matching `pred`, or a failure naming what.
fn find(ev: &[Value], from: usize, what: &str, pred: impl Fn(&Value) -> bool) -> usize {
    ev.iter()
        .enumerate()
        .skip(from)
        .find(|(_, v)| pred(v))
        .map(|(i, _)| i)
        .unwrap_or_else(|| {
            let shown: Vec<String> = ev.iter().map(|v| v.to_string()).collect();
            panic!(
                "no {what} at or after line {from} in:\n{}",
                shown.join("\n")
            )
        })
}

fn seg(dir: &'static str, flags: &'static str) -> impl Fn(&Value) -> bool {
    move |v| is_segment(v) && v["dir"] == dir && v["flags"] == flags
}

fn fin(dir: &'static str) -> impl Fn(&Value) -> bool {
    move |v| is_segment(v) && v["dir"] == dir && v["flags"].as_str().unwrap().contains("FIN")
}

fn data(dir: &'static str, len: u64) -> impl Fn(&Value) -> bool {
    move |v| is_segment(v) && v["dir"] == dir && v["len"] == len
}

fn event(scope: &'static str, name: &'static str) -> impl Fn(&Value) -> bool {
    move |v| v["scope"] == scope && v["event"] == name
}

#[test]
fn demo_tcp_echo_shows_the_packets_in_order_beside_the_socket_events() {
    let rt = tempfile::tempdir().unwrap();
    let out = netlab(rt.path())
        .args(["demo", "tcp-echo", "--wire", "--json"])
        .output()
        .unwrap();
    ok(&out);
    let mut ev = lines(&out.stdout);
    // In time order (the printer holds entries a moment to print them so; on a loaded machine
    // a packet may be recorded later than that, so the order asserted is the timeline's).
    let t = |v: &Value| v["t_ms"].as_f64().unwrap_or(f64::MAX);
    ev.sort_by(|a, b| t(a).total_cmp(&t(b)));
    // The handshake, the data both ways, then a FIN each way, in order.
    let syn = find(&ev, 0, "SYN →", seg("in", "SYN"));
    let syn_ack = find(&ev, syn, "SYN-ACK ←", seg("out", "SYN-ACK"));
    let ack = find(&ev, syn_ack, "ACK →", seg("in", "ACK"));
    let hello = find(&ev, ack, "7 bytes →", data("in", 7));
    let echo = find(&ev, hello, "7 bytes ←", data("out", 7));
    let client_fin = find(&ev, hello, "FIN →", fin("in"));
    let server_fin = find(&ev, echo.max(client_fin), "FIN ←", fin("out"));
    // Every segment belongs to connection 1.
    for v in ev.iter().filter(|v| is_segment(v)) {
        assert_eq!(v["conn"], 1, "{v}");
    }
    assert_eq!(ev[syn]["tcp_seq"], 0);
    assert_eq!(
        ev[hello]["tcp_seq"], 1,
        "the first data byte follows the SYN"
    );
    // Beside the socket events: the SYN before the server's `connection`, the client's FIN
    // before the server's `end`, the server's FIN before the client's `end`.
    let connection = find(&ev, 0, "server connection", event("server", "connection"));
    assert!(syn < connection, "SYN {syn} after connection {connection}");
    let end = find(&ev, 0, "server end", event("conn", "end"));
    assert!(client_fin < end, "client FIN {client_fin} after end {end}");
    let client_end = find(&ev, 0, "client end", event("client", "end"));
    assert!(
        server_fin < client_end,
        "server FIN {server_fin} after the client's end {client_end}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wire: ") && stderr.contains("packets captured, 0 dropped"),
        "{stderr}"
    );
}

#[test]
fn the_pcap_file_holds_the_same_packets_as_the_lane() {
    if !common::have("tcpdump") {
        return;
    }
    let rt = tempfile::tempdir().unwrap();
    let pcap = rt.path().join("echo.pcapng");
    let out = netlab(rt.path())
        .args(["demo", "tcp-echo", "--json", "--pcap"])
        .arg(&pcap)
        .output()
        .unwrap();
    ok(&out);
    let rows = lines(&out.stdout)
        .iter()
        .filter(|v| v["scope"] == "wire" && v["event"] != "wire_drops")
        .count();
    assert!(rows >= 9, "only {rows} wire rows");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("written to {}", pcap.display())),
        "{stderr}"
    );
    let dump = Command::new("tcpdump")
        .args(["-r"])
        .arg(&pcap)
        .arg("-nn")
        .output()
        .unwrap();
    ok(&dump);
    let text = String::from_utf8_lossy(&dump.stdout);
    assert_eq!(
        text.lines().count(),
        rows,
        "tcpdump read other packets than the lane shows:\n{text}"
    );
    assert!(text.contains("Flags [S]"), "{text}");
}

/// `netlab serve tcp-echo --wire --json`, read line by line on a thread.
struct Serve {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<Value>,
    seen: Vec<Value>,
}

impl Serve {
    fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(v) = self.seen.iter().find(|v| pred(v)) {
            return v.clone();
        }
        let deadline = Instant::now() + common::WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) => {
                    self.seen.push(v.clone());
                    if pred(&v) {
                        return v;
                    }
                }
                Err(_) => panic!("serve never printed {what}; it printed {:?}", self.seen),
            }
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_wire_and_exec_capture_the_learners_own_nc() {
    if !common::have("nc") {
        return;
    }
    let rt = tempfile::tempdir().unwrap();
    let mut child = netlab(rt.path())
        .args(["serve", "tcp-echo", "--wire", "--port", "0", "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&l) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        }
    });
    let mut serve = Serve {
        child,
        lines: rx,
        seen: Vec::new(),
    };
    let listening = serve.wait_for("listening", event("server", "listening"));
    let port = listening["port"].as_u64().unwrap().to_string();
    let pid = serve.child.id();
    let entry = rt.path().join(format!("netlab/wire/{pid}.json"));
    assert!(entry.is_file(), "no registry file at {}", entry.display());

    // The server is in its own namespace: only `netlab exec` reaches it.
    let mut nc = netlab(rt.path())
        .args(["exec", "--", "nc", "-N", "127.0.0.1", &port])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    nc.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    let nc = nc.wait_with_output().unwrap();
    ok(&nc);
    assert_eq!(nc.stdout, b"hello\n", "the echo came back through nc");

    serve.wait_for("a SYN", seg("in", "SYN"));
    serve.wait_for("data of 6 bytes", |v| {
        v["scope"] == "conn" && v["event"] == "data" && v["bytes"] == 6
    });
    serve.wait_for("6 bytes on the wire", data("in", 6));

    // SIGTERM: a graceful stop, which removes the registry file.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let deadline = Instant::now() + common::WAIT;
    let status = loop {
        if let Some(st) = serve.child.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        // Waiting on a child: poll at a short interval, bounded by the deadline.
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert!(status.success(), "{status:?}");
    assert!(!entry.exists(), "the registry file outlived serve");
}

#[test]
fn exec_with_nothing_running_says_how_to_start_one() {
    let rt = tempfile::tempdir().unwrap();
    let out = netlab(rt.path())
        .args(["exec", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "no netlab is running with --wire; start one with `netlab serve tcp-echo --wire`"
        ),
        "{stderr}"
    );
}

#[test]
fn without_namespaces_the_demo_says_so_and_still_runs() {
    let rt = tempfile::tempdir().unwrap();
    // No namespace: with CAP_NET_RAW (root) the host's loopback, else socket events only.
    let out = netlab(rt.path())
        .args(["demo", "tcp-echo", "--wire", "--json"])
        .env("NETLAB_SANDBOX_PRETEND_LACKING", "namespaces")
        .output()
        .unwrap();
    ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wire: capturing on this machine's loopback")
            || stderr.contains("wire view unavailable: "),
        "{stderr}"
    );
    let ev = lines(&out.stdout);
    find(&ev, 0, "the echo", |v| {
        v["scope"] == "client" && v["event"] == "data" && v["bytes"] == 7
    });

    // Neither namespaces nor CAP_NET_RAW: socket events only, said plainly.
    let out = netlab(rt.path())
        .args(["demo", "tcp-echo", "--wire", "--json"])
        .env("NETLAB_SANDBOX_PRETEND_LACKING", "namespaces,cap_net_raw")
        .output()
        .unwrap();
    ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wire view unavailable: ") && stderr.contains("showing socket events only"),
        "{stderr}"
    );
    let ev = lines(&out.stdout);
    assert!(!ev.iter().any(|v| v["scope"] == "wire"), "no wire rows");
    find(&ev, 0, "the echo", |v| {
        v["scope"] == "client" && v["event"] == "data" && v["bytes"] == 7
    });
}

#[test]
fn check_wire_passes_and_shows_the_runs_packets() {
    if !common::have("node") {
        return;
    }
    let rt = tempfile::tempdir().unwrap();
    let solution = common::repo_root().join("labs/tcp-hello/solution.js");
    let out = netlab(rt.path())
        .args(["check", "tcp-hello", "--wire", "--", "node"])
        .arg(&solution)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("timeline (with the wire lane):"),
        "{stdout}"
    );
    let wire_rows: Vec<&str> = stdout.lines().filter(|l| l.contains("wire#1")).collect();
    assert!(
        wire_rows.iter().any(|l| l.contains("SYN")),
        "no SYN row in:\n{stdout}"
    );
    assert!(
        wire_rows.iter().any(|l| l.contains("FIN")),
        "no FIN row in:\n{stdout}"
    );
    // The default report is unchanged: no timeline without --wire.
    let plain = netlab(rt.path())
        .args(["check", "tcp-hello", "--", "node"])
        .arg(&solution)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    ok(&plain);
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("wire#"));
}

/// Failed checks cite the packets that explain them: the client's RST instead of a FIN, and
/// no SYN at all from a client that never connected. The grade itself does not change.
#[test]
fn failure_reports_cite_the_wire() {
    if !common::have("python3") {
        return;
    }
    let rt = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rst = dir.path().join("rst.py");
    // Connect, let the greeting arrive, close without reading it: the kernel resets.
    std::fs::write(
        &rst,
        "import os, socket\n\
         s = socket.create_connection(('127.0.0.1', int(os.environ['NETLAB_PORT'])))\n\
         s.settimeout(5)\n\
         s.recv(1, socket.MSG_PEEK)\n\
         s.close()\n",
    )
    .unwrap();
    let nothing = dir.path().join("nothing.py");
    std::fs::write(&nothing, "print('hello')\n").unwrap();
    let report = |lab: &str, client: &Path| -> Value {
        let out = netlab(rt.path())
            .args(["check", lab, "--json", "--", "python3"])
            .arg(client)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
    };
    let message = |r: &Value, check: &str| -> String {
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == check)
            .unwrap_or_else(|| panic!("no check {check} in {r}"))["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let r = report("tcp-greeting", &rst);
    let m = message(&r, "closed-with-fin");
    assert!(
        m.contains("on the wire, your client sent RST") && m.contains("wire#1 →"),
        "{m}"
    );
    let r = report("tcp-hello", &nothing);
    let m = message(&r, "connected");
    assert!(
        m.contains("not one packet reached the server's port") && !m.contains("sandbox refused"),
        "{m}"
    );
    // A client that connects to another port: the sandbox refuses it, and the report says so.
    let elsewhere = dir.path().join("elsewhere.py");
    std::fs::write(
        &elsewhere,
        "import os, socket\n\
         socket.create_connection(('127.0.0.1', int(os.environ['NETLAB_PORT']) + 1))\n",
    )
    .unwrap();
    let r = report("tcp-hello", &elsewhere);
    let m = message(&r, "connected");
    assert!(
        m.contains("not one packet") && m.contains("the sandbox refused what it tried instead"),
        "{m}"
    );
}

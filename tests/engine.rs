//! The engine against real sockets on 127.0.0.1, through the real `netlab serve` binary — and
//! the differential test: the same clients against Node 20 running the same scenario
//! (tests/node/server.js). For every case the canonical server-side trace must equal the
//! expected text, and Node's must equal netlab's.

mod common;

use common::clients::*;
use common::{canon, have, Server};
use pretty_assertions::assert_eq;
use std::io::{Read, Write};
use std::net::Shutdown;

/// Run `client` against netlab's scenario and check the canonical trace; then (when node is
/// installed) run it against Node's twin and check both traces are equal.
fn differential(scenario: &str, unix: bool, client: impl Fn(&mut Server), expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("s.sock");
    let sock_s = sock.to_str().unwrap().to_string();
    let extra: Vec<&str> = if unix {
        vec!["--socket", &sock_s]
    } else {
        vec![]
    };
    let mut ours = Server::netlab(scenario, &extra);
    client(&mut ours);
    let ours = canon(&ours.stop());
    assert_eq!(ours, expected, "netlab's trace for {scenario}");
    if unix {
        assert!(!sock.exists(), "netlab left its socket file behind");
    }

    if !have("node") {
        return;
    }
    let mut extra: Vec<&str> = if unix {
        vec!["--socket", &sock_s]
    } else {
        vec!["--port", "0"]
    };
    extra.retain(|_| true);
    let mut node = Server::node(scenario, &extra);
    client(&mut node);
    let theirs = canon(&node.stop());
    assert_eq!(
        theirs, ours,
        "Node's trace (left) vs netlab's (right) for {scenario}"
    );
}

const HEADER: &str = "netlab-trace/1\n\nserver       up  listening\n";

fn server_with(conns: usize) -> String {
    let mut s = HEADER.to_string();
    for _ in 0..conns {
        s.push_str("server       ev  connection\n");
    }
    s.push_str("server       ev  close\n");
    s
}

#[test]
fn echo_then_end() {
    let expected = server_with(1)
        + "\nconn1        rx  data 7B \"hello\\r\\n\"\nconn1        rx  end\n\
           conn1        tx  finish\nconn1        ev  close\n";
    differential(
        "tcp-echo",
        false,
        |s| assert_eq!(echo_and_end(s.port, b"hello\r\n"), b"hello\r\n"),
        &expected,
    );
}

#[test]
fn client_reset_is_error_then_close_with_error_and_no_end() {
    let expected = server_with(1)
        + "\nconn1        rx  data 3B \"abc\"\nconn1        ev  error ECONNRESET\n\
           conn1        ev  close hadError\n";
    differential(
        "tcp-echo",
        false,
        |s| {
            send_then_reset(s.port, b"abc");
            // The reset must have reached the server before it is stopped.
            s.wait_for(|v| v["event"] == "close" && v["conn"] == 1)
                .expect("close after RST");
        },
        &expected,
    );
}

#[test]
fn end_without_data_is_end_finish_close() {
    let expected = server_with(1)
        + "\nconn1        rx  end\nconn1        tx  finish\nconn1        ev  close\n";
    differential(
        "tcp-echo",
        false,
        |s| assert_eq!(end_without_data(s.port), b""),
        &expected,
    );
}

#[test]
fn two_concurrent_clients_are_compared_as_a_set() {
    let expected = server_with(2)
        + "\nconn1        rx  data 4B \"aaa\\n\"\nconn1        rx  end\nconn1        tx  finish\nconn1        ev  close\n\
           \nconn2        rx  data 4B \"bbb\\n\"\nconn2        rx  end\nconn2        tx  finish\nconn2        ev  close\n";
    differential(
        "tcp-echo",
        false,
        |s| {
            // Both connected before either speaks; then the second one speaks first.
            let mut a = connect(s.port);
            let mut b = connect(s.port);
            assert!(s.wait_for_count(2, |v| v["event"] == "connection"));
            b.write_all(b"bbb\n").unwrap();
            b.shutdown(Shutdown::Write).unwrap();
            a.write_all(b"aaa\n").unwrap();
            a.shutdown(Shutdown::Write).unwrap();
            assert_eq!(read_all(&mut b), b"bbb\n");
            assert_eq!(read_all(&mut a), b"aaa\n");
        },
        &expected,
    );
}

#[test]
fn idle_timeout_fires_and_server_says_bye() {
    let expected = server_with(1)
        + "\nconn1        rx  data 4B \"hi\\r\\n\"\nconn1        rx  end\nconn1        tx  finish\n\
           conn1        ev  timeout\nconn1        ev  close\n";
    differential(
        "tcp-idle",
        false,
        |s| {
            let mut c = connect(s.port);
            c.write_all(b"hi\r\n").unwrap();
            // Everything until the server ends: the echo, then `bye` after the idle timeout.
            assert_eq!(read_all(&mut c), b"hi\r\nbye\r\n");
            drop(c);
            s.wait_for(|v| v["event"] == "close" && v["conn"] == 1)
                .unwrap();
        },
        &expected,
    );
}

#[test]
fn bulk_write_returns_false_then_drains() {
    let expected = server_with(1)
        + "\nconn1        rx  end\nconn1        tx  drain\nconn1        tx  finish\nconn1        ev  close\n";
    differential(
        "tcp-bulk",
        false,
        |s| {
            let mut c = connect(s.port);
            // Do not read until the server has seen write() return false: no sleeps needed.
            s.wait_for(|v| v["event"] == "write" && v["returned"] == false)
                .expect("write() never returned false");
            let got = read_all(&mut c);
            assert_eq!(got.len(), 8 * 1024 * 1024);
            assert!(got
                .iter()
                .enumerate()
                .all(|(i, &b)| b == netlab::scenario::tcp::bulk_byte(i as u64)));
            drop(c);
            s.wait_for(|v| v["event"] == "close" && v["conn"] == 1)
                .unwrap();
        },
        &expected,
    );
}

#[test]
fn udp_ping_pong() {
    let expected = format!(
        "{HEADER}server       rx  message 4B \"ping\" from=127.0.0.1\nserver       ev  close\n"
    );
    differential(
        "udp-pong",
        false,
        |s| assert_eq!(udp_ping(s.port, b"ping"), b"pong"),
        &expected,
    );
}

#[test]
fn greeting_then_echo() {
    let expected = server_with(1)
        + "\nconn1        rx  data 6B \"ping\\r\\n\"\nconn1        rx  end\nconn1        tx  finish\nconn1        ev  close\n";
    differential(
        "tcp-greeting",
        false,
        |s| {
            let mut c = connect(s.port);
            assert_eq!(read_n(&mut c, 13), b"Echo server\r\n");
            c.write_all(b"ping\r\n").unwrap();
            assert_eq!(read_n(&mut c, 6), b"ping\r\n");
            c.shutdown(Shutdown::Write).unwrap();
            assert_eq!(read_all(&mut c), b"");
        },
        &expected,
    );
}

#[test]
fn halfopen_replies_after_the_clients_end() {
    let expected = server_with(1)
        + "\nconn1        rx  data 7B \"request\"\nconn1        rx  end\nconn1        tx  finish\nconn1        ev  close\n";
    differential(
        "tcp-halfopen",
        false,
        |s| assert_eq!(echo_and_end(s.port, b"request"), b"got 7 bytes\r\n"),
        &expected,
    );
}

#[test]
fn unix_socket_echo() {
    let expected = server_with(1)
        + "\nconn1        rx  data 7B \"hello\\r\\n\"\nconn1        rx  end\nconn1        tx  finish\nconn1        ev  close\n";
    differential(
        "unix-echo",
        true,
        |s| {
            let path = s.socket.clone().expect("socket path");
            assert_eq!(unix_echo_and_end(&path, b"hello\r\n"), b"hello\r\n");
        },
        &expected,
    );
}

#[test]
fn json_lines_carry_the_documented_fields() {
    let s = Server::netlab("udp-pong", &[]);
    let port = s.port;
    udp_ping(port, b"ping");
    let out = s.stop();
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    let listening = &lines[0];
    assert_eq!(listening["event"], "listening");
    assert_eq!(listening["address"], "127.0.0.1");
    assert_eq!(listening["port"], port);
    assert!(listening["t_ms"].is_number());
    assert!(listening.get("conn").is_none());
    let msg = lines.iter().find(|v| v["event"] == "message").unwrap();
    assert_eq!(msg["bytes"], 4);
    assert_eq!(msg["text"], "ping");
    assert!(msg["from"].as_str().unwrap().starts_with("127.0.0.1:"));

    let mut s = Server::netlab("tcp-echo", &[]);
    send_then_reset(s.port, b"x");
    s.wait_for(|v| v["event"] == "close" && v["conn"] == 1)
        .unwrap();
    let out = s.stop();
    let err: serde_json::Value = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["event"] == "error")
        .unwrap();
    assert_eq!(err["code"], "ECONNRESET");
    assert_eq!(err["conn"], 1);
    assert!(out.contains("\"had_error\":true"));
}

#[test]
fn ctrl_c_ends_open_connections_and_the_timeline_shows_the_closes() {
    let mut s = Server::netlab("tcp-echo", &[]);
    let mut c = connect(s.port);
    c.write_all(b"x").unwrap();
    assert_eq!(read_n(&mut c, 1), b"x");
    let pid = nix::unistd::Pid::from_raw(s_pid(&s));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    // The server ends our connection: we see EOF, then we close too.
    let mut rest = Vec::new();
    c.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    drop(c);
    s.wait_for(|v| v["event"] == "close" && v["scope"] == "server")
        .expect("server close");
    let out = s.stop_after_exit();
    // Only the order within one object is meaningful (node-facts.md, "Determinism").
    let order = |keep: &dyn Fn(&serde_json::Value) -> bool| -> Vec<String> {
        out.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| keep(v))
            .map(|v| v["event"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        order(&|v| v["scope"] == "server"),
        ["listening", "connection", "server.close()", "close"]
    );
    assert_eq!(
        order(&|v| v["conn"] == 1),
        ["data", "write", "end()", "finish", "end", "close"]
    );
}

fn s_pid(s: &Server) -> i32 {
    s.pid()
}

#[test]
fn unknown_scenario_is_a_usage_error_with_a_suggestion() {
    let out = std::process::Command::new(common::netlab_bin())
        .args(["serve", "tcp-ecoh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `tcp-echo`"), "{err}");
}

#[test]
fn port_in_use_is_a_clear_failure() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = std::process::Command::new(common::netlab_bin())
        .args(["serve", "tcp-echo", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on 127.0.0.1:"), "{err}");
    assert!(err.contains("--port 0"), "{err}");
}

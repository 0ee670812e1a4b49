//! `netlab demo` through the real binary: both sides of each demo on one timeline.

mod common;

use std::process::Command;

fn demo(name: &str) -> Vec<serde_json::Value> {
    let out = Command::new(common::netlab_bin())
        .args(["demo", name, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The demo's closing notes (segment counts, socket counts).
fn notes(ev: &[serde_json::Value]) -> Vec<&str> {
    ev.iter()
        .filter(|v| v["event"] == "note")
        .map(|v| v["text"].as_str().unwrap())
        .collect()
}

fn order(ev: &[serde_json::Value], scope: &str) -> Vec<String> {
    ev.iter()
        .filter(|v| v["scope"] == scope && !v["event"].as_str().unwrap().ends_with("()"))
        .filter(|v| v["event"] != "write")
        .map(|v| v["event"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn tcp_echo_demo_shows_client_and_server_in_nodes_order() {
    let ev = demo("tcp-echo");
    assert_eq!(
        order(&ev, "client"),
        ["connect", "finish", "data", "end", "close"]
    );
    assert_eq!(order(&ev, "conn"), ["data", "end", "finish", "close"]);
}

#[test]
fn bulk_demo_shows_backpressure() {
    let ev = demo("tcp-bulk");
    assert!(ev
        .iter()
        .any(|v| v["event"] == "write" && v["returned"] == false));
    assert!(ev
        .iter()
        .any(|v| v["event"] == "drain" && v["scope"] == "conn"));
}

#[test]
fn udp_demo_shows_both_datagrams() {
    let ev = demo("udp-pong");
    let msgs: Vec<(&str, &str)> = ev
        .iter()
        .filter(|v| v["event"] == "message")
        .map(|v| (v["scope"].as_str().unwrap(), v["text"].as_str().unwrap()))
        .collect();
    assert_eq!(msgs, [("server", "ping"), ("client", "pong")]);
}

/// Nagle merges small writes only when they outpace an ACK round trip, so on a loaded machine
/// both runs may send one segment per write (node-facts.md: never grade segment counts). What
/// always holds: both counts are measured, and Nagle never sends more.
#[test]
fn nagle_demo_measures_segments_both_ways() {
    let ev = demo("tcp-nagle");
    let notes = notes(&ev);
    assert_eq!(notes.len(), 2, "{notes:?}");
    let count = |s: &str| -> u32 {
        s.split(": ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (nagle, nodelay) = (count(notes[0]), count(notes[1]));
    assert!(nagle > 0 && nodelay > 0);
    assert!(
        nagle <= nodelay,
        "Nagle {nagle} segments vs noDelay {nodelay}"
    );
}

#[test]
fn agent_pool_demo_uses_5_sockets_then_10_with_the_default_agent() {
    let ev = demo("http-agent-pool");
    let notes = notes(&ev);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[0].contains("(10 answered 200) used 5 sockets, at most 5 open"),
        "{}",
        notes[0]
    );
    assert!(
        notes[1].contains("(10 answered 200) used 10 sockets, at most 10 open"),
        "{}",
        notes[1]
    );
    // The five queued requests of the pooled run reused sockets.
    let reused = ev
        .iter()
        .filter(|v| v["event"] == "socket" && v["reused"] == true)
        .count();
    assert_eq!(reused, 5);
    // Server side: 15 connections, 20 requests.
    let count = |name: &str| {
        ev.iter()
            .filter(|v| v["event"] == name && v["scope"] != "client")
            .count()
    };
    assert_eq!(count("connection"), 15);
    assert_eq!(count("request"), 20);
}

#[test]
fn keepalive_demo_reuses_one_socket() {
    let ev = demo("http-keepalive");
    let sockets: Vec<(u64, bool)> = ev
        .iter()
        .filter(|v| v["event"] == "socket")
        .map(|v| (v["conn"].as_u64().unwrap(), v["reused"] == true))
        .collect();
    assert_eq!(sockets, [(1, false), (1, true)]);
    let order: Vec<&str> = ev
        .iter()
        .filter(|v| v["scope"] == "client_request" && v["req"] == 1)
        .map(|v| v["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["socket", "finish", "response", "data", "end", "close"]
    );
}

/// The client's request events, in order (socket and raw data aside).
fn creq(ev: &[serde_json::Value]) -> Vec<String> {
    order(ev, "client_request")
}

#[test]
fn continue_demo_holds_the_body_until_the_100() {
    let ev = demo("http-continue");
    assert_eq!(
        creq(&ev),
        ["socket", "continue", "finish", "response", "data", "end", "close"]
    );
    let server: Vec<&str> = ev
        .iter()
        .filter(|v| v["scope"] == "request")
        .map(|v| v["event"].as_str().unwrap())
        .collect();
    assert_eq!(server, ["checkContinue", "data", "end", "close"]);
    // The 100 was written after checkContinue and before the body arrived.
    let at = |pred: &dyn Fn(&serde_json::Value) -> bool| ev.iter().position(pred).unwrap();
    let check = at(&|v| v["event"] == "checkContinue");
    let hundred =
        at(&|v| v["event"] == "write" && v["text"].as_str().unwrap().starts_with("HTTP/1.1 100"));
    let body = at(&|v| v["scope"] == "request" && v["event"] == "data");
    assert!(
        check < hundred && hundred < body,
        "{check} {hundred} {body}"
    );
    assert_eq!(notes(&ev).len(), 1);
    assert!(
        notes(&ev)[0].contains("201 \"received 12 bytes\""),
        "{:?}",
        notes(&ev)
    );
}

#[test]
fn upgrade_demo_switches_protocols_then_echoes_raw_bytes() {
    let ev = demo("http-upgrade");
    assert_eq!(creq(&ev), ["socket", "finish", "upgrade"]);
    assert!(ev
        .iter()
        .any(|v| v["scope"] == "request" && v["event"] == "upgrade"));
    assert!(ev
        .iter()
        .any(|v| v["event"] == "writeHead()" && v["status"] == 101));
    assert!(notes(&ev)[0].ends_with("got back \"ping over netlab-echo\\n\""));
}

#[test]
fn connect_demo_tunnels_through_the_server() {
    let ev = demo("http-connect");
    assert_eq!(creq(&ev), ["socket", "finish", "connect"]);
    assert!(ev
        .iter()
        .any(|v| v["scope"] == "request" && v["event"] == "connect_request"));
    assert!(notes(&ev)[0].ends_with("got back \"hello through the tunnel\\n\""));
}

#[test]
fn https_demo_shows_both_handshakes() {
    let ev = demo("https-get");
    let handshake = |name: &str| {
        ev.iter()
            .find(|v| v["event"] == name)
            .unwrap_or_else(|| panic!("no {name}"))["protocol"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(handshake("secureConnection"), "TLSv1.3");
    assert_eq!(handshake("secureConnect"), "TLSv1.3");
    assert_eq!(
        creq(&ev),
        ["socket", "finish", "response", "data", "end", "close"]
    );
    assert!(
        notes(&ev)[0].ends_with("200 \"Hello World\""),
        "{:?}",
        notes(&ev)
    );
}

/// The client closes with the greeting unread: the kernel sends RST, so the server's socket
/// gets `error` ECONNRESET then `close` hadError=true, and never `end` (Node 20, and
/// node-facts.md: a close with unread bytes is a reset).
#[test]
fn reset_demo_shows_econnreset_not_end() {
    let ev = demo("tcp-reset");
    assert_eq!(order(&ev, "client"), ["connect", "close"]);
    assert_eq!(order(&ev, "conn"), ["error", "close"]);
    let err = ev.iter().find(|v| v["event"] == "error").unwrap();
    assert_eq!(err["code"], "ECONNRESET");
    let close = ev
        .iter()
        .find(|v| v["scope"] == "conn" && v["event"] == "close")
        .unwrap();
    assert_eq!(close["had_error"], true, "{close}");
    // The greeting was written, and the client's close came after it with the bytes unread.
    let at = |pred: &dyn Fn(&serde_json::Value) -> bool| ev.iter().position(pred).unwrap();
    let greeting = at(&|v| v["scope"] == "conn" && v["event"] == "write");
    let destroy = at(&|v| v["scope"] == "client" && v["event"] == "destroy()");
    assert!(greeting < destroy);
    assert!(
        ev[destroy]["reason"]
            .as_str()
            .unwrap()
            .contains("13 unread bytes"),
        "{}",
        ev[destroy]
    );
    assert!(
        notes(&ev)[0].contains("\"Echo server\\r\\n\""),
        "{:?}",
        notes(&ev)
    );
}

/// Half-close: the client's FIN first (`end` on the server), the answer after it, then the
/// server's FIN (`end` on the client) — as Node 20 with `allowHalfOpen: true`.
#[test]
fn halfclose_demo_answers_after_the_clients_fin() {
    let ev = demo("tcp-halfclose");
    assert_eq!(
        order(&ev, "client"),
        ["connect", "finish", "data", "end", "close"]
    );
    assert_eq!(order(&ev, "conn"), ["data", "end", "finish", "close"]);
    let at = |pred: &dyn Fn(&serde_json::Value) -> bool| ev.iter().position(pred).unwrap();
    let end = at(&|v| v["scope"] == "conn" && v["event"] == "end");
    let answer = at(&|v| v["scope"] == "conn" && v["event"] == "write");
    assert!(end < answer, "the server answered before the client's FIN");
    assert_eq!(ev[answer]["text"], "got 9 bytes\r\n");
    let got = at(&|v| v["scope"] == "client" && v["event"] == "data");
    assert_eq!(ev[got]["text"], "got 9 bytes\r\n");
}

/// Without an agent (`agent: false`), each request gets its own connection: two `connection`
/// events on the server (two handshakes on the wire), `Connection: close`, no reuse.
#[test]
fn no_keepalive_demo_opens_a_connection_per_request() {
    let ev = demo("http-no-keepalive");
    let sockets: Vec<(u64, bool)> = ev
        .iter()
        .filter(|v| v["event"] == "socket")
        .map(|v| (v["conn"].as_u64().unwrap(), v["reused"] == true))
        .collect();
    assert_eq!(sockets, [(1, false), (2, false)]);
    let connections = ev
        .iter()
        .filter(|v| v["scope"] == "server" && v["event"] == "connection")
        .count();
    assert_eq!(connections, 2);
    // Each request asked for the connection to close.
    let asked_close = ev
        .iter()
        .filter(|v| v["scope"] == "conn" && v["event"] == "data")
        .filter(|v| v["text"].as_str().unwrap().contains("Connection: close"))
        .count();
    assert_eq!(asked_close, 2);
    let notes = notes(&ev);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].ends_with("on client socket #1"), "{}", notes[0]);
    assert!(notes[1].ends_with("on client socket #2"), "{}", notes[1]);
}

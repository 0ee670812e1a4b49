//! The server connection's unit and property tests (the request path's fuzz targets).
use super::timeouts::{T_CONTINUE, T_HEAD, T_MASK, T_REPLY};
use super::*;
use crate::http::routes::Routes;
use proptest::prelude::*;
use std::time::Duration;

fn written(actions: &[Action]) -> Vec<u8> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Write(b) => Some(b.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn conn() -> Conn<Routes> {
    Conn::new(Routes, 1, Timeouts::default()).0
}

#[test]
fn get_hello_keeps_alive() {
    let mut c = conn();
    let a = c.feed(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    let w = String::from_utf8(written(&a)).unwrap();
    assert!(w.starts_with("HTTP/1.1 200 OK\r\n"), "{w}");
    assert!(w.contains("Connection: keep-alive"), "{w}");
    assert!(w.ends_with("\r\n\r\nHello World"), "{w}");
    assert!(!a.contains(&Action::End));
}

#[test]
fn pipelined_requests_are_answered_in_order_even_when_split() {
    let mut c = conn();
    let all = b"GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut out = Vec::new();
    for b in all.chunks(3) {
        out.extend(c.feed(b));
    }
    let w = String::from_utf8(written(&out)).unwrap();
    let one = w.find("\r\n\r\none").unwrap();
    let two = w.find("\r\n\r\ntwo").unwrap();
    assert!(one < two);
}

#[test]
fn malformed_and_oversized_heads_get_nodes_bytes() {
    let mut c = conn();
    let a = c.feed(b"G@T / HTTP/1.1\r\n\r\n");
    assert_eq!(written(&a), BAD_REQUEST);
    assert!(a.contains(&Action::End));
    let mut c = conn();
    let big = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX: {}\r\n\r\n",
        "a".repeat(17 * 1024)
    );
    assert_eq!(written(&c.feed(big.as_bytes())), HEADERS_TOO_LARGE);
    let mut c = conn();
    assert_eq!(written(&c.feed(b"GET / HTTP/1.1\r\n\r\n")), MISSING_HOST);
    let mut c = conn();
    let a = c.feed(b"GET / HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n");
    assert_eq!(
        written(&a),
        crate::http::write::expectation_failed(false, Duration::from_secs(5))
    );
    assert!(
        !a.contains(&Action::End),
        "Node keeps the connection after a 417"
    );
}

#[test]
fn chunked_upload_is_decoded() {
    let mut c = conn();
    let a = c.feed(
        b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n",
    );
    let w = String::from_utf8(written(&a)).unwrap();
    assert!(w.starts_with("HTTP/1.1 201 Created\r\n"), "{w}");
    assert!(w.ends_with("received 11 bytes"), "{w}");
}

#[test]
fn upgrade_waits_for_the_101_and_echoes_early_bytes_then_ends_after_a_fin() {
    let mut c = conn();
    let a = c.feed(
        b"GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: netlab-echo\r\n\r\nhi\n",
    );
    assert!(written(&a).is_empty(), "nothing before the 101");
    let id = a
        .iter()
        .find_map(|x| match x {
            Action::Timer(_, id) if id & !T_MASK == T_REPLY => Some(*id),
            _ => None,
        })
        .expect("101 is delayed");
    assert!(c.peer_ended().is_empty(), "the 101 is still due");
    let a = c.timer(id);
    let w = String::from_utf8(written(&a)).unwrap();
    assert!(w.starts_with("HTTP/1.1 101 Switching Protocols\r\n"), "{w}");
    assert!(w.ends_with("\r\n\r\nhi\n"), "{w}");
    assert_eq!(a.last(), Some(&Action::End));
}

#[test]
fn connect_tunnels_to_the_echo() {
    let mut c = conn();
    let a = c.feed(b"CONNECT echo.netlab:7 HTTP/1.1\r\nHost: echo.netlab:7\r\n\r\n");
    assert!(String::from_utf8(written(&a))
        .unwrap()
        .starts_with("HTTP/1.1 200 Connection Established\r\n\r\n"));
    assert_eq!(written(&c.feed(b"tunnel\n")), b"tunnel\n");
    let mut c = conn();
    let a = c.feed(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n");
    assert!(String::from_utf8(written(&a))
        .unwrap()
        .starts_with("HTTP/1.1 403"));
    assert!(a.contains(&Action::End));
}

#[test]
fn a_slow_head_times_out_with_408() {
    let (mut c, first) = Conn::new(Routes, 1, Timeouts::default());
    let Some(Action::Timer(_, id)) = first.first().cloned() else {
        panic!("no head timer")
    };
    c.feed(b"GET / HT");
    let a = c.timer(id);
    assert_eq!(written(&a), REQUEST_TIMEOUT);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// Any bytes, split anywhere, never panic, and every write starts a valid response
    /// (or is tunnel data, which only follows a 101/200).
    #[test]
    fn never_panics_on_any_bytes(data in proptest::collection::vec(any::<u8>(), 0..2048),
                                 cuts in proptest::collection::vec(1usize..64, 0..32)) {
        let mut c = conn();
        let mut rest: &[u8] = &data;
        let mut out = Vec::new();
        for cut in cuts {
            let n = cut.min(rest.len());
            out.extend(c.feed(&rest[..n]));
            rest = &rest[n..];
        }
        out.extend(c.feed(rest));
        for id in [T_HEAD | 1, T_HEAD | 2, T_REPLY | 1, T_CONTINUE | 1] {
            out.extend(c.timer(id));
        }
        let w = written(&out);
        prop_assert!(w.is_empty() || w.starts_with(b"HTTP/1.1 "));
    }

    /// Structure-aware fuzzing: real requests of every kind the server knows (bodies,
    /// chunked, Expect, Upgrade, CONNECT, pipelining), mutated byte by byte, split
    /// anywhere, with the peer's FIN and every timer firing: no panic, and every write
    /// starts a response or follows a switch.
    #[test]
    fn mutated_requests_never_panic(
        base in 0usize..7,
        edits in crate::fuzzing::edits(8),
        split in 1usize..50,
        fin in any::<bool>(),
    ) {
        const SEEDS: [&[u8]; 7] = [
            b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /one HTTP/1.1\r\nHost: x\r\n\r\n",
            b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
            b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc",
            b"GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: netlab-echo\r\n\r\nhi",
            b"CONNECT echo.netlab:7 HTTP/1.1\r\nHost: x\r\n\r\nyo",
            b"GET /slow/3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        ];
        let data = crate::fuzzing::mutate(SEEDS[base], &edits);
        let mut c = conn();
        let mut out = Vec::new();
        for part in data.chunks(split) {
            out.extend(c.feed(part));
        }
        if fin {
            out.extend(c.peer_ended());
        }
        let mut timers: Vec<u64> = out.iter().filter_map(|a| match a {
            Action::Timer(_, id) => Some(*id),
            _ => None,
        }).collect();
        // Fire timers as they are armed (bounded: a connection arms a handful).
        let mut fired = 0;
        while let Some(id) = timers.pop() {
            fired += 1;
            prop_assert!(fired < 64, "timers keep re-arming");
            let more = c.timer(id);
            timers.extend(more.iter().filter_map(|a| match a {
                Action::Timer(_, id) => Some(*id),
                _ => None,
            }));
            out.extend(more);
        }
        let w = written(&out);
        prop_assert!(w.is_empty() || w.starts_with(b"HTTP/1.1 "), "{}", String::from_utf8_lossy(&w));
    }

    /// Requests built from valid parts always get a response.
    #[test]
    fn valid_requests_get_answers(path in "/[a-z0-9/]{0,20}", split in 1usize..40) {
        let mut c = conn();
        let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
        let mut out = Vec::new();
        for b in req.as_bytes().chunks(split) {
            out.extend(c.feed(b));
        }
        for a in out.clone() {
            if let Action::Timer(_, id) = a {
                if id & !T_MASK == T_REPLY {
                    out.extend(c.timer(id));
                }
            }
        }
        let w = written(&out);
        prop_assert!(w.starts_with(b"HTTP/1.1 "), "{}", String::from_utf8_lossy(&w));
    }
}

/// The events recorded on `scope`, by name.
fn names_on(actions: &[Action], scope: Scope) -> Vec<&'static str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Record(s, e) if *s == scope => Some(e.name()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_fin_or_reset_mid_body_aborts_the_request_as_node_does() {
    let rq = Scope::Request { conn: 1, req: 1 };
    let rs = Scope::Response { conn: 1, req: 1 };
    let head = b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc";
    let mut c = conn();
    c.feed(head);
    let a = c.peer_ended();
    assert_eq!(names_on(&a, rq), ["aborted", "error", "close"]);
    assert_eq!(names_on(&a, rs), ["close"]);
    assert_eq!(written(&a), BAD_REQUEST);

    let mut c = conn();
    c.feed(head);
    let a = c.peer_reset("ECONNRESET");
    assert_eq!(names_on(&a, Scope::Conn { conn: 1 }), ["clientError"]);
    assert_eq!(names_on(&a, rq), ["aborted", "error", "close"]);
    assert_eq!(names_on(&a, rs), ["close"]);
    assert!(
        written(&a).is_empty(),
        "nothing is written to a reset socket"
    );
    // A reply timer firing later finds nothing to send.
    assert!(written(&c.timer(T_REPLY | 1)).is_empty());
}

//! The HTTP differential suite: every case in `tests/http-cases/cases.txt` (raw request bytes:
//! framing, smuggling, request line, headers, limits, Expect, pipelining, split delivery, end
//! of input, upgrade/CONNECT, timeouts) is sent on its own connection to `netlab serve http`
//! and to its Node 20 twin (`tests/node/http_twin.js`), both started once with the same
//! shortened timeouts; the status sequence, whether the connection stayed open, and each
//! object's event order (`clientError` code on the connection; request and response events per
//! request) must be equal. Cases run in parallel over connections.
//!
//! Known differences live in one list, [`EXCEPTIONS`], each with its reason. A case that
//! differs and is not listed fails the test, printing the case, its bytes and both answers.

mod common;

use common::{have, repo_root, Server};
use netlab::http::body::{BodyDecoder, Step};
use std::collections::{BTreeMap, HashMap};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shortened timeouts, the same on both sides: headers, request, keep-alive (ms).
const HEADERS_MS: u64 = 500;
const REQUEST_MS: u64 = 1000;
const KEEP_ALIVE_MS: u64 = 300;
/// How long a client waits for more bytes after its last write, unless the case says.
const QUIET_MS: u64 = 300;
/// Connections in flight at once.
const PARALLEL: usize = 24;

/// Where netlab deliberately or knowingly answers differently, and why: a case name (the case
/// is run and printed but not required to match), or `event:NAME` (that event is left out of
/// every comparison).
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "upgrade-chat",
        "netlab shows the bytes a client sends before the 101 as `data` on the request (so a \
         grader can see it did not wait); Node hands them to the 'upgrade' listener as `head`",
    ),
    (
        "upgrade-chat-later-bytes",
        "as upgrade-chat: netlab records the tunnel's first bytes as `data` on the request",
    ),
    (
        "connect-echo",
        "as upgrade-chat: netlab records bytes sent behind a CONNECT head as `data` on the \
         request; Node passes them to the 'connect' listener as `head`",
    ),
];

/// One case: the bytes (in separate writes), whether to FIN after, how long to wait, whether
/// to reset the connection (RST) once the wait is over.
#[derive(Clone, Debug)]
struct Case {
    name: String,
    parts: Vec<Vec<u8>>,
    fin: bool,
    wait: Duration,
    rst: bool,
}

fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'r' => out.push(b'\r'),
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'\\' => out.push(b'\\'),
                b'x' if i + 3 < b.len() => {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).expect("ascii");
                    out.push(u8::from_str_radix(hex, 16).expect("\\xNN"));
                    i += 4;
                    continue;
                }
                other => panic!("unknown escape \\{}", other as char),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(repo_root().join("tests/http-cases/cases.txt"))
        .expect("tests/http-cases/cases.txt");
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut f = line.splitn(3, " |");
        let name = f.next().unwrap().trim().to_string();
        let opts = f.next().unwrap_or("").trim();
        let mut bytes = f.next().unwrap_or("").trim_start().to_string();
        let fin = bytes.ends_with("<fin>");
        if fin {
            bytes.truncate(bytes.len() - "<fin>".len());
        }
        let rst = bytes.ends_with("<rst>");
        if rst {
            bytes.truncate(bytes.len() - "<rst>".len());
        }
        let parts = bytes.split("<split>").map(unescape).collect();
        let mut wait = Duration::from_millis(QUIET_MS);
        for o in opts.split_whitespace() {
            if let Some(ms) = o.strip_prefix("wait=") {
                wait = Duration::from_millis(ms.parse().expect("wait=MS"));
            }
        }
        out.push(Case {
            name,
            parts,
            fin,
            wait,
            rst,
        });
    }
    out.extend(generated());
    let mut seen = std::collections::HashSet::new();
    for c in &out {
        assert!(seen.insert(c.name.clone()), "duplicate case {}", c.name);
    }
    out
}

/// Families of cases too regular to write by hand.
fn generated() -> Vec<Case> {
    let case = |name: String, bytes: Vec<u8>| Case {
        name,
        parts: vec![bytes],
        fin: false,
        wait: Duration::from_millis(QUIET_MS),
        rst: false,
    };
    let mut out = Vec::new();
    // Header counts around httparse's and Node's limits.
    for n in [99usize, 100, 101, 151, 2000] {
        let mut h = String::from("GET /hello HTTP/1.1\r\nHost: x\r\n");
        for i in 0..n {
            h.push_str(&format!("X-{i}: v\r\n"));
        }
        h.push_str("\r\n");
        out.push(case(format!("headers-count-{n}"), h.into_bytes()));
    }
    // Head sizes around maxHeaderSize (16 KiB).
    for kib in [15usize, 16, 17, 80] {
        let h = format!(
            "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "a".repeat(kib * 1024 - 40)
        );
        out.push(case(format!("head-size-{kib}k"), h.into_bytes()));
    }
    // Chunk extensions around Node's 16 KiB limit.
    for kib in [1usize, 15, 20] {
        let b = format!(
            "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;{}\r\nhello\r\n0\r\n\r\n",
            "a".repeat(kib * 1024)
        );
        out.push(case(format!("chunk-ext-{kib}k"), b.into_bytes()));
    }
    // Every control byte in a header value.
    for b in (0u8..0x20).filter(|b| ![b'\r', b'\n', b'\t'].contains(b)) {
        let mut h = b"GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a".to_vec();
        h.push(b);
        h.extend_from_slice(b"b\r\n\r\n");
        out.push(case(format!("header-value-byte-{b:02x}"), h));
    }
    // Separators in a header name.
    for c in "()<>@,;\\/[]?={} ".chars() {
        let h = format!("GET /hello HTTP/1.1\r\nHost: x\r\nX{c}A: 1\r\n\r\n");
        out.push(case(
            format!("header-name-sep-{:02x}", c as u32),
            h.into_bytes(),
        ));
    }
    out
}

/// What a client saw.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Answer {
    /// Status codes in order (`?` for bytes that are not a response).
    statuses: Vec<String>,
    /// `open`, `closed` (FIN) or `reset`.
    end: &'static str,
    /// The raw bytes received.
    raw: Vec<u8>,
    /// The client's local port (finds the connection in the server's log).
    port: u16,
    /// When it connected (a port can be reused by a later case once a connection is gone).
    at: Instant,
}

fn statuses(raw: &[u8], head_only: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = raw;
    while !rest.is_empty() {
        let mut hs = [httparse::EMPTY_HEADER; 64];
        let mut res = httparse::Response::new(&mut hs);
        let n = match res.parse(rest) {
            Ok(httparse::Status::Complete(n)) => n,
            _ => {
                out.push("?".to_string());
                return out;
            }
        };
        let code = res.code.unwrap_or(0);
        out.push(code.to_string());
        let header = |name: &str| {
            res.headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| String::from_utf8_lossy(h.value).to_ascii_lowercase())
        };
        rest = &rest[n..];
        if (100..200).contains(&code) && code != 101 {
            continue;
        }
        if code == 101 || head_only {
            return out; // tunnel bytes follow
        }
        let mut dec = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            BodyDecoder::chunked()
        } else if let Some(n) = header("content-length").and_then(|v| v.trim().parse().ok()) {
            BodyDecoder::length(n)
        } else {
            return out; // body until close, or a tunnel
        };
        loop {
            match dec.step(rest) {
                Ok(Step::Consumed { used, .. }) => rest = &rest[used..],
                Ok(Step::Done { used }) => {
                    rest = &rest[used..];
                    break;
                }
                _ => return out,
            }
        }
    }
    out
}

fn run_case(port: u16, case: &Case) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_nodelay(true).ok();
    let local = s.local_addr().expect("local addr").port();
    let at = Instant::now();
    for (i, p) in case.parts.iter().enumerate() {
        if i > 0 {
            // Split delivery: the next part in its own segment, after the server has had the
            // first (this pause is the test's input, not a synchronisation).
            std::thread::sleep(Duration::from_millis(30));
        }
        if s.write_all(p).is_err() {
            break;
        }
    }
    if case.fin {
        s.shutdown(Shutdown::Write).ok();
    }
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let hard = Instant::now() + Duration::from_secs(10);
    s.set_read_timeout(Some(case.wait)).ok();
    let end = loop {
        if Instant::now() > hard {
            break "open";
        }
        match s.read(&mut buf) {
            Ok(0) => break "closed",
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                break "open"
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break "reset",
            Err(_) => break "reset",
        }
    };
    if case.rst {
        reset(s);
    }
    let head_only = case.parts.concat().starts_with(b"HEAD ");
    Answer {
        statuses: statuses(&raw, head_only),
        end,
        raw,
        port: local,
        at,
    }
}

/// Close `s` with a reset (RST) instead of a FIN: `SO_LINGER` on with a zero timeout.
fn reset(s: TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt reads `size_of::<linger>()` bytes from a live struct, on a live fd.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "SO_LINGER");
    drop(s);
}

/// Each connection's compared events, as `object: event event …` lines, from a server's log,
/// by (client port, how many earlier connections used that port).
fn per_object(lines: &[String]) -> HashMap<(u16, usize), Vec<String>> {
    let mut conn_of_port: HashMap<(u16, usize), u64> = HashMap::new();
    let mut uses: HashMap<u16, usize> = HashMap::new();
    let mut conns = 0u64;
    let mut objects: HashMap<u64, BTreeMap<String, Vec<String>>> = HashMap::new();
    for l in lines {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(l) else {
            continue;
        };
        let ev = match v["event"].as_str().unwrap_or("") {
            "connect_request" => "connect",
            e => e,
        };
        if EXCEPTIONS
            .iter()
            .any(|(k, _)| k.strip_prefix("event:") == Some(ev))
        {
            continue;
        }
        if v["scope"] == "server" && ev == "connection" {
            conns += 1;
            let conn = v["conn"].as_u64().unwrap_or(conns);
            let port = v["peer"]
                .as_str()
                .and_then(|p| p.rsplit(':').next())
                .and_then(|p| p.parse::<u16>().ok())
                .unwrap_or(0);
            let n = uses.entry(port).or_default();
            conn_of_port.insert((port, *n), conn);
            *n += 1;
            continue;
        }
        let Some(conn) = v["conn"].as_u64() else {
            continue;
        };
        let (object, name) = match v["scope"].as_str().unwrap_or("") {
            "conn" if ev == "clientError" => (
                "conn".to_string(),
                format!("clientError({})", v["code"].as_str().unwrap_or("")),
            ),
            "request" if ["request", "checkContinue", "upgrade", "connect"].contains(&ev) => {
                (format!("req{}", v["req"]), ev.to_string())
            }
            "request" if ["data", "end", "aborted", "error", "close"].contains(&ev) => {
                (format!("req{}", v["req"]), ev.to_string())
            }
            "response" if ["finish", "close", "error"].contains(&ev) => {
                (format!("res{}", v["req"]), ev.to_string())
            }
            _ => continue,
        };
        let seq = objects.entry(conn).or_default().entry(object).or_default();
        // Coalesce consecutive data (how bytes split into events is not stable).
        if !(name == "data" && seq.last().is_some_and(|l| l == "data")) {
            seq.push(name);
        }
    }
    conn_of_port
        .into_iter()
        .map(|(port, conn)| {
            let objs = objects.remove(&conn).unwrap_or_default();
            let lines = objs
                .into_iter()
                .map(|(o, evs)| format!("{o}: {}", evs.join(" ")))
                .collect();
            (port, lines)
        })
        .collect()
}

/// A server's stdout lines, collected in the background.
struct Log {
    server: Server,
}

impl Log {
    fn closes(&mut self) -> usize {
        self.server.seen.len()
    }
}

fn escaped(b: &[u8]) -> String {
    b.iter()
        .flat_map(|&c| std::ascii::escape_default(c))
        .map(char::from)
        .collect()
}

#[test]
fn netlab_answers_every_case_as_node_20_does() {
    if !have("node") {
        return;
    }
    let timeouts = format!("{HEADERS_MS},{REQUEST_MS},{KEEP_ALIVE_MS}");
    std::env::set_var(netlab::http::server::TIMEOUTS_ENV, &timeouts);
    let netlab = Server::netlab("http", &[]);
    let mut cmd_args = vec![];
    let (h, r, k) = (
        HEADERS_MS.to_string(),
        REQUEST_MS.to_string(),
        KEEP_ALIVE_MS.to_string(),
    );
    cmd_args.extend([
        "--headers-timeout",
        h.as_str(),
        "--request-timeout",
        r.as_str(),
        "--keep-alive-timeout",
        k.as_str(),
        "--check-interval",
        "100",
    ]);
    let node = Server::spawn_node_script("tests/node/http_twin.js", &cmd_args);
    let cases = cases();
    assert!(cases.len() >= 150, "only {} cases", cases.len());

    type Slots = Arc<Mutex<Vec<Option<(Answer, Answer)>>>>;
    let results: Slots = Arc::new(Mutex::new(vec![None; cases.len()]));
    let next = Arc::new(Mutex::new(0usize));
    let (np, dp) = (netlab.port, node.port);
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL {
            let (results, next, cases) = (results.clone(), next.clone(), &cases);
            scope.spawn(move || loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n - 1
                };
                let Some(case) = cases.get(i) else { return };
                let (a, b) = std::thread::scope(|s| {
                    let a = s.spawn(|| run_case(np, case));
                    let b = s.spawn(|| run_case(dp, case));
                    (a.join().unwrap(), b.join().unwrap())
                });
                results.lock().unwrap()[i] = Some((a, b));
            });
        }
    });
    let results: Vec<(Answer, Answer)> = Arc::try_unwrap(results)
        .unwrap()
        .into_inner()
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect();

    // Every client has closed its socket: wait (bounded) until both servers logged the close
    // of every connection, then compare per object.
    let mut logs = [Log { server: netlab }, Log { server: node }];
    for log in &mut logs {
        let n = cases.len();
        let _ = log
            .server
            .wait_for_count(n, |v| v["scope"] == "conn" && v["event"] == "close");
        let _ = log.closes();
    }
    let [nl, nd] = logs;
    let (nl_out, nd_out) = (nl.server.stop(), nd.server.stop());
    if let Some(dir) = std::env::var_os("NETLAB_DIFF_DUMP") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::write(dir.join("netlab.jsonl"), &nl_out).ok();
        std::fs::write(dir.join("node.jsonl"), &nd_out).ok();
    }
    let split = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
    let (nl_ev, nd_ev) = (per_object(&split(&nl_out)), per_object(&split(&nd_out)));

    // The n-th connection from a port, in connect order, on each side.
    let nth = |pick: fn(&(Answer, Answer)) -> &Answer| {
        let mut order: Vec<usize> = (0..results.len()).collect();
        order.sort_by_key(|&i| pick(&results[i]).at);
        let mut uses: HashMap<u16, usize> = HashMap::new();
        let mut out = vec![0; results.len()];
        for i in order {
            let n = uses.entry(pick(&results[i]).port).or_default();
            out[i] = *n;
            *n += 1;
        }
        out
    };
    let (nth_nl, nth_nd) = (nth(|r| &r.0), nth(|r| &r.1));
    let exceptions: HashMap<&str, &str> = EXCEPTIONS.iter().copied().collect();
    let mut failures = Vec::new();
    let mut stale = Vec::new();
    for (i, (case, (a, b))) in cases.iter().zip(&results).enumerate() {
        let ea = nl_ev.get(&(a.port, nth_nl[i])).cloned().unwrap_or_default();
        let eb = nd_ev.get(&(b.port, nth_nd[i])).cloned().unwrap_or_default();
        let end = |e: &str| if e == "reset" { "closed" } else { e }.to_string();
        let same = a.statuses == b.statuses && end(a.end) == end(b.end) && ea == eb;
        match (same, exceptions.contains_key(case.name.as_str())) {
            (true, true) => stale.push(case.name.clone()),
            (false, false) => failures.push(format!(
                "case {}\n  bytes: {}{}\n  netlab: {:?} {}\n    {}\n    events: {:?}\n  node:   {:?} {}\n    {}\n    events: {:?}",
                case.name,
                escaped(&case.parts.join(&b"<split>"[..])),
                if case.fin { "<fin>" } else { "" },
                a.statuses,
                a.end,
                escaped(&a.raw[..a.raw.len().min(300)]),
                ea,
                b.statuses,
                b.end,
                escaped(&b.raw[..b.raw.len().min(300)]),
                eb,
            )),
            _ => {}
        }
    }
    if !stale.is_empty() {
        eprintln!("exceptions that now match Node (remove them): {stale:?}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Node 20:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

//! The routes differential: `netlab serve http` answers every route exactly as the Node 20
//! program it mirrors (`tests/node/routes.js`, quoted route by route in `src/http/routes.rs`).
//! The same requests go to both, each on its own connection; the response bytes must be
//! equal, the `Date` header's value aside.

mod common;

use common::{have, Server};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// One exchange on its own connection; after its steps the client reads until the server
/// closes.
struct Case {
    name: &'static str,
    steps: &'static [Step],
}

/// What the client does next.
enum Step {
    /// Write these bytes.
    Write(&'static [u8]),
    /// Read until the bytes received so far end with this text (bounded).
    WaitFor(&'static str),
    /// End the client's side (FIN).
    Fin,
}

use Step::*;

const CASES: &[Case] = &[
    Case { name: "hello", steps: &[Write(b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")] },
    Case { name: "hello-head", steps: &[Write(b"HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")] },
    Case { name: "hello-http10", steps: &[Write(b"GET /hello HTTP/1.0\r\n\r\n")] },
    Case {
        name: "one-two-keepalive",
        steps: &[
            Write(b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n"),
            WaitFor("one"),
            Write(b"GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        ],
    },
    Case { name: "slow", steps: &[Write(b"GET /slow/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")] },
    Case { name: "secret-no-auth", steps: &[Write(b"GET /secret HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")] },
    Case {
        name: "secret-auth",
        steps: &[Write(b"GET /secret HTTP/1.1\r\nHost: x\r\nAuthorization: Basic bmV0bGFiOnNvY2tldHM=\r\nConnection: close\r\n\r\n")],
    },
    Case {
        name: "secret-wrong-auth",
        steps: &[Write(b"GET /secret HTTP/1.1\r\nHost: x\r\nAuthorization: Basic bmV0bGFiOm5v\r\nConnection: close\r\n\r\n")],
    },
    Case {
        name: "upload",
        steps: &[Write(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\nConnection: close\r\n\r\nnetlab rocks")],
    },
    Case {
        name: "upload-chunked",
        steps: &[Write(b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n")],
    },
    Case {
        name: "upload-continue",
        steps: &[
            Write(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"),
            WaitFor("100 Continue\r\n\r\n"),
            Write(b"netlab rocks"),
        ],
    },
    Case { name: "stream", steps: &[Write(b"GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")] },
    Case { name: "not-found", steps: &[Write(b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")] },
    Case {
        name: "post-hello-404",
        steps: &[Write(b"POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")],
    },
    Case {
        name: "chat-upgrade",
        steps: &[
            Write(b"GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: netlab-echo\r\n\r\n"),
            WaitFor("\r\n\r\n"),
            Write(b"hi after the 101\r\n"),
            WaitFor("hi after the 101\r\n"),
            Fin,
        ],
    },
    Case {
        name: "connect-echo",
        steps: &[
            Write(b"CONNECT echo.netlab:7 HTTP/1.1\r\nHost: echo.netlab:7\r\n\r\n"),
            WaitFor("\r\n\r\n"),
            Write(b"through the tunnel\r\n"),
            WaitFor("through the tunnel\r\n"),
            Fin,
        ],
    },
    Case {
        name: "connect-elsewhere",
        steps: &[Write(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")],
    },
];

/// Run one case against a server; the bytes received until the server closed (bounded).
fn exchange(port: u16, case: &Case) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let deadline = Instant::now() + common::WAIT;
    let mut got = Vec::new();
    let read_some = |s: &mut TcpStream, got: &mut Vec<u8>| -> bool {
        let mut buf = [0u8; 4096];
        match s.read(&mut buf) {
            Ok(0) => false,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                true
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                true
            }
            Err(_) => false,
        }
    };
    for step in case.steps {
        match step {
            Write(b) => s.write_all(b).unwrap(),
            Fin => s.shutdown(Shutdown::Write).unwrap(),
            WaitFor(text) => {
                while !String::from_utf8_lossy(&got).ends_with(text) {
                    assert!(
                        Instant::now() < deadline,
                        "{}: never received {text:?}",
                        case.name
                    );
                    if !read_some(&mut s, &mut got) {
                        break;
                    }
                }
            }
        }
    }
    while Instant::now() < deadline {
        if !read_some(&mut s, &mut got) {
            break;
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// The bytes without the `Date:` header line (its value differs by nature between two runs,
/// and netlab may leave it out to keep timelines reproducible).
fn without_date(s: &str) -> String {
    let re = regex::Regex::new(r"(?m)^Date: [^\r\n]*\r\n").unwrap();
    re.replace_all(s, "").into_owned()
}

#[test]
fn every_route_answers_byte_for_byte_as_its_node_code() {
    if !have("node") {
        return;
    }
    let netlab = Server::netlab("http", &[]);
    let node = Server::spawn_node_script("tests/node/routes.js", &["0"]);
    let mut diffs = Vec::new();
    for case in CASES {
        let (a, b) = std::thread::scope(|sc| {
            let a = sc.spawn(|| exchange(netlab.port, case));
            let b = sc.spawn(|| exchange(node.port, case));
            (a.join().unwrap(), b.join().unwrap())
        });
        let (a, b) = (without_date(&a), without_date(&b));
        assert!(
            a.starts_with("HTTP/1."),
            "{}: netlab answered {a:?}",
            case.name
        );
        if a != b {
            diffs.push(format!("{}:\n  netlab: {a:?}\n  node:   {b:?}", case.name));
        }
    }
    netlab.stop();
    node.stop();
    assert!(
        diffs.is_empty(),
        "responses differ from Node's:\n{}",
        diffs.join("\n")
    );
}

//! HTTP drivers, with netlab's own small response reader (status, framing, body) so that a
//! failure names what the client saw: no framing, a truncated body, answers out of order.

use super::{connect, read_to_end, read_upto, show, Conn, Got, Log, Steps, Target, WAIT};
use crate::lab::server::dial::Dialer;
use crate::lab::server::StepResult;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// ---- HTTP ----------------------------------------------------------------------------------

/// One HTTP response as a client reads it.
#[derive(Debug)]
struct Resp {
    status: u16,
    body: Vec<u8>,
    /// How the body was framed: `content-length`, `chunked`, or `close`.
    framing: &'static str,
    /// The `Upgrade` header's value, lower-cased (a 101 names the protocol switched to).
    upgrade: Option<String>,
}

impl Resp {
    /// The response as a transcript line: `response 200 (chunked, body "Hello World\n")`.
    fn summary(&self) -> String {
        format!(
            "response {} ({}, body {})",
            self.status,
            self.framing,
            show(&self.body)
        )
    }
}

/// Read one response from `c` (`buf` keeps what is read past it).
async fn read_response(c: &mut Conn, buf: &mut Vec<u8>) -> Result<Resp, String> {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut chunk = vec![0u8; 16 * 1024];
    // Bounded by the deadline (and each read makes progress or ends).
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut r = httparse::Response::new(&mut headers);
        match r.parse(buf) {
            Ok(httparse::Status::Complete(head)) => {
                let status = r.code.unwrap_or(0);
                let get = |n: &str| {
                    r.headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(n))
                        .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
                };
                let length = get("content-length").and_then(|v| v.parse::<usize>().ok());
                let chunked = get("transfer-encoding").is_some_and(|v| v.ends_with("chunked"));
                let upgrade = get("upgrade");
                c.response(status, r.reason.unwrap_or_default(), upgrade.as_deref());
                buf.drain(..head);
                return if chunked {
                    read_chunked(c, buf, deadline)
                        .await
                        .map_err(|e| {
                            if e.contains("Content-Length promised") {
                                format!("the chunked response never ended (no last, 0-size chunk within {} s): did the handler call end()?", WAIT.as_secs())
                            } else {
                                e
                            }
                        })
                        .map(|body| Resp {
                        status,
                        body,
                        framing: "chunked",
                        upgrade: upgrade.clone(),
                    })
                } else if let Some(n) = length {
                    fill(c, buf, n, deadline).await?;
                    let body: Vec<u8> = buf.drain(..n).collect();
                    Ok(Resp {
                        status,
                        body,
                        framing: "content-length",
                        upgrade: upgrade.clone(),
                    })
                } else if status == 204 || status == 304 || (100..200).contains(&status) {
                    Ok(Resp {
                        status,
                        body: Vec::new(),
                        framing: "content-length",
                        upgrade: upgrade.clone(),
                    })
                } else {
                    // Read until close.
                    loop {
                        match tokio::time::timeout_at(deadline, c.read(&mut chunk)).await {
                            Ok(Ok(0)) => break,
                            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
                            _ => return Err("the response had no Content-Length and no chunked encoding, so the client could only read until close — and the connection stayed open".into()),
                        }
                    }
                    Ok(Resp {
                        status,
                        body: std::mem::take(buf),
                        framing: "close",
                        upgrade: upgrade.clone(),
                    })
                };
            }
            Ok(httparse::Status::Partial) => {}
            Err(e) => {
                return Err(format!(
                    "the response is not valid HTTP ({e}): {}",
                    show(buf)
                ))
            }
        }
        match tokio::time::timeout_at(deadline, c.read(&mut chunk)).await {
            Err(_) => {
                return Err(if buf.is_empty() {
                    format!("no response within {} s", WAIT.as_secs())
                } else {
                    format!(
                        "an incomplete response head within {} s: {}",
                        WAIT.as_secs(),
                        show(buf)
                    )
                })
            }
            Ok(Ok(0)) => {
                return Err(if buf.is_empty() {
                    "the connection closed without a response".into()
                } else {
                    format!(
                        "the connection closed in the middle of the response head: {}",
                        show(buf)
                    )
                })
            }
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) => return Err(format!("the connection failed ({})", super::os_error(&e))),
        }
    }
}

/// Read until `buf` holds `n` bytes.
async fn fill(
    c: &mut Conn,
    buf: &mut Vec<u8>,
    n: usize,
    deadline: tokio::time::Instant,
) -> Result<(), String> {
    let mut chunk = vec![0u8; 16 * 1024];
    while buf.len() < n {
        match tokio::time::timeout_at(deadline, c.read(&mut chunk)).await {
            Ok(Ok(0)) => {
                return Err(format!(
                    "the connection closed after {} of the {n} body bytes Content-Length promised",
                    buf.len()
                ))
            }
            Ok(Ok(k)) => buf.extend_from_slice(&chunk[..k]),
            _ => {
                return Err(format!(
                    "only {} of the {n} body bytes Content-Length promised arrived",
                    buf.len()
                ))
            }
        }
    }
    Ok(())
}

/// A chunked body (trailers skipped).
async fn read_chunked(
    c: &mut Conn,
    buf: &mut Vec<u8>,
    deadline: tokio::time::Instant,
) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    // Bounded: each chunk consumes bytes; at most 10,000 chunks.
    for _ in 0..10_000 {
        let line_end = loop {
            if let Some(i) = buf.windows(2).position(|w| w == b"\r\n") {
                break i;
            }
            let have = buf.len();
            fill(c, buf, have + 1, deadline).await?;
        };
        let line = String::from_utf8_lossy(&buf[..line_end]).to_string();
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("a bad chunk size line: {}", show(line.as_bytes())))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // Trailers end with an empty line.
            loop {
                if let Some(i) = buf.windows(2).position(|w| w == b"\r\n") {
                    buf.drain(..i + 2);
                    if i == 0 {
                        return Ok(body);
                    }
                } else {
                    let have = buf.len();
                    fill(c, buf, have + 1, deadline).await?;
                }
            }
        }
        fill(c, buf, size + 2, deadline).await?;
        body.extend(buf.drain(..size));
        buf.drain(..2);
    }
    Err("more than 10,000 chunks".into())
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: netlab\r\n\r\n").into_bytes()
}

pub(super) async fn http_hello(d: Arc<Dialer>, t: Target, steps: Steps) {
    // hello and not-found, each on a fresh connection.
    for (name, path, want) in [("hello", "/hello", 200u16), ("not-found", "/nope", 404)] {
        let mut log = Log::new();
        let mut c = match connect(&d, &t).await {
            Ok(c) => c,
            Err(e) => {
                steps
                    .push(log.fail(name, super::could_not_connect(&e)))
                    .await;
                continue;
            }
        };
        log.note("client1", format!("GET {path}"));
        let _ = c.write_all(&get(path)).await;
        let mut buf = Vec::new();
        steps.push(match read_response(&mut c, &mut buf).await {
            Err(e) => log.fail(name, e),
            Ok(r) => {
                log.note("client1", r.summary());
                if r.status != want {
                    log.fail(name, format!("GET {path} answered {}, expected {want}", r.status))
                } else if name == "hello" && String::from_utf8_lossy(&r.body).trim() != "Hello World" {
                    log.fail_bytes(name, format!("the body was {}, expected \"Hello World\"", show(&r.body)), b"Hello World", &r.body)
                } else if r.framing == "close" {
                    log.fail(name, "the response had no Content-Length and no chunked encoding, so the client could only read until close")
                } else {
                    log.pass(name)
                }
            }
        }).await;
    }
    // keep-alive: three requests, one connection.
    let mut log = Log::new();
    steps
        .push(match connect(&d, &t).await {
            Err(e) => log.fail("keep-alive", super::could_not_connect(&e)),
            Ok(mut c) => {
                let mut buf = Vec::new();
                let mut problem = None;
                for i in 1..=3 {
                    let _ = c.write_all(&get("/hello")).await;
                    log.note(
                        "client1",
                        format!("GET /hello (request {i} on this connection)"),
                    );
                    match read_response(&mut c, &mut buf).await {
                        Ok(r) => {
                            log.note("client1", format!("response {} ({})", r.status, r.framing))
                        }
                        Err(e) => {
                            problem = Some(format!("request {i} on the same connection: {e}"));
                            break;
                        }
                    }
                }
                match problem {
                    None => log.pass("keep-alive"),
                    Some(p) => log.fail("keep-alive", p),
                }
            }
        })
        .await;
    // pipelined: two requests in one write, answered in order.
    let mut log = Log::new();
    steps.push(match connect(&d, &t).await {
        Err(e) => log.fail("pipelined", super::could_not_connect(&e)),
        Ok(mut c) => {
            let mut both = get("/hello");
            both.extend(get("/nope"));
            let _ = c.write_all(&both).await;
            log.note("client1", "GET /hello and GET /nope in one write");
            let mut buf = Vec::new();
            let first = read_response(&mut c, &mut buf).await;
            let second = match &first {
                Ok(_) => read_response(&mut c, &mut buf).await,
                Err(_) => Err(String::new()),
            };
            match (first, second) {
                (Ok(a), Ok(b)) => {
                    log.note("client1", format!("responses {} then {}", a.status, b.status));
                    if (a.status, b.status) == (200, 404) {
                        log.pass("pipelined")
                    } else {
                        log.fail("pipelined", format!("answered {} then {}: pipelined requests must be answered in the order they came (200 for /hello, then 404)", a.status, b.status))
                    }
                }
                (Err(e), _) => log.fail("pipelined", format!("the first of two pipelined requests: {e}")),
                (Ok(_), Err(e)) => log.fail("pipelined", format!("the second of two pipelined requests: {e}")),
            }
        }
    }).await;
    // bad-request: garbage gets 400; a new connection is still served.
    let mut log = Log::new();
    let garbage = match connect(&d, &t).await {
        Err(e) => Err(super::could_not_connect(&e)),
        Ok(mut c) => {
            // Spaces inside the URL: a request line no HTTP/1.1 parser accepts.
            let garbage = b"GET /not a valid request HTTP/1.1\r\nHost: netlab\r\n\r\n";
            let _ = c.write_all(garbage).await;
            log.note("client1", format!("write {}", show(garbage)));
            let mut buf = Vec::new();
            read_response(&mut c, &mut buf).await
        }
    };
    let after = match connect(&d, &t).await {
        Err(e) => Err(format!(
            "could not connect afterwards: {}",
            super::os_error(&e)
        )),
        Ok(mut c) => {
            let _ = c.write_all(&get("/hello")).await;
            let mut buf = Vec::new();
            read_response(&mut c, &mut buf).await
        }
    };
    steps
        .push(match (garbage, after) {
            (_, Err(e)) => log.fail(
                "bad-request",
                format!(
                    "after a garbage request, your server no longer answers ({e}): did it crash?"
                ),
            ),
            (Ok(r), Ok(_)) if r.status == 400 => {
                log.note("client1", "response 400");
                log.pass("bad-request")
            }
            (Ok(r), Ok(_)) => log.fail(
                "bad-request",
                format!(
                    "a garbage request was answered {}, expected 400 Bad Request",
                    r.status
                ),
            ),
            (Err(e), Ok(_)) => {
                log.fail("bad-request", format!("a garbage request got no 400 ({e})"))
            }
        })
        .await;
}

// ---- uploads -------------------------------------------------------------------------------

/// The largest upload the lab's servers accept (1 MiB); more declared gets 417.
const UPLOAD_LIMIT: usize = 1 << 20;

/// A POST /upload head declaring `length` body bytes, with `Expect: 100-continue` or not.
fn upload_head(length: usize, expect: bool) -> Vec<u8> {
    format!(
        "POST /upload HTTP/1.1\r\nHost: netlab\r\nContent-Type: application/octet-stream\r\nContent-Length: {length}\r\n{}\r\n",
        if expect { "Expect: 100-continue\r\n" } else { "" }
    )
    .into_bytes()
}

/// Whether `r` is `200 got N bytes`; else what was wrong.
fn got_bytes(r: &Resp, n: usize) -> Result<(), String> {
    let want = format!("got {n} bytes");
    let body = String::from_utf8_lossy(&r.body);
    if r.status != 200 {
        Err(format!(
            "an upload of {n} bytes was answered {}, expected 200 with the body {want}",
            r.status
        ))
    } else if body.trim() != want {
        Err(format!(
            "an upload of {n} bytes was answered {}, expected {}",
            show(&r.body),
            show(want.as_bytes())
        ))
    } else {
        Ok(())
    }
}

/// Send `request` on a fresh connection and read the final response.
async fn upload_once(
    d: &Dialer,
    t: &Target,
    log: &mut Log,
    what: &str,
    request: &[u8],
) -> Result<Resp, String> {
    let mut c = connect(d, t)
        .await
        .map_err(|e| super::could_not_connect(&e))?;
    let _ = c.write_all(request).await;
    log.note("client1", what);
    let mut buf = Vec::new();
    let mut r = read_response(&mut c, &mut buf).await?;
    // A 100 Continue the client did not ask for is skipped, as clients do.
    if r.status == 100 {
        r = read_response(&mut c, &mut buf).await?;
    }
    log.note("client1", r.summary());
    Ok(r)
}

pub(super) async fn http_upload(d: Arc<Dialer>, t: Target, steps: Steps) {
    // length: 1000 bytes with Content-Length.
    let mut log = Log::new();
    let mut req = upload_head(1000, false);
    req.extend(std::iter::repeat_n(b'x', 1000));
    let r = upload_once(
        &d,
        &t,
        &mut log,
        "POST /upload, Content-Length: 1000, then the body",
        &req,
    )
    .await;
    steps
        .push(match r.and_then(|r| got_bytes(&r, 1000)) {
            Ok(()) => log.pass("length"),
            Err(e) => log.fail("length", e),
        })
        .await;
    // chunked: 11 bytes in two chunks.
    let mut log = Log::new();
    let req = b"POST /upload HTTP/1.1\r\nHost: netlab\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    let r = upload_once(
        &d,
        &t,
        &mut log,
        "POST /upload, Transfer-Encoding: chunked, chunks of 5 and 6 bytes",
        req,
    )
    .await;
    steps
        .push(match r.and_then(|r| got_bytes(&r, 11)) {
            Ok(()) => log.pass("chunked"),
            Err(e) if e.contains("answered \"got ") => log.fail(
                "chunked",
                format!(
                "{e}: a chunked body has no Content-Length; read it to its end (the 0-size chunk)"
            ),
            ),
            Err(e) => log.fail("chunked", e),
        })
        .await;
    steps.push(expect_continue(&d, &t).await).await;
    steps.push(too_large(&d, &t).await).await;
}

/// Expect: 100-continue with a small body: 100 first, the body only then, then 200.
async fn expect_continue(d: &Dialer, t: &Target) -> StepResult {
    let name = "continue";
    let mut log = Log::new();
    let mut c = match connect(d, t).await {
        Ok(c) => c,
        Err(e) => return log.fail(name, super::could_not_connect(&e)),
    };
    let _ = c.write_all(&upload_head(5, true)).await;
    log.note(
        "client1",
        "POST /upload, Content-Length: 5, Expect: 100-continue — and wait",
    );
    let mut buf = Vec::new();
    match read_response(&mut c, &mut buf).await {
        Err(e) if e.starts_with("no response within") => {
            return log.fail(
                name,
                format!(
                    "no 100 Continue within {} s of a request with Expect: 100-continue: the client waits for it before it sends its body (HTTP/1.1 servers answer it; Node does unless a 'checkContinue' listener forgets writeContinue())",
                    WAIT.as_secs()
                ),
            )
        }
        Err(e) => return log.fail(name, e),
        Ok(r) if r.status != 100 => {
            log.note("client1", format!("response {}", r.status));
            return log.fail(
                name,
                format!(
                    "answered {} before the client sent its body: answer 100 Continue first, then read the body",
                    r.status
                ),
            );
        }
        Ok(_) => log.note("client1", "response 100 Continue"),
    }
    let _ = c.write_all(b"hello").await;
    log.note("client1", "write the body \"hello\"");
    let r = read_response(&mut c, &mut buf).await;
    if let Ok(r) = &r {
        log.note("client1", r.summary());
    }
    match r.and_then(|r| got_bytes(&r, 5)) {
        Ok(()) => log.pass(name),
        Err(e) => log.fail(name, format!("after 100 Continue and the body: {e}")),
    }
}

/// Expect: 100-continue declaring 2 MiB: 417 without the body; then a new upload is served.
async fn too_large(d: &Dialer, t: &Target) -> StepResult {
    let name = "too-large";
    let mut log = Log::new();
    let mut c = match connect(d, t).await {
        Ok(c) => c,
        Err(e) => return log.fail(name, super::could_not_connect(&e)),
    };
    let big = 2 * UPLOAD_LIMIT;
    let _ = c.write_all(&upload_head(big, true)).await;
    log.note(
        "client1",
        format!("POST /upload, Content-Length: {big}, Expect: 100-continue — and wait"),
    );
    let mut buf = Vec::new();
    let refused = match read_response(&mut c, &mut buf).await {
        Ok(r) if r.status == 417 => {
            log.note(
                "client1",
                "response 417 Expectation Failed; the body is never sent",
            );
            Ok(())
        }
        Ok(r) if r.status == 100 => {
            log.note("client1", "response 100 Continue");
            Err(format!("answered 100 Continue to a request declaring {big} bytes, more than the 1 MiB limit: decide before the body comes — in Node's 'checkContinue' (or Python's handle_expect_100) answer 417 instead"))
        }
        Ok(r) => {
            log.note("client1", format!("response {}", r.status));
            Err(format!(
                "a request declaring {big} bytes with Expect: 100-continue was answered {}, expected 417 Expectation Failed before the body",
                r.status
            ))
        }
        Err(e) => Err(format!(
            "a request declaring {big} bytes with Expect: 100-continue got no 417 ({e})"
        )),
    };
    drop(c);
    if let Err(e) = refused {
        return log.fail(name, e);
    }
    let mut req = upload_head(2, false);
    req.extend_from_slice(b"hi");
    match upload_once(
        d,
        t,
        &mut log,
        "then, on a new connection, POST /upload with 2 bytes",
        &req,
    )
    .await
    .and_then(|r| got_bytes(&r, 2))
    {
        Ok(()) => log.pass(name),
        Err(e) => log.fail(
            name,
            format!("after refusing an upload with 417, your server no longer serves: {e}"),
        ),
    }
}

// ---- upgrade -------------------------------------------------------------------------------

/// An upgrade request to the lab's protocol, `netlab-echo`.
const UPGRADE: &[u8] =
    b"GET /chat HTTP/1.1\r\nHost: netlab\r\nConnection: Upgrade\r\nUpgrade: netlab-echo\r\n\r\n";

/// Send `request` (an upgrade, maybe with bytes after it) and expect a 101 to netlab-echo;
/// the connection and what was read past the head.
async fn switch(
    d: &Dialer,
    t: &Target,
    log: &mut Log,
    request: &[u8],
) -> Result<(Conn, Vec<u8>), String> {
    let mut c = connect(d, t)
        .await
        .map_err(|e| super::could_not_connect(&e))?;
    let _ = c.write_all(request).await;
    log.note("client1", format!("write {}", show(request)));
    let mut buf = Vec::new();
    let r = read_response(&mut c, &mut buf).await?;
    log.note(
        "client1",
        format!(
            "response {} (Upgrade: {})",
            r.status,
            r.upgrade.as_deref().unwrap_or("none")
        ),
    );
    if r.status != 101 {
        return Err(format!(
            "an upgrade request (Connection: Upgrade, Upgrade: netlab-echo) was answered {}, expected 101 Switching Protocols: in Node, listen for the server's 'upgrade' event (without a listener, an upgrade request reaches the request handler as a plain request)",
            r.status
        ));
    }
    if r.upgrade.as_deref() != Some("netlab-echo") {
        return Err(format!(
            "the 101 said Upgrade: {}, expected Upgrade: netlab-echo (the protocol switched to)",
            r.upgrade.as_deref().unwrap_or("(none)")
        ));
    }
    Ok((c, buf))
}

pub(super) async fn http_upgrade(d: Arc<Dialer>, t: Target, steps: Steps) {
    // switch, then raw-echo on the same socket.
    let mut log = Log::new();
    let switched = switch(&d, &t, &mut log, UPGRADE).await;
    let (mut c, mut got) = match switched {
        Ok(x) => {
            steps.push(log.pass("switch")).await;
            x
        }
        Err(e) => {
            steps.push(log.fail("switch", e.clone())).await;
            let log = Log::new();
            steps
                .push(log.fail("raw-echo", format!("no protocol switch: {e}")))
                .await;
            steps.push(early_bytes(&d, &t).await).await;
            steps.push(no_upgrade(&d, &t).await).await;
            return;
        }
    };
    let mut log = Log::new();
    const RAW: &[u8] = b"\x00raw bytes, not HTTP\r\n";
    let _ = c.write_all(RAW).await;
    log.note("client1", format!("write {}", show(RAW)));
    let how = read_upto(&mut c, &mut got, RAW.len()).await;
    log.note("client1", format!("received {} ({how:?})", show(&got)));
    let echoed = if got == RAW {
        Ok(())
    } else if got.is_empty() {
        Err(match how {
            Got::Eof => "after the 101 the connection closed before any echo".to_string(),
            _ => format!(
                "after the 101, nothing came back within {} s: the socket is now yours — in Node, the 'upgrade' listener's socket: socket.pipe(socket)",
                WAIT.as_secs()
            ),
        })
    } else {
        Err(format!(
            "after the 101, sent {}, got back {}: once switched, the bytes are no longer HTTP",
            show(RAW),
            show(&got)
        ))
    };
    let result = match echoed {
        Err(e) => log.fail_bytes("raw-echo", e, RAW, &got),
        Ok(()) => {
            let _ = c.shutdown().await;
            log.note("client1", "end (FIN)");
            let mut rest = Vec::new();
            match read_to_end(&mut c, &mut rest).await {
                Got::Eof => {
                    log.note("client1", "the server's end (FIN)");
                    log.pass("raw-echo")
                }
                how => log.fail(
                    "raw-echo",
                    format!(
                        "after the client ended, the upgraded socket was not ended ({how:?} within {} s)",
                        WAIT.as_secs()
                    ),
                ),
            }
        }
    };
    steps.push(result).await;
    steps.push(early_bytes(&d, &t).await).await;
    steps.push(no_upgrade(&d, &t).await).await;
}

/// Bytes in the same write as the upgrade request: Node hands them to the 'upgrade' listener
/// as `head`, not through the socket.
async fn early_bytes(d: &Dialer, t: &Target) -> StepResult {
    let name = "early-bytes";
    let mut log = Log::new();
    const EARLY: &[u8] = b"early\r\n";
    let mut req = UPGRADE.to_vec();
    req.extend_from_slice(EARLY);
    let (mut c, mut got) = match switch(d, t, &mut log, &req).await {
        Ok(x) => x,
        Err(e) => return log.fail(name, e),
    };
    let how = read_upto(&mut c, &mut got, EARLY.len()).await;
    log.note("client1", format!("received {} ({how:?})", show(&got)));
    let _ = c.shutdown().await;
    if got == EARLY {
        log.pass(name)
    } else {
        log.fail_bytes(
            name,
            format!(
                "bytes sent right behind the upgrade request ({}) never came back, got {}: in Node they arrive as the 'upgrade' listener's head argument — write it back before piping",
                show(EARLY),
                show(&got)
            ),
            EARLY,
            &got,
        )
    }
}

/// A plain GET /chat: an ordinary response, and no switch.
async fn no_upgrade(d: &Dialer, t: &Target) -> StepResult {
    let name = "no-upgrade";
    let mut log = Log::new();
    let mut c = match connect(d, t).await {
        Ok(c) => c,
        Err(e) => return log.fail(name, super::could_not_connect(&e)),
    };
    let _ = c.write_all(&get("/chat")).await;
    log.note("client1", "GET /chat, no Upgrade");
    let mut buf = Vec::new();
    match read_response(&mut c, &mut buf).await {
        Ok(r) if r.status == 101 => {
            log.note("client1", "response 101");
            log.fail(
                name,
                "a request without Upgrade was answered 101: switch only when the client asked to",
            )
        }
        Ok(r) => {
            log.note("client1", format!("response {}", r.status));
            log.pass(name)
        }
        Err(e) => log.fail(
            name,
            format!("a plain GET /chat (no Upgrade) got no ordinary response ({e}); 426 Upgrade Required is the usual answer"),
        ),
    }
}

// ---- https ---------------------------------------------------------------------------------

pub(super) async fn https_hello(d: Arc<Dialer>, t: Target, steps: Steps) {
    let mut log = Log::new();
    let connector = match t.ca_pem.as_deref().map(crate::tls::connector) {
        Some(Ok(c)) => c,
        _ => {
            steps
                .push(log.fail("handshake", "netlab had no CA to verify your server with"))
                .await;
            return;
        }
    };
    let mut c = match connect(&d, &t).await {
        Ok(c) => c,
        Err(e) => {
            steps
                .push(log.fail("handshake", super::could_not_connect(&e)))
                .await;
            return;
        }
    };
    log.note(
        "client1",
        "connect, then a TLS ClientHello for localhost, trusting only NETLAB_CA",
    );
    let name = rustls::pki_types::ServerName::try_from("localhost")
        .expect("localhost is a valid server name");
    // The lane records the plaintext, above TLS (the handshake's bytes are not the client's).
    let lane = c.take_lane();
    let tls = tokio::time::timeout(WAIT, connector.connect(name, c)).await;
    let mut c: Conn = match tls {
        Ok(Ok(s)) => {
            let (version, cipher) = crate::tls::describe(s.get_ref().1);
            log.note("client1", format!("secureConnect ({version}, {cipher})"));
            steps.push(log.pass("handshake")).await;
            let c = Conn::with_lane(Box::new(s), lane);
            c.note(crate::trace::Event::SecureConnect {
                protocol: version.to_string(),
                cipher: cipher.to_string(),
            });
            c
        }
        Ok(Err(e)) => {
            log.note("client1", format!("handshake failed: {e}"));
            let why = e.to_string();
            if let Some(lane) = lane {
                let code = if why.contains("UnknownIssuer") {
                    "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
                } else {
                    "EPROTO"
                };
                lane.failed(code, why.clone());
            }
            let hint = if why.contains("InvalidContentType") || why.contains("corrupt message") {
                ": your server did not answer in TLS — serve with https.createServer({ cert, key }) (Python: ssl.SSLContext.wrap_socket)"
            } else if why.contains("UnknownIssuer") || why.contains("certificate") {
                ": serve the certificate in NETLAB_CERT with its key in NETLAB_KEY, not one of your own"
            } else {
                ""
            };
            steps
                .push(log.fail(
                    "handshake",
                    format!("the TLS handshake failed ({why}){hint}"),
                ))
                .await;
            return;
        }
        Err(_) => {
            if let Some(lane) = lane {
                lane.failed("ETIMEDOUT", "no TLS handshake".into());
            }
            steps
                .push(log.fail(
                    "handshake",
                    format!(
                        "no TLS handshake within {} s: your server did not answer the ClientHello",
                        WAIT.as_secs()
                    ),
                ))
                .await;
            return;
        }
    };
    let mut log = Log::new();
    let _ = c.write_all(&get("/hello")).await;
    log.note("client1", "GET /hello (over TLS)");
    let mut buf = Vec::new();
    steps
        .push(match read_response(&mut c, &mut buf).await {
            Err(e) => log.fail("hello", e),
            Ok(r) => {
                log.note("client1", r.summary());
                if r.status != 200 {
                    log.fail(
                        "hello",
                        format!("GET /hello answered {}, expected 200", r.status),
                    )
                } else if String::from_utf8_lossy(&r.body).trim() != "Hello World" {
                    log.fail(
                        "hello",
                        format!("the body was {}, expected \"Hello World\"", show(&r.body)),
                    )
                } else {
                    log.pass("hello")
                }
            }
        })
        .await;
}

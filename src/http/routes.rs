//! The `http` scenario's application: what each route answers, and when — each route as the
//! Node 20 code it mirrors. That code is one runnable program, `tests/node/routes.js` (a plain
//! `http.createServer`), and `tests/routes.rs` sends the same requests to it and to
//! `netlab serve http` and requires the same response bytes (`Date` aside: netlab sends none,
//! so timelines are reproducible).
//!
//! Fixed answers go through one helper, so their headers come in this order — then Node adds
//! `Connection: keep-alive` + `Keep-Alive: timeout=5` (or `Connection: close`):
//!
//! ```js
//! function text(res, status, body, headers) {
//!   res.writeHead(status, { 'Content-Type': 'text/plain', ...headers,
//!                           'Content-Length': Buffer.byteLength(body) });
//!   res.end(body);
//! }
//! ```
//!
//! | request | answer | Node code (`route(req, res, bodyLength)`, after the body's `end`) |
//! |---|---|---|
//! | `GET /hello` | `200` `Hello World` | `text(res, 200, 'Hello World')` |
//! | `GET /one`, `GET /two` | `one`, `two` | `text(res, 200, path.slice(1))` |
//! | `GET /slow/N` | `N`, after ~200 ms (so requests in flight can be counted) | `setTimeout(() => text(res, 200, N), 200)` |
//! | `GET /secret` | `200` with Basic credentials `netlab:sockets`; else `401` | `text(res, 401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="netlab"' })` |
//! | `POST /upload` | `201` `received N bytes` | `text(res, 201, `` `received ${n} bytes` ``)` |
//! | `POST /upload` + `Expect: 100-continue` | the `100` after ~300 ms, then as above | `server.on('checkContinue', (req, res) => setTimeout(() => { res.writeContinue(); answer(req, res); }, 300))` |
//! | `GET /stream` | chunked, three chunks (`Transfer-Encoding: chunked` after `Connection`) | `res.writeHead(200, { 'Content-Type': 'text/plain' }); res.write('one\n'); res.write('two\n'); res.end('three\n')` |
//! | `GET /chat` + `Upgrade: netlab-echo` | `101` after ~200 ms, then raw bytes echoed | `server.on('upgrade', (req, socket, head) => setTimeout(() => { socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: netlab-echo\r\nConnection: Upgrade\r\n\r\n'); socket.pipe(socket); }, 200))` |
//! | `CONNECT echo.netlab:7` | `200 Connection Established`, then a tunnel to an echo service | `server.on('connect', (req, socket, head) => { socket.write('HTTP/1.1 200 Connection Established\r\n\r\n'); socket.pipe(socket); })` |
//! | `CONNECT` elsewhere | `403` and close | `socket.end('HTTP/1.1 403 Forbidden\r\n…Connection: close\r\n\r\nonly echo.netlab:7 is reachable')` |
//! | anything else | `404` | `text(res, 404, 'Not Found')` |
//!
//! `HEAD` is answered like `GET`, without the body (Node drops it). A route without
//! `writeHead` before `res.end(data)` would get an automatic `Content-Length`; none of these
//! does that, so the framing is always the one written here.

use super::app::{App, Reply};
use super::message::{Request, Response};
use base64::Engine as _;
use std::time::Duration;

/// The protocol `/chat` upgrades to.
pub const CHAT_PROTOCOL: &str = "netlab-echo";
/// The only CONNECT target.
pub const CONNECT_TARGET: &str = "echo.netlab:7";
/// Delay of `/slow/N`.
pub const SLOW: Duration = Duration::from_millis(200);
/// Delay before `/upload`'s `100 Continue`.
pub const CONTINUE_DELAY: Duration = Duration::from_millis(300);
/// Delay before `/chat`'s `101`.
pub const UPGRADE_DELAY: Duration = Duration::from_millis(200);

fn now(r: Response) -> Reply {
    Reply::now(r)
}

/// The `http` scenario's application (the table above).
#[derive(Clone, Copy, Debug, Default)]
pub struct Routes;

impl App for Routes {
    fn route(&mut self, req: &Request) -> Reply {
        route(req)
    }
    fn accepts_upgrade(&self, protocol: &str) -> bool {
        accepts_upgrade(protocol)
    }
    fn upgrade(&mut self, req: &Request) -> Reply {
        upgrade(req)
    }
    fn connect(&mut self, req: &Request) -> Reply {
        connect(req)
    }
    fn continue_delay(&mut self, req: &Request) -> Duration {
        continue_delay(req)
    }
}

/// The routes of a lab run: [`Routes`], except that `GET /hello` answers `Hello World <token>`
/// with the run's token (labs with `nonce = true`), so a client must print the body it read.
/// Without a token it is [`Routes`] exactly.
#[derive(Clone, Debug, Default)]
pub struct LabRoutes {
    /// The run's token, if the lab asks for one.
    pub nonce: Option<String>,
}

impl App for LabRoutes {
    fn route(&mut self, req: &Request) -> Reply {
        let mut reply = route(req);
        let path = req.url.split('?').next().unwrap_or_default();
        if let (Some(n), "/hello", 200) = (&self.nonce, path, reply.response.status) {
            reply.response = Response::text(200, "OK", &format!("Hello World {n}"));
        }
        reply
    }
    fn accepts_upgrade(&self, protocol: &str) -> bool {
        accepts_upgrade(protocol)
    }
    fn upgrade(&mut self, req: &Request) -> Reply {
        upgrade(req)
    }
    fn connect(&mut self, req: &Request) -> Reply {
        connect(req)
    }
    fn continue_delay(&mut self, req: &Request) -> Duration {
        continue_delay(req)
    }
}

/// The answer to an ordinary request (its body already read).
fn route(req: &Request) -> Reply {
    let path = req.url.split('?').next().unwrap_or_default();
    match (req.method.as_str(), path) {
        ("GET" | "HEAD", "/hello") => now(Response::text(200, "OK", "Hello World")),
        ("GET" | "HEAD", "/one") => now(Response::text(200, "OK", "one")),
        ("GET" | "HEAD", "/two") => now(Response::text(200, "OK", "two")),
        ("GET" | "HEAD", p) if p.starts_with("/slow/") => Reply {
            delay: Some(SLOW),
            response: Response::text(200, "OK", &p["/slow/".len()..]),
        },
        ("GET" | "HEAD", "/secret") => now(secret(req)),
        ("POST" | "PUT", "/upload") => now(Response::text(
            201,
            "Created",
            &format!("received {} bytes", req.body_len),
        )),
        ("GET" | "HEAD", "/stream") => now(Response {
            status: 200,
            reason: "OK",
            headers: vec![("Content-Type".into(), "text/plain".into())],
            chunked: true,
            chunks: vec![b"one\n".to_vec(), b"two\n".to_vec(), b"three\n".to_vec()],
            ..Response::default()
        }),
        _ => now(Response::text(404, "Not Found", "Not Found")),
    }
}

fn secret(req: &Request) -> Response {
    let expected = base64::engine::general_purpose::STANDARD.encode("netlab:sockets");
    let given = req
        .header("authorization")
        .and_then(|v| v.strip_prefix("Basic "))
        .map(str::trim);
    if given == Some(expected.as_str()) {
        Response::text(200, "OK", "the secret is: sockets all the way down")
    } else {
        let mut r = Response::text(401, "Unauthorized", "Unauthorized");
        r.headers
            .push(("WWW-Authenticate".into(), "Basic realm=\"netlab\"".into()));
        r
    }
}

/// Whether the application speaks this upgrade protocol.
fn accepts_upgrade(protocol: &str) -> bool {
    protocol.eq_ignore_ascii_case(CHAT_PROTOCOL)
}

/// The answer to an upgrade request (`/chat` with `Upgrade: netlab-echo`).
fn upgrade(req: &Request) -> Reply {
    if req.url == "/chat" {
        Reply {
            delay: Some(UPGRADE_DELAY),
            response: Response {
                status: 101,
                reason: "Switching Protocols",
                headers: vec![
                    ("Upgrade".into(), CHAT_PROTOCOL.into()),
                    ("Connection".into(), "Upgrade".into()),
                ],
                ..Response::default()
            },
        }
    } else {
        now(Response::text(404, "Not Found", "Not Found"))
    }
}

/// The answer to a CONNECT request.
fn connect(req: &Request) -> Reply {
    if req.url.eq_ignore_ascii_case(CONNECT_TARGET) {
        now(Response {
            status: 200,
            reason: "Connection Established",
            ..Response::default()
        })
    } else {
        let mut r = Response::text(403, "Forbidden", "only echo.netlab:7 is reachable");
        r.close = true;
        now(r)
    }
}

/// How long to wait before sending `100 Continue` for this request.
fn continue_delay(req: &Request) -> Duration {
    if req.url.starts_with("/upload") {
        CONTINUE_DELAY
    } else {
        Duration::ZERO
    }
}

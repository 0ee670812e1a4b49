//! An in-process HTTP/1.1 client with Node's `http.Agent` pooling, for demos.
//!
//! [`Agent`] hands out sockets per request the way Node's agent does: reuse an idle keep-alive
//! socket, else open a new one while under `maxSockets`, else queue the request until a socket
//! is freed. Each request records Node's client-side events on its own scope (`creq#K`):
//! `socket` (which connection, and whether it was reused), `finish` (the request is written),
//! `response` (status), the response body as `data`/`end`, and `close`. Each socket records
//! `connect` and `close` on `client#N`.
//!
//! Scope of this client (it serves demos, not arbitrary servers): responses must carry
//! `Content-Length`; no redirects, no chunked responses, no TLS.

use crate::trace::{Event, Recorder, Scope};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// Node's `http.Agent` options that matter for pooling.
#[derive(Clone, Copy, Debug)]
pub struct AgentOptions {
    /// Most sockets open at once; `None` is Node's default, `Infinity`.
    pub max_sockets: Option<usize>,
    /// Keep sockets open between requests (Node's global agent: true since v19).
    pub keep_alive: bool,
}

/// A socket pool shared by requests.
pub struct Agent {
    opts: AgentOptions,
    addr: std::net::SocketAddr,
    recorder: Recorder,
    state: Mutex<Pool>,
    freed: Notify,
    next_conn: Arc<AtomicU32>,
}

#[derive(Default)]
struct Pool {
    idle: VecDeque<(u32, TcpStream)>,
    open: usize,
    /// Most sockets ever open at once.
    pub peak: usize,
    /// Sockets opened in all.
    pub opened: usize,
}

/// A finished request.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    /// The client socket number it used.
    pub conn: u32,
}

impl Agent {
    /// An agent for the server at `addr`; socket numbers come from `next_conn` (shared, so
    /// several agents in one demo number their sockets apart).
    pub fn new(
        addr: std::net::SocketAddr,
        opts: AgentOptions,
        recorder: Recorder,
        next_conn: Arc<AtomicU32>,
    ) -> Arc<Agent> {
        Arc::new(Agent {
            opts,
            addr,
            recorder,
            state: Mutex::new(Pool::default()),
            freed: Notify::new(),
            next_conn,
        })
    }

    fn pool(&self) -> std::sync::MutexGuard<'_, Pool> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// (sockets opened in all, most open at once).
    pub fn sockets(&self) -> (usize, usize) {
        let p = self.pool();
        (p.opened, p.peak)
    }

    async fn acquire(&self) -> std::io::Result<(u32, TcpStream, bool)> {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let mut p = self.pool();
                if let Some((n, s)) = p.idle.pop_front() {
                    return Ok((n, s, true));
                }
                if self.opts.max_sockets.is_none_or(|m| p.open < m) {
                    p.open += 1;
                    p.opened += 1;
                    p.peak = p.peak.max(p.open);
                    break;
                }
            }
            freed.await;
        }
        let n = self.next_conn.fetch_add(1, Ordering::Relaxed) + 1;
        match TcpStream::connect(self.addr).await {
            Ok(s) => {
                let _ = s.set_nodelay(true); // Node's agent sockets have Nagle off
                self.recorder.record(
                    Scope::Client { conn: n },
                    Event::Connect {
                        peer: Some(self.addr.to_string()),
                    },
                );
                Ok((n, s, false))
            }
            Err(e) => {
                self.pool().open -= 1;
                self.freed.notify_one();
                Err(e)
            }
        }
    }

    fn release(&self, n: u32, s: TcpStream, reusable: bool) {
        if reusable && self.opts.keep_alive {
            self.pool().idle.push_back((n, s));
        } else {
            self.close_socket(n, s);
        }
        self.freed.notify_one();
    }

    /// Close socket `n` and count it out of the pool.
    fn close_socket(&self, n: u32, s: TcpStream) {
        drop(s);
        self.pool().open -= 1;
        self.recorder.record(
            Scope::Client { conn: n },
            Event::Close {
                had_error: Some(false),
            },
        );
    }

    /// Close every idle socket (Node's `agent.destroy()`).
    pub fn destroy(&self) {
        let idle: Vec<_> = self.pool().idle.drain(..).collect();
        for (n, s) in idle {
            self.close_socket(n, s);
        }
    }

    /// `GET path` as request number `req`.
    pub async fn get(self: &Arc<Self>, req: u32, path: &str) -> std::io::Result<Reply> {
        let scope = Scope::ClientRequest { req };
        let (conn, mut s, reused) = self.acquire().await?;
        self.recorder.record(scope, Event::Socket { conn, reused });
        let connection = if self.opts.keep_alive {
            "keep-alive"
        } else {
            "close"
        };
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: {connection}\r\n\r\n",
            self.addr
        );
        s.write_all(head.as_bytes()).await?;
        self.recorder.record(scope, Event::Finish);
        let (status, reason, body, reusable) = read_response(&mut s, conn, &self.recorder).await?;
        self.recorder
            .record(scope, Event::Response { status, reason });
        if !body.is_empty() {
            self.recorder.record(scope, Event::data(&body));
        }
        self.recorder.record(scope, Event::End);
        self.recorder
            .record(scope, Event::Close { had_error: None });
        self.release(conn, s, reusable);
        Ok(Reply { status, body, conn })
    }
}

/// Read one response with a `Content-Length` body. Returns (status, reason, body, reusable).
async fn read_response(
    s: &mut TcpStream,
    conn: u32,
    recorder: &Recorder,
) -> std::io::Result<(u16, String, Vec<u8>, bool)> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(bad("the server closed before a full response"));
        }
        recorder.data(Scope::Client { conn }, &chunk[..n]);
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut res = httparse::Response::new(&mut headers);
        match res.parse(&buf).map_err(|e| bad(&e.to_string()))? {
            httparse::Status::Partial => continue,
            httparse::Status::Complete(head) => {
                let status = res.code.unwrap_or(0);
                let reason = res.reason.unwrap_or_default().to_string();
                let header = |name: &str| {
                    res.headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .map(|h| String::from_utf8_lossy(h.value).into_owned())
                };
                let len: usize = header("content-length")
                    .and_then(|v| v.trim().parse().ok())
                    .ok_or_else(|| bad("this demo client needs a Content-Length"))?;
                let reusable =
                    !header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
                let mut body = buf[head..].to_vec();
                while body.len() < len {
                    let n = s.read(&mut chunk).await?;
                    if n == 0 {
                        return Err(bad("the server closed inside the body"));
                    }
                    recorder.data(Scope::Client { conn }, &chunk[..n]);
                    body.extend_from_slice(&chunk[..n]);
                }
                body.truncate(len);
                return Ok((status, reason, body, reusable));
            }
        }
    }
}

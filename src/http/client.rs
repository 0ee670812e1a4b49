//! An in-process HTTP/1.1 client with Node's `http.request` options and `http.Agent` pooling,
//! for demos and lessons.
//!
//! [`Agent`] hands out sockets per request the way Node's agent does: reuse an idle keep-alive
//! socket, else open a new one while under `maxSockets`, else queue the request until a socket
//! is freed. [`Agent::one_shot`] is Node's `agent: false`: a fresh socket, closed after the
//! response. Sockets go to a [`Target`] — host and port (optionally from a `localAddress`) or a
//! Unix `socketPath` — optionally through TLS with a given CA (`https.request` with `ca:`).
//!
//! Each request records Node's client-side events on its own scope (`creq#K`): `socket` (which
//! connection, and whether it was reused), `continue` (a `100 Continue` arrived, so the body is
//! sent), `finish` (the request is written), then `response` with the body as `data`/`end` and
//! `close` — or `upgrade` (a `101`) or `connect` (a CONNECT's `200`), after which the raw socket
//! belongs to the caller as a [`Tunnel`]. Each socket records `connect`, `secureConnect`, the raw
//! bytes it received as `data`, and `close` on `client#N`.
//!
//! Responses may be framed by `Content-Length`, chunked, or by the server closing. Not
//! supported (a demo client, not a browser): redirects, compression, trailers' contents.

use super::body::{BodyDecoder, Step};
use crate::trace::{Event, Recorder, Scope};
use base64::Engine as _;
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

/// Any byte stream a request can run over: TCP, Unix, or TLS on either.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A socket of the pool, whatever its transport.
pub type BoxIo = Box<dyn Io>;

/// Where sockets connect: Node's `host`/`hostname` + `port` (+ `localAddress`), or `socketPath`.
#[derive(Clone, Debug)]
pub enum Target {
    Tcp {
        addr: SocketAddr,
        /// Bind the client side to this address first (Node's `localAddress`).
        local_address: Option<IpAddr>,
    },
    /// A Unix domain socket (Node's `socketPath`).
    Unix(PathBuf),
}

/// Node's `http.Agent` options that matter for pooling, and TLS for `https`.
#[derive(Clone, Default)]
pub struct AgentOptions {
    /// Most sockets open at once; `None` is Node's default, `Infinity`.
    pub max_sockets: Option<usize>,
    /// Keep sockets open between requests (Node's global agent: true since v19).
    pub keep_alive: bool,
    /// Speak TLS, trusting this connector's roots (see [`crate::tls::connector`]).
    pub tls: Option<tokio_rustls::TlsConnector>,
}

/// One request's options, named after `http.request`'s.
#[derive(Clone, Debug)]
pub struct RequestOptions {
    /// `method` (default `GET`).
    pub method: String,
    /// `path`, including any query string; for CONNECT, the `host:port` to tunnel to.
    pub path: String,
    /// `headers`, sent in this order after `Host`.
    pub headers: Vec<(String, String)>,
    /// `auth`: `user:password`, sent as `Authorization: Basic …`.
    pub auth: Option<String>,
    /// The request body (sent with a `Content-Length`).
    pub body: Vec<u8>,
    /// Send `Expect: 100-continue` and hold the body until the server's `100 Continue`.
    pub expect_continue: bool,
}

impl RequestOptions {
    /// `GET path`.
    pub fn get(path: &str) -> RequestOptions {
        RequestOptions {
            method: "GET".into(),
            path: path.into(),
            headers: Vec::new(),
            auth: None,
            body: Vec::new(),
            expect_continue: false,
        }
    }
}

/// A socket pool shared by requests.
pub struct Agent {
    opts: AgentOptions,
    target: Target,
    /// The `Host` header and TLS server name (Node's `hostname`, else `host`).
    host: String,
    recorder: Recorder,
    state: Mutex<Pool>,
    freed: Notify,
    next_conn: Arc<AtomicU32>,
}

#[derive(Default)]
struct Pool {
    idle: VecDeque<(u32, BoxIo)>,
    open: usize,
    /// Most sockets ever open at once.
    peak: usize,
    /// Sockets opened in all.
    opened: usize,
}

/// A finished request.
pub struct Reply {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client socket number it used.
    pub conn: u32,
    /// After `upgrade` or `connect`: the raw socket, now the caller's.
    pub tunnel: Option<Tunnel>,
}

impl Reply {
    /// The tunnel of an accepted upgrade or CONNECT, or an error naming what came instead.
    pub fn into_tunnel(self, expected: &str) -> std::io::Result<Tunnel> {
        self.tunnel.ok_or_else(|| {
            std::io::Error::other(format!(
                "expected {expected}, got {} {}",
                self.status, self.reason
            ))
        })
    }
}

/// A socket taken over after a `101` or a CONNECT's `200` (Node's `(res, socket, head)`).
pub struct Tunnel {
    io: BoxIo,
    /// Bytes that arrived after the response head (Node's `head`).
    pub head: Vec<u8>,
    conn: u32,
    recorder: Recorder,
}

impl Tunnel {
    /// Write `bytes`, end our side, and read until the peer ends: the whole conversation of an
    /// echoing tunnel. Records `write`, `end()`, `data`, `end` and `close` on `client#N`.
    pub async fn exchange(mut self, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        let scope = Scope::Client { conn: self.conn };
        self.recorder.write(scope, bytes, true);
        self.io.write_all(bytes).await?;
        self.recorder.record(scope, Event::EndCall { reason: None });
        self.io.shutdown().await?;
        let mut got = std::mem::take(&mut self.head);
        let mut chunk = [0u8; 8192];
        loop {
            let n = self.io.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            self.recorder.data(scope, &chunk[..n]);
            got.extend_from_slice(&chunk[..n]);
        }
        self.recorder.record(scope, Event::End);
        self.recorder.record(
            scope,
            Event::Close {
                had_error: Some(false),
            },
        );
        Ok(got)
    }
}

fn bad(m: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, m.into())
}

impl Agent {
    /// An agent for `target`, sending `host` as the `Host` header (and TLS server name). Socket
    /// numbers come from `next_conn` (shared, so several agents in one demo number their
    /// sockets apart).
    pub fn new(
        target: Target,
        host: &str,
        opts: AgentOptions,
        recorder: Recorder,
        next_conn: Arc<AtomicU32>,
    ) -> Arc<Agent> {
        Arc::new(Agent {
            opts,
            target,
            host: host.to_string(),
            recorder,
            state: Mutex::new(Pool::default()),
            freed: Notify::new(),
            next_conn,
        })
    }

    /// Node's `agent: false`: one socket for one request, `Connection: close`.
    pub fn one_shot(
        target: Target,
        host: &str,
        tls: Option<tokio_rustls::TlsConnector>,
        recorder: Recorder,
        next_conn: Arc<AtomicU32>,
    ) -> Arc<Agent> {
        let opts = AgentOptions {
            max_sockets: None,
            keep_alive: false,
            tls,
        };
        Agent::new(target, host, opts, recorder, next_conn)
    }

    fn pool(&self) -> std::sync::MutexGuard<'_, Pool> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// (sockets opened in all, most open at once).
    pub fn sockets(&self) -> (usize, usize) {
        let p = self.pool();
        (p.opened, p.peak)
    }

    async fn acquire(&self) -> std::io::Result<(u32, BoxIo, bool)> {
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
        match self.connect(n).await {
            Ok(s) => Ok((n, s, false)),
            Err(e) => {
                self.forget();
                Err(e)
            }
        }
    }

    /// Count one socket out of the pool (closed, failed, or taken over by a tunnel).
    fn forget(&self) {
        let mut p = self.pool();
        p.open = p.open.saturating_sub(1);
        drop(p);
        self.freed.notify_one();
    }

    async fn connect(&self, n: u32) -> std::io::Result<BoxIo> {
        let scope = Scope::Client { conn: n };
        let (raw, peer): (BoxIo, String) = match &self.target {
            Target::Tcp {
                addr,
                local_address,
            } => {
                let sock = if addr.is_ipv4() {
                    tokio::net::TcpSocket::new_v4()?
                } else {
                    tokio::net::TcpSocket::new_v6()?
                };
                if let Some(ip) = local_address {
                    sock.bind(SocketAddr::new(*ip, 0))?;
                }
                let s = sock.connect(*addr).await?;
                let _ = s.set_nodelay(true); // Node's http sockets have Nagle off
                (Box::new(s), addr.to_string())
            }
            Target::Unix(path) => (
                Box::new(tokio::net::UnixStream::connect(path).await?),
                path.display().to_string(),
            ),
        };
        self.recorder
            .record(scope, Event::Connect { peer: Some(peer) });
        let Some(tls) = &self.opts.tls else {
            return Ok(raw);
        };
        let name = rustls::pki_types::ServerName::try_from(self.host_name().to_string())
            .map_err(|e| bad(format!("bad TLS server name {}: {e}", self.host_name())))?;
        match tls.connect(name, raw).await {
            Ok(s) => {
                let (protocol, cipher) = crate::tls::describe(s.get_ref().1);
                self.recorder
                    .record(scope, Event::SecureConnect { protocol, cipher });
                Ok(Box::new(s))
            }
            Err(e) => {
                self.recorder.record(
                    scope,
                    Event::Error {
                        code: "ERR_TLS_HANDSHAKE".into(),
                        message: e.to_string(),
                    },
                );
                self.recorder.record(
                    scope,
                    Event::Close {
                        had_error: Some(true),
                    },
                );
                Err(e)
            }
        }
    }

    /// The host part of `Host` (no port), for TLS.
    fn host_name(&self) -> &str {
        let h = self.host.as_str();
        if let Some(rest) = h.strip_prefix('[') {
            return rest.split(']').next().unwrap_or(rest);
        }
        h.rsplit_once(':').map_or(h, |(name, _)| name)
    }

    fn release(&self, n: u32, s: BoxIo, reusable: bool) {
        if reusable && self.opts.keep_alive {
            self.pool().idle.push_back((n, s));
            self.freed.notify_one();
        } else {
            self.close_socket(n, s);
        }
    }

    /// Close socket `n` and count it out of the pool.
    fn close_socket(&self, n: u32, s: BoxIo) {
        drop(s);
        self.forget();
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
        self.request(req, RequestOptions::get(path)).await
    }

    /// The request head this agent sends for `opts`: what `curl -v` would show after `> `.
    pub fn head(&self, opts: &RequestOptions) -> String {
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\n",
            opts.method, opts.path, self.host
        );
        let has = |name: &str| {
            opts.headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        for (k, v) in &opts.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(auth) = &opts.auth {
            let token = base64::engine::general_purpose::STANDARD.encode(auth);
            head.push_str(&format!("Authorization: Basic {token}\r\n"));
        }
        if !opts.body.is_empty() && !has("content-length") {
            head.push_str(&format!("Content-Length: {}\r\n", opts.body.len()));
        }
        if opts.expect_continue && !has("expect") {
            head.push_str("Expect: 100-continue\r\n");
        }
        if !has("connection") {
            let c = if self.opts.keep_alive {
                "keep-alive"
            } else {
                "close"
            };
            head.push_str(&format!("Connection: {c}\r\n"));
        }
        head.push_str("\r\n");
        head
    }

    /// Send one request as number `req` and read its response (or take over its tunnel).
    pub async fn request(
        self: &Arc<Self>,
        req: u32,
        opts: RequestOptions,
    ) -> std::io::Result<Reply> {
        let scope = Scope::ClientRequest { req };
        let (conn, mut s, reused) = self.acquire().await?;
        self.recorder.record(scope, Event::Socket { conn, reused });
        let outcome = self.exchange(scope, conn, &mut s, &opts).await;
        match outcome {
            Ok(Exchange::Response(reply, reusable)) => {
                self.recorder
                    .record(scope, Event::Close { had_error: None });
                self.release(conn, s, reusable);
                Ok(reply)
            }
            Ok(Exchange::Tunnel(mut reply, head)) => {
                // The socket leaves the pool: it is the caller's now.
                self.forget();
                reply.tunnel = Some(Tunnel {
                    io: s,
                    head,
                    conn,
                    recorder: self.recorder.clone(),
                });
                Ok(reply)
            }
            Err(e) => {
                self.recorder.record(
                    scope,
                    Event::Error {
                        code: e.kind().to_string(),
                        message: e.to_string(),
                    },
                );
                self.close_socket(conn, s);
                Err(e)
            }
        }
    }

    async fn exchange(
        &self,
        scope: Scope,
        conn: u32,
        s: &mut BoxIo,
        opts: &RequestOptions,
    ) -> std::io::Result<Exchange> {
        let mut reader = Reader {
            buf: Vec::new(),
            conn,
            recorder: &self.recorder,
        };
        s.write_all(self.head(opts).as_bytes()).await?;
        let mut body_sent = false;
        if !opts.expect_continue {
            s.write_all(&opts.body).await?;
            body_sent = true;
            self.recorder.record(scope, Event::Finish);
        }
        loop {
            let head = reader.head(s).await?;
            if head.status == 100 {
                self.recorder.record(scope, Event::Continue);
                if !body_sent {
                    s.write_all(&opts.body).await?;
                    body_sent = true;
                    self.recorder.record(scope, Event::Finish);
                }
                continue;
            }
            let tunnel = head.status == 101
                || (opts.method.eq_ignore_ascii_case("CONNECT")
                    && (200..300).contains(&head.status));
            let mut reply = Reply {
                status: head.status,
                reason: head.reason.clone(),
                headers: head.headers.clone(),
                body: Vec::new(),
                conn,
                tunnel: None,
            };
            if tunnel {
                let event = if head.status == 101 {
                    Event::Upgrade {
                        url: opts.path.clone(),
                        protocol: head.header("upgrade").unwrap_or_default(),
                    }
                } else {
                    Event::Connect {
                        peer: Some(opts.path.clone()),
                    }
                };
                self.recorder.record(scope, event);
                return Ok(Exchange::Tunnel(reply, std::mem::take(&mut reader.buf)));
            }
            self.recorder.record(
                scope,
                Event::Response {
                    status: head.status,
                    reason: head.reason.clone(),
                },
            );
            let no_body = opts.method.eq_ignore_ascii_case("HEAD")
                || head.status == 204
                || head.status == 304;
            let mut reusable = !head
                .header("connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("close"));
            if !no_body {
                if head
                    .header("transfer-encoding")
                    .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
                {
                    let dec = BodyDecoder::chunked();
                    reader.body(s, scope, dec, &mut reply.body).await?;
                } else if let Some(len) = head.header("content-length") {
                    let len: u64 = len
                        .trim()
                        .parse()
                        .map_err(|_| bad(format!("bad Content-Length {len:?}")))?;
                    let dec = BodyDecoder::length(len);
                    reader.body(s, scope, dec, &mut reply.body).await?;
                } else {
                    reader.until_close(s, scope, &mut reply.body).await?;
                    reusable = false;
                }
            }
            self.recorder.record(scope, Event::End);
            return Ok(Exchange::Response(reply, reusable && reader.buf.is_empty()));
        }
    }
}

enum Exchange {
    /// A complete response; whether the socket may be reused.
    Response(Reply, bool),
    /// A switched protocol or a tunnel, with bytes read past the head.
    Tunnel(Reply, Vec<u8>),
}

struct Head {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

/// Buffered reading of one socket, recording every read on `client#N`.
struct Reader<'a> {
    buf: Vec<u8>,
    conn: u32,
    recorder: &'a Recorder,
}

/// A response head larger than this is refused.
const MAX_RESPONSE_HEAD: usize = 64 * 1024;

impl Reader<'_> {
    /// Read more bytes; false at end of stream.
    async fn fill(&mut self, s: &mut BoxIo) -> std::io::Result<bool> {
        let mut chunk = [0u8; 16 * 1024];
        let n = s.read(&mut chunk).await?;
        if n > 0 {
            self.recorder
                .data(Scope::Client { conn: self.conn }, &chunk[..n]);
            self.buf.extend_from_slice(&chunk[..n]);
        }
        Ok(n > 0)
    }

    async fn head(&mut self, s: &mut BoxIo) -> std::io::Result<Head> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut res = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(len) =
                res.parse(&self.buf).map_err(|e| bad(e.to_string()))?
            {
                let head = Head {
                    status: res.code.unwrap_or(0),
                    reason: res.reason.unwrap_or_default().to_string(),
                    headers: super::header_pairs(res.headers),
                };
                self.buf.drain(..len);
                return Ok(head);
            }
            if self.buf.len() > MAX_RESPONSE_HEAD {
                return Err(bad("response head too large"));
            }
            if !self.fill(s).await? {
                return Err(bad("the server closed before a full response"));
            }
        }
    }

    /// Take up to `n` body bytes from the buffer, recording them as `data` on `scope`.
    fn take(&mut self, scope: Scope, n: usize, body: &mut Vec<u8>) -> usize {
        let n = n.min(self.buf.len());
        if n > 0 {
            self.recorder.record(scope, Event::data(&self.buf[..n]));
            body.extend(self.buf.drain(..n));
        }
        n
    }

    /// Read a body with `dec` (length or chunked), recording its data on `scope`.
    async fn body(
        &mut self,
        s: &mut BoxIo,
        scope: Scope,
        mut dec: BodyDecoder,
        body: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        loop {
            match dec
                .step(&self.buf)
                .map_err(|e| bad(format!("bad response body: {e}")))?
            {
                Step::NeedMore => {
                    if !self.fill(s).await? {
                        return Err(bad("the server closed inside the body"));
                    }
                }
                Step::Consumed { used, body: range } => {
                    if !range.is_empty() {
                        self.recorder
                            .record(scope, Event::data(&self.buf[range.clone()]));
                        body.extend_from_slice(&self.buf[range]);
                    }
                    self.buf.drain(..used);
                }
                Step::Done { used } => {
                    self.buf.drain(..used);
                    return Ok(());
                }
            }
        }
    }

    async fn until_close(
        &mut self,
        s: &mut BoxIo,
        scope: Scope,
        body: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        loop {
            self.take(scope, usize::MAX, body);
            if !self.fill(s).await? {
                return Ok(());
            }
        }
    }
}

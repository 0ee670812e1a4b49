//! One HTTP/1.1 server connection as a state machine: [`Conn::feed`] bytes and
//! [`Conn::timer`] expiries in, [`Action`]s out.
//!
//! What it does, and the Node behaviour it follows (node-facts.md, "HTTP server"):
//! - keep-alive by default for HTTP/1.1, `Connection: close` honoured, HTTP/1.0 closes unless
//!   it asks for keep-alive; pipelined requests are answered in order;
//! - request bodies by `Content-Length` or `Transfer-Encoding: chunked`; responses by length or
//!   chunked;
//! - `Expect: 100-continue` → `checkContinue` (the application decides when to send the 100);
//!   any other `Expect` → `417`;
//! - `Upgrade` → `upgrade`, `101`, then raw bytes; `CONNECT` → `connect`, `200`, then a tunnel;
//!   bytes the client sends before the 101/200 are kept and delivered after it (Node's `head`);
//! - malformed head → `clientError` and `400 Bad Request` + `Connection: close`; a head over
//!   16 KiB → `431`; HTTP/1.1 without `Host` → `400`; a head not complete within the headers
//!   timeout (slow loris) → `clientError ERR_HTTP_REQUEST_TIMEOUT` and `408`; an idle
//!   keep-alive connection is ended after the keep-alive timeout.
//!
//! Divergences from Node: the `request`, `checkContinue`, `upgrade` and `connect` events are
//! recorded on the request's own scope (`#1.req2`) rather than on the server, so a timeline
//! shows which connection they came from; the server socket's raw bytes also appear as `data`
//! (Node's HTTP parser consumes them silently); responses carry no `Date` header, so traces
//! are reproducible.

use super::routes::{self, Reply, Response};
use crate::trace::{Event, Scope};
use std::collections::VecDeque;
use std::time::Duration;

/// Largest request head accepted (Node's `maxHeaderSize`).
pub const MAX_HEAD: usize = 16 * 1024;
/// Most headers accepted in one head.
pub const MAX_HEADERS: usize = 100;
/// Request body bytes kept for the application (the count stays exact beyond it).
pub const MAX_BODY_KEPT: usize = 1 << 20;

/// The exact bytes Node sends for a malformed request.
pub const BAD_REQUEST: &[u8] = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
/// The exact bytes Node sends for a head over the limit.
pub const HEADERS_TOO_LARGE: &[u8] =
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n";
/// Sent when a head does not arrive within the headers timeout.
pub const REQUEST_TIMEOUT: &[u8] = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";
/// Sent for an `Expect` other than `100-continue`.
pub const EXPECTATION_FAILED: &[u8] =
    b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
/// Sent for HTTP/1.1 without `Host`.
pub const MISSING_HOST: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
/// The interim response to `Expect: 100-continue`.
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// Timeouts of a connection.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// A request head must be complete within this (Node: `headersTimeout`).
    pub headers: Duration,
    /// An idle keep-alive connection is ended after this (Node: `keepAliveTimeout`, 5 s).
    pub keep_alive: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            headers: Duration::from_secs(10),
            keep_alive: Duration::from_secs(5),
        }
    }
}

/// What the connection wants done.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Write these bytes to the socket.
    Write(Vec<u8>),
    /// Put this event on the timeline.
    Record(Scope, Event),
    /// Call [`Conn::timer`] with this id after this long.
    Timer(Duration, u64),
    /// End the socket (FIN) once everything is written.
    End,
}

/// A parsed request, as the application sees it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// 1-based number on its connection.
    pub id: u32,
    pub method: String,
    pub url: String,
    /// `1.1` or `1.0`.
    pub version: String,
    pub headers: Vec<(String, String)>,
    /// The body (first [`MAX_BODY_KEPT`] bytes).
    pub body: Vec<u8>,
    /// Exact body length.
    pub body_len: u64,
}

impl Request {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn wants_close(&self) -> bool {
        let conn = self.header("connection").unwrap_or("").to_ascii_lowercase();
        if self.version == "1.0" {
            !conn.contains("keep-alive")
        } else {
            conn.split(',').any(|t| t.trim() == "close")
        }
    }
}

/// How much body is left to read.
#[derive(Clone, Debug)]
enum BodyLeft {
    Length(u64),
    Chunked(Chunk),
}

/// Where a chunked body's decoder is.
#[derive(Clone, Copy, Debug)]
enum Chunk {
    /// Reading a `size[;ext]\r\n` line.
    Size,
    /// Reading this many data bytes.
    Data(u64),
    /// Reading the `\r\n` after data.
    DataEnd,
    /// Reading trailer lines until an empty one.
    Trailers,
}

#[derive(Debug)]
enum Mode {
    /// Waiting for (more of) a request head.
    Head,
    /// Reading the body of `req`.
    Body { req: Request, left: BodyLeft },
    /// `checkContinue` emitted; body bytes wait until the application sends the 100.
    AwaitContinue { req: Request, left: BodyLeft },
    /// Upgrade/CONNECT accepted; waiting to send the 101/200. Bytes are buffered.
    AwaitTunnel,
    /// Raw bytes both ways: echoed.
    Tunnel,
    /// After an error or `Connection: close`: input ignored.
    Closed,
}

/// A response slot: responses go out in request order even when computed out of order.
#[derive(Debug)]
struct Slot {
    req: u32,
    ready: Option<Vec<u8>>,
    /// The `writeHead()` event of `ready`, recorded when it is written.
    head: Option<Event>,
    close_after: bool,
    tunnel_after: bool,
}

/// Timer ids: kind in the high bits, request number (or generation) in the low bits.
const T_HEAD: u64 = 1 << 40;
const T_REPLY: u64 = 2 << 40;
const T_CONTINUE: u64 = 3 << 40;
const T_MASK: u64 = (1 << 40) - 1;

/// One server-side HTTP connection.
pub struct Conn {
    conn: u32,
    timeouts: Timeouts,
    buf: Vec<u8>,
    mode: Mode,
    next_req: u32,
    queue: VecDeque<Slot>,
    /// Delayed replies by request number.
    delayed: Vec<(u32, Reply, Request)>,
    /// Bumped whenever a head starts or completes, so stale head timers are ignored.
    head_gen: u64,
    /// Actions produced by the current call.
    out: Vec<Action>,
    /// The client sent FIN: end once every due response is written.
    peer_ended: bool,
    /// Buffered body bytes already put on the timeline when they arrived (see AwaitContinue).
    recorded_ahead: usize,
}

impl Conn {
    /// A new connection number `conn`; returns it with its first actions (the head timer).
    pub fn new(conn: u32, timeouts: Timeouts) -> (Conn, Vec<Action>) {
        let mut c = Conn {
            conn,
            timeouts,
            buf: Vec::new(),
            mode: Mode::Head,
            next_req: 0,
            queue: VecDeque::new(),
            delayed: Vec::new(),
            head_gen: 0,
            out: Vec::new(),
            peer_ended: false,
            recorded_ahead: 0,
        };
        c.arm_head_timer();
        let first = std::mem::take(&mut c.out);
        (c, first)
    }

    fn req_scope(&self, req: u32) -> Scope {
        Scope::Request {
            conn: self.conn,
            req,
        }
    }

    fn res_scope(&self, req: u32) -> Scope {
        Scope::Response {
            conn: self.conn,
            req,
        }
    }

    fn arm_head_timer(&mut self) {
        self.head_gen += 1;
        let wait = if self.buf.is_empty() && self.next_req > 0 {
            self.timeouts.keep_alive
        } else {
            self.timeouts.headers
        };
        self.out.push(Action::Timer(wait, T_HEAD | self.head_gen));
    }

    /// Bytes arrived from the client.
    pub fn feed(&mut self, data: &[u8]) -> Vec<Action> {
        match self.mode {
            Mode::Closed => {}
            Mode::Tunnel => self.out.push(Action::Write(data.to_vec())),
            Mode::AwaitContinue { ref req, .. } => {
                // Body bytes before our 100 Continue: on the timeline when they arrived (the
                // client did not wait), parsed once the 100 has gone out.
                let scope = self.req_scope(req.id);
                self.out.push(Action::Record(scope, Event::data(data)));
                self.recorded_ahead += data.len();
                self.buf.extend_from_slice(data);
            }
            Mode::AwaitTunnel => {
                // Bytes before the 101/200: Node hands them over as `head`; the timeline shows
                // them as data on the request, so a grader can see the client did not wait.
                if let Some(req) = self.queue.back().map(|s| s.req) {
                    let scope = self.req_scope(req);
                    self.out.push(Action::Record(scope, Event::data(data)));
                }
                self.buf.extend_from_slice(data);
            }
            _ => {
                let was_empty = self.buf.is_empty();
                self.buf.extend_from_slice(data);
                if was_empty && matches!(self.mode, Mode::Head) && self.next_req > 0 {
                    // A new head starts on an idle keep-alive connection: headers timeout now.
                    self.arm_head_timer();
                }
                self.process();
            }
        }
        std::mem::take(&mut self.out)
    }

    /// A timer set by an [`Action::Timer`] fired.
    pub fn timer(&mut self, id: u64) -> Vec<Action> {
        let n = id & T_MASK;
        match id & !T_MASK {
            T_HEAD if n == self.head_gen && matches!(self.mode, Mode::Head) => {
                if self.buf.is_empty() {
                    // Idle keep-alive (or a connection that never spoke): end quietly.
                    self.mode = Mode::Closed;
                    self.out.push(Action::End);
                } else {
                    self.client_error("ERR_HTTP_REQUEST_TIMEOUT", 408, REQUEST_TIMEOUT);
                }
            }
            T_REPLY => {
                if let Some(pos) = self.delayed.iter().position(|d| d.0 == n as u32) {
                    let (_, reply, req) = self.delayed.remove(pos);
                    self.complete(req, reply);
                    // Pipelined heads that waited behind this response.
                    self.process();
                }
            }
            T_CONTINUE => {
                if let Mode::AwaitContinue { .. } = self.mode {
                    let Mode::AwaitContinue { req, left } =
                        std::mem::replace(&mut self.mode, Mode::Head)
                    else {
                        unreachable!("matched just above")
                    };
                    self.out.push(Action::Write(CONTINUE.to_vec()));
                    self.mode = Mode::Body { req, left };
                    self.process();
                }
            }
            _ => {}
        }
        std::mem::take(&mut self.out)
    }

    fn client_error(&mut self, code: &str, status: u16, bytes: &[u8]) {
        self.out.push(Action::Record(
            Scope::Conn { conn: self.conn },
            Event::ClientError {
                code: code.into(),
                status,
            },
        ));
        self.fatal(bytes);
    }

    /// Answer with `bytes` (after any responses already due), then close.
    fn fatal(&mut self, bytes: &[u8]) {
        self.mode = Mode::Closed;
        self.buf.clear();
        self.queue.push_back(Slot {
            req: 0,
            ready: Some(bytes.to_vec()),
            head: None,
            close_after: true,
            tunnel_after: false,
        });
        self.flush();
    }

    /// Parse as much as the buffer allows.
    fn process(&mut self) {
        loop {
            match &mut self.mode {
                Mode::Head => {
                    if self.buf.is_empty() || !self.parse_head() {
                        return;
                    }
                }
                Mode::Body { .. } => {
                    if !self.read_body() {
                        return;
                    }
                }
                Mode::AwaitContinue { .. } | Mode::AwaitTunnel | Mode::Closed | Mode::Tunnel => {
                    return
                }
            }
        }
    }

    /// Try to parse one head; true if progress was made.
    fn parse_head(&mut self) -> bool {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut headers);
        let parsed = req.parse(&self.buf);
        let head_len = match parsed {
            Ok(httparse::Status::Complete(n)) if n > MAX_HEAD => {
                self.client_error("HPE_HEADER_OVERFLOW", 431, HEADERS_TOO_LARGE);
                return false;
            }
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) => {
                if self.buf.len() > MAX_HEAD {
                    self.client_error("HPE_HEADER_OVERFLOW", 431, HEADERS_TOO_LARGE);
                }
                return false;
            }
            Err(httparse::Error::TooManyHeaders) => {
                self.client_error("HPE_HEADER_OVERFLOW", 431, HEADERS_TOO_LARGE);
                return false;
            }
            Err(e) => {
                let code = match e {
                    httparse::Error::Token => "HPE_INVALID_METHOD",
                    httparse::Error::Version => "HPE_INVALID_VERSION",
                    httparse::Error::HeaderName => "HPE_INVALID_HEADER_TOKEN",
                    httparse::Error::HeaderValue => "HPE_INVALID_HEADER_TOKEN",
                    httparse::Error::NewLine => "HPE_LF_EXPECTED",
                    _ => "HPE_INVALID_CONSTANT",
                };
                self.client_error(code, 400, BAD_REQUEST);
                return false;
            }
        };
        self.next_req += 1;
        let id = self.next_req;
        let request = Request {
            id,
            method: req.method.unwrap_or_default().to_string(),
            url: req.path.unwrap_or_default().to_string(),
            version: format!("1.{}", req.version.unwrap_or(1)),
            headers: super::header_pairs(req.headers),
            body: Vec::new(),
            body_len: 0,
        };
        self.buf.drain(..head_len);
        self.head_gen += 1; // the head is complete: its timer no longer applies

        // Framing.
        let te = request
            .header("transfer-encoding")
            .map(str::to_ascii_lowercase);
        let cl = request.header("content-length");
        let left = match (te, cl) {
            (Some(_), Some(_)) => {
                self.client_error("HPE_UNEXPECTED_CONTENT_LENGTH", 400, BAD_REQUEST);
                return false;
            }
            (Some(te), None) if te.trim().ends_with("chunked") => BodyLeft::Chunked(Chunk::Size),
            (Some(_), None) => {
                self.client_error("HPE_INVALID_TRANSFER_ENCODING", 400, BAD_REQUEST);
                return false;
            }
            (None, Some(v)) => match v.trim().parse::<u64>() {
                Ok(n) => BodyLeft::Length(n),
                Err(_) => {
                    self.client_error("HPE_INVALID_CONTENT_LENGTH", 400, BAD_REQUEST);
                    return false;
                }
            },
            (None, None) => BodyLeft::Length(0),
        };
        if request.version == "1.1" && request.header("host").is_none() {
            self.fatal(MISSING_HOST);
            return false;
        }
        if let Some(expect) = request.header("expect") {
            if !expect.eq_ignore_ascii_case("100-continue") {
                self.fatal(EXPECTATION_FAILED);
                return false;
            }
        }

        let rs = self.req_scope(id);
        if request.method == "CONNECT" {
            self.out.push(Action::Record(
                rs,
                Event::ConnectRequest {
                    url: request.url.clone(),
                    http_version: request.version.clone(),
                },
            ));
            let reply = routes::connect(&request);
            self.start_tunnel(request, reply);
            return true;
        }
        if let Some(proto) = request.header("upgrade").map(str::to_string) {
            let conn_hdr = request
                .header("connection")
                .unwrap_or("")
                .to_ascii_lowercase();
            // Upgrades the application does not speak (e.g. curl's h2c) are served as ordinary
            // requests, as Node does without an 'upgrade' listener for them.
            if conn_hdr.contains("upgrade") && routes::accepts_upgrade(&proto) {
                self.out.push(Action::Record(
                    rs,
                    Event::Upgrade {
                        url: request.url.clone(),
                        protocol: proto,
                    },
                ));
                let reply = routes::upgrade(&request);
                self.start_tunnel(request, reply);
                return true;
            }
        }
        if request.header("expect").is_some() {
            self.out.push(Action::Record(
                rs,
                Event::CheckContinue {
                    method: request.method.clone(),
                    url: request.url.clone(),
                    http_version: request.version.clone(),
                    headers: request.headers.clone(),
                },
            ));
            let delay = routes::continue_delay(&request);
            self.out
                .push(Action::Timer(delay, T_CONTINUE | u64::from(id)));
            if !self.buf.is_empty() {
                // The body came right behind the head, without waiting for the 100.
                self.out.push(Action::Record(rs, Event::data(&self.buf)));
                self.recorded_ahead += self.buf.len();
            }
            self.mode = Mode::AwaitContinue { req: request, left };
            return true;
        }
        self.out.push(Action::Record(rs, request_event(&request)));
        self.mode = Mode::Body { req: request, left };
        true
    }

    fn start_tunnel(&mut self, req: Request, reply: Reply) {
        let id = req.id;
        if !self.buf.is_empty() {
            // Sent right behind the head, before any answer.
            let scope = self.req_scope(id);
            self.out.push(Action::Record(scope, Event::data(&self.buf)));
        }
        self.queue.push_back(Slot {
            req: id,
            ready: None,
            head: None,
            close_after: false,
            tunnel_after: true,
        });
        self.mode = Mode::AwaitTunnel;
        self.schedule(req, reply);
    }

    /// Read body bytes; true when the body completed (and the next head may follow).
    fn read_body(&mut self) -> bool {
        let Mode::Body { req, left } = &mut self.mode else {
            return false;
        };
        let scope = Scope::Request {
            conn: self.conn,
            req: req.id,
        };
        loop {
            match left {
                BodyLeft::Length(0) => break,
                BodyLeft::Length(n) => {
                    if self.buf.is_empty() {
                        return false;
                    }
                    let take = (*n).min(self.buf.len() as u64) as usize;
                    let chunk: Vec<u8> = self.buf.drain(..take).collect();
                    *n -= take as u64;
                    push_body(req, &chunk);
                    record_body(&mut self.out, &mut self.recorded_ahead, scope, &chunk);
                }
                BodyLeft::Chunked(state) => match *state {
                    Chunk::Size | Chunk::DataEnd | Chunk::Trailers => {
                        let Some(eol) = self.buf.windows(2).position(|w| w == b"\r\n") else {
                            if self.buf.len() > 4096 {
                                let _ = (req, left);
                                self.client_error("HPE_INVALID_CHUNK_SIZE", 400, BAD_REQUEST);
                            }
                            return false;
                        };
                        let line: Vec<u8> = self.buf.drain(..eol + 2).collect();
                        let line = &line[..eol];
                        match *state {
                            Chunk::Size => {
                                let hex = line.split(|&b| b == b';').next().unwrap_or_default();
                                let size = std::str::from_utf8(hex)
                                    .ok()
                                    .and_then(|h| u64::from_str_radix(h.trim(), 16).ok());
                                match size {
                                    Some(0) => *state = Chunk::Trailers,
                                    Some(n) => *state = Chunk::Data(n),
                                    None => {
                                        self.client_error(
                                            "HPE_INVALID_CHUNK_SIZE",
                                            400,
                                            BAD_REQUEST,
                                        );
                                        return false;
                                    }
                                }
                            }
                            Chunk::DataEnd => {
                                if !line.is_empty() {
                                    self.client_error("HPE_STRICT", 400, BAD_REQUEST);
                                    return false;
                                }
                                *state = Chunk::Size;
                            }
                            _ => {
                                if line.is_empty() {
                                    *left = BodyLeft::Length(0);
                                }
                            }
                        }
                    }
                    Chunk::Data(n) => {
                        if self.buf.is_empty() {
                            return false;
                        }
                        let take = n.min(self.buf.len() as u64) as usize;
                        let chunk: Vec<u8> = self.buf.drain(..take).collect();
                        let rest = n - take as u64;
                        *state = if rest == 0 {
                            Chunk::DataEnd
                        } else {
                            Chunk::Data(rest)
                        };
                        push_body(req, &chunk);
                        record_body(&mut self.out, &mut self.recorded_ahead, scope, &chunk);
                    }
                },
            }
        }
        // Body complete.
        let Mode::Body { req, .. } = std::mem::replace(&mut self.mode, Mode::Head) else {
            unreachable!("matched above")
        };
        self.out.push(Action::Record(scope, Event::End));
        let close = req.wants_close();
        self.queue.push_back(Slot {
            req: req.id,
            ready: None,
            head: None,
            close_after: close,
            tunnel_after: false,
        });
        let reply = routes::route(&req);
        self.schedule(req, reply);
        if close {
            self.mode = Mode::Closed;
            return false;
        }
        true
    }

    fn schedule(&mut self, req: Request, reply: Reply) {
        match reply.delay {
            Some(d) if !d.is_zero() => {
                self.out.push(Action::Timer(d, T_REPLY | u64::from(req.id)));
                self.delayed.push((req.id, reply, req));
            }
            _ => self.complete(req, reply),
        }
    }

    /// A reply is ready: fill its slot and send what is due, in order.
    fn complete(&mut self, req: Request, reply: Reply) {
        let (head, bytes) = reply.response.to_bytes(&req);
        if let Some(slot) = self.queue.iter_mut().find(|s| s.req == req.id) {
            slot.close_after |= reply.response.close;
            let accepted = reply.response.status == 101
                || (req.method == "CONNECT" && reply.response.status == 200);
            if slot.tunnel_after && !accepted {
                // A refused upgrade/CONNECT: whatever the client sends next is not HTTP we
                // can trust to frame, so answer and close.
                slot.tunnel_after = false;
                slot.close_after = true;
            }
            slot.ready = Some(bytes);
            slot.head = Some(head);
        }
        self.flush();
    }

    /// Write every response that is due, in request order.
    fn flush(&mut self) {
        while self.queue.front().is_some_and(|s| s.ready.is_some()) {
            let slot = self.queue.pop_front().expect("checked");
            let bytes = slot.ready.expect("checked");
            if let (true, Some(head)) = (slot.req > 0, slot.head) {
                let rs = self.res_scope(slot.req);
                self.out.push(Action::Record(rs, head));
            }
            self.out.push(Action::Write(bytes));
            // A switched connection has no response object in Node (the app writes the 101 or
            // 200 on the raw socket), so no `finish`/`close` for it either.
            if slot.req > 0 && !slot.tunnel_after {
                let (rq, rs) = (self.req_scope(slot.req), self.res_scope(slot.req));
                self.out.push(Action::Record(rs, Event::Finish));
                self.out
                    .push(Action::Record(rq, Event::Close { had_error: None }));
                self.out
                    .push(Action::Record(rs, Event::Close { had_error: None }));
            }
            if slot.close_after {
                self.mode = Mode::Closed;
                self.queue.clear();
                self.out.push(Action::End);
                return;
            }
            if slot.tunnel_after {
                self.mode = Mode::Tunnel;
                if !self.buf.is_empty() {
                    // Bytes sent before the 101/200 (Node's `head`), echoed now.
                    let early = std::mem::take(&mut self.buf);
                    self.out.push(Action::Write(early));
                }
                if self.peer_ended {
                    // The client already sent its FIN: the echo is complete.
                    self.mode = Mode::Closed;
                    self.out.push(Action::End);
                }
                return;
            }
        }
        if self.queue.is_empty() {
            if self.peer_ended && !matches!(self.mode, Mode::Tunnel) {
                self.mode = Mode::Closed;
                self.out.push(Action::End);
            } else if matches!(self.mode, Mode::Head) {
                self.arm_head_timer();
            }
        }
    }

    /// The client sent FIN. Node's HTTP server answers what it has received, then ends.
    pub fn peer_ended(&mut self) -> Vec<Action> {
        self.peer_ended = true;
        let idle = self.queue.is_empty() && self.delayed.is_empty();
        match self.mode {
            Mode::Tunnel | Mode::Head if idle => {
                self.mode = Mode::Closed;
                self.out.push(Action::End);
            }
            Mode::Body { .. } | Mode::AwaitContinue { .. } => {
                // The body can never complete: Node reports an aborted request.
                self.mode = Mode::Closed;
                self.out.push(Action::End);
            }
            _ => {}
        }
        std::mem::take(&mut self.out)
    }
}

/// Record body bytes as `data`, except those already recorded when they arrived.
fn record_body(out: &mut Vec<Action>, ahead: &mut usize, scope: Scope, chunk: &[u8]) {
    let skip = (*ahead).min(chunk.len());
    *ahead -= skip;
    if chunk.len() > skip {
        out.push(Action::Record(scope, Event::data(&chunk[skip..])));
    }
}

fn push_body(req: &mut Request, chunk: &[u8]) {
    req.body_len += chunk.len() as u64;
    let room = MAX_BODY_KEPT.saturating_sub(req.body.len());
    req.body.extend_from_slice(&chunk[..chunk.len().min(room)]);
}

fn request_event(r: &Request) -> Event {
    Event::Request {
        method: r.method.clone(),
        url: r.url.clone(),
        http_version: r.version.clone(),
        headers: r.headers.clone(),
    }
}

impl Response {
    /// The head as written for `req` — status, reason and every header, the framing and
    /// `Connection` headers included — as the `writeHead()` event, and the wire bytes (no body
    /// for HEAD). One source for both, so the message view shows exactly what was sent.
    pub fn to_bytes(&self, req: &Request) -> (Event, Vec<u8>) {
        let mut headers = self.headers.clone();
        let tunnel = self.status == 101 || (req.method == "CONNECT" && self.status == 200);
        let mut body = Vec::new();
        if !tunnel {
            if self.chunked {
                headers.push(("Transfer-Encoding".into(), "chunked".into()));
                for part in &self.chunks {
                    body.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                    body.extend_from_slice(part);
                    body.extend_from_slice(b"\r\n");
                }
                body.extend_from_slice(b"0\r\n\r\n");
            } else {
                headers.push(("Content-Length".into(), self.body.len().to_string()));
                body.extend_from_slice(&self.body);
            }
            if self.close || req.wants_close() {
                headers.push(("Connection".into(), "close".into()));
            } else {
                headers.push(("Connection".into(), "keep-alive".into()));
                headers.push(("Keep-Alive".into(), "timeout=5".into()));
            }
        }
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, self.reason);
        for (k, v) in &headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        if req.method != "HEAD" {
            out.extend_from_slice(&body);
        }
        let event = Event::WriteHead {
            status: self.status,
            reason: self.reason.to_string(),
            headers,
        };
        (event, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    fn conn() -> Conn {
        Conn::new(1, Timeouts::default()).0
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
        assert_eq!(written(&a), EXPECTATION_FAILED);
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
        let a = c.feed(b"GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: netlab-echo\r\n\r\nhi\n");
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
        let (mut c, first) = Conn::new(1, Timeouts::default());
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
}

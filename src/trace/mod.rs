//! The trace model: what a netlab timeline is made of.
//!
//! Every lesson, every grade, the TUI timeline, `serve --json` and the book read the same thing:
//! a sequence of [`Entry`] values, each one an [`Event`] that happened on some object (a
//! [`Scope`]) at some time since the recorder started. Event names are Node's (`connection`,
//! `data`, `end`, `finish`, `close`, …) so that what a learner sees in netlab is what their own
//! Node program would see.
//!
//! Besides the events an object *emits*, the server's own *actions* (`write(n) → false`,
//! `end()`, `destroy()`, `setTimeout(ms)`) are entries too: teaching backpressure needs
//! "write returned false … drain" on one screen. [`Event::is_action`] tells them apart.
//!
//! Sub-modules:
//! - [`recorder`]: the bounded-memory recorder that servers write into and viewers read from.
//! - [`canon`]: the canonical, diffable text form (`netlab-trace/1`) that graders compare.
//! - [`render`]: human-readable timeline lines and JSON lines.

pub mod canon;
pub mod recorder;
pub mod render;

use serde::{Deserialize, Serialize};
use std::fmt;

pub use recorder::{Recorder, StreamStats};

/// How many bytes of a payload an event keeps for display. Exact counts and hashes are kept
/// separately (see [`recorder::StreamStats`]), so a capped preview never hides a difference.
pub const PREVIEW_CAP: usize = 64;

/// The object an event happened on.
///
/// Numbers are 1-based in order of appearance on their server (or demo client), as a learner
/// counts them; `#1` is the first connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scope")]
pub enum Scope {
    /// The listening server: `net.Server`, `http.Server`, or a server-side `dgram` socket.
    Server,
    /// A server-side socket: the `socket` of a `connection` event.
    Conn { conn: u32 },
    /// The `IncomingMessage` of request `req` on connection `conn` (HTTP).
    Request { conn: u32, req: u32 },
    /// The `ServerResponse` of request `req` on connection `conn` (HTTP).
    Response { conn: u32, req: u32 },
    /// A socket of an in-process demo client (`net.connect`, an agent's socket, a UDP client).
    Client { conn: u32 },
    /// A `ClientRequest` of an in-process demo client (HTTP).
    ClientRequest { req: u32 },
    /// The wire: a TCP segment or UDP datagram seen on the loopback by the capture
    /// ([`crate::wire`]). `conn` numbers TCP connections per 4-tuple in SYN order — the order
    /// the server numbers its connections — and is 0 for UDP and for segments of a
    /// connection whose SYN was not seen. Not a Node object: never part of the canonical trace.
    Wire { conn: u32 },
}

impl Scope {
    /// The connection number, for filtering a timeline by connection.
    pub fn conn(&self) -> Option<u32> {
        match *self {
            Scope::Conn { conn } | Scope::Request { conn, .. } | Scope::Response { conn, .. } => {
                Some(conn)
            }
            Scope::Client { conn } => Some(conn),
            Scope::Wire { conn } if conn > 0 => Some(conn),
            Scope::Server | Scope::ClientRequest { .. } | Scope::Wire { .. } => None,
        }
    }

    /// True for the wire lane (packets, not a Node object).
    pub fn is_wire(&self) -> bool {
        matches!(self, Scope::Wire { .. })
    }

    /// True for objects on the server's side of the wire (what a grader looks at).
    pub fn is_server_side(&self) -> bool {
        matches!(
            self,
            Scope::Server | Scope::Conn { .. } | Scope::Request { .. } | Scope::Response { .. }
        )
    }
}

impl fmt::Display for Scope {
    /// The short name used in timelines and canonical traces: `server`, `conn1`, `conn1.req2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Scope::Server => f.write_str("server"),
            Scope::Conn { conn } => write!(f, "conn{conn}"),
            Scope::Request { conn, req } => write!(f, "conn{conn}.req{req}"),
            Scope::Response { conn, req } => write!(f, "conn{conn}.res{req}"),
            Scope::Client { conn } => write!(f, "client{conn}"),
            Scope::ClientRequest { req } => write!(f, "creq{req}"),
            Scope::Wire { conn: 0 } => f.write_str("wire"),
            Scope::Wire { conn } => write!(f, "wire{conn}"),
        }
    }
}

/// A capped view of a payload: its exact length and up to [`PREVIEW_CAP`] leading bytes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Preview {
    /// The leading bytes (at most [`PREVIEW_CAP`]).
    pub head: Vec<u8>,
    /// True when `head` is shorter than the payload.
    pub truncated: bool,
}

impl Preview {
    /// Keep the first [`PREVIEW_CAP`] bytes of `data`.
    pub fn of(data: &[u8]) -> Self {
        let n = data.len().min(PREVIEW_CAP);
        Preview {
            head: data[..n].to_vec(),
            truncated: data.len() > n,
        }
    }

    /// The bytes as a string, one char per byte (latin-1), so that JSON can carry any byte
    /// losslessly and the escaped form round-trips.
    pub fn as_latin1(&self) -> String {
        self.head.iter().map(|&b| b as char).collect()
    }

    /// Rebuild a preview from its latin-1 text (as found in JSON lines).
    pub fn from_latin1(text: &str, truncated: bool) -> Self {
        Preview {
            head: text.chars().map(|c| c as u32 as u8).collect(),
            truncated,
        }
    }
}

/// Escape bytes the way a learner reads them in a string literal: `"hello\r\n"`.
///
/// Printable ASCII stays as it is; `\r`, `\n`, `\t`, `\\` and `"` get their usual escapes;
/// everything else becomes `\xNN`. The result is pure ASCII and [`unescape`] reverses it.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    for &b in bytes {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

/// Reverse [`escape`]. Returns `None` for a malformed escape.
pub fn unescape(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut it = text.bytes();
    while let Some(b) = it.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match it.next()? {
            b'r' => out.push(b'\r'),
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'0' => out.push(0),
            b'\\' => out.push(b'\\'),
            b'"' => out.push(b'"'),
            b'x' => {
                let hi = (it.next()? as char).to_digit(16)?;
                let lo = (it.next()? as char).to_digit(16)?;
                out.push((hi * 16 + lo) as u8);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A peer or local address: `127.0.0.1:51234`, or a Unix socket path.
pub type Addr = String;

/// Which way a packet went on the wire, seen from the server (the end whose port is one of
/// the scenario's ports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireDir {
    /// Toward the server (client → server); shown as `→`.
    In,
    /// From the server (server → client); shown as `←`.
    Out,
}

impl WireDir {
    /// The arrow a timeline shows: `→` toward the server, `←` from it.
    pub fn arrow(self) -> &'static str {
        match self {
            WireDir::In => "→",
            WireDir::Out => "←",
        }
    }
}

/// Everything netlab can show, in Node's vocabulary.
///
/// Emitted events carry Node's event name; the server's own actions are named after the call
/// (`write`, `end()`…) and answer true to [`Event::is_action`]. Field names are what
/// `serve --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[serde(tag = "event")]
#[strum_discriminants(
    name(EventKind),
    derive(strum::EnumIter, Hash, PartialOrd, Ord),
    doc = "Which kind of [`Event`] — the variant without its fields; [`EventKind::name`] is its one name."
)]
pub enum Event {
    // ---- net.Server / dgram / http.Server -------------------------------------------------
    /// `listening`: the server is bound. `address` is an IP or a socket path.
    #[serde(rename = "listening")]
    Listening {
        address: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        port: Option<u16>,
        /// `tcp`, `unix`, `udp4`, `udp6`, `http`, `https`.
        transport: String,
    },
    /// `connection`: a client connected; the socket is the scope's connection.
    #[serde(rename = "connection")]
    Connection { peer: Addr },
    // ---- net.Socket ---------------------------------------------------------------------
    /// `connect`: a client socket is connected (demo clients).
    #[serde(rename = "connect")]
    Connect {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        peer: Option<Addr>,
    },
    /// `data`: bytes arrived. One event per read; counts are exact, text is a capped preview.
    #[serde(rename = "data")]
    Data {
        bytes: u64,
        /// Latin-1 preview of the first bytes (see [`Preview`]).
        text: String,
        #[serde(skip_serializing_if = "std::ops::Not::not", default)]
        truncated: bool,
    },
    /// `end`: the peer sent FIN; no more data will arrive.
    #[serde(rename = "end")]
    End,
    /// `drain`: the userland write buffer has been handed to the kernel after a write returned
    /// false.
    #[serde(rename = "drain")]
    Drain,
    /// `timeout`: the socket has been idle for the `setTimeout` period. Never closes anything.
    #[serde(rename = "timeout")]
    Timeout,
    /// `finish`: after `end()`, every byte has been flushed and our FIN sent.
    #[serde(rename = "finish")]
    Finish,
    /// `error`: with Node's error code (`ECONNRESET`, `EPIPE`, …).
    #[serde(rename = "error")]
    Error {
        code: String,
        #[serde(skip_serializing_if = "String::is_empty", default)]
        message: String,
    },
    /// `close`: the object is gone. `had_error` for sockets; absent for servers.
    #[serde(rename = "close")]
    Close {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        had_error: Option<bool>,
    },
    // ---- dgram ---------------------------------------------------------------------------
    /// `message`: one datagram (boundaries are real, never coalesced).
    #[serde(rename = "message")]
    Message {
        bytes: u64,
        text: String,
        #[serde(skip_serializing_if = "std::ops::Not::not", default)]
        truncated: bool,
        from: Addr,
    },
    // ---- http ----------------------------------------------------------------------------
    /// `request`: a request head was parsed.
    #[serde(rename = "request")]
    Request {
        method: String,
        url: String,
        http_version: String,
        #[serde(default)]
        headers: Vec<(String, String)>,
    },
    /// `checkContinue`: a request asked `Expect: 100-continue` and a handler decides.
    #[serde(rename = "checkContinue")]
    CheckContinue {
        method: String,
        url: String,
        http_version: String,
        #[serde(default)]
        headers: Vec<(String, String)>,
    },
    /// `connect` on an http.Server: a CONNECT request (the tunnel is the socket).
    #[serde(rename = "connect_request")]
    ConnectRequest { url: String, http_version: String },
    /// `upgrade`: a request asked for another protocol.
    #[serde(rename = "upgrade")]
    Upgrade { url: String, protocol: String },
    /// `aborted` on a request (`IncomingMessage`): the peer went away (FIN or reset) before
    /// the body was complete; Node follows it with `error ECONNRESET "aborted"` and `close`.
    #[serde(rename = "aborted")]
    Aborted,
    /// `clientError`: a malformed request; `code` is Node's (`HPE_INVALID_METHOD`, …);
    /// `status` is the answer sent (0: none — e.g. `ECONNRESET`, the peer is gone).
    #[serde(rename = "clientError")]
    ClientError { code: String, status: u16 },
    /// `response`: a client got a response head.
    #[serde(rename = "response")]
    Response { status: u16, reason: String },
    /// `continue`: a client got `100 Continue`.
    #[serde(rename = "continue")]
    Continue,
    /// `socket`: a client request was assigned a socket.
    #[serde(rename = "socket")]
    Socket {
        conn: u32,
        #[serde(skip_serializing_if = "std::ops::Not::not", default)]
        reused: bool,
    },
    // ---- tls -----------------------------------------------------------------------------
    /// `secureConnection`: a TLS handshake completed.
    #[serde(rename = "secureConnection")]
    SecureConnection { protocol: String, cipher: String },
    /// `secureConnect`: a client's TLS handshake completed (the client side of
    /// `secureConnection`).
    #[serde(rename = "secureConnect")]
    SecureConnect { protocol: String, cipher: String },
    /// `tlsClientError`: a TLS handshake failed.
    #[serde(rename = "tlsClientError")]
    TlsClientError { code: String, message: String },
    // ---- the server's own actions --------------------------------------------------------
    /// `socket.write(data)` and what it returned (false: past the high-water mark).
    #[serde(rename = "write")]
    Write {
        bytes: u64,
        text: String,
        #[serde(skip_serializing_if = "std::ops::Not::not", default)]
        truncated: bool,
        returned: bool,
    },
    /// `dgram.send(msg, port, address)`.
    #[serde(rename = "send")]
    Send {
        bytes: u64,
        text: String,
        #[serde(skip_serializing_if = "std::ops::Not::not", default)]
        truncated: bool,
        to: Addr,
    },
    /// `socket.end()`; `auto` when Node calls it itself (allowHalfOpen false) or at shutdown.
    #[serde(rename = "end()")]
    EndCall {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        reason: Option<String>,
    },
    /// `socket.destroy()`.
    #[serde(rename = "destroy()")]
    Destroy {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        reason: Option<String>,
    },
    /// `res.writeHead(status, headers)`: the response head the server sent (with the framing
    /// headers it added), for the `curl -v`-style message view.
    #[serde(rename = "writeHead()")]
    WriteHead {
        status: u16,
        reason: String,
        #[serde(default)]
        headers: Vec<(String, String)>,
    },
    /// `socket.setTimeout(ms)` (0 disables).
    #[serde(rename = "setTimeout()")]
    SetTimeout { ms: u64 },
    /// `socket.setNoDelay(on)`.
    #[serde(rename = "setNoDelay()")]
    SetNoDelay { on: bool },
    /// `server.close()`: stop accepting; `close` follows when every connection is gone.
    #[serde(rename = "server.close()")]
    ServerClose,
    // ---- the wire (scope `wire`; not Node events, never in the canonical trace) ----------
    /// One TCP segment seen on the loopback.
    ///
    /// `seq`/`ack` are relative to each side's initial sequence number (as tcpdump's default
    /// and Wireshark show them); in JSON they are `tcp_seq`/`tcp_ack`, since an entry's own
    /// `seq` is its place in the timeline.
    #[serde(rename = "segment")]
    Segment {
        /// `in`: toward the server; `out`: from the server.
        dir: WireDir,
        /// As tcpdump would name them: `SYN`, `SYN-ACK`, `ACK`, `PSH-ACK`, `FIN-ACK`, `RST`,
        /// `RST-ACK` (rarer combinations joined the same way, e.g. `FIN-PSH-ACK`).
        flags: String,
        /// Relative sequence number of the first payload byte (0 for the SYN).
        #[serde(rename = "tcp_seq")]
        seq: u32,
        /// Relative acknowledgement number (0 when the ACK flag is not set).
        #[serde(rename = "tcp_ack")]
        ack: u32,
        /// Receive window in bytes, scaled by the window scale option of the SYNs.
        win: u32,
        /// Payload bytes.
        len: u32,
        /// For TLS (`CaptureOpts::tls`): the first record's type — `handshake ClientHello`,
        /// `change_cipher_spec`, `alert`, `application_data` — when the segment starts one.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        tls: Option<String>,
        /// The client's end (`127.0.0.1:51234`): ties the segment to its connection.
        peer: Addr,
    },
    /// One UDP datagram seen on the loopback.
    #[serde(rename = "datagram")]
    Datagram {
        /// `in`: toward the server; `out`: from the server.
        dir: WireDir,
        /// Payload bytes (the UDP length minus its header).
        len: u32,
        /// The client's end.
        peer: Addr,
    },
    /// The kernel dropped `count` captured packets (the capture fell behind): shown, never
    /// silent.
    #[serde(rename = "wire_drops")]
    WireDrops { count: u64 },
}

impl EventKind {
    /// Node's event name (or the call's name, for actions), as the timeline shows it. Two
    /// kinds share `connect`: a client socket's and http.Server's (a CONNECT request).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Listening => "listening",
            EventKind::Connection => "connection",
            EventKind::Connect => "connect",
            EventKind::Data => "data",
            EventKind::End => "end",
            EventKind::Drain => "drain",
            EventKind::Timeout => "timeout",
            EventKind::Finish => "finish",
            EventKind::Error => "error",
            EventKind::Close => "close",
            EventKind::Message => "message",
            EventKind::Request => "request",
            EventKind::CheckContinue => "checkContinue",
            EventKind::ConnectRequest => "connect",
            EventKind::Upgrade => "upgrade",
            EventKind::Aborted => "aborted",
            EventKind::ClientError => "clientError",
            EventKind::Response => "response",
            EventKind::Continue => "continue",
            EventKind::Socket => "socket",
            EventKind::SecureConnection => "secureConnection",
            EventKind::TlsClientError => "tlsClientError",
            EventKind::SecureConnect => "secureConnect",
            EventKind::WriteHead => "writeHead()",
            EventKind::Write => "write",
            EventKind::Send => "send",
            EventKind::EndCall => "end()",
            EventKind::Destroy => "destroy()",
            EventKind::SetTimeout => "setTimeout()",
            EventKind::SetNoDelay => "setNoDelay()",
            EventKind::ServerClose => "server.close()",
            EventKind::Segment => "segment",
            EventKind::Datagram => "datagram",
            EventKind::WireDrops => "wire_drops",
        }
    }

    /// Every name the timeline can show, each once, in declaration order.
    pub fn names() -> Vec<&'static str> {
        let mut seen = Vec::new();
        for k in <EventKind as strum::IntoEnumIterator>::iter() {
            if !seen.contains(&k.name()) {
                seen.push(k.name());
            }
        }
        seen
    }
}

impl Event {
    /// Node's event name (or the call's name, for actions).
    pub fn name(&self) -> &'static str {
        EventKind::from(self).name()
    }

    /// True for the program's own calls, false for events an object emitted.
    pub fn is_action(&self) -> bool {
        matches!(
            self,
            Event::Write { .. }
                | Event::Send { .. }
                | Event::EndCall { .. }
                | Event::Destroy { .. }
                | Event::SetTimeout { .. }
                | Event::SetNoDelay { .. }
                | Event::WriteHead { .. }
                | Event::ServerClose
        )
    }

    /// True for the wire's entries (segments, datagrams, drops): packets, not Node events.
    pub fn is_wire(&self) -> bool {
        matches!(
            self,
            Event::Segment { .. } | Event::Datagram { .. } | Event::WireDrops { .. }
        )
    }

    /// Payload size for data-carrying events.
    pub fn bytes(&self) -> Option<u64> {
        match self {
            Event::Data { bytes, .. }
            | Event::Message { bytes, .. }
            | Event::Write { bytes, .. }
            | Event::Send { bytes, .. } => Some(*bytes),
            _ => None,
        }
    }

    /// The payload preview of data-carrying events.
    pub fn preview(&self) -> Option<Preview> {
        match self {
            Event::Data {
                text, truncated, ..
            }
            | Event::Message {
                text, truncated, ..
            }
            | Event::Write {
                text, truncated, ..
            }
            | Event::Send {
                text, truncated, ..
            } => Some(Preview::from_latin1(text, *truncated)),
            _ => None,
        }
    }

    /// A `data` event for a payload (preview capped, count exact).
    pub fn data(payload: &[u8]) -> Event {
        let p = Preview::of(payload);
        Event::Data {
            bytes: payload.len() as u64,
            text: p.as_latin1(),
            truncated: p.truncated,
        }
    }

    /// A `message` event for a datagram from `from`.
    pub fn message(payload: &[u8], from: Addr) -> Event {
        let p = Preview::of(payload);
        Event::Message {
            bytes: payload.len() as u64,
            text: p.as_latin1(),
            truncated: p.truncated,
            from,
        }
    }

    /// A `write(n) → returned` action.
    pub fn write(payload: &[u8], returned: bool) -> Event {
        let p = Preview::of(payload);
        Event::Write {
            bytes: payload.len() as u64,
            text: p.as_latin1(),
            truncated: p.truncated,
            returned,
        }
    }

    /// A `send(msg) → to` action (UDP).
    pub fn send(payload: &[u8], to: Addr) -> Event {
        let p = Preview::of(payload);
        Event::Send {
            bytes: payload.len() as u64,
            text: p.as_latin1(),
            truncated: p.truncated,
            to,
        }
    }

    /// An `error` event from an I/O error, with Node's code.
    pub fn from_io_error(err: &std::io::Error) -> Event {
        Event::Error {
            code: error_code(err),
            message: err.to_string(),
        }
    }
}

/// Node's error code for an I/O error: the errno name (`ECONNRESET`), as Node reports it.
pub fn error_code(err: &std::io::Error) -> String {
    if let Some(raw) = err.raw_os_error() {
        let name = format!("{:?}", nix::errno::Errno::from_raw(raw));
        if name.starts_with('E') {
            return name;
        }
    }
    use std::io::ErrorKind::*;
    match err.kind() {
        ConnectionReset => "ECONNRESET",
        ConnectionRefused => "ECONNREFUSED",
        ConnectionAborted => "ECONNABORTED",
        BrokenPipe => "EPIPE",
        TimedOut => "ETIMEDOUT",
        AddrInUse => "EADDRINUSE",
        AddrNotAvailable => "EADDRNOTAVAIL",
        PermissionDenied => "EACCES",
        NotFound => "ENOENT",
        UnexpectedEof => "ECONNRESET",
        _ => "EIO",
    }
    .to_string()
}

/// One line of a timeline: what happened, where, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the recorder's whole history (0-based); gaps tell a viewer it lagged.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub seq: u64,
    /// Milliseconds since the recorder started (microsecond precision).
    pub t_ms: f64,
    /// Which object it happened on.
    #[serde(flatten)]
    pub scope: Scope,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_round_trips_every_byte() {
        let all: Vec<u8> = (0..=255u8).collect();
        let text = escape(&all);
        assert!(text.is_ascii());
        assert_eq!(unescape(&text).unwrap(), all);
        assert_eq!(escape(b"hello\r\n"), "hello\\r\\n");
    }

    #[test]
    fn preview_is_capped_and_latin1_round_trips() {
        let big = vec![0xffu8; 1000];
        let p = Preview::of(&big);
        assert_eq!(p.head.len(), PREVIEW_CAP);
        assert!(p.truncated);
        assert_eq!(Preview::from_latin1(&p.as_latin1(), true), p);
    }

    #[test]
    fn error_codes_use_node_names() {
        let e = std::io::Error::from_raw_os_error(libc::ECONNRESET);
        assert_eq!(error_code(&e), "ECONNRESET");
        let e = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(error_code(&e), "EPIPE");
    }
}

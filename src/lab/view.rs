//! [`ServerView`]: what the lab's server observed in one run, as typed facts a check can read.
//!
//! Built once per run from the recorder's typed [`Event`]s (never from event names as
//! strings): each server-side connection with the bytes it received, when its FIN (`end`),
//! `finish`, `error` and `close` came, what the server wrote on it and, for HTTP, the status it
//! answered a malformed head with; the UDP datagrams; and every HTTP request with its method,
//! URL, headers, the status the server answered and when its body arrived.
//!
//! Payload bytes are rebuilt from the entries' capped previews ([`crate::trace::PREVIEW_CAP`]
//! each): exact counts always, exact bytes until the first capped chunk (`head_complete`).
//! The recorder keeps the last [`crate::trace::recorder::RING_CAP`] entries; `partial` says
//! when earlier ones were dropped (a flood), so a check can avoid claiming what it cannot see.

use crate::trace::{Entry, Event, Preview, Scope};
use std::collections::BTreeMap;
use std::sync::Arc;

/// When something happened: the recorder's sequence number (for ordering) and time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mark {
    /// Position in the timeline; comparing two marks orders them.
    pub seq: u64,
    /// Milliseconds since the server started.
    pub t_ms: f64,
}

impl Mark {
    fn of(e: &Entry) -> Mark {
        Mark {
            seq: e.seq,
            t_ms: e.t_ms,
        }
    }
}

/// One server-side connection (`connN`).
#[derive(Clone, Debug, Default)]
pub struct ConnView {
    /// The connection's number on the server (`conn1` is the first accepted).
    pub conn: u32,
    /// Exact count of bytes the server read on the socket itself (not request bodies).
    pub received: u64,
    /// The first received bytes, rebuilt from previews.
    pub head: Vec<u8>,
    /// False once a capped preview was met: `head` is then a prefix only.
    pub head_complete: bool,
    /// The first `data`.
    pub first_data: Option<Mark>,
    /// The client's FIN (`end`).
    pub end: Option<Mark>,
    /// The server's own FIN was flushed (`finish`).
    pub finish: Option<Mark>,
    /// The first `error`, with Node's code (`ECONNRESET`).
    pub error: Option<(Mark, String)>,
    /// A failed TLS handshake's code.
    pub tls_error: Option<String>,
    /// A malformed HTTP head: Node's code and the status the server answered.
    pub client_error: Option<(String, u16)>,
    /// `close`, and whether it had an error.
    pub close: Option<(Mark, bool)>,
    /// Names of the events the socket emitted, in order (`timeout`, `secureConnection`…).
    pub emitted: Vec<&'static str>,
    /// The server's own writes on the socket, with what they carried.
    pub writes: Vec<(Mark, Preview)>,
}

impl ConnView {
    /// The status of an HTTP response the server wrote straight on the socket (no request
    /// object: a head it refused, e.g. `400` for a missing `Host`).
    pub fn raw_status(&self) -> Option<u16> {
        let (_, first) = self.writes.first()?;
        let mut headers = [httparse::EMPTY_HEADER; 8];
        let mut res = httparse::Response::new(&mut headers);
        match res.parse(&first.head) {
            Ok(_) => res.code,
            Err(_) => None,
        }
    }

    /// The first write on this socket that starts with `bytes`.
    pub fn write_starting(&self, bytes: &[u8]) -> Option<Mark> {
        self.writes
            .iter()
            .find(|(_, p)| p.head.starts_with(bytes))
            .map(|(m, _)| *m)
    }

    /// The first write that begins with an HTTP `100 Continue` status line.
    pub fn continue_sent(&self) -> Option<Mark> {
        self.writes
            .iter()
            .find(|(_, p)| p.head.starts_with(b"HTTP/1.1 100 "))
            .map(|(m, _)| *m)
    }
}

/// One UDP datagram the server received.
#[derive(Clone, Debug)]
pub struct Datagram {
    /// Exact size.
    pub bytes: u64,
    /// Its first bytes.
    pub head: Vec<u8>,
}

/// Which server event announced a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// `request`.
    Plain,
    /// `checkContinue` (`Expect: 100-continue`).
    CheckContinue,
    /// `upgrade`.
    Upgrade,
    /// `connect` (CONNECT).
    Connect,
}

/// One HTTP request as the server saw it.
#[derive(Clone, Debug)]
pub struct RequestView {
    /// The connection it came on.
    pub conn: u32,
    /// Its number on that connection.
    pub req: u32,
    /// How the server announced it.
    pub kind: RequestKind,
    /// `GET`, `POST`… (`GET` for an upgrade, `CONNECT` for a tunnel).
    pub method: String,
    /// The request target.
    pub url: String,
    /// The head's headers (empty for upgrades and CONNECT, which the timeline does not carry).
    pub headers: Vec<(String, String)>,
    /// When the head was parsed.
    pub at: Mark,
    /// The status the server answered (`writeHead`), if it did.
    pub status: Option<u16>,
    /// When the first body bytes (or bytes after an upgrade) arrived, and how many.
    pub body: Option<(Mark, u64)>,
    /// When the response was fully sent (`finish`).
    pub finished: Option<Mark>,
}

impl RequestView {
    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Everything the server observed in one run, typed.
#[derive(Clone, Debug, Default)]
pub struct ServerView {
    /// `connection` events on the server.
    pub connections: usize,
    /// Every server-side connection, by number.
    pub conns: Vec<ConnView>,
    /// UDP datagrams, in arrival order.
    pub datagrams: Vec<Datagram>,
    /// HTTP requests, in arrival order.
    pub requests: Vec<RequestView>,
    /// The recorder dropped the timeline's first entries: counts may be low.
    pub partial: bool,
}

impl ServerView {
    /// Build the view from a run's entries (oldest first).
    pub fn build(entries: &[Arc<Entry>]) -> ServerView {
        let mut v = ServerView {
            partial: entries.first().is_some_and(|e| e.seq > 0),
            ..ServerView::default()
        };
        let mut conns: BTreeMap<u32, ConnView> = BTreeMap::new();
        for e in entries {
            match e.scope {
                Scope::Server => v.server_event(e),
                Scope::Conn { conn } => {
                    let c = conns.entry(conn).or_insert_with(|| ConnView {
                        conn,
                        head_complete: true,
                        ..ConnView::default()
                    });
                    conn_event(c, e);
                }
                Scope::Request { conn, req } => v.request_event(conn, req, e),
                Scope::Response { conn, req } => v.response_event(conn, req, e),
                Scope::Client { .. } | Scope::ClientRequest { .. } | Scope::Wire { .. } => {}
            }
        }
        v.conns = conns.into_values().collect();
        v
    }

    /// True when a client reached the server at all.
    pub fn anything_seen(&self) -> bool {
        self.connections > 0 || !self.datagrams.is_empty() || !self.conns.is_empty()
    }

    fn server_event(&mut self, e: &Entry) {
        match &e.event {
            Event::Connection { .. } => self.connections += 1,
            Event::Message { bytes, .. } => self.datagrams.push(Datagram {
                bytes: *bytes,
                head: e.event.preview().unwrap_or_default().head,
            }),
            _ => {}
        }
    }

    fn request_event(&mut self, conn: u32, req: u32, e: &Entry) {
        let new = |kind, method: &str, url: &str, headers: &[(String, String)]| RequestView {
            conn,
            req,
            kind,
            method: method.to_string(),
            url: url.to_string(),
            headers: headers.to_vec(),
            at: Mark::of(e),
            status: None,
            body: None,
            finished: None,
        };
        let r = match &e.event {
            Event::Request {
                method,
                url,
                headers,
                ..
            } => new(RequestKind::Plain, method, url, headers),
            Event::CheckContinue {
                method,
                url,
                headers,
                ..
            } => new(RequestKind::CheckContinue, method, url, headers),
            Event::Upgrade { url, .. } => new(RequestKind::Upgrade, "GET", url, &[]),
            Event::ConnectRequest { url, .. } => new(RequestKind::Connect, "CONNECT", url, &[]),
            Event::Data { bytes, .. } => {
                if let Some(r) = self.find(conn, req) {
                    r.body.get_or_insert((Mark::of(e), *bytes));
                }
                return;
            }
            _ => return,
        };
        self.requests.push(r);
    }

    fn response_event(&mut self, conn: u32, req: u32, e: &Entry) {
        let Some(r) = self.find(conn, req) else {
            return;
        };
        match &e.event {
            Event::WriteHead { status, .. } => {
                r.status.get_or_insert(*status);
            }
            Event::Finish => {
                r.finished.get_or_insert(Mark::of(e));
            }
            _ => {}
        }
    }

    fn find(&mut self, conn: u32, req: u32) -> Option<&mut RequestView> {
        self.requests
            .iter_mut()
            .rev()
            .find(|r| r.conn == conn && r.req == req)
    }
}

/// Fold one event of a server-side socket into its view.
fn conn_event(c: &mut ConnView, e: &Entry) {
    if !e.event.is_action() {
        c.emitted.push(e.event.name());
    }
    let at = Mark::of(e);
    match &e.event {
        Event::Data { bytes, .. } => {
            c.received += bytes;
            c.first_data.get_or_insert(at);
            if c.head_complete {
                let p = e.event.preview().unwrap_or_default();
                c.head.extend_from_slice(&p.head);
                c.head_complete = !p.truncated;
            }
        }
        Event::End => {
            c.end.get_or_insert(at);
        }
        Event::Finish => {
            c.finish.get_or_insert(at);
        }
        Event::Error { code, .. } => {
            c.error.get_or_insert((at, code.clone()));
        }
        Event::TlsClientError { code, .. } => {
            c.tls_error.get_or_insert(code.clone());
        }
        Event::ClientError { code, status } => {
            c.client_error.get_or_insert((code.clone(), *status));
        }
        Event::Close { had_error } => {
            c.close.get_or_insert((at, had_error.unwrap_or(false)));
        }
        Event::Write { .. } => c.writes.push((at, e.event.preview().unwrap_or_default())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(list: Vec<(Scope, Event)>) -> Vec<Arc<Entry>> {
        list.into_iter()
            .enumerate()
            .map(|(i, (scope, event))| {
                Arc::new(Entry {
                    seq: i as u64,
                    t_ms: i as f64,
                    scope,
                    event,
                })
            })
            .collect()
    }

    #[test]
    fn a_connection_collects_its_bytes_fin_and_close() {
        let c1 = Scope::Conn { conn: 1 };
        let v = ServerView::build(&entries(vec![
            (
                Scope::Server,
                Event::Connection {
                    peer: "127.0.0.1:1".into(),
                },
            ),
            (c1, Event::data(b"hel")),
            (c1, Event::data(b"lo\r\n")),
            (c1, Event::End),
            (c1, Event::write(b"hello\r\n", true)),
            (c1, Event::Finish),
            (
                c1,
                Event::Close {
                    had_error: Some(false),
                },
            ),
        ]));
        assert_eq!(v.connections, 1);
        let c = &v.conns[0];
        assert_eq!((c.received, c.head.as_slice()), (7, &b"hello\r\n"[..]));
        assert!(c.end.unwrap().seq < c.finish.unwrap().seq);
        assert_eq!(c.emitted, ["data", "data", "end", "finish", "close"]);
        assert!(!v.partial);
    }

    #[test]
    fn a_refused_head_shows_the_status_the_server_wrote() {
        let c1 = Scope::Conn { conn: 1 };
        let v = ServerView::build(&entries(vec![
            (c1, Event::data(b"GET / HTTP/1.1\r\n\r\n")),
            (
                c1,
                Event::write(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    true,
                ),
            ),
        ]));
        assert_eq!(v.conns[0].raw_status(), Some(400));
        assert!(v.requests.is_empty());
    }
}

//! netlab's clients on the trace model: every connection a driver opens is a client lane
//! (`client#N`, [`Scope::Client`]) on one [`Recorder`] per run, with Node's event names —
//! `connect`, `write`, `data`, `end`, `end()`, `finish`, `error`, `close` — recorded by the
//! [`Conn`] wrapper as bytes move, and HTTP responses as `response` / `continue` / `upgrade`
//! on a [`Scope::ClientRequest`]; UDP clients record `send` and `message`. The per-step
//! transcripts stay the readable report; these lanes are the data (the report JSON's
//! `client_timeline`, the TUI's run pane with `l`, the book).

use crate::trace::{error_code, Event, Recorder, Scope};
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The run's client lanes: one recorder, client and request numbers counted from 1.
#[derive(Clone, Default)]
pub struct Lanes {
    /// The timeline every client of the run records on.
    pub rec: Recorder,
    conns: Arc<AtomicU32>,
    reqs: Arc<AtomicU32>,
}

impl Lanes {
    /// The next client's scope (`client#N`).
    pub fn client(&self) -> Scope {
        Scope::Client {
            conn: self.conns.fetch_add(1, Ordering::Relaxed) + 1,
        }
    }

    /// The next client request's scope (`creq#N`).
    pub fn request(&self) -> Scope {
        Scope::ClientRequest {
            req: self.reqs.fetch_add(1, Ordering::Relaxed) + 1,
        }
    }

    /// A connection attempt that failed: `error` then `close`, as a Node socket emits them.
    pub fn refused(&self, e: &std::io::Error) {
        let scope = self.client();
        self.rec.record(
            scope,
            Event::Error {
                code: error_code(e),
                message: e.to_string(),
            },
        );
        self.rec.record(
            scope,
            Event::Close {
                had_error: Some(true),
            },
        );
    }
}

/// A byte stream (TCP, Unix, TLS) that netlab's client reads and writes.
pub trait Duplex: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Duplex for T {}

/// A client connection that records what it does on its lane.
pub struct Conn {
    io: Box<dyn Duplex>,
    lane: Option<Lane>,
}

/// Where a connection records, and what it has recorded already (each of `end`, `end()`,
/// `error` once, like Node).
pub struct Lane {
    lanes: Lanes,
    scope: Scope,
    peer_ended: bool,
    ended: bool,
    finished: bool,
    errored: bool,
}

impl Conn {
    /// A connection just made to `peer`: `connect` on a new client lane.
    pub fn connected(io: Box<dyn Duplex>, lanes: &Lanes, peer: String) -> Conn {
        let scope = lanes.client();
        lanes.rec.record(scope, Event::Connect { peer: Some(peer) });
        Conn {
            io,
            lane: Some(Lane {
                lanes: lanes.clone(),
                scope,
                peer_ended: false,
                ended: false,
                finished: false,
                errored: false,
            }),
        }
    }

    /// Take the lane away (the stream is about to be wrapped, e.g. in TLS, and the wrapper
    /// records instead).
    pub fn take_lane(&mut self) -> Option<Lane> {
        self.lane.take()
    }

    /// `io` recording on `lane` (a TLS stream over a connection whose lane was taken).
    pub fn with_lane(io: Box<dyn Duplex>, lane: Option<Lane>) -> Conn {
        Conn { io, lane }
    }

    /// Record `event` on this connection's lane.
    pub fn note(&self, event: Event) {
        if let Some(l) = &self.lane {
            l.lanes.rec.record(l.scope, event);
        }
    }

    /// An HTTP response head read on this connection: `response` (or `continue`, or
    /// `upgrade` for a 101) on a new client request, with the `socket` it came on.
    pub fn response(&self, status: u16, reason: &str, upgrade: Option<&str>) {
        let Some(l) = &self.lane else { return };
        let Scope::Client { conn } = l.scope else {
            return;
        };
        let req = l.lanes.request();
        let rec = &l.lanes.rec;
        rec.record(
            req,
            Event::Socket {
                conn,
                reused: false,
            },
        );
        rec.record(
            req,
            match status {
                100 => Event::Continue,
                101 => Event::Upgrade {
                    url: String::new(),
                    protocol: upgrade.unwrap_or_default().to_string(),
                },
                _ => Event::Response {
                    status,
                    reason: reason.to_string(),
                },
            },
        );
    }

    fn error(&mut self, e: &std::io::Error) {
        if let Some(l) = &mut self.lane {
            if !std::mem::replace(&mut l.errored, true) {
                l.lanes.rec.record(
                    l.scope,
                    Event::Error {
                        code: error_code(e),
                        message: e.to_string(),
                    },
                );
            }
        }
    }
}

impl Lane {
    /// The connection failed before it was a stream again (a TLS handshake): `error` with
    /// Node's `code`, then `close`.
    pub fn failed(self, code: &str, message: String) {
        self.lanes.rec.record(
            self.scope,
            Event::Error {
                code: code.to_string(),
                message,
            },
        );
        self.lanes.rec.record(
            self.scope,
            Event::Close {
                had_error: Some(true),
            },
        );
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(l) = &self.lane {
            l.lanes.rec.record(
                l.scope,
                Event::Close {
                    had_error: Some(l.errored),
                },
            );
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        match &r {
            Poll::Ready(Ok(())) => {
                let got = &buf.filled()[before..];
                if let Some(l) = &mut self.lane {
                    if !got.is_empty() {
                        l.lanes.rec.data(l.scope, got);
                    } else if buf.remaining() > 0 && !std::mem::replace(&mut l.peer_ended, true) {
                        l.lanes.rec.record(l.scope, Event::End);
                    }
                }
            }
            Poll::Ready(Err(e)) => self.error(e),
            Poll::Pending => {}
        }
        r
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, data);
        match &r {
            Poll::Ready(Ok(n)) if *n > 0 => {
                if let Some(l) = &self.lane {
                    l.lanes.rec.write(l.scope, &data[..*n], true);
                }
            }
            Poll::Ready(Err(e)) => self.error(e),
            _ => {}
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if let Some(l) = &mut self.lane {
            if !std::mem::replace(&mut l.ended, true) {
                l.lanes.rec.record(l.scope, Event::EndCall { reason: None });
            }
        }
        let r = Pin::new(&mut self.io).poll_shutdown(cx);
        match &r {
            Poll::Ready(Ok(())) => {
                if let Some(l) = &mut self.lane {
                    if !std::mem::replace(&mut l.finished, true) {
                        l.lanes.rec.record(l.scope, Event::Finish);
                    }
                }
            }
            Poll::Ready(Err(e)) => self.error(e),
            Poll::Pending => {}
        }
        r
    }
}

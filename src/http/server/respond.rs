//! The response side of a connection: replies queued in request order and written when due
//! (with `writeHead()`, `finish` and `close`), switching to a tunnel after a 101/200, and the
//! answers the connection sends itself when a request cannot be served (`clientError`,
//! then 400/408/413/431 and close), aborting the request that was open.

use super::timeouts::T_REPLY;
use super::{Action, Conn, Mode, Slot, BAD_REQUEST, HEADERS_TOO_LARGE, PAYLOAD_TOO_LARGE};
use crate::http::app::{App, Reply};
use crate::http::message::Request;
use crate::http::write::{response_bytes, switches};
use crate::trace::{Event, Scope};

impl<A: App> Conn<A> {
    pub(super) fn client_error(&mut self, code: &str, status: u16, bytes: &[u8]) {
        self.out.push(Action::Record(
            Scope::Conn { conn: self.conn },
            Event::ClientError {
                code: code.into(),
                status,
            },
        ));
        self.abort_request();
        self.fatal(bytes);
    }

    /// A request already emitted whose body will never complete: Node's `aborted`, `error`
    /// (ECONNRESET "aborted") and `close` on it, and `close` on its response. Node emits the
    /// `error` only to a listener: the routes listen once they read the body, so a request
    /// still waiting for its `100 Continue` gets none.
    pub(super) fn abort_request(&mut self) {
        let (id, listening) = match &self.mode {
            Mode::Body { req, .. } => (req.id, true),
            Mode::AwaitContinue { req, .. } => (req.id, false),
            _ => return,
        };
        let (rq, rs) = (self.req_scope(id), self.res_scope(id));
        self.queue.retain(|s| s.req != id);
        self.out.push(Action::Record(rq, Event::Aborted));
        self.out
            .push(Action::Record(rs, Event::Close { had_error: None }));
        if listening {
            self.out.push(Action::Record(
                rq,
                Event::Error {
                    code: "ECONNRESET".into(),
                    message: "aborted".into(),
                },
            ));
        }
        self.out
            .push(Action::Record(rq, Event::Close { had_error: None }));
    }

    /// Answer with `bytes` (after any responses already due), then close.
    pub(super) fn fatal(&mut self, bytes: &[u8]) {
        self.mode = Mode::Closed;
        self.buf.clear();
        self.queue.push_back(Slot {
            req: 0,
            ready: Some(bytes.to_vec()),
            head: None,
            close_after: true,
            tunnel_after: false,
            raw: false,
        });
        self.flush();
    }

    pub(super) fn schedule(&mut self, req: Request, reply: Reply) {
        match reply.delay {
            Some(d) if !d.is_zero() => {
                self.out.push(Action::Timer(d, T_REPLY | u64::from(req.id)));
                self.delayed.push((req.id, reply, req));
            }
            _ => self.complete(req, reply),
        }
    }

    /// A reply is ready: fill its slot and send what is due, in order.
    pub(super) fn complete(&mut self, req: Request, reply: Reply) {
        let (head, bytes) = response_bytes(&reply.response, &req, self.timeouts.keep_alive);
        if let Some(slot) = self.queue.iter_mut().find(|s| s.req == req.id) {
            slot.close_after |= reply.response.close;
            let accepted = switches(&reply.response, &req);
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
    pub(super) fn flush(&mut self) {
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
            if slot.req > 0 && !slot.raw {
                // Node's order: the response's finish and close, then the request's close.
                let (rq, rs) = (self.req_scope(slot.req), self.res_scope(slot.req));
                self.out.push(Action::Record(rs, Event::Finish));
                self.out
                    .push(Action::Record(rs, Event::Close { had_error: None }));
                self.out
                    .push(Action::Record(rq, Event::Close { had_error: None }));
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
}

/// The bytes of a connection-level error answer with this status.
pub(super) fn write_error(status: u16) -> &'static [u8] {
    match status {
        413 => PAYLOAD_TOO_LARGE,
        431 => HEADERS_TOO_LARGE,
        _ => BAD_REQUEST,
    }
}

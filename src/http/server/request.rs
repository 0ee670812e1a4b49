//! A request's lifecycle on a connection: its head parsed into a `request` (or
//! `checkContinue`, `upgrade`, `connect`, or an answer the connection gives itself: 400, 417),
//! its body read and recorded as `data`/`end`, then handed to the application.

use super::respond::write_error;
use super::timeouts::T_CONTINUE;
use super::{Action, Conn, Mode, Slot, BAD_REQUEST, MISSING_HOST};
use crate::http::app::{App, Reply};
use crate::http::body::{BodyDecoder, Step};
use crate::http::message::Request;
use crate::http::parse::{parse_head, Framing};
use crate::http::write::{expectation_failed, expects_continue};
use crate::trace::{Event, Scope};

impl<A: App> Conn<A> {
    /// Try to parse one head; true if progress was made.
    pub(super) fn parse_head(&mut self) -> bool {
        let head = match parse_head(&self.buf) {
            Ok(Some(head)) => head,
            Ok(None) => return false,
            Err(e) => {
                let bytes = write_error(e.status);
                self.client_error(e.code, e.status, bytes);
                return false;
            }
        };
        self.next_req += 1;
        let id = self.next_req;
        let request = Request {
            id,
            method: head.method,
            url: head.url,
            version: head.version,
            headers: head.headers,
            body: Vec::new(),
            body_len: 0,
        };
        self.buf.drain(..head.len);
        self.head_armed = false; // the head is complete: its timer no longer applies

        let left = match head.framing {
            Framing::None => BodyDecoder::length(0),
            Framing::Length(n) => BodyDecoder::length(n),
            Framing::Chunked => BodyDecoder::chunked(),
            Framing::BadTransferEncoding => {
                // llhttp accepts the head (Node emits `request`), then fails where the body
                // would start.
                let rs = self.req_scope(id);
                self.out.push(Action::Record(rs, request.event()));
                self.mode = Mode::Body {
                    req: request,
                    left: BodyDecoder::length(0),
                };
                self.client_error("HPE_INVALID_TRANSFER_ENCODING", 400, BAD_REQUEST);
                return false;
            }
        };
        let http11 = request.version == "1.1";
        if http11 && request.header("host").is_none() {
            self.next_req -= 1;
            self.fatal(MISSING_HOST);
            return false;
        }
        if let Some(expect) = request.header("expect").filter(|_| http11) {
            if !expects_continue(expect) {
                // Node answers 417 itself, without a `request` event, and keeps the connection.
                self.next_req -= 1;
                let bytes = expectation_failed(request.wants_close(), self.timeouts.keep_alive);
                let close = request.wants_close();
                self.mode = Mode::Discard { left, close };
                self.queue.push_back(Slot {
                    req: 0,
                    ready: Some(bytes),
                    head: None,
                    close_after: close,
                    tunnel_after: false,
                    raw: false,
                });
                self.flush();
                return true;
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
            let reply = self.app.connect(&request);
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
            if conn_hdr.contains("upgrade") && self.app.accepts_upgrade(&proto) {
                self.out.push(Action::Record(
                    rs,
                    Event::Upgrade {
                        url: request.url.clone(),
                        protocol: proto,
                    },
                ));
                let reply = self.app.upgrade(&request);
                self.start_tunnel(request, reply);
                return true;
            }
        }
        if http11 && request.header("expect").is_some() {
            self.out.push(Action::Record(
                rs,
                Event::CheckContinue {
                    method: request.method.clone(),
                    url: request.url.clone(),
                    http_version: request.version.clone(),
                    headers: request.headers.clone(),
                },
            ));
            let delay = self.app.continue_delay(&request);
            self.out
                .push(Action::Timer(delay, T_CONTINUE | u64::from(id)));
            if !self.buf.is_empty() {
                // The body came right behind the head, without waiting for the 100.
                self.out.push(Action::Record(rs, Event::data(&self.buf)));
                self.recorded_ahead += self.buf.len();
            }
            self.arm_request_timer(id, &left);
            self.mode = Mode::AwaitContinue { req: request, left };
            return true;
        }
        self.out.push(Action::Record(rs, request.event()));
        self.arm_request_timer(id, &left);
        self.mode = Mode::Body { req: request, left };
        true
    }

    pub(super) fn start_tunnel(&mut self, req: Request, reply: Reply) {
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
            raw: true,
        });
        self.mode = Mode::AwaitTunnel;
        self.schedule(req, reply);
    }

    /// Drop the body of a request the connection answered itself; true when it ended.
    pub(super) fn discard_body(&mut self) -> bool {
        let Mode::Discard { left, close } = &mut self.mode else {
            return false;
        };
        loop {
            match left.step(&self.buf) {
                Ok(Step::NeedMore) => return false,
                Ok(Step::Consumed { used, .. }) => {
                    self.buf.drain(..used);
                }
                Ok(Step::Done { used }) => {
                    let close = *close;
                    self.buf.drain(..used);
                    self.mode = if close { Mode::Closed } else { Mode::Head };
                    return !close;
                }
                Err(e) => {
                    self.client_error(e.code(), e.status(), write_error(e.status()));
                    return false;
                }
            }
        }
    }

    /// Read body bytes; true when the body completed (and the next head may follow).
    pub(super) fn read_body(&mut self) -> bool {
        let Mode::Body { req, left } = &mut self.mode else {
            return false;
        };
        let scope = Scope::Request {
            conn: self.conn,
            req: req.id,
        };
        loop {
            match left.step(&self.buf) {
                Ok(Step::NeedMore) => return false,
                Ok(Step::Consumed { used, body }) => {
                    if !body.is_empty() {
                        let chunk = &self.buf[body];
                        req.push_body(chunk);
                        record_body(&mut self.out, &mut self.recorded_ahead, scope, chunk);
                    }
                    self.buf.drain(..used);
                }
                Ok(Step::Done { used }) => {
                    self.buf.drain(..used);
                    break;
                }
                Err(e) => {
                    self.client_error(e.code(), e.status(), write_error(e.status()));
                    return false;
                }
            }
        }
        // Body complete.
        let Mode::Body { req, .. } = std::mem::replace(&mut self.mode, Mode::Head) else {
            unreachable!("matched above")
        };
        self.out.push(Action::Record(scope, Event::End));
        let close = req.wants_close();
        if close && !self.buf.is_empty() {
            // Bytes after a request that closes the connection: llhttp fails at once
            // (HPE_CLOSED_CONNECTION), before Node's handler (which runs on the request's
            // `end`, a tick later) has answered; the 400 goes out and the response is lost.
            let (rq, rs) = (self.req_scope(req.id), self.res_scope(req.id));
            self.out.push(Action::Record(
                Scope::Conn { conn: self.conn },
                Event::ClientError {
                    code: "HPE_CLOSED_CONNECTION".into(),
                    status: 400,
                },
            ));
            self.out
                .push(Action::Record(rs, Event::Close { had_error: None }));
            self.out
                .push(Action::Record(rq, Event::Close { had_error: None }));
            self.fatal(BAD_REQUEST);
            return false;
        }
        self.queue.push_back(Slot {
            req: req.id,
            ready: None,
            head: None,
            close_after: close,
            tunnel_after: false,
            raw: false,
        });
        let reply = self.app.route(&req);
        self.schedule(req, reply);
        if close {
            self.mode = Mode::Closed;
            return false;
        }
        true
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

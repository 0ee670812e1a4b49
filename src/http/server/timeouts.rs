//! A connection's clocks: Node's `headersTimeout`, `requestTimeout` and `keepAliveTimeout`
//! ([`Timeouts`]), the timers a [`Conn`] asks its driver to set, and what happens when one
//! fires (a `408`, a quiet end of an idle keep-alive connection, a delayed reply or
//! `100 Continue` going out).

use super::{Action, Conn, Mode, CONTINUE, REQUEST_TIMEOUT};
use crate::http::app::App;
use crate::http::body::BodyDecoder;
use std::time::Duration;

/// Timeouts of a connection: Node 20's defaults, unless `NETLAB_HTTP_TIMEOUTS_MS` is set to
/// `HEADERS,REQUEST,KEEP_ALIVE` in milliseconds (the differential suite shortens them on both
/// netlab and its Node twin, so the timeout cases finish in a second).
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// A request head must be complete within this (Node: `headersTimeout`, 60 s); else 408.
    pub headers: Duration,
    /// A whole request, body included, must arrive within this (Node: `requestTimeout`,
    /// 300 s); else 408.
    pub request: Duration,
    /// An idle keep-alive connection is ended after this (Node: `keepAliveTimeout`, 5 s).
    pub keep_alive: Duration,
}

/// Node 20 ends an idle keep-alive socket this long after `keepAliveTimeout`
/// (`server.keepAliveTimeoutBuffer`), so a client that trusts `Keep-Alive: timeout=N` does
/// not race the server's close.
pub const KEEP_ALIVE_BUFFER: Duration = Duration::from_secs(1);

/// The environment variable that overrides [`Timeouts::default`].
pub const TIMEOUTS_ENV: &str = "NETLAB_HTTP_TIMEOUTS_MS";

impl Default for Timeouts {
    fn default() -> Self {
        let node = Timeouts {
            headers: Duration::from_secs(60),
            request: Duration::from_secs(300),
            keep_alive: Duration::from_secs(5),
        };
        std::env::var(TIMEOUTS_ENV)
            .ok()
            .and_then(|v| Timeouts::parse(&v))
            .unwrap_or(node)
    }
}

impl Timeouts {
    /// `HEADERS,REQUEST,KEEP_ALIVE` in milliseconds.
    pub fn parse(v: &str) -> Option<Timeouts> {
        let ms: Vec<u64> = v
            .split(',')
            .map(|p| p.trim().parse().ok())
            .collect::<Option<_>>()?;
        let [h, r, k] = ms[..] else { return None };
        Some(Timeouts {
            headers: Duration::from_millis(h),
            request: Duration::from_millis(r),
            keep_alive: Duration::from_millis(k),
        })
    }
}

/// Timer ids: kind in the high bits, request number in the low bits. The head and body timers
/// have one id each per connection: arming one again replaces the pending one (see
/// [`Action::Timer`]), so a long keep-alive connection never piles up stale timers.
pub(super) const T_HEAD: u64 = 1 << 40;
pub(super) const T_REPLY: u64 = 2 << 40;
pub(super) const T_CONTINUE: u64 = 3 << 40;
pub(super) const T_REQUEST: u64 = 4 << 40;
pub(super) const T_MASK: u64 = (1 << 40) - 1;

impl<A: App> Conn<A> {
    /// A head is awaited: it must arrive within the headers timeout (or, on an idle
    /// keep-alive connection, the next one within the keep-alive timeout).
    pub(super) fn arm_head_timer(&mut self) {
        self.head_armed = true;
        let wait = if self.buf.is_empty() && self.next_req > 0 {
            self.timeouts.keep_alive + KEEP_ALIVE_BUFFER
        } else {
            self.timeouts.headers
        };
        self.out.push(Action::Timer(wait, T_HEAD));
    }

    /// A body is still to come: it must arrive within the request timeout.
    pub(super) fn arm_request_timer(&mut self, id: u32, left: &BodyDecoder) {
        if !left.is_done() {
            self.body_timer = id;
            self.out
                .push(Action::Timer(self.timeouts.request, T_REQUEST));
        }
    }

    /// A timer set by an [`Action::Timer`] fired.
    pub fn timer(&mut self, id: u64) -> Vec<Action> {
        let n = id & T_MASK;
        match id & !T_MASK {
            T_HEAD if self.head_armed && matches!(self.mode, Mode::Head) => {
                self.head_armed = false;
                if self.buf.is_empty() && self.next_req > 0 {
                    // Idle keep-alive: end quietly (Node's keepAliveTimeout).
                    self.mode = Mode::Closed;
                    self.out.push(Action::End);
                } else {
                    self.client_error("ERR_HTTP_REQUEST_TIMEOUT", 408, REQUEST_TIMEOUT);
                }
            }
            T_REQUEST => {
                let reading = match &self.mode {
                    Mode::Body { req, .. } | Mode::AwaitContinue { req, .. } => req.id,
                    _ => 0,
                };
                if reading == self.body_timer && reading > 0 {
                    // The body did not arrive within requestTimeout.
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
}

//! What a server connection asks of the application it serves: the [`App`] trait.
//!
//! [`super::server::Conn`] owns the protocol (parsing, framing, pipelining, timeouts, error
//! answers); an [`App`] owns the meaning (what a route answers and when). The `http`
//! scenario's app is [`super::routes::Routes`]; tests and other scenarios can bring their own.

use super::message::{Request, Response};
use std::time::Duration;

/// A response and when to send it.
#[derive(Clone, Debug)]
pub struct Reply {
    /// Send after this long (`None`: at once).
    pub delay: Option<Duration>,
    /// The response.
    pub response: Response,
}

impl Reply {
    /// A reply sent at once.
    pub fn now(response: Response) -> Reply {
        Reply {
            delay: None,
            response,
        }
    }
}

/// The application behind an HTTP server connection (Node: the `request`, `checkContinue`,
/// `upgrade` and `connect` listeners of an `http.Server`).
pub trait App {
    /// The answer to an ordinary request, its body read (Node's `request` listener).
    fn route(&mut self, req: &Request) -> Reply;
    /// Whether the application takes `Upgrade: protocol` (Node: an `upgrade` listener that
    /// handles it); if not, the request is served by [`App::route`].
    fn accepts_upgrade(&self, protocol: &str) -> bool;
    /// The answer to an accepted upgrade request: a `101` switches the connection to a tunnel.
    fn upgrade(&mut self, req: &Request) -> Reply;
    /// The answer to a CONNECT request: a `200` switches the connection to a tunnel.
    fn connect(&mut self, req: &Request) -> Reply;
    /// How long after `checkContinue` to send `100 Continue` (Node: the listener's choice of
    /// when to call `writeContinue()`).
    fn continue_delay(&mut self, req: &Request) -> Duration;
}

//! The `http` scenario: the sans-IO HTTP/1.1 connection ([`crate::http::server::Conn`]) on
//! the engine's socket. Like Node's `http.Server`, sockets are half-open capable (a client's
//! FIN does not cut off responses still due) and have TCP_NODELAY set (Node ≥ 18).

use crate::engine::{Handler, Socket};
use crate::http::routes::LabRoutes;
use crate::http::server::{Action, Conn, Timeouts};

/// One HTTP connection.
pub struct Http {
    conn: Option<Conn<LabRoutes>>,
    number: u32,
    timeouts: Timeouts,
    /// A lab run's token for `/hello` (see [`LabRoutes`]); `None` serves the plain routes.
    nonce: Option<String>,
}

impl Http {
    pub fn new(number: u32, timeouts: Timeouts) -> Self {
        Http {
            conn: None,
            number,
            timeouts,
            nonce: None,
        }
    }

    /// Put a lab run's token in `/hello`'s body.
    pub fn with_nonce(mut self, nonce: Option<String>) -> Self {
        self.nonce = nonce;
        self
    }
}

fn apply(s: &mut Socket<'_>, actions: Vec<Action>) {
    for a in actions {
        match a {
            Action::Write(bytes) => {
                s.write(&bytes);
            }
            Action::Record(scope, event) => s.recorder().record(scope, event),
            Action::Timer(d, id) => s.after(d, id),
            Action::End => s.end(),
        }
    }
}

impl Handler for Http {
    fn on_connection(&mut self, s: &mut Socket<'_>) {
        s.set_no_delay(true);
        let routes = LabRoutes {
            nonce: self.nonce.clone(),
        };
        let (conn, first) = Conn::new(routes, self.number, self.timeouts);
        self.conn = Some(conn);
        apply(s, first);
    }
    fn on_data(&mut self, s: &mut Socket<'_>, chunk: &[u8]) {
        if let Some(c) = self.conn.as_mut() {
            let a = c.feed(chunk);
            apply(s, a);
        }
    }
    fn on_timer(&mut self, s: &mut Socket<'_>, id: u64) {
        if let Some(c) = self.conn.as_mut() {
            let a = c.timer(id);
            apply(s, a);
        }
    }
    fn on_error(&mut self, s: &mut Socket<'_>, err: &std::io::Error) {
        if let Some(c) = self.conn.as_mut() {
            let a = c.peer_reset(&crate::trace::error_code(err));
            apply(s, a);
        }
    }
    fn on_end(&mut self, s: &mut Socket<'_>) {
        if let Some(c) = self.conn.as_mut() {
            let a = c.peer_ended();
            apply(s, a);
        }
    }
}

//! `tcp-errors`, the errors lesson's server: it misbehaves on purpose, in a fixed order, so that
//! each error a client must handle can be provoked on demand.
//!
//! | connection | what the server does | what a Node client sees |
//! |---|---|---|
//! | 1st | reads the first chunk, then `socket.resetAndDestroy()` (an RST) | `error` ECONNRESET, `close` hadError=true |
//! | 2nd | reads, never answers, never closes | nothing, until its own `setTimeout` fires `timeout` |
//! | after the 2nd is accepted | `server.close()`: the port stops listening | `error` ECONNREFUSED, `close` hadError=true |
//!
//! Node equivalent:
//!
//! ```js
//! let n = 0;
//! const server = net.createServer((socket) => {
//!   n += 1;
//!   if (n === 1) socket.once('data', () => socket.resetAndDestroy());
//!   if (n === 2) server.close();   // stop listening; this socket stays open, silent
//! });
//! ```
//!
//! The 2nd connection stays open until the client closes it (Node's default: when the client
//! ends, the server's socket ends too) or the server is stopped.

use crate::engine::{drive, Handler, Listener, Socket, SocketOptions};
use crate::trace::{Event, Recorder, Scope};
use std::io;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Resets the connection when the first chunk arrives (the stream has `SO_LINGER` 0, so the
/// close that `destroy()` makes is an RST).
struct ResetOnData;

impl Handler for ResetOnData {
    fn on_data(&mut self, s: &mut Socket<'_>, _chunk: &[u8]) {
        s.destroy_because("resetAndDestroy(): an RST, not a FIN");
    }
}

/// Reads and never answers.
struct Silent;

impl Handler for Silent {}

/// Serve the script on `listener` until the 2nd connection, then stop listening; the whole
/// server ends when `cancel` fires (open connections end politely, as at any shutdown).
pub async fn serve(
    listener: Listener,
    cancel: CancellationToken,
    rec: Recorder,
    opts: SocketOptions,
) -> io::Result<()> {
    rec.record(Scope::Server, listener.listening_event());
    let Listener::Tcp(tcp) = listener else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "tcp-errors serves TCP only",
        ));
    };
    let tracker = TaskTracker::new();
    let conns_cancel = CancellationToken::new();
    let mut n = 0u32;
    while n < 2 {
        let (stream, peer) = tokio::select! {
            biased;
            r = tcp.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    rec.record(Scope::Server, Event::from_io_error(&e));
                    continue;
                }
            },
            _ = cancel.cancelled() => break,
        };
        n += 1;
        let scope = Scope::Conn { conn: n };
        rec.record(
            Scope::Server,
            Event::Connection {
                peer: peer.to_string(),
            },
        );
        let (r, token) = (rec.clone(), conns_cancel.clone());
        if n == 1 {
            // What resetAndDestroy() does: close with an RST, not a FIN.
            stream.set_zero_linger()?;
            tracker.spawn(drive(stream, scope, r, opts, ResetOnData, token));
        } else {
            tracker.spawn(drive(stream, scope, r, opts, Silent, token));
        }
    }
    // server.close(): nothing listens on the port any more, so connecting is refused.
    rec.record(Scope::Server, Event::ServerClose);
    drop(tcp);
    tracker.close();
    tokio::select! {
        _ = tracker.wait() => {}
        _ = cancel.cancelled() => {
            conns_cancel.cancel();
            tracker.wait().await;
        }
    }
    rec.record(Scope::Server, Event::Close { had_error: None });
    // A server that is not cancelled yet stays "running" (nothing to do) until it is.
    cancel.cancelled().await;
    Ok(())
}

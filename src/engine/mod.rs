//! Node's `net` and `dgram` semantics on tokio.
//!
//! - [`socket`]: the `net.Socket` state machine (data/end/finish/close, write → false/drain,
//!   timeouts) that scenarios program against through [`Handler`] callbacks.
//! - [`listener`]: binding TCP and Unix listeners and the accept loop (`net.Server`:
//!   listening, connection, close), with graceful shutdown on a [`CancellationToken`].
//! - [`udp`]: a `dgram` socket (listening, message, close, error).
//!
//! [`CancellationToken`]: tokio_util::sync::CancellationToken

pub mod listener;
pub mod socket;
pub mod udp;

pub use listener::{serve_stream, serve_stream_tls, Listener};
pub use socket::{drive, Handler, Socket, SocketOptions, Stream, HIGH_WATER_MARK};
pub use udp::{serve_udp, Dgram, DgramHandler};

//! A `dgram` socket: `listening`, one `message` per datagram (with the sender), `close`.
//!
//! Datagrams are never coalesced: their boundaries are real. Replies are sent with
//! [`Dgram::send`], recorded as `send(n)` actions.

use crate::trace::{Event, Recorder, Scope};
use std::net::SocketAddr;
use tokio::net::UdpSocket;
use tokio_util::sync::CancellationToken;

/// Node's largest UDP payload is 65507 bytes on IPv4; one more byte to notice truncation.
const MAX_DATAGRAM: usize = 65_536;

/// What a UDP scenario does with each datagram.
pub trait DgramHandler: Send + 'static {
    /// `message`: `msg` arrived from `from`.
    fn on_message(&mut self, s: &mut Dgram<'_>, msg: &[u8], from: SocketAddr);
}

/// The socket as a handler sees it.
pub struct Dgram<'a> {
    recorder: &'a Recorder,
    /// Datagrams to send once the handler returns (sending is async).
    outbox: Vec<(Vec<u8>, SocketAddr)>,
}

impl Dgram<'_> {
    /// `socket.send(msg, port, address)`.
    pub fn send(&mut self, msg: &[u8], to: SocketAddr) {
        self.recorder.send(Scope::Server, msg, to.to_string());
        self.outbox.push((msg.to_vec(), to));
    }
}

/// The `listening` event for a bound UDP socket.
pub fn listening_event(socket: &UdpSocket) -> Event {
    match socket.local_addr() {
        Ok(a) => Event::Listening {
            address: a.ip().to_string(),
            port: Some(a.port()),
            transport: if a.is_ipv4() { "udp4" } else { "udp6" }.into(),
        },
        Err(_) => Event::Listening {
            address: "?".into(),
            port: None,
            transport: "udp4".into(),
        },
    }
}

/// Run a UDP server until `cancel` fires.
pub async fn serve_udp<H: DgramHandler>(
    socket: UdpSocket,
    cancel: CancellationToken,
    recorder: Recorder,
    mut handler: H,
) {
    recorder.record(Scope::Server, listening_event(&socket));
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        // Datagrams already queued are handled before a shutdown is honoured.
        let received = tokio::select! {
            biased;
            r = socket.recv_from(&mut buf) => r,
            _ = cancel.cancelled() => break,
        };
        match received {
            Ok((n, from)) => {
                recorder.message(Scope::Server, &buf[..n], from.to_string());
                let mut d = Dgram {
                    recorder: &recorder,
                    outbox: Vec::new(),
                };
                handler.on_message(&mut d, &buf[..n], from);
                for (msg, to) in d.outbox {
                    if let Err(e) = socket.send_to(&msg, to).await {
                        recorder.record(Scope::Server, Event::from_io_error(&e));
                    }
                }
            }
            // An ICMP error from an earlier send can surface here; Node reports it as
            // 'error' and the socket stays usable.
            Err(e) => recorder.record(Scope::Server, Event::from_io_error(&e)),
        }
    }
    recorder.record(Scope::Server, Event::ServerClose);
    drop(socket);
    recorder.record(Scope::Server, Event::Close { had_error: None });
}

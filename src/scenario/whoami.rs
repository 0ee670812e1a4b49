//! `tcp-whoami`, the DNS and IPv6 lesson's server: a dual-stack listener that tells each client
//! the address it sees it from.
//!
//! Node equivalent:
//!
//! ```js
//! net.createServer((socket) => {
//!   socket.end(`you are ${socket.remoteAddress} (${socket.remoteFamily})\n`);
//! }).listen(port, '::');   // '::' takes IPv6 and, on Linux by default, IPv4 too
//! ```
//!
//! An IPv4 client of a dual-stack socket appears as an IPv4-mapped IPv6 address
//! (`::ffff:127.0.0.1`, family `IPv6`), an IPv6 one as itself (`::1`).
//!
//! `::` would make the server reachable from the network, and netlab's servers listen on
//! loopback only. So outside a lab's sandbox netlab binds the two loopback addresses instead,
//! both with IPv6 sockets: [`LOOPBACK_V4_MAPPED`] (IPv4 clients of `127.0.0.1`, seen exactly as a
//! `::` socket sees them) and `::1` on the same port. Inside the sandbox, whose network
//! namespace has nothing but loopback, the lab's socket really is `::`.

use crate::engine::{drive, Handler, Listener, Socket, SocketOptions};
use crate::trace::{Event, Recorder, Scope};
use std::io;
use std::net::SocketAddr;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The address the lab's sandbox binds for `tcp-whoami`: every address, IPv6 and IPv4.
pub const DUAL_STACK: &str = "::";

/// Where `tcp-whoami` listens outside the sandbox: IPv4's loopback through an IPv6 socket, plus
/// `::1` on the same port (see the module docs).
pub const LOOPBACK_V4_MAPPED: &str = "::ffff:127.0.0.1";

/// The line `tcp-whoami` answers a client at `peer` with, as Node would write it.
pub fn answer(peer: &SocketAddr) -> String {
    let family = if peer.is_ipv4() { "IPv4" } else { "IPv6" };
    format!("you are {} ({family})\n", peer.ip())
}

/// Answers, then ends (Node's `socket.end(text)`).
struct Tell(String);

impl Handler for Tell {
    fn on_connection(&mut self, s: &mut Socket<'_>) {
        s.write(self.0.as_bytes());
        s.end();
    }
}

/// Serve until `cancel` fires, then end every connection and close, as `serve_stream` does.
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
            "tcp-whoami serves TCP only",
        ));
    };
    // Bound to the IPv4-mapped loopback: take IPv6's loopback too, on the same port.
    let local = tcp.local_addr()?;
    let v6 = match local.ip() {
        std::net::IpAddr::V6(ip) if ip.to_ipv4_mapped().is_some() => {
            let l = Listener::bind_tcp("::1", local.port()).await?;
            rec.record(Scope::Server, l.listening_event());
            match l {
                Listener::Tcp(l) => Some(l),
                Listener::Unix { .. } => None,
            }
        }
        _ => None,
    };
    let accept_v6 = || async {
        match &v6 {
            Some(l) => l.accept().await,
            None => std::future::pending().await,
        }
    };
    let tracker = TaskTracker::new();
    let conns_cancel = CancellationToken::new();
    let mut n = 0u32;
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            r = tcp.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    rec.record(Scope::Server, Event::from_io_error(&e));
                    tokio::select! {
                        _ = cancel.cancelled() => break,
                        _ = tokio::time::sleep(std::time::Duration::from_millis(100)) => continue,
                    }
                }
            },
            r = accept_v6() => match r {
                Ok(x) => x,
                Err(e) => {
                    rec.record(Scope::Server, Event::from_io_error(&e));
                    tokio::select! {
                        _ = cancel.cancelled() => break,
                        _ = tokio::time::sleep(std::time::Duration::from_millis(100)) => continue,
                    }
                }
            },
            _ = cancel.cancelled() => break,
        };
        n += 1;
        rec.record(
            Scope::Server,
            Event::Connection {
                peer: peer.to_string(),
            },
        );
        let scope = Scope::Conn { conn: n };
        let handler = Tell(answer(&peer));
        tracker.spawn(drive(
            stream,
            scope,
            rec.clone(),
            opts,
            handler,
            conns_cancel.clone(),
        ));
    }
    rec.record(Scope::Server, Event::ServerClose);
    drop(tcp);
    drop(v6);
    tracker.close();
    conns_cancel.cancel();
    tracker.wait().await;
    rec.record(Scope::Server, Event::Close { had_error: None });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_name_the_family_as_node_does() {
        let v4mapped: SocketAddr = "[::ffff:127.0.0.1]:5".parse().unwrap();
        assert_eq!(answer(&v4mapped), "you are ::ffff:127.0.0.1 (IPv6)\n");
        let v6: SocketAddr = "[::1]:5".parse().unwrap();
        assert_eq!(answer(&v6), "you are ::1 (IPv6)\n");
        let v4: SocketAddr = "127.0.0.1:5".parse().unwrap();
        assert_eq!(answer(&v4), "you are 127.0.0.1 (IPv4)\n");
    }
}

//! The UDP scenario: `udp-pong` answers every datagram with `pong`.

use crate::engine::{Dgram, DgramHandler};
use std::net::SocketAddr;

/// `socket.on('message', (msg, rinfo) => socket.send('pong', rinfo.port, rinfo.address))`.
pub struct Pong;

impl DgramHandler for Pong {
    fn on_message(&mut self, s: &mut Dgram<'_>, _msg: &[u8], from: SocketAddr) {
        s.send(b"pong", from);
    }
}

//! `tcp-lines`, the framing lesson's server: six lines whose boundaries do not match its writes.
//!
//! Node equivalent:
//!
//! ```js
//! net.createServer((socket) => {
//!   socket.setNoDelay(true);                 // each write its own segment
//!   const writes = ['alpha\nbra', 'vo\n', 'charlie\ndelta\nec', 'ho\nfox', 'trot\n'];
//!   writes.forEach((w, i) => setTimeout(() => {
//!     socket.write(w);
//!     if (i === writes.length - 1) socket.end();
//!   }, 50 * (i + 1)));
//! });
//! ```
//!
//! A line split across two writes (`bra` + `vo`) and three lines in one write
//! (`charlie\ndelta\nec`) arrive, on loopback, as the client's `data` chunks: a client that
//! treats a chunk as a line is visibly wrong.

use crate::engine::{Handler, Socket};
use std::time::Duration;

/// What `tcp-lines` writes, one entry per `write()`, 50 ms apart.
pub const WRITES: &[&[u8]] = &[
    b"alpha\nbra",
    b"vo\n",
    b"charlie\ndelta\nec",
    b"ho\nfox",
    b"trot\n",
];

/// The lines a client reassembles from [`WRITES`].
pub const LINES: &[&str] = &["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];

/// Milliseconds between two writes.
pub const GAP_MS: u64 = 50;

/// Writes [`WRITES`] one per timer, then ends; ignores what the client sends.
#[derive(Default)]
pub struct Lines {
    next: usize,
}

impl Handler for Lines {
    fn on_connection(&mut self, s: &mut Socket<'_>) {
        s.set_no_delay(true);
        s.after(Duration::from_millis(GAP_MS), 0);
    }
    fn on_timer(&mut self, s: &mut Socket<'_>, _id: u64) {
        if let Some(w) = WRITES.get(self.next) {
            s.write(w);
            self.next += 1;
        }
        if self.next < WRITES.len() {
            s.after(Duration::from_millis(GAP_MS), 0);
        } else {
            s.end();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writes_carry_exactly_the_lines() {
        let all: Vec<u8> = WRITES.concat();
        let text = String::from_utf8(all).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines, LINES);
        // Some write is not a whole line, and some write holds several.
        assert!(WRITES.iter().any(|w| !w.ends_with(b"\n")));
        assert!(WRITES
            .iter()
            .any(|w| w.iter().filter(|&&b| b == b'\n').count() > 1));
    }
}

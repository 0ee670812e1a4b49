//! The TCP (and Unix-socket) scenarios, each written as its Node equivalent would be.
//!
//! | scenario | Node equivalent |
//! |---|---|
//! | [`Echo`] | `net.createServer(s => s.pipe(s))` |
//! | [`Greeting`] | `setTimeout(() => { s.write('Echo server\r\n'); s.pipe(s) }, 200)` |
//! | [`Bulk`] | a write loop that stops when `write()` returns false and resumes on `drain` |
//! | [`Idle`] | `s.setTimeout(500); s.on('timeout', () => s.end('bye\r\n')); s.pipe(s)` |
//! | [`HalfOpen`] | `{ allowHalfOpen: true }`, `s.on('end', () => s.end(`got ${n} bytes\r\n`))` |

use crate::engine::{Handler, Socket};
use std::time::Duration;

/// `socket.pipe(socket)`: echo, pausing reads while the write buffer is over the mark.
#[derive(Default)]
pub struct Echo;

impl Handler for Echo {
    fn on_data(&mut self, s: &mut Socket<'_>, chunk: &[u8]) {
        if !s.write(chunk) {
            s.pause();
        }
    }
    fn on_drain(&mut self, s: &mut Socket<'_>) {
        s.resume();
    }
    fn on_end(&mut self, s: &mut Socket<'_>) {
        // pipe() ends the destination when the source ends.
        s.end();
    }
}

/// The greeting `tcp-greeting` sends.
pub const GREETING: &[u8] = b"Echo server\r\n";
const GREET_TIMER: u64 = 1;

/// Greets after a delay, then echoes. Bytes that arrive before the greeting are recorded (so a
/// grader can see the client spoke first) and echoed after it, as a late `pipe()` would.
pub struct Greeting {
    delay: Duration,
    greeted: bool,
    early: Vec<u8>,
    /// The client ended before the greeting: end right after greeting.
    end_after_greeting: bool,
    /// What it greets with ([`GREETING`], or one carrying a lab run's token).
    greeting: Vec<u8>,
}

impl Greeting {
    pub fn new(delay_ms: u64) -> Self {
        Greeting {
            delay: Duration::from_millis(delay_ms),
            greeted: false,
            early: Vec::new(),
            end_after_greeting: false,
            greeting: GREETING.to_vec(),
        }
    }

    /// Greet with these bytes instead of [`GREETING`].
    pub fn with_greeting(mut self, greeting: Vec<u8>) -> Self {
        self.greeting = greeting;
        self
    }
}

impl Handler for Greeting {
    fn on_connection(&mut self, s: &mut Socket<'_>) {
        s.after(self.delay, GREET_TIMER);
    }
    fn on_timer(&mut self, s: &mut Socket<'_>, _id: u64) {
        self.greeted = true;
        s.write(&self.greeting);
        if !self.early.is_empty() {
            let early = std::mem::take(&mut self.early);
            if !s.write(&early) {
                s.pause();
            }
        }
        if self.end_after_greeting {
            s.end();
        }
    }
    fn on_data(&mut self, s: &mut Socket<'_>, chunk: &[u8]) {
        if self.greeted {
            Echo.on_data(s, chunk);
        } else if self.early.len() < 1 << 20 {
            self.early.extend_from_slice(chunk);
        }
    }
    fn on_drain(&mut self, s: &mut Socket<'_>) {
        s.resume();
    }
    fn on_end(&mut self, s: &mut Socket<'_>) {
        if self.greeted {
            s.end();
        } else {
            self.end_after_greeting = true;
        }
    }
}

/// Size of each `tcp-bulk` write.
pub const BULK_CHUNK: usize = 64 * 1024;
/// The repeating pattern `tcp-bulk` streams: readable, and any offset is easy to check.
pub const BULK_PATTERN: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789\n";

/// The byte at `offset` of the `tcp-bulk` stream.
pub fn bulk_byte(offset: u64) -> u8 {
    BULK_PATTERN[(offset % BULK_PATTERN.len() as u64) as usize]
}

/// Streams `total` bytes in 64 KiB writes, waiting for `drain` whenever `write()` says so.
pub struct Bulk {
    total: u64,
    sent: u64,
    chunk: Vec<u8>,
}

impl Bulk {
    pub fn new(total: u64) -> Self {
        // Long enough to slice a full chunk starting at any phase of the pattern.
        let reps = BULK_CHUNK / BULK_PATTERN.len() + 2;
        Bulk {
            total,
            sent: 0,
            chunk: BULK_PATTERN.repeat(reps),
        }
    }

    fn pump(&mut self, s: &mut Socket<'_>) {
        while self.sent < self.total {
            // Start each write where the pattern left off, so the stream is seamless.
            let phase = (self.sent % BULK_PATTERN.len() as u64) as usize;
            let n = (self.total - self.sent).min(BULK_CHUNK as u64) as usize;
            let ok = s.write(&self.chunk[phase..phase + n]);
            self.sent += n as u64;
            if !ok {
                return; // resume on 'drain'
            }
        }
        s.end();
    }
}

impl Handler for Bulk {
    fn on_connection(&mut self, s: &mut Socket<'_>) {
        self.pump(s);
    }
    fn on_drain(&mut self, s: &mut Socket<'_>) {
        if !s.ended() {
            self.pump(s);
        }
    }
}

/// Echoes with an idle timeout; on `timeout` says `bye` and ends.
pub struct Idle {
    timeout: Duration,
}

impl Idle {
    pub fn new(ms: u64) -> Self {
        Idle {
            timeout: Duration::from_millis(ms),
        }
    }
}

impl Handler for Idle {
    fn on_connection(&mut self, s: &mut Socket<'_>) {
        s.set_timeout(Some(self.timeout));
    }
    fn on_data(&mut self, s: &mut Socket<'_>, chunk: &[u8]) {
        Echo.on_data(s, chunk);
    }
    fn on_drain(&mut self, s: &mut Socket<'_>) {
        s.resume();
    }
    fn on_end(&mut self, s: &mut Socket<'_>) {
        s.end();
    }
    fn on_timeout(&mut self, s: &mut Socket<'_>) {
        if !s.ended() {
            s.write(b"bye\r\n");
            s.end();
        }
    }
}

/// With allowHalfOpen: counts what the client sends, answers after the client's FIN.
#[derive(Default)]
pub struct HalfOpen {
    received: u64,
}

impl Handler for HalfOpen {
    fn on_data(&mut self, _s: &mut Socket<'_>, chunk: &[u8]) {
        self.received += chunk.len() as u64;
    }
    fn on_end(&mut self, s: &mut Socket<'_>) {
        s.write(format!("got {} bytes\r\n", self.received).as_bytes());
        s.end();
    }
}

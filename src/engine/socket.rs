//! A Node-style socket on tokio: the `net.Socket` state machine that scenarios program against.
//!
//! A scenario implements [`Handler`] — callbacks named after Node's events — and calls methods on
//! [`Socket`] (`write`, `end`, `destroy`, `set_timeout`, …) just as a Node `connection` listener
//! would. [`drive`] owns the stream and turns I/O into those callbacks in Node's order, recording
//! every event and every call into the [`Recorder`]:
//!
//! - `data` for each read (at most [`READ_CHUNK`] bytes, like Node), then `end` on the peer's FIN;
//!   when `allow_half_open` is false (Node's default) the socket then calls `end()` itself.
//! - `write()` first offers the bytes to the kernel right away (as libuv does); it returns false
//!   once the bytes still waiting in userland reach [`HIGH_WATER_MARK`] (16 KiB) and then `drain`
//!   fires once that userland buffer has gone to the kernel. A write the kernel takes whole
//!   returns true and is never followed by `drain`.
//! - `end()` → (buffer flushed, FIN sent) → `finish`; once both sides are done → `close(false)`.
//! - A reset or other I/O error → `error CODE` → `close(true)`, with no `end`.
//! - `set_timeout(ms)` → `timeout` once per idle period (incoming data or a write re-arms it);
//!   it never closes the socket.
//!
//! Divergences from Node that netlab accepts (and why):
//! - Node emits `close` after libuv closes the handle, one loop turn after `finish`/`end`; here
//!   it is recorded as soon as both directions are done. The order is the same.
//! - A write after `end()` is ignored and recorded as `write(n) → false`; Node emits
//!   `error ERR_STREAM_WRITE_AFTER_END`. netlab's scenarios never do this.
//! - On shutdown (Ctrl-C) netlab calls `end()` on every open socket and gives peers
//!   [`SHUTDOWN_GRACE`] to finish before destroying them; Node's `server.close()` would wait
//!   forever.
//! - `write()` reports an error (`EPIPE`, `ECONNRESET`) as an `error` event on the next turn of
//!   the driver, as Node does asynchronously; Node may attribute it to the write callback only.

use crate::trace::recorder::{Dir, StreamHandle};
use crate::trace::{Event, Recorder, Scope};
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

/// Node's `writableHighWaterMark` for sockets.
pub const HIGH_WATER_MARK: usize = 16 * 1024;
/// Node reads at most 64 KiB at a time.
pub const READ_CHUNK: usize = 64 * 1024;
/// How long peers get to close after netlab shuts a server down.
pub const SHUTDOWN_GRACE: Duration = Duration::from_millis(1000);

/// A byte stream netlab can drive: TCP, Unix, (later) TLS.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    /// Toggle TCP_NODELAY; streams without Nagle ignore it.
    fn set_nodelay(&self, _on: bool) -> io::Result<()> {
        Ok(())
    }
    /// Whether TCP_NODELAY is on (false for streams without Nagle).
    fn nodelay(&self) -> io::Result<bool> {
        Ok(false)
    }
    /// TCP segments sent so far (Linux `TCP_INFO.tcpi_segs_out`), where the kernel says.
    fn segments_out(&self) -> Option<u32> {
        None
    }
    /// Whether a read error really is the peer closing cleanly. TLS peers that close without
    /// `close_notify` (common: scripts that just exit) are not at fault: that is an `end`.
    fn clean_eof(&self, _e: &io::Error) -> bool {
        false
    }
}

impl Stream for tokio_rustls::server::TlsStream<tokio::net::TcpStream> {
    fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.get_ref().0.set_nodelay(on)
    }
    fn nodelay(&self) -> io::Result<bool> {
        self.get_ref().0.nodelay()
    }
    fn clean_eof(&self, e: &io::Error) -> bool {
        e.kind() == io::ErrorKind::UnexpectedEof
    }
}

impl Stream for tokio::net::TcpStream {
    fn set_nodelay(&self, on: bool) -> io::Result<()> {
        tokio::net::TcpStream::set_nodelay(self, on)
    }
    fn nodelay(&self) -> io::Result<bool> {
        tokio::net::TcpStream::nodelay(self)
    }
    fn segments_out(&self) -> Option<u32> {
        use std::os::fd::AsRawFd;
        // SAFETY: a zeroed tcp_info is a valid out-buffer; getsockopt writes at most `len`
        // bytes into it, and the fd is this live socket's.
        unsafe {
            let mut info: libc::tcp_info = std::mem::zeroed();
            let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
            let rc = libc::getsockopt(
                self.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_INFO,
                (&mut info as *mut libc::tcp_info).cast(),
                &mut len,
            );
            (rc == 0).then_some(info.tcpi_segs_out)
        }
    }
}

impl Stream for tokio::net::UnixStream {}

/// Socket options, as `net.createServer(options)` takes them.
#[derive(Clone, Copy, Debug, Default)]
pub struct SocketOptions {
    /// Keep the writable side open after the peer's FIN (Node's `allowHalfOpen`, default false).
    pub allow_half_open: bool,
}

/// What a scenario does on each event: Node's listeners, as callbacks.
///
/// Every method has an empty default, as an event without a listener does nothing in Node.
pub trait Handler: Send + 'static {
    /// The `connection` listener: the socket is ready.
    fn on_connection(&mut self, _s: &mut Socket<'_>) {}
    /// `data`: `chunk` arrived.
    fn on_data(&mut self, _s: &mut Socket<'_>, _chunk: &[u8]) {}
    /// `end`: the peer sent FIN.
    fn on_end(&mut self, _s: &mut Socket<'_>) {}
    /// `drain`: the write buffer went to the kernel after a write returned false.
    fn on_drain(&mut self, _s: &mut Socket<'_>) {}
    /// `timeout`: idle for the `set_timeout` period.
    fn on_timeout(&mut self, _s: &mut Socket<'_>) {}
    /// A timer set with [`Socket::after`] fired (Node's `setTimeout(fn, ms)`).
    fn on_timer(&mut self, _s: &mut Socket<'_>, _id: u64) {}
    /// `error`: a read or write failed (e.g. `ECONNRESET`); `close(true)` follows. The socket
    /// can no longer be written; the handler may still record events (Node: an `error`
    /// listener, such as http.Server's `clientError` and request `aborted`).
    fn on_error(&mut self, _s: &mut Socket<'_>, _err: &io::Error) {}
    /// `close`: the socket is gone.
    fn on_close(&mut self, _had_error: bool) {}
}

/// Write access to the stream for the synchronous part of `write()`.
trait WriteNow {
    /// Offer bytes to the kernel without waiting: `Ok(0)` when it would block.
    fn write_now(&mut self, buf: &[u8]) -> io::Result<usize>;
    fn set_nodelay_now(&self, on: bool) -> io::Result<()>;
    fn nodelay_now(&self) -> io::Result<bool>;
    fn segments_out_now(&self) -> Option<u32>;
}

impl<S: Stream> WriteNow for S {
    fn write_now(&mut self, buf: &[u8]) -> io::Result<usize> {
        // A no-op waker is fine: the driver polls again with a real one before it sleeps.
        let mut cx = Context::from_waker(Waker::noop());
        match Pin::new(self).poll_write(&mut cx, buf) {
            Poll::Ready(r) => r,
            Poll::Pending => Ok(0),
        }
    }
    fn set_nodelay_now(&self, on: bool) -> io::Result<()> {
        self.set_nodelay(on)
    }
    fn nodelay_now(&self) -> io::Result<bool> {
        self.nodelay()
    }
    fn segments_out_now(&self) -> Option<u32> {
        self.segments_out()
    }
}

/// The socket's state, separate from the stream so callbacks can borrow both.
struct State {
    scope: Scope,
    recorder: Recorder,
    /// Exact stats of what this socket received and wrote.
    rx: StreamHandle,
    tx: StreamHandle,
    opts: SocketOptions,
    /// Chunks not yet fully handed to the kernel; the front one may be partly written.
    out: VecDeque<Vec<u8>>,
    /// How much of `out.front()` the kernel already has.
    out_off: usize,
    /// Node's `writableLength`: whole chunks count until fully written.
    buffered: usize,
    /// A write returned false: emit `drain` when `out` empties.
    need_drain: bool,
    /// `end()` was called.
    ending: bool,
    /// `finish` was emitted (FIN sent).
    finished: bool,
    /// `end` was emitted (FIN received).
    read_eof: bool,
    /// Reading paused (`socket.pause()`, e.g. by a pipe under backpressure).
    paused: bool,
    /// `destroy()` was called.
    destroyed: bool,
    /// An error seen during a synchronous write, reported on the next turn.
    pending_error: Option<io::Error>,
    /// The idle timeout (`setTimeout`), if set.
    idle: Option<Duration>,
    /// When the idle timer fires next; `None` once it fired until new activity.
    idle_deadline: Option<Instant>,
    /// Timers set with `after`, as (deadline, id).
    timers: Vec<(Instant, u64)>,
    /// Shutdown began: destroy at this deadline if the peer has not finished.
    grace_deadline: Option<Instant>,
}

/// The socket as a handler sees it: Node's `net.Socket` methods.
pub struct Socket<'a> {
    st: &'a mut State,
    io: &'a mut dyn WriteNow,
}

impl Socket<'_> {
    /// The connection this socket is (for the timeline).
    pub fn scope(&self) -> Scope {
        self.st.scope
    }

    /// The recorder, for scenario-specific entries.
    pub fn recorder(&self) -> &Recorder {
        &self.st.recorder
    }

    fn touch(&mut self) {
        if let Some(d) = self.st.idle {
            self.st.idle_deadline = Some(Instant::now() + d);
        }
    }

    /// `socket.write(data)`: false once the userland buffer reaches the high-water mark.
    pub fn write(&mut self, data: &[u8]) -> bool {
        // Stamped when called: the bytes may cross the loopback before the call returns.
        let called = self.st.recorder.now_ms();
        if self.st.ending || self.st.destroyed || data.is_empty() {
            let ok = data.is_empty() && !self.st.ending && !self.st.destroyed;
            self.st
                .recorder
                .write_on_at(called, &self.st.tx, self.st.scope, data, ok);
            return ok;
        }
        let mut written = 0;
        if self.st.out.is_empty() && self.st.pending_error.is_none() {
            while written < data.len() {
                match self.io.write_now(&data[written..]) {
                    Ok(0) => break,
                    Ok(n) => written += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.st.pending_error = Some(e);
                        break;
                    }
                }
            }
        }
        if written < data.len() {
            self.st.out.push_back(data.to_vec());
            if self.st.out.len() == 1 {
                self.st.out_off = written;
            }
            self.st.buffered += data.len();
        }
        let ok = self.st.buffered < HIGH_WATER_MARK;
        if !ok {
            self.st.need_drain = true;
        }
        self.st
            .recorder
            .write_on_at(called, &self.st.tx, self.st.scope, data, ok);
        self.touch();
        ok
    }

    /// `socket.end()`: send FIN once everything written has gone; `finish` follows.
    pub fn end(&mut self) {
        self.end_because(None);
    }

    fn end_because(&mut self, reason: Option<&str>) {
        if self.st.ending || self.st.destroyed {
            return;
        }
        self.st.ending = true;
        self.st.recorder.record(
            self.st.scope,
            Event::EndCall {
                reason: reason.map(str::to_string),
            },
        );
    }

    /// `socket.destroy()`: close now, without `finish`; `close(false)` follows.
    pub fn destroy(&mut self) {
        if !self.st.destroyed {
            self.st.destroyed = true;
            self.st
                .recorder
                .record(self.st.scope, Event::Destroy { reason: None });
        }
    }

    /// `socket.destroy()` recorded with why (`resetAndDestroy()`, when the scenario set
    /// `SO_LINGER` 0 on the stream so that the close is an RST).
    pub fn destroy_because(&mut self, reason: &str) {
        if !self.st.destroyed {
            self.st.destroyed = true;
            self.st.recorder.record(
                self.st.scope,
                Event::Destroy {
                    reason: Some(reason.to_string()),
                },
            );
        }
    }

    /// `socket.setTimeout(ms)`; `None` or zero disables it.
    pub fn set_timeout(&mut self, d: Option<Duration>) {
        let d = d.filter(|d| !d.is_zero());
        self.st.recorder.record(
            self.st.scope,
            Event::SetTimeout {
                ms: d.map_or(0, |d| d.as_millis() as u64),
            },
        );
        self.st.idle = d;
        self.st.idle_deadline = d.map(|d| Instant::now() + d);
    }

    /// `socket.setNoDelay(on)`: TCP_NODELAY on or off (Nagle off or on).
    pub fn set_no_delay(&mut self, on: bool) {
        self.st
            .recorder
            .record(self.st.scope, Event::SetNoDelay { on });
        if let Err(e) = self.io.set_nodelay_now(on) {
            self.st.pending_error = Some(e);
        }
    }

    /// Node's `socket.noDelay`-equivalent: whether TCP_NODELAY is on (Nagle off).
    pub fn no_delay(&self) -> bool {
        self.io.nodelay_now().unwrap_or(false)
    }

    /// `socket.pause()`: stop reading (the kernel buffer then fills and TCP pushes back).
    pub fn pause(&mut self) {
        self.st.paused = true;
    }

    /// `socket.resume()`.
    pub fn resume(&mut self) {
        self.st.paused = false;
    }

    /// Node's `setTimeout(() => …, ms)`: [`Handler::on_timer`] gets `id` after `d`. A timer
    /// with the same `id` still pending is replaced (as `clearTimeout` then `setTimeout`), so
    /// a handler that re-arms one timer per request keeps one entry, not one per request.
    pub fn after(&mut self, d: Duration, id: u64) {
        let at = Instant::now() + d;
        match self.st.timers.iter_mut().find(|t| t.1 == id) {
            Some(t) => t.0 = at,
            None => self.st.timers.push((at, id)),
        }
    }

    /// TCP segments this socket has sent (`TCP_INFO`), for the Nagle demo.
    pub fn segments_out(&self) -> Option<u32> {
        self.io.segments_out_now()
    }

    /// Node's `writableLength`.
    pub fn writable_length(&self) -> usize {
        self.st.buffered
    }

    /// Node's `writableEnded`: `end()` was called.
    pub fn ended(&self) -> bool {
        self.st.ending
    }
}

/// What woke the driver.
enum Wake {
    Data(usize),
    Eof,
    Drained,
    Finished,
    Error(io::Error),
    Idle,
    Timer(u64),
    Cancelled,
    GraceOver,
}

/// Run one socket to completion: record `connection`-time setup, drive I/O, call the handler,
/// record `close`. Returns when the socket is closed.
pub async fn drive<S: Stream, H: Handler>(
    mut stream: S,
    scope: Scope,
    recorder: Recorder,
    opts: SocketOptions,
    mut handler: H,
    cancel: CancellationToken,
) {
    let mut st = State {
        scope,
        rx: recorder.stream(scope, Dir::Rx),
        tx: recorder.stream(scope, Dir::Tx),
        recorder,
        opts,
        out: VecDeque::new(),
        out_off: 0,
        buffered: 0,
        need_drain: false,
        ending: false,
        finished: false,
        read_eof: false,
        paused: false,
        destroyed: false,
        pending_error: None,
        idle: None,
        idle_deadline: None,
        timers: Vec::new(),
        grace_deadline: None,
    };
    // Allocated when a read starts and freed whenever the socket has nothing more to read, so
    // an idle connection holds no read buffer (2,000 idle keep-alive connections cost what
    // their kernel sockets cost, not 2,000 × 64 KiB).
    let mut buf: Vec<u8> = Vec::new();
    let mut cancelled: Pin<Box<WaitForCancellationFutureOwned>> =
        Box::pin(cancel.cancelled_owned());
    let mut shutting_down = false;
    let mut idle_sleep: Pin<Box<Sleep>> = Box::pin(tokio::time::sleep(Duration::ZERO));
    let mut timer_sleep: Pin<Box<Sleep>> = Box::pin(tokio::time::sleep(Duration::ZERO));
    let mut grace_sleep: Pin<Box<Sleep>> = Box::pin(tokio::time::sleep(Duration::ZERO));

    handler.on_connection(&mut Socket {
        st: &mut st,
        io: &mut stream,
    });

    let had_error = loop {
        if st.destroyed {
            break false;
        }
        if st.read_eof && st.finished {
            break false;
        }
        // Arm the sleeps for this turn (resetting a Sleep is cheap).
        if let Some(d) = st.idle_deadline {
            if idle_sleep.deadline() != d {
                idle_sleep.as_mut().reset(d);
            }
        }
        let next_timer = st.timers.iter().map(|t| t.0).min();
        if let Some(d) = next_timer {
            if timer_sleep.deadline() != d {
                timer_sleep.as_mut().reset(d);
            }
        }
        if let Some(d) = st.grace_deadline {
            if grace_sleep.deadline() != d {
                grace_sleep.as_mut().reset(d);
            }
        }

        let wake = poll_fn(|cx| {
            poll_turn(
                cx,
                &mut st,
                &mut stream,
                &mut buf,
                (!shutting_down).then_some(cancelled.as_mut()),
                &mut idle_sleep,
                next_timer.map(|_| &mut timer_sleep),
                &mut grace_sleep,
            )
        })
        .await;

        let mut s = Socket {
            st: &mut st,
            io: &mut stream,
        };
        match wake {
            Wake::Data(n) => {
                s.st.recorder.data_event(s.st.scope, &buf[..n]);
                s.touch();
                handler.on_data(&mut s, &buf[..n]);
                // Hash after the handler ran: an echo reaches the kernel a little sooner.
                s.st.rx.update(&buf[..n]);
                buf.clear();
            }
            Wake::Eof => {
                s.st.read_eof = true;
                s.st.recorder.record(s.st.scope, Event::End);
                handler.on_end(&mut s);
                if !s.st.opts.allow_half_open {
                    s.end_because(Some("auto: allowHalfOpen is false"));
                }
            }
            Wake::Drained => {
                s.st.need_drain = false;
                s.st.recorder.record(s.st.scope, Event::Drain);
                handler.on_drain(&mut s);
            }
            Wake::Finished => {
                s.st.finished = true;
                s.st.recorder.record(s.st.scope, Event::Finish);
            }
            Wake::Error(e) => {
                s.st.recorder.record(s.st.scope, Event::from_io_error(&e));
                s.st.destroyed = true; // nothing more goes out on a failed socket
                handler.on_error(&mut s, &e);
                break true;
            }
            Wake::Idle => {
                s.st.idle_deadline = None; // once per idle period
                s.st.recorder.record(s.st.scope, Event::Timeout);
                handler.on_timeout(&mut s);
            }
            Wake::Timer(id) => {
                handler.on_timer(&mut s, id);
            }
            Wake::Cancelled => {
                shutting_down = true;
                s.st.paused = false;
                s.end_because(Some("server shutting down"));
                s.st.grace_deadline = Some(Instant::now() + SHUTDOWN_GRACE);
            }
            Wake::GraceOver => {
                s.st.grace_deadline = None;
                s.st.destroyed = true;
                s.st.recorder.record(
                    s.st.scope,
                    Event::Destroy {
                        reason: Some("peer did not close in time".into()),
                    },
                );
            }
        }
    };
    drop(stream);
    st.recorder.record(
        st.scope,
        Event::Close {
            had_error: Some(had_error),
        },
    );
    handler.on_close(had_error);
}

/// One non-blocking turn: make write progress, then report the first thing that happened.
#[allow(clippy::too_many_arguments)]
fn poll_turn<S: Stream>(
    cx: &mut Context<'_>,
    st: &mut State,
    stream: &mut S,
    buf: &mut Vec<u8>,
    cancelled: Option<Pin<&mut WaitForCancellationFutureOwned>>,
    idle_sleep: &mut Pin<Box<Sleep>>,
    timer_sleep: Option<&mut Pin<Box<Sleep>>>,
    grace_sleep: &mut Pin<Box<Sleep>>,
) -> Poll<Wake> {
    if let Some(e) = st.pending_error.take() {
        return Poll::Ready(Wake::Error(e));
    }
    // Writes first: they free the buffer that `drain` and `finish` wait for.
    while let Some(front) = st.out.front() {
        match Pin::new(&mut *stream).poll_write(cx, &front[st.out_off..]) {
            Poll::Ready(Ok(0)) => {
                return Poll::Ready(Wake::Error(io::ErrorKind::WriteZero.into()));
            }
            Poll::Ready(Ok(n)) => {
                st.out_off += n;
                if st.out_off == front.len() {
                    st.buffered -= front.len();
                    st.out.pop_front();
                    st.out_off = 0;
                }
            }
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Poll::Ready(Err(e)) => return Poll::Ready(Wake::Error(e)),
            Poll::Pending => break,
        }
    }
    if st.out.is_empty() {
        if st.need_drain {
            return Poll::Ready(Wake::Drained);
        }
        if st.ending && !st.finished {
            match Pin::new(&mut *stream).poll_shutdown(cx) {
                Poll::Ready(Ok(())) => return Poll::Ready(Wake::Finished),
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::NotConnected => {
                    // The peer is already gone; Node reports finish all the same.
                    return Poll::Ready(Wake::Finished);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Wake::Error(e)),
                Poll::Pending => {}
            }
        }
    }
    if !st.read_eof && !st.paused {
        if buf.capacity() < READ_CHUNK {
            buf.reserve_exact(READ_CHUNK);
        }
        match tokio_util::io::poll_read_buf(Pin::new(&mut *stream), cx, buf) {
            Poll::Ready(Ok(n)) => {
                return Poll::Ready(if n == 0 { Wake::Eof } else { Wake::Data(n) });
            }
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {
                cx.waker().wake_by_ref();
            }
            Poll::Ready(Err(e)) if stream.clean_eof(&e) => return Poll::Ready(Wake::Eof),
            Poll::Ready(Err(e)) => return Poll::Ready(Wake::Error(e)),
            Poll::Pending => {
                // Nothing to read now: give the read buffer back until there is.
                *buf = Vec::new();
            }
        }
    }
    if st.idle_deadline.is_some() && idle_sleep.as_mut().poll(cx).is_ready() {
        return Poll::Ready(Wake::Idle);
    }
    if let Some(ts) = timer_sleep {
        if ts.as_mut().poll(cx).is_ready() {
            let now = Instant::now();
            if let Some(pos) = st.timers.iter().position(|t| t.0 <= now) {
                let (_, id) = st.timers.remove(pos);
                return Poll::Ready(Wake::Timer(id));
            }
        }
    }
    if st.grace_deadline.is_some() && grace_sleep.as_mut().poll(cx).is_ready() {
        return Poll::Ready(Wake::GraceOver);
    }
    if let Some(c) = cancelled {
        if c.poll(cx).is_ready() {
            return Poll::Ready(Wake::Cancelled);
        }
    }
    Poll::Pending
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Reports Nagle's state before and after `setNoDelay(true)`, then ends.
    struct NoDelayProbe(mpsc::Sender<(bool, bool)>);

    impl Handler for NoDelayProbe {
        fn on_connection(&mut self, s: &mut Socket<'_>) {
            let before = s.no_delay();
            s.set_no_delay(true);
            let _ = self.0.send((before, s.no_delay()));
            s.end();
        }
    }

    /// Arms timer 7 twice, then timer 9; reports every timer that fires.
    struct Rearm(mpsc::Sender<u64>);

    impl Handler for Rearm {
        fn on_connection(&mut self, s: &mut Socket<'_>) {
            s.after(Duration::from_millis(5), 7);
            s.after(Duration::from_millis(10), 7);
            s.after(Duration::from_millis(20), 9);
        }
        fn on_timer(&mut self, s: &mut Socket<'_>, id: u64) {
            let _ = self.0.send(id);
            if id == 9 {
                s.destroy();
            }
        }
    }

    #[tokio::test]
    async fn a_timer_armed_again_replaces_the_pending_one() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let client = tokio::spawn(tokio::net::TcpStream::connect(addr));
        let (s, _) = l.accept().await.unwrap();
        let (tx, rx) = mpsc::channel();
        let rec = Recorder::new();
        let opts = SocketOptions::default();
        let scope = Scope::Conn { conn: 1 };
        drive(s, scope, rec, opts, Rearm(tx), CancellationToken::new()).await;
        drop(client.await.unwrap());
        assert_eq!(rx.try_iter().collect::<Vec<_>>(), [7, 9]);
    }

    #[tokio::test]
    async fn nagle_is_on_by_default_and_set_no_delay_turns_it_off() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let client = tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
            let mut v = Vec::new();
            c.read_to_end(&mut v).await.unwrap();
        });
        let (s, _) = l.accept().await.unwrap();
        let (tx, rx) = mpsc::channel();
        let rec = Recorder::new();
        let scope = Scope::Conn { conn: 1 };
        let opts = SocketOptions::default();
        let cancel = CancellationToken::new();
        let driving = tokio::spawn(drive(s, scope, rec.clone(), opts, NoDelayProbe(tx), cancel));
        client.await.unwrap();
        driving.await.unwrap();
        assert_eq!(rx.recv().unwrap(), (false, true));
        let names: Vec<_> = rec.recent().iter().map(|e| e.event.name()).collect();
        assert_eq!(names, ["setNoDelay()", "end()", "finish", "end", "close"]);
    }
}

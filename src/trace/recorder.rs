//! The recorder: where servers write their timeline and viewers read it, in bounded memory.
//!
//! A learner may point `cat /dev/zero | nc …` at a server; netlab must keep running in a few MiB.
//! So the recorder never stores payloads whole. It keeps:
//! - a ring of the most recent [`Entry`] values ([`RING_CAP`]) plus per-event-kind counts, so a
//!   viewer can show the tail and say how much it is not showing;
//! - the canonical trace built as events arrive ([`canon::Builder`]), where consecutive `data`
//!   events coalesce into one line holding an exact count and a capped head;
//! - per connection and direction, exact byte counts and an xxh3 content hash ([`StreamStats`]),
//!   which a grader compares when heads are not enough. Each stream has its own lock
//!   ([`StreamHandle`]) so hashing one connection's bytes never blocks another's events;
//! - a broadcast channel for live viewers (`serve`, the TUI). A viewer that falls behind is told
//!   how many entries it missed instead of slowing the server down.
//!
//! Cloning a [`Recorder`] is cheap; all clones share one timeline.
//!
//! # Order
//! Entries are recorded as they happen, except the wire's ([`Recorder::record_at`]): a packet
//! carries the kernel's timestamp, which precedes the event it causes (an RST comes before the
//! receiving socket's `error`/`close`), but the capture thread records it a little later. So the
//! ring is kept in `t_ms` order (a late entry is inserted at its place), and once a recorder has
//! late entries, [`Subscription::recv_batch`] holds entries for [`WIRE_HOLD`] and releases them
//! in `t_ms` order: every view shows `close hadError=true` right after the RST that caused it.
//! Live entries keep their recording order in `seq`.

use super::canon::{self, CanonTrace};
use super::{Entry, Event, Scope};
use std::collections::{BTreeMap, VecDeque};
use std::hash::Hasher;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::broadcast;
use twox_hash::XxHash3_64;

/// Recent entries kept for viewers that attach late or scroll back.
pub const RING_CAP: usize = 10_000;
/// Entries a live viewer may fall behind by before it is told it lagged.
pub const LIVE_CAP: usize = 16_384;
/// How long [`Subscription::recv_batch`] keeps looking for entries before it parks.
pub const BATCH_LINGER: std::time::Duration = std::time::Duration::from_millis(2);
/// How often [`Subscription::recv_batch`] looks while it lingers.
pub const BATCH_POLL: std::time::Duration = std::time::Duration::from_micros(200);

/// How long a live printer holds entries, once a recorder has late (wire) entries, so they can
/// be released in `t_ms` order. Longer than a capture thread's usual delay between the kernel
/// stamping a packet and the entry being recorded.
pub const WIRE_HOLD: std::time::Duration = std::time::Duration::from_millis(25);

/// Which way bytes went, seen from the recorded object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dir {
    /// Bytes the object received (`data`, `message`).
    Rx,
    /// Bytes the object wrote (`write`, `send`).
    Tx,
}

/// Exact totals for one direction of one object: what a capped preview cannot tell.
#[derive(Clone, serde::Serialize)]
pub struct StreamStats {
    /// Every byte counted, however large the stream.
    pub bytes: u64,
    /// Number of reads (`data` events) or writes.
    pub chunks: u64,
    /// xxh3-64 of the whole stream, hex; compares content without keeping it.
    pub hash: String,
    #[serde(skip)]
    hasher: XxHash3_64,
}

impl std::fmt::Debug for StreamStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamStats")
            .field("bytes", &self.bytes)
            .field("chunks", &self.chunks)
            .field("hash", &self.hash)
            .finish()
    }
}

impl Default for StreamStats {
    fn default() -> Self {
        StreamStats {
            bytes: 0,
            chunks: 0,
            hash: format!("{:016x}", XxHash3_64::with_seed(0).finish()),
            hasher: XxHash3_64::with_seed(0),
        }
    }
}

impl StreamStats {
    fn update(&mut self, data: &[u8]) {
        self.bytes += data.len() as u64;
        self.chunks += 1;
        self.hasher.write(data);
        self.hash.clear();
    }

    fn finish_hash(&mut self) {
        if self.hash.is_empty() {
            self.hash = format!("{:016x}", self.hasher.finish());
        }
    }
}

/// What a live viewer receives.
#[derive(Clone, Debug)]
pub enum Live {
    /// The next entry.
    Entry(Arc<Entry>),
    /// The viewer fell behind; this many entries were not delivered to it.
    Lagged(u64),
}

/// A live subscription; see [`Recorder::subscribe`].
pub struct Subscription {
    rx: broadcast::Receiver<Arc<Entry>>,
    /// The recorder's clock and whether it has late entries (shared without keeping the
    /// recorder alive: the subscription ends when the last recorder clone is gone).
    clock: Arc<Clock>,
    /// Entries held back for reordering (see [`WIRE_HOLD`]).
    held: Vec<Arc<Entry>>,
}

/// The part of a recorder a subscription needs to reorder late entries.
struct Clock {
    /// Time zero of the timeline.
    start: Instant,
    /// Set once an entry was recorded with a time in the past ([`Recorder::record_at`]).
    late: std::sync::atomic::AtomicBool,
}

impl Clock {
    fn now_ms(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1000.0
    }

    fn has_late(&self) -> bool {
        self.late.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Sort entries by time, then by recording order (stable for equal times).
fn by_time(a: &Arc<Entry>, b: &Arc<Entry>) -> std::cmp::Ordering {
    a.t_ms.total_cmp(&b.t_ms).then(a.seq.cmp(&b.seq))
}

impl Subscription {
    /// The next entry, or `None` once every recorder clone is gone and the backlog is read.
    pub async fn recv(&mut self) -> Option<Live> {
        match self.rx.recv().await {
            Ok(e) => Some(Live::Entry(e)),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(Live::Lagged(n)),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// Like [`Subscription::recv`], for a plain thread (e.g. a printer writing to stdout).
    pub fn blocking_recv(&mut self) -> Option<Live> {
        match self.rx.blocking_recv() {
            Ok(e) => Some(Live::Entry(e)),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(Live::Lagged(n)),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// The entries waiting (at least one, at most `max`), for a plain thread that writes
    /// them out in batches — `serve`'s printer. `None` once every recorder clone is gone.
    ///
    /// When nothing is waiting it looks again every [`BATCH_POLL`] for up to [`BATCH_LINGER`]
    /// before it parks: under load the recording side then almost never finds a parked viewer
    /// to wake (a futex system call and a context switch per event, which halved a recorded
    /// server's one-connection throughput), and each batch holds several requests' events,
    /// so the printer writes once per batch. An idle timeline parks after `BATCH_LINGER`.
    ///
    /// Once the recorder has late entries (a wire capture), entries are held for
    /// [`WIRE_HOLD`] and each batch is in `t_ms` order (see the module docs, "Order").
    pub fn recv_batch(&mut self, max: usize) -> Option<Vec<Live>> {
        if self.clock.has_late() || !self.held.is_empty() {
            return self.recv_batch_ordered(max);
        }
        let max = max.max(1);
        let mut out = Vec::new();
        let until = Instant::now() + BATCH_LINGER;
        loop {
            loop {
                match self.rx.try_recv() {
                    Ok(e) => out.push(Live::Entry(e)),
                    Err(broadcast::error::TryRecvError::Lagged(n)) => out.push(Live::Lagged(n)),
                    Err(broadcast::error::TryRecvError::Empty) => break,
                    Err(broadcast::error::TryRecvError::Closed) => {
                        return (!out.is_empty()).then_some(out);
                    }
                }
                if out.len() >= max {
                    return Some(out);
                }
            }
            if !out.is_empty() {
                return Some(out);
            }
            if Instant::now() >= until {
                break;
            }
            std::thread::sleep(BATCH_POLL);
        }
        out.push(self.blocking_recv()?);
        Some(out)
    }

    /// [`Subscription::recv_batch`] for a recorder with late entries: collect, hold each
    /// entry until it is [`WIRE_HOLD`] old, release in `t_ms` order.
    fn recv_batch_ordered(&mut self, max: usize) -> Option<Vec<Live>> {
        let max = max.max(1);
        let hold_ms = WIRE_HOLD.as_secs_f64() * 1000.0;
        let mut out = Vec::new();
        let mut closed = false;
        loop {
            // Take everything waiting (bounded by the channel's capacity).
            loop {
                match self.rx.try_recv() {
                    Ok(e) => self.held.push(e),
                    Err(broadcast::error::TryRecvError::Lagged(n)) => out.push(Live::Lagged(n)),
                    Err(broadcast::error::TryRecvError::Empty) => break,
                    Err(broadcast::error::TryRecvError::Closed) => {
                        closed = true;
                        break;
                    }
                }
                if self.held.len() >= LIVE_CAP {
                    break;
                }
            }
            self.held.sort_by(by_time);
            let due = if closed {
                self.held.len()
            } else {
                let cut = self.clock.now_ms() - hold_ms;
                self.held.partition_point(|e| e.t_ms <= cut)
            };
            // A full hold buffer releases its oldest entries anyway: memory stays bounded.
            let due = due.max(self.held.len().saturating_sub(LIVE_CAP));
            let take = due.min(max.saturating_sub(out.len()).max(1));
            out.extend(
                self.held
                    .drain(..take.min(self.held.len()))
                    .map(Live::Entry),
            );
            if !out.is_empty() {
                return Some(out);
            }
            if closed {
                return None;
            }
            if self.held.is_empty() {
                // Nothing held: park until something arrives.
                match self.rx.blocking_recv() {
                    Ok(e) => self.held.push(e),
                    Err(broadcast::error::RecvError::Lagged(n)) => out.push(Live::Lagged(n)),
                    Err(broadcast::error::RecvError::Closed) => closed = true,
                }
            } else {
                // Wait for the oldest held entry to come due (new ones are picked up too).
                let wait_ms = self.held[0].t_ms + hold_ms - self.clock.now_ms();
                let wait = std::time::Duration::from_secs_f64((wait_ms / 1000.0).max(0.0));
                std::thread::sleep(wait.clamp(BATCH_POLL, BATCH_LINGER));
            }
        }
    }

    /// Like [`Subscription::recv`] without waiting; `None` when nothing is pending.
    pub fn try_recv(&mut self) -> Option<Live> {
        match self.rx.try_recv() {
            Ok(e) => Some(Live::Entry(e)),
            Err(broadcast::error::TryRecvError::Lagged(n)) => Some(Live::Lagged(n)),
            Err(_) => None,
        }
    }
}

/// The shared timeline of one run (one server, or one demo with both sides).
#[derive(Clone)]
pub struct Recorder {
    inner: Arc<Inner>,
}

struct Inner {
    /// Time zero of the timeline, and whether late entries were recorded.
    clock: Arc<Clock>,
    state: Mutex<State>,
    /// Exact stats per object and direction, each behind its own lock.
    streams: Mutex<BTreeMap<(Scope, Dir), StreamHandle>>,
    /// Fan-out to live viewers; sending never blocks a server.
    live: broadcast::Sender<Arc<Entry>>,
}

#[derive(Default)]
struct State {
    /// Entries recorded so far (the next entry's `seq`).
    seq: u64,
    ring: VecDeque<Arc<Entry>>,
    counts: BTreeMap<&'static str, u64>,
    canon: canon::Builder,
    /// Server-side connections opened and not yet closed.
    open_conns: u64,
}

/// One object's byte stream in one direction, shared between the recorder (for reports) and
/// the socket that feeds it (which holds it to skip a map lookup per read).
#[derive(Clone, Default)]
pub struct StreamHandle(Arc<Mutex<StreamStats>>);

impl StreamHandle {
    /// Count and hash `data` (callers that record the event separately, e.g. a socket that
    /// hashes after handing an echo to the kernel).
    pub fn update(&self, data: &[u8]) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .update(data);
    }
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// A new, empty timeline whose time zero is now.
    pub fn new() -> Self {
        let (live, _) = broadcast::channel(LIVE_CAP);
        Recorder {
            inner: Arc::new(Inner {
                clock: Arc::new(Clock {
                    start: Instant::now(),
                    late: std::sync::atomic::AtomicBool::new(false),
                }),
                state: Mutex::new(State::default()),
                streams: Mutex::new(BTreeMap::new()),
                live,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-updated in a way that
        // matters for display, so a poisoned lock is still used.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Milliseconds since time zero.
    pub fn now_ms(&self) -> f64 {
        self.inner.clock.now_ms()
    }

    /// Record an event (for payload events prefer [`Recorder::data`] and friends, which also
    /// keep exact counts and hashes).
    pub fn record(&self, scope: Scope, event: Event) {
        let mut st = self.state();
        self.push(&mut st, scope, event, None);
    }

    /// Say that late entries ([`Recorder::record_at`]) will come — a wire capture is about to
    /// start — so that live printers hold and reorder from the very first entry on (not only
    /// from the first packet, when a `connection` may already have been printed before its SYN).
    pub fn expect_late(&self) {
        self.inner
            .clock
            .late
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Record an event that happened at `t_ms` (on this recorder's clock), possibly a little
    /// in the past — a captured packet with its kernel timestamp. The ring keeps `t_ms` order
    /// (the entry is inserted at its place) and live printers reorder from now on (see the
    /// module docs, "Order"). Times in the future are clamped to now.
    pub fn record_at(&self, t_ms: f64, scope: Scope, event: Event) {
        self.inner
            .clock
            .late
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let mut st = self.state();
        let now = self.now_ms();
        let t = if t_ms.is_finite() { t_ms.min(now) } else { now };
        self.push_at(&mut st, t, scope, event, None);
    }

    /// [`Recorder::record_at`] for several entries under one lock (a capture records a batch
    /// of packets at a time).
    pub fn record_batch_at(&self, entries: impl IntoIterator<Item = (f64, Scope, Event)>) {
        self.inner
            .clock
            .late
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let mut st = self.state();
        let now = self.now_ms();
        for (t_ms, scope, event) in entries {
            let t = if t_ms.is_finite() { t_ms.min(now) } else { now };
            self.push_at(&mut st, t, scope, event, None);
        }
    }

    /// The stats handle of `scope`'s stream in direction `dir` (created on first use).
    pub fn stream(&self, scope: Scope, dir: Dir) -> StreamHandle {
        self.inner
            .streams
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((scope, dir))
            .or_default()
            .clone()
    }

    /// Record bytes arriving at `scope` (`data`), keeping exact stats.
    pub fn data(&self, scope: Scope, payload: &[u8]) {
        self.data_on(&self.stream(scope, Dir::Rx), scope, payload);
    }

    /// [`Recorder::data`] with the stream's handle at hand.
    pub fn data_on(&self, stream: &StreamHandle, scope: Scope, payload: &[u8]) {
        stream.update(payload);
        self.data_event(scope, payload);
    }

    /// Record the `data` event only; the caller updates the stream's stats itself
    /// ([`StreamHandle::update`]), possibly later.
    pub fn data_event(&self, scope: Scope, payload: &[u8]) {
        let event = Event::data(payload);
        self.push(&mut self.state(), scope, event, Some(payload));
    }

    /// Record a datagram arriving at `scope` from `from`.
    pub fn message(&self, scope: Scope, payload: &[u8], from: String) {
        self.stream(scope, Dir::Rx).update(payload);
        let event = Event::message(payload, from);
        self.push(&mut self.state(), scope, event, Some(payload));
    }

    /// Record `write(payload)` returning `returned`.
    pub fn write(&self, scope: Scope, payload: &[u8], returned: bool) {
        self.write_on(&self.stream(scope, Dir::Tx), scope, payload, returned);
    }

    /// [`Recorder::write`] with the stream's handle at hand.
    pub fn write_on(&self, stream: &StreamHandle, scope: Scope, payload: &[u8], returned: bool) {
        stream.update(payload);
        let event = Event::write(payload, returned);
        self.push(&mut self.state(), scope, event, Some(payload));
    }

    /// [`Recorder::write_on`] stamped `t_ms`: when the call was made. A `write` is recorded
    /// once it returned (its value is part of the entry), but on loopback its segment has
    /// crossed — and been echoed — by then; the call's own time keeps it before them.
    pub fn write_on_at(
        &self,
        t_ms: f64,
        stream: &StreamHandle,
        scope: Scope,
        payload: &[u8],
        returned: bool,
    ) {
        stream.update(payload);
        let event = Event::write(payload, returned);
        let mut st = self.state();
        let t = t_ms.min(self.now_ms());
        self.push_at(&mut st, t, scope, event, Some(payload));
    }

    /// Record `send(payload)` to `to` (UDP).
    pub fn send(&self, scope: Scope, payload: &[u8], to: String) {
        self.stream(scope, Dir::Tx).update(payload);
        let event = Event::send(payload, to);
        self.push(&mut self.state(), scope, event, Some(payload));
    }

    fn push(&self, st: &mut State, scope: Scope, event: Event, payload: Option<&[u8]>) {
        let t = self.now_ms();
        self.push_at(st, t, scope, event, payload)
    }

    fn push_at(
        &self,
        st: &mut State,
        t_ms: f64,
        scope: Scope,
        event: Event,
        payload: Option<&[u8]>,
    ) {
        let entry = Arc::new(Entry {
            seq: st.seq,
            t_ms,
            scope,
            event,
        });
        st.seq += 1;
        *st.counts.entry(entry.event.name()).or_insert(0) += 1;
        match (&entry.scope, &entry.event) {
            (Scope::Server, Event::Connection { .. }) => st.open_conns += 1,
            (Scope::Conn { .. }, Event::Close { .. }) => {
                st.open_conns = st.open_conns.saturating_sub(1)
            }
            _ => {}
        }
        st.canon.push(&entry, payload);
        if st.ring.len() == RING_CAP {
            st.ring.pop_front();
        }
        // In `t_ms` order: a late (wire) entry goes before the entries recorded after its
        // time. The search starts from the back, where a late entry almost always belongs.
        let mut at = st.ring.len();
        while at > 0 && st.ring[at - 1].t_ms > entry.t_ms {
            at -= 1;
        }
        st.ring.insert(at, entry.clone());
        // No receivers is fine: nobody is watching live.
        let _ = self.inner.live.send(entry);
    }

    /// Watch entries from now on. Call before starting a server to miss nothing.
    pub fn subscribe(&self) -> Subscription {
        Subscription {
            rx: self.inner.live.subscribe(),
            clock: self.inner.clock.clone(),
            held: Vec::new(),
        }
    }

    /// The most recent entries (at most [`RING_CAP`]), oldest first.
    pub fn recent(&self) -> Vec<Arc<Entry>> {
        self.state().ring.iter().cloned().collect()
    }

    /// How many entries have been recorded in all (including those the ring dropped).
    pub fn total(&self) -> u64 {
        self.state().seq
    }

    /// Server-side connections that have had `connection` but not yet `close`.
    pub fn open_connections(&self) -> u64 {
        self.state().open_conns
    }

    /// Wait until every server-side connection has closed, or until `deadline`. `sub` must
    /// have been subscribed before the server started, so no `close` is missed between checks.
    pub async fn settle(&self, sub: &mut Subscription, deadline: tokio::time::Instant) {
        while self.open_connections() > 0 {
            match tokio::time::timeout_at(deadline, sub.recv()).await {
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return,
            }
        }
    }

    /// How many times each event (by name) was recorded.
    pub fn counts(&self) -> BTreeMap<&'static str, u64> {
        self.state().counts.clone()
    }

    /// Exact byte counts and hashes for every object and direction seen so far.
    pub fn streams(&self) -> Vec<(Scope, Dir, StreamStats)> {
        let handles: Vec<_> = self
            .inner
            .streams
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, h)| (*k, h.clone()))
            .collect();
        handles
            .into_iter()
            .map(|((scope, dir), h)| {
                let mut s = h.0.lock().unwrap_or_else(|p| p.into_inner());
                s.finish_hash();
                (scope, dir, s.clone())
            })
            .collect()
    }

    /// The canonical trace of everything recorded so far.
    pub fn canonical(&self) -> CanonTrace {
        self.state().canon.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_what_is_waiting_up_to_max_and_end_with_the_recorder() {
        let r = Recorder::new();
        let mut sub = r.subscribe();
        for _ in 0..5 {
            r.record(Scope::Server, Event::Timeout);
        }
        assert_eq!(sub.recv_batch(3).map(|b| b.len()), Some(3));
        assert_eq!(sub.recv_batch(10).map(|b| b.len()), Some(2));
        r.record(Scope::Server, Event::End);
        drop(r);
        assert_eq!(sub.recv_batch(10).map(|b| b.len()), Some(1));
        assert!(
            sub.recv_batch(10).is_none(),
            "no recorder left: the batches end"
        );
    }

    #[test]
    fn ring_is_bounded_and_counts_are_exact() {
        let r = Recorder::new();
        let s = Scope::Conn { conn: 1 };
        let chunk = vec![b'x'; 1000];
        for _ in 0..(RING_CAP + 500) {
            r.data(s, &chunk);
        }
        assert_eq!(r.recent().len(), RING_CAP);
        assert_eq!(r.total(), (RING_CAP + 500) as u64);
        assert_eq!(r.counts()["data"], (RING_CAP + 500) as u64);
        let streams = r.streams();
        assert_eq!(streams[0].2.bytes, 1000 * (RING_CAP as u64 + 500));
    }

    #[test]
    fn hash_depends_on_content_not_chunking() {
        let a = Recorder::new();
        let b = Recorder::new();
        let s = Scope::Conn { conn: 1 };
        a.data(s, b"hello world");
        b.data(s, b"hello ");
        b.data(s, b"world");
        assert_eq!(a.streams()[0].2.hash, b.streams()[0].2.hash);
        let c = Recorder::new();
        c.data(s, b"hello worle");
        assert_ne!(a.streams()[0].2.hash, c.streams()[0].2.hash);
    }

    #[tokio::test]
    async fn open_connections_count_server_sockets_only() {
        let r = Recorder::new();
        let mut sub = r.subscribe();
        r.record(Scope::Server, Event::Connection { peer: "a".into() });
        r.record(Scope::Server, Event::Connection { peer: "b".into() });
        r.record(
            Scope::Client { conn: 1 },
            Event::Close {
                had_error: Some(false),
            },
        );
        assert_eq!(
            r.open_connections(),
            2,
            "a client's close is not a server connection's"
        );
        r.record(
            Scope::Conn { conn: 1 },
            Event::Close {
                had_error: Some(false),
            },
        );
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(50);
        r.settle(&mut sub, deadline).await; // gives up at the deadline: one is still open
        assert_eq!(r.open_connections(), 1);
        r.record(
            Scope::Conn { conn: 2 },
            Event::Close {
                had_error: Some(true),
            },
        );
        r.settle(&mut sub, tokio::time::Instant::now()).await;
        assert_eq!(r.open_connections(), 0);
    }

    #[tokio::test]
    async fn live_viewers_see_entries_and_lag_is_reported() {
        let r = Recorder::new();
        let mut sub = r.subscribe();
        r.record(Scope::Server, Event::End);
        match sub.recv().await {
            Some(Live::Entry(e)) => assert_eq!(e.event, Event::End),
            other => panic!("unexpected {other:?}"),
        }
        for _ in 0..(LIVE_CAP + 10) {
            r.record(Scope::Server, Event::Drain);
        }
        match sub.recv().await {
            Some(Live::Lagged(n)) => assert_eq!(n, 10),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn wire_rst() -> Event {
        Event::Segment {
            dir: crate::trace::WireDir::In,
            flags: "RST".into(),
            seq: 1,
            ack: 0,
            win: 0,
            len: 0,
            tls: None,
            peer: "127.0.0.1:1".into(),
        }
    }

    #[test]
    fn a_late_wire_entry_is_placed_by_its_time_in_the_ring_and_in_live_batches() {
        let r = Recorder::new();
        let mut sub = r.subscribe();
        r.record(Scope::Server, Event::Timeout);
        let before = r.now_ms();
        r.record(
            Scope::Conn { conn: 1 },
            Event::Close {
                had_error: Some(true),
            },
        );
        // The capture records the RST after the close, with the earlier kernel time.
        r.record_at(before, Scope::Wire { conn: 1 }, wire_rst());
        let names: Vec<_> = r.recent().iter().map(|e| e.event.name()).collect();
        assert_eq!(names, ["timeout", "segment", "close"]);
        let times: Vec<f64> = r.recent().iter().map(|e| e.t_ms).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
        // A live printer gets them in time order too (after holding them a moment), while
        // the recorder lives and when it is gone (the rest is flushed).
        let mut got = Vec::new();
        while got.len() < 3 {
            for item in sub.recv_batch(100).expect("the recorder is alive") {
                if let Live::Entry(e) = item {
                    got.push(e.event.name());
                }
            }
        }
        assert_eq!(got, ["timeout", "segment", "close"]);
        r.record(Scope::Server, Event::Drain);
        r.record_at(0.0, Scope::Wire { conn: 1 }, wire_rst());
        drop(r);
        let mut rest = Vec::new();
        while let Some(batch) = sub.recv_batch(100) {
            rest.extend(batch.into_iter().filter_map(|i| match i {
                Live::Entry(e) => Some(e.event.name()),
                Live::Lagged(_) => None,
            }));
        }
        assert_eq!(rest, ["segment", "drain"]);
    }

    #[test]
    fn future_times_are_clamped_and_the_wire_is_not_canonical() {
        let r = Recorder::new();
        r.record_at(1e12, Scope::Wire { conn: 1 }, wire_rst());
        r.record_at(
            f64::NAN,
            Scope::Wire { conn: 0 },
            Event::WireDrops { count: 2 },
        );
        assert!(r.recent().iter().all(|e| e.t_ms <= r.now_ms()));
        r.record(Scope::Server, Event::Timeout);
        let canon = r.canonical().to_string();
        assert!(
            !canon.contains("wire") && !canon.contains("segment"),
            "{canon}"
        );
        assert!(canon.contains("server"), "{canon}");
    }
}

//! The capture: an `AF_PACKET` socket on a loopback, a thread that reads its frames with the
//! kernel's timestamps, and one trace entry per TCP segment or UDP datagram on the run's
//! [`Recorder`] (scope [`Scope::Wire`](crate::trace::Scope::Wire)), optionally written to a
//! pcapng file as well.
//!
//! - [`open_packet_socket`] makes the socket (it needs `CAP_NET_RAW` in the network namespace's
//!   user namespace, so a sandbox launcher may open it and pass it back); a classic BPF filter
//!   keeps only outgoing frames (loopback shows every frame twice) truncated to [`SNAPLEN`].
//! - [`Capture::start`] starts the thread; [`Capture::stop`] drains what is queued and returns
//!   [`CaptureStats`]. Drops reported by `PACKET_STATISTICS` become
//!   [`Event::WireDrops`](crate::trace::Event::WireDrops) entries: counted and shown, never
//!   silent.
//! - Reading: a `TPACKET_V3` receive ring (mmap'd blocks the kernel fills; one wake-up per
//!   block, no copy beyond the snap length) when the kernel allows it, else `recvmsg` per frame.
//!   Entries are recorded a batch at a time ([`Recorder::record_batch_at`]).
//! - Time: the kernel stamps each frame (`SO_TIMESTAMPNS`, `CLOCK_REALTIME`) when it passes the
//!   tap; the thread maps it onto the recorder's monotonic clock (an offset sampled at start and
//!   once a second) and records with [`Recorder::record_at`], which keeps the timeline in `t_ms`
//!   order. On loopback the tap sees a packet before the receiving application does, so an RST
//!   sorts before the `error`/`close` it causes.
//!
//! Memory is bounded: one frame buffer, the connection table ([`frame::MAX_FLOWS`]), the
//! recorder's ring, a buffered pcap writer with its own cap ([`pcapng::MAX_BYTES`]).

use super::frame::{self, Tracker};
use super::pcapng::PcapWriter;
use crate::trace::{Event, Recorder, Scope};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Bytes kept of each frame: Ethernet 14 + IP ≤ 60 + TCP ≤ 60 + the first payload bytes (the
/// TLS record header and handshake type).
pub const SNAPLEN: u32 = 200;
/// The capability's bit in `CapEff` (linux/capability.h).
const CAP_NET_RAW: u32 = 13;
/// The packet socket's receive buffer: room for a flood's bursts when no ring can be set up.
pub const RCVBUF: usize = 8 << 20;
/// The `TPACKET_V3` ring the kernel copies frames into (no system call per frame, and only
/// the snap length is stored): blocks × block size is its fixed memory.
pub const RING_BLOCKS: u32 = 8;
/// One ring block (holds ~1,800 frames of [`SNAPLEN`] bytes).
pub const RING_BLOCK_SIZE: u32 = 512 << 10;
/// How long the kernel keeps a partly filled block before handing it over (ms): the lane's
/// delay at light traffic, well under the printers' hold ([`crate::trace::recorder::WIRE_HOLD`]).
const RING_RETIRE_MS: u32 = 4;
/// Frames read per wake-up before the thread looks at its stop flag and drop counters again.
const BATCH: usize = 4096;
/// Frames the final drain reads at most (the queue is bounded anyway).
const DRAIN_MAX: usize = 1 << 20;
/// How often drops are checked and the clock offset re-sampled while running.
const TICK: Duration = Duration::from_millis(200);

/// What to capture and where to put it.
#[derive(Clone, Debug, Default)]
pub struct CaptureOpts {
    /// The server side's ports: which end of a connection is the server (`→` is toward it).
    pub ports: Vec<u16>,
    /// Keep only packets to or from `ports` (capturing on the host's shared loopback, where
    /// other programs' traffic passes too). Without it every TCP/UDP packet is kept.
    pub host_lo_filter: bool,
    /// Name TLS records (`handshake ClientHello`, `application_data`, …).
    pub tls: bool,
    /// Also write the frames to this pcapng file (atomically, on [`Capture::stop`]).
    pub pcap: Option<PathBuf>,
}

/// What a capture saw, returned by [`Capture::stop`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaptureStats {
    /// Segments and datagrams recorded in the lane.
    pub packets: u64,
    /// Frames the kernel dropped because the capture fell behind (`PACKET_STATISTICS`).
    pub drops: u64,
    /// Frames written to the pcapng file (equal to `packets` unless the file hit its cap).
    pub pcap_packets: u64,
    /// Why the capture or its pcapng file fell short (a read error, a file that could not be
    /// written), if it did.
    pub error: Option<String>,
}

/// True when this process has `CAP_NET_RAW` (effective) in its current user namespace: it
/// may open a packet socket on a loopback it owns — the host's when running as root.
///
/// `NETLAB_SANDBOX_PRETEND_LACKING=cap_net_raw` makes it false (tests of the fallbacks).
pub fn has_cap_net_raw() -> bool {
    let pretend = std::env::var(crate::sandbox::Lacking::VAR).unwrap_or_default();
    if pretend.split([',', ' ']).any(|w| w.trim() == "cap_net_raw") {
        return false;
    }
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << CAP_NET_RAW) != 0)
}

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn setsockopt<T>(fd: RawFd, level: libc::c_int, name: libc::c_int, val: &T) -> io::Result<()> {
    // SAFETY: `val` points to a live `T` of the size passed.
    cvt(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (val as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// The classic BPF program: keep outgoing frames, truncated to [`SNAPLEN`]; drop the rest.
fn filter() -> [libc::sock_filter; 4] {
    const SKF_AD_OFF: i32 = -0x1000;
    const SKF_AD_PKTTYPE: i32 = 4;
    const PACKET_OUTGOING: u32 = 4;
    let ins = |code: u32, jt: u8, jf: u8, k: u32| libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    };
    [
        // A = skb->pkt_type
        ins(
            libc::BPF_LD | libc::BPF_W | libc::BPF_ABS,
            0,
            0,
            (SKF_AD_OFF + SKF_AD_PKTTYPE) as u32,
        ),
        // if A == PACKET_OUTGOING keep SNAPLEN bytes, else nothing
        ins(
            libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K,
            0,
            1,
            PACKET_OUTGOING,
        ),
        ins(libc::BPF_RET | libc::BPF_K, 0, 0, SNAPLEN),
        ins(libc::BPF_RET | libc::BPF_K, 0, 0, 0),
    ]
}

/// An `AF_PACKET` raw socket bound to `lo` of the calling thread's network namespace,
/// close-on-exec, filtered to outgoing frames cut to [`SNAPLEN`] bytes, with a large receive
/// buffer and kernel timestamps on. Needs `CAP_NET_RAW` over that namespace.
pub fn open_packet_socket() -> io::Result<OwnedFd> {
    // Protocol 0: nothing is queued until the filter is attached and the socket bound.
    // SAFETY: plain socket(2); the result is owned below.
    let raw =
        cvt(unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: `raw` is a fresh descriptor nobody else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let prog = filter();
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_ptr() as *mut libc::sock_filter,
    };
    setsockopt(raw, libc::SOL_SOCKET, libc::SO_ATTACH_FILTER, &fprog)?;
    let size = RCVBUF as libc::c_int;
    // FORCE works past rmem_max with CAP_NET_ADMIN; otherwise take what rmem_max allows.
    if setsockopt(raw, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, &size).is_err() {
        setsockopt(raw, libc::SOL_SOCKET, libc::SO_RCVBUF, &size)?;
    }
    enable_metadata(raw)?;
    // SAFETY: a NUL-terminated interface name.
    let ifindex = unsafe { libc::if_nametoindex(c"lo".as_ptr()) };
    if ifindex == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: an all-zero sockaddr_ll is valid; the fields that matter are set below.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
    sll.sll_ifindex = ifindex as i32;
    // SAFETY: `sll` is a valid sockaddr_ll of the size passed.
    cvt(unsafe {
        libc::bind(
            raw,
            (&sll as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    })?;
    Ok(fd)
}

/// Ask for each frame's kernel timestamp and original length (idempotent; done again on
/// [`Capture::start`] for a socket opened elsewhere).
fn enable_metadata(fd: RawFd) -> io::Result<()> {
    let on: libc::c_int = 1;
    setsockopt(fd, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, &on)?;
    setsockopt(fd, libc::SOL_PACKET, libc::PACKET_AUXDATA, &on)
}

/// `struct tpacket_stats`: reading it resets the kernel's counters.
#[repr(C)]
#[derive(Default)]
struct TpacketStats {
    packets: u32,
    drops: u32,
}

/// Frames dropped since the last call.
fn take_drops(fd: RawFd) -> u64 {
    let mut st = TpacketStats::default();
    let mut len = std::mem::size_of::<TpacketStats>() as libc::socklen_t;
    // SAFETY: `st` is a writable tpacket_stats of the size passed.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_PACKET,
            libc::PACKET_STATISTICS,
            (&mut st as *mut TpacketStats).cast(),
            &mut len,
        )
    };
    if r < 0 {
        0
    } else {
        u64::from(st.drops)
    }
}

/// `struct tpacket_auxdata` (PACKET_AUXDATA control message).
#[repr(C)]
#[derive(Clone, Copy)]
struct AuxData {
    status: u32,
    len: u32,
    snaplen: u32,
    mac: u16,
    net: u16,
    vlan_tci: u16,
    vlan_tpid: u16,
}

/// One frame as read: captured bytes, original length, kernel timestamp (ns since the epoch).
struct Frame {
    len: usize,
    orig_len: u32,
    ts_ns: Option<u64>,
}

/// Every frame already queued on the socket's ordinary receive queue, oldest first (bounded:
/// the queue holds at most the socket's receive buffer).
fn read_queued(fd: RawFd) -> Vec<(Vec<u8>, u32, Option<u64>)> {
    let mut buf = vec![0u8; 2048];
    let mut out = Vec::new();
    while out.len() < DRAIN_MAX {
        match read_frame(fd, &mut buf) {
            Ok(Some(f)) => out.push((buf[..f.len].to_vec(), f.orig_len, f.ts_ns)),
            Ok(None) | Err(_) => break,
        }
    }
    out
}

/// Read one frame without waiting; `Ok(None)` when the queue is empty.
fn read_frame(fd: RawFd, buf: &mut [u8]) -> io::Result<Option<Frame>> {
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // Room for a timespec and an auxdata control message (u64-aligned).
    let mut cbuf = [0u64; 16];
    // SAFETY: an all-zero msghdr is valid; pointers set below outlive the call.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&cbuf) as _;
    // SAFETY: `msg` describes valid buffers.
    let n = unsafe { libc::recvmsg(fd, &mut msg, libc::MSG_DONTWAIT) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return match e.kind() {
            io::ErrorKind::WouldBlock => Ok(None),
            io::ErrorKind::Interrupted => Ok(None),
            _ => Err(e),
        };
    }
    let len = (n as usize).min(buf.len());
    let mut frame = Frame {
        len,
        orig_len: len as u32,
        ts_ns: None,
    };
    // SAFETY: walking the control messages the kernel wrote into `cbuf`, with the CMSG
    // macros; each data pointer is read unaligned.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            let h = &*c;
            if h.cmsg_level == libc::SOL_SOCKET && h.cmsg_type == libc::SCM_TIMESTAMPNS {
                let ts: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                frame.ts_ns = Some(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64);
            } else if h.cmsg_level == libc::SOL_PACKET && h.cmsg_type == libc::PACKET_AUXDATA {
                let aux: AuxData = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                frame.orig_len = aux.len.max(len as u32);
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    Ok(Some(frame))
}

fn realtime_ns() -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128
}

/// Maps kernel (`CLOCK_REALTIME`) timestamps onto the recorder's clock.
struct ClockMap {
    /// Recorder ns minus realtime ns.
    offset_ns: i128,
    sampled: Instant,
}

impl ClockMap {
    fn new(rec: &Recorder) -> ClockMap {
        let mut m = ClockMap {
            offset_ns: 0,
            sampled: Instant::now(),
        };
        m.sample(rec);
        m
    }

    /// Take the offset from the tightest of a few (recorder, realtime, recorder) readings.
    fn sample(&mut self, rec: &Recorder) {
        let mut best: Option<(f64, i128)> = None;
        for _ in 0..5 {
            let a = rec.now_ms();
            let r = realtime_ns();
            let b = rec.now_ms();
            let mid_ns = ((a + b) / 2.0 * 1e6) as i128;
            if best.is_none_or(|(w, _)| b - a < w) {
                best = Some((b - a, mid_ns - r));
            }
        }
        if let Some((_, off)) = best {
            self.offset_ns = off;
        }
        self.sampled = Instant::now();
    }

    fn t_ms(&self, ts_ns: u64) -> f64 {
        (ts_ns as i128 + self.offset_ns) as f64 / 1e6
    }
}

/// Shared between a [`Capture`] handle and its thread.
struct Shared {
    stop: AtomicBool,
    ports: Mutex<Vec<u16>>,
    /// Bumped on every `set_ports`, so the thread copies the list only when it changed.
    ports_gen: AtomicU64,
    /// An eventfd written to wake the thread on stop.
    wake: OwnedFd,
}

/// A running capture; see the module docs. Stop it with [`Capture::stop`] (dropping it stops
/// it too, without waiting for the statistics).
pub struct Capture {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<CaptureStats>>,
}

impl Capture {
    /// Start capturing from `fd` (from [`open_packet_socket`], here or in a launcher) into
    /// `recorder`. Start it after the server is bound (its port known) and before clients
    /// connect, or give the ports later with [`Capture::set_ports`].
    ///
    /// The capture thread holds a clone of `recorder` until it ends: call [`Capture::stop`]
    /// (after the server has closed, so every packet is in) *before* waiting for a live
    /// printer to see the recorder's end — otherwise the printer waits for the capture.
    pub fn start(fd: OwnedFd, recorder: Recorder, opts: CaptureOpts) -> io::Result<Capture> {
        enable_metadata(fd.as_raw_fd())?;
        // Drops counted before we started are not ours.
        take_drops(fd.as_raw_fd());
        // SAFETY: plain eventfd(2); the result is owned below.
        let wake = cvt(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
        // SAFETY: a fresh descriptor nobody else owns.
        let wake = unsafe { OwnedFd::from_raw_fd(wake) };
        let pcap = match &opts.pcap {
            Some(p) => Some(PcapWriter::create(p, SNAPLEN)?),
            None => None,
        };
        // Setting up the ring purges the socket's ordinary queue, where every frame since the
        // socket was opened waits (a demo's handshake, when its client connected before the
        // capture started): take them out first, in order.
        let early = read_queued(fd.as_raw_fd());
        let ring = Ring::new(fd.as_raw_fd()).ok();
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            ports: Mutex::new(opts.ports.clone()),
            ports_gen: AtomicU64::new(0),
            wake,
        });
        let worker = Worker {
            fd,
            ring,
            early,
            sink: Sink {
                clock: ClockMap::new(&recorder),
                rec: recorder,
                tracker: Tracker::new(opts.ports.clone(), opts.tls),
                host_filter: opts.host_lo_filter,
                pcap,
                error: None,
                stats: CaptureStats::default(),
                batch: Vec::with_capacity(256),
            },
            shared: shared.clone(),
            ports_gen: 0,
        };
        let thread = std::thread::Builder::new()
            .name("netlab-wire".into())
            .spawn(move || worker.run())?;
        Ok(Capture {
            shared,
            thread: Some(thread),
        })
    }

    /// Change the server's ports (for a scenario that bound after the capture started).
    pub fn set_ports(&self, ports: Vec<u16>) {
        *self.shared.ports.lock().unwrap_or_else(|p| p.into_inner()) = ports;
        self.shared.ports_gen.fetch_add(1, Ordering::Release);
    }

    /// Stop: read everything already queued (without waiting for more traffic; with a ring,
    /// at most a few ms for the kernel to hand over its partly filled block), record the
    /// drops, finish the pcapng file, and say what was seen.
    pub fn stop(mut self) -> CaptureStats {
        self.signal_stop();
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(stats)) => stats,
            _ => CaptureStats {
                error: Some("the capture thread panicked".into()),
                ..CaptureStats::default()
            },
        }
    }

    fn signal_stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
        let one: u64 = 1;
        // SAFETY: writing 8 bytes to our eventfd.
        unsafe { libc::write(self.shared.wake.as_raw_fd(), (&one as *const u64).cast(), 8) };
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.signal_stop();
        }
    }
}

/// A `TPACKET_V3` receive ring mapped into this process.
struct Ring {
    map: *mut u8,
    len: usize,
    /// The next block to look at.
    next: u32,
}

// SAFETY: the mapping is used by the capture thread only (moved there once).
unsafe impl Send for Ring {}

/// `block_status` says the block is ours to read.
const TP_STATUS_USER: u32 = 1;
/// Handing a block back.
const TP_STATUS_KERNEL: u32 = 0;

impl Ring {
    /// Switch `fd` to `TPACKET_V3` and map its receive ring. Fails on a socket that already
    /// has a ring or a kernel without V3; the capture then reads with `recvmsg`.
    fn new(fd: RawFd) -> io::Result<Ring> {
        let v: libc::c_int = 2; // TPACKET_V3
        setsockopt(fd, libc::SOL_PACKET, libc::PACKET_VERSION, &v)?;
        let frame_size = 2048u32;
        let req = libc::tpacket_req3 {
            tp_block_size: RING_BLOCK_SIZE,
            tp_block_nr: RING_BLOCKS,
            tp_frame_size: frame_size,
            tp_frame_nr: RING_BLOCK_SIZE / frame_size * RING_BLOCKS,
            tp_retire_blk_tov: RING_RETIRE_MS,
            tp_sizeof_priv: 0,
            tp_feature_req_word: 0,
        };
        if let Err(e) = setsockopt(fd, libc::SOL_PACKET, libc::PACKET_RX_RING, &req) {
            // Back to the default version so recvmsg's control messages stay as expected.
            let v1: libc::c_int = 0; // TPACKET_V1
            let _ = setsockopt(fd, libc::SOL_PACKET, libc::PACKET_VERSION, &v1);
            return Err(e);
        }
        let len = (RING_BLOCK_SIZE * RING_BLOCKS) as usize;
        // SAFETY: mapping the ring the kernel just allocated for this socket.
        let map = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd,
                0,
            )
        };
        if map == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Ring {
            map: map.cast(),
            len,
            next: 0,
        })
    }

    fn block(&self, i: u32) -> *mut u8 {
        // SAFETY: i < RING_BLOCKS, so the block lies inside the mapping.
        unsafe { self.map.add((i * RING_BLOCK_SIZE) as usize) }
    }

    /// Read the blocks the kernel handed over (at most `limit` frames' worth of blocks),
    /// feeding each frame to `sink`; returns the frames read.
    fn read(&mut self, sink: &mut Sink, limit: usize) -> usize {
        let mut n = 0;
        while n < limit {
            let b = self.block(self.next);
            // SAFETY: the block descriptor's fields are at fixed offsets of the block
            // (struct tpacket_block_desc: version, offset_to_priv, then tpacket_hdr_v1:
            // block_status @8, num_pkts @12, offset_to_first_pkt @16); block_status is
            // shared with the kernel, so it is read volatile and followed by an acquire fence.
            let status = unsafe { std::ptr::read_volatile(b.add(8).cast::<u32>()) };
            if status & TP_STATUS_USER == 0 {
                break;
            }
            std::sync::atomic::fence(Ordering::Acquire);
            // SAFETY: the block is ours until handed back; offsets are the kernel's, checked
            // against the block size before use.
            unsafe {
                let num = std::ptr::read_unaligned(b.add(12).cast::<u32>());
                let mut off = std::ptr::read_unaligned(b.add(16).cast::<u32>()) as usize;
                for _ in 0..num {
                    if off + 28 > RING_BLOCK_SIZE as usize {
                        break;
                    }
                    let h = b.add(off);
                    let rd = |at: usize| std::ptr::read_unaligned(h.add(at).cast::<u32>());
                    let next = rd(0) as usize;
                    let ts_ns = u64::from(rd(4)) * 1_000_000_000 + u64::from(rd(8));
                    let snap = rd(12) as usize;
                    let orig = rd(16);
                    let mac = std::ptr::read_unaligned(h.add(24).cast::<u16>()) as usize;
                    if off + mac + snap <= RING_BLOCK_SIZE as usize {
                        let data = std::slice::from_raw_parts(h.add(mac), snap);
                        sink.frame(data, orig, Some(ts_ns));
                        n += 1;
                    }
                    if next == 0 {
                        break;
                    }
                    off += next;
                }
            }
            std::sync::atomic::fence(Ordering::Release);
            // SAFETY: handing the block back to the kernel.
            unsafe { std::ptr::write_volatile(b.add(8).cast::<u32>(), TP_STATUS_KERNEL) };
            self.next = (self.next + 1) % RING_BLOCKS;
        }
        n
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping once.
        unsafe { libc::munmap(self.map.cast(), self.len) };
    }
}

/// What happens to each frame: parse, filter, number, record (in batches), write to pcap.
struct Sink {
    clock: ClockMap,
    rec: Recorder,
    tracker: Tracker,
    host_filter: bool,
    pcap: Option<PcapWriter>,
    /// The first thing that went wrong (a read error, the pcap file), if any.
    error: Option<String>,
    stats: CaptureStats,
    /// Entries waiting to be recorded with one lock of the recorder.
    batch: Vec<(f64, Scope, Event)>,
}

impl Sink {
    fn frame(&mut self, data: &[u8], orig_len: u32, ts_ns: Option<u64>) {
        let Some(p) = frame::parse(data, orig_len as usize) else {
            return;
        };
        if self.host_filter && !self.tracker.matches(&p) {
            return;
        }
        let ts_ns = ts_ns.unwrap_or_else(|| realtime_ns().max(0) as u64);
        let (scope, event) = self.tracker.entry(&p);
        self.batch.push((self.clock.t_ms(ts_ns), scope, event));
        self.stats.packets += 1;
        if let Some(w) = &mut self.pcap {
            if let Err(e) = w.packet(ts_ns, data, orig_len) {
                self.error = Some(format!("writing the pcap file: {e}"));
                self.pcap = None;
            }
        }
        if self.batch.len() >= 256 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            self.rec.record_batch_at(self.batch.drain(..));
        }
    }
}

/// The capture thread's state.
struct Worker {
    fd: OwnedFd,
    /// The mapped ring, or `None` to read with `recvmsg`.
    ring: Option<Ring>,
    sink: Sink,
    shared: Arc<Shared>,
    /// The `ports_gen` the tracker's ports are from.
    ports_gen: u64,
    /// Frames queued before the ring was set up (see [`read_queued`]), recorded first.
    early: Vec<(Vec<u8>, u32, Option<u64>)>,
}

impl Worker {
    fn run(mut self) -> CaptureStats {
        let mut buf = vec![0u8; 2048];
        let mut last_tick = Instant::now();
        self.refresh_ports();
        for (data, orig_len, ts_ns) in std::mem::take(&mut self.early) {
            self.sink.frame(&data, orig_len, ts_ns);
        }
        loop {
            let stopping = self.shared.stop.load(Ordering::Acquire);
            self.refresh_ports();
            let limit = if stopping { DRAIN_MAX } else { BATCH };
            let mut n = self.read_some(&mut buf, limit);
            if stopping && self.ring.is_some() {
                // The kernel hands over a partly filled block after RING_RETIRE_MS: wait
                // for it (a few ms, bounded), then take what it held.
                let until = Instant::now() + Duration::from_millis(u64::from(RING_RETIRE_MS) * 5);
                while Instant::now() < until {
                    self.wait(Duration::from_millis(u64::from(RING_RETIRE_MS)), false);
                    n += self.read_some(&mut buf, limit);
                }
            }
            self.sink.flush();
            if last_tick.elapsed() >= TICK || stopping {
                self.check_drops();
                if self.sink.clock.sampled.elapsed() >= Duration::from_secs(1) {
                    let rec = self.sink.rec.clone();
                    self.sink.clock.sample(&rec);
                }
                last_tick = Instant::now();
            }
            if stopping {
                break;
            }
            if n < limit {
                self.wait(TICK, true);
            }
        }
        self.finish()
    }

    /// Read up to `limit` frames (what is there now) into the sink.
    fn read_some(&mut self, buf: &mut [u8], limit: usize) -> usize {
        if let Some(ring) = &mut self.ring {
            return ring.read(&mut self.sink, limit);
        }
        let mut n = 0;
        while n < limit {
            match read_frame(self.fd.as_raw_fd(), buf) {
                Ok(Some(f)) => {
                    self.sink.frame(&buf[..f.len], f.orig_len, f.ts_ns);
                    n += 1;
                }
                Ok(None) => break,
                Err(e) => {
                    self.sink.error.get_or_insert(format!("capture: {e}"));
                    break;
                }
            }
        }
        n
    }

    /// Sleep until frames (a block, with a ring) or the stop signal arrive, or `timeout`.
    fn wait(&self, timeout: Duration, wake_on_stop: bool) {
        let mut fds = [
            libc::pollfd {
                fd: self.fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: self.shared.wake.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        let nfds = if wake_on_stop { 2 } else { 1 };
        // SAFETY: `fds` is a valid array of at least `nfds` pollfds.
        unsafe { libc::poll(fds.as_mut_ptr(), nfds, timeout.as_millis() as libc::c_int) };
    }

    fn refresh_ports(&mut self) {
        let g = self.shared.ports_gen.load(Ordering::Acquire);
        if g != self.ports_gen {
            self.ports_gen = g;
            let ports = self
                .shared
                .ports
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            self.sink.tracker.set_ports(ports);
        }
    }

    fn check_drops(&mut self) {
        let d = take_drops(self.fd.as_raw_fd());
        if d > 0 {
            self.sink.stats.drops += d;
            self.sink
                .rec
                .record(Scope::Wire { conn: 0 }, Event::WireDrops { count: d });
        }
    }

    fn finish(mut self) -> CaptureStats {
        self.sink.flush();
        if let Some(w) = self.sink.pcap.take() {
            match w.finish() {
                Ok(n) => self.sink.stats.pcap_packets = n,
                Err(e) => self.sink.error = Some(format!("writing the pcap file: {e}")),
            }
        }
        self.sink.stats.error = self.sink.error.take();
        self.sink.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Event;
    use std::io::{Read, Write};

    #[test]
    fn filter_keeps_outgoing_frames_only_and_cuts_them() {
        let f = filter();
        assert_eq!(f[1].k, 4, "PACKET_OUTGOING");
        assert_eq!(f[2].k, SNAPLEN);
        assert_eq!(f[3].k, 0);
    }

    #[test]
    fn a_tpacket_v3_ring_can_be_mapped_once() {
        if !has_cap_net_raw() {
            eprintln!("SKIPPED: no CAP_NET_RAW here");
            return;
        }
        let fd = open_packet_socket().unwrap();
        let ring = Ring::new(fd.as_raw_fd());
        assert!(ring.is_ok(), "{:?}", ring.err());
        assert!(
            Ring::new(fd.as_raw_fd()).is_err(),
            "a second ring is refused"
        );
    }

    #[test]
    fn a_loopback_handshake_is_captured_once_per_packet() {
        if !has_cap_net_raw() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI runs as root: CAP_NET_RAW expected"
            );
            eprintln!("SKIPPED: no CAP_NET_RAW here");
            return;
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let rec = Recorder::new();
        let opts = CaptureOpts {
            ports: vec![port],
            host_lo_filter: true,
            ..CaptureOpts::default()
        };
        let cap = Capture::start(open_packet_socket().unwrap(), rec.clone(), opts).unwrap();
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (mut s, _) = listener.accept().unwrap();
        c.write_all(b"hi").unwrap();
        let mut b = [0u8; 2];
        s.read_exact(&mut b).unwrap();
        drop(c);
        drop(s);
        let stats = cap.stop();
        let segs: Vec<String> = rec
            .recent()
            .iter()
            .filter_map(|e| match &e.event {
                Event::Segment { flags, dir, .. } => Some(format!("{dir:?} {flags}")),
                _ => None,
            })
            .collect();
        assert!(segs.len() >= 3, "{segs:?}");
        assert_eq!(&segs[..3], ["In SYN", "Out SYN-ACK", "In ACK"], "{segs:?}");
        assert_eq!(stats.packets as usize, segs.len());
    }
}

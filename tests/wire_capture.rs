//! The wire capture end to end on this machine's loopback (the host fallback: it needs
//! CAP_NET_RAW, which root has; CI runs as root, so there a missing capability fails instead of
//! skipping): the `tcp-echo` scenario with a recorder, a capture filtered to its port, a real
//! client — and the lane must show the handshake, the data, the FINs and the ACKs in order with
//! relative numbers right; a reset must sit before the `error`/`close` it caused; the pcapng file
//! must open in `tcpdump -r` with as many packets as the lane.

use netlab::scenario::{self, BindSpec, Running, ServeConfig};
use netlab::trace::{Entry, Event, Recorder, Scope, WireDir};
use netlab::wire::{self, Capture, CaptureOpts, CaptureStats};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// False (after saying so) when this process cannot capture; outside CI the test is skipped.
fn can_capture() -> bool {
    if wire::has_cap_net_raw() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI runs as root: CAP_NET_RAW was expected"
    );
    eprintln!("SKIPPED: this process lacks CAP_NET_RAW (run as root to capture on lo)");
    false
}

/// The `tcp-echo` server on an ephemeral loopback port, recording, with a capture on its port.
async fn echo_with_capture(pcap: Option<PathBuf>) -> (Running, Capture, u16) {
    let sc = scenario::find("tcp-echo").expect("tcp-echo exists");
    let spec = BindSpec {
        host: "127.0.0.1".into(),
        port: Some(0),
        socket: None,
        ca_out: None,
    };
    let bound = scenario::bind(sc, &spec).await.expect("bind");
    let port = bound.port().expect("a TCP port");
    let rec = Recorder::new();
    // Start after bind (the port is known), before the client connects.
    let opts = CaptureOpts {
        ports: vec![port],
        host_lo_filter: true,
        tls: false,
        pcap,
    };
    let cap = Capture::start(
        wire::open_packet_socket().expect("packet socket"),
        rec.clone(),
        opts,
    )
    .expect("capture");
    let running = Running::spawn(sc, bound, ServeConfig::default(), rec).await;
    (running, cap, port)
}

/// A segment's fields, for assertions.
#[derive(Debug, Clone, PartialEq)]
struct Seg {
    conn: u32,
    dir: WireDir,
    flags: String,
    seq: u32,
    ack: u32,
    len: u32,
}

fn segments(entries: &[Arc<Entry>]) -> Vec<Seg> {
    entries
        .iter()
        .filter_map(|e| match (&e.scope, &e.event) {
            (
                Scope::Wire { conn },
                Event::Segment {
                    dir,
                    flags,
                    seq,
                    ack,
                    len,
                    ..
                },
            ) => Some(Seg {
                conn: *conn,
                dir: *dir,
                flags: flags.clone(),
                seq: *seq,
                ack: *ack,
                len: *len,
            }),
            _ => None,
        })
        .collect()
}

/// The index of the first segment at or after `from` matching `pred`, or a failure naming
/// what was looked for and the whole lane.
fn find(segs: &[Seg], from: usize, what: &str, pred: impl Fn(&Seg) -> bool) -> usize {
    match segs.iter().skip(from).position(pred) {
        Some(i) => from + i,
        None => panic!("no {what} at or after #{from} in the lane:\n{segs:#?}"),
    }
}

async fn stop(running: Running, cap: Capture) -> (Vec<Arc<Entry>>, CaptureStats) {
    let rec = running.recorder.clone();
    running.stop().await.expect("server stops");
    let stats = cap.stop();
    (rec.recent(), stats)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echo_shows_handshake_data_and_fins_in_order() {
    if !can_capture() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("echo.pcapng");
    let (running, cap, port) = echo_with_capture(Some(pcap.clone())).await;

    let mut c = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    c.write_all(b"hello\r\n").await.unwrap();
    c.shutdown().await.unwrap(); // half-close: our FIN
    let mut back = Vec::new();
    c.read_to_end(&mut back).await.unwrap();
    assert_eq!(back, b"hello\r\n");
    drop(c);

    let (entries, stats) = stop(running, cap).await;
    for e in &entries {
        eprintln!("{}", netlab::trace::render::line(e, false));
    }
    let segs = segments(&entries);
    use WireDir::{In, Out};
    assert!(segs.len() >= 7, "{segs:#?}");
    assert!(segs.iter().all(|s| s.conn == 1), "{segs:#?}");
    // The handshake, exactly.
    let hs: Vec<_> = segs[..3]
        .iter()
        .map(|s| (s.dir, s.flags.as_str(), s.seq, s.ack, s.len))
        .collect();
    assert_eq!(
        hs,
        [
            (In, "SYN", 0, 0, 0),
            (Out, "SYN-ACK", 0, 1, 0),
            (In, "ACK", 1, 1, 0)
        ]
    );
    // Then, in this order: our 7 bytes, the echo, our FIN, the server's FIN, our last ACK.
    let data_in = find(&segs, 3, "7 bytes in", |s| {
        s.dir == In && s.len == 7 && s.seq == 1 && s.ack == 1
    });
    let fin_in = find(&segs, data_in + 1, "FIN in", |s| {
        s.dir == In && s.flags.contains("FIN") && s.seq == 8
    });
    let data_out = find(&segs, data_in + 1, "7 bytes out", |s| {
        s.dir == Out && s.len == 7 && s.seq == 1 && (s.ack == 8 || s.ack == 9)
    });
    let fin_out = find(&segs, data_out.max(fin_in) + 1, "FIN out", |s| {
        s.dir == Out && s.flags == "FIN-ACK" && s.seq == 8 && s.ack == 9
    });
    let last_ack = find(&segs, fin_out + 1, "last ACK in", |s| {
        s.dir == In && s.flags == "ACK" && s.seq == 9 && s.ack == 9
    });
    assert_eq!(
        last_ack,
        segs.len() - 1,
        "the last ACK ends the lane: {segs:#?}"
    );
    // Everything after the SYN carries an ACK; sums of payload are 7 each way.
    assert!(
        segs[1..].iter().all(|s| s.flags.contains("ACK")),
        "{segs:#?}"
    );
    let sum = |d: WireDir| {
        segs.iter()
            .filter(|s| s.dir == d)
            .map(|s| s.len)
            .sum::<u32>()
    };
    assert_eq!((sum(In), sum(Out)), (7, 7));
    // The timeline is in time order, and the wire never reaches the canonical trace.
    assert!(entries.windows(2).all(|w| w[0].t_ms <= w[1].t_ms));

    // The pcapng file holds every packet of the lane, and tcpdump reads them all.
    assert_eq!(stats.packets, segs.len() as u64, "{stats:?}");
    assert_eq!(stats.pcap_packets, stats.packets, "{stats:?}");
    assert_eq!(stats.drops, 0);
    assert_eq!(stats.error, None);
    match tcpdump_count(&pcap) {
        Some(n) => assert_eq!(n, stats.packets, "tcpdump -r counts the lane's packets"),
        None => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "tcpdump is missing in CI (.ci/run installs it)"
            );
            eprintln!("SKIPPED the tcpdump check: tcpdump is not installed");
        }
    }
}

/// `tcpdump -r FILE -nn`'s packet lines, or `None` when tcpdump is not installed.
fn tcpdump_count(file: &std::path::Path) -> Option<u64> {
    let out = match std::process::Command::new("tcpdump")
        .args(["-Z", "root", "-r"]) // stay root: no `tcpdump` user needed
        .arg(file)
        .arg("-nn")
        .output()
    {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("tcpdump: {e}"),
    };
    assert!(
        out.status.success(),
        "tcpdump -r failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for l in text.lines() {
        assert!(l.contains("127.0.0.1."), "tcpdump line: {l}");
    }
    Some(text.lines().count() as u64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_comes_before_the_error_and_close_it_causes() {
    if !can_capture() {
        return;
    }
    let (running, cap, port) = echo_with_capture(None).await;
    let rec = running.recorder.clone();
    let mut sub = rec.subscribe();
    let c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    // Wait until the server has the connection (its `connection` event), then reset.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !rec.counts().contains_key("connection") {
        tokio::time::timeout_at(deadline, sub.recv())
            .await
            .expect("the server saw no connection within 5 s");
    }
    // SO_LINGER 0: close sends RST.
    linger0(&c);
    drop(c);
    let (entries, _stats) = stop(running, cap).await;
    let rst = entries
        .iter()
        .position(|e| matches!(&e.event, Event::Segment { flags, dir: WireDir::In, .. } if flags.starts_with("RST")))
        .unwrap_or_else(|| panic!("no RST in {entries:#?}"));
    let err = entries
        .iter()
        .position(|e| {
            e.scope == Scope::Conn { conn: 1 }
                && matches!(&e.event, Event::Error { code, .. } if code == "ECONNRESET")
        })
        .unwrap_or_else(|| panic!("no error ECONNRESET in {entries:#?}"));
    let close = entries
        .iter()
        .position(|e| {
            e.scope == Scope::Conn { conn: 1 }
                && matches!(
                    e.event,
                    Event::Close {
                        had_error: Some(true)
                    }
                )
        })
        .unwrap_or_else(|| panic!("no close hadError in {entries:#?}"));
    assert!(
        rst < err && err < close,
        "RST #{rst}, error #{err}, close #{close}"
    );
    // Right after it: nothing of the server's connection between the RST and its error.
    assert!(
        entries[rst + 1..err].iter().all(|e| e.scope.is_wire()),
        "{:#?}",
        &entries[rst..=close]
    );
    assert!(entries[rst].t_ms <= entries[err].t_ms);
}

/// Set SO_LINGER {on, 0} so that closing `s` sends RST.
fn linger0(s: &std::net::TcpStream) {
    use std::os::fd::AsRawFd;
    let l = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setting a linger struct on a live socket.
    let r = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&l as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(r, 0);
}

/// Frames that arrive after the packet socket is opened but before the capture starts (a demo
/// whose client connects before the capture thread runs, on a busy machine) are not lost: the
/// handshake shows even when the whole exchange happened before `Capture::start`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_queued_before_the_capture_starts_are_kept() {
    if !can_capture() {
        return;
    }
    let sc = scenario::find("tcp-echo").expect("tcp-echo exists");
    let bound = scenario::bind(sc, &BindSpec::default())
        .await
        .expect("bind");
    let port = bound.port().expect("a TCP port");
    let fd = wire::open_packet_socket().expect("packet socket");
    let rec = Recorder::new();
    let running = Running::spawn(sc, bound, ServeConfig::default(), rec.clone()).await;
    let mut c = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    c.write_all(b"hello\r\n").await.unwrap();
    let mut echo = [0u8; 7];
    c.read_exact(&mut echo).await.unwrap();
    // Only now does the capture start: everything so far is queued on the socket.
    let opts = CaptureOpts {
        ports: vec![port],
        host_lo_filter: true,
        tls: false,
        pcap: None,
    };
    let cap = Capture::start(fd, rec.clone(), opts).expect("capture");
    c.shutdown().await.unwrap();
    let mut rest = Vec::new();
    c.read_to_end(&mut rest).await.unwrap();
    drop(c);
    let (entries, stats) = stop(running, cap).await;
    assert_eq!(stats.drops, 0);
    let segs = segments(&entries);
    let syn = find(&segs, 0, "the SYN", |s| {
        s.flags == "SYN" && s.dir == WireDir::In
    });
    let data = find(&segs, syn, "the 7 bytes", |s| {
        s.dir == WireDir::In && s.len == 7
    });
    find(&segs, data, "the client's FIN", |s| {
        s.dir == WireDir::In && s.flags.contains("FIN")
    });
}

//! What the wire capture costs (`cargo bench --bench wire_flood`): 1 GiB pushed through the
//! `tcp-echo` scenario's server (in this process, recording into a [`Recorder`], as `serve`
//! runs it) and read back, without and with a [`Capture`] on the host's `lo` filtered to the
//! server's port (the host fallback: needs CAP_NET_RAW — run as root). Prints both
//! throughputs, the slowdown, the capture's packet and drop counts, and peak RSS (VmHWM,
//! reset before each run through `/proc/self/clear_refs`) — memory must stay bounded.
//!
//! Rounds alternate the two (order rotated) and each keeps its best, so background load on a
//! shared machine hits both alike. Target: the capture costs ≤ 10 %.
//!
//! Options (after `--`): `--mib N` per run (default 1024), `--rounds N` (3).

use netlab::scenario::{self, BindSpec, Running, ServeConfig};
use netlab::trace::Recorder;
use netlab::wire::{self, Capture, CaptureOpts, CaptureStats};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Instant;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident set size so far, KiB.
fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn reset_hwm() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One run's figures.
struct Run {
    secs: f64,
    hwm_kib: u64,
    stats: Option<CaptureStats>,
    entries: u64,
}

/// Push `bytes` through a fresh tcp-echo server and read them back; capture when asked.
fn run(rt: &tokio::runtime::Runtime, bytes: u64, capture: bool) -> Run {
    reset_hwm();
    let sc = scenario::find("tcp-echo").expect("tcp-echo");
    let spec = BindSpec {
        host: "127.0.0.1".into(),
        port: Some(0),
        socket: None,
        ca_out: None,
    };
    let bound = rt.block_on(scenario::bind(sc, &spec)).expect("bind");
    let port = bound.port().expect("port");
    let rec = Recorder::new();
    let cap = capture.then(|| {
        let fd = wire::open_packet_socket().expect("packet socket (run as root)");
        let opts = CaptureOpts {
            ports: vec![port],
            host_lo_filter: true,
            ..CaptureOpts::default()
        };
        Capture::start(fd, rec.clone(), opts).expect("capture")
    });
    let running: Running = rt.block_on(Running::spawn(
        sc,
        bound,
        ServeConfig::default(),
        rec.clone(),
    ));

    let t0 = Instant::now();
    let c = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut w = c.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'x'; 256 << 10];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            w.write_all(&chunk[..n]).expect("write");
            left -= n as u64;
        }
        w.shutdown(Shutdown::Write).unwrap();
    });
    let mut r = c;
    let mut buf = vec![0u8; 256 << 10];
    let mut got = 0u64;
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got += n as u64,
            Err(e) => panic!("read: {e}"),
        }
    }
    writer.join().unwrap();
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(got, bytes, "the echo returned every byte");
    drop(r);
    rt.block_on(running.stop()).expect("server stops");
    let stats = cap.map(Capture::stop);
    Run {
        secs,
        hwm_kib: vm_hwm_kib(),
        stats,
        entries: rec.total(),
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mib = arg("--mib", 1024);
    let rounds = arg("--rounds", 3).max(1);
    let bytes = mib << 20;
    if !wire::has_cap_net_raw() {
        eprintln!(
            "wire_flood: needs CAP_NET_RAW to capture on the host's lo (run as root); skipped"
        );
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut best_plain: Option<Run> = None;
    let mut best_cap: Option<Run> = None;
    for round in 0..rounds {
        let order = if round % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        for capture in order {
            let r = run(&rt, bytes, capture);
            let mibs = mib as f64 / r.secs;
            match &r.stats {
                Some(s) => println!(
                    "round {round}: with capture    {mibs:8.1} MiB/s  ({} packets, {} drops, {} entries, VmHWM {} MiB)",
                    s.packets,
                    s.drops,
                    r.entries,
                    r.hwm_kib >> 10
                ),
                None => println!(
                    "round {round}: without capture {mibs:8.1} MiB/s  ({} entries, VmHWM {} MiB)",
                    r.entries,
                    r.hwm_kib >> 10
                ),
            }
            let best = if capture {
                &mut best_cap
            } else {
                &mut best_plain
            };
            if best.as_ref().is_none_or(|b| r.secs < b.secs) {
                *best = Some(r);
            }
        }
    }
    let (p, c) = (best_plain.unwrap(), best_cap.unwrap());
    let (tp, tc) = (mib as f64 / p.secs, mib as f64 / c.secs);
    let s = c.stats.unwrap_or_default();
    println!();
    println!("wire_flood: {mib} MiB through tcp-echo (recorded), best of {rounds}");
    println!(
        "  without capture: {tp:8.1} MiB/s   peak RSS {} MiB",
        p.hwm_kib >> 10
    );
    println!(
        "  with capture:    {tc:8.1} MiB/s   peak RSS {} MiB   {} packets, {} drops",
        c.hwm_kib >> 10,
        s.packets,
        s.drops
    );
    println!(
        "  slowdown: {:.1} %  (target ≤ 10 %)",
        (1.0 - tc / tp) * 100.0
    );
}

//! What the wire capture costs (`cargo bench --bench wire_flood`): 1 GiB pushed through the
//! `tcp-echo` scenario's server (in this process, recording into a [`Recorder`], as `serve`
//! runs it) and read back, without and with a [`Capture`] on the host's `lo` filtered to the
//! server's port (the host fallback: needs CAP_NET_RAW — run as root). Prints both
//! throughputs, the slowdown, the capture's packet and drop counts, and peak RSS (VmHWM,
//! reset before each run through `/proc/self/clear_refs`) — memory must stay bounded.
//!
//! Rounds run the two back to back (order rotated); the slowdown is the median of the rounds'
//! ratios (and best against best), so background load on a shared machine hits both alike;
//! CPU seconds per run (the whole process) show the cost even when wall-clock time is noisy.
//! Target: the capture costs ≤ 10 %.
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

/// CPU seconds this process has used (user + system): on a shared machine, the capture's
/// cost shows here even when wall-clock throughput is noisy.
fn cpu_secs() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn reset_hwm() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One run's figures.
struct Run {
    secs: f64,
    /// CPU seconds of the whole process (client, server, capture) during the run.
    cpu: f64,
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
    let cpu0 = cpu_secs();
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
    let cpu = cpu_secs() - cpu0;
    assert_eq!(got, bytes, "the echo returned every byte");
    drop(r);
    rt.block_on(running.stop()).expect("server stops");
    let stats = cap.map(Capture::stop);
    Run {
        secs,
        cpu,
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
    let mut plain: Vec<Run> = Vec::new();
    let mut cap: Vec<Run> = Vec::new();
    // Per round: with-capture throughput / without (the two ran back to back).
    let mut ratios: Vec<f64> = Vec::new();
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
                    "round {round}: with capture    {mibs:8.1} MiB/s  cpu {:.2} s  ({} packets, {} drops, {} entries, VmHWM {} MiB)",
                    r.cpu,
                    s.packets,
                    s.drops,
                    r.entries,
                    r.hwm_kib >> 10
                ),
                None => println!(
                    "round {round}: without capture {mibs:8.1} MiB/s  cpu {:.2} s  ({} entries, VmHWM {} MiB)",
                    r.cpu,
                    r.entries,
                    r.hwm_kib >> 10
                ),
            }
            if capture {
                cap.push(r);
            } else {
                plain.push(r);
            }
        }
        let (p, c) = (&plain[plain.len() - 1], &cap[cap.len() - 1]);
        ratios.push(p.secs / c.secs);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let best = |runs: &[Run]| mib as f64 / runs.iter().map(|r| r.secs).fold(f64::MAX, f64::min);
    let cpu = |runs: &[Run]| median(runs.iter().map(|r| r.cpu).collect());
    let hwm = |runs: &[Run]| runs.iter().map(|r| r.hwm_kib).max().unwrap_or(0) >> 10;
    let packets: u64 = cap
        .iter()
        .filter_map(|r| r.stats.as_ref())
        .map(|s| s.packets)
        .sum();
    let drops: u64 = cap
        .iter()
        .filter_map(|r| r.stats.as_ref())
        .map(|s| s.drops)
        .sum();
    let ratio = median(ratios.clone());
    println!();
    println!("wire_flood: {mib} MiB through tcp-echo (recorded), {rounds} paired rounds");
    println!(
        "  without capture: best {:8.1} MiB/s   median cpu {:.2} s   peak RSS ≤ {} MiB",
        best(&plain),
        cpu(&plain),
        hwm(&plain)
    );
    println!(
        "  with capture:    best {:8.1} MiB/s   median cpu {:.2} s   peak RSS ≤ {} MiB",
        best(&cap),
        cpu(&cap),
        hwm(&cap)
    );
    println!(
        "  capture: {packets} packets, {drops} drops over {rounds} runs ({} per run)",
        packets / rounds
    );
    println!(
        "  slowdown: {:.1} % (median of the paired rounds' ratios), {:.1} % best vs best (target ≤ 10 %)",
        (1.0 - ratio) * 100.0,
        (1.0 - best(&cap) / best(&plain)) * 100.0
    );
}

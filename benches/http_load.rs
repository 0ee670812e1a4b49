//! HTTP throughput and idle-connection memory, netlab side by side with Node 20
//! (`cargo bench --bench http_load`). The load generator is this process (blocking sockets,
//! one thread per connection); each server is its own process:
//! - `netlab serve http --json` with the timeline recorded and written (to a pipe drained
//!   here), and `netlab serve http --quiet` (recorded, only a summary printed);
//! - Node 20: `tests/node/http_twin.js` — the same routes on `http.createServer` — with its
//!   per-event lines drained the same way.
//!
//! Points: `GET /hello` requests/s at 1 connection, 50 connections, and 1 connection
//! pipelining 10 requests at a time; then RSS per idle keep-alive connection with 2,000 of
//! them open (VmRSS from /proc, after each connection had one request answered).
//! Ratios are netlab/Node (requests/s: higher is better; KiB per connection: lower is better).
//! HTTPS is not measured here yet.
//!
//! Options (after `--`): `--secs N` per point (default 3), `--idle N` connections (2000).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const REQ: &[u8] = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
const BODY_END: &[u8] = b"Hello World";

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Proc {
    child: Child,
    port: u16,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawn a server printing JSON lines; its port from the `listening` line; drain the rest.
fn spawn(mut cmd: Command) -> Proc {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn server");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut port = 0;
    for _ in 0..100 {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
            if v["event"] == "listening" {
                port = v["port"].as_u64().unwrap_or(0) as u16;
                break;
            }
        }
    }
    assert!(port > 0, "server never listened");
    std::thread::spawn(move || {
        let mut sink = [0u8; 1 << 16];
        while matches!(out.read(&mut sink), Ok(n) if n > 0) {}
    });
    Proc { child, port }
}

fn servers() -> Vec<(&'static str, Command)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let bin = env!("CARGO_BIN_EXE_netlab");
    let mut recorded = Command::new(bin);
    recorded.args(["serve", "http", "--port", "0", "--json"]);
    let mut quiet = Command::new(bin);
    quiet.args(["serve", "http", "--port", "0", "--json", "--quiet"]);
    let mut node = Command::new("node");
    node.arg(format!("{root}/tests/node/http_twin.js"));
    vec![
        ("netlab (timeline)", recorded),
        ("netlab --quiet", quiet),
        ("node 20", node),
    ]
}

/// Count `BODY_END` occurrences in `buf` after `from`; where the last one ends.
fn count_ends(buf: &[u8]) -> (usize, usize) {
    let mut n = 0;
    let mut last = 0;
    let mut i = 0;
    while let Some(p) = buf[i..].windows(BODY_END.len()).position(|w| w == BODY_END) {
        n += 1;
        i += p + BODY_END.len();
        last = i;
    }
    (n, last)
}

/// Requests/s over `secs` with `conns` connections, each keeping `depth` requests in flight.
fn rps(port: u16, conns: usize, depth: usize, secs: u64) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::new();
    for _ in 0..conns {
        let (stop, done) = (stop.clone(), done.clone());
        handles.push(std::thread::spawn(move || {
            let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            s.set_nodelay(true).ok();
            s.set_read_timeout(Some(Duration::from_secs(10))).ok();
            let burst = REQ.repeat(depth);
            let mut buf = Vec::with_capacity(64 * 1024);
            let mut chunk = [0u8; 64 * 1024];
            while !stop.load(Ordering::Relaxed) {
                s.write_all(&burst).expect("write");
                let mut got = 0;
                while got < depth {
                    let n = s.read(&mut chunk).expect("read");
                    assert!(n > 0, "server closed");
                    buf.extend_from_slice(&chunk[..n]);
                    let (k, last) = count_ends(&buf);
                    got += k;
                    buf.drain(..last);
                }
                done.fetch_add(depth as u64, Ordering::Relaxed);
            }
        }));
    }
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().expect("load thread");
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// KiB of RSS per idle keep-alive connection, `n` of them, each after one answered request.
fn idle_kib(p: &Proc, n: usize) -> f64 {
    let base = rss_kib(p.child.id());
    let mut socks = Vec::with_capacity(n);
    for _ in 0..n {
        let mut s = TcpStream::connect(("127.0.0.1", p.port)).expect("connect");
        s.write_all(REQ).expect("write");
        socks.push(s);
    }
    let mut chunk = [0u8; 4096];
    for s in &mut socks {
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        let mut buf = Vec::new();
        while count_ends(&buf).0 == 0 {
            let k = s.read(&mut chunk).expect("read");
            assert!(k > 0, "server closed an idle connection early");
            buf.extend_from_slice(&chunk[..k]);
        }
    }
    let after = rss_kib(p.child.id());
    (after.saturating_sub(base)) as f64 / n as f64
}

fn main() {
    let secs = arg("--secs", 3);
    let idle = arg("--idle", 2000) as usize;
    let raise = rlimit_nofile(idle as u64 * 2 + 256);
    let points: [(&str, usize, usize); 3] = [
        ("1 conn", 1, 1),
        ("50 conns", 50, 1),
        ("pipelined x10", 1, 10),
    ];
    let mut table: Vec<(&str, Vec<f64>, f64)> = Vec::new();
    for (name, cmd) in servers() {
        let p = spawn(cmd);
        let r: Vec<f64> = points
            .iter()
            .map(|&(_, c, d)| rps(p.port, c, d, secs))
            .collect();
        let kib = if raise { idle_kib(&p, idle) } else { f64::NAN };
        table.push((name, r, kib));
    }
    println!(
        "{:<20} {:>12} {:>12} {:>14} {:>16}",
        "server", "1 conn", "50 conns", "pipelined x10", "KiB/idle conn"
    );
    for (name, r, kib) in &table {
        println!(
            "{:<20} {:>12.0} {:>12.0} {:>14.0} {:>16.1}",
            name, r[0], r[1], r[2], kib
        );
    }
    let node = table.last().expect("node row").clone();
    for (name, r, kib) in &table[..table.len() - 1] {
        println!(
            "{name} / node: 1 conn {:.2}, 50 conns {:.2}, pipelined {:.2}, memory per idle conn {:.2}",
            r[0] / node.1[0],
            r[1] / node.1[1],
            r[2] / node.1[2],
            kib / node.2
        );
    }
}

/// Raise the open-file limit for the idle-connection point; false if it cannot be.
fn rlimit_nofile(want: u64) -> bool {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) != 0 || r.rlim_max < want {
            return r.rlim_cur >= want;
        }
        r.rlim_cur = r.rlim_cur.max(want);
        libc::setrlimit(libc::RLIMIT_NOFILE, &r) == 0
    }
}

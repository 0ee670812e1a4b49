//! Echo throughput benchmark (`cargo bench --bench echo`): netlab's `tcp-echo` with recording
//! on (the real binary, `--json` timeline consumed) against a plain tokio echo server and
//! Node's `socket.pipe(socket)` server, under the same load: 8 connections each pushing 32 MiB
//! and reading the echo back. Each server is its own process; the load generator is this one.
//! Rounds are paired (every server once per round, order rotated) and ratios are reported as
//! medians of the per-round ratios.
//!
//! Options (after `--`): `--rounds N` (default 7), `--conns N` (8), `--mib N` (32).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A server process and its port.
struct Proc {
    name: &'static str,
    child: Child,
    port: u16,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawn `cmd`, read its first stdout line for the port (`parse`), drain the rest in a thread.
fn spawn(name: &'static str, mut cmd: Command, parse: fn(&str) -> Option<u16>) -> Proc {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let port = parse(&first).unwrap_or_else(|| panic!("{name} printed {first:?}"));
    std::thread::spawn(move || {
        let mut sink = [0u8; 1 << 16];
        while matches!(out.read(&mut sink), Ok(n) if n > 0) {}
    });
    Proc { name, child, port }
}

fn json_port(line: &str) -> Option<u16> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    v["port"].as_u64().map(|p| p as u16)
}

fn plain_port(line: &str) -> Option<u16> {
    line.trim().parse().ok()
}

/// The plain tokio echo server: read into a buffer, write it all back. No recording.
fn plain_tokio_server() -> ! {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", l.local_addr().unwrap().port());
        std::io::stdout().flush().unwrap();
        loop {
            let (mut s, _) = l.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if s.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        }
    })
}

/// One load run: `conns` connections each send `bytes` and read the echo. Returns seconds.
fn load(port: u16, conns: usize, bytes: usize) -> f64 {
    let start = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..conns {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut w = s.try_clone().unwrap();
        let writer = std::thread::spawn(move || {
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < bytes {
                let n = chunk.len().min(bytes - sent);
                w.write_all(&chunk[..n]).unwrap();
                sent += n;
            }
            w.shutdown(Shutdown::Write).unwrap();
        });
        let mut r = s;
        let reader = std::thread::spawn(move || {
            let mut buf = vec![0u8; 256 * 1024];
            let mut got = 0;
            while got < bytes {
                match r.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) => panic!("read: {e}"),
                }
            }
            assert_eq!(got, bytes, "short echo");
        });
        handles.push(writer);
        handles.push(reader);
    }
    for h in handles {
        h.join().unwrap();
    }
    start.elapsed().as_secs_f64()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--plain-echo-server") {
        plain_tokio_server();
    }
    let rounds = arg("--rounds", 7);
    let conns = arg("--conns", 8);
    let mib = arg("--mib", 32);
    let bytes = mib << 20;

    // Recording on in both: `--quiet` keeps the full recorder (ring, counts, canonical trace,
    // exact byte counts and xxh3 hashes per direction) but prints no live timeline; the other
    // also prints every event as a JSON line to a pipe this process drains.
    let mut netlab_cmd = Command::new(env!("CARGO_BIN_EXE_netlab"));
    netlab_cmd.args(["serve", "tcp-echo", "--port", "0", "--json", "--quiet"]);
    let mut netlab_json_cmd = Command::new(env!("CARGO_BIN_EXE_netlab"));
    netlab_json_cmd.args(["serve", "tcp-echo", "--port", "0", "--json"]);
    let mut plain_cmd = Command::new(std::env::current_exe().unwrap());
    plain_cmd.arg("--plain-echo-server");
    let mut node_cmd = Command::new("node");
    node_cmd.args([
        "-e",
        "const s=require('net').createServer(c=>c.pipe(c)).listen(0,'127.0.0.1',()=>console.log(s.address().port))",
    ]);

    let mut procs = vec![
        spawn("netlab serve --quiet (recording)", netlab_cmd, json_port),
        spawn("plain tokio", plain_cmd, plain_port),
        spawn(
            "netlab serve --json (recording + live JSON timeline)",
            netlab_json_cmd,
            json_port,
        ),
    ];
    let have_node = Command::new("node").arg("--version").output().is_ok();
    if have_node {
        procs.push(spawn("node pipe", node_cmd, plain_port));
    } else {
        eprintln!("*** node not found: skipping the Node comparison ***");
    }

    // Warm-up: one small run each.
    for p in &procs {
        load(p.port, conns, bytes / 8);
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); procs.len()];
    for round in 0..rounds {
        for k in 0..procs.len() {
            let i = (round + k) % procs.len();
            times[i].push(load(procs[i].port, conns, bytes));
        }
    }
    let total_mib = (conns * mib) as f64;
    println!("\necho throughput: {conns} connections x {mib} MiB, {rounds} paired rounds\n");
    println!("| server | median time | throughput (MiB/s each way) |");
    println!("|---|---|---|");
    for (p, t) in procs.iter().zip(&times) {
        let m = median(&mut t.clone());
        println!("| {} | {:.3} s | {:.0} |", p.name, m, total_mib / m);
    }
    let ratio = |other: usize| {
        let mut r: Vec<f64> = (0..rounds).map(|k| times[other][k] / times[0][k]).collect();
        median(&mut r)
    };
    println!("\nthroughput ratios (median of per-round ratios):");
    println!("  netlab --quiet / plain tokio: {:.2}x", ratio(1));
    if have_node {
        println!("  netlab --quiet / node:        {:.2}x", ratio(3));
    }
    let vs = |a: usize, b: usize| {
        let mut r: Vec<f64> = (0..rounds).map(|k| times[b][k] / times[a][k]).collect();
        median(&mut r)
    };
    println!("  netlab --json  / plain tokio: {:.2}x", vs(2, 1));
    if have_node {
        println!("  netlab --json  / node:        {:.2}x", vs(2, 3));
    }
}

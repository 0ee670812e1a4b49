//! HTTP and HTTPS throughput, timeline size and idle-connection memory, netlab side by side
//! with Node 20 (`cargo bench --bench http_load`). The load generator is this process
//! (blocking sockets, one thread per connection; rustls for HTTPS); each server is its own
//! process:
//! - `netlab serve http --json` with the timeline recorded and written (to a pipe drained and
//!   counted here), and `netlab serve http --quiet` (recorded, only a summary printed);
//! - Node 20: `tests/node/http_twin.js` — the same routes on `http.createServer` — with its
//!   per-event lines (request, data, end, finish, close…) drained the same way, and with
//!   `--quiet` (plain Node: nothing traced or printed);
//! - the same four for HTTPS: `netlab serve https` (its throwaway CA from `--ca-out`) and the
//!   twin on `https.createServer` with a certificate made here the same way (rcgen, ECDSA
//!   P-256, signed by a throwaway CA): netlab keeps its keys in memory, so the very same
//!   certificate cannot be shared, only the same kind.
//!
//! Points: `GET /hello` requests/s at 1 connection, 50 connections, and 1 connection
//! pipelining 10 requests at a time (TLS handshakes happen once per connection, before the
//! clock starts); then RSS per idle keep-alive connection with 2,000 of them open (HTTP; VmRSS
//! from /proc, after each connection had one request answered). For the servers that write a
//! timeline, the bytes written per request at each point, and how many events a lagging
//! printer skipped (`{"event":"lagged"}` lines; 0 means the whole timeline was written).
//! The servers of a group run side by side and each point is measured `--rounds` times,
//! alternating servers, keeping each server's best: on a shared machine that compares the
//! servers under the same background load rather than whoever ran in the quieter second.
//! Ratios are netlab/Node (requests/s: higher is better; KiB per connection: lower is better).
//!
//! Options (after `--`): `--secs N` per measurement (default 2), `--rounds N` (3), `--idle N`
//! connections (2000; 0 skips the memory point), `--no-https`.

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

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

/// A server process, its port, and what its stdout carried.
struct Proc {
    child: Child,
    port: u16,
    /// Bytes of timeline written to stdout so far.
    out_bytes: Arc<AtomicU64>,
    /// Events the server's printer reported skipping (`lagged` lines).
    skipped: Arc<AtomicU64>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawn a server printing JSON lines; its port from the `listening` line; drain and count the
/// rest.
fn spawn(mut cmd: Command) -> Proc {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn server");
    let mut out = BufReader::with_capacity(1 << 16, child.stdout.take().unwrap());
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
    let out_bytes = Arc::new(AtomicU64::new(0));
    let skipped = Arc::new(AtomicU64::new(0));
    let (bytes, skip) = (out_bytes.clone(), skipped.clone());
    std::thread::spawn(move || {
        let mut line = Vec::new();
        loop {
            line.clear();
            match out.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    bytes.fetch_add(n as u64, Ordering::Relaxed);
                    if line.starts_with(b"{\"event\":\"lagged\"") {
                        let v: serde_json::Value =
                            serde_json::from_slice(&line).unwrap_or_default();
                        let n = v["skipped"].as_u64().unwrap_or(0);
                        skip.fetch_add(n, Ordering::Relaxed);
                    }
                }
            }
        }
    });
    Proc {
        child,
        port,
        out_bytes,
        skipped,
    }
}

/// How to reach a server: plain TCP, or TLS trusting one CA.
#[derive(Clone)]
enum Dial {
    Plain,
    Tls(Arc<rustls::ClientConfig>),
}

/// Either kind of client stream.
trait Conn: Read + Write + Send {}
impl<T: Read + Write + Send> Conn for T {}

impl Dial {
    fn connect(&self, port: u16) -> Box<dyn Conn> {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_nodelay(true).ok();
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        match self {
            Dial::Plain => Box::new(s),
            Dial::Tls(cfg) => {
                let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
                let c = rustls::ClientConnection::new(cfg.clone(), name).expect("tls client");
                let mut t = rustls::StreamOwned::new(c, s);
                while t.conn.is_handshaking() {
                    t.conn.complete_io(&mut t.sock).expect("TLS handshake");
                }
                Box::new(t)
            }
        }
    }
}

/// A client configuration trusting the CA certificate(s) in `pem`.
fn tls_client(pem: &str) -> Arc<rustls::ClientConfig> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(c.expect("CA PEM")).expect("CA cert");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(cfg)
}

/// A throwaway CA and a `localhost` leaf signed by it, as netlab's `tls::Pki` makes them:
/// (CA PEM, leaf certificate PEM, leaf key PEM).
fn node_pki() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    (ca.pem(), leaf.pem(), key.serialize_pem())
}

/// One server under test.
struct Target {
    name: &'static str,
    proc: Proc,
    dial: Dial,
    /// Whether it writes a timeline worth counting.
    timeline: bool,
}

fn http_targets() -> Vec<Target> {
    let root = env!("CARGO_MANIFEST_DIR");
    let bin = env!("CARGO_BIN_EXE_netlab");
    let mut recorded = Command::new(bin);
    recorded.args(["serve", "http", "--port", "0", "--json"]);
    let mut quiet = Command::new(bin);
    quiet.args(["serve", "http", "--port", "0", "--json", "--quiet"]);
    let mut node = Command::new("node");
    node.arg(format!("{root}/tests/node/http_twin.js"));
    let mut node_quiet = Command::new("node");
    node_quiet.arg(format!("{root}/tests/node/http_twin.js"));
    node_quiet.arg("--quiet");
    let t = |name, cmd, timeline| Target {
        name,
        proc: spawn(cmd),
        dial: Dial::Plain,
        timeline,
    };
    vec![
        t("netlab (timeline)", recorded, true),
        t("netlab --quiet", quiet, false),
        t("node 20 (events printed)", node, true),
        t("node 20 --quiet", node_quiet, false),
    ]
}

fn https_targets(dir: &std::path::Path) -> Vec<Target> {
    let root = env!("CARGO_MANIFEST_DIR");
    let bin = env!("CARGO_BIN_EXE_netlab");
    let mut out = Vec::new();
    for (name, quiet) in [
        ("netlab https (timeline)", false),
        ("netlab https --quiet", true),
    ] {
        let ca = dir.join(format!("netlab-ca-{quiet}.pem"));
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "https", "--port", "0", "--json", "--ca-out"]);
        cmd.arg(&ca);
        if quiet {
            cmd.arg("--quiet");
        }
        let proc = spawn(cmd);
        let pem = std::fs::read_to_string(&ca).expect("netlab's CA");
        out.push(Target {
            name,
            proc,
            dial: Dial::Tls(tls_client(&pem)),
            timeline: !quiet,
        });
    }
    let (ca, cert, key) = node_pki();
    let (cert_path, key_path) = (dir.join("node-cert.pem"), dir.join("node-key.pem"));
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    for (name, quiet) in [
        ("node 20 https (printed)", false),
        ("node 20 https --quiet", true),
    ] {
        let mut node = Command::new("node");
        node.arg(format!("{root}/tests/node/http_twin.js"));
        node.arg("--tls-cert").arg(&cert_path);
        node.arg("--tls-key").arg(&key_path);
        if quiet {
            node.arg("--quiet");
        }
        out.push(Target {
            name,
            proc: spawn(node),
            dial: Dial::Tls(tls_client(&ca)),
            timeline: !quiet,
        });
    }
    out
}

/// Count `BODY_END` occurrences in `buf`; where the last one ends.
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

/// Requests answered over `secs` with `conns` connections, each keeping `depth` requests in
/// flight; and the seconds it took.
fn load(t: &Target, conns: usize, depth: usize, secs: u64) -> (u64, f64) {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    // Connect (and shake hands) before the clock starts.
    let streams: Vec<Box<dyn Conn>> = (0..conns).map(|_| t.dial.connect(t.proc.port)).collect();
    let mut handles = Vec::new();
    for mut s in streams {
        let (stop, done) = (stop.clone(), done.clone());
        handles.push(std::thread::spawn(move || {
            let burst = REQ.repeat(depth);
            let mut buf = Vec::with_capacity(64 * 1024);
            let mut chunk = [0u8; 64 * 1024];
            while !stop.load(Ordering::Relaxed) {
                s.write_all(&burst).expect("write");
                s.flush().expect("flush");
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
    (done.load(Ordering::Relaxed), start.elapsed().as_secs_f64())
}

/// One server's results at one point.
#[derive(Clone, Copy, Default)]
struct Point {
    /// Best requests/s over the rounds.
    rps: f64,
    /// Timeline bytes per request (over all rounds).
    bytes_per_req: f64,
    /// Events the printer skipped (over all rounds).
    skipped: u64,
    /// Requests answered (over all rounds).
    reqs: u64,
}

/// Measure every point on every target, `rounds` times, alternating targets.
fn measure(
    targets: &[Target],
    points: &[(&str, usize, usize)],
    secs: u64,
    rounds: u64,
) -> Vec<Vec<Point>> {
    let mut res = vec![vec![Point::default(); points.len()]; targets.len()];
    for (pi, &(_, conns, depth)) in points.iter().enumerate() {
        let mut reqs = vec![0u64; targets.len()];
        let mut bytes = vec![0u64; targets.len()];
        let mut skipped = vec![0u64; targets.len()];
        for _ in 0..rounds {
            for (ti, t) in targets.iter().enumerate() {
                let (b0, s0) = (
                    t.proc.out_bytes.load(Ordering::Relaxed),
                    t.proc.skipped.load(Ordering::Relaxed),
                );
                let (n, took) = load(t, conns, depth, secs);
                // Let the printer and the drain catch up before counting (bounded).
                let mut last = u64::MAX;
                for _ in 0..50 {
                    let now = t.proc.out_bytes.load(Ordering::Relaxed);
                    if now == last {
                        break;
                    }
                    last = now;
                    std::thread::sleep(Duration::from_millis(100));
                }
                reqs[ti] += n;
                bytes[ti] += t.proc.out_bytes.load(Ordering::Relaxed) - b0;
                skipped[ti] += t.proc.skipped.load(Ordering::Relaxed) - s0;
                let r = &mut res[ti][pi];
                r.rps = r.rps.max(n as f64 / took);
            }
        }
        for ti in 0..targets.len() {
            let r = &mut res[ti][pi];
            r.bytes_per_req = bytes[ti] as f64 / reqs[ti].max(1) as f64;
            r.skipped = skipped[ti];
            r.reqs = reqs[ti];
        }
    }
    res
}

fn report(
    title: &str,
    targets: &[Target],
    points: &[(&str, usize, usize)],
    res: &[Vec<Point>],
    kib: &[f64],
) {
    println!("\n{title}");
    print!("{:<24}", "server");
    for (name, _, _) in points {
        print!(" {name:>14}");
    }
    if !kib.is_empty() {
        print!(" {:>14}", "KiB/idle conn");
    }
    println!();
    for (ti, t) in targets.iter().enumerate() {
        print!("{:<24}", t.name);
        for p in &res[ti] {
            print!(" {:>14.0}", p.rps);
        }
        if let Some(k) = kib.get(ti) {
            print!(" {k:>14.1}");
        }
        println!();
    }
    // Every netlab row against every Node row (the last two: events printed, and quiet).
    let nodes = targets.len() - 2..targets.len();
    for (ti, t) in targets[..nodes.start].iter().enumerate() {
        for ni in nodes.clone() {
            print!("{} / {}:", t.name, targets[ni].name);
            for (pi, (name, _, _)) in points.iter().enumerate() {
                print!(" {name} {:.2},", res[ti][pi].rps / res[ni][pi].rps);
            }
            if !kib.is_empty() {
                print!(" memory per idle conn {:.2}", kib[ti] / kib[ni]);
            }
            println!();
        }
    }
    for (ti, t) in targets.iter().enumerate().filter(|(_, t)| t.timeline) {
        print!("{} timeline:", t.name);
        for (pi, (name, _, _)) in points.iter().enumerate() {
            let p = res[ti][pi];
            let per100 = p.skipped as f64 * 100.0 / p.reqs.max(1) as f64;
            print!(
                " {name} {:.0} B/request ({} events skipped, {per100:.1} per 100 requests),",
                p.bytes_per_req, p.skipped
            );
        }
        println!();
    }
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
    let secs = arg("--secs", 2);
    let rounds = arg("--rounds", 3).max(1);
    let idle = arg("--idle", 2000) as usize;
    let raise = idle > 0 && rlimit_nofile(idle as u64 * 2 + 256);
    let points: [(&str, usize, usize); 3] = [
        ("1 conn", 1, 1),
        ("50 conns", 50, 1),
        ("pipelined x10", 1, 10),
    ];
    let targets = http_targets();
    let res = measure(&targets, &points, secs, rounds);
    let kib: Vec<f64> = if raise {
        targets.iter().map(|t| idle_kib(&t.proc, idle)).collect()
    } else {
        Vec::new()
    };
    report("HTTP: GET /hello requests/s", &targets, &points, &res, &kib);
    drop(targets);
    if !flag("--no-https") {
        let dir = std::env::temp_dir().join(format!("netlab-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let targets = https_targets(&dir);
        let res = measure(&targets, &points, secs, rounds);
        report("HTTPS: GET /hello requests/s", &targets, &points, &res, &[]);
        drop(targets);
        let _ = std::fs::remove_dir_all(&dir);
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

//! Drivers: netlab's scripted clients for server labs, one function per driver, each a list of
//! named **steps** (`step` checks in `lab.toml` refer to them). A step does what a real client
//! does — including the awkward cases: bytes one at a time, two clients at once, an early end,
//! 8 MiB read slowly, pipelined requests, garbage — and writes down what it sent and saw, so
//! that a failure reads as "the connection closed before any echo" with the client-side
//! timeline below it.
//!
//! Every wait is bounded ([`WAIT`]); the run's own limit bounds the whole driver.

use super::dial::Dialer;
use super::StepResult;
use crate::sandbox::Pool;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// How long a client waits for any one answer.
pub const WAIT: Duration = Duration::from_secs(2);

/// Where the learner's server listens.
#[derive(Clone, Debug)]
pub struct Target {
    pub port: Option<u16>,
    pub socket: Option<PathBuf>,
}

/// A driver's future; it pushes each step's result to [`Steps`] as the step ends.
pub type DriveFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The steps done so far, shared with the runner: when the run's limit cuts a driver short,
/// the steps it finished still count.
#[derive(Clone, Default)]
pub struct Steps(Arc<std::sync::Mutex<Vec<StepResult>>>);

impl Steps {
    fn push(&self, s: StepResult) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(s);
    }

    /// Every step finished so far.
    pub fn take(&self) -> Vec<StepResult> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// A driver: its steps (name, what it checks) and the sockets it needs.
pub struct Driver {
    pub name: &'static str,
    /// Step names with a line saying what each checks (for lab authors and `validate`).
    pub steps: &'static [(&'static str, &'static str)],
    /// Client sockets the run's pool must hold.
    pub pool: Pool,
    pub run: fn(Arc<Dialer>, Target, Steps) -> DriveFuture,
}

impl Driver {
    /// Whether `step` is one of this driver's (or the runner's own: `listening`, and
    /// `socket-removed` for Unix socket servers).
    pub fn has_step(&self, step: &str) -> bool {
        RUNNER_STEPS.contains(&step) || self.steps.iter().any(|(n, _)| *n == step)
    }

    /// Every step a check may name.
    pub fn step_names(&self) -> Vec<&'static str> {
        RUNNER_STEPS
            .iter()
            .copied()
            .chain(self.steps.iter().map(|(n, _)| *n))
            .collect()
    }
}

/// The steps the runner itself records, whatever the driver.
pub const RUNNER_STEPS: &[&str] = &["listening", super::SOCKET_REMOVED];

/// Every driver.
pub static DRIVERS: &[Driver] = &[
    Driver {
        name: "echo",
        steps: &[
            (
                "echo",
                "one client sends hello\\r\\n and gets exactly it back",
            ),
            ("split", "bytes sent one write at a time come back whole"),
            (
                "two-clients",
                "two connections at once each get their own bytes back",
            ),
            ("end", "after the client ends, the server ends too (FIN)"),
            (
                "bulk",
                "8 MB sent while the client reads slowly all come back, in order",
            ),
        ],
        pool: Pool { tcp: 8, udp: 0 },
        run: |d, t, s| Box::pin(echo(d, t, s)),
    },
    Driver {
        name: "greeting",
        steps: &[
            (
                "greets-first",
                "the server writes Echo server\\r\\n before the client sends",
            ),
            ("echo", "after the greeting, bytes come back"),
            ("end", "after the client ends, the server ends too (FIN)"),
        ],
        pool: Pool { tcp: 4, udp: 0 },
        run: |d, t, s| Box::pin(greeting(d, t, s)),
    },
    Driver {
        name: "halfopen",
        steps: &[
            (
                "waits-for-end",
                "the server answers only after the client's end",
            ),
            (
                "answer",
                "the answer is got N bytes\\r\\n for the N bytes sent",
            ),
            ("ends", "then the server ends its side"),
        ],
        pool: Pool { tcp: 4, udp: 0 },
        run: |d, t, s| Box::pin(halfopen(d, t, s)),
    },
    Driver {
        name: "udp-pong",
        steps: &[
            ("pong", "a datagram gets pong back, to its sender"),
            (
                "three-clients",
                "three sockets at once each get their own pong",
            ),
        ],
        pool: Pool { tcp: 0, udp: 6 },
        run: |d, t, s| Box::pin(udp_pong(d, t, s)),
    },
    Driver {
        name: "http-hello",
        steps: &[
            (
                "hello",
                "GET /hello answers 200 with the body Hello World, framed",
            ),
            ("not-found", "any other path answers 404"),
            (
                "keep-alive",
                "three requests on one connection are all answered",
            ),
            (
                "pipelined",
                "two requests sent at once are answered in order",
            ),
            (
                "bad-request",
                "a garbage request gets 400, and the server keeps serving",
            ),
        ],
        pool: Pool { tcp: 8, udp: 0 },
        run: |d, t, s| Box::pin(http_hello(d, t, s)),
    },
];

/// A driver by name.
pub fn find(name: &str) -> Option<&'static Driver> {
    DRIVERS.iter().find(|d| d.name == name)
}

/// Every driver's name.
pub fn names() -> Vec<&'static str> {
    DRIVERS.iter().map(|d| d.name).collect()
}

// ---- the record of a step ------------------------------------------------------------------

/// What a step's clients did and saw, with times since the step began.
struct Log {
    start: Instant,
    lines: Vec<String>,
}

impl Log {
    fn new() -> Log {
        Log {
            start: Instant::now(),
            lines: Vec::new(),
        }
    }

    fn note(&mut self, who: &str, what: impl AsRef<str>) {
        let ms = self.start.elapsed().as_secs_f64() * 1000.0;
        self.lines
            .push(format!("{ms:8.1} ms  {who:<8} {}", what.as_ref()));
    }

    fn pass(self, name: &str) -> StepResult {
        StepResult {
            name: name.into(),
            ok: true,
            detail: String::new(),
            transcript: self.lines,
        }
    }

    fn fail(self, name: &str, detail: impl Into<String>) -> StepResult {
        StepResult {
            name: name.into(),
            ok: false,
            detail: detail.into(),
            transcript: self.lines,
        }
    }
}

/// Bytes as a short quoted, escaped string for transcripts.
fn show(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b.iter().take(48) {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    if b.len() > 48 {
        s.push('…');
    }
    s.push('"');
    s
}

// ---- streams -------------------------------------------------------------------------------

/// A TCP or Unix stream.
trait Duplex: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Duplex for T {}
type Conn = Box<dyn Duplex>;

async fn connect(d: &Dialer, t: &Target) -> std::io::Result<Conn> {
    match (&t.socket, t.port) {
        (Some(p), _) => Ok(Box::new(d.unix(p).await?)),
        (None, Some(port)) => Ok(Box::new(d.tcp(port).await?)),
        _ => Err(std::io::Error::other("nowhere to connect")),
    }
}

/// How a read ended.
#[derive(Debug, PartialEq)]
enum Got {
    /// The wanted number of bytes arrived (maybe more).
    Enough,
    /// The server ended its side (FIN) first.
    Eof,
    /// The connection was reset or failed.
    Error(String),
    /// Nothing more within the wait.
    Timeout,
}

/// Read into `buf` until it holds `want` bytes, the peer ends, or [`WAIT`] passes.
async fn read_upto(c: &mut Conn, buf: &mut Vec<u8>, want: usize) -> Got {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut chunk = vec![0u8; 64 * 1024];
    // Bounded: every round either reads bytes, ends, or runs into the deadline.
    while buf.len() < want {
        match tokio::time::timeout_at(deadline, c.read(&mut chunk)).await {
            Err(_) => return Got::Timeout,
            Ok(Ok(0)) => return Got::Eof,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) => return Got::Error(super::os_error(&e)),
        }
    }
    Got::Enough
}

/// Read until the peer ends (or [`WAIT`]); the bytes read on the way go to `buf`.
async fn read_to_end(c: &mut Conn, buf: &mut Vec<u8>) -> Got {
    match read_upto(c, buf, usize::MAX).await {
        Got::Enough => Got::Timeout,
        g => g,
    }
}

/// Why an echo was wrong, in words.
fn echo_problem(sent: &[u8], got: &[u8], how: &Got) -> String {
    match how {
        Got::Eof if got.is_empty() => "the connection closed before any echo".into(),
        Got::Error(e) if got.is_empty() => format!("the connection failed before any echo ({e})"),
        Got::Timeout if got.is_empty() => format!("nothing came back within {} s", WAIT.as_secs()),
        _ => format!("sent {}, got back {}", show(sent), show(got)),
    }
}

// ---- echo ----------------------------------------------------------------------------------

async fn echo(d: Arc<Dialer>, t: Target, steps: Steps) {
    steps.push(echo_once(&d, &t, "echo", b"hello\r\n", false).await);
    steps.push(echo_once(&d, &t, "split", b"ping\r\n", true).await);
    steps.push(two_clients(&d, &t).await);
    steps.push(end_after_end(&d, &t, b"bye\r\n", "end").await);
    steps.push(bulk(&d, &t).await);
}

/// Send `msg` (one write, or a byte per write) and expect it back.
async fn echo_once(d: &Dialer, t: &Target, name: &str, msg: &[u8], split: bool) -> StepResult {
    let mut log = Log::new();
    let mut c = match connect(d, t).await {
        Ok(c) => c,
        Err(e) => return log.fail(name, format!("could not connect: {}", super::os_error(&e))),
    };
    log.note("client1", "connect");
    if split {
        for b in msg {
            if c.write_all(&[*b]).await.is_err() {
                break;
            }
            let _ = c.flush().await;
            log.note("client1", format!("write {}", show(&[*b])));
            // One byte per segment: give the kernel a moment so that writes are not merged.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    } else {
        let _ = c.write_all(msg).await;
        log.note("client1", format!("write {}", show(msg)));
    }
    let mut got = Vec::new();
    let how = read_upto(&mut c, &mut got, msg.len()).await;
    log.note("client1", format!("received {} ({how:?})", show(&got)));
    let _ = c.shutdown().await;
    if got == msg {
        log.pass(name)
    } else {
        let d = echo_problem(msg, &got, &how);
        log.fail(name, d)
    }
}

async fn two_clients(d: &Dialer, t: &Target) -> StepResult {
    let name = "two-clients";
    let mut log = Log::new();
    let (a, b) = (connect(d, t).await, connect(d, t).await);
    let (Ok(mut a), Ok(mut b)) = (a, b) else {
        return log.fail(name, "could not open two connections at once");
    };
    log.note("client1", "connect");
    log.note("client2", "connect");
    // The second client speaks first: a server serving one connection at a time fails here.
    let _ = b.write_all(b"second\r\n").await;
    log.note("client2", "write \"second\\r\\n\"");
    let mut got_b = Vec::new();
    let how_b = read_upto(&mut b, &mut got_b, 8).await;
    log.note("client2", format!("received {} ({how_b:?})", show(&got_b)));
    let _ = a.write_all(b"first\r\n").await;
    log.note("client1", "write \"first\\r\\n\"");
    let mut got_a = Vec::new();
    let how_a = read_upto(&mut a, &mut got_a, 7).await;
    log.note("client1", format!("received {} ({how_a:?})", show(&got_a)));
    let _ = a.shutdown().await;
    let _ = b.shutdown().await;
    if got_b != b"second\r\n" {
        let p = echo_problem(b"second\r\n", &got_b, &how_b);
        return log.fail(
            name,
            format!("the second connection, opened while the first was still open: {p}"),
        );
    }
    if got_a != b"first\r\n" {
        let p = echo_problem(b"first\r\n", &got_a, &how_a);
        return log.fail(name, format!("the first connection: {p}"));
    }
    log.pass(name)
}

/// Send `msg`, end (FIN), and expect the echo and then the server's own end.
async fn end_after_end(d: &Dialer, t: &Target, msg: &[u8], name: &str) -> StepResult {
    let mut log = Log::new();
    let mut c = match connect(d, t).await {
        Ok(c) => c,
        Err(e) => return log.fail(name, format!("could not connect: {}", super::os_error(&e))),
    };
    log.note("client1", "connect");
    let _ = c.write_all(msg).await;
    let _ = c.shutdown().await;
    log.note("client1", format!("write {} then end (FIN)", show(msg)));
    let mut got = Vec::new();
    let how = read_to_end(&mut c, &mut got).await;
    log.note(
        "client1",
        format!(
            "received {} then {}",
            show(&got),
            match &how {
                Got::Eof => "the server's end (FIN)".to_string(),
                Got::Error(e) => format!("an error ({e})"),
                _ => format!("nothing more for {} s", WAIT.as_secs()),
            }
        ),
    );
    match how {
        Got::Eof if got == msg => log.pass(name),
        Got::Eof => {
            let p = echo_problem(msg, &got, &Got::Enough);
            log.fail(name, p)
        }
        Got::Error(e) => log.fail(
            name,
            format!("the connection ended with an error ({e}) instead of a FIN: the server should end(), not destroy()"),
        ),
        _ => log.fail(
            name,
            format!(
                "after the client ended its side, your server never ended its own (no FIN within {} s): pipe() ends it for you; with a 'data' handler, call end() on 'end'",
                WAIT.as_secs()
            ),
        ),
    }
}

/// Byte `i` of the bulk pattern.
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

async fn bulk(d: &Dialer, t: &Target) -> StepResult {
    // Whole blocks of the pattern (251 × 256 B), about 8 MB.
    const BLOCK: usize = 251 * 256;
    const TOTAL: usize = BLOCK * 131;
    let name = "bulk";
    let mut log = Log::new();
    let c = match connect(d, t).await {
        Ok(c) => c,
        Err(e) => return log.fail(name, format!("could not connect: {}", super::os_error(&e))),
    };
    log.note("client1", "connect");
    let (mut r, mut w) = tokio::io::split(c);
    let mut writer = tokio::spawn(async move {
        let block: Vec<u8> = (0..BLOCK).map(pattern).collect();
        let mut sent = 0;
        while sent < TOTAL {
            if w.write_all(&block).await.is_err() {
                break;
            }
            sent += block.len();
        }
        let _ = w.shutdown().await;
        sent
    });
    // A slow reader: small reads with pauses, so that the server meets backpressure.
    let mut got = 0usize;
    let mut wrong_at = None;
    let mut buf = vec![0u8; 16 * 1024];
    // At most 15 s in all, and never more than WAIT without a byte.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let ended = loop {
        let idle = (tokio::time::Instant::now() + WAIT).min(deadline);
        match tokio::time::timeout_at(idle, r.read(&mut buf)).await {
            Err(_) => break Got::Timeout,
            Ok(Ok(0)) => break Got::Eof,
            Ok(Ok(n)) => {
                if wrong_at.is_none() {
                    if let Some(i) = (0..n).find(|&i| buf[i] != pattern(got + i)) {
                        wrong_at = Some(got + i);
                    }
                }
                got += n;
                if got >= TOTAL {
                    break Got::Enough;
                }
                if got % (1 << 20) < n {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            Ok(Err(e)) => break Got::Error(super::os_error(&e)),
        }
    };
    // A server that stopped reading leaves the writer blocked: it goes with the step.
    let sent = match tokio::time::timeout(Duration::from_millis(100), &mut writer).await {
        Ok(Ok(n)) => n,
        _ => {
            writer.abort();
            0
        }
    };
    if sent == TOTAL {
        log.note(
            "client1",
            format!("wrote {sent} B then end (FIN), reading slowly"),
        );
    } else {
        log.note("client1", "was still writing: your server stopped reading");
    }
    log.note("client1", format!("received {got} B, then {ended:?}"));
    if let Some(at) = wrong_at {
        return log.fail(
            name,
            format!("the echo differs from what was sent at byte {at}"),
        );
    }
    if got != TOTAL {
        return log.fail(
            name,
            format!(
                "sent {TOTAL} B, got back {got} B before {}",
                match ended {
                    Got::Eof => "the server ended".to_string(),
                    Got::Error(e) => format!("an error ({e})"),
                    _ => "the wait ran out".to_string(),
                }
            ),
        );
    }
    log.pass(name)
}

// ---- greeting ------------------------------------------------------------------------------

async fn greeting(d: Arc<Dialer>, t: Target, steps: Steps) {
    const GREETING: &[u8] = b"Echo server\r\n";
    let mut log = Log::new();
    let mut c = match connect(&d, &t).await {
        Ok(c) => c,
        Err(e) => {
            steps.push(log.fail(
                "greets-first",
                format!("could not connect: {}", super::os_error(&e)),
            ));
            return;
        }
    };
    log.note("client1", "connect, and wait");
    let mut got = Vec::new();
    let how = read_upto(&mut c, &mut got, GREETING.len()).await;
    log.note("client1", format!("received {} ({how:?})", show(&got)));
    if got.get(..GREETING.len()) == Some(GREETING) {
        steps.push(log.pass("greets-first"));
    } else {
        steps.push(log.fail("greets-first", greeting_problem(GREETING, &got, &how)));
    }
    let mut log = Log::new();
    let _ = c.write_all(b"hi\r\n").await;
    log.note("client1", "write \"hi\\r\\n\"");
    let mut echo = got.split_off(GREETING.len().min(got.len()));
    let how = read_upto(&mut c, &mut echo, 4).await;
    log.note("client1", format!("received {} ({how:?})", show(&echo)));
    let _ = c.shutdown().await;
    steps.push(if echo == b"hi\r\n" {
        log.pass("echo")
    } else {
        let p = echo_problem(b"hi\r\n", &echo, &how);
        log.fail("echo", p)
    });
    // The end: the greeting, the echo, and the server's FIN.
    let mut log = Log::new();
    let mut c = match connect(&d, &t).await {
        Ok(c) => c,
        Err(e) => {
            steps.push(log.fail("end", format!("could not connect: {}", super::os_error(&e))));
            return;
        }
    };
    log.note("client2", "connect");
    let mut got = Vec::new();
    let _ = read_upto(&mut c, &mut got, GREETING.len()).await;
    let _ = c.write_all(b"bye\r\n").await;
    let _ = c.shutdown().await;
    log.note("client2", "write \"bye\\r\\n\" then end (FIN)");
    let how = read_to_end(&mut c, &mut got).await;
    log.note("client2", format!("received {} then {how:?}", show(&got)));
    let want = [GREETING, b"bye\r\n"].concat();
    steps.push(match how {
        Got::Eof if got == want => log.pass("end"),
        Got::Eof => log.fail(
            "end",
            format!(
                "expected {} then the server's end (FIN), got {} then the end",
                show(&want),
                show(&got)
            ),
        ),
        _ => log.fail(
            "end",
            format!("after the client ended its side, your server never ended its own (no FIN within {} s)", WAIT.as_secs()),
        ),
    });
}

/// Why the greeting was wrong, in words.
fn greeting_problem(greeting: &[u8], got: &[u8], how: &Got) -> String {
    match how {
        Got::Timeout if got.is_empty() => format!(
            "nothing arrived within {} s of connecting: greet as soon as the client connects, before it speaks",
            WAIT.as_secs()
        ),
        Got::Eof if got.is_empty() => "the connection closed before any greeting".into(),
        Got::Error(e) if got.is_empty() => {
            format!("the connection failed before any greeting ({e})")
        }
        _ => format!(
            "expected the greeting {}, got {}",
            show(greeting),
            show(got)
        ),
    }
}

// ---- half-open -----------------------------------------------------------------------------

async fn halfopen(d: Arc<Dialer>, t: Target, steps: Steps) {
    let mut log = Log::new();
    let mut c = match connect(&d, &t).await {
        Ok(c) => c,
        Err(e) => {
            steps.push(log.fail(
                "waits-for-end",
                format!("could not connect: {}", super::os_error(&e)),
            ));
            return;
        }
    };
    log.note("client1", "connect");
    let _ = c.write_all(b"request").await;
    log.note("client1", "write \"request\" (7 B), and wait before ending");
    // Nothing may come back before the client's end.
    let mut early = Vec::new();
    let how =
        tokio::time::timeout(Duration::from_millis(300), read_upto(&mut c, &mut early, 1)).await;
    let early_end = matches!(how, Ok(Got::Eof) | Ok(Got::Error(_)));
    if !early.is_empty() || early_end {
        log.note(
            "client1",
            format!("received {} before ending", show(&early)),
        );
        steps.push(log.fail(
            "waits-for-end",
            if early_end {
                "your server ended the connection before the client ended its side: with allowHalfOpen: true the socket stays writable after 'end'".to_string()
            } else {
                "your server answered before the client ended its side: answer in the 'end' handler".to_string()
            },
        ));
        return;
    }
    let _ = c.shutdown().await;
    log.note("client1", "end (FIN)");
    let mut got = Vec::new();
    let how = read_to_end(&mut c, &mut got).await;
    log.note("client1", format!("received {} then {how:?}", show(&got)));
    steps.push(log.pass("waits-for-end"));
    let want = b"got 7 bytes\r\n";
    steps.push(if got == want {
        Log::new().pass("answer")
    } else if got.is_empty() && how == Got::Eof {
        Log::new().fail(
            "answer",
            "your server ended the connection without answering: in Node, without { allowHalfOpen: true } a socket ends itself right after 'end', so an answer written later (after a timer, a lookup) never goes out",
        )
    } else {
        let p = echo_problem(want, &got, &how);
        Log::new().fail("answer", format!("expected {}: {p}", show(want)))
    });
    steps.push(if how == Got::Eof {
        Log::new().pass("ends")
    } else {
        Log::new().fail(
            "ends",
            format!(
                "your server never ended its side after answering (no FIN within {} s): call end()",
                WAIT.as_secs()
            ),
        )
    });
}

// ---- UDP -----------------------------------------------------------------------------------

async fn udp_pong(d: Arc<Dialer>, t: Target, steps: Steps) {
    let Some(port) = t.port else {
        return steps.push(Log::new().fail("pong", "no port"));
    };
    let to = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port));
    let mut log = Log::new();
    let one = match d.udp() {
        Ok(s) => s,
        Err(e) => return steps.push(log.fail("pong", format!("no socket: {e}"))),
    };
    let _ = one.send_to(b"ping", to).await;
    log.note("client1", "send \"ping\"");
    let mut buf = [0u8; 1500];
    let got = tokio::time::timeout(WAIT, one.recv_from(&mut buf)).await;
    steps.push(match got {
        Ok(Ok((n, from))) => {
            log.note("client1", format!("received {} from port {}", show(&buf[..n]), from.port()));
            if &buf[..n] != b"pong" {
                log.fail("pong", format!("expected \"pong\", got {}", show(&buf[..n])))
            } else if from.port() != port {
                log.fail("pong", format!("the answer came from port {}, not from the server's port {port}: answer with the socket that received the ping", from.port()))
            } else {
                log.pass("pong")
            }
        }
        _ => log.fail(
            "pong",
            format!("no answer within {} s: send pong to the sender's address and port (rinfo)", WAIT.as_secs()),
        ),
    });
    // Three sockets at once, answered in any order, each to its own sender.
    let mut log = Log::new();
    let socks: Vec<_> = (0..3).filter_map(|_| d.udp().ok()).collect();
    for (i, s) in socks.iter().enumerate() {
        let _ = s.send_to(b"ping", to).await;
        log.note(&format!("client{}", i + 2), "send \"ping\"");
    }
    let mut missing = Vec::new();
    // One wait for all three (they were sent together).
    let deadline = tokio::time::Instant::now() + WAIT;
    for (i, s) in socks.iter().enumerate() {
        match tokio::time::timeout_at(deadline, s.recv_from(&mut buf)).await {
            Ok(Ok((n, _))) if &buf[..n] == b"pong" => {
                log.note(&format!("client{}", i + 2), "received \"pong\"");
            }
            _ => missing.push(format!("client{}", i + 2)),
        }
    }
    steps.push(if missing.is_empty() && socks.len() == 3 {
        log.pass("three-clients")
    } else {
        log.fail(
            "three-clients",
            format!(
                "{} got no pong: each answer must go to the address and port its ping came from",
                missing.join(", ")
            ),
        )
    });
}

// ---- HTTP ----------------------------------------------------------------------------------

/// One HTTP response as a client reads it.
#[derive(Debug)]
struct Resp {
    status: u16,
    body: Vec<u8>,
    /// How the body was framed: `content-length`, `chunked`, or `close`.
    framing: &'static str,
}

/// Read one response from `c` (`buf` keeps what is read past it).
async fn read_response(c: &mut Conn, buf: &mut Vec<u8>) -> Result<Resp, String> {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut chunk = vec![0u8; 16 * 1024];
    // Bounded by the deadline (and each read makes progress or ends).
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut r = httparse::Response::new(&mut headers);
        match r.parse(buf) {
            Ok(httparse::Status::Complete(head)) => {
                let status = r.code.unwrap_or(0);
                let get = |n: &str| {
                    r.headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(n))
                        .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
                };
                let length = get("content-length").and_then(|v| v.parse::<usize>().ok());
                let chunked = get("transfer-encoding").is_some_and(|v| v.ends_with("chunked"));
                buf.drain(..head);
                return if chunked {
                    read_chunked(c, buf, deadline).await.map(|body| Resp {
                        status,
                        body,
                        framing: "chunked",
                    })
                } else if let Some(n) = length {
                    fill(c, buf, n, deadline).await?;
                    let body: Vec<u8> = buf.drain(..n).collect();
                    Ok(Resp {
                        status,
                        body,
                        framing: "content-length",
                    })
                } else if status == 204 || status == 304 || (100..200).contains(&status) {
                    Ok(Resp {
                        status,
                        body: Vec::new(),
                        framing: "content-length",
                    })
                } else {
                    // Read until close.
                    loop {
                        match tokio::time::timeout_at(deadline, c.read(&mut chunk)).await {
                            Ok(Ok(0)) => break,
                            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
                            _ => return Err("the response had no Content-Length and no chunked encoding, so the client could only read until close — and the connection stayed open".into()),
                        }
                    }
                    Ok(Resp {
                        status,
                        body: std::mem::take(buf),
                        framing: "close",
                    })
                };
            }
            Ok(httparse::Status::Partial) => {}
            Err(e) => {
                return Err(format!(
                    "the response is not valid HTTP ({e}): {}",
                    show(buf)
                ))
            }
        }
        match tokio::time::timeout_at(deadline, c.read(&mut chunk)).await {
            Err(_) => {
                return Err(if buf.is_empty() {
                    format!("no response within {} s", WAIT.as_secs())
                } else {
                    format!(
                        "an incomplete response head within {} s: {}",
                        WAIT.as_secs(),
                        show(buf)
                    )
                })
            }
            Ok(Ok(0)) => {
                return Err(if buf.is_empty() {
                    "the connection closed without a response".into()
                } else {
                    format!(
                        "the connection closed in the middle of the response head: {}",
                        show(buf)
                    )
                })
            }
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) => return Err(format!("the connection failed ({})", super::os_error(&e))),
        }
    }
}

/// Read until `buf` holds `n` bytes.
async fn fill(
    c: &mut Conn,
    buf: &mut Vec<u8>,
    n: usize,
    deadline: tokio::time::Instant,
) -> Result<(), String> {
    let mut chunk = vec![0u8; 16 * 1024];
    while buf.len() < n {
        match tokio::time::timeout_at(deadline, c.read(&mut chunk)).await {
            Ok(Ok(0)) => {
                return Err(format!(
                    "the connection closed after {} of the {n} body bytes Content-Length promised",
                    buf.len()
                ))
            }
            Ok(Ok(k)) => buf.extend_from_slice(&chunk[..k]),
            _ => {
                return Err(format!(
                    "only {} of the {n} body bytes Content-Length promised arrived",
                    buf.len()
                ))
            }
        }
    }
    Ok(())
}

/// A chunked body (trailers skipped).
async fn read_chunked(
    c: &mut Conn,
    buf: &mut Vec<u8>,
    deadline: tokio::time::Instant,
) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    // Bounded: each chunk consumes bytes; at most 10,000 chunks.
    for _ in 0..10_000 {
        let line_end = loop {
            if let Some(i) = buf.windows(2).position(|w| w == b"\r\n") {
                break i;
            }
            let have = buf.len();
            fill(c, buf, have + 1, deadline).await?;
        };
        let line = String::from_utf8_lossy(&buf[..line_end]).to_string();
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("a bad chunk size line: {}", show(line.as_bytes())))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // Trailers end with an empty line.
            loop {
                if let Some(i) = buf.windows(2).position(|w| w == b"\r\n") {
                    buf.drain(..i + 2);
                    if i == 0 {
                        return Ok(body);
                    }
                } else {
                    let have = buf.len();
                    fill(c, buf, have + 1, deadline).await?;
                }
            }
        }
        fill(c, buf, size + 2, deadline).await?;
        body.extend(buf.drain(..size));
        buf.drain(..2);
    }
    Err("more than 10,000 chunks".into())
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: netlab\r\n\r\n").into_bytes()
}

async fn http_hello(d: Arc<Dialer>, t: Target, steps: Steps) {
    // hello and not-found, each on a fresh connection.
    for (name, path, want) in [("hello", "/hello", 200u16), ("not-found", "/nope", 404)] {
        let mut log = Log::new();
        let mut c = match connect(&d, &t).await {
            Ok(c) => c,
            Err(e) => {
                steps.push(log.fail(name, format!("could not connect: {}", super::os_error(&e))));
                continue;
            }
        };
        log.note("client1", format!("GET {path}"));
        let _ = c.write_all(&get(path)).await;
        let mut buf = Vec::new();
        steps.push(match read_response(&mut c, &mut buf).await {
            Err(e) => log.fail(name, e),
            Ok(r) => {
                log.note("client1", format!("response {} ({}, body {})", r.status, r.framing, show(&r.body)));
                if r.status != want {
                    log.fail(name, format!("GET {path} answered {}, expected {want}", r.status))
                } else if name == "hello" && String::from_utf8_lossy(&r.body).trim() != "Hello World" {
                    log.fail(name, format!("the body was {}, expected \"Hello World\"", show(&r.body)))
                } else if r.framing == "close" {
                    log.fail(name, "the response had no Content-Length and no chunked encoding, so the client could only read until close")
                } else {
                    log.pass(name)
                }
            }
        });
    }
    // keep-alive: three requests, one connection.
    let mut log = Log::new();
    steps.push(match connect(&d, &t).await {
        Err(e) => log.fail(
            "keep-alive",
            format!("could not connect: {}", super::os_error(&e)),
        ),
        Ok(mut c) => {
            let mut buf = Vec::new();
            let mut problem = None;
            for i in 1..=3 {
                let _ = c.write_all(&get("/hello")).await;
                log.note(
                    "client1",
                    format!("GET /hello (request {i} on this connection)"),
                );
                match read_response(&mut c, &mut buf).await {
                    Ok(r) => log.note("client1", format!("response {} ({})", r.status, r.framing)),
                    Err(e) => {
                        problem = Some(format!("request {i} on the same connection: {e}"));
                        break;
                    }
                }
            }
            match problem {
                None => log.pass("keep-alive"),
                Some(p) => log.fail("keep-alive", p),
            }
        }
    });
    // pipelined: two requests in one write, answered in order.
    let mut log = Log::new();
    steps.push(match connect(&d, &t).await {
        Err(e) => log.fail("pipelined", format!("could not connect: {}", super::os_error(&e))),
        Ok(mut c) => {
            let mut both = get("/hello");
            both.extend(get("/nope"));
            let _ = c.write_all(&both).await;
            log.note("client1", "GET /hello and GET /nope in one write");
            let mut buf = Vec::new();
            let first = read_response(&mut c, &mut buf).await;
            let second = match &first {
                Ok(_) => read_response(&mut c, &mut buf).await,
                Err(_) => Err(String::new()),
            };
            match (first, second) {
                (Ok(a), Ok(b)) => {
                    log.note("client1", format!("responses {} then {}", a.status, b.status));
                    if (a.status, b.status) == (200, 404) {
                        log.pass("pipelined")
                    } else {
                        log.fail("pipelined", format!("answered {} then {}: pipelined requests must be answered in the order they came (200 for /hello, then 404)", a.status, b.status))
                    }
                }
                (Err(e), _) => log.fail("pipelined", format!("the first of two pipelined requests: {e}")),
                (Ok(_), Err(e)) => log.fail("pipelined", format!("the second of two pipelined requests: {e}")),
            }
        }
    });
    // bad-request: garbage gets 400; a new connection is still served.
    let mut log = Log::new();
    let garbage = match connect(&d, &t).await {
        Err(e) => Err(format!("could not connect: {}", super::os_error(&e))),
        Ok(mut c) => {
            // Spaces inside the URL: a request line no HTTP/1.1 parser accepts.
            let garbage = b"GET /not a valid request HTTP/1.1\r\nHost: netlab\r\n\r\n";
            let _ = c.write_all(garbage).await;
            log.note("client1", format!("write {}", show(garbage)));
            let mut buf = Vec::new();
            read_response(&mut c, &mut buf).await
        }
    };
    let after = match connect(&d, &t).await {
        Err(e) => Err(format!(
            "could not connect afterwards: {}",
            super::os_error(&e)
        )),
        Ok(mut c) => {
            let _ = c.write_all(&get("/hello")).await;
            let mut buf = Vec::new();
            read_response(&mut c, &mut buf).await
        }
    };
    steps.push(match (garbage, after) {
        (_, Err(e)) => log.fail(
            "bad-request",
            format!("after a garbage request, your server no longer answers ({e}): did it crash?"),
        ),
        (Ok(r), Ok(_)) if r.status == 400 => {
            log.note("client1", "response 400");
            log.pass("bad-request")
        }
        (Ok(r), Ok(_)) => log.fail(
            "bad-request",
            format!(
                "a garbage request was answered {}, expected 400 Bad Request",
                r.status
            ),
        ),
        (Err(e), Ok(_)) => log.fail("bad-request", format!("a garbage request got no 400 ({e})")),
    });
}

//! Drivers: netlab's scripted clients for server labs, one function per driver, each a list of
//! named **steps** (`step` checks in `lab.toml` refer to them). A step does what a real client
//! does — including the awkward cases: bytes one at a time, two clients at once, an early end,
//! 8 MiB read slowly, pipelined requests, garbage — and writes down what it sent and saw, so
//! that a failure reads as "the connection closed before any echo" with the client-side
//! timeline below it.
//!
//! Every wait is bounded ([`WAIT`]); the run's own limit bounds the whole driver.
//!
//! This module holds the table of drivers and what every driver shares (the step record,
//! streams, bounded reads); the drivers themselves live in [`stream`] (TCP and Unix byte
//! streams), [`udp`] and [`http`].

mod http;
pub mod lanes;
mod stream;
mod udp;

use super::dial::Dialer;
use super::os_error;

/// The step's sentence when netlab's client could not reach the learner's server.
fn could_not_connect(e: &std::io::Error) -> String {
    format!("could not connect: {}", os_error(e))
}
use super::{ByteDiff, StepResult};
use crate::sandbox::Pool;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

/// How long a client waits for any one answer.
pub const WAIT: Duration = Duration::from_secs(2);

/// Where the learner's server listens.
#[derive(Clone, Debug)]
pub struct Target {
    pub port: Option<u16>,
    pub socket: Option<PathBuf>,
    /// For HTTPS: the only CA netlab's client trusts.
    pub ca_pem: Option<String>,
    /// The learner's server process, when visible from here (its memory is read from
    /// `/proc/<pid>/status`).
    pub server_pid: Option<u32>,
}

/// A driver's future; it pushes each step's result to [`Steps`] as the step ends.
pub type DriveFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The steps done so far, shared with the runner: when the run's limit cuts a driver short,
/// the steps it finished still count.
#[derive(Clone, Default)]
pub struct Steps {
    done: Arc<std::sync::Mutex<Vec<StepResult>>>,
    /// Where a failed step is reported before it counts, so that the runner can look at the
    /// server first (did it exit?); the driver waits for the answer, and when the server has
    /// exited the runner records the step itself and stops the drive.
    ask: Option<tokio::sync::mpsc::Sender<Failed>>,
}

/// A failed step the runner is asked about; answering `reply` lets the driver go on.
pub struct Failed {
    pub step: StepResult,
    pub reply: tokio::sync::oneshot::Sender<()>,
}

impl Steps {
    /// Steps whose failures are first reported to `ask`.
    pub fn watched(ask: tokio::sync::mpsc::Sender<Failed>) -> Steps {
        Steps {
            done: Arc::default(),
            ask: Some(ask),
        }
    }

    async fn push(&self, s: StepResult) {
        if let (false, Some(ask)) = (s.ok, &self.ask) {
            let (reply, answer) = tokio::sync::oneshot::channel();
            let failed = Failed {
                step: s.clone(),
                reply,
            };
            if ask.send(failed).await.is_ok() {
                let _ = answer.await;
            }
        }
        self.record(s);
    }

    /// Record a step as it is.
    pub fn record(&self, s: StepResult) {
        self.done.lock().unwrap_or_else(|e| e.into_inner()).push(s);
    }

    /// Every step finished so far.
    pub fn take(&self) -> Vec<StepResult> {
        std::mem::take(&mut *self.done.lock().unwrap_or_else(|e| e.into_inner()))
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

    /// Every step a check may name, in the order a run records them: `listening`, the
    /// driver's, then `socket-removed` (checked after the stop).
    pub fn step_names(&self) -> Vec<&'static str> {
        std::iter::once("listening")
            .chain(self.steps.iter().map(|(n, _)| *n))
            .chain(std::iter::once(super::SOCKET_REMOVED))
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
        run: |d, t, s| Box::pin(stream::echo(d, t, s)),
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
        run: |d, t, s| Box::pin(stream::greeting(d, t, s)),
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
        run: |d, t, s| Box::pin(stream::halfopen(d, t, s)),
    },
    Driver {
        name: "bulk",
        steps: &[
            (
                "all-bytes",
                "a client that reads slowly gets all 32 MiB of lines, in order, then the server's end",
            ),
            (
                "memory",
                "while it does, the server's peak memory grows by less than the payload (write() → false waits for 'drain')",
            ),
        ],
        pool: Pool { tcp: 2, udp: 0 },
        run: |d, t, s| Box::pin(stream::bulk_server(d, t, s)),
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
        run: |d, t, s| Box::pin(udp::udp_pong(d, t, s)),
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
        run: |d, t, s| Box::pin(http::http_hello(d, t, s)),
    },
    Driver {
        name: "http-upload",
        steps: &[
            (
                "length",
                "POST /upload with a Content-Length body answers 200 got N bytes",
            ),
            (
                "chunked",
                "POST /upload with a chunked body answers 200 got N bytes",
            ),
            (
                "continue",
                "Expect: 100-continue gets 100 Continue before the body is sent, then 200",
            ),
            (
                "too-large",
                "Expect: 100-continue with more than 1 MiB declared gets 417, and the server keeps serving",
            ),
        ],
        pool: Pool { tcp: 8, udp: 0 },
        run: |d, t, s| Box::pin(http::http_upload(d, t, s)),
    },
    Driver {
        name: "http-upgrade",
        steps: &[
            (
                "switch",
                "GET /chat with Upgrade: netlab-echo answers 101 Switching Protocols, Upgrade: netlab-echo",
            ),
            (
                "raw-echo",
                "after the 101, raw bytes come back on the same socket, and the client's end gets the server's",
            ),
            (
                "early-bytes",
                "bytes sent in the same write as the upgrade request come back too",
            ),
            (
                "no-upgrade",
                "a plain GET /chat gets an ordinary response, not 101",
            ),
        ],
        pool: Pool { tcp: 8, udp: 0 },
        run: |d, t, s| Box::pin(http::http_upgrade(d, t, s)),
    },
    Driver {
        name: "https-hello",
        steps: &[
            (
                "handshake",
                "a TLS handshake to localhost succeeds, verifying the server's certificate against NETLAB_CA",
            ),
            (
                "hello",
                "GET /hello over TLS answers 200 with the body Hello World",
            ),
        ],
        pool: Pool { tcp: 4, udp: 0 },
        run: |d, t, s| Box::pin(http::https_hello(d, t, s)),
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
            diff: None,
        }
    }

    fn fail(self, name: &str, detail: impl Into<String>) -> StepResult {
        StepResult {
            name: name.into(),
            ok: false,
            detail: detail.into(),
            transcript: self.lines,
            diff: None,
        }
    }

    /// A failure where the client expected `want` and got `got`: the detail ends with where
    /// they first differ (when the client got anything at all).
    fn fail_bytes(
        self,
        name: &str,
        detail: impl Into<String>,
        want: &[u8],
        got: &[u8],
    ) -> StepResult {
        let diff = (!got.is_empty()).then(|| ByteDiff::of(want, got)).flatten();
        self.fail_diff(name, detail, diff)
    }

    /// A failure with a byte difference already measured.
    fn fail_diff(
        self,
        name: &str,
        detail: impl Into<String>,
        diff: Option<ByteDiff>,
    ) -> StepResult {
        let mut detail = detail.into();
        if let Some(d) = &diff {
            detail.push_str(&format!("; {}", d.text()));
        }
        StepResult {
            diff,
            ..self.fail(name, detail)
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

use lanes::Conn;

/// Connect to the server: a new client lane with its `connect` (or `error` and `close`).
async fn connect(d: &Dialer, t: &Target) -> std::io::Result<Conn> {
    let made: std::io::Result<(Box<dyn lanes::Duplex>, String)> = match (&t.socket, t.port) {
        (Some(p), _) => d
            .unix(p)
            .await
            .map(|s| (Box::new(s) as _, p.display().to_string())),
        (None, Some(port)) => d
            .tcp(port)
            .await
            .map(|s| (Box::new(s) as _, format!("127.0.0.1:{port}"))),
        _ => Err(std::io::Error::other("nowhere to connect")),
    };
    match made {
        Ok((io, peer)) => Ok(Conn::connected(io, d.lanes(), peer)),
        Err(e) => {
            d.lanes().refused(&e);
            Err(e)
        }
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

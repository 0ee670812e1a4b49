//! Running a learner's client against a lab's server, safely.
//!
//! [`run`] starts the lab's scenario in-process on a free port (or a fresh Unix socket path),
//! runs the client command with `NETLAB_HOST`, `NETLAB_PORT` (and `NETLAB_SOCKET`) set and stdin
//! at /dev/null, waits for it within the time limit, and then makes sure nothing it started is
//! left running:
//!
//! - the client runs in its own process group, killed as a whole;
//! - netlab is a *child subreaper* (Linux `PR_SET_CHILD_SUBREAPER`), so processes that escape
//!   the group (`setsid`, double fork) are re-parented to netlab instead of init;
//! - every process of the run carries a `NETLAB_RUN=<id>` marker in its environment; after the
//!   client ends, netlab kills every process with that marker, repeating until none is left
//!   (bounded), and reaps the ones re-parented to it.
//!
//! Captured stdout and stderr are capped ([`OUTPUT_CAP`]); the rest is read and counted but not
//! kept, so a client printing a gigabyte costs time, not memory. When the client is gone,
//! netlab waits (bounded) until the server has seen every connection close, then stops it; the
//! timeline is then complete for grading.

use crate::lab::model::Lab;
use crate::scenario::{self, BindSpec, ServeConfig};
use crate::trace::canon::CanonTrace;
use crate::trace::{Entry, Recorder};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio_util::sync::CancellationToken;

/// Bytes of stdout and of stderr kept for grading and reports.
pub const OUTPUT_CAP: usize = 256 * 1024;
/// How long the server may take to see every connection close after the client is gone.
pub const SETTLE: Duration = Duration::from_secs(2);

/// How the client ended.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum ExitStatus {
    /// Exited by itself with this code.
    Exited { code: i32 },
    /// Killed by a signal it did not ask for (a crash, or killed by someone else).
    Signaled { signal: i32 },
    /// Still running at the time limit: netlab stopped it.
    TimedOut,
    /// Could not be started at all.
    NotStarted { error: String },
}

/// What the client did, as seen from outside.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ClientOutcome {
    pub status: ExitStatus,
    /// From spawn to exit (or to the limit).
    pub seconds: f64,
    /// Captured stdout (at most [`OUTPUT_CAP`] bytes).
    #[serde(skip)]
    pub stdout: Vec<u8>,
    /// Total bytes the client wrote to stdout.
    pub stdout_bytes: u64,
    #[serde(skip)]
    pub stderr: Vec<u8>,
    pub stderr_bytes: u64,
    /// Processes of the run still alive after the client ended, which netlab killed.
    pub leftovers_killed: usize,
}

/// Everything a grader needs from one run.
pub struct RunResult {
    pub client: ClientOutcome,
    /// The server's timeline (most recent entries; bounded).
    pub entries: Vec<Arc<Entry>>,
    /// The server-side canonical trace.
    pub trace: CanonTrace,
    /// Where the server listened, for the reproduce line.
    pub port: Option<u16>,
    pub socket: Option<PathBuf>,
}

/// Why a run could not happen at all (netlab's problem, not the client's).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot start the lab's server: {0}")]
    Server(std::io::Error),
}

static RUN_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Make this process a child subreaper, once. Orphans of clients then come back to us.
fn become_subreaper() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Not fatal where unsupported: the environment marker still finds escaped processes.
        let _ = nix::sys::prctl::set_child_subreaper(true);
    });
}

/// Run `cmd` (program and arguments) as the client of `lab`, in `cwd`.
pub async fn run(
    lab: &Lab,
    cmd: &[String],
    cwd: &Path,
    time_limit: Duration,
) -> Result<RunResult, RunError> {
    become_subreaper();
    let scenario = scenario::find(&lab.scenario).ok_or_else(|| {
        RunError::Server(std::io::Error::other(format!(
            "unknown scenario `{}`",
            lab.scenario
        )))
    })?;
    let sock_dir = tempfile::Builder::new()
        .prefix("netlab-check-")
        .tempdir()
        .map_err(RunError::Server)?;
    let spec = BindSpec {
        host: "127.0.0.1".into(),
        port: Some(0),
        socket: Some(sock_dir.path().join("lab.sock")),
        ca_out: Some(sock_dir.path().join("ca.pem")),
    };
    let bound = scenario::bind(scenario, &spec)
        .await
        .map_err(RunError::Server)?;
    let port = bound.port();
    let socket = bound.socket_path();
    let ca = bound.ca_path();

    let recorder = Recorder::new();
    let mut sub = recorder.subscribe();
    let cancel = CancellationToken::new();
    let mut cfg = ServeConfig::default();
    if let Some(b) = lab.bulk_bytes {
        cfg.bulk_bytes = b;
    }
    let server = {
        let (rec, cancel) = (recorder.clone(), cancel.clone());
        tokio::spawn(async move { scenario::run(scenario, bound, cfg, cancel, rec).await })
    };

    let run_id = format!(
        "{}-{}",
        std::process::id(),
        RUN_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let client = run_client(
        cmd,
        cwd,
        time_limit,
        &run_id,
        port,
        socket.as_deref(),
        ca.as_deref(),
    )
    .await;

    // Let the server see every connection close (the client is gone; its sockets closed with
    // it), bounded by SETTLE: re-check whenever the timeline moves, rather than sleeping.
    recorder
        .settle(&mut sub, tokio::time::Instant::now() + SETTLE)
        .await;
    cancel.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;

    Ok(RunResult {
        client,
        entries: recorder.recent(),
        trace: recorder.canonical().server_side(),
        port,
        socket,
    })
}

async fn run_client(
    cmd: &[String],
    cwd: &Path,
    limit: Duration,
    run_id: &str,
    port: Option<u16>,
    socket: Option<&Path>,
    ca: Option<&Path>,
) -> ClientOutcome {
    let started = Instant::now();
    let mut c = tokio::process::Command::new(&cmd[0]);
    c.args(&cmd[1..])
        .current_dir(cwd)
        .env("NETLAB_HOST", "127.0.0.1")
        .env("NETLAB_RUN", run_id)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(p) = port {
        c.env("NETLAB_PORT", p.to_string());
    }
    if let Some(s) = socket {
        c.env("NETLAB_SOCKET", s);
    }
    if let Some(ca) = ca {
        c.env("NETLAB_CA", ca);
    }
    let mut child = match c.spawn() {
        Ok(ch) => ch,
        Err(e) => {
            return ClientOutcome {
                status: ExitStatus::NotStarted {
                    error: format!("{}: {e}", cmd[0]),
                },
                seconds: 0.0,
                stdout: Vec::new(),
                stdout_bytes: 0,
                stderr: Vec::new(),
                stderr_bytes: 0,
                leftovers_killed: 0,
            }
        }
    };
    let pgid = child.id().map(|p| p as i32);
    let out = tokio::spawn(capture(child.stdout.take()));
    let err = tokio::spawn(capture(child.stderr.take()));

    let status = match tokio::time::timeout(limit, child.wait()).await {
        Ok(Ok(st)) => {
            use std::os::unix::process::ExitStatusExt;
            match (st.code(), st.signal()) {
                (Some(code), _) => ExitStatus::Exited { code },
                (None, Some(sig)) => ExitStatus::Signaled { signal: sig },
                _ => ExitStatus::Exited { code: -1 },
            }
        }
        Ok(Err(e)) => ExitStatus::NotStarted {
            error: e.to_string(),
        },
        Err(_) => ExitStatus::TimedOut,
    };
    let seconds = started.elapsed().as_secs_f64();
    if let Some(pg) = pgid {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pg),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let _ = child.kill().await;
    let leftovers_killed = kill_marked(run_id);
    // The pipes close once every process holding them is dead; bounded all the same.
    let (stdout, stdout_bytes) = tokio::time::timeout(Duration::from_secs(2), out)
        .await
        .ok()
        .and_then(|r| r.ok())
        .unwrap_or_default();
    let (stderr, stderr_bytes) = tokio::time::timeout(Duration::from_secs(2), err)
        .await
        .ok()
        .and_then(|r| r.ok())
        .unwrap_or_default();
    ClientOutcome {
        status,
        seconds,
        stdout,
        stdout_bytes,
        stderr,
        stderr_bytes,
        leftovers_killed,
    }
}

/// Read a pipe to its end, keeping the first [`OUTPUT_CAP`] bytes and counting the rest.
async fn capture(pipe: Option<impl tokio::io::AsyncRead + Unpin>) -> (Vec<u8>, u64) {
    let Some(mut pipe) = pipe else {
        return (Vec::new(), 0);
    };
    let mut kept = Vec::new();
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                total += n as u64;
                let room = OUTPUT_CAP.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    (kept, total)
}

/// Kill every process whose environment carries `NETLAB_RUN=<run_id>`, until none is left
/// (bounded), and reap those re-parented to us. Returns how many were found.
pub fn kill_marked(run_id: &str) -> usize {
    let marker = format!("NETLAB_RUN={run_id}");
    let me = std::process::id() as i32;
    let mut killed = std::collections::BTreeSet::new();
    for _round in 0..50 {
        let found = marked_pids(&marker);
        if found.is_empty() {
            break;
        }
        for pid in &found {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(*pid),
                nix::sys::signal::Signal::SIGKILL,
            );
            killed.insert(*pid);
        }
        for pid in &found {
            if parent_of(*pid) == Some(me) {
                let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(*pid), None);
            }
        }
    }
    // Zombies re-parented to us that died on their own before the scan.
    for pid in killed.iter() {
        let _ = nix::sys::wait::waitpid(
            nix::unistd::Pid::from_raw(*pid),
            Some(nix::sys::wait::WaitPidFlag::WNOHANG),
        );
    }
    killed.len()
}

fn marked_pids(marker: &str) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id() as i32;
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != me)
        .filter(|&pid| {
            // A zombie's environ is empty: it is dead already and is reaped below.
            std::fs::read(format!("/proc/{pid}/environ"))
                .map(|env| env.split(|&b| b == 0).any(|kv| kv == marker.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}

fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) are space separated.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(1)?.parse().ok()
}

//! Running a learner's client against a lab's server, safely.
//!
//! [`run`] is the one place learner clients are started (`netlab check`, `netlab grade`, the
//! TUI's lab checks and watch mode, `netlab dev check` all come here). It starts the lab's
//! scenario in-process, runs the client through the [sandbox](crate::sandbox) (at the
//! process-wide [`sandbox::mode`]) with `NETLAB_HOST`, `NETLAB_PORT` (or `NETLAB_SOCKET`,
//! `NETLAB_CA`) set and stdin at /dev/null, waits for it within the time limit, and then
//! makes sure nothing it started is left running:
//!
//! - with the sandbox's PID namespace, the namespace's init exits when the client does and the
//!   kernel kills every process of the run; without it the launcher is a child subreaper that
//!   kills whatever the client left;
//! - the client runs in its own process group, killed as a whole at the time limit;
//! - netlab is a child subreaper too (Linux `PR_SET_CHILD_SUBREAPER`): every process
//!   re-parented to netlab in another session (`setsid`) that is not a live run is killed and
//!   reaped after each run;
//! - every process of the run carries a `NETLAB_RUN=<id>` marker in its environment; after the
//!   client ends, netlab kills every process with that marker, repeating until none is left
//!   (bounded), and reaps the ones re-parented to it.
//!
//! Captured stdout and stderr are capped ([`OUTPUT_CAP`]); the rest is read and counted but not
//! kept, so a client printing a gigabyte costs time, not memory. Output is kept as it arrives:
//! once the run's processes are gone netlab waits only briefly ([`DRAIN`]) for the pipes to
//! close, so a process that escaped and holds them open cannot change the verdict. When the
//! client is gone, netlab waits (bounded) until the server has seen every connection close,
//! then stops it; the timeline is then complete for grading.
//!
//! Every run with the sandbox's network namespace also captures its packets (the wire view):
//! the launcher opens a packet socket on the run's loopback before it drops its capabilities
//! and hands it over; the capture records into the server's recorder and is stopped after the
//! server. The packets come back as [`RunResult::wire`], apart from the entries the checks
//! grade, so a grade never depends on them unless a check reads them.

use crate::lab::model::Lab;
use crate::sandbox::{self, Level, Listen, Mode, Policy, SandboxError};
use crate::scenario::{self, BindSpec, Bound, Running, ServeConfig, Transport};
use crate::trace::canon::CanonTrace;
use crate::trace::{Entry, Recorder};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

/// Bytes of stdout and of stderr kept for grading and reports.
pub const OUTPUT_CAP: usize = 256 * 1024;
/// How long netlab keeps reading stdout/stderr after the run's processes are gone.
pub const DRAIN: Duration = Duration::from_millis(500);

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

impl ExitStatus {
    /// How a sandboxed program ended, from its launcher's report (call once the launcher
    /// exited or was killed): no report means it was killed with the launcher.
    pub fn of_sandboxed(end: &crate::sandbox::spawn::Ending) -> ExitStatus {
        if let Some(error) = &end.exec_failed {
            return ExitStatus::NotStarted {
                error: error.clone(),
            };
        }
        match end.status {
            Some(Ok(code)) => ExitStatus::Exited { code },
            Some(Err(signal)) => ExitStatus::Signaled { signal },
            None => ExitStatus::Signaled {
                signal: libc::SIGKILL,
            },
        }
    }
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
    /// The sandbox level the client ran under (`landlock+userns+seccomp`, `rlimits only`,
    /// `off`), for report headers, JSON and JUnit.
    pub sandbox: String,
}

impl ClientOutcome {
    pub(crate) fn not_started(error: String, sandbox: &Level) -> ClientOutcome {
        ClientOutcome {
            status: ExitStatus::NotStarted { error },
            seconds: 0.0,
            stdout: Vec::new(),
            stdout_bytes: 0,
            stderr: Vec::new(),
            stderr_bytes: 0,
            leftovers_killed: 0,
            sandbox: sandbox.to_string(),
        }
    }
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
    /// Server labs: what netlab's clients observed, step by step (empty for client labs).
    pub steps: Vec<crate::lab::server::StepResult>,
    /// The per-run token the server put in what it sent (labs with `nonce = true`), so a
    /// check can tell printing what was received from printing a literal.
    pub nonce: Option<String>,
    /// The packets of the run (the wire view), kept apart from `entries`.
    pub wire: WireLane,
}

/// The run's packets, captured on the loopback of the run's own network namespace (every
/// sandboxed run with namespaces has one). Kept apart from [`RunResult::entries`], so grading
/// sees exactly the socket events it always saw; a check that wants the packets reads these.
#[derive(Clone, Debug, Default)]
pub struct WireLane {
    /// The wire entries (`wire#N` segments, datagrams, drops), oldest first.
    pub entries: Vec<Arc<Entry>>,
    /// Packets captured.
    pub packets: u64,
    /// Packets the kernel dropped before netlab read them.
    pub drops: u64,
    /// Why there is no capture (no network namespace of its own, `--sandbox off`…).
    pub unavailable: Option<String>,
}

impl WireLane {
    /// No capture, for this reason.
    pub fn unavailable(why: impl Into<String>) -> WireLane {
        WireLane {
            unavailable: Some(why.into()),
            ..WireLane::default()
        }
    }

    /// Stop `capture` (after the server stopped: it drains what is queued first) and split
    /// the recorder's entries into the socket events and the wire lane.
    pub(crate) async fn collect(
        capture: Result<crate::wire::Capture, String>,
        entries: Vec<Arc<Entry>>,
    ) -> (Vec<Arc<Entry>>, WireLane) {
        let stats = match capture {
            Ok(c) => tokio::task::spawn_blocking(move || c.stop())
                .await
                .map_err(|e| e.to_string()),
            Err(why) => Err(why),
        };
        let (wire, entries): (Vec<_>, Vec<_>) = entries.into_iter().partition(|e| is_wire(e));
        let lane = match stats {
            Ok(st) => WireLane {
                entries: wire,
                packets: st.packets,
                drops: st.drops,
                unavailable: None,
            },
            Err(why) => WireLane::unavailable(why),
        };
        (entries, lane)
    }
}

/// Whether `e` is on the wire lane (a packet), not a socket event.
pub fn is_wire(e: &Entry) -> bool {
    matches!(e.scope, crate::trace::Scope::Wire { .. })
}

static PCAP: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Write the next runs' packets to `path` as pcapng (`netlab check --pcap`); `None` stops.
/// Process-wide, like [`sandbox::mode`].
pub fn set_pcap(path: Option<PathBuf>) {
    *PCAP.lock().unwrap_or_else(|e| e.into_inner()) = path;
}

fn pcap_target() -> Option<PathBuf> {
    PCAP.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Start capturing the run's packets into `recorder` on the packet socket the launcher
/// opened in the run's network namespace (`Err`: why there is none).
pub(crate) fn start_capture(
    fd: Result<std::os::fd::OwnedFd, String>,
    recorder: &Recorder,
    port: Option<u16>,
    tls: bool,
) -> Result<crate::wire::Capture, String> {
    let opts = crate::wire::CaptureOpts {
        ports: port.into_iter().collect(),
        host_lo_filter: false,
        tls,
        pcap: pcap_target(),
    };
    crate::wire::Capture::start(fd?, recorder.clone(), opts)
        .map_err(|e| format!("cannot capture packets ({e})"))
}

/// Why a run could not happen at all (netlab's problem, not the client's).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot start the lab's server: {0}")]
    Server(std::io::Error),
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
}

static RUN_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Processes netlab started for runs still going (launchers, or clients with `--sandbox
/// off`): never taken for orphans.
static LIVE: Mutex<Option<HashSet<i32>>> = Mutex::new(None);

pub(crate) fn live(pid: Option<u32>, add: bool) {
    let Some(pid) = pid else { return };
    let mut g = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    let set = g.get_or_insert_with(HashSet::new);
    if add {
        set.insert(pid as i32);
    } else {
        set.remove(&(pid as i32));
    }
}

/// Make this process a child subreaper, once. Orphans of clients then come back to us.
pub fn become_subreaper() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Not fatal where unsupported: the environment marker still finds escaped processes.
        let _ = nix::sys::prctl::set_child_subreaper(true);
    });
}

/// Serve the lab's scenario on `bound` (once its socket exists), with the lab's settings.
async fn serve(
    scenario: &'static scenario::Scenario,
    bound: Bound,
    lab: &Lab,
    run_id: &str,
) -> Running {
    let mut cfg = ServeConfig::default();
    if lab.nonce {
        cfg.nonce = Some(nonce_for(run_id));
    }
    if let Some(b) = lab.bulk_bytes {
        cfg.bulk_bytes = b;
    }
    Running::spawn(scenario, bound, cfg, Recorder::new()).await
}

/// Stop the server (it first sees every connection close, bounded: the client is gone and its
/// sockets closed with it) and take its timeline. No server: an empty timeline.
async fn finish(
    server: Option<Running>,
    capture: Result<crate::wire::Capture, String>,
) -> (Vec<Arc<Entry>>, CanonTrace, WireLane) {
    let recorder = server
        .as_ref()
        .map_or_else(Recorder::new, |s| s.recorder.clone());
    if let Some(s) = server {
        let _ = s.stop().await;
    }
    let (entries, wire) = WireLane::collect(capture, recorder.recent()).await;
    (entries, recorder.canonical().server_side(), wire)
}

/// Why a run without the sandbox's namespaces has no wire lane.
const NO_NAMESPACE: &str = "the run has no network namespace of its own";

/// The scenario `lab` names (validated when the lab loaded; an error here is netlab's).
pub(crate) fn scenario_of(lab: &Lab) -> Result<&'static scenario::Scenario, RunError> {
    scenario::find(&lab.scenario).ok_or_else(|| {
        RunError::Server(std::io::Error::other(format!(
            "unknown scenario `{}`",
            lab.scenario
        )))
    })
}

/// Run `cmd` (program and arguments) as the client of `lab`, in `cwd`.
pub async fn run(
    lab: &Lab,
    cmd: &[String],
    cwd: &Path,
    time_limit: Duration,
) -> Result<RunResult, RunError> {
    become_subreaper();
    // Once per process: packets are stamped as they pass, not when the capture reads them.
    crate::wire::netns::keep_timestamps_on();
    let scenario = scenario_of(lab)?;
    if cmd.is_empty() {
        return Err(RunError::Server(std::io::Error::other("no client command")));
    }
    let sock_dir = tempfile::Builder::new()
        .prefix("netlab-check-")
        .tempdir()
        .map_err(RunError::Server)?;
    let run_id = format!(
        "{}-{}",
        std::process::id(),
        RUN_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mode = sandbox::mode();
    let result = if mode == Mode::Off {
        run_plain(
            lab,
            scenario,
            cmd,
            cwd,
            time_limit,
            &run_id,
            sock_dir.path(),
            None,
        )
        .await
    } else {
        run_sandboxed(
            lab,
            scenario,
            cmd,
            cwd,
            time_limit,
            &run_id,
            sock_dir.path(),
            mode,
        )
        .await
    };
    // Whatever the run left: marked processes, and orphans re-parented to netlab.
    let swept = kill_marked(&run_id) + reap_orphans();
    result.map(|mut r| {
        r.client.leftovers_killed += swept;
        r.nonce = lab.nonce.then(|| nonce_for(&run_id));
        r
    })
}

/// The run's token: 8 hex digits from the run id and a secret drawn once per netlab process,
/// so a client cannot compute it from `NETLAB_RUN`; it must read it from the server.
pub fn nonce_for(run_id: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    static SECRET: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    let mut h = SECRET.get_or_init(Default::default).build_hasher();
    h.write(run_id.as_bytes());
    format!("{:08x}", h.finish() as u32)
}

fn spec(sock_dir: &Path) -> BindSpec {
    BindSpec {
        host: "127.0.0.1".into(),
        port: Some(0),
        socket: Some(sock_dir.join("lab.sock")),
        ca_out: Some(sock_dir.join("ca.pem")),
    }
}

/// The run's `NETLAB_*` variables (the port is added by whoever knows it).
fn netlab_vars(run_id: &str, socket: Option<&Path>, ca: Option<&Path>) -> Vec<(String, String)> {
    let mut v = vec![
        ("NETLAB_HOST".to_string(), "127.0.0.1".to_string()),
        ("NETLAB_RUN".to_string(), run_id.to_string()),
    ];
    if let Some(s) = socket {
        v.push(("NETLAB_SOCKET".into(), s.to_string_lossy().into_owned()));
    }
    if let Some(c) = ca {
        v.push(("NETLAB_CA".into(), c.to_string_lossy().into_owned()));
    }
    v
}

/// `--sandbox off` (the whole environment, no confinement), or the fallback when no launcher
/// exists (`confined`: the client's allow-listed environment and rlimits, set between fork and
/// exec with async-signal-safe calls only).
#[allow(clippy::too_many_arguments)]
async fn run_plain(
    lab: &Lab,
    scenario: &'static scenario::Scenario,
    cmd: &[String],
    cwd: &Path,
    limit: Duration,
    run_id: &str,
    sock_dir: &Path,
    confined: Option<&Path>,
) -> Result<RunResult, RunError> {
    let bound = scenario::bind(scenario, &spec(sock_dir))
        .await
        .map_err(RunError::Server)?;
    let port = bound.port();
    let socket = bound.socket_path();
    let ca = bound.ca_path();
    let server = Some(serve(scenario, bound, lab, run_id).await);
    let mut vars = netlab_vars(run_id, socket.as_deref(), ca.as_deref());
    if let Some(p) = port {
        vars.push(("NETLAB_PORT".into(), p.to_string()));
    }
    let level = if confined.is_some() {
        Level {
            basic: true,
            ..Level::default()
        }
    } else {
        Level::off()
    };
    let mut c = tokio::process::Command::new(&cmd[0]);
    c.args(&cmd[1..])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    match confined {
        Some(home) => {
            c.env_clear()
                .envs(sandbox::env::build(std::env::vars_os(), home, &vars));
            let limits = sandbox::Limits::for_time_limit(limit);
            // SAFETY: rlimit::apply makes only getrlimit/setrlimit/signal calls.
            unsafe {
                c.pre_exec(move || sandbox::rlimit::apply(&limits));
            }
        }
        None => {
            c.envs(vars);
        }
    }
    let started = Instant::now();
    let mut child = match c.spawn() {
        Ok(ch) => ch,
        Err(e) => {
            let (entries, trace, wire) = finish(server, Err(NO_NAMESPACE.into())).await;
            return Ok(RunResult {
                client: ClientOutcome::not_started(format!("{}: {e}", cmd[0]), &level),
                entries,
                trace,
                port,
                socket,
                steps: Vec::new(),
                nonce: None,
                wire,
            });
        }
    };
    live(child.id(), true);
    let pgid = child.id().map(|p| p as i32);
    let out = Capture::start(child.stdout.take());
    let err = Capture::start(child.stderr.take());
    let status = match tokio::time::timeout(limit, child.wait()).await {
        Ok(Ok(st)) => from_std(st),
        Ok(Err(e)) => ExitStatus::NotStarted {
            error: e.to_string(),
        },
        Err(_) => ExitStatus::TimedOut,
    };
    let seconds = started.elapsed().as_secs_f64();
    if let Some(pg) = pgid {
        // SAFETY: kill with the process group we made for the client.
        unsafe { libc::kill(-pg, libc::SIGKILL) };
    }
    let _ = child.kill().await;
    live(child.id().or(pgid.map(|p| p as u32)), false);
    let ended = Ended {
        status,
        seconds,
        leftovers_killed: kill_marked(run_id) + reap_orphans(),
        sandbox: level.to_string(),
    };
    let capture = Err(NO_NAMESPACE.to_string());
    Ok(collect(ended, out, err, (server, capture), port, socket).await)
}

/// How a client's run ended, before its output is collected.
struct Ended {
    status: ExitStatus,
    seconds: f64,
    leftovers_killed: usize,
    sandbox: String,
}

/// The end of every run, sandboxed or not: take what the client printed, stop the server and
/// take its timeline, and put the result together.
async fn collect(
    ended: Ended,
    out: Capture,
    err: Capture,
    (server, capture): (Option<Running>, Result<crate::wire::Capture, String>),
    port: Option<u16>,
    socket: Option<PathBuf>,
) -> RunResult {
    let (stdout, stdout_bytes) = out.finish().await;
    let (stderr, stderr_bytes) = err.finish().await;
    let (entries, trace, wire) = finish(server, capture).await;
    RunResult {
        client: ClientOutcome {
            status: ended.status,
            seconds: ended.seconds,
            stdout,
            stdout_bytes,
            stderr,
            stderr_bytes,
            leftovers_killed: ended.leftovers_killed,
            sandbox: ended.sandbox,
        },
        entries,
        trace,
        port,
        socket,
        steps: Vec::new(),
        nonce: None,
        wire,
    }
}

pub(crate) fn from_std(st: std::process::ExitStatus) -> ExitStatus {
    use std::os::unix::process::ExitStatusExt;
    match (st.code(), st.signal()) {
        (Some(code), _) => ExitStatus::Exited { code },
        (None, Some(sig)) => ExitStatus::Signaled { signal: sig },
        _ => ExitStatus::Exited { code: -1 },
    }
}

/// The sandboxed run: the launcher creates the lab's socket in the run's namespace and hands
/// it over; the server starts on it; the client runs confined.
#[allow(clippy::too_many_arguments)]
async fn run_sandboxed(
    lab: &Lab,
    scenario: &'static scenario::Scenario,
    cmd: &[String],
    cwd: &Path,
    limit: Duration,
    run_id: &str,
    sock_dir: &Path,
    mode: Mode,
) -> Result<RunResult, RunError> {
    let home = tempfile::Builder::new()
        .prefix("netlab-run-")
        .tempdir()
        .map_err(RunError::Server)?;
    let spec = spec(sock_dir);
    let (listen, unix, pki) = match scenario.transport {
        Transport::Tcp | Transport::Http if scenario::fixed_host(scenario).is_some() => {
            (Listen::Tcp6, None, None)
        }
        Transport::Tcp | Transport::Http => (Listen::Tcp, None, None),
        Transport::Udp => (Listen::Udp, None, None),
        Transport::Unix => (
            Listen::None,
            Some(
                scenario::bind(scenario, &spec)
                    .await
                    .map_err(RunError::Server)?,
            ),
            None,
        ),
        Transport::Https => {
            let pki = crate::tls::Pki::with(crate::tls::CertKind::for_scenario(scenario.name))
                .map_err(std::io::Error::other);
            let pki = pki.map_err(RunError::Server)?;
            let ca = spec.ca_out.clone().unwrap_or_default();
            std::fs::write(&ca, &pki.ca_pem).map_err(RunError::Server)?;
            (Listen::Tcp, None, Some((pki.acceptor, ca)))
        }
    };
    let socket = unix.as_ref().and_then(|b| b.socket_path());
    let ca = pki.as_ref().map(|(_, p)| p.clone());
    let vars = netlab_vars(run_id, socket.as_deref(), ca.as_deref());
    let env = sandbox::env::build(std::env::vars_os(), home.path(), &vars);
    let path_var = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut read = sandbox::paths::learner_paths(cmd, cwd);
    read.push(sock_dir.to_path_buf());
    let policy = Policy {
        require: mode == Mode::Require,
        namespaces: true,
        command: cmd.to_vec(),
        cwd: cwd.to_path_buf(),
        env,
        limits: sandbox::Limits::for_time_limit(limit),
        exec: sandbox::paths::exec_paths(Some(&cmd[0]), &path_var, cwd),
        read,
        write: vec![home.path().to_path_buf()],
        devices: sandbox::paths::DEVICES.iter().map(PathBuf::from).collect(),
        listen,
        lacking: sandbox::Lacking::from_env(),
        bind_port: None,
        pool: sandbox::Pool::default(),
        // Packets have a loopback only with TCP and UDP.
        capture: scenario.transport != Transport::Unix,
    };
    let mut started = match sandbox::start(&policy).await {
        Ok(Ok(s)) => s,
        Ok(Err(message)) => {
            return Ok(RunResult {
                client: ClientOutcome::not_started(message, &Level::off()),
                entries: Vec::new(),
                trace: finish(None, Err(String::new())).await.1,
                port: None,
                socket,
                steps: Vec::new(),
                nonce: None,
                wire: WireLane::unavailable("the client did not start"),
            })
        }
        Err(SandboxError::NoLauncher) if mode == Mode::Auto => {
            drop(unix);
            return run_plain(
                lab,
                scenario,
                cmd,
                cwd,
                limit,
                run_id,
                sock_dir,
                Some(home.path()),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    // The client's own time starts now (the sandbox's setup is netlab's overhead).
    let clock = Instant::now();
    live(started.child.id(), true);
    let launcher_pid = started.child.id();
    let bound = match (unix, started.socket.take(), pki) {
        (Some(b), _, _) => Some(b),
        (None, Some(fd), tls) if matches!(listen, Listen::Tcp | Listen::Tcp6) => {
            let l = std::net::TcpListener::from(fd);
            l.set_nonblocking(true).map_err(RunError::Server)?;
            let l = crate::engine::Listener::Tcp(
                tokio::net::TcpListener::from_std(l).map_err(RunError::Server)?,
            );
            Some(match tls {
                Some((acceptor, path)) => Bound::Tls(l, acceptor, path),
                None => Bound::Stream(l),
            })
        }
        (None, Some(fd), _) => {
            let s = std::net::UdpSocket::from(fd);
            s.set_nonblocking(true).map_err(RunError::Server)?;
            Some(Bound::Udp(
                tokio::net::UdpSocket::from_std(s).map_err(RunError::Server)?,
            ))
        }
        (None, None, _) => None,
    };
    let server = match bound {
        Some(b) => Some(serve(scenario, b, lab, run_id).await),
        None => None,
    };
    // The packet socket was opened before the client started: every frame is queued in it.
    let fd = std::mem::replace(&mut started.capture, Err(NO_NAMESPACE.into()));
    let capture = match &server {
        Some(s) => start_capture(
            fd,
            &s.recorder,
            started.port,
            scenario.transport == Transport::Https,
        ),
        None => Err(NO_NAMESPACE.into()),
    };
    let out = Capture::start(started.child.stdout.take());
    let err = Capture::start(started.child.stderr.take());
    let timed_out = tokio::time::timeout(limit, started.child.wait())
        .await
        .is_err();
    let seconds = clock.elapsed().as_secs_f64();
    if timed_out {
        started.kill();
        // The supervisor reports and cleans up once the client is gone; bounded.
        if tokio::time::timeout(Duration::from_secs(2), started.child.wait())
            .await
            .is_err()
        {
            started.kill_launcher();
            let _ = started.child.wait().await;
        }
    }
    started.kill_launcher();
    live(launcher_pid, false);
    let end = started.ending();
    let status = if timed_out {
        ExitStatus::TimedOut
    } else {
        ExitStatus::of_sandboxed(&end)
    };
    let ended = Ended {
        status,
        seconds,
        leftovers_killed: end.leftovers + kill_marked(run_id) + reap_orphans(),
        sandbox: started.level.to_string(),
    };
    Ok(collect(ended, out, err, (server, capture), started.port, socket).await)
}

/// A pipe read in the background into a shared buffer, so that what arrived is kept even
/// when the pipe never closes.
pub(crate) struct Capture {
    buf: Arc<Mutex<(Vec<u8>, u64)>>,
    task: tokio::task::JoinHandle<()>,
}

impl Capture {
    pub(crate) fn start(
        pipe: Option<impl tokio::io::AsyncRead + Unpin + Send + 'static>,
    ) -> Capture {
        let buf = Arc::new(Mutex::new((Vec::new(), 0u64)));
        let b = buf.clone();
        let task = tokio::spawn(async move { capture(pipe, &b).await });
        Capture { buf, task }
    }

    /// What was read, after waiting at most [`DRAIN`] for the end of the pipe.
    pub(crate) async fn finish(mut self) -> (Vec<u8>, u64) {
        if tokio::time::timeout(DRAIN, &mut self.task).await.is_err() {
            self.task.abort();
        }
        let mut g = self.buf.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *g)
    }
}

/// Read a pipe to its end into `into`, keeping the first [`OUTPUT_CAP`] bytes and counting
/// the rest.
async fn capture(pipe: Option<impl tokio::io::AsyncRead + Unpin>, into: &Mutex<(Vec<u8>, u64)>) {
    let Some(mut pipe) = pipe else {
        return;
    };
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let mut g = into.lock().unwrap_or_else(|e| e.into_inner());
                g.1 += n as u64;
                let room = OUTPUT_CAP.saturating_sub(g.0.len());
                g.0.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
}

/// Kill and reap every process re-parented to netlab (it is a child subreaper) that escaped
/// into another session and is not a live run. Returns how many.
pub fn reap_orphans() -> usize {
    let me = std::process::id() as i32;
    // SAFETY: getsid(0) has no preconditions.
    let my_sid = unsafe { libc::getsid(0) };
    let live: HashSet<i32> = LIVE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .unwrap_or_default();
    let mut n = 0;
    for _round in 0..20 {
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return n;
        };
        let found: Vec<i32> = dir
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| !live.contains(pid) && parent_of(*pid) == Some(me))
            // SAFETY: getsid with a pid; an error (-1) never equals our session.
            .filter(|&pid| unsafe { libc::getsid(pid) } != my_sid)
            .collect();
        if found.is_empty() {
            break;
        }
        for pid in &found {
            // SAFETY: kill + waitpid on our own child.
            unsafe {
                libc::kill(*pid, libc::SIGKILL);
                libc::waitpid(*pid, std::ptr::null_mut(), 0);
            }
        }
        n += found.len();
    }
    n
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

pub fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) are space separated.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(1)?.parse().ok()
}

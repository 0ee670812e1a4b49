//! Server labs: the learner writes the server, netlab's scripted clients drive it.
//!
//! [`run`] starts the learner's server (through the [sandbox](crate::sandbox), allowed to bind
//! its one port, or plainly with `--sandbox off`) with `NETLAB_HOST`, `NETLAB_PORT` (or
//! `NETLAB_SOCKET`; for HTTPS also `NETLAB_CERT`, `NETLAB_KEY`, `NETLAB_CA`, see [`pem`]) set; waits — bounded — until it listens, reading the kernel's socket
//! tables of the run's network namespace (`/proc/<pid>/net/tcp`…) rather than connecting, so
//! that the learner's timeline holds only netlab's clients; runs the lab's [driver](drivers)
//! (netlab's clients, each step recorded as a transcript of what they sent and saw); then stops
//! the server — SIGTERM, then after [`STOP_GRACE`] the whole run — and hands the steps to the
//! grader as a [`RunResult`].
//!
//! A server that exits by itself mid-drive is reported as such ("your server exited
//! (status 1) during step end; its stderr said: …"), not as the next step's reset or refusal: each
//! failed step is first shown to the runner ([`drivers::Steps`]), which looks whether the
//! server still listens and, if not, gives it [`EXIT_GRACE`] to finish exiting. Measured
//! (strace -f -tt): a Python server raising in its main loop closes its sockets during
//! interpreter finalization and reaches exit_group 10–20 ms after the traceback; netlab's
//! next steps fail within a millisecond of the listener closing, so without that wait the
//! stop's SIGTERM landed ~5 ms after the raise and the run read "stopped by SIGTERM" (143).
//!
//! With the sandbox's network namespace, netlab cannot reach the run's loopback from outside:
//! the launcher creates the clients' sockets inside it and passes them over
//! ([`crate::sandbox::Pool`]); a socket keeps the namespace it was created in ([`dial`]).

pub mod dial;
pub mod drivers;
pub mod pem;

use crate::lab::model::Lab;
use crate::lab::run::{
    self, become_subreaper, kill_marked, live, reap_orphans, Capture, ClientOutcome, ExitStatus,
    RunError, RunResult,
};
use crate::sandbox::{self, Level, Listen, Mode, Policy, SandboxError};
use crate::scenario::Transport;
use crate::trace::canon::CanonTrace;
use dial::Dialer;
use drivers::{Driver, Target};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// How long a server may take to start listening (bounded also by the run's limit).
pub const LISTEN_LIMIT: Duration = Duration::from_secs(10);
/// How long a server has to exit after SIGTERM before the whole run is killed.
pub const STOP_GRACE: Duration = Duration::from_secs(1);

/// One step of a driver, as netlab's clients observed it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StepResult {
    /// The step's name (`echo`, `two-clients`), which `step` checks refer to.
    pub name: String,
    /// Whether the server did the right thing.
    pub ok: bool,
    /// What went wrong, measured (`the connection closed before any echo`); empty when ok.
    pub detail: String,
    /// What the clients did and saw, line by line (the client-side timeline of the step).
    pub transcript: Vec<String>,
    /// Where the bytes the client got first differ from the bytes it expected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<ByteDiff>,
}

/// The first difference between expected and received bytes: its offset and a short window
/// of both from there, in hex and escaped (`at byte 5: expected 0a ("\n"), got 0d 0a
/// ("\r\n")`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ByteDiff {
    /// The first differing offset (0-based).
    pub offset: u64,
    /// Up to [`ByteDiff::WINDOW`] expected bytes from there, in hex (`0d 0a`); empty when the
    /// client got more than expected.
    pub expected_hex: String,
    /// The same bytes escaped (`\r\n`).
    pub expected: String,
    /// Up to [`ByteDiff::WINDOW`] received bytes from there; empty when they ended first.
    pub got_hex: String,
    pub got: String,
}

impl ByteDiff {
    /// How many bytes of each side the window shows.
    pub const WINDOW: usize = 8;

    /// The first difference between `want` and `got`, or `None` when they are equal.
    pub fn of(want: &[u8], got: &[u8]) -> Option<ByteDiff> {
        let at = want
            .iter()
            .zip(got)
            .position(|(a, b)| a != b)
            .unwrap_or(want.len().min(got.len()));
        if at == want.len() && at == got.len() {
            return None;
        }
        Some(ByteDiff::at(at as u64, &want[at..], &got[at..]))
    }

    /// A difference at `offset`, given the bytes of each side from there.
    pub fn at(offset: u64, want: &[u8], got: &[u8]) -> ByteDiff {
        let window = |b: &[u8]| {
            let w = &b[..b.len().min(Self::WINDOW)];
            let hex = w
                .iter()
                .map(|c| format!("{c:02x}"))
                .collect::<Vec<_>>()
                .join(" ");
            let more = if b.len() > w.len() { "…" } else { "" };
            (
                format!("{hex}{}", if more.is_empty() { "" } else { " …" }),
                format!("{}{more}", crate::trace::escape(w)),
            )
        };
        let (expected_hex, expected) = window(want);
        let (got_hex, got) = window(got);
        ByteDiff {
            offset,
            expected_hex,
            expected,
            got_hex,
            got,
        }
    }

    /// The difference in words: `at byte 5: expected 0a ("\n"), got 0d 0a ("\r\n")`.
    pub fn text(&self) -> String {
        let side = |hex: &str, esc: &str, none: &str| {
            if hex.is_empty() {
                none.to_string()
            } else {
                format!("{hex} (\"{esc}\")")
            }
        };
        format!(
            "at byte {}: expected {}, got {}",
            self.offset,
            side(&self.expected_hex, &self.expected, "nothing more"),
            side(&self.got_hex, &self.got, "nothing more")
        )
    }
}

/// Where the learner's server must listen.
struct Place {
    port: Option<u16>,
    socket: Option<PathBuf>,
    transport: Transport,
}

/// Run the learner's server `cmd` in `cwd` for `lab` and drive it.
pub async fn run(
    lab: &Lab,
    cmd: &[String],
    cwd: &Path,
    limit: Duration,
) -> Result<RunResult, RunError> {
    become_subreaper();
    // Once per process: packets are stamped as they pass, not when the capture reads them.
    crate::wire::netns::keep_timestamps_on();
    let scenario = run::scenario_of(lab)?;
    let driver = lab
        .driver
        .as_deref()
        .and_then(drivers::find)
        .ok_or_else(|| RunError::Server(std::io::Error::other("a server lab needs a driver")))?;
    if cmd.is_empty() {
        return Err(RunError::Server(std::io::Error::other("no server command")));
    }
    let home = tempfile::Builder::new()
        .prefix("netlab-serve-")
        .tempdir()
        .map_err(RunError::Server)?;
    let transport = scenario.transport;
    let place = Place {
        port: (transport != Transport::Unix)
            .then(|| free_port(transport == Transport::Udp))
            .transpose()
            .map_err(RunError::Server)?,
        socket: (transport == Transport::Unix).then(|| home.path().join("server.sock")),
        transport,
    };
    let run_id = format!("{}-s{}", std::process::id(), next_id());
    let mut vars = vec![
        ("NETLAB_HOST".to_string(), "127.0.0.1".to_string()),
        ("NETLAB_RUN".to_string(), run_id.clone()),
    ];
    if let Some(p) = place.port {
        vars.push(("NETLAB_PORT".into(), p.to_string()));
    }
    if let Some(s) = &place.socket {
        vars.push(("NETLAB_SOCKET".into(), s.display().to_string()));
    }
    // HTTPS: the server's certificate and key, and the CA netlab's client trusts.
    let pems = if transport == Transport::Https {
        let p = pem::write(home.path()).map_err(RunError::Server)?;
        vars.push(("NETLAB_CERT".into(), p.cert.display().to_string()));
        vars.push(("NETLAB_KEY".into(), p.key.display().to_string()));
        vars.push(("NETLAB_CA".into(), p.ca.display().to_string()));
        Some(p)
    } else {
        None
    };
    let mode = sandbox::mode();
    let mut server = if mode == Mode::Off {
        Server::plain(cmd, cwd, &vars)?
    } else {
        match Server::sandboxed(cmd, cwd, &vars, home.path(), &place, driver, limit, mode).await? {
            Ok(s) => s,
            Err(message) => {
                return Ok(not_started(message, &place));
            }
        }
    };
    let clock = Instant::now();
    // The wire view: the run's packets, on a recorder of their own (the learner's server
    // records nothing here). The packet socket was opened before the server started.
    let recorder = crate::trace::Recorder::new();
    let fd = std::mem::replace(&mut server.capture, Err(String::new()));
    let capture = run::start_capture(fd, &recorder, place.port, transport == Transport::Https);
    let out = Capture::start(server.stdout.take());
    let err = Capture::start(server.stderr.take());
    let listen_limit = LISTEN_LIMIT.min(limit);
    let listening = server.wait_listening(&place, listen_limit).await;
    // The step during which the server exited by itself, and how it ended.
    let mut exited: Option<(String, ExitStatus)> = None;
    let mut steps = vec![StepResult {
        name: "listening".into(),
        ok: listening.is_ok(),
        detail: listening.clone().err().unwrap_or_default(),
        transcript: Vec::new(),
        diff: None,
    }];
    if listening.is_ok() {
        let target = Target {
            port: place.port,
            socket: place.socket.clone(),
            ca_pem: pems.as_ref().map(|p| p.ca_pem.clone()),
            server_pid: server.pid(),
        };
        let left = limit.saturating_sub(clock.elapsed());
        let (ask, mut asked) = tokio::sync::mpsc::channel(1);
        let done = drivers::Steps::watched(ask);
        let drive = tokio::time::timeout(
            left,
            (driver.run)(server.dialer.clone(), target, done.clone()),
        );
        tokio::pin!(drive);
        let mut waited = false;
        // Bounded by the drive's timeout: each failed step is answered within EXIT_GRACE.
        let finished = loop {
            tokio::select! {
                r = &mut drive => break Some(r.is_ok()),
                Some(failed) = asked.recv() => {
                    match server.gone(&place, &mut waited).await {
                        Some(status) => {
                            // The server is gone: this step is where it went; the rest of
                            // the drive would only meet its absence (reset, refused).
                            exited = Some((failed.step.name.clone(), status));
                            done.record(failed.step);
                            break None;
                        }
                        None => {
                            let _ = failed.reply.send(());
                        }
                    }
                }
            }
        };
        steps.extend(done.take());
        if finished == Some(false) {
            steps.push(StepResult {
                name: "time".into(),
                ok: false,
                detail: format!(
                    "netlab's clients were still waiting for your server at the time limit ({})",
                    crate::lab::checks::seconds_text(limit.as_secs_f64())
                ),
                transcript: Vec::new(),
                diff: None,
            });
        }
    }
    // netlab's clients' lanes (every connection has closed: the drive is over).
    let entries = server.dialer.lanes().rec.recent();
    let seconds = clock.elapsed().as_secs_f64();
    let by_itself = server.exit_now().is_some();
    let (status, leftovers, level) = server.stop().await;
    let (_, wire) = run::WireLane::collect(capture, recorder.recent()).await;
    if let (Ok(()), Some(path)) = (&listening, &place.socket) {
        steps.push(socket_removed(path, &status, by_itself));
    }
    let swept = kill_marked(&run_id) + reap_orphans();
    let (stdout, stdout_bytes) = out.finish().await;
    let (stderr, stderr_bytes) = err.finish().await;
    if let (Err(_), Some(last)) = (&listening, steps.first_mut()) {
        last.detail = not_listening_text(&place, &status, &stderr, listen_limit);
    }
    if let Some((name, how)) = &exited {
        if let Some(s) = steps.iter_mut().rev().find(|s| &s.name == name) {
            let saw = std::mem::take(&mut s.detail);
            s.ok = false;
            s.detail = exited_text(name, how, &stderr);
            if !saw.is_empty() {
                s.detail.push_str(&format!("; netlab's clients saw: {saw}"));
            }
        }
    }
    drop(home);
    Ok(RunResult {
        client: ClientOutcome {
            status,
            seconds,
            stdout,
            stdout_bytes,
            stderr,
            stderr_bytes,
            leftovers_killed: leftovers + swept,
            sandbox: level,
        },
        entries,
        trace: CanonTrace::parse("netlab-trace/1\n").unwrap_or_default(),
        port: place.port,
        socket: place.socket,
        steps,
        nonce: None,
        wire,
    })
}

/// An I/O error as Node names it, then the OS's words: `ECONNRESET (Connection reset by peer)`.
pub fn os_error(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => {
            let text = std::io::Error::from_raw_os_error(code).to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_string();
            format!("{:?} ({text})", nix::errno::Errno::from_raw(code))
        }
        None => e.to_string(),
    }
}

fn next_id() -> u64 {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// A port free on the host's loopback now (used inside the run's namespace too, where any
/// port is free, and outside it without one).
fn free_port(udp: bool) -> std::io::Result<u16> {
    if udp {
        Ok(std::net::UdpSocket::bind("127.0.0.1:0")?
            .local_addr()?
            .port())
    } else {
        Ok(std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port())
    }
}

fn not_started(message: String, place: &Place) -> RunResult {
    RunResult {
        client: ClientOutcome::not_started(message.clone(), &Level::off()),
        entries: Vec::new(),
        trace: CanonTrace::parse("netlab-trace/1\n").unwrap_or_default(),
        port: place.port,
        socket: place.socket.clone(),
        nonce: None,
        wire: run::WireLane::unavailable("the server did not start"),
        steps: vec![StepResult {
            name: "listening".into(),
            ok: false,
            detail: format!("your server could not be started: {message}"),
            transcript: Vec::new(),
            diff: None,
        }],
    }
}

/// The runner's own step for a Unix socket server, checked after the stop: a socket path is
/// a file that outlives its process unless the server removes it on exit.
fn socket_removed(path: &Path, status: &ExitStatus, by_itself: bool) -> StepResult {
    let left = std::fs::symlink_metadata(path).is_ok();
    let how = match status {
        ExitStatus::Exited { code } if by_itself => {
            format!("your server exited by itself with status {code}")
        }
        ExitStatus::Exited { code } => {
            format!("after netlab's SIGTERM your server exited with status {code}")
        }
        ExitStatus::Signaled { signal } if *signal == libc::SIGKILL => {
            "your server did not exit within 1 s of netlab's SIGTERM and was killed".to_string()
        }
        ExitStatus::Signaled { signal } if *signal == libc::SIGTERM => {
            "netlab's SIGTERM ended your server at once (its default action)".to_string()
        }
        ExitStatus::Signaled { signal } => format!("your server was ended by signal {signal}"),
        _ => "your server ended".to_string(),
    };
    StepResult {
        name: SOCKET_REMOVED.into(),
        ok: !left,
        detail: if left {
            format!(
                "{how}, leaving its socket file {} behind: the next start would fail with EADDRINUSE. Catch SIGTERM, close the server (Node's server.close() removes the file) or os.unlink() the path, then exit",
                path.display()
            )
        } else {
            String::new()
        },
        transcript: vec![format!(
            "after the stop  netlab  {} {}",
            path.display(),
            if left { "still exists" } else { "is gone" }
        )],
        diff: None,
    }
}

/// The runner's step checking a Unix socket server removed its socket file on exit.
pub const SOCKET_REMOVED: &str = "socket-removed";

/// Why the server never listened, in terms of what netlab saw.
fn not_listening_text(
    place: &Place,
    status: &ExitStatus,
    stderr: &[u8],
    limit: Duration,
) -> String {
    let place_text = match (&place.socket, place.port) {
        (Some(s), _) => format!("on the Unix socket {}", s.display()),
        (None, Some(p)) => format!(
            "on {} port {p} (NETLAB_PORT)",
            if place.transport == Transport::Udp {
                "UDP"
            } else {
                "TCP"
            }
        ),
        _ => String::new(),
    };
    let how = match status {
        ExitStatus::Exited { code } => format!("it exited with status {code} first"),
        ExitStatus::Signaled { signal } if *signal != libc::SIGTERM && *signal != libc::SIGKILL => {
            format!("it was killed by signal {signal} first")
        }
        ExitStatus::NotStarted { error } => format!("it could not start: {error}"),
        _ => format!(
            "netlab waited {}",
            crate::lab::checks::seconds_text(limit.as_secs_f64())
        ),
    };
    let said = stderr_said(stderr);
    let text = String::from_utf8_lossy(stderr);
    let sandbox = if text.contains("EACCES") || text.contains("PermissionError") {
        " (the sandbox lets a server bind only the port in NETLAB_PORT)"
    } else {
        ""
    };
    format!("your server never started listening {place_text}: {how}{said}{sandbox}")
}

/// What the server's stderr said, for a sentence: `; its stderr said: KeyError: 'PORT'` (an
/// error line says most; else its last two lines), or nothing.
fn stderr_said(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<String> = text
        .lines()
        .map(|l| crate::lab::report::strip_controls(l.trim()))
        .filter(|l| !l.is_empty() && !l.chars().all(|c| "^~ }".contains(c)))
        .collect();
    // An error line says most (`Error: listen EACCES…`, `KeyError: 'PORT'`); else the last.
    let tail: Vec<String> = match lines
        .iter()
        .rev()
        .filter(|l| !l.starts_with("at ") && !l.starts_with("File "))
        .find(|l| l.contains("Error:") || l.contains("Error [") || l.contains("Exception"))
    {
        Some(l) => vec![l.clone()],
        None => lines.iter().rev().take(2).rev().cloned().collect(),
    };
    if tail.is_empty() {
        String::new()
    } else {
        format!("; its stderr said: {}", tail.join(" / "))
    }
}

/// The server exited by itself while netlab's clients were at step `step`.
fn exited_text(step: &str, status: &ExitStatus, stderr: &[u8]) -> String {
    let how = match status {
        ExitStatus::Exited { code } => format!("your server exited (status {code})"),
        ExitStatus::Signaled { signal } => format!(
            "your server was killed by signal {signal} ({})",
            nix::sys::signal::Signal::try_from(*signal)
                .map(|s| s.as_str())
                .unwrap_or("?")
        ),
        ExitStatus::TimedOut => "your server was stopped".to_string(),
        ExitStatus::NotStarted { error } => format!("your server could not run ({error})"),
    };
    let said = stderr_said(stderr);
    let said = if said.is_empty() {
        "; it printed nothing on stderr".to_string()
    } else {
        said
    };
    format!("{how} during step {step}{said}")
}

/// How long a server that stopped listening gets to exit by itself before netlab goes on (an
/// interpreter's exit takes a few milliseconds after it closed its sockets: Python's runs
/// 10–20 ms from the traceback to exit_group).
pub const EXIT_GRACE: Duration = Duration::from_secs(1);

/// The learner's running server.
struct Server {
    /// The server itself (`--sandbox off`); with the sandbox, `started` holds the launcher.
    child: Option<tokio::process::Child>,
    stdout: Option<tokio::process::ChildStdout>,
    stderr: Option<tokio::process::ChildStderr>,
    /// The process whose network namespace the server listens in (the launcher, or netlab).
    net_pid: Option<u32>,
    /// The server's process group, when visible from here.
    group: Option<i32>,
    /// The sandbox run, when there is one.
    started: Option<sandbox::Started>,
    dialer: std::sync::Arc<Dialer>,
    level: Level,
    /// How the server ended by itself, once seen (with the processes the sandbox killed
    /// after it), so that [`Server::stop`] sends no SIGTERM to a server already gone.
    exit: Option<(ExitStatus, usize)>,
    /// The wire view's packet socket on the run's loopback, or why there is none.
    capture: Result<std::os::fd::OwnedFd, String>,
}

impl Server {
    /// `--sandbox off`: the user's rights, netlab's whole environment.
    fn plain(cmd: &[String], cwd: &Path, vars: &[(String, String)]) -> Result<Server, RunError> {
        let mut c = tokio::process::Command::new(&cmd[0]);
        c.args(&cmd[1..])
            .current_dir(cwd)
            .envs(vars.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = c
            .spawn()
            .map_err(|e| RunError::Server(std::io::Error::other(format!("{}: {e}", cmd[0]))))?;
        live(child.id(), true);
        Ok(Server {
            stdout: child.stdout.take(),
            stderr: child.stderr.take(),
            group: child.id().map(|p| p as i32),
            net_pid: None,
            child: Some(child),
            started: None,
            dialer: std::sync::Arc::new(Dialer::own()),
            level: Level::off(),
            exit: None,
            capture: Err("the run has no network namespace of its own".into()),
        })
    }

    /// Through the sandbox: bind allowed on the one port, the clients' sockets made in the
    /// run's network namespace. `Ok(Err(_))`: the server could not be started.
    #[allow(clippy::too_many_arguments)]
    async fn sandboxed(
        cmd: &[String],
        cwd: &Path,
        vars: &[(String, String)],
        home: &Path,
        place: &Place,
        driver: &Driver,
        limit: Duration,
        mode: Mode,
    ) -> Result<Result<Server, String>, RunError> {
        let env = sandbox::env::build(std::env::vars_os(), home, vars);
        let path_var = env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let policy = Policy {
            require: mode == Mode::Require,
            namespaces: true,
            command: cmd.to_vec(),
            cwd: cwd.to_path_buf(),
            env,
            // The server lives through the whole drive plus the stop.
            limits: sandbox::Limits::for_time_limit(limit + STOP_GRACE),
            exec: sandbox::paths::exec_paths(Some(&cmd[0]), &path_var, cwd),
            read: sandbox::paths::learner_paths(cmd, cwd),
            write: vec![home.to_path_buf()],
            devices: sandbox::paths::DEVICES.iter().map(PathBuf::from).collect(),
            listen: Listen::None,
            lacking: sandbox::Lacking::from_env(),
            bind_port: match place.transport {
                Transport::Udp | Transport::Unix => None,
                _ => place.port,
            },
            pool: driver.pool,
            capture: place.transport != Transport::Unix,
        };
        let mut started = match sandbox::start(&policy).await {
            Ok(Ok(s)) => s,
            Ok(Err(message)) => return Ok(Err(message)),
            Err(SandboxError::NoLauncher) if mode == Mode::Auto => {
                return Server::plain(cmd, cwd, vars).map(Ok)
            }
            Err(e) => return Err(e.into()),
        };
        live(started.child.id(), true);
        let pool = std::mem::take(&mut started.pool);
        let capture = std::mem::replace(&mut started.capture, Err(String::new()));
        Ok(Ok(Server {
            capture,
            stdout: started.child.stdout.take(),
            stderr: started.child.stderr.take(),
            net_pid: started
                .level
                .namespaces
                .then(|| started.child.id())
                .flatten(),
            group: started.client_pid,
            level: started.level.clone(),
            dialer: std::sync::Arc::new(Dialer::pooled(pool)),
            child: None,
            started: Some(started),
            exit: None,
        }))
    }

    /// The learner's server process as seen from here (for /proc/<pid>/status), when it can
    /// be found: the plain child, the sandboxed client, or the supervisor's child in a PID
    /// namespace.
    fn pid(&self) -> Option<u32> {
        match (&self.started, &self.child) {
            (Some(s), _) => s
                .client_pid
                .or_else(|| {
                    s.child
                        .id()
                        .and_then(|l| server_group_in_namespace(l as i32))
                })
                .map(|p| p as u32),
            (None, Some(c)) => c.id(),
            (None, None) => None,
        }
    }

    /// Whether the run has ended (the server, or the launcher, exited).
    fn ended(&mut self) -> bool {
        self.exit_now().is_some()
    }

    /// How the server ended, if it has (the launcher's exit means the server's: the
    /// supervisor reports, then the launcher follows).
    fn exit_now(&mut self) -> Option<ExitStatus> {
        if let Some((status, _)) = &self.exit {
            return Some(status.clone());
        }
        let end = match (&mut self.started, &mut self.child) {
            (Some(s), _) => match s.child.try_wait() {
                Ok(None) => return None,
                _ => sandbox_status(s),
            },
            (None, Some(c)) => match c.try_wait() {
                Ok(None) => return None,
                Ok(Some(st)) => (run::from_std(st), 0),
                Err(_) => (ExitStatus::Exited { code: -1 }, 0),
            },
            (None, None) => (ExitStatus::Exited { code: -1 }, 0),
        };
        self.exit = Some(end.clone());
        Some(end.0)
    }

    /// After a step failed: whether the server is gone, and how it ended. A server that no
    /// longer listens is given [`EXIT_GRACE`] (once per run) to finish exiting; one that
    /// still listens is watched for a moment, since a crashing interpreter closes its
    /// connections and its listener within microseconds of each other.
    async fn gone(&mut self, place: &Place, waited: &mut bool) -> Option<ExitStatus> {
        let glance = Instant::now() + Duration::from_millis(50);
        // Bounded: 50 ms of 5 ms rounds, then at most EXIT_GRACE.
        loop {
            if let Some(st) = self.exit_now() {
                return Some(st);
            }
            if !still_listens(self.net_pid, place) {
                break;
            }
            if Instant::now() >= glance {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if std::mem::replace(waited, true) {
            return None;
        }
        let wait = async {
            match (&mut self.started, &mut self.child) {
                (Some(s), _) => {
                    let _ = s.child.wait().await;
                }
                (None, Some(c)) => {
                    let _ = c.wait().await;
                }
                (None, None) => {}
            }
        };
        let _ = tokio::time::timeout(EXIT_GRACE, wait).await;
        self.exit_now()
    }

    /// Wait until the server listens where it must, or has ended, or `limit` passed.
    async fn wait_listening(&mut self, place: &Place, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        // Bounded by the deadline; each round reads a few small /proc files.
        loop {
            // For a Unix socket, its listening entry, not only the file: bind() makes the
            // file, and a client connecting before listen() would be refused.
            if still_listens(self.net_pid, place) {
                return Ok(());
            }
            if self.ended() {
                return Err("ended".into());
            }
            if Instant::now() >= deadline {
                return Err("timeout".into());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// SIGTERM, then after [`STOP_GRACE`] everything. Returns how it ended, how many
    /// processes were left, and the sandbox level.
    async fn stop(mut self) -> (ExitStatus, usize, String) {
        let level = self.level.to_string();
        match self.started.take() {
            Some(mut s) => {
                let group = s.client_pid.or_else(|| {
                    s.child
                        .id()
                        .and_then(|l| server_group_in_namespace(l as i32))
                });
                if let (Some(g), None) = (group, &self.exit) {
                    // SAFETY: kill with the server's process group.
                    unsafe { libc::kill(-g, libc::SIGTERM) };
                }
                if tokio::time::timeout(STOP_GRACE, s.child.wait())
                    .await
                    .is_err()
                {
                    s.kill();
                    s.kill_launcher();
                    let _ = s.child.wait().await;
                }
                s.kill_launcher();
                live(s.child.id(), false);
                let (status, leftovers) = match self.exit.take() {
                    Some(known) => known,
                    None => sandbox_status(&s),
                };
                (status, leftovers, level)
            }
            None => {
                let Some(mut child) = self.child.take() else {
                    return (ExitStatus::Exited { code: -1 }, 0, level);
                };
                if let (Some(g), None) = (self.group, &self.exit) {
                    // SAFETY: kill with the process group we made for the server.
                    unsafe { libc::kill(-g, libc::SIGTERM) };
                }
                let status = match tokio::time::timeout(STOP_GRACE, child.wait()).await {
                    _ if self.exit.is_some() => self
                        .exit
                        .take()
                        .map(|e| e.0)
                        .unwrap_or(ExitStatus::Exited { code: -1 }),
                    Ok(Ok(st)) => run::from_std(st),
                    _ => {
                        if let Some(g) = self.group {
                            // SAFETY: as above.
                            unsafe { libc::kill(-g, libc::SIGKILL) };
                        }
                        let _ = child.kill().await;
                        ExitStatus::Signaled {
                            signal: libc::SIGKILL,
                        }
                    }
                };
                if let Some(g) = self.group {
                    // SAFETY: whatever of the group is left.
                    unsafe { libc::kill(-g, libc::SIGKILL) };
                }
                live(child.id().or(self.group.map(|g| g as u32)), false);
                (status, 0, level)
            }
        }
    }
}

/// How a sandboxed server ended, from the launcher's report (call once the launcher exited or
/// was killed), with the processes the supervisor killed after it.
fn sandbox_status(s: &sandbox::Started) -> (ExitStatus, usize) {
    let end = s.ending();
    (ExitStatus::of_sandboxed(&end), end.leftovers)
}

/// Whether the server still has its listening socket: for TCP and UDP the namespace's socket
/// table; for a Unix socket the path, and a listening entry for it in the Unix socket table
/// (a crashed server leaves its socket file behind).
fn still_listens(net_pid: Option<u32>, place: &Place) -> bool {
    let Some(path) = &place.socket else {
        return listens(net_pid, place);
    };
    if !listens(net_pid, place) {
        return false;
    }
    let table = match net_pid {
        Some(p) => format!("/proc/{p}/net/unix"),
        None => "/proc/self/net/unix".to_string(),
    };
    std::fs::read_to_string(table)
        .map(|t| unix_table_listens(&t, path))
        .unwrap_or(true)
}

/// Whether `/proc/net/unix` text has a listening socket (flag `__SO_ACCEPTCON`) at `path`.
fn unix_table_listens(text: &str, path: &Path) -> bool {
    let want = path.to_string_lossy();
    text.lines().skip(1).any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() >= 8 && f[3] == "00010000" && f[7] == want
    })
}

/// The learner's server's process group inside a PID namespace, as seen from here: the child
/// of the launcher's child (launcher → supervisor → server).
fn server_group_in_namespace(launcher: i32) -> Option<i32> {
    let children = |pid: i32| -> Vec<i32> {
        std::fs::read_dir("/proc")
            .map(|d| {
                d.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
                    .filter(|&p| run::parent_of(p) == Some(pid))
                    .collect()
            })
            .unwrap_or_default()
    };
    let supervisor = *children(launcher).first()?;
    children(supervisor).first().copied()
}

/// Whether something listens at `place`, seen from `net_pid`'s network namespace (`None`:
/// netlab's own).
fn listens(net_pid: Option<u32>, place: &Place) -> bool {
    if let Some(s) = &place.socket {
        use std::os::unix::fs::FileTypeExt;
        return std::fs::metadata(s).is_ok_and(|m| m.file_type().is_socket());
    }
    let Some(port) = place.port else {
        return false;
    };
    let base = match net_pid {
        Some(p) => format!("/proc/{p}/net"),
        None => "/proc/self/net".to_string(),
    };
    let (tables, state) = if place.transport == Transport::Udp {
        (["udp", "udp6"], "07")
    } else {
        (["tcp", "tcp6"], "0A")
    };
    tables.iter().any(|t| {
        std::fs::read_to_string(format!("{base}/{t}"))
            .map(|text| table_has(&text, port, state))
            .unwrap_or(false)
    })
}

/// Whether a `/proc/net/{tcp,udp}[6]` table has a socket on local `port` in `state`.
fn table_has(text: &str, port: u16, state: &str) -> bool {
    let want = format!(":{port:04X}");
    text.lines().skip(1).any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() > 3 && f[1].ends_with(&want) && f[3] == state
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_tables_are_read_by_port_and_state() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000\n   1: 0100007F:1F91 0100007F:C000 01 00000000:00000000\n";
        assert!(table_has(tcp, 8080, "0A"));
        assert!(!table_has(tcp, 8081, "0A"), "established, not listening");
        assert!(!table_has(tcp, 80, "0A"));
        let tcp6 = "  sl  local_address                         remote_address                        st\n   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A\n";
        assert!(table_has(tcp6, 8080, "0A"));
    }

    #[test]
    fn the_unix_table_is_read_by_path_and_listening_flag() {
        let unix = "Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 1234 /tmp/x/server.sock\n0000000000000000: 00000003 00000000 00000000 0001 03 1235 /tmp/x/other.sock\n0000000000000000: 00000003 00000000 00000000 0001 03 1236\n";
        assert!(unix_table_listens(unix, Path::new("/tmp/x/server.sock")));
        assert!(
            !unix_table_listens(unix, Path::new("/tmp/x/other.sock")),
            "connected, not listening"
        );
        assert!(!unix_table_listens(unix, Path::new("/tmp/x/gone.sock")));
    }

    #[test]
    fn a_byte_diff_shows_the_first_difference_in_hex_and_escaped() {
        let d = ByteDiff::of(b"hello\n", b"hello\r\n").unwrap();
        assert_eq!(
            d.text(),
            r#"at byte 5: expected 0a ("\n"), got 0d 0a ("\r\n")"#
        );
        let d = ByteDiff::of(b"bye\r\n", b"bye").unwrap();
        assert_eq!(
            d.text(),
            r#"at byte 3: expected 0d 0a ("\r\n"), got nothing more"#
        );
        let d = ByteDiff::of(b"ok", b"ok, and then some more bytes").unwrap();
        assert_eq!(d.offset, 2);
        assert_eq!(d.got_hex, "2c 20 61 6e 64 20 74 68 …");
        assert!(d
            .text()
            .starts_with("at byte 2: expected nothing more, got 2c 20"));
        assert_eq!(ByteDiff::of(b"same", b"same"), None);
    }

    #[test]
    fn an_exit_mid_drive_names_the_step_the_status_and_the_error_line() {
        let stderr = b"Traceback (most recent call last):\n  File \"s.py\", line 3, in <module>\n    c.shutdown(socket.SHUT_WR)\nOSError: [Errno 107] Transport endpoint is not connected\n";
        assert_eq!(
            exited_text("end", &ExitStatus::Exited { code: 1 }, stderr),
            "your server exited (status 1) during step end; its stderr said: OSError: [Errno 107] Transport endpoint is not connected"
        );
        assert_eq!(
            exited_text("bulk", &ExitStatus::Signaled { signal: 9 }, b""),
            "your server was killed by signal 9 (SIGKILL) during step bulk; it printed nothing on stderr"
        );
    }
}

//! netlab's side of a sandboxed run: start the launcher with the channel on fd 3, wait
//! (bounded) for it to report the level and hand over the lab's socket, then collect the
//! client's exit status from the channel.

use super::channel::{self, Msg, LAUNCHER_FD};
use super::{launcher, Level, Policy, SandboxError};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::process::Stdio;
use std::time::Duration;

/// How long the launcher may take to set up.
pub const SETUP_LIMIT: Duration = Duration::from_secs(10);

/// A running sandboxed client.
pub struct Started {
    /// The launcher (its stdout and stderr are the client's).
    pub child: tokio::process::Child,
    /// What was applied.
    pub level: Level,
    /// The lab socket's port (in the run's network namespace when there is one).
    pub port: Option<u16>,
    /// The lab's socket, created by the launcher.
    pub socket: Option<OwnedFd>,
    /// The client's pid (its own process group), when it is visible from here.
    pub client_pid: Option<i32>,
    /// Server labs: the unconnected client sockets (`true`: UDP) the launcher made in the
    /// run's network namespace.
    pub pool: Vec<(bool, OwnedFd)>,
    /// The wire view's packet socket on the run's loopback (`Policy::capture`), or why
    /// there is none.
    pub capture: Result<OwnedFd, String>,
    chan: OwnedFd,
}

/// How a sandboxed client ended, from the launcher's messages.
#[derive(Debug, Default)]
pub struct Ending {
    /// `Some(Ok(code))` exited, `Some(Err(signal))` killed, `None` no report (killed with
    /// the launcher).
    pub status: Option<Result<i32, i32>>,
    /// The client could not be executed.
    pub exec_failed: Option<String>,
    /// Processes the supervisor killed after the client ended.
    pub leftovers: usize,
}

/// Start the launcher for `policy`; returns once the client is about to run (or failed to
/// start). `Err` is netlab's or the machine's problem, not the client's.
pub async fn start(policy: &Policy) -> Result<Result<Started, String>, SandboxError> {
    let exe = super::launcher_path().ok_or(SandboxError::NoLauncher)?;
    let (mine, theirs) = channel::pair()?;
    let json = serde_json::to_string(policy).map_err(std::io::Error::other)?;
    let mut c = tokio::process::Command::new(exe);
    c.arg(launcher::ARG)
        .arg(json)
        .env_clear()
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let raw = theirs.as_raw_fd();
    // SAFETY: between fork and exec only async-signal-safe calls (dup2, fcntl).
    unsafe {
        c.pre_exec(move || {
            if raw == LAUNCHER_FD {
                if libc::fcntl(raw, libc::F_SETFD, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            } else if libc::dup2(raw, LAUNCHER_FD) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = c.spawn()?;
    drop(theirs);
    let reader = mine.try_clone()?;
    let no_capture = if policy.capture {
        "the run has no network namespace of its own"
    } else {
        "not asked for"
    };
    let (first, pool, capture) = tokio::task::spawn_blocking(move || {
        // The pool's sockets and the packet socket come first, one per message (bounded by
        // the pool's size).
        let mut pool = Vec::new();
        let mut capture = Err(no_capture.to_string());
        for _ in 0..=512 {
            match channel::recv(reader.as_fd(), Some(SETUP_LIMIT))? {
                Some((Msg::Pool { udp }, Some(fd))) => pool.push((udp, fd)),
                Some((Msg::Capture { error }, fd)) => {
                    capture = fd.ok_or_else(|| error.unwrap_or_else(|| "no socket".into()))
                }
                other => return Ok::<_, std::io::Error>((other, pool, capture)),
            }
        }
        Ok((None, pool, capture))
    })
    .await
    .map_err(|e| SandboxError::Launcher(e.to_string()))??;
    match first {
        Some((
            Msg::Ready {
                level,
                port,
                client_pid,
            },
            socket,
        )) => Ok(Ok(Started {
            child,
            level,
            port,
            socket,
            client_pid,
            pool,
            capture,
            chan: mine,
        })),
        Some((Msg::ExecFailed { message }, _)) => {
            let _ = child.wait().await;
            Ok(Err(message))
        }
        Some((Msg::Error { message }, _)) => {
            let _ = child.kill().await;
            if policy.require {
                Err(SandboxError::Unavailable(
                    message
                        .trim_start_matches("--sandbox require: this system lacks ")
                        .to_string(),
                ))
            } else {
                Err(SandboxError::Launcher(message))
            }
        }
        Some((other, _)) => {
            let _ = child.kill().await;
            Err(SandboxError::Launcher(format!("unexpected {other:?}")))
        }
        None => {
            let _ = child.kill().await;
            let st = child.wait().await.ok();
            Err(SandboxError::Launcher(format!(
                "it reported nothing within {}s (exit status {st:?}); is {} a netlab binary?",
                SETUP_LIMIT.as_secs(),
                super::launcher_path().unwrap_or_default().display()
            )))
        }
    }
}

impl Started {
    /// Stop the run now: the client's process group, then the launcher's (with a PID
    /// namespace, the launcher's death takes the namespace's init, and so every process of
    /// the run, with it).
    pub fn kill(&self) {
        if let Some(pid) = self.client_pid {
            // SAFETY: kill with the process group id the client made for itself.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        } else if let Some(pid) = self.child.id() {
            // SAFETY: kill with the launcher's process group (process_group(0) above).
            unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
        }
    }

    /// Kill the launcher's process group (after the client's end was reported, or when it
    /// does not stop in time).
    pub fn kill_launcher(&self) {
        if let Some(pid) = self.child.id() {
            // SAFETY: kill with the launcher's process group.
            unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
        }
    }

    /// Every message the launcher sent since `Ready` (call after it exited).
    pub fn ending(&self) -> Ending {
        let mut end = Ending::default();
        // Bounded: a launcher sends a handful of messages.
        for _ in 0..16 {
            match channel::recv(self.chan.as_fd(), None) {
                Ok(Some((Msg::Exit { code }, _))) => end.status = Some(Ok(code)),
                Ok(Some((Msg::Signal { signal }, _))) => end.status = Some(Err(signal)),
                Ok(Some((Msg::ExecFailed { message }, _))) => end.exec_failed = Some(message),
                Ok(Some((Msg::Leftovers { count }, _))) => end.leftovers = count,
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        end
    }
}

/// Probe what the kernel offers: run the launcher with nothing to execute. With `require`,
/// `Err` names what is missing.
pub fn probe(require: bool) -> Result<Level, SandboxError> {
    let policy = Policy {
        require,
        namespaces: true,
        command: Vec::new(),
        cwd: "/".into(),
        env: Vec::new(),
        limits: super::Limits::for_time_limit(Duration::from_secs(1)),
        exec: Vec::new(),
        read: Vec::new(),
        write: Vec::new(),
        devices: Vec::new(),
        listen: super::Listen::None,
        lacking: super::Lacking::from_env(),
        bind_port: None,
        pool: super::Pool::default(),
        capture: false,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut s = start(&policy).await?.map_err(SandboxError::Launcher)?;
        let _ = tokio::time::timeout(SETUP_LIMIT, s.child.wait()).await;
        s.kill_launcher();
        let level = s.level.clone();
        if require && !level.missing().is_empty() {
            return Err(SandboxError::Unavailable(level.missing().join(", ")));
        }
        Ok(level)
    })
}

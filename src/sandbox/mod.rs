//! The sandbox every learner client runs in: one place that decides how untrusted code is
//! confined, in layers, each applied when the kernel allows it.
//!
//! - **always** ([`env`], [`rlimit`]): the environment cleared to an allow-list (`PATH`,
//!   locale, `TERM`, `HOME` and `TMPDIR` = the run's own temp dir, the run's `NETLAB_*`);
//!   rlimits (CPU, data, file size, open files, no core dumps); stdin `/dev/null`.
//! - **namespaces** ([`namespace`]): a user + PID + network + mount namespace per run. The lab
//!   server's listening socket is created *inside* the run's network namespace (whose `lo` is
//!   brought up) and passed back to netlab over a Unix socketpair (`SCM_RIGHTS`), so the client
//!   sees and reaches only that loopback; a fresh `/proc` hides every process outside the run
//!   (the grader's `/proc/<pid>/environ` included); when the namespace's init exits, the kernel
//!   kills every process of the run. With [`Policy::capture`] the launcher also opens the wire
//!   view's packet socket on that loopback and passes it back the same way.
//! - **Landlock** ([`landlock`]): read/execute on system and interpreter directories, read on
//!   the learner's own files, read-write only on the run's temp dir, TCP connect only to the
//!   run's lab port, no TCP bind, signals and abstract Unix sockets scoped to the run.
//! - **seccomp** ([`seccomp`]): no ptrace, `process_vm_readv/writev`, mounts, keyrings, or
//!   further namespaces.
//!
//! # Why a launcher process
//!
//! netlab is a multi-threaded tokio program; after `fork` in such a process only
//! async-signal-safe code may run (no allocation, no locks), and building Landlock rulesets,
//! seccomp programs, uid maps and a second fork for a PID namespace's init is far from that.
//! So netlab re-executes *itself* with a hidden first argument ([`launcher::ARG`]) and the
//! [`Policy`] as JSON: `main` calls [`launcher_main`] before anything else, and that fresh,
//! single-threaded process does all the setup in plain Rust, reports the level and the listening
//! socket on fd 3, and finally `exec`s the client. The only code netlab runs after `fork` is a
//! `dup2` onto fd 3. Test binaries are not netlab: they find the `netlab` binary next to them
//! (`target/<profile>/netlab`, built by Cargo for integration tests) or use [`set_launcher`].
//!
//! The launcher (or, with namespaces, the PID namespace's init) stays as the run's
//! *supervisor*: a child subreaper that waits for the client, kills everything left in the run
//! and reports the exit status on the channel.
//!
//! [`Level`] reports what was actually applied; `--sandbox require` fails before running
//! anything when a layer is missing, `auto` (the default) applies what it can, `off` runs the
//! client as earlier netlab versions did (whole environment, no confinement).

pub mod channel;
pub mod env;
pub mod landlock;
pub mod launcher;
pub mod namespace;
pub mod paths;
pub mod rlimit;
pub mod seccomp;
pub mod spawn;

pub use launcher::launcher_main;
pub use spawn::{probe, start, Started};

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// How hard netlab tries to confine clients (`--sandbox`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Every layer the kernel offers; say which were applied.
    #[default]
    Auto,
    /// Every layer, or fail before running anything (exit 4) naming what is missing.
    Require,
    /// No sandbox: the client gets netlab's whole environment and the user's rights.
    Off,
}

/// What was actually applied to a run. Shown in report headers, JSON and JUnit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// The environment allow-list, rlimits and stdin at /dev/null (false only for `off`).
    pub basic: bool,
    /// Landlock fully enforced (files, TCP, signal and abstract-socket scoping).
    pub landlock: bool,
    /// User + PID + network + mount namespaces.
    pub namespaces: bool,
    /// A fresh /proc showing only the run's processes (needs the namespaces).
    pub private_proc: bool,
    /// The seccomp filter.
    pub seccomp: bool,
}

impl Level {
    /// The level of `--sandbox off`.
    pub fn off() -> Level {
        Level::default()
    }

    /// Every layer there is.
    pub fn full() -> Level {
        Level {
            basic: true,
            landlock: true,
            namespaces: true,
            private_proc: true,
            seccomp: true,
        }
    }

    /// The layers missing for `require`, in words (empty when complete).
    pub fn missing(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if !self.landlock {
            m.push("Landlock (ABI 6 or later, fully enforced)");
        }
        if !self.namespaces {
            m.push("unprivileged user, PID and network namespaces");
        } else if !self.private_proc {
            m.push("mounting a private /proc in a user namespace");
        }
        if !self.seccomp {
            m.push("seccomp filters");
        }
        m
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.basic {
            return f.write_str("off");
        }
        let mut parts = Vec::new();
        if self.landlock {
            parts.push("landlock");
        }
        if self.namespaces {
            parts.push(if self.private_proc {
                "userns"
            } else {
                "userns-noproc"
            });
        }
        if self.seccomp {
            parts.push("seccomp");
        }
        if parts.is_empty() {
            f.write_str("rlimits only")
        } else {
            f.write_str(&parts.join("+"))
        }
    }
}

/// Resource limits of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// CPU seconds (soft; the hard limit is one more): the time limit plus one second.
    pub cpu_secs: u64,
    /// `RLIMIT_DATA`: heap and private writable mappings.
    pub data_bytes: u64,
    /// `RLIMIT_FSIZE`: the largest file the client may write.
    pub fsize_bytes: u64,
    /// `RLIMIT_NOFILE`.
    pub nofile: u64,
}

impl Limits {
    /// The defaults for a client with this time limit.
    pub fn for_time_limit(limit: std::time::Duration) -> Limits {
        Limits {
            cpu_secs: limit.as_secs_f64().ceil() as u64 + 1,
            data_bytes: 1 << 30,
            fsize_bytes: 64 << 20,
            nofile: 256,
        }
    }
}

/// Which socket the launcher creates for the lab's server (inside the run's network
/// namespace when there is one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Listen {
    /// None (Unix-socket labs: netlab binds the socket path itself).
    None,
    /// A TCP listener on 127.0.0.1, any port.
    Tcp,
    /// A dual-stack TCP listener on `::` (IPv6 and IPv4), any port: the DNS and IPv6 lab's.
    Tcp6,
    /// A UDP socket on 127.0.0.1, any port.
    Udp,
}

/// Everything the launcher needs to confine and start one client. Sent as JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Policy {
    /// Fail instead of running with fewer layers.
    pub require: bool,
    /// Try the namespaces (false: Landlock, seccomp and rlimits only).
    pub namespaces: bool,
    /// Program and arguments; empty for a probe (set everything up, run nothing).
    pub command: Vec<String>,
    /// The client's working directory.
    pub cwd: PathBuf,
    /// The client's whole environment (already allow-listed); `NETLAB_PORT` is added.
    pub env: Vec<(String, String)>,
    pub limits: Limits,
    /// Read + execute (system and interpreter directories).
    pub exec: Vec<PathBuf>,
    /// Read only (the learner's files, the lab's socket directory).
    pub read: Vec<PathBuf>,
    /// Read-write (the run's temp dir).
    pub write: Vec<PathBuf>,
    /// Device files opened read-write (`/dev/null`, `/dev/urandom`…).
    pub devices: Vec<PathBuf>,
    pub listen: Listen,
    /// Layers to leave out as if the kernel lacked them (see [`Lacking`]).
    #[serde(default)]
    pub lacking: Lacking,
    /// Server labs: the one TCP port the learner's server may bind (Landlock `bind`); it may
    /// connect nowhere.
    #[serde(default)]
    pub bind_port: Option<u16>,
    /// Server labs: unconnected sockets the launcher creates in the run's network namespace
    /// and hands to netlab, so that netlab's clients reach the learner's server there.
    #[serde(default)]
    pub pool: Pool,
    /// The wire view: open a packet socket on the run's loopback (only with the run's own
    /// network namespace, where the launcher holds `CAP_NET_RAW` until it drops its
    /// capabilities) and hand it to netlab (`Msg::Capture`).
    #[serde(default)]
    pub capture: bool,
}

/// How many client sockets of each kind a server lab's run needs (see [`Policy::pool`]). A
/// socket belongs to the network namespace it was created in, wherever it is used later.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    pub tcp: u8,
    pub udp: u8,
}

/// Layers to treat as missing: `NETLAB_SANDBOX_PRETEND_LACKING=landlock,namespaces,seccomp`
/// (any subset; `cap_net_raw` too, for the wire view's fallbacks). It lets a teacher see what a machine without them would get (`auto` falls
/// back, `require` refuses) and lets the tests prove both on a kernel that has every layer.
/// It can only take layers away, never add one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lacking {
    pub landlock: bool,
    pub namespaces: bool,
    pub seccomp: bool,
    /// The wire view only: act as if netlab had no `CAP_NET_RAW` on the host (word
    /// `cap_net_raw`), so that its last fallback — socket events only — can be tested as root.
    #[serde(default)]
    pub cap_net_raw: bool,
}

impl Lacking {
    /// The variable naming the layers to leave out.
    pub const VAR: &'static str = "NETLAB_SANDBOX_PRETEND_LACKING";

    /// From [`Lacking::VAR`] in this process's environment (unknown words are ignored).
    pub fn from_env() -> Lacking {
        Lacking::parse(&std::env::var(Self::VAR).unwrap_or_default())
    }

    fn parse(list: &str) -> Lacking {
        let has = |w: &str| list.split([',', ' ']).any(|x| x.trim() == w);
        Lacking {
            landlock: has("landlock"),
            namespaces: has("namespaces"),
            seccomp: has("seccomp"),
            cap_net_raw: has("cap_net_raw"),
        }
    }

    /// Why a layer was not applied, when it was left out on purpose.
    pub fn reason() -> String {
        format!("left out by {}", Self::VAR)
    }
}

/// Why a sandboxed run could not start (netlab's or the machine's problem, exit 4).
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("--sandbox require: this system lacks {0}; run with --sandbox auto to grade with what it offers, or grade inside a container or CI job per student")]
    Unavailable(String),
    #[error("the sandbox launcher (the netlab binary) was not found; build it (`cargo build`) or run with --sandbox off")]
    NoLauncher,
    #[error("sandbox launcher: {0}")]
    Launcher(String),
    #[error("sandbox launcher: {0}")]
    Io(#[from] std::io::Error),
}

impl From<SandboxError> for crate::Error {
    fn from(e: SandboxError) -> crate::Error {
        crate::Error::Io(std::io::Error::other(e.to_string()))
    }
}

static MODE: AtomicU8 = AtomicU8::new(0);

/// The mode every client run of this process uses (set once by `check`, `grade`, `tui` from
/// `--sandbox`; default `auto`). A process-wide setting so that every path to
/// [`crate::lab::run::run`] — the commands, the TUI's watch mode, `dev check`, tests — gets it
/// without threading a parameter through each.
pub fn mode() -> Mode {
    match MODE.load(Ordering::Relaxed) {
        1 => Mode::Require,
        2 => Mode::Off,
        _ => Mode::Auto,
    }
}

/// Set the mode; with `require`, probe the kernel first and fail (exit 4) naming what it
/// lacks, before anything runs.
pub fn configure(mode: Mode) -> Result<(), SandboxError> {
    MODE.store(
        match mode {
            Mode::Auto => 0,
            Mode::Require => 1,
            Mode::Off => 2,
        },
        Ordering::Relaxed,
    );
    if mode == Mode::Require {
        probe(true)?;
    }
    Ok(())
}

static LAUNCHER: OnceLock<PathBuf> = OnceLock::new();

/// Use this binary as the launcher (a netlab binary whose `main` calls [`launcher_main`]).
/// For tests and embedders; the netlab binary finds itself.
pub fn set_launcher(path: PathBuf) {
    let _ = LAUNCHER.set(path);
}

/// The launcher: set explicitly, or this process when it is netlab, or the `netlab` binary
/// next to a test binary (`target/<profile>/deps/..`).
pub fn launcher_path() -> Option<PathBuf> {
    if let Some(p) = LAUNCHER.get() {
        return Some(p.clone());
    }
    let me = std::env::current_exe().ok()?;
    if launcher::is_netlab_binary() {
        return Some(me);
    }
    let dir = me.parent()?;
    let dir = if dir.file_name()? == "deps" {
        dir.parent()?
    } else {
        dir
    };
    let candidate = dir.join("netlab");
    candidate.is_file().then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names_what_was_applied() {
        assert_eq!(Level::off().to_string(), "off");
        assert_eq!(Level::full().to_string(), "landlock+userns+seccomp");
        let basic = Level {
            basic: true,
            ..Level::default()
        };
        assert_eq!(basic.to_string(), "rlimits only");
        assert_eq!(basic.missing().len(), 3);
        assert!(Level::full().missing().is_empty());
        let noproc = Level {
            private_proc: false,
            ..Level::full()
        };
        assert_eq!(noproc.to_string(), "landlock+userns-noproc+seccomp");
        assert_eq!(
            noproc.missing(),
            vec!["mounting a private /proc in a user namespace"]
        );
    }

    #[test]
    fn lacking_layers_are_read_from_a_list() {
        let l = Lacking::parse("landlock, seccomp");
        assert!(l.landlock && l.seccomp && !l.namespaces);
        assert_eq!(Lacking::parse(""), Lacking::default());
        assert_eq!(Lacking::parse("bogus"), Lacking::default());
    }

    #[test]
    fn limits_follow_the_time_limit() {
        let l = Limits::for_time_limit(std::time::Duration::from_millis(2500));
        assert_eq!(l.cpu_secs, 4);
        assert_eq!(l.data_bytes, 1 << 30);
        assert_eq!(l.fsize_bytes, 64 << 20);
        assert_eq!(l.nofile, 256);
    }
}

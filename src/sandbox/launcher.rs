//! The launcher: netlab re-executed as `netlab __netlab-sandbox <policy JSON>` with the
//! channel on fd 3, a fresh single-threaded process that confines itself and then executes the
//! client (see the [module docs](super) for why).
//!
//! ```text
//! launcher ── unshare(user, mount, net, pid), uid/gid map, lo up, bind the lab socket,
//!             the pool's sockets and the wire view's packet socket to netlab
//!   └─ supervisor (the PID namespace's init; without namespaces: the launcher itself, as a
//!      │           child subreaper) ── private /proc; waits for the client, kills the rest,
//!      │                                reports the exit status
//!      └─ client ── own process group, rlimits, Landlock, no capabilities, seccomp,
//!                   "ready" (+ the socket) to netlab, exec
//! ```
//!
//! Every process of the chain dies with its parent (`PR_SET_PDEATHSIG`), so killing the
//! launcher (netlab does at the time limit) ends the run, and netlab dying ends every run.

use super::channel::{self, Msg, LAUNCHER_FD};
use super::{landlock, namespace, rlimit, seccomp, Level, Listen, Policy};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::sync::atomic::{AtomicBool, Ordering};

/// The hidden first argument that makes netlab a launcher.
pub const ARG: &str = "__netlab-sandbox";

static IS_NETLAB: AtomicBool = AtomicBool::new(false);

/// Whether this process is the netlab binary (its `main` called [`launcher_main`]).
pub fn is_netlab_binary() -> bool {
    IS_NETLAB.load(Ordering::Relaxed)
}

/// Call first in `main`. Returns `None` in a normal netlab; in a launcher it does not return
/// unless setup failed (then the exit code to leave with).
pub fn launcher_main() -> Option<std::process::ExitCode> {
    IS_NETLAB.store(true, Ordering::Relaxed);
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() != Some(std::ffi::OsStr::new(ARG)) {
        return None;
    }
    // SAFETY: netlab put the channel on fd 3 for us; nothing else in this process owns it.
    let chan = unsafe { OwnedFd::from_raw_fd(LAUNCHER_FD) };
    // SAFETY: fcntl on our own fd: close it when the client is executed.
    unsafe { libc::fcntl(chan.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
    let policy: Result<Policy, String> = args
        .next()
        .and_then(|a| a.into_string().ok())
        .ok_or_else(|| "no policy".to_string())
        .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()));
    let err = match policy {
        Ok(p) => launch(chan.as_fd(), &p),
        Err(e) => e,
    };
    let _ = channel::send(chan.as_fd(), &Msg::Error { message: err }, None);
    Some(std::process::ExitCode::from(
        crate::ExitCode::Internal as u8,
    ))
}

/// Die with the parent; returns false when the parent is already gone.
fn die_with_parent(parent: libc::pid_t) -> bool {
    // SAFETY: prctl/getppid with integer arguments.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        libc::getppid() == parent
    }
}

/// Set up and run; returns only with an error message.
fn launch(chan: BorrowedFd<'_>, policy: &Policy) -> String {
    // SAFETY: getppid has no preconditions.
    if !die_with_parent(unsafe { libc::getppid() }) {
        return "netlab is gone".into();
    }
    let mut level = Level {
        basic: true,
        ..Level::default()
    };
    let mut why_not_ns = String::new();
    if policy.lacking.namespaces {
        why_not_ns = super::Lacking::reason();
    } else if policy.namespaces {
        match namespace::enter() {
            Ok(()) => level.namespaces = true,
            Err(e) => why_not_ns = e.to_string(),
        }
    }
    if policy.require && !level.namespaces {
        return format!(
            "--sandbox require: this system lacks unprivileged user, PID and network namespaces ({why_not_ns})"
        );
    }
    let socket = match bind(policy.listen) {
        Ok(s) => s,
        Err(e) => return format!("cannot create the lab's socket: {e}"),
    };
    if let Err(e) = send_pool(chan, policy.pool) {
        return format!("cannot create the run's client sockets: {e}");
    }
    if policy.capture && level.namespaces {
        if let Err(e) = send_capture(chan) {
            return format!("cannot send the packet socket: {e}");
        }
    }
    if level.namespaces {
        // SAFETY: this process is single-threaded (a fresh launcher): fork is safe, and the
        // child may allocate.
        match unsafe { libc::fork() } {
            -1 => format!("fork: {}", std::io::Error::last_os_error()),
            0 => {
                // In a new PID namespace the parent is outside: getppid() is 0.
                die_with_parent(0);
                level.private_proc = namespace::mount_proc().is_ok();
                supervise(chan, policy, level, socket)
            }
            child => {
                drop(socket);
                let _ = wait_for(child);
                std::process::exit(0);
            }
        }
    } else {
        supervise(chan, policy, level, socket)
    }
}

/// The lab's socket, in this process's network namespace.
fn bind(listen: Listen) -> std::io::Result<Option<(OwnedFd, u16)>> {
    Ok(match listen {
        Listen::None => None,
        Listen::Tcp => {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            let port = l.local_addr()?.port();
            Some((l.into(), port))
        }
        Listen::Tcp6 => {
            let l = std::net::TcpListener::bind("[::]:0")?;
            let port = l.local_addr()?.port();
            Some((l.into(), port))
        }
        Listen::Udp => {
            let s = std::net::UdpSocket::bind("127.0.0.1:0")?;
            let port = s.local_addr()?.port();
            Some((s.into(), port))
        }
    })
}

/// Create the pool's unconnected sockets here (in the run's network namespace) and send each
/// to netlab.
fn send_pool(chan: BorrowedFd<'_>, pool: super::Pool) -> std::io::Result<()> {
    use nix::sys::socket::{socket, AddressFamily, SockFlag, SockType};
    let kinds = std::iter::repeat_n(false, pool.tcp.into())
        .chain(std::iter::repeat_n(true, pool.udp.into()));
    for udp in kinds {
        let ty = if udp {
            SockType::Datagram
        } else {
            SockType::Stream
        };
        let fd = socket(AddressFamily::Inet, ty, SockFlag::SOCK_CLOEXEC, None)?;
        channel::send(chan, &Msg::Pool { udp }, Some(fd.as_raw_fd()))?;
    }
    Ok(())
}

/// Open the wire view's packet socket on this network namespace's loopback (we still hold
/// `CAP_NET_RAW` here) and send it to netlab; a socket that cannot be opened is reported in
/// the message instead (the run goes on without the wire view).
fn send_capture(chan: BorrowedFd<'_>) -> std::io::Result<()> {
    match crate::wire::open_packet_socket() {
        Ok(fd) => channel::send(chan, &Msg::Capture { error: None }, Some(fd.as_raw_fd())),
        Err(e) => channel::send(
            chan,
            &Msg::Capture {
                error: Some(e.to_string()),
            },
            None,
        ),
    }
}

/// The supervisor: start the client, wait for it, kill what it left, report. Never returns
/// unless the client could not be forked.
fn supervise(
    chan: BorrowedFd<'_>,
    policy: &Policy,
    level: Level,
    socket: Option<(OwnedFd, u16)>,
) -> String {
    if policy.require {
        let missing = {
            let mut l = level.clone();
            // Landlock and seccomp are checked in the client, where they are applied.
            l.landlock = true;
            l.seccomp = true;
            l.missing()
        };
        if !missing.is_empty() {
            return format!(
                "--sandbox require: this system lacks {}",
                missing.join(", ")
            );
        }
    }
    // SAFETY: setting our own flag; orphans of the client come to us, not to netlab.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    // SAFETY: single-threaded process (see `launch`).
    let me = unsafe { libc::getpid() };
    let client = unsafe { libc::fork() };
    if client < 0 {
        return format!("fork: {}", std::io::Error::last_os_error());
    }
    if client == 0 {
        die_with_parent(me);
        let msg = client_main(chan, policy, level, socket);
        let _ = channel::send(chan, &msg, None);
        // SAFETY: leaving the forked child without running the parent's exit handlers.
        unsafe {
            libc::_exit(if matches!(msg, Msg::ExecFailed { .. }) {
                127
            } else {
                4
            })
        };
    }
    drop(socket);
    let status = wait_for(client);
    // Everything the client left: its process group, then every child re-parented to us,
    // until none is left (bounded).
    // SAFETY: kill with a process group id we created (the client's own).
    unsafe { libc::kill(-client, libc::SIGKILL) };
    // With a PID namespace the kernel kills the rest when this init exits (and /proc may not
    // be the namespace's own, so it must not be scanned for "our" children).
    let leftovers = if level.namespaces && !level.private_proc {
        0
    } else {
        kill_children(me)
    };
    if leftovers > 0 {
        let _ = channel::send(chan, &Msg::Leftovers { count: leftovers }, None);
    }
    let msg = match status {
        Some(s) if libc::WIFEXITED(s) => Msg::Exit {
            code: libc::WEXITSTATUS(s),
        },
        Some(s) if libc::WIFSIGNALED(s) => Msg::Signal {
            signal: libc::WTERMSIG(s),
        },
        _ => Msg::Signal {
            signal: libc::SIGKILL,
        },
    };
    // A probe, or a client that could not start, has reported already.
    let _ = channel::send(chan, &msg, None);
    std::process::exit(0);
}

/// Wait for `pid`, reaping every other child (orphans re-parented to us) on the way.
fn wait_for(pid: libc::pid_t) -> Option<libc::c_int> {
    // Bounded by the number of processes that can exist; each iteration reaps one.
    for _ in 0..1_000_000 {
        let mut status = 0;
        // SAFETY: waitpid with a valid status pointer.
        let r = unsafe { libc::waitpid(-1, &mut status, 0) };
        if r == pid {
            return Some(status);
        }
        if r < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return None;
        }
    }
    None
}

/// Kill and reap every child of `me` until there are none (bounded rounds). Returns how many.
fn kill_children(me: libc::pid_t) -> usize {
    let mut killed = std::collections::BTreeSet::new();
    for _round in 0..50 {
        let kids = children_of(me);
        if kids.is_empty() {
            break;
        }
        for k in &kids {
            // SAFETY: kill + waitpid on our own child; SIGKILL cannot be caught, so the wait
            // ends as soon as the kernel has taken it down.
            unsafe {
                libc::kill(*k, libc::SIGKILL);
                libc::waitpid(*k, std::ptr::null_mut(), 0);
            }
            killed.insert(*k);
        }
    }
    killed.len()
}

fn children_of(me: libc::pid_t) -> Vec<libc::pid_t> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| crate::lab::run::parent_of(pid) == Some(me))
        .collect()
}

/// The client: confine, report ready, exec. Returns the message to send when it cannot.
fn client_main(
    chan: BorrowedFd<'_>,
    policy: &Policy,
    mut level: Level,
    socket: Option<(OwnedFd, u16)>,
) -> Msg {
    // SAFETY: our own process group, so netlab can kill the client's group as a whole.
    unsafe { libc::setpgid(0, 0) };
    let port = socket.as_ref().map(|(_, p)| *p);
    if let Err(e) = std::env::set_current_dir(&policy.cwd) {
        return Msg::ExecFailed {
            message: format!("cannot enter {}: {e}", policy.cwd.display()),
        };
    }
    if let Err(e) = rlimit::apply(&policy.limits) {
        return Msg::Error {
            message: format!("rlimits: {e}"),
        };
    }
    let fully = if policy.lacking.landlock {
        Err(super::Lacking::reason())
    } else {
        landlock::restrict(policy, level.private_proc, port)
    };
    level.landlock = matches!(fully, Ok(true));
    if policy.require && !level.landlock {
        return Msg::Error {
            message: format!(
                "--sandbox require: this system lacks Landlock (ABI 6 or later, fully enforced){}",
                fully.err().map(|e| format!(": {e}")).unwrap_or_default()
            ),
        };
    }
    if level.namespaces {
        namespace::drop_capabilities();
    }
    let sec = if policy.lacking.seccomp {
        Err(super::Lacking::reason())
    } else {
        seccomp::apply()
    };
    level.seccomp = sec.is_ok();
    if policy.require && !level.seccomp {
        return Msg::Error {
            message: format!(
                "--sandbox require: this system lacks seccomp filters ({})",
                sec.err().unwrap_or_default()
            ),
        };
    }
    let client_pid = (!level.namespaces).then(|| std::process::id() as i32);
    let ready = Msg::Ready {
        level,
        port,
        client_pid,
    };
    if let Err(e) = channel::send(chan, &ready, socket.as_ref().map(|(f, _)| f.as_raw_fd())) {
        return Msg::Error {
            message: format!("channel: {e}"),
        };
    }
    if policy.command.is_empty() {
        // A probe: everything is set up, nothing to run.
        // SAFETY: leaving the forked child.
        unsafe { libc::_exit(0) };
    }
    drop(socket);
    let mut cmd = std::process::Command::new(&policy.command[0]);
    cmd.args(&policy.command[1..]).env_clear();
    cmd.envs(policy.env.iter().map(|(k, v)| (k, v)));
    if let Some(p) = port {
        cmd.env("NETLAB_PORT", p.to_string());
    }
    let e = cmd.exec();
    Msg::ExecFailed {
        message: format!("{}: {e}", policy.command[0]),
    }
}

//! The wire view's own network namespace, and the registry `netlab exec` finds it by.
//!
//! In wire mode (`serve --wire`, `demo --wire`, `--pcap`) the netlab process itself moves into
//! a fresh user + network namespace at the very start of `main`, while it is still
//! single-threaded ([`init`] → [`enter`]): there it holds `CAP_NET_RAW` over its own loopback
//! without being root, so everything the command then does — the scenario's server, the demo
//! clients, the capture socket — lives on a loopback nobody else uses. Where the kernel
//! refuses, netlab falls back once, said plainly ([`Mode::notice`]): to the host's loopback
//! when it has `CAP_NET_RAW` anyway (root), else to socket events only. Never fatal.
//!
//! A wire-mode `serve` registers itself ([`Registration`]) in
//! `$XDG_RUNTIME_DIR/netlab/wire/<pid>.json` (else `/tmp/netlab-<uid>/wire/`): a directory of
//! mode 0700 that must be ours and a real directory (never a symlink), each file written
//! atomically (a fresh temp file renamed into place, so no symlink is ever followed). The file
//! goes when the guard is dropped (and on the second-Ctrl-C exit path, [`unregister`]); a file
//! whose process is gone (or whose pid was reused) is ignored and removed by [`live`].
//! `netlab exec` reads it and [`join`]s that process's namespaces.

use crate::sandbox::{namespace, Lacking};
use serde::{Deserialize, Serialize};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Why the wire view's namespace could not be entered (the kernel's refusal, in words).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(pub String);

/// Unshare a user + network namespace, map our uid/gid to themselves, bring `lo` up.
///
/// Call only while the process is single-threaded (the kernel refuses a new user namespace to
/// a multi-threaded process). `NETLAB_SANDBOX_PRETEND_LACKING=namespaces` makes it fail as if
/// the kernel refused, without trying.
pub fn enter() -> Result<(), Unavailable> {
    if Lacking::from_env().namespaces {
        return Err(Unavailable(Lacking::reason()));
    }
    // SAFETY: plain system calls with valid arguments.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    // SAFETY: as above.
    if unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) } < 0 {
        return Err(Unavailable(format!(
            "the kernel refused a user + network namespace ({})",
            io::Error::last_os_error()
        )));
    }
    namespace::map_ids(uid, gid)
        .map_err(|e| Unavailable(format!("cannot map our user id in the namespace ({e})")))?;
    namespace::loopback_up()
        .map_err(|e| Unavailable(format!("cannot bring up the namespace's loopback ({e})")))
}

/// What the wire view can show in this process, decided once by [`init`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// netlab lives in its own user + network namespace and captures its loopback there.
    Namespace,
    /// No namespace, but `CAP_NET_RAW` here: capture on the host's `lo`, filtered to the
    /// scenario's ports (other programs' traffic to those ports shows too).
    HostLoopback,
    /// Neither: socket events only. The reason, in words.
    Unavailable(String),
}

impl Mode {
    /// Whether packets can be captured at all.
    pub fn captures(&self) -> bool {
        !matches!(self, Mode::Unavailable(_))
    }

    /// The one line that says plainly what is shown instead, when it is not the namespace's
    /// loopback.
    pub fn notice(&self) -> Option<String> {
        match self {
            Mode::Namespace => None,
            Mode::HostLoopback => Some(
                "wire: capturing on this machine's loopback (netlab has CAP_NET_RAW); other programs' traffic to these ports would show too"
                    .to_string(),
            ),
            Mode::Unavailable(why) => Some(unavailable_notice(why)),
        }
    }
}

/// `wire view unavailable: <why>; showing socket events only`.
pub fn unavailable_notice(why: &str) -> String {
    format!("wire view unavailable: {why}; showing socket events only")
}

static MODE: OnceLock<Mode> = OnceLock::new();

/// Enter the namespace (or pick the fallback) once for this process and remember the
/// outcome. Call at the start of `main`, before any thread exists.
pub fn init() -> &'static Mode {
    let mode = MODE.get_or_init(|| match enter() {
        Ok(()) => Mode::Namespace,
        Err(Unavailable(why)) if has_cap_net_raw() => {
            let _ = why;
            Mode::HostLoopback
        }
        Err(Unavailable(why)) => Mode::Unavailable(format!(
            "no network namespace of its own ({why}) and no CAP_NET_RAW"
        )),
    });
    if mode.captures() {
        keep_timestamps_on();
    }
    mode
}

/// The mode [`init`] decided; `None` when this process is not in wire mode.
pub fn mode() -> Option<&'static Mode> {
    MODE.get()
}

/// `CAP_NET_RAW` in our user namespace, unless `NETLAB_SANDBOX_PRETEND_LACKING` names
/// `cap_net_raw`.
pub fn has_cap_net_raw() -> bool {
    !Lacking::from_env().cap_net_raw && super::has_cap_net_raw()
}

/// Turn the kernel's packet timestamps on for good, and wait (bounded) until they are on.
///
/// A packet is stamped when it passes the loopback only while some socket asks for
/// timestamps; the first such socket turns them on through a kernel work queue, a moment
/// later. A frame queued in between is stamped when the capture reads it — late, after the
/// socket events it caused. So, once per process and before any capture: a UDP socket with
/// `SO_TIMESTAMPNS` is opened and kept open, and datagrams to itself show when stamps are
/// taken on arrival (earlier than the read). Its datagrams pass before any packet socket
/// exists, so no capture sees them. Returns whether stamping was seen to be on.
pub fn keep_timestamps_on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| match warm_timestamps() {
        Ok((sock, on)) => {
            // Kept open for the life of the process: the kernel keeps stamping meanwhile.
            std::mem::forget(sock);
            on
        }
        Err(_) => false,
    })
}

fn warm_timestamps() -> io::Result<(std::net::UdpSocket, bool)> {
    use std::os::fd::AsRawFd;
    let sock = std::net::UdpSocket::bind("127.0.0.1:0")?;
    sock.connect(sock.local_addr()?)?;
    let on: libc::c_int = 1;
    // SAFETY: setsockopt with a valid int option value.
    let r = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_TIMESTAMPNS,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    sock.set_read_timeout(Some(std::time::Duration::from_millis(100)))?;
    // Bounded: at most 200 rounds of a datagram and a 250 µs pause (50 ms).
    for _ in 0..200 {
        sock.send(b".")?;
        // The datagram is queued by now (loopback delivers within the send call); a stamp
        // taken on arrival is earlier than this instant, one taken by the read is later.
        let before = realtime_ns();
        match recv_stamp(&sock)? {
            Some(stamp) if stamp < before => return Ok((sock, true)),
            _ => std::thread::sleep(std::time::Duration::from_micros(250)),
        }
    }
    Ok((sock, false))
}

fn realtime_ns() -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime with a valid timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128
}

/// Read one datagram; its `SCM_TIMESTAMPNS` stamp in nanoseconds, if it carried one.
fn recv_stamp(sock: &std::net::UdpSocket) -> io::Result<Option<i128>> {
    use std::os::fd::AsRawFd;
    let mut buf = [0u8; 16];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // Room for one cmsg carrying a timespec (aligned generously).
    let mut control = [0u64; 16];
    // SAFETY: an all-zero msghdr is valid; the pointers set below outlive the call.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&control) as _;
    // SAFETY: recvmsg with the valid msghdr above.
    if unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, 0) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: walking the control messages the kernel wrote into `control`.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_TIMESTAMPNS {
                let ts: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                return Ok(Some(ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128));
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    Ok(None)
}

/// One wire-mode netlab, as its registry file describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its pid (in the host's PID namespace: wire mode makes no PID namespace).
    pub pid: u32,
    /// The process's start time (`/proc/<pid>/stat` field 22), so a reused pid is not taken
    /// for it.
    pub start: u64,
    /// `serve`, `demo`.
    pub command: String,
    /// The scenario it serves.
    pub scenario: String,
    /// The ports it listens on inside its namespace.
    pub ports: Vec<u16>,
    /// The commands to try, already wrapped in `netlab exec --`.
    #[serde(default)]
    pub try_commands: Vec<String>,
}

impl Entry {
    /// This process, serving `scenario` on `ports`.
    pub fn this_process(command: &str, scenario: &str, ports: Vec<u16>) -> Entry {
        let pid = std::process::id();
        Entry {
            pid,
            start: start_time(pid).unwrap_or(0),
            command: command.to_string(),
            scenario: scenario.to_string(),
            ports,
            try_commands: Vec::new(),
        }
    }

    /// Whether the process it names still runs (same pid, same start time).
    pub fn alive(&self) -> bool {
        start_time(self.pid).is_some_and(|s| s == self.start)
    }

    /// `12345  serve tcp-echo  port 8124`, for lists.
    pub fn describe(&self) -> String {
        let ports: Vec<String> = self.ports.iter().map(|p| p.to_string()).collect();
        format!(
            "{:<8} netlab {} {}  port {}",
            self.pid,
            self.command,
            self.scenario,
            ports.join(", ")
        )
    }
}

/// A process's start time in clock ticks since boot (field 22 of `/proc/<pid>/stat`).
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces and parentheses).
    let rest = &stat[stat.rfind(')')? + 2..];
    // `rest` starts at field 3 (state); field 22 is the 20th from here.
    rest.split(' ').nth(19)?.parse().ok()
}

/// The registry directory for this user: `$XDG_RUNTIME_DIR/netlab/wire` when that variable
/// names an absolute directory, else `/tmp/netlab-<uid>/wire`.
pub fn registry_dir() -> PathBuf {
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        Some(d) if d.is_absolute() && d.is_dir() => d.join("netlab").join("wire"),
        _ => std::env::temp_dir()
            .join(format!("netlab-{uid}"))
            .join("wire"),
    }
}

/// Make sure `dir` (and its parent, which netlab also owns) exists as a real directory owned
/// by us with mode 0700; refuse anything else (a symlink, someone else's directory).
fn secure_dir(dir: &Path) -> io::Result<()> {
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let parent = dir.parent().unwrap_or(dir);
    for d in [parent, dir] {
        match std::fs::symlink_metadata(d) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                match std::fs::DirBuilder::new().mode(0o700).create(d) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        }
        let m = std::fs::symlink_metadata(d)?;
        if !m.file_type().is_dir() || m.uid() != uid {
            return Err(io::Error::other(format!(
                "refusing to use {}: not a directory of your own",
                d.display()
            )));
        }
        if m.mode() & 0o077 != 0 {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// The path of this process's registry file, while registered (for [`unregister`]).
static REGISTERED: Mutex<Option<PathBuf>> = Mutex::new(None);

/// This process's entry in the registry; removed when dropped.
#[derive(Debug)]
pub struct Registration {
    path: PathBuf,
}

impl Registration {
    /// Write `entry` to `<registry>/<pid>.json`, atomically.
    pub fn register(entry: &Entry) -> io::Result<Registration> {
        Self::register_in(&registry_dir(), entry)
    }

    /// As [`Registration::register`], in `dir` (tests).
    pub fn register_in(dir: &Path, entry: &Entry) -> io::Result<Registration> {
        secure_dir(dir)?;
        let path = dir.join(format!("{}.json", entry.pid));
        let mut tmp = tempfile::Builder::new()
            .prefix(".netlab-wire-")
            .tempfile_in(dir)?;
        serde_json::to_writer(&mut tmp, entry).map_err(io::Error::other)?;
        tmp.write_all(b"\n")?;
        tmp.as_file().sync_all()?;
        // rename(2) replaces whatever is at `path` (a symlink included) without following it.
        tmp.persist(&path).map_err(|e| e.error)?;
        *REGISTERED.lock().unwrap_or_else(|e| e.into_inner()) = Some(path.clone());
        Ok(Registration { path })
    }

    /// Where the entry is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let mut g = REGISTERED.lock().unwrap_or_else(|e| e.into_inner());
        if g.as_deref() == Some(self.path.as_path()) {
            *g = None;
        }
    }
}

/// Remove this process's registry file now (for exit paths that skip destructors, such as a
/// second Ctrl-C's `process::exit`).
pub fn unregister() {
    if let Some(p) = REGISTERED.lock().unwrap_or_else(|e| e.into_inner()).take() {
        let _ = std::fs::remove_file(p);
    }
}

/// The live wire-mode netlabs of this user, newest first; stale files are removed.
pub fn live() -> Vec<Entry> {
    live_in(&registry_dir())
}

/// As [`live`], in `dir` (tests).
pub fn live_in(dir: &Path) -> Vec<Entry> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    // Bounded: a user does not run thousands of wire-mode netlabs.
    for e in rd.filter_map(|e| e.ok()).take(4096) {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_suffix(".json"))
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let path = e.path();
        let Ok(entry) = read_entry(&path) else {
            continue;
        };
        if entry.pid != pid {
            continue;
        }
        if entry.alive() {
            found.push(entry);
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
    found.sort_by(|a, b| b.start.cmp(&a.start).then(b.pid.cmp(&a.pid)));
    found
}

/// One registry file: a regular file (never through a symlink), small, valid JSON.
fn read_entry(path: &Path) -> io::Result<Entry> {
    use std::io::Read;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::other("not a file"));
    }
    let mut text = String::new();
    f.take(64 * 1024).read_to_string(&mut text)?;
    serde_json::from_str(&text).map_err(io::Error::other)
}

/// Move this (single-threaded) process into `pid`'s user and network namespaces, in that
/// order (the user namespace gives the right to join the network namespace it owns).
pub fn join(pid: u32) -> io::Result<()> {
    for (ns, flag) in [("user", libc::CLONE_NEWUSER), ("net", libc::CLONE_NEWNET)] {
        let f = std::fs::File::open(format!("/proc/{pid}/ns/{ns}"))?;
        use std::os::fd::AsRawFd;
        // SAFETY: setns with a namespace fd we just opened.
        if unsafe { libc::setns(f.as_raw_fd(), flag) } < 0 {
            let e = io::Error::last_os_error();
            return Err(io::Error::new(
                e.kind(),
                format!("cannot join the {ns} namespace of process {pid}: {e}"),
            ));
        }
    }
    Ok(())
}

/// A scenario's "try" command, run inside the wire namespace: `netlab exec --` goes before the
/// program that connects (`printf … | netlab exec -- nc -N 127.0.0.1 8124`).
pub fn exec_command(cmd: &str) -> String {
    const CLIENTS: &[&str] = &[
        "nc", "curl", "node", "python3", "python", "openssl", "socat",
    ];
    let mut done = false;
    let parts: Vec<String> = cmd
        .split(" | ")
        .map(|seg| {
            let lead = seg.len() - seg.trim_start().len();
            let first = seg.split_whitespace().next().unwrap_or("");
            if !done && CLIENTS.contains(&first) {
                done = true;
                format!("{}netlab exec -- {}", &seg[..lead], &seg[lead..])
            } else {
                seg.to_string()
            }
        })
        .collect();
    if done {
        parts.join(" | ")
    } else {
        format!("netlab exec -- {cmd}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_goes_before_the_connecting_program() {
        assert_eq!(
            exec_command("printf 'hello\\r\\n' | nc -N 127.0.0.1 8124"),
            "printf 'hello\\r\\n' | netlab exec -- nc -N 127.0.0.1 8124"
        );
        assert_eq!(
            exec_command("nc 127.0.0.1 8125 | wc -c"),
            "netlab exec -- nc 127.0.0.1 8125 | wc -c"
        );
        assert_eq!(
            exec_command("curl -v http://127.0.0.1:8080/hello"),
            "netlab exec -- curl -v http://127.0.0.1:8080/hello"
        );
        assert_eq!(exec_command("ab -n 1"), "netlab exec -- ab -n 1");
    }

    #[test]
    fn the_registry_keeps_live_entries_and_drops_stale_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("netlab").join("wire");
        let me = Entry::this_process("serve", "tcp-echo", vec![8124]);
        assert!(me.alive(), "this process is alive");
        let reg = Registration::register_in(&dir, &me).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o700);
        // A stale entry: a pid that exists with another start time.
        let stale = Entry {
            pid: 1,
            start: u64::MAX,
            ..me.clone()
        };
        std::fs::write(dir.join("1.json"), serde_json::to_string(&stale).unwrap()).unwrap();
        // Garbage and a symlink are ignored.
        std::fs::write(dir.join("2.json"), "not json").unwrap();
        std::os::unix::fs::symlink(reg.path(), dir.join("3.json")).unwrap();
        let live = live_in(&dir);
        assert_eq!(live, vec![me.clone()]);
        assert!(!dir.join("1.json").exists(), "the stale entry was removed");
        drop(reg);
        assert!(live_in(&dir).is_empty(), "removed on drop");
        assert!(!dir.join(format!("{}.json", me.pid)).exists());
    }

    #[test]
    fn the_registry_refuses_a_symlinked_or_foreign_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let me = Entry::this_process("serve", "tcp-echo", vec![8124]);
        let err = Registration::register_in(&link.join("wire"), &me).unwrap_err();
        assert!(
            err.to_string().contains("not a directory of your own"),
            "{err}"
        );
        assert!(std::fs::read_dir(&real).unwrap().next().is_none());
    }

    #[test]
    fn packet_timestamps_are_turned_on() {
        assert!(keep_timestamps_on(), "stamps are taken on arrival");
        assert!(keep_timestamps_on(), "and stay on");
    }

    #[test]
    fn notices_say_what_is_shown_instead() {
        assert_eq!(Mode::Namespace.notice(), None);
        assert!(Mode::HostLoopback.notice().unwrap().contains("CAP_NET_RAW"));
        let n = Mode::Unavailable("no namespaces".into()).notice().unwrap();
        assert_eq!(
            n,
            "wire view unavailable: no namespaces; showing socket events only"
        );
    }
}

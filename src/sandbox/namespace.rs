//! User + PID + network + mount namespaces for a run (unprivileged: the launcher maps its own
//! uid and gid into a fresh user namespace, which owns the other three).
//!
//! [`enter`] unshares them and brings up the new network namespace's `lo` (a fresh network
//! namespace has only `lo`, and it is down); the launcher's next child is the PID namespace's
//! init, which calls [`mount_proc`] so that `/proc` shows only the run. Where unprivileged
//! namespaces are forbidden (some distributions' AppArmor policy), [`enter`] fails and the
//! run goes on without them.

use std::io;

fn check(r: libc::c_int) -> io::Result<()> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Unshare user, mount, network and PID namespaces, map our ids, bring `lo` up.
pub fn enter() -> io::Result<()> {
    // SAFETY: plain system calls with valid arguments.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    check(unsafe {
        libc::unshare(
            libc::CLONE_NEWUSER | libc::CLONE_NEWNS | libc::CLONE_NEWNET | libc::CLONE_NEWPID,
        )
    })?;
    map_ids(uid, gid)?;
    loopback_up()
}

/// Right after `unshare(CLONE_NEWUSER)`: map `uid` and `gid` (ours outside) to themselves
/// inside, so files we create are ours outside too (`setgroups` denied first, as an
/// unprivileged `gid_map` requires). Also used by the wire view's namespace
/// ([`crate::wire::netns`]).
pub fn map_ids(uid: libc::uid_t, gid: libc::gid_t) -> io::Result<()> {
    std::fs::write("/proc/self/setgroups", "deny")?;
    std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1\n"))?;
    std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1\n"))
}

/// `ifconfig lo up` in the current network namespace.
pub fn loopback_up() -> io::Result<()> {
    #[repr(C)]
    struct IfReq {
        name: [libc::c_char; libc::IFNAMSIZ],
        flags: libc::c_short,
        _pad: [u8; 22],
    }
    // SAFETY: a datagram socket used only for the two ioctls below, then closed.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    check(fd)?;
    let mut req = IfReq {
        name: [0; libc::IFNAMSIZ],
        flags: 0,
        _pad: [0; 22],
    };
    for (d, s) in req.name.iter_mut().zip(b"lo") {
        *d = *s as libc::c_char;
    }
    // SAFETY: `req` is a valid ifreq-sized buffer for both ioctls.
    let r = unsafe {
        let mut r = libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req);
        if r == 0 {
            req.flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
            r = libc::ioctl(fd, libc::SIOCSIFFLAGS, &req);
        }
        r
    };
    let err = io::Error::last_os_error();
    // SAFETY: closing the socket we opened.
    unsafe { libc::close(fd) };
    if r < 0 {
        return Err(err);
    }
    Ok(())
}

/// In the PID namespace's init: make mounts private, then mount a fresh `/proc`.
pub fn mount_proc() -> io::Result<()> {
    // SAFETY: mount(2) with valid C strings.
    unsafe {
        check(libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ))?;
        check(libc::mount(
            c"proc".as_ptr(),
            c"/proc".as_ptr(),
            c"proc".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            std::ptr::null(),
        ))
    }
}

/// Drop every capability the process holds in its user namespace (the bounding set too, so a
/// client mapped to uid 0 does not regain them at `exec`).
pub fn drop_capabilities() {
    for cap in 0..64 {
        // SAFETY: prctl with integer arguments; unknown capabilities fail harmlessly.
        unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) };
    }
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let mut h = Header {
        version: 0x2008_0522,
        pid: 0,
    };
    let d = [
        Data {
            effective: 0,
            permitted: 0,
            inheritable: 0,
        },
        Data {
            effective: 0,
            permitted: 0,
            inheritable: 0,
        },
    ];
    // SAFETY: capset with a version-3 header and two data structs.
    unsafe { libc::syscall(libc::SYS_capset, &mut h, d.as_ptr()) };
}

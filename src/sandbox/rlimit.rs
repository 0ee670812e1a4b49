//! Resource limits for the client (set in the launcher just before `exec`).
//!
//! `RLIMIT_CPU` (soft = the limit, hard = one more second: SIGXCPU, then SIGKILL),
//! `RLIMIT_DATA` (a 2 GiB allocation fails: `MemoryError` in Python; unlike `RLIMIT_AS` it
//! leaves V8's large address-space reservations alone), `RLIMIT_FSIZE` (writes past it fail
//! with `EFBIG`; SIGXFSZ is ignored so the client sees the error), `RLIMIT_NOFILE` and
//! `RLIMIT_CORE` = 0. A limit is never raised above the current hard limit.

use super::Limits;

/// Apply `limits` to this process.
pub fn apply(limits: &Limits) -> std::io::Result<()> {
    set(libc::RLIMIT_CPU, limits.cpu_secs, limits.cpu_secs + 1)?;
    set(libc::RLIMIT_DATA, limits.data_bytes, limits.data_bytes)?;
    set(libc::RLIMIT_FSIZE, limits.fsize_bytes, limits.fsize_bytes)?;
    set(libc::RLIMIT_NOFILE, limits.nofile, limits.nofile)?;
    set(libc::RLIMIT_CORE, 0, 0)?;
    // SAFETY: setting a signal's disposition to SIG_IGN; no handler code is involved.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    Ok(())
}

fn set(resource: libc::__rlimit_resource_t, soft: u64, hard: u64) -> std::io::Result<()> {
    let mut cur = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: valid pointer to an rlimit.
    if unsafe { libc::getrlimit(resource, &mut cur) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let hard = hard.min(cur.rlim_max);
    let new = libc::rlimit {
        rlim_cur: soft.min(hard),
        rlim_max: hard,
    };
    // SAFETY: valid pointer to an rlimit.
    if unsafe { libc::setrlimit(resource, &new) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

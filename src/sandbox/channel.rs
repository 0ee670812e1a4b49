//! The launcher's channel back to netlab: a `SOCK_SEQPACKET` Unix socketpair (one message per
//! datagram, message boundaries kept), JSON messages, and at most one file descriptor passed
//! with `SCM_RIGHTS` (the lab server's listening socket, a pool socket or the packet socket,
//! created in the run's namespace).

use super::Level;
use nix::sys::socket::{
    recvmsg, sendmsg, socketpair, AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags,
    SockFlag, SockType,
};
use serde::{Deserialize, Serialize};
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// The fd number the channel has in the launcher.
pub const LAUNCHER_FD: RawFd = 3;

/// A message from the launcher (or the run's supervisor) to netlab.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Msg {
    /// Set up; the client is about to be executed. The listening socket (if any) comes with
    /// it. `client_pid` is the client's pid as netlab sees it (none inside a PID namespace,
    /// where killing the launcher ends the run).
    Ready {
        level: Level,
        port: Option<u16>,
        client_pid: Option<i32>,
    },
    /// One client socket of the run's pool (server labs), created in the run's network
    /// namespace; the descriptor comes with it. Sent before `Ready`.
    Pool { udp: bool },
    /// The wire view's packet socket ([`super::Policy::capture`]), opened on the run's
    /// loopback before the capabilities were dropped; the descriptor comes with it unless
    /// `error` says why it could not be opened. Sent before `Ready`.
    Capture { error: Option<String> },
    /// Setup failed (with `require`: a layer is missing). Nothing was run.
    Error { message: String },
    /// The client could not be executed (no such program…).
    ExecFailed { message: String },
    /// The client exited with this code.
    Exit { code: i32 },
    /// The client was killed by this signal.
    Signal { signal: i32 },
    /// Processes of the run left after the client ended, which the supervisor killed.
    Leftovers { count: usize },
}

/// A connected pair, both ends close-on-exec.
pub fn pair() -> std::io::Result<(OwnedFd, OwnedFd)> {
    Ok(socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )?)
}

/// Send `msg`, with `fd` attached when given.
pub fn send(chan: BorrowedFd<'_>, msg: &Msg, fd: Option<RawFd>) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(msg).map_err(std::io::Error::other)?;
    let iov = [IoSlice::new(&bytes)];
    let fds = fd.map(|f| [f]);
    let cmsgs: Vec<ControlMessage<'_>> = fds
        .as_ref()
        .map(|f| vec![ControlMessage::ScmRights(f)])
        .unwrap_or_default();
    sendmsg::<()>(chan.as_raw_fd(), &iov, &cmsgs, MsgFlags::MSG_NOSIGNAL, None)?;
    Ok(())
}

/// Receive one message, waiting at most `timeout` (`None`: do not wait). `Ok(None)`: nothing
/// (yet), or the other end is closed.
pub fn recv(
    chan: BorrowedFd<'_>,
    timeout: Option<Duration>,
) -> std::io::Result<Option<(Msg, Option<OwnedFd>)>> {
    let ms = timeout.map_or(0, |t| t.as_millis().min(i32::MAX as u128) as i32);
    let mut pfd = libc::pollfd {
        fd: chan.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // Bounded: EINTR retries are few, and each waits at most `ms`.
    for _ in 0..100 {
        // SAFETY: one valid pollfd.
        let r = unsafe { libc::poll(&mut pfd, 1, ms) };
        if r < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        if r < 0 {
            return Err(std::io::Error::last_os_error());
        }
        if r == 0 {
            return Ok(None);
        }
        break;
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut cmsg = nix::cmsg_space!([RawFd; 4]);
    let (n, fds) = {
        let mut iov = [IoSliceMut::new(&mut buf)];
        let m = recvmsg::<()>(
            chan.as_raw_fd(),
            &mut iov,
            Some(&mut cmsg),
            MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_CMSG_CLOEXEC,
        );
        let m = match m {
            Ok(m) => m,
            Err(nix::errno::Errno::EAGAIN) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let mut fds = Vec::new();
        if let Ok(cms) = m.cmsgs() {
            for c in cms {
                if let ControlMessageOwned::ScmRights(v) = c {
                    fds.extend(v);
                }
            }
        }
        (m.bytes, fds)
    };
    // SAFETY: the kernel just gave us these descriptors; nobody else owns them.
    let mut owned: Vec<OwnedFd> = fds
        .into_iter()
        .map(|f| unsafe { OwnedFd::from_raw_fd(f) })
        .collect();
    if n == 0 {
        return Ok(None);
    }
    let msg: Msg = serde_json::from_slice(&buf[..n])
        .map_err(|e| std::io::Error::other(format!("bad message from the launcher: {e}")))?;
    let fd = if owned.is_empty() {
        None
    } else {
        Some(owned.swap_remove(0))
    };
    Ok(Some((msg, fd)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn messages_and_descriptors_cross() {
        let (a, b) = pair().unwrap();
        let file = std::fs::File::open("/dev/null").unwrap();
        let msg = Msg::Ready {
            level: Level::full(),
            port: Some(4242),
            client_pid: None,
        };
        send(a.as_fd(), &msg, Some(file.as_raw_fd())).unwrap();
        send(a.as_fd(), &Msg::Exit { code: 3 }, None).unwrap();
        let (got, fd) = recv(b.as_fd(), Some(Duration::from_secs(5)))
            .unwrap()
            .unwrap();
        assert_eq!(got, msg);
        assert!(fd.is_some());
        let (got, fd) = recv(b.as_fd(), None).unwrap().unwrap();
        assert_eq!(got, Msg::Exit { code: 3 });
        assert!(fd.is_none());
        assert!(recv(b.as_fd(), None).unwrap().is_none());
        drop(a);
        assert!(recv(b.as_fd(), Some(Duration::from_secs(5)))
            .unwrap()
            .is_none());
    }
}

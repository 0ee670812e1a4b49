//! How netlab's clients reach a learner's server: TCP and UDP sockets from the run's pool
//! (created by the sandbox's launcher inside the run's network namespace, where the server
//! listens) or, without a namespace, made here; Unix sockets by path (a path crosses network
//! namespaces).

use std::net::{Ipv4Addr, SocketAddr};
use std::os::fd::{FromRawFd, IntoRawFd, OwnedFd};
use std::sync::Mutex;

/// Hands out client sockets for one run.
pub struct Dialer {
    /// Unconnected sockets made in the run's network namespace (`true`: UDP).
    pool: Mutex<Vec<(bool, OwnedFd)>>,
    /// No pool: make sockets here (the server is in netlab's own network namespace).
    own: bool,
    /// The run's client lanes, where every client made here records what it does.
    lanes: super::drivers::lanes::Lanes,
}

impl Dialer {
    /// Sockets made here, in netlab's network namespace.
    pub fn own() -> Dialer {
        Dialer {
            pool: Mutex::new(Vec::new()),
            own: true,
            lanes: Default::default(),
        }
    }

    /// Sockets from the launcher's pool. When the run has no network namespace the pool's
    /// sockets are in netlab's and work the same.
    pub fn pooled(pool: Vec<(bool, OwnedFd)>) -> Dialer {
        Dialer {
            pool: Mutex::new(pool),
            own: false,
            lanes: Default::default(),
        }
    }

    /// The run's client lanes.
    pub fn lanes(&self) -> &super::drivers::lanes::Lanes {
        &self.lanes
    }

    fn take(&self, udp: bool) -> std::io::Result<Option<OwnedFd>> {
        if self.own {
            return Ok(None);
        }
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        match pool.iter().position(|(u, _)| *u == udp) {
            Some(i) => Ok(Some(pool.swap_remove(i).1)),
            None => Err(std::io::Error::other(format!(
                "netlab's lab driver used more {} sockets than it asked for",
                if udp { "UDP" } else { "TCP" }
            ))),
        }
    }

    /// A TCP connection to `127.0.0.1:port`.
    pub async fn tcp(&self, port: u16) -> std::io::Result<tokio::net::TcpStream> {
        self.tcp_with(port, None).await
    }

    /// A TCP connection to `127.0.0.1:port`, with a receive buffer of `rcvbuf` bytes set
    /// before connecting (a small, fixed window: a slow reader that the kernel does not hide
    /// behind megabytes of autotuned buffer).
    pub async fn tcp_with(
        &self,
        port: u16,
        rcvbuf: Option<u32>,
    ) -> std::io::Result<tokio::net::TcpStream> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let socket = match self.take(false)? {
            None => tokio::net::TcpSocket::new_v4()?,
            Some(fd) => {
                // SAFETY: an unconnected TCP socket we own; wrapped once.
                let std = unsafe { std::net::TcpStream::from_raw_fd(fd.into_raw_fd()) };
                std.set_nonblocking(true)?;
                tokio::net::TcpSocket::from_std_stream(std)
            }
        };
        if let Some(n) = rcvbuf {
            socket.set_recv_buffer_size(n)?;
        }
        let stream = socket.connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    /// A UDP socket bound to `127.0.0.1`, any port.
    pub fn udp(&self) -> std::io::Result<tokio::net::UdpSocket> {
        let std = match self.take(true)? {
            None => std::net::UdpSocket::bind("127.0.0.1:0")?,
            Some(fd) => {
                let addr = nix::sys::socket::SockaddrIn::new(127, 0, 0, 1, 0);
                nix::sys::socket::bind(std::os::fd::AsRawFd::as_raw_fd(&fd), &addr)?;
                // SAFETY: a bound UDP socket we own; wrapped once.
                unsafe { std::net::UdpSocket::from_raw_fd(fd.into_raw_fd()) }
            }
        };
        std.set_nonblocking(true)?;
        tokio::net::UdpSocket::from_std(std)
    }

    /// A Unix stream connection to `path`.
    pub async fn unix(&self, path: &std::path::Path) -> std::io::Result<tokio::net::UnixStream> {
        tokio::net::UnixStream::connect(path).await
    }
}

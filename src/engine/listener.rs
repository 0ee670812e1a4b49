//! Listening sockets and the accept loop: Node's `net.Server`.
//!
//! [`Listener`] binds TCP or a Unix socket path. [`serve_stream`] records `listening`, accepts
//! connections (recording `connection` with the peer and numbering them `#1`, `#2`, … in accept
//! order), drives each one with a fresh [`Handler`] from the scenario's factory, and on
//! cancellation records `server.close()`, ends every open connection, waits for them all, and
//! records the server's `close` — the order Node's `server.close()` produces.

use super::socket::{drive, Handler, SocketOptions};
use crate::trace::{Event, Recorder, Scope};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::net::{TcpListener, UnixListener};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// A bound stream listener.
#[derive(Debug)]
pub enum Listener {
    /// TCP on an IP address.
    Tcp(TcpListener),
    /// A Unix domain socket; the file is removed when the server stops — only if it is still
    /// the socket netlab created (`ino`: its device and inode), never a file put there since.
    Unix {
        listener: UnixListener,
        path: PathBuf,
        ino: Option<(u64, u64)>,
    },
}

/// Node's default listen backlog (`server.listen()` without one).
pub const LISTEN_BACKLOG: u32 = 511;

impl Listener {
    /// Bind TCP on `host:port` (`port` 0 picks a free one), with Node's listen backlog (511)
    /// and `SO_REUSEADDR`, so a burst of connects does not wait for SYN retransmits.
    pub async fn bind_tcp(host: &str, port: u16) -> io::Result<Listener> {
        let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no address to bind");
        for addr in tokio::net::lookup_host((host, port)).await? {
            let sock = if addr.is_ipv4() {
                tokio::net::TcpSocket::new_v4()?
            } else {
                tokio::net::TcpSocket::new_v6()?
            };
            sock.set_reuseaddr(true)?;
            match sock.bind(addr).and_then(|()| sock.listen(LISTEN_BACKLOG)) {
                Ok(l) => return Ok(Listener::Tcp(l)),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Bind a Unix socket at `path`. A stale socket file nobody listens on is replaced; a live
    /// one is refused, as in Node; any other file at `path` is never touched. Errors say which
    /// (kind `Other`, so no TCP port hint is added to them).
    pub fn bind_unix(path: &Path) -> io::Result<Listener> {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let shown = path.display();
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if !meta.file_type().is_socket() {
                return Err(io::Error::other(format!(
                    "{shown} exists and is not a socket; netlab does not replace it (remove it or choose another --socket)"
                )));
            }
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                return Err(io::Error::other(format!(
                    "another server is listening on {shown} (stop it or choose another --socket)"
                )));
            }
            std::fs::remove_file(path)?;
        }
        let listener = UnixListener::bind(path).map_err(|e| {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            match e.kind() {
                io::ErrorKind::PermissionDenied => io::Error::other(format!(
                    "cannot create a socket in {}: permission denied (choose a --socket in a directory you can write, e.g. under $TMPDIR)",
                    dir.display()
                )),
                io::ErrorKind::NotFound if !dir.is_dir() => io::Error::other(format!(
                    "cannot create {shown}: the directory {} does not exist",
                    dir.display()
                )),
                io::ErrorKind::AddrInUse => io::Error::other(format!(
                    "{shown} appeared while netlab was binding it; netlab does not replace it"
                )),
                _ => io::Error::other(format!(
                    "cannot create a socket in {}: {e}",
                    dir.display()
                )),
            }
        })?;
        let ino = std::fs::symlink_metadata(path)
            .ok()
            .map(|m| (m.dev(), m.ino()));
        Ok(Listener::Unix {
            listener,
            path: path.to_path_buf(),
            ino,
        })
    }

    /// The `listening` event for this listener (address, port, transport).
    pub fn listening_event(&self) -> Event {
        match self {
            Listener::Tcp(l) => match l.local_addr() {
                Ok(a) => Event::Listening {
                    address: a.ip().to_string(),
                    port: Some(a.port()),
                    transport: "tcp".into(),
                },
                Err(_) => Event::Listening {
                    address: "?".into(),
                    port: None,
                    transport: "tcp".into(),
                },
            },
            Listener::Unix { path, .. } => Event::Listening {
                address: path.display().to_string(),
                port: None,
                transport: "unix".into(),
            },
        }
    }

    /// The bound TCP port, if TCP.
    pub fn port(&self) -> Option<u16> {
        match self {
            Listener::Tcp(l) => l.local_addr().ok().map(|a| a.port()),
            Listener::Unix { .. } => None,
        }
    }
}

/// Removes the Unix socket file when the server stops, however it stops — only while the
/// path still names the socket netlab created (same device and inode, still a socket): a
/// file someone put there since is left alone.
struct UnlinkOnDrop(Option<(PathBuf, Option<(u64, u64)>)>);

impl Drop for UnlinkOnDrop {
    fn drop(&mut self) {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        if let Some((p, Some(ino))) = &self.0 {
            if let Ok(m) = std::fs::symlink_metadata(p) {
                if m.file_type().is_socket() && (m.dev(), m.ino()) == *ino {
                    let _ = std::fs::remove_file(p);
                }
            }
        }
    }
}

/// Run a stream server until `cancel` fires: `make(conn)` builds the handler of connection
/// number `conn` (1-based).
pub async fn serve_stream<H, F>(
    listener: Listener,
    cancel: CancellationToken,
    recorder: Recorder,
    opts: SocketOptions,
    make: F,
) where
    H: Handler,
    F: FnMut(u32) -> H,
{
    serve_stream_tls(listener, None, cancel, recorder, opts, make).await
}

/// How long a TLS handshake may take before the connection is dropped.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// [`serve_stream`], with TLS on every TCP connection when `tls` is given: the timeline shows
/// `secureConnection` (protocol, cipher) or `tlsClientError` before the socket's own events.
pub async fn serve_stream_tls<H, F>(
    listener: Listener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    cancel: CancellationToken,
    recorder: Recorder,
    opts: SocketOptions,
    mut make: F,
) where
    H: Handler,
    F: FnMut(u32) -> H,
{
    recorder.record(Scope::Server, listener.listening_event());
    let _unlink = UnlinkOnDrop(match &listener {
        Listener::Unix { path, ino, .. } => Some((path.clone(), *ino)),
        Listener::Tcp(_) => None,
    });
    let tracker = TaskTracker::new();
    let conns_cancel = CancellationToken::new();
    let mut next = 0u32;
    loop {
        // Connections already waiting are accepted before a shutdown is honoured, so a
        // grader stopping the server right after a client exits still sees them.
        let accepted = tokio::select! {
            biased;
            r = accept(&listener) => r,
            _ = cancel.cancelled() => break,
        };
        match accepted {
            Ok(stream) => {
                next += 1;
                let scope = Scope::Conn { conn: next };
                let handler = make(next);
                let rec = recorder.clone();
                let token = conns_cancel.clone();
                match stream {
                    Accepted::Tcp(s, peer) => {
                        recorder.record(Scope::Server, Event::Connection { peer });
                        let task = match &tls {
                            None => {
                                tokio::spawn(drive(s, scope, rec.clone(), opts, handler, token))
                            }
                            Some(acceptor) => tokio::spawn(handshake_then_drive(
                                acceptor.clone(),
                                s,
                                scope,
                                rec.clone(),
                                opts,
                                handler,
                                token,
                            )),
                        };
                        tracker.spawn(report_panic(task, scope, rec));
                    }
                    Accepted::Unix(s) => {
                        recorder.record(
                            Scope::Server,
                            Event::Connection {
                                peer: "(unix socket)".into(),
                            },
                        );
                        let task = tokio::spawn(drive(s, scope, rec.clone(), opts, handler, token));
                        tracker.spawn(report_panic(task, scope, rec));
                    }
                }
            }
            Err(e) => {
                // Out of file descriptors and the like: say so, back off, keep serving.
                recorder.record(Scope::Server, Event::from_io_error(&e));
                tokio::select! {
                    _ = cancel.cancelled() => break,
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                }
            }
        }
    }
    recorder.record(Scope::Server, Event::ServerClose);
    drop(listener);
    tracker.close();
    conns_cancel.cancel();
    tracker.wait().await;
    recorder.record(Scope::Server, Event::Close { had_error: None });
}

/// Do the TLS handshake (bounded), record its outcome, then drive the TLS stream.
async fn handshake_then_drive<H: Handler>(
    acceptor: tokio_rustls::TlsAcceptor,
    tcp: tokio::net::TcpStream,
    scope: Scope,
    rec: Recorder,
    opts: SocketOptions,
    handler: H,
    cancel: CancellationToken,
) {
    let outcome = tokio::select! {
        r = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)) => r,
        _ = cancel.cancelled() => {
            rec.record(scope, Event::Close { had_error: Some(false) });
            return;
        }
    };
    match outcome {
        Ok(Ok(stream)) => {
            let (_, conn) = stream.get_ref();
            let (protocol, cipher) = crate::tls::describe(conn);
            rec.record(scope, Event::SecureConnection { protocol, cipher });
            drive(stream, scope, rec, opts, handler, cancel).await;
        }
        Ok(Err(e)) => {
            rec.record(scope, tls_client_error(&e));
            rec.record(
                scope,
                Event::Close {
                    had_error: Some(true),
                },
            );
        }
        Err(_) => {
            rec.record(
                scope,
                Event::TlsClientError {
                    code: "ERR_TLS_HANDSHAKE_TIMEOUT".into(),
                    message: format!("no TLS handshake within {HANDSHAKE_TIMEOUT:?}"),
                },
            );
            rec.record(
                scope,
                Event::Close {
                    had_error: Some(true),
                },
            );
        }
    }
}

/// `tlsClientError` with the code Node (OpenSSL) would give for the same failure.
fn tls_client_error(e: &io::Error) -> Event {
    use rustls::{AlertDescription as A, Error as E, InvalidMessage as M};
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<E>());
    let code = match inner {
        Some(E::InvalidMessage(M::InvalidContentType)) => "ERR_SSL_HTTP_REQUEST",
        Some(E::InvalidMessage(_)) => "ERR_SSL_WRONG_VERSION_NUMBER",
        Some(E::AlertReceived(A::UnknownCA)) => "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
        Some(E::AlertReceived(A::BadCertificate)) => "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
        Some(E::AlertReceived(A::CertificateUnknown)) => "ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        Some(E::AlertReceived(_)) => "ERR_SSL_TLSV1_ALERT",
        Some(E::PeerIncompatible(_)) => "ERR_SSL_NO_SHARED_CIPHER",
        Some(_) => "ERR_SSL_HANDSHAKE_FAILURE",
        None => return Event::from_io_error(e),
    };
    let message = e.to_string();
    Event::TlsClientError {
        code: code.into(),
        message,
    }
}

/// Wait for a connection task; if it panicked (a bug in netlab), say so in the timeline and
/// close the connection there, so the learner sees what happened and the server keeps serving.
pub(crate) async fn report_panic(task: tokio::task::JoinHandle<()>, scope: Scope, rec: Recorder) {
    if let Err(e) = task.await {
        if e.is_panic() {
            let p = e.into_panic();
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            rec.record(
                scope,
                Event::Error {
                    code: "ERR_NETLAB_INTERNAL".into(),
                    message: format!("netlab bug: {msg}"),
                },
            );
            rec.record(
                scope,
                Event::Close {
                    had_error: Some(true),
                },
            );
        }
    }
}

enum Accepted {
    Tcp(tokio::net::TcpStream, String),
    Unix(tokio::net::UnixStream),
}

async fn accept(l: &Listener) -> io::Result<Accepted> {
    match l {
        Listener::Tcp(l) => {
            let (s, peer) = l.accept().await?;
            Ok(Accepted::Tcp(s, peer.to_string()))
        }
        Listener::Unix { listener, .. } => {
            let (s, _) = listener.accept().await?;
            Ok(Accepted::Unix(s))
        }
    }
}

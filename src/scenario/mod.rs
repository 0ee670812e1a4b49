//! Named servers that lessons, labs and `netlab serve NAME` refer to.
//!
//! Each scenario is a small Node-style program written against the engine's [`Handler`]
//! callbacks (see [`tcp`] and [`udp`]). [`SCENARIOS`] is the catalogue: name, transport, a
//! one-line summary, the default port, the commands a learner can try against it, and the
//! server function itself. [`start`] binds one and serves it in the background ([`Running`]);
//! [`bind`] and [`run`] are its two halves.
//!
//! [`Handler`]: crate::engine::Handler

pub mod errors;
pub mod http;
pub mod lines;
pub mod running;
pub mod tcp;
pub mod udp;
pub mod whoami;

pub use running::{start, Running};

use crate::engine::{serve_stream, serve_udp, Listener, SocketOptions};
use crate::trace::Recorder;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use tokio::net::UdpSocket;
use tokio_util::sync::CancellationToken;

/// What kind of socket a scenario listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Tcp,
    Unix,
    Udp,
    /// HTTP/1.1 over TCP.
    Http,
    /// HTTP/1.1 over TLS.
    Https,
}

/// One entry of the catalogue.
#[derive(Debug, serde::Serialize)]
pub struct Scenario {
    /// The name lessons and labs use (`tcp-echo`).
    pub name: &'static str,
    pub transport: Transport,
    /// One line saying what the server does.
    pub summary: &'static str,
    /// The port used when `--port` is not given (the chapter's, where it has one).
    pub default_port: u16,
    /// Commands to try from another terminal; `{host}`, `{port}`, `{socket}` are filled in.
    pub try_commands: &'static [&'static str],
    /// The server itself: serves a socket [`bind`] opened until cancelled.
    #[serde(skip)]
    pub serve: ServeFn,
}

/// What a scenario's server returns: a future that serves until its token is cancelled.
pub type ServeFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

/// A scenario's server: the bound socket, the run's settings, the stop signal, the recorder.
pub type ServeFn = fn(Bound, ServeConfig, CancellationToken, Recorder) -> ServeFuture;

/// Every scenario netlab can serve.
pub static SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "tcp-echo",
        transport: Transport::Tcp,
        summary: "echoes every byte back (socket.pipe(socket)) and ends when the client ends",
        default_port: 8124,
        try_commands: &[
            "printf 'hello\\r\\n' | nc -N {host} {port}",
            "node -e \"const s=require('net').connect({port:{port},host:'{host}'},()=>s.end('hello\\r\\n'));s.pipe(process.stdout)\"",
            "python3 -c \"import socket;s=socket.create_connection(('{host}',{port}));s.sendall(b'hello\\r\\n');s.shutdown(1);print(s.recv(99))\"",
        ],
        serve: serve_echo,
    },
    Scenario {
        name: "tcp-greeting",
        transport: Transport::Tcp,
        summary: "waits ~200 ms, writes `Echo server\\r\\n`, then echoes",
        default_port: 1337,
        try_commands: &["nc {host} {port}"],
        serve: serve_greeting,
    },
    Scenario {
        name: "tcp-bulk",
        transport: Transport::Tcp,
        summary: "streams 8 MiB (--bytes N) in 64 KiB writes, honouring backpressure, then ends",
        default_port: 8125,
        try_commands: &["nc {host} {port} | wc -c", "nc {host} {port} | pv -L 1m | wc -c"],
        serve: serve_bulk,
    },
    Scenario {
        name: "tcp-idle",
        transport: Transport::Tcp,
        summary: "echoes; after 500 ms of silence (timeout) writes `bye\\r\\n` and ends",
        default_port: 8126,
        try_commands: &["nc {host} {port}"],
        serve: serve_idle,
    },
    Scenario {
        name: "tcp-halfopen",
        transport: Transport::Tcp,
        summary: "allowHalfOpen: after the client's end, replies `got N bytes\\r\\n`, then ends",
        default_port: 8127,
        try_commands: &["printf 'request' | nc -N {host} {port}"],
        serve: serve_halfopen,
    },
    Scenario {
        name: "tcp-lines",
        transport: Transport::Tcp,
        summary: "writes six lines, 50 ms apart, split and merged across writes (`alpha\\nbra`, `vo\\n`, …), then ends",
        default_port: 8128,
        try_commands: &[
            "nc {host} {port} </dev/null",
            "node -e \"require('net').connect({port:{port},host:'{host}'}).on('data',c=>console.log(JSON.stringify(String(c))))\"",
        ],
        serve: serve_lines,
    },
    Scenario {
        name: "tcp-errors",
        transport: Transport::Tcp,
        summary: "misbehaves in order: resets the 1st connection, never answers the 2nd, then stops listening (refused)",
        default_port: 8129,
        try_commands: &[
            "node -e \"const s=require('net').connect({port:{port},host:'{host}'},()=>s.write('hello\\n'));s.on('error',e=>console.log('error',e.code));s.on('close',h=>console.log('close',h))\"",
        ],
        serve: serve_errors,
    },
    Scenario {
        name: "unix-echo",
        transport: Transport::Unix,
        summary: "tcp-echo on a Unix domain socket (--socket PATH; removed on exit)",
        default_port: 0,
        try_commands: &[
            "printf 'hello\\r\\n' | nc -N -U {socket}",
            "node -e \"const s=require('net').connect('{socket}',()=>s.end('hello\\r\\n'));s.pipe(process.stdout)\"",
        ],
        serve: serve_echo,
    },
    Scenario {
        name: "udp-pong",
        transport: Transport::Udp,
        summary: "answers every datagram with `pong`",
        default_port: 41234,
        try_commands: &[
            "printf 'ping' | nc -u -w1 {host} {port}",
            "node -e \"const s=require('dgram').createSocket('udp4');s.on('message',m=>{console.log(String(m));s.close()});s.send('ping',{port},'{host}')\"",
        ],
        serve: serve_udp_pong,
    },
    Scenario {
        name: "tcp-whoami",
        transport: Transport::Tcp,
        summary: "dual-stack on loopback (127.0.0.1 and ::1, as `::` would see them): tells each client the address it sees it from (`you are ::1 (IPv6)`), then ends",
        default_port: 8130,
        try_commands: &[
            "nc 127.0.0.1 {port} </dev/null",
            "nc ::1 {port} </dev/null",
            "curl -s telnet://[::1]:{port} </dev/null",
            "node -e \"require('net').connect({port:{port},host:'localhost'}).on('data',d=>process.stdout.write(d))\"",
        ],
        serve: serve_whoami,
    },
    Scenario {
        name: "udp6-pong",
        transport: Transport::Udp,
        summary: "udp-pong on a `udp6` socket bound to ::1: answers IPv6 datagrams",
        default_port: 41236,
        try_commands: &[
            "node -e \"const s=require('dgram').createSocket('udp6');s.on('message',(m,r)=>{console.log(String(m),'from',r.address,r.family);s.close()});s.send('ping',{port},'::1')\"",
            "printf 'ping' | nc -u -w1 ::1 {port}",
        ],
        serve: serve_udp_pong,
    },
    Scenario {
        name: "http",
        transport: Transport::Http,
        summary: "HTTP/1.1: /hello /one /two /slow/N /secret /upload /stream /chat (upgrade), CONNECT echo.netlab:7",
        default_port: 8080,
        try_commands: &[
            "curl -v http://{host}:{port}/hello",
            "curl -v http://{host}:{port}/one http://{host}:{port}/two      # keep-alive: one connection",
            "curl -v -u netlab:sockets http://{host}:{port}/secret",
            "curl -v -H 'Expect: 100-continue' --data 'netlab rocks' http://{host}:{port}/upload",
            "printf 'GET /chat HTTP/1.1\\r\\nHost: x\\r\\nConnection: Upgrade\\r\\nUpgrade: netlab-echo\\r\\n\\r\\n' | nc -N {host} {port}",
        ],
        serve: serve_http,
    },
    Scenario {
        name: "https",
        transport: Transport::Https,
        summary: "the http routes over TLS, with a throwaway CA written to --ca-out (cert for localhost and 127.0.0.1)",
        default_port: 8443,
        try_commands: &[
            "curl -v --cacert {ca} https://localhost:{port}/hello",
            "node -e \"require('https').get({host:'localhost',port:{port},path:'/hello',ca:require('fs').readFileSync('{ca}')},r=>r.pipe(process.stdout))\"",
            "curl -v http://{host}:{port}/hello      # plain HTTP to a TLS port: see tlsClientError",
        ],
        serve: serve_https,
    },
    Scenario {
        name: "https-wrong-host",
        transport: Transport::Https,
        summary: "https, but the certificate names only wrong.netlab.test (signed by the CA, valid): a verifying client refuses it",
        default_port: 8444,
        try_commands: &[
            "curl -v --cacert {ca} https://localhost:{port}/hello",
            "node -e \"require('https').get({host:'localhost',port:{port},path:'/hello',ca:require('fs').readFileSync('{ca}')}).on('error',e=>console.log(e.code))\"",
        ],
        serve: serve_https,
    },
    Scenario {
        name: "https-self-signed",
        transport: Transport::Https,
        summary: "https, but the certificate is self-signed, not signed by the CA in --ca-out: a verifying client refuses it",
        default_port: 8445,
        try_commands: &[
            "curl -v --cacert {ca} https://localhost:{port}/hello",
            "node -e \"require('https').get({host:'localhost',port:{port},path:'/hello',ca:require('fs').readFileSync('{ca}')}).on('error',e=>console.log(e.code))\"",
        ],
        serve: serve_https,
    },
    Scenario {
        name: "https-expired",
        transport: Transport::Https,
        summary: "https, but the certificate expired yesterday (signed by the CA, right names): a verifying client refuses it",
        default_port: 8446,
        try_commands: &[
            "curl -v --cacert {ca} https://localhost:{port}/hello",
            "node -e \"require('https').get({host:'localhost',port:{port},path:'/hello',ca:require('fs').readFileSync('{ca}')}).on('error',e=>console.log(e.code))\"",
        ],
        serve: serve_https,
    },
    Scenario {
        name: "https-impostor",
        transport: Transport::Https,
        summary: "https, but an impostor answers the first handshake with a self-signed certificate; later handshakes get the real one",
        default_port: 8447,
        try_commands: &[
            "curl -sS --cacert {ca} https://localhost:{port}/hello; curl -sS --cacert {ca} https://localhost:{port}/hello",
        ],
        serve: serve_https,
    },
];

/// Look a scenario up by name.
pub fn find(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

/// The closest scenario name, for "did you mean" messages.
pub fn suggest(name: &str) -> Option<&'static str> {
    crate::suggest::closest(name, SCENARIOS.iter().map(|s| s.name))
}

/// Per-run settings a scenario may use.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Total bytes for `tcp-bulk`.
    pub bulk_bytes: u64,
    /// Idle timeout for `tcp-idle`.
    pub idle_ms: u64,
    /// Delay before `tcp-greeting` greets.
    pub greeting_delay_ms: u64,
    /// Headers and keep-alive timeouts of the `http` scenario.
    pub http_timeouts: crate::http::server::Timeouts,
    /// A per-run token put in what the server sends (labs: `tcp-greeting`'s greeting becomes
    /// `Echo server <token>\r\n`, `http`/`https` answer `/hello` with `Hello World <token>`),
    /// so a client must read it to print it. `None` elsewhere.
    pub nonce: Option<String>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bulk_bytes: 8 * 1024 * 1024,
            idle_ms: 500,
            greeting_delay_ms: 200,
            http_timeouts: Default::default(),
            nonce: None,
        }
    }
}

/// Where to bind.
#[derive(Clone, Debug)]
pub struct BindSpec {
    pub host: String,
    /// `None`: the scenario's default port.
    pub port: Option<u16>,
    /// For Unix scenarios; `None`: a path in the temp directory.
    pub socket: Option<PathBuf>,
    /// Where `https` writes its CA certificate (PEM); `None`: a path in the temp directory.
    pub ca_out: Option<PathBuf>,
}

impl Default for BindSpec {
    fn default() -> Self {
        BindSpec {
            host: "127.0.0.1".into(),
            port: Some(0),
            socket: None,
            ca_out: None,
        }
    }
}

/// A bound socket, ready to serve.
pub enum Bound {
    Stream(Listener),
    Udp(UdpSocket),
    /// TCP with TLS: the listener, the acceptor, and where the CA was written.
    Tls(Listener, tokio_rustls::TlsAcceptor, PathBuf),
}

impl Bound {
    /// The bound port (TCP/UDP).
    pub fn port(&self) -> Option<u16> {
        match self {
            Bound::Stream(l) | Bound::Tls(l, ..) => l.port(),
            Bound::Udp(s) => s.local_addr().ok().map(|a| a.port()),
        }
    }

    /// Where the CA certificate was written (`https`).
    pub fn ca_path(&self) -> Option<PathBuf> {
        match self {
            Bound::Tls(_, _, p) => Some(p.clone()),
            _ => None,
        }
    }

    /// The stream listener, for stream scenarios.
    pub fn into_stream(self) -> io::Result<Listener> {
        match self {
            Bound::Stream(l) => Ok(l),
            other => Err(other.mismatch("a stream listener")),
        }
    }

    /// The UDP socket, for datagram scenarios.
    pub fn into_udp(self) -> io::Result<UdpSocket> {
        match self {
            Bound::Udp(s) => Ok(s),
            other => Err(other.mismatch("a UDP socket")),
        }
    }

    /// The TCP listener and TLS acceptor, for TLS scenarios.
    pub fn into_tls(self) -> io::Result<(Listener, tokio_rustls::TlsAcceptor)> {
        match self {
            Bound::Tls(l, acceptor, _) => Ok((l, acceptor)),
            other => Err(other.mismatch("a TLS listener")),
        }
    }

    fn mismatch(&self, wanted: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("this scenario serves on {wanted}, not on {self:?}"),
        )
    }

    /// The Unix socket path, if any.
    pub fn socket_path(&self) -> Option<PathBuf> {
        match self {
            Bound::Stream(Listener::Unix { path, .. }) => Some(path.clone()),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Stream(l) => write!(f, "Stream({l:?})"),
            Bound::Udp(s) => write!(f, "Udp({s:?})"),
            Bound::Tls(l, _, p) => write!(f, "Tls({l:?}, CA at {})", p.display()),
        }
    }
}

/// The default Unix socket path for a scenario: unique per process, in the temp directory.
pub fn default_socket_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("netlab-{name}-{}.sock", std::process::id()))
}

/// The address a scenario always binds, whatever `--host` says: the DNS and IPv6 lesson's.
/// `tcp-whoami` takes IPv4 and IPv6 clients on loopback ([`whoami::LOOPBACK_V4_MAPPED`], plus
/// `::1`); `udp6-pong` is a `udp6` socket on `::1`. (Inside a lab's sandbox the dual-stack
/// socket is `::`: see [`crate::sandbox::Listen::Tcp6`].)
pub fn fixed_host(scenario: &Scenario) -> Option<&'static str> {
    match scenario.name {
        "tcp-whoami" => Some(whoami::LOOPBACK_V4_MAPPED),
        "udp6-pong" => Some("::1"),
        _ => None,
    }
}

/// Open the socket a scenario needs.
pub async fn bind(scenario: &Scenario, spec: &BindSpec) -> io::Result<Bound> {
    let port = spec.port.unwrap_or(scenario.default_port);
    let spec = &BindSpec {
        host: fixed_host(scenario).unwrap_or(&spec.host).to_string(),
        ..spec.clone()
    };
    Ok(match scenario.transport {
        Transport::Tcp | Transport::Http => {
            Bound::Stream(Listener::bind_tcp(&spec.host, port).await?)
        }
        Transport::Unix => {
            let path = spec
                .socket
                .clone()
                .unwrap_or_else(|| default_socket_path(scenario.name));
            Bound::Stream(Listener::bind_unix(&path)?)
        }
        Transport::Udp => Bound::Udp(UdpSocket::bind((spec.host.as_str(), port)).await?),
        Transport::Https => {
            let listener = Listener::bind_tcp(&spec.host, port).await?;
            let kind = crate::tls::CertKind::for_scenario(scenario.name);
            let pki = crate::tls::Pki::with(kind).map_err(io::Error::other)?;
            let path = spec.ca_out.clone().unwrap_or_else(|| {
                std::env::temp_dir().join(format!("netlab-https-ca-{}.pem", std::process::id()))
            });
            std::fs::write(&path, &pki.ca_pem)?;
            Bound::Tls(listener, pki.acceptor, path)
        }
    })
}

/// Serve `scenario` on `bound` until `cancel` fires; every event goes to `recorder`.
///
/// Fails only when `bound` is not the kind of socket the scenario needs (use [`bind`]).
pub async fn run(
    scenario: &Scenario,
    bound: Bound,
    cfg: ServeConfig,
    cancel: CancellationToken,
    recorder: Recorder,
) -> io::Result<()> {
    (scenario.serve)(bound, cfg, cancel, recorder).await
}

/// Node's `net.createServer()` defaults; `allowHalfOpen: true` where a scenario needs it.
fn half_open() -> SocketOptions {
    SocketOptions {
        allow_half_open: true,
    }
}

/// A stream scenario's server: accept on `b` and give each connection the handler `make` builds.
fn stream<H, F>(
    b: Bound,
    cancel: CancellationToken,
    rec: Recorder,
    opts: SocketOptions,
    make: F,
) -> ServeFuture
where
    H: crate::engine::Handler + Send + 'static,
    F: FnMut(u32) -> H + Send + 'static,
{
    Box::pin(async move {
        serve_stream(b.into_stream()?, cancel, rec, opts, make).await;
        Ok(())
    })
}

fn serve_echo(b: Bound, _: ServeConfig, cancel: CancellationToken, rec: Recorder) -> ServeFuture {
    stream(b, cancel, rec, SocketOptions::default(), |_| tcp::Echo)
}

fn serve_greeting(
    b: Bound,
    cfg: ServeConfig,
    cancel: CancellationToken,
    rec: Recorder,
) -> ServeFuture {
    let delay = cfg.greeting_delay_ms;
    let greeting = match &cfg.nonce {
        Some(n) => format!("Echo server {n}\r\n").into_bytes(),
        None => tcp::GREETING.to_vec(),
    };
    stream(b, cancel, rec, SocketOptions::default(), move |_| {
        tcp::Greeting::new(delay).with_greeting(greeting.clone())
    })
}

fn serve_bulk(b: Bound, cfg: ServeConfig, cancel: CancellationToken, rec: Recorder) -> ServeFuture {
    let total = cfg.bulk_bytes;
    stream(b, cancel, rec, SocketOptions::default(), move |_| {
        tcp::Bulk::new(total)
    })
}

fn serve_idle(b: Bound, cfg: ServeConfig, cancel: CancellationToken, rec: Recorder) -> ServeFuture {
    let ms = cfg.idle_ms;
    stream(b, cancel, rec, SocketOptions::default(), move |_| {
        tcp::Idle::new(ms)
    })
}

fn serve_halfopen(
    b: Bound,
    _: ServeConfig,
    cancel: CancellationToken,
    rec: Recorder,
) -> ServeFuture {
    stream(b, cancel, rec, half_open(), |_| tcp::HalfOpen::default())
}

fn serve_whoami(b: Bound, _: ServeConfig, cancel: CancellationToken, rec: Recorder) -> ServeFuture {
    Box::pin(async move {
        let l = b.into_stream()?;
        whoami::serve(l, cancel, rec, SocketOptions::default()).await
    })
}

fn serve_lines(b: Bound, _: ServeConfig, cancel: CancellationToken, rec: Recorder) -> ServeFuture {
    stream(b, cancel, rec, SocketOptions::default(), |_| {
        lines::Lines::default()
    })
}

fn serve_errors(b: Bound, _: ServeConfig, cancel: CancellationToken, rec: Recorder) -> ServeFuture {
    Box::pin(async move {
        let l = b.into_stream()?;
        errors::serve(l, cancel, rec, SocketOptions::default()).await
    })
}

fn serve_udp_pong(
    b: Bound,
    _: ServeConfig,
    cancel: CancellationToken,
    rec: Recorder,
) -> ServeFuture {
    Box::pin(async move {
        let s = b.into_udp()?;
        serve_udp(s, cancel, rec, udp::Pong).await;
        Ok(())
    })
}

fn serve_http(b: Bound, cfg: ServeConfig, cancel: CancellationToken, rec: Recorder) -> ServeFuture {
    let t = cfg.http_timeouts;
    stream(b, cancel, rec, half_open(), move |n| {
        http::Http::new(n, t).with_nonce(cfg.nonce.clone())
    })
}

fn serve_https(
    b: Bound,
    cfg: ServeConfig,
    cancel: CancellationToken,
    rec: Recorder,
) -> ServeFuture {
    Box::pin(async move {
        let (l, acceptor) = b.into_tls()?;
        let t = cfg.http_timeouts;
        crate::engine::serve_stream_tls(l, Some(acceptor), cancel, rec, half_open(), move |n| {
            http::Http::new(n, t).with_nonce(cfg.nonce.clone())
        })
        .await;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_suggestions_work() {
        let mut names: Vec<_> = SCENARIOS.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SCENARIOS.len());
        assert_eq!(suggest("tcp-ecoh"), Some("tcp-echo"));
        assert_eq!(suggest("zzzzzzzzzz"), None);
    }
}

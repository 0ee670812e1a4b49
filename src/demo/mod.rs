//! Built-in demos: a scenario's server and an in-process client on one timeline.
//!
//! `netlab demo NAME` starts the scenario on a free port, runs a small client written against
//! the same engine (its events are recorded as `client#N`), and shows both sides: the client's
//! `connect`, `data`, `end`, `finish`, `close` beside the server's. Lessons use demos for steps a
//! learner should see without typing a client.
//!
//! | demo | what it shows |
//! |---|---|
//! | `tcp-echo` | connect, `hello\r\n` out, the echo back, FIN both ways |
//! | `tcp-reset` | against `tcp-greeting`: the greeting arrives, the client closes without reading it: an RST, so the server sees `error` ECONNRESET and `close hadError=true`, no `end` |
//! | `tcp-halfclose` | against `tcp-halfopen` (allowHalfOpen): the client writes and ends (its FIN), the server answers after `end`, then ends: data flowing after one FIN |
//! | `tcp-bulk` | a slow reader (pauses after each chunk): the server's `write() → false` and `drain` |
//! | `udp-pong` | one datagram out, one back |
//! | `tcp-nagle` | 200 one-byte writes in a burst, with Nagle (default) and with `setNoDelay(true)`: TCP segments sent, from `TCP_INFO` |
//! | `http-get` | one `GET /hello`: the client request's `socket`, `finish`, `response`, body, `close` |
//! | `http-keepalive` | `GET /one` then `GET /two` through a keep-alive agent: the second reuses the socket |
//! | `http-continue` | `POST /upload` with `Expect: 100-continue`: the server's `checkContinue`, a 100 sent ~300 ms later, the client's `continue`, then the body and `201` |
//! | `http-upgrade` | `GET /chat` with `Upgrade: netlab-echo`: `upgrade` on both sides, `101`, then raw bytes echoed on the same socket |
//! | `http-connect` | `CONNECT echo.netlab:7`: `connect` on both sides, `200 Connection Established`, then bytes through the tunnel |
//! | `https-get` | `GET /hello` over TLS trusting only the server's throwaway CA: `secureConnection` and the client's `secureConnect`, then HTTP |
//! | `http-no-keepalive` | `GET /one` then `GET /two`, each with `agent: false`: two connections, two handshakes, `Connection: close` |
//! | `http-agent-pool` | 10 concurrent `GET /slow/N` through `new Agent({ maxSockets: 5 })` (5 sockets), then through the default agent (`maxSockets: Infinity`, 10 sockets) |

use crate::scenario::{self, BindSpec, ServeConfig};
use crate::trace::Recorder;
use std::future::Future;
use std::pin::Pin;

mod clients;

/// What a demo's client is given: where the server listens and the timeline to record on.
pub struct Peer {
    /// The server's port on 127.0.0.1.
    pub port: u16,
    /// The CA certificate the `https` scenario wrote (PEM), for TLS demos.
    pub ca_pem: Option<String>,
    /// The run's recorder: the client records its events beside the server's.
    pub recorder: Recorder,
}

/// A demo client's run, to completion.
pub type ClientFuture = Pin<Box<dyn Future<Output = std::io::Result<Findings>> + Send>>;

/// One demo of the catalogue.
#[derive(Debug, serde::Serialize)]
pub struct Demo {
    pub name: &'static str,
    /// The scenario whose server the demo talks to.
    pub scenario: &'static str,
    pub summary: &'static str,
    /// The demo's client.
    #[serde(skip)]
    pub client: fn(Peer) -> ClientFuture,
}

/// Every demo.
pub static DEMOS: &[Demo] = &[
    Demo {
        name: "tcp-echo",
        scenario: "tcp-echo",
        summary: "connect, send hello\\r\\n, read the echo, end: both sides' events",
        client: clients::tcp_echo,
    },
    Demo {
        name: "tcp-reset",
        scenario: "tcp-greeting",
        summary: "close without reading the greeting: an RST, so the server sees ECONNRESET, not end",
        client: clients::tcp_reset,
    },
    Demo {
        name: "tcp-halfclose",
        scenario: "tcp-halfopen",
        summary: "write, end (FIN), keep reading: the server answers after end, then ends",
        client: clients::tcp_halfclose,
    },
    Demo {
        name: "tcp-bulk",
        scenario: "tcp-bulk",
        summary: "a slow reader: the server's write() returns false, then drain",
        client: clients::tcp_bulk,
    },
    Demo {
        name: "udp-pong",
        scenario: "udp-pong",
        summary: "one datagram to the server, one back",
        client: clients::udp_pong,
    },
    Demo {
        name: "http-get",
        scenario: "http",
        summary: "GET /hello: the client's socket, finish, response, data, end, close beside the server's request",
        client: clients::http_get,
    },
    Demo {
        name: "http-keepalive",
        scenario: "http",
        summary: "GET /one then GET /two through a keep-alive agent: one socket, reused",
        client: clients::http_keepalive,
    },
    Demo {
        name: "http-no-keepalive",
        scenario: "http",
        summary: "GET /one then GET /two with agent: false: a new connection (and handshake) per request",
        client: clients::http_no_keepalive,
    },
    Demo {
        name: "http-agent-pool",
        scenario: "http",
        summary: "10 concurrent requests: maxSockets 5 uses 5 sockets; the default agent (Infinity) uses 10",
        client: clients::http_agent_pool,
    },
    Demo {
        name: "http-continue",
        scenario: "http",
        summary: "POST /upload with Expect: 100-continue: checkContinue, a delayed 100, continue, then the body",
        client: clients::http_continue,
    },
    Demo {
        name: "http-upgrade",
        scenario: "http",
        summary: "GET /chat with Upgrade: netlab-echo: upgrade on both sides, 101, then raw bytes echoed",
        client: clients::http_upgrade,
    },
    Demo {
        name: "http-connect",
        scenario: "http",
        summary: "CONNECT echo.netlab:7: connect on both sides, 200, then bytes through the tunnel",
        client: clients::http_connect,
    },
    Demo {
        name: "https-get",
        scenario: "https",
        summary: "GET /hello over TLS trusting a throwaway CA: secureConnection/secureConnect, then HTTP",
        client: clients::https_get,
    },
    Demo {
        name: "tcp-nagle",
        scenario: "tcp-echo",
        summary: "200 one-byte writes with Nagle on, then with setNoDelay(true): segments sent",
        client: clients::tcp_nagle,
    },
];

/// A demo by name.
pub fn find(name: &str) -> Option<&'static Demo> {
    DEMOS.iter().find(|d| d.name == name)
}

/// What a demo found out beyond the timeline (printed after it).
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Findings {
    /// Lines of plain text, e.g. segment counts.
    pub notes: Vec<String>,
}

/// Run `demo` to completion, recording both sides into `recorder`.
pub async fn run(demo: &Demo, recorder: Recorder, cfg: ServeConfig) -> std::io::Result<Findings> {
    let scenario = scenario::find(demo.scenario)
        .ok_or_else(|| std::io::Error::other(format!("unknown scenario {}", demo.scenario)))?;
    // A private CA file for `https` demos, removed with the directory.
    let dir = tempfile::tempdir()?;
    let spec = BindSpec {
        ca_out: Some(dir.path().join("ca.pem")),
        ..BindSpec::default()
    };
    let bound = scenario::bind(scenario, &spec).await?;
    let server = scenario::Running::spawn(scenario, bound, cfg, recorder.clone()).await;
    let ca_pem = match &server.ca {
        Some(p) => Some(std::fs::read_to_string(p)?),
        None => None,
    };
    let peer = Peer {
        port: server.port.unwrap_or(0),
        ca_pem,
        recorder,
    };
    let findings = (demo.client)(peer).await;
    // Let the server see every close, then stop it (also when the client failed).
    let _ = server.stop().await;
    findings
}

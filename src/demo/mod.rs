//! Built-in demo clients: a scenario's server and an in-process client on one timeline.
//!
//! `netlab demo NAME` starts the scenario on a free port, runs a small client written against
//! the same engine (its events are recorded as `client#N`), and shows both sides: the client's
//! `connect`, `data`, `end`, `finish`, `close` beside the server's. Lessons use demos for steps a
//! learner should see without typing a client.
//!
//! | demo | what it shows |
//! |---|---|
//! | `tcp-echo` | connect, `hello\r\n` out, the echo back, FIN both ways |
//! | `tcp-bulk` | a slow reader (pauses after each chunk): the server's `write() → false` and `drain` |
//! | `udp-pong` | one datagram out, one back |
//! | `tcp-nagle` | 200 one-byte writes in a burst, with Nagle (default) and with `setNoDelay(true)`: TCP segments sent, from `TCP_INFO` |
//! | `http-get` | one `GET /hello`: the client request's `socket`, `finish`, `response`, body, `close` |
//! | `http-keepalive` | `GET /one` then `GET /two` through a keep-alive agent: the second reuses the socket |
//! | `http-continue` | `POST /upload` with `Expect: 100-continue`: the server's `checkContinue`, a 100 sent ~300 ms later, the client's `continue`, then the body and `201` |
//! | `http-upgrade` | `GET /chat` with `Upgrade: netlab-echo`: `upgrade` on both sides, `101`, then raw bytes echoed on the same socket |
//! | `http-connect` | `CONNECT echo.netlab:7`: `connect` on both sides, `200 Connection Established`, then bytes through the tunnel |
//! | `https-get` | `GET /hello` over TLS trusting only the server's throwaway CA: `secureConnection` and the client's `secureConnect`, then HTTP |
//! | `http-agent-pool` | 10 concurrent `GET /slow/N` through `new Agent({ maxSockets: 5 })` (5 sockets), then through the default agent (`maxSockets: Infinity`, 10 sockets) |

use crate::engine::{drive, Handler, Socket, SocketOptions};
use crate::scenario::{self, BindSpec, ServeConfig};
use crate::trace::{Event, Recorder, Scope};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// One demo of the catalogue.
#[derive(Debug, serde::Serialize)]
pub struct Demo {
    pub name: &'static str,
    /// The scenario whose server the demo talks to.
    pub scenario: &'static str,
    pub summary: &'static str,
}

/// Every demo.
pub static DEMOS: &[Demo] = &[
    Demo {
        name: "tcp-echo",
        scenario: "tcp-echo",
        summary: "connect, send hello\\r\\n, read the echo, end: both sides' events",
    },
    Demo {
        name: "tcp-bulk",
        scenario: "tcp-bulk",
        summary: "a slow reader: the server's write() returns false, then drain",
    },
    Demo {
        name: "udp-pong",
        scenario: "udp-pong",
        summary: "one datagram to the server, one back",
    },
    Demo {
        name: "http-get",
        scenario: "http",
        summary: "GET /hello: the client's socket, finish, response, data, end, close beside the server's request",
    },
    Demo {
        name: "http-keepalive",
        scenario: "http",
        summary: "GET /one then GET /two through a keep-alive agent: one socket, reused",
    },
    Demo {
        name: "http-agent-pool",
        scenario: "http",
        summary: "10 concurrent requests: maxSockets 5 uses 5 sockets; the default agent (Infinity) uses 10",
    },
    Demo {
        name: "http-continue",
        scenario: "http",
        summary: "POST /upload with Expect: 100-continue: checkContinue, a delayed 100, continue, then the body",
    },
    Demo {
        name: "http-upgrade",
        scenario: "http",
        summary: "GET /chat with Upgrade: netlab-echo: upgrade on both sides, 101, then raw bytes echoed",
    },
    Demo {
        name: "http-connect",
        scenario: "http",
        summary: "CONNECT echo.netlab:7: connect on both sides, 200, then bytes through the tunnel",
    },
    Demo {
        name: "https-get",
        scenario: "https",
        summary: "GET /hello over TLS trusting a throwaway CA: secureConnection/secureConnect, then HTTP",
    },
    Demo {
        name: "tcp-nagle",
        scenario: "tcp-echo",
        summary: "200 one-byte writes with Nagle on, then with setNoDelay(true): segments sent",
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
    let port = bound.port().unwrap_or(0);
    let ca_pem = match bound.ca_path() {
        Some(p) => Some(std::fs::read_to_string(p)?),
        None => None,
    };
    let cancel = CancellationToken::new();
    let mut sub = recorder.subscribe();
    let server = {
        let (rec, cancel) = (recorder.clone(), cancel.clone());
        tokio::spawn(async move { scenario::run(scenario, bound, cfg, cancel, rec).await })
    };
    // The client starts once the server's `listening` is on the timeline, so both sides read
    // in the order things happened.
    let ready = tokio::time::Instant::now() + Duration::from_secs(5);
    while !recorder.counts().contains_key("listening") {
        if tokio::time::timeout_at(ready, sub.recv()).await.is_err() {
            break;
        }
    }
    let findings = client(demo, port, ca_pem.as_deref(), &recorder).await;
    // Let the server see every close, then stop it (also when the client failed).
    recorder
        .settle(
            &mut sub,
            tokio::time::Instant::now() + Duration::from_secs(2),
        )
        .await;
    cancel.cancel();
    let _ = server.await;
    findings
}

/// The demo's client side.
async fn client(
    demo: &Demo,
    port: u16,
    ca_pem: Option<&str>,
    recorder: &Recorder,
) -> std::io::Result<Findings> {
    use crate::http::client::{Agent, AgentOptions, RequestOptions, Target};
    let mut findings = Findings::default();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let target = Target::Tcp {
        addr,
        local_address: None,
    };
    let host = format!("127.0.0.1:{port}");
    let one_shot =
        |tls| Agent::one_shot(target.clone(), &host, tls, recorder.clone(), Arc::default());
    match demo.name {
        "udp-pong" => udp_client(port, recorder).await?,
        "tcp-nagle" => {
            for (n, no_delay) in [(1, false), (2, true)] {
                let segs = Arc::new(Mutex::new(None));
                let client = Burst {
                    no_delay,
                    segments: segs.clone(),
                };
                tcp_client(port, n, recorder, client).await?;
                let count = segs.lock().map(|s| *s).unwrap_or(None);
                findings.notes.push(format!(
                    "client#{n}: 200 one-byte writes with {}: {} TCP segments sent (TCP_INFO)",
                    if no_delay {
                        "setNoDelay(true)"
                    } else {
                        "Nagle on (the default)"
                    },
                    count.map_or("?".to_string(), |c| c.to_string())
                ));
            }
        }
        "tcp-bulk" => tcp_client(port, 1, recorder, SlowReader).await?,
        "http-get" | "http-keepalive" => {
            let opts = AgentOptions {
                max_sockets: Some(1),
                keep_alive: true,
                tls: None,
            };
            let agent = Agent::new(
                target.clone(),
                &host,
                opts,
                recorder.clone(),
                Arc::default(),
            );
            let paths: &[&str] = if demo.name == "http-get" {
                &["/hello"]
            } else {
                &["/one", "/two"]
            };
            for (i, path) in paths.iter().enumerate() {
                let reply = agent.get(i as u32 + 1, path).await?;
                findings.notes.push(format!(
                    "GET {path} → {} {:?} on client socket #{}",
                    reply.status,
                    String::from_utf8_lossy(&reply.body),
                    reply.conn
                ));
            }
            agent.destroy();
        }
        "http-agent-pool" => {
            let sockets = Arc::new(std::sync::atomic::AtomicU32::new(0));
            let mut req = 0;
            for (label, max) in [
                ("new http.Agent({ maxSockets: 5 })", Some(5)),
                ("the default agent (maxSockets: Infinity)", None),
            ] {
                let opts = AgentOptions {
                    max_sockets: max,
                    keep_alive: true,
                    tls: None,
                };
                let agent = Agent::new(
                    target.clone(),
                    &host,
                    opts,
                    recorder.clone(),
                    sockets.clone(),
                );
                let mut tasks = Vec::new();
                for i in 0..10 {
                    req += 1;
                    let (agent, r) = (agent.clone(), req);
                    tasks.push(tokio::spawn(async move {
                        agent.get(r, &format!("/slow/{i}")).await
                    }));
                }
                let mut ok = 0;
                for t in tasks {
                    if matches!(t.await, Ok(Ok(reply)) if reply.status == 200) {
                        ok += 1;
                    }
                }
                agent.destroy();
                let (opened, peak) = agent.sockets();
                findings.notes.push(format!(
                    "{label}: 10 requests ({ok} answered 200) used {opened} sockets, at most {peak} open at once"
                ));
            }
        }
        "http-continue" => {
            let body = b"netlab rocks".to_vec();
            let opts = RequestOptions {
                method: "POST".into(),
                body,
                expect_continue: true,
                headers: vec![("Content-Type".into(), "text/plain".into())],
                ..RequestOptions::get("/upload")
            };
            let reply = one_shot(None).request(1, opts).await?;
            findings.notes.push(format!(
                "POST /upload with Expect: 100-continue: the body waited for `continue`, then → {} {:?}",
                reply.status,
                String::from_utf8_lossy(&reply.body)
            ));
        }
        "http-upgrade" => {
            let opts = RequestOptions {
                headers: vec![
                    ("Connection".into(), "Upgrade".into()),
                    ("Upgrade".into(), crate::http::routes::CHAT_PROTOCOL.into()),
                ],
                ..RequestOptions::get("/chat")
            };
            let tunnel = one_shot(None)
                .request(1, opts)
                .await?
                .into_tunnel("101 Switching Protocols")?;
            let echo = tunnel.exchange(b"ping over netlab-echo\n").await?;
            findings.notes.push(format!(
                "101 Switching Protocols, then raw bytes on the same socket: sent \"ping over netlab-echo\\n\", got back {:?}",
                String::from_utf8_lossy(&echo)
            ));
        }
        "http-connect" => {
            let opts = RequestOptions {
                method: "CONNECT".into(),
                ..RequestOptions::get(crate::http::routes::CONNECT_TARGET)
            };
            let tunnel = one_shot(None)
                .request(1, opts)
                .await?
                .into_tunnel("200 Connection Established")?;
            let echo = tunnel.exchange(b"hello through the tunnel\n").await?;
            findings.notes.push(format!(
                "CONNECT {} → 200 Connection Established, then a tunnel: got back {:?}",
                crate::http::routes::CONNECT_TARGET,
                String::from_utf8_lossy(&echo)
            ));
        }
        "https-get" => {
            let pem =
                ca_pem.ok_or_else(|| std::io::Error::other("the https scenario wrote no CA"))?;
            let tls = crate::tls::connector(pem).map_err(std::io::Error::other)?;
            let agent = Agent::one_shot(
                target.clone(),
                &format!("localhost:{port}"),
                Some(tls),
                recorder.clone(),
                Arc::default(),
            );
            let reply = agent.get(1, "/hello").await?;
            findings.notes.push(format!(
                "GET https://localhost:{port}/hello, trusting only the throwaway CA → {} {:?}",
                reply.status,
                String::from_utf8_lossy(&reply.body)
            ));
        }
        _ => tcp_client(port, 1, recorder, Hello).await?,
    }
    Ok(findings)
}

async fn tcp_client<H: Handler>(
    port: u16,
    n: u32,
    recorder: &Recorder,
    client: H,
) -> std::io::Result<()> {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let scope = Scope::Client { conn: n };
    recorder.record(
        scope,
        Event::Connect {
            peer: Some(format!("127.0.0.1:{port}")),
        },
    );
    drive(
        stream,
        scope,
        recorder.clone(),
        SocketOptions::default(),
        client,
        CancellationToken::new(),
    )
    .await;
    Ok(())
}

/// Sends `hello\r\n` and ends.
struct Hello;

impl Handler for Hello {
    fn on_connection(&mut self, s: &mut Socket<'_>) {
        s.write(b"hello\r\n");
        s.end();
    }
}

/// Reads slowly: pauses after each chunk and resumes 2 ms later.
#[derive(Default)]
struct SlowReader;

impl Handler for SlowReader {
    fn on_data(&mut self, s: &mut Socket<'_>, _chunk: &[u8]) {
        s.pause();
        s.after(Duration::from_millis(2), 1);
    }
    fn on_timer(&mut self, s: &mut Socket<'_>, _id: u64) {
        s.resume();
    }
}

/// 200 one-byte writes in one burst, then end; counts segments once the echo is back.
struct Burst {
    no_delay: bool,
    segments: Arc<Mutex<Option<u32>>>,
}

impl Handler for Burst {
    fn on_connection(&mut self, s: &mut Socket<'_>) {
        if self.no_delay {
            s.set_no_delay(true);
        }
        for _ in 0..200 {
            s.write(b"x");
        }
        s.end();
    }
    fn on_end(&mut self, s: &mut Socket<'_>) {
        if let Ok(mut g) = self.segments.lock() {
            *g = s.segments_out();
        }
    }
}

async fn udp_client(port: u16, recorder: &Recorder) -> std::io::Result<()> {
    let scope = Scope::Client { conn: 1 };
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    recorder.record(scope, crate::engine::udp::listening_event(&sock));
    let to = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    recorder.send(scope, b"ping", to.to_string());
    sock.send_to(b"ping", to).await?;
    let mut buf = [0u8; 2048];
    let (n, from) = tokio::time::timeout(Duration::from_secs(5), sock.recv_from(&mut buf))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no reply"))??;
    recorder.message(scope, &buf[..n], from.to_string());
    drop(sock);
    recorder.record(scope, Event::Close { had_error: None });
    Ok(())
}

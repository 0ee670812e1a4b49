//! The demos' clients, one function each: written against the same engine as the servers, so
//! their events (`client#N`) read like Node's beside the server's.

use super::{ClientFuture, Findings, Peer};
use crate::engine::{drive, Handler, Socket, SocketOptions};
use crate::http::client::{Agent, AgentOptions, Reply, RequestOptions, Target};
use crate::trace::{Event, Recorder, Scope};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The server's address on loopback, for the HTTP agent.
fn target(port: u16) -> Target {
    Target::Tcp {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        local_address: None,
    }
}

/// An agent for one request on a fresh socket (`agent: false`).
fn one_shot(p: &Peer) -> Arc<Agent> {
    Agent::one_shot(
        target(p.port),
        &format!("127.0.0.1:{}", p.port),
        None,
        p.recorder.clone(),
        Arc::default(),
    )
}

/// A finding about one reply: status and body.
fn said(reply: &Reply) -> String {
    format!(
        "{} {:?}",
        reply.status,
        String::from_utf8_lossy(&reply.body)
    )
}

/// Connect, send `hello\r\n`, read the echo, end.
pub(super) fn tcp_echo(p: Peer) -> ClientFuture {
    Box::pin(async move {
        tcp_client(p.port, 1, &p.recorder, Hello).await?;
        Ok(Findings::default())
    })
}

/// Against `tcp-greeting`: connect, let the greeting arrive, and close without reading it. The
/// kernel answers a close with unread bytes in the receive buffer with an RST, not a FIN, so
/// the server's socket gets `error` ECONNRESET and `close` hadError=true. (A Node client reads
/// eagerly, so it would need `socket.resetAndDestroy()` for the same RST; a Python or C client
/// that closes before `recv()` does exactly this.)
pub(super) fn tcp_reset(p: Peer) -> ClientFuture {
    Box::pin(async move {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", p.port)).await?;
        let scope = Scope::Client { conn: 1 };
        p.recorder.record(
            scope,
            Event::Connect {
                peer: Some(format!("127.0.0.1:{}", p.port)),
            },
        );
        // Wait until the greeting sits in our receive buffer, without consuming it.
        let mut buf = [0u8; 256];
        let unread = tokio::time::timeout(Duration::from_secs(5), stream.peek(&mut buf))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no greeting"))??;
        p.recorder.record(
            scope,
            Event::Destroy {
                reason: Some(format!(
                    "closed with {unread} unread bytes: the kernel sends RST, not FIN"
                )),
            },
        );
        drop(stream);
        p.recorder.record(
            scope,
            Event::Close {
                had_error: Some(false),
            },
        );
        Ok(Findings {
            notes: vec![format!(
                "client#1 closed with {unread} unread bytes ({:?}) in its receive buffer: an RST, so the server saw ECONNRESET",
                String::from_utf8_lossy(&buf[..unread])
            )],
        })
    })
}

/// Against `tcp-halfopen`: write `a request`, end (FIN), keep reading: the answer comes back
/// after the client's FIN, then the server's FIN.
pub(super) fn tcp_halfclose(p: Peer) -> ClientFuture {
    Box::pin(async move {
        tcp_client(p.port, 1, &p.recorder, SendThenEnd(b"a request")).await?;
        Ok(Findings::default())
    })
}

/// A slow reader against the bulk server.
pub(super) fn tcp_bulk(p: Peer) -> ClientFuture {
    Box::pin(async move {
        tcp_client(p.port, 1, &p.recorder, SlowReader).await?;
        Ok(Findings::default())
    })
}

/// One datagram out, one back.
pub(super) fn udp_pong(p: Peer) -> ClientFuture {
    Box::pin(async move {
        udp_client(p.port, &p.recorder).await?;
        Ok(Findings::default())
    })
}

/// 200 one-byte writes with Nagle on, then with `setNoDelay(true)`: segments sent.
pub(super) fn tcp_nagle(p: Peer) -> ClientFuture {
    Box::pin(async move {
        let mut findings = Findings::default();
        for (n, no_delay) in [(1, false), (2, true)] {
            let segs = Arc::new(Mutex::new(None));
            let client = Burst {
                no_delay,
                segments: segs.clone(),
            };
            tcp_client(p.port, n, &p.recorder, client).await?;
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
        Ok(findings)
    })
}

/// `GET /hello` through a keep-alive agent.
pub(super) fn http_get(p: Peer) -> ClientFuture {
    Box::pin(gets(p, &["/hello"]))
}

/// `GET /one` then `GET /two` through a keep-alive agent: the second reuses the socket.
pub(super) fn http_keepalive(p: Peer) -> ClientFuture {
    Box::pin(gets(p, &["/one", "/two"]))
}

/// `GET /one` then `GET /two`, each with `agent: false`: a new connection (and handshake) per
/// request, `Connection: close`, closed after the response.
pub(super) fn http_no_keepalive(p: Peer) -> ClientFuture {
    Box::pin(async move {
        let mut findings = Findings::default();
        let host = format!("127.0.0.1:{}", p.port);
        // One counter for both agents, so the sockets are client#1 and client#2.
        let sockets = Arc::new(std::sync::atomic::AtomicU32::new(0));
        for (i, path) in ["/one", "/two"].into_iter().enumerate() {
            let agent = Agent::one_shot(
                target(p.port),
                &host,
                None,
                p.recorder.clone(),
                sockets.clone(),
            );
            let reply = agent.get(i as u32 + 1, path).await?;
            findings.notes.push(format!(
                "GET {path} (agent: false) → {} on client socket #{}",
                said(&reply),
                reply.conn
            ));
            agent.destroy();
        }
        Ok(findings)
    })
}

/// The given paths, one after the other, through one keep-alive agent with one socket.
async fn gets(p: Peer, paths: &'static [&'static str]) -> std::io::Result<Findings> {
    let mut findings = Findings::default();
    let opts = AgentOptions {
        max_sockets: Some(1),
        keep_alive: true,
        tls: None,
    };
    let host = format!("127.0.0.1:{}", p.port);
    let agent = Agent::new(
        target(p.port),
        &host,
        opts,
        p.recorder.clone(),
        Arc::default(),
    );
    for (i, path) in paths.iter().enumerate() {
        let reply = agent.get(i as u32 + 1, path).await?;
        findings.notes.push(format!(
            "GET {path} → {} on client socket #{}",
            said(&reply),
            reply.conn
        ));
    }
    agent.destroy();
    Ok(findings)
}

/// 10 concurrent requests with `maxSockets: 5`, then with the default agent.
pub(super) fn http_agent_pool(p: Peer) -> ClientFuture {
    Box::pin(async move {
        let mut findings = Findings::default();
        let host = format!("127.0.0.1:{}", p.port);
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
                target(p.port),
                &host,
                opts,
                p.recorder.clone(),
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
        Ok(findings)
    })
}

/// `POST /upload` with `Expect: 100-continue`.
pub(super) fn http_continue(p: Peer) -> ClientFuture {
    Box::pin(async move {
        let opts = RequestOptions {
            method: "POST".into(),
            body: b"netlab rocks".to_vec(),
            expect_continue: true,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            ..RequestOptions::get("/upload")
        };
        let reply = one_shot(&p).request(1, opts).await?;
        Ok(Findings {
            notes: vec![format!(
                "POST /upload with Expect: 100-continue: the body waited for `continue`, then → {}",
                said(&reply)
            )],
        })
    })
}

/// `GET /chat` with `Upgrade: netlab-echo`, then raw bytes echoed.
pub(super) fn http_upgrade(p: Peer) -> ClientFuture {
    Box::pin(async move {
        let opts = RequestOptions {
            headers: vec![
                ("Connection".into(), "Upgrade".into()),
                ("Upgrade".into(), crate::http::routes::CHAT_PROTOCOL.into()),
            ],
            ..RequestOptions::get("/chat")
        };
        let tunnel = one_shot(&p)
            .request(1, opts)
            .await?
            .into_tunnel("101 Switching Protocols")?;
        let echo = tunnel.exchange(b"ping over netlab-echo\n").await?;
        Ok(Findings {
            notes: vec![format!(
                "101 Switching Protocols, then raw bytes on the same socket: sent \"ping over netlab-echo\\n\", got back {:?}",
                String::from_utf8_lossy(&echo)
            )],
        })
    })
}

/// `CONNECT echo.netlab:7`, then bytes through the tunnel.
pub(super) fn http_connect(p: Peer) -> ClientFuture {
    Box::pin(async move {
        let opts = RequestOptions {
            method: "CONNECT".into(),
            ..RequestOptions::get(crate::http::routes::CONNECT_TARGET)
        };
        let tunnel = one_shot(&p)
            .request(1, opts)
            .await?
            .into_tunnel("200 Connection Established")?;
        let echo = tunnel.exchange(b"hello through the tunnel\n").await?;
        Ok(Findings {
            notes: vec![format!(
                "CONNECT {} → 200 Connection Established, then a tunnel: got back {:?}",
                crate::http::routes::CONNECT_TARGET,
                String::from_utf8_lossy(&echo)
            )],
        })
    })
}

/// `GET /hello` over TLS, trusting only the scenario's throwaway CA.
pub(super) fn https_get(p: Peer) -> ClientFuture {
    Box::pin(async move {
        let pem = p
            .ca_pem
            .as_deref()
            .ok_or_else(|| std::io::Error::other("the https scenario wrote no CA"))?;
        let tls = crate::tls::connector(pem).map_err(std::io::Error::other)?;
        let agent = Agent::one_shot(
            target(p.port),
            &format!("localhost:{}", p.port),
            Some(tls),
            p.recorder.clone(),
            Arc::default(),
        );
        let reply = agent.get(1, "/hello").await?;
        Ok(Findings {
            notes: vec![format!(
                "GET https://localhost:{}/hello, trusting only the throwaway CA → {}",
                p.port,
                said(&reply)
            )],
        })
    })
}

pub(super) async fn tcp_client<H: Handler>(
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

/// Writes its bytes, ends its side (FIN) and keeps reading until the server ends.
struct SendThenEnd(&'static [u8]);

impl Handler for SendThenEnd {
    fn on_connection(&mut self, s: &mut Socket<'_>) {
        s.write(self.0);
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

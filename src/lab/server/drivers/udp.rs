//! The UDP driver: datagrams answered to their sender.

use super::{show, Log, Steps, Target, WAIT};
use crate::lab::server::dial::Dialer;
use std::sync::Arc;

// ---- UDP -----------------------------------------------------------------------------------

pub(super) async fn udp_pong(d: Arc<Dialer>, t: Target, steps: Steps) {
    let Some(port) = t.port else {
        return steps.push(Log::new().fail("pong", "no port")).await;
    };
    let to = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port));
    let mut log = Log::new();
    let one = match d.udp() {
        Ok(s) => s,
        Err(e) => {
            return steps
                .push(log.fail("pong", format!("no socket: {e}")))
                .await
        }
    };
    let lanes = d.lanes();
    let lane = lanes.client();
    let _ = one.send_to(b"ping", to).await;
    lanes.rec.send(lane, b"ping", to.to_string());
    log.note("client1", "send \"ping\"");
    let mut buf = [0u8; 1500];
    let got = tokio::time::timeout(WAIT, one.recv_from(&mut buf)).await;
    steps.push(match got {
        Ok(Ok((n, from))) => {
            lanes.rec.message(lane, &buf[..n], from.to_string());
            log.note("client1", format!("received {} from port {}", show(&buf[..n]), from.port()));
            if &buf[..n] != b"pong" {
                log.fail("pong", format!("expected \"pong\", got {}", show(&buf[..n])))
            } else if from.port() != port {
                log.fail("pong", format!("the answer came from port {}, not from the server's port {port}: answer with the socket that received the ping", from.port()))
            } else {
                log.pass("pong")
            }
        }
        _ => log.fail(
            "pong",
            format!("no answer within {} s: send pong to the sender's address and port (rinfo)", WAIT.as_secs()),
        ),
    }).await;
    // Three sockets at once, answered in any order, each to its own sender.
    let mut log = Log::new();
    let socks: Vec<_> = (0..3)
        .filter_map(|_| d.udp().ok())
        .map(|s| (s, lanes.client()))
        .collect();
    for (i, (s, lane)) in socks.iter().enumerate() {
        let _ = s.send_to(b"ping", to).await;
        lanes.rec.send(*lane, b"ping", to.to_string());
        log.note(&format!("client{}", i + 2), "send \"ping\"");
    }
    let mut missing = Vec::new();
    // One wait for all three (they were sent together).
    let deadline = tokio::time::Instant::now() + WAIT;
    for (i, (s, lane)) in socks.iter().enumerate() {
        let got = tokio::time::timeout_at(deadline, s.recv_from(&mut buf)).await;
        if let Ok(Ok((n, from))) = &got {
            lanes.rec.message(*lane, &buf[..*n], from.to_string());
        }
        match got {
            Ok(Ok((n, _))) if &buf[..n] == b"pong" => {
                log.note(&format!("client{}", i + 2), "received \"pong\"");
            }
            _ => missing.push(format!("client{}", i + 2)),
        }
    }
    steps
        .push(if missing.is_empty() && socks.len() == 3 {
            log.pass("three-clients")
        } else {
            log.fail(
                "three-clients",
                format!(
                "{} got no pong: each answer must go to the address and port its ping came from",
                missing.join(", ")
            ),
            )
        })
        .await;
}

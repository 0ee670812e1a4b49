//! Checks on connections and bytes: TCP, Unix sockets and UDP datagrams.

use super::{fail, fail_with, plural, Ctx, Outcome};
use crate::lab::diff::hex_diff;
use crate::trace::{escape, unescape};

/// The server saw at least one connection or datagram.
pub fn connected(ctx: &Ctx) -> Outcome {
    if ctx.view.anything_seen() {
        Ok(())
    } else {
        fail("the server saw no connection and no datagram")
    }
}

/// Exactly `count` connections (datagrams for UDP).
pub fn connections(ctx: &Ctx, count: u32) -> Outcome {
    let (seen, what) = if ctx.udp() {
        (ctx.view.datagrams.len(), "datagram")
    } else {
        (ctx.view.connections, "connection")
    };
    if seen == count as usize {
        Ok(())
    } else {
        fail(format!(
            "the server saw {seen} {what}{}, expected {count}",
            plural(seen)
        ))
    }
}

/// Every connection (or datagram) carried exactly `bytes` (escaped).
pub fn sent(ctx: &Ctx, bytes: &str) -> Outcome {
    let want = unescape(bytes).unwrap_or_default();
    let got: Vec<(u64, &[u8], bool)> = if ctx.udp() {
        let d = &ctx.view.datagrams;
        d.iter()
            .map(|d| (d.bytes, d.head.as_slice(), true))
            .collect()
    } else {
        let c = &ctx.view.conns;
        c.iter()
            .map(|c| (c.received, c.head.as_slice(), c.head_complete))
            .collect()
    };
    if got.is_empty() {
        return fail("nothing arrived");
    }
    for (count, head, complete) in got {
        if count == want.len() as u64 && head == want {
            continue;
        }
        let more = if head.len() > 80 || !complete {
            "…"
        } else {
            ""
        };
        return fail_with(
            format!(
                "expected \"{}\" ({} B), the server received \"{}\"{more} ({count} B)",
                escape(&want),
                want.len(),
                escape(&head[..head.len().min(80)]),
            ),
            hex_diff(&want, head),
        );
    }
    Ok(())
}

/// Every connection ended with the client's FIN, never a reset.
pub fn ended_with_fin(ctx: &Ctx) -> Outcome {
    if ctx.view.conns.is_empty() {
        return fail("there was no connection to close");
    }
    for c in &ctx.view.conns {
        if let Some((_, code)) = &c.error {
            return fail(if code == "ECONNRESET" {
                "the server saw a reset (ECONNRESET) where it expected your end(): close with end() / shutdown, not destroy() or an abrupt exit with unread data".to_string()
            } else {
                format!("the server saw error {code} on conn{}", c.conn)
            });
        }
        match (c.end, ctx.stopped_ms()) {
            (None, _) => {
                return fail(format!(
                    "conn{} never received your FIN: the connection was still open when your client stopped",
                    c.conn
                ))
            }
            (Some(end), Some(stop)) if end.t_ms >= stop => {
                return fail(format!(
                    "the FIN on conn{} came only when netlab stopped your client at the time limit ({}): your client never ended its side itself",
                    c.conn,
                    ctx.limit_text()
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// The client sent nothing before the server wrote `bytes` (escaped).
pub fn waited_for(ctx: &Ctx, bytes: &str) -> Outcome {
    let want = unescape(bytes).unwrap_or_default();
    for c in &ctx.view.conns {
        match (c.write_starting(&want), c.first_data) {
            (Some(g), Some(d)) if d.seq < g.seq => {
                return fail(format!(
                    "you spoke before the server's greeting: your first bytes arrived at {:.0} ms, the greeting was sent at {:.0} ms",
                    d.t_ms, g.t_ms
                ))
            }
            (None, Some(_)) => return fail("you sent data and the server never got to greet you"),
            _ => {}
        }
    }
    Ok(())
}

/// Every connection emitted `event` (e.g. `timeout`, `secureConnection`).
pub fn event(ctx: &Ctx, event: &str) -> Outcome {
    if ctx.view.conns.is_empty() {
        return fail("there was no connection");
    }
    for c in &ctx.view.conns {
        if c.emitted.contains(&event) {
            continue;
        }
        // Say what happened instead, when the timeline knows (a TLS failure, an error).
        let instead = match (&c.tls_error, &c.error) {
            (Some(code), _) => format!("; it shows `tlsClientError {code}` instead"),
            (None, Some((_, code))) => format!("; it shows `error {code}` instead"),
            (None, None) => String::new(),
        };
        return fail(format!(
            "the server's timeline shows no `{event}` on conn{}{instead}",
            c.conn
        ));
    }
    Ok(())
}

/// The server finished sending before the client closed: the client read everything.
pub fn read_to_end(ctx: &Ctx) -> Outcome {
    for c in &ctx.view.conns {
        let closed = match (c.end, &c.error) {
            (Some(e), Some((r, _))) => Some(if e.seq < r.seq { e } else { *r }),
            (Some(e), None) => Some(e),
            (None, Some((r, _))) => Some(*r),
            (None, None) => None,
        };
        match (c.finish, closed) {
            (Some(f), Some(c)) if f.seq < c.seq => {}
            (_, Some(_)) => {
                return fail(
                    "your client closed before the server had finished sending: read until the server ends (your read returns EOF), then close",
                )
            }
            _ => {}
        }
    }
    Ok(())
}

//! Checks on certificate verification, for the `https-impostor` scenario: its first handshake
//! presents a self-signed certificate (an impostor), every later one the real certificate
//! signed by the CA in `NETLAB_CA`. A verifying client refuses the first and completes a later
//! one; a client that does not verify (`rejectUnauthorized: false`, `curl -k`,
//! `ssl.CERT_NONE`) completes the first.

use super::{blocked, fail, Ctx, Outcome};
use crate::lab::view::ConnView;

/// The connection the impostor answered: the run's first.
const IMPOSTOR_CONN: u32 = 1;

/// What a connection's timeline shows instead of `secureConnection`, in words.
fn instead(c: &ConnView) -> String {
    match (&c.tls_error, &c.error) {
        (Some(code), _) => format!("; it shows `tlsClientError {code}` instead"),
        (None, Some((_, code))) => format!("; it shows `error {code}` instead"),
        (None, None) => String::new(),
    }
}

fn secured(c: &ConnView) -> bool {
    c.emitted.contains(&"secureConnection")
}

/// The impostor's handshake (conn1) never completed.
pub fn impostor_refused(ctx: &Ctx) -> Outcome {
    let Some(c) = ctx.view.conns.iter().find(|c| c.conn == IMPOSTOR_CONN) else {
        return blocked(
            "there was no connection",
            "the server saw no connection, so there was no certificate to refuse",
        );
    };
    if secured(c) {
        return fail(format!(
            "your client completed the TLS handshake on conn{IMPOSTOR_CONN} with the impostor, \
             whose certificate is self-signed — no CA you trust signed it, so anyone could have \
             made it. A client completes that handshake only when it does not verify \
             certificates (rejectUnauthorized: false in Node, curl -k, ssl.CERT_NONE in \
             Python): keep verification on and trust only NETLAB_CA"
        ));
    }
    Ok(())
}

/// A connection after the impostor's completed a handshake with the real certificate.
pub fn real_handshake(ctx: &Ctx) -> Outcome {
    let conns = &ctx.view.conns;
    let Some(last) = conns.last() else {
        return blocked("there was no connection", "the server saw no connection");
    };
    if conns.iter().any(|c| c.conn > IMPOSTOR_CONN && secured(c)) {
        return Ok(());
    }
    if last.conn <= IMPOSTOR_CONN {
        return fail(format!(
            "the server saw one connection only, and the first handshake of a run is always the \
             impostor's{}: after refusing it, connect again to get the real certificate",
            instead(last)
        ));
    }
    fail(format!(
        "the server's timeline shows no `secureConnection` on conn{}{}",
        last.conn,
        instead(last)
    ))
}

//! Response writing: a [`Response`] as the wire bytes and the `writeHead()` event, and the
//! fixed answers the connection itself sends (errors, `100 Continue`).

use super::message::{Request, Response};
use crate::trace::Event;

/// The exact bytes Node sends for a malformed request.
pub const BAD_REQUEST: &[u8] = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
/// The exact bytes Node sends for a head over the limit.
pub const HEADERS_TOO_LARGE: &[u8] =
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n";
/// Sent when a head does not arrive within the headers timeout.
pub const REQUEST_TIMEOUT: &[u8] = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";
/// Sent for HTTP/1.1 without `Host`: Node's bytes (its `Date` aside — netlab sends none, so
/// traces are reproducible).
pub const MISSING_HOST: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
/// Sent for a head over the limit of chunk extensions (Node: `413`).
pub const PAYLOAD_TOO_LARGE: &[u8] = b"HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n";

/// Whether an `Expect` value asks for `100-continue` (Node: the token anywhere in the value,
/// any case).
pub fn expects_continue(value: &str) -> bool {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .any(|t| t.eq_ignore_ascii_case("100-continue"))
}

/// Node's automatic `417` for any other `Expect` (`Date` aside): an empty chunked response
/// that keeps the connection unless the request closes it.
pub fn expectation_failed(close: bool, keep_alive: std::time::Duration) -> Vec<u8> {
    let conn = if close {
        "Connection: close\r\n".to_string()
    } else {
        format!(
            "Connection: keep-alive\r\nKeep-Alive: timeout={}\r\n",
            keep_alive.as_secs()
        )
    };
    format!("HTTP/1.1 417 Expectation Failed\r\n{conn}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        .into_bytes()
}
/// The interim response to `Expect: 100-continue`.
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// Whether `res` to `req` switches the connection (a `101`, or a CONNECT's `200`).
pub fn switches(res: &Response, req: &Request) -> bool {
    res.status == 101 || (req.method == "CONNECT" && res.status == 200)
}

/// The head as written for `req` — status, reason and every header, the framing and
/// `Connection` headers included — as the `writeHead()` event, and the wire bytes (no body
/// for HEAD). One source for both, so the message view shows exactly what was sent.
pub fn response_bytes(
    res: &Response,
    req: &Request,
    keep_alive: std::time::Duration,
) -> (Event, Vec<u8>) {
    let mut headers = res.headers.clone();
    let mut body = Vec::new();
    if !switches(res, req) {
        if res.chunked {
            for part in &res.chunks {
                body.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                body.extend_from_slice(part);
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(b"0\r\n\r\n");
        } else {
            headers.push(("Content-Length".into(), res.body.len().to_string()));
            body.extend_from_slice(&res.body);
        }
        if res.close || req.wants_close() {
            headers.push(("Connection".into(), "close".into()));
        } else {
            headers.push(("Connection".into(), "keep-alive".into()));
            let secs = keep_alive.as_secs();
            headers.push(("Keep-Alive".into(), format!("timeout={secs}")));
        }
        // Node writes the framing it chose after `Connection`/`Keep-Alive`.
        if res.chunked {
            headers.push(("Transfer-Encoding".into(), "chunked".into()));
        }
    }
    let mut out = Vec::with_capacity(128 + body.len());
    out.extend_from_slice(format!("HTTP/1.1 {} {}\r\n", res.status, res.reason).as_bytes());
    for (k, v) in &headers {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if req.method != "HEAD" {
        out.extend_from_slice(&body);
    }
    let event = Event::WriteHead {
        status: res.status,
        reason: res.reason.to_string(),
        headers,
    };
    (event, out)
}

//! HTTP messages: the [`Request`] a server connection hands the application, the [`Response`]
//! the application answers with, and the message view — a head as wire lines in `curl -v`'s
//! notation ([`head_lines`]).
//!
//! `curl -v` prints what it sent with `> ` and what it received with `< `; the chapter's HTTP
//! section is taught by reading those lines. netlab shows the same view from the server's side:
//! the `request` event carries the head as parsed (method, URL, version, headers in arrival
//! order) and the `writeHead()` action the response head as written, so both can be printed
//! back as wire lines beneath the timeline events they belong to.

use crate::trace::Event;

/// Request body bytes kept for the application (the count stays exact beyond it).
pub const MAX_BODY_KEPT: usize = 1 << 20;

/// A parsed request, as the application sees it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// 1-based number on its connection.
    pub id: u32,
    /// The method token, as sent.
    pub method: String,
    /// The request target, as sent.
    pub url: String,
    /// `1.1` or `1.0`.
    pub version: String,
    /// Header fields in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body (first [`MAX_BODY_KEPT`] bytes).
    pub body: Vec<u8>,
    /// Exact body length.
    pub body_len: u64,
}

impl Request {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the connection closes after this request's response (Node's `shouldKeepAlive`
    /// negated): HTTP/1.1 with `Connection: close`; any other version (1.0, 2.0, 0.9) unless
    /// `Connection: keep-alive`.
    pub fn wants_close(&self) -> bool {
        let tokens = || {
            self.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
                .flat_map(|(_, v)| v.split(','))
                .map(str::trim)
        };
        if self.version != "1.1" {
            !tokens().any(|t| t.eq_ignore_ascii_case("keep-alive"))
        } else {
            tokens().any(|t| t.eq_ignore_ascii_case("close"))
        }
    }

    /// Add body bytes (keeping at most [`MAX_BODY_KEPT`]).
    pub fn push_body(&mut self, chunk: &[u8]) {
        self.body_len += chunk.len() as u64;
        let room = MAX_BODY_KEPT.saturating_sub(self.body.len());
        self.body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }

    /// The timeline's `request` event for this request.
    pub fn event(&self) -> Event {
        Event::Request {
            method: self.method.clone(),
            url: self.url.clone(),
            http_version: self.version.clone(),
            headers: self.headers.clone(),
        }
    }
}

/// A response to serialise (see [`super::write`]).
#[derive(Clone, Debug, Default)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Reason phrase.
    pub reason: &'static str,
    /// Extra headers (framing and `Connection` are added when written).
    pub headers: Vec<(String, String)>,
    /// The body, when not chunked.
    pub body: Vec<u8>,
    /// Send `chunks` with chunked transfer coding instead of `body`.
    pub chunked: bool,
    /// The chunks of a chunked body.
    pub chunks: Vec<Vec<u8>>,
    /// Close the connection after this response.
    pub close: bool,
}

impl Response {
    /// A `text/plain` response.
    pub fn text(status: u16, reason: &'static str, body: &str) -> Response {
        Response {
            status,
            reason,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: body.as_bytes().to_vec(),
            ..Response::default()
        }
    }
}

/// The head lines of a request or response event, prefixed `> ` (to the server) or `< ` (from
/// it), ending with the bare marker for the blank line; `None` for other events.
pub fn head_lines(event: &Event) -> Option<Vec<String>> {
    let (first, headers, mark) = match event {
        Event::Request {
            method,
            url,
            http_version,
            headers,
        }
        | Event::CheckContinue {
            method,
            url,
            http_version,
            headers,
        } => (format!("{method} {url} HTTP/{http_version}"), headers, '>'),
        Event::WriteHead {
            status,
            reason,
            headers,
        } => (format!("HTTP/1.1 {status} {reason}"), headers, '<'),
        _ => return None,
    };
    let mut lines = Vec::with_capacity(headers.len() + 2);
    lines.push(format!("{mark} {first}"));
    for (name, value) in headers {
        lines.push(format!("{mark} {name}: {value}"));
    }
    lines.push(mark.to_string());
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_response_read_like_curl_verbose() {
        let req = Event::Request {
            method: "GET".into(),
            url: "/hello".into(),
            http_version: "1.1".into(),
            headers: vec![("Host".into(), "127.0.0.1:8080".into())],
        };
        assert_eq!(
            head_lines(&req).unwrap(),
            ["> GET /hello HTTP/1.1", "> Host: 127.0.0.1:8080", ">"]
        );
        let res = Event::WriteHead {
            status: 200,
            reason: "OK".into(),
            headers: vec![("Content-Length".into(), "11".into())],
        };
        assert_eq!(
            head_lines(&res).unwrap(),
            ["< HTTP/1.1 200 OK", "< Content-Length: 11", "<"]
        );
        assert!(head_lines(&Event::End).is_none());
    }
}

//! The message view: an HTTP head as the wire bytes, in `curl -v`'s notation.
//!
//! `curl -v` prints what it sent with `> ` and what it received with `< `; the chapter's HTTP
//! section is taught by reading those lines. netlab shows the same view from the server's side:
//! the `request` event carries the head as parsed (method, URL, version, headers in arrival
//! order) and the `writeHead()` action the response head as written, so both can be printed
//! back as wire lines beneath the timeline events they belong to.

use crate::trace::Event;

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

//! The request-head parser: accepts and refuses what Node 20's llhttp does in its default
//! (strict, non-lenient) mode, with the same error codes.
//!
//! Why not httparse (which netlab used before): httparse is a fine, fuzzed parser, but its
//! rules are not llhttp's — it takes any token as a method, refuses `HTTP/2.0` and HTTP/0.9
//! request lines, caps the header count at the caller's array size, and reports errors in its
//! own categories — and netlab must answer byte for byte as Node does, so the rules the server
//! teaches are the rules it runs. This parser is small and written from llhttp's observable
//! behaviour (the differential suite, `tests/http_diff.rs`, checks every case against Node
//! itself); no llhttp code is copied. Body framing is decided here too (duplicate
//! `Content-Length`, `Transfer-Encoding` with `Content-Length`, `chunked` not last), because
//! llhttp refuses those while reading the headers; chunked bodies are decoded by
//! [`super::body`].
//!
//! The parser is re-run on the whole buffered head each time bytes arrive until it completes
//! (heads are small and bounded), so it needs no state between calls.

/// Node's `maxHeaderSize`: the URL, header names and values together (not the separators).
pub const MAX_HEADER_SIZE: usize = 16 * 1024;
/// A head whose raw bytes (separators included) exceed this is refused as too large too.
pub const MAX_RAW_HEAD: usize = 80 * 1024;

/// The methods llhttp knows for HTTP (anything else is `HPE_INVALID_METHOD`).
const METHODS: &[&str] = &[
    "DELETE",
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "CONNECT",
    "OPTIONS",
    "TRACE",
    "COPY",
    "LOCK",
    "MKCOL",
    "MOVE",
    "PROPFIND",
    "PROPPATCH",
    "SEARCH",
    "UNLOCK",
    "BIND",
    "REBIND",
    "UNBIND",
    "ACL",
    "REPORT",
    "MKACTIVITY",
    "CHECKOUT",
    "MERGE",
    "M-SEARCH",
    "NOTIFY",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "PATCH",
    "PURGE",
    "MKCALENDAR",
    "LINK",
    "UNLINK",
    "SOURCE",
    "PRI",
    "QUERY",
];

/// A refused head: the `clientError` code and the status Node answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadError {
    /// llhttp's error code name (`HPE_…`).
    pub code: &'static str,
    /// 400, or 431 for an oversized head.
    pub status: u16,
}

fn err(code: &'static str) -> HeadError {
    HeadError { code, status: 400 }
}

const OVERFLOW: HeadError = HeadError {
    code: "HPE_HEADER_OVERFLOW",
    status: 431,
};

/// How the body of a request is framed, as the headers say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// No body framing headers: no body.
    None,
    /// `Content-Length`.
    Length(u64),
    /// `Transfer-Encoding` ending in `chunked`.
    Chunked,
    /// `Transfer-Encoding` not ending in `chunked`: llhttp emits the request, then fails with
    /// `HPE_INVALID_TRANSFER_ENCODING` where the body would start.
    BadTransferEncoding,
}

/// A complete, accepted request head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// The method, as sent.
    pub method: String,
    /// The request target, as sent.
    pub url: String,
    /// `1.1`, `1.0`, `2.0` or `0.9` (a request line without a version).
    pub version: String,
    /// Header fields, values trimmed of surrounding whitespace.
    pub headers: Vec<(String, String)>,
    /// The body framing.
    pub framing: Framing,
    /// Bytes the head took (leading empty lines included).
    pub len: usize,
}

/// The outcome of parsing a buffered head.
pub type Parsed = Result<Option<Head>, HeadError>;

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_url_char(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
}

fn is_value_char(b: u8) -> bool {
    b == b'\t' || (0x20..=0x7e).contains(&b) || b >= 0x80
}

/// Parse a request head from the start of `buf`: `Ok(None)` until it is complete.
pub fn parse_head(buf: &[u8]) -> Parsed {
    let mut p = Cursor {
        buf,
        i: 0,
        counted: 0,
    };
    let r = p.head();
    if matches!(r, Ok(None)) && buf.len() > MAX_RAW_HEAD {
        return Err(OVERFLOW);
    }
    r
}

struct Cursor<'a> {
    buf: &'a [u8],
    i: usize,
    /// URL, name and value bytes so far (Node's header size count).
    counted: usize,
}

/// `None` from a step: the buffer ended first.
macro_rules! more {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => return Ok(None),
        }
    };
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.buf.get(self.i).copied()
    }

    fn count(&mut self, n: usize) -> Result<(), HeadError> {
        self.counted += n;
        if self.counted > MAX_HEADER_SIZE {
            Err(OVERFLOW)
        } else {
            Ok(())
        }
    }

    /// Take bytes while `f` holds; `None` if the buffer ends first.
    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> Option<&[u8]> {
        let start = self.i;
        while self.i < self.buf.len() {
            if !f(self.buf[self.i]) {
                return Some(&self.buf[start..self.i]);
            }
            self.i += 1;
        }
        None
    }

    fn head(&mut self) -> Parsed {
        // Empty lines before a request are skipped.
        while matches!(self.peek(), Some(b'\r' | b'\n')) {
            self.i += 1;
        }
        let method = self.method()?;
        let method = more!(method);
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
        let url_start = self.i;
        let first = more!(self.peek());
        if method != "CONNECT" && !(first == b'/' || first == b'*' || first.is_ascii_alphabetic()) {
            return Err(err("HPE_INVALID_URL"));
        }
        let complete = self.take_while(is_url_char).is_some();
        let url_len = self.i - url_start;
        self.count(url_len)?;
        if !complete {
            return Ok(None);
        }
        let url = String::from_utf8_lossy(&self.buf[url_start..self.i]).into_owned();
        if first.is_ascii_alphabetic() && method != "CONNECT" && !url.contains("://") {
            return Err(err("HPE_INVALID_URL"));
        }
        let version = match more!(self.peek()) {
            b' ' => {
                while self.peek() == Some(b' ') {
                    self.i += 1;
                }
                more!(self.version()?)
            }
            b'\r' => {
                // HTTP/0.9: `METHOD URL` alone on the line.
                match more!(self.buf.get(self.i + 1)) {
                    b'\n' => self.i += 2,
                    _ => return Err(err("HPE_STRICT")),
                }
                "0.9".to_string()
            }
            _ => return Err(err("HPE_INVALID_URL")),
        };
        if method == "PRI" {
            return Err(err("HPE_PAUSED_H2_UPGRADE"));
        }
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut framing = Framing::None;
        let mut te_chunked_last = false;
        let mut te_seen = false;
        let mut cl_seen = false;
        loop {
            match more!(self.peek()) {
                b'\r' => {
                    match more!(self.buf.get(self.i + 1)) {
                        b'\n' => self.i += 2,
                        _ => return Err(err("HPE_STRICT")),
                    }
                    break;
                }
                b'\n' => return Err(err("HPE_CR_EXPECTED")),
                b' ' | b'\t' if headers.is_empty() => return Err(err("HPE_UNEXPECTED_SPACE")),
                _ => {}
            }
            let name = more!(self.take_while(is_tchar)).to_vec();
            match self.peek() {
                Some(b':') if !name.is_empty() => self.i += 1,
                _ => return Err(err("HPE_INVALID_HEADER_TOKEN")),
            }
            self.count(name.len())?;
            more!(self.take_while(|b| b == b' ' || b == b'\t'));
            let vstart = self.i;
            let value = more!(self.take_while(is_value_char)).to_vec();
            self.count(value.len())?;
            match self.buf[self.i] {
                b'\r' => match more!(self.buf.get(self.i + 1)) {
                    b'\n' => self.i += 2,
                    _ => return Err(err("HPE_LF_EXPECTED")),
                },
                b'\n' => return Err(err("HPE_CR_EXPECTED")),
                _ => return Err(err("HPE_INVALID_HEADER_TOKEN")),
            }
            let _ = vstart;
            let name = String::from_utf8_lossy(&name).into_owned();
            let raw_value = value;
            let trimmed_len = raw_value
                .iter()
                .rposition(|&b| b != b' ' && b != b'\t')
                .map_or(0, |p| p + 1);
            let value = String::from_utf8_lossy(&raw_value[..trimmed_len]).into_owned();
            if name.eq_ignore_ascii_case("content-length") {
                if cl_seen {
                    return Err(err("HPE_UNEXPECTED_CONTENT_LENGTH"));
                }
                if te_seen {
                    return Err(err("HPE_INVALID_CONTENT_LENGTH"));
                }
                cl_seen = true;
                framing = Framing::Length(content_length(&raw_value)?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                if cl_seen {
                    return Err(err("HPE_INVALID_TRANSFER_ENCODING"));
                }
                te_seen = true;
                for token in value.split(',').map(|t| t.trim_matches([' ', '\t'])) {
                    if te_chunked_last {
                        return Err(err("HPE_INVALID_TRANSFER_ENCODING"));
                    }
                    te_chunked_last = token.eq_ignore_ascii_case("chunked");
                }
                framing = if te_chunked_last {
                    Framing::Chunked
                } else {
                    Framing::BadTransferEncoding
                };
            }
            headers.push((name, value));
        }
        Ok(Some(Head {
            method,
            url,
            version,
            headers,
            framing,
            len: self.i,
        }))
    }

    /// The method and the space after it; `Ok(None)` if incomplete.
    fn method(&mut self) -> Result<Option<String>, HeadError> {
        let start = self.i;
        let token = |b: u8| b.is_ascii_uppercase() || b == b'-' || b == b'_';
        let Some(m) = self.take_while(token) else {
            let sofar = &self.buf[start..];
            // A prefix no method has can be refused at once.
            return if METHODS.iter().any(|m| m.as_bytes().starts_with(sofar)) {
                Ok(None)
            } else {
                Err(err("HPE_INVALID_METHOD"))
            };
        };
        let m = String::from_utf8_lossy(m).into_owned();
        if self.peek() != Some(b' ') || !METHODS.contains(&m.as_str()) {
            return Err(err("HPE_INVALID_METHOD"));
        }
        self.i += 1;
        Ok(Some(m))
    }

    /// `HTTP/d.d` CRLF; `Ok(None)` if incomplete.
    fn version(&mut self) -> Result<Option<String>, HeadError> {
        let rest = &self.buf[self.i..];
        let lit = b"HTTP/";
        let n = rest.len().min(lit.len());
        if rest[..n] != lit[..n] {
            return Err(err("HPE_INVALID_CONSTANT"));
        }
        if rest.len() < lit.len() + 3 {
            // Check what has arrived of `d.d` so far.
            let v = &rest[n..];
            let ok = match v {
                [] => true,
                [a] => a.is_ascii_digit(),
                [a, b] => a.is_ascii_digit() && *b == b'.',
                _ => true,
            };
            return if ok {
                Ok(None)
            } else {
                Err(err("HPE_INVALID_VERSION"))
            };
        }
        let (a, dot, b) = (rest[5], rest[6], rest[7]);
        if !a.is_ascii_digit() || dot != b'.' || !b.is_ascii_digit() {
            return Err(err("HPE_INVALID_VERSION"));
        }
        let v = format!("{}.{}", a as char, b as char);
        if !["0.9", "1.0", "1.1", "2.0"].contains(&v.as_str()) {
            return Err(err("HPE_INVALID_VERSION"));
        }
        match (rest.get(8), rest.get(9)) {
            (None, _) => return Ok(None),
            (Some(b'\r'), None) => return Ok(None),
            (Some(b'\r'), Some(b'\n')) => {}
            (Some(b'\r'), Some(_)) => return Err(err("HPE_STRICT")),
            _ => return Err(err("HPE_INVALID_VERSION")),
        }
        self.i += 10;
        Ok(Some(v))
    }
}

/// A `Content-Length` value as llhttp reads it: digits, then only spaces.
fn content_length(v: &[u8]) -> Result<u64, HeadError> {
    let digits = v.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || v[digits..].iter().any(|&b| b != b' ') {
        return Err(err("HPE_INVALID_CONTENT_LENGTH"));
    }
    std::str::from_utf8(&v[..digits])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(err("HPE_INVALID_CONTENT_LENGTH"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(b: &[u8]) -> &'static str {
        match parse_head(b) {
            Err(e) => e.code,
            Ok(Some(_)) => "ok",
            Ok(None) => "partial",
        }
    }

    #[test]
    fn accepts_and_refuses_like_llhttp() {
        assert_eq!(code(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"), "ok");
        assert_eq!(code(b"GET  /hello HTTP/2.0\r\nHost: x\r\n\r\n"), "ok");
        assert_eq!(code(b"GET /hello\r\n\r\n"), "ok");
        assert_eq!(code(b"get / HTTP/1.1\r\n\r\n"), "HPE_INVALID_METHOD");
        assert_eq!(code(b"G@T / HTTP/1.1\r\n\r\n"), "HPE_INVALID_METHOD");
        assert_eq!(code(b"GET hello HTTP/1.1\r\n\r\n"), "HPE_INVALID_URL");
        assert_eq!(code(b"GET /\xc3\xa9 HTTP/1.1\r\n\r\n"), "HPE_INVALID_URL");
        assert_eq!(
            code(b"GET / HTTP/1.1\nHost: x\r\n\r\n"),
            "HPE_INVALID_VERSION"
        );
        assert_eq!(code(b"GET / HTTP/1.1\r\nHost: x\n\r\n"), "HPE_CR_EXPECTED");
        assert_eq!(
            code(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n"),
            "HPE_UNEXPECTED_CONTENT_LENGTH"
        );
        assert_eq!(
            code(b"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n"),
            "HPE_INVALID_CONTENT_LENGTH"
        );
        assert_eq!(
            code(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n"),
            "HPE_INVALID_TRANSFER_ENCODING"
        );
        assert_eq!(code(b"GET / HT"), "partial");
        assert_eq!(code(b"GE"), "partial");
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..2000 {
            many.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(code(&many), "ok");
    }
}

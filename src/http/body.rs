//! One body decoder for both ends of a connection: a message body framed by length or by
//! chunked transfer coding, decoded from a byte slice without I/O.
//!
//! The server ([`super::server`]) and the in-process client ([`super::client`]) both hold a
//! [`BodyDecoder`] and call [`BodyDecoder::step`] on their read buffer; each step says how many
//! bytes it used and which of them are body. Chunk-size lines are read with
//! [`httparse::parse_chunk_size`] and trailers with [`httparse::parse_headers`], after the
//! stricter checks Node's llhttp makes in its default (non-lenient) mode, so that a line one of
//! them would accept and the other refuse cannot split the two ends' idea of where a body ends
//! (the request-smuggling class of bug).

use std::ops::Range;

/// A chunk-size line (size and extensions) longer than this is refused: Node 20 answers a
/// chunk extension over 16 KiB with `413` (`HPE_CHUNK_EXTENSIONS_OVERFLOW`).
pub const MAX_CHUNK_LINE: usize = 16 * 1024;
/// Trailer section size limit (Node counts trailers against `maxHeaderSize`, 16 KiB).
pub const MAX_TRAILERS: usize = 16 * 1024;
/// Most trailer fields parsed.
const MAX_TRAILER_FIELDS: usize = 100;

/// Why a body could not be decoded, with the `clientError` code Node 20 gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// A chunk-size line that is not hex digits then `;ext` or CRLF.
    #[error("invalid chunk size")]
    ChunkSize,
    /// A chunk extension with a byte llhttp does not allow (controls, bare LF).
    #[error("invalid character in chunk extensions")]
    Extension,
    /// Chunk extensions over [`MAX_CHUNK_LINE`].
    #[error("chunk extensions overflow")]
    ExtensionOverflow,
    /// A bare LF where llhttp wants CRLF.
    #[error("expected CR before LF")]
    CrExpected,
    /// A CR not followed by LF.
    #[error("expected LF after CR")]
    Strict,
    /// Chunk data not followed by CRLF.
    #[error("expected CRLF after chunk data")]
    DataEnd,
    /// A malformed trailer section.
    #[error("invalid trailer")]
    Trailer,
    /// Trailers over [`MAX_TRAILERS`].
    #[error("trailers too large")]
    TrailerOverflow,
}

impl BodyError {
    /// The `clientError` code Node 20's llhttp reports for this error.
    pub fn code(self) -> &'static str {
        match self {
            BodyError::ChunkSize => "HPE_INVALID_CHUNK_SIZE",
            BodyError::Extension => "HPE_STRICT",
            BodyError::ExtensionOverflow => "HPE_CHUNK_EXTENSIONS_OVERFLOW",
            BodyError::DataEnd => "HPE_STRICT",
            BodyError::CrExpected => "HPE_CR_EXPECTED",
            BodyError::Strict => "HPE_STRICT",
            BodyError::Trailer => "HPE_INVALID_HEADER_TOKEN",
            BodyError::TrailerOverflow => "HPE_HEADER_OVERFLOW",
        }
    }

    /// The status Node answers with (413 for an extension overflow, 431 for huge trailers).
    pub fn status(self) -> u16 {
        match self {
            BodyError::ExtensionOverflow => 413,
            BodyError::TrailerOverflow => 431,
            _ => 400,
        }
    }
}

/// What one [`BodyDecoder::step`] did with its input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing can be decided until more bytes arrive.
    NeedMore,
    /// `used` bytes of the input were consumed; `body` (a range inside them, maybe empty) is
    /// body data.
    Consumed { used: usize, body: Range<usize> },
    /// The body ended after `used` more bytes of the input.
    Done { used: usize },
}

/// Where the decoder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// This many body bytes still to come (`Content-Length`).
    Length(u64),
    /// Reading a `size[;ext]\r\n` line.
    Size,
    /// Reading this many chunk-data bytes.
    Data(u64),
    /// Reading the CRLF after chunk data.
    DataEnd,
    /// Reading trailer fields up to the empty line.
    Trailers,
    /// Finished.
    Done,
}

/// A body decoder (length or chunked); see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyDecoder {
    state: State,
}

impl BodyDecoder {
    /// A body of exactly `n` bytes.
    pub fn length(n: u64) -> Self {
        BodyDecoder {
            state: State::Length(n),
        }
    }

    /// A chunked body.
    pub fn chunked() -> Self {
        BodyDecoder { state: State::Size }
    }

    /// Whether the body has ended.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done | State::Length(0))
    }

    /// Decode from the start of `input` (bytes not yet consumed).
    pub fn step(&mut self, input: &[u8]) -> Result<Step, BodyError> {
        match self.state {
            State::Done | State::Length(0) => {
                self.state = State::Done;
                Ok(Step::Done { used: 0 })
            }
            State::Length(n) | State::Data(n) => {
                if input.is_empty() {
                    return Ok(Step::NeedMore);
                }
                let take = n.min(input.len() as u64) as usize;
                let rest = n - take as u64;
                self.state = match self.state {
                    State::Length(_) if rest == 0 => State::Done,
                    State::Length(_) => State::Length(rest),
                    _ if rest == 0 => State::DataEnd,
                    _ => State::Data(rest),
                };
                Ok(Step::Consumed {
                    used: take,
                    body: 0..take,
                })
            }
            State::Size => self.size_line(input),
            State::DataEnd => match input {
                [] | [b'\r'] => Ok(Step::NeedMore),
                [b'\n', ..] => Err(BodyError::CrExpected),
                [b'\r', b'\n', ..] => {
                    self.state = State::Size;
                    Ok(Step::Consumed {
                        used: 2,
                        body: 0..0,
                    })
                }
                _ => Err(BodyError::DataEnd),
            },
            State::Trailers => {
                if input.first() == Some(&b'\n') {
                    // The empty line ending the trailers as a bare LF.
                    return Err(BodyError::Trailer);
                }
                let mut fields = [httparse::EMPTY_HEADER; MAX_TRAILER_FIELDS];
                match httparse::parse_headers(input, &mut fields) {
                    Ok(httparse::Status::Complete((used, _))) => {
                        if input[..used].windows(2).filter(|w| *w == b"\r\n").count()
                            != input[..used].iter().filter(|&&b| b == b'\n').count()
                        {
                            // A bare LF as a line end: llhttp refuses it.
                            return Err(BodyError::CrExpected);
                        }
                        self.state = State::Done;
                        Ok(Step::Done { used })
                    }
                    Ok(httparse::Status::Partial) if input.len() > MAX_TRAILERS => {
                        Err(BodyError::TrailerOverflow)
                    }
                    Ok(httparse::Status::Partial) => Ok(Step::NeedMore),
                    Err(httparse::Error::TooManyHeaders) => Err(BodyError::TrailerOverflow),
                    Err(_) => Err(BodyError::Trailer),
                }
            }
        }
    }

    fn size_line(&mut self, input: &[u8]) -> Result<Step, BodyError> {
        // llhttp: one or more hex digits, then CRLF or `;` extensions; no whitespace, no sign.
        let digits = input.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if digits == input.len() {
            return if input.len() > MAX_CHUNK_LINE {
                Err(BodyError::ExtensionOverflow)
            } else {
                Ok(Step::NeedMore)
            };
        }
        match input[digits] {
            _ if digits == 0 => return Err(BodyError::ChunkSize),
            b'\r' => {}
            b'\n' => return Err(BodyError::CrExpected),
            b';' => {
                let line_end = extensions(&input[digits..])?;
                if line_end.is_none() {
                    return if input.len() > MAX_CHUNK_LINE {
                        Err(BodyError::ExtensionOverflow)
                    } else {
                        Ok(Step::NeedMore)
                    };
                }
                if input.len() > MAX_CHUNK_LINE {
                    return Err(BodyError::ExtensionOverflow);
                }
            }
            _ => return Err(BodyError::ChunkSize),
        }
        match httparse::parse_chunk_size(input) {
            Ok(httparse::Status::Complete((used, size))) => {
                self.state = if size == 0 {
                    State::Trailers
                } else {
                    State::Data(size)
                };
                Ok(Step::Consumed { used, body: 0..0 })
            }
            Ok(httparse::Status::Partial) => Ok(Step::NeedMore),
            Err(_) => {
                // A CR not followed by LF is llhttp's HPE_STRICT; anything else (a size over
                // 64 bits) an invalid chunk size.
                let cr = input.iter().position(|&b| b == b'\r');
                match cr.and_then(|i| input.get(i + 1)) {
                    Some(&b) if b != b'\n' => Err(BodyError::Strict),
                    _ => Err(BodyError::ChunkSize),
                }
            }
        }
    }
}

/// Check chunk extensions (`;name[=token|"quoted"]`…, from the first `;`) as llhttp does;
/// `Ok(Some(i))` where the CR of the line end is, `Ok(None)` if the line is incomplete.
fn extensions(ext: &[u8]) -> Result<Option<usize>, BodyError> {
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    let mut i = 0;
    loop {
        // At a `;`: a name must follow.
        i += 1;
        let start = i;
        while i < ext.len() && is_tchar(ext[i]) {
            i += 1;
        }
        let Some(&b) = ext.get(i) else {
            return Ok(None);
        };
        if i == start {
            return Err(if b == b'\n' {
                BodyError::CrExpected
            } else {
                BodyError::Extension
            });
        }
        let mut b = b;
        if b == b'=' {
            i += 1;
            match ext.get(i) {
                None => return Ok(None),
                Some(b'"') => {
                    i += 1;
                    loop {
                        match ext.get(i) {
                            None => return Ok(None),
                            Some(b'"') => break,
                            Some(b'\\') => i += 2,
                            Some(&c) if c == b'\t' || (c >= 0x20 && c != 0x7f) => i += 1,
                            Some(_) => return Err(BodyError::Extension),
                        }
                    }
                    i += 1;
                }
                Some(_) => {
                    let vs = i;
                    while i < ext.len() && is_tchar(ext[i]) {
                        i += 1;
                    }
                    if i == vs && i < ext.len() {
                        return Err(BodyError::Extension);
                    }
                }
            }
            let Some(&c) = ext.get(i) else {
                return Ok(None);
            };
            b = c;
        }
        match b {
            b';' => continue,
            b'\r' => return Ok(Some(i)),
            b'\n' => return Err(BodyError::CrExpected),
            _ => return Err(BodyError::Extension),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decode all of `input` in pieces of `split`; the body, or the error.
    fn decode(mut d: BodyDecoder, input: &[u8], split: usize) -> Result<Vec<u8>, BodyError> {
        let mut buf = Vec::new();
        let mut body = Vec::new();
        let mut pieces = input.chunks(split.max(1));
        for _ in 0..input.len() * 4 + 8 {
            match d.step(&buf)? {
                Step::NeedMore => match pieces.next() {
                    Some(p) => buf.extend_from_slice(p),
                    None => return Err(BodyError::ChunkSize),
                },
                Step::Consumed { used, body: r } => {
                    body.extend_from_slice(&buf[r]);
                    buf.drain(..used);
                }
                Step::Done { used } => {
                    buf.drain(..used);
                    return Ok(body);
                }
            }
        }
        panic!("decoder did not finish")
    }

    #[test]
    fn length_and_chunked_bodies_decode_in_any_split() {
        for split in [1, 2, 3, 7, 100] {
            assert_eq!(
                decode(BodyDecoder::length(5), b"hello", split).unwrap(),
                b"hello"
            );
            let chunked = b"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nX-T: 1\r\n\r\n";
            assert_eq!(
                decode(BodyDecoder::chunked(), chunked, split).unwrap(),
                b"hello world"
            );
        }
    }

    #[test]
    fn malformed_chunk_lines_are_refused_like_llhttp() {
        for (bad, err) in [
            (&b"+5\r\nhello\r\n0\r\n\r\n"[..], BodyError::ChunkSize),
            (b" 5\r\nhello\r\n0\r\n\r\n", BodyError::ChunkSize),
            (b"5 \r\nhello\r\n0\r\n\r\n", BodyError::ChunkSize),
            (b"5\nhello\r\n0\r\n\r\n", BodyError::CrExpected),
            (b"5;a\x01b\r\nhello\r\n0\r\n\r\n", BodyError::Extension),
            (b"5\r\nhelloXX0\r\n\r\n", BodyError::DataEnd),
        ] {
            assert_eq!(decode(BodyDecoder::chunked(), bad, 1), Err(err), "{bad:?}");
        }
        let long = format!("5;{}\r\nhello\r\n0\r\n\r\n", "a".repeat(20 * 1024));
        assert_eq!(
            decode(BodyDecoder::chunked(), long.as_bytes(), 4096),
            Err(BodyError::ExtensionOverflow)
        );
    }
}

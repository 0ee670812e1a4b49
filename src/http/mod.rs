//! HTTP/1.1 on netlab's engine, with the `http` module's event model.
//!
//! [`server`] is a sans-IO HTTP/1.1 server connection, generic over the [`app::App`] it serves: bytes in, [`server::Action`]s out
//! (bytes to write, timeline events, timers, end). Keeping I/O out makes it possible to feed it
//! arbitrary bytes in arbitrary splits in property tests, and to show every step in the
//! timeline: `request`, request body `data`/`end`, `checkContinue`, `upgrade`, `connect`,
//! `clientError`, and each response's `finish` and `close`.
//!
//! Why not hyper: hyper owns the connection and hides the moments netlab must show (the raw
//! head, a `100 Continue` the server chose to delay, the bytes before a 101, a malformed
//! request's exact 400). Request heads are read by [`parse`], which accepts and refuses what
//! Node 20's llhttp does (its module docs say why it replaced httparse there); chunk-size lines
//! and trailers by [`body`] on httparse's `parse_chunk_size`/`parse_headers` after llhttp's
//! stricter checks; the in-process client reads response heads with httparse. The state
//! machine around them (bodies, pipelining, upgrades, errors, timeouts) is [`server`]'s job.
//! `tests/http_diff.rs` compares the whole server with a Node 20 twin on 237 raw-byte cases.
//!
//! Fuzzing: the request path's fuzz targets are property tests in [`server`]'s tests, run by
//! `cargo test` on every CI run with a fixed case budget (so bounded in time): arbitrary bytes
//! split anywhere, and structure-aware mutations (byte edits, inserts, deletes) of a seed
//! corpus covering every request kind the server handles, with the peer's FIN and every timer
//! fired. Both assert no panic and that every byte written starts a response.
//!
//! [`client`] is an in-process client with Node's `http.Agent` pooling, for demos.
//!
//! [`message`] holds [`message::Request`] and [`message::Response`], and prints heads as
//! `curl -v` does (`> GET / HTTP/1.1`). [`body`] is the one body decoder (length or chunked)
//! both ends share; [`write`] turns a response into wire bytes.
//!
//! Dependencies run one way: `server` (with its `request`, `respond` and `timeouts` parts) →
//! `app`, `body`, `parse`, `write` → `message`; [`routes`] (the
//! `http` scenario's [`app::App`]) → `app`, `message`. Nothing here imports `routes`.
//!
//! [`routes`] is the `http` scenario's application: `/hello`, `/one`, `/two`, `/slow/N`,
//! `/secret`, `/upload`, `/stream`, `/chat` (upgrade) and `CONNECT echo.netlab:7`.

pub mod app;
pub mod body;
pub mod client;
pub mod message;
pub mod parse;
pub mod routes;
pub mod server;
pub mod write;

/// Parsed headers as owned (name, value) pairs, in order (values lossily as UTF-8).
pub fn header_pairs(headers: &[httparse::Header<'_>]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect()
}

//! The canonical trace: a stable, line-per-event, diffable text form of a timeline.
//!
//! Two runs of the same client against the same server do not produce the same raw timeline:
//! TCP splits bytes into `data` events differently each time, concurrent connections are
//! accepted in any order, and the number of `drain`s depends on the reader's speed
//! (`shared/reference/node-facts.md`, "Determinism"). The canonical form keeps exactly what is
//! stable, so a grader (and the Node differential test) can compare with plain equality:
//!
//! - Only the order of events **within one lane of one object** counts. Lanes: `up`
//!   (listening, connect, socket), `rx` (data, end, message), `tx` (drain, finish), `ev`
//!   (everything else: connection, timeout, error, close, request, …).
//! - Consecutive `data` events in a lane coalesce into one line with the exact total byte count
//!   and the first bytes; consecutive `drain`s collapse into one. UDP `message`s stay separate:
//!   datagram boundaries are real.
//! - Times, ports, sequence numbers and the program's own actions (`write`, `end()`, …) are left
//!   out, and so is the wire lane (`Scope::Wire`: segments, datagrams, drops) — a capture
//!   never changes a grade.
//! - Server-side connections are sorted by content and renumbered `conn1..connN` (their
//!   requests and responses travel with them), so accept order does not matter.
//!
//! ```text
//! netlab-trace/1
//!
//! server       up  listening
//! server       ev  connection
//! server       ev  close
//!
//! conn1        rx  data 7B "hello\r\n"
//! conn1        rx  end
//! conn1        tx  finish
//! conn1        ev  close
//! ```
//!
//! [`CanonTrace::parse`] reads this form back (`#` comments and blank lines are ignored);
//! `format(parse(text)) == text` for every canonical text.

use super::{escape, unescape, Entry, Event, Scope};
use std::collections::BTreeMap;
use std::fmt;

/// The header line naming the format and its version.
pub const HEADER: &str = "netlab-trace/1";
/// Bytes of a coalesced stream shown in a canonical line.
pub const SHOWN: usize = 40;
/// Bytes of a coalesced stream the builder keeps (for byte-level diffs in reports).
pub const HEAD_KEEP: usize = 4096;
/// Lines kept per object; past this the object gets a final `… N more` line.
pub const MAX_ITEMS: usize = 2_000;
/// Objects kept per trace; past this the trace notes how many were left out.
pub const MAX_OBJECTS: usize = 10_000;

/// Which ordered sequence of an object a line belongs to (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lane {
    Up,
    Rx,
    Tx,
    Ev,
}

impl Lane {
    const ALL: [Lane; 4] = [Lane::Up, Lane::Rx, Lane::Tx, Lane::Ev];

    fn as_str(self) -> &'static str {
        match self {
            Lane::Up => "up",
            Lane::Rx => "rx",
            Lane::Tx => "tx",
            Lane::Ev => "ev",
        }
    }

    fn parse(s: &str) -> Option<Lane> {
        Some(match s {
            "up" => Lane::Up,
            "rx" => Lane::Rx,
            "tx" => Lane::Tx,
            "ev" => Lane::Ev,
            _ => return None,
        })
    }

    /// The lane an emitted event belongs to; `None` for actions and the wire's packets (not
    /// part of the canon).
    pub fn of(event: &Event) -> Option<Lane> {
        if event.is_action() || event.is_wire() {
            return None;
        }
        Some(match event {
            Event::Listening { .. } | Event::Connect { .. } | Event::Socket { .. } => Lane::Up,
            Event::Data { .. } | Event::End | Event::Message { .. } => Lane::Rx,
            Event::Drain | Event::Finish => Lane::Tx,
            _ => Lane::Ev,
        })
    }
}

/// One canonical line's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// Coalesced `data` (or one `message`): exact count and leading bytes.
    Bytes {
        /// `data` or `message`.
        event: String,
        /// Exact byte count of the coalesced run.
        count: u64,
        /// Leading bytes (up to [`HEAD_KEEP`] when recorded live; [`SHOWN`] when parsed).
        head: Vec<u8>,
        /// False once a capped preview was appended: `head` stops growing.
        head_complete: bool,
        /// Sender address without port (UDP).
        from: Option<String>,
    },
    /// Any other event, already in its canonical words (`end`, `error ECONNRESET`, …).
    Plain(String),
}

impl Item {
    fn render(&self) -> String {
        match self {
            Item::Plain(s) => s.clone(),
            Item::Bytes {
                event,
                count,
                head,
                from,
                ..
            } => {
                let shown = &head[..head.len().min(SHOWN)];
                let more = if (shown.len() as u64) < *count {
                    "…"
                } else {
                    ""
                };
                let mut s = format!("{event} {count}B \"{}\"{more}", escape(shown));
                if let Some(from) = from {
                    s.push_str(" from=");
                    s.push_str(from);
                }
                s
            }
        }
    }
}

/// One line of a canonical trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub lane: Lane,
    pub item: Item,
}

/// All lines of one object, in lane order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// `server`, `conn1`, `conn1.req1`, `client1`, …
    pub name: String,
    pub lines: Vec<Line>,
}

/// A whole canonical trace.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CanonTrace {
    pub blocks: Vec<Block>,
}

/// Why a canonical text could not be read; `line` is 1-based.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl CanonTrace {
    /// Read a canonical text.
    ///
    /// ```
    /// use netlab::trace::canon::CanonTrace;
    /// let text = "netlab-trace/1\n\nconn1        rx  data 7B \"hello\\r\\n\"\nconn1        rx  end\n";
    /// let trace = CanonTrace::parse(text).unwrap();
    /// assert_eq!(trace.blocks[0].name, "conn1");
    /// assert_eq!(trace.to_string(), text);
    /// ```
    pub fn parse(text: &str) -> Result<CanonTrace, ParseError> {
        let mut lines = text.lines().enumerate();
        let err = |line: usize, message: String| ParseError {
            line: line + 1,
            message,
        };
        match lines.next() {
            Some((_, l)) if l.trim() == HEADER => {}
            Some((i, l)) => return Err(err(i, format!("expected `{HEADER}`, found `{l}`"))),
            None => return Err(err(0, format!("empty trace: expected `{HEADER}`"))),
        }
        let mut blocks: Vec<Block> = Vec::new();
        for (i, raw) in lines {
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let (name, rest) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            let name = name.to_string();
            let rest = rest.trim_start();
            let (lane_s, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let lane = Lane::parse(lane_s).ok_or_else(|| {
                err(
                    i,
                    format!("unknown lane `{lane_s}` (expected up, rx, tx or ev)"),
                )
            })?;
            let rest = rest.trim();
            if rest.is_empty() {
                return Err(err(i, "missing event after the lane".into()));
            }
            let item = parse_item(rest).map_err(|m| err(i, m))?;
            match blocks.last_mut() {
                Some(b) if b.name == name => b.lines.push(Line { lane, item }),
                _ => blocks.push(Block {
                    name,
                    lines: vec![Line { lane, item }],
                }),
            }
        }
        Ok(CanonTrace { blocks })
    }

    /// The block named `name`, if any.
    pub fn block(&self, name: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// Only the server side (what graders compare): `server`, `connN`, and their children.
    pub fn server_side(&self) -> CanonTrace {
        CanonTrace {
            blocks: self
                .blocks
                .iter()
                .filter(|b| b.name == "server" || b.name.starts_with("conn"))
                .cloned()
                .collect(),
        }
    }
}

fn parse_item(rest: &str) -> Result<Item, String> {
    let (event, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    if event != "data" && event != "message" {
        return Ok(Item::Plain(rest.to_string()));
    }
    let (count_s, tail) = tail
        .split_once(' ')
        .ok_or_else(|| format!("`{event}` needs a byte count and a quoted preview"))?;
    let count: u64 = count_s
        .strip_suffix('B')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("bad byte count `{count_s}` (expected e.g. `7B`)"))?;
    let tail = tail
        .strip_prefix('"')
        .ok_or_else(|| "the preview must be a quoted string".to_string())?;
    // Find the closing quote: the first `"` not escaped by a backslash.
    let mut end = None;
    let bytes = tail.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => {
                end = Some(i);
                break;
            }
            _ => i += 1,
        }
    }
    let end = end.ok_or_else(|| "unterminated preview string".to_string())?;
    let head = unescape(&tail[..end]).ok_or_else(|| "bad escape in preview".to_string())?;
    let mut after = &tail[end + 1..];
    let cut = after.starts_with('…');
    if cut {
        after = &after['…'.len_utf8()..];
    }
    if !cut && head.len() as u64 != count {
        return Err(format!(
            "the preview has {} bytes but the count says {count} (end it with … if it is cut)",
            head.len()
        ));
    }
    let after = after.trim();
    let from = if after.is_empty() {
        None
    } else if let Some(f) = after.strip_prefix("from=") {
        Some(f.to_string())
    } else {
        return Err(format!("unexpected `{after}` after the preview"));
    };
    Ok(Item::Bytes {
        event: event.to_string(),
        count,
        head,
        head_complete: !cut,
        from,
    })
}

impl fmt::Display for CanonTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{HEADER}")?;
        for b in &self.blocks {
            writeln!(f)?;
            for lane in Lane::ALL {
                for l in b.lines.iter().filter(|l| l.lane == lane) {
                    writeln!(f, "{:<12} {}  {}", b.name, lane.as_str(), l.item.render())?;
                }
            }
        }
        Ok(())
    }
}

/// Canonical words for a non-payload event.
fn plain_words(event: &Event) -> String {
    match event {
        Event::Error { code, .. } => format!("error {code}"),
        Event::Close {
            had_error: Some(true),
        } => "close hadError".into(),
        Event::Request {
            method,
            url,
            http_version,
            ..
        }
        | Event::CheckContinue {
            method,
            url,
            http_version,
            ..
        } => format!("{} {method} {url} HTTP/{http_version}", event.name()),
        Event::ConnectRequest { url, http_version } => {
            format!("connect {url} HTTP/{http_version}")
        }
        Event::Upgrade { url, protocol } => format!("upgrade {url} {protocol}"),
        Event::ClientError { code, .. } => format!("clientError {code}"),
        Event::Response { status, reason } => format!("response {status} {reason}"),
        Event::SecureConnection { protocol, .. } => format!("secureConnection {protocol}"),
        Event::SecureConnect { protocol, .. } => format!("secureConnect {protocol}"),
        Event::TlsClientError { code, .. } => format!("tlsClientError {code}"),
        other => other.name().to_string(),
    }
}

/// The address part of `ip:port` (or `[v6]:port`); other strings unchanged.
fn strip_port(addr: &str) -> String {
    match addr.parse::<std::net::SocketAddr>() {
        Ok(sa) => sa.ip().to_string(),
        Err(_) => addr.to_string(),
    }
}

#[derive(Default)]
struct ObjLog {
    lines: Vec<Line>,
    /// Lines not kept past [`MAX_ITEMS`].
    dropped: u64,
}

/// A connection's objects (the socket, its requests and responses) with their lines.
type ConnObjects = Vec<(Scope, Vec<Line>)>;

/// Builds a canonical trace incrementally, in bounded memory, from entries as they are
/// recorded (live) or replayed (from JSON lines).
#[derive(Default)]
pub struct Builder {
    objects: BTreeMap<Scope, ObjLog>,
    /// Objects not kept past [`MAX_OBJECTS`].
    dropped_objects: u64,
}

impl Builder {
    /// Add one entry. `payload` is the full data when recorded live; `None` when replaying,
    /// in which case the entry's capped preview is used.
    pub fn push(&mut self, entry: &Entry, payload: Option<&[u8]>) {
        let Some(lane) = Lane::of(&entry.event) else {
            return;
        };
        // The wire lane is packets, not Node objects: graders never see it.
        if entry.scope.is_wire() {
            return;
        }
        if !self.objects.contains_key(&entry.scope) && self.objects.len() >= MAX_OBJECTS {
            self.dropped_objects += 1;
            return;
        }
        let log = self.objects.entry(entry.scope).or_default();
        let last_in_lane = log.lines.iter_mut().rev().find(|l| l.lane == lane);
        match &entry.event {
            Event::Data { bytes, .. } => {
                let preview = entry.event.preview().unwrap_or_default();
                let (chunk, complete): (&[u8], bool) = match payload {
                    Some(p) => (p, true),
                    None => (&preview.head, !preview.truncated),
                };
                if let Some(Line {
                    item:
                        Item::Bytes {
                            event,
                            count,
                            head,
                            head_complete,
                            ..
                        },
                    ..
                }) = last_in_lane
                {
                    if event == "data" {
                        *count += bytes;
                        if *head_complete && head.len() < HEAD_KEEP {
                            let take = chunk.len().min(HEAD_KEEP - head.len());
                            head.extend_from_slice(&chunk[..take]);
                            *head_complete = complete && take == chunk.len();
                        }
                        return;
                    }
                }
                let take = chunk.len().min(HEAD_KEEP);
                Self::add(
                    log,
                    lane,
                    Item::Bytes {
                        event: "data".into(),
                        count: *bytes,
                        head: chunk[..take].to_vec(),
                        head_complete: complete && take == chunk.len(),
                        from: None,
                    },
                );
            }
            Event::Message { bytes, from, .. } => {
                let preview = entry.event.preview().unwrap_or_default();
                let head = payload.map(|p| p[..p.len().min(HEAD_KEEP)].to_vec());
                Self::add(
                    log,
                    lane,
                    Item::Bytes {
                        event: "message".into(),
                        count: *bytes,
                        head: head.unwrap_or(preview.head),
                        head_complete: true,
                        from: Some(strip_port(from)),
                    },
                );
            }
            Event::Drain => {
                if matches!(last_in_lane, Some(Line { item: Item::Plain(p), .. }) if p == "drain") {
                    return;
                }
                Self::add(log, lane, Item::Plain("drain".into()));
            }
            other => Self::add(log, lane, Item::Plain(plain_words(other))),
        }
    }

    fn add(log: &mut ObjLog, lane: Lane, item: Item) {
        if log.lines.len() >= MAX_ITEMS {
            log.dropped += 1;
        } else {
            log.lines.push(Line { lane, item });
        }
    }

    /// The canonical trace: objects grouped, connections sorted by content and renumbered.
    pub fn build(&self) -> CanonTrace {
        let blocks_of = |scope: &Scope, log: &ObjLog| {
            let mut lines = log.lines.clone();
            if log.dropped > 0 {
                lines.push(Line {
                    lane: Lane::Ev,
                    item: Item::Plain(format!("… {} more", log.dropped)),
                });
            }
            (*scope, lines)
        };
        let mut server = Vec::new();
        // conn number -> its own lines and its children (requests/responses), by scope.
        let mut conns: BTreeMap<u32, Vec<(Scope, Vec<Line>)>> = BTreeMap::new();
        let mut clients = Vec::new();
        for (scope, log) in &self.objects {
            let (scope, lines) = blocks_of(scope, log);
            match scope {
                Scope::Server => server.push(Block {
                    name: "server".into(),
                    lines,
                }),
                Scope::Conn { conn }
                | Scope::Request { conn, .. }
                | Scope::Response { conn, .. } => {
                    conns.entry(conn).or_default().push((scope, lines))
                }
                _ => clients.push(Block {
                    name: scope.to_string(),
                    lines,
                }),
            }
        }
        if self.dropped_objects > 0 {
            server.push(Block {
                name: "server".into(),
                lines: vec![Line {
                    lane: Lane::Ev,
                    item: Item::Plain(format!("… {} more objects", self.dropped_objects)),
                }],
            });
        }
        // Sort connections by their content (names stripped), then by original number.
        let mut keyed: Vec<(String, u32, ConnObjects)> = conns
            .into_iter()
            .map(|(n, objs)| {
                let key = objs
                    .iter()
                    .map(|(s, lines)| {
                        let suffix = s.to_string().split_once('.').map(|x| x.1.to_string());
                        let body = Block {
                            name: String::new(),
                            lines: lines.clone(),
                        };
                        format!("{suffix:?}{}", CanonTrace { blocks: vec![body] })
                    })
                    .collect::<String>();
                (key, n, objs)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut blocks = server;
        for (i, (_, _, objs)) in keyed.into_iter().enumerate() {
            let new = i as u32 + 1;
            for (scope, lines) in objs {
                let renamed = match scope {
                    Scope::Conn { .. } => Scope::Conn { conn: new },
                    Scope::Request { req, .. } => Scope::Request { conn: new, req },
                    Scope::Response { req, .. } => Scope::Response { conn: new, req },
                    s => s,
                };
                blocks.push(Block {
                    name: renamed.to_string(),
                    lines,
                });
            }
        }
        blocks.extend(clients);
        CanonTrace { blocks }
    }
}

/// Canonicalise a list of entries (e.g. read back from `serve --json` output).
pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> CanonTrace {
    let mut b = Builder::default();
    for e in entries {
        b.push(e, None);
    }
    b.build()
}

/// Canonicalise JSON lines as printed by `netlab serve --json`. Lines that are not entries
/// (blank, or other JSON) are skipped; the count of skipped lines is returned too.
pub fn from_json_lines(text: &str) -> (CanonTrace, usize) {
    let mut skipped = 0;
    let entries: Vec<Entry> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| match serde_json::from_str::<Entry>(l) {
            Ok(e) => Some(e),
            Err(_) => {
                skipped += 1;
                None
            }
        })
        .collect();
    (from_entries(&entries), skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn entry(scope: Scope, event: Event) -> Entry {
        Entry {
            seq: 0,
            t_ms: 0.0,
            scope,
            event,
        }
    }

    fn echo_conn(n: u32, text: &[u8]) -> Vec<Entry> {
        let c = Scope::Conn { conn: n };
        vec![
            entry(Scope::Server, Event::Connection { peer: "x".into() }),
            entry(c, Event::data(&text[..2])),
            entry(c, Event::write(text, true)),
            entry(c, Event::data(&text[2..])),
            entry(c, Event::End),
            entry(c, Event::EndCall { reason: None }),
            entry(c, Event::Finish),
            entry(
                c,
                Event::Close {
                    had_error: Some(false),
                },
            ),
        ]
    }

    #[test]
    fn coalesces_data_and_drops_actions() {
        let mut es = vec![entry(
            Scope::Server,
            Event::Listening {
                address: "127.0.0.1".into(),
                port: Some(1),
                transport: "tcp".into(),
            },
        )];
        es.extend(echo_conn(1, b"hello\r\n"));
        let text = from_entries(&es).to_string();
        assert_eq!(
            text,
            "netlab-trace/1\n\nserver       up  listening\nserver       ev  connection\n\n\
             conn1        rx  data 7B \"hello\\r\\n\"\nconn1        rx  end\n\
             conn1        tx  finish\nconn1        ev  close\n"
        );
    }

    #[test]
    fn connection_order_does_not_matter() {
        let mut a = echo_conn(1, b"aaaa");
        a.extend(echo_conn(2, b"bbbb"));
        let mut b = echo_conn(1, b"bbbb");
        b.extend(echo_conn(2, b"aaaa"));
        assert_eq!(from_entries(&a).to_string(), from_entries(&b).to_string());
    }

    #[test]
    fn replayed_previews_give_the_same_canon_as_live_payloads() {
        let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let c = Scope::Conn { conn: 1 };
        let mut live = Builder::default();
        let mut replay = Builder::default();
        for chunk in big.chunks(30_000) {
            let e = entry(c, Event::data(chunk));
            live.push(&e, Some(chunk));
            replay.push(&e, None);
        }
        assert_eq!(live.build().to_string(), replay.build().to_string());
    }

    #[test]
    fn parse_round_trips() {
        let text = "netlab-trace/1\n\nserver       up  listening\nserver       rx  message 4B \"ping\" from=127.0.0.1\nserver       ev  close\n\n\
                    conn1        rx  data 100B \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"…\nconn1        rx  end\n\
                    conn1        ev  error ECONNRESET\nconn1        ev  close hadError\n";
        let t = CanonTrace::parse(text).unwrap();
        assert_eq!(t.to_string(), text);
    }

    #[test]
    fn parse_errors_name_the_line() {
        let e = CanonTrace::parse("netlab-trace/1\n\nconn1 zz end\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = CanonTrace::parse("netlab-trace/1\nconn1 rx data 9B \"hi\"\n").unwrap_err();
        assert!(e.message.contains("2 bytes"), "{e}");
        assert!(CanonTrace::parse("").is_err());
        assert!(CanonTrace::parse("netlab-trace/1\nconn1 rx data 2B \"hi").is_err());
    }

    #[test]
    fn drains_collapse_and_messages_do_not() {
        let c = Scope::Conn { conn: 1 };
        let es = vec![
            entry(c, Event::Drain),
            entry(c, Event::Drain),
            entry(c, Event::Finish),
            entry(Scope::Server, Event::message(b"a", "127.0.0.1:5".into())),
            entry(Scope::Server, Event::message(b"a", "127.0.0.1:6".into())),
        ];
        let t = from_entries(&es);
        assert_eq!(t.block("conn1").unwrap().lines.len(), 2);
        assert_eq!(t.block("server").unwrap().lines.len(), 2);
    }
}

//! Sequence diagrams as SVG, drawn from a recorded timeline.
//!
//! Two lanes, the client on the left and the server on the right, time going down (one row per
//! event, its time in the margin). What crossed the wire is an arrow — connect, data, FIN,
//! RST, datagrams, HTTP request and response heads, the TLS handshake — drawn from the
//! *server's* events, so a diagram of `netlab serve` (whose client is another program) and of a
//! demo (whose client is recorded too) read the same. Every other event is a label on the lane
//! of the object that emitted it. Used by the book and by `netlab trace --svg`.
//!
//! A timeline recorded with the wire view has the packets themselves: each segment or datagram
//! is a thin grey arrow between the lanes (`SYN`, `SYN-ACK`, `ACK`, `PSH-ACK len 7`,
//! `FIN-ACK`, `RST`, TLS record names), placed in time order among the socket events — and
//! the socket events are then labels on their lanes, since the packets show what crossed.

use crate::trace::render;
use crate::trace::{Entry, Event, Scope, WireDir};
use std::fmt::Write as _;

/// Most rows drawn; longer timelines end with a "… N more" row.
pub const MAX_ROWS: usize = 80;

const WIDTH: usize = 880;
const CLIENT_X: usize = 290;
const SERVER_X: usize = 630;
const ROW: usize = 26;
const TOP: usize = 64;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// What a row shows.
enum Row {
    /// An arrow: to the server (true) or to the client, with its label.
    Arrow(bool, String),
    /// A packet: a thin arrow to the server (true) or to the client, with its flags.
    Packet(bool, String),
    /// A label on the client lane (true) or the server lane.
    Note(bool, String),
}

/// A packet's label: its flags (or `UDP`), its payload length when it has one, and for TLS
/// the record it starts.
fn packet(e: &Event) -> Option<(bool, String)> {
    match e {
        Event::Segment {
            dir,
            flags,
            len,
            tls,
            ..
        } => {
            let mut l = flags.clone();
            if *len > 0 {
                let _ = write!(l, " len {len}");
            }
            if let Some(t) = tls {
                let _ = write!(l, " {t}");
            }
            Some((*dir == WireDir::In, l))
        }
        Event::Datagram { dir, len, .. } => Some((*dir == WireDir::In, format!("UDP len {len}"))),
        _ => None,
    }
}

fn server_side(scope: &Scope) -> bool {
    !matches!(scope, Scope::Client { .. } | Scope::ClientRequest { .. })
}

/// The `#N ` prefix of a packet row whose connection is known (several connections: which one).
fn wire_prefix(scope: &Scope) -> String {
    match scope {
        Scope::Wire { conn } if *conn > 0 => format!("#{conn} "),
        _ => String::new(),
    }
}

/// The object an event belongs to, as the timeline names it: `#1` for the socket, `#1.req1`
/// and `#1.res1` for a request and its response — so that a request's `end` is never read as
/// the connection's FIN.
fn conn_prefix(scope: &Scope) -> String {
    match scope {
        Scope::Conn { .. } | Scope::Request { .. } | Scope::Response { .. } => {
            format!("{} ", render::who(scope))
        }
        _ => String::new(),
    }
}

/// The row of `e`; with `wire`, only packets are arrows (the socket events are labels).
fn row(e: &Entry, wire: bool) -> Row {
    if let Some((to_server, label)) = packet(&e.event) {
        return Row::Packet(to_server, label);
    }
    let server = server_side(&e.scope);
    let p = conn_prefix(&e.scope);
    let bytes = |n: &u64| format!("{n} B");
    if server && !wire {
        let arrow_in = |l: String| Row::Arrow(true, format!("{p}{l}"));
        let arrow_out = |l: String| Row::Arrow(false, format!("{p}{l}"));
        match &e.event {
            Event::Connection { .. } => return arrow_in("connect (SYN, SYN+ACK, ACK)".into()),
            Event::Data { bytes: n, text, .. } if matches!(e.scope, Scope::Conn { .. }) => {
                return arrow_in(format!(
                    "data {} {}",
                    bytes(n),
                    clip(&render_text(text), 24)
                ))
            }
            Event::Message { bytes: n, text, .. } => {
                return arrow_in(format!(
                    "datagram {} {}",
                    bytes(n),
                    clip(&render_text(text), 20)
                ))
            }
            Event::Write { bytes: n, text, .. } => {
                return arrow_out(format!(
                    "data {} {}",
                    bytes(n),
                    clip(&render_text(text), 24)
                ))
            }
            Event::Send { bytes: n, text, .. } => {
                return arrow_out(format!(
                    "datagram {} {}",
                    bytes(n),
                    clip(&render_text(text), 20)
                ))
            }
            Event::End if matches!(e.scope, Scope::Conn { .. }) => return arrow_in("FIN".into()),
            Event::EndCall { .. } => return arrow_out("FIN (end())".into()),
            Event::Destroy { .. } => return arrow_out("RST (destroy())".into()),
            Event::Error { code, .. } if code == "ECONNRESET" => return arrow_in("RST".into()),
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
            } => return arrow_in(format!("{method} {url} HTTP/{http_version}")),
            Event::ConnectRequest { url, .. } => return arrow_in(format!("CONNECT {url}")),
            Event::Upgrade { url, protocol } => {
                return arrow_in(format!("GET {url} Upgrade: {protocol}"))
            }
            Event::WriteHead { status, reason, .. } => {
                return arrow_out(format!("HTTP/1.1 {status} {reason}"))
            }
            Event::SecureConnection { protocol, .. } => {
                return arrow_in(format!("TLS handshake ({protocol})"))
            }
            _ => {}
        }
    }
    let label = format!(
        "{}{} {}",
        p,
        render::label(&e.event),
        clip(&render::details(&e.event), 30)
    );
    Row::Note(!server, label.trim_end().to_string())
}

/// Latin-1 preview text with control characters escaped (`\r\n`).
fn render_text(text: &str) -> String {
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    format!("\"{}\"", crate::trace::escape(&bytes))
}

/// Runs of the same data event on the same object (200 one-byte writes) become one entry
/// with the total, so a burst is one row.
fn collapse(entries: &[Entry]) -> Vec<(Entry, usize)> {
    let mut out: Vec<(Entry, usize)> = Vec::new();
    for e in entries {
        if let Some((last, n)) = out.last_mut() {
            if last.scope == e.scope && last.event.name() == e.event.name() {
                let merged = match (&mut last.event, &e.event) {
                    (Event::Write { bytes, .. }, Event::Write { bytes: b, .. })
                    | (Event::Data { bytes, .. }, Event::Data { bytes: b, .. }) => {
                        *bytes += b;
                        true
                    }
                    _ => false,
                };
                if merged {
                    *n += 1;
                    continue;
                }
            }
        }
        out.push((e.clone(), 1));
    }
    out
}

/// The diagram of `entries` (in recorded order; with packets, in time order), titled `title`.
pub fn sequence(title: &str, entries: &[Entry]) -> String {
    let wire = entries.iter().any(|e| e.scope.is_wire());
    let rows_in = if wire {
        let mut sorted = entries.to_vec();
        // Stable: entries of one instant keep their recorded order.
        sorted.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
        collapse(&sorted)
    } else {
        collapse(entries)
    };
    let shown = rows_in.len().min(MAX_ROWS);
    let more = rows_in.len() - shown;
    let rows = shown + usize::from(more > 0);
    let height = TOP + rows * ROW + 30;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="ui-monospace, SFMono-Regular, Menlo, monospace" font-size="12">
<title>{}</title>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#334"/></marker>{}</defs>
<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#fff"/>
<text x="{}" y="20" text-anchor="middle" font-size="14" font-weight="bold" fill="#223">{}</text>
<rect x="{}" y="30" width="120" height="22" rx="4" fill="#e8f0fe" stroke="#335"/><text x="{CLIENT_X}" y="45" text-anchor="middle" fill="#223">client</text>
<rect x="{}" y="30" width="120" height="22" rx="4" fill="#e6f4ea" stroke="#353"/><text x="{SERVER_X}" y="45" text-anchor="middle" fill="#223">server</text>
<line x1="{CLIENT_X}" y1="52" x2="{CLIENT_X}" y2="{}" stroke="#99a" stroke-dasharray="4 3"/>
<line x1="{SERVER_X}" y1="52" x2="{SERVER_X}" y2="{}" stroke="#99a" stroke-dasharray="4 3"/>
"##,
        esc(title),
        if wire {
            r##"<marker id="packet" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#8890a8"/></marker>"##
        } else {
            ""
        },
        WIDTH / 2,
        esc(title),
        CLIENT_X - 60,
        SERVER_X - 60,
        height - 20,
        height - 20,
    );
    for (i, (e, times)) in rows_in.iter().take(shown).enumerate() {
        let y = TOP + i * ROW + ROW / 2;
        let _ = writeln!(
            s,
            r##"<text x="8" y="{}" fill="#889" font-size="10">{:.prec$} ms</text>"##,
            y + 4,
            e.t_ms,
            // Packets come tenths of a millisecond apart on loopback.
            prec = if wire { 2 } else { 1 },
        );
        let times = if *times > 1 {
            format!(" ×{times}")
        } else {
            String::new()
        };
        match row(e, wire) {
            Row::Packet(to_server, label) => {
                let label = format!("{}{label}{times}", wire_prefix(&e.scope));
                let (x1, x2) = if to_server {
                    (CLIENT_X, SERVER_X)
                } else {
                    (SERVER_X, CLIENT_X)
                };
                let color = if label.contains("RST") {
                    "#c66"
                } else {
                    "#8890a8"
                };
                let _ = writeln!(
                    s,
                    r##"<line class="packet" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{color}" stroke-width="0.8" marker-end="url(#packet)"/><text x="{}" y="{}" text-anchor="middle" font-size="10" fill="{color}">{}</text>"##,
                    (CLIENT_X + SERVER_X) / 2,
                    y - 3,
                    esc(&clip(&label, 52))
                );
            }
            Row::Arrow(to_server, label) => {
                let label = format!("{label}{times}");
                let (x1, x2) = if to_server {
                    (CLIENT_X, SERVER_X)
                } else {
                    (SERVER_X, CLIENT_X)
                };
                let color = if label.contains("RST") {
                    "#c33"
                } else {
                    "#334"
                };
                let _ = writeln!(
                    s,
                    r##"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{color}" stroke-width="1.4" marker-end="url(#arrow)"/><text x="{}" y="{}" text-anchor="middle" fill="{color}">{}</text>"##,
                    (CLIENT_X + SERVER_X) / 2,
                    y - 4,
                    esc(&clip(&label, 46))
                );
            }
            Row::Note(client, label) => {
                let label = format!("{label}{times}");
                let (x, anchor) = if client {
                    (CLIENT_X - 8, "end")
                } else {
                    (SERVER_X + 8, "start")
                };
                let _ = writeln!(
                    s,
                    r##"<circle cx="{}" cy="{y}" r="3" fill="#557"/><text x="{x}" y="{}" text-anchor="{anchor}" fill="#446">{}</text>"##,
                    if client { CLIENT_X } else { SERVER_X },
                    y + 4,
                    esc(&clip(&label, if client { 28 } else { 32 }))
                );
            }
        }
    }
    if more > 0 {
        let y = TOP + shown * ROW + ROW / 2;
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{y}" text-anchor="middle" fill="#889">… {more} more rows</text>"##,
            WIDTH / 2
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_and_notes() {
        let conn = Scope::Conn { conn: 1 };
        let es = vec![
            Entry {
                seq: 0,
                t_ms: 0.0,
                scope: Scope::Server,
                event: Event::Listening {
                    address: "127.0.0.1".into(),
                    port: Some(1),
                    transport: "tcp".into(),
                },
            },
            Entry {
                seq: 1,
                t_ms: 1.0,
                scope: Scope::Server,
                event: Event::Connection {
                    peer: "127.0.0.1:2".into(),
                },
            },
            Entry {
                seq: 2,
                t_ms: 2.0,
                scope: conn,
                event: Event::data(b"hi <x>\r\n"),
            },
            Entry {
                seq: 3,
                t_ms: 3.0,
                scope: conn,
                event: Event::Error {
                    code: "ECONNRESET".into(),
                    message: String::new(),
                },
            },
        ];
        let svg = sequence("t & u", &es);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("t &amp; u"));
        assert!(svg.contains("connect (SYN, SYN+ACK, ACK)"));
        assert!(
            svg.contains("#1 data 8 B &quot;hi &lt;x&gt;\\r\\n&quot;"),
            "{svg}"
        );
        assert!(svg.contains("stroke=\"#c33\""), "RST in red");
        assert!(svg.contains("listening"));
        assert_eq!(svg.matches("marker-end").count(), 3);
    }

    fn seg(t_ms: f64, dir: WireDir, flags: &str, len: u32) -> Entry {
        Entry {
            seq: 0,
            t_ms,
            scope: Scope::Wire { conn: 1 },
            event: Event::Segment {
                dir,
                flags: flags.into(),
                seq: 0,
                ack: 0,
                win: 65495,
                len,
                tls: (len == 517).then(|| "handshake ClientHello".to_string()),
                peer: "127.0.0.1:2".into(),
            },
        }
    }

    #[test]
    fn packets_are_thin_arrows_in_time_order_and_events_become_labels() {
        use WireDir::{In, Out};
        let es = vec![
            Entry {
                seq: 0,
                t_ms: 1.0,
                scope: Scope::Server,
                event: Event::Connection {
                    peer: "127.0.0.1:2".into(),
                },
            },
            // Recorded after the event it precedes: drawn before it.
            seg(0.5, In, "SYN", 0),
            seg(0.6, Out, "SYN-ACK", 0),
            seg(0.7, In, "ACK", 0),
            seg(2.0, In, "PSH-ACK", 517),
            seg(3.0, Out, "RST", 0),
        ];
        let svg = sequence("wire", &es);
        let at = |needle: &str| {
            svg.find(needle)
                .unwrap_or_else(|| panic!("{needle}:\n{svg}"))
        };
        assert!(at(">#1 SYN<") < at(">#1 SYN-ACK<"));
        assert!(at(">#1 SYN-ACK<") < at(">#1 ACK<"));
        assert!(at(">#1 ACK<") < at("connection from"), "{svg}");
        assert!(at("connection from") < at("#1 PSH-ACK len 517 handshake ClientHello"));
        assert_eq!(svg.matches("class=\"packet\"").count(), 5);
        assert!(
            !svg.contains("connect (SYN, SYN+ACK, ACK)"),
            "no event arrow: {svg}"
        );
        assert!(svg.contains("stroke=\"#c66\""), "RST in red");
        // Packets go from the client's lane to the server's (→) and back (←).
        assert!(svg.contains(&format!(
            "x1=\"{CLIENT_X}\" y1=\"{}\" x2=\"{SERVER_X}\"",
            TOP + ROW / 2
        )));
        assert!(svg.contains(&format!(
            "x1=\"{SERVER_X}\" y1=\"{}\" x2=\"{CLIENT_X}\"",
            TOP + ROW + ROW / 2
        )));
    }
}

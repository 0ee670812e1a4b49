//! Turning entries into text for people (timeline lines) and programs (JSON lines).
//!
//! The same words appear in `netlab serve`, the TUI timeline and the book, so they are made
//! here once: [`who`] names the object (`server`, `#1`, `#1.req2`), [`details`] says what the
//! event carried (`"hello\r\n" (7 B)`, `from 127.0.0.1:5000`, `ECONNRESET`), and [`Kind`]
//! groups events for colouring.

use super::{escape, Entry, Event, Scope};

/// A colour family for an event; viewers map it to a colour (or none, with NO_COLOR).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// listening, connection, connect, secureConnection, socket.
    Open,
    /// data, message, request and other incoming content.
    Incoming,
    /// end, finish, drain: stream state changes.
    Flow,
    /// close.
    Close,
    /// error, timeout, clientError, tlsClientError.
    Trouble,
    /// The program's own calls.
    Action,
}

impl Kind {
    /// The colour family of an event.
    pub fn of(event: &Event) -> Kind {
        if event.is_action() {
            return Kind::Action;
        }
        match event {
            Event::Segment { flags, .. } if flags.contains("RST") => Kind::Trouble,
            Event::Segment { flags, .. } if flags.contains("SYN") => Kind::Open,
            Event::Segment { flags, .. } if flags.contains("FIN") => Kind::Close,
            Event::WireDrops { .. } => Kind::Trouble,
            Event::Listening { .. }
            | Event::Connection { .. }
            | Event::Connect { .. }
            | Event::Socket { .. }
            | Event::SecureConnection { .. }
            | Event::SecureConnect { .. } => Kind::Open,
            Event::End | Event::Finish | Event::Drain | Event::Continue => Kind::Flow,
            Event::Close { .. } => Kind::Close,
            Event::Error { .. }
            | Event::Timeout
            | Event::Aborted
            | Event::ClientError { .. }
            | Event::TlsClientError { .. } => Kind::Trouble,
            _ => Kind::Incoming,
        }
    }

    /// ANSI SGR colour code for terminals.
    pub fn ansi(self) -> &'static str {
        match self {
            Kind::Open => "32",      // green
            Kind::Incoming => "36",  // cyan
            Kind::Flow => "33",      // yellow
            Kind::Close => "34",     // blue
            Kind::Trouble => "1;31", // bold red
            Kind::Action => "2",     // dim
        }
    }
}

/// The object's short name in a timeline: `server`, `#1`, `#1.req2`, `client#1`.
pub fn who(scope: &Scope) -> String {
    match *scope {
        Scope::Server => "server".into(),
        Scope::Conn { conn } => format!("#{conn}"),
        Scope::Request { conn, req } => format!("#{conn}.req{req}"),
        Scope::Response { conn, req } => format!("#{conn}.res{req}"),
        Scope::Client { conn } => format!("client#{conn}"),
        Scope::ClientRequest { req } => format!("creq#{req}"),
        Scope::Wire { conn: 0 } => "wire".into(),
        Scope::Wire { conn } => format!("wire#{conn}"),
    }
}

fn payload(text: &str, truncated: bool, bytes: u64) -> String {
    let head: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    let more = if truncated { "…" } else { "" };
    format!("\"{}\"{more} ({bytes} B)", escape(&head))
}

/// The event's name as shown: Node's event name, or the call for actions (`write(7) → true`).
pub fn label(event: &Event) -> String {
    match event {
        Event::Write {
            bytes, returned, ..
        } => format!("write({bytes}) → {returned}"),
        Event::Send { bytes, .. } => format!("send({bytes})"),
        Event::SetTimeout { ms } => format!("setTimeout({ms})"),
        Event::SetNoDelay { on } => format!("setNoDelay({on})"),
        Event::WriteHead { status, .. } => format!("writeHead({status})"),
        Event::Segment { flags, .. } => flags.clone(),
        Event::WireDrops { .. } => "dropped".into(),
        other => other.name().to_string(),
    }
}

/// What the event carried, in words.
pub fn details(event: &Event) -> String {
    match event {
        Event::Listening {
            address,
            port,
            transport,
        } => match port {
            Some(p) if address.contains(':') => format!("[{address}]:{p} ({transport})"),
            Some(p) => format!("{address}:{p} ({transport})"),
            None => format!("{address} ({transport})"),
        },
        Event::Connection { peer } => format!("from {peer}"),
        Event::Connect { peer } => peer.clone().map(|p| format!("to {p}")).unwrap_or_default(),
        Event::Data {
            bytes,
            text,
            truncated,
        }
        | Event::Write {
            bytes,
            text,
            truncated,
            ..
        } => payload(text, *truncated, *bytes),
        Event::Message {
            bytes,
            text,
            truncated,
            from,
        } => format!("{} from {from}", payload(text, *truncated, *bytes)),
        Event::Send {
            bytes,
            text,
            truncated,
            to,
        } => format!("{} to {to}", payload(text, *truncated, *bytes)),
        Event::Error { code, message } if message.is_empty() => code.clone(),
        Event::Error { code, message } => format!("{code} ({message})"),
        Event::Close { had_error: Some(h) } => format!("hadError={h}"),
        Event::Request {
            method,
            url,
            http_version,
            headers,
        } => format!(
            "{method} {url} HTTP/{http_version}{}",
            if headers.is_empty() {
                String::new()
            } else {
                format!(" ({} headers)", headers.len())
            }
        ),
        Event::CheckContinue {
            method,
            url,
            http_version,
            ..
        } => format!("{method} {url} HTTP/{http_version}"),
        Event::ConnectRequest { url, http_version } => format!("CONNECT {url} HTTP/{http_version}"),
        Event::Upgrade { url, protocol } => format!("{url} → {protocol}"),
        Event::ClientError { code, status: 0 } => format!("{code} (no answer)"),
        Event::ClientError { code, status } => format!("{code} → {status}"),
        Event::Response { status, reason } => format!("{status} {reason}"),
        Event::Socket { conn, reused } => {
            format!("#{conn}{}", if *reused { " (reused)" } else { "" })
        }
        Event::SecureConnection { protocol, cipher }
        | Event::SecureConnect { protocol, cipher } => {
            format!("{protocol} {cipher}")
        }
        Event::WriteHead {
            status,
            reason,
            headers,
        } => format!("{status} {reason} ({} headers)", headers.len()),
        Event::TlsClientError { code, message } => format!("{code} ({message})"),
        Event::EndCall { reason: Some(r) } | Event::Destroy { reason: Some(r) } => format!("({r})"),
        Event::Segment {
            flags,
            seq,
            ack,
            win,
            len,
            tls,
            ..
        } => {
            let mut s = format!("seq {seq}");
            if flags.contains("ACK") {
                s.push_str(&format!(" ack {ack}"));
            }
            s.push_str(&format!(" win {win}"));
            if *len > 0 {
                s.push_str(&format!(" len {len}"));
            }
            if let Some(t) = tls {
                s.push_str(&format!(" tls {t}"));
            }
            s
        }
        Event::Datagram { len, .. } => format!("{len} bytes"),
        Event::WireDrops { count } => format!("{count} packets (capture fell behind)"),
        _ => String::new(),
    }
}

/// One timeline line: `  12.345 ms  #1        data          "hello\r\n" (7 B)`.
///
/// With `color`, the event is coloured by [`Kind`] and actions are dimmed.
///
/// Wire entries read like tcpdump, with an arrow toward (`→`) or from (`←`) the server:
/// `    12.301 ms  wire#1    → SYN        seq 0 win 65495`.
pub fn line(entry: &Entry, color: bool) -> String {
    let kind = Kind::of(&entry.event);
    let label = label(&entry.event);
    let details = details(&entry.event);
    let body = match &entry.event {
        Event::Segment { dir, .. } | Event::Datagram { dir, .. } => {
            format!("{} {label:<10} {details}", dir.arrow())
        }
        Event::WireDrops { .. } => format!("! {label:<10} {details}"),
        _ => {
            let arrow = if kind == Kind::Action { "→ " } else { "  " };
            format!("{arrow}{label:<16} {details}")
        }
    };
    let body = body.trim_end();
    let t = format!("{:>10.3} ms", entry.t_ms);
    let who = format!("{:<9}", who(&entry.scope));
    format!(
        "{}  {who} {}",
        crate::term::paint("2", &t, color),
        crate::term::paint(kind.ansi(), body, color)
    )
}

/// One JSON line (no trailing newline), as `serve --json` prints it.
pub fn json(entry: &Entry) -> String {
    // Serialising our own plain data cannot fail.
    serde_json::to_string(entry).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// [`json`] written straight into `w`, with its newline: no `String` per line (the printer of
/// a busy server writes hundreds of thousands of lines a second).
pub fn json_to(w: &mut impl std::io::Write, entry: &Entry) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, entry)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_line_reads_like_the_docs() {
        let e = Entry {
            seq: 3,
            t_ms: 12.3456,
            scope: Scope::Conn { conn: 1 },
            event: Event::data(b"hello\r\n"),
        };
        assert_eq!(
            line(&e, false),
            "    12.346 ms  #1          data             \"hello\\r\\n\" (7 B)"
        );
        let j: serde_json::Value = serde_json::from_str(&json(&e)).unwrap();
        assert_eq!(j["event"], "data");
        assert_eq!(j["conn"], 1);
        assert_eq!(j["bytes"], 7);
        assert_eq!(j["text"], "hello\r\n");
        // and it reads back
        let back: Entry = serde_json::from_str(&json(&e)).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn server_events_have_no_conn() {
        let e = Entry {
            seq: 0,
            t_ms: 0.0,
            scope: Scope::Server,
            event: Event::Listening {
                address: "127.0.0.1".into(),
                port: Some(8124),
                transport: "tcp".into(),
            },
        };
        let j: serde_json::Value = serde_json::from_str(&json(&e)).unwrap();
        assert!(j.get("conn").is_none());
        assert_eq!(j["port"], 8124);
        assert_eq!(j["address"], "127.0.0.1");
        assert_eq!(j["event"], "listening");
    }

    fn seg(
        conn: u32,
        dir: crate::trace::WireDir,
        flags: &str,
        seq: u32,
        ack: u32,
        len: u32,
    ) -> Entry {
        Entry {
            seq: 9,
            t_ms: 1.5,
            scope: Scope::Wire { conn },
            event: Event::Segment {
                dir,
                flags: flags.into(),
                seq,
                ack,
                win: 65495,
                len,
                tls: None,
                peer: "127.0.0.1:51234".into(),
            },
        }
    }

    #[test]
    fn wire_lines_read_like_the_design_and_json_round_trips() {
        use crate::trace::WireDir::{In, Out};
        let syn = seg(1, In, "SYN", 0, 0, 0);
        assert_eq!(
            line(&syn, false),
            "     1.500 ms  wire#1    → SYN        seq 0 win 65495"
        );
        let data = seg(1, Out, "PSH-ACK", 1, 8, 7);
        assert_eq!(
            line(&data, false),
            "     1.500 ms  wire#1    ← PSH-ACK    seq 1 ack 8 win 65495 len 7"
        );
        assert!(line(&data, false).chars().count() <= 72);
        let j: serde_json::Value = serde_json::from_str(&json(&data)).unwrap();
        assert_eq!(j["event"], "segment");
        assert_eq!(j["scope"], "wire");
        assert_eq!(j["conn"], 1);
        assert_eq!(j["seq"], 9, "the entry's own seq is not the segment's");
        assert_eq!(j["tcp_seq"], 1);
        assert_eq!(j["tcp_ack"], 8);
        assert_eq!(j["dir"], "out");
        assert_eq!(serde_json::from_str::<Entry>(&json(&data)).unwrap(), data);
        let dg = Entry {
            seq: 0,
            t_ms: 2.0,
            scope: Scope::Wire { conn: 0 },
            event: Event::Datagram {
                dir: In,
                len: 5,
                peer: "127.0.0.1:5000".into(),
            },
        };
        assert_eq!(
            line(&dg, false),
            "     2.000 ms  wire      → datagram   5 bytes"
        );
        assert_eq!(serde_json::from_str::<Entry>(&json(&dg)).unwrap(), dg);
        let drops = Entry {
            seq: 0,
            t_ms: 2.0,
            scope: Scope::Wire { conn: 0 },
            event: Event::WireDrops { count: 3 },
        };
        assert_eq!(serde_json::from_str::<Entry>(&json(&drops)).unwrap(), drops);
        assert!(line(&drops, false).contains("dropped    3 packets"));
    }
}

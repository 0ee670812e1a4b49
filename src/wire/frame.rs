//! Frame parsing for the wire view: Ethernet → IPv4/IPv6 → TCP/UDP, and the per-connection
//! state that turns raw headers into the lane's words (relative seq/ack, scaled windows,
//! connection numbers, TLS record types).
//!
//! Frames come from a loopback interface: a 14-byte Ethernet header with zero MACs, then IP.
//! IPv4 honours IHL (options are skipped); IPv6 is read without extension headers — loopback
//! TCP and UDP never carry any, and a packet whose next header is not TCP or UDP is skipped.
//! Anything truncated, malformed or of another protocol (ARP, ICMP, fragments after the
//! first) is skipped: [`parse`] returns `None`, it never panics.

use crate::trace::{Event, Scope, WireDir};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Ethernet header length (loopback uses a real, all-zero Ethernet header).
pub const ETH_LEN: usize = 14;
/// Connections tracked at once; past this, closed ones are forgotten first, then the least
/// recently seen. Bounds the capture's memory whatever the traffic.
pub const MAX_FLOWS: usize = 4096;

/// TCP flag bits (RFC 9293).
pub mod flags {
    /// No more data from the sender.
    pub const FIN: u8 = 0x01;
    /// Synchronise sequence numbers.
    pub const SYN: u8 = 0x02;
    /// Reset the connection.
    pub const RST: u8 = 0x04;
    /// Push.
    pub const PSH: u8 = 0x08;
    /// The acknowledgement field is valid.
    pub const ACK: u8 = 0x10;
    /// Urgent pointer valid.
    pub const URG: u8 = 0x20;
    /// ECN echo.
    pub const ECE: u8 = 0x40;
    /// Congestion window reduced.
    pub const CWR: u8 = 0x80;
}

/// A TCP header's fields the lane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tcp {
    /// Flag bits ([`flags`]).
    pub flags: u8,
    /// Absolute sequence number.
    pub seq: u32,
    /// Absolute acknowledgement number.
    pub ack: u32,
    /// The raw (unscaled) window field.
    pub window: u16,
    /// Window scale option (SYNs only).
    pub wscale: Option<u8>,
    /// MSS option (SYNs only).
    pub mss: Option<u16>,
}

/// The transport part of a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// A TCP segment.
    Tcp(Tcp),
    /// A UDP datagram.
    Udp,
}

/// One parsed frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    /// Source address and port.
    pub src: SocketAddr,
    /// Destination address and port.
    pub dst: SocketAddr,
    /// TCP or UDP header fields.
    pub transport: Transport,
    /// Payload length on the wire (from the IP/UDP lengths, not the truncated capture).
    pub len: u32,
    /// The captured leading payload bytes (may be shorter than `len`: snap length).
    pub head: &'a [u8],
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Parse one captured frame. `orig_len` is the frame's length on the wire (the capture may
/// hold fewer bytes); it stands in for an IPv4 total length of 0 (a GSO packet over 64 KiB).
/// `None` for anything that is not a well-formed TCP or UDP packet over IPv4/IPv6.
pub fn parse(frame: &[u8], orig_len: usize) -> Option<Packet<'_>> {
    let ethertype = be16(frame, 12)?;
    let ip = frame.get(ETH_LEN..)?;
    let wire_ip_len = orig_len.saturating_sub(ETH_LEN);
    let (src, dst, proto, l4, l4_len) = match ethertype {
        0x0800 => {
            let b0 = *ip.first()?;
            if b0 >> 4 != 4 {
                return None;
            }
            let ihl = usize::from(b0 & 0x0f) * 4;
            if ihl < 20 || ip.len() < ihl {
                return None;
            }
            // Fragments after the first carry no transport header.
            let frag = be16(ip, 6)?;
            if frag & 0x1fff != 0 {
                return None;
            }
            let total = match usize::from(be16(ip, 2)?) {
                0 => wire_ip_len,
                n => n,
            };
            let src = IpAddr::V4(Ipv4Addr::from(be32(ip, 12)?));
            let dst = IpAddr::V4(Ipv4Addr::from(be32(ip, 16)?));
            (src, dst, ip[9], &ip[ihl..], total.checked_sub(ihl)?)
        }
        0x86dd => {
            if ip.len() < 40 || ip[0] >> 4 != 6 {
                return None;
            }
            let payload = usize::from(be16(ip, 4)?);
            let payload = if payload == 0 {
                wire_ip_len.saturating_sub(40)
            } else {
                payload
            };
            let src: [u8; 16] = ip[8..24].try_into().ok()?;
            let dst: [u8; 16] = ip[24..40].try_into().ok()?;
            let src = IpAddr::V6(Ipv6Addr::from(src));
            let dst = IpAddr::V6(Ipv6Addr::from(dst));
            (src, dst, ip[6], &ip[40..], payload)
        }
        _ => return None,
    };
    match proto {
        6 => {
            let doff = usize::from(*l4.get(12)? >> 4) * 4;
            if doff < 20 || l4.len() < doff {
                return None;
            }
            let flags = l4[13];
            let mut tcp = Tcp {
                flags,
                seq: be32(l4, 4)?,
                ack: be32(l4, 8)?,
                window: be16(l4, 14)?,
                wscale: None,
                mss: None,
            };
            parse_options(&l4[20..doff], &mut tcp);
            Some(Packet {
                src: SocketAddr::new(src, be16(l4, 0)?),
                dst: SocketAddr::new(dst, be16(l4, 2)?),
                transport: Transport::Tcp(tcp),
                len: u32::try_from(l4_len.checked_sub(doff)?).ok()?,
                head: &l4[doff..],
            })
        }
        17 => {
            if l4.len() < 8 {
                return None;
            }
            let udp_len = usize::from(be16(l4, 4)?);
            // UDP length 0 (jumbograms) or inconsistent: fall back to the IP length.
            let len = if udp_len >= 8 { udp_len } else { l4_len };
            Some(Packet {
                src: SocketAddr::new(src, be16(l4, 0)?),
                dst: SocketAddr::new(dst, be16(l4, 2)?),
                transport: Transport::Udp,
                len: u32::try_from(len.checked_sub(8)?).ok()?,
                head: &l4[8..],
            })
        }
        _ => None,
    }
}

/// Read the window scale and MSS options; stops at the first malformed option.
fn parse_options(mut opts: &[u8], tcp: &mut Tcp) {
    while let Some(&kind) = opts.first() {
        match kind {
            0 => return,
            1 => opts = &opts[1..],
            _ => {
                let Some(&len) = opts.get(1) else { return };
                let len = usize::from(len);
                if len < 2 || opts.len() < len {
                    return;
                }
                match (kind, len) {
                    (2, 4) => tcp.mss = be16(opts, 2),
                    (3, 3) => tcp.wscale = Some(opts[2].min(14)),
                    _ => {}
                }
                opts = &opts[len..];
            }
        }
    }
}

/// Flag names as tcpdump users say them: `SYN`, `SYN-ACK`, `PSH-ACK`, `FIN-ACK`, `RST`…
pub fn flag_names(f: u8) -> String {
    use flags::*;
    // The usual ones without building a list (this runs once per captured segment).
    let common = match f {
        x if x == ACK => "ACK",
        x if x == PSH | ACK => "PSH-ACK",
        x if x == SYN => "SYN",
        x if x == SYN | ACK => "SYN-ACK",
        x if x == FIN | ACK => "FIN-ACK",
        x if x == RST => "RST",
        x if x == RST | ACK => "RST-ACK",
        _ => "",
    };
    if !common.is_empty() {
        return common.to_string();
    }
    let names = [
        (SYN, "SYN"),
        (FIN, "FIN"),
        (RST, "RST"),
        (PSH, "PSH"),
        (URG, "URG"),
        (ACK, "ACK"),
        (ECE, "ECE"),
        (CWR, "CWR"),
    ];
    let parts: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| f & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join("-")
    }
}

/// The TLS record type of a payload that starts with a record header (`handshake
/// ClientHello`, `change_cipher_spec`, `alert`, `application_data`), else `None`.
pub fn tls_record(head: &[u8]) -> Option<String> {
    let (&typ, rest) = head.split_first()?;
    // Version 3.x (SSL 3 .. TLS 1.3's legacy 3.3).
    if rest.first() != Some(&3) || rest.get(1).is_none_or(|&minor| minor > 4) {
        return None;
    }
    Some(match typ {
        20 => "change_cipher_spec".into(),
        21 => "alert".into(),
        22 => match head.get(5) {
            Some(&m) => format!("handshake {}", handshake_name(m)),
            None => "handshake".into(),
        },
        23 => "application_data".into(),
        _ => return None,
    })
}

fn handshake_name(m: u8) -> String {
    match m {
        0 => "HelloRequest".into(),
        1 => "ClientHello".into(),
        2 => "ServerHello".into(),
        4 => "NewSessionTicket".into(),
        5 => "EndOfEarlyData".into(),
        8 => "EncryptedExtensions".into(),
        11 => "Certificate".into(),
        12 => "ServerKeyExchange".into(),
        13 => "CertificateRequest".into(),
        14 => "ServerHelloDone".into(),
        15 => "CertificateVerify".into(),
        16 => "ClientKeyExchange".into(),
        20 => "Finished".into(),
        24 => "KeyUpdate".into(),
        other => format!("type{other}"),
    }
}

/// One TCP connection's numbering state.
#[derive(Clone, Debug)]
struct Flow {
    /// The lane's connection number (0: its SYN was not seen).
    conn: u32,
    /// Initial sequence numbers of the client and the server (bases for relative numbers).
    isn_client: Option<u32>,
    isn_server: Option<u32>,
    /// Window scale each side announced in its SYN.
    wscale_client: Option<u8>,
    wscale_server: Option<u8>,
    /// A FIN each way or a RST was seen: first to be forgotten when the table is full.
    fin_client: bool,
    fin_server: bool,
    reset: bool,
    /// When last seen (a packet counter), for evicting the least recently seen.
    last: u64,
    /// The client's address as the lane shows it, formatted once.
    peer: String,
}

impl Flow {
    fn closed(&self) -> bool {
        self.reset || (self.fin_client && self.fin_server)
    }
}

/// Turns parsed packets into wire entries: decides which end is the server, numbers TCP
/// connections in SYN order, keeps each side's ISN and window scale. Bounded to
/// [`MAX_FLOWS`] connections.
#[derive(Debug, Default)]
pub struct Tracker {
    /// The server side's ports: a packet to one of them goes `in`.
    ports: Vec<u16>,
    /// Look for TLS record headers in payloads.
    tls: bool,
    /// (client, server) → state.
    flows: HashMap<(SocketAddr, SocketAddr), Flow>,
    /// Connections numbered so far.
    conns: u32,
    /// Packets seen (the clock for least-recently-seen eviction).
    tick: u64,
}

impl Tracker {
    /// A tracker for a server on `ports`; `tls` names TLS records.
    pub fn new(ports: Vec<u16>, tls: bool) -> Tracker {
        Tracker {
            ports,
            tls,
            ..Tracker::default()
        }
    }

    /// Change the server's ports (a scenario bound after the capture started).
    pub fn set_ports(&mut self, ports: Vec<u16>) {
        self.ports = ports;
    }

    /// The server's ports.
    pub fn ports(&self) -> &[u16] {
        &self.ports
    }

    /// True when the packet is to or from one of the server's ports.
    pub fn matches(&self, p: &Packet<'_>) -> bool {
        self.ports.contains(&p.src.port()) || self.ports.contains(&p.dst.port())
    }

    /// Which way `p` goes: toward a server port is `in`; from one is `out`; otherwise the
    /// lower port is taken to be the server's (well-known and listening ports usually are).
    fn dir_of(&self, p: &Packet<'_>) -> WireDir {
        if self.ports.contains(&p.dst.port()) {
            WireDir::In
        } else if self.ports.contains(&p.src.port()) {
            WireDir::Out
        } else if p.dst.port() <= p.src.port() {
            WireDir::In
        } else {
            WireDir::Out
        }
    }

    /// The lane's entry for one packet.
    pub fn entry(&mut self, p: &Packet<'_>) -> (Scope, Event) {
        self.tick += 1;
        let tcp = match p.transport {
            Transport::Udp => {
                let dir = self.dir_of(p);
                let peer = if dir == WireDir::In { p.src } else { p.dst };
                let event = Event::Datagram {
                    dir,
                    len: p.len,
                    peer: peer.to_string(),
                };
                return (Scope::Wire { conn: 0 }, event);
            }
            Transport::Tcp(t) => t,
        };
        use flags::*;
        let syn_only = tcp.flags & (SYN | ACK) == SYN;
        let syn_ack = tcp.flags & (SYN | ACK) == SYN | ACK;
        // A SYN decides who is the server: the end it was sent to.
        let dir = if syn_only {
            WireDir::In
        } else if syn_ack {
            WireDir::Out
        } else if self.flows.contains_key(&(p.src, p.dst)) {
            WireDir::In
        } else if self.flows.contains_key(&(p.dst, p.src)) {
            WireDir::Out
        } else {
            self.dir_of(p)
        };
        let key = match dir {
            WireDir::In => (p.src, p.dst),
            WireDir::Out => (p.dst, p.src),
        };
        let new_syn = syn_only
            && self
                .flows
                .get(&key)
                .is_none_or(|f| f.isn_client != Some(tcp.seq));
        if new_syn {
            self.make_room();
            self.conns += 1;
            self.flows.insert(
                key,
                Flow {
                    conn: self.conns,
                    isn_client: Some(tcp.seq),
                    isn_server: None,
                    wscale_client: tcp.wscale,
                    wscale_server: None,
                    fin_client: false,
                    fin_server: false,
                    reset: false,
                    last: self.tick,
                    peer: key.0.to_string(),
                },
            );
        } else if !self.flows.contains_key(&key) {
            // Mid-stream (its SYN was not seen): numbers relative to the first segment seen.
            self.make_room();
            let (isn_c, isn_s) = match dir {
                WireDir::In => (tcp.seq, tcp.ack),
                WireDir::Out => (tcp.ack, tcp.seq),
            };
            let base = |isn: u32| Some(isn.wrapping_sub(1));
            self.flows.insert(
                key,
                Flow {
                    conn: 0,
                    isn_client: base(isn_c),
                    isn_server: if syn_ack { Some(tcp.seq) } else { base(isn_s) },
                    wscale_client: None,
                    wscale_server: None,
                    fin_client: false,
                    fin_server: false,
                    reset: false,
                    last: self.tick,
                    peer: key.0.to_string(),
                },
            );
        }
        let tick = self.tick;
        let Some(flow) = self.flows.get_mut(&key) else {
            // Unreachable: the flow was just inserted; say nothing rather than panic.
            return (Scope::Wire { conn: 0 }, Event::WireDrops { count: 0 });
        };
        flow.last = tick;
        if syn_ack {
            flow.isn_server = Some(tcp.seq);
            flow.wscale_server = tcp.wscale;
        }
        if tcp.flags & RST != 0 {
            flow.reset = true;
        }
        if tcp.flags & FIN != 0 {
            match dir {
                WireDir::In => flow.fin_client = true,
                WireDir::Out => flow.fin_server = true,
            }
        }
        let (own, other) = match dir {
            WireDir::In => (flow.isn_client, flow.isn_server),
            WireDir::Out => (flow.isn_server, flow.isn_client),
        };
        let rel = |n: u32, base: Option<u32>| base.map_or(0, |b| n.wrapping_sub(b));
        let seq = rel(tcp.seq, own);
        let ack = if tcp.flags & ACK != 0 {
            rel(tcp.ack, other)
        } else {
            0
        };
        // Windows scale only when both SYNs carried the option, and never on a SYN.
        let shift = match (flow.wscale_client, flow.wscale_server) {
            (Some(c), Some(s)) if tcp.flags & SYN == 0 => match dir {
                WireDir::In => c,
                WireDir::Out => s,
            },
            _ => 0,
        };
        let win = u32::from(tcp.window) << shift;
        let tls = if self.tls && p.len > 0 {
            tls_record(p.head)
        } else {
            None
        };
        let event = Event::Segment {
            dir,
            flags: flag_names(tcp.flags),
            seq,
            ack,
            win,
            len: p.len,
            tls,
            peer: flow.peer.clone(),
        };
        (Scope::Wire { conn: flow.conn }, event)
    }

    /// Keep the table under [`MAX_FLOWS`]: forget closed connections, then the least
    /// recently seen one.
    fn make_room(&mut self) {
        if self.flows.len() < MAX_FLOWS {
            return;
        }
        self.flows.retain(|_, f| !f.closed());
        if self.flows.len() >= MAX_FLOWS {
            if let Some(oldest) = self
                .flows
                .iter()
                .min_by_key(|(_, f)| f.last)
                .map(|(k, _)| *k)
            {
                self.flows.remove(&oldest);
            }
        }
    }

    /// Connections tracked now (at most [`MAX_FLOWS`]).
    pub fn tracked(&self) -> usize {
        self.flows.len()
    }
}

/// Hand-built frames for tests (here and in `tests/`): the bytes a loopback capture holds.
pub mod build {
    use std::net::{IpAddr, SocketAddr};

    /// A TCP segment's fields for [`tcp_frame`].
    #[derive(Clone, Debug, Default)]
    pub struct Seg {
        /// Flag bits.
        pub flags: u8,
        /// Absolute sequence number.
        pub seq: u32,
        /// Absolute acknowledgement number.
        pub ack: u32,
        /// Raw window field.
        pub window: u16,
        /// TCP options, already encoded (padded to 4 bytes by [`tcp_frame`]).
        pub options: Vec<u8>,
        /// Payload.
        pub payload: Vec<u8>,
    }

    fn ip_header(src: IpAddr, dst: IpAddr, proto: u8, l4_len: usize) -> (u16, Vec<u8>) {
        match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                let mut h = vec![0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, proto, 0, 0];
                h[2..4].copy_from_slice(&((20 + l4_len) as u16).to_be_bytes());
                h.extend_from_slice(&s.octets());
                h.extend_from_slice(&d.octets());
                (0x0800, h)
            }
            (s, d) => {
                let to6 = |a: IpAddr| match a {
                    IpAddr::V6(a) => a,
                    IpAddr::V4(a) => a.to_ipv6_mapped(),
                };
                let mut h = vec![0x60, 0, 0, 0, 0, 0, proto, 64];
                h[4..6].copy_from_slice(&(l4_len as u16).to_be_bytes());
                h.extend_from_slice(&to6(s).octets());
                h.extend_from_slice(&to6(d).octets());
                (0x86dd, h)
            }
        }
    }

    fn ethernet(ethertype: u16) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&ethertype.to_be_bytes());
        f
    }

    /// A whole Ethernet frame holding a TCP segment from `src` to `dst`.
    pub fn tcp_frame(src: SocketAddr, dst: SocketAddr, seg: &Seg) -> Vec<u8> {
        let mut opts = seg.options.clone();
        while opts.len() % 4 != 0 {
            opts.push(1);
        }
        let doff = 20 + opts.len();
        let mut tcp = Vec::with_capacity(doff + seg.payload.len());
        tcp.extend_from_slice(&src.port().to_be_bytes());
        tcp.extend_from_slice(&dst.port().to_be_bytes());
        tcp.extend_from_slice(&seg.seq.to_be_bytes());
        tcp.extend_from_slice(&seg.ack.to_be_bytes());
        tcp.push(((doff / 4) as u8) << 4);
        tcp.push(seg.flags);
        tcp.extend_from_slice(&seg.window.to_be_bytes());
        tcp.extend_from_slice(&[0, 0, 0, 0]);
        tcp.extend_from_slice(&opts);
        tcp.extend_from_slice(&seg.payload);
        let (et, ip) = ip_header(src.ip(), dst.ip(), 6, tcp.len());
        let mut f = ethernet(et);
        f.extend_from_slice(&ip);
        f.extend_from_slice(&tcp);
        f
    }

    /// A whole Ethernet frame holding a UDP datagram.
    pub fn udp_frame(src: SocketAddr, dst: SocketAddr, payload: &[u8]) -> Vec<u8> {
        let mut udp = Vec::new();
        udp.extend_from_slice(&src.port().to_be_bytes());
        udp.extend_from_slice(&dst.port().to_be_bytes());
        udp.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
        udp.extend_from_slice(&[0, 0]);
        udp.extend_from_slice(payload);
        let (et, ip) = ip_header(src.ip(), dst.ip(), 17, udp.len());
        let mut f = ethernet(et);
        f.extend_from_slice(&ip);
        f.extend_from_slice(&udp);
        f
    }

    /// SYN options as Linux sends them: MSS, SACK permitted, timestamps, NOP, window scale.
    pub fn syn_options(mss: u16, wscale: u8) -> Vec<u8> {
        let mut o = vec![2, 4];
        o.extend_from_slice(&mss.to_be_bytes());
        o.extend_from_slice(&[4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, wscale]);
        o
    }
}

#[cfg(test)]
mod tests {
    use super::build::{syn_options, tcp_frame, udp_frame, Seg};
    use super::flags::*;
    use super::*;
    use proptest::prelude::*;

    const C: &str = "127.0.0.1:51234";
    const S: &str = "127.0.0.1:8124";

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn seg(flags: u8, seq: u32, ack: u32, window: u16) -> Seg {
        Seg {
            flags,
            seq,
            ack,
            window,
            ..Seg::default()
        }
    }

    /// The lane's words for a frame: `wire#1 → SYN seq 0 ack 0 win 65495 len 0`.
    fn words(t: &mut Tracker, frame: &[u8]) -> String {
        let p = parse(frame, frame.len()).expect("parses");
        let (scope, ev) = t.entry(&p);
        match ev {
            Event::Segment {
                dir,
                flags,
                seq,
                ack,
                win,
                len,
                tls,
                ..
            } => format!(
                "{} {} {flags} seq {seq} ack {ack} win {win} len {len}{}",
                crate::trace::render::who(&scope),
                dir.arrow(),
                tls.map(|t| format!(" tls {t}")).unwrap_or_default()
            ),
            Event::Datagram { dir, len, peer } => format!(
                "{} {} datagram {len} peer {peer}",
                crate::trace::render::who(&scope),
                dir.arrow()
            ),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn flag_names_are_tcpdump_words_for_every_combination() {
        assert_eq!(flag_names(SYN | ACK), "SYN-ACK");
        assert_eq!(flag_names(FIN | PSH | ACK), "FIN-PSH-ACK");
        assert_eq!(flag_names(SYN | ECE | CWR), "SYN-ECE-CWR");
        assert_eq!(flag_names(0), "none");
        for f in 0..=255u8 {
            // The fast path and the general one agree.
            let slow: Vec<&str> = [
                (SYN, "SYN"),
                (FIN, "FIN"),
                (RST, "RST"),
                (PSH, "PSH"),
                (URG, "URG"),
                (ACK, "ACK"),
                (ECE, "ECE"),
                (CWR, "CWR"),
            ]
            .iter()
            .filter(|(b, _)| f & b != 0)
            .map(|(_, n)| *n)
            .collect();
            let want = if slow.is_empty() {
                "none".to_string()
            } else {
                slow.join("-")
            };
            assert_eq!(flag_names(f), want, "flags {f:#04x}");
        }
    }

    #[test]
    fn syn_options_give_mss_and_window_scale() {
        let mut s = seg(SYN, 1000, 0, 65495);
        s.options = syn_options(65483, 7);
        let f = tcp_frame(sa(C), sa(S), &s);
        let p = parse(&f, f.len()).unwrap();
        let Transport::Tcp(t) = p.transport else {
            panic!("tcp expected")
        };
        assert_eq!(t.mss, Some(65483));
        assert_eq!(t.wscale, Some(7));
        assert_eq!(t.flags, SYN);
        assert_eq!(p.len, 0);
        assert_eq!((p.src, p.dst), (sa(C), sa(S)));
        assert_eq!(flag_names(t.flags), "SYN");
    }

    #[test]
    fn a_whole_connection_reads_with_relative_numbers_and_scaled_windows() {
        let mut t = Tracker::new(vec![8124], false);
        let (c, s) = (sa(C), sa(S));
        let (ic, is) = (4_000_000_000u32, 77u32); // the client's ISN wraps around 2^32
        let mut syn = seg(SYN, ic, 0, 65495);
        syn.options = syn_options(65483, 7);
        let mut synack = seg(SYN | ACK, is, ic.wrapping_add(1), 65483);
        synack.options = syn_options(65483, 7);
        let mut data = seg(PSH | ACK, ic.wrapping_add(1), is + 1, 512);
        data.payload = b"hello\r\n".to_vec();
        let mut echo = seg(PSH | ACK, is + 1, ic.wrapping_add(8), 512);
        echo.payload = b"hello\r\n".to_vec();
        let got: Vec<String> = [
            tcp_frame(c, s, &syn),
            tcp_frame(s, c, &synack),
            tcp_frame(c, s, &seg(ACK, ic.wrapping_add(1), is + 1, 512)),
            tcp_frame(c, s, &data),
            tcp_frame(s, c, &echo),
            tcp_frame(c, s, &seg(FIN | ACK, ic.wrapping_add(8), is + 8, 512)),
            tcp_frame(s, c, &seg(FIN | ACK, is + 8, ic.wrapping_add(9), 512)),
            tcp_frame(c, s, &seg(ACK, ic.wrapping_add(9), is + 9, 512)),
        ]
        .iter()
        .map(|f| words(&mut t, f))
        .collect();
        assert_eq!(
            got,
            [
                "wire#1 → SYN seq 0 ack 0 win 65495 len 0",
                "wire#1 ← SYN-ACK seq 0 ack 1 win 65483 len 0",
                "wire#1 → ACK seq 1 ack 1 win 65536 len 0",
                "wire#1 → PSH-ACK seq 1 ack 1 win 65536 len 7",
                "wire#1 ← PSH-ACK seq 1 ack 8 win 65536 len 7",
                "wire#1 → FIN-ACK seq 8 ack 8 win 65536 len 0",
                "wire#1 ← FIN-ACK seq 8 ack 9 win 65536 len 0",
                "wire#1 → ACK seq 9 ack 9 win 65536 len 0",
            ]
        );
    }

    #[test]
    fn connections_are_numbered_in_syn_order_and_rst_is_named() {
        let mut t = Tracker::new(vec![8124], false);
        let s = sa(S);
        let a = sa("127.0.0.1:40000");
        let b = sa("127.0.0.1:40001");
        assert!(words(&mut t, &tcp_frame(a, s, &seg(SYN, 5, 0, 100))).starts_with("wire#1 → SYN"));
        assert!(words(&mut t, &tcp_frame(b, s, &seg(SYN, 9, 0, 100))).starts_with("wire#2 → SYN"));
        // The server refuses b: RST-ACK from the server, on connection 2.
        assert_eq!(
            words(&mut t, &tcp_frame(s, b, &seg(RST | ACK, 0, 10, 0))),
            "wire#2 ← RST-ACK seq 0 ack 1 win 0 len 0"
        );
        // a resets: a bare RST toward the server on connection 1.
        let w = words(&mut t, &tcp_frame(a, s, &seg(RST, 6, 0, 0)));
        assert_eq!(w, "wire#1 → RST seq 1 ack 0 win 0 len 0");
        // A new SYN on a's 4-tuple (port reuse) is a new connection.
        assert!(words(&mut t, &tcp_frame(a, s, &seg(SYN, 500, 0, 100))).starts_with("wire#3"));
        // A segment of a connection whose SYN was not seen: connection 0, still relative.
        let c = sa("127.0.0.1:40002");
        assert_eq!(
            words(&mut t, &tcp_frame(c, s, &seg(ACK, 1000, 2000, 10))),
            "wire → ACK seq 1 ack 1 win 10 len 0"
        );
    }

    #[test]
    fn ipv6_and_udp_parse() {
        let mut t = Tracker::new(vec![41234], false);
        let c6 = sa("[::1]:5555");
        let s6 = sa("[::1]:41234");
        let mut syn = seg(SYN, 1, 0, 65476);
        syn.options = syn_options(65476, 7);
        let f = tcp_frame(c6, s6, &syn);
        assert_eq!(
            words(&mut t, &f),
            "wire#1 → SYN seq 0 ack 0 win 65476 len 0"
        );
        let u = udp_frame(sa("127.0.0.1:6000"), sa("127.0.0.1:41234"), b"ping\n");
        assert_eq!(words(&mut t, &u), "wire → datagram 5 peer 127.0.0.1:6000");
        let u6 = udp_frame(s6, c6, b"pong");
        assert_eq!(words(&mut t, &u6), "wire ← datagram 4 peer [::1]:5555");
    }

    #[test]
    fn payload_length_comes_from_the_ip_header_not_the_capture() {
        let mut d = seg(PSH | ACK, 1, 1, 10);
        d.payload = vec![b'x'; 1000];
        let f = tcp_frame(sa(C), sa(S), &d);
        let cut = &f[..200];
        let p = parse(cut, f.len()).unwrap();
        assert_eq!(p.len, 1000);
        assert_eq!(p.head.len(), 200 - 14 - 20 - 20);
    }

    #[test]
    fn tls_records_are_named() {
        let mut t = Tracker::new(vec![8443], true);
        let (c, s) = (sa(C), sa("127.0.0.1:8443"));
        t.entry(&parse(&tcp_frame(c, s, &seg(SYN, 1, 0, 10)), 100).unwrap());
        let mut hello = seg(PSH | ACK, 2, 0, 10);
        hello.payload = vec![22, 3, 1, 0, 200, 1, 0, 0, 196];
        assert!(words(&mut t, &tcp_frame(c, s, &hello)).ends_with("tls handshake ClientHello"));
        let mut app = seg(PSH | ACK, 11, 0, 10);
        app.payload = vec![23, 3, 3, 0, 30, 0xaa];
        assert!(words(&mut t, &tcp_frame(c, s, &app)).ends_with("tls application_data"));
        let mut alert = seg(PSH | ACK, 17, 0, 10);
        alert.payload = vec![21, 3, 3, 0, 2, 1, 0];
        assert!(words(&mut t, &tcp_frame(c, s, &alert)).ends_with("tls alert"));
        let mut plain = seg(PSH | ACK, 24, 0, 10);
        plain.payload = b"GET / HTTP/1.1\r\n".to_vec();
        assert!(words(&mut t, &tcp_frame(c, s, &plain)).ends_with("len 16"));
        assert_eq!(
            tls_record(&[20, 3, 3, 0, 1, 1]).as_deref(),
            Some("change_cipher_spec")
        );
        assert_eq!(
            tls_record(&[22, 3, 3, 0, 1, 2]).as_deref(),
            Some("handshake ServerHello")
        );
        assert_eq!(tls_record(&[22, 3]), None);
    }

    #[test]
    fn truncated_and_garbage_frames_are_skipped() {
        let mut s = seg(SYN, 1, 0, 10);
        s.options = syn_options(1460, 7);
        let f = tcp_frame(sa(C), sa(S), &s);
        for n in 0..f.len() {
            // Every prefix shorter than the TCP header (options included) is skipped.
            assert!(parse(&f[..n], f.len()).is_none(), "prefix of {n} bytes");
        }
        assert!(parse(&f, f.len()).is_some());
        // ARP, an IPv4 header with IHL 3, a later fragment, ICMP, a bad data offset.
        let mut arp = f.clone();
        arp[12..14].copy_from_slice(&0x0806u16.to_be_bytes());
        assert!(parse(&arp, arp.len()).is_none());
        let mut ihl = f.clone();
        ihl[14] = 0x43;
        assert!(parse(&ihl, ihl.len()).is_none());
        let mut frag = f.clone();
        frag[14 + 6] = 0x00;
        frag[14 + 7] = 0x10;
        assert!(parse(&frag, frag.len()).is_none());
        let mut icmp = f.clone();
        icmp[14 + 9] = 1;
        assert!(parse(&icmp, icmp.len()).is_none());
        let mut doff = f.clone();
        doff[14 + 20 + 12] = 0x10; // 4 bytes: shorter than a TCP header
        assert!(parse(&doff, doff.len()).is_none());
        // An IP total length shorter than its headers.
        let mut short = f.clone();
        short[16..18].copy_from_slice(&30u16.to_be_bytes());
        assert!(parse(&short, short.len()).is_none());
        // A malformed option (length 0) stops the option walk, not the parse.
        let mut bad_opt = seg(SYN, 1, 0, 10);
        bad_opt.options = vec![3, 0, 7, 0];
        let g = tcp_frame(sa(C), sa(S), &bad_opt);
        let Some(Packet {
            transport: Transport::Tcp(tcp),
            ..
        }) = parse(&g, g.len())
        else {
            panic!("still a segment")
        };
        assert_eq!(tcp.wscale, None);
    }

    #[test]
    fn the_flow_table_is_bounded() {
        let mut t = Tracker::new(vec![8124], false);
        let s = sa(S);
        for i in 0..(MAX_FLOWS as u32 + 500) {
            let c = SocketAddr::new(sa(C).ip(), 1024 + (i % 60000) as u16);
            let c = if i >= 60000 { sa("127.0.0.2:1") } else { c };
            t.entry(&parse(&tcp_frame(c, s, &seg(SYN, i, 0, 10)), 100).unwrap());
        }
        assert!(t.tracked() <= MAX_FLOWS);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Random edits of a valid frame, and random bytes: never a panic.
        #[test]
        fn never_panics(edits in crate::fuzzing::edits(12), noise in proptest::collection::vec(any::<u8>(), 0..120), orig in 0usize..70000) {
            let mut s = seg(SYN | ACK, 1, 2, 10);
            s.options = syn_options(1460, 14);
            s.payload = vec![22, 3, 3, 0, 5, 2];
            let f = tcp_frame(sa(C), sa(S), &s);
            let mut t = Tracker::new(vec![8124], true);
            for data in [crate::fuzzing::mutate(&f, &edits), noise] {
                if let Some(p) = parse(&data, orig) {
                    let _ = t.entry(&p);
                }
            }
            let u = crate::fuzzing::mutate(&udp_frame(sa(C), sa(S), b"x"), &edits);
            if let Some(p) = parse(&u, orig) {
                let _ = t.entry(&p);
            }
        }
    }
}

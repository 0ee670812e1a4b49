//! Failure reports that cite the wire: when a check fails and the run's packets explain why
//! (an RST instead of a FIN, a message split over several segments, no SYN at all, a FIN that
//! left only when netlab stopped the client), one sentence saying so is added to the check's
//! message. The packets never change a grade: they only explain one.
//!
//! The packets come from the run's [`WireLane`](crate::lab::run::WireLane), captured on the
//! loopback of the run's own network namespace; without one there is nothing to cite and
//! nothing is added.

use super::Ctx;
use crate::lab::model::CheckKind;
use crate::trace::{Event, Scope, WireDir};
use std::collections::BTreeMap;

/// One TCP segment of the run, reduced to what the sentences need.
struct Seg<'a> {
    t_ms: f64,
    dir: WireDir,
    flags: &'a str,
    len: u32,
}

/// The run's segments per connection (`wire#N`), and how many datagrams went each way.
#[derive(Default)]
struct Packets<'a> {
    conns: BTreeMap<u32, Vec<Seg<'a>>>,
    datagrams_in: usize,
    any: bool,
}

fn packets<'a>(ctx: &'a Ctx) -> Option<Packets<'a>> {
    let wire = &ctx.run.wire;
    if wire.unavailable.is_some() || wire.drops > 0 {
        // No capture, or an incomplete one: citing it could mislead.
        return None;
    }
    let mut p = Packets::default();
    for e in &wire.entries {
        let Scope::Wire { conn } = e.scope else {
            continue;
        };
        match &e.event {
            Event::Segment {
                dir, flags, len, ..
            } => {
                p.any = true;
                p.conns.entry(conn).or_default().push(Seg {
                    t_ms: e.t_ms,
                    dir: *dir,
                    flags,
                    len: *len,
                });
            }
            Event::Datagram { dir, .. } => {
                p.any = true;
                if *dir == WireDir::In {
                    p.datagrams_in += 1;
                }
            }
            _ => {}
        }
    }
    Some(p)
}

fn is_rst(flags: &str) -> bool {
    flags.starts_with("RST")
}

fn is_fin(flags: &str) -> bool {
    flags.split('-').any(|f| f == "FIN")
}

fn lens(segs: &[&Seg]) -> String {
    segs.iter()
        .map(|s| s.len.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A sentence about the packets that explains why `kind` failed, if they do.
pub fn note(ctx: &Ctx, kind: &CheckKind) -> Option<String> {
    let p = packets(ctx)?;
    let udp = ctx.udp();
    use CheckKind as K;
    if !p.any {
        return matches!(
            kind,
            K::Connected | K::Connections { .. } | K::Requests { .. } | K::Sent { .. }
        )
        .then(|| {
            let stderr = String::from_utf8_lossy(&ctx.run.client.stderr);
            let refused = if stderr.contains("Permission denied") || stderr.contains("EACCES") {
                " — and the sandbox refused what it tried instead (\"Permission denied\", \
                 EACCES): a lab's client may reach only 127.0.0.1:NETLAB_PORT"
            } else {
                ""
            };
            if udp {
                format!("on the wire, not one datagram reached the server's port{refused}")
            } else {
                format!(
                    "on the wire, not one packet reached the server's port: your client never \
                     sent it a SYN (did it connect to NETLAB_PORT?){refused}"
                )
            }
        });
    }
    if udp {
        return None;
    }
    for (conn, segs) in &p.conns {
        // The client reset the connection instead of closing it.
        if let Some(rst) = segs
            .iter()
            .find(|s| s.dir == WireDir::In && is_rst(s.flags))
        {
            if matches!(
                kind,
                K::EndedWithFin
                    | K::ReadToEnd
                    | K::Trace
                    | K::Event { .. }
                    | K::WaitedFor { .. }
                    | K::Stdout
            ) {
                let sent: u64 = segs
                    .iter()
                    .filter(|s| s.dir == WireDir::Out && s.t_ms <= rst.t_ms)
                    .map(|s| s.len as u64)
                    .sum();
                return Some(format!(
                    "on the wire, your client sent {} instead of a FIN (wire#{conn} →{}; \
                     `--wire` shows the packets)",
                    rst.flags,
                    if sent > 0 {
                        format!(", after the server had sent it {sent} bytes")
                    } else {
                        String::new()
                    }
                ));
            }
        }
        // The client's FIN left only when netlab stopped it.
        if matches!(kind, K::EndedWithFin | K::ReadToEnd) {
            if let (Some(stopped), Some(fin)) = (
                ctx.stopped_ms(),
                segs.iter()
                    .find(|s| s.dir == WireDir::In && is_fin(s.flags)),
            ) {
                if fin.t_ms >= stopped {
                    return Some(format!(
                        "on the wire, your client's FIN (wire#{conn} → {}) left only at {:.0} ms, \
                         when netlab stopped it at the time limit: it never called end()",
                        fin.flags, fin.t_ms
                    ));
                }
            }
        }
        // A message split over several segments.
        let data_in: Vec<&Seg> = segs
            .iter()
            .filter(|s| s.dir == WireDir::In && s.len > 0)
            .collect();
        if data_in.len() >= 2 && matches!(kind, K::Sent { .. } | K::Trace | K::Event { .. }) {
            return Some(format!(
                "on the wire, your client's bytes crossed in {} segments on wire#{conn} (len \
                 {}): it wrote them in {} pieces, and the server saw each as it came",
                data_in.len(),
                lens(&data_in),
                data_in.len()
            ));
        }
        let data_out: Vec<&Seg> = segs
            .iter()
            .filter(|s| s.dir == WireDir::Out && s.len > 0)
            .collect();
        if data_out.len() >= 2 && matches!(kind, K::WholeLines | K::Stdout) {
            return Some(format!(
                "on the wire, the server's bytes crossed in {} segments on wire#{conn} (len {}), \
                 cut where the server wrote, not at line ends: one `data` event is what one read \
                 returned, never a line",
                data_out.len(),
                lens(&data_out)
            ));
        }
    }
    None
}

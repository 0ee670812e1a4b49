//! Checks on the address families clients came from: the DNS and IPv6 lesson's lab.

use super::{blocked, fail, Ctx, Outcome};
use crate::trace::{Event, Scope};
use std::net::{IpAddr, SocketAddr};

/// Whether `ip` is IPv4, including an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`: an IPv4
/// client of a dual-stack socket).
fn ipv4(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(_) => true,
        IpAddr::V6(v6) => v6.to_ipv4_mapped().is_some(),
    }
}

/// The server saw at least one IPv4 client and at least one IPv6 client.
pub fn both_families(ctx: &Ctx) -> Outcome {
    let peers: Vec<SocketAddr> = ctx
        .run
        .entries
        .iter()
        .filter(|e| e.scope == Scope::Server)
        .filter_map(|e| match &e.event {
            Event::Connection { peer } => peer.parse().ok(),
            _ => None,
        })
        .collect();
    if peers.is_empty() {
        return blocked("there was no connection", "the server saw no connection");
    }
    let v4 = peers.iter().filter(|p| ipv4(p.ip())).count();
    let v6 = peers.len() - v4;
    let list = peers
        .iter()
        .map(|p| p.ip().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    match (v4, v6) {
        (0, _) => fail(format!(
            "the server saw only IPv6 clients ({list}): connect over IPv4 too, to 127.0.0.1"
        )),
        (_, 0) => fail(format!(
            "the server saw only IPv4 clients ({list}; `::ffff:127.0.0.1` is how a dual-stack \
             socket shows an IPv4 client): connect to the IPv6 address ::1 too. The name \
             `localhost` is not the same thing — it becomes whatever the system's resolver says \
             (dns.lookup, /etc/hosts), which may be 127.0.0.1 only"
        )),
        _ => Ok(()),
    }
}

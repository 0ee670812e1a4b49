//! The wire view (issue #18): the TCP segments and UDP datagrams under the socket events,
//! captured on a loopback and recorded on the same timeline (scope `wire`), optionally written
//! to a pcapng file.
//!
//! - [`capture`]: the packet socket ([`open_packet_socket`]), the capture thread ([`Capture`]),
//!   and [`has_cap_net_raw`] for the host-loopback fallback.
//! - [`frame`]: parsing Ethernet → IPv4/IPv6 → TCP/UDP and the per-connection state (relative
//!   seq/ack, scaled windows, connection numbers, TLS record types).
//! - [`pcapng`]: the `--pcap FILE` writer.
//! - [`netns`]: wire mode's own user + network namespace and `netlab exec`.

pub mod capture;
pub mod frame;
pub mod netns;
pub mod pcapng;

pub use capture::{has_cap_net_raw, open_packet_socket, Capture, CaptureOpts, CaptureStats};

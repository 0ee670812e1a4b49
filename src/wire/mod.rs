//! The wire view (TEMPORARY stub on branch wirens until the capture engine lands from
//! branch wirecap; replaced by theirs at the merge).

pub mod netns;

/// Effective CAP_NET_RAW (stub: bit 13 of CapEff).
pub fn has_cap_net_raw() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .is_some_and(|c| c & (1 << 13) != 0)
}

use crate::trace::Recorder;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

/// Stub of the design's API.
pub fn open_packet_socket() -> std::io::Result<OwnedFd> {
    Err(std::io::Error::other("stub"))
}

/// Stub of the design's API.
#[derive(Clone, Debug, Default)]
pub struct CaptureOpts {
    pub ports: Vec<u16>,
    pub host_lo_filter: bool,
    pub tls: bool,
    pub pcap: Option<PathBuf>,
}

/// Stub of the design's API.
#[derive(Clone, Debug, Default)]
pub struct CaptureStats {
    pub packets: u64,
    pub drops: u64,
    pub pcap_packets: u64,
}

/// Stub of the design's API.
pub struct Capture;

impl Capture {
    pub fn start(
        _fd: OwnedFd,
        _recorder: Recorder,
        _opts: CaptureOpts,
    ) -> std::io::Result<Capture> {
        Err(std::io::Error::other("stub"))
    }
    pub fn stop(self) -> CaptureStats {
        CaptureStats::default()
    }
}

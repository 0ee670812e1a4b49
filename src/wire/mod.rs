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

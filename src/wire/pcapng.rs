//! pcapng writing for `--pcap FILE`: the captured (truncated) frames with their original
//! lengths and nanosecond timestamps, so Wireshark and `tcpdump -r` open what the lane showed.
//!
//! Three block types are enough (pcapng, draft-ietf-opsawg-pcapng): a Section Header Block, one
//! Interface Description Block (link type Ethernet, the snap length, `if_tsresol` = 9 for
//! nanoseconds) and an Enhanced Packet Block per frame. They are written by hand, little-endian,
//! into a temporary file beside the target through a buffer; [`PcapWriter::finish`] renames it
//! into place, so the file appears whole or not at all, and a symlink at the target is replaced,
//! never written through. The file is bounded: past [`MAX_BYTES`] frames are counted, not written.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// LINKTYPE_ETHERNET: loopback frames carry a (zero) Ethernet header.
pub const LINKTYPE_ETHERNET: u16 = 1;
/// Largest file written; frames past it are counted in [`PcapWriter::skipped`].
pub const MAX_BYTES: u64 = 512 << 20;

/// A pcapng file being written; see the module docs.
pub struct PcapWriter {
    out: BufWriter<tempfile::NamedTempFile>,
    target: PathBuf,
    /// Bytes written so far.
    bytes: u64,
    /// Frames written.
    packets: u64,
    /// Frames not written because the file reached [`MAX_BYTES`].
    skipped: u64,
}

fn pad4(n: usize) -> usize {
    (n + 3) & !3
}

impl PcapWriter {
    /// Start a file that will become `target` on [`PcapWriter::finish`]; frames are at most
    /// `snaplen` bytes.
    pub fn create(target: &Path, snaplen: u32) -> io::Result<PcapWriter> {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".netlab-pcap-")
            .suffix(".tmp")
            .tempfile_in(&dir)?;
        let mut w = PcapWriter {
            out: BufWriter::with_capacity(256 << 10, tmp),
            target: target.to_path_buf(),
            bytes: 0,
            packets: 0,
            skipped: 0,
        };
        w.header(snaplen)?;
        Ok(w)
    }

    fn put(&mut self, b: &[u8]) -> io::Result<()> {
        self.bytes += b.len() as u64;
        self.out.write_all(b)
    }

    fn header(&mut self, snaplen: u32) -> io::Result<()> {
        // Section Header Block: type, length, byte-order magic, version 1.0, section length
        // unknown (-1), no options.
        let mut shb = Vec::with_capacity(28);
        shb.extend_from_slice(&0x0A0D_0D0Au32.to_le_bytes());
        shb.extend_from_slice(&28u32.to_le_bytes());
        shb.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
        shb.extend_from_slice(&1u16.to_le_bytes());
        shb.extend_from_slice(&0u16.to_le_bytes());
        shb.extend_from_slice(&(-1i64).to_le_bytes());
        shb.extend_from_slice(&28u32.to_le_bytes());
        self.put(&shb)?;
        // Interface Description Block: Ethernet, snaplen, options: if_tsresol = 9 (ns),
        // opt_endofopt.
        let mut idb = Vec::with_capacity(32);
        idb.extend_from_slice(&1u32.to_le_bytes());
        idb.extend_from_slice(&32u32.to_le_bytes());
        idb.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
        idb.extend_from_slice(&0u16.to_le_bytes());
        idb.extend_from_slice(&snaplen.to_le_bytes());
        idb.extend_from_slice(&9u16.to_le_bytes()); // if_tsresol
        idb.extend_from_slice(&1u16.to_le_bytes());
        idb.extend_from_slice(&[9, 0, 0, 0]); // 10^-9, padded
        idb.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
        idb.extend_from_slice(&32u32.to_le_bytes());
        self.put(&idb)
    }

    /// Append one frame: `data` as captured, `orig_len` its length on the wire, `ts_ns`
    /// nanoseconds since the Unix epoch.
    pub fn packet(&mut self, ts_ns: u64, data: &[u8], orig_len: u32) -> io::Result<()> {
        let total = 32 + pad4(data.len());
        if self.bytes + total as u64 > MAX_BYTES {
            self.skipped += 1;
            return Ok(());
        }
        let mut b = Vec::with_capacity(total);
        b.extend_from_slice(&6u32.to_le_bytes());
        b.extend_from_slice(&(total as u32).to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes()); // interface 0
        b.extend_from_slice(&((ts_ns >> 32) as u32).to_le_bytes());
        b.extend_from_slice(&(ts_ns as u32).to_le_bytes());
        b.extend_from_slice(&(data.len() as u32).to_le_bytes());
        b.extend_from_slice(&orig_len.max(data.len() as u32).to_le_bytes());
        b.extend_from_slice(data);
        b.resize(total - 4, 0);
        b.extend_from_slice(&(total as u32).to_le_bytes());
        self.put(&b)?;
        self.packets += 1;
        Ok(())
    }

    /// Frames written so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Frames left out because the file reached [`MAX_BYTES`].
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Flush, sync and rename the file into place (replacing whatever was at the target,
    /// including a symlink, which is never followed). Returns the frames written.
    pub fn finish(self) -> io::Result<u64> {
        let tmp = self.out.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        let file: File = tmp.persist(&self.target).map_err(|e| e.error)?;
        drop(file);
        Ok(self.packets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_and_lengths_repeat() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pcapng");
        let mut w = PcapWriter::create(&path, 200).unwrap();
        w.packet(1_700_000_000_123_456_789, &[1, 2, 3, 4, 5], 1500)
            .unwrap();
        w.packet(1_700_000_000_123_456_790, &[9; 8], 8).unwrap();
        assert_eq!(w.finish().unwrap(), 2);
        let b = std::fs::read(&path).unwrap();
        let mut at = 0;
        let mut types = Vec::new();
        while at < b.len() {
            let t = u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
            let len = u32::from_le_bytes(b[at + 4..at + 8].try_into().unwrap()) as usize;
            assert_eq!(len % 4, 0);
            let trailer = u32::from_le_bytes(b[at + len - 4..at + len].try_into().unwrap());
            assert_eq!(trailer as usize, len);
            types.push(t);
            at += len;
        }
        assert_eq!(types, vec![0x0A0D0D0A, 1, 6, 6]);
    }

    #[test]
    fn a_symlink_at_the_target_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let link = dir.path().join("out.pcapng");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let w = PcapWriter::create(&link, 200).unwrap();
        w.finish().unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert!(!std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }
}

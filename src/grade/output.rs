//! Writing grading results so that they cannot be lost or hijacked.
//!
//! - [`check_writable_file`] / [`check_writable_dir`]: `--out` and `--feedback` are tried
//!   before any student is graded, so an unwritable path fails in a second, not after an hour.
//! - [`write_atomic`]: every file is written to a temporary file in the same folder and renamed
//!   into place. `rename` replaces a symbolic link planted at the destination instead of
//!   following it, and readers never see half a file.
//! - [`Journal`]: one JSON line per finished (student, lab), appended as grading goes, so an
//!   interrupted or failed run keeps everything graded so far; removed once the outputs are
//!   written.
//! - [`feedback_name`]: a safe, unique, bounded file name from any folder name.
//! - [`kill_leftovers`]: after an interrupted run, every process still carrying one of this
//!   netlab's run markers is killed.

use super::LabGrade;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Longest feedback file name, in bytes, before `.md`.
pub const MAX_NAME: usize = 100;

/// The folder a file lives in (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Fail now if `path` could not be written later: its folder must exist and accept a new
/// file, and `path` must not be a folder.
pub fn check_writable_file(path: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(std::io::Error::other("it is a folder"));
    }
    tempfile::NamedTempFile::new_in(parent_of(path)).map(drop)
}

/// Fail now if files could not be written into `dir` later (creating it if needed).
pub fn check_writable_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    tempfile::NamedTempFile::new_in(dir).map(drop)
}

/// Write `bytes` to `path` through a temporary file in the same folder, then rename it into
/// place: never half a file, never through a symbolic link at `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(parent_of(path))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// One finished (student, lab), as a journal line.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JournalLine {
    /// The student id.
    pub student: String,
    /// Their grade for one lab.
    pub grade: LabGrade,
}

/// Grades appended as they complete, one JSON line each.
pub struct Journal {
    /// Where it is, to name it in messages and remove it at the end.
    pub path: PathBuf,
    file: std::fs::File,
}

impl Journal {
    /// The journal kept beside `out`.
    pub fn beside(out: &Path) -> PathBuf {
        parent_of(out).join(".netlab-grade-journal.jsonl")
    }

    /// Start a journal at `path` (an old one is replaced; a symbolic link there is refused).
    pub fn create(path: &Path) -> std::io::Result<Journal> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(path)?;
        Ok(Journal {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Record one finished grade (flushed at once).
    pub fn append(&mut self, student: &str, grade: &LabGrade) -> std::io::Result<()> {
        let line = JournalLine {
            student: student.to_string(),
            grade: grade.clone(),
        };
        let mut text = serde_json::to_string(&line).map_err(std::io::Error::other)?;
        text.push('\n');
        self.file.write_all(text.as_bytes())?;
        self.file.flush()
    }

    /// Every complete line of a journal (a torn last line is ignored).
    pub fn read(path: &Path) -> std::io::Result<Vec<JournalLine>> {
        let text = std::fs::read_to_string(path)?;
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect())
    }
}

/// A file name (without extension) for `student`'s feedback: control characters, path
/// separators and a leading dot replaced, at most [`MAX_NAME`] bytes. When anything had to be
/// changed, a short hash of the original keeps two students from sharing a file.
pub fn feedback_name(student: &str) -> String {
    let mut name: String = student
        .chars()
        .map(|c| {
            if c.is_control() || c == '/' || c == '\\' {
                '_'
            } else {
                c
            }
        })
        .collect();
    if name.starts_with('.') || name.is_empty() {
        name.insert(0, '_');
    }
    let changed = name != student || name.len() > MAX_NAME;
    if changed {
        let mut cut = MAX_NAME - 9;
        while cut > 0 && !name.is_char_boundary(cut.min(name.len())) {
            cut -= 1;
        }
        name.truncate(cut.min(name.len()));
        name.push_str(&format!("-{:08x}", fnv(student.as_bytes())));
    }
    name
}

/// FNV-1a: a stable short fingerprint (not for security).
fn fnv(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// Kill every process carrying one of this netlab's run markers (`NETLAB_RUN=<pid>-…`): the
/// clients of runs that were cancelled (Ctrl-C) before they could clean up after themselves.
/// Returns how many were found.
pub fn kill_leftovers() -> usize {
    let prefix = format!("NETLAB_RUN={}-", std::process::id());
    let mut found = 0;
    for _round in 0..20 {
        let pids = marked(&prefix);
        if pids.is_empty() {
            break;
        }
        found += pids.len();
        for pid in pids {
            let pid = nix::unistd::Pid::from_raw(pid);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            let _ = nix::sys::wait::waitpid(pid, Some(nix::sys::wait::WaitPidFlag::WNOHANG));
        }
    }
    found
}

/// Processes (not this one) whose environment has a variable starting with `prefix`.
fn marked(prefix: &str) -> Vec<i32> {
    let me = std::process::id() as i32;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != me)
        .filter(|&pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| {
                env.split(|&b| b == 0)
                    .any(|kv| kv.starts_with(prefix.as_bytes()))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_names_are_bounded_safe_and_distinct() {
        assert_eq!(feedback_name("ana"), "ana");
        let long = "x".repeat(254);
        let n = feedback_name(&long);
        assert!(n.len() <= MAX_NAME, "{}", n.len());
        assert_ne!(feedback_name(&"x".repeat(253)), n);
        let esc = feedback_name("\u{1b}[31mred/../x");
        assert!(!esc.contains('\u{1b}') && !esc.contains('/'), "{esc}");
        assert!(feedback_name("..").starts_with('_'));
        let wide = feedback_name(&"é".repeat(120));
        assert!(wide.len() <= MAX_NAME);
    }

    #[test]
    fn atomic_writes_replace_a_planted_symlink_instead_of_following_it() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "teacher's file").unwrap();
        let out = dir.path().join("ana.md");
        std::os::unix::fs::symlink(&victim, &out).unwrap();
        write_atomic(&out, b"feedback").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "teacher's file");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "feedback");
        assert!(!std::fs::symlink_metadata(&out).unwrap().is_symlink());
    }
}

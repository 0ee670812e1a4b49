//! What a student handed in, checked before anything runs: the workspace's language from
//! `netlab.toml` (a file that does not parse is named as `file:line:col`), and the copy of a
//! lab folder into a run's own folder — refused when a symbolic link is anywhere in it (it
//! could point at another student's work or a teacher's file), capped at
//! [`MAX_COPY_TOTAL`] in all with the files left out named.

use crate::lab::Language;
use std::path::{Path, PathBuf};

/// The language of the workspace `dir` from its `netlab.toml`, or why there is none (with
/// `file:line:col` for a file that does not parse).
pub(super) fn workspace_language(dir: &Path) -> Result<Language, String> {
    #[derive(serde::Deserialize)]
    struct Ws {
        language: Option<String>,
    }
    let cfg = dir.join("netlab.toml");
    let shown = cfg.display();
    if std::fs::symlink_metadata(&cfg).is_ok_and(|m| m.is_symlink()) {
        return Err(format!(
            "{shown} is a symbolic link: netlab does not read it"
        ));
    }
    let text = std::fs::read_to_string(&cfg).map_err(|e| format!("{shown}: {e}"))?;
    let ws: Ws = toml::from_str(&text).map_err(|e| {
        let (line, col) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((1, 1));
        format!("{shown}:{line}:{col}: {}", first_line(e.message()))
    })?;
    ws.language
        .as_deref()
        .and_then(Language::parse)
        .ok_or_else(|| format!("{shown}: expected `language = \"node\"` (node, python or shell)"))
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

/// Total bytes of a lab folder copied into a run's working directory.
pub const MAX_COPY_TOTAL: u64 = 64 << 20;

/// What was copied into a run's folder, and what was left out.
#[derive(Debug, Default)]
pub(super) struct Copied {
    /// Files left out because the total would pass [`MAX_COPY_TOTAL`].
    pub left_out: Vec<String>,
}

/// Why a submission is not graded.
#[derive(Debug)]
pub(super) enum Unsafe {
    /// A symbolic link somewhere in the lab folder.
    Symlink(PathBuf),
    /// The client file alone is over the cap.
    TooBig(u64),
    /// Reading or copying failed.
    Io(std::io::Error),
}

/// The first symbolic link anywhere under `dir` (bounded walk).
fn find_symlink(dir: &Path) -> std::io::Result<Option<PathBuf>> {
    let mut stack = vec![dir.to_path_buf()];
    let mut seen = 0usize;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)?.flatten() {
            seen += 1;
            if seen > 100_000 {
                return Ok(None);
            }
            let t = e.file_type()?;
            if t.is_symlink() {
                return Ok(Some(e.path()));
            }
            if t.is_dir() {
                stack.push(e.path());
            }
        }
    }
    Ok(None)
}

/// Copy the regular files of `from` (not sub-folders) into `to`, the client file first, up
/// to [`MAX_COPY_TOTAL`] in all. A symbolic link anywhere under `from` refuses the whole
/// submission.
pub(super) fn copy_lab(from: &Path, to: &Path, client: &str) -> Result<Copied, Unsafe> {
    if let Some(link) = find_symlink(from).map_err(Unsafe::Io)? {
        return Err(Unsafe::Symlink(link));
    }
    let mut files: Vec<(bool, std::ffi::OsString, u64)> = Vec::new();
    for e in std::fs::read_dir(from).map_err(Unsafe::Io)?.flatten() {
        let meta = std::fs::symlink_metadata(e.path()).map_err(Unsafe::Io)?;
        if meta.is_file() {
            files.push((e.file_name() != client, e.file_name(), meta.len()));
        }
    }
    files.sort();
    let mut copied = Copied::default();
    let mut total = 0u64;
    for (is_other, name, len) in files {
        if total + len > MAX_COPY_TOTAL {
            if !is_other {
                return Err(Unsafe::TooBig(len));
            }
            copied.left_out.push(name.to_string_lossy().into_owned());
            continue;
        }
        total += len;
        std::fs::copy(from.join(&name), to.join(&name)).map_err(Unsafe::Io)?;
    }
    Ok(copied)
}

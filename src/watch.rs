//! Watch mode: one notification per save of a learner's file, and none for anything else.
//!
//! Editors save in different ways — writing in place (nano, VS Code), writing a temporary file
//! and renaming it over the original (many IDEs), or vim's backup dance (rename the original
//! away, write a new file, delete the backup). Each shows up as a burst of file-system events
//! on the file's name. [`FileWatcher`] watches the file's folder, keeps only events that change
//! the file's content or put a new file at its name — never reads: a check that runs the
//! client reads it, and that must not trigger another check — and waits until the burst has
//! been quiet for [`DEBOUNCE`] before calling back once.
//!
//! The TUI's lab view and `netlab watch` both use it.

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// Quiet time after the last event of a save before it counts as done.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// Watches one file until dropped; calls back once per save.
pub struct FileWatcher {
    /// Dropping it stops the notifications (and so the debounce thread).
    _watcher: notify::RecommendedWatcher,
}

/// Why watching is not possible here (e.g. no inotify on a network drive).
#[derive(Debug, thiserror::Error)]
#[error("cannot watch {}: {source}", path.display())]
pub struct WatchError {
    pub path: PathBuf,
    #[source]
    pub source: notify::Error,
}

/// Does this event change the content at the watched name?
pub fn is_save(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        // A writer closed the file: the end of an in-place save.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        // Opening, reading, closing after reading: someone looked at it, nothing changed.
        EventKind::Access(_) => false,
        EventKind::Any | EventKind::Other => false,
    }
}

impl FileWatcher {
    /// Watch `file`; `on_save` runs on a background thread once per debounced save.
    pub fn new(
        file: &Path,
        on_save: impl Fn() + Send + 'static,
    ) -> Result<FileWatcher, WatchError> {
        let name = file.file_name().map(|n| n.to_os_string());
        let dir = match file.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let (tx, rx) = mpsc::channel::<()>();
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(event) = res else { return };
            let ours = event
                .paths
                .iter()
                .any(|p| p.file_name().map(|n| n.to_os_string()) == name);
            if ours && is_save(&event.kind) {
                let _ = tx.send(());
            }
        })
        .map_err(|source| WatchError {
            path: dir.clone(),
            source,
        })?;
        watcher
            .watch(&dir, RecursiveMode::NonRecursive)
            .map_err(|source| WatchError {
                path: dir.clone(),
                source,
            })?;
        std::thread::spawn(move || debounce(rx, on_save));
        Ok(FileWatcher { _watcher: watcher })
    }
}

/// Call `on_save` once per burst of signals, when the burst has been quiet for [`DEBOUNCE`].
/// Ends when the sender (the watcher) is gone.
fn debounce(rx: mpsc::Receiver<()>, on_save: impl Fn()) {
    while rx.recv().is_ok() {
        loop {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(()) => continue,
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        on_save();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Wait (bounded) until `count` reaches `want`, then a further debounce period to catch an
    /// extra notification; returns the final count.
    fn settle(count: &AtomicUsize, want: usize) -> usize {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while count.load(Ordering::SeqCst) < want && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        // Nothing else may arrive within three debounce periods.
        std::thread::sleep(DEBOUNCE * 3);
        count.load(Ordering::SeqCst)
    }

    #[test]
    fn each_save_style_counts_once_and_reading_never() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("client.py");
        std::fs::write(&file, "print(1)\n").unwrap();
        let count = Arc::new(AtomicUsize::new(0));
        let c = count.clone();
        let _w = FileWatcher::new(&file, move || {
            c.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();

        // Reading (as `cat` or the client's interpreter does): nothing.
        for _ in 0..5 {
            let _ = std::fs::read(&file).unwrap();
        }
        assert_eq!(settle(&count, 1), 0, "a read triggered a check");

        // Write in place, in several writes: once.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&file)
            .unwrap();
        f.write_all(b"print(").unwrap();
        f.write_all(b"2)\n").unwrap();
        drop(f);
        assert_eq!(settle(&count, 1), 1, "an in-place save");

        // Write a temporary file and rename it over: once.
        let tmp = dir.path().join(".client.py.swp");
        std::fs::write(&tmp, "print(3)\n").unwrap();
        std::fs::rename(&tmp, &file).unwrap();
        assert_eq!(settle(&count, 2), 2, "a write-and-rename save");

        // vim: rename the original to a backup, write anew, delete the backup: once.
        let backup = dir.path().join("client.py~");
        std::fs::rename(&file, &backup).unwrap();
        std::fs::write(&file, "print(4)\n").unwrap();
        std::fs::remove_file(&backup).unwrap();
        assert_eq!(settle(&count, 3), 3, "vim's backup dance");

        // Another file in the folder: nothing.
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        assert_eq!(settle(&count, 4), 3, "another file triggered a check");
    }
}

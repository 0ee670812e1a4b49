//! What a learner has done: steps seen, quiz answers, lab results, and where they are.
//!
//! Stored as plain TOML a learner can read, in the workspace (`.netlab/progress.toml` beside the
//! `netlab.toml` that `netlab init` writes, found from the current folder upwards) or, outside a
//! workspace, in `$XDG_DATA_HOME/netlab/progress.toml` (`~/.local/share/netlab/…`).
//!
//! Writes are atomic (a temporary file in the same folder, synced, then renamed over the old
//! one), so a crash never leaves half a file. A file that does not parse (or is not UTF-8) is
//! never silently dropped: it is moved aside under a name no other file has
//! (`progress.toml.corrupt-<unix time>[-N]`) and the caller gets a warning naming both paths,
//! then starts from empty progress. Fields this netlab does not know (written by a newer one)
//! are kept and written back unchanged.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The progress file format.
pub const FORMAT_VERSION: u32 = 1;

/// Everything remembered about one learner.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Progress {
    pub format_version: u32,
    /// Where to resume.
    pub position: Option<Position>,
    /// Per lesson id.
    pub lessons: BTreeMap<String, LessonProgress>,
    /// Per lab id: the last result.
    pub labs: BTreeMap<String, LabResult>,
    /// Fields from a newer netlab, kept so that saving never drops them.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, toml::Value>,
}

/// A place in the course.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub lesson: String,
    /// 1-based step number.
    pub step: usize,
}

/// One lesson's progress.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LessonProgress {
    /// 1-based numbers of the steps seen.
    pub seen: BTreeSet<usize>,
    /// Quiz answers by 1-based step number (as a string: TOML keys are strings).
    pub quizzes: BTreeMap<String, QuizAnswer>,
    /// Fields from a newer netlab, kept as they are.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, toml::Value>,
}

/// A learner's answer to one quiz.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuizAnswer {
    /// 0-based indices of the chosen options.
    pub chosen: Vec<usize>,
    pub right: bool,
}

/// The last check of a lab.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LabResult {
    pub passed: bool,
    pub points: u32,
    pub max_points: u32,
    /// Fields from a newer netlab, kept as they are.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, toml::Value>,
}

/// Where progress lives and what loading it found.
#[derive(Clone, Debug)]
pub struct Store {
    pub path: PathBuf,
}

/// Why progress could not be saved.
#[derive(Debug, thiserror::Error)]
#[error("cannot save progress to {path}: {source}")]
pub struct SaveError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

impl Store {
    /// The progress file for a learner working in `cwd`.
    pub fn locate(cwd: &Path) -> Store {
        if let Some(root) = crate::workspace::learner_root(cwd) {
            return Store {
                path: crate::workspace::progress_path(&root),
            };
        }
        let data = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(std::env::temp_dir);
        Store {
            path: data.join("netlab").join("progress.toml"),
        }
    }

    /// Read progress. A missing file is empty progress; an unreadable or corrupt one is moved
    /// aside and reported in the returned warning.
    pub fn load(&self) -> (Progress, Option<String>) {
        let bytes = match std::fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Progress::fresh(), None);
            }
            Err(e) => {
                return (
                    Progress::fresh(),
                    Some(format!(
                        "cannot read {}: {e}; starting without saved progress",
                        self.path.display()
                    )),
                )
            }
        };
        let parsed = match std::str::from_utf8(&bytes) {
            Err(e) => Err(format!("not UTF-8 text: {e}")),
            Ok(text) => {
                toml::from_str::<Progress>(text).map_err(|e| crate::diag::toml_message(text, &e))
            }
        };
        match parsed {
            Ok(p) => (p, None),
            Err(msg) => {
                let kept = match self.move_aside() {
                    Ok(aside) => format!("it was kept as {}", aside.display()),
                    Err(r) => format!("it could not be moved aside ({r}) and is left as it is"),
                };
                (
                    Progress::fresh(),
                    Some(format!(
                        "progress file {} is damaged ({msg}); {kept}; starting with empty progress",
                        self.path.display()
                    )),
                )
            }
        }
    }

    /// Move a damaged file to `progress.toml.corrupt-<unix time>[-N]`, never replacing an
    /// earlier one: the new name is linked first (which fails if it exists), then the old
    /// name removed.
    fn move_aside(&self) -> std::io::Result<PathBuf> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut last = std::io::Error::other("no free name");
        for n in 0..1000 {
            let name = match n {
                0 => format!("progress.toml.corrupt-{stamp}"),
                n => format!("progress.toml.corrupt-{stamp}-{n}"),
            };
            let aside = self.path.with_file_name(name);
            match std::fs::hard_link(&self.path, &aside) {
                Ok(()) => {
                    std::fs::remove_file(&self.path)?;
                    return Ok(aside);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    /// Write progress atomically.
    pub fn save(&self, p: &Progress) -> Result<(), SaveError> {
        let err = |source| SaveError {
            path: self.path.display().to_string(),
            source,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(err)?;
        let text = toml::to_string(p).map_err(|e| err(std::io::Error::other(e)))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
        tmp.write_all(text.as_bytes()).map_err(err)?;
        tmp.as_file().sync_all().map_err(err)?;
        tmp.persist(&self.path).map_err(|e| err(e.error))?;
        Ok(())
    }
}

impl Progress {
    /// Empty progress in the current format.
    pub fn fresh() -> Progress {
        Progress {
            format_version: FORMAT_VERSION,
            ..Progress::default()
        }
    }

    /// Mark step `step` (1-based) of `lesson` seen and make it the resume point.
    pub fn visit(&mut self, lesson: &str, step: usize) {
        self.lessons
            .entry(lesson.to_string())
            .or_default()
            .seen
            .insert(step);
        self.position = Some(Position {
            lesson: lesson.to_string(),
            step,
        });
    }

    /// Record a quiz answer.
    pub fn answer(&mut self, lesson: &str, step: usize, chosen: Vec<usize>, right: bool) {
        self.lessons
            .entry(lesson.to_string())
            .or_default()
            .quizzes
            .insert(step.to_string(), QuizAnswer { chosen, right });
    }

    /// Record a lab result (a pass is never undone by a later failing run).
    pub fn lab(&mut self, lab: &str, passed: bool, points: u32, max_points: u32) {
        let r = self.labs.entry(lab.to_string()).or_default();
        if r.passed && !passed {
            return;
        }
        r.passed = passed;
        r.points = points;
        r.max_points = max_points;
    }

    /// True when every step of a lesson with `steps` steps was seen.
    pub fn lesson_done(&self, lesson: &str, steps: usize) -> bool {
        self.lessons
            .get(lesson)
            .is_some_and(|l| (1..=steps).all(|s| l.seen.contains(&s)))
    }

    pub fn lab_passed(&self, lab: &str) -> bool {
        self.labs.get(lab).is_some_and(|r| r.passed)
    }

    /// Forget one lab's result.
    pub fn reset_lab(&mut self, lab: &str) {
        self.labs.remove(lab);
    }

    /// Forget everything.
    pub fn reset_all(&mut self) {
        *self = Progress::fresh();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_atomic_save() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store {
            path: dir.path().join(".netlab/progress.toml"),
        };
        let (mut p, warn) = store.load();
        assert!(warn.is_none());
        p.visit("tcp-server", 2);
        p.answer("tcp-server", 3, vec![1], true);
        p.lab("tcp-hello", true, 5, 5);
        p.lab("tcp-hello", false, 1, 5);
        store.save(&p).unwrap();
        let (q, warn) = store.load();
        assert!(warn.is_none());
        assert_eq!(p, q);
        assert!(q.lab_passed("tcp-hello"));
        // Only the file itself is left in the folder (no temporary files).
        let names: Vec<_> = std::fs::read_dir(dir.path().join(".netlab"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["progress.toml"]);
    }

    #[test]
    fn a_corrupt_file_is_kept_aside_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.toml");
        std::fs::write(&path, "position = [[[ broken").unwrap();
        let store = Store { path: path.clone() };
        let (p, warn) = store.load();
        assert_eq!(p, Progress::fresh());
        let warn = warn.unwrap();
        assert!(warn.contains("is damaged"), "{warn}");
        assert!(warn.contains("(1:16: "), "{warn}");
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(kept.len(), 1);
        assert!(kept[0].starts_with("progress.toml.corrupt-"), "{kept:?}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(&kept[0])).unwrap(),
            "position = [[[ broken"
        );
    }

    #[test]
    fn non_utf8_and_repeated_corruption_each_keep_their_own_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.toml");
        let store = Store { path: path.clone() };
        std::fs::write(&path, b"labs = \xff\xfe").unwrap();
        let (_, warn) = store.load();
        assert!(warn.unwrap().contains("not UTF-8"));
        std::fs::write(&path, "position = [[[ broken").unwrap();
        let (_, warn) = store.load();
        assert!(warn.unwrap().contains("is damaged"));
        let mut kept: Vec<Vec<u8>> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        kept.sort();
        assert_eq!(
            kept,
            [
                b"labs = \xff\xfe".to_vec(),
                b"position = [[[ broken".to_vec()
            ]
        );
    }

    #[test]
    fn fields_from_a_newer_netlab_survive_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.toml");
        std::fs::write(
            &path,
            "format_version = 1\ntheme = \"dark\"\n[labs.tcp-hello]\npassed = true\npoints = 5\nmax_points = 5\nstreak = 3\n",
        )
        .unwrap();
        let store = Store { path: path.clone() };
        let (mut p, warn) = store.load();
        assert!(warn.is_none(), "{warn:?}");
        p.lab("udp-ping", true, 1, 1);
        store.save(&p).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("theme = \"dark\""), "{text}");
        assert!(text.contains("streak = 3"), "{text}");
    }

    #[test]
    fn workspace_progress_lives_beside_netlab_toml() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("netlab.toml"), "language = \"node\"\n").unwrap();
        std::fs::create_dir(dir.path().join("tcp-hello")).unwrap();
        let s = Store::locate(&dir.path().join("tcp-hello"));
        assert_eq!(s.path, dir.path().join(".netlab/progress.toml"));
    }
}

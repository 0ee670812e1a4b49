//! The lab catalogue: `labs/<id>/lab.toml` plus starter and solution files.
//!
//! The course's labs are embedded in the binary (so `cargo install` users have them); a course
//! directory given with `--course DIR` replaces them (`DIR/labs/<id>/…`).

use super::model::Lab;
use crate::diag::CourseError;
use include_dir::{include_dir, Dir};
use std::collections::BTreeMap;
use std::path::Path;

static EMBEDDED_LABS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/labs");

/// One lab with the text of every file in its folder.
#[derive(Clone, Debug)]
pub struct LabEntry {
    pub lab: Lab,
    /// File name → contents (starters, solutions, README…).
    pub files: BTreeMap<String, String>,
    /// Where it came from, for messages (`labs/tcp-hello` or a path).
    pub origin: String,
}

impl LabEntry {
    /// A file of the lab folder, by name.
    pub fn file(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }
}

/// Every lab of a course, in id order.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub labs: Vec<LabEntry>,
}

impl Catalog {
    /// The embedded labs, or those of `course` when given.
    pub fn load(course: Option<&Path>) -> Result<Catalog, CourseError> {
        match course {
            Some(dir) => Self::from_dir(&dir.join("labs")),
            None => Self::embedded(),
        }
    }

    /// The labs built into this binary.
    pub fn embedded() -> Result<Catalog, CourseError> {
        let mut labs = Vec::new();
        for d in EMBEDDED_LABS.dirs() {
            let origin = format!("labs/{}", d.path().display());
            let mut files = BTreeMap::new();
            for f in d.files() {
                if let (Some(name), Some(text)) = (
                    f.path().file_name().and_then(|n| n.to_str()),
                    f.contents_utf8(),
                ) {
                    files.insert(name.to_string(), text.to_string());
                }
            }
            labs.push(Self::entry(origin, files)?);
        }
        Ok(Self::sorted(labs))
    }

    /// Labs from a directory holding one folder per lab.
    pub fn from_dir(dir: &Path) -> Result<Catalog, CourseError> {
        let read_err = |p: &Path, e: std::io::Error| CourseError::Parse {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        let mut labs = Vec::new();
        let rd = std::fs::read_dir(dir).map_err(|e| read_err(dir, e))?;
        for d in rd.flatten() {
            if !d.path().is_dir() {
                continue;
            }
            let mut files = BTreeMap::new();
            for f in std::fs::read_dir(d.path())
                .map_err(|e| read_err(&d.path(), e))?
                .flatten()
            {
                if f.path().is_file() {
                    let text =
                        std::fs::read_to_string(f.path()).map_err(|e| read_err(&f.path(), e))?;
                    files.insert(f.file_name().to_string_lossy().into_owned(), text);
                }
            }
            labs.push(Self::entry(d.path().display().to_string(), files)?);
        }
        Ok(Self::sorted(labs))
    }

    fn entry(origin: String, files: BTreeMap<String, String>) -> Result<LabEntry, CourseError> {
        let path = format!("{origin}/lab.toml");
        let text = files.get("lab.toml").ok_or_else(|| CourseError::Invalid {
            path: path.clone(),
            message: "missing lab.toml".into(),
        })?;
        let lab = Lab::parse(&path, text)?;
        let folder = origin.rsplit('/').next().unwrap_or_default();
        if lab.id != folder {
            return Err(CourseError::Invalid {
                path,
                message: format!("id `{}` does not match its folder `{folder}`", lab.id),
            });
        }
        for (lang, f) in lab.starters.iter().chain(lab.solutions.iter()) {
            if !files.contains_key(f) {
                return Err(CourseError::Invalid {
                    path,
                    message: format!(
                        "the {} file `{f}` is missing from the lab folder",
                        lang.name()
                    ),
                });
            }
        }
        Ok(LabEntry { lab, files, origin })
    }

    fn sorted(mut labs: Vec<LabEntry>) -> Catalog {
        labs.sort_by(|a, b| a.lab.id.cmp(&b.lab.id));
        Catalog { labs }
    }

    /// A lab by id.
    pub fn find(&self, id: &str) -> Option<&LabEntry> {
        self.labs.iter().find(|l| l.lab.id == id)
    }
}

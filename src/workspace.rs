//! The learner's workspace: the folder `netlab init` writes and `netlab check` grades from.
//!
//! ```text
//! ROOT/netlab.toml              language = "node"
//! ROOT/.netlab/progress.toml    what the learner has done (see [`crate::course::progress`])
//! ROOT/<lab-id>/client.js       the lab's starter, then the learner's client
//! ROOT/<lab-id>/README.md       the lab's instructions and how to check
//! ```
//!
//! [`Workspace`] is the one place that knows this shape: finding a workspace from any folder
//! inside it, its language, where a lab's client lives and the command that runs it, where
//! progress is kept, and writing a new one. The CLI, the TUI, progress and class grading all go
//! through it.
//!
//! Where a learner's workspace lives by default ([`default_root`]: `$XDG_DATA_HOME/netlab/
//! workspace`, else `~/.local/share/netlab/workspace`) and which one they made last (a small
//! state file, [`state_path`], next to the progress file kept outside any workspace) are
//! here too, so netlab started from any folder finds the learner's workspace again
//! ([`Workspace::find`]).

use crate::lab::{Catalog, Language};
use std::path::{Path, PathBuf};

/// The file that marks a workspace's root and names its language.
pub const CONFIG: &str = "netlab.toml";

/// A learner's workspace, found on disk or just written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workspace {
    /// The folder holding `netlab.toml`.
    pub root: PathBuf,
    /// The language of the learner's clients (from `netlab.toml`).
    pub language: Language,
}

/// Why a workspace (or a lab's client in it) cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// No `netlab.toml` in the folder or any folder above it.
    #[error("no {CONFIG} in {} or any folder above it", from.display())]
    NotFound { from: PathBuf },
    /// `netlab.toml` exists but does not name a language netlab knows.
    #[error("{}: expected a line like `language = \"node\"` (node, python or shell){}", path.display(), detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    BadConfig {
        path: PathBuf,
        /// What the TOML parser said, with line and column, when the file did not parse.
        detail: Option<String>,
    },
    /// The lab's client file is not there.
    #[error("{} does not exist: write your client there (or run `netlab init` to get a starter)", file.display())]
    NoClient { file: PathBuf },
    /// Reading or writing the workspace failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// How to run a learner's client: the command line and the folder to run it in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCommand {
    pub argv: Vec<String>,
    pub cwd: PathBuf,
}

impl Workspace {
    /// The root of the workspace around `from` (the nearest folder with `netlab.toml`).
    pub fn find_root(from: &Path) -> Option<PathBuf> {
        from.ancestors()
            .find(|d| d.join(CONFIG).is_file())
            .map(Path::to_path_buf)
    }

    /// The learner's workspace as seen from `from`: the one around it, else the remembered
    /// one, else one at [`default_root`]. A `netlab.toml` that names no language is taken as
    /// Node's (the lab view still shows its files; a check reports the bad config).
    pub fn find(from: &Path) -> Option<Workspace> {
        Workspace::find_in(from, &data_dir())
    }

    /// [`Workspace::find`] with netlab's data folder given.
    pub fn find_in(from: &Path, data: &Path) -> Option<Workspace> {
        let root = learner_root_in(from, data)?;
        Some(Workspace::open(&root).unwrap_or(Workspace {
            root,
            language: Language::Node,
        }))
    }

    /// The learner's workspace as seen from `from` (as [`Workspace::find`]: around it, else
    /// the remembered one, else the default one), read strictly: a bad `netlab.toml` is an
    /// error. What `netlab check` and `netlab watch` grade from.
    pub fn locate_learner(from: &Path) -> Result<Workspace, WorkspaceError> {
        let root = learner_root_in(from, &data_dir()).ok_or_else(|| WorkspaceError::NotFound {
            from: from.to_path_buf(),
        })?;
        Workspace::open(&root)
    }

    /// The workspace around `from`.
    pub fn locate(from: &Path) -> Result<Workspace, WorkspaceError> {
        let root = Workspace::find_root(from).ok_or_else(|| WorkspaceError::NotFound {
            from: from.to_path_buf(),
        })?;
        Workspace::open(&root)
    }

    /// The workspace whose `netlab.toml` is in `root`.
    pub fn open(root: &Path) -> Result<Workspace, WorkspaceError> {
        let path = root.join(CONFIG);
        let text = std::fs::read_to_string(&path).map_err(|source| WorkspaceError::Io {
            path: path.clone(),
            source,
        })?;
        let language =
            parse_config(&text).map_err(|detail| WorkspaceError::BadConfig { path, detail })?;
        Ok(Workspace {
            root: root.to_path_buf(),
            language,
        })
    }

    /// The folder of `lab` in this workspace.
    pub fn lab_dir(&self, lab: &str) -> PathBuf {
        self.root.join(lab)
    }

    /// Where the learner's program for `lab` lives: `<lab>/client.<ext>`, or `<lab>/server.<ext>`
    /// in a server lab's folder (the name [`Workspace::create`] gave its starter).
    pub fn client_file(&self, lab: &str) -> PathBuf {
        let dir = self.lab_dir(lab);
        let client = dir.join(format!("client.{}", self.language.ext()));
        let server = dir.join(format!("server.{}", self.language.ext()));
        if !client.exists() && server.exists() {
            server
        } else {
            client
        }
    }

    /// The command that runs the learner's client for `lab`, in the lab's folder.
    pub fn client_command(&self, lab: &str) -> Result<ClientCommand, WorkspaceError> {
        let file = self.client_file(lab);
        if !file.is_file() {
            return Err(WorkspaceError::NoClient { file });
        }
        Ok(ClientCommand {
            argv: client_argv(self.language, &file),
            cwd: self.lab_dir(lab),
        })
    }

    /// The lab whose folder `dir` is in (or is), if any: `ROOT/tcp-hello/sub` → `tcp-hello`.
    pub fn lab_at(&self, dir: &Path) -> Option<String> {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let rel = canon(dir)
            .strip_prefix(canon(&self.root))
            .ok()?
            .to_path_buf();
        let first = rel.components().next()?.as_os_str().to_str()?.to_string();
        (!first.starts_with('.') && self.root.join(&first).is_dir()).then_some(first)
    }

    /// The learner's progress file.
    pub fn progress_path(&self) -> PathBuf {
        progress_path(&self.root)
    }

    /// Write a workspace for `language` at `root`: `netlab.toml` and, per lab with a starter in
    /// that language, its client and README. Existing files are never overwritten; the list says
    /// for every file whether it was written (false: it existed and was kept). Prints nothing.
    pub fn create(
        catalog: &Catalog,
        root: &Path,
        language: Language,
    ) -> Result<(Workspace, Vec<(PathBuf, bool)>), WorkspaceError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| WorkspaceError::Io { path, source }
        };
        std::fs::create_dir_all(root).map_err(io(root))?;
        let mut files = Vec::new();
        let mut put = |path: &Path, text: &str| -> Result<(), WorkspaceError> {
            if path.exists() {
                files.push((path.to_path_buf(), false));
                return Ok(());
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::write(path, text).map_err(io(path))?;
            files.push((path.to_path_buf(), true));
            Ok(())
        };
        put(
            &root.join(CONFIG),
            &format!(
                "# A netlab workspace: `netlab check <lab>` here grades <lab>/client.{}\nlanguage = \"{}\"\n",
                language.ext(),
                language.name()
            ),
        )?;
        for entry in &catalog.labs {
            let lab = &entry.lab;
            let Some(starter) = lab.starters.get(&language).and_then(|f| entry.file(f)) else {
                continue;
            };
            let dir = root.join(&lab.id);
            let client = lab.program_file(language);
            put(&dir.join(&client), starter)?;
            let watch = match lab.kind {
                crate::lab::model::LabKind::Client => {
                    "watch the server's timeline while you experiment"
                }
                crate::lab::model::LabKind::Server => {
                    "netlab's own version of the server, to compare with yours"
                }
            };
            let readme = format!(
                "# {}\n\n{}\n\n## Check your {}\n\n```sh\nnetlab check {}          # grades {client}\nnetlab serve {}          # {watch}\n```\n",
                lab.title,
                lab.instructions.trim(),
                lab.kind.word(),
                lab.id,
                lab.scenario
            );
            put(&dir.join("README.md"), &readme)?;
        }
        let ws = Workspace {
            root: root.to_path_buf(),
            language,
        };
        Ok((ws, files))
    }
}

/// netlab's folder in the user's data directory: `$XDG_DATA_HOME/netlab` (when absolute),
/// else `$HOME/.local/share/netlab`, else one in the temporary directory.
pub fn data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir)
        .join("netlab")
}

/// Where a workspace is made when the learner names no folder.
pub fn default_root() -> PathBuf {
    data_dir().join("workspace")
}

/// The state file that remembers the learner's workspace across starts.
pub fn state_path() -> PathBuf {
    data_dir().join("workspace.toml")
}

/// What [`state_path`] holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct State {
    /// The root of the workspace made (or opened) last.
    workspace: PathBuf,
}

/// Remember `root` as the learner's workspace (in [`state_path`]).
pub fn remember(root: &Path) -> Result<(), WorkspaceError> {
    remember_in(&data_dir(), root)
}

/// [`remember`] with netlab's data folder given (written atomically: a temporary file
/// renamed over the old one).
pub fn remember_in(data: &Path, root: &Path) -> Result<(), WorkspaceError> {
    let path = data.join("workspace.toml");
    let io = |source| WorkspaceError::Io {
        path: path.clone(),
        source,
    };
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let text = toml::to_string(&State { workspace: root })
        .map_err(|e| io(std::io::Error::other(e.to_string())))?;
    std::fs::create_dir_all(data).map_err(io)?;
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(
        &tmp,
        format!("# netlab remembers your workspace here\n{text}"),
    )
    .map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)
}

/// The remembered workspace's root in netlab's data folder `data`, if the state file names
/// one that still exists.
pub fn remembered_in(data: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(data.join("workspace.toml")).ok()?;
    let state: State = toml::from_str(&text).ok()?;
    state
        .workspace
        .join(CONFIG)
        .is_file()
        .then_some(state.workspace)
}

/// The root of the learner's workspace seen from `from`: the one around it, else the one
/// remembered in netlab's data folder, else the default one if it exists. Where the CLI
/// and the TUI keep progress and grade from.
pub fn learner_root(from: &Path) -> Option<PathBuf> {
    learner_root_in(from, &data_dir())
}

/// [`learner_root`] with netlab's data folder given.
fn learner_root_in(from: &Path, data: &Path) -> Option<PathBuf> {
    let default = data.join("workspace");
    Workspace::find_root(from)
        .or_else(|| remembered_in(data))
        .or_else(|| Some(default).filter(|r| r.join(CONFIG).is_file()))
}

/// The progress file of the workspace at `root`.
pub fn progress_path(root: &Path) -> PathBuf {
    root.join(".netlab").join("progress.toml")
}

/// The command line that runs `file`, a client in `language`.
pub fn client_argv(language: Language, file: &Path) -> Vec<String> {
    vec![
        language.interpreter().to_string(),
        file.to_string_lossy().into_owned(),
    ]
}

/// The language a `netlab.toml` names; on failure, the parser's message when the file did not
/// parse as TOML (`None` when it parsed but names no known language).
pub fn parse_config(text: &str) -> Result<Language, Option<String>> {
    #[derive(serde::Deserialize)]
    struct Config {
        language: String,
    }
    let cfg: Config =
        toml::from_str(text).map_err(|e| Some(crate::diag::toml_message(text, &e)))?;
    Language::parse(&cfg.language).ok_or(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_workspace_from_a_lab_folder_and_runs_its_client() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::embedded().unwrap();
        let (ws, files) = Workspace::create(&catalog, dir.path(), Language::Python).unwrap();
        assert!(files.iter().all(|(_, written)| *written));
        let found = Workspace::locate(&dir.path().join("tcp-hello")).unwrap();
        assert_eq!(found, ws);
        let cmd = found.client_command("tcp-hello").unwrap();
        assert_eq!(cmd.argv[0], "python3");
        assert!(cmd.argv[1].ends_with("tcp-hello/client.py"));
        assert_eq!(cmd.cwd, dir.path().join("tcp-hello"));
        assert_eq!(
            found.lab_at(&dir.path().join("tcp-hello")).as_deref(),
            Some("tcp-hello")
        );
        assert_eq!(found.lab_at(dir.path()), None);
        assert!(matches!(
            found.client_command("no-such-lab"),
            Err(WorkspaceError::NoClient { .. })
        ));
        // A second create keeps every file.
        let (_, again) = Workspace::create(&catalog, dir.path(), Language::Python).unwrap();
        assert!(again.iter().all(|(_, written)| !*written));
    }

    #[test]
    fn the_state_file_finds_the_workspace_from_anywhere() {
        let data = tempfile::tempdir().unwrap();
        let data = data.path();
        let default = data.join("workspace");
        let elsewhere = tempfile::tempdir().unwrap();
        let find = |from: &Path| Workspace::find_in(from, data);
        assert_eq!(find(elsewhere.path()), None);
        // A workspace at the default place is found without a state file.
        let catalog = Catalog::embedded().unwrap();
        Workspace::create(&catalog, &default, Language::Shell).unwrap();
        assert_eq!(find(elsewhere.path()).unwrap().language, Language::Shell);
        // One made elsewhere and remembered wins over it.
        let mine = tempfile::tempdir().unwrap();
        Workspace::create(&catalog, mine.path(), Language::Python).unwrap();
        remember_in(data, mine.path()).unwrap();
        let found = find(elsewhere.path()).unwrap();
        assert_eq!(found.root, std::fs::canonicalize(mine.path()).unwrap());
        assert_eq!(found.language, Language::Python);
        // The one around the folder wins over both.
        assert_eq!(
            find(&default.join("tcp-hello")).unwrap().language,
            Language::Shell
        );
        // A remembered workspace that is gone is forgotten.
        let gone = mine.path().to_path_buf();
        drop(mine);
        assert!(!gone.exists());
        assert_eq!(find(elsewhere.path()).unwrap().language, Language::Shell);
    }

    #[test]
    fn a_bad_config_is_named() {
        assert_eq!(parse_config("language = \"python\""), Ok(Language::Python));
        assert_eq!(parse_config("language = \"cobol\""), Err(None));
        let e = parse_config("language = ").unwrap_err().unwrap();
        assert!(e.starts_with("1:"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Workspace::locate(dir.path()),
            Err(WorkspaceError::NotFound { .. })
        ));
    }
}

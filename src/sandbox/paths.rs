//! Which paths a client may read, execute or write — computed in netlab from the command
//! line, `PATH` and the run's directories, then enforced by [`super::landlock`].
//!
//! - read + execute: the system directories and the *prefix* of every interpreter the client
//!   may use (`node`, `python3`, `bash`… found through `PATH` and resolved, so a pyenv or nvm
//!   install under `$HOME` works) — never `$HOME` itself or `/`;
//! - read: the learner's own files — the working directory and every existing path named on
//!   the command line (`netlab check lab -- python3 ~/code/client.py` works from anywhere);
//! - read-write: the run's temp dir only.

use std::path::{Path, PathBuf};

/// System directories with libraries, interpreters and configuration.
pub const SYSTEM: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc",
];

/// Device files a client may open read-write.
pub const DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
];

/// Read-only kernel information interpreters look at (CPU count, cgroup memory limits).
pub const SYS_INFO: &[&str] = &["/sys/devices/system/cpu", "/sys/fs/cgroup"];

/// Interpreters a client may start besides its own program.
const INTERPRETERS: &[&str] = &["node", "nodejs", "python3", "python", "bash", "sh"];

/// Read + execute paths: [`SYSTEM`] plus interpreter prefixes for `program`.
pub fn exec_paths(program: Option<&str>, path_var: &str, cwd: &Path) -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut out: Vec<PathBuf> = SYSTEM.iter().map(PathBuf::from).collect();
    let names = program.into_iter().chain(INTERPRETERS.iter().copied());
    for name in names {
        let Some(found) = which(name, path_var, cwd) else {
            continue;
        };
        let mut candidates = vec![found.clone()];
        if let Ok(real) = found.canonicalize() {
            candidates.push(real);
        }
        for c in candidates {
            if let Some(p) = prefix(&c, home.as_deref()) {
                if !out.iter().any(|o| p.starts_with(o)) {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// The directory to grant for an interpreter at `bin`: its install prefix (the parent of its
/// `bin` directory), or only its own directory when the prefix would be `/`, `$HOME` or an
/// ancestor of `$HOME`.
fn prefix(bin: &Path, home: Option<&Path>) -> Option<PathBuf> {
    let dir = bin.parent()?;
    if SYSTEM.iter().any(|s| dir.starts_with(s)) {
        return None;
    }
    let too_wide = |p: &Path| p == Path::new("/") || home.is_some_and(|h| h.starts_with(p));
    match dir.parent() {
        Some(pre) if !too_wide(pre) => Some(pre.to_path_buf()),
        _ if !too_wide(dir) => Some(dir.to_path_buf()),
        _ => None,
    }
}

/// `name` as the shell would find it (relative to `cwd` when it has a slash).
pub fn which(name: &str, path_var: &str, cwd: &Path) -> Option<PathBuf> {
    if name.contains('/') {
        let p = cwd.join(name);
        return p.is_file().then_some(p);
    }
    path_var
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

/// The learner's files: `cwd` and every argument that names an existing path (relative to
/// `cwd`), as given and resolved.
pub fn learner_paths(command: &[String], cwd: &Path) -> Vec<PathBuf> {
    let mut out = vec![cwd.to_path_buf()];
    for arg in command {
        if arg.is_empty() || arg.starts_with('-') && !Path::new(arg).exists() {
            continue;
        }
        let p = cwd.join(arg);
        if p.exists() && p != Path::new("/") {
            out.push(p.clone());
            if let Ok(real) = p.canonicalize() {
                if real != p {
                    out.push(real);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_never_home_or_root() {
        let home = Path::new("/home/t");
        assert_eq!(
            prefix(Path::new("/home/t/.pyenv/shims/python3"), Some(home)),
            Some(PathBuf::from("/home/t/.pyenv"))
        );
        assert_eq!(
            prefix(Path::new("/home/t/bin/node"), Some(home)),
            Some(PathBuf::from("/home/t/bin"))
        );
        assert_eq!(prefix(Path::new("/home/node"), Some(home)), None);
        assert_eq!(prefix(Path::new("/usr/bin/node"), Some(home)), None);
        assert_eq!(
            prefix(Path::new("/opt/node/bin/node"), Some(home)),
            Some(PathBuf::from("/opt/node"))
        );
    }

    #[test]
    fn learner_paths_are_the_cwd_and_named_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("client.py"), "").unwrap();
        let got = learner_paths(
            &["python3".into(), "client.py".into(), "-u".into()],
            dir.path(),
        );
        assert_eq!(got[0], dir.path());
        assert!(got.contains(&dir.path().join("client.py")));
        assert!(!got
            .iter()
            .any(|p| p.ends_with("python3") || p.ends_with("-u")));
    }
}

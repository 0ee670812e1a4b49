//! The client's environment: an allow-list, never netlab's (the teacher's) whole environment.
//!
//! Kept from netlab's environment: `PATH` (to find interpreters), `TERM`, `LANG`, `LANGUAGE`,
//! `LC_*` and `TZ`. Set by netlab: `HOME` and `TMPDIR` (both the run's own temp dir) and the
//! run's `NETLAB_*` variables; `NETLAB_*` variables in netlab's own environment are *not*
//! passed on (they might name another run or the teacher's student id).

use std::ffi::OsString;
use std::path::Path;

/// Whether `name` from netlab's environment reaches the client.
pub fn kept(name: &str) -> bool {
    matches!(name, "PATH" | "TERM" | "LANG" | "LANGUAGE" | "TZ") || name.starts_with("LC_")
}

/// The client's environment: the allowed part of `from`, `HOME`/`TMPDIR` = `home`, then
/// `netlab` (the run's `NETLAB_*` pairs). Names or values that are not UTF-8 are dropped.
pub fn build(
    from: impl IntoIterator<Item = (OsString, OsString)>,
    home: &Path,
    netlab: &[(String, String)],
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = from
        .into_iter()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| kept(k))
        .collect();
    if !env.iter().any(|(k, _)| k == "PATH") {
        env.push(("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()));
    }
    let home = home.to_string_lossy().into_owned();
    env.push(("HOME".into(), home.clone()));
    env.push(("TMPDIR".into(), home));
    env.extend(netlab.iter().cloned());
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_allow_list_and_the_runs_own_variables_pass() {
        let from = [
            ("PATH", "/usr/bin"),
            ("AWS_SECRET_ACCESS_KEY", "hunter2"),
            ("HOME", "/home/teacher"),
            ("LC_ALL", "C.UTF-8"),
            ("NETLAB_PORT", "1"),
            ("SSH_AUTH_SOCK", "/tmp/agent"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let env = build(
            from,
            Path::new("/tmp/run"),
            &[("NETLAB_PORT".into(), "4000".into())],
        );
        let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["PATH", "LC_ALL", "HOME", "TMPDIR", "NETLAB_PORT"]);
        assert!(env.contains(&("HOME".into(), "/tmp/run".into())));
        assert!(env.contains(&("NETLAB_PORT".into(), "4000".into())));
        assert!(!env.iter().any(|(_, v)| v == "hunter2" || v == "1"));
    }

    #[test]
    fn a_missing_path_gets_a_default() {
        let env = build([], Path::new("/t"), &[]);
        assert_eq!(env[0].0, "PATH");
    }
}

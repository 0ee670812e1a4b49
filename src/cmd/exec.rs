//! `netlab exec [--pid PID] -- CMD…`: run the learner's own command inside the network
//! namespace of a running wire-mode netlab (`netlab serve … --wire`), so that its packets are
//! on the loopback netlab captures.
//!
//! It finds the netlab in the registry ([`netlab::wire::netns::live`]), joins its user and
//! network namespaces while this process is still single-threaded (`main` calls [`run`] before
//! anything starts a thread), and then replaces itself with the command (`execvp`): stdin,
//! stdout, stderr and the exit status are the command's own.

use netlab::cli::ExecArgs;
use netlab::wire::netns;
use netlab::{Error, ExitCode};
use std::os::unix::process::CommandExt;

/// What `netlab exec` says when no wire-mode netlab runs.
pub const NONE_RUNNING: &str =
    "no netlab is running with --wire; start one with `netlab serve tcp-echo --wire`";

/// Run `netlab exec`. Returns only when the command could not be run.
pub fn run(args: ExecArgs) -> Result<ExitCode, Error> {
    let live = netns::live();
    let target = match args.pid {
        Some(pid) => live.iter().find(|e| e.pid == pid).cloned().ok_or_else(|| {
            Error::Usage(if live.is_empty() {
                format!(
                    "no netlab with pid {pid} is running with --wire (none is); start one with \
                     `netlab serve tcp-echo --wire`"
                )
            } else {
                format!(
                    "no netlab with pid {pid} is running with --wire; these are:\n{}",
                    list(&live)
                )
            })
        })?,
        None => match live.as_slice() {
            [] => return Err(Error::Usage(NONE_RUNNING.to_string())),
            [only] => only.clone(),
            several => {
                return Err(Error::Usage(format!(
                    "{} netlabs are running with --wire; pick one with --pid:\n{}",
                    several.len(),
                    list(several)
                )))
            }
        },
    };
    netns::join(target.pid).map_err(|e| {
        Error::Io(std::io::Error::other(format!(
            "{e} (is that netlab yours, and still running?)"
        )))
    })?;
    let (program, rest) = args.command.split_first().ok_or_else(|| {
        Error::Usage("which command? e.g. `netlab exec -- nc 127.0.0.1 8124`".into())
    })?;
    let e = std::process::Command::new(program).args(rest).exec();
    Err(Error::Usage(if e.kind() == std::io::ErrorKind::NotFound {
        format!("{program}: command not found")
    } else {
        format!("cannot run {program}: {e}")
    }))
}

fn list(entries: &[netns::Entry]) -> String {
    entries
        .iter()
        .map(|e| format!("  {}", e.describe()))
        .collect::<Vec<_>>()
        .join("\n")
}

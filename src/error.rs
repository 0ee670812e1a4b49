//! Errors the library reports, and the exit code each one maps to.
//!
//! Exit codes are part of netlab's interface (scripts and CI read them): 0 pass, 1 fail,
//! 2 usage, 3 bad course or configuration, 4 internal error.

use std::io;

/// Process exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    /// Everything passed / the command did its job.
    Pass = 0,
    /// A check failed, or the command could not do its job (e.g. the port is taken).
    Fail = 1,
    /// The command line was wrong.
    Usage = 2,
    /// A lesson, lab or configuration file is invalid.
    BadCourse = 3,
    /// A bug in netlab.
    Internal = 4,
}

/// What can go wrong in netlab's library code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario name that is not in the catalogue.
    #[error("unknown scenario `{name}`{}; `netlab serve --list` shows them all", suggestion.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownScenario {
        name: String,
        suggestion: Option<&'static str>,
    },
    /// Binding the server's socket failed.
    #[error("cannot listen on {addr}: {source}{}", hint(source))]
    Bind {
        addr: String,
        #[source]
        source: io::Error,
    },
    /// A lab or lesson file is invalid.
    #[error("{0}")]
    Course(#[from] crate::diag::CourseError),
    /// An unknown lab id.
    #[error(transparent)]
    UnknownLab(#[from] crate::lab::check::UnknownLab),
    /// The learner's workspace (or a client in it) cannot be used.
    #[error(transparent)]
    Workspace(#[from] crate::workspace::WorkspaceError),
    /// Class grading could not start (not a class folder, an unknown lab, a bad results file).
    #[error(transparent)]
    Grade(#[from] crate::grade::GradeError),
    /// A lab run could not happen at all (netlab's problem, not the client's).
    #[error(transparent)]
    Run(#[from] crate::lab::run::RunError),
    /// The command line asked for something impossible.
    #[error("{0}")]
    Usage(String),
    /// Any other I/O failure.
    #[error(transparent)]
    Io(#[from] io::Error),
}

fn hint(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::AddrInUse => {
            " (another program uses it; pick another with --port, or --port 0 for any free port)"
        }
        io::ErrorKind::PermissionDenied => {
            " (ports below 1024 need privileges; use a higher --port)"
        }
        io::ErrorKind::AddrNotAvailable => {
            " (that address is not on this machine; try --host 127.0.0.1)"
        }
        _ => "",
    }
}

impl Error {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::UnknownScenario { .. } | Error::UnknownLab(_) | Error::Usage(_) => {
                ExitCode::Usage
            }
            Error::Workspace(e) => match e {
                crate::workspace::WorkspaceError::Io { .. } => ExitCode::Internal,
                _ => ExitCode::Usage,
            },
            Error::Course(_) => ExitCode::BadCourse,
            // A bad results file given to `grade merge` is the caller's to fix: usage.
            Error::Grade(crate::grade::GradeError::Io(_)) => ExitCode::Internal,
            Error::Grade(_) => ExitCode::Usage,
            Error::Bind { .. } => ExitCode::Fail,
            Error::Io(_) | Error::Run(_) => ExitCode::Internal,
        }
    }
}

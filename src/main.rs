//! The `netlab` binary: parse the command line, run the command, map the outcome to an exit
//! code. Everything else lives in the library.

mod cmd;

use clap::Parser;
use netlab::cli::{Cli, Command};
use netlab::ExitCode;

fn main() -> std::process::ExitCode {
    // A sandbox launcher (netlab re-executed to start a learner's client) never gets further.
    if let Some(code) = netlab::sandbox::launcher_main() {
        return code;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(if e.use_stderr() {
                ExitCode::Usage as u8
            } else {
                ExitCode::Pass as u8
            });
        }
    };
    // Wire mode and `exec` change this process's namespaces, which the kernel allows only
    // while it is single-threaded: before any runtime or thread exists.
    if let Some(Command::Exec(args)) = cli.command {
        let outcome = cmd::exec::run(args);
        return exit(outcome);
    }
    if wants_namespace(&cli.command) {
        netlab::wire::netns::init();
    }
    let course = cli.course.clone();
    let outcome = match cli.command {
        Some(Command::Serve(args)) => cmd::serve::run(args),
        Some(Command::Check(args)) => netlab::sandbox::configure(args.sandbox)
            .map_err(Into::into)
            .and_then(|()| cmd::check::run(course.as_deref(), args)),
        Some(Command::Watch(args)) => netlab::sandbox::configure(args.sandbox)
            .map_err(Into::into)
            .and_then(|()| cmd::watch::run(course.as_deref(), args)),
        Some(Command::Demo(args)) => cmd::demo::run(args),
        Some(Command::Exec(_)) => unreachable!("handled above"),
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "netlab", &mut std::io::stdout());
            Ok(ExitCode::Pass)
        }
        Some(Command::Init(args)) => cmd::init::run(course.as_deref(), args),
        Some(Command::Dev {
            command: netlab::cli::DevCommand::Check(args),
        }) => netlab::sandbox::configure(args.sandbox)
            .map_err(Into::into)
            .and_then(|()| cmd::dev::check(course.as_deref(), args)),
        Some(Command::Dev {
            command: netlab::cli::DevCommand::Schema { dir, check },
        }) => cmd::course::schema(&dir, check),
        Some(Command::Grade(args)) => netlab::sandbox::configure(args.sandbox)
            .map_err(Into::into)
            .and_then(|()| cmd::grade::run(course.as_deref(), args)),
        Some(Command::Book(args)) => cmd::book::run(course.as_deref(), args),
        Some(Command::Trace(args)) => cmd::book::trace(args),
        Some(Command::List(args)) => cmd::course::list(course.as_deref(), args),
        Some(Command::Lesson(args)) => cmd::course::lesson(course.as_deref(), args),
        Some(Command::Validate(args)) => cmd::course::validate(course.as_deref(), args),
        Some(Command::Tui(args)) => netlab::sandbox::configure(args.sandbox)
            .map_err(Into::into)
            .and_then(|()| {
                netlab::tui::run(
                    course.as_deref(),
                    netlab::tui::Options {
                        lesson: args.lesson,
                        step: args.step,
                    },
                )
            }),
        None => netlab::tui::run(course.as_deref(), netlab::tui::Options::default()),
    };
    exit(outcome)
}

/// The exit code for a command's outcome, saying the error first.
fn exit(outcome: Result<ExitCode, netlab::Error>) -> std::process::ExitCode {
    let code = match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("netlab: {}", netlab::errname::rewrite(&e.to_string()));
            e.exit_code()
        }
    };
    std::process::ExitCode::from(code as u8)
}

/// Whether the command runs in the wire view's own network namespace: `serve` and `demo`
/// with `--wire` or `--pcap`, for scenarios that have packets (not Unix sockets).
fn wants_namespace(command: &Option<Command>) -> bool {
    let (wire, scenario) = match command {
        Some(Command::Serve(a)) if !a.list => (a.wire(), a.scenario.clone()),
        Some(Command::Demo(a)) if !a.list => (
            a.wire(),
            a.name
                .as_deref()
                .and_then(netlab::demo::find)
                .map(|d| d.scenario.to_string()),
        ),
        _ => return false,
    };
    wire && scenario
        .as_deref()
        .and_then(netlab::scenario::find)
        .is_some_and(|s| s.transport != netlab::scenario::Transport::Unix)
}

//! `netlab check LAB [-- CMD…]`: grade one client for one lab.
//!
//! With a command, that command is the client. Without one, netlab looks for the learner's
//! workspace (`netlab.toml`, written by `netlab init`, in this folder or a parent) and runs
//! `<lab>/client.<ext>` with the workspace's language.

use netlab::cli::{CheckArgs, CheckFormat};
use netlab::lab::check::{check_one, find_lab, time_limit};
use netlab::lab::Catalog;
use netlab::lab::Status;
use netlab::workspace::{ClientCommand, Workspace};
use netlab::{term, Error, ExitCode};
use std::path::Path;

/// Run `netlab check`.
pub fn run(course: Option<&Path>, args: CheckArgs) -> Result<ExitCode, Error> {
    let catalog = Catalog::load(course)?;
    let here = std::env::current_dir()?;
    let lab = which_lab(args.lab.as_deref(), &here, "check")?;
    let entry = find_lab(&catalog, &lab)?;
    let ClientCommand { argv: command, cwd } = if args.command.is_empty() {
        learner_client(&here, &entry.lab.id)?
    } else {
        ClientCommand {
            argv: args.command.clone(),
            cwd: here.clone(),
        }
    };
    let limit = time_limit(entry, args.timeout);
    netlab::lab::run::set_pcap(args.pcap.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut report = rt.block_on(check_one(entry, &command, &cwd, limit))?;
    report.student = args
        .student
        .clone()
        .or_else(|| std::env::var("NETLAB_STUDENT").ok())
        .or_else(|| std::env::var("GITHUB_ACTOR").ok())
        .filter(|s| !s.is_empty());
    let format = match (args.format, args.json) {
        (Some(f), _) => f,
        (None, true) => CheckFormat::Json,
        (None, false) => CheckFormat::Text,
    };
    match format {
        CheckFormat::Json => println!("{}", report.json()),
        CheckFormat::Text => {
            print!("{}", report.text(term::color_stdout()));
            if args.wire() {
                print_wire(&report, args.pcap.as_deref());
            }
        }
        CheckFormat::Junit => {
            let grade = netlab::grade::from_report(&report);
            let book = netlab::grade::Gradebook {
                students: vec![netlab::grade::StudentGrades {
                    student: report.student.clone().unwrap_or_else(|| "student".into()),
                    labs: vec![grade],
                }],
                incomplete: None,
            };
            print!("{}", netlab::grade::format::junit(&book));
        }
    }
    if args.command.is_empty() {
        // The learner's own client: the result counts towards their progress.
        record_progress(&netlab::course::progress::Store::locate(&here), &report);
    }
    Ok(exit_code(&report))
}

/// `check --wire`: the run's timeline with the wire lane, in time order, under the report.
fn print_wire(report: &netlab::lab::report::Report, pcap: Option<&Path>) {
    use netlab::wire::netns;
    let wire = &report.wire;
    if let Some(why) = &wire.unavailable {
        eprintln!("{}", netns::unavailable_notice(why));
        if let Some(p) = pcap {
            eprintln!("netlab: no packets captured: {} not written", p.display());
        }
    }
    let color = term::color_stdout();
    let mut rows: Vec<_> = report
        .timeline
        .iter()
        .chain(wire.entries.iter())
        .cloned()
        .collect();
    rows.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms).then(a.seq.cmp(&b.seq)));
    let mut out = String::from("\ntimeline");
    out.push_str(if wire.unavailable.is_none() {
        " (with the wire lane):\n"
    } else {
        ":\n"
    });
    let (head, tail) = elided(rows.len());
    for (i, e) in rows.iter().enumerate() {
        if i == head && head + tail < rows.len() {
            out.push_str(&format!(
                "  … {} rows not shown here (`--pcap FILE` keeps every packet for tcpdump or \
                 Wireshark)\n",
                rows.len() - head - tail
            ));
        }
        if i < head || i >= rows.len() - tail {
            out.push_str(&netlab::trace::render::line(e, color));
            out.push('\n');
        }
    }
    print!("{out}");
    if wire.unavailable.is_none() {
        let written = pcap
            .map(|p| format!(", written to {}", p.display()))
            .unwrap_or_default();
        eprintln!(
            "wire: {} packets captured, {} dropped{written}",
            wire.packets, wire.drops
        );
    }
}

/// How many of `n` timeline rows `check --wire` prints from the start and from the end: all of
/// a short run; a bulk run's thousands of packets would bury the report, so its middle is
/// left out (and said so).
fn elided(n: usize) -> (usize, usize) {
    const HEAD: usize = 150;
    const TAIL: usize = 40;
    if n <= HEAD + TAIL + 10 {
        (n, 0)
    } else {
        (HEAD, TAIL)
    }
}

/// The exit code for a report: 0 pass, 1 fail, 2 when the client command could not start.
pub(crate) fn exit_code(report: &netlab::lab::report::Report) -> ExitCode {
    match report.status {
        Status::Pass => ExitCode::Pass,
        // The client command could not be started: the command line names no runnable program.
        Status::Error => ExitCode::Usage,
        _ => ExitCode::Fail,
    }
}

/// Record a check of the learner's own client in their progress file (what the TUI's map and
/// `netlab list` show). A progress file that cannot be written is reported, not fatal.
pub(crate) fn record_progress(
    store: &netlab::course::progress::Store,
    report: &netlab::lab::report::Report,
) {
    let (mut progress, warning) = store.load();
    if let Some(w) = warning {
        eprintln!("netlab: {w}");
    }
    progress.lab(
        &report.lab,
        report.status == Status::Pass,
        report.points,
        report.max_points,
    );
    if let Err(e) = store.save(&progress) {
        eprintln!("netlab: {}", netlab::errname::rewrite(&e.to_string()));
    }
}

/// The lab named on the command line, or the one whose folder of a workspace `here` is in.
pub(crate) fn which_lab(named: Option<&str>, here: &Path, verb: &str) -> Result<String, Error> {
    if let Some(lab) = named {
        return Ok(lab.to_string());
    }
    Workspace::locate(here)
        .ok()
        .and_then(|ws| ws.lab_at(here))
        .ok_or_else(|| {
            Error::Usage(format!(
                "which lab? Give its name (`netlab {verb} tcp-hello`), or run `netlab {verb}` inside a lab's folder of your workspace"
            ))
        })
}

/// The learner's own client for `lab`, from the workspace around `cwd`.
pub(crate) fn learner_client(cwd: &Path, lab: &str) -> Result<ClientCommand, Error> {
    let ws = Workspace::locate_learner(cwd).map_err(|e| match e {
        netlab::workspace::WorkspaceError::NotFound { .. } => Error::Usage(format!(
            "no client command given and no netlab.toml here or above {}: run `netlab init` to make a workspace, or give the client after `--` (e.g. `netlab check {lab} -- node client.js`)",
            cwd.display()
        )),
        other => Error::Workspace(other),
    })?;
    Ok(ws.client_command(lab)?)
}

#[cfg(test)]
mod tests {
    use super::elided;

    #[test]
    fn short_timelines_are_printed_whole_long_ones_lose_their_middle() {
        assert_eq!(elided(0), (0, 0));
        assert_eq!(elided(200), (200, 0));
        assert_eq!(elided(1400), (150, 40));
    }
}

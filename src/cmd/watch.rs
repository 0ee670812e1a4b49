//! `netlab watch [LAB]`: check the learner's own client again on every save, until Ctrl-C
//! (rustlings' `watch`). The same file watcher as the TUI's lab view ([`netlab::watch`]): a
//! save runs exactly one check; reading the file runs none.

use super::check::{learner_client, which_lab};
use netlab::cli::WatchArgs;
use netlab::lab::check::{check_one, find_lab, time_limit};
use netlab::lab::Catalog;
use netlab::watch::FileWatcher;
use netlab::workspace::Workspace;
use netlab::{term, Error, ExitCode};
use std::path::Path;

/// Run `netlab watch`.
pub fn run(course: Option<&Path>, args: WatchArgs) -> Result<ExitCode, Error> {
    let catalog = Catalog::load(course)?;
    let here = std::env::current_dir()?;
    let lab = which_lab(args.lab.as_deref(), &here, "watch")?;
    let entry = find_lab(&catalog, &lab)?;
    let ws = Workspace::locate_learner(&here)?;
    let file = ws.client_file(&lab);
    let limit = time_limit(entry, args.timeout);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (tx, rx) = std::sync::mpsc::channel::<Event>();
    let saves = tx.clone();
    let _watcher = FileWatcher::new(&file, move || {
        let _ = saves.send(Event::Saved);
    })
    .map_err(|e| {
        Error::Usage(format!(
            "{e}; use `netlab check {lab}` after each save instead"
        ))
    })?;
    rt.spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = tx.send(Event::Stop);
    });
    let mut last = ExitCode::Fail;
    loop {
        // One check now, then one per save.
        let store = netlab::course::progress::Store::locate(&here);
        match learner_client(&here, &lab) {
            Ok(client) => {
                let report = rt.block_on(check_one(entry, &client.argv, &client.cwd, limit))?;
                print!("{}", report.text(term::color_stdout()));
                last = super::check::exit_code(&report);
                super::check::record_progress(&store, &report);
            }
            Err(e) => eprintln!("netlab: {}", netlab::errname::rewrite(&e.to_string())),
        }
        println!(
            "\nwatching {} — save it to check again, Ctrl-C to stop",
            file.display()
        );
        match rx.recv() {
            Ok(Event::Saved) => println!("\n── saved: checking again ──\n"),
            Ok(Event::Stop) | Err(_) => return Ok(last),
        }
    }
}

/// What wakes the watch loop.
enum Event {
    Saved,
    Stop,
}

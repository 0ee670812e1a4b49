//! `netlab init [DIR] [--lang node|python|shell]`: write a learner workspace — in DIR, else
//! in the user's data folder ([`netlab::workspace::default_root`], printed) — and remember it,
//! so the TUI and `netlab` started from any folder find it again.
//!
//! ```text
//! DIR/netlab.toml              language = "node"
//! DIR/<lab-id>/client.js       the lab's starter, with TODOs
//! DIR/<lab-id>/README.md       the lab's instructions and how to check
//! ```
//!
//! Existing files are never overwritten (they are reported as kept), so running it again
//! after the course gains labs only adds the new ones.

use netlab::cli::InitArgs;
use netlab::lab::{Catalog, Language};
use netlab::workspace::Workspace;
use netlab::{Error, ExitCode};
use std::path::Path;

/// Run `netlab init`.
pub fn run(course: Option<&Path>, args: InitArgs) -> Result<ExitCode, Error> {
    let lang = Language::parse(&args.lang)
        .ok_or_else(|| Error::Usage(format!("unknown language `{}`", args.lang)))?;
    let catalog = Catalog::load(course)?;
    let given = args.dir.is_some();
    let root = &args.dir.unwrap_or_else(netlab::workspace::default_root);
    if !given {
        println!(
            "Your workspace: {} (netlab init DIR puts it elsewhere)",
            root.display()
        );
    }
    let (ws, files) = Workspace::create(&catalog, root, lang)?;
    if let Err(e) = netlab::workspace::remember(&ws.root) {
        eprintln!("netlab: note: cannot remember the workspace for next time: {e}");
    }
    for (path, written) in &files {
        let what = if *written { "wrote" } else { "kept " };
        println!("  {what}    {}", path.display());
    }
    let written = files.iter().filter(|(_, w)| *w).count();
    println!(
        "\n{written} file(s) written, {} kept. Next: edit a lab's client.{} in {} and run `netlab check <lab>` (from any folder: netlab remembers this workspace).",
        files.len() - written,
        lang.ext(),
        root.display()
    );
    Ok(ExitCode::Pass)
}

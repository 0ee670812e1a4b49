//! `netlab init [DIR] [--lang node|python|shell]`: write a learner workspace.
//!
//! ```text
//! DIR/netlab.toml              language = "node"
//! DIR/<lab-id>/client.js       the lab's starter, with TODOs
//! DIR/<lab-id>/README.md       the lab's instructions and how to check
//! ```
//!
//! Existing files are never overwritten (they are reported as kept), so running it again
//! after the course gains labs only adds the new ones.

use crate::cli::InitArgs;
use crate::lab::{Catalog, Language};
use crate::{Error, ExitCode};
use std::path::{Path, PathBuf};

/// Run `netlab init`.
pub fn run(course: Option<&Path>, args: InitArgs) -> Result<ExitCode, Error> {
    let lang = Language::parse(&args.lang)
        .ok_or_else(|| Error::Usage(format!("unknown language `{}`", args.lang)))?;
    let catalog = Catalog::load(course)?;
    let root = &args.dir;
    let files = write_workspace(&catalog, root, lang)?;
    for (path, written) in &files {
        let what = if *written { "wrote" } else { "kept " };
        println!("  {what}    {}", path.display());
    }
    let written = files.iter().filter(|(_, w)| *w).count();
    println!(
        "\n{written} file(s) written, {} kept. Next: edit a lab's client.{} and run `netlab check <lab>` in {}.",
        files.len() - written,
        lang.ext(),
        root.display()
    );
    Ok(ExitCode::Pass)
}

/// Write a workspace for `lang` at `root`: every file and whether it was written (false: it
/// existed and was kept). Prints nothing, so the TUI can call it too.
pub fn write_workspace(
    catalog: &Catalog,
    root: &Path,
    lang: Language,
) -> Result<Vec<(PathBuf, bool)>, Error> {
    std::fs::create_dir_all(root)?;
    let mut files = Vec::new();
    let mut put = |path: &Path, text: &str| -> Result<(), Error> {
        if path.exists() {
            files.push((path.to_path_buf(), false));
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
        files.push((path.to_path_buf(), true));
        Ok(())
    };
    put(
        &root.join("netlab.toml"),
        &format!(
            "# A netlab workspace: `netlab check <lab>` here grades <lab>/client.{}\nlanguage = \"{}\"\n",
            lang.ext(),
            lang.name()
        ),
    )?;
    for entry in &catalog.labs {
        let lab = &entry.lab;
        let Some(starter) = lab.starters.get(&lang).and_then(|f| entry.file(f)) else {
            continue;
        };
        let dir = root.join(&lab.id);
        let client = format!("client.{}", lang.ext());
        put(&dir.join(&client), starter)?;
        let readme = format!(
            "# {}\n\n{}\n\n## Check your client\n\n```sh\nnetlab check {}          # grades {client}\nnetlab serve {}          # watch the server's timeline while you experiment\n```\n",
            lab.title,
            lab.instructions.trim(),
            lab.id,
            lab.scenario
        );
        put(&dir.join("README.md"), &readme)?;
    }
    Ok(files)
}

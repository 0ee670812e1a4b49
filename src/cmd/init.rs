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
use std::path::Path;

/// Run `netlab init`.
pub fn run(course: Option<&Path>, args: InitArgs) -> Result<ExitCode, Error> {
    let lang = Language::parse(&args.lang)
        .ok_or_else(|| Error::Usage(format!("unknown language `{}`", args.lang)))?;
    let catalog = Catalog::load(course)?;
    let root = &args.dir;
    std::fs::create_dir_all(root)?;
    let mut written = 0;
    let mut kept = 0;
    let mut put = |path: &Path, text: &str| -> Result<(), Error> {
        if path.exists() {
            kept += 1;
            println!("  kept     {}", path.display());
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
        written += 1;
        println!("  wrote    {}", path.display());
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
    println!(
        "\n{written} file(s) written, {kept} kept. Next: edit a lab's client.{} and run `netlab check <lab>` in {}.",
        lang.ext(),
        root.display()
    );
    Ok(ExitCode::Pass)
}

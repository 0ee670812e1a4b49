//! Checks on how a client splits a byte stream into messages: the framing lesson's lab.

use super::{fail, Ctx, Outcome};
use crate::trace::escape;

/// Every line the client printed ends with a whole line the server sent, never with a piece of
/// one (the part of a line that one `data` chunk carried).
pub fn whole_lines(ctx: &Ctx) -> Outcome {
    let mut sent = Vec::new();
    for c in &ctx.view.conns {
        for (_, p) in &c.writes {
            sent.extend_from_slice(&p.head);
        }
    }
    let sent = String::from_utf8_lossy(&sent).into_owned();
    // Whole lines end in \n; what follows the last \n is a line not finished yet.
    let mut pieces: Vec<&str> = sent.split('\n').collect();
    let tail = pieces.pop().unwrap_or_default();
    let lines: Vec<&str> = pieces.into_iter().filter(|l| !l.is_empty()).collect();
    let out = String::from_utf8_lossy(&ctx.run.client.stdout).into_owned();
    for printed in out.lines() {
        let Some(word) = printed.split_whitespace().last() else {
            continue;
        };
        if lines.contains(&word) {
            continue;
        }
        let part = lines
            .iter()
            .find(|l| l.len() > word.len() && (l.starts_with(word) || l.ends_with(word)))
            .map(|whole| {
                let half = if whole.starts_with(word) {
                    "the start"
                } else {
                    "the end"
                };
                format!(
                    "`{word}` is only {half} of the line `{whole}`: that line arrived split \
                     across two `data` chunks"
                )
            })
            .or_else(|| {
                (!tail.is_empty() && tail.starts_with(word)).then(|| {
                    format!(
                        "`{word}` is only the start of a line whose end had not arrived yet \
                         (no \\n after it)"
                    )
                })
            });
        if let Some(part) = part {
            return fail(format!(
                "you printed `{}` as a line, but {part}. A chunk is not a message — keep the \
                 unfinished end of each chunk and print a line only once its \\n has arrived",
                escape(printed.as_bytes())
            ));
        }
    }
    Ok(())
}

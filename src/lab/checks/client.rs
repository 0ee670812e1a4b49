//! Checks on the client's own process (its output and exit status) and on the whole trace.

use super::{fail, fail_with, Ctx, Failure, Outcome};
use crate::lab::diff::{line_diff, normalize, resolve_optional, trim_output};
use crate::lab::run::ExitStatus;

/// The server-side canonical trace matches the lab's `expected_trace`.
pub fn trace(ctx: &Ctx) -> Outcome {
    let expected = ctx.lab.expected_trace.as_deref().unwrap_or_default();
    let actual = ctx.run.trace.to_string();
    let want = resolve_optional(expected, &actual);
    if normalize(&want) == normalize(&actual) {
        Ok(())
    } else {
        fail_with(
            "the server's timeline differs from the expected one",
            line_diff(&want, &actual),
        )
    }
}

/// Standard output matches `expected_stdout` (after trimming) or `expected_stdout_regex`.
pub fn stdout(ctx: &Ctx) -> Outcome {
    let got = trim_output(&String::from_utf8_lossy(&ctx.run.client.stdout));
    if let Some(want) = &ctx.lab.expected_stdout {
        let template = trim_output(want);
        let want = trim_output(&ctx.fill(want));
        if got == want {
            return Ok(());
        }
        // The sample text without this run's token: a literal, not what the server sent.
        let literal = |s: &str| s.replace(" {nonce}", "").replace("{nonce}", "");
        if let Some(n) = ctx
            .run
            .nonce
            .as_deref()
            .filter(|_| template.contains("{nonce}"))
        {
            if !got.contains(n) && (got == literal(&template) || got.contains(&literal(&template)))
            {
                return fail_with(
                    format!(
                        "your client printed what it did not receive: this run the server sent the token `{n}` (it changes every run), and your output does not have it — print the bytes you read, not a fixed string"
                    ),
                    line_diff(&want, &got),
                );
            }
        }
        let hint = if got.is_empty() {
            "your client printed nothing"
        } else if got.to_lowercase() == want.to_lowercase() {
            "only upper/lower case differs"
        } else if got.replace(['\r', '"', '\''], "") == want {
            "check for stray quotes or \\r characters"
        } else {
            "your client printed something else"
        };
        return fail_with(hint, line_diff(&want, &got));
    }
    if let Some(re) = &ctx.lab.expected_stdout_regex {
        // `{nonce}` stands for this run's token (hex: nothing to escape).
        let re = ctx.fill(re);
        let re = regex::Regex::new(&format!("^(?:{re})$")).map_err(|e| Failure {
            specific: e.to_string(),
            output: None,
            blocked: None,
        })?;
        if re.is_match(&got) {
            return Ok(());
        }
        if let Some(n) = ctx.run.nonce.as_deref() {
            if ctx
                .lab
                .expected_stdout_regex
                .as_deref()
                .is_some_and(|r| r.contains("{nonce}"))
                && !got.contains(n)
                && got.contains("Hello World")
            {
                return fail_with(
                    format!(
                        "your client printed what it did not receive: this run the server sent the token `{n}` (it changes every run), and your output does not have it — print the bytes you read, not a fixed string"
                    ),
                    format!("your output:\n{got}"),
                );
            }
        }
        return fail_with(
            format!("the output does not match /{}/", re.as_str()),
            format!("your output:\n{got}"),
        );
    }
    Ok(())
}

/// The client exited by itself with status 0 within the limit.
pub fn exit_zero(ctx: &Ctx) -> Outcome {
    match &ctx.run.client.status {
        ExitStatus::Exited { code: 0 } => Ok(()),
        ExitStatus::Exited { code } => fail(format!("your client exited with status {code}")),
        ExitStatus::Signaled { signal } => fail(format!(
            "your client was killed by signal {signal} ({})",
            nix::sys::signal::Signal::try_from(*signal)
                .map(|s| s.as_str())
                .unwrap_or("?")
        )),
        ExitStatus::TimedOut => fail(format!(
            "your client was still running after the time limit ({}) and was stopped{}",
            ctx.limit_text(),
            waiting_for_fin(ctx).unwrap_or_default()
        )),
        ExitStatus::NotStarted { error } => fail(format!("your client could not start: {error}")),
    }
}

/// Why a stopped client may have hung: a connection where neither side had ended when netlab
/// stopped it — the server was waiting for the client's FIN, the client for the server's.
fn waiting_for_fin(ctx: &Ctx) -> Option<String> {
    let stop = ctx.stopped_ms()?;
    let before = |m: Option<crate::lab::view::Mark>| m.is_some_and(|m| m.t_ms < stop);
    let c = ctx
        .view
        .conns
        .iter()
        .find(|c| !before(c.end) && !before(c.finish) && c.error.is_none())?;
    Some(format!(
        ": you never ended your side of conn{}, so the server never ended its side either — it \
         was waiting for your FIN while your client waited for its EOF. Send a FIN once you \
         have sent everything (end() in Node, shutdown(SHUT_WR) in Python, closing the \
         descriptor in bash), then read until EOF",
        c.conn
    ))
}

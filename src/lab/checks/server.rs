//! Server labs: a `step` check passes when netlab's clients saw the learner's server do that
//! step right; a failure carries what they measured and the step's client-side transcript.

use super::{blocked, fail_with, Ctx, Outcome};

/// The driver's step `name`.
pub fn step(ctx: &Ctx, name: &str) -> Outcome {
    let steps = &ctx.run.steps;
    let Some(s) = steps.iter().find(|s| s.name == name) else {
        // Not run: the server never listened, exited, or the drive ran out of time before
        // it. The last failure is the one that stopped the drive.
        let why = steps
            .iter()
            .rev()
            .find(|s| !s.ok)
            .map(|s| s.detail.clone())
            .unwrap_or_else(|| "this step did not run".into());
        if why.starts_with("your server exited") || why.starts_with("your server was killed") {
            let short = why.split(';').next().unwrap_or(&why);
            return blocked(
                &format!("netlab's clients never got to this step: {short}"),
                why.clone(),
            );
        }
        return blocked("netlab's clients never got to this step", why);
    };
    if s.ok {
        return Ok(());
    }
    if s.transcript.is_empty() {
        return super::fail(s.detail.clone());
    }
    fail_with(
        s.detail.clone(),
        format!(
            "what netlab's clients did and saw:\n{}",
            s.transcript.join("\n")
        ),
    )
}

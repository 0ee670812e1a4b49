//! Checks on how a client copes with a server that never answers: the errors lesson's lab.

use super::{fail, Ctx, Outcome};
use crate::trace::{Event, Scope};

/// On every connection where the server never wrote a byte and never closed first, the client
/// gave up (its FIN or an error reached the server) before netlab stopped it.
pub fn gave_up_on_silence(ctx: &Ctx) -> Outcome {
    let server_acted = |conn: u32| {
        ctx.run.entries.iter().any(|e| {
            e.scope == Scope::Conn { conn }
                && matches!(
                    e.event,
                    Event::Write { .. } | Event::Destroy { .. } | Event::EndCall { .. }
                )
                && ctx
                    .view
                    .conns
                    .iter()
                    .any(|c| c.conn == conn && c.end.is_none_or(|end| e.seq < end.seq))
        })
    };
    let stop = ctx.stopped_ms();
    for c in ctx.view.conns.iter().filter(|c| !server_acted(c.conn)) {
        let gone = c.end.or(c.error.as_ref().map(|(m, _)| *m)).map(|m| m.t_ms);
        let gave_up = match (gone, stop) {
            (None, _) => false,
            (Some(t), Some(stop)) => t < stop,
            (Some(_), None) => true,
        };
        if !gave_up {
            return fail(format!(
                "the server never answered on conn{} and your client was still waiting when \
                 netlab stopped it at the time limit ({}): set a timeout and give up when it \
                 fires — socket.setTimeout(1000) in Node, settimeout(1) in Python, curl \
                 --max-time 1 or read -t 1 in bash",
                c.conn,
                ctx.limit_text()
            ));
        }
    }
    Ok(())
}

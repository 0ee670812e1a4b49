//! Checks on HTTP requests as the server parsed them.

use super::{blocked, fail, plural, Ctx, Outcome};
use crate::lab::view::RequestKind;

/// The server saw `count` requests in all (upgrades and CONNECTs included).
pub fn requests(ctx: &Ctx, count: u32) -> Outcome {
    let n = ctx.view.requests.len();
    if n == count as usize {
        Ok(())
    } else {
        fail(format!(
            "the server saw {n} request{}, expected {count}{}",
            plural(n),
            refusal(ctx).map(|r| format!("; {r}")).unwrap_or_default()
        ))
    }
}

/// The first head the server refused, in words: the status it answered and why.
pub fn refusal(ctx: &Ctx) -> Option<String> {
    let has_request = |conn| ctx.view.requests.iter().any(|r| r.conn == conn);
    ctx.view.conns.iter().filter(|c| !has_request(c.conn)).find_map(|c| {
        let status = c.client_error.as_ref().map(|(_, s)| *s).or(c.raw_status())?;
        let code = c.client_error.as_ref().map(|(code, _)| code.as_str());
        let why = match (status, code) {
            (400, None) => "HTTP/1.1 requires a Host header — send `Host: <host>:<port>` in every request".to_string(),
            (417, _) => "the only `Expect` the server accepts is `100-continue`".to_string(),
            (431, _) => "your request head was larger than the server accepts (16 KiB)".to_string(),
            (408, _) => "your request head did not arrive in time (send the whole head, ending with an empty line)".to_string(),
            (_, Some(code)) => format!("it could not parse your request ({code}): check the request line and that every line ends with \\r\\n"),
            (s, None) if s < 400 => return None,
            (_, None) => "it refused your request head".to_string(),
        };
        let out = String::from_utf8_lossy(&ctx.run.client.stdout);
        let printed = if out.split_whitespace().any(|w| w == status.to_string()) {
            format!("; the `{status}` your client printed is that answer")
        } else {
            String::new()
        };
        Some(format!(
            "on conn{} the server answered {status} {} because {why}{printed}",
            c.conn,
            reason(status)
        ))
    })
}

/// The reason phrase Node sends with `status`.
fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        408 => "Request Timeout",
        417 => "Expectation Failed",
        431 => "Request Header Fields Too Large",
        _ => "",
    }
}

/// `the server saw no HTTP request`, with the refusal when there was one.
fn no_request(ctx: &Ctx) -> Outcome {
    blocked(
        "the server saw no HTTP request",
        format!(
            "the server saw no HTTP request{}",
            refusal(ctx).map(|r| format!("; {r}")).unwrap_or_default()
        ),
    )
}

/// Every request was `method url` (`url` ending in `*`: a prefix).
pub fn requested(ctx: &Ctx, method: &str, url: &str) -> Outcome {
    if ctx.view.requests.is_empty() {
        return no_request(ctx);
    }
    for r in &ctx.view.requests {
        let url_ok = match url.strip_suffix('*') {
            Some(prefix) => r.url.starts_with(prefix),
            None => r.url == url,
        };
        if r.method != method || !url_ok {
            let answered = r
                .status
                .map(|s| format!(" (it answered {s})"))
                .unwrap_or_default();
            return fail(format!(
                "the server saw `{} {}`, expected `{method} {url}`{answered}",
                r.method, r.url
            ));
        }
    }
    Ok(())
}

/// Every request carried `name: value`.
pub fn request_header(ctx: &Ctx, name: &str, value: &str) -> Outcome {
    if ctx.view.requests.is_empty() {
        return no_request(ctx);
    }
    for r in &ctx.view.requests {
        let (m, u) = (&r.method, &r.url);
        match r.header(name) {
            Some(v) if v == value => {}
            Some(v) => {
                return fail(format!(
                    "`{m} {u}` carried `{name}: {v}`, expected `{name}: {value}`"
                ))
            }
            None => return fail(format!("`{m} {u}` had no `{name}` header")),
        }
    }
    Ok(())
}

/// No request body arrived before the server's `100 Continue` on its connection.
pub fn body_after_continue(ctx: &Ctx) -> Outcome {
    let mut early = ctx.view.requests.iter().filter_map(|r| {
        let (at, _) = r.body?;
        let cont = ctx.view.conns.iter().find(|c| c.conn == r.conn)?;
        let continued = cont.continue_sent().is_some_and(|c| c.seq < at.seq);
        (!continued).then_some(at)
    });
    match early.next() {
        Some(at) => fail(format!(
            "your body arrived at {:.0} ms, before the server's 100 Continue: wait for it (the server delays it ~300 ms)",
            at.t_ms
        )),
        None => Ok(()),
    }
}

/// An upgrade or CONNECT happened, and nothing was sent on it before the server's 101/200.
pub fn silent_until_switch(ctx: &Ctx) -> Outcome {
    let reqs = &ctx.view.requests;
    let switched = reqs
        .iter()
        .any(|r| matches!(r.kind, RequestKind::Upgrade | RequestKind::Connect));
    if !switched {
        return fail("the server saw no upgrade or CONNECT request");
    }
    match reqs.iter().filter_map(|r| r.body).min_by_key(|(m, _)| m.seq) {
        Some((_, bytes)) => fail(format!(
            "you sent {bytes} byte(s) before the server switched protocols: wait for the whole 101/200 response first"
        )),
        None => Ok(()),
    }
}

/// Requests in flight (received, not yet answered) never exceeded `max` and reached `peak`.
pub fn in_flight(ctx: &Ctx, max: u32, peak: u32) -> Outcome {
    let mut steps: Vec<(u64, i64)> = Vec::new();
    for r in &ctx.view.requests {
        if r.kind == RequestKind::Plain {
            steps.push((r.at.seq, 1));
        }
        if let Some(f) = r.finished {
            steps.push((f.seq, -1));
        }
    }
    steps.sort_unstable();
    let (mut now, mut top) = (0i64, 0i64);
    for (_, d) in steps {
        now += d;
        top = top.max(now);
    }
    if top > i64::from(max) {
        fail(format!(
            "{top} requests were in flight at once; the limit is {max}"
        ))
    } else if top != i64::from(peak) {
        fail(format!(
            "at most {top} request(s) were in flight at once; expected {peak} at the peak"
        ))
    } else {
        Ok(())
    }
}

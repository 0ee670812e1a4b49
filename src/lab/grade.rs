//! Grading one run: each check of the lab against what the server observed.
//!
//! Checks read the server-side canonical trace (robust to TCP segmentation and to connection
//! order) and, where order across directions matters (`waited_for`, `read_to_end`), the
//! timeline itself. A check whose prerequisite failed is reported as skipped, with the reason.
//! A run where the server saw nothing can never pass.

use super::model::{Check, CheckKind, Lab};
use super::run::{ExitStatus, RunResult};
use crate::trace::canon::{CanonTrace, Item, Lane};
use crate::trace::{escape, unescape, Entry, Event, Scope};
use serde::Serialize;

/// Outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Skip,
}

/// One check's result, as reported.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct CheckResult {
    pub name: String,
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    /// Why it failed or was skipped, in plain words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Supporting detail: a diff, a hex dump.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

/// A failed check's explanation: the lab's sentence plus what netlab measured.
struct Failure {
    specific: String,
    output: Option<String>,
}

fn fail(specific: impl Into<String>) -> Result<(), Failure> {
    Err(Failure {
        specific: specific.into(),
        output: None,
    })
}

/// Grade `run` against `lab`.
pub fn grade(lab: &Lab, run: &RunResult) -> Vec<CheckResult> {
    let mut results: Vec<CheckResult> = Vec::new();
    for check in &lab.checks {
        let failed_dep = check.depends.iter().find(|d| {
            results
                .iter()
                .any(|r| &r.name == *d && r.status != Status::Pass)
        });
        let r = if let Some(dep) = failed_dep {
            CheckResult {
                name: check.name.clone(),
                status: Status::Skip,
                points: 0,
                max_points: check.points,
                message: Some(format!("skipped: it needs `{dep}`, which did not pass")),
                output: None,
            }
        } else {
            match evaluate(lab, check, run) {
                Ok(()) => CheckResult {
                    name: check.name.clone(),
                    status: Status::Pass,
                    points: check.points,
                    max_points: check.points,
                    message: None,
                    output: None,
                },
                Err(f) => CheckResult {
                    name: check.name.clone(),
                    status: Status::Fail,
                    points: 0,
                    max_points: check.points,
                    message: Some(if f.specific.is_empty() {
                        check.fail.clone()
                    } else {
                        format!("{} ({})", check.fail, f.specific)
                    }),
                    output: f.output,
                },
            }
        };
        results.push(r);
    }
    results
}

/// The server's connection blocks (`connN`), with their lines.
fn conns(trace: &CanonTrace) -> Vec<&crate::trace::canon::Block> {
    trace
        .blocks
        .iter()
        .filter(|b| b.name.starts_with("conn") && !b.name.contains('.'))
        .collect()
}

/// UDP datagrams the server received: (count, head).
fn datagrams(trace: &CanonTrace) -> Vec<(u64, Vec<u8>)> {
    trace
        .block("server")
        .map(|b| {
            b.lines
                .iter()
                .filter_map(|l| match &l.item {
                    Item::Bytes {
                        event, count, head, ..
                    } if event == "message" => Some((*count, head.clone())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn connection_count(trace: &CanonTrace) -> usize {
    trace
        .block("server")
        .map(|b| {
            b.lines
                .iter()
                .filter(|l| l.item == Item::Plain("connection".into()))
                .count()
        })
        .unwrap_or(0)
}

/// True when the server saw anything from a client at all.
pub fn anything_seen(trace: &CanonTrace) -> bool {
    connection_count(trace) > 0 || !datagrams(trace).is_empty()
}

/// The bytes a connection received, if netlab kept them all (up to its head cap).
fn received(block: &crate::trace::canon::Block) -> (u64, Vec<u8>, bool) {
    for l in &block.lines {
        if let (
            Lane::Rx,
            Item::Bytes {
                event,
                count,
                head,
                head_complete,
                ..
            },
        ) = (l.lane, &l.item)
        {
            if event == "data" {
                return (*count, head.clone(), *head_complete);
            }
        }
    }
    (0, Vec::new(), true)
}

fn has(block: &crate::trace::canon::Block, words: &str) -> bool {
    block.lines.iter().any(
        |l| matches!(&l.item, Item::Plain(p) if p == words || p.starts_with(&format!("{words} "))),
    )
}

fn evaluate(lab: &Lab, check: &Check, run: &RunResult) -> Result<(), Failure> {
    let trace = &run.trace;
    match &check.kind {
        CheckKind::Connected => {
            if anything_seen(trace) {
                Ok(())
            } else {
                fail("the server saw no connection and no datagram")
            }
        }
        CheckKind::Connections { count } => {
            let udp = lab_is_udp(lab);
            let seen = if udp {
                datagrams(trace).len()
            } else {
                connection_count(trace)
            };
            if seen == *count as usize {
                Ok(())
            } else {
                let what = if udp { "datagram" } else { "connection" };
                fail(format!(
                    "the server saw {seen} {what}{}, expected {count}",
                    if seen == 1 { "" } else { "s" }
                ))
            }
        }
        CheckKind::Sent { bytes } => {
            let want = unescape(bytes).unwrap_or_default();
            let got: Vec<(u64, Vec<u8>, bool)> = if lab_is_udp(lab) {
                datagrams(trace)
                    .into_iter()
                    .map(|(n, h)| (n, h, true))
                    .collect()
            } else {
                conns(trace).into_iter().map(received).collect()
            };
            if got.is_empty() {
                return fail("nothing arrived");
            }
            for (count, head, complete) in got {
                if count == want.len() as u64 && head == want {
                    continue;
                }
                let shown = head;
                return Err(Failure {
                    specific: format!(
                        "expected \"{}\" ({} B), the server received \"{}\"{} ({count} B)",
                        escape(&want),
                        want.len(),
                        escape(&shown[..shown.len().min(80)]),
                        if shown.len() > 80 || !complete {
                            "…"
                        } else {
                            ""
                        }
                    ),
                    output: Some(hex_diff(&want, &shown)),
                });
            }
            Ok(())
        }
        CheckKind::EndedWithFin => {
            let cs = conns(trace);
            if cs.is_empty() {
                return fail("there was no connection to close");
            }
            for b in cs {
                if let Some(Item::Plain(e)) = b
                    .lines
                    .iter()
                    .map(|l| &l.item)
                    .find(|i| matches!(i, Item::Plain(p) if p.starts_with("error ")))
                {
                    let code = e.trim_start_matches("error ");
                    return fail(if code == "ECONNRESET" {
                        "the server saw a reset (ECONNRESET) where it expected your end(): close with end() / shutdown, not destroy() or an abrupt exit with unread data".to_string()
                    } else {
                        format!("the server saw error {code} on {}", b.name)
                    });
                }
                if !has(b, "end") {
                    return fail(format!(
                        "{} never received your FIN: the connection was still open when your client stopped",
                        b.name
                    ));
                }
            }
            Ok(())
        }
        CheckKind::WaitedFor { bytes } => {
            let want = unescape(bytes).unwrap_or_default();
            for conn in conn_numbers(&run.entries) {
                let scope = Scope::Conn { conn };
                let greeting = run.entries.iter().find(|e| {
                    e.scope == scope
                        && matches!(&e.event, Event::Write { .. })
                        && e.event.preview().is_some_and(|p| p.head.starts_with(&want))
                });
                let first_data = run
                    .entries
                    .iter()
                    .find(|e| e.scope == scope && matches!(e.event, Event::Data { .. }));
                match (greeting, first_data) {
                    (Some(g), Some(d)) if d.seq < g.seq => {
                        return fail(format!(
                            "you spoke before the server's greeting: your first bytes arrived at {:.0} ms, the greeting was sent at {:.0} ms",
                            d.t_ms, g.t_ms
                        ))
                    }
                    (None, Some(_)) => {
                        return fail("you sent data and the server never got to greet you")
                    }
                    _ => {}
                }
            }
            Ok(())
        }
        CheckKind::Event { event } => {
            let cs = conns(trace);
            if cs.is_empty() {
                return fail("there was no connection");
            }
            for b in cs {
                if !has(b, event) {
                    // Say what happened instead, when the timeline knows (a TLS failure, an error).
                    let instead = b.lines.iter().find_map(|l| match &l.item {
                        Item::Plain(p)
                            if p.starts_with("tlsClientError") || p.starts_with("error ") =>
                        {
                            Some(format!("; it shows `{p}` instead"))
                        }
                        _ => None,
                    });
                    return fail(format!(
                        "the server's timeline shows no `{event}` on {}{}",
                        b.name,
                        instead.unwrap_or_default()
                    ));
                }
            }
            Ok(())
        }
        CheckKind::ReadToEnd => {
            for conn in conn_numbers(&run.entries) {
                let scope = Scope::Conn { conn };
                let at = |pred: &dyn Fn(&Event) -> bool| {
                    run.entries
                        .iter()
                        .find(|e| e.scope == scope && pred(&e.event))
                        .map(|e| e.seq)
                };
                let finish = at(&|e| matches!(e, Event::Finish));
                let closed = at(&|e| matches!(e, Event::End | Event::Error { .. }));
                match (finish, closed) {
                    (Some(f), Some(c)) if f < c => {}
                    (_, Some(_)) => {
                        return fail(
                            "your client closed before the server had finished sending: read until the server ends (your read returns EOF), then close",
                        )
                    }
                    _ => {}
                }
            }
            Ok(())
        }
        CheckKind::Trace => {
            let expected = lab.expected_trace.as_deref().unwrap_or_default();
            let actual = trace.to_string();
            let want = resolve_optional(expected, &actual);
            if normalize(&want) == normalize(&actual) {
                Ok(())
            } else {
                Err(Failure {
                    specific: "the server's timeline differs from the expected one".into(),
                    output: Some(line_diff(&want, &actual)),
                })
            }
        }
        CheckKind::Stdout => {
            let got = trim_output(&String::from_utf8_lossy(&run.client.stdout));
            if let Some(want) = &lab.expected_stdout {
                let want = trim_output(want);
                if got == want {
                    return Ok(());
                }
                let hint = if got.is_empty() {
                    "your client printed nothing".to_string()
                } else if got.to_lowercase() == want.to_lowercase() {
                    "only upper/lower case differs".to_string()
                } else if got.replace(['\r', '"', '\''], "") == want {
                    "check for stray quotes or \\r characters".to_string()
                } else {
                    "your client printed something else".to_string()
                };
                return Err(Failure {
                    specific: hint,
                    output: Some(line_diff(&want, &got)),
                });
            }
            if let Some(re) = &lab.expected_stdout_regex {
                let re = regex::Regex::new(&format!("^(?:{re})$")).map_err(|e| Failure {
                    specific: e.to_string(),
                    output: None,
                })?;
                if re.is_match(&got) {
                    return Ok(());
                }
                return Err(Failure {
                    specific: format!("the output does not match /{}/", re.as_str()),
                    output: Some(format!("your output:\n{got}")),
                });
            }
            Ok(())
        }
        CheckKind::Requests { count } => {
            let n = requests(&run.entries).len();
            if n == *count as usize {
                Ok(())
            } else {
                fail(format!(
                    "the server saw {n} request{}, expected {count}",
                    if n == 1 { "" } else { "s" }
                ))
            }
        }
        CheckKind::Requested { method, url } => {
            let reqs = requests(&run.entries);
            if reqs.is_empty() {
                return fail("the server saw no HTTP request");
            }
            for (_, m, u, _) in &reqs {
                let url_ok = match url.strip_suffix('*') {
                    Some(prefix) => u.starts_with(prefix),
                    None => u == url,
                };
                if m != method || !url_ok {
                    return fail(format!(
                        "the server saw `{m} {u}`, expected `{method} {url}`"
                    ));
                }
            }
            Ok(())
        }
        CheckKind::RequestHeader {
            header: name,
            value,
        } => {
            let reqs = requests(&run.entries);
            if reqs.is_empty() {
                return fail("the server saw no HTTP request");
            }
            for (_, m, u, headers) in &reqs {
                let got = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str());
                match got {
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
        CheckKind::BodyAfterContinue => {
            for e in run.entries.iter() {
                if let (Scope::Request { conn, .. }, Event::Data { .. }) = (&e.scope, &e.event) {
                    let continued = run.entries.iter().any(|w| {
                        w.seq < e.seq
                            && w.scope == Scope::Conn { conn: *conn }
                            && matches!(&w.event, Event::Write { text, .. } if text.starts_with("HTTP/1.1 100 Continue"))
                    });
                    if !continued {
                        return fail(format!(
                            "your body arrived at {:.0} ms, before the server's 100 Continue: wait for it (the server delays it ~300 ms)",
                            e.t_ms
                        ));
                    }
                }
            }
            Ok(())
        }
        CheckKind::SilentUntilSwitch => {
            let switched = run.entries.iter().any(|e| {
                matches!(
                    &e.event,
                    Event::Upgrade { .. } | Event::ConnectRequest { .. }
                )
            });
            if !switched {
                return fail("the server saw no upgrade or CONNECT request");
            }
            if let Some(e) = run.entries.iter().find(|e| {
                matches!(e.scope, Scope::Request { .. }) && matches!(e.event, Event::Data { .. })
            }) {
                return fail(format!(
                    "you sent {} byte(s) before the server switched protocols: wait for the whole 101/200 response first",
                    e.event.bytes().unwrap_or(0)
                ));
            }
            Ok(())
        }
        CheckKind::InFlight { max, peak } => {
            let want_peak = peak.unwrap_or(*max);
            let mut now = 0i64;
            let mut top = 0i64;
            for e in run.entries.iter() {
                match (&e.scope, &e.event) {
                    (Scope::Request { .. }, Event::Request { .. }) => {
                        now += 1;
                        top = top.max(now);
                    }
                    (Scope::Response { .. }, Event::Finish) => now -= 1,
                    _ => {}
                }
            }
            if top > i64::from(*max) {
                fail(format!(
                    "{top} requests were in flight at once; the limit is {max}"
                ))
            } else if top != i64::from(want_peak) {
                fail(format!("at most {top} request(s) were in flight at once; expected {want_peak} at the peak"))
            } else {
                Ok(())
            }
        }
        CheckKind::ExitZero => match &run.client.status {
            ExitStatus::Exited { code: 0 } => Ok(()),
            ExitStatus::Exited { code } => fail(format!("your client exited with status {code}")),
            ExitStatus::Signaled { signal } => fail(format!(
                "your client was killed by signal {signal} ({})",
                nix::sys::signal::Signal::try_from(*signal)
                    .map(|s| s.as_str())
                    .unwrap_or("?")
            )),
            ExitStatus::TimedOut => fail(format!(
                "your client was still running after the time limit ({} s) and was stopped",
                lab.time_limit_secs
            )),
            ExitStatus::NotStarted { error } => {
                fail(format!("your client could not start: {error}"))
            }
        },
    }
}

/// One HTTP request as the server saw it: (scope, method, url, headers).
type SeenRequest = (Scope, String, String, Vec<(String, String)>);

/// Every HTTP request the server saw, in order.
fn requests(entries: &[std::sync::Arc<Entry>]) -> Vec<SeenRequest> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::Request {
                method,
                url,
                headers,
                ..
            } => Some((e.scope, method.clone(), url.clone(), headers.clone())),
            Event::CheckContinue {
                method,
                url,
                headers,
                ..
            } => Some((e.scope, method.clone(), url.clone(), headers.clone())),
            Event::Upgrade { url, .. } => Some((e.scope, "GET".into(), url.clone(), Vec::new())),
            Event::ConnectRequest { url, .. } => {
                Some((e.scope, "CONNECT".into(), url.clone(), Vec::new()))
            }
            _ => None,
        })
        .collect()
}

fn lab_is_udp(lab: &Lab) -> bool {
    crate::scenario::find(&lab.scenario)
        .is_some_and(|s| s.transport == crate::scenario::Transport::Udp)
}

fn conn_numbers(entries: &[std::sync::Arc<Entry>]) -> Vec<u32> {
    let mut v: Vec<u32> = entries
        .iter()
        .filter_map(|e| match e.scope {
            Scope::Conn { conn } => Some(conn),
            _ => None,
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Output as compared: trailing spaces and trailing blank lines removed, `\r\n` as `\n`.
pub fn trim_output(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(|l| l.trim_end()).collect();
    let mut end = lines.len();
    while end > 0 && lines[end - 1].is_empty() {
        end -= 1;
    }
    lines[..end].join("\n")
}

fn normalize(t: &str) -> String {
    t.lines()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Drop optional (`?`-prefixed) expected lines that the actual trace does not have; keep the
/// others without their `?`. Counts matter: an optional line is kept only as many times as the
/// actual trace has it beyond the required copies.
fn resolve_optional(expected: &str, actual: &str) -> String {
    use std::collections::HashMap;
    let mut available: HashMap<String, i64> = HashMap::new();
    for l in normalize(actual).lines() {
        *available.entry(l.to_string()).or_default() += 1;
    }
    for l in expected.lines() {
        if !l.trim_start().starts_with('?') {
            *available.entry(normalize(l)).or_default() -= 1;
        }
    }
    expected
        .lines()
        .filter_map(|l| match l.trim_start().strip_prefix('?') {
            Some(rest) => {
                let left = available.entry(normalize(rest)).or_default();
                (*left > 0).then(|| {
                    *left -= 1;
                    rest.trim().to_string()
                })
            }
            None => Some(l.to_string()),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A unified-style line diff: `-` expected, `+` actual.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let e = normalize_keep(expected);
    let a = normalize_keep(actual);
    let diff = similar::TextDiff::from_lines(&e, &a);
    let mut out = String::from("--- expected\n+++ what happened\n");
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        out.push(sign);
        out.push(' ');
        out.push_str(change.value().trim_end_matches('\n'));
        out.push('\n');
    }
    out
}

fn normalize_keep(t: &str) -> String {
    let mut s = t
        .lines()
        .map(|l| l.trim_end())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    s.push('\n');
    s
}

/// Hex and ASCII of both byte strings around their first difference, with a caret.
pub fn hex_diff(expected: &[u8], actual: &[u8]) -> String {
    let first = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let start = first.saturating_sub(8);
    let row = |label: &str, b: &[u8]| {
        let end = (start + 16).min(b.len());
        let slice = if start < b.len() {
            &b[start..end]
        } else {
            &[][..]
        };
        let hex: Vec<String> = slice.iter().map(|x| format!("{x:02x}")).collect();
        let ascii: String = slice
            .iter()
            .map(|&x| {
                if (0x20..0x7f).contains(&x) {
                    x as char
                } else {
                    '.'
                }
            })
            .collect();
        format!("{label:<9} {:<47}  {ascii}", hex.join(" "))
    };
    let caret_col = 10 + (first - start) * 3;
    format!(
        "first difference at byte {first}:\n{}\n{}\n{}^",
        row("expected", expected),
        row("received", actual),
        " ".repeat(caret_col)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_trimming_ignores_trailing_space_and_blank_lines() {
        assert_eq!(trim_output("hello  \r\n\n\n"), "hello");
        assert_eq!(trim_output("a\n b \n"), "a\n b");
    }

    #[test]
    fn hex_diff_points_at_the_first_difference() {
        let d = hex_diff(b"hello\r\n", b"hello\n");
        assert!(d.contains("byte 5"), "{d}");
        assert!(d.contains("0d 0a"), "{d}");
    }

    #[test]
    fn optional_lines_are_dropped_only_when_absent() {
        let exp = "netlab-trace/1\nconn1 rx end\n?conn1 tx drain\nconn1 tx finish";
        assert_eq!(
            resolve_optional(exp, "conn1 rx end\nconn1 tx finish"),
            "netlab-trace/1\nconn1 rx end\nconn1 tx finish"
        );
        assert!(resolve_optional(exp, "conn1 rx end\nconn1 tx drain").contains("drain"));
        let twice = "conn1 ev timeout\n?conn1 ev timeout\nconn1 ev close";
        assert_eq!(
            resolve_optional(twice, "conn1 ev timeout\nconn1 ev close"),
            "conn1 ev timeout\nconn1 ev close"
        );
        assert_eq!(
            resolve_optional(twice, "conn1 ev timeout\nconn1 ev timeout\nconn1 ev close"),
            "conn1 ev timeout\nconn1 ev timeout\nconn1 ev close"
        );
    }
}

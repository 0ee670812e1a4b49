//! One function per [`CheckKind`]: each reads the run's [`ServerView`] (what the server
//! observed, typed) or the client's process, and says why it failed in plain words.
//!
//! - [`stream`]: connections, bytes, FIN, greetings, events, reading to the end (TCP, Unix, UDP).
//! - [`http`]: requests, their method, URL and headers, `100 Continue`, upgrades, in-flight limits.
//! - [`client`]: the client's own output and exit status, and the whole canonical trace.
//! - [`tls`]: certificate verification — the impostor's handshake refused, the real one made.
//! - [`framing`]: lines reassembled from `data` chunks; [`timeouts`]: giving up on silence.
//! - [`families`]: clients over IPv4 and over IPv6.
//! - [`wire`]: a failed check's explanation from the run's packets (an RST, a split write).

mod client;
mod families;
mod framing;
mod http;
mod server;
mod stream;
mod timeouts;
mod tls;
pub mod wire;

use super::model::{Check, CheckKind, Lab};
use super::run::{ExitStatus, RunResult};
use super::view::ServerView;

/// What a check reads: the lab, the run, and the server's view of it.
pub struct Ctx<'a> {
    /// The lab being graded (expected output, expected trace, scenario).
    pub lab: &'a Lab,
    /// The client's process and the raw timeline.
    pub run: &'a RunResult,
    /// What the server observed, typed.
    pub view: &'a ServerView,
}

impl Ctx<'_> {
    /// `text` with `{nonce}` replaced by this run's token (unchanged when the lab has none).
    pub fn fill(&self, text: &str) -> String {
        match &self.run.nonce {
            Some(n) => text.replace("{nonce}", n),
            None => text.to_string(),
        }
    }

    /// When netlab stopped the client at the time limit, in the server's clock (ms); `None`
    /// when the client ended by itself. The server's clock starts before the client, so an
    /// event at or after this time cannot have been the client's own doing.
    pub fn stopped_ms(&self) -> Option<f64> {
        matches!(self.run.client.status, ExitStatus::TimedOut)
            .then_some(self.run.client.seconds * 1000.0)
    }

    /// The limit the client actually had, as people write it (`2 s`, `0.5 s`): measured, so
    /// that `--timeout` is honoured in every sentence.
    pub fn limit_text(&self) -> String {
        let secs = match self.run.client.status {
            ExitStatus::TimedOut => self.run.client.seconds,
            _ => self.lab.time_limit_secs,
        };
        seconds_text(secs)
    }

    /// The lab's server speaks UDP: "connections" are datagrams.
    pub fn udp(&self) -> bool {
        crate::scenario::find(&self.lab.scenario)
            .is_some_and(|s| s.transport == crate::scenario::Transport::Udp)
    }
}

/// Seconds rounded to a tenth, without a trailing `.0`: `2 s`, `0.5 s`.
pub fn seconds_text(secs: f64) -> String {
    let tenths = (secs * 10.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0} s")
    } else {
        format!("{tenths:.1} s")
    }
}

/// A failed check's explanation: what netlab measured, added to the lab's own sentence.
#[derive(Debug)]
pub struct Failure {
    /// The measured cause (`the server saw 2 connections, expected 1`); may be empty.
    pub specific: String,
    /// Supporting evidence: a diff, a hex dump.
    pub output: Option<String>,
    /// Set when the check had nothing to look at (no request at all): the short reason. After
    /// an earlier failure it is reported as skipped with this reason, not failed twice.
    pub blocked: Option<String>,
}

/// A check's result before scoring.
pub type Outcome = Result<(), Failure>;

/// Fail with a measured cause and no evidence block.
pub fn fail(specific: impl Into<String>) -> Outcome {
    Err(Failure {
        specific: specific.into(),
        output: None,
        blocked: None,
    })
}

/// Fail because there was nothing to check: `why` in short, `specific` in full (see
/// [`Failure::blocked`]).
pub fn blocked(why: &str, specific: impl Into<String>) -> Outcome {
    Err(Failure {
        specific: specific.into(),
        output: None,
        blocked: Some(why.to_string()),
    })
}

/// Fail with a measured cause and evidence.
pub fn fail_with(specific: impl Into<String>, output: String) -> Outcome {
    Err(Failure {
        specific: specific.into(),
        output: Some(output),
        blocked: None,
    })
}

/// `s` when `n` is not 1.
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Run one check.
pub fn evaluate(ctx: &Ctx, check: &Check) -> Outcome {
    match &check.kind {
        CheckKind::Connected => stream::connected(ctx),
        CheckKind::Connections { count } => stream::connections(ctx, *count),
        CheckKind::Sent { bytes } => stream::sent(ctx, bytes),
        CheckKind::EndedWithFin => stream::ended_with_fin(ctx),
        CheckKind::WaitedFor { bytes } => stream::waited_for(ctx, bytes),
        CheckKind::Event { event } => stream::event(ctx, event),
        CheckKind::ReadToEnd => stream::read_to_end(ctx),
        CheckKind::Trace => client::trace(ctx),
        CheckKind::Stdout => client::stdout(ctx),
        CheckKind::ExitZero => client::exit_zero(ctx),
        CheckKind::Requests { count } => http::requests(ctx, *count),
        CheckKind::Requested { method, url } => http::requested(ctx, method, url),
        CheckKind::RequestHeader { header, value } => http::request_header(ctx, header, value),
        CheckKind::BodyAfterContinue => http::body_after_continue(ctx),
        CheckKind::SilentUntilSwitch => http::silent_until_switch(ctx),
        CheckKind::InFlight { max, peak } => http::in_flight(ctx, *max, peak.unwrap_or(*max)),
        CheckKind::Step { step } => server::step(ctx, step),
        CheckKind::ImpostorRefused => tls::impostor_refused(ctx),
        CheckKind::RealHandshake => tls::real_handshake(ctx),
        CheckKind::WholeLines => framing::whole_lines(ctx),
        CheckKind::GaveUpOnSilence => timeouts::gave_up_on_silence(ctx),
        CheckKind::BothFamilies => families::both_families(ctx),
    }
}

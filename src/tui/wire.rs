//! The wire view's child: the TUI is multi-threaded, so it cannot enter a network namespace
//! itself; for the wire view it runs the step as `netlab serve SCEN --wire --json --port P` or
//! `netlab demo NAME --wire --json` and reads the child's stdout, one [`Entry`] JSON object per
//! line (packets included), into `Msg::Event`s. Its stderr (notices such as "wire view
//! unavailable: …") goes to the status line.
//!
//! The child never outlives the step: it is killed when the parent thread that spawned it goes
//! away (`PR_SET_PDEATHSIG`, a backstop), killed on drop (`kill_on_drop`), and on a stop it gets
//! SIGTERM (a server then closes its connections and prints its last events), a short grace,
//! then SIGKILL — and is always reaped (`wait`).

use super::app::Msg;
use crate::trace::{Entry, Event};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_util::sync::CancellationToken;

/// How long a stopped child has to finish (a server closes its connections, prints the rest)
/// before it is killed.
pub const GRACE: Duration = Duration::from_millis(1500);

/// Stderr lines kept to explain a child that failed.
const STDERR_TAIL: usize = 4;

/// One line of a wire-mode child's stdout.
#[derive(Debug, PartialEq)]
pub enum ChildLine {
    /// A timeline entry (socket event or packet).
    Entry(Entry),
    /// A demo's closing note (`{"event":"note","text":…}`).
    Note(String),
    /// Anything else: said on the status line.
    Notice(String),
}

/// Read one line of the child's stdout; `None` for a blank one.
pub fn parse_line(line: &str) -> Option<ChildLine> {
    let line = line.trim_end();
    if line.trim().is_empty() {
        return None;
    }
    if let Ok(e) = serde_json::from_str::<Entry>(line) {
        return Some(ChildLine::Entry(e));
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
        if v.get("event").and_then(|e| e.as_str()) == Some("note") {
            if let Some(t) = v.get("text").and_then(|t| t.as_str()) {
                return Some(ChildLine::Note(t.to_string()));
            }
        }
    }
    Some(ChildLine::Notice(line.to_string()))
}

/// The netlab binary to run the child with: this program when it is netlab, else the
/// `netlab` next to it (as the sandbox finds its launcher).
pub fn netlab_binary() -> Result<PathBuf, String> {
    crate::sandbox::launcher_path()
        .ok_or_else(|| "wire view unavailable: cannot find the netlab binary".to_string())
}

/// The arguments of the wire view's child for a server: `serve SCEN --wire --json --port P`,
/// with `--socket` for a Unix-socket scenario and `--ca-out` for an HTTPS one (the paths the
/// in-process server would use).
pub fn serve_args(
    scenario: &str,
    port: u16,
    socket: Option<&str>,
    ca: Option<&str>,
) -> Vec<String> {
    let mut args: Vec<String> = ["serve", scenario, "--wire", "--json", "--port"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(port.to_string());
    if let Some(s) = socket {
        args.extend(["--socket".to_string(), s.to_string()]);
    }
    if let Some(c) = ca {
        args.extend(["--ca-out".to_string(), c.to_string()]);
    }
    args
}

/// The arguments of the wire view's child for a demo: `demo NAME --wire --json`.
pub fn demo_args(demo: &str) -> Vec<String> {
    ["demo", demo, "--wire", "--json"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// How a child ended.
#[derive(Debug, Default)]
pub struct Outcome {
    /// It exited successfully (or was stopped by us).
    pub ok: bool,
    /// Stopped on request (not ended by itself).
    pub stopped: bool,
    /// The demo's closing notes.
    pub notes: Vec<String>,
    /// Its last stderr lines, to explain a failure.
    pub stderr_tail: Vec<String>,
    /// It printed a `listening` entry.
    pub listened: bool,
    /// Its process id (reaped by the time the outcome is returned).
    pub pid: Option<u32>,
}

/// Run `netlab ARGS` until it ends or `cancel` fires: entries go to the UI as `Msg::Event`
/// (never blocking: a full channel is counted as `Lagged`), each one also shown to
/// `on_entry` first; stderr lines and stray stdout lines go as `Msg::WireNotice`.
pub async fn run_child(
    args: Vec<String>,
    tx: SyncSender<Msg>,
    cancel: CancellationToken,
    mut on_entry: impl FnMut(&Entry) + Send,
) -> Result<Outcome, String> {
    let bin = netlab_binary()?;
    let mut cmd = tokio::process::Command::new(&bin);
    cmd.args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1")
        .kill_on_drop(true);
    // SAFETY: prctl is async-signal-safe; the closure touches nothing else.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill().await;
        return Err("the wire view's child has no output".into());
    };
    let tail = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let errs = {
        let (tx, tail) = (tx.clone(), tail.clone());
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(l)) = lines.next_line().await {
                let l = l.trim().to_string();
                if l.is_empty() {
                    continue;
                }
                if let Ok(mut t) = tail.lock() {
                    if t.len() == STDERR_TAIL {
                        t.remove(0);
                    }
                    t.push(l.clone());
                }
                let _ = tx.try_send(Msg::WireNotice(l));
            }
        })
    };
    let mut out = Outcome {
        pid: child.id(),
        ..Outcome::default()
    };
    let dropped = AtomicU64::new(0);
    let mut lines = BufReader::new(stdout).lines();
    let mut deadline: Option<tokio::time::Instant> = None;
    // Bounded by the child's output (it ends when the child does) and, once stopped, by GRACE.
    loop {
        let next = tokio::select! {
            l = lines.next_line() => l,
            _ = cancel.cancelled(), if deadline.is_none() => {
                out.stopped = true;
                if let Some(pid) = child.id() {
                    // SAFETY: a plain signal to our own child, which is not reaped yet.
                    unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
                }
                deadline = Some(tokio::time::Instant::now() + GRACE);
                continue;
            }
            _ = tokio::time::sleep_until(deadline.unwrap_or_else(tokio::time::Instant::now)), if deadline.is_some() => break,
        };
        let Ok(Some(line)) = next else { break };
        match parse_line(&line) {
            Some(ChildLine::Entry(e)) => {
                if matches!(e.event, Event::Listening { .. }) {
                    out.listened = true;
                }
                on_entry(&e);
                forward(&tx, &dropped, Msg::Event(Arc::new(e)));
            }
            Some(ChildLine::Note(n)) => out.notes.push(n),
            Some(ChildLine::Notice(n)) => {
                let _ = tx.try_send(Msg::WireNotice(n));
            }
            None => {}
        }
    }
    let pending = dropped.swap(0, Ordering::Relaxed);
    if pending > 0 {
        let _ = tx.try_send(Msg::Lagged(pending));
    }
    // Reap it: a child still running after its grace is killed first.
    let grace = deadline.map_or(GRACE, |d| {
        d.saturating_duration_since(tokio::time::Instant::now())
    });
    let status = match tokio::time::timeout(grace, child.wait()).await {
        Ok(s) => s.ok(),
        Err(_) => {
            let _ = child.kill().await;
            None
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(200), errs).await;
    out.ok = out.stopped || status.is_some_and(|s| s.success());
    out.stderr_tail = tail.lock().map(|t| t.clone()).unwrap_or_default();
    Ok(out)
}

/// Send `msg` without blocking; a full channel counts it as dropped (reported as `Lagged`
/// with the next message that fits).
fn forward(tx: &SyncSender<Msg>, dropped: &AtomicU64, msg: Msg) {
    let pending = dropped.swap(0, Ordering::Relaxed);
    if pending > 0 && tx.try_send(Msg::Lagged(pending)).is_err() {
        dropped.fetch_add(pending, Ordering::Relaxed);
    }
    if let Err(TrySendError::Full(_)) = tx.try_send(msg) {
        dropped.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_entries_notes_or_notices() {
        let seg = r#"{"seq":4,"t_ms":1.5,"scope":"wire","conn":1,"event":"segment","dir":"in","flags":"SYN","tcp_seq":0,"tcp_ack":0,"win":65495,"len":0,"peer":"127.0.0.1:5000"}"#;
        match parse_line(seg) {
            Some(ChildLine::Entry(e)) => {
                assert!(e.scope.is_wire());
                assert_eq!(e.event.name(), "segment");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_line(r#"{"event":"note","text":"one handshake"}"#),
            Some(ChildLine::Note("one handshake".into()))
        );
        assert_eq!(
            parse_line("wire view unavailable: no namespaces; showing socket events only"),
            Some(ChildLine::Notice(
                "wire view unavailable: no namespaces; showing socket events only".into()
            ))
        );
        assert_eq!(parse_line("   "), None);
        assert!(matches!(
            parse_line(r#"{"event":"what"}"#),
            Some(ChildLine::Notice(_))
        ));
    }

    #[test]
    fn the_childs_arguments() {
        assert_eq!(
            serve_args("tcp-echo", 8124, None, None).join(" "),
            "serve tcp-echo --wire --json --port 8124"
        );
        assert_eq!(
            serve_args("https", 0, None, Some("/tmp/ca.pem")).join(" "),
            "serve https --wire --json --port 0 --ca-out /tmp/ca.pem"
        );
        assert_eq!(
            demo_args("tcp-echo").join(" "),
            "demo tcp-echo --wire --json"
        );
    }
}

//! The TUI's wire view against the real netlab binary: the child `netlab … --wire --json`
//! feeds the timeline (packets included), and a stopped child is killed and reaped.

mod common;

use netlab::trace::{Entry, Event};
use netlab::tui::app::Msg;
use netlab::tui::wire;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// Everything the child sent the UI: entries and notices.
fn drain(rx: &std::sync::mpsc::Receiver<Msg>) -> (Vec<Arc<Entry>>, Vec<String>) {
    let (mut entries, mut notices) = (Vec::new(), Vec::new());
    while let Ok(m) = rx.try_recv() {
        match m {
            Msg::Event(e) => entries.push(e),
            Msg::WireNotice(n) => notices.push(n),
            _ => {}
        }
    }
    (entries, notices)
}

/// `netlab demo tcp-echo --wire --json` as the TUI runs it: the data and a FIN each way reach
/// the timeline as wire rows, in time order — or, where this machine offers no wire
/// view, its notice reaches the status line and the socket events still come.
#[test]
fn the_wire_demo_child_feeds_the_timeline() {
    netlab::sandbox::set_launcher(common::netlab_bin().into());
    let (tx, rx) = std::sync::mpsc::sync_channel(4096);
    let out = runtime()
        .block_on(wire::run_child(
            wire::demo_args("tcp-echo"),
            tx,
            CancellationToken::new(),
            |_| {},
        ))
        .unwrap();
    let (entries, notices) = drain(&rx);
    assert!(out.ok, "{:?} {notices:?}", out.stderr_tail);
    assert!(out.listened);
    assert!(
        entries.iter().any(|e| e.event.name() == "connection"),
        "{entries:?}"
    );
    let flags: Vec<String> = entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::Segment { flags, .. } => Some(flags.clone()),
            _ => None,
        })
        .collect();
    if flags.is_empty() {
        assert!(
            notices
                .iter()
                .any(|n| n.starts_with("wire view unavailable")),
            "no packets and no notice saying why: {notices:?}"
        );
        return;
    }
    // The handshake (captured even when the demo connects before the capture thread runs),
    // the data both ways and the closing FINs reach the timeline.
    let count = |f: &str| flags.iter().filter(|x| *x == f).count();
    assert_eq!(&flags[..3], ["SYN", "SYN-ACK", "ACK"], "{flags:?}");
    assert_eq!(count("PSH-ACK"), 2, "{flags:?}");
    assert_eq!(count("FIN-ACK"), 2, "{flags:?}");
    let t: Vec<f64> = entries.iter().map(|e| e.t_ms).collect();
    assert!(t.windows(2).all(|w| w[0] <= w[1]), "in t_ms order: {t:?}");
}

/// A wire-mode server child runs until the step stops it: then it is gone (killed or ended)
/// and reaped — no process with its pid is left.
#[test]
fn a_stopped_wire_server_child_is_reaped() {
    netlab::sandbox::set_launcher(common::netlab_bin().into());
    let (tx, rx) = std::sync::mpsc::sync_channel(4096);
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let rt = runtime();
    let args = wire::serve_args("tcp-echo", 0, None, None);
    let out = rt
        .block_on(wire::run_child(args, tx, cancel, move |e| {
            if matches!(e.event, Event::Listening { .. }) {
                stop.cancel();
            }
        }))
        .unwrap();
    let (entries, notices) = drain(&rx);
    assert!(
        out.listened,
        "{entries:?} {notices:?} {:?}",
        out.stderr_tail
    );
    assert!(out.stopped);
    let pid = out.pid.expect("the child's pid");
    // SAFETY: signal 0 only asks whether the pid exists.
    let alive = unsafe { libc::kill(pid as libc::pid_t, 0) } == 0;
    assert!(!alive, "the child {pid} is still there (or a zombie)");
}

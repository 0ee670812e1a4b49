//! `netlab demo NAME [--json] [--wire] [--pcap FILE]`: run a built-in client against its
//! scenario, both sides shown; with the wire view, the packets between them too (`main` has
//! moved the process into its own network namespace, see [`netlab::wire::netns`]).

use netlab::cli::DemoArgs;
use netlab::demo;
use netlab::scenario::ServeConfig;
use netlab::trace::recorder::{Live, Subscription};
use netlab::trace::{Event, Recorder};
use netlab::wire::netns::Mode;
use netlab::{Error, ExitCode};
use tokio_util::sync::CancellationToken;

/// Run `netlab demo`.
pub fn run(args: DemoArgs) -> Result<ExitCode, Error> {
    if args.list {
        let name_w = demo::DEMOS.iter().map(|d| d.name.len()).max().unwrap_or(0);
        let server_w = demo::DEMOS
            .iter()
            .map(|d| d.scenario.len())
            .max()
            .unwrap_or(0);
        for d in demo::DEMOS {
            println!(
                "{:<name_w$}  (server: {:<server_w$})  {}",
                d.name, d.scenario, d.summary
            );
        }
        return Ok(ExitCode::Pass);
    }
    let name = args.name.as_deref().unwrap_or_default();
    let d = demo::find(name).ok_or_else(|| {
        Error::Usage(format!(
            "unknown demo `{name}`; demos: {}",
            demo::DEMOS
                .iter()
                .map(|d| d.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let scenario = netlab::scenario::find(d.scenario);
    let wire = match scenario {
        Some(s) if args.wire() => Some(super::serve::wire_mode(s)),
        _ => None,
    };
    if let Some(notice) = wire.as_ref().and_then(|m| m.notice()) {
        eprintln!("{notice}");
    }
    // The packet socket first of all: turning kernel timestamps on takes effect a moment
    // later (the kernel flips it in a work queue), and a frame queued before that is stamped
    // only when read — late.
    let fd = wire
        .as_ref()
        .filter(|m| m.captures())
        .map(|_| netlab::wire::open_packet_socket());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let recorder = Recorder::new();
    if wire.as_ref().is_some_and(|m| m.captures()) {
        recorder.expect_late();
    }
    let printer = {
        let sub = recorder.subscribe();
        let (json, heads) = (args.json, !args.no_heads);
        std::thread::spawn(move || {
            super::serve::print_timeline(sub, json, false, heads, CancellationToken::new())
        })
    };
    // 8 MiB: more than loopback's socket buffers hold, so a slow reader causes backpressure.
    let cfg = ServeConfig::default();
    let (findings, capture) = match (wire.filter(|m| m.captures()), fd) {
        (Some(mode), Some(fd)) => {
            let tls = scenario.is_some_and(|s| s.transport == netlab::scenario::Transport::Https);
            let pcap = args.pcap.clone();
            rt.block_on(run_captured(d, &recorder, cfg, (fd, &mode), tls, pcap))
        }
        _ => (rt.block_on(demo::run(d, recorder.clone(), cfg)), None),
    };
    // Stopped before the printer ends (the capture holds a recorder clone); said after it.
    let said = super::serve::stop_capture(capture, args.pcap.as_deref());
    drop(recorder);
    let _ = printer.join();
    for line in said {
        eprintln!("{line}");
    }
    let findings = findings?;
    for n in &findings.notes {
        if args.json {
            println!("{}", serde_json::json!({"event": "note", "text": n}));
        } else {
            println!("\n{n}");
        }
    }
    Ok(ExitCode::Pass)
}

/// Run the demo with the wire view: the packet socket `fd` was opened before the scenario binds
/// (the kernel queues every frame from then on), and the capture starts as soon as the server's
/// `listening` names its port, so it misses nothing and knows which end is the server.
async fn run_captured(
    d: &'static demo::Demo,
    recorder: &Recorder,
    cfg: ServeConfig,
    (fd, mode): (std::io::Result<std::os::fd::OwnedFd>, &Mode),
    tls: bool,
    pcap: Option<std::path::PathBuf>,
) -> (
    std::io::Result<demo::Findings>,
    Option<netlab::wire::Capture>,
) {
    let mut fd = Some(fd);
    let mut sub = recorder.subscribe();
    let run = demo::run(d, recorder.clone(), cfg);
    tokio::pin!(run);
    let mut capture = None;
    let start = |fd, port| {
        super::serve::start_capture_on(fd, recorder, mode, vec![port], tls, pcap.clone())
    };
    // Bounded: the first branch runs at most once (it takes `fd`).
    let result = loop {
        tokio::select! {
            biased;
            port = listening_port(&mut sub), if fd.is_some() => {
                let fd = fd.take().expect("guarded by the branch condition");
                if let Some(port) = port {
                    capture = start(fd, port);
                }
            }
            r = &mut run => break r,
        }
    };
    // A demo can finish within one poll (a UDP ping): its frames are queued all the same.
    if let Some(fd) = fd.take() {
        // Bounded by the entries the subscription holds.
        while let Some(item) = sub.try_recv() {
            if let Live::Entry(e) = item {
                if let Event::Listening {
                    port: Some(port), ..
                } = &e.event
                {
                    capture = start(fd, *port);
                    break;
                }
            }
        }
    }
    (result, capture)
}

/// The port of the first `listening` entry (`None` once the timeline ends without one).
async fn listening_port(sub: &mut Subscription) -> Option<u16> {
    // Bounded by the timeline: each entry is looked at once.
    while let Some(item) = sub.recv().await {
        if let Live::Entry(e) = item {
            if let Event::Listening { port, .. } = &e.event {
                return *port;
            }
        }
    }
    None
}

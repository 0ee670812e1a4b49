//! `netlab serve SCENARIO`: run a named server and print its timeline as it happens.
//!
//! The timeline goes to stdout (readable and coloured, or `--json` lines, flushed per event);
//! the banner with the address and commands to try goes to stderr, so piping the timeline
//! stays clean. Ctrl-C or SIGTERM shuts the server down gracefully — the timeline shows
//! `server.close()`, each connection's `end()` and `close`, and the server's `close`; a second
//! Ctrl-C exits at once.
//!
//! With `--wire` the process lives in its own network namespace (entered by `main`): the
//! capture starts right after the bind, the banner's commands go through `netlab exec --`, and
//! the process registers itself for `netlab exec` (removed when it stops).

use netlab::cli::ServeArgs;
use netlab::scenario::{self, BindSpec, Running, Scenario, ServeConfig, Transport};
use netlab::trace::recorder::{Live, Subscription};
use netlab::trace::{render, Recorder};
use netlab::wire::netns::{self, Mode};
use netlab::{term, Error, ExitCode};
use std::io::Write;
use std::path::Path;
use tokio_util::sync::CancellationToken;

/// Run `netlab serve`.
pub fn run(args: ServeArgs) -> Result<ExitCode, Error> {
    if args.list {
        print_list(args.json)?;
        return Ok(ExitCode::Pass);
    }
    let name = args.scenario.as_deref().unwrap_or_default();
    let scenario = scenario::find(name).ok_or_else(|| Error::UnknownScenario {
        name: name.to_string(),
        suggestion: scenario::suggest(name),
    })?;
    if args.socket.is_some() && scenario.transport != Transport::Unix {
        return Err(Error::Usage(format!(
            "--socket is for Unix-socket scenarios; `{}` listens on {:?}",
            scenario.name, scenario.transport
        )));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(serve(scenario, args))
}

async fn serve(scenario: &'static Scenario, args: ServeArgs) -> Result<ExitCode, Error> {
    let spec = BindSpec {
        host: args.host.clone(),
        port: args.port,
        socket: args.socket.clone(),
        ca_out: args.ca_out.clone(),
    };
    let bound = scenario::bind(scenario, &spec).await.map_err(|source| {
        let addr = match scenario.transport {
            Transport::Unix => spec
                .socket
                .clone()
                .unwrap_or_else(|| scenario::default_socket_path(scenario.name))
                .display()
                .to_string(),
            _ => format!(
                "{}:{}",
                spec.host,
                spec.port.unwrap_or(scenario.default_port)
            ),
        };
        Error::Bind { addr, source }
    })?;

    let port = bound.port().unwrap_or(0);
    let socket = bound
        .socket_path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let ca = bound.ca_path().map(|p| p.display().to_string());
    // The dual-stack scenarios bind `::` whatever --host says.
    let host = netlab::scenario::fixed_host(scenario).unwrap_or(&args.host);
    if scenario.transport != Transport::Unix && reachable_from_network(host) {
        eprintln!(
            "netlab: warning: listening on {} makes this server reachable from the network, not only from this machine; use --host 127.0.0.1 unless that is what you want",
            host
        );
    }
    let wire = args.wire().then(|| wire_mode(scenario));
    if let Some(notice) = wire.as_ref().and_then(|m| m.notice()) {
        eprintln!("{notice}");
    }
    let in_namespace = wire == Some(Mode::Namespace);
    if !args.json || term::color_stderr() {
        banner(scenario, host, port, &socket, ca.as_deref(), in_namespace);
    }

    let recorder = Recorder::new();
    if wire.as_ref().is_some_and(|m| m.captures()) {
        recorder.expect_late();
    }
    // Right after the bind (the port is known), before the server runs and any client comes.
    let capture = match &wire {
        Some(m) if m.captures() => start_capture(
            &recorder,
            m,
            vec![port],
            scenario.transport == Transport::Https,
            args.pcap.clone(),
        ),
        _ => None,
    };
    // `netlab exec` finds this process by its registry file (removed when this guard drops).
    let _registration = if in_namespace {
        let mut entry = netns::Entry::this_process("serve", scenario.name, vec![port]);
        entry.try_commands = try_commands(scenario, host, port, &socket, ca.as_deref(), true);
        match netns::Registration::register(&entry) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("netlab: warning: `netlab exec` will not find this server: {e}");
                None
            }
        }
    } else {
        None
    };
    let cancel = CancellationToken::new();
    // Before the server starts, so the printer misses nothing and a signal right after
    // `listening` is already handled.
    spawn_signal_handler(cancel.clone());
    let printer = {
        let sub = recorder.subscribe();
        let (json, quiet, heads) = (args.json, args.quiet, !args.no_heads);
        let cancel = cancel.clone();
        std::thread::spawn(move || print_timeline(sub, json, quiet, heads, cancel))
    };
    let cfg = ServeConfig {
        bulk_bytes: args.bytes,
        ..ServeConfig::default()
    };
    let server = Running::spawn_until(scenario, bound, cfg, recorder.clone(), cancel).await;
    let served = server.wait().await;
    let wire_said = stop_capture(capture, args.pcap.as_deref());
    let summary = (args.quiet || !args.json).then(|| summary(&recorder, args.json));
    drop(recorder); // the printer drains what is left, then stops
    let _ = tokio::task::spawn_blocking(move || printer.join()).await;
    for line in wire_said {
        eprintln!("{line}");
    }
    if let Some(summary) = summary {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{summary}").and_then(|_| out.flush());
    }
    served?;
    Ok(ExitCode::Pass)
}

/// What the server saw, in totals: events by name, and per connection and direction the exact
/// byte count and content hash.
fn summary(recorder: &Recorder, json: bool) -> String {
    let counts = recorder.counts();
    let streams = recorder.streams();
    if json {
        let streams: Vec<_> = streams
            .iter()
            .map(|(scope, dir, st)| {
                let mut v = serde_json::to_value(scope).unwrap_or_default();
                v["dir"] = serde_json::json!(dir);
                v["bytes"] = st.bytes.into();
                v["chunks"] = st.chunks.into();
                v["hash"] = st.hash.clone().into();
                v
            })
            .collect();
        return serde_json::json!({"event": "summary", "events": counts, "streams": streams})
            .to_string();
    }
    let mut s = String::from("\nsummary:");
    let events: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    s.push_str(&format!("\n  events: {}", events.join(", ")));
    for (scope, dir, st) in streams {
        let dir = match dir {
            netlab::trace::recorder::Dir::Rx => "received",
            netlab::trace::recorder::Dir::Tx => "wrote",
        };
        s.push_str(&format!(
            "\n  {:<9} {dir:<8} {:>12} B in {:>6} chunks  xxh3 {}",
            render::who(&scope),
            st.bytes,
            st.chunks,
            st.hash
        ));
    }
    s
}

/// Whether binding `host` exposes the server beyond this machine (a wildcard or a
/// non-loopback address; a name other than `localhost` counts too).
pub fn reachable_from_network(host: &str) -> bool {
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => !ip.to_canonical().is_loopback(),
        Err(_) => host != "localhost",
    }
}

fn banner(s: &Scenario, host: &str, port: u16, socket: &str, ca: Option<&str>, in_ns: bool) {
    let color = term::color_stderr();
    let b = |s: &str| term::paint("1", s, color);
    let d = |s: &str| term::paint("2", s, color);
    let at = match s.transport {
        Transport::Unix => socket.to_string(),
        Transport::Udp => format!("udp://{host}:{port}"),
        Transport::Tcp => format!("{host}:{port}"),
        Transport::Http => format!("http://{host}:{port}/"),
        Transport::Https => format!("https://{host}:{port}/"),
    };
    let mut out = format!(
        "{} — {}\n  listening on {}\n",
        b(&format!("netlab serve {}", s.name)),
        s.summary,
        b(&at)
    );
    if let Some(ca) = ca {
        out.push_str(&format!("  CA certificate (trust this one): {}\n", b(ca)));
    }
    if in_ns {
        out.push_str(&format!(
            "  {}\n",
            d("wire view: this server runs in netlab's own network namespace; `netlab exec --` runs your client there")
        ));
    }
    out.push_str(&format!("  {}\n", d("try from another terminal:")));
    for c in try_commands(s, host, port, socket, ca, in_ns) {
        out.push_str(&format!("    {c}\n"));
    }
    out.push_str(&format!("  {}\n\n", d("Ctrl-C stops the server.")));
    eprint!("{out}");
}

/// The scenario's commands to try, filled in; in the wire view's namespace, each runs through
/// `netlab exec --`.
fn try_commands(
    s: &Scenario,
    host: &str,
    port: u16,
    socket: &str,
    ca: Option<&str>,
    in_ns: bool,
) -> Vec<String> {
    // A wildcard address cannot be connected to as such: the commands use loopback.
    let host = match host.parse::<std::net::IpAddr>() {
        Ok(ip) if ip.is_unspecified() && ip.is_ipv6() => "::1",
        Ok(ip) if ip.is_unspecified() => "127.0.0.1",
        _ => host,
    };
    s.try_commands
        .iter()
        .map(|c| {
            let c = c
                .replace("{host}", host)
                .replace("{port}", &port.to_string())
                .replace("{socket}", socket)
                .replace("{ca}", ca.unwrap_or("CA.pem"));
            if in_ns {
                netns::exec_command(&c)
            } else {
                c
            }
        })
        .collect()
}

/// What the wire view can show for `scenario` in this process (Unix sockets carry no packets).
pub(crate) fn wire_mode(scenario: &Scenario) -> Mode {
    if scenario.transport == Transport::Unix {
        return Mode::Unavailable(format!(
            "`{}` talks over a Unix socket, which carries no packets",
            scenario.name
        ));
    }
    netns::mode()
        .cloned()
        .unwrap_or_else(|| Mode::Unavailable("netlab did not set up its network namespace".into()))
}

/// Open the packet socket and start capturing into `recorder`; a failure is a notice (the
/// command goes on with socket events only), never fatal.
pub(crate) fn start_capture(
    recorder: &Recorder,
    mode: &Mode,
    ports: Vec<u16>,
    tls: bool,
    pcap: Option<std::path::PathBuf>,
) -> Option<netlab::wire::Capture> {
    start_capture_on(
        netlab::wire::open_packet_socket(),
        recorder,
        mode,
        ports,
        tls,
        pcap,
    )
}

/// [`start_capture`] on a packet socket opened earlier (frames queue in it from its opening).
pub(crate) fn start_capture_on(
    fd: std::io::Result<std::os::fd::OwnedFd>,
    recorder: &Recorder,
    mode: &Mode,
    ports: Vec<u16>,
    tls: bool,
    pcap: Option<std::path::PathBuf>,
) -> Option<netlab::wire::Capture> {
    let opts = netlab::wire::CaptureOpts {
        ports,
        host_lo_filter: *mode == Mode::HostLoopback,
        tls,
        pcap,
    };
    let started = fd.and_then(|fd| netlab::wire::Capture::start(fd, recorder.clone(), opts));
    match started {
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!(
                "{}",
                netns::unavailable_notice(&format!("cannot capture packets ({e})"))
            );
            None
        }
    }
}

/// Stop the capture (it drains what is queued first); the lines saying what it got, to print
/// on stderr once the timeline is out.
pub(crate) fn stop_capture(
    capture: Option<netlab::wire::Capture>,
    pcap: Option<&Path>,
) -> Vec<String> {
    let Some(c) = capture else {
        return pcap
            .map(|p| format!("netlab: no packets captured: {} not written", p.display()))
            .into_iter()
            .collect();
    };
    let st = c.stop();
    let written = match pcap {
        Some(p) if st.pcap_packets > 0 || st.error.is_none() => {
            format!(", written to {}", p.display())
        }
        _ => String::new(),
    };
    let mut said = vec![format!(
        "wire: {} packets captured, {} dropped{written}",
        st.packets, st.drops
    )];
    if let Some(e) = st.error {
        said.push(format!("netlab: warning: the wire view fell short: {e}"));
    }
    said
}

/// Print entries until the recorder is gone. Stops (and shuts the server down) if stdout goes
/// away, e.g. `netlab serve … | head`.
pub(crate) fn print_timeline(
    mut sub: Subscription,
    json: bool,
    quiet: bool,
    heads: bool,
    cancel: CancellationToken,
) {
    let color = !json && term::color_stdout();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let line = |item: Live| match item {
        Live::Entry(e) if json => render::json(&e),
        Live::Entry(e) => {
            let mut text = render::line(&e, color);
            if heads {
                for l in netlab::http::message::head_lines(&e.event).unwrap_or_default() {
                    text.push_str("\n                          ");
                    text.push_str(&l);
                }
            }
            text
        }
        Live::Lagged(n) if json => format!("{{\"event\":\"lagged\",\"skipped\":{n}}}"),
        Live::Lagged(n) => format!("  … {n} events not shown (the terminal could not keep up)"),
    };
    if quiet {
        // Only the `listening` line, so scripts learn the port; the summary comes at the end.
        while let Some(item) = sub.blocking_recv() {
            if let Live::Entry(e) = &item {
                if e.event.name() == "listening" {
                    let _ = writeln!(out, "{}", line(item)).and_then(|_| out.flush());
                    return;
                }
            }
        }
        return;
    }
    while let Some(batch) = sub.recv_batch(1024) {
        // Write what is waiting as one batch and flush once: each event is on screen as soon
        // as the printer reaches it, without a system call per event under load.
        let mut ok = true;
        for item in batch {
            ok = ok
                && match item {
                    Live::Entry(e) if json => render::json_to(&mut out, &e).is_ok(),
                    other => writeln!(out, "{}", line(other)).is_ok(),
                };
        }
        if !ok || out.flush().is_err() {
            cancel.cancel();
            return;
        }
    }
}

/// Ctrl-C and SIGTERM stop the server gracefully; a second Ctrl-C exits at once.
///
/// The handlers are registered here, synchronously, before the server binds: a signal that
/// arrives right after `listening` must never meet the default action (instant death).
fn spawn_signal_handler(cancel: CancellationToken) {
    use tokio::signal::unix::{signal, SignalKind};
    let int = signal(SignalKind::interrupt()).ok();
    let term = signal(SignalKind::terminate()).ok();
    tokio::spawn(async move {
        let (mut int, mut term) = (int, term);
        async fn next(s: &mut Option<tokio::signal::unix::Signal>) {
            match s.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        }
        tokio::select! {
            _ = next(&mut int) => {}
            _ = next(&mut term) => {}
        }
        cancel.cancel();
        // A second Ctrl-C means "now".
        next(&mut int).await;
        netns::unregister();
        std::process::exit(130);
    });
}

fn print_list(json: bool) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::to_string_pretty(scenario::SCENARIOS).map_err(std::io::Error::from)?;
        writeln!(out, "{v}")?;
        return Ok(());
    }
    for s in scenario::SCENARIOS {
        let port = match s.transport {
            Transport::Unix => "socket".to_string(),
            _ => s.default_port.to_string(),
        };
        writeln!(
            out,
            "{:<14} {:<5} {:>6}  {}",
            s.name,
            format!("{:?}", s.transport).to_lowercase(),
            port,
            s.summary
        )?;
    }
    Ok(())
}

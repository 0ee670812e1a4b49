//! The netlab TUI: lessons, live timelines, labs in watch mode, progress.
//!
//! The Elm Architecture: [`app::App`] is the state, [`app::Msg`] what happened,
//! [`app::App::update`] the only place state changes (no I/O: it returns [`app::Cmd`]s), and the
//! view is `impl Widget for &App` ([`view`]). [`run_loop`] is generic over ratatui's `Backend`,
//! so tests drive it with a `TestBackend`; the real terminal and the effects (servers, demos,
//! checks, file watching, the editor, saving progress) live in [`Runtime`].
//!
//! Threads: the UI thread draws and updates; one thread reads the terminal's input; servers,
//! demos and lab checks run on a tokio runtime. Everything reaches the UI as a `Msg` over one
//! bounded channel. Timeline events are forwarded with `try_send`: when a flood fills the
//! channel, events are counted as "not shown" instead of queueing without bound, and the
//! timeline itself is a bounded ring — so neither memory nor the UI can be swamped. Frames are
//! drawn at most ~30 times a second, and only when something changed.
//!
//! Terminal hygiene: raw mode, the alternate screen and mouse capture are undone on every exit —
//! `q`, Ctrl-C (a key in raw mode), SIGTERM/SIGHUP (a `Msg::Quit`), a terminal that hangs up
//! (tmux killed, SSH dropped: a watcher thread polls it, a `Msg::Quit`), and panics (a panic hook
//! that restores the terminal before the message prints). Servers never print: their events
//! only go to the timeline.
//!
//! The wire view (`w`) runs the step's server or demo as a child netlab in its own network
//! namespace ([`wire`]); the child is stopped with the step and reaped, also on quit and panic.

pub mod app;
pub mod keymap;
mod keys;
pub mod markdown;
pub mod timeline;
pub mod view;
pub mod wire;

use crate::course::progress::Store;
use crate::course::Course;
use crate::lab::Language;
use crate::scenario::{self, BindSpec, ServeConfig};
use crate::trace::recorder::{Live, Subscription};
use crate::trace::Recorder;
use crate::workspace::Workspace;
use crate::{Error, ExitCode};
use app::{App, Cmd, Msg};
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event as TermEvent};
use ratatui::Terminal;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Time between frames at most (~30 fps).
pub const FRAME: Duration = Duration::from_millis(33);
/// Capacity of the message channel into the UI.
pub const CHANNEL: usize = 4096;

/// Where to open the course.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Lesson id, alias or number; `None`: resume.
    pub lesson: Option<String>,
    /// 1-based step.
    pub step: Option<usize>,
}

/// Draw, then apply messages as they come, redrawing at most once per [`FRAME`], until the app
/// quits or every sender is gone. `apply` carries out the app's commands.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    rx: &Receiver<Msg>,
    mut apply: impl FnMut(Cmd, &mut Terminal<B>, &mut App),
) -> Result<(), B::Error> {
    run_loop_with(terminal, app, rx, &mut apply, &mut |_, _| {})
}

/// [`run_loop`] with a hook called after every frame with the drawn buffer (the real terminal
/// uses it to overlay OSC 8 hyperlinks, which ratatui cannot measure).
pub fn run_loop_with<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    rx: &Receiver<Msg>,
    apply: &mut dyn FnMut(Cmd, &mut Terminal<B>, &mut App),
    after_draw: &mut dyn FnMut(&ratatui::buffer::Buffer, &App),
) -> Result<(), B::Error> {
    let frame = terminal.draw(|f| f.render_widget(&*app, f.area()))?;
    after_draw(frame.buffer, app);
    let mut last_draw = Instant::now();
    let mut last_tick = Instant::now();
    let mut dirty = false;
    while !app.quit {
        let wait = FRAME.saturating_sub(last_draw.elapsed().min(last_tick.elapsed()));
        let first = match rx.recv_timeout(wait.max(Duration::from_millis(1))) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Apply what is waiting, in one go (bounded, so input is never starved by a flood).
        let mut next = first;
        let mut handled = 0;
        while let Some(msg) = next.take() {
            if let Msg::Resize(..) = msg {
                let _ = terminal.autoresize();
            }
            for cmd in app.update(msg) {
                apply(cmd, terminal, app);
            }
            dirty = true;
            handled += 1;
            if app.quit || handled >= 2048 {
                break;
            }
            next = rx.try_recv().ok();
        }
        if last_tick.elapsed() >= FRAME {
            last_tick = Instant::now();
            let had_status = app.status.is_some() || app.lab.running || app.demo_running;
            let _ = app.update(Msg::Tick);
            dirty |= had_status;
        }
        if app.quit {
            break;
        }
        if dirty && last_draw.elapsed() >= FRAME {
            let frame = terminal.draw(|f| f.render_widget(&*app, f.area()))?;
            after_draw(frame.buffer, app);
            last_draw = Instant::now();
            dirty = false;
        }
    }
    Ok(())
}

/// `netlab` / `netlab tui`: open the course in the terminal.
pub fn run(course_dir: Option<&Path>, opts: Options) -> Result<ExitCode, Error> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Error::Usage(
            "the course needs an interactive terminal; without one, try `netlab list` and `netlab lesson ID`".into(),
        ));
    }
    let started = Instant::now();
    let course = Arc::new(Course::load(course_dir)?);
    let cwd = std::env::current_dir()?;
    // The workspace around the folder, else the one the learner made last (from anywhere):
    // progress lives in it.
    let workspace = Workspace::find(&cwd);
    let store = Store::locate(workspace.as_ref().map_or(cwd.as_path(), |w| &w.root));
    let (progress, warning) = store.load();
    let mut app = App::new(course.clone(), progress);
    app.workspace = workspace;
    app.color = crate::term::color_stdout();
    app.hyperlinks = true;
    let (lesson, step) = match &opts.lesson {
        Some(id) => match course.find(id) {
            Some((i, _)) => (i, opts.step.unwrap_or(1).saturating_sub(1)),
            None => {
                return Err(Error::Usage(format!(
                    "unknown lesson `{id}`{}; `netlab list` shows them all",
                    course
                        .suggest(id)
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default()
                )))
            }
        },
        None => {
            let (l, s) = app.resume_position();
            (l, opts.step.map_or(s, |n| n.saturating_sub(1)))
        }
    };
    let first_cmds = app.open(lesson, step);
    if let Some(w) = warning {
        app.update(Msg::Status(w));
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Msg>(CHANNEL);
    let stop_input = Arc::new(AtomicBool::new(false));

    let mut terminal = ratatui::init();
    let _ = ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::event::EnableMouseCapture
    );
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        hook(info);
    }));

    // Input thread: terminal events → messages; a terminal that goes away becomes a `Quit`.
    let input = {
        let (tx, stop) = (tx.clone(), stop_input.clone());
        std::thread::spawn(move || read_input(&tx, &stop))
    };
    let hangup = {
        let (tx, stop) = (tx.clone(), stop_input.clone());
        std::thread::spawn(move || watch_hangup(&tx, &stop))
    };
    // Signals: SIGTERM and SIGHUP quit cleanly (SIGINT arrives as a Ctrl-C key in raw mode).
    // Registered here, synchronously, so none can meet the default action once we draw.
    {
        use tokio::signal::unix::{signal, SignalKind};
        let _enter = rt.enter();
        let streams = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
            signal(SignalKind::interrupt()),
        );
        let tx = tx.clone();
        if let (Ok(mut term), Ok(mut hup), Ok(mut int)) = streams {
            rt.spawn(async move {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                    _ = int.recv() => {}
                }
                let _ = tx.send(Msg::Quit);
            });
        }
    }

    let mut runtime = Runtime {
        rt: rt.handle().clone(),
        tx: tx.clone(),
        course,
        store,
        cwd,
        server: None,
        demo: None,
        watcher: None,
    };
    for c in first_cmds {
        runtime.apply(c, &mut terminal, &mut app);
    }
    if std::env::var_os("NETLAB_TUI_PROBE").is_some() {
        // Measurement hook for the benchmark: time to the first frame, then quit.
        terminal
            .draw(|f| f.render_widget(&app, f.area()))
            .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
        let first_frame = started.elapsed();
        runtime.shutdown();
        stop_input.store(true, Ordering::Relaxed);
        join_bounded(input, Duration::from_millis(300));
        join_bounded(hangup, Duration::from_millis(300));
        restore_terminal();
        eprintln!(
            "first frame after {:.1} ms",
            first_frame.as_secs_f64() * 1e3
        );
        return Ok(ExitCode::Pass);
    }
    drop(tx);
    let result = run_loop_with(
        &mut terminal,
        &mut app,
        &rx,
        &mut |cmd, term, app| runtime.apply(cmd, term, app),
        &mut hyperlink,
    );
    // The loop also ends when drawing fails (the terminal is gone): quit as `q` would, so
    // progress is saved and the server stopped either way.
    if !app.quit {
        for cmd in app.quit() {
            runtime.apply(cmd, &mut terminal, &mut app);
        }
    }
    runtime.shutdown();
    stop_input.store(true, Ordering::Relaxed);
    join_bounded(input, Duration::from_millis(300));
    join_bounded(hangup, Duration::from_millis(300));
    restore_terminal();
    rt.shutdown_timeout(Duration::from_millis(500));
    match result {
        Ok(()) => Ok(ExitCode::Pass),
        // Nobody is left to read an error on a terminal that went away.
        Err(_) if terminal_gone() => Ok(ExitCode::Pass),
        Err(e) => Err(Error::Io(std::io::Error::other(e.to_string()))),
    }
}

/// The terminal (stdin, which crossterm reads) has hung up or closed — within `timeout`.
/// Only hang-ups wake this, never input, so it can wait beside the input thread.
fn tty_hung_up(timeout: Duration) -> bool {
    let mut fds = [libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: 0,
        revents: 0,
    }];
    let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
    // SAFETY: `fds` is a valid array of one pollfd that outlives the call.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), 1, ms) };
    if n < 0 {
        return std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted;
    }
    fds[0].revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

/// The terminal is no longer there (hung up or closed).
fn terminal_gone() -> bool {
    tty_hung_up(Duration::ZERO)
}

/// The input thread: terminal events → messages until `stop`, the UI is gone, or reading
/// fails (then a `Quit`, so the app saves and stops its servers).
fn read_input(tx: &SyncSender<Msg>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        match event::poll(Duration::from_millis(50)) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(_) => break,
        }
        let msg = match event::read() {
            Ok(TermEvent::Key(k)) => Msg::Key(k),
            Ok(TermEvent::Mouse(m)) => Msg::Mouse(m),
            Ok(TermEvent::Resize(w, h)) => Msg::Resize(w, h),
            Ok(_) => continue,
            Err(_) => break,
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
    if !stop.load(Ordering::Relaxed) {
        let _ = tx.send(Msg::Quit);
    }
}

/// The hang-up watcher: crossterm's reader retries a read that returns end-of-file or `EIO`
/// forever (a busy loop that never reports an error), so a lost terminal (tmux killed, SSH
/// dropped) is noticed here instead, and turned into a `Quit`.
fn watch_hangup(tx: &SyncSender<Msg>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        if tty_hung_up(Duration::from_millis(100)) {
            let _ = tx.send(Msg::Quit);
            return;
        }
    }
}

/// Wait for `thread` at most `limit` (bounded polling of `is_finished`); a thread still
/// running after that is left behind, to end with the process.
fn join_bounded(thread: std::thread::JoinHandle<()>, limit: Duration) {
    let deadline = Instant::now() + limit;
    while !thread.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    if thread.is_finished() {
        let _ = thread.join();
    }
}

/// Undo everything [`run`] did to the terminal: mouse capture, raw mode, alternate screen.
fn restore_terminal() {
    let _ = ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::event::DisableMouseCapture
    );
    ratatui::restore();
}

/// Make the app's file path on screen a clickable OSC 8 link: the same characters, rewritten
/// in place around the cursor (saved and restored), after ratatui has drawn the frame.
fn hyperlink(buf: &ratatui::buffer::Buffer, app: &App) {
    use std::io::Write;
    let Some((text, url)) = app.link_target() else {
        return;
    };
    let Some((x, y)) = view::find_text(buf, &text) else {
        return;
    };
    let mut out = std::io::stdout().lock();
    let _ = write!(
        out,
        "\x1b7\x1b[{};{}H\x1b]8;;{url}\x1b\\{text}\x1b]8;;\x1b\\\x1b8",
        y + 1,
        x + 1
    );
    let _ = out.flush();
}

/// A server (or demo) running for the UI.
struct Running {
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

/// Carries out [`Cmd`]s: the only part of the TUI with side effects.
struct Runtime {
    rt: tokio::runtime::Handle,
    tx: SyncSender<Msg>,
    course: Arc<Course>,
    store: Store,
    cwd: PathBuf,
    server: Option<Running>,
    /// The wire view's demo child, while it runs.
    demo: Option<Running>,
    /// Watches the open lab's client file (watch mode).
    watcher: Option<crate::watch::FileWatcher>,
}

impl Drop for Runtime {
    /// Also on a panic: servers stop and the wire view's children are killed and reaped.
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Forward a recorder's live entries to the UI without ever blocking: when the channel is
/// full, entries are counted and reported as `Lagged`.
async fn forward(mut sub: Subscription, tx: SyncSender<Msg>) {
    let dropped = AtomicU64::new(0);
    while let Some(live) = sub.recv().await {
        let msg = match live {
            Live::Entry(e) => Msg::Event(e),
            Live::Lagged(n) => Msg::Lagged(n),
        };
        let pending = dropped.swap(0, Ordering::Relaxed);
        if pending > 0 && tx.try_send(Msg::Lagged(pending)).is_err() {
            dropped.fetch_add(pending, Ordering::Relaxed);
        }
        match tx.try_send(msg) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                dropped.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(_)) => return,
        }
    }
    let pending = dropped.load(Ordering::Relaxed);
    if pending > 0 {
        let _ = tx.try_send(Msg::Lagged(pending));
    }
}

impl Runtime {
    fn stop_server(&mut self) {
        if let Some(r) = self.server.take() {
            r.cancel.cancel();
            // Graceful: the server ends its connections; wait briefly so its last events
            // reach the timeline.
            let _ = self
                .rt
                .block_on(async { tokio::time::timeout(Duration::from_secs(2), r.task).await });
        }
    }

    /// Stop the wire view's demo child (killed and reaped).
    fn stop_demo(&mut self) {
        if let Some(r) = self.demo.take() {
            r.cancel.cancel();
            let _ = self
                .rt
                .block_on(async { tokio::time::timeout(Duration::from_secs(3), r.task).await });
        }
    }

    fn shutdown(&mut self) {
        self.stop_server();
        self.stop_demo();
        self.watcher = None;
    }

    fn apply<B: Backend>(&mut self, cmd: Cmd, terminal: &mut Terminal<B>, app: &mut App) {
        match cmd {
            Cmd::StartServer(name) => self.start_server(name),
            Cmd::StartServerWire(name) => self.start_server_wire(name),
            Cmd::StopServer => self.stop_server(),
            Cmd::RunDemo(name) => self.run_demo(name),
            Cmd::RunDemoWire(name) => self.run_demo_wire(name),
            Cmd::RunCheck(lab) => self.run_check(lab, app),
            Cmd::Watch(None) => self.watcher = None,
            Cmd::Watch(Some(file)) => {
                self.watcher = None;
                let tx = self.tx.clone();
                match crate::watch::FileWatcher::new(&file, move || {
                    let _ = tx.try_send(Msg::FileChanged);
                }) {
                    Ok(w) => self.watcher = Some(w),
                    Err(e) => {
                        let _ = self.tx.try_send(Msg::WatchFailed(e.to_string()));
                    }
                }
            }
            Cmd::OpenEditor(path) => self.open_editor(path, terminal),
            Cmd::SaveProgress(p) => {
                if let Err(e) = self.store.save(&p) {
                    let _ = self.tx.try_send(Msg::Status(e.to_string()));
                }
            }
            Cmd::InitWorkspace(lang) => self.init_workspace(app, lang),
            Cmd::Quit => {}
        }
    }

    /// Start the step's scenario (its usual port, else any free one) and forward its timeline.
    fn start_server(&mut self, name: String) {
        self.stop_server();
        self.stop_demo();
        let Some(sc) = scenario::find(&name) else {
            let _ = self
                .tx
                .try_send(Msg::ServerFailed(format!("unknown scenario {name}")));
            return;
        };
        let cancel = CancellationToken::new();
        let tx = self.tx.clone();
        let c = cancel.clone();
        let dir = std::env::temp_dir();
        let task = self.rt.spawn(async move {
            let mut spec = BindSpec {
                port: Some(sc.default_port),
                socket: Some(dir.join(format!("netlab-tui-{}-{}.sock", name, std::process::id()))),
                ca_out: Some(dir.join(format!("netlab-tui-ca-{}.pem", std::process::id()))),
                ..BindSpec::default()
            };
            let bound = match scenario::bind(sc, &spec).await {
                // The scenario's usual port is taken: any free port will do, the
                // commands shown carry the real one.
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    spec.port = Some(0);
                    scenario::bind(sc, &spec).await
                }
                other => other,
            };
            let bound = match bound {
                Ok(b) => b,
                Err(e) => {
                    let _ = tx.try_send(Msg::ServerFailed(e.to_string()));
                    return;
                }
            };
            let recorder = Recorder::new();
            let fwd = tokio::spawn(forward(recorder.subscribe(), tx.clone()));
            let cfg = ServeConfig::default();
            let server = scenario::Running::spawn_until(sc, bound, cfg, recorder, c).await;
            let shown = |p: &Option<PathBuf>| {
                p.as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            };
            let _ = tx.send(Msg::ServerStarted {
                scenario: name,
                port: server.port.unwrap_or(0),
                socket: shown(&server.socket),
                ca: shown(&server.ca),
            });
            // Until the UI cancels it: then it closes its connections gracefully.
            let _ = server.wait().await;
            let _ = fwd.await;
            let _ = tx.try_send(Msg::ServerStopped);
        });
        self.server = Some(Running { cancel, task });
    }

    /// Start the step's scenario with the wire view: a child `netlab serve NAME --wire --json`
    /// (its own network namespace), whose entries reach the timeline. The scenario's usual
    /// port is free in that namespace; where the child shares this machine's loopback instead
    /// and the port is taken, it is started again on a free one.
    fn start_server_wire(&mut self, name: String) {
        self.stop_server();
        self.stop_demo();
        let Some(sc) = scenario::find(&name) else {
            let _ = self
                .tx
                .try_send(Msg::ServerFailed(format!("unknown scenario {name}")));
            return;
        };
        let cancel = CancellationToken::new();
        let tx = self.tx.clone();
        let c = cancel.clone();
        let dir = std::env::temp_dir();
        let pid = std::process::id();
        let socket = dir.join(format!("netlab-tui-{name}-{pid}.sock"));
        let ca = dir.join(format!("netlab-tui-ca-{pid}.pem"));
        let task = self.rt.spawn(async move {
            let shown = |p: &Path, on: bool| {
                if on {
                    p.display().to_string()
                } else {
                    String::new()
                }
            };
            let (socket_shown, ca_shown) = (
                shown(&socket, sc.transport == scenario::Transport::Unix),
                shown(&ca, sc.transport == scenario::Transport::Https),
            );
            // Two tries at most: the usual port, then (taken on a shared loopback) any.
            for port in [sc.default_port, 0] {
                let args = wire::serve_args(
                    &name,
                    port,
                    Some(socket_shown.as_str()).filter(|s| !s.is_empty()),
                    Some(ca_shown.as_str()).filter(|s| !s.is_empty()),
                );
                let started = tx.clone();
                let (n, s, a) = (name.clone(), socket_shown.clone(), ca_shown.clone());
                let mut told = false;
                let r = wire::run_child(args, tx.clone(), c.clone(), move |e| {
                    // A Unix-socket scenario listens on a path (no port, and no packets).
                    if let crate::trace::Event::Listening { port, .. } = &e.event {
                        if !told {
                            told = true;
                            let _ = started.send(Msg::ServerStarted {
                                scenario: n.clone(),
                                port: port.unwrap_or(0),
                                socket: s.clone(),
                                ca: a.clone(),
                            });
                        }
                    }
                })
                .await;
                match r {
                    Ok(o) if o.listened => {
                        let _ = tx.try_send(Msg::ServerStopped);
                        return;
                    }
                    Ok(o) if o.stopped => return,
                    Ok(o) => {
                        let why = o.stderr_tail.join("; ");
                        let in_use = why.contains("EADDRINUSE") || why.contains("in use");
                        if port != 0 && in_use {
                            continue;
                        }
                        let why = if why.is_empty() {
                            "the wire view's server ended before listening".to_string()
                        } else {
                            why
                        };
                        let _ = tx.try_send(Msg::ServerFailed(why));
                        return;
                    }
                    Err(e) => {
                        let _ = tx.try_send(Msg::ServerFailed(e));
                        return;
                    }
                }
            }
        });
        self.server = Some(Running { cancel, task });
    }

    /// Run the step's demo with the wire view: a child `netlab demo NAME --wire --json`.
    fn run_demo_wire(&mut self, name: String) {
        self.stop_server();
        self.stop_demo();
        let cancel = CancellationToken::new();
        let tx = self.tx.clone();
        let c = cancel.clone();
        let task = self.rt.spawn(async move {
            let r = wire::run_child(wire::demo_args(&name), tx.clone(), c, |_| {}).await;
            let done = match r {
                Ok(o) if o.ok => Ok(o.notes),
                Ok(o) => Err(if o.stderr_tail.is_empty() {
                    "the wire view's demo failed".to_string()
                } else {
                    o.stderr_tail.join("; ")
                }),
                Err(e) => Err(e),
            };
            let _ = tx.send(Msg::DemoDone(done));
        });
        self.demo = Some(Running { cancel, task });
    }

    /// Run a demo to completion, its timeline forwarded to the UI.
    fn run_demo(&mut self, name: String) {
        self.stop_server();
        self.stop_demo();
        let Some(d) = crate::demo::find(&name) else {
            let _ = self
                .tx
                .try_send(Msg::DemoDone(Err(format!("unknown demo {name}"))));
            return;
        };
        let tx = self.tx.clone();
        self.rt.spawn(async move {
            let recorder = Recorder::new();
            let fwd = tokio::spawn(forward(recorder.subscribe(), tx.clone()));
            let r = crate::demo::run(d, recorder, ServeConfig::default()).await;
            let _ = fwd.await;
            let _ = tx.send(Msg::DemoDone(r.map(|f| f.notes).map_err(|e| e.to_string())));
        });
    }

    /// Check the learner's client for `lab` in the background.
    fn run_check(&mut self, lab: String, app: &App) {
        let Some(entry) = self.course.labs.find(&lab).cloned() else {
            let _ = self
                .tx
                .try_send(Msg::CheckDone(Err(format!("unknown lab {lab}"))));
            return;
        };
        let ws = match &app.workspace {
            Some(ws) => Ok(ws.clone()),
            None => Workspace::locate(&self.cwd),
        };
        let tx = self.tx.clone();
        self.rt.spawn(async move {
            let r = match ws.and_then(|ws| ws.client_command(&lab)) {
                Ok(c) => {
                    let limit = crate::lab::check::time_limit(&entry, None);
                    crate::lab::check::check_one(&entry, &c.argv, &c.cwd, limit)
                        .await
                        .map(Box::new)
                        .map_err(|e| e.to_string())
                }
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(Msg::CheckDone(r));
        });
    }

    /// Suspend the UI and open `path` in `$VISUAL`/`$EDITOR`.
    fn open_editor<B: Backend>(&mut self, path: PathBuf, terminal: &mut Terminal<B>) {
        let editor = std::env::var("VISUAL")
            .or_else(|_| std::env::var("EDITOR"))
            .unwrap_or_else(|_| "vi".to_string());
        restore_terminal();
        // `$EDITOR` may carry arguments (`code -w`): let the shell split it.
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("netlab-editor")
            .arg(&path)
            .status();
        let _ = ratatui::crossterm::terminal::enable_raw_mode();
        let _ = ratatui::crossterm::execute!(
            std::io::stdout(),
            ratatui::crossterm::terminal::EnterAlternateScreen,
            ratatui::crossterm::event::EnableMouseCapture
        );
        let _ = terminal.clear();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                let _ = self
                    .tx
                    .try_send(Msg::Status(format!("{editor} exited with {s}")));
            }
            Err(e) => {
                let _ = self.tx.try_send(Msg::Status(format!(
                    "cannot run {editor}: {e} (set $EDITOR)"
                )));
            }
        }
    }

    /// Make a workspace (`netlab init`) for `lang` at the app's workspace home, and remember
    /// it so netlab started from any folder finds it again.
    fn init_workspace(&mut self, app: &mut App, lang: Language) {
        if let Some(ws) = &app.workspace {
            let _ = self.tx.try_send(Msg::Status(format!(
                "You already have a workspace: {}",
                ws.root.display()
            )));
            return;
        }
        let root = app.workspace_home.clone();
        match Workspace::create(&self.course.labs, &root, lang) {
            Ok((ws, _)) => {
                if let Err(e) = crate::workspace::remember(&ws.root) {
                    let _ = self.tx.try_send(Msg::Status(format!(
                        "the workspace is made, but netlab cannot remember it: {e}"
                    )));
                }
                app.workspace = Some(ws.clone());
                // Progress follows the workspace from now on.
                self.store = Store::locate(&root);
                let _ = self.tx.try_send(Msg::WorkspaceReady(ws));
            }
            Err(e) => {
                let _ = self
                    .tx
                    .try_send(Msg::Status(format!("netlab init failed: {e}")));
            }
        }
    }
}

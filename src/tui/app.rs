//! The TUI's state and its `update`: every key press, server event and finished check is a
//! [`Msg`]; [`App::update`] changes the state and returns the [`Cmd`]s to carry out (start a
//! server, run a check, save progress…). It does no I/O, so tests drive it with plain values.

use crate::course::lesson::Step;
use crate::course::progress::Progress;
use crate::course::Course;
use crate::lab::report::Report;
use crate::trace::Entry;
use crate::workspace::Workspace;
use ratatui::crossterm::event::{KeyEvent, KeyEventKind, MouseEvent, MouseEventKind};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

pub use super::timeline::{conn_of, Timeline, TIMELINE_CAP};

/// Something that happened, for [`App::update`].
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Time passes (spinners, transient messages).
    Tick,
    /// The step's server is listening.
    ServerStarted {
        scenario: String,
        port: u16,
        socket: String,
        ca: String,
    },
    ServerFailed(String),
    ServerStopped,
    /// A timeline entry from the running server or demo.
    Event(Arc<Entry>),
    /// This many entries were dropped before reaching the UI (a flood).
    Lagged(u64),
    /// A demo finished, with its closing notes or an error.
    DemoDone(Result<Vec<String>, String>),
    /// A lab check finished.
    CheckDone(Result<Box<Report>, String>),
    /// The watched client file changed on disk.
    FileChanged,
    /// Watching the file is not possible here (the learner checks by hand).
    WatchFailed(String),
    /// A workspace now exists at this path.
    WorkspaceReady(Workspace),
    /// A one-line message for the status bar (e.g. a save error).
    Status(String),
    /// A line the wire view's child (`netlab … --wire --json`) said on stderr, or printed that
    /// is no entry: shown on the status line; "wire view unavailable: …" and the host-loopback
    /// notice also mean the learner's own client needs no `netlab exec`.
    WireNotice(String),
    /// Stop: SIGTERM or SIGHUP arrived.
    Quit,
}

/// What the runtime should do for the app.
#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    StartServer(String),
    /// Start the scenario with the wire view: as a child `netlab serve NAME --wire --json`,
    /// whose entries (packets included) become `Msg::Event`s.
    StartServerWire(String),
    /// Stop the step's server (in-process or the wire view's child: killed and reaped).
    StopServer,
    RunDemo(String),
    /// Run the demo with the wire view: a child `netlab demo NAME --wire --json`.
    RunDemoWire(String),
    /// Grade the learner's client for this lab.
    RunCheck(String),
    /// Watch (Some) or stop watching (None) the learner's client file.
    Watch(Option<PathBuf>),
    /// Suspend the UI and open the file in `$EDITOR`.
    OpenEditor(PathBuf),
    SaveProgress(Box<Progress>),
    /// Make a learner workspace (`netlab init`) for this language, at
    /// [`App::workspace_home`], so labs have files to edit.
    InitWorkspace(crate::lab::Language),
    Quit,
}

/// Which screen is showing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Lesson,
    Lab,
    Map,
}

/// Where arrow keys go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Text,
    Timeline,
}

/// The step's server.
#[derive(Clone, Debug, PartialEq)]
pub enum Server {
    Stopped,
    Starting(String),
    Running {
        scenario: String,
        port: u16,
        socket: String,
        ca: String,
    },
    Failed(String),
}

/// A quiz in progress on the current step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quiz {
    pub cursor: usize,
    pub chosen: BTreeSet<usize>,
    /// Answered: explanations are shown.
    pub submitted: bool,
}

/// A lab being worked on.
#[derive(Clone, Debug, Default)]
pub struct LabView {
    pub id: String,
    /// The learner's client file, when a workspace exists.
    pub file: Option<PathBuf>,
    pub running: bool,
    /// A save arrived while a check ran: check again when it ends.
    pub rerun: bool,
    pub watching: bool,
    pub watch_error: Option<String>,
    pub last: Option<Box<Report>>,
    pub error: Option<String>,
    /// Hints revealed so far.
    pub hints: usize,
    pub scroll: u16,
    /// Rows scrolled down in the last run's timeline (`t` focuses it, ↑↓ scroll).
    pub run_scroll: u16,
    /// Columns the pane beside the report is scrolled right (←/→ with it focused).
    pub run_hscroll: usize,
    /// The pane beside the report shows the reference solution instead of the run (`s`,
    /// once the lab has passed).
    pub solution: bool,
}

/// What a confirmation prompt is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    ResetLab(String),
    ResetAll,
    /// Which language a new workspace is for (`i`): n, p or s.
    Language,
}

/// The whole UI state.
pub struct App {
    pub course: Arc<Course>,
    pub progress: Progress,
    /// 0-based lesson and step.
    pub lesson: usize,
    pub step: usize,
    pub screen: Screen,
    pub focus: Focus,
    pub help: bool,
    pub scroll: u16,
    pub timeline: Timeline,
    pub server: Server,
    /// The wire view (`w`, or a step with `wire = true`): the step's server or demo runs as a
    /// child netlab in its own network namespace and the timeline gets its packets.
    pub wire: bool,
    /// The server that runs (or starts) was started with the wire view.
    pub server_wire: bool,
    /// The wire view's child said it runs without a namespace of its own (host loopback or no
    /// capture at all): the learner's client needs no `netlab exec` then.
    pub wire_fallback: bool,
    pub demo_running: bool,
    pub notes: Vec<String>,
    pub quiz: Quiz,
    pub lab: LabView,
    pub map_cursor: usize,
    pub confirm: Option<Confirm>,
    /// A transient message and the ticks it has left.
    pub status: Option<(String, u16)>,
    /// The learner's workspace, once there is one.
    pub workspace: Option<Workspace>,
    /// Where `i` makes a workspace (shown before it is made): the user's data folder
    /// ([`crate::workspace::default_root`]), read from the environment by [`App::new`].
    pub workspace_home: PathBuf,
    pub quit: bool,
    /// Terminal supports colour (NO_COLOR unset).
    pub color: bool,
    /// Emit OSC 8 hyperlinks for file paths.
    pub hyperlinks: bool,
    pub tick: u64,
}

/// What a lab key says when there is no workspace yet.
pub(super) const NO_WORKSPACE: &str = "No workspace yet: press i to make one (netlab init).";

/// How many ticks a status message stays.
const STATUS_TICKS: u16 = 120;

impl App {
    pub fn new(course: Arc<Course>, progress: Progress) -> App {
        App {
            course,
            progress,
            lesson: 0,
            step: 0,
            screen: Screen::Lesson,
            focus: Focus::Text,
            help: false,
            scroll: 0,
            timeline: Timeline::default(),
            server: Server::Stopped,
            wire: false,
            server_wire: false,
            wire_fallback: false,
            demo_running: false,
            notes: Vec::new(),
            quiz: Quiz::default(),
            lab: LabView::default(),
            map_cursor: 0,
            confirm: None,
            status: None,
            workspace: None,
            workspace_home: crate::workspace::default_root(),
            quit: false,
            color: true,
            hyperlinks: false,
            tick: 0,
        }
    }

    /// Open at `lesson` (0-based) and `step` (0-based), clamped; returns the commands that
    /// entering the step needs (saving the position).
    pub fn open(&mut self, lesson: usize, step: usize) -> Vec<Cmd> {
        self.lesson = lesson.min(self.course.lessons.len().saturating_sub(1));
        let steps = self.steps().len();
        self.step = step.min(steps.saturating_sub(1));
        self.enter_step()
    }

    /// Where the learner left off, or the first lesson.
    pub fn resume_position(&self) -> (usize, usize) {
        let Some(p) = &self.progress.position else {
            return (0, 0);
        };
        match self.course.find(&p.lesson) {
            Some((i, _)) => (i, p.step.saturating_sub(1)),
            None => (0, 0),
        }
    }

    pub fn steps(&self) -> &[Step] {
        self.course
            .lessons
            .get(self.lesson)
            .map_or(&[], |e| e.lesson.steps.as_slice())
    }

    pub fn current(&self) -> Option<&Step> {
        self.steps().get(self.step)
    }

    pub fn lesson_id(&self) -> &str {
        self.course
            .lessons
            .get(self.lesson)
            .map_or("", |e| e.lesson.id.as_str())
    }

    /// Show a transient message (OS errors in it in Node's words).
    pub(super) fn say(&mut self, msg: impl Into<String>) {
        self.status = Some((crate::errname::rewrite(&msg.into()), STATUS_TICKS));
    }

    pub(super) fn save(&self) -> Cmd {
        Cmd::SaveProgress(Box::new(self.progress.clone()))
    }

    /// Entering a step: remember it, reset per-step state.
    fn enter_step(&mut self) -> Vec<Cmd> {
        self.scroll = 0;
        // A verdict ("Not quite…") belongs to the step it was about.
        self.status = None;
        self.quiz = Quiz::default();
        if let (Some(Step::Quiz { .. }), Some(l)) =
            (self.current(), self.progress.lessons.get(self.lesson_id()))
        {
            if let Some(a) = l.quizzes.get(&(self.step + 1).to_string()) {
                self.quiz.chosen = a.chosen.iter().copied().collect();
                self.quiz.submitted = true;
            }
        }
        let id = self.lesson_id().to_string();
        self.progress.visit(&id, self.step + 1);
        let mut cmds = vec![self.save()];
        // A step about the packets starts with the wire view on.
        self.wire = self.current().is_some_and(Step::wire);
        // A running server that this step does not use keeps running only if the step is
        // plain text (so the learner can read on while it runs); another scenario stops it.
        if let Server::Running { scenario, .. } | Server::Starting(scenario) = &self.server {
            let wanted = self
                .current()
                .and_then(|s| s.scenario())
                .map(str::to_string);
            if wanted.as_deref().is_some_and(|w| w != scenario) {
                cmds.push(Cmd::StopServer);
                self.server = Server::Stopped;
            } else if wanted.is_some() && self.server_wire && !self.wire {
                // The same server, with the packets the learner already sees: keep them.
                self.wire = true;
            } else if wanted.is_some() && self.wire && !self.server_wire {
                // The same server, but this step is about its packets: restart it with them.
                let sc = scenario.clone();
                cmds.push(Cmd::StopServer);
                cmds.extend(self.start_server(sc));
            }
        }
        cmds
    }

    pub(super) fn next_step(&mut self) -> Vec<Cmd> {
        if self.step + 1 < self.steps().len() {
            self.step += 1;
            self.enter_step()
        } else if self.lesson + 1 < self.course.lessons.len() {
            self.lesson += 1;
            self.step = 0;
            self.timeline.clear();
            self.notes.clear();
            let mut c = self.enter_step();
            self.say(format!(
                "Lesson {}: {}",
                self.lesson + 1,
                self.course.lessons[self.lesson].lesson.title
            ));
            if !matches!(self.server, Server::Stopped) {
                c.push(Cmd::StopServer);
                self.server = Server::Stopped;
            }
            c
        } else {
            self.say("That was the last step of the course. Well done!");
            Vec::new()
        }
    }

    pub(super) fn prev_step(&mut self) -> Vec<Cmd> {
        if self.step > 0 {
            self.step -= 1;
            self.enter_step()
        } else if self.lesson > 0 {
            self.lesson -= 1;
            self.step = self.steps().len().saturating_sub(1);
            self.timeline.clear();
            self.notes.clear();
            let mut c = self.enter_step();
            if !matches!(self.server, Server::Stopped) {
                c.push(Cmd::StopServer);
                self.server = Server::Stopped;
            }
            c
        } else {
            Vec::new()
        }
    }

    /// `s`: start or stop the step's server.
    pub(super) fn toggle_server(&mut self) -> Vec<Cmd> {
        match &self.server {
            Server::Running { .. } | Server::Starting(_) => {
                self.server = Server::Stopped;
                vec![Cmd::StopServer]
            }
            _ => match self.current().and_then(|s| s.scenario()) {
                Some(sc) => {
                    let sc = sc.to_string();
                    self.start_server(sc)
                }
                None => {
                    self.say("This step has no server. Steps marked Live or Demo do.");
                    Vec::new()
                }
            },
        }
    }

    /// Start `scenario` (with the wire view when it is on), on a fresh timeline.
    fn start_server(&mut self, scenario: String) -> Vec<Cmd> {
        self.timeline.restart();
        self.notes.clear();
        self.server = Server::Starting(scenario.clone());
        self.server_wire = self.wire;
        self.wire_fallback = false;
        vec![if self.wire {
            Cmd::StartServerWire(scenario)
        } else {
            Cmd::StartServer(scenario)
        }]
    }

    /// `w`: the wire view on or off for the step's server or demo. Turning it on (re)starts
    /// the server or runs the demo with it; turning it off restarts a running server without
    /// it. On a lab step, `w` is the lab's watch key.
    pub(super) fn toggle_wire(&mut self) -> Vec<Cmd> {
        match self.current() {
            Some(Step::Serve { .. }) => {
                self.wire = !self.wire;
                self.say_wire();
                // A running server restarts with (or without) the view; a stopped one
                // stays stopped: `s` starts it, in the mode chosen here.
                let live = !matches!(self.server, Server::Stopped | Server::Failed(_));
                if live {
                    let mut cmds = vec![Cmd::StopServer];
                    self.server = Server::Stopped;
                    cmds.extend(self.toggle_server());
                    return cmds;
                }
                if self.wire {
                    self.say("Wire view on: s starts the server; connect through netlab exec");
                }
                Vec::new()
            }
            Some(Step::Demo { .. }) => {
                self.wire = !self.wire;
                self.say_wire();
                if self.demo_running {
                    self.say("The wire view changes with the demo's next run (d).");
                    Vec::new()
                } else if self.wire {
                    self.run_demo()
                } else {
                    Vec::new()
                }
            }
            _ => {
                self.say("The wire view (w) is for steps with a server or a demo.");
                Vec::new()
            }
        }
    }

    fn say_wire(&mut self) {
        self.say(if self.wire {
            "Wire view on: the packets (SYN, data, FIN, RST…) show as wire#N rows, → toward the server"
        } else {
            "Wire view off: socket events only (w turns it on)"
        });
    }

    /// `d`: run the step's demo.
    pub(super) fn run_demo(&mut self) -> Vec<Cmd> {
        if self.demo_running {
            return Vec::new();
        }
        let Some(Step::Demo { demo, .. }) = self.current() else {
            self.say("This step has no demo.");
            return Vec::new();
        };
        let demo = demo.clone();
        let mut cmds = Vec::new();
        if !matches!(self.server, Server::Stopped) {
            cmds.push(Cmd::StopServer);
            self.server = Server::Stopped;
        }
        self.timeline.restart();
        self.notes.clear();
        self.demo_running = true;
        self.wire_fallback = false;
        cmds.push(if self.wire {
            Cmd::RunDemoWire(demo)
        } else {
            Cmd::RunDemo(demo)
        });
        cmds
    }

    pub(super) fn open_lab(&mut self, id: &str) -> Vec<Cmd> {
        self.screen = Screen::Lab;
        if self.lab.id != id {
            let mut cmds = Vec::new();
            if self.lab.watching {
                cmds.push(Cmd::Watch(None));
            }
            self.lab = LabView {
                id: id.to_string(),
                ..LabView::default()
            };
            self.lab.file = self.client_file(id);
            if self.lab.file.is_some() {
                // Watch mode is on by default: save the file, see the verdict.
                self.lab.watching = true;
                cmds.push(Cmd::Watch(self.lab.file.clone()));
            }
            return cmds;
        }
        Vec::new()
    }

    fn client_file(&self, lab: &str) -> Option<PathBuf> {
        Some(self.workspace.as_ref()?.client_file(lab))
    }

    pub(super) fn check_now(&mut self) -> Vec<Cmd> {
        if self.lab.file.is_none() {
            self.say(NO_WORKSPACE);
            return Vec::new();
        }
        if self.lab.running {
            self.lab.rerun = true;
            return Vec::new();
        }
        self.lab.running = true;
        self.lab.error = None;
        vec![Cmd::RunCheck(self.lab.id.clone())]
    }

    /// Enter: do what the step is for.
    pub(super) fn act(&mut self) -> Vec<Cmd> {
        match self.current().cloned() {
            Some(Step::Serve { .. }) => self.toggle_server(),
            Some(Step::Demo { .. }) => self.run_demo(),
            Some(Step::Lab { lab, .. }) => self.open_lab(&lab),
            Some(Step::Quiz { choices, .. }) => {
                if self.quiz.submitted {
                    return self.next_step();
                }
                // An answer is an explicit choice: the cursor alone answers nothing.
                if self.quiz.chosen.is_empty() {
                    self.say("Mark an answer first (space or its number), then press Enter.");
                    return Vec::new();
                }
                self.quiz.submitted = true;
                let right: BTreeSet<usize> = choices
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.correct)
                    .map(|(i, _)| i)
                    .collect();
                let ok = right == self.quiz.chosen;
                let id = self.lesson_id().to_string();
                self.progress.answer(
                    &id,
                    self.step + 1,
                    self.quiz.chosen.iter().copied().collect(),
                    ok,
                );
                self.say(if ok {
                    "Right!"
                } else {
                    "Not quite — read why below."
                });
                vec![self.save()]
            }
            Some(Step::Text { .. }) | None => self.next_step(),
        }
    }

    /// Apply one message.
    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(k) if k.kind != KeyEventKind::Release => self.key(k),
            Msg::Key(_) => Vec::new(),
            Msg::Mouse(m) => {
                match m.kind {
                    MouseEventKind::ScrollUp => self.scroll_by(-3),
                    MouseEventKind::ScrollDown => self.scroll_by(3),
                    // A sideways wheel (or tilt) moves a focused pane like ←/→.
                    MouseEventKind::ScrollLeft if self.focus == Focus::Timeline => {
                        self.scroll_sideways(Some(-(super::keymap::SIDEWAYS_STEP as isize)))
                    }
                    MouseEventKind::ScrollRight if self.focus == Focus::Timeline => {
                        self.scroll_sideways(Some(super::keymap::SIDEWAYS_STEP as isize))
                    }
                    _ => {}
                }
                Vec::new()
            }
            Msg::Resize(..) => Vec::new(),
            Msg::Tick => {
                self.tick += 1;
                if let Some((_, left)) = self.status.as_mut() {
                    *left = left.saturating_sub(1);
                    if *left == 0 {
                        self.status = None;
                    }
                }
                Vec::new()
            }
            Msg::ServerStarted {
                scenario,
                port,
                socket,
                ca,
            } => {
                // A server that is no longer wanted (the learner moved on) is stopped.
                if self.server != Server::Starting(scenario.clone()) {
                    return vec![Cmd::StopServer];
                }
                // The old run's last events came before this: the new timeline starts here.
                self.timeline.awaiting_start = false;
                self.server = Server::Running {
                    scenario,
                    port,
                    socket,
                    ca,
                };
                Vec::new()
            }
            Msg::ServerFailed(e) => {
                self.server = Server::Failed(crate::errname::rewrite(&e));
                Vec::new()
            }
            Msg::ServerStopped => {
                if matches!(self.server, Server::Running { .. }) {
                    self.server = Server::Stopped;
                }
                Vec::new()
            }
            Msg::Event(e) => {
                // Paused or scrolled back, the view stays where it is (see Timeline::push).
                self.timeline.push(e);
                Vec::new()
            }
            Msg::Lagged(n) => {
                self.timeline.lagged += n;
                Vec::new()
            }
            Msg::DemoDone(r) => {
                self.demo_running = false;
                match r {
                    Ok(notes) => self.notes = notes,
                    Err(e) => {
                        self.notes =
                            vec![format!("the demo failed: {}", crate::errname::rewrite(&e))]
                    }
                }
                Vec::new()
            }
            Msg::CheckDone(r) => {
                self.lab.running = false;
                let mut cmds = Vec::new();
                match r {
                    Ok(report) => {
                        let passed = report.status == crate::lab::Status::Pass;
                        self.progress
                            .lab(&report.lab, passed, report.points, report.max_points);
                        cmds.push(self.save());
                        self.lab.last = Some(report);
                        self.lab.scroll = 0;
                        self.lab.run_scroll = 0;
                        self.lab.run_hscroll = 0;
                        self.lab.solution = false;
                    }
                    Err(e) => self.lab.error = Some(crate::errname::rewrite(&e)),
                }
                if std::mem::take(&mut self.lab.rerun) {
                    cmds.extend(self.check_now());
                }
                cmds
            }
            Msg::FileChanged => {
                if self.lab.watching && self.screen == Screen::Lab {
                    self.check_now()
                } else {
                    Vec::new()
                }
            }
            Msg::WatchFailed(e) => {
                self.lab.watching = false;
                self.lab.watch_error = Some(crate::errname::rewrite(&e));
                Vec::new()
            }
            Msg::WorkspaceReady(ws) => {
                self.say(format!(
                    "Workspace ready in {} ({}: a starter file in each lab's folder)",
                    ws.root.display(),
                    ws.language.name(),
                ));
                self.workspace = Some(ws);
                if self.screen == Screen::Lab {
                    let id = std::mem::take(&mut self.lab.id);
                    return self.open_lab(&id);
                }
                Vec::new()
            }
            Msg::Status(s) => {
                self.say(s);
                Vec::new()
            }
            Msg::WireNotice(s) => {
                if s.starts_with("wire view unavailable") || s.contains("this machine's loopback") {
                    self.wire_fallback = true;
                }
                self.say(s);
                Vec::new()
            }
            Msg::Quit => self.quit(),
        }
    }

    pub(super) fn quit(&mut self) -> Vec<Cmd> {
        self.quit = true;
        let mut cmds = Vec::new();
        if !matches!(self.server, Server::Stopped) {
            cmds.push(Cmd::StopServer);
        }
        cmds.push(self.save());
        cmds.push(Cmd::Quit);
        cmds
    }

    /// The lab's reference solution in the workspace's language (Node's without one):
    /// (language, file name, text), from the course.
    pub fn solution_text(&self) -> Option<(crate::lab::Language, String, String)> {
        let entry = self.course.labs.find(&self.lab.id)?;
        let lang = self
            .workspace
            .as_ref()
            .map_or(crate::lab::Language::Node, |w| w.language);
        let name = entry.lab.solutions.get(&lang)?;
        Some((lang, name.clone(), entry.file(name)?.to_string()))
    }

    /// Rows the pane beside the lab report has: the solution's lines, or the run's entries
    /// and their heads.
    fn run_rows(&self) -> usize {
        if self.lab.solution {
            return self
                .solution_text()
                .map_or(0, |(_, _, t)| t.lines().count());
        }
        let heads = !self.timeline.hide_heads;
        self.lab.last.as_ref().map_or(0, |r| {
            let as_lanes = self.timeline.lanes && !r.timeline.is_empty();
            if !r.steps.is_empty() && !as_lanes {
                // A server lab's step transcripts, as the run pane shows them.
                return r.steps.iter().map(|s| 1 + s.transcript.len()).sum();
            }
            r.timeline
                .iter()
                .map(|e| {
                    1 + heads
                        .then(|| crate::http::message::head_lines(&e.event))
                        .flatten()
                        .map_or(0, |l| l.len())
                })
                .sum()
        })
    }

    pub(super) fn scroll_by(&mut self, d: i32) {
        if self.screen == Screen::Lab && self.focus == Focus::Timeline {
            let rows = self.run_rows();
            let max = rows.saturating_sub(1).min(u16::MAX as usize) as i32;
            self.lab.run_scroll = (i32::from(self.lab.run_scroll) + d).clamp(0, max) as u16;
        } else if self.focus == Focus::Timeline {
            let max = self.timeline.visible().count();
            let s = self.timeline.scroll as i64 - i64::from(d);
            self.timeline.scroll = s.clamp(0, max as i64) as usize;
        } else if self.screen == Screen::Lab {
            self.lab.scroll = (i32::from(self.lab.scroll) + d).max(0) as u16;
        } else {
            self.scroll = (i32::from(self.scroll) + d).max(0) as u16;
        }
    }

    /// Scroll the focused pane sideways by `d` columns (or to the lines' start with
    /// `None`), no further than where the widest row's last [`SIDEWAYS_STEP`] columns stay in
    /// view: the pane's width is the view's business, so like `less -S` the offset is bounded
    /// by the text alone.
    ///
    /// [`SIDEWAYS_STEP`]: super::keymap::SIDEWAYS_STEP
    pub(super) fn scroll_sideways(&mut self, d: Option<isize>) {
        let lab = self.screen == Screen::Lab;
        let widest = if lab {
            self.run_widest()
        } else {
            let visible: Vec<_> = self.timeline.visible().collect();
            self.widest_row(&visible, !self.timeline.hide_heads)
        };
        let max = widest.saturating_sub(super::keymap::SIDEWAYS_STEP);
        let off = if lab {
            &mut self.lab.run_hscroll
        } else {
            &mut self.timeline.hscroll
        };
        *off = match d {
            Some(d) => off.saturating_add_signed(d).min(max),
            None => 0,
        };
    }

    /// The widest row of the pane beside the lab report, in columns.
    fn run_widest(&self) -> usize {
        if self.lab.solution {
            return self.solution_text().map_or(0, |(_, _, t)| {
                t.lines()
                    .map(|l| {
                        unicode_width::UnicodeWidthStr::width(super::markdown::visible(l).as_str())
                    })
                    .max()
                    .unwrap_or(0)
            });
        }
        self.lab.last.as_ref().map_or(0, |r| {
            let entries: Vec<_> = r.timeline.iter().collect();
            self.widest_row(&entries, !self.timeline.hide_heads)
        })
    }

    /// A lesson is done when every step was seen and every lab it sets has passed.
    pub fn lesson_complete(&self, lesson: usize) -> bool {
        let Some(e) = self.course.lessons.get(lesson) else {
            return false;
        };
        let l = &e.lesson;
        self.progress.lesson_done(&l.id, l.steps.len())
            && l.steps.iter().all(|s| match s {
                Step::Lab { lab, .. } => self.progress.lab_passed(lab),
                _ => true,
            })
    }

    /// Rows of the course map: lessons, then labs.
    pub fn map_rows(&self) -> usize {
        self.course.lessons.len() + self.course.labs.labs.len()
    }
}

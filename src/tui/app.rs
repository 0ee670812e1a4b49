//! The TUI's state and its `update`: every key press, server event and finished check is a
//! [`Msg`]; [`App::update`] changes the state and returns the [`Cmd`]s to carry out (start a
//! server, run a check, save progress…). It does no I/O, so tests drive it with plain values.

use crate::course::lesson::Step;
use crate::course::progress::Progress;
use crate::course::Course;
use crate::lab::report::Report;
use crate::trace::Entry;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind,
};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;

/// Most timeline entries kept for display; older ones are dropped (and counted).
pub const TIMELINE_CAP: usize = 2000;

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
    WorkspaceReady(PathBuf),
    /// A one-line message for the status bar (e.g. a save error).
    Status(String),
    /// Stop: SIGTERM or SIGHUP arrived.
    Quit,
}

/// What the runtime should do for the app.
#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    StartServer(String),
    StopServer,
    RunDemo(String),
    /// Grade the learner's client for this lab.
    RunCheck(String),
    /// Watch (Some) or stop watching (None) the learner's client file.
    Watch(Option<PathBuf>),
    /// Suspend the UI and open the file in `$EDITOR`.
    OpenEditor(PathBuf),
    SaveProgress(Box<Progress>),
    /// Make a learner workspace (`netlab init`) so labs have files to edit.
    InitWorkspace,
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

/// The live timeline: a bounded ring plus counters, so a flood cannot exhaust memory.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    pub entries: VecDeque<Arc<Entry>>,
    /// Entries dropped off the front of the ring.
    pub dropped: u64,
    /// Entries that never reached the UI (the channel was full).
    pub lagged: u64,
    /// Every event seen, by name (for the "look for" ticks), including dropped ones.
    pub counts: BTreeMap<&'static str, u64>,
    /// Show only this connection.
    pub filter: Option<u32>,
    /// Lines up from the newest; 0 follows the tail.
    pub scroll: usize,
    /// Frozen: new entries are counted but the view stays.
    pub paused: bool,
    /// Draw client ↔ server arrows instead of a list.
    pub lanes: bool,
}

impl Timeline {
    pub fn push(&mut self, e: Arc<Entry>) {
        *self.counts.entry(e.event.name()).or_default() += 1;
        if self.entries.len() == TIMELINE_CAP {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(e);
        if self.scroll > 0 || self.paused {
            self.scroll += 1; // keep the same lines in view
        }
    }

    pub fn clear(&mut self) {
        let keep = (self.filter, self.lanes);
        *self = Timeline::default();
        (self.filter, self.lanes) = keep;
    }

    /// Entries passing the filter.
    pub fn visible(&self) -> impl Iterator<Item = &Arc<Entry>> {
        self.entries
            .iter()
            .filter(move |e| self.filter.is_none_or(|c| conn_of(e) == Some(c)))
    }

    /// Connection numbers seen, in order.
    pub fn conns(&self) -> Vec<u32> {
        let set: BTreeSet<u32> = self.entries.iter().filter_map(|e| conn_of(e)).collect();
        set.into_iter().collect()
    }
}

/// The server-side connection an entry belongs to.
pub fn conn_of(e: &Entry) -> Option<u32> {
    use crate::trace::Scope;
    match e.scope {
        Scope::Conn { conn } | Scope::Request { conn, .. } | Scope::Response { conn, .. } => {
            Some(conn)
        }
        Scope::Client { conn } => Some(conn),
        _ => None,
    }
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
}

/// What a confirmation prompt is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    ResetLab(String),
    ResetAll,
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
    pub demo_running: bool,
    pub notes: Vec<String>,
    pub quiz: Quiz,
    pub lab: LabView,
    pub map_cursor: usize,
    pub confirm: Option<Confirm>,
    /// A transient message and the ticks it has left.
    pub status: Option<(String, u16)>,
    /// The learner's workspace (netlab.toml's folder) and its client extension.
    pub workspace: Option<(PathBuf, String)>,
    pub quit: bool,
    /// Terminal supports colour (NO_COLOR unset).
    pub color: bool,
    /// Emit OSC 8 hyperlinks for file paths.
    pub hyperlinks: bool,
    pub tick: u64,
}

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
            demo_running: false,
            notes: Vec::new(),
            quiz: Quiz::default(),
            lab: LabView::default(),
            map_cursor: 0,
            confirm: None,
            status: None,
            workspace: None,
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

    fn say(&mut self, msg: impl Into<String>) {
        self.status = Some((msg.into(), STATUS_TICKS));
    }

    fn save(&self) -> Cmd {
        Cmd::SaveProgress(Box::new(self.progress.clone()))
    }

    /// Entering a step: remember it, reset per-step state.
    fn enter_step(&mut self) -> Vec<Cmd> {
        self.scroll = 0;
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
            }
        }
        cmds
    }

    fn next_step(&mut self) -> Vec<Cmd> {
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

    fn prev_step(&mut self) -> Vec<Cmd> {
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
    fn toggle_server(&mut self) -> Vec<Cmd> {
        match &self.server {
            Server::Running { .. } | Server::Starting(_) => {
                self.server = Server::Stopped;
                vec![Cmd::StopServer]
            }
            _ => match self.current().and_then(|s| s.scenario()) {
                Some(sc) => {
                    let sc = sc.to_string();
                    self.timeline.clear();
                    self.notes.clear();
                    self.server = Server::Starting(sc.clone());
                    vec![Cmd::StartServer(sc)]
                }
                None => {
                    self.say("This step has no server. Steps marked Live or Demo do.");
                    Vec::new()
                }
            },
        }
    }

    /// `d`: run the step's demo.
    fn run_demo(&mut self) -> Vec<Cmd> {
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
        self.timeline.clear();
        self.notes.clear();
        self.demo_running = true;
        cmds.push(Cmd::RunDemo(demo));
        cmds
    }

    fn open_lab(&mut self, id: &str) -> Vec<Cmd> {
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
        let (root, ext) = self.workspace.as_ref()?;
        Some(root.join(lab).join(format!("client.{ext}")))
    }

    fn check_now(&mut self) -> Vec<Cmd> {
        if self.lab.file.is_none() {
            self.say("No workspace yet: press i to make one (netlab init).");
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
    fn act(&mut self) -> Vec<Cmd> {
        match self.current().cloned() {
            Some(Step::Serve { .. }) => self.toggle_server(),
            Some(Step::Demo { .. }) => self.run_demo(),
            Some(Step::Lab { lab, .. }) => self.open_lab(&lab),
            Some(Step::Quiz { choices, .. }) => {
                if self.quiz.submitted {
                    return self.next_step();
                }
                if self.quiz.chosen.is_empty() {
                    self.quiz.chosen.insert(self.quiz.cursor);
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
                self.server = Server::Running {
                    scenario,
                    port,
                    socket,
                    ca,
                };
                Vec::new()
            }
            Msg::ServerFailed(e) => {
                self.server = Server::Failed(e);
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
                    Err(e) => self.notes = vec![format!("the demo failed: {e}")],
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
                    }
                    Err(e) => self.lab.error = Some(e),
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
                self.lab.watch_error = Some(e);
                Vec::new()
            }
            Msg::WorkspaceReady(root) => {
                let ext = self
                    .workspace
                    .as_ref()
                    .map(|(_, e)| e.clone())
                    .unwrap_or_else(|| "js".into());
                self.workspace = Some((root.clone(), ext));
                self.say(format!("Workspace ready in {}", root.display()));
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
            Msg::Quit => self.quit(),
        }
    }

    fn quit(&mut self) -> Vec<Cmd> {
        self.quit = true;
        let mut cmds = Vec::new();
        if !matches!(self.server, Server::Stopped) {
            cmds.push(Cmd::StopServer);
        }
        cmds.push(self.save());
        cmds.push(Cmd::Quit);
        cmds
    }

    fn scroll_by(&mut self, d: i32) {
        if self.focus == Focus::Timeline {
            let max = self.timeline.visible().count();
            let s = self.timeline.scroll as i64 - i64::from(d);
            self.timeline.scroll = s.clamp(0, max as i64) as usize;
        } else if self.screen == Screen::Lab {
            self.lab.scroll = (i32::from(self.lab.scroll) + d).max(0) as u16;
        } else {
            self.scroll = (i32::from(self.scroll) + d).max(0) as u16;
        }
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Cmd> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(k.code, KeyCode::Char('c')) {
            return self.quit();
        }
        if let Some(c) = self.confirm.clone() {
            self.confirm = None;
            if matches!(k.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                match c {
                    Confirm::ResetLab(id) => {
                        self.progress.reset_lab(&id);
                        self.say(format!("Progress of lab {id} reset."));
                    }
                    Confirm::ResetAll => {
                        self.progress.reset_all();
                        self.say("All progress reset.");
                    }
                }
                return vec![self.save()];
            }
            self.say("Nothing reset.");
            return Vec::new();
        }
        if self.help {
            // Any key closes the help.
            self.help = false;
            return Vec::new();
        }
        match k.code {
            KeyCode::Char('q') => return self.quit(),
            KeyCode::Char('?') => {
                self.help = true;
                return Vec::new();
            }
            KeyCode::Char('m') => {
                self.screen = if self.screen == Screen::Map {
                    Screen::Lesson
                } else {
                    self.map_cursor = self.lesson;
                    Screen::Map
                };
                return Vec::new();
            }
            KeyCode::Esc => {
                if self.screen != Screen::Lesson {
                    self.screen = Screen::Lesson;
                } else if self.focus == Focus::Timeline {
                    self.focus = Focus::Text;
                }
                return Vec::new();
            }
            _ => {}
        }
        match self.screen {
            Screen::Map => self.map_key(k),
            Screen::Lab => self.lab_key(k),
            Screen::Lesson => self.lesson_key(k),
        }
    }

    fn timeline_key(&mut self, k: KeyEvent) -> Option<Vec<Cmd>> {
        match k.code {
            KeyCode::Char(' ') => {
                self.timeline.paused = !self.timeline.paused;
                if !self.timeline.paused {
                    self.timeline.scroll = 0;
                }
            }
            KeyCode::Char('f') => {
                // Cycle the connection filter: all → #1 → #2 … → all.
                let conns = self.timeline.conns();
                self.timeline.filter = match self.timeline.filter {
                    None => conns.first().copied(),
                    Some(c) => conns.iter().copied().find(|x| *x > c),
                };
                self.timeline.scroll = 0;
            }
            KeyCode::Char('l') => self.timeline.lanes = !self.timeline.lanes,
            KeyCode::End | KeyCode::Char('G') => {
                self.timeline.scroll = 0;
                self.timeline.paused = false;
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    fn lesson_key(&mut self, k: KeyEvent) -> Vec<Cmd> {
        if self.focus == Focus::Timeline {
            if let Some(c) = self.timeline_key(k) {
                return c;
            }
        }
        let quiz_len = match self.current() {
            Some(Step::Quiz { choices, .. }) => Some(choices.len()),
            _ => None,
        };
        match k.code {
            KeyCode::Right | KeyCode::Char('n') => self.next_step(),
            KeyCode::Left | KeyCode::Char('p') => self.prev_step(),
            KeyCode::Up | KeyCode::Char('k') => {
                match (quiz_len, self.focus) {
                    (Some(_), Focus::Text) if !self.quiz.submitted => {
                        self.quiz.cursor = self.quiz.cursor.saturating_sub(1)
                    }
                    _ => self.scroll_by(-1),
                }
                Vec::new()
            }
            KeyCode::Down | KeyCode::Char('j') => {
                match (quiz_len, self.focus) {
                    (Some(n), Focus::Text) if !self.quiz.submitted => {
                        self.quiz.cursor = (self.quiz.cursor + 1).min(n.saturating_sub(1))
                    }
                    _ => self.scroll_by(1),
                }
                Vec::new()
            }
            KeyCode::PageUp => {
                self.scroll_by(-10);
                Vec::new()
            }
            KeyCode::PageDown => {
                self.scroll_by(10);
                Vec::new()
            }
            KeyCode::Char(' ') | KeyCode::Char('x') if quiz_len.is_some() => {
                if !self.quiz.submitted {
                    let c = self.quiz.cursor;
                    if !self.quiz.chosen.remove(&c) {
                        self.quiz.chosen.insert(c);
                    }
                }
                Vec::new()
            }
            KeyCode::Char(ch @ ('1'..='9' | 'a'..='i'))
                if quiz_len.is_some() && !self.quiz.submitted =>
            {
                let i = if ch.is_ascii_digit() {
                    ch as usize - '1' as usize
                } else {
                    ch as usize - 'a' as usize
                };
                if i < quiz_len.unwrap_or(0) {
                    self.quiz.cursor = i;
                    if !self.quiz.chosen.remove(&i) {
                        self.quiz.chosen.insert(i);
                    }
                }
                Vec::new()
            }
            KeyCode::Char('r') if quiz_len.is_some() => {
                self.quiz = Quiz::default();
                Vec::new()
            }
            KeyCode::Enter => self.act(),
            KeyCode::Char('s') => self.toggle_server(),
            KeyCode::Char('d') => self.run_demo(),
            KeyCode::Char('t') | KeyCode::Tab => {
                self.focus = if self.focus == Focus::Timeline {
                    Focus::Text
                } else {
                    Focus::Timeline
                };
                Vec::new()
            }
            KeyCode::Char('c') | KeyCode::Char('w') | KeyCode::Char('e') | KeyCode::Char('h') => {
                match self.current() {
                    Some(Step::Lab { lab, .. }) => {
                        let lab = lab.clone();
                        let mut cmds = self.open_lab(&lab);
                        cmds.extend(self.lab_key(k));
                        cmds
                    }
                    _ => {
                        self.say("That key works on a lab step (Enter opens the lab).");
                        Vec::new()
                    }
                }
            }
            KeyCode::Char('i') => vec![Cmd::InitWorkspace],
            _ => Vec::new(),
        }
    }

    fn lab_key(&mut self, k: KeyEvent) -> Vec<Cmd> {
        match k.code {
            KeyCode::Char('c') | KeyCode::Enter => self.check_now(),
            KeyCode::Char('w') => {
                if self.lab.file.is_none() {
                    self.say("No workspace yet: press i to make one (netlab init).");
                    return Vec::new();
                }
                self.lab.watching = !self.lab.watching;
                self.lab.watch_error = None;
                vec![Cmd::Watch(if self.lab.watching {
                    self.lab.file.clone()
                } else {
                    None
                })]
            }
            KeyCode::Char('e') => match self.lab.file.clone() {
                Some(f) => vec![Cmd::OpenEditor(f)],
                None => {
                    self.say("No workspace yet: press i to make one (netlab init).");
                    Vec::new()
                }
            },
            KeyCode::Char('h') => {
                let n = self
                    .course
                    .labs
                    .find(&self.lab.id)
                    .map_or(0, |e| e.lab.hints.len());
                if self.lab.hints < n {
                    self.lab.hints += 1;
                } else {
                    self.say("No more hints: the reference solution is in the lab's folder.");
                }
                Vec::new()
            }
            KeyCode::Char('i') => vec![Cmd::InitWorkspace],
            KeyCode::Char('r') => {
                self.confirm = Some(Confirm::ResetLab(self.lab.id.clone()));
                Vec::new()
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.scroll_by(-1);
                Vec::new()
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.scroll_by(1);
                Vec::new()
            }
            KeyCode::Left | KeyCode::Char('p') | KeyCode::Backspace => {
                self.screen = Screen::Lesson;
                Vec::new()
            }
            KeyCode::Right | KeyCode::Char('n') => {
                self.screen = Screen::Lesson;
                self.next_step()
            }
            _ => Vec::new(),
        }
    }

    /// Rows of the course map: lessons, then labs.
    pub fn map_rows(&self) -> usize {
        self.course.lessons.len() + self.course.labs.labs.len()
    }

    fn map_key(&mut self, k: KeyEvent) -> Vec<Cmd> {
        let n = self.map_rows();
        match k.code {
            KeyCode::Up | KeyCode::Char('k') => self.map_cursor = self.map_cursor.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.map_cursor = (self.map_cursor + 1).min(n.saturating_sub(1))
            }
            KeyCode::Enter => {
                let lessons = self.course.lessons.len();
                if self.map_cursor < lessons {
                    self.screen = Screen::Lesson;
                    self.timeline.clear();
                    let mut c = Vec::new();
                    if !matches!(self.server, Server::Stopped) {
                        c.push(Cmd::StopServer);
                        self.server = Server::Stopped;
                    }
                    c.extend(self.open(self.map_cursor, 0));
                    return c;
                }
                let id = self.course.labs.labs[self.map_cursor - lessons]
                    .lab
                    .id
                    .clone();
                return self.open_lab(&id);
            }
            KeyCode::Char('r') => {
                let lessons = self.course.lessons.len();
                if self.map_cursor >= lessons {
                    let id = self.course.labs.labs[self.map_cursor - lessons]
                        .lab
                        .id
                        .clone();
                    self.confirm = Some(Confirm::ResetLab(id));
                }
            }
            KeyCode::Char('R') => self.confirm = Some(Confirm::ResetAll),
            _ => {}
        }
        Vec::new()
    }
}

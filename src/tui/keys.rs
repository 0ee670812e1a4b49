//! Keys, turned into actions: [`App::key`] looks a key up in the [`keymap`] for the current
//! screen and focus, and [`App::perform`] carries the action out (still without I/O: it only
//! changes state and returns [`Cmd`]s).

use super::app::{App, Cmd, Confirm, Focus, Quiz, Screen, Server};
use super::keymap::{self, Action, Ctx};
use crate::course::lesson::Step;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl App {
    pub(super) fn key(&mut self, k: KeyEvent) -> Vec<Cmd> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(k.code, KeyCode::Char('c')) {
            return self.quit();
        }
        if let Some(c) = self.confirm.clone() {
            self.confirm = None;
            if c == Confirm::Language {
                use crate::lab::Language;
                let lang = match k.code {
                    KeyCode::Char('n') => Language::Node,
                    KeyCode::Char('p') => Language::Python,
                    KeyCode::Char('s') => Language::Shell,
                    _ => {
                        self.say("No workspace made.");
                        return Vec::new();
                    }
                };
                return vec![Cmd::InitWorkspace(lang)];
            }
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
                    Confirm::Language => {}
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
        let quiz = self.quiz_len();
        let screen = match self.screen {
            Screen::Map => Ctx::Map,
            Screen::Lab => Ctx::Lab,
            Screen::Lesson => Ctx::Lesson,
        };
        let timeline = self.focus == Focus::Timeline;
        let mut action = keymap::action(&keymap::chain(screen, timeline, quiz.is_some()), k.code);
        if action == Some(Action::Pick) && self.quiz.submitted {
            // An answered quiz takes no marks: the key means what it means elsewhere.
            action = keymap::action(&keymap::chain(screen, timeline, false), k.code);
        }
        match action {
            Some(a) => self.perform(a, k.code),
            None => Vec::new(),
        }
    }

    /// The number of choices, when the current step is a quiz.
    fn quiz_len(&self) -> Option<usize> {
        match self.current() {
            Some(Step::Quiz { choices, .. }) => Some(choices.len()),
            _ => None,
        }
    }

    /// Carry out what a key asked for (see [`keymap::KEYMAP`] for which key asks what, where).
    fn perform(&mut self, action: Action, code: KeyCode) -> Vec<Cmd> {
        match action {
            Action::Quit => return self.quit(),
            Action::Help => self.help = true,
            Action::Map => {
                self.screen = if self.screen == Screen::Map {
                    Screen::Lesson
                } else {
                    self.map_cursor = self.lesson;
                    Screen::Map
                };
            }
            Action::Back => {
                if self.screen == Screen::Lab && self.focus == Focus::Timeline {
                    // Out of the run's timeline first, then out of the lab.
                    self.focus = Focus::Text;
                } else if self.screen != Screen::Lesson {
                    self.screen = Screen::Lesson;
                    self.focus = Focus::Text;
                } else if self.focus == Focus::Timeline {
                    self.focus = Focus::Text;
                }
            }
            Action::Focus => {
                self.focus = if self.focus == Focus::Timeline {
                    Focus::Text
                } else {
                    Focus::Timeline
                };
            }
            Action::NextStep => return self.next_step(),
            Action::PrevStep => return self.prev_step(),
            Action::LabNext => {
                self.screen = Screen::Lesson;
                self.focus = Focus::Text;
                return self.next_step();
            }
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.scroll_by(-10),
            Action::PageDown => self.scroll_by(10),
            Action::Mark => {
                if !self.quiz.submitted {
                    let c = self.quiz.cursor;
                    self.toggle_choice(c);
                }
            }
            Action::Pick => {
                let i = match code {
                    KeyCode::Char(ch @ '1'..='9') => ch as usize - '1' as usize,
                    KeyCode::Char(ch @ 'a'..='i') => ch as usize - 'a' as usize,
                    _ => usize::MAX,
                };
                if i < self.quiz_len().unwrap_or(0) {
                    self.quiz.cursor = i;
                    self.toggle_choice(i);
                }
            }
            Action::ResetQuiz => self.quiz = Quiz::default(),
            Action::Act => return self.act(),
            Action::ToggleServer => return self.toggle_server(),
            Action::RunDemo => return self.run_demo(),
            // On a lab step `w` is the lab's watch key (it opens the lab, as `c` does).
            Action::Wire if matches!(self.current(), Some(Step::Lab { .. })) => {
                return self.perform(Action::Watch, code)
            }
            Action::Wire => return self.toggle_wire(),
            Action::Init => match &self.workspace {
                Some(ws) => {
                    let msg = format!("You already have a workspace: {}", ws.root.display());
                    self.say(msg);
                }
                None => self.confirm = Some(Confirm::Language),
            },
            Action::Check | Action::Watch | Action::Edit | Action::Hint
                if self.screen == Screen::Lesson =>
            {
                // A lab's keys on a lab step open the lab and act there.
                return match self.current() {
                    Some(Step::Lab { lab, .. }) => {
                        let lab = lab.clone();
                        let mut cmds = self.open_lab(&lab);
                        cmds.extend(self.perform(action, code));
                        cmds
                    }
                    _ => {
                        self.say("That key works on a lab step (Enter opens the lab).");
                        Vec::new()
                    }
                };
            }
            Action::Check => return self.check_now(),
            Action::Watch => return self.toggle_watch(),
            Action::Edit => match self.lab.file.clone() {
                Some(f) => return vec![Cmd::OpenEditor(f)],
                None => self.say(super::app::NO_WORKSPACE),
            },
            Action::Hint => self.next_hint(),
            Action::Solution => {
                let passed = self.progress.lab_passed(&self.lab.id)
                    || self
                        .lab
                        .last
                        .as_ref()
                        .is_some_and(|r| r.status == crate::lab::Status::Pass);
                if !passed {
                    self.say("The reference solution opens once your client passes.");
                } else if self.solution_text().is_none() {
                    self.say("This lab has no reference solution in your language.");
                } else if self.lab.last.is_none() {
                    self.say("Check your client once (c): the solution shows beside the report.");
                } else {
                    self.lab.solution = !self.lab.solution;
                    self.lab.run_scroll = 0;
                    self.lab.run_hscroll = 0;
                }
            }
            Action::ResetLab => {
                if self.screen == Screen::Lab {
                    self.confirm = Some(Confirm::ResetLab(self.lab.id.clone()));
                } else if let Some(id) = self.map_lab() {
                    self.confirm = Some(Confirm::ResetLab(id));
                }
            }
            Action::ResetAll => self.confirm = Some(Confirm::ResetAll),
            Action::Open => return self.open_from_map(),
            Action::Pause => {
                self.timeline.paused = !self.timeline.paused;
                if !self.timeline.paused {
                    self.timeline.scroll = 0;
                }
            }
            Action::Filter => {
                // Cycle the connection filter: all → #1 → #2 … → all.
                let conns = self.timeline.conns();
                self.timeline.filter = match self.timeline.filter {
                    None => conns.first().copied(),
                    Some(c) => conns.iter().copied().find(|x| *x > c),
                };
                self.timeline.scroll = 0;
            }
            Action::Lanes => self.timeline.lanes = !self.timeline.lanes,
            Action::Heads => {
                self.timeline.hide_heads = !self.timeline.hide_heads;
                self.say(if self.timeline.hide_heads {
                    "HTTP heads hidden (h shows them)"
                } else {
                    "HTTP heads shown as > (to the server) and < (from it) lines"
                });
            }
            Action::Left => self.scroll_sideways(Some(-(keymap::SIDEWAYS_STEP as isize))),
            Action::Right => self.scroll_sideways(Some(keymap::SIDEWAYS_STEP as isize)),
            Action::LineStart => self.scroll_sideways(None),
            Action::Follow => {
                self.timeline.scroll = 0;
                self.timeline.paused = false;
            }
        }
        Vec::new()
    }

    fn toggle_choice(&mut self, i: usize) {
        if !self.quiz.chosen.remove(&i) {
            self.quiz.chosen.insert(i);
        }
    }

    /// Up or down one row: the map's cursor, a quiz's cursor, or a scroll.
    fn move_by(&mut self, d: i32) {
        match (self.screen, self.quiz_len(), self.focus) {
            (Screen::Map, ..) => {
                let last = self.map_rows().saturating_sub(1);
                self.map_cursor = self.map_cursor.saturating_add_signed(d as isize).min(last);
            }
            (Screen::Lesson, Some(n), Focus::Text) if !self.quiz.submitted => {
                let last = n.saturating_sub(1);
                self.quiz.cursor = self.quiz.cursor.saturating_add_signed(d as isize).min(last);
            }
            _ => self.scroll_by(d),
        }
    }

    fn toggle_watch(&mut self) -> Vec<Cmd> {
        if self.lab.file.is_none() {
            self.say(super::app::NO_WORKSPACE);
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

    fn next_hint(&mut self) {
        let n = self.course.labs.find(&self.lab.id).map_or(0, |e| {
            e.lab
                .hints_for(
                    self.workspace
                        .as_ref()
                        .map(|w| w.language)
                        .unwrap_or_default(),
                )
                .len()
        });
        if self.lab.hints < n {
            self.lab.hints += 1;
        } else {
            self.say("No more hints. Once your client passes, s shows the reference solution.");
        }
    }

    /// The lab under the map's cursor, if the cursor is on a lab.
    fn map_lab(&self) -> Option<String> {
        let i = self.map_cursor.checked_sub(self.course.lessons.len())?;
        Some(self.course.labs.labs.get(i)?.lab.id.clone())
    }

    /// Open the lesson or lab under the map's cursor.
    fn open_from_map(&mut self) -> Vec<Cmd> {
        if let Some(id) = self.map_lab() {
            return self.open_lab(&id);
        }
        self.screen = Screen::Lesson;
        self.timeline.clear();
        let mut c = Vec::new();
        if !matches!(self.server, Server::Stopped) {
            c.push(Cmd::StopServer);
            self.server = Server::Stopped;
        }
        c.extend(self.open(self.map_cursor, 0));
        c
    }
}

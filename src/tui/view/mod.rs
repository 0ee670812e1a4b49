//! The TUI's pure view: `impl Widget for &App` draws the current state and nothing else.
//!
//! Screens: the lesson (step text, the live server's commands with the real port, a quiz, a
//! lab link) with the timeline pane beside or below it; the lab (instructions, the client file,
//! watch state, the last verdict with every check and the trace diff, hints); the course map;
//! the help overlay; and a note when the terminal is too small.

use super::app::{App, Confirm, Focus, Screen, Server};
use super::keymap::{self, Ctx};
use super::markdown::{self, Theme};
use crate::course::lesson::{fill, fill_default, Choice, Step};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

/// Smallest usable terminal.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

mod lab;
mod map;
mod timeline;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            too_small(area, buf);
            return;
        }
        let [top, main, bottom] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.top_bar(top, buf);
        match self.screen {
            Screen::Lesson => self.lesson_screen(main, buf),
            Screen::Lab => self.lab_screen(main, buf),
            Screen::Map => self.map_screen(main, buf),
        }
        self.status_bar(bottom, buf);
        if self.help {
            self.help_overlay(area, buf);
        }
    }
}

/// The status bar's `a · b · c` entries that fit in `width` columns, whole: a narrow
/// terminal loses the last entries (the help lists them all), never half of one.
fn fit_bar(keys: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut out = String::new();
    for entry in keys.split(" · ") {
        let sep = if out.is_empty() { "" } else { " · " };
        if out.width() + sep.width() + entry.width() > width {
            break;
        }
        out.push_str(sep);
        out.push_str(entry);
    }
    out
}

fn too_small(area: Rect, buf: &mut Buffer) {
    let text = Text::from(vec![
        Line::from("Please enlarge the terminal."),
        Line::from(format!(
            "netlab needs at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {}×{}.",
            area.width, area.height
        )),
        Line::from("(q quits)"),
    ]);
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

impl App {
    pub(super) fn style(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub(super) fn theme(&self) -> Theme {
        Theme { color: self.color }
    }

    fn top_bar(&self, area: Rect, buf: &mut Buffer) {
        let total = self.course.lessons.len();
        let title = self
            .course
            .lessons
            .get(self.lesson)
            .map_or("", |e| e.lesson.title.as_str());
        let text = match self.screen {
            Screen::Map => " netlab · course map".to_string(),
            Screen::Lab => format!(" netlab · lab {}", self.lab.id),
            Screen::Lesson => format!(
                " netlab · {}/{total} {title} · step {}/{}",
                self.lesson + 1,
                self.step + 1,
                self.steps().len()
            ),
        };
        let style = if self.color {
            Style::new().bg(Color::Blue).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        };
        Paragraph::new(Line::from(text))
            .style(style)
            .render(area, buf);
    }

    fn status_bar(&self, area: Rect, buf: &mut Buffer) {
        let line = if let Some(c) = &self.confirm {
            let what = match c {
                Confirm::ResetLab(id) => format!("Reset your progress in lab {id}?"),
                Confirm::ResetAll => "Reset ALL your progress?".to_string(),
                Confirm::Language => {
                    return Paragraph::new(Line::from(vec![
                        Span::styled(
                            " Your language?",
                            self.style(Color::Yellow).add_modifier(Modifier::BOLD),
                        ),
                        Span::raw("  n node · p python · s shell · other key: cancel"),
                    ]))
                    .render(area, buf);
                }
            };
            Line::from(vec![
                Span::styled(what, self.style(Color::Red).add_modifier(Modifier::BOLD)),
                Span::raw("  y: yes · any other key: no"),
            ])
        } else if let Some((s, _)) = &self.status {
            Line::from(Span::styled(format!(" {s}"), self.style(Color::Yellow)))
        } else {
            let ctx = match (self.screen, self.focus) {
                (Screen::Map, _) => Ctx::Map,
                (Screen::Lab, Focus::Timeline) => Ctx::LabPane,
                (Screen::Lab, Focus::Text) => Ctx::Lab,
                (Screen::Lesson, Focus::Timeline) => Ctx::Timeline,
                (Screen::Lesson, Focus::Text) => match self.current() {
                    Some(Step::Quiz { .. }) => Ctx::Quiz,
                    Some(Step::Serve { .. }) => Ctx::Serve,
                    Some(Step::Demo { .. }) => Ctx::Demo,
                    Some(Step::Lab { .. }) => Ctx::LabStep,
                    _ => Ctx::Text,
                },
            };
            let keys = fit_bar(&keymap::bar(ctx), (area.width as usize).saturating_sub(1));
            Line::from(Span::styled(
                format!(" {keys}"),
                Style::new().add_modifier(Modifier::DIM),
            ))
        };
        Paragraph::new(line).render(area, buf);
    }

    /// Does the current lesson screen show a timeline?
    fn shows_timeline(&self) -> bool {
        matches!(
            self.current(),
            Some(Step::Serve { .. }) | Some(Step::Demo { .. })
        ) || !matches!(self.server, Server::Stopped)
            || !self.timeline.entries.is_empty()
    }

    fn lesson_screen(&self, area: Rect, buf: &mut Buffer) {
        if !self.shows_timeline() {
            self.step_pane(area, buf);
            return;
        }
        let (a, b) = if area.width >= 120 {
            let [a, b] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(area);
            (a, b)
        } else {
            let [a, b] = Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(area);
            (a, b)
        };
        self.step_pane(a, buf);
        self.timeline_pane(b, buf);
    }

    /// The step's text, laid out for a pane `width` columns wide (inside its border).
    fn step_lines(&self, width: usize) -> Vec<Line<'static>> {
        let mut lines: Vec<Line<'static>> = Vec::new();
        let Some(step) = self.current() else {
            return lines;
        };
        let heading = step.heading();
        if !heading.is_empty() {
            lines.push(Line::from(Span::styled(
                heading,
                Style::new().add_modifier(Modifier::BOLD),
            )));
            lines.push(Line::default());
        }
        let md = |s: &str| markdown::render_fit(s, self.theme(), width);
        match step {
            // A server left running from an earlier step: its real port fills `<port>`.
            Step::Text { body, .. } => match &self.server {
                Server::Running { port, .. } => {
                    lines.extend(md(&body.replace("<port>", &port.to_string())))
                }
                _ => lines.extend(md(body)),
            },
            Step::Serve {
                scenario,
                body,
                try_,
                look_for,
                ..
            } => {
                lines.extend(md(body));
                lines.push(Line::default());
                lines.push(self.server_line(scenario));
                let running = match &self.server {
                    Server::Running {
                        port, socket, ca, ..
                    } => Some((*port, socket.as_str(), ca.as_str())),
                    _ => None,
                };
                // In the wire view the server lives in netlab's own network namespace: the
                // learner's client must join it to be reachable (and its packets seen).
                let exec = self.wire && !self.wire_fallback;
                if !try_.is_empty() {
                    lines.push(Line::default());
                    lines.push(Line::from(Span::styled(
                        "Try from another terminal:",
                        Style::new().add_modifier(Modifier::BOLD),
                    )));
                    if exec {
                        lines.push(Line::from(Span::styled(
                            "  (wire view: the server runs in netlab's own network namespace; \
                             `netlab exec --` runs your client there)",
                            Style::new().add_modifier(Modifier::DIM),
                        )));
                    }
                    for t in try_ {
                        let cmd = match running {
                            Some((port, socket, ca)) => fill(&t.cmd, "127.0.0.1", port, socket, ca),
                            None => fill_default(&t.cmd, scenario),
                        };
                        let cmd = if exec {
                            crate::wire::netns::exec_command(&cmd)
                        } else {
                            cmd
                        };
                        // The label, then the command on lines of its own: never wrapped
                        // mid-word, so a copied command carries no border characters.
                        lines.push(Line::from(Span::styled(
                            format!("  {}", t.label),
                            Style::new().add_modifier(Modifier::DIM),
                        )));
                        for part in command_rows(&cmd, width.saturating_sub(4)) {
                            lines.push(Line::from(vec![
                                Span::raw("    "),
                                Span::styled(part, self.style(Color::Cyan)),
                            ]));
                        }
                    }
                }
                lines.extend(self.look_for(look_for));
            }
            Step::Demo {
                demo,
                body,
                look_for,
                ..
            } => {
                lines.extend(md(body));
                lines.push(Line::default());
                let state = if self.demo_running {
                    Line::from(Span::styled(
                        "◐ running the demo…",
                        self.style(Color::Yellow),
                    ))
                } else if self.notes.is_empty() {
                    // The command as code (coloured), not in literal backticks.
                    Line::from(vec![
                        Span::styled(
                            "○ press d (or Enter) to run ",
                            Style::new().add_modifier(Modifier::DIM),
                        ),
                        Span::styled(
                            format!("netlab demo {demo}{}", self.wire_flag()),
                            self.style(Color::Cyan),
                        ),
                    ])
                } else {
                    Line::from(Span::styled(
                        "● done — d runs it again",
                        self.style(Color::Green),
                    ))
                };
                lines.push(state);
                for n in &self.notes {
                    lines.push(Line::from(format!("  {n}")));
                }
                lines.extend(self.look_for(look_for));
            }
            Step::Quiz {
                question, choices, ..
            } => {
                lines.extend(md(question));
                if Choice::several_right(choices) {
                    lines.push(Line::from(Span::styled(
                        "(several answers are right: mark them all, then Enter)",
                        Style::new().add_modifier(Modifier::DIM),
                    )));
                }
                lines.push(Line::default());
                for (i, c) in choices.iter().enumerate() {
                    let marked = self.quiz.chosen.contains(&i);
                    let cursor = if !self.quiz.submitted && self.quiz.cursor == i {
                        "▸"
                    } else {
                        " "
                    };
                    let mark = if marked { "[x]" } else { "[ ]" };
                    let letter = (b'a' + i as u8) as char;
                    let mut spans = vec![Span::raw(format!("{cursor} {mark} {letter}) "))];
                    let mut style = Style::new();
                    if self.quiz.submitted {
                        let (sym, color) = if c.correct {
                            ("✓ ", Color::Green)
                        } else if marked {
                            ("✗ ", Color::Red)
                        } else {
                            ("  ", Color::Reset)
                        };
                        spans.insert(0, Span::styled(sym, self.style(color)));
                        if c.correct {
                            style = self.style(Color::Green);
                        }
                    } else {
                        spans.insert(0, Span::raw("  "));
                    }
                    spans.push(Span::styled(c.text.clone(), style));
                    lines.push(Line::from(spans));
                    if self.quiz.submitted {
                        lines.push(Line::from(Span::styled(
                            format!("         {}", c.why),
                            Style::new().add_modifier(Modifier::DIM),
                        )));
                    }
                }
                if self.quiz.submitted {
                    lines.push(Line::default());
                    lines.push(Line::from("Enter: next step · r: try again"));
                }
            }
            Step::Lab { lab, body, .. } => {
                lines.extend(md(body));
                lines.push(Line::default());
                let title = self
                    .course
                    .labs
                    .find(lab)
                    .map_or(String::new(), |e| e.lab.title.clone());
                let done = self.progress.lab_passed(lab);
                lines.push(Line::from(vec![
                    Span::styled(
                        if done { "✓ " } else { "○ " },
                        self.style(if done { Color::Green } else { Color::Reset }),
                    ),
                    Span::styled(
                        format!("Lab {lab}: {title}"),
                        Style::new().add_modifier(Modifier::BOLD),
                    ),
                ]));
                lines.push(Line::from(
                    "Enter opens the lab: instructions, your file, checks on every save.",
                ));
            }
        }
        lines
    }

    /// ` --wire` when the wire view is on: the command the step runs.
    fn wire_flag(&self) -> &'static str {
        if self.wire {
            " --wire"
        } else {
            ""
        }
    }

    pub(super) fn server_line(&self, scenario: &str) -> Line<'static> {
        match &self.server {
            Server::Running {
                scenario: s,
                port,
                socket,
                ..
            } if s == scenario => {
                let at = if socket.is_empty() {
                    format!("127.0.0.1:{port}")
                } else {
                    socket.clone()
                };
                Line::from(vec![
                    Span::styled("● ", self.style(Color::Green)),
                    Span::raw(format!(
                        "netlab serve {scenario} is listening on {at} — s stops it"
                    )),
                ])
            }
            Server::Starting(_) => {
                Line::from(Span::styled("◐ starting…", self.style(Color::Yellow)))
            }
            Server::Failed(e) => Line::from(Span::styled(
                format!("✗ the server could not start: {e}"),
                self.style(Color::Red),
            )),
            _ => Line::from(vec![
                Span::styled("○ ", Style::new().add_modifier(Modifier::DIM)),
                Span::raw("press s (or Enter) to start "),
                Span::styled(
                    format!("netlab serve {scenario}{}", self.wire_flag()),
                    self.style(Color::Cyan),
                ),
            ]),
        }
    }

    pub(super) fn look_for(&self, names: &[String]) -> Vec<Line<'static>> {
        if names.is_empty() {
            return Vec::new();
        }
        let mut spans = vec![Span::styled(
            "Look for: ",
            Style::new().add_modifier(Modifier::BOLD),
        )];
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("  "));
            }
            let seen = self.timeline.counts.get(n.as_str()).copied().unwrap_or(0) > 0;
            if seen {
                spans.push(Span::styled(format!("✓ {n}"), self.style(Color::Green)));
            } else {
                spans.push(Span::raw(format!("· {n}")));
            }
        }
        vec![Line::default(), Line::from(spans)]
    }

    pub(super) fn step_pane(&self, area: Rect, buf: &mut Buffer) {
        let focused = self.focus == Focus::Text;
        let block = Block::new().borders(Borders::ALL).border_style(if focused {
            Style::new()
        } else {
            Style::new().add_modifier(Modifier::DIM)
        });
        let lines = self.step_lines(area.width.saturating_sub(2) as usize);
        let below = more_below(&lines, area, self.scroll);
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((self.scroll, 0))
            .render(area, buf);
        if below {
            // On the bottom border, so it never hides text.
            let note = " ↓ more below ";
            let w = note.chars().count() as u16;
            if area.width > w + 4 && area.height > 2 {
                buf.set_string(
                    area.x + area.width - w - 2,
                    area.y + area.height - 1,
                    note,
                    Style::new().add_modifier(Modifier::BOLD),
                );
            }
        }
    }

    fn help_overlay(&self, area: Rect, buf: &mut Buffer) {
        use unicode_width::UnicodeWidthStr;
        let keys = keymap::help();
        const KEY_W: usize = 14;
        let footer = "  Mouse wheel scrolls. Any key closes this help.";
        // As wide as its longest line (so nothing is cut), at most the screen.
        let want = keys
            .iter()
            .map(|(_, what)| KEY_W + what.width())
            .chain([footer.width()])
            .max()
            .unwrap_or(0)
            + 3;
        let w = area.width.min(want as u16);
        // A description wider than that wraps at spaces under its own column.
        let room = (w as usize).saturating_sub(KEY_W + 3).max(10);
        let mut lines = vec![Line::default()];
        for (k, what) in keys {
            for (i, part) in wrap_words(what, room).into_iter().enumerate() {
                let key = if i == 0 { k.to_string() } else { String::new() };
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("  {key:<width$}", width = KEY_W - 2),
                        Style::new().add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(part),
                ]));
            }
        }
        lines.push(Line::default());
        lines.push(Line::from(footer));
        let h = area.height.min(lines.len() as u16 + 2);
        let r = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        Clear.render(r, buf);
        Paragraph::new(lines)
            .block(Block::new().borders(Borders::ALL).title(" Keys "))
            .wrap(Wrap { trim: false })
            .render(r, buf);
    }
}

/// `text` in rows of at most `width` columns, broken at spaces.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut rows = vec![String::new()];
    for word in text.split(' ') {
        let row = rows.last_mut().expect("one row");
        if !row.is_empty() && row.width() + 1 + word.width() > width {
            rows.push(word.to_string());
        } else {
            if !row.is_empty() {
                row.push(' ');
            }
            row.push_str(word);
        }
    }
    rows
}

/// Where `text` (ASCII) first appears on one row of `buf`: (column, row).
pub fn find_text(buf: &Buffer, text: &str) -> Option<(u16, u16)> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() || !text.is_ascii() {
        return None;
    }
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let row: Vec<char> = (area.left()..area.right())
            .map(|x| buf[(x, y)].symbol().chars().next().unwrap_or(' '))
            .collect();
        if let Some(col) = row.windows(chars.len()).position(|w| w == chars.as_slice()) {
            return Some((area.left() + col as u16, y));
        }
    }
    None
}

impl App {
    /// A file path on screen that should be a clickable link (OSC 8): (text, URL).
    pub fn link_target(&self) -> Option<(String, String)> {
        if !self.hyperlinks || self.screen != Screen::Lab {
            return None;
        }
        let f = self.lab.file.as_ref()?;
        let text = f.display().to_string();
        Some((text.clone(), format!("file://{text}")))
    }
}

/// Text continues below the pane's fold: the wrapped height (estimated from each line's width;
/// word wrapping only adds rows, so this errs towards silence) exceeds what `area` shows.
fn more_below(lines: &[Line<'_>], area: Rect, scroll: u16) -> bool {
    let inner_w = area.width.saturating_sub(2).max(1) as usize;
    let inner_h = area.height.saturating_sub(2) as usize;
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_w).max(1))
        .sum();
    rows > inner_h + scroll as usize
}

/// A shell command split into rows of at most `width` columns: broken only at spaces, each
/// row but the last ending in ` \` (a shell line continuation, so the rows paste as one
/// command); a single word wider than a row is cut with a visible "…".
fn command_rows(cmd: &str, width: usize) -> Vec<String> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    let width = width.max(8);
    if cmd.width() <= width {
        return vec![cmd.to_string()];
    }
    let cut = |w: &str, room: usize| -> String {
        if w.width() <= room {
            return w.to_string();
        }
        let mut out = String::new();
        let mut used = 0;
        for c in w.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw + 1 > room {
                break;
            }
            out.push(c);
            used += cw;
        }
        out.push('…');
        out
    };
    // Room for the " \" continuation on every row but the last.
    let room = width - 2;
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    // Break only outside single quotes: there a backslash-newline would not continue the line.
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in cmd.chars() {
        if c == ' ' && !quoted {
            words.push(std::mem::take(&mut word));
            continue;
        }
        if c == '\'' {
            quoted = !quoted;
        }
        word.push(c);
    }
    words.push(word);
    for word in &words {
        let sep = usize::from(!row.is_empty());
        if !row.is_empty() && row.width() + sep + word.width() > room {
            rows.push(std::mem::take(&mut row));
        }
        if !row.is_empty() {
            row.push(' ');
        }
        row.push_str(word);
        if row.width() > room {
            row = cut(&row, room);
        }
    }
    rows.push(row);
    let n = rows.len();
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| if i + 1 < n { format!("{r} \\") } else { r })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::command_rows;

    #[test]
    fn commands_break_at_spaces_with_continuations_and_cut_long_words() {
        let rows = command_rows("printf 'hello\\r\\n' | nc -N 127.0.0.1 8124", 20);
        assert_eq!(
            rows,
            ["printf 'hello\\r\\n' \\", "| nc -N 127.0.0.1 \\", "8124"]
        );
        assert!(rows.iter().all(|r| r.chars().count() <= 20));
        let rows = command_rows("node -e aVeryLongWordWithoutAnySpacesAtAll", 16);
        assert_eq!(rows, ["node -e \\", "aVeryLongWord…"]);
        assert_eq!(command_rows("curl -v x", 40), ["curl -v x"]);
        // Never inside single quotes.
        let rows = command_rows("printf 'a b c d e f' | nc -N 127.0.0.1 8124", 20);
        assert_eq!(rows[1], "'a b c d e f' | nc \\", "{rows:?}");
        assert!(rows.iter().all(|r| r.matches('\'').count() % 2 == 0));
    }
}

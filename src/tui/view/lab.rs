//! The lab screen: instructions, hints, the client file, watch state and the last report,
//! and after a check the run's own server timeline (the same lines as the timeline pane),
//! beside the report on a wide terminal, below it otherwise; both it and the reference
//! solution scroll sideways when focused.

use super::timeline::sideways;
use crate::tui::app::{App, Focus};
use crate::tui::markdown;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

impl App {
    pub(super) fn lab_screen(&self, area: Rect, buf: &mut Buffer) {
        let Some(entry) = self.course.labs.find(&self.lab.id) else {
            Paragraph::new("Unknown lab.").render(area, buf);
            return;
        };
        let lab = &entry.lab;
        // After a check, the run's own timeline: beside the report, or below it.
        let (text_area, run_area) = match &self.lab.last {
            Some(_) if area.width >= 120 => {
                let [a, b] =
                    Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                        .areas(area);
                (a, Some(b))
            }
            Some(_) => {
                let [a, b] =
                    Layout::vertical([Constraint::Percentage(58), Constraint::Percentage(42)])
                        .areas(area);
                (a, Some(b))
            }
            None => (area, None),
        };
        let mut lines: Vec<Line<'static>> = vec![
            Line::from(Span::styled(
                format!("{} ({} points)", lab.title, lab.max_points()),
                Style::new().add_modifier(Modifier::BOLD),
            )),
            Line::default(),
        ];
        let instructions = markdown::render_fit(
            &lab.instructions,
            self.theme(),
            text_area.width.saturating_sub(2) as usize,
        );
        // After a check the verdict comes first (that is what a save is for), the
        // instructions after it; before one, the instructions lead.
        let checked = self.lab.last.is_some() || self.lab.error.is_some();
        if !checked {
            lines.extend(instructions.iter().cloned());
            lines.push(Line::default());
        }
        match &self.lab.file {
            Some(f) => {
                let role = self
                    .course
                    .labs
                    .find(&self.lab.id)
                    .map_or("client", |e| e.lab.kind.word());
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("Your {role}: "),
                        Style::new().add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(
                        f.display().to_string(),
                        self.style(Color::Cyan).add_modifier(Modifier::UNDERLINED),
                    ),
                    Span::raw("  (e opens it in $EDITOR)"),
                ]));
                if let Some(ws) = &self.workspace {
                    let name = f
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| format!("client.{}", ws.language.ext()));
                    let argv = crate::workspace::client_argv(ws.language, name.as_ref());
                    lines.push(Line::from(Span::styled(
                        format!(
                            "Each check runs: {}  (in {}/)",
                            crate::lab::report::shell_words(&argv),
                            self.lab.id
                        ),
                        Style::new().add_modifier(Modifier::DIM),
                    )));
                }
                let watch = if self.lab.watching {
                    Span::styled(
                        "● watching: every save runs the checks (w stops)",
                        self.style(Color::Green),
                    )
                } else if let Some(e) = &self.lab.watch_error {
                    Span::styled(
                        format!("○ cannot watch ({e}): press c after saving"),
                        self.style(Color::Yellow),
                    )
                } else {
                    Span::raw("○ not watching: c checks now, w watches")
                };
                lines.push(Line::from(watch));
            }
            None => {
                lines.push(Line::from(Span::styled(
                    "No workspace yet. Press i to make one (netlab init): a folder with a starter client per lab, in",
                    self.style(Color::Yellow),
                )));
                lines.push(Line::from(Span::styled(
                    format!("  {}", self.workspace_home.display()),
                    self.style(Color::Cyan),
                )));
                if self.confirm == Some(crate::tui::app::Confirm::Language) {
                    lines.push(Line::from(Span::styled(
                        "Which language will you write in? n node · p python · s shell",
                        self.style(Color::Yellow).add_modifier(Modifier::BOLD),
                    )));
                }
            }
        }
        lines.push(Line::default());
        if self.lab.running {
            let spin = ["◐", "◓", "◑", "◒"][(self.tick as usize / 4) % 4];
            lines.push(Line::from(Span::styled(
                format!("{spin} checking your client…"),
                self.style(Color::Yellow),
            )));
        }
        if let Some(e) = &self.lab.error {
            lines.push(Line::from(Span::styled(
                format!("✗ {e}"),
                self.style(Color::Red),
            )));
        }
        if let Some(r) = &self.lab.last {
            let (verdict, color) = match r.status {
                crate::lab::Status::Pass => ("PASS", Color::Green),
                crate::lab::Status::Error => ("ERROR", Color::Yellow),
                _ => ("FAIL", Color::Red),
            };
            lines.push(Line::from(Span::styled(
                format!(
                    "Last check: {verdict}  {}/{} points",
                    r.points, r.max_points
                ),
                self.style(color).add_modifier(Modifier::BOLD),
            )));
            let how = r.how_it_ended();
            lines.push(Line::from(Span::styled(
                format!(
                    "{}: {}  ({how}, {:.2} s)",
                    r.role,
                    crate::lab::report::shell_words(&r.command),
                    r.client.seconds
                ),
                Style::new().add_modifier(Modifier::DIM),
            )));
            for c in &r.checks {
                let (mark, color) = match c.status {
                    crate::lab::Status::Pass => ("✓", Color::Green),
                    crate::lab::Status::Fail => ("✗", Color::Red),
                    other => (other.mark(), Color::DarkGray),
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("  {mark} "), self.style(color)),
                    Span::raw(format!("{:<22} {}/{}", c.name, c.points, c.max_points)),
                ]));
                if let Some(m) = &c.message {
                    lines.push(Line::from(format!("      {}", crate::errname::rewrite(m))));
                }
                if let Some(out) = &c.output {
                    for l in out.lines() {
                        let style = if l.starts_with('-') && !l.starts_with("---") {
                            self.style(Color::Red)
                        } else if l.starts_with('+') && !l.starts_with("+++") {
                            self.style(Color::Green)
                        } else {
                            Style::new()
                        };
                        lines.push(Line::from(Span::styled(format!("        {l}"), style)));
                    }
                }
            }
            if r.status == crate::lab::Status::Pass && self.solution_text().is_some() {
                lines.push(Line::default());
                lines.push(Line::from(Span::styled(
                    if self.lab.solution {
                        "The reference solution is beside your report (s shows your run again)."
                    } else {
                        "Passed! Press s to compare with the reference solution."
                    },
                    self.style(Color::Green),
                )));
            }
            if r.status != crate::lab::Status::Pass {
                if !r.stderr_tail.trim().is_empty() {
                    lines.push(Line::default());
                    lines.push(Line::from("your client's stderr (last lines):"));
                    for l in r.stderr_tail.lines() {
                        lines.push(Line::from(format!("  | {l}")));
                    }
                }
                lines.push(Line::default());
                lines.push(Line::from("reproduce it by hand:"));
                for l in &r.reproduce {
                    lines.push(Line::from(Span::styled(
                        format!("  {l}"),
                        self.style(Color::Cyan),
                    )));
                }
            }
        } else if !self.lab.running {
            lines.push(Line::from(Span::styled(
                "No check yet.",
                Style::new().add_modifier(Modifier::DIM),
            )));
        }
        if checked {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                "Instructions",
                Style::new().add_modifier(Modifier::BOLD),
            )));
            lines.push(Line::default());
            lines.extend(instructions);
        }
        if self.lab.hints > 0 {
            lines.push(Line::default());
            for (i, h) in lab
                .hints_for(
                    self.workspace
                        .as_ref()
                        .map(|w| w.language)
                        .unwrap_or_default(),
                )
                .iter()
                .take(self.lab.hints)
                .enumerate()
            {
                lines.push(Line::from(Span::styled(
                    format!("Hint {}: {h}", i + 1),
                    self.style(Color::Magenta),
                )));
            }
        }
        let passed = self.progress.lab_passed(&lab.id);
        let title = format!(" Lab {}{} ", lab.id, if passed { " ✓ passed" } else { "" });
        let focused = self.focus == Focus::Timeline;
        Paragraph::new(lines)
            .block(
                Block::new()
                    .borders(Borders::ALL)
                    .title(title)
                    .border_style(if focused {
                        Style::new().add_modifier(Modifier::DIM)
                    } else {
                        Style::new()
                    }),
            )
            .wrap(Wrap { trim: false })
            .scroll((self.lab.scroll, 0))
            .render(text_area, buf);
        if let (Some(r), Some(run_area)) = (&self.lab.last, run_area) {
            if self.lab.solution {
                self.solution_pane(run_area, buf);
            } else {
                self.run_timeline(r, run_area, buf);
            }
        }
    }

    /// The reference solution in the learner's language, scrolled like the run's timeline.
    fn solution_pane(&self, area: Rect, buf: &mut Buffer) {
        let focused = self.focus == Focus::Timeline;
        let Some((lang, name, text)) = self.solution_text() else {
            return;
        };
        let inner = area.inner(ratatui::layout::Margin::new(1, 1));
        let rows: Vec<&str> = text.lines().collect();
        let height = inner.height as usize;
        let start = (self.lab.run_scroll as usize).min(rows.len().saturating_sub(height));
        let gutter = rows.len().to_string().len();
        let off = self.lab.run_hscroll;
        let code_width = (inner.width as usize).saturating_sub(gutter + 3);
        let lines: Vec<Line<'static>> = rows
            .iter()
            .enumerate()
            .skip(start)
            .take(height)
            .map(|(i, l)| {
                let code = Line::from(Span::styled(markdown::visible(l), self.style(Color::Cyan)));
                let mut row = vec![Span::styled(
                    format!("{:>gutter$} │ ", i + 1),
                    Style::new().add_modifier(Modifier::DIM),
                )];
                // The gutter stays; the code scrolls sideways beside it.
                row.extend(sideways(code, off, code_width).spans);
                Line::from(row)
            })
            .collect();
        let mut title = format!(" Reference solution · {name} ({}) ", lang.name());
        if start > 0 {
            title.push_str(&format!("· ↓{start} "));
        }
        if off > 0 {
            title.push_str(&format!("· →{off} "));
        }
        Block::new()
            .borders(Borders::ALL)
            .title(title)
            .border_style(if focused {
                self.style(Color::Cyan)
            } else {
                Style::new().add_modifier(Modifier::DIM)
            })
            .render(area, buf);
        Paragraph::new(lines).render(inner, buf);
        let note = if focused {
            " s: your run "
        } else {
            " t: scroll · s: your run "
        };
        let w = note.chars().count() as u16;
        if area.width > w + 4 {
            buf.set_string(
                area.x + area.width - w - 2,
                area.y + area.height - 1,
                note,
                Style::new().add_modifier(Modifier::DIM),
            );
        }
    }

    /// The server's events during the last check, from the first, scrolled by `t` + ↑↓.
    fn run_timeline(&self, r: &crate::lab::report::Report, area: Rect, buf: &mut Buffer) {
        let focused = self.focus == Focus::Timeline;
        let t = &self.timeline;
        let block = Block::new().borders(Borders::ALL).border_style(if focused {
            self.style(Color::Cyan)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        });
        let inner = area.inner(ratatui::layout::Margin::new(1, 1));
        let mut start = 0;
        // A server lab: the run is what netlab's clients did and saw, step by step — or, with
        // `l`, their lanes on the timeline (the same data as any timeline).
        let as_lanes = t.lanes && !r.timeline.is_empty();
        let client_rows: Vec<Line<'static>> = r
            .steps
            .iter()
            .filter(|_| !as_lanes)
            .flat_map(|s| {
                let (mark, color) = if s.ok {
                    ("✓", Color::Green)
                } else {
                    ("✗", Color::Red)
                };
                std::iter::once(Line::from(Span::styled(
                    format!("{mark} {}", s.name),
                    self.style(color).add_modifier(Modifier::BOLD),
                )))
                .chain(s.transcript.iter().map(|t| Line::from(t.clone())))
                .collect::<Vec<_>>()
            })
            .collect();
        let lines: Vec<Line<'static>> = if !client_rows.is_empty() {
            let height = inner.height as usize;
            start = (self.lab.run_scroll as usize).min(client_rows.len().saturating_sub(height));
            client_rows
                .into_iter()
                .skip(start)
                .take(height)
                .map(|l| sideways(l, self.lab.run_hscroll, inner.width as usize))
                .collect()
        } else if r.timeline.is_empty() {
            vec![Line::from(Span::styled(
                "The server saw nothing: your client never reached it.",
                Style::new().add_modifier(Modifier::DIM),
            ))]
        } else {
            let rows: Vec<Line<'static>> = r
                .timeline
                .iter()
                .flat_map(|e| self.entry_rows(e, inner.width, t.lanes, !t.hide_heads))
                .collect();
            let height = inner.height as usize;
            start = (self.lab.run_scroll as usize).min(rows.len().saturating_sub(height));
            rows.into_iter()
                .skip(start)
                .take(height)
                .map(|l| sideways(l, self.lab.run_hscroll, inner.width as usize))
                .collect()
        };
        let mut title = if !r.steps.is_empty() && as_lanes {
            format!(
                " Your run · netlab's clients on the timeline · {} events",
                r.timeline.len()
            )
        } else if r.steps.is_empty() {
            format!(
                " Your run · the server's timeline · {} events",
                r.timeline.len()
            )
        } else {
            format!(
                " Your run · what netlab's clients did and saw · {} steps",
                r.steps.len()
            )
        };
        if start > 0 {
            title.push_str(&format!(" · ↓{start}"));
        }
        if self.lab.run_hscroll > 0 {
            title.push_str(&format!(" · →{}", self.lab.run_hscroll));
        }
        title.push(' ');
        let block = block.title(title);
        block.render(area, buf);
        Paragraph::new(lines).render(inner, buf);
        if !focused && inner.height > 0 && area.width > 30 {
            let note = " t: scroll it ";
            buf.set_string(
                area.x + area.width - note.chars().count() as u16 - 2,
                area.y + area.height - 1,
                note,
                Style::new().add_modifier(Modifier::DIM),
            );
        }
    }
}

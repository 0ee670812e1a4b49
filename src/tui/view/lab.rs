//! The lab screen: instructions, hints, the client file, watch state and the last report.

use crate::tui::app::App;
use crate::tui::markdown;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
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
        let mut lines: Vec<Line<'static>> = vec![
            Line::from(Span::styled(
                format!("{} ({} points)", lab.title, lab.max_points()),
                Style::new().add_modifier(Modifier::BOLD),
            )),
            Line::default(),
        ];
        lines.extend(markdown::render(&lab.instructions, self.theme()));
        lines.push(Line::default());
        match &self.lab.file {
            Some(f) => {
                lines.push(Line::from(vec![
                    Span::styled("Your client: ", Style::new().add_modifier(Modifier::BOLD)),
                    Span::styled(
                        f.display().to_string(),
                        self.style(Color::Cyan).add_modifier(Modifier::UNDERLINED),
                    ),
                    Span::raw("  (e opens it in $EDITOR)"),
                ]));
                let watch = if self.lab.watching {
                    Span::styled("● watching: every save runs the checks (w stops)", self.style(Color::Green))
                } else if let Some(e) = &self.lab.watch_error {
                    Span::styled(format!("○ cannot watch ({e}): press c after saving"), self.style(Color::Yellow))
                } else {
                    Span::raw("○ not watching: c checks now, w watches")
                };
                lines.push(Line::from(watch));
            }
            None => lines.push(Line::from(Span::styled(
                "No workspace yet. Press i to make one (netlab init): a folder with a starter client per lab.",
                self.style(Color::Yellow),
            ))),
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
            let how = match &r.client.status {
                crate::lab::run::ExitStatus::Exited { code } => format!("exit {code}"),
                crate::lab::run::ExitStatus::Signaled { signal } => {
                    format!("killed by signal {signal}")
                }
                crate::lab::run::ExitStatus::TimedOut => "stopped at the time limit".into(),
                crate::lab::run::ExitStatus::NotStarted { error } => {
                    format!("did not start: {error}")
                }
            };
            lines.push(Line::from(Span::styled(
                format!(
                    "client: {}  ({how}, {:.2} s)",
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
                    lines.push(Line::from(format!("      {m}")));
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
        Paragraph::new(lines)
            .block(Block::new().borders(Borders::ALL).title(title))
            .wrap(Wrap { trim: false })
            .scroll((self.lab.scroll, 0))
            .render(area, buf);
    }
}

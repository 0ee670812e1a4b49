//! The course map: every lesson and lab with the learner's progress.

use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

impl App {
    pub(super) fn map_screen(&self, area: Rect, buf: &mut Buffer) {
        let mut lines = vec![Line::from(Span::styled(
            "Lessons",
            Style::new().add_modifier(Modifier::BOLD),
        ))];
        let cursor_style = Style::new().add_modifier(Modifier::REVERSED);
        for (i, e) in self.course.lessons.iter().enumerate() {
            let l = &e.lesson;
            let done = self.progress.lesson_done(&l.id, l.steps.len());
            let seen = self.progress.lessons.get(&l.id).map_or(0, |p| p.seen.len());
            let line = format!(
                " {} {:>2}. {:<58} {seen}/{}",
                if done {
                    "✓"
                } else if seen > 0 {
                    "◐"
                } else {
                    " "
                },
                i + 1,
                l.title,
                l.steps.len()
            );
            lines.push(Line::from(Span::styled(
                line,
                if self.map_cursor == i {
                    cursor_style
                } else {
                    Style::new()
                },
            )));
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Labs",
            Style::new().add_modifier(Modifier::BOLD),
        )));
        let n = self.course.lessons.len();
        for (i, e) in self.course.labs.labs.iter().enumerate() {
            let r = self.progress.labs.get(&e.lab.id);
            let mark = match r {
                Some(r) if r.passed => "✓".to_string(),
                Some(r) => format!("{}/{}", r.points, r.max_points),
                None => " ".to_string(),
            };
            let line = format!(" {mark:>5} {:<20} {}", e.lab.id, e.lab.title);
            lines.push(Line::from(Span::styled(
                line,
                if self.map_cursor == n + i {
                    cursor_style
                } else {
                    Style::new()
                },
            )));
        }
        // Keep the cursor in view.
        let inner_h = area.height.saturating_sub(2) as usize;
        let cursor_line = if self.map_cursor < n {
            self.map_cursor + 1
        } else {
            self.map_cursor + 3
        };
        let scroll = cursor_line.saturating_sub(inner_h.saturating_sub(1));
        Paragraph::new(lines)
            .block(Block::new().borders(Borders::ALL).title(" Course map "))
            .scroll((scroll as u16, 0))
            .render(area, buf);
    }
}

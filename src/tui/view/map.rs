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
        // Columns stay put: a title longer than its column is cut with "…".
        let inner_w = area.width.saturating_sub(2) as usize;
        for (i, e) in self.course.lessons.iter().enumerate() {
            let l = &e.lesson;
            // ✓ only when the lesson's labs have passed too.
            let done = self.lesson_complete(i);
            let seen = self.progress.lessons.get(&l.id).map_or(0, |p| p.seen.len());
            let count = format!("{seen}/{}", l.steps.len());
            let title_w = inner_w.saturating_sub(7 + 1 + 5).clamp(8, 58);
            let line = format!(
                " {} {:>2}. {} {count:>5}",
                if done {
                    "✓"
                } else if seen > 0 {
                    "◐"
                } else {
                    " "
                },
                i + 1,
                fit(&l.title, title_w),
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
            let title_w = inner_w.saturating_sub(1 + 5 + 1 + 20 + 1).max(8);
            let line = format!(
                " {mark:>5} {} {}",
                fit(&e.lab.id, 20),
                fit(&e.lab.title, title_w).trim_end()
            );
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

/// `text` padded or cut (with "…") to exactly `width` columns.
fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total = unicode_width::UnicodeWidthStr::width(text);
    if total <= width {
        return format!("{text}{}", " ".repeat(width - total));
    }
    let mut out = String::new();
    let mut w = 0;
    for c in text.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    w += 1;
    out.push_str(&" ".repeat(width.saturating_sub(w)));
    out
}

//! The timeline pane: the live events as a list or as client ↔ server lanes, with the
//! filter, pause and scroll state shown in its title; and [`sideways`], the window that
//! lets every pane of events or code scroll left and right with `«`/`»` at its cut edges.
//!
//! Wire rows (the packets of the wire view, scope `wire#N`) are dim — they explain the events
//! rather than being them — with `→` toward the server and `←` from it, as `netlab serve
//! --wire` prints them; in lanes they cross from one side to the other.

use crate::course::lesson::Step;
use crate::trace::render::{self, Kind};
use crate::trace::{Entry, Event, Scope, WireDir};
use crate::tui::app::{conn_of, App, Focus, Server};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

impl App {
    pub(super) fn timeline_pane(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.timeline;
        let focused = self.focus == Focus::Timeline;
        let who = match &self.server {
            Server::Running { scenario, port, .. } => format!("{scenario} :{port}"),
            _ if self.demo_running => "demo".to_string(),
            _ => "stopped".to_string(),
        };
        let live = matches!(self.server, Server::Running { .. }) || self.demo_running;
        let wire = if self.wire && live { " · wire" } else { "" };
        let mut title = format!(
            " Timeline · {who}{wire} · {} events",
            t.counts.values().sum::<u64>()
        );
        if let Some(c) = t.filter {
            title.push_str(&format!(" · #{c} only"));
        }
        if t.paused {
            title.push_str(" · PAUSED");
        } else if t.scroll > 0 {
            title.push_str(&format!(" · ↑{}", t.scroll));
        }
        if t.hscroll > 0 {
            title.push_str(&format!(" · →{}", t.hscroll));
        }
        if t.lagged > 0 || t.dropped > 0 {
            title.push_str(&format!(" · {} not shown", t.lagged + t.dropped));
        }
        title.push(' ');
        let block = Block::new()
            .borders(Borders::ALL)
            .title(title)
            .border_style(if focused {
                self.style(Color::Cyan)
            } else {
                Style::new().add_modifier(Modifier::DIM)
            });
        let inner = block.inner(area);
        block.render(area, buf);
        let height = inner.height as usize;
        let visible: Vec<&std::sync::Arc<Entry>> = t.visible().collect();
        let end = visible.len().saturating_sub(t.scroll.min(visible.len()));
        let lines: Vec<Line<'static>> = if visible.is_empty() {
            vec![Line::from(Span::styled(
                match self.current() {
                    Some(Step::Demo { .. }) => "Events appear here when the demo runs (d).",
                    _ => "Events appear here once the server runs (s) and a client connects.",
                },
                Style::new().add_modifier(Modifier::DIM),
            ))]
        } else {
            self.tail_rows(&visible[..end], inner.width, height, t.lanes, !t.hide_heads)
                .into_iter()
                .map(|l| sideways(l, t.hscroll, inner.width as usize))
                .collect()
        };
        Paragraph::new(lines).render(inner, buf);
    }

    /// The last `height` rows that `entries` make: each entry's line, then (with `heads`)
    /// its HTTP head as `>`/`<` lines, as `netlab serve` prints them.
    pub(super) fn tail_rows(
        &self,
        entries: &[&std::sync::Arc<Entry>],
        width: u16,
        height: usize,
        lanes: bool,
        heads: bool,
    ) -> Vec<Line<'static>> {
        let mut rows: Vec<Line<'static>> = Vec::new();
        // Newest first, stopping once the pane is full (the ring holds thousands).
        for e in entries.iter().rev() {
            if rows.len() >= height {
                break;
            }
            rows.splice(0..0, self.entry_rows(e, width, lanes, heads));
        }
        let skip = rows.len().saturating_sub(height);
        rows.split_off(skip)
    }

    /// The widest row `entries` make as a list (lanes cut their labels to the pane, so a
    /// list is the widest they get), in columns: how far the pane can scroll sideways.
    pub(in crate::tui) fn widest_row(
        &self,
        entries: &[&std::sync::Arc<Entry>],
        heads: bool,
    ) -> usize {
        entries
            .iter()
            .flat_map(|e| self.entry_rows(e, 0, false, heads))
            .map(|l| l.width())
            .max()
            .unwrap_or(0)
    }

    /// One entry's rows: its line, then (with `heads`) its HTTP head lines.
    pub(super) fn entry_rows(
        &self,
        e: &Entry,
        width: u16,
        lanes: bool,
        heads: bool,
    ) -> Vec<Line<'static>> {
        let mut rows = vec![if lanes {
            self.lane_line(e, width)
        } else {
            self.entry_line(e)
        }];
        if heads {
            rows.extend(self.head_rows(e, width, lanes));
        }
        rows
    }

    /// An HTTP request's or response's head as `>`/`<` lines, under its event's details (or
    /// on the server's side of the lanes); nothing for other events.
    fn head_rows(&self, e: &Entry, width: u16, lanes: bool) -> Vec<Line<'static>> {
        let Some(lines) = crate::http::message::head_lines(&e.event) else {
            return Vec::new();
        };
        let indent = if lanes {
            (width as usize).saturating_sub(2) / 2
        } else {
            // Under the event's name: after the time and the connection columns.
            21
        };
        lines
            .into_iter()
            .map(|l| {
                let color = if l.starts_with('>') {
                    Color::Cyan
                } else {
                    Color::Green
                };
                let mut spans = vec![Span::raw(" ".repeat(indent))];
                if lanes {
                    spans.push(Span::styled("│ ", Style::new().add_modifier(Modifier::DIM)));
                }
                spans.push(Span::styled(
                    super::super::markdown::visible(&l),
                    self.style(color).add_modifier(Modifier::DIM),
                ));
                Line::from(spans)
            })
            .collect()
    }

    fn kind_style(&self, k: Kind) -> Style {
        if !self.color {
            return Style::new();
        }
        match k {
            Kind::Open => Style::new().fg(Color::Green),
            Kind::Incoming => Style::new().fg(Color::Cyan),
            Kind::Flow => Style::new().fg(Color::Yellow),
            Kind::Close => Style::new().fg(Color::Blue),
            Kind::Trouble => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            Kind::Action => Style::new().add_modifier(Modifier::DIM),
        }
    }

    /// A wire row's style: its kind's colour, dimmed.
    fn wire_style(&self, k: Kind) -> Style {
        self.kind_style(k).add_modifier(Modifier::DIM)
    }

    fn entry_line(&self, e: &Entry) -> Line<'static> {
        let kind = Kind::of(&e.event);
        if e.scope.is_wire() {
            let dim = Style::new().add_modifier(Modifier::DIM);
            let arrow = wire_arrow(&e.event);
            return Line::from(vec![
                Span::styled(format!("{:>9.1}ms ", e.t_ms), dim),
                Span::styled(format!("{:<9}", render::who(&e.scope)), dim),
                Span::styled(
                    format!("{arrow}{:<15} ", render::label(&e.event)),
                    self.wire_style(kind),
                ),
                Span::styled(render::details(&e.event), dim),
            ]);
        }
        let arrow = if kind == Kind::Action { "→" } else { " " };
        Line::from(vec![
            Span::styled(
                format!("{:>9.1}ms ", e.t_ms),
                Style::new().add_modifier(Modifier::DIM),
            ),
            Span::raw(format!("{:<9}", render::who(&e.scope))),
            Span::styled(
                format!("{arrow}{:<15} ", render::label(&e.event)),
                self.kind_style(kind),
            ),
            Span::raw(render::details(&e.event)),
        ])
    }

    /// Lanes: the client's events on the left, the server's on the right, arrows between.
    /// A packet toward the server leaves the client's lane (`──▶`), one from the server
    /// leaves the server's (`◀──`).
    fn lane_line(&self, e: &Entry, width: u16) -> Line<'static> {
        let client = matches!(e.scope, Scope::Client { .. } | Scope::ClientRequest { .. });
        let half = (width as usize).saturating_sub(2) / 2;
        let kind = Kind::of(&e.event);
        if e.scope.is_wire() {
            let label = format!(
                "{} {} {}",
                render::who(&e.scope),
                render::label(&e.event),
                render::details(&e.event)
            );
            let label: String = label.chars().take(half.saturating_sub(4)).collect();
            let style = self.wire_style(kind);
            return match &e.event {
                Event::Segment {
                    dir: WireDir::Out, ..
                }
                | Event::Datagram {
                    dir: WireDir::Out, ..
                } => Line::from(vec![
                    Span::raw(" ".repeat(half)),
                    Span::styled("│ ", Style::new().add_modifier(Modifier::DIM)),
                    Span::styled(format!("◀── {label}"), style),
                ]),
                _ => Line::from(Span::styled(format!("{label} ──▶"), style)),
            };
        }
        let label = format!("{} {}", render::label(&e.event), render::details(&e.event));
        let label: String = label.chars().take(half.saturating_sub(2)).collect();
        let sends = matches!(
            e.event.name(),
            "write" | "send" | "end()" | "connect" | "destroy()"
        );
        let conn = conn_of(e).map(|c| format!("#{c} ")).unwrap_or_default();
        if client {
            let arrow = if sends { " ──▶" } else { "" };
            Line::from(vec![Span::styled(
                format!("{conn}{label}{arrow}"),
                self.kind_style(kind),
            )])
        } else {
            let arrow = if sends { "◀── " } else { "" };
            Line::from(vec![
                Span::raw(" ".repeat(half)),
                Span::styled("│ ", Style::new().add_modifier(Modifier::DIM)),
                Span::styled(format!("{arrow}{conn}{label}"), self.kind_style(kind)),
            ])
        }
    }
}

/// The arrow in front of a wire row's flags: `→` toward the server, `←` from it, `!` for a
/// drop count.
fn wire_arrow(e: &Event) -> &'static str {
    match e {
        Event::Segment { dir, .. } | Event::Datagram { dir, .. } => dir.arrow(),
        _ => "!",
    }
}

/// `line` seen through a window `width` columns wide that starts `off` columns in: what lies
/// outside is cut, and a dim `«` (or `»`) in the window's first (last) column says that text
/// goes on that way. A line that fits, unscrolled, comes back as it was.
pub(super) fn sideways(line: Line<'static>, off: usize, width: usize) -> Line<'static> {
    use unicode_width::UnicodeWidthChar;
    if off == 0 && line.width() <= width {
        return line;
    }
    let blank = |cells: &mut Vec<(String, Style, usize)>, style: Style, n: usize| {
        cells.extend(std::iter::repeat_n((" ".to_string(), style, 1), n));
    };
    // The window's cells: text, style, columns.
    let mut cells: Vec<(String, Style, usize)> = Vec::new();
    let (mut col, mut left, mut right) = (0, false, false);
    for span in &line.spans {
        let style = line.style.patch(span.style);
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if w == 0 {
                // A combining mark stays with the character before it.
                if col > off && col <= off + width {
                    if let Some(last) = cells.last_mut() {
                        last.0.push(c);
                    }
                }
                continue;
            }
            if col < off {
                left |= !c.is_whitespace();
                if col + w > off {
                    // A wide character cut in half by the window's left edge.
                    blank(&mut cells, style, (col + w - off).min(width));
                }
            } else if col + w <= off + width {
                cells.push((c.to_string(), style, w));
            } else {
                right |= !c.is_whitespace();
            }
            col += w;
        }
    }
    let marker = Style::new().add_modifier(Modifier::DIM);
    if left {
        let mut freed = 0;
        while freed < 1 && !cells.is_empty() {
            freed += cells.remove(0).2;
        }
        let mut front = vec![("«".to_string(), marker, 1)];
        blank(&mut front, Style::new(), freed.saturating_sub(1));
        cells.splice(0..0, front);
    }
    if right {
        let used: usize = cells.iter().map(|c| c.2).sum();
        blank(&mut cells, Style::new(), width.saturating_sub(used));
        let mut freed = 0;
        while freed < 1 && !cells.is_empty() {
            freed += cells.pop().map_or(0, |c| c.2);
        }
        blank(&mut cells, Style::new(), freed.saturating_sub(1));
        if width > 0 {
            cells.push(("»".to_string(), marker, 1));
        }
    }
    // Neighbouring cells of one style make one span again.
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (text, style, _) in cells {
        match spans.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push_str(&text),
            _ => spans.push(Span::styled(text, style)),
        }
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn window(s: &str, off: usize, width: usize) -> String {
        text(&sideways(Line::from(s.to_string()), off, width))
    }

    #[test]
    fn a_line_that_fits_unscrolled_is_untouched() {
        assert_eq!(window("hello", 0, 5), "hello");
        assert_eq!(window("hello", 0, 80), "hello");
    }

    #[test]
    fn cut_edges_carry_markers() {
        assert_eq!(window("abcdefghij", 0, 6), "abcde»");
        assert_eq!(window("abcdefghij", 2, 6), "«defg»");
        assert_eq!(window("abcdefghij", 4, 6), "«fghij");
        // Scrolled past a short line: nothing of it is left but the marker.
        assert_eq!(window("abc", 10, 6), "«");
        // Blanks cut off are no text: no marker for them.
        assert_eq!(window("   abc", 3, 6), "abc");
        assert_eq!(window("abc      ", 0, 6), "abc   ");
    }

    #[test]
    fn wide_characters_are_never_split() {
        // "日本語" is six columns: a window starting inside a character shows a blank.
        assert_eq!(window("日本語x", 1, 4), "«本»");
        assert_eq!(window("日本語x", 3, 4), "«語x");
        assert_eq!(window("日本語x", 0, 5), "日本»");
        assert_eq!(sideways(Line::from("日本語x"), 1, 4).width(), 4);
    }

    #[test]
    fn styles_survive_the_cut() {
        let l = Line::from(vec![
            Span::styled("red", Style::new().fg(Color::Red)),
            Span::raw("plain"),
        ]);
        let cut = sideways(l, 1, 6);
        assert_eq!(text(&cut), "«dpla»");
        assert_eq!(cut.spans[1].style.fg, Some(Color::Red));
        assert_eq!(cut.spans[1].content, "d");
        assert_eq!(cut.spans[2].content, "pla");
    }
}

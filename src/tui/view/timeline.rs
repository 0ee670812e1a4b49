//! The timeline pane: the live events as a list or as client ↔ server lanes, with the
//! filter, pause and scroll state shown in its title.

use crate::course::lesson::Step;
use crate::trace::render::{self, Kind};
use crate::trace::{Entry, Scope};
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
        let mut title = format!(
            " Timeline · {who} · {} events",
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

    fn entry_line(&self, e: &Entry) -> Line<'static> {
        let kind = Kind::of(&e.event);
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
    fn lane_line(&self, e: &Entry, width: u16) -> Line<'static> {
        let client = matches!(e.scope, Scope::Client { .. } | Scope::ClientRequest { .. });
        let half = (width as usize).saturating_sub(2) / 2;
        let kind = Kind::of(&e.event);
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

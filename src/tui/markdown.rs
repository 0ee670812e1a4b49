//! Markdown to styled terminal text, for lesson steps and lab instructions.
//!
//! Covers what lessons use: headings, paragraphs, emphasis, strong, inline code, fenced code
//! blocks, bullet and numbered lists, tables, links (text underlined, URL after it), rules.
//! The result is a list of [`Line`]s that a `Paragraph` wraps to the pane's width. Code blocks
//! and tables are laid out here, for the pane's width ([`render_fit`]): a table wider than the
//! pane has its cells re-flowed within their columns (never wrapped back to column 0), and a
//! code line wider than the pane continues on rows that keep the block's gutter.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Styles for the parts of a Markdown text (plain when colour is off).
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn heading(self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        if self.color {
            s.fg(Color::Yellow)
        } else {
            s
        }
    }
    fn code(self) -> Style {
        if self.color {
            Style::new().fg(Color::Cyan)
        } else {
            Style::new()
        }
    }
    fn dim(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }
}

#[derive(Default)]
struct Table {
    rows: Vec<Vec<Vec<Span<'static>>>>,
    aligns: Vec<Alignment>,
}

/// Render `md` into lines, with no width limit for tables and code.
pub fn render(md: &str, theme: Theme) -> Vec<Line<'static>> {
    render_fit(md, theme, usize::MAX)
}

/// Render `md` into lines for a pane `width` columns wide: tables and code blocks are laid
/// out to fit it (prose is left to the `Paragraph`'s word wrap).
pub fn render_fit(md: &str, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut line: Vec<Span<'static>> = Vec::new();
    let mut styles: Vec<Style> = vec![Style::new()];
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut code: Option<(String, String)> = None; // (lang, text)
    let mut table: Option<Table> = None;
    let mut cell: Vec<Span<'static>> = Vec::new();
    let mut link: Option<String> = None;
    let mut item_prefix: Option<String> = None;

    let flush = |out: &mut Vec<Line<'static>>, line: &mut Vec<Span<'static>>| {
        if !line.is_empty() {
            out.push(Line::from(std::mem::take(line)));
        }
    };
    let blank = |out: &mut Vec<Line<'static>>| {
        if out.last().is_some_and(|l| !l.spans.is_empty()) {
            out.push(Line::default());
        }
    };
    let indent = |lists: &Vec<Option<u64>>| "  ".repeat(lists.len().saturating_sub(1));

    let parser = Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    for event in parser {
        let style = *styles.last().unwrap_or(&Style::new());
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { level, .. } => {
                    flush(&mut out, &mut line);
                    blank(&mut out);
                    let marks = match level {
                        HeadingLevel::H1 => "# ",
                        HeadingLevel::H2 => "## ",
                        _ => "### ",
                    };
                    line.push(Span::styled(marks, theme.dim()));
                    styles.push(theme.heading());
                }
                Tag::Paragraph => {
                    if item_prefix.is_none() && lists.is_empty() {
                        flush(&mut out, &mut line);
                        blank(&mut out);
                    }
                    if let Some(p) = item_prefix.take() {
                        line.push(Span::raw(p));
                    }
                }
                Tag::Emphasis => styles.push(style.add_modifier(Modifier::ITALIC)),
                Tag::Strong => styles.push(style.add_modifier(Modifier::BOLD)),
                Tag::Strikethrough => styles.push(style.add_modifier(Modifier::CROSSED_OUT)),
                Tag::Link { dest_url, .. } => {
                    link = Some(dest_url.to_string());
                    styles.push(style.add_modifier(Modifier::UNDERLINED));
                }
                Tag::List(start) => {
                    flush(&mut out, &mut line);
                    if lists.is_empty() {
                        blank(&mut out);
                    }
                    lists.push(start);
                }
                Tag::Item => {
                    flush(&mut out, &mut line);
                    let ind = indent(&lists);
                    let bullet = match lists.last_mut() {
                        Some(Some(n)) => {
                            let b = format!("{ind}{n}. ");
                            *n += 1;
                            b
                        }
                        _ => format!("{ind}• "),
                    };
                    line.push(Span::raw(bullet));
                }
                Tag::CodeBlock(kind) => {
                    flush(&mut out, &mut line);
                    blank(&mut out);
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => {
                            info.split_whitespace().next().unwrap_or("").to_string()
                        }
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some((lang, String::new()));
                }
                Tag::Table(aligns) => {
                    flush(&mut out, &mut line);
                    blank(&mut out);
                    table = Some(Table {
                        rows: Vec::new(),
                        aligns,
                    });
                }
                Tag::TableHead | Tag::TableRow => {
                    if let Some(t) = table.as_mut() {
                        t.rows.push(Vec::new());
                    }
                }
                Tag::TableCell => cell.clear(),
                Tag::BlockQuote(_) => {
                    flush(&mut out, &mut line);
                    line.push(Span::styled("│ ", theme.dim()));
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Heading(_) => {
                    styles.pop();
                    flush(&mut out, &mut line);
                }
                TagEnd::Paragraph => {
                    flush(&mut out, &mut line);
                }
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                    styles.pop();
                }
                TagEnd::Link => {
                    styles.pop();
                    if let Some(url) = link.take() {
                        line.push(Span::styled(format!(" <{url}>"), theme.dim()));
                    }
                }
                TagEnd::List(_) => {
                    flush(&mut out, &mut line);
                    lists.pop();
                }
                TagEnd::Item => flush(&mut out, &mut line),
                TagEnd::CodeBlock => {
                    if let Some((lang, text)) = code.take() {
                        let label = if lang.is_empty() {
                            "code".to_string()
                        } else {
                            lang
                        };
                        out.push(Line::from(Span::styled(
                            format!("  ┌─ {label}"),
                            theme.dim(),
                        )));
                        // A line wider than the pane continues on rows under the same
                        // gutter, at the line's own indentation.
                        let room = width.saturating_sub(4).max(8);
                        for l in text.trim_end_matches('\n').lines() {
                            let l = l.replace('\t', "    ");
                            let body = l.trim_start_matches(' ');
                            let indent = (l.len() - body.len()).min(room / 2);
                            let pad = " ".repeat(indent);
                            let parts = cut_width(body, room - indent)
                                .into_iter()
                                .map(|p| format!("{pad}{p}"));
                            for part in parts {
                                out.push(Line::from(vec![
                                    Span::styled("  │ ", theme.dim()),
                                    Span::styled(part, theme.code()),
                                ]));
                            }
                        }
                        out.push(Line::from(Span::styled("  └─", theme.dim())));
                    }
                }
                TagEnd::TableCell => {
                    if let Some(t) = table.as_mut() {
                        if let Some(row) = t.rows.last_mut() {
                            row.push(std::mem::take(&mut cell));
                        }
                    }
                }
                TagEnd::Table => {
                    if let Some(t) = table.take() {
                        out.extend(table_lines(&t, theme, width));
                    }
                }
                _ => {}
            },
            Event::Text(text) => {
                let text = visible(&text);
                if let Some((_, buf)) = code.as_mut() {
                    buf.push_str(&text);
                } else if table.is_some() {
                    cell.push(Span::styled(text.to_string(), style));
                } else {
                    if let Some(p) = item_prefix.take() {
                        line.push(Span::raw(p));
                    }
                    line.push(Span::styled(text.to_string(), style));
                }
            }
            Event::Code(text) => {
                let span = Span::styled(visible(&text), theme.code().patch(style));
                if table.is_some() {
                    cell.push(span);
                } else {
                    line.push(span);
                }
            }
            Event::SoftBreak if table.is_none() => line.push(Span::raw(" ")),
            Event::HardBreak => flush(&mut out, &mut line),
            Event::Rule => {
                flush(&mut out, &mut line);
                out.push(Line::from(Span::styled("─".repeat(40), theme.dim())));
            }
            _ => {}
        }
    }
    flush(&mut out, &mut line);
    while out.last().is_some_and(|l| l.spans.is_empty()) {
        out.pop();
    }
    while out.first().is_some_and(|l| l.spans.is_empty()) {
        out.remove(0);
    }
    out
}

/// Control characters written as escapes (`\r`, `\n`, `\t`, `\x07`), so text from a course
/// file can never move the cursor or ring the bell.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("    "),
            '\n' => out.push('\n'),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| s.content.width()).sum()
}

/// `text` in pieces of at most `width` columns (at least one piece, each non-empty unless
/// `text` is).
fn cut_width(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let width = width.max(1);
    let mut rows = vec![String::new()];
    let mut used = 0;
    for c in text.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > width && used > 0 {
            rows.push(String::new());
            used = 0;
        }
        rows.last_mut().expect("one row").push(c);
        used += cw;
    }
    rows
}

/// A cell's spans as rows of at most `width` columns, broken at spaces (a word wider than
/// the column is cut), each span keeping its style.
fn wrap_cell(cell: &[Span<'static>], width: usize) -> Vec<Vec<Span<'static>>> {
    // Words: (text, style) runs with no space inside, and whether a space preceded them.
    let mut words: Vec<(bool, Vec<Span<'static>>)> = Vec::new();
    let mut space = false;
    for s in cell {
        for (i, part) in s.content.split(' ').enumerate() {
            if i > 0 {
                space = true;
            }
            if part.is_empty() {
                continue;
            }
            match words.last_mut() {
                Some((_, w)) if !space => w.push(Span::styled(part.to_string(), s.style)),
                _ => words.push((space, vec![Span::styled(part.to_string(), s.style)])),
            }
            space = false;
        }
    }
    let mut rows: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    for (_, word) in words {
        let ww = self::width(&word);
        if used > 0 && used + 1 + ww > width {
            rows.push(Vec::new());
            used = 0;
        }
        let row = rows.last_mut().expect("one row");
        if used > 0 {
            row.push(Span::raw(" "));
            used += 1;
        }
        if ww <= width.saturating_sub(used) {
            used += ww;
            row.extend(word);
            continue;
        }
        // Wider than the column: cut it over as many rows as it needs.
        for s in word {
            for (i, piece) in cut_width(&s.content, width.max(1)).into_iter().enumerate() {
                let pw = piece.width();
                if i > 0 || (used > 0 && used + pw > width) {
                    rows.push(Vec::new());
                    used = 0;
                }
                used += pw;
                rows.last_mut()
                    .expect("one row")
                    .push(Span::styled(piece, s.style));
            }
        }
    }
    rows
}

/// Column widths that fit `avail` columns: each column its natural width when all fit,
/// otherwise a max-min fair share (narrow columns keep their width, wide ones share the rest).
fn fit_columns(natural: &[usize], avail: usize) -> Vec<usize> {
    if natural.iter().sum::<usize>() <= avail {
        return natural.to_vec();
    }
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by_key(|&i| natural[i]);
    let mut out = vec![0; natural.len()];
    let mut left = avail;
    for (k, &i) in order.iter().enumerate() {
        let share = (left / (natural.len() - k)).max(1);
        out[i] = natural[i].min(share);
        left = left.saturating_sub(out[i]);
    }
    out
}

fn table_lines(t: &Table, theme: Theme, avail: usize) -> Vec<Line<'static>> {
    let cols = t.rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut natural = vec![0usize; cols];
    for row in &t.rows {
        for (i, c) in row.iter().enumerate() {
            natural[i] = natural[i].max(width(c));
        }
    }
    let seps = 3 * cols.saturating_sub(1);
    let widths = fit_columns(&natural, avail.saturating_sub(seps).max(cols));
    let mut out = Vec::new();
    for (r, row) in t.rows.iter().enumerate() {
        // Every cell re-flowed within its column; the row is as tall as its tallest cell.
        let cells: Vec<Vec<Vec<Span<'static>>>> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| wrap_cell(row.get(i).map_or(&[][..], Vec::as_slice), *w))
            .collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        for k in 0..height {
            let mut spans: Vec<Span<'static>> = Vec::new();
            for (i, w) in widths.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::styled(" │ ", theme.dim()));
                }
                let cell = cells[i].get(k).cloned().unwrap_or_default();
                let pad = w.saturating_sub(width(&cell));
                let right = matches!(t.aligns.get(i), Some(Alignment::Right));
                if right {
                    spans.push(Span::raw(" ".repeat(pad)));
                }
                for s in cell {
                    let s = if r == 0 {
                        let st = s.style.add_modifier(Modifier::BOLD);
                        Span::styled(s.content, st)
                    } else {
                        s
                    };
                    spans.push(s);
                }
                if !right && i + 1 < widths.len() {
                    spans.push(Span::raw(" ".repeat(pad)));
                }
            }
            out.push(Line::from(spans));
        }
        if r == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
            out.push(Line::from(Span::styled(rule.join("─┼─"), theme.dim())));
        }
    }
    out
}

/// The lines as plain text (tests, and the TUI's width checks).
pub fn plain(lines: &[Line<'_>]) -> String {
    lines
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_tables_code_and_emphasis() {
        let md = "# Title\n\nSome *em* and `code`.\n\n- one\n- two\n\n1. a\n2. b\n\n| a | bb |\n|---|----|\n| 1 | 2 |\n\n```js server=tcp\nx()\n```\n";
        let text = plain(&render(md, Theme { color: false }));
        assert_eq!(
            text,
            "# Title\n\nSome em and code.\n\n• one\n• two\n\n1. a\n2. b\n\na │ bb\n──┼───\n1 │ 2\n\n  ┌─ js\n  │ x()\n  └─"
        );
    }

    #[test]
    fn a_wide_table_reflows_its_cells_within_their_columns() {
        let md = "| layer | examples |\n|---|---|\n| application | HTTP, SMTP, IMAP, SSH, DNS, your protocol |\n| transport | TCP, UDP |\n";
        let lines = render_fit(md, Theme { color: false }, 30);
        let text = plain(&lines);
        assert!(lines.iter().all(|l| l.width() <= 30), "{text}");
        // Every row keeps the column separator: nothing wraps back to column 0.
        assert!(
            text.lines().skip(2).all(|l| l.chars().nth(12) == Some('│')),
            "{text}"
        );
        assert!(text.contains("application │ HTTP, SMTP,"), "{text}");
        assert!(text.contains("            │ IMAP, SSH,"), "{text}");
        // Natural width when it fits.
        let wide = plain(&render_fit(md, Theme { color: false }, 200));
        assert_eq!(wide.lines().count(), 4, "{wide}");
    }

    #[test]
    fn a_long_code_line_continues_under_its_gutter() {
        let md = "```js\nconst s = net.createConnection({ port: 8124, host: '127.0.0.1' });\n```\n";
        let lines = render_fit(md, Theme { color: false }, 30);
        let text = plain(&lines);
        assert!(lines.iter().all(|l| l.width() <= 30), "{text}");
        let body: Vec<&str> = text
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("  └"))
            .collect();
        assert!(body.len() >= 3, "{text}");
        assert!(body.iter().all(|l| l.starts_with("  │ ")), "{text}");
        assert_eq!(
            body.iter().map(|l| &l[6..]).collect::<String>(),
            "const s = net.createConnection({ port: 8124, host: '127.0.0.1' });"
        );
        // An indented line's continuation keeps the indentation.
        let md =
            "```js\n    socket.on('data', (chunk) => console.log(JSON.stringify(chunk)));\n```\n";
        let text = plain(&render_fit(md, Theme { color: false }, 30));
        let body: Vec<&str> = text
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("  └"))
            .collect();
        assert!(body.len() >= 3, "{text}");
        assert!(body.iter().all(|l| l.starts_with("  │     ")), "{text}");
    }
}

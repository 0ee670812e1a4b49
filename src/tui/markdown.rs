//! Markdown to styled terminal text, for lesson steps and lab instructions.
//!
//! Covers what lessons use: headings, paragraphs, emphasis, strong, inline code, fenced code
//! blocks, bullet and numbered lists, tables, links (text underlined, URL after it), rules.
//! The result is a list of [`Line`]s that a `Paragraph` wraps to the pane's width; code blocks
//! and tables are pre-laid-out and not re-flowed.

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

/// Render `md` into lines.
pub fn render(md: &str, theme: Theme) -> Vec<Line<'static>> {
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
                        for l in text.trim_end_matches('\n').lines() {
                            out.push(Line::from(vec![
                                Span::styled("  │ ", theme.dim()),
                                Span::styled(l.replace('\t', "    "), theme.code()),
                            ]));
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
                        out.extend(table_lines(&t, theme));
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
fn visible(text: &str) -> String {
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

fn table_lines(t: &Table, theme: Theme) -> Vec<Line<'static>> {
    let cols = t.rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for row in &t.rows {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let mut out = Vec::new();
    for (r, row) in t.rows.iter().enumerate() {
        let mut spans: Vec<Span<'static>> = Vec::new();
        for (i, w) in widths.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(" │ ", theme.dim()));
            }
            let cell = row.get(i).cloned().unwrap_or_default();
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
}

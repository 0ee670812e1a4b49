//! Diagnostics for course files: the one error type for lessons and labs, and the messages that
//! point at the offending place — `path:LINE:COL: message` (the form editors and terminals make
//! clickable), the source line and a caret.
//!
//! Both [`crate::course`] (lessons) and [`crate::lab`] (lab files) report through this module, so
//! neither needs the other to say where a file is wrong.

/// A problem in a lesson or lab file.
#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    /// TOML that does not parse or does not fit the format; the message names line and column.
    #[error("{}", located(path, message))]
    Parse { path: String, message: String },
    /// Parsed, but inconsistent.
    #[error("{}", located(path, message))]
    Invalid { path: String, message: String },
}

/// `path:LINE:COL: message` when the message starts with a place (from [`at`]), else
/// `path: message`.
fn located(path: &str, message: &str) -> String {
    let placed = message
        .split_once(':')
        .is_some_and(|(line, _)| !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()));
    if placed {
        format!("{path}:{message}")
    } else {
        format!("{path}: {message}")
    }
}

/// `message` placed at byte `offset` of `text`: `LINE:COL: message`, the source line and a caret
/// under the column.
pub fn at(text: &str, offset: usize, message: &str) -> String {
    let before = &text[..floor_char_boundary(text, offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    let src = text.lines().nth(line - 1).unwrap_or_default();
    format!(
        "{line}:{col}: {message}\n  |\n{line:>3} | {src}\n  | {}^",
        " ".repeat(col - 1)
    )
}

/// Where `pattern` first matches at or after byte `from`, as an error message with the line and
/// a caret under the match; or just the message when it cannot be found.
pub fn locate(text: &str, from: usize, pattern: &str, message: &str) -> String {
    let re = regex::Regex::new(pattern).ok();
    let found = re.and_then(|re| re.find_at(text, floor_char_boundary(text, from.min(text.len()))));
    match found {
        Some(m) => at(text, m.start(), message),
        None => message.to_string(),
    }
}

/// toml's error with the offending line and a caret, as `LINE:COL: …`.
pub fn toml_message(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => at(text, span.start, e.message()),
        None => e.message().to_string(),
    }
}

/// The largest char boundary at or below `i` (a span may point inside a multi-byte character).
fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_the_column_with_a_caret() {
        let text = "a = 1\nbb = é2\n";
        let m = at(text, 11, "bad value");
        assert_eq!(m, "2:6: bad value\n  |\n  2 | bb = é2\n  |      ^");
        // Inside the two bytes of `é`: still a valid place, never a panic.
        assert!(at(text, 12, "x").starts_with("2:6: "));
        assert_eq!(locate(text, 0, "zzz", "not found"), "not found");
        assert!(locate(text, 0, "bb", "here").starts_with("2:1: here"));
        let e = CourseError::Invalid {
            path: "labs/x/lab.toml".into(),
            message: at(text, 11, "bad value"),
        };
        assert!(
            e.to_string().starts_with("labs/x/lab.toml:2:6: bad value"),
            "{e}"
        );
        let e = CourseError::Invalid {
            path: "labs/x".into(),
            message: "no lab.toml".into(),
        };
        assert_eq!(e.to_string(), "labs/x: no lab.toml");
    }
}

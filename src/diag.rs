//! Diagnostics for course files: the one error type for lessons and labs, and the messages that
//! point at the offending place — `line L, column C: message`, the source line and a caret.
//!
//! Both [`crate::course`] (lessons) and [`crate::lab`] (lab files) report through this module, so
//! neither needs the other to say where a file is wrong.

/// A problem in a lesson or lab file.
#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    /// TOML that does not parse or does not fit the format; the message names line and column.
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    /// Parsed, but inconsistent.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// `message` placed at byte `offset` of `text`: the line and column, the source line and a caret
/// under the column.
pub fn at(text: &str, offset: usize, message: &str) -> String {
    let before = &text[..floor_char_boundary(text, offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    let src = text.lines().nth(line - 1).unwrap_or_default();
    format!(
        "line {line}, column {col}: {message}\n  |\n{line:>3} | {src}\n  | {}^",
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

/// toml's error with the offending line and a caret, as `line L, column C: …`.
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
        assert_eq!(
            m,
            "line 2, column 6: bad value\n  |\n  2 | bb = é2\n  |      ^"
        );
        // Inside the two bytes of `é`: still a valid place, never a panic.
        assert!(at(text, 12, "x").starts_with("line 2, column 6"));
        assert_eq!(locate(text, 0, "zzz", "not found"), "not found");
        assert!(locate(text, 0, "bb", "here").starts_with("line 2, column 1: here"));
    }
}

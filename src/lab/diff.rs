//! Diff helpers for lab reports: trimming a client's output before comparing, normalising and
//! diffing canonical traces line by line, and a hex dump around the first differing byte.

/// Output as compared: trailing spaces and trailing blank lines removed, `\r\n` as `\n`.
pub fn trim_output(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(|l| l.trim_end()).collect();
    let mut end = lines.len();
    while end > 0 && lines[end - 1].is_empty() {
        end -= 1;
    }
    lines[..end].join("\n")
}

/// A trace with comments, blank lines and runs of spaces removed: what trace equality means.
pub fn normalize(t: &str) -> String {
    t.lines()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Drop optional (`?`-prefixed) expected lines that the actual trace does not have; keep the
/// others without their `?`. Counts matter: an optional line is kept only as many times as the
/// actual trace has it beyond the required copies.
pub fn resolve_optional(expected: &str, actual: &str) -> String {
    use std::collections::HashMap;
    let mut available: HashMap<String, i64> = HashMap::new();
    for l in normalize(actual).lines() {
        *available.entry(l.to_string()).or_default() += 1;
    }
    for l in expected.lines() {
        if !l.trim_start().starts_with('?') {
            *available.entry(normalize(l)).or_default() -= 1;
        }
    }
    expected
        .lines()
        .filter_map(|l| match l.trim_start().strip_prefix('?') {
            Some(rest) => {
                let left = available.entry(normalize(rest)).or_default();
                (*left > 0).then(|| {
                    *left -= 1;
                    rest.trim().to_string()
                })
            }
            None => Some(l.to_string()),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A unified-style line diff: `-` expected, `+` actual.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let e = normalize_keep(expected);
    let a = normalize_keep(actual);
    let diff = similar::TextDiff::from_lines(&e, &a);
    let mut out = String::from("--- expected\n+++ what happened\n");
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        out.push(sign);
        out.push(' ');
        out.push_str(change.value().trim_end_matches('\n'));
        out.push('\n');
    }
    out
}

/// Lines with trailing spaces and blank lines removed, newline-terminated (for [`line_diff`]).
fn normalize_keep(t: &str) -> String {
    let mut s = t
        .lines()
        .map(|l| l.trim_end())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    s.push('\n');
    s
}

/// Hex and ASCII of both byte strings around their first difference, with a caret.
pub fn hex_diff(expected: &[u8], actual: &[u8]) -> String {
    let first = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let start = first.saturating_sub(8);
    let caret_col = 10 + (first - start) * 3;
    format!(
        "first difference at byte {first}:\n{}\n{}\n{}^",
        hex_row("expected", expected, start),
        hex_row("received", actual, start),
        " ".repeat(caret_col)
    )
}

/// One row of [`hex_diff`]: up to 16 bytes from `start`, as hex and as ASCII.
fn hex_row(label: &str, b: &[u8], start: usize) -> String {
    let end = (start + 16).min(b.len());
    let slice = if start < b.len() {
        &b[start..end]
    } else {
        &[][..]
    };
    let hex: Vec<String> = slice.iter().map(|x| format!("{x:02x}")).collect();
    let ascii: String = slice
        .iter()
        .map(|&x| {
            if (0x20..0x7f).contains(&x) {
                x as char
            } else {
                '.'
            }
        })
        .collect();
    format!("{label:<9} {:<47}  {ascii}", hex.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_trimming_ignores_trailing_space_and_blank_lines() {
        assert_eq!(trim_output("hello  \r\n\n\n"), "hello");
        assert_eq!(trim_output("a\n b \n"), "a\n b");
    }

    #[test]
    fn hex_diff_points_at_the_first_difference() {
        let d = hex_diff(b"hello\r\n", b"hello\n");
        assert!(d.contains("byte 5"), "{d}");
        assert!(d.contains("0d 0a"), "{d}");
    }

    #[test]
    fn optional_lines_are_dropped_only_when_absent() {
        let exp = "netlab-trace/1\nconn1 rx end\n?conn1 tx drain\nconn1 tx finish";
        assert_eq!(
            resolve_optional(exp, "conn1 rx end\nconn1 tx finish"),
            "netlab-trace/1\nconn1 rx end\nconn1 tx finish"
        );
        assert!(resolve_optional(exp, "conn1 rx end\nconn1 tx drain").contains("drain"));
        let twice = "conn1 ev timeout\n?conn1 ev timeout\nconn1 ev close";
        assert_eq!(
            resolve_optional(twice, "conn1 ev timeout\nconn1 ev close"),
            "conn1 ev timeout\nconn1 ev close"
        );
        assert_eq!(
            resolve_optional(twice, "conn1 ev timeout\nconn1 ev timeout\nconn1 ev close"),
            "conn1 ev timeout\nconn1 ev timeout\nconn1 ev close"
        );
    }
}

//! OS errors in Node's words: the code a Node program would see first (`ECONNRESET`,
//! `ECONNREFUSED`, `EADDRINUSE`, `EPIPE`, `ETIMEDOUT`, `ENOENT`, `EACCES`…), then the OS's
//! own text — `ECONNRESET (connection reset by peer)` instead of Rust's "Connection reset by
//! peer (os error 104)". [`describe`] formats one `std::io::Error`; [`rewrite`] fixes every
//! "… (os error N)" inside a message already made into text (an error chain, a report), so
//! what a learner reads names errors the way the lessons do. The code itself comes from
//! [`crate::trace::error_code`], the one errno → name mapping the timelines use too.

/// `err` as Node's code, then the OS text: `ECONNRESET (connection reset by peer)`. An error
/// with no OS error number keeps its text after the code its kind maps to
/// (`ETIMEDOUT (deadline has elapsed)`); one that maps to none is its text alone.
pub fn describe(err: &std::io::Error) -> String {
    let code = crate::trace::error_code(err);
    match err.raw_os_error() {
        Some(n) => format!("{code} ({})", os_text(n)),
        None if code == "EIO" => err.to_string(),
        None => format!("{code} ({err})"),
    }
}

/// The OS's description of error number `n`, starting lower-case as Node prints it after
/// the code (`connection reset by peer`).
fn os_text(n: i32) -> String {
    let text = std::io::Error::from_raw_os_error(n).to_string();
    let text = text
        .strip_suffix(&format!(" (os error {n})"))
        .unwrap_or(&text)
        .to_string();
    let mut chars = text.chars();
    match chars.next() {
        // Keep acronyms (`TLS …`) as they are; lower-case an ordinary first word.
        Some(c) if c.is_uppercase() && !chars.next().is_some_and(char::is_uppercase) => {
            c.to_lowercase().collect::<String>() + &text[c.len_utf8()..]
        }
        _ => text,
    }
}

/// `text` with every Rust-style OS error ("Connection reset by peer (os error 104)")
/// replaced by Node's form ("ECONNRESET (connection reset by peer)"). Text without one is
/// returned unchanged.
pub fn rewrite(text: &str) -> String {
    const MARK: &str = " (os error ";
    if !text.contains(MARK) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let after = &rest[at + MARK.len()..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let closed = after[digits.len()..].starts_with(')');
        let Some(n) = digits.parse::<i32>().ok().filter(|_| closed) else {
            out.push_str(&rest[..at + MARK.len()]);
            rest = after;
            continue;
        };
        // The OS text precedes the marker exactly as std wrote it; replace both.
        let err = std::io::Error::from_raw_os_error(n);
        let std_text = err.to_string();
        let plain = std_text.strip_suffix(&format!("{MARK}{n})")).unwrap_or("");
        let head = &rest[..at];
        match head.strip_suffix(plain).filter(|_| !plain.is_empty()) {
            Some(before) => out.push_str(before),
            None => out.push_str(head),
        }
        out.push_str(&describe(&err));
        rest = &after[digits.len() + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind};

    #[test]
    fn node_codes_first_then_the_os_text() {
        let e = |n| describe(&Error::from_raw_os_error(n));
        assert_eq!(e(libc::ECONNRESET), "ECONNRESET (connection reset by peer)");
        assert_eq!(e(libc::ECONNREFUSED), "ECONNREFUSED (connection refused)");
        assert_eq!(e(libc::EADDRINUSE), "EADDRINUSE (address already in use)");
        assert_eq!(e(libc::EPIPE), "EPIPE (broken pipe)");
        assert_eq!(e(libc::ETIMEDOUT), "ETIMEDOUT (connection timed out)");
        assert_eq!(e(libc::ENOENT), "ENOENT (no such file or directory)");
        assert_eq!(e(libc::EACCES), "EACCES (permission denied)");
        // No OS number: the kind's code, then the text.
        assert_eq!(
            describe(&Error::new(ErrorKind::TimedOut, "deadline has elapsed")),
            "ETIMEDOUT (deadline has elapsed)"
        );
        assert_eq!(describe(&Error::other("odd")), "odd");
    }

    #[test]
    fn rewrite_fixes_every_os_error_in_a_message() {
        let reset = Error::from_raw_os_error(libc::ECONNRESET).to_string();
        let refused = Error::from_raw_os_error(libc::ECONNREFUSED).to_string();
        assert!(reset.contains("(os error"), "{reset}");
        assert_eq!(
            rewrite(&format!("cannot connect: {refused}; then {reset}.")),
            "cannot connect: ECONNREFUSED (connection refused); then ECONNRESET (connection reset by peer)."
        );
        assert_eq!(
            rewrite(&format!("node: {}", Error::from_raw_os_error(libc::ENOENT))),
            "node: ENOENT (no such file or directory)"
        );
        for same in ["no error here", "a (os error x) stays", "(os error 5", ""] {
            assert_eq!(rewrite(same), same);
        }
    }
}

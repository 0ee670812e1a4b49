//! Terminal output shared by every command: whether to use colour, and how to paint.

use std::io::IsTerminal;

/// Colour on stdout: only on a terminal, and never when `NO_COLOR` is set (no-color.org).
pub fn color_stdout() -> bool {
    no_color_unset() && std::io::stdout().is_terminal()
}

/// Colour on stderr, by the same rules.
pub fn color_stderr() -> bool {
    no_color_unset() && std::io::stderr().is_terminal()
}

fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `s` in the SGR style `code` (`1` bold, `2` dim, `31` red, `1;32` bold green…) when `color`,
/// else `s` as it is. The one place netlab writes ANSI escapes for its own output.
pub fn paint(code: &str, s: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn paints_only_with_color() {
        assert_eq!(super::paint("1;32", "ok", true), "\x1b[1;32mok\x1b[0m");
        assert_eq!(super::paint("1;32", "ok", false), "ok");
    }
}

//! Terminal facts shared by every command: whether to use colour.

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

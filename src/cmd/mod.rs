//! One module per command; each takes its parsed arguments and returns an exit code.

pub mod serve;

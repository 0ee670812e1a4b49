//! One module per command; each takes its parsed arguments and returns an exit code.

pub mod book;
pub mod check;
pub mod course;
pub mod demo;
pub mod dev;
pub mod exec;
pub mod grade;
pub mod init;
pub mod serve;
pub mod watch;

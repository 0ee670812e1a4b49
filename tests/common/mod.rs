//! Shared test harness: run a server process (netlab or its Node twin) that prints JSON lines,
//! wait for readiness by reading its output (never by sleeping), stop it with SIGINT, and
//! always reap it.
#![allow(dead_code)]

pub mod clients;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long any single wait in a test may take before it fails.
pub const WAIT: Duration = Duration::from_secs(20);

pub fn netlab_bin() -> &'static str {
    env!("CARGO_BIN_EXE_netlab")
}

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// True when a tool is on PATH. In CI a missing tool is a failure; elsewhere tests skip loudly.
pub fn have(tool: &str) -> bool {
    // `command -v`, not `TOOL --version`: some tools (OpenBSD nc) have no --version.
    let ok = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("`{tool}` is required in CI but is not installed");
        }
        eprintln!("\n*** SKIPPING: `{tool}` is not installed (CI installs it) ***\n");
    }
    ok
}

/// A running server process printing netlab JSON lines on stdout.
pub struct Server {
    child: Child,
    lines: Receiver<String>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// Every line read so far.
    pub seen: Vec<String>,
    /// The bound port (TCP/UDP), from the `listening` line.
    pub port: u16,
    /// The Unix socket path, for Unix scenarios.
    pub socket: Option<PathBuf>,
}

impl Server {
    /// `netlab serve SCENARIO --port 0 --json EXTRA…`
    pub fn netlab(scenario: &str, extra: &[&str]) -> Server {
        let mut cmd = Command::new(netlab_bin());
        cmd.args(["serve", scenario, "--json"]);
        if !extra.contains(&"--socket") {
            cmd.args(["--port", "0"]);
        }
        cmd.args(extra);
        Server::spawn(cmd)
    }

    /// `node tests/node/server.js SCENARIO EXTRA…`, the Node twin of a scenario.
    pub fn node(scenario: &str, extra: &[&str]) -> Server {
        let mut cmd = Command::new("node");
        cmd.arg(repo_root().join("tests/node/server.js"))
            .arg(scenario)
            .args(extra);
        Server::spawn(cmd)
    }

    /// `node SCRIPT ARGS…` for a twin script of its own (path relative to the repository).
    pub fn spawn_node_script(script: &str, args: &[&str]) -> Server {
        let mut cmd = Command::new("node");
        cmd.arg(repo_root().join(script)).args(args);
        Server::spawn(cmd)
    }

    fn spawn(mut cmd: Command) -> Server {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("spawn server");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut s = Server {
            child,
            lines: rx,
            reader: Some(reader),
            seen: Vec::new(),
            port: 0,
            socket: None,
        };
        let listening = s
            .wait_for(|v| v["event"] == "listening")
            .expect("server never printed `listening`");
        s.port = listening["port"].as_u64().unwrap_or(0) as u16;
        if listening["transport"] == "unix" {
            s.socket = Some(PathBuf::from(listening["address"].as_str().unwrap()));
        }
        s
    }

    /// Wait (bounded) until `n` lines seen so far match.
    pub fn wait_for_count(&mut self, n: usize, pred: impl Fn(&serde_json::Value) -> bool) -> bool {
        let count = |seen: &[String]| {
            seen.iter()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter(|v| pred(v))
                .count()
        };
        let deadline = Instant::now() + WAIT;
        while count(&self.seen) < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.seen.push(l),
                Err(_) => return false,
            }
        }
        true
    }

    /// Read lines until one matches (bounded by [`WAIT`]); returns it.
    pub fn wait_for(
        &mut self,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> Option<serde_json::Value> {
        // Lines already seen count too.
        for l in &self.seen {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(l) {
                if pred(&v) {
                    return Some(v);
                }
            }
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    let v = serde_json::from_str::<serde_json::Value>(&l).ok();
                    self.seen.push(l);
                    if let Some(v) = v {
                        if pred(&v) {
                            return Some(v);
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    return None
                }
            }
        }
    }

    /// The process id.
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// SIGINT, wait for a graceful exit (bounded), and return everything it printed.
    pub fn stop(self) -> String {
        let pid = nix::unistd::Pid::from_raw(self.pid());
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
        self.stop_after_exit()
    }

    /// Wait for the process to exit by itself (bounded), and return everything it printed.
    pub fn stop_after_exit(mut self) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => {
                    // Waiting on a child: poll at a short interval, bounded by the deadline.
                    std::thread::sleep(Duration::from_millis(10));
                }
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    panic!("server did not stop within {WAIT:?} of SIGINT");
                }
            }
        }
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
        self.seen.join("\n") + "\n"
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The canonical server-side trace of a server's JSON output.
pub fn canon(json_lines: &str) -> String {
    let (t, skipped) = netlab::trace::canon::from_json_lines(json_lines);
    assert_eq!(skipped, 0, "unparseable lines in:\n{json_lines}");
    t.server_side().to_string()
}

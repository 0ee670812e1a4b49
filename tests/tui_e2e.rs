//! The real binary in a real terminal: tmux runs `netlab tui`, the test presses keys, connects
//! a real client to the server the TUI started, reads the screen, quits, and checks that the
//! terminal was restored (cooked mode, main screen) — also when SIGTERM ends it.

mod common;

use common::{have, netlab_bin};
use std::io::{Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

/// A private tmux server, killed (with everything in it) when dropped.
struct Tmux {
    socket: String,
    _home: tempfile::TempDir,
}

impl Tmux {
    fn start(args: &str) -> Tmux {
        Tmux::start_with("", args)
    }

    /// Like [`Tmux::start`], with `prefix` (e.g. `setsid`) before the netlab command.
    fn start_with(prefix: &str, args: &str) -> Tmux {
        Tmux::start_in(tempfile::tempdir().unwrap(), prefix, args)
    }

    /// Like [`Tmux::start_with`], in a home (also the data folder) the test has prepared.
    fn start_in(home: tempfile::TempDir, prefix: &str, args: &str) -> Tmux {
        let socket = format!("netlab-e2e-{}-{}", std::process::id(), rand_suffix());
        // After netlab exits, print its exit code and the terminal's mode, then wait to be
        // read (the session is killed by Drop).
        let script = format!(
            "cd '{dir}' && {prefix} '{bin}' {args}; echo EXITED:$?; echo MODES: $(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo) :ENDMODES; sleep 120",
            dir = home.path().display(),
            bin = netlab_bin(),
        );
        let ok = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "100",
                "-y",
                "30",
            ])
            .arg("-e")
            .arg(format!("XDG_DATA_HOME={}", home.path().display()))
            .arg("-e")
            .arg(format!("HOME={}", home.path().display()))
            .arg("-e")
            .arg("NO_COLOR=1")
            .arg(&script)
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux new-session failed");
        Tmux {
            socket,
            _home: home,
        }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &str) {
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", keys])
            .status()
            .unwrap();
    }

    fn display(&self, what: &str) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "display-message", "-p", what])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Wait (bounded) until the screen contains `text`; returns the screen.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {text:?}; it shows:\n{s}"
            );
            // Polling the terminal for a condition, bounded by the deadline.
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Tmux {
    /// netlab's pid: the pane's shell's child (or grandchild, under a wrapper).
    fn netlab_pid(&self) -> i32 {
        let mut parent: i32 = self.display("#{pane_pid}").parse().expect("the pane's pid");
        for _ in 0..3 {
            let out = Command::new("pgrep")
                .args(["-P", &parent.to_string()])
                .output()
                .unwrap();
            let child: i32 = String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .next()
                .and_then(|p| p.parse().ok())
                .expect("a child process in the pane");
            let comm = std::fs::read_to_string(format!("/proc/{child}/comm")).unwrap_or_default();
            if comm.trim() == "netlab" {
                return child;
            }
            parent = child;
        }
        panic!("no netlab process in the pane");
    }

    fn kill_server(&self) {
        Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status()
            .unwrap();
    }
}

/// The process `pid` has exited (gone from /proc, or a zombie nobody reaped yet).
fn exited(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .and_then(|r| r.split_whitespace().next())
            .is_some_and(|state| state == "Z" || state == "X"),
    }
}

/// Kill the tmux server under a running netlab and assert that netlab is gone within 2 s.
fn assert_exits_when_the_terminal_goes(t: &Tmux) {
    let pid = t.netlab_pid();
    assert!(!exited(pid));
    t.kill_server();
    let killed = Instant::now();
    while !exited(pid) {
        let waited = killed.elapsed();
        if waited > Duration::from_secs(2) {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // Do not leave it spinning behind the test.
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
            panic!("netlab still runs {waited:?} after its terminal went away: {stat}");
        }
        // Polling /proc for the exit, bounded by the 2 s deadline above.
        std::thread::sleep(Duration::from_millis(10));
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
}

/// The terminal is back in cooked mode with echo, on the main screen.
fn assert_restored(t: &Tmux) {
    let s = t.wait_for(":ENDMODES");
    assert!(s.contains("EXITED:0"), "{s}");
    let modes = s
        .split("MODES:")
        .nth(1)
        .and_then(|r| r.split(":ENDMODES").next())
        .unwrap_or_default()
        .to_string();
    assert!(
        modes.split_whitespace().any(|w| w == "icanon")
            && modes.split_whitespace().any(|w| w == "echo"),
        "raw mode was not undone: {modes:?}\n{s}"
    );
    assert_eq!(
        t.display("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
}

#[test]
fn start_a_server_connect_see_events_quit_cleanly() {
    if !have("tmux") {
        return;
    }
    let t = Tmux::start("tui --lesson tcp-server --step 3");
    t.wait_for("press s (or Enter) to start");
    t.keys("s");
    let screen = t.wait_for("is listening on 127.0.0.1:");
    let port: u16 = screen
        .split("is listening on 127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
        .expect("a port on screen");
    let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.write_all(b"hello\r\n").unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let mut echo = Vec::new();
    c.read_to_end(&mut echo).unwrap();
    assert_eq!(echo, b"hello\r\n");
    let s = t.wait_for("hadError=false");
    assert!(s.contains("connection"), "{s}");
    assert!(s.contains(r#"data            "hello\r\n" (7 B)"#), "{s}");
    t.keys("q");
    assert_restored(&t);
}

#[test]
fn sigterm_restores_the_terminal() {
    if !have("tmux") {
        return;
    }
    let t = Tmux::start("tui --lesson udp");
    t.wait_for("UDP: datagrams with dgram");
    let shell = t.display("#{pane_pid}");
    let out = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
    let pid: i32 = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
        .expect("netlab's pid");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert_restored(&t);
}

#[test]
fn a_tiny_terminal_gets_a_note_and_resizing_recovers() {
    if !have("tmux") {
        return;
    }
    let t = Tmux::start("tui --lesson layers");
    t.wait_for("Four modules, four protocols");
    Command::new("tmux")
        .args(["-L", &t.socket, "resize-window", "-x", "40", "-y", "10"])
        .status()
        .unwrap();
    t.wait_for("Please enlarge the terminal.");
    Command::new("tmux")
        .args(["-L", &t.socket, "resize-window", "-x", "100", "-y", "30"])
        .status()
        .unwrap();
    t.wait_for("Four modules, four protocols");
    t.keys("q");
    assert_restored(&t);
}

/// The lab flow a learner follows from the screen alone: open the lab, make a workspace with
/// `i`, check the starter (it fails), replace the client with a working one and see watch mode
/// turn the verdict into a pass.
#[test]
fn a_lab_fails_then_passes_in_watch_mode() {
    if !have("tmux") || !have("node") {
        return;
    }
    let t = Tmux::start("tui --lesson tcp-server --step 7");
    t.wait_for("Enter opens the lab");
    t.keys("Enter");
    t.wait_for("No workspace yet. Press i");
    t.keys("i");
    // It asks for the language, saying where the workspace goes: the user's data folder.
    let s = t.wait_for("n node · p python · s shell");
    assert!(s.contains("netlab/workspace"), "{s}");
    t.keys("n");
    let s = t.wait_for("watching: every save runs the checks");
    let ws = t._home.path().join("netlab/workspace");
    assert!(s.contains("netlab/workspace/tcp-hello/client.js"), "{s}");
    // Nothing lands in the folder netlab was started from.
    assert!(!t._home.path().join("netlab-work").exists());
    t.keys("c");
    t.wait_for("Last check: FAIL");
    // The learner fixes the client and saves: watch mode checks it.
    let client = ws.join("tcp-hello/client.js");
    let solution =
        std::fs::read_to_string(common::repo_root().join("labs/tcp-hello/solution.js")).unwrap();
    std::fs::write(&client, solution).unwrap();
    t.wait_for("Last check: PASS");
    t.keys("q");
    assert_restored(&t);
    // The pass is in the workspace's progress file.
    let progress = std::fs::read_to_string(ws.join(".netlab/progress.toml")).unwrap();
    assert!(
        progress.contains("[labs.tcp-hello]") && progress.contains("passed = true"),
        "{progress}"
    );
    // The workspace is remembered for the next start, from any folder.
    let state = std::fs::read_to_string(t._home.path().join("netlab/workspace.toml")).unwrap();
    assert!(state.contains("netlab/workspace"), "{state}");
}

/// `netlab init` without a folder makes the workspace in the user's data folder and says
/// where; netlab started later from another folder finds it, and the lab view follows its
/// language (client.py, python3).
#[test]
fn init_without_a_folder_is_found_again_from_anywhere() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let out = Command::new(netlab_bin())
        .args(["init", "--lang", "python"])
        .env("XDG_DATA_HOME", home)
        .env("HOME", home)
        .current_dir(home)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let ws = home.join("netlab/workspace");
    assert!(
        text.contains(&format!("Your workspace: {}", ws.display())),
        "{text}"
    );
    assert!(ws.join("tcp-hello/client.py").is_file());
    // `netlab check` from outside the workspace grades the remembered one (the starter
    // fails) and records it in that workspace's progress.
    let out = Command::new(netlab_bin())
        .args(["check", "tcp-hello", "--timeout", "2"])
        .env("XDG_DATA_HOME", home)
        .env("HOME", home)
        .current_dir(home)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("client.py"), "{report}");
    let progress = std::fs::read_to_string(ws.join(".netlab/progress.toml")).unwrap();
    assert!(progress.contains("[labs.tcp-hello]"), "{progress}");
    let t = Tmux::start_in(dir, "", "tui --lesson tcp-server --step 7");
    t.wait_for("Enter opens the lab");
    t.keys("Enter");
    let s = t.wait_for("Each check runs: python3 client.py");
    assert!(s.contains("netlab/workspace/tcp-hello/client.py"), "{s}");
    t.keys("q");
    assert_restored(&t);
}

/// Item 7 of issue 14: the tmux server is killed (the terminal goes away, SIGHUP arrives);
/// netlab used to spin on the dead terminal and ignore SIGTERM. Now it is gone within 2 s —
/// with a server running, which it stops.
#[test]
fn killing_tmux_ends_netlab() {
    if !have("tmux") {
        return;
    }
    let t = Tmux::start("tui --lesson tcp-server --step 3");
    t.wait_for("press s (or Enter) to start");
    t.keys("s");
    t.wait_for("is listening on 127.0.0.1:");
    assert_exits_when_the_terminal_goes(&t);
}

/// The same in a session of its own (`setsid`): no SIGHUP arrives, only the hung-up terminal
/// (reads fail) tells netlab it is alone.
#[test]
fn a_hung_up_terminal_ends_netlab_without_sighup() {
    if !have("tmux") || !have("setsid") {
        return;
    }
    let t = Tmux::start_with("setsid", "tui --lesson udp");
    t.wait_for("UDP: datagrams with dgram");
    assert_exits_when_the_terminal_goes(&t);
}

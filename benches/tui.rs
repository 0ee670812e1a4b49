//! TUI performance, measured in a real terminal (tmux), not asserted by tests:
//!
//! 1. time from process start to the first frame (`NETLAB_TUI_PROBE=1` makes netlab draw one
//!    frame, print the time to stderr and exit), 15 runs;
//! 2. a 1 GiB flood through the TUI's running `tcp-echo` server: the peak RSS of the netlab
//!    process (VmHWM) and how many times the screen changed while the flood ran.
//!
//! Run: `cargo bench --bench tui` (needs tmux; uses the release binary).

use std::io::{Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

fn bin() -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--bin", "netlab"])
        .current_dir(root)
        .status()
        .expect("cargo build");
    assert!(status.success());
    format!("{root}/target/release/netlab")
}

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(["-L", socket, "-f", "/dev/null"])
        .args(args)
        .output()
        .expect("tmux");
    if !out.status.success() && args[0] != "kill-server" {
        eprintln!("tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_screen(socket: &str, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let s = tmux(socket, &["capture-pane", "-p"]);
        if s.contains(text) {
            return s;
        }
        assert!(Instant::now() < deadline, "never saw {text:?}:\n{s}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn main() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux is not installed; nothing measured");
        return;
    }
    let bin = bin();
    let dir = tempfile::tempdir().unwrap();
    let socket = format!("netlab-bench-{}", std::process::id());

    // 1. First frame.
    let mut times = Vec::new();
    for i in 0..15 {
        let log = dir.path().join(format!("probe{i}.txt"));
        let cmd = format!(
            "NETLAB_TUI_PROBE=1 XDG_DATA_HOME={} {bin} tui --lesson tcp-server --step 3 2>{}; echo DONE; sleep 30",
            dir.path().display(),
            log.display()
        );
        // A server per run: reusing one socket races with the previous kill-server.
        let socket = format!("{socket}-{i}");
        tmux(
            &socket,
            &["new-session", "-d", "-x", "100", "-y", "30", &cmd],
        );
        wait_screen(&socket, "DONE");
        tmux(&socket, &["kill-server"]);
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(ms) = text
            .split("first frame after ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
        {
            times.push(ms);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "first frame: median {:.1} ms, max {:.1} ms over {} runs (goal ≤ 150 ms)",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );

    // 2. Flood.
    let cmd = format!(
        "XDG_DATA_HOME={} {bin} tui --lesson tcp-server --step 3; sleep 30",
        dir.path().display()
    );
    tmux(
        &socket,
        &["new-session", "-d", "-x", "100", "-y", "30", &cmd],
    );
    wait_screen(&socket, "press s (or Enter)");
    tmux(&socket, &["send-keys", "s"]);
    let s = wait_screen(&socket, "is listening on 127.0.0.1:");
    let port: u16 = s
        .split("is listening on 127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
        .unwrap();
    let shell = tmux(&socket, &["display-message", "-p", "#{pane_pid}"]);
    let pid = String::from_utf8_lossy(
        &Command::new("pgrep")
            .args(["-P", shell.trim()])
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .to_string();
    const TOTAL: usize = 1 << 30;
    let started = Instant::now();
    let flood = std::thread::spawn(move || {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut r = c.try_clone().unwrap();
        let reader = std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            let mut n = 0usize;
            while let Ok(k) = r.read(&mut buf) {
                if k == 0 {
                    break;
                }
                n += k;
            }
            n
        });
        let chunk = vec![b'x'; 1 << 16];
        for _ in 0..TOTAL / chunk.len() {
            c.write_all(&chunk).unwrap();
        }
        c.shutdown(std::net::Shutdown::Write).unwrap();
        reader.join().unwrap()
    });
    let mut screens = std::collections::HashSet::new();
    let mut samples = 0;
    while !flood.is_finished() {
        screens.insert(tmux(&socket, &["capture-pane", "-p"]));
        samples += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    let echoed = flood.join().unwrap();
    let secs = started.elapsed().as_secs_f64();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: ?")
        .to_string();
    tmux(&socket, &["send-keys", "q"]);
    std::thread::sleep(Duration::from_millis(500));
    tmux(&socket, &["kill-server"]);
    println!(
        "flood: {} MiB echoed in {secs:.1} s through the TUI's tcp-echo; the screen changed {} times in {samples} samples (every 50 ms); netlab {hwm} (goal ≤ 64 MiB)",
        echoed >> 20,
        screens.len()
    );
}

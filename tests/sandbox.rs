//! The sandbox against hostile clients, through the real `netlab check` binary.
//!
//! `tests/sandbox/attack.py` tries, in one bounded run, every attack of issue 13 that a
//! client can make on its own: reading a "teacher" file, appending to another student's
//! client, finding a secret in the grader's (or a decoy run's) environment through /proc,
//! reading the parent's `/proc/<pid>/exe` and `mem`, signalling its parent, connecting to a
//! loopback port other than its lab port, binding a listener, seeing interfaces other than
//! `lo`, allocating 2 GiB, writing an 80 MiB file, and leaving a `setsid` daemon with a cleared
//! environment behind. It reports each as allowed or blocked on stderr, then does the honest
//! job. With the sandbox (this machine kind offers every layer) everything is blocked; with
//! `--sandbox off` the test documents what then works. Network traffic stays on loopback.

use serde_json::Value;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

const ATTACKS: &[&str] = &[
    "read_teacher",
    "write_other",
    "proc_secret",
    "proc_exe",
    "signal_parent",
    "connect_other",
    "bind_listen",
    "other_interfaces",
    "allocate_2g",
    "huge_file",
];

static N: AtomicUsize = AtomicUsize::new(0);

/// A class-like layout: the attacker's folder, a victim's, a teacher's secret file, a
/// listener on another loopback port, a decoy "other run" holding a secret in its environment.
struct Scene {
    root: tempfile::TempDir,
    secret: String,
    token: String,
    other: TcpListener,
    decoy: std::process::Child,
}

impl Scene {
    fn new() -> Scene {
        let root = tempfile::tempdir().unwrap();
        let n = N.fetch_add(1, Ordering::Relaxed);
        let secret = format!("S3CRET-{}-{n}", std::process::id());
        let token = format!("ESCAPE-TOKEN-{}-{n}", std::process::id());
        for d in ["student", "victim", "teacher"] {
            std::fs::create_dir(root.path().join(d)).unwrap();
        }
        std::fs::write(root.path().join("teacher/id_rsa"), "PRIVATE KEY").unwrap();
        std::fs::write(root.path().join("victim/client.py"), "print('hello')\n").unwrap();
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sandbox/attack.py"),
            root.path().join("student/attack.py"),
        )
        .unwrap();
        let other = TcpListener::bind("127.0.0.1:0").unwrap();
        other.set_nonblocking(true).unwrap();
        let targets = serde_json::json!({
            "teacher_file": root.path().join("teacher/id_rsa"),
            "victim_dir": root.path().join("victim"),
            "secret": secret,
            "other_port": other.local_addr().unwrap().port(),
            "token": token,
            "escape_file": root.path().join("victim/escaped"),
        });
        std::fs::write(
            root.path().join("student/targets.json"),
            targets.to_string(),
        )
        .unwrap();
        // Another "run": a process whose environment holds a secret and a lab port.
        let decoy = Command::new("python3")
            .args(["-c", "import sys; sys.stdin.read()"])
            .env("NETLAB_PORT", "1")
            .env("DECOY_SECRET", &secret)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        Scene {
            root,
            secret,
            token,
            other,
            decoy,
        }
    }

    fn dir(&self, d: &str) -> PathBuf {
        self.root.path().join(d)
    }

    /// `netlab check tcp-hello --sandbox MODE -- python3 attack.py`: the JSON report and
    /// the attack results.
    fn check(&self, mode: &str) -> (Value, serde_json::Map<String, Value>) {
        self.check_lacking(mode, "")
    }

    /// [`Scene::check`] as on a kernel without the `lacking` layers.
    fn check_lacking(&self, mode: &str, lacking: &str) -> (Value, serde_json::Map<String, Value>) {
        let out = Command::new(env!("CARGO_BIN_EXE_netlab"))
            .args([
                "check",
                "tcp-hello",
                "--format",
                "json",
                "--timeout",
                "20",
                "--sandbox",
                mode,
                "--",
                "python3",
                "attack.py",
            ])
            .current_dir(self.dir("student"))
            .env("GRADER_SECRET", &self.secret)
            .env("NETLAB_SANDBOX_PRETEND_LACKING", lacking)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{e}: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let tail = report["stderr_tail"].as_str().unwrap_or_default();
        let line = tail
            .lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .unwrap_or_else(|| panic!("no RESULT line in the client's stderr:\n{tail}"));
        let results: Value = serde_json::from_str(line).unwrap();
        (report, results.as_object().unwrap().clone())
    }

    /// Processes whose command line carries the escape token (the attack's daemon).
    fn escaped(&self) -> Vec<i32> {
        processes_with(&self.token)
    }

    fn other_port_was_reached(&self) -> bool {
        self.other.accept().is_ok()
    }
}

impl Drop for Scene {
    fn drop(&mut self) {
        let _ = self.decoy.kill();
        let _ = self.decoy.wait();
    }
}

fn processes_with(token: &str) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| c.windows(token.len()).any(|w| w == token.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}

#[test]
fn every_attack_is_prevented_in_the_sandbox() {
    let scene = Scene::new();
    let (report, results) = scene.check("auto");
    assert_eq!(
        report["client"]["sandbox"], "landlock+userns+seccomp",
        "this machine kind offers every layer"
    );
    for attack in ATTACKS {
        assert_eq!(results[*attack], "blocked", "{attack}: {results:?}");
    }
    assert_eq!(results["own_port"], "ok", "{results:?}");
    assert_eq!(report["status"], "pass", "{report}");
    // Nothing changed outside, nothing reached the other port, nothing is left running.
    assert_eq!(
        std::fs::read_to_string(scene.dir("victim/client.py")).unwrap(),
        "print('hello')\n"
    );
    assert!(!scene.dir("victim/escaped").exists());
    assert!(!scene.other_port_was_reached());
    assert_eq!(scene.escaped(), Vec::<i32>::new());
}

#[test]
fn sandbox_off_documents_what_a_client_can_do() {
    let scene = Scene::new();
    let (report, results) = scene.check("off");
    assert_eq!(report["client"]["sandbox"], "off");
    // Without the sandbox a client has the user's rights: all of this works.
    for attack in [
        "read_teacher",
        "write_other",
        "proc_secret",
        "proc_exe",
        "signal_parent",
        "connect_other",
        "bind_listen",
        "allocate_2g",
        "huge_file",
    ] {
        assert_eq!(results[attack], "allowed", "{attack}: {results:?}");
    }
    assert!(scene.other_port_was_reached());
    assert!(std::fs::read_to_string(scene.dir("victim/client.py"))
        .unwrap()
        .contains("sys.exit(3)"));
    // Even so, the setsid daemon does not outlive the run: netlab is a child subreaper and
    // kills re-parented processes from other sessions.
    assert_eq!(scene.escaped(), Vec::<i32>::new());
    assert!(report["client"]["leftovers_killed"].as_u64().unwrap() >= 1);
}

/// A client that prints its answer and leaves a daemon holding stdout open: the verdict uses
/// what it printed, and netlab does not wait for the daemon.
#[test]
fn an_escaped_process_holding_stdout_does_not_change_the_verdict() {
    for mode in ["auto", "off"] {
        let dir = tempfile::tempdir().unwrap();
        let token = format!("HOLDER-{}-{mode}", std::process::id());
        let solution = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("labs/tcp-hello/solution.py"),
        )
        .unwrap();
        let client = format!(
            "{solution}\nimport subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '{token}'], start_new_session=True, env={{}})\n"
        );
        std::fs::write(dir.path().join("client.py"), client).unwrap();
        let started = std::time::Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_netlab"))
            .args(["check", "tcp-hello", "--json", "--sandbox", mode, "--"])
            .args(["python3", "client.py"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["status"], "pass", "{mode}: {report}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(8),
            "{mode}: netlab waited for the daemon ({:?})",
            started.elapsed()
        );
        assert_eq!(processes_with(&token), Vec::<i32>::new(), "{mode}");
    }
}

#[test]
fn require_runs_the_reference_solutions_here() {
    let lab = Path::new(env!("CARGO_MANIFEST_DIR")).join("labs/udp-ping");
    for (interp, file) in [
        ("node", "solution.js"),
        ("python3", "solution.py"),
        ("bash", "solution.sh"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_netlab"))
            .args(["check", "udp-ping", "--json", "--sandbox", "require", "--"])
            .arg(interp)
            .arg(lab.join(file))
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
        });
        assert_eq!(report["status"], "pass", "{file}: {report}");
        assert_eq!(report["client"]["sandbox"], "landlock+userns+seccomp");
    }
}

#[test]
fn an_unknown_sandbox_mode_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .args(["check", "tcp-hello", "--sandbox", "maybe", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `serve --socket`: a file netlab did not create is never deleted — neither one found at the
/// path before (a clear error instead) nor one that replaced the socket while serving.
#[test]
fn a_socket_path_netlab_did_not_create_is_never_deleted() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.sock");
    std::fs::write(&path, "my notes").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .args(["serve", "unix-echo", "--socket"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exists and is not a socket"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my notes");

    std::fs::remove_file(&path).unwrap();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .args(["serve", "unix-echo", "--json", "--socket"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Ready once the `listening` event is printed.
    let mut first = String::new();
    std::io::BufReader::new(serve.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("listening"), "{first}");
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, "replaced").unwrap();
    // SAFETY: signalling the child we started.
    unsafe { libc::kill(serve.id() as i32, libc::SIGINT) };
    serve.wait().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "replaced");

    let out = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .args(["serve", "unix-echo", "--socket"])
        .arg(dir.path().join("replaced-file-as-dir/lab.sock"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn serving_on_all_interfaces_warns() {
    let mut serve = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .args(["serve", "tcp-echo", "--host", "0.0.0.0", "--port", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut err = std::io::BufReader::new(serve.stderr.take().unwrap());
    let mut text = String::new();
    // The warning comes before the banner's commands (bounded: the banner is a few lines).
    for _ in 0..12 {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            break;
        }
        text.push_str(&line);
        if line.contains("Ctrl-C") {
            break;
        }
    }
    // SAFETY: signalling the child we started.
    unsafe { libc::kill(serve.id() as i32, libc::SIGINT) };
    serve.wait().unwrap();
    assert!(text.contains("reachable from the network"), "{text}");
    assert!(text.contains("nc -N 127.0.0.1 "), "{text}");
}

/// Inside the sandbox, seccomp forbids new namespaces: a netlab started there is a machine
/// without them, and `--sandbox require` must refuse (exit 4, naming what is missing) before
/// running anything.
#[test]
fn require_fails_before_running_anything_without_namespaces() {
    let bin = env!("CARGO_BIN_EXE_netlab");
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(bin)
        .args(["check", "tcp-hello", "--json", "--"])
        .args([bin, "check", "tcp-hello", "--sandbox", "require", "--"])
        .args(["touch", "ran"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["client"]["status"]["code"], 4, "{report}");
    let tail = report["stderr_tail"].as_str().unwrap();
    assert!(
        tail.contains(
            "--sandbox require: this system lacks unprivileged user, PID and network namespaces"
        ),
        "{tail}"
    );
    assert!(!tail.contains("lacks --sandbox"), "{tail}");
    assert!(!dir.path().join("ran").exists());
}

/// Killing netlab itself (SIGKILL, no chance to clean up) ends every process of the run:
/// the launcher dies with netlab, the PID namespace's init with the launcher, and the kernel
/// takes the namespace's processes — a `setsid` daemon included.
#[test]
fn killing_netlab_ends_every_process_of_the_run() {
    let token = format!("SIGKILL-TOKEN-{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let client = format!(
        "import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '{token}-daemon'], start_new_session=True, env={{}})\ntime.sleep(60)\n"
    );
    std::fs::write(dir.path().join("client.py"), client).unwrap();
    let mut netlab = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .args(["check", "tcp-hello", "--timeout", "60", "--"])
        .args(["python3", "client.py"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Ready once the daemon exists (bounded: 20 s).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while processes_with(&format!("{token}-daemon")).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the daemon never started"
        );
        std::thread::yield_now();
    }
    netlab.kill().unwrap();
    netlab.wait().unwrap();
    // The kernel kills them asynchronously; bounded wait until they are gone.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !processes_with(&token).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "left running after netlab was killed: {:?}",
            processes_with(&token)
        );
        std::thread::yield_now();
    }
}

/// On a kernel with Landlock but without unprivileged namespaces, `auto` keeps Landlock and
/// seccomp: files, ports, binds and signals stay closed; what a shared PID and network
/// namespace still show is documented here.
#[test]
fn without_namespaces_landlock_still_blocks_files_ports_and_signals() {
    let scene = Scene::new();
    let (report, results) = scene.check_lacking("auto", "namespaces");
    assert_eq!(report["client"]["sandbox"], "landlock+seccomp", "{report}");
    for attack in [
        "read_teacher",
        "write_other",
        "proc_exe",
        "signal_parent",
        "connect_other",
        "bind_listen",
        "allocate_2g",
        "huge_file",
    ] {
        assert_eq!(results[attack], "blocked", "{attack}: {results:?}");
    }
    // The host's interfaces are visible without a network namespace.
    assert_eq!(results["other_interfaces"], "allowed", "{results:?}");
    assert_eq!(report["status"], "pass", "{report}");
    assert!(!scene.other_port_was_reached());
    assert_eq!(scene.escaped(), Vec::<i32>::new());
}

/// With none of Landlock, namespaces or seccomp (`rlimits only`): the environment allow-list
/// and the resource limits still hold, and no process outlives the run; files and ports are
/// open — the README says so.
#[test]
fn rlimits_only_still_limits_resources_environment_and_survivors() {
    let scene = Scene::new();
    let (report, results) = scene.check_lacking("auto", "landlock,namespaces,seccomp");
    assert_eq!(report["client"]["sandbox"], "rlimits only", "{report}");
    assert_eq!(results["allocate_2g"], "blocked", "{results:?}");
    assert_eq!(results["huge_file"], "blocked", "{results:?}");
    assert_eq!(results["read_teacher"], "allowed", "{results:?}");
    assert_eq!(results["connect_other"], "allowed", "{results:?}");
    assert_eq!(report["status"], "pass", "{report}");
    assert_eq!(scene.escaped(), Vec::<i32>::new());
}

/// `require` on a kernel without Landlock or without seccomp exits 4 with a sentence naming
/// what is missing, and runs nothing.
#[test]
fn require_names_each_missing_layer_and_runs_nothing() {
    for (lacking, words) in [
        ("landlock", "this system lacks Landlock"),
        ("seccomp", "this system lacks seccomp filters"),
        (
            "namespaces",
            "this system lacks unprivileged user, PID and network namespaces",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_netlab"))
            .args(["check", "tcp-hello", "--sandbox", "require", "--"])
            .args(["touch", "ran"])
            .current_dir(dir.path())
            .env("NETLAB_SANDBOX_PRETEND_LACKING", lacking)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{lacking}: {stderr}");
        assert!(stderr.contains(words), "{lacking}: {stderr}");
        assert!(
            !dir.path().join("ran").exists(),
            "{lacking}: the client ran"
        );
    }
}

//! Issue 13's attacks as a class: hostile students graded together with honest students and
//! their victims in one `netlab grade` run, with the sandbox (this machine kind offers every
//! layer) and with `--sandbox off`.
//!
//! The class (tcp-hello, `--jobs 3`):
//! - `a-slow-victim` holds its connection for 3 s, so that `b-hijacker`, which reads other
//!   runs' `NETLAB_PORT` from `/proc/*/environ` and sends junk to them, overlaps with it;
//! - `c-rewriter` leaves a `setsid` daemon with a cleared environment that turns every `fail`
//!   of the gradebook into `pass` once it is written;
//! - `d-planter` plants symbolic links in the `--feedback` folder to a teacher's file;
//! - `e-killer` SIGKILLs the `netlab grade` process (sandbox run only: without the sandbox it
//!   succeeds, as `tests/sandbox.rs` documents for one check);
//! - `f-reader` runs `tests/sandbox/attack.py`: the teacher's `~/.ssh/id_rsa`, a secret in the
//!   grader's environment and `/proc/<netlab>/exe|mem`, appending to `h-victim`'s client, other
//!   loopback ports, bind, interfaces, 2 GiB, an 80 MiB file, a daemon writing into
//!   `h-victim`'s folder;
//! - `g-linker`'s lab folder is a symbolic link to `h-victim`'s;
//! - `h-victim`, `i-honest-sh`, `=HYPERLINK(…)` are honest (python, shell, node);
//! - `j-noisy` writes terminal escapes to stderr and fails.
//!
//! Attackers print `RESULT {json}` on stderr and exit 3 (so their report keeps it); their own
//! verdict is `fail`. Everyone else's verdict must be what their code deserves, the outputs
//! intact, and nothing of the class left running or on disk once netlab has exited.

mod common;

use common::{have, netlab_bin, repo_root};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Appended to attack.py: print the teacher's key if it could be read (the report keeps it).
const LEAK: &str = "try:\n    print(open(cfg['teacher_file']).read(), file=sys.stderr)\nexcept OSError:\n    pass\n";

const FORMULA: &str = "=HYPERLINK(\"evil\",\"click me\")";

struct Class {
    root: tempfile::TempDir,
    token: String,
    secret: String,
}

impl Class {
    fn dir(&self, p: &str) -> PathBuf {
        self.root.path().join(p)
    }

    fn student(&self, name: &str, lang: &str, file: &str, source: &str) -> PathBuf {
        let ws = self.dir("class").join(name);
        std::fs::create_dir_all(ws.join("tcp-hello")).unwrap();
        std::fs::write(ws.join("netlab.toml"), format!("language = \"{lang}\"\n")).unwrap();
        std::fs::write(ws.join("tcp-hello").join(file), source).unwrap();
        ws
    }

    fn attacker(&self, name: &str, mode: &str) {
        let source = std::fs::read_to_string(repo_root().join("tests/sandbox/class_attack.py"));
        let ws = self.student(name, "python", "client.py", &source.unwrap());
        let mut targets = self.targets();
        targets["mode"] = mode.into();
        std::fs::write(ws.join("tcp-hello/targets.json"), targets.to_string()).unwrap();
    }

    fn targets(&self) -> Value {
        serde_json::json!({
            "token": self.token,
            "secret": self.secret,
            "out": self.dir("book.json"),
            "feedback": self.dir("feedback"),
            "plant_names": ["h-victim.md", "d-planter.md"],
            "precious": self.dir("precious.txt"),
            "class_dir": self.dir("class"),
            "teacher_file": self.dir("home/.ssh/id_rsa"),
            "victim_dir": self.dir("class/h-victim/tcp-hello"),
            "other_port": 1,
            "escape_file": self.dir("class/h-victim/tcp-hello/escaped"),
        })
    }

    fn new(with_killer: bool) -> Class {
        let root = tempfile::tempdir().unwrap();
        let class = Class {
            token: format!("CLASS-TOKEN-{}-{with_killer}", std::process::id()),
            secret: format!("CLASS-S3CRET-{}-{with_killer}", std::process::id()),
            root,
        };
        for d in ["class", "home/.ssh", "feedback", "tmp"] {
            std::fs::create_dir_all(class.dir(d)).unwrap();
        }
        std::fs::write(class.dir("home/.ssh/id_rsa"), &class.secret).unwrap();
        std::fs::write(class.dir("precious.txt"), "the teacher's notes").unwrap();
        let solution =
            |f: &str| std::fs::read_to_string(repo_root().join("labs/tcp-hello").join(f));
        let py = solution("solution.py").unwrap();
        let slow = py.replacen("import socket", "import socket, time\ntime.sleep(3)", 1);
        assert_ne!(slow, py, "the python solution imports socket");
        class.student("a-slow-victim", "python", "client.py", &slow);
        class.attacker("b-hijacker", "hijack");
        class.attacker("c-rewriter", "rewrite");
        class.attacker("d-planter", "plant");
        if with_killer {
            class.attacker("e-killer", "kill");
        }
        // attack.py, failing at the end so that its RESULT line stays in the report.
        let attack = std::fs::read_to_string(repo_root().join("tests/sandbox/attack.py")).unwrap();
        let reader = class.student(
            "f-reader",
            "python",
            "client.py",
            &format!("{attack}\n{LEAK}sys.exit(3)\n"),
        );
        let mut targets = class.targets();
        targets["other_port"] = class.other_port().into();
        std::fs::write(reader.join("tcp-hello/targets.json"), targets.to_string()).unwrap();
        let victim = class.student("h-victim", "python", "client.py", &py);
        let linker = class.dir("class/g-linker");
        std::fs::create_dir_all(&linker).unwrap();
        std::fs::write(linker.join("netlab.toml"), "language = \"python\"\n").unwrap();
        std::os::unix::fs::symlink(victim.join("tcp-hello"), linker.join("tcp-hello")).unwrap();
        class.student(
            "i-honest-sh",
            "shell",
            "client.sh",
            &solution("solution.sh").unwrap(),
        );
        class.student(
            FORMULA,
            "node",
            "client.js",
            &solution("solution.js").unwrap(),
        );
        class.student(
            "j-noisy",
            "shell",
            "client.sh",
            "printf '\\033]0;pwned\\007\\033[2Jboom\\n' >&2\nexit 3\n",
        );
        class
    }

    /// A loopback port no run may reach (a listener of the test's own, never accepted from).
    fn other_port(&self) -> u16 {
        // Bound for the lifetime of the process: a std listener leaked on purpose would keep
        // the port; instead reuse one per test process.
        static OTHER: std::sync::OnceLock<std::net::TcpListener> = std::sync::OnceLock::new();
        OTHER
            .get_or_init(|| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
            .local_addr()
            .unwrap()
            .port()
    }

    /// `netlab grade` over the class: (exit code, stderr, gradebook).
    fn grade(&self, sandbox: &str) -> (Option<i32>, String, Value) {
        let run = Command::new(netlab_bin())
            .arg("grade")
            .arg(self.dir("class"))
            .args(["--jobs", "3", "--timeout", "15", "--format", "json"])
            .args(["--sandbox", sandbox, "--out"])
            .arg(self.dir("book.json"))
            .arg("--feedback")
            .arg(self.dir("feedback"))
            .env("HOME", self.dir("home"))
            .env("TMPDIR", self.dir("tmp"))
            .env("GRADER_SECRET", &self.secret)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        let text = std::fs::read_to_string(self.dir("book.json"))
            .unwrap_or_else(|e| panic!("no gradebook ({e}): {stderr}"));
        let book = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (run.status.code(), stderr, book)
    }

    /// Processes whose command line carries this class's token or folder.
    fn leftovers(&self) -> Vec<String> {
        let needles = [self.token.clone(), self.dir("class").display().to_string()];
        let mut found = Vec::new();
        for e in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            if pid == std::process::id() {
                continue;
            }
            let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
                continue;
            };
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if needles.iter().any(|n| cmd.contains(n.as_str())) {
                found.push(format!("{pid}: {cmd}"));
            }
        }
        found
    }

    /// Checks that hold with or without the sandbox: outputs intact, nothing left behind.
    fn assert_outputs_intact(&self, stderr: &str, got: &BTreeMap<String, Grade>) {
        // The gradebook is netlab's: no daemon turned the attackers' fails into passes.
        for who in ["b-hijacker", "c-rewriter", "d-planter", "j-noisy"] {
            assert_eq!(got[who].status, "fail", "{who}: {:?}", got[who]);
        }
        assert_eq!(got["g-linker"].status, "error", "{:?}", got["g-linker"]);
        assert!(got["g-linker"].report.contains("symbolic link"));
        assert_eq!(
            got["i-honest-sh"].status, "pass",
            "{:?}",
            got["i-honest-sh"]
        );
        assert_eq!(got[FORMULA].status, "pass", "{:?}", got[FORMULA]);
        assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
        // The teacher's file was never written through a planted link; feedback files are
        // regular files without control characters.
        assert_eq!(
            std::fs::read_to_string(self.dir("precious.txt")).unwrap(),
            "the teacher's notes"
        );
        for e in std::fs::read_dir(self.dir("feedback")).unwrap().flatten() {
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            assert!(meta.is_file(), "{:?} is not a regular file", e.path());
            let text = std::fs::read_to_string(e.path()).unwrap();
            assert!(!text.contains('\u{1b}'), "{:?}", e.path());
        }
        // Nothing of the class runs once netlab has exited, no temporary folder is left.
        assert_eq!(self.leftovers(), Vec::<String>::new());
        let left: Vec<_> = std::fs::read_dir(self.dir("tmp"))
            .unwrap()
            .flatten()
            .collect();
        assert!(left.is_empty(), "temporary folders left: {left:?}");
    }
}

/// One student's lab grade, from the JSON gradebook.
#[derive(Debug)]
struct Grade {
    status: String,
    report: String,
    /// The sandbox level the run had (empty when nothing ran).
    sandbox: String,
}

impl Grade {
    /// The attack results an attacker printed (`RESULT {json}` in its stderr tail).
    fn results(&self) -> BTreeMap<String, String> {
        let line = self
            .report
            .lines()
            .find_map(|l| l.trim_start_matches("  | ").strip_prefix("RESULT "))
            .unwrap_or_else(|| panic!("no RESULT line:\n{}", self.report));
        serde_json::from_str(line).unwrap()
    }
}

fn grades(book: &Value) -> BTreeMap<String, Grade> {
    let mut m = BTreeMap::new();
    for s in book["students"].as_array().unwrap() {
        for l in s["labs"].as_array().unwrap() {
            let name = s["student"].as_str().unwrap().to_string();
            let grade = Grade {
                status: l["status"].as_str().unwrap().to_string(),
                report: l["report"].as_str().unwrap_or_default().to_string(),
                sandbox: l["sandbox"].as_str().unwrap_or_default().to_string(),
            };
            m.insert(name, grade);
        }
    }
    m
}

fn tools_present() -> bool {
    have("python3") && have("node") && have("bash")
}

#[test]
fn a_hostile_class_changes_nobody_elses_verdict_in_the_sandbox() {
    if !tools_present() {
        return;
    }
    let class = Class::new(true);
    let victim_client = class.dir("class/h-victim/tcp-hello/client.py");
    let before = std::fs::read_to_string(&victim_client).unwrap();
    let (code, stderr, book) = class.grade("auto");
    assert_eq!(code, Some(1), "{stderr}");
    let got = grades(&book);
    assert_eq!(got.len(), 11, "{got:#?}");
    for (who, g) in &got {
        if who != "g-linker" {
            assert_eq!(
                g.sandbox, "landlock+userns+seccomp",
                "{who}: this machine kind has it"
            );
        }
    }
    assert!(
        !book.to_string().contains(&class.secret),
        "a secret leaked into the gradebook"
    );
    // Victims and honest students keep full marks.
    for who in ["a-slow-victim", "h-victim"] {
        assert_eq!(got[who].status, "pass", "{who}: {}", got[who].report);
    }
    // Every attack was attempted and blocked; each attacker still reached its own port.
    for (who, attacks) in [
        ("b-hijacker", &["hijack"][..]),
        ("d-planter", &["plant_symlink"]),
        ("e-killer", &["kill_netlab"]),
        (
            "f-reader",
            &[
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
            ],
        ),
    ] {
        let results = got[who].results();
        for a in attacks {
            assert_eq!(results[*a], "blocked", "{who} {a}: {results:?}");
        }
        assert_eq!(results["own_port"], "ok", "{who}: {results:?}");
        assert_eq!(got[who].status, "fail", "{who} exits 3 on purpose");
    }
    assert_eq!(got["e-killer"].status, "fail");
    assert_eq!(got["f-reader"].status, "fail");
    // Nothing outside a run changed.
    assert_eq!(std::fs::read_to_string(&victim_client).unwrap(), before);
    assert!(!class.dir("class/h-victim/tcp-hello/escaped").exists());
    let planted: Vec<_> = std::fs::read_dir(class.dir("feedback"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_symlink())
        .collect();
    assert!(planted.is_empty(), "{planted:?}");
    class.assert_outputs_intact(&stderr, &got);
}

/// Without the sandbox a student has the teacher's rights: the test documents what then
/// works — and what netlab still guarantees (its outputs, no survivors).
#[test]
fn sandbox_off_documents_what_a_hostile_class_can_do() {
    if !tools_present() {
        return;
    }
    let class = Class::new(false);
    let (code, stderr, book) = class.grade("off");
    assert_eq!(code, Some(1), "{stderr}");
    let got = grades(&book);
    assert_eq!(got.len(), 10, "{got:#?}");
    assert_eq!(got["h-victim"].sandbox, "off");
    // The reader printed the teacher's key to its stderr, which its report keeps.
    assert!(
        got["f-reader"].report.contains(&class.secret),
        "{}",
        got["f-reader"].report
    );
    let reader = got["f-reader"].results();
    for a in [
        "read_teacher",
        "write_other",
        "proc_secret",
        "proc_exe",
        "connect_other",
        "bind_listen",
    ] {
        assert_eq!(reader[a], "allowed", "{a}: {reader:?}");
    }
    assert_eq!(got["d-planter"].results()["plant_symlink"], "allowed");
    // Another run's port, found in /proc, takes junk: the slow victim loses its marks.
    assert_eq!(got["b-hijacker"].results()["hijack"], "allowed");
    assert_eq!(
        got["a-slow-victim"].status, "fail",
        "{}",
        got["a-slow-victim"].report
    );
    // Appending to another student's client works without the sandbox.
    assert!(
        std::fs::read_to_string(class.dir("class/h-victim/tcp-hello/client.py"))
            .unwrap()
            .contains("sys.exit(3)")
    );
    class.assert_outputs_intact(&stderr, &got);
}

/// The attacker files exist where the test expects them (a typo would silently weaken it).
#[test]
fn the_attack_scripts_are_in_place() {
    for f in ["tests/sandbox/attack.py", "tests/sandbox/class_attack.py"] {
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(f).is_file(),
            "{f}"
        );
    }
}

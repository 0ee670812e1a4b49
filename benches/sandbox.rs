//! Sandbox setup cost per run: how much longer starting a client through the sandbox takes
//! than starting it directly, with `/bin/true` as the client (so the figure is all overhead).
//!
//! Measured for each level the kernel offers: the full sandbox (user/PID/net/mount
//! namespaces, private /proc, Landlock, seccomp, the lab's TCP socket created in the run's
//! namespace and passed back), and without namespaces. Reports the median of 60 runs of
//! "spawn → ready" (setup, until the client is about to `exec`) and "spawn → exit", against a
//! plain spawn of the same client. Goal: setup ≤ 10 ms.
//!
//! Run: `cargo bench --bench sandbox`.

use netlab::sandbox::{self, paths, Limits, Listen, Policy};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const RUNS: usize = 60;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn policy(namespaces: bool, home: &std::path::Path) -> Policy {
    let path = std::env::var("PATH").unwrap_or_default();
    Policy {
        require: false,
        namespaces,
        command: vec!["true".into()],
        cwd: home.to_path_buf(),
        env: sandbox::env::build(std::env::vars_os(), home, &[]),
        limits: Limits::for_time_limit(Duration::from_secs(10)),
        exec: paths::exec_paths(Some("true"), &path, home),
        read: vec![home.to_path_buf()],
        write: vec![home.to_path_buf()],
        devices: paths::DEVICES.iter().map(PathBuf::from).collect(),
        listen: Listen::Tcp,
        lacking: Default::default(),
        bind_port: None,
        pool: Default::default(),
        capture: false,
    }
}

fn main() {
    sandbox::set_launcher(PathBuf::from(env!("CARGO_BIN_EXE_netlab")));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let mut plain = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let mut c = tokio::process::Command::new("true").spawn().unwrap();
            c.wait().await.unwrap();
            plain.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let plain = median(plain);
        println!("plain spawn of `true`: {plain:.2} ms (median of {RUNS})");
        for namespaces in [true, false] {
            let p = policy(namespaces, home.path());
            let (mut ready, mut total) = (Vec::new(), Vec::new());
            let mut level = String::new();
            for _ in 0..RUNS {
                let t = Instant::now();
                let mut s = sandbox::start(&p).await.unwrap().unwrap();
                ready.push(t.elapsed().as_secs_f64() * 1e3);
                s.child.wait().await.unwrap();
                total.push(t.elapsed().as_secs_f64() * 1e3);
                level = s.level.to_string();
            }
            let (ready, total) = (median(ready), median(total));
            println!(
                "{level:<26} setup (spawn → ready) {ready:.2} ms; spawn → exit {total:.2} ms; overhead over a plain spawn {:.2} ms (goal ≤ 10 ms)",
                total - plain
            );
        }
    });
}

//! Classroom grading throughput: 100 python3 submissions of `tcp-hello` graded with
//! `--jobs 2`, wall time against the ideal — the sum of the clients' own run times divided by
//! the 2 jobs (what a grader with zero overhead would take).
//!
//! Run: `cargo bench --bench grade` (uses the release binary).

use std::process::Command;
use std::time::Instant;

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--bin", "netlab"])
        .current_dir(root)
        .status()
        .expect("cargo build");
    assert!(status.success());
    let bin = format!("{root}/target/release/netlab");
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    let solution = format!("{root}/labs/tcp-hello/solution.py");
    for i in 0..100 {
        let ws = class.join(format!("student-{i:03}"));
        std::fs::create_dir_all(ws.join("tcp-hello")).unwrap();
        std::fs::write(ws.join("netlab.toml"), "language = \"python\"\n").unwrap();
        std::fs::copy(&solution, ws.join("tcp-hello/client.py")).unwrap();
    }
    let out = dir.path().join("book.json");
    let mut ratios = Vec::new();
    for round in 1..=3 {
        let started = Instant::now();
        let o = Command::new(&bin)
            .arg("grade")
            .arg(&class)
            .args(["--jobs", "2", "--format", "json", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        let wall = started.elapsed().as_secs_f64();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let book: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let sum: f64 = book["students"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["labs"].as_array().unwrap())
            .map(|l| l["seconds"].as_f64().unwrap())
            .sum();
        let ideal = sum / 2.0;
        let ratio = ideal / wall;
        ratios.push(ratio);
        println!(
            "round {round}: 100 checks in {wall:.2} s wall; clients ran {sum:.2} s in all, ideal {ideal:.2} s; efficiency {ratio:.2} (goal ≥ 0.8)"
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!("median efficiency {:.2}", ratios[1]);
}

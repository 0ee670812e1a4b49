//! Bounded memory: a client pushing 1 GiB through `tcp-echo` (reading the echo back) must not
//! grow the server past 64 MiB of peak RSS (VmHWM, read from /proc).

mod common;

use common::{clients::connect, Server};
use std::io::{Read, Write};
use std::net::Shutdown;

const GIB: usize = 1 << 30;
const LIMIT_KB: u64 = 64 * 1024;

fn vm_hwm_kb(pid: i32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[test]
fn one_gib_flood_stays_under_64_mib_rss() {
    let mut s = Server::netlab("tcp-echo", &[]);
    let mut c = connect(s.port);
    let mut r = c.try_clone().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 20];
        let mut got = 0usize;
        loop {
            match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) => panic!("read: {e}"),
            }
        }
        got
    });
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..(GIB / chunk.len()) {
        c.write_all(&chunk).unwrap();
    }
    c.shutdown(Shutdown::Write).unwrap();
    assert_eq!(reader.join().unwrap(), GIB, "every byte echoed");
    s.wait_for(|v| v["event"] == "close" && v["conn"] == 1)
        .expect("close");
    let hwm = vm_hwm_kb(s.pid());
    eprintln!("netlab peak RSS after a 1 GiB flood: {hwm} kB");
    assert!(hwm <= LIMIT_KB, "peak RSS {hwm} kB > {LIMIT_KB} kB");
    let out = s.stop();
    // And the timeline still counts every byte exactly.
    let trace = common::canon(&out);
    assert!(trace.contains(&format!("data {GIB}B \"xxxx")), "{trace}");
}

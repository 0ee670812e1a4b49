//! Drivers for byte streams (TCP, or a Unix socket path): echo, greeting, half-open.

use super::{connect, read_to_end, read_upto, show, Got, Log, Steps, Target, WAIT};
use crate::lab::server::dial::Dialer;
use crate::lab::server::StepResult;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Why an echo was wrong, in words.
fn echo_problem(sent: &[u8], got: &[u8], how: &Got) -> String {
    match how {
        Got::Eof if got.is_empty() => "the connection closed before any echo".into(),
        Got::Error(e) if got.is_empty() => format!("the connection failed before any echo ({e})"),
        Got::Timeout if got.is_empty() => format!("nothing came back within {} s", WAIT.as_secs()),
        _ => format!("sent {}, got back {}", show(sent), show(got)),
    }
}

// ---- echo ----------------------------------------------------------------------------------

pub(super) async fn echo(d: Arc<Dialer>, t: Target, steps: Steps) {
    steps
        .push(echo_once(&d, &t, "echo", b"hello\r\n", false).await)
        .await;
    steps
        .push(echo_once(&d, &t, "split", b"ping\r\n", true).await)
        .await;
    steps.push(two_clients(&d, &t).await).await;
    steps
        .push(end_after_end(&d, &t, b"bye\r\n", "end").await)
        .await;
    steps.push(bulk(&d, &t).await).await;
}

/// Send `msg` (one write, or a byte per write) and expect it back.
async fn echo_once(d: &Dialer, t: &Target, name: &str, msg: &[u8], split: bool) -> StepResult {
    let mut log = Log::new();
    let mut c = match connect(d, t).await {
        Ok(c) => c,
        Err(e) => return log.fail(name, super::could_not_connect(&e)),
    };
    log.note("client1", "connect");
    if split {
        for b in msg {
            if c.write_all(&[*b]).await.is_err() {
                break;
            }
            let _ = c.flush().await;
            log.note("client1", format!("write {}", show(&[*b])));
            // One byte per segment: give the kernel a moment so that writes are not merged.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    } else {
        let _ = c.write_all(msg).await;
        log.note("client1", format!("write {}", show(msg)));
    }
    let mut got = Vec::new();
    let how = read_upto(&mut c, &mut got, msg.len()).await;
    log.note("client1", format!("received {} ({how:?})", show(&got)));
    let _ = c.shutdown().await;
    if got == msg {
        log.pass(name)
    } else {
        let d = echo_problem(msg, &got, &how);
        log.fail_bytes(name, d, msg, &got)
    }
}

async fn two_clients(d: &Dialer, t: &Target) -> StepResult {
    let name = "two-clients";
    let mut log = Log::new();
    let (a, b) = (connect(d, t).await, connect(d, t).await);
    let (Ok(mut a), Ok(mut b)) = (a, b) else {
        return log.fail(name, "could not open two connections at once");
    };
    log.note("client1", "connect");
    log.note("client2", "connect");
    // The second client speaks first: a server serving one connection at a time fails here.
    let _ = b.write_all(b"second\r\n").await;
    log.note("client2", "write \"second\\r\\n\"");
    let mut got_b = Vec::new();
    let how_b = read_upto(&mut b, &mut got_b, 8).await;
    log.note("client2", format!("received {} ({how_b:?})", show(&got_b)));
    let _ = a.write_all(b"first\r\n").await;
    log.note("client1", "write \"first\\r\\n\"");
    let mut got_a = Vec::new();
    let how_a = read_upto(&mut a, &mut got_a, 7).await;
    log.note("client1", format!("received {} ({how_a:?})", show(&got_a)));
    let _ = a.shutdown().await;
    let _ = b.shutdown().await;
    if got_b != b"second\r\n" {
        let p = echo_problem(b"second\r\n", &got_b, &how_b);
        return log.fail_bytes(
            name,
            format!("the second connection, opened while the first was still open: {p}"),
            b"second\r\n",
            &got_b,
        );
    }
    if got_a != b"first\r\n" {
        let p = echo_problem(b"first\r\n", &got_a, &how_a);
        return log.fail_bytes(
            name,
            format!("the first connection: {p}"),
            b"first\r\n",
            &got_a,
        );
    }
    log.pass(name)
}

/// Send `msg`, end (FIN), and expect the echo and then the server's own end.
async fn end_after_end(d: &Dialer, t: &Target, msg: &[u8], name: &str) -> StepResult {
    let mut log = Log::new();
    let mut c = match connect(d, t).await {
        Ok(c) => c,
        Err(e) => return log.fail(name, super::could_not_connect(&e)),
    };
    log.note("client1", "connect");
    let _ = c.write_all(msg).await;
    let _ = c.shutdown().await;
    log.note("client1", format!("write {} then end (FIN)", show(msg)));
    let mut got = Vec::new();
    let how = read_to_end(&mut c, &mut got).await;
    log.note(
        "client1",
        format!(
            "received {} then {}",
            show(&got),
            match &how {
                Got::Eof => "the server's end (FIN)".to_string(),
                Got::Error(e) => format!("an error ({e})"),
                _ => format!("nothing more for {} s", WAIT.as_secs()),
            }
        ),
    );
    match how {
        Got::Eof if got == msg => log.pass(name),
        Got::Eof => {
            let p = echo_problem(msg, &got, &Got::Enough);
            log.fail_bytes(name, p, msg, &got)
        }
        Got::Error(e) => log.fail(
            name,
            format!("the connection ended with an error ({e}) instead of a FIN: the server should end(), not destroy()"),
        ),
        _ => log.fail(
            name,
            format!(
                "after the client ended its side, your server never ended its own (no FIN within {} s): pipe() ends it for you; with a 'data' handler, call end() on 'end'",
                WAIT.as_secs()
            ),
        ),
    }
}

/// Byte `i` of the bulk pattern.
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// 8 MB out while reading the echo slowly. Memory stays bounded: one 64 KiB block is written
/// over and over, and the echo is read 16 KiB at a time and compared with the pattern as it
/// arrives (the run's lanes keep counts and 64-byte previews) — never the whole payload
/// (`tests/server_labs.rs` measures netlab's peak RSS).
async fn bulk(d: &Dialer, t: &Target) -> StepResult {
    // Whole blocks of the pattern (251 × 256 B), about 8 MB.
    const BLOCK: usize = 251 * 256;
    const TOTAL: usize = BLOCK * 131;
    let name = "bulk";
    let mut log = Log::new();
    let c = match connect(d, t).await {
        Ok(c) => c,
        Err(e) => return log.fail(name, super::could_not_connect(&e)),
    };
    log.note("client1", "connect");
    let (mut r, mut w) = tokio::io::split(c);
    let mut writer = tokio::spawn(async move {
        let block: Vec<u8> = (0..BLOCK).map(pattern).collect();
        let mut sent = 0;
        while sent < TOTAL {
            if w.write_all(&block).await.is_err() {
                break;
            }
            sent += block.len();
        }
        let _ = w.shutdown().await;
        sent
    });
    // A slow reader: small reads with pauses, so that the server meets backpressure.
    let mut got = 0usize;
    let mut wrong_at = None;
    let mut buf = vec![0u8; 16 * 1024];
    // At most 15 s in all, and never more than WAIT without a byte.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let ended = loop {
        let idle = (tokio::time::Instant::now() + WAIT).min(deadline);
        match tokio::time::timeout_at(idle, r.read(&mut buf)).await {
            Err(_) => break Got::Timeout,
            Ok(Ok(0)) => break Got::Eof,
            Ok(Ok(n)) => {
                if wrong_at.is_none() {
                    if let Some(i) = (0..n).find(|&i| buf[i] != pattern(got + i)) {
                        // The window is what this read holds from there (enough to show).
                        let end = n.min(i + crate::lab::server::ByteDiff::WINDOW);
                        let want: Vec<u8> = (got + i..got + end).map(pattern).collect();
                        wrong_at = Some(crate::lab::server::ByteDiff::at(
                            (got + i) as u64,
                            &want,
                            &buf[i..end],
                        ));
                    }
                }
                got += n;
                if got >= TOTAL {
                    break Got::Enough;
                }
                if got % (1 << 20) < n {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            Ok(Err(e)) => break Got::Error(super::os_error(&e)),
        }
    };
    // A server that stopped reading leaves the writer blocked: it goes with the step.
    let sent = match tokio::time::timeout(Duration::from_millis(100), &mut writer).await {
        Ok(Ok(n)) => n,
        _ => {
            writer.abort();
            0
        }
    };
    if sent == TOTAL {
        log.note(
            "client1",
            format!("wrote {sent} B then end (FIN), reading slowly"),
        );
    } else {
        log.note("client1", "was still writing: your server stopped reading");
    }
    log.note("client1", format!("received {got} B, then {ended:?}"));
    if let Some(diff) = wrong_at {
        return log.fail_diff(
            name,
            format!(
                "the echo differs from what was sent at byte {}",
                diff.offset
            ),
            Some(diff),
        );
    }
    if got != TOTAL {
        return log.fail(
            name,
            format!(
                "sent {TOTAL} B, got back {got} B before {}",
                match ended {
                    Got::Eof => "the server ended".to_string(),
                    Got::Error(e) => format!("an error ({e})"),
                    _ => "the wait ran out".to_string(),
                }
            ),
        );
    }
    log.pass(name)
}

// ---- greeting ------------------------------------------------------------------------------

pub(super) async fn greeting(d: Arc<Dialer>, t: Target, steps: Steps) {
    const GREETING: &[u8] = b"Echo server\r\n";
    let mut log = Log::new();
    let mut c = match connect(&d, &t).await {
        Ok(c) => c,
        Err(e) => {
            steps
                .push(log.fail("greets-first", super::could_not_connect(&e)))
                .await;
            return;
        }
    };
    log.note("client1", "connect, and wait");
    let mut got = Vec::new();
    let how = read_upto(&mut c, &mut got, GREETING.len()).await;
    log.note("client1", format!("received {} ({how:?})", show(&got)));
    if got.get(..GREETING.len()) == Some(GREETING) {
        steps.push(log.pass("greets-first")).await;
    } else {
        steps
            .push(log.fail_bytes(
                "greets-first",
                greeting_problem(GREETING, &got, &how),
                GREETING,
                &got,
            ))
            .await;
    }
    let mut log = Log::new();
    let _ = c.write_all(b"hi\r\n").await;
    log.note("client1", "write \"hi\\r\\n\"");
    let mut echo = got.split_off(GREETING.len().min(got.len()));
    let how = read_upto(&mut c, &mut echo, 4).await;
    log.note("client1", format!("received {} ({how:?})", show(&echo)));
    let _ = c.shutdown().await;
    steps
        .push(if echo == b"hi\r\n" {
            log.pass("echo")
        } else {
            let p = echo_problem(b"hi\r\n", &echo, &how);
            log.fail_bytes("echo", p, b"hi\r\n", &echo)
        })
        .await;
    // The end: the greeting, the echo, and the server's FIN.
    let mut log = Log::new();
    let mut c = match connect(&d, &t).await {
        Ok(c) => c,
        Err(e) => {
            steps
                .push(log.fail("end", super::could_not_connect(&e)))
                .await;
            return;
        }
    };
    log.note("client2", "connect");
    let mut got = Vec::new();
    let _ = read_upto(&mut c, &mut got, GREETING.len()).await;
    let _ = c.write_all(b"bye\r\n").await;
    let _ = c.shutdown().await;
    log.note("client2", "write \"bye\\r\\n\" then end (FIN)");
    let how = read_to_end(&mut c, &mut got).await;
    log.note("client2", format!("received {} then {how:?}", show(&got)));
    let want = [GREETING, b"bye\r\n"].concat();
    steps.push(match how {
        Got::Eof if got == want => log.pass("end"),
        Got::Eof => log.fail_bytes(
            "end",
            format!(
                "expected {} then the server's end (FIN), got {} then the end",
                show(&want),
                show(&got)
            ),
            &want,
            &got,
        ),
        _ => log.fail(
            "end",
            format!("after the client ended its side, your server never ended its own (no FIN within {} s)", WAIT.as_secs()),
        ),
    }).await;
}

/// Why the greeting was wrong, in words.
fn greeting_problem(greeting: &[u8], got: &[u8], how: &Got) -> String {
    match how {
        Got::Timeout if got.is_empty() => format!(
            "nothing arrived within {} s of connecting: greet as soon as the client connects, before it speaks",
            WAIT.as_secs()
        ),
        Got::Eof if got.is_empty() => "the connection closed before any greeting".into(),
        Got::Error(e) if got.is_empty() => {
            format!("the connection failed before any greeting ({e})")
        }
        _ => format!(
            "expected the greeting {}, got {}",
            show(greeting),
            show(got)
        ),
    }
}

// ---- half-open -----------------------------------------------------------------------------

pub(super) async fn halfopen(d: Arc<Dialer>, t: Target, steps: Steps) {
    let mut log = Log::new();
    let mut c = match connect(&d, &t).await {
        Ok(c) => c,
        Err(e) => {
            steps
                .push(log.fail("waits-for-end", super::could_not_connect(&e)))
                .await;
            return;
        }
    };
    log.note("client1", "connect");
    let _ = c.write_all(b"request").await;
    log.note("client1", "write \"request\" (7 B), and wait before ending");
    // Nothing may come back before the client's end.
    let mut early = Vec::new();
    let how =
        tokio::time::timeout(Duration::from_millis(300), read_upto(&mut c, &mut early, 1)).await;
    let early_end = matches!(how, Ok(Got::Eof) | Ok(Got::Error(_)));
    if !early.is_empty() || early_end {
        log.note(
            "client1",
            format!("received {} before ending", show(&early)),
        );
        steps.push(log.fail(
            "waits-for-end",
            if early_end {
                "your server ended the connection before the client ended its side: with allowHalfOpen: true the socket stays writable after 'end'".to_string()
            } else {
                "your server answered before the client ended its side: answer in the 'end' handler".to_string()
            },
        )).await;
        return;
    }
    let _ = c.shutdown().await;
    log.note("client1", "end (FIN)");
    let mut got = Vec::new();
    let how = read_to_end(&mut c, &mut got).await;
    log.note("client1", format!("received {} then {how:?}", show(&got)));
    steps.push(log.pass("waits-for-end")).await;
    let want = b"got 7 bytes\r\n";
    steps.push(if got == want {
        Log::new().pass("answer")
    } else if got.is_empty() && how == Got::Eof {
        Log::new().fail(
            "answer",
            "your server ended the connection without answering: in Node, without { allowHalfOpen: true } a socket ends itself right after 'end', so an answer written later (after a timer, a lookup) never goes out",
        )
    } else {
        let p = echo_problem(want, &got, &how);
        Log::new().fail_bytes("answer", format!("expected {}: {p}", show(want)), want, &got)
    }).await;
    steps
        .push(if how == Got::Eof {
            Log::new().pass("ends")
        } else {
            Log::new().fail(
                "ends",
                format!(
                "your server never ended its side after answering (no FIN within {} s): call end()",
                WAIT.as_secs()
            ),
            )
        })
        .await;
}

// ---- bulk (backpressure) -------------------------------------------------------------------

/// How many lines the bulk-server lab's server writes (`0000000\n` … `4194303\n`): 32 MiB.
const BULK_LINES: usize = 1 << 22;
/// How much the server's peak memory may grow while it streams them to a slow reader.
const BULK_GROWTH_LIMIT_KB: u64 = 64 * 1024;

/// Byte `i` of the bulk-server stream: 8-byte lines, seven digits and `\n`.
fn line_byte(i: usize) -> u8 {
    let (line, col) = (i / 8, i % 8);
    if col == 7 {
        b'\n'
    } else {
        b'0' + ((line / 10usize.pow(6 - col as u32)) % 10) as u8
    }
}

/// A process's peak RSS (VmHWM) in kB, from `/proc/<pid>/status`.
fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The bulk-server driver: one slow client (a 64 KiB receive window, 300 ms before its first
/// read, 16 KiB reads with a 20 ms pause every MiB) reads 32 MiB of lines, checked as they
/// come (never held); the server's peak RSS is read before and after.
pub(super) async fn bulk_server(d: Arc<Dialer>, t: Target, steps: Steps) {
    let total = BULK_LINES * 8;
    let mut log = Log::new();
    let before = t.server_pid.and_then(vm_hwm_kb);
    let Some(port) = t.port else {
        return steps.push(log.fail("all-bytes", "no port")).await;
    };
    let c = match d.tcp_with(port, Some(64 * 1024)).await {
        Ok(s) => super::Conn::connected(Box::new(s), d.lanes(), format!("127.0.0.1:{port}")),
        Err(e) => {
            d.lanes().refused(&e);
            let m = super::could_not_connect(&e);
            return steps.push(log.fail("all-bytes", m)).await;
        }
    };
    let mut c = c;
    log.note(
        "client1",
        "connect (64 KiB receive window), and wait 300 ms before reading",
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut got = 0usize;
    let mut wrong: Option<crate::lab::server::ByteDiff> = None;
    let mut buf = vec![0u8; 16 * 1024];
    // At most 25 s in all, and never more than WAIT without a byte.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(25);
    let ended = loop {
        let idle = (tokio::time::Instant::now() + WAIT).min(deadline);
        match tokio::time::timeout_at(idle, c.read(&mut buf)).await {
            Err(_) => break Got::Timeout,
            Ok(Ok(0)) => break Got::Eof,
            Ok(Ok(n)) => {
                if wrong.is_none() {
                    let extra = (got + n).saturating_sub(total);
                    let check = n - extra;
                    if let Some(i) = (0..check).find(|&i| buf[i] != line_byte(got + i)) {
                        let end = n.min(i + crate::lab::server::ByteDiff::WINDOW);
                        let want: Vec<u8> =
                            (got + i..(got + end).min(total)).map(line_byte).collect();
                        wrong = Some(crate::lab::server::ByteDiff::at(
                            (got + i) as u64,
                            &want,
                            &buf[i..end],
                        ));
                    } else if extra > 0 {
                        wrong = Some(crate::lab::server::ByteDiff::at(
                            total as u64,
                            &[],
                            &buf[check..n.min(check + crate::lab::server::ByteDiff::WINDOW)],
                        ));
                    }
                }
                got += n;
                if got % (1 << 20) < n {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            Ok(Err(e)) => break Got::Error(super::os_error(&e)),
        }
    };
    drop(c);
    let after = t.server_pid.and_then(vm_hwm_kb);
    log.note("client1", format!("received {got} B, then {ended:?}"));
    let mut mem = Log::new();
    let all = if let Some(diff) = wrong {
        log.fail_diff(
            "all-bytes",
            format!(
                "the stream differs from the lines 0000000\\n … {:07}\\n at byte {}",
                BULK_LINES - 1,
                diff.offset
            ),
            Some(diff),
        )
    } else if got == total && ended == Got::Eof {
        log.pass("all-bytes")
    } else {
        let how = match &ended {
            Got::Eof => "your server ended the connection: write() → false means wait for 'drain' and go on, not stop; end() only after the last line".to_string(),
            Got::Error(e) => format!("the connection failed ({e}): destroy(), or exiting, throws away what is still buffered — call end() and let it flush"),
            _ if got == total => format!("all the bytes came, but your server never ended the connection (no FIN within {} s): call end() after the last write", WAIT.as_secs()),
            _ => format!("nothing more came for {} s (or the 25 s were up)", WAIT.as_secs()),
        };
        log.fail(
            "all-bytes",
            format!("a slow client got {got} of the {total} bytes, then {how}"),
        )
    };
    steps.push(all).await;
    let result = match (before, after) {
        (Some(b), Some(a)) => {
            let grew = a.saturating_sub(b);
            mem.note(
                "netlab",
                format!("your server's peak RSS (VmHWM): {b} kB before, {a} kB after (+{grew} kB)"),
            );
            if grew > BULK_GROWTH_LIMIT_KB {
                mem.fail(
                    "memory",
                    format!(
                        "your server's peak memory grew by {} MiB while a slow client read {} MiB: it buffered the payload instead of waiting for the client — when write() returns false, stop and go on at 'drain' (or pipe() a stream); in Python, sendall() each chunk as you make it",
                        grew / 1024,
                        total >> 20
                    ),
                )
            } else {
                mem.pass("memory")
            }
        }
        _ => {
            mem.note(
                "netlab",
                "your server's memory could not be read from here (/proc)",
            );
            mem.pass("memory")
        }
    };
    steps.push(result).await;
}

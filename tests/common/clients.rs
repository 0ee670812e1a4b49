//! Small, well-behaved (and deliberately badly-behaved) clients used against both netlab and
//! Node. Every read has a timeout so a broken server fails the test instead of hanging it.

use super::WAIT;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream, UdpSocket};
use std::os::unix::net::UnixStream;

pub fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

/// Read until EOF.
pub fn read_all(s: &mut impl Read) -> Vec<u8> {
    let mut v = Vec::new();
    s.read_to_end(&mut v).expect("read to EOF");
    v
}

/// Read exactly `n` bytes.
pub fn read_n(s: &mut impl Read, n: usize) -> Vec<u8> {
    let mut v = vec![0; n];
    s.read_exact(&mut v).expect("read_exact");
    v
}

/// Write, half-close, read the echo to EOF.
pub fn echo_and_end(port: u16, msg: &[u8]) -> Vec<u8> {
    let mut s = connect(port);
    s.write_all(msg).unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    read_all(&mut s)
}

/// Same over a Unix socket.
pub fn unix_echo_and_end(path: &std::path::Path, msg: &[u8]) -> Vec<u8> {
    let mut s = UnixStream::connect(path).expect("connect unix");
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(msg).unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    read_all(&mut s)
}

/// Send bytes, wait for their echo (so the server surely read them), then reset (RST).
pub fn send_then_reset(port: u16, msg: &[u8]) {
    let mut s = connect(port);
    s.write_all(msg).unwrap();
    assert_eq!(read_n(&mut s, msg.len()), msg);
    reset(s);
}

/// Close with RST instead of FIN: SO_LINGER with a zero timeout, then close.
pub fn reset(s: TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    nix::sys::socket::setsockopt(&s, nix::sys::socket::sockopt::Linger, &linger).unwrap();
    drop(s);
}

/// Connect and end without sending anything.
pub fn end_without_data(port: u16) -> Vec<u8> {
    let mut s = connect(port);
    s.shutdown(Shutdown::Write).unwrap();
    read_all(&mut s)
}

/// One UDP round trip.
pub fn udp_ping(port: u16, msg: &[u8]) -> Vec<u8> {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.send_to(msg, ("127.0.0.1", port)).unwrap();
    let mut buf = [0u8; 2048];
    let (n, _) = s.recv_from(&mut buf).expect("udp reply");
    buf[..n].to_vec()
}

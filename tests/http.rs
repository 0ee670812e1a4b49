//! The `http` scenario through the real binary, with real peers: curl, node's http module,
//! python3's http.client, and raw sockets for the exact bytes of error responses.

mod common;

use common::clients::{connect, read_all};
use common::{have, Server};
use std::io::{Read, Write};
use std::net::Shutdown;
use std::process::Command;

fn events(s: &mut Server) -> Vec<serde_json::Value> {
    s.seen
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn curl(args: &[&str]) -> (String, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .output()
        .expect("curl");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn curl_v_hello_shows_the_whole_cycle() {
    if !have("curl") {
        return;
    }
    let mut s = Server::netlab("http", &[]);
    let url = format!("http://127.0.0.1:{}/hello", s.port);
    let (body, verbose) = curl(&["-v", &url]);
    assert_eq!(body, "Hello World");
    assert!(verbose.contains("< HTTP/1.1 200 OK"), "{verbose}");
    assert!(verbose.contains("< Content-Type: text/plain"), "{verbose}");
    s.wait_for(|v| v["event"] == "close" && v["scope"] == "conn")
        .unwrap();
    let ev = events(&mut s);
    let names: Vec<&str> = ev
        .iter()
        .filter(|v| v["scope"] != "server")
        .filter_map(|v| v["event"].as_str())
        .filter(|n| !n.ends_with("()") && *n != "write" && *n != "data")
        .collect();
    assert_eq!(
        names,
        ["request", "end", "finish", "close", "close", "end", "finish", "close"]
    );
    let req = ev.iter().find(|v| v["event"] == "request").unwrap();
    assert_eq!(req["method"], "GET");
    assert_eq!(req["url"], "/hello");
    assert_eq!(req["http_version"], "1.1");
    s.stop();
}

#[test]
fn keep_alive_serves_two_requests_on_one_connection() {
    if !have("curl") {
        return;
    }
    let mut s = Server::netlab("http", &[]);
    let base = format!("http://127.0.0.1:{}", s.port);
    let (body, _) = curl(&[&format!("{base}/one"), &format!("{base}/two")]);
    assert_eq!(body, "onetwo");
    s.wait_for(|v| v["event"] == "close" && v["scope"] == "conn")
        .unwrap();
    let out = s.stop();
    let conns = out.matches("\"event\":\"connection\"").count();
    let reqs = out.matches("\"event\":\"request\"").count();
    assert_eq!((conns, reqs), (1, 2), "{out}");
}

#[test]
fn basic_auth_and_the_challenge() {
    if !have("curl") {
        return;
    }
    let s = Server::netlab("http", &[]);
    let url = format!("http://127.0.0.1:{}/secret", s.port);
    let (body, _) = curl(&["-u", "netlab:sockets", &url]);
    assert!(body.contains("sockets all the way down"), "{body}");
    let (head, _) = curl(&["-D", "-", "-o", "/dev/null", &url]);
    assert!(head.starts_with("HTTP/1.1 401 Unauthorized\r\n"), "{head}");
    assert!(
        head.contains("WWW-Authenticate: Basic realm=\"netlab\""),
        "{head}"
    );
    s.stop();
}

#[test]
fn expect_100_continue_is_delayed_and_the_body_follows() {
    if !have("curl") {
        return;
    }
    let mut s = Server::netlab("http", &[]);
    let url = format!("http://127.0.0.1:{}/upload", s.port);
    let (body, verbose) = curl(&[
        "-v",
        "--expect100-timeout",
        "5",
        "-H",
        "Expect: 100-continue",
        "-H",
        "Content-Type: text/plain",
        "--data",
        "netlab rocks",
        &url,
    ]);
    assert_eq!(body, "received 12 bytes");
    assert!(verbose.contains("< HTTP/1.1 100 Continue"), "{verbose}");
    assert!(verbose.contains("< HTTP/1.1 201 Created"), "{verbose}");
    s.wait_for(|v| v["event"] == "close" && v["scope"] == "conn")
        .unwrap();
    let ev = events(&mut s);
    let cc = ev.iter().find(|v| v["event"] == "checkContinue").unwrap();
    let data = ev
        .iter()
        .find(|v| v["event"] == "data" && v["scope"] == "request")
        .unwrap();
    assert_eq!(data["text"], "netlab rocks");
    // The body came only after the server's (delayed) 100 Continue.
    assert!(data["t_ms"].as_f64().unwrap() - cc["t_ms"].as_f64().unwrap() >= 250.0);
    s.stop();
}

#[test]
fn error_responses_are_nodes_bytes_and_the_server_keeps_serving() {
    let s = Server::netlab("http", &[]);
    let raw = |req: &[u8]| {
        let mut c = connect(s.port);
        c.write_all(req).unwrap();
        read_all(&mut c)
    };
    // A slow-loris client holds a half-sent head the whole time.
    let mut loris = connect(s.port);
    loris
        .write_all(b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();

    assert_eq!(
        raw(b"G@RBAGE / HTTP/1.1\r\n\r\n"),
        b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"
    );
    let big = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(17_000)
    );
    assert_eq!(
        raw(big.as_bytes()),
        b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n"
    );
    assert!(raw(b"GET /hello HTTP/1.1\r\n\r\n").starts_with(b"HTTP/1.1 400 Bad Request\r\n"));
    assert!(
        raw(b"GET /hello HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n")
            .starts_with(b"HTTP/1.1 417 Expectation Failed\r\n")
    );
    let ok = raw(b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(ok.starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert!(ok.ends_with(b"Hello World"));
    drop(loris);
    let out = s.stop();
    assert!(out.contains("\"code\":\"HPE_INVALID_METHOD\""), "{out}");
    assert!(out.contains("\"code\":\"HPE_HEADER_OVERFLOW\""), "{out}");
}

#[test]
fn upgrade_and_connect_switch_to_raw_bytes() {
    let s = Server::netlab("http", &[]);
    let mut c = connect(s.port);
    c.write_all(
        b"GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: netlab-echo\r\n\r\n",
    )
    .unwrap();
    let mut head = vec![0u8; 79];
    c.read_exact(&mut head).unwrap();
    assert!(head.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    c.write_all(b"hi\n").unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_all(&mut c), b"hi\n");

    let mut c = connect(s.port);
    c.write_all(b"CONNECT echo.netlab:7 HTTP/1.1\r\nHost: echo.netlab:7\r\n\r\n")
        .unwrap();
    let mut head = vec![0u8; 39];
    c.read_exact(&mut head).unwrap();
    assert_eq!(head, b"HTTP/1.1 200 Connection Established\r\n\r\n");
    c.write_all(b"tunnel\n").unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_all(&mut c), b"tunnel\n");
    let out = s.stop();
    assert!(out.contains("\"event\":\"upgrade\""), "{out}");
    // http.Server's `connect` (a CONNECT request) is `connect_request` in JSON lines.
    assert!(out.contains("\"event\":\"connect_request\""), "{out}");
}

#[test]
fn node_and_python_clients_are_served() {
    let s = Server::netlab("http", &[]);
    if have("node") {
        let script = format!(
            "const http=require('http');const agent=new http.Agent({{keepAlive:true,maxSockets:1}});\
             let out=[];let n=0;for(const p of ['/one','/two','/slow/7']) http.get({{host:'127.0.0.1',port:{},path:p,agent}},r=>{{\
             let b='';r.on('data',d=>b+=d);r.on('end',()=>{{out.push(r.statusCode+' '+b);if(++n===3){{console.log(out.join(','));agent.destroy()}}}})}});",
            s.port
        );
        let out = Command::new("node").args(["-e", &script]).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "200 one,200 two,200 7"
        );
    }
    if have("python3") {
        let script = format!(
            "import http.client\nc=http.client.HTTPConnection('127.0.0.1',{})\nc.request('POST','/upload',body=b'x'*100000)\nr=c.getresponse()\nprint(r.status, r.read().decode())",
            s.port
        );
        let out = Command::new("python3")
            .args(["-c", &script])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "201 received 100000 bytes"
        );
    }
    s.stop();
}

#[test]
fn https_with_the_throwaway_ca_and_tls_client_errors() {
    if !have("curl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let mut s = Server::netlab("https", &["--ca-out", ca.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&ca)
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let (body, verbose) = curl(&[
        "-v",
        "--cacert",
        ca.to_str().unwrap(),
        &format!("https://localhost:{}/hello", s.port),
    ]);
    assert_eq!(body, "Hello World", "{verbose}");
    let (body, _) = curl(&[
        "--cacert",
        ca.to_str().unwrap(),
        &format!("https://127.0.0.1:{}/one", s.port),
    ]);
    assert_eq!(body, "one", "the IP address is in the certificate too");
    let _ = curl(&[&format!("http://127.0.0.1:{}/hello", s.port)]);
    let _ = curl(&[&format!("https://localhost:{}/hello", s.port)]);
    assert!(s.wait_for_count(2, |v| v["event"] == "tlsClientError"));
    let ev = events(&mut s);
    let secure = ev
        .iter()
        .find(|v| v["event"] == "secureConnection")
        .unwrap();
    assert!(secure["protocol"].as_str().unwrap().starts_with("TLSv1."));
    let codes: Vec<&str> = ev
        .iter()
        .filter(|v| v["event"] == "tlsClientError")
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["ERR_SSL_HTTP_REQUEST", "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA"]
    );
    s.stop();
}

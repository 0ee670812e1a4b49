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
    let (body, verbose) = curl(&["-v", "--http1.1", &url]);
    assert_eq!(body, "Hello World");
    // The message view (`request` and `writeHead()` as wire lines) is exactly what curl shows.
    s.wait_for(|v| v["event"] == "writeHead()").unwrap();
    let ev = events(&mut s);
    let head_lines = |name: &str, mark: &str, first: String| -> Vec<String> {
        let e = ev.iter().find(|v| v["event"] == name).unwrap();
        let mut lines = vec![format!("{mark} {first}")];
        for h in e["headers"].as_array().unwrap() {
            lines.push(format!(
                "{mark} {}: {}",
                h[0].as_str().unwrap(),
                h[1].as_str().unwrap()
            ));
        }
        lines
    };
    let req = ev.iter().find(|v| v["event"] == "request").unwrap();
    let sent = head_lines(
        "request",
        ">",
        format!(
            "GET {} HTTP/{}",
            req["url"].as_str().unwrap(),
            req["http_version"].as_str().unwrap()
        ),
    );
    let wh = ev.iter().find(|v| v["event"] == "writeHead()").unwrap();
    let got = head_lines(
        "writeHead()",
        "<",
        format!(
            "HTTP/1.1 {} {}",
            wh["status"],
            wh["reason"].as_str().unwrap()
        ),
    );
    let curl_lines: Vec<&str> = verbose
        .lines()
        .map(|l| l.trim_end())
        .filter(|l| (l.starts_with("> ") || l.starts_with("< ")) && l.len() > 2)
        .collect();
    let ours: Vec<String> = sent.into_iter().chain(got).collect();
    assert_eq!(curl_lines, ours, "curl -v vs netlab's message view");
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
    // Node's automatic 417 keeps the connection unless the request closes it (the
    // differential suite checks the keep-alive case); `Connection: close` here to read to EOF.
    assert_eq!(
        raw(b"GET /hello HTTP/1.1\r\nHost: x\r\nExpect: tea\r\nConnection: close\r\n\r\n"),
        b"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
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

/// Per object (`request`/`response` of connection N, request K), the events it emitted, in
/// order; plus each connection's `clientError` codes. Request `data` on an upgrade/CONNECT is
/// netlab's view of Node's `head` argument and is left out.
fn per_object(json_lines: &[String]) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut map = std::collections::BTreeMap::<String, Vec<String>>::new();
    let mut switched = std::collections::BTreeSet::new();
    for v in json_lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
    {
        let (scope, event) = (
            v["scope"].as_str().unwrap_or(""),
            v["event"].as_str().unwrap_or(""),
        );
        let key = match scope {
            "request" | "response" => format!("{scope} #{}.{}", v["conn"], v["req"]),
            "conn" if event == "clientError" => format!("conn #{}", v["conn"]),
            _ => continue,
        };
        if event.ends_with("()") {
            continue; // netlab's own calls (writeHead()); Node's twin does not trace them
        }
        if matches!(event, "upgrade" | "connect_request") {
            switched.insert(key.clone());
        }
        if event == "data" && switched.contains(&key) {
            continue;
        }
        let what = match event {
            "request" | "checkContinue" => format!("{event} {} {}", v["method"], v["url"]),
            "clientError" => format!("clientError {}", v["code"]),
            _ => event.to_string(),
        };
        map.entry(key).or_default().push(what);
    }
    map
}

/// The same raw clients against `netlab serve http` and a Node 20 http.Server doing the same
/// (tests/node/server.js): every request and response object emits the same events in the
/// same order.
#[test]
fn http_event_order_per_request_matches_node() {
    let drive = |s: &mut Server| {
        let raw = |bytes: &[u8]| {
            let mut c = connect(s.port);
            c.write_all(bytes).unwrap();
            c.shutdown(Shutdown::Write).unwrap();
            read_all(&mut c)
        };
        // Pipelined keep-alive requests, the second closing.
        let r = raw(b"GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert!(
            String::from_utf8_lossy(&r).ends_with("two"),
            "{}",
            String::from_utf8_lossy(&r)
        );
        // A body that waits for the 100.
        let mut c = connect(s.port);
        c.write_all(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").unwrap();
        let mut first = [0u8; 25];
        c.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"HTTP/1.1 100 Continue\r\n\r\n");
        c.write_all(b"netlab rocks").unwrap();
        let r = read_all(&mut c);
        drop(c);
        assert!(String::from_utf8_lossy(&r).ends_with("received 12 bytes"));
        // Garbage, an upgrade and a tunnel, each with bytes right behind the head.
        raw(b"GARBAGE\r\n\r\n");
        let mut c = connect(s.port);
        c.write_all(b"GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: netlab-echo\r\n\r\nhi").unwrap();
        let want = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: netlab-echo\r\nConnection: Upgrade\r\n\r\nhi";
        let mut got = vec![0u8; want.len()];
        c.read_exact(&mut got).unwrap();
        assert_eq!(got, want);
        c.shutdown(Shutdown::Write).unwrap();
        read_all(&mut c);
        drop(c);
        let r = raw(b"CONNECT echo.netlab:7 HTTP/1.1\r\nHost: x\r\n\r\nyo");
        assert!(String::from_utf8_lossy(&r).ends_with("\r\n\r\nyo"));
        let closed = s.wait_for_count(5, |v| v["event"] == "close" && v["scope"] == "conn");
        assert!(
            closed,
            "not every connection closed:\n{}",
            s.seen.join("\n")
        );
    };
    let lines = |out: String| out.lines().map(String::from).collect::<Vec<_>>();
    let mut ours = Server::netlab("http", &[]);
    drive(&mut ours);
    let ours = per_object(&lines(ours.stop()));
    let expected = [
        (
            "request #1.1",
            vec!["request \"GET\" \"/one\"", "end", "close"],
        ),
        ("response #1.1", vec!["finish", "close"]),
        (
            "request #1.2",
            vec!["request \"GET\" \"/two\"", "end", "close"],
        ),
        ("response #1.2", vec!["finish", "close"]),
        (
            "request #2.1",
            vec!["checkContinue \"POST\" \"/upload\"", "data", "end", "close"],
        ),
        ("response #2.1", vec!["finish", "close"]),
        ("conn #3", vec!["clientError \"HPE_INVALID_METHOD\""]),
        ("request #4.1", vec!["upgrade"]),
        ("request #5.1", vec!["connect_request"]),
    ];
    let expected: std::collections::BTreeMap<String, Vec<String>> = expected
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
        .collect();
    pretty_assertions::assert_eq!(ours, expected, "netlab's per-object events");
    if !have("node") {
        eprintln!("SKIPPED: node is not installed; the Node half of the HTTP differential test did not run");
        return;
    }
    let mut node = Server::node("http", &["--port", "0"]);
    drive(&mut node);
    let theirs = per_object(&lines(node.stop()));
    pretty_assertions::assert_eq!(theirs, ours, "Node's (left) vs netlab's (right)");
}

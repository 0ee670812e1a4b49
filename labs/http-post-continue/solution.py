# http-post-continue reference solution (http.client cannot wait for 100-continue).
import socket
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

head = (
    "POST /upload HTTP/1.1\r\n"
    f"Host: {host}:{port}\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 12\r\n"
    "Expect: 100-continue\r\n"
    "Connection: close\r\n\r\n"
)
with socket.create_connection((host, port)) as s:
    s.sendall(head.encode())
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(1024)
        if not chunk:
            raise SystemExit("connection closed before 100 Continue")
        got += chunk
    assert got.startswith(b"HTTP/1.1 100"), got
    s.sendall(b"netlab rocks")
    rest = got.split(b"\r\n\r\n", 1)[1]
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        rest += chunk
    status_line, _, body = rest.partition(b"\r\n\r\n")
    print(status_line.split()[1].decode())
    print(body.decode())

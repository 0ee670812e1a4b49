# fix-continue reference solution: send the head, read the server's 100 Continue, and only
# then send the body.
import os
import socket

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
    while b"\r\n\r\n" not in got:  # wait for the 100 Continue
        chunk = s.recv(1024)
        if not chunk:
            raise SystemExit("the server closed before its 100 Continue")
        got += chunk
    s.sendall(b"netlab rocks")
    while chunk := s.recv(4096):
        got += chunk
# Skip the interim 100 Continue, then split the final response.
if got.startswith(b"HTTP/1.1 100"):
    got = got.split(b"\r\n\r\n", 1)[1]
head, _, body = got.partition(b"\r\n\r\n")
print(head.split(b" ")[1].decode())
print(body.decode())

# fix-continue: this client is BROKEN. It should POST `netlab rocks` to /upload with
# `Expect: 100-continue` — sending the body only after the server's 100 Continue — and print
# the status code, then the body (201, then received 12 bytes). It prints that, yet the lab
# fails. Run `netlab check fix-continue`, read the report, and fix it.
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
    s.sendall(b"netlab rocks")
    got = b""
    while chunk := s.recv(4096):
        got += chunk
# Skip the interim 100 Continue, if any, then split the final response.
if got.startswith(b"HTTP/1.1 100"):
    got = got.split(b"\r\n\r\n", 1)[1]
head, _, body = got.partition(b"\r\n\r\n")
print(head.split(b" ")[1].decode())
print(body.decode())

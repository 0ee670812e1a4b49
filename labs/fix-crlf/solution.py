# fix-crlf reference solution: every line of the head ends with \r\n (CR LF), as HTTP/1.1
# requires; Node's parser answers a bare \n with 400 Bad Request.
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

with socket.create_connection((host, port)) as s:
    s.sendall(
        b"GET /hello HTTP/1.1\r\n"
        + f"Host: {host}:{port}\r\n".encode()
        + b"Connection: close\r\n"
        + b"\r\n"
    )
    got = b""
    while chunk := s.recv(4096):  # Connection: close: the server ends after answering
        got += chunk
head, _, body = got.partition(b"\r\n\r\n")
print(head.split(b" ")[1].decode())  # b"HTTP/1.1 200 OK" -> 200
print(body.decode())

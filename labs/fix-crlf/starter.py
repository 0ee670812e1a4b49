# fix-crlf: this client is BROKEN. It speaks HTTP by hand over a TCP socket: it should send
# GET /hello and print the status code, then the body (200, then Hello World and a token) —
# but the server answers 400 Bad Request. Run `netlab check fix-crlf`, read the report, fix it.
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

with socket.create_connection((host, port)) as s:
    s.sendall(
        b"GET /hello HTTP/1.1\n"
        + f"Host: {host}:{port}\n".encode()
        + b"Connection: close\n"
        + b"\n"
    )
    got = b""
    while chunk := s.recv(4096):  # Connection: close: the server ends after answering
        got += chunk
head, _, body = got.partition(b"\r\n\r\n")
print(head.split(b" ")[1].decode())  # b"HTTP/1.1 200 OK" -> 200
print(body.decode())

# Sends Expect: 100-continue but the body right away, without waiting.
import os, socket
host, port = os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])
with socket.create_connection((host, port)) as s:
    s.sendall(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n"
              b"Expect: 100-continue\r\nConnection: close\r\n\r\nnetlab rocks")
    data = b""
    while chunk := s.recv(4096):
        data += chunk
    print(201)
    print(data.split(b"\r\n\r\n")[-1].decode())

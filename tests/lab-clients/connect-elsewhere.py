# Asks for a tunnel to somewhere else.
import os, socket
host, port = os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])
with socket.create_connection((host, port)) as s:
    s.sendall(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
    data = b""
    while chunk := s.recv(4096):
        data += chunk
    print("tunnel")

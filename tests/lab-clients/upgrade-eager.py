# Sends hi together with the upgrade request, before the 101.
import os, socket
host, port = os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])
with socket.create_connection((host, port)) as s:
    s.sendall(b"GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: netlab-echo\r\n\r\nhi\n")
    s.shutdown(socket.SHUT_WR)
    data = b""
    while chunk := s.recv(4096):
        data += chunk
    print(data.split(b"\r\n\r\n", 1)[1].decode().strip())

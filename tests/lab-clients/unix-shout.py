# Sends HELLO in capitals.
import os, socket
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
    s.connect(os.environ["NETLAB_SOCKET"])
    s.sendall(b"HELLO\r\n")
    print(s.recv(99).decode().strip().lower())
    s.shutdown(socket.SHUT_WR)
    s.recv(99)

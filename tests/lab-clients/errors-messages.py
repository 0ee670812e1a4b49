# Prints the error's message, not its name.
import os
import socket

for _ in range(3):
    try:
        with socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), timeout=1) as s:
            s.sendall(b"hello\n")
            s.recv(100)
    except OSError as e:
        print(e)

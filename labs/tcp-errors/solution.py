# tcp-errors reference solution.
import errno
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])


def attempt():
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.sendall(b"hello\n")
            s.recv(100)
            return "closed"
    except socket.timeout:  # must come first: it is an OSError too
        return "timeout"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))


for _ in range(3):
    print(attempt())

# udp-ping reference solution.
import os
import socket

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.settimeout(5)
    s.sendto(b"Hello Node.js", (os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
    reply, _ = s.recvfrom(2048)
    print(reply.decode())

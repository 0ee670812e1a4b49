# udp-ping: one datagram, one reply.
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO 1: s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# TODO 2: s.sendto(b"Hello Node.js", (host, port))
# TODO 3: reply, _ = s.recvfrom(2048); print it

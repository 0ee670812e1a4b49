# udp-pong-server: every datagram gets b"pong", sent to where it came from.
import os
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
print("bound to", s.getsockname()[1], flush=True)
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(b"pong", addr)

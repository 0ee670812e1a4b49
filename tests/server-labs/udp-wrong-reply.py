# Answers from a second socket (another port): the reply does not come from the server's port.
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    data, addr = s.recvfrom(2048)
    other.sendto(b"pong", addr)

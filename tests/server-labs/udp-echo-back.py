# Sends every datagram back as it came (an echo), not `pong`.
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)

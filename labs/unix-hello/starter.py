# unix-hello: say hello to the echo server over a Unix domain socket.
import os
import socket

path = os.environ["NETLAB_SOCKET"]

# TODO 1: s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path)
# TODO 2: send b"hello\r\n"
# TODO 3: read the echo, print it without \r\n
# TODO 4: shutdown(socket.SHUT_WR), then close

# tcp-hello: say hello to the echo server.
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO 1: connect with socket.create_connection((host, port))
# TODO 2: send b"hello\r\n" with sendall()
# TODO 3: read until you have the whole echo, print it without \r\n
# TODO 4: shutdown(socket.SHUT_WR), then close

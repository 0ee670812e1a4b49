# tcp-idle: say hi, then stay quiet until the server says bye.
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO 1: connect, send b"hi\r\n"
# TODO 2: print every line until the server ends (readline() returns b"")
# TODO 3: shutdown(socket.SHUT_WR), then close

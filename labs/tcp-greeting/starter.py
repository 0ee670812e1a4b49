# tcp-greeting: let the server speak first.
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO 1: connect, then read the greeting line BEFORE sending anything (makefile() helps)
# TODO 2: print it, send b"ping\r\n", read and print the echo
# TODO 3: shutdown(socket.SHUT_WR), then close

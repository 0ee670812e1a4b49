# tcp-errors: three connections, one line each naming what went wrong.
import errno
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])


def attempt():
    # TODO: connect with a 1 s timeout, send b"hello\n", wait for an answer;
    # return "timeout" on socket.timeout, errno.errorcode[e.errno] on another OSError
    return "?"


for _ in range(3):
    print(attempt())

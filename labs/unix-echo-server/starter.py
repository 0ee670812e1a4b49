# unix-echo-server: listen on the Unix socket path in NETLAB_SOCKET and send every byte back.
import os
import socket

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(os.environ["NETLAB_SOCKET"])
srv.listen()
while True:
    conn, _ = srv.accept()
    # TODO: serve each connection on its own; recv until b"", sendall, then shutdown(SHUT_WR)
    # TODO: on SIGTERM, os.unlink() the socket path and exit
    conn.close()

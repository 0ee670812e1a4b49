# echo-server: listen on NETLAB_HOST:NETLAB_PORT and send every byte back.
import os
import socket

srv = socket.create_server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
while True:
    conn, _ = srv.accept()
    # TODO: serve each connection on its own (two clients come at once)
    # TODO: recv until b"" and sendall() what came; then shutdown(socket.SHUT_WR)
    conn.close()

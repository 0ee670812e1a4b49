# bulk-server: on each connection, write the lines 0000000\n … 4194303\n (32 MiB), then end.
import os
import socket

LINES = 1 << 22

srv = socket.create_server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
while True:
    conn, _ = srv.accept()
    # TODO: build the lines a chunk at a time (say 8192 lines = 64 KiB) and sendall() each
    # TODO: never build all 32 MiB first; shutdown(socket.SHUT_WR) after the last line
    conn.close()

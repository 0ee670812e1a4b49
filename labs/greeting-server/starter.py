# greeting-server: greet with b"Echo server\r\n", then send every byte back.
import os
import socket

srv = socket.create_server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
while True:
    conn, _ = srv.accept()
    # TODO: sendall the greeting first, then recv/sendall until b"", then shutdown(SHUT_WR)
    conn.close()

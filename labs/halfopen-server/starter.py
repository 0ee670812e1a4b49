# halfopen-server: answer b"got N bytes\r\n" after the client's end, then close.
import os
import socket

srv = socket.create_server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
while True:
    conn, _ = srv.accept()
    # TODO: recv until b"" counting bytes, wait 0.1 s, then sendall the answer
    conn.close()

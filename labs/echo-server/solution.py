# echo-server: a thread per connection; sendall() blocks while the client is slow to read,
# which is Python's backpressure; shutdown(SHUT_WR) is our FIN once the client has ended.
import os
import socket
import socketserver


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        while True:
            data = sock.recv(65536)
            if not data:
                break
            sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Echo) as server:
    print("listening on", server.server_address[1], flush=True)
    server.serve_forever()

# greeting-server: a thread per connection; the greeting before anything else, then echo;
# shutdown(SHUT_WR) is our FIN once the client has ended.
import os
import socket
import socketserver


class Greet(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.sendall(b"Echo server\r\n")
        while True:
            data = sock.recv(65536)
            if not data:
                break
            sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Greet) as server:
    print("listening on", server.server_address[1], flush=True)
    server.serve_forever()

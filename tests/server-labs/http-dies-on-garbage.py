# Hand-written HTTP: answers /hello well, but a request line it cannot split kills it.
import os, socket
srv = socket.create_server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
while True:
    c, _ = srv.accept()
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            d = c.recv(65536)
            if not d:
                break
            buf += d
        if b"\r\n\r\n" not in buf:
            break
        head, buf = buf.split(b"\r\n\r\n", 1)
        method, path, version = head.split(b"\r\n")[0].split(b" ")  # ValueError on garbage
        body = b"Hello World\n" if path == b"/hello" else b"Not Found\n"
        status = b"200 OK" if path == b"/hello" else b"404 Not Found"
        c.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    c.close()

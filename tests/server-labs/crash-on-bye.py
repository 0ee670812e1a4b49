# Echoes (every connection at once, with selectors) until a client sends "bye": then it
# raises in its main loop — the process exits with status 1 in the middle of netlab's drive.
import os, selectors, socket

sel = selectors.DefaultSelector()
srv = socket.create_server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
srv.setblocking(False)
sel.register(srv, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        if key.fileobj is srv:
            c, _ = srv.accept()
            c.setblocking(True)
            sel.register(c, selectors.EVENT_READ)
            continue
        c = key.fileobj
        data = c.recv(65536)
        if data.startswith(b"bye"):
            raise ValueError("a client said bye, and this server takes it badly")
        if not data:
            sel.unregister(c)
            c.shutdown(socket.SHUT_WR)
            c.close()
        else:
            c.sendall(data)

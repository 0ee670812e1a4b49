# Verifies, but gives up after the first (the impostor's) handshake fails.
import http.client
import os
import ssl

ctx = ssl.create_default_context(cafile=os.environ["NETLAB_CA"])
conn = http.client.HTTPSConnection(os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"]), context=ctx)
try:
    conn.request("GET", "/hello")
    print(conn.getresponse().status)
except ssl.SSLError as e:
    print("refused", e)

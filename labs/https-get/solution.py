# https-get reference solution.
import http.client
import ssl
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

ctx = ssl.create_default_context(cafile=os.environ["NETLAB_CA"])


def get():
    conn = http.client.HTTPSConnection(host, port, context=ctx)
    conn.request("GET", "/hello")
    r = conn.getresponse()
    body = r.read().decode()
    conn.close()
    return r.status, body


# The first handshake meets the impostor: the default context verifies and refuses it.
try:
    get()
    print("accepted an untrusted certificate")
    raise SystemExit(1)
except ssl.SSLCertVerificationError as e:
    print("refused", e.verify_message)

# Every later handshake gets the real certificate.
status, body = get()
print(status)
print(body)

#!/usr/bin/env bash
# fix-crlf: this client is BROKEN. It speaks HTTP by hand through netcat: it should send
# GET /hello and print the status code, then the body (200, then Hello World and a token) —
# but the server answers 400 Bad Request. Run `netlab check fix-crlf`, read the report, fix it.
set -euo pipefail
resp=$(printf 'GET /hello HTTP/1.1\nHost: %s:%s\nConnection: close\n\n' "$NETLAB_HOST" "$NETLAB_PORT" |
  nc -N "$NETLAB_HOST" "$NETLAB_PORT")
status_line=${resp%%$'\r'*}
echo "$status_line" | cut -d' ' -f2
echo "${resp#*$'\r\n\r\n'}"

#!/usr/bin/env bash
# fix-crlf reference solution: every line of the head ends with \r\n (CR LF), as HTTP/1.1
# requires; Node's parser answers a bare \n with 400 Bad Request.
set -euo pipefail
resp=$(printf 'GET /hello HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$NETLAB_HOST" "$NETLAB_PORT" |
  nc -N "$NETLAB_HOST" "$NETLAB_PORT")
status_line=${resp%%$'\r'*}
echo "$status_line" | cut -d' ' -f2
echo "${resp#*$'\r\n\r\n'}"

#!/usr/bin/env bash
# fix-continue: this client is BROKEN. It should POST `netlab rocks` to /upload with
# `Expect: 100-continue` — sending the body only after the server's 100 Continue — and print
# the status code, then the body (201, then received 12 bytes). It prints that, yet the lab
# fails. Run `netlab check fix-continue`, read the report, and fix it.
set -euo pipefail
# Head and body in one go; the sleep keeps nc's sending side open until the answer is in.
resp=$({ printf 'POST /upload HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nnetlab rocks' \
  "$NETLAB_HOST" "$NETLAB_PORT"; sleep 1; } | nc -N "$NETLAB_HOST" "$NETLAB_PORT")
final=$resp
[[ $final == 'HTTP/1.1 100'* ]] && final=${final#*$'\r\n\r\n'}   # skip an interim 100 Continue
status_line=${final%%$'\r'*}
echo "$status_line" | cut -d' ' -f2
echo "${final#*$'\r\n\r\n'}"

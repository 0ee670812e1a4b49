#!/usr/bin/env bash
# fix-missing-end reference solution. bash's /dev/tcp cannot end only its sending side, so
# netcat does the talking: -N sends a FIN when its input ends, then nc prints what comes back
# until the server's FIN.
set -euo pipefail
printf 'hello\r\n' | nc -N "$NETLAB_HOST" "$NETLAB_PORT" | tr -d '\r'

#!/usr/bin/env bash
# unix-hello reference solution (netcat-openbsd: -U Unix socket, -N FIN at end of input).
set -euo pipefail
printf 'hello\r\n' | nc -N -U "$NETLAB_SOCKET" | tr -d '\r'

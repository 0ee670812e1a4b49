#!/usr/bin/env bash
# unix-hello: bash's /dev/tcp cannot open Unix sockets; use nc (netcat-openbsd).
set -euo pipefail

# TODO: send hello\r\n to "$NETLAB_SOCKET" with:  nc -N -U "$NETLAB_SOCKET"
#       (-N sends your FIN when your input ends), and print the reply without \r

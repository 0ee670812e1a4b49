#!/usr/bin/env bash
# dual-stack: connect over IPv4, then over IPv6, and print what the server says each time.
set -euo pipefail

for host in "$NETLAB_HOST" ::1; do
  # TODO: exec 3<>"/dev/tcp/$host/$NETLAB_PORT"; read the line; print it; exec 3>&-
  :
done

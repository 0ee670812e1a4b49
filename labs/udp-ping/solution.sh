#!/usr/bin/env bash
# udp-ping reference solution (bash's /dev/udp).
set -euo pipefail
exec 3<>"/dev/udp/$NETLAB_HOST/$NETLAB_PORT"
printf 'Hello Node.js' >&3
IFS= read -r -t 5 -N 4 reply <&3
echo "$reply"
exec 3>&-

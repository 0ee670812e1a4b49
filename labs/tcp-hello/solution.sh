#!/usr/bin/env bash
# tcp-hello reference solution (bash's /dev/tcp).
set -euo pipefail
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
printf 'hello\r\n' >&3
IFS= read -r line <&3
echo "${line%$'\r'}"
exec 3>&-

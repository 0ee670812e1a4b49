#!/usr/bin/env bash
# tcp-idle reference solution.
set -euo pipefail
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
printf 'hi\r\n' >&3
while IFS= read -r line <&3; do
  echo "${line%$'\r'}"
done
exec 3>&-

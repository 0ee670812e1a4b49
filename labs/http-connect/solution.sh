#!/usr/bin/env bash
# http-connect reference solution.
set -euo pipefail
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
printf 'CONNECT echo.netlab:7 HTTP/1.1\r\nHost: echo.netlab:7\r\n\r\n' >&3
while IFS= read -r line <&3; do
  [ "${line%$'\r'}" = "" ] && break
done
printf 'tunnel\n' >&3
IFS= read -r echoed <&3
echo "$echoed"
exec 3>&-

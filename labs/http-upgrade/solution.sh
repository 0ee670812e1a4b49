#!/usr/bin/env bash
# http-upgrade reference solution.
set -euo pipefail
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
printf 'GET /chat HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: netlab-echo\r\n\r\n' "$NETLAB_HOST" >&3
while IFS= read -r line <&3; do
  [ "${line%$'\r'}" = "" ] && break
done
printf 'hi\n' >&3
IFS= read -r echoed <&3
echo "$echoed"
exec 3>&-

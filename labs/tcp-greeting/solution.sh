#!/usr/bin/env bash
# tcp-greeting reference solution.
set -euo pipefail
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
IFS= read -r greeting <&3
echo "${greeting%$'\r'}"
printf 'ping\r\n' >&3
IFS= read -r echoed <&3
echo "${echoed%$'\r'}"
exec 3>&-

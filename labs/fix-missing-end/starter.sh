#!/usr/bin/env bash
# fix-missing-end: this client is BROKEN. It should send hello\r\n to the echo server, print
# the echo (hello) and exit — but it never prints anything and never exits.
# Run it with `netlab check fix-missing-end`, read the report, and fix it.
set -euo pipefail
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
printf 'hello\r\n' >&3
got=$(cat <&3)   # until the server's FIN
echo "${got%$'\r'}"
exec 3>&-

#!/usr/bin/env bash
# tcp-idle: say hi, then stay quiet until the server says bye (bash's /dev/tcp).
set -euo pipefail

# TODO 1: exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"; printf 'hi\r\n' >&3
# TODO 2: while IFS= read -r line <&3; do ...print without \r...; done
# TODO 3: exec 3>&-

#!/usr/bin/env bash
# tcp-greeting: let the server speak first (bash's /dev/tcp).
set -euo pipefail

# TODO 1: exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
# TODO 2: read the greeting line first, print it without \r
# TODO 3: send ping\r\n, read and print the echo, close with exec 3>&-

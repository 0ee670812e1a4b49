#!/usr/bin/env bash
# http-upgrade: switch to raw bytes after 101 (bash's /dev/tcp).
set -euo pipefail
# TODO: exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"; printf the GET /chat head >&3
# TODO: read lines until an empty one (\r only), then printf 'hi\n' >&3, read and print the echo

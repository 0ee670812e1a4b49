#!/usr/bin/env bash
# http-connect: a tunnel through CONNECT (bash's /dev/tcp).
set -euo pipefail
# TODO: exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"; printf the CONNECT head >&3
# TODO: read lines until an empty one, then printf 'tunnel\n' >&3, read and print the echo

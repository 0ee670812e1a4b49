#!/usr/bin/env bash
# http-basic-auth reference solution.
set -euo pipefail
curl -s -u netlab:sockets "http://$NETLAB_HOST:$NETLAB_PORT/secret"
echo

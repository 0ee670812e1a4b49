#!/usr/bin/env bash
# http-basic-auth: GET /secret with Basic credentials.
set -euo pipefail
# TODO: curl -s -u netlab:sockets "http://$NETLAB_HOST:$NETLAB_PORT/secret"

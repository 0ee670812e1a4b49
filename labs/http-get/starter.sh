#!/usr/bin/env bash
# http-get: GET /hello with Accept: text/plain; print status, then body.
set -euo pipefail
# TODO: body=$(curl -s -H 'Accept: text/plain' "http://$NETLAB_HOST:$NETLAB_PORT/hello")
# TODO: get the status with -w '%{http_code}' and print it first

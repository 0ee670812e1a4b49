#!/usr/bin/env bash
# https-get: GET /hello over TLS, trusting only the CA in NETLAB_CA.
set -euo pipefail
# TODO: curl -s --cacert "$NETLAB_CA" -w ... "https://$NETLAB_HOST:$NETLAB_PORT/hello"

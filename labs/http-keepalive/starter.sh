#!/usr/bin/env bash
# http-keepalive: GET /one then GET /two on one connection.
set -euo pipefail
# TODO: curl -s -w '\n' URL1 URL2   (one curl command reuses its connection)

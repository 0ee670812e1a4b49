#!/usr/bin/env bash
# https-get reference solution.
set -euo pipefail
out=$(curl -s --cacert "$NETLAB_CA" -w '\n%{http_code}' "https://$NETLAB_HOST:$NETLAB_PORT/hello")
echo "${out##*$'\n'}"
echo "${out%$'\n'*}"

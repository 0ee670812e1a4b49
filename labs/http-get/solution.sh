#!/usr/bin/env bash
# http-get reference solution.
set -euo pipefail
out=$(curl -s -H 'Accept: text/plain' -w '\n%{http_code}' "http://$NETLAB_HOST:$NETLAB_PORT/hello")
echo "${out##*$'\n'}"
echo "${out%$'\n'*}"

#!/usr/bin/env bash
# http-post-continue reference solution.
set -euo pipefail
out=$(curl -s --expect100-timeout 10 -H 'Expect: 100-continue' -H 'Content-Type: text/plain' \
  --data 'netlab rocks' -w '\n%{http_code}' "http://$NETLAB_HOST:$NETLAB_PORT/upload")
echo "${out##*$'\n'}"
echo "${out%$'\n'*}"

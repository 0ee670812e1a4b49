#!/usr/bin/env bash
# fix-continue reference solution: curl speaks Expect: 100-continue itself and holds the body
# back until the 100 arrives (up to --expect100-timeout seconds; the default, 1 s, is short).
set -euo pipefail
out=$(curl -s --expect100-timeout 10 -H 'Expect: 100-continue' -H 'Content-Type: text/plain' \
  --data 'netlab rocks' -w '\n%{http_code}' "http://$NETLAB_HOST:$NETLAB_PORT/upload")
echo "${out##*$'\n'}"
echo "${out%$'\n'*}"

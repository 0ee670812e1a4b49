#!/usr/bin/env bash
# https-get reference solution.
set -uo pipefail
url="https://$NETLAB_HOST:$NETLAB_PORT/hello"
# The first handshake meets the impostor: curl verifies and refuses it (exit status 60).
if curl -s --cacert "$NETLAB_CA" -o /dev/null "$url"; then
  echo "accepted an untrusted certificate"
  exit 1
fi
echo "refused (curl exit status $?)"
# Every later handshake gets the real certificate.
out=$(curl -s --cacert "$NETLAB_CA" -w '\n%{http_code}' "$url") || exit 1
echo "${out##*$'\n'}"
echo "${out%$'\n'*}"

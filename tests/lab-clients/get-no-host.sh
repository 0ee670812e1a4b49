#!/usr/bin/env bash
# http-get over a raw socket without a Host header: the server answers 400 and closes.
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
printf 'GET /hello HTTP/1.1\r\nAccept: text/plain\r\n\r\n' >&3
IFS=' ' read -r _ status _ <&3
echo "$status"

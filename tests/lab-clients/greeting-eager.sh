#!/usr/bin/env bash
# Speaks before the greeting.
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
printf 'ping\r\n' >&3
IFS= read -r a <&3; echo "${a%$'\r'}"
IFS= read -r b <&3; echo "${b%$'\r'}"
exec 3>&-

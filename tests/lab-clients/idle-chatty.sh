#!/usr/bin/env bash
# Sends hi, then keeps sending "still here" so the server never idles... until it gives up.
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
printf 'hi\r\n' >&3
for i in 1 2 3; do printf 'still here\r\n' >&3; read -r -t 0.3 line <&3 || true; done
exec 3>&-
echo hi
echo bye

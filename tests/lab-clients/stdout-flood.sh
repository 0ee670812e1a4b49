#!/usr/bin/env bash
# Floods stdout (1 GiB), never connects.
head -c 1073741824 /dev/zero

#!/usr/bin/env bash
# Prints the expected output without talking to the server.
echo hello

#!/bin/sh
# `make run`: the hub in the foreground on https://127.0.0.1:8000, its state
# in ./state (git-ignored). On the first start it creates the admin user and
# prints the password once. Extra arguments go to `rig hub`.
set -eu
cd "$(dirname "$0")/.."
mkdir -p state
chmod 700 state
exec build/rig hub --state-dir "$PWD/state" --listen "${RIG_LISTEN:-127.0.0.1:8000}" "$@"

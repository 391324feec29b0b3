#!/bin/sh
# Quick start: build lejr, create a demo database and start lejrd on
# 127.0.0.1:8080 in the foreground (Ctrl-C stops it).
#
#   scripts/demo.sh [PORT]
#
# Everything lands in _build/ beside the sources; the demo database
# survives restarts in _build/demo/lejr.db.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
port=${1:-8080}
build=$top/_build
demo=$build/demo

"$top/scripts/deps.sh" build

cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p "$build" "$demo"
cd "$build"
[ -f Makefile ] || "$top/configure" -q --enable-silent-rules
make -s -j"$(nproc)" >/dev/null

cat >"$demo/lejr.conf" <<CONF
[server]
listen = 127.0.0.1
port = $port
public_url = http://127.0.0.1:$port
database = $demo/lejr.db
log_level = info

[plugins]
directory = $build/.libs
load = journal reports
CONF

out=$(./lejrctl -d "$demo/lejr.db" demo)
echo "$out"
token=$(echo "$out" | sed -n 's/^token[[:space:]]*//p')
url=http://127.0.0.1:$port/api/mcp

cat <<TEXT

MCP URL       $url
Settings      http://127.0.0.1:$port/settings  (sign in as above)

Point an MCP client at it, either with the token:

    claude mcp add --transport http lejr $url \\
        --header "Authorization: Bearer $token"

or with no token at all: clients that speak OAuth (Claude, MCP
Inspector) open a browser window where you sign in and choose the
organizations they may reach.

Starting lejrd (config $demo/lejr.conf); Ctrl-C stops it.
TEXT
exec ./lejrd -c "$demo/lejr.conf"

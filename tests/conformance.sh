#!/bin/sh
# Run the official MCP conformance suite against a real lejrd that loads
# the test-only conformance plugin (tests/plugins/conformance.c).  The
# suite sends no token, so this lejrd runs with auth = none, which lejrd
# accepts only on a loopback address.
#
# LEJR_BUILD: the build directory (after make check, which builds the
# fixture plugins).  Ends with "conformance: N passed, N failed".
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${LEJR_BUILD:-$top/_build/check}
e2e=$top/tests/e2e
node=$e2e/node_modules/.bin/node
suite=$e2e/node_modules/@modelcontextprotocol/conformance/dist/index.js
tmp=$(mktemp -d)
pid=""

cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

if [ ! -x "$node" ] || [ ! -f "$suite" ]; then
	(cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error) || {
		echo "conformance: 0 passed, 1 failed"
		exit 1
	}
fi

port=$("$node" -e 'const s=require("net").createServer();
s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

cat >"$tmp/lejr.conf" <<CONF
[server]
listen = 127.0.0.1
port = $port
public_url = http://localhost:$port
database = $tmp/lejr.db
auth = none
log_level = info

[plugins]
directory = $build/tests/plugins/.libs
load = conformance
CONF

"$build/lejrd" -c "$tmp/lejr.conf" >"$tmp/lejrd.log" 2>&1 &
pid=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$port/.well-known/oauth-protected-resource"; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		cat "$tmp/lejrd.log"
		echo "conformance: 0 passed, 1 failed"
		exit 1
	fi
	sleep 0.1
done

"$node" "$suite" server --url "http://localhost:$port/api/mcp" \
	-o "$tmp/results" >"$tmp/suite.log" 2>&1
rc=$?
cat "$tmp/suite.log"

# The suite's summary has one line per scenario, "✓ NAME: P passed, F
# failed", or "✗ ..." when one of its checks failed; its own closing
# "Total:" line counts checks, not scenarios.  A scenario that started
# but has no summary line (the suite died) counts as failed.
total=$(grep -c '^=== Running scenario:' "$tmp/suite.log")
ok=$(grep -cE '^✓ [^ ]+: [0-9]+ passed, [0-9]+ failed$' "$tmp/suite.log")
bad=$(grep -cE '^✗ [^ ]+: [0-9]+ passed, [0-9]+ failed$' "$tmp/suite.log")
if [ "$total" -eq 0 ]; then
	echo "--- lejrd log"
	cat "$tmp/lejrd.log"
	echo "conformance: 0 passed, 1 failed"
	exit 1
fi
[ $((ok + bad)) -lt "$total" ] && bad=$((total - ok))
[ $rc -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
if [ "$bad" -ne 0 ]; then
	echo "--- lejrd log"
	cat "$tmp/lejrd.log"
fi
echo "conformance: $ok passed, $bad failed"
[ $rc -eq 0 ]

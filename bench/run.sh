#!/bin/sh
# Load benchmark of lejrd on loopback, printing figures beside a bare
# evhttp handler and the disk's rate of durable SQLite transactions.
#
#   bench/run.sh [BUILD_DIR] [SECONDS]
#
# Needs wrk, node and curl (scripts/deps.sh bench).  Figures are printed,
# never asserted: they depend on the machine.  LEJR_BENCH_WORKERS sets
# lejrd's worker threads for reads (8, lejr.conf's default), and
# LEJR_BENCH_WRITE_WORKERS those for writes: 32 by default, one per
# connection, so that every waiting write can join the next group commit
# (docs/BENCHMARKS.md).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/_build/check}" && pwd)
secs=${2:-10}
conns=32
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/lejr-bench.XXXXXX")
pids=""

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	wait 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

. "$top/bench/common.sh"
make -s -C "$build" lejrd lejrctl journal.la reports.la bench/bare \
	bench/sqlite-fsync

port=18480
bport=18481
bench_conf "$tmp/lejr.conf" $port "$tmp/lejr.db" "$build" \
	"workers = ${LEJR_BENCH_WORKERS:-8}
write_workers = ${LEJR_BENCH_WRITE_WORKERS:-32}
log_level = info"
TOKEN=$(bench_token "$build" "$tmp/lejr.db" accountant write)
export TOKEN

"$build/lejrd" -c "$tmp/lejr.conf" 2>"$tmp/lejrd.log" &
lejrd=$!
pids="$pids $lejrd"
"$build/bench/bare" $bport &
pids="$pids $!"
sleep 0.5

url=http://127.0.0.1:$port/api/mcp
SESSION=$(bench_session "$url" "$TOKEN")
export SESSION

echo "machine: $(nproc) cores, $(uname -r), disk of $tmp"
echo "seeding..."
node "$top/bench/seed.mjs" "$url" "$TOKEN" "$SESSION" 10000

run() {
	# run NAME URL BODY
	BODY=$3 wrk -t2 -c$conns -d"${secs}s" --latency \
		-s "$top/bench/call.lua" "$2" 2>&1 |
		sed -n 's/^rps=/rps=/p' | sed "s/^/$1: /"
}

run bare "http://127.0.0.1:$bport/" '{}'
# The floor under every tool call: a JSON-RPC request through the
# transport, authentication and session check, no tool.
run ping "$url" '{"jsonrpc":"2.0","id":2,"method":"ping"}'
run list_accounts "$url" '{"jsonrpc":"2.0","id":2,"method":"tools/call",
"params":{"name":"list_accounts","arguments":{}}}'
run trial_balance "$url" '{"jsonrpc":"2.0","id":2,"method":"tools/call",
"params":{"name":"trial_balance","arguments":{"as_of":"2026-12-31"}}}'
run post_journal_entry "$url" '{"jsonrpc":"2.0","id":3,"method":"tools/call",
"params":{"name":"post_journal_entry","arguments":{"date":"2026-06-30",
"memo":"bench posting","lines":[{"account":"6300","debit":"12.34"},
{"account":"1100","credit":"12.34"}]}}}'

fsync=$("$build/bench/sqlite-fsync" "$tmp/fsync.db" "$secs")
echo "sqlite durable transactions/s (same disk): $fsync"
echo "lejrd peak RSS: $(sed -n 's/^VmHWM:[[:space:]]*//p' \
	"/proc/$lejrd/status")"

# How full the group commits were: the writer's count, logged as it stops.
kill "$lejrd"
wait "$lejrd" 2>/dev/null || :
sed -n 's/.*\(writer: .*\)/\1/p' "$tmp/lejrd.log"

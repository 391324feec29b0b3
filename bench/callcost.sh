#!/bin/sh
# Instructions per MCP tool call, counted by callgrind, so that the
# figure does not depend on the machine's load: lejrd runs under
# valgrind on a copy of a seeded database, one client sends a call 100
# times, then (a new run) 400 times, and the difference of the two
# totals over 300 is the cost of one call on every thread (event loop,
# worker, writer), start-up and shut-down excluded.
#
#   bench/callcost.sh [BUILD_DIR]
#
# Needs valgrind, node and curl (scripts/deps.sh bench).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/_build/check}" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/lejr-callcost.XXXXXX")
lejrd=""

cleanup() {
	[ -z "$lejrd" ] || kill "$lejrd" 2>/dev/null || :
	wait 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

. "$top/bench/common.sh"
make -s -C "$build" lejrd lejrctl journal.la reports.la

port=18485
url=http://127.0.0.1:$port/api/mcp
bench_conf "$tmp/lejr.conf" $port "$tmp/run.db" "$build" "workers = 4
log_level = warn"
TOKEN=$(bench_token "$build" "$tmp/seed.db" accountant write)

wait_up() {
	for _ in $(seq 200); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
		sleep 0.1
	done
	echo "lejrd did not start" >&2
	exit 1
}

# The seeded ledger: 10,000 postings, as bench/run.sh has.
cp "$tmp/seed.db" "$tmp/run.db"
"$build/lejrd" -c "$tmp/lejr.conf" 2>>"$tmp/lejrd.log" &
lejrd=$!
wait_up
SESSION=$(bench_session "$url" "$TOKEN")
node "$top/bench/seed.mjs" "$url" "$TOKEN" "$SESSION" 10000 >/dev/null
kill "$lejrd"
wait "$lejrd" || :
lejrd=""
cp "$tmp/run.db" "$tmp/seed.db"

# total N NAME ARGS: instructions of a whole run with N calls
total() {
	cp "$tmp/seed.db" "$tmp/run.db"
	rm -f "$tmp/run.db-wal" "$tmp/run.db-shm"
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
		"$build/lejrd" -c "$tmp/lejr.conf" 2>>"$tmp/lejrd.log" &
	lejrd=$!
	wait_up
	node "$top/bench/callcost.mjs" "$url" "$TOKEN" "$1" "$2" "$3"
	kill "$lejrd"
	wait "$lejrd" || :
	lejrd=""
	sed -n 's/^totals: //p' "$tmp/cg.out"*
	rm -f "$tmp/cg.out"*
}

cost() {
	# cost NAME ARGS: print instructions per call
	a=$(total 100 "$1" "$2")
	b=$(total 400 "$1" "$2")
	echo "$1: $(( (b - a) / 300 )) instructions per call"
}

cost list_accounts '{}'
cost trial_balance '{"as_of":"2026-12-31"}'
cost post_journal_entry '{"date":"2026-06-30","memo":"bench posting",
"lines":[{"account":"6300","debit":"12.34"},
{"account":"1100","credit":"12.34"}]}'

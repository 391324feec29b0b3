#!/bin/sh
# Report speed on a large ledger: trial balance, balance sheet and a
# profit and loss of twelve monthly columns through lejrd with 32
# concurrent clients, printed beside yardsticks measured in the same
# run on the same lines: a plain SQL GROUP BY in sqlite3, and ledger
# and hledger reading the journal that lejrctl exports.  Then the
# latency of a small read (list_accounts) alone and while long reports
# run.
#
#   bench/reports.sh [BUILD_DIR] [POSTINGS] [SECONDS]
#
# Defaults: _build/check, 1000000 postings, 10 s per wrk run.  Needs
# wrk, sqlite3, ledger, hledger and curl; hyperfine when installed
# (scripts/deps.sh bench).  Figures are printed, never asserted: they
# depend on the machine.  LEJR_BENCH_LEDGER=FILE keeps the generated
# database in FILE, and a later run with the same FILE and number of
# postings starts from a copy of it instead of generating it again.
# lejrd runs with the workers of lejr.conf's defaults.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/_build/check}" && pwd)
postings=${2:-1000000}
secs=${3:-10}
conns=32
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/lejr-reports.XXXXXX")
pids=""

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	wait 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

. "$top/bench/common.sh"
make -s -C "$build" lejrd lejrctl journal.la reports.la bench/genledger

db=$tmp/lejr.db
port=18490
ctl() { "$build/lejrctl" -d "$db" "$@"; }

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' \
	/proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ { print $2 }') GiB"
echo "kernel $(uname -r); disk of $tmp: $(df -h "$tmp" | awk 'NR == 2 {
	print $1 }')"
echo "$(hledger --version | head -1); $(ledger --version | head -1);"\
" sqlite3 $(sqlite3 --version | cut -d' ' -f1); wrk $(wrk -v 2>&1 |
	head -1 | cut -d' ' -f2)"
echo

# ---- the ledger ----

kept=${LEJR_BENCH_LEDGER:+$LEJR_BENCH_LEDGER.$postings}
if [ -n "$kept" ] && [ -f "$kept" ]; then
	echo "starting from $kept"
	cp "$kept" "$db"
	TOKEN=$(ctl token create bench@lejr.example --org bench \
		--access read 2>/dev/null | grep -o 'lejr_pat_[A-Za-z0-9_-]*')
else
	TOKEN=$(bench_token "$build" "$db" viewer read)
	echo "generating $postings postings..."
	"$build/bench/genledger" "$db" bench "$postings"
	[ -z "$kept" ] || cp "$db" "$kept"
fi
export TOKEN

since() {
	# since START: milliseconds from START (date +%s.%N) to now
	awk -v a="$1" -v b="$(date +%s.%N)" \
		'BEGIN { printf "%.1f", (b - a) * 1000 }'
}

start=$(date +%s.%N)
ctl export bench --output "$tmp/bench.journal"
echo "lejrctl export: $(since "$start") ms," \
	"$(du -m "$tmp/bench.journal" | cut -f1) MB"
echo

# ---- lejrd ----

bench_conf "$tmp/lejr.conf" $port "$db" "$build"

"$build/lejrd" -c "$tmp/lejr.conf" 2>"$tmp/lejrd.log" &
lejrd=$!
pids="$pids $lejrd"
sleep 0.5

url=http://127.0.0.1:$port/api/mcp
SESSION=$(bench_session "$url" "$TOKEN")
export SESSION

call() {
	# call TOOL ARGUMENTS: the JSON-RPC body of a tools/call
	printf '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":'
	printf '{"name":"%s","arguments":%s}}' "$1" "$2"
}

wrk_one() {
	# wrk_one CONNECTIONS SECONDS BODY: rps, p50 and p99 of one run,
	# and the first unexpected answer if any
	BODY=$3 wrk -t"$(($1 < 2 ? 1 : 2))" -c"$1" -d"$2s" --latency \
		-s "$top/bench/call.lua" "$url" >"$tmp/wrk.out" 2>&1 || :
	grep '^rps=' "$tmp/wrk.out" | tr '\n' ' '
	grep -E 'unexpected answer|Non-2xx|errors' "$tmp/wrk.out" |
		tr '\n' ' ' || :
}

wrk_run() {
	# wrk_run NAME BODY: alone (one client: the call's own time), then
	# with $conns concurrent clients
	printf '%-26s 1 client: %s\n' "$1" "$(wrk_one 1 $short "$2")"
	printf '%-26s %s clients: %s\n' "" $conns "$(wrk_one $conns $secs "$2")"
}

tb_date=2025-09-17
TB=$(call trial_balance "{\"as_of\":\"$tb_date\"}")
TB_ALL=$(call trial_balance '{}')
BS=$(call balance_sheet "{\"as_of\":\"$tb_date\"}")
PL=$(call profit_and_loss \
	'{"from":"2025-01-01","to":"2025-12-31","columns":"month"}')
GL=$(call general_ledger '{"account":"1100","from":"2024-01-01",
	"to":"2025-12-31","limit":500}')
SMALL=$(call list_accounts '{}')

short=$(((secs + 2) / 3))
echo "lejrd: 1 client for $short s, then $conns for $secs s (latency in ms)"
wrk_run "list_accounts (a floor)" "$SMALL"
wrk_run "trial_balance $tb_date" "$TB"
wrk_run "trial_balance all time" "$TB_ALL"
wrk_run "balance_sheet $tb_date" "$BS"
wrk_run "profit_and_loss 12 months" "$PL"
wrk_run "general_ledger 500 lines" "$GL"
echo

# ---- the yardsticks, on the same lines ----

measure() {
	# measure NAME RUNS COMMAND: mean wall time of COMMAND (a shell
	# command line), with hyperfine when there is one
	if command -v hyperfine >/dev/null 2>&1; then
		hyperfine --style none --runs "$2" \
			--export-json "$tmp/hf.json" "$3" >/dev/null 2>&1
		mean=$(sed -n 's/^ *"mean": \([0-9.e-]*\),*$/\1/p' \
			"$tmp/hf.json" | head -1)
		printf '%-28s %s ms (mean of %s)\n' "$1:" "$(awk \
			-v m="$mean" 'BEGIN { printf "%.1f", m * 1000 }')" "$2"
	else
		start=$(date +%s.%N)
		sh -c "$3"
		printf '%-28s %s ms (one run)\n' "$1:" "$(since "$start")"
	fi
}

org="(SELECT id FROM orgs WHERE slug = 'bench')"
q_all="SELECT account_id, sum(amount) FROM lines WHERE org_id = $org
	GROUP BY account_id"
q_date="SELECT account_id, sum(amount) FROM lines WHERE org_id = $org
	AND date <= '$tb_date' GROUP BY account_id"
q_month="SELECT account_id, substr(date, 1, 7), sum(amount) FROM lines
	WHERE org_id = $org AND date BETWEEN '2025-01-01' AND '2025-12-31'
	GROUP BY 1, 2"
J=$tmp/bench.journal

echo "yardsticks on the same $postings lines:"
measure "SQL GROUP BY as of date" 5 "sqlite3 $db \"$q_date\" >/dev/null"
measure "SQL GROUP BY all time" 5 "sqlite3 $db \"$q_all\" >/dev/null"
measure "SQL GROUP BY 12 months" 5 "sqlite3 $db \"$q_month\" >/dev/null"
measure "ledger bal" 3 "ledger -f $J bal >/dev/null"
measure "hledger bal" 1 "LANG=C.UTF-8 hledger -f $J bal --flat -O csv \
	>$tmp/hledger.csv"
echo

# hledger's balances must be ours (a cheap check of the big export):
# "code minor-units" from both, compared
sqlite3 -separator ' ' "$db" "SELECT a.code, t.debit - t.credit
	FROM account_totals t JOIN accounts a ON a.id = t.account_id
	WHERE t.org_id = $org AND t.debit <> t.credit" |
	LC_ALL=C sort >"$tmp/ours"
sed '1d; /^"total"/d; s/^"//; s/"$//' "$tmp/hledger.csv" |
	awk -F'","' '{ v = $2; gsub(/,/, "", v); sub(/ EUR$/, "", v);
		       sub(/\./, "", v); n = split($1, p, ":");
		       split(p[n], c, " "); printf "%s %.0f\n", c[1], v }' |
	LC_ALL=C sort >"$tmp/theirs"
echo "hledger and lejr differ on $(LC_ALL=C comm -3 "$tmp/ours" \
	"$tmp/theirs" | wc -l) of $(wc -l <"$tmp/ours") account balances"
echo

# ---- a small read while long reports run ----

echo "list_accounts, 4 connections, alone and beside long reports:"
wrk_small() {
	wrk_one 4 $secs "$SMALL"
}
printf '%-28s %s\n' "alone:" "$(wrk_small)"

BODY=$PL wrk -t1 -c14 -d"$((secs + 2))s" -s "$top/bench/call.lua" "$url" \
	>"$tmp/wrk.bg1" 2>&1 &
bg1=$!
BODY=$GL wrk -t1 -c14 -d"$((secs + 2))s" -s "$top/bench/call.lua" "$url" \
	>"$tmp/wrk.bg2" 2>&1 &
bg2=$!
pids="$pids $bg1 $bg2"
sleep 1
printf '%-28s %s\n' "beside P&L + GL (28 conns):" "$(wrk_small)"
wait $bg1 $bg2 || :
printf '%-28s %s\n' "  the P&L meanwhile:" "$(grep '^rps=' "$tmp/wrk.bg1")"
printf '%-28s %s\n' "  the GL meanwhile:" "$(grep '^rps=' "$tmp/wrk.bg2")"

echo
echo "lejrd peak RSS: $(sed -n 's/^VmHWM:[[:space:]]*//p' \
	"/proc/$lejrd/status")"

#!/bin/sh
# lejrctl end to end on a scratch database: commands, output, exit codes.
set -u

builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
ctl="$builddir/lejrctl"
[ -x "$ctl" ] || { echo "no lejrctl at $ctl"; exit 99; }

tmp=$(mktemp -d /tmp/lejrctl-test-XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
db="$tmp/lejr.db"
fails=0

ok() {
	# ok DESCRIPTION COMMAND...: the command must exit 0
	desc=$1; shift
	if "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo "ok: $desc"
	else
		echo "FAIL: $desc (exit $?)"; cat "$tmp/err"; fails=$((fails + 1))
	fi
}

status() {
	# status WANT DESCRIPTION COMMAND...: the command must exit WANT
	want=$1; desc=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		echo "ok: $desc"
	else
		echo "FAIL: $desc (exit $got, wanted $want)"
		cat "$tmp/err"; fails=$((fails + 1))
	fi
}

has() {
	# has DESCRIPTION PATTERN FILE: FILE must match PATTERN
	if grep -Eq -- "$2" "$3"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: no /$2/ in:"; cat "$3"; fails=$((fails + 1))
	fi
}

c() { "$ctl" -d "$db" "$@"; }

status 2 "no command is a usage error" "$ctl"
status 0 "help" "$ctl" help
status 0 "--help" "$ctl" --help
has "--help lists the commands" "user password EMAIL" "$tmp/out"
has "help lists the commands" "token revoke ID" "$tmp/out"
status 2 "unknown command" c frobnicate
status 2 "missing arguments" c org create acme

ok "org create" c org create acme "Acme Ltd" EUR
has "org create says it seeded the chart" "chart of accounts" "$tmp/out"
status 1 "duplicate org" c org create acme "Again" EUR
has "duplicate org is named" "already exists" "$tmp/err"
status 1 "unknown currency" c org create x "X" ABC
ok "org create --empty" c org create yen "Tokyo KK" JPY --empty
ok "org list" c org list
has "org list is a table" "^acme +Acme Ltd +EUR" "$tmp/out"
ok "org list --json" c org list --json
has "org list --json" '"currency": "JPY"' "$tmp/out"
ok "org lock" c org lock acme 2024-03-31
status 1 "org lock refuses a bad date" c org lock acme 2024-02-30
ok "org unlock" c org lock acme none
ok "org set fiscal-year-start" c org set acme fiscal-year-start 04-01
ok "org list shows the fiscal year start" c org list --json
has "fiscal year start stored" '"fiscal_year_start": "04-01"' "$tmp/out"
status 1 "fiscal-year-start refuses 02-29" \
	c org set acme fiscal-year-start 02-29
status 2 "org set refuses an unknown setting" c org set acme colour red

echo "correct horse" >"$tmp/pw"
ok "user create with password" sh -c \
	"'$ctl' -d '$db' user create ann@example.com 'Ann' --password-stdin \
	 <'$tmp/pw'"
ok "user create" c user create bob@example.com "Bob"
status 1 "duplicate user" c user create BOB@example.com "Bob"
ok "member set" c member set acme ann@example.com owner
ok "member set viewer" c member set acme bob@example.com viewer
status 2 "member set bad role" c member set acme bob@example.com boss
status 1 "last owner stays" c member set acme ann@example.com viewer
ok "user list" c user list
has "user list shows roles" "acme:viewer" "$tmp/out"
echo "battery staple" >"$tmp/pw2"
ok "user password" sh -c \
	"'$ctl' -d '$db' user password bob@example.com <'$tmp/pw2'"
has "user password says sign-ins end" "web sign-ins ended" "$tmp/out"
ok "user list after a new password" c user list
has "bob has a password" "^bob@example.com +Bob +yes" "$tmp/out"
ok "user password --none" c user password bob@example.com --none
ok "user list after removing it" c user list
has "bob has none" "^bob@example.com +Bob +no" "$tmp/out"
status 1 "user password for an unknown user" \
	c user password nobody@example.com --none
echo "short" >"$tmp/pw3"
status 1 "user password refuses a short one" sh -c \
	"'$ctl' -d '$db' user password ann@example.com <'$tmp/pw3'"

status 1 "token for a non-member org" \
	c token create ann@example.com --org acme,yen
"$ctl" -d "$db" token create ann@example.com --org acme --label "Claude" \
	--expires-days 30 >"$tmp/token" 2>"$tmp/err"
has "token printed alone on stdout" '^lejr_pat_[A-Za-z0-9_-]{43}$' \
	"$tmp/token"
status 2 "token bad access" \
	c token create ann@example.com --org acme --access admin
status 2 "token bad expiry" \
	c token create ann@example.com --org acme --expires-days 0
ok "token list" c token list
has "token list is a table" "^1 +ann@example.com +Claude +write +acme" \
	"$tmp/out"
if grep -q "$(cat "$tmp/token")" "$db"* 2>/dev/null; then
	echo "FAIL: the token text is stored in the database"
	fails=$((fails + 1))
else
	echo "ok: the token text is not stored"
fi
ok "token revoke" c token revoke 1
status 1 "token revoke twice" c token revoke 1
status 1 "token revoke unknown" c token revoke 99
ok "token list --user" c token list --user ann@example.com --json
has "revoked token shows it" '"revoked": "20' "$tmp/out"
ok "token for an org named twice" \
	c token create ann@example.com --org acme,acme --access read
has "the org is named once" "^token [0-9]+ for ann@example.com \\(read \
access to acme\\);" "$tmp/err"

ok "demo" c demo
has "demo prints a token" "^token +lejr_pat_" "$tmp/out"
has "demo prints a password" "^password +[A-Za-z0-9]{20}$" "$tmp/out"
ok "demo again" c demo
ok "org list after demo" c org list --json
n=$(grep -c '"slug": "demo"' "$tmp/out")
[ "$n" -eq 1 ] && echo "ok: demo is idempotent" ||
	{ echo "FAIL: $n demo orgs"; fails=$((fails + 1)); }

printf '[server]\ndatabase = %s\n' "$db" >"$tmp/lejr.conf"
ok "-c reads the database from lejr.conf" "$ctl" -c "$tmp/lejr.conf" org list
has "-c found the data" "^acme" "$tmp/out"
LEJR_DB="$db" "$ctl" org list >"$tmp/out" 2>&1
has "LEJR_DB names the database" "^acme" "$tmp/out"

[ $fails -eq 0 ] && echo "lejrctl: all checks passed"
[ $fails -eq 0 ]

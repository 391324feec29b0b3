#!/bin/sh
# The configurations users copy: the README's example and the sample
# lejr.conf that make install puts in etc/ must both be accepted by
# lejrd as written, with every directory substituted; and
# --check-config reports what would stop lejrd from starting.
set -u

builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
lejrd="$builddir/lejrd"
[ -x "$lejrd" ] || { echo "no lejrd at $lejrd"; exit 99; }

tmp=$(mktemp -d /tmp/lejr-confdoc-XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0

check() {
	# check DESCRIPTION FILE [ARGS]: lejrd --check-config must accept
	# FILE
	desc=$1; file=$2; shift 2
	if "$lejrd" --check-config -c "$file" "$@" >"$tmp/out" 2>&1; then
		echo "ok: $desc"
	else
		echo "FAIL: $desc"; cat "$tmp/out"; fails=$((fails + 1))
	fi
}

# The README's example: the indented block from "[server]" to the
# first blank line after "[plugins]", with its database moved here.
awk '
	/^    \[server\]$/ { on = 1 }
	on && /^    \[plugins\]$/ { plugins = 1 }
	on && plugins && /^$/ { exit }
	on { sub(/^    /, ""); print }
' "$srcdir/README.md" |
	sed "s|^database = .*|database = $tmp/readme.db|" >"$tmp/readme.conf"
if grep -q '^\[plugins\]' "$tmp/readme.conf"; then
	check "the README's example configuration" "$tmp/readme.conf"
else
	echo "FAIL: no example configuration found in README.md"
	fails=$((fails + 1))
fi

sample="$builddir/conf/lejr.conf"
if grep -n '@[a-z]*@' "$sample"; then
	echo "FAIL: the sample lejr.conf keeps placeholders"
	fails=$((fails + 1))
else
	echo "ok: the sample lejr.conf names real directories"
fi
# its database's directory is made by make install, not here
check "the sample lejr.conf as installed" "$sample" -d "$tmp/sample.db"

# Forms lejrd takes: an address written short, a database as an
# SQLite URI, a database named without a directory.
printf '[server]\nlisten = 127.1\ndatabase = file:%s/u.db\n' "$tmp" \
	>"$tmp/forms.conf"
check "a short address and a database URI" "$tmp/forms.conf"
(cd "$tmp" && "$lejrd" --check-config -c "$tmp/forms.conf" -d here.db \
	>"$tmp/out" 2>&1) || {
	echo "FAIL: a database in the working directory"; cat "$tmp/out"
	fails=$((fails + 1))
}

# What only starting would find: a listen address that is none, a
# database directory that is missing (errors), a missing plugin (a
# warning: lejrd runs without it).
printf '[server]\nlisten = 999.1.1.1\ndatabase = %s/no/such/dir/x.db\n\n' \
	"$tmp" >"$tmp/bad.conf"
printf '[plugins]\ndirectory = %s\nload = nosuch\n' "$tmp" >>"$tmp/bad.conf"
if "$lejrd" --check-config -c "$tmp/bad.conf" >"$tmp/out" 2>&1; then
	echo "FAIL: --check-config accepted a configuration lejrd cannot start"
	fails=$((fails + 1))
elif grep -q 'listen = 999.1.1.1: neither' "$tmp/out" &&
     grep -q 'its directory is missing' "$tmp/out" &&
     grep -q 'plugin nosuch: no readable' "$tmp/out"; then
	echo "ok: --check-config reports the address, directory and plugin"
else
	echo "FAIL: --check-config did not name every problem"; cat "$tmp/out"
	fails=$((fails + 1))
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }

#!/bin/sh
# The configurations users copy: the README's example and the sample
# lejr.conf that make install puts in etc/ must both be accepted by
# lejrd as written, with every directory substituted.
set -u

builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
lejrd="$builddir/lejrd"
[ -x "$lejrd" ] || { echo "no lejrd at $lejrd"; exit 99; }

tmp=$(mktemp -d /tmp/lejr-confdoc-XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0

check() {
	# check DESCRIPTION FILE: lejrd --check-config must accept FILE
	if "$lejrd" --check-config -c "$2" >"$tmp/out" 2>&1; then
		echo "ok: $1"
	else
		echo "FAIL: $1"; cat "$tmp/out"; fails=$((fails + 1))
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
check "the sample lejr.conf as installed" "$sample"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }

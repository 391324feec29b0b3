#!/bin/sh
# Install what building and testing lejr needs on Debian 12, skipping
# packages already present.  Usage: scripts/deps.sh [build|test|bench]
set -eu

build="build-essential autoconf automake libtool pkg-config
	libevent-dev libjansson-dev libsqlite3-dev libssl-dev
	libinih-dev libargon2-dev libcriterion-dev libxml2-dev sqlite3 curl
	ca-certificates"
# hledger (1.25 in Debian 12) and ledger read lejrctl's exports: the
# correctness oracle of the reports, and yardsticks of their speed.
test="$build nodejs npm chromium hledger ledger"
bench="$test wrk hyperfine"

case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
*) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=""
for pkg in $want; do
	# Node may come from elsewhere than Debian; accept any node and npm.
	case $pkg in
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
		grep -q "install ok installed" || missing="$missing $pkg"
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null

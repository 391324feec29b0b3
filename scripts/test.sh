#!/bin/sh
# Build lejr and run the whole test suite: unit tests (Criterion), the
# style check, end-to-end tests with real MCP clients against a real
# lejrd, the official MCP conformance suite, and make distcheck.
#
#   scripts/test.sh            as root on a bare Debian 12 machine, it
#                              first installs what is missing
#
# Ends with one line "N passed, N failed" over every test group.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/_build/check
passed=0
failed=0

step() {
	printf '\n==== %s\n' "$*"
}

count() {
	# count PASSED FAILED: add to the totals
	passed=$((passed + $1))
	failed=$((failed + $2))
}

die() {
	echo "test.sh: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

step "dependencies"
"$top/scripts/deps.sh" test || die "cannot install dependencies"

step "build"
cd "$top" || die "no source tree"
autoreconf -fi >/dev/null 2>&1 || die "autoreconf failed"
mkdir -p "$build" && cd "$build" || die "cannot create $build"
"$top/configure" -q || die "configure failed"
make -j"$(nproc)" >make.log 2>&1 || { tail -40 make.log; die "make failed"; }
grep -E 'warning:' make.log && die "the build has warnings"

step "unit tests and checks (make check)"
make -j"$(nproc)" check >check.log 2>&1
rc=$?
grep -E '^(PASS|FAIL|XFAIL|XPASS|ERROR|SKIP):' check.log
p=$(grep -cE '^(PASS|XFAIL|SKIP):' check.log)
f=$(grep -cE '^(FAIL|XPASS|ERROR):' check.log)
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
[ "$f" -ne 0 ] && cat test-suite.log
count "$p" "$f"

step "end-to-end tests (real lejrd, real MCP clients)"
cd "$top/tests/e2e" || die "no tests/e2e"
if npm ci --no-audit --no-fund >npm.log 2>&1; then
	LEJR_BUILD=$build ./node_modules/.bin/node --test \
		--test-concurrency=1 --test-reporter=spec ./*.test.mjs \
		>"$build/e2e.log" 2>&1
	rc=$?
	cat "$build/e2e.log"
	p=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$build/e2e.log")
	f=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$build/e2e.log")
	p=${p:-0}
	f=${f:-1}
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	count "$p" "$f"
else
	cat npm.log
	count 0 1
fi

step "MCP conformance suite"
LEJR_BUILD=$build sh "$top/tests/conformance.sh" >"$build/conformance.log" 2>&1
rc=$?
tail -60 "$build/conformance.log"
p=$(sed -n 's/^conformance: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' \
	"$build/conformance.log")
f=$(sed -n 's/^conformance: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' \
	"$build/conformance.log")
p=${p:-0}
f=${f:-1}
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
count "$p" "$f"

step "make distcheck"
cd "$build" || die "no build dir"
if make -j"$(nproc)" distcheck >distcheck.log 2>&1; then
	count 1 0
	echo "distcheck: ok"
else
	tail -60 distcheck.log
	count 0 1
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# Build examples/hello the way a third-party author would, against the
# headers and lejr.pc that "make install" puts in place, then check that
# it (and the installed journal.so and reports.so) exports only
# lejr_plugin_entry and loads: dlopen, the entry point, the ABI version,
# init() registering its tools against a stand-in API table.
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-.}
CC=${CC:-cc}
MAKE=${MAKE:-make}

for tool in pkg-config nm "$CC" "$MAKE"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not found"
		exit 77
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lejr-example.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' 0
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	exit 1
}

# The outer make's flags (its jobserver above all) mean nothing to the
# makes started here.
run_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$MAKE" "$@"
}

# ---- install the build tree into a staging directory ----

if ! (cd "$top_builddir" && run_make install DESTDIR="$tmp/dest") \
	>"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	fail "make install DESTDIR=... failed"
fi

pc=$(find "$tmp/dest" -name lejr.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] || fail "make install put no pkgconfig/lejr.pc in place"

# lejr.pc names the final prefix; point its absolute paths into the
# staging directory, as if lejr had been installed there.
mkdir -p "$tmp/pc" || exit 99
sed "s|^\([A-Za-z_][A-Za-z0-9_]*\)=/|\1=$tmp/dest/|" "$pc" \
	>"$tmp/pc/lejr.pc" || exit 99
PKG_CONFIG_PATH=$tmp/pc
export PKG_CONFIG_PATH

includedir=$(pkg-config --variable=includedir lejr) ||
	fail "pkg-config cannot read the installed lejr.pc"
plugindir=$(pkg-config --variable=plugindir lejr)
for h in plugin.h ledger.h; do
	[ -f "$includedir/lejr/$h" ] ||
		fail "lejr/$h is not installed under $includedir"
done
case $plugindir in
"$tmp/dest/"*) ;;
*) fail "plugindir $plugindir is outside the installation" ;;
esac

# ---- build and install the example out of tree ----

mkdir -p "$tmp/hello" || exit 99
for f in hello.c hello.map Makefile; do
	cp "$top_srcdir/examples/hello/$f" "$tmp/hello/" || exit 99
done

if ! (cd "$tmp/hello" && run_make CC="$CC" CFLAGS="-O2 -g -Werror" &&
	run_make install) >"$tmp/hello.log" 2>&1; then
	cat "$tmp/hello.log"
	fail "examples/hello does not build against the installed headers"
fi
[ -f "$plugindir/hello.so" ] ||
	fail "make install of hello put nothing in $plugindir"

# ---- exported symbols ----

check_exports() {
	exports=$(nm -D --defined-only "$1" | awk '{ print $NF }')
	[ "$exports" = lejr_plugin_entry ] ||
		fail "$1 exports more than lejr_plugin_entry: $exports"
}

check_exports "$plugindir/hello.so"

journal=
if [ -f "$top_builddir/.libs/journal.so" ]; then
	journal=$plugindir/journal.so
	[ -f "$journal" ] || fail "journal.so was built but not installed"
	check_exports "$journal"
fi

reports=
if [ -f "$top_builddir/.libs/reports.so" ]; then
	reports=$plugindir/reports.so
	[ -f "$reports" ] || fail "reports.so was built but not installed"
	check_exports "$reports"
fi

# ---- load them as the core would ----

cat >"$tmp/load.c" <<'EOF'
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lejr/plugin.h>

static int bad;

/* A tool's schemas must be JSON objects and its metadata complete. */
static int
fake_register_tool(struct lejr_plugin *p, const struct lejr_tool *t)
{
	json_t *in, *out;

	in = json_loads(t->input_schema, 0, NULL);
	out = t->output_schema ? json_loads(t->output_schema, 0, NULL) : NULL;
	if (!json_is_object(in) || (t->output_schema && !json_is_object(out))
	    || t->title == NULL || t->description == NULL
	    || t->handler == NULL) {
		printf("bad tool %s\n", t->name);
		bad = 1;
	}
	printf("%s %s %u\n", t->name,
	       t->access == LEJR_ACCESS_READ ? "read" : "write",
	       t->annotations);
	json_decref(in);
	json_decref(out);
	return LEJR_OK;
}

static void
fake_log(struct lejr_plugin *p, enum lejr_log_level level, const char *fmt,
	 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
main(int argc, char **argv)
{
	struct lejr_api api = {
		.abi_version = LEJR_ABI_VERSION,
		.size = sizeof(struct lejr_api),
		.register_tool = fake_register_tool,
		.log = fake_log,
	};
	const struct lejr_plugin_desc *desc;
	lejr_plugin_entry_fn entry;
	void *h;
	int self;

	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		printf("dlopen: %s\n", dlerror());
		return 1;
	}
	entry = (lejr_plugin_entry_fn)dlsym(h, LEJR_PLUGIN_ENTRY);
	if (entry == NULL || (desc = entry()) == NULL) {
		printf("no %s\n", LEJR_PLUGIN_ENTRY);
		return 1;
	}
	if (desc->abi_version >> 16 != LEJR_ABI_MAJOR
	    || (desc->abi_version & 0xffff) > LEJR_ABI_MINOR
	    || desc->init == NULL) {
		printf("ABI %#x refused (core %#x)\n",
		       (unsigned)desc->abi_version, LEJR_ABI_VERSION);
		return 1;
	}
	printf("plugin %s\n", desc->name);
	if (desc->init((struct lejr_plugin *)&self, &api) != 0) {
		printf("init failed\n");
		return 1;
	}
	if (desc->fini != NULL)
		desc->fini((struct lejr_plugin *)&self);
	dlclose(h);
	return bad;
}
EOF

# shellcheck disable=SC2046
if ! $CC -std=c11 -Wall -Werror -o "$tmp/load" "$tmp/load.c" \
	$(pkg-config --cflags lejr) $(pkg-config --libs lejr) -ldl \
	>"$tmp/cc.log" 2>&1; then
	cat "$tmp/cc.log"
	fail "a loader cannot be built against the installed headers"
fi

expect_tools() {
	so=$1
	shift
	"$tmp/load" "$so" >"$tmp/tools" 2>&1 || {
		cat "$tmp/tools"
		fail "$so does not load"
	}
	printf '%s\n' "$@" >"$tmp/want"
	if ! diff "$tmp/want" "$tmp/tools" >"$tmp/diff"; then
		cat "$tmp/diff"
		fail "$so registers other tools than expected"
	fi
}

# annotations: 1 read-only, 2 destructive, 4 idempotent
expect_tools "$plugindir/hello.so" "plugin hello" "hello_balance read 5"

if [ -n "$journal" ]; then
	expect_tools "$journal" "plugin journal" \
		"list_accounts read 5" \
		"create_account write 0" \
		"archive_account write 4" \
		"post_journal_entry write 0" \
		"get_journal_entry read 5" \
		"list_journal_entries read 5" \
		"reverse_journal_entry write 0"
fi

if [ -n "$reports" ]; then
	expect_tools "$reports" "plugin reports" \
		"trial_balance read 5" \
		"account_balance read 5" \
		"assert_balance read 5" \
		"balance_sheet read 5" \
		"profit_and_loss read 5" \
		"general_ledger read 5"
fi

echo "PASS: hello.so${journal:+, journal.so}${reports:+, reports.so} built," \
	"installed and loaded"
exit 0

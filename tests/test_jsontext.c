/*
 * test_jsontext.c - the compact JSON text of answers: byte for byte
 * what jansson's json_dumps() writes, for strings of every kind of
 * byte at every offset of the word-at-a-time copy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "jsontext.h"

/* Our text of value, or NULL when it failed (malloc'd). */
static char *
text_of(json_t *value)
{
	struct lejr_text t = { 0 };

	lejr_text_json(&t, value);
	if (t.failed) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

static void
expect_same(json_t *value)
{
	char *ours = text_of(value);
	char *theirs = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);

	cr_assert_not_null(ours);
	cr_assert_not_null(theirs);
	cr_expect_str_eq(ours, theirs);
	free(ours);
	free(theirs);
}

/* Pieces a string is made of: plain ASCII, each kind of escape, and
 * UTF-8 sequences of two, three and four bytes. */
static const char *const pieces[] = {
	"a", "Z", "0", " ", "~", "\x7f", "/", "\"", "\\", "\n", "\t", "\r",
	"\b", "\f", "\x01", "\x1f", "\xc3\xa9", "\xe2\x82\xac",
	"\xf0\x9f\x92\xb6", "Kontoauszug ", "12345678",
};

Test(jsontext, strings_as_jansson_writes_them)
{
	unsigned seed = 12345;

	for (int round = 0; round < 4000; round++) {
		char buf[256];
		size_t len = 0;
		int n;
		json_t *s;

		seed = seed * 1103515245u + 12345u;
		n = (int)(seed >> 16) % 24;
		for (int i = 0; i < n; i++) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % (sizeof(pieces) /
						  sizeof(pieces[0]))];
			if (len + strlen(p) >= sizeof(buf))
				break;
			memcpy(buf + len, p, strlen(p));
			len += strlen(p);
		}
		s = json_stringn(buf, len);
		cr_assert_not_null(s, "round %d", round);
		expect_same(s);
		json_decref(s);
	}
}

Test(jsontext, values_as_jansson_writes_them)
{
	json_t *v = json_pack("{s:[i,i,b,b,n,s], s:{s:s, s:I}, s:[]}",
			      "a", 0, -42, 1, 0, "x\"y",
			      "o", "k\\ey", "v\n", "big", (json_int_t)INT64_MIN,
			      "e");

	cr_assert_not_null(v);
	expect_same(v);
	json_decref(v);
}

Test(jsontext, refuses_what_is_not_utf8)
{
	static const char *const bad[] = {
		"\xff", "abcdefgh\x80", "\xc0\xaf", "\xed\xa0\x80",
		"12345678901234\xf4\x90\x80\x80", "\xe2\x82",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *s = json_stringn_nocheck(bad[i], strlen(bad[i]));
		char *t = text_of(s);

		cr_expect_null(t, "case %zu was written: %s", i, t);
		free(t);
		json_decref(s);
	}
}

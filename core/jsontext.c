/*
 * jsontext.c - compact JSON text of jansson values (see jsontext.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsontext.h"

/* Scratch texts larger than this are not kept between calls. */
#define SCRATCH_KEEP (64 * 1024)

/* Deeper than any answer; a value nested further is taken for a loop,
 * which json_dumps() refuses too. */
#define DEPTH_MAX 2048

/* Bytes that a JSON string escapes: 0 none, 'u' as \u00XX, else the
 * letter after the backslash. */
static const char escapes[256] = {
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	['"'] = '"', ['\\'] = '\\',
};

static int
grow(struct lejr_text *t, size_t n)
{
	size_t cap;
	char *s;

	if (t->failed)
		return -1;
	if (t->len + n + 1 <= t->cap)
		return 0;
	/* A first reservation is taken as it is: often the exact size. */
	cap = t->cap > 0 ? t->cap : 1024;
	if (t->cap == 0 && cap < n + 1)
		cap = n + 1;
	while (cap < t->len + n + 1)
		cap *= 2;
	s = realloc(t->s, cap);
	if (s == NULL) {
		t->failed = 1;
		return -1;
	}
	t->s = s;
	t->cap = cap;
	return 0;
}

void
lejr_text_reserve(struct lejr_text *t, size_t n)
{
	grow(t, n);
}

/* One byte; the room is usually there. */
static void
add_char(struct lejr_text *t, char c)
{
	if (t->len + 2 > t->cap && grow(t, 1) != 0)
		return;
	t->s[t->len++] = c;
	t->s[t->len] = '\0';
}

void
lejr_text_add(struct lejr_text *t, const char *s, size_t n)
{
	if (grow(t, n) != 0)
		return;
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/* The length of the UTF-8 sequence at s (n bytes left), or 0 when it is
 * not one jansson accepts: no overlong forms, surrogates or values past
 * U+10FFFF. */
static size_t
utf8_sequence(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t v;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xC2 || s[0] > 0xF4)
		return 0;
	len = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if (len > n)
		return 0;

	v = s[0] & (0x7F >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
	    (len == 3 && v < 0x800) || (len == 4 && v < 0x10000))
		return 0;
	return len;
}

size_t
lejr_text_escaped_length(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = n;

	for (size_t i = 0; i < n; i++) {
		char e = escapes[u[i]];

		if (e != 0)
			len += e == 'u' ? 5 : 1;
	}
	return len;
}

/* Does any of the eight bytes of w need more than a copy: a control
 * character, a quote, a backslash, or a byte past ASCII? */
static uint64_t
word_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u;
	const uint64_t high = 0x8080808080808080u;
	uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');

	/* A byte below 0x20, or one that equals the quote or the slash,
	 * borrows into its high bit; bytes past ASCII have it already. */
	return ((((w - ones * 0x20) | (quote - ones) | (slash - ones)) & ~w) |
		w) & high;
}

/* The length of the run of bytes at u (n of them) that need only a
 * copy, eight at a time while there are eight. */
static size_t
plain_run(const unsigned char *u, size_t n)
{
	size_t i = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, u + i, sizeof(w));
		if (word_special(w))
			break;
	}
	while (i < n && u[i] < 0x80 && escapes[u[i]] == 0)
		i++;
	return i;
}

/*
 * Append s (n bytes) escaped.  With check, bytes past ASCII must form
 * UTF-8 sequences: jansson refuses to write other strings.
 */
static void
escape(struct lejr_text *t, const char *s, size_t n, int check)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, step;
	char *out, e;

	/* Room for the worst case (six bytes out for one in) when there
	 * is, else for the exact length, counted. */
	if (t->cap - t->len < 6 * n + 1 &&
	    grow(t, lejr_text_escaped_length(s, n)) != 0)
		return;
	out = t->s + t->len;
	while (i < n) {
		unsigned char c;

		step = plain_run(u + i, n - i);
		memcpy(out, u + i, step);
		out += step;
		i += step;
		if (i == n)
			break;

		c = u[i];
		if (c >= 0x80) {
			step = check ? utf8_sequence(u + i, n - i) : 1;
			if (step == 0) {
				t->failed = 1;
				return;
			}
			memcpy(out, u + i, step);
			out += step;
			i += step;
			continue;
		}
		i++;
		e = escapes[c];
		*out++ = '\\';
		if (e != 'u') {
			*out++ = e;
			continue;
		}
		memcpy(out, "u00", 3);
		out[3] = hex[c >> 4];
		out[4] = hex[c & 15];
		out += 5;
	}
	t->len = (size_t)(out - t->s);
	t->s[t->len] = '\0';
}

void
lejr_text_escaped(struct lejr_text *t, const char *s, size_t n)
{
	escape(t, s, n, 1);
}

/* A string with its quotes. */
static void
add_string(struct lejr_text *t, const char *s, size_t n)
{
	add_char(t, '"');
	escape(t, s, n, 1);
	add_char(t, '"');
}

static void
add_integer(struct lejr_text *t, json_int_t v)
{
	char rev[24], out[24];
	unsigned long long mag;
	size_t n = 0, o = 0;

	mag = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	do {
		rev[n++] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag != 0);
	if (v < 0)
		out[o++] = '-';
	while (n > 0)
		out[o++] = rev[--n];
	lejr_text_add(t, out, o);
}

/* Reals are rare in answers (money is text): jansson writes them, so
 * that their digits stay exactly its own. */
static void
add_real(struct lejr_text *t, json_t *value)
{
	char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);

	if (text == NULL) {
		t->failed = 1;
		return;
	}
	lejr_text_add(t, text, strlen(text));
	free(text);
}

static void add_value(struct lejr_text *t, json_t *value, int depth);

static void
add_object(struct lejr_text *t, json_t *value, int depth)
{
	const char *key;
	json_t *member;
	int first = 1;

	add_char(t, '{');
	json_object_foreach(value, key, member) {
		if (!first)
			add_char(t, ',');
		first = 0;
		add_string(t, key, strlen(key));
		add_char(t, ':');
		add_value(t, member, depth + 1);
		if (t->failed)
			return;
	}
	add_char(t, '}');
}

static void
add_array(struct lejr_text *t, json_t *value, int depth)
{
	size_t n = json_array_size(value);

	add_char(t, '[');
	for (size_t i = 0; i < n && !t->failed; i++) {
		if (i > 0)
			add_char(t, ',');
		add_value(t, json_array_get(value, i), depth + 1);
	}
	add_char(t, ']');
}

static void
add_value(struct lejr_text *t, json_t *value, int depth)
{
	if (depth > DEPTH_MAX || value == NULL) {
		t->failed = 1;
		return;
	}
	switch (json_typeof(value)) {
	case JSON_OBJECT:
		add_object(t, value, depth);
		break;
	case JSON_ARRAY:
		add_array(t, value, depth);
		break;
	case JSON_STRING:
		add_string(t, json_string_value(value),
			   json_string_length(value));
		break;
	case JSON_INTEGER:
		add_integer(t, json_integer_value(value));
		break;
	case JSON_REAL:
		add_real(t, value);
		break;
	case JSON_TRUE:
		lejr_text_add(t, "true", 4);
		break;
	case JSON_FALSE:
		lejr_text_add(t, "false", 5);
		break;
	case JSON_NULL:
		lejr_text_add(t, "null", 4);
		break;
	}
}

void
lejr_text_json(struct lejr_text *t, json_t *value)
{
	add_value(t, value, 0);
}

/* ---- scratch texts ---- */

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_key_ok;

static void
scratch_free(void *arg)
{
	struct lejr_text *t = arg;

	for (int i = 0; i < LEJR_TEXT_SCRATCH; i++)
		free(t[i].s);
	free(t);
}

static void
scratch_key_make(void)
{
	scratch_key_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
}

struct lejr_text *
lejr_text_scratch(int which)
{
	struct lejr_text *t;

	if (which < 0 || which >= LEJR_TEXT_SCRATCH)
		return NULL;
	pthread_once(&scratch_once, scratch_key_make);
	if (!scratch_key_ok)
		return NULL;
	t = pthread_getspecific(scratch_key);
	if (t == NULL) {
		t = calloc(LEJR_TEXT_SCRATCH, sizeof(*t));
		if (t == NULL || pthread_setspecific(scratch_key, t) != 0) {
			free(t);
			return NULL;
		}
	}
	t += which;
	t->len = 0;
	t->failed = 0;
	return t;
}

void
lejr_text_scratch_done(struct lejr_text *t)
{
	if (t == NULL || t->cap <= SCRATCH_KEEP)
		return;
	free(t->s);
	t->s = NULL;
	t->len = t->cap = 0;
}

/*
 * jsontext.c - compact JSON text of jansson values (see jsontext.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsontext.h"

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
	cap = t->cap > 0 ? t->cap : 256;
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

/*
 * Append s (n bytes) escaped, in one pass over room for the worst case
 * (six bytes out for one in).  With check, bytes past ASCII must form
 * UTF-8 sequences: jansson refuses to write other strings.
 */
static void
escape(struct lejr_text *t, const char *s, size_t n, int check)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, step;
	char *out, e;

	if (grow(t, 6 * n) != 0)
		return;
	out = t->s + t->len;
	while (i < n) {
		unsigned char c = u[i];

		if (c >= 0x80 && check) {
			step = utf8_sequence(u + i, n - i);
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
		if (e == 0) {
			*out++ = (char)c;
			continue;
		}
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
	lejr_text_add(t, "\"", 1);
	escape(t, s, n, 1);
	lejr_text_add(t, "\"", 1);
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

	lejr_text_add(t, "{", 1);
	json_object_foreach(value, key, member) {
		if (!first)
			lejr_text_add(t, ",", 1);
		first = 0;
		add_string(t, key, strlen(key));
		lejr_text_add(t, ":", 1);
		add_value(t, member, depth + 1);
		if (t->failed)
			return;
	}
	lejr_text_add(t, "}", 1);
}

static void
add_array(struct lejr_text *t, json_t *value, int depth)
{
	size_t n = json_array_size(value);

	lejr_text_add(t, "[", 1);
	for (size_t i = 0; i < n && !t->failed; i++) {
		if (i > 0)
			lejr_text_add(t, ",", 1);
		add_value(t, json_array_get(value, i), depth + 1);
	}
	lejr_text_add(t, "]", 1);
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

/*
 * jsonschema.c - checking and enforcing the JSON Schema subset of tools.
 */
#include <inttypes.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonschema.h"

/* A walk through a schema or a value: where we are, and where any
 * message goes. */
struct walk {
	char path[512];
	size_t plen;
	char *msg;
	size_t len;
};

enum type_bit {
	T_NULL = 1 << 0,
	T_BOOLEAN = 1 << 1,
	T_OBJECT = 1 << 2,
	T_ARRAY = 1 << 3,
	T_NUMBER = 1 << 4,
	T_STRING = 1 << 5,
	T_INTEGER = 1 << 6
};

static const struct {
	const char *name;
	const char *phrase;
	unsigned bit;
} type_names[] = {
	/* The order is the one in which messages list expected types. */
	{ "object", "an object", T_OBJECT },
	{ "array", "an array", T_ARRAY },
	{ "string", "a string", T_STRING },
	{ "integer", "an integer", T_INTEGER },
	{ "number", "a number", T_NUMBER },
	{ "boolean", "a boolean", T_BOOLEAN },
	{ "null", "null", T_NULL },
};

#define NTYPES (sizeof(type_names) / sizeof(type_names[0]))

/* Keywords with no effect on validation. */
static const char *const annotation_keywords[] = {
	"$schema", "$id", "$comment", "title", "description", "default",
	"examples", "deprecated", "readOnly", "writeOnly", NULL
};

static int validate(json_t *schema, json_t *value, struct walk *w);
static int check(json_t *schema, struct walk *w);

static void
walk_init(struct walk *w, char *msg, size_t len)
{
	w->path[0] = '\0';
	w->plen = 0;
	w->msg = msg;
	w->len = len;
}

/* Append a path segment; returns the length to restore with walk_pop. */
static size_t
walk_push(struct walk *w, const char *fmt, ...)
{
	size_t saved = w->plen;
	va_list ap;
	int n;

	if (w->plen >= sizeof(w->path) - 1)
		return saved;

	va_start(ap, fmt);
	n = vsnprintf(w->path + w->plen, sizeof(w->path) - w->plen, fmt, ap);
	va_end(ap);

	if (n > 0)
		w->plen += (size_t)n;
	if (w->plen >= sizeof(w->path))
		w->plen = sizeof(w->path) - 1;
	return saved;
}

static void
walk_pop(struct walk *w, size_t saved)
{
	w->plen = saved;
	w->path[saved] = '\0';
}

/* A property segment: ".name", or "name" at the top. */
static size_t
walk_push_key(struct walk *w, const char *key)
{
	return walk_push(w, w->plen > 0 ? ".%s" : "%s", key);
}

__attribute__((format(printf, 2, 3)))
static int
walk_fail(struct walk *w, const char *fmt, ...)
{
	char text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	if (w->msg == NULL || w->len == 0)
		return -1;
	if (w->plen > 0)
		snprintf(w->msg, w->len, "%s: %s", w->path, text);
	else
		snprintf(w->msg, w->len, "%s", text);
	return -1;
}

/* ---- types ---- */

static unsigned
type_bit_of(const char *name)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strcmp(name, type_names[i].name) == 0)
			return type_names[i].bit;
	return 0;
}

/* The set of types a schema's "type" allows; 0 when it has none. */
static unsigned
type_mask(json_t *schema)
{
	json_t *type, *item;
	unsigned mask = 0;
	size_t i;

	if (!json_is_object(schema))
		return 0;
	type = json_object_get(schema, "type");
	if (json_is_string(type))
		return type_bit_of(json_string_value(type));
	json_array_foreach(type, i, item)
		if (json_is_string(item))
			mask |= type_bit_of(json_string_value(item));
	return mask;
}

static int
type_matches(unsigned mask, json_t *value)
{
	if ((mask & T_NULL) && json_is_null(value))
		return 1;
	if ((mask & T_BOOLEAN) && json_is_boolean(value))
		return 1;
	if ((mask & T_OBJECT) && json_is_object(value))
		return 1;
	if ((mask & T_ARRAY) && json_is_array(value))
		return 1;
	if ((mask & T_STRING) && json_is_string(value))
		return 1;
	if ((mask & T_NUMBER) && json_is_number(value))
		return 1;
	/* A real such as 2.0 is refused: handlers read integers with
	 * json_integer_value(), which would see 0. */
	if ((mask & T_INTEGER) && json_is_integer(value))
		return 1;
	return 0;
}

/* "a string or a number", "an object, an array or null". */
static void
type_phrase(unsigned mask, char *buf, size_t len)
{
	size_t n = 0, count = 0, seen = 0;

	for (size_t i = 0; i < NTYPES; i++)
		if (mask & type_names[i].bit)
			count++;

	buf[0] = '\0';
	for (size_t i = 0; i < NTYPES && n < len; i++) {
		const char *sep = "";

		if (!(mask & type_names[i].bit))
			continue;
		if (seen > 0)
			sep = seen + 1 == count ? " or " : ", ";
		n += (size_t)snprintf(buf + n, len - n, "%s%s", sep,
				      type_names[i].phrase);
		seen++;
	}
}

/* ---- small helpers ---- */

static int
values_equal(json_t *a, json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b))
		return json_integer_value(a) == json_integer_value(b);
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	return json_equal(a, b);
}

/* Compare a number to a limit: <0, 0, >0; exact for two integers. */
static int
number_cmp(json_t *value, json_t *limit)
{
	double a, b;

	if (json_is_integer(value) && json_is_integer(limit)) {
		json_int_t x = json_integer_value(value);
		json_int_t y = json_integer_value(limit);

		return (x > y) - (x < y);
	}
	a = json_number_value(value);
	b = json_number_value(limit);
	return (a > b) - (a < b);
}

/* A limit or constant as short text for a message. */
static void
value_text(json_t *value, char *buf, size_t len)
{
	char *text;

	text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
	if (text == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%s", text);
	free(text);
}

/* Length in characters of UTF-8 text (jansson guarantees validity). */
static size_t
utf8_length(const char *s, size_t bytes)
{
	size_t n = 0;

	for (size_t i = 0; i < bytes; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
lejr_schema_date_valid(const char *text)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int year, month, day, max;

	if (text == NULL || strlen(text) != 10 || text[4] != '-' ||
	    text[7] != '-')
		return 0;
	if (!digits(text, 4) || !digits(text + 5, 2) ||
	    !digits(text + 8, 2))
		return 0;

	year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 +
	       (text[2] - '0') * 10 + (text[3] - '0');
	month = (text[5] - '0') * 10 + (text[6] - '0');
	day = (text[8] - '0') * 10 + (text[9] - '0');
	if (year < 1 || month < 1 || month > 12 || day < 1)
		return 0;

	max = days[month - 1];
	if (month == 2 && year % 4 == 0 &&
	    (year % 100 != 0 || year % 400 == 0))
		max = 29;
	return day <= max;
}

static int
is_annotation(const char *key)
{
	for (size_t i = 0; annotation_keywords[i] != NULL; i++)
		if (strcmp(key, annotation_keywords[i]) == 0)
			return 1;
	return 0;
}

/* ---- compiled patterns ---- */

/*
 * Compiling a pattern costs far more than matching it, and the same few
 * patterns are matched on every call (each amount of a report's output):
 * each thread keeps the ones it compiled.  Per thread, because glibc
 * serialises matches on a shared regex_t.
 */
#define PATTERNS_KEPT 32

struct pattern_cache {
	size_t n;
	struct {
		char *text;
		regex_t re;
	} kept[PATTERNS_KEPT];
};

static pthread_key_t pattern_key;
static pthread_once_t pattern_once = PTHREAD_ONCE_INIT;
static int pattern_key_ok;

static void
pattern_cache_free(void *arg)
{
	struct pattern_cache *c = arg;

	for (size_t i = 0; i < c->n; i++) {
		regfree(&c->kept[i].re);
		free(c->kept[i].text);
	}
	free(c);
}

static void
pattern_key_make(void)
{
	pattern_key_ok = pthread_key_create(&pattern_key,
					    pattern_cache_free) == 0;
}

/* The calling thread's cache, or NULL when there can be none. */
static struct pattern_cache *
pattern_cache(void)
{
	struct pattern_cache *c;

	pthread_once(&pattern_once, pattern_key_make);
	if (!pattern_key_ok)
		return NULL;
	c = pthread_getspecific(pattern_key);
	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c != NULL && pthread_setspecific(pattern_key, c) != 0) {
		free(c);
		c = NULL;
	}
	return c;
}

/* Does s match pattern?  1 or 0; -1 when the pattern does not compile. */
static int
pattern_match(const char *pattern, const char *s)
{
	struct pattern_cache *c = pattern_cache();
	regex_t re;
	char *text;
	int match;

	for (size_t i = 0; c != NULL && i < c->n; i++)
		if (strcmp(c->kept[i].text, pattern) == 0)
			return regexec(&c->kept[i].re, s, 0, NULL, 0) == 0;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	match = regexec(&re, s, 0, NULL, 0) == 0;

	text = c != NULL && c->n < PATTERNS_KEPT ? strdup(pattern) : NULL;
	if (text == NULL) {
		regfree(&re);
		return match;
	}
	c->kept[c->n].text = text;
	c->kept[c->n].re = re;
	c->n++;
	return match;
}

/* ---- validation ---- */

static int
validate_string(json_t *schema, json_t *value, struct walk *w)
{
	const char *s = json_string_value(value);
	size_t chars = utf8_length(s, json_string_length(value));
	json_t *kw;
	int match;

	kw = json_object_get(schema, "minLength");
	if (kw != NULL && chars < (size_t)json_integer_value(kw))
		return walk_fail(w, "must be at least %" JSON_INTEGER_FORMAT
				 " characters long", json_integer_value(kw));

	kw = json_object_get(schema, "maxLength");
	if (kw != NULL && chars > (size_t)json_integer_value(kw))
		return walk_fail(w, "must be at most %" JSON_INTEGER_FORMAT
				 " characters long", json_integer_value(kw));

	kw = json_object_get(schema, "pattern");
	match = kw != NULL ? pattern_match(json_string_value(kw), s) : 1;
	if (match < 0)
		return walk_fail(w, "has an invalid pattern");
	if (match == 0)
		return walk_fail(w, "does not match the pattern %s",
				 json_string_value(kw));

	kw = json_object_get(schema, "format");
	if (json_is_string(kw) && strcmp(json_string_value(kw), "date") == 0
	    && !lejr_schema_date_valid(s))
		return walk_fail(w, "must be a calendar date, YYYY-MM-DD");

	return 0;
}

static int
validate_number(json_t *schema, json_t *value, struct walk *w)
{
	static const struct {
		const char *keyword;
		int bad_sign;     /* comparison result that fails */
		int bad_if_equal;
		const char *phrase;
	} limits[] = {
		{ "minimum", -1, 0, "at least" },
		{ "maximum", 1, 0, "at most" },
		{ "exclusiveMinimum", -1, 1, "greater than" },
		{ "exclusiveMaximum", 1, 1, "less than" },
	};
	char text[64];

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		json_t *kw = json_object_get(schema, limits[i].keyword);
		int c;

		if (kw == NULL)
			continue;
		c = number_cmp(value, kw);
		if (c == 0 && limits[i].bad_if_equal)
			c = limits[i].bad_sign;
		if (c == limits[i].bad_sign) {
			value_text(kw, text, sizeof(text));
			return walk_fail(w, "must be %s %s", limits[i].phrase,
					 text);
		}
	}
	return 0;
}

static int
validate_properties(json_t *schema, json_t *value, struct walk *w)
{
	json_t *props, *sub, *member;
	const char *key;
	size_t saved;

	props = json_object_get(schema, "properties");
	json_object_foreach(props, key, sub) {
		member = json_object_get(value, key);
		if (member == NULL)
			continue;
		saved = walk_push_key(w, key);
		if (validate(sub, member, w) != 0)
			return -1;
		walk_pop(w, saved);
	}
	return 0;
}

static int
validate_object(json_t *schema, json_t *value, struct walk *w)
{
	json_t *required, *props, *extra, *item, *member;
	const char *key;
	size_t i, saved;

	required = json_object_get(schema, "required");
	json_array_foreach(required, i, item) {
		key = json_string_value(item);
		if (json_object_get(value, key) == NULL)
			return walk_fail(w, "missing required property \"%s\"",
					 key);
	}

	props = json_object_get(schema, "properties");
	extra = json_object_get(schema, "additionalProperties");
	if (extra != NULL && !json_is_true(extra)) {
		json_object_foreach(value, key, member) {
			if (json_object_get(props, key) != NULL)
				continue;
			if (json_is_false(extra))
				return walk_fail(w, "unknown property \"%s\"",
						 key);
			saved = walk_push_key(w, key);
			if (validate(extra, member, w) != 0)
				return -1;
			walk_pop(w, saved);
		}
	}

	return validate_properties(schema, value, w);
}

static int
validate_array(json_t *schema, json_t *value, struct walk *w)
{
	size_t n = json_array_size(value), i, saved;
	json_t *kw, *items, *item;

	kw = json_object_get(schema, "minItems");
	if (kw != NULL && n < (size_t)json_integer_value(kw))
		return walk_fail(w, "must have at least %" JSON_INTEGER_FORMAT
				 " items", json_integer_value(kw));

	kw = json_object_get(schema, "maxItems");
	if (kw != NULL && n > (size_t)json_integer_value(kw))
		return walk_fail(w, "must have at most %" JSON_INTEGER_FORMAT
				 " items", json_integer_value(kw));

	items = json_object_get(schema, "items");
	if (items == NULL)
		return 0;
	json_array_foreach(value, i, item) {
		saved = walk_push(w, "[%zu]", i);
		if (validate(items, item, w) != 0)
			return -1;
		walk_pop(w, saved);
	}
	return 0;
}

/* Does value satisfy schema?  Messages are thrown away. */
static int
matches(json_t *schema, json_t *value)
{
	struct walk scratch;

	walk_init(&scratch, NULL, 0);
	return validate(schema, value, &scratch) == 0;
}

/*
 * No alternative matched: when the value's type fits none of them, say
 * which types would do; otherwise explain why the first alternative of
 * the right type failed.
 */
static int
alternatives_fail(json_t *alts, json_t *value, struct walk *w)
{
	unsigned all = 0, mask;
	char phrase[128];
	json_t *alt;
	size_t i;

	json_array_foreach(alts, i, alt) {
		mask = type_mask(alt);
		if (mask == 0 || type_matches(mask, value))
			return validate(alt, value, w);
		all |= mask;
	}
	type_phrase(all, phrase, sizeof(phrase));
	return walk_fail(w, "expected %s", phrase);
}

static int
validate_alternatives(json_t *schema, json_t *value, struct walk *w)
{
	json_t *alts, *alt;
	size_t i, count;

	alts = json_object_get(schema, "anyOf");
	if (alts != NULL) {
		count = 0;
		json_array_foreach(alts, i, alt) {
			if (matches(alt, value)) {
				count++;
				break;
			}
		}
		if (count == 0)
			return alternatives_fail(alts, value, w);
	}

	alts = json_object_get(schema, "oneOf");
	if (alts != NULL) {
		count = 0;
		json_array_foreach(alts, i, alt)
			if (matches(alt, value))
				count++;
		if (count == 0)
			return alternatives_fail(alts, value, w);
		if (count > 1)
			return walk_fail(w, "matches more than one of the "
					 "allowed forms");
	}
	return 0;
}

static int
validate_enum(json_t *schema, json_t *value, struct walk *w)
{
	char text[256], one[64];
	json_t *kw, *item;
	size_t i, n = 0;

	kw = json_object_get(schema, "const");
	if (kw != NULL && !values_equal(kw, value)) {
		value_text(kw, text, sizeof(text));
		return walk_fail(w, "must be %s", text);
	}

	kw = json_object_get(schema, "enum");
	if (kw == NULL)
		return 0;
	json_array_foreach(kw, i, item)
		if (values_equal(item, value))
			return 0;

	text[0] = '\0';
	json_array_foreach(kw, i, item) {
		value_text(item, one, sizeof(one));
		if (n < sizeof(text))
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "%s%s", i > 0 ? ", " : "", one);
	}
	return walk_fail(w, "must be one of %s", text);
}

static int
validate(json_t *schema, json_t *value, struct walk *w)
{
	char phrase[128];
	unsigned mask;

	if (json_is_true(schema))
		return 0;
	if (json_is_false(schema))
		return walk_fail(w, "is not allowed");

	mask = type_mask(schema);
	if (mask != 0 && !type_matches(mask, value)) {
		type_phrase(mask, phrase, sizeof(phrase));
		return walk_fail(w, "expected %s", phrase);
	}

	if (validate_enum(schema, value, w) != 0)
		return -1;

	if (json_is_string(value) && validate_string(schema, value, w) != 0)
		return -1;
	if (json_is_number(value) && validate_number(schema, value, w) != 0)
		return -1;
	if (json_is_object(value) && validate_object(schema, value, w) != 0)
		return -1;
	if (json_is_array(value) && validate_array(schema, value, w) != 0)
		return -1;

	return validate_alternatives(schema, value, w);
}

int
lejr_schema_validate(json_t *schema, json_t *value, char *msg, size_t len)
{
	struct walk w;

	walk_init(&w, msg, len);
	return validate(schema, value, &w);
}

/* ---- checking a schema ---- */

static int
check_type(json_t *kw, struct walk *w)
{
	json_t *item;
	size_t i;

	if (json_is_string(kw)) {
		if (type_bit_of(json_string_value(kw)) == 0)
			return walk_fail(w, "unknown type \"%s\"",
					 json_string_value(kw));
		return 0;
	}
	if (!json_is_array(kw) || json_array_size(kw) == 0)
		return walk_fail(w, "\"type\" must be a type name or an "
				 "array of them");
	json_array_foreach(kw, i, item)
		if (!json_is_string(item) ||
		    type_bit_of(json_string_value(item)) == 0)
			return walk_fail(w, "\"type\" lists an unknown type");
	return 0;
}

static int
check_properties(json_t *kw, struct walk *w)
{
	const char *key;
	json_t *sub;
	size_t saved;

	if (!json_is_object(kw))
		return walk_fail(w, "\"properties\" must be an object");
	json_object_foreach(kw, key, sub) {
		saved = walk_push_key(w, key);
		if (check(sub, w) != 0)
			return -1;
		walk_pop(w, saved);
	}
	return 0;
}

static int
check_string_array(json_t *kw, const char *name, struct walk *w)
{
	json_t *item;
	size_t i;

	if (!json_is_array(kw))
		return walk_fail(w, "\"%s\" must be an array of strings",
				 name);
	json_array_foreach(kw, i, item)
		if (!json_is_string(item))
			return walk_fail(w, "\"%s\" must be an array of "
					 "strings", name);
	return 0;
}

static int
check_alternatives(json_t *kw, const char *name, struct walk *w)
{
	json_t *alt;
	size_t i, saved;

	if (!json_is_array(kw) || json_array_size(kw) == 0)
		return walk_fail(w, "\"%s\" must be a non-empty array of "
				 "schemas", name);
	json_array_foreach(kw, i, alt) {
		saved = walk_push(w, "(%s %zu)", name, i);
		if (check(alt, w) != 0)
			return -1;
		walk_pop(w, saved);
	}
	return 0;
}

static int
check_pattern(json_t *kw, struct walk *w)
{
	regex_t re;

	if (!json_is_string(kw))
		return walk_fail(w, "\"pattern\" must be a string");
	if (regcomp(&re, json_string_value(kw), REG_EXTENDED | REG_NOSUB) != 0)
		return walk_fail(w, "\"pattern\" is not a POSIX extended "
				 "regular expression: %s",
				 json_string_value(kw));
	regfree(&re);
	return 0;
}

static int
is_count_keyword(const char *key)
{
	return strcmp(key, "minLength") == 0 ||
	       strcmp(key, "maxLength") == 0 ||
	       strcmp(key, "minItems") == 0 || strcmp(key, "maxItems") == 0;
}

static int
is_limit_keyword(const char *key)
{
	return strcmp(key, "minimum") == 0 || strcmp(key, "maximum") == 0 ||
	       strcmp(key, "exclusiveMinimum") == 0 ||
	       strcmp(key, "exclusiveMaximum") == 0;
}

static int
check_keyword(const char *key, json_t *kw, struct walk *w)
{
	size_t saved;
	int rc;

	if (is_annotation(key) || strcmp(key, "const") == 0)
		return 0;
	if (strcmp(key, "type") == 0)
		return check_type(kw, w);
	if (strcmp(key, "properties") == 0)
		return check_properties(kw, w);
	if (strcmp(key, "required") == 0)
		return check_string_array(kw, key, w);
	if (strcmp(key, "enum") == 0) {
		if (!json_is_array(kw) || json_array_size(kw) == 0)
			return walk_fail(w, "\"enum\" must be a non-empty "
					 "array");
		return 0;
	}
	if (strcmp(key, "additionalProperties") == 0 ||
	    strcmp(key, "items") == 0) {
		saved = walk_push(w, key[0] == 'i' ? "[]" : "{*}");
		rc = check(kw, w);
		if (rc == 0)
			walk_pop(w, saved);
		return rc;
	}
	if (is_count_keyword(key)) {
		if (!json_is_integer(kw) || json_integer_value(kw) < 0)
			return walk_fail(w, "\"%s\" must be a non-negative "
					 "integer", key);
		return 0;
	}
	if (is_limit_keyword(key)) {
		if (!json_is_number(kw))
			return walk_fail(w, "\"%s\" must be a number", key);
		return 0;
	}
	if (strcmp(key, "pattern") == 0)
		return check_pattern(kw, w);
	if (strcmp(key, "format") == 0) {
		if (!json_is_string(kw))
			return walk_fail(w, "\"format\" must be a string");
		return 0;
	}
	if (strcmp(key, "anyOf") == 0 || strcmp(key, "oneOf") == 0)
		return check_alternatives(kw, key, w);

	return walk_fail(w, "unsupported keyword \"%s\"", key);
}

static int
check(json_t *schema, struct walk *w)
{
	const char *key;
	json_t *kw;

	if (json_is_boolean(schema))
		return 0;
	if (!json_is_object(schema))
		return walk_fail(w, "a schema must be an object");

	json_object_foreach(schema, key, kw)
		if (check_keyword(key, kw, w) != 0)
			return -1;
	return 0;
}

int
lejr_schema_check(json_t *schema, char *msg, size_t len)
{
	struct walk w;

	walk_init(&w, msg, len);
	return check(schema, &w);
}

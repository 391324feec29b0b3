/*
 * jsontext.h - compact JSON text of jansson values, written quickly.
 *
 * The bytes are those of json_dumps(value, JSON_COMPACT): members in
 * their order, no spaces, strings escaped as jansson escapes them.  It
 * exists because answers are written on every call, and jansson's dump
 * pays for bookkeeping per value (a loop check keyed by a formatted
 * pointer) that costs more than the writing.
 */
#ifndef LEJR_JSONTEXT_H
#define LEJR_JSONTEXT_H

#include <stddef.h>

#include <jansson.h>

/* A growing text.  Start it zeroed; free s when done. */
struct lejr_text {
	char *s;
	size_t len;
	size_t cap;
	int failed;  /* out of memory, or a value that cannot be written */
};

/* Append n bytes of s. */
void lejr_text_add(struct lejr_text *t, const char *s, size_t n);

/*
 * Append the compact JSON text of value (borrowed).  A value that
 * json_dumps() would refuse (a string that is not UTF-8, a loop) sets
 * failed instead, as does running out of memory.
 */
void lejr_text_json(struct lejr_text *t, json_t *value);

/* Append s (n bytes) escaped as the inside of a JSON string, without
 * quotes: the text of a string holding s. */
void lejr_text_escaped(struct lejr_text *t, const char *s, size_t n);

#endif /* LEJR_JSONTEXT_H */

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

/* Make room for n more bytes at once (failed when out of memory). */
void lejr_text_reserve(struct lejr_text *t, size_t n);

/* Append n bytes of s. */
void lejr_text_add(struct lejr_text *t, const char *s, size_t n);

/*
 * Append the compact JSON text of value (borrowed).  A value that
 * json_dumps() would refuse (a string that is not UTF-8, a loop) sets
 * failed instead, as does running out of memory.
 */
void lejr_text_json(struct lejr_text *t, json_t *value);

/* The length of s (n bytes) written as the inside of a JSON string. */
size_t lejr_text_escaped_length(const char *s, size_t n);

/* Append s (n bytes) escaped as the inside of a JSON string, without
 * quotes: the text of a string holding s. */
void lejr_text_escaped(struct lejr_text *t, const char *s, size_t n);

/*
 * A text of the calling thread, emptied, whose memory is kept from one
 * call to the next: answers are written on every call, and a busy
 * thread need not allocate their drafts each time.  which is 0 to
 * LEJR_TEXT_SCRATCH - 1; NULL when there can be none (out of memory).
 * Do not free it: give it back with lejr_text_scratch_done(), which
 * lets go of an unusually large one.
 */
#define LEJR_TEXT_SCRATCH 2

struct lejr_text *lejr_text_scratch(int which);
void lejr_text_scratch_done(struct lejr_text *t);

#endif /* LEJR_JSONTEXT_H */

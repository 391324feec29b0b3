/*
 * jsonschema.h - the subset of JSON Schema that tools use, checked and
 * enforced by the core.  A tool's schema is the single source for both
 * tools/list and argument validation.
 *
 * Supported keywords: type (a name or an array of names, "integer"
 * included), properties, required, additionalProperties (false or a
 * schema), items (one schema), enum, const, minLength and maxLength (in
 * characters), minimum, maximum, exclusiveMinimum, exclusiveMaximum
 * (numbers), minItems, maxItems, pattern (POSIX extended regular
 * expression, unanchored), format ("date" is enforced as a real calendar
 * date; other formats are annotations), anyOf and oneOf.  Annotations
 * such as $schema, title, description, default and examples are ignored.
 * Any other keyword is refused by lejr_schema_check(), so that a plugin
 * author learns at load time that a constraint would not be enforced.
 */
#ifndef LEJR_JSONSCHEMA_H
#define LEJR_JSONSCHEMA_H

#include <stddef.h>

#include <jansson.h>

/*
 * Is schema (borrowed) well formed and within the supported subset?
 * Returns 0, or -1 after writing the reason (naming the keyword and where
 * it is) into msg.
 */
int lejr_schema_check(json_t *schema, char *msg, size_t len);

/*
 * Validate value against schema (both borrowed; schema already passed
 * lejr_schema_check).  Returns 0 when valid, or -1 after writing into
 * msg the first problem, prefixed by its path, e.g.
 * "lines[1].amount: expected a string or a number".
 */
int lejr_schema_validate(json_t *schema, json_t *value, char *msg,
			 size_t len);

/*
 * A schema compiled for repeated validation: what each keyword asks for,
 * looked up once.  lejr_validator_new() takes a reference to schema
 * (which must have passed lejr_schema_check) and returns NULL when out
 * of memory; free with lejr_validator_free() (NULL is fine).  A
 * validator is read only once made: threads may share it.
 */
struct lejr_validator;

struct lejr_validator *lejr_validator_new(json_t *schema);
void lejr_validator_free(struct lejr_validator *v);

/* lejr_schema_validate() with a compiled schema: the same answers and
 * messages, without walking the schema's JSON. */
int lejr_validator_run(const struct lejr_validator *v, json_t *value,
		       char *msg, size_t len);

/* Is text a valid ISO 8601 calendar date "YYYY-MM-DD"? */
int lejr_schema_date_valid(const char *text);

#endif /* LEJR_JSONSCHEMA_H */

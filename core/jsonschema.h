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

/* Is text a valid ISO 8601 calendar date "YYYY-MM-DD"? */
int lejr_schema_date_valid(const char *text);

#endif /* LEJR_JSONSCHEMA_H */

/*
 * test_jsonschema.c - the JSON Schema subset tools use: what
 * lejr_schema_check() accepts, and what lejr_schema_validate() refuses,
 * with the path of the first problem in its message.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "jsonschema.h"

/* Validate JSON text value against JSON text schema; the message goes
 * to msg.  The schema must pass lejr_schema_check first. */
static int
check_value(const char *schema_text, const char *value_text, char *msg,
	    size_t len)
{
	json_t *schema, *value;
	char why[256];
	int rc;

	schema = json_loads(schema_text, 0, NULL);
	value = json_loads(value_text, JSON_DECODE_ANY, NULL);
	cr_assert_not_null(schema, "schema text: %s", schema_text);
	cr_assert_not_null(value, "value text: %s", value_text);
	cr_assert_eq(lejr_schema_check(schema, why, sizeof(why)), 0,
		     "schema refused: %s", why);

	msg[0] = '\0';
	rc = lejr_schema_validate(schema, value, msg, len);
	json_decref(schema);
	json_decref(value);
	return rc;
}

static void
assert_valid(const char *schema, const char *value)
{
	char msg[256];

	cr_assert_eq(check_value(schema, value, msg, sizeof(msg)), 0,
		     "%s should be valid against %s: %s", value, schema, msg);
}

static void
assert_invalid(const char *schema, const char *value, const char *expect)
{
	char msg[256];

	cr_assert_eq(check_value(schema, value, msg, sizeof(msg)), -1,
		     "%s should be refused by %s", value, schema);
	cr_assert_str_eq(msg, expect);
}

static const char lines_schema[] =
	"{\"type\": \"object\", \"required\": [\"date\", \"lines\"],"
	" \"additionalProperties\": false,"
	" \"properties\": {"
	"  \"date\": {\"type\": \"string\", \"format\": \"date\"},"
	"  \"memo\": {\"type\": \"string\", \"minLength\": 1,"
	"   \"maxLength\": 5},"
	"  \"lines\": {\"type\": \"array\", \"minItems\": 2,"
	"   \"maxItems\": 3, \"items\": {"
	"    \"type\": \"object\", \"required\": [\"account\", \"amount\"],"
	"    \"additionalProperties\": false,"
	"    \"properties\": {"
	"     \"account\": {\"type\": \"string\","
	"      \"pattern\": \"^[0-9]{4}$\"},"
	"     \"amount\": {\"type\": [\"string\", \"number\"]}}}}}}";

Test(jsonschema, nested_path_names_the_item)
{
	assert_valid(lines_schema,
		     "{\"date\": \"2024-02-29\", \"lines\": ["
		     "{\"account\": \"1000\", \"amount\": \"1.00\"},"
		     "{\"account\": \"3000\", \"amount\": -1}]}");
	assert_invalid(lines_schema,
		       "{\"date\": \"2024-02-29\", \"lines\": ["
		       "{\"account\": \"1000\", \"amount\": \"1.00\"},"
		       "{\"account\": \"3000\", \"amount\": true}]}",
		       "lines[1].amount: expected a string or a number");
	assert_invalid(lines_schema,
		       "{\"date\": \"2024-02-29\", \"lines\": ["
		       "{\"account\": \"1000\", \"amount\": 1},"
		       "{\"amount\": 1}]}",
		       "lines[1]: missing required property \"account\"");
	assert_invalid(lines_schema,
		       "{\"date\": \"2024-02-29\", \"lines\": ["
		       "{\"account\": \"100\", \"amount\": 1},"
		       "{\"account\": \"1000\", \"amount\": 1}]}",
		       "lines[0].account: does not match the pattern "
		       "^[0-9]{4}$");
}

Test(jsonschema, required_and_unknown_properties)
{
	assert_invalid(lines_schema, "{\"lines\": []}",
		       "missing required property \"date\"");
	assert_invalid(lines_schema,
		       "{\"date\": \"2024-01-01\", \"lines\": [], "
		       "\"extra\": 1}",
		       "unknown property \"extra\"");
	assert_invalid("{\"type\": \"object\", \"additionalProperties\":"
		       " {\"type\": \"integer\"}}",
		       "{\"a\": 1, \"b\": \"2\"}", "b: expected an integer");
	assert_valid("{\"type\": \"object\", \"additionalProperties\":"
		     " {\"type\": \"integer\"}}", "{\"a\": 1, \"b\": 2}");
}

Test(jsonschema, array_sizes)
{
	assert_invalid(lines_schema,
		       "{\"date\": \"2024-01-01\", \"lines\": ["
		       "{\"account\": \"1000\", \"amount\": 1}]}",
		       "lines: must have at least 2 items");
	assert_invalid(lines_schema,
		       "{\"date\": \"2024-01-01\", \"lines\": [1, 2, 3, 4]}",
		       "lines: must have at most 3 items");
}

Test(jsonschema, calendar_dates)
{
	const char *s = "{\"type\": \"string\", \"format\": \"date\"}";

	assert_valid(s, "\"2024-02-29\"");
	assert_valid(s, "\"2000-02-29\"");
	assert_invalid(s, "\"2023-02-29\"",
		       "must be a calendar date, YYYY-MM-DD");
	assert_invalid(s, "\"1900-02-29\"",
		       "must be a calendar date, YYYY-MM-DD");
	assert_invalid(s, "\"2024-04-31\"",
		       "must be a calendar date, YYYY-MM-DD");
	assert_invalid(s, "\"2024-13-01\"",
		       "must be a calendar date, YYYY-MM-DD");
	assert_invalid(s, "\"2024-1-01\"",
		       "must be a calendar date, YYYY-MM-DD");
	assert_invalid(s, "\"2024-01-01T00:00:00Z\"",
		       "must be a calendar date, YYYY-MM-DD");
	cr_assert(lejr_schema_date_valid("0001-01-01"));
	cr_assert_not(lejr_schema_date_valid("0000-01-01"));
}

Test(jsonschema, string_length_counts_characters)
{
	const char *s = "{\"type\": \"string\", \"minLength\": 2,"
			" \"maxLength\": 3}";

	/* Three characters, six bytes. */
	assert_valid(s, "\"\\u00e9\\u00e9\\u00e9\"");
	assert_invalid(s, "\"\\u00e9\\u00e9\\u00e9\\u00e9\"",
		       "must be at most 3 characters long");
	assert_invalid(s, "\"a\"", "must be at least 2 characters long");
}

Test(jsonschema, integers_and_limits)
{
	const char *s = "{\"type\": \"integer\", \"minimum\": 1,"
			" \"maximum\": 500}";
	const char *x = "{\"type\": \"number\", \"exclusiveMinimum\": 0,"
			" \"exclusiveMaximum\": 1.5}";

	assert_valid(s, "1");
	assert_valid(s, "500");
	assert_invalid(s, "0", "must be at least 1");
	assert_invalid(s, "501", "must be at most 500");
	assert_invalid(s, "2.5", "expected an integer");
	/* A real is refused even when whole: handlers read integers. */
	assert_invalid(s, "2.0", "expected an integer");
	assert_invalid(s, "\"2\"", "expected an integer");

	assert_valid(x, "0.5");
	assert_valid(x, "1");
	assert_invalid(x, "0", "must be greater than 0");
	assert_invalid(x, "1.5", "must be less than 1.5");
}

Test(jsonschema, nullable_through_type_arrays)
{
	const char *s = "{\"type\": [\"string\", \"null\"]}";

	assert_valid(s, "null");
	assert_valid(s, "\"x\"");
	assert_invalid(s, "3", "expected a string or null");
	assert_invalid("{\"type\": [\"object\", \"array\", \"null\"]}", "1",
		       "expected an object, an array or null");
}

Test(jsonschema, enum_and_const)
{
	assert_valid("{\"enum\": [\"asset\", \"liability\", 3]}", "3");
	assert_valid("{\"enum\": [\"asset\", \"liability\", 3]}", "3.0");
	assert_invalid("{\"enum\": [\"asset\", \"liability\"]}",
		       "\"equity\"",
		       "must be one of \"asset\", \"liability\"");
	assert_valid("{\"const\": \"x\"}", "\"x\"");
	assert_invalid("{\"const\": \"x\"}", "\"y\"", "must be \"x\"");
}

Test(jsonschema, any_of_and_one_of)
{
	const char *any = "{\"anyOf\": [{\"type\": \"string\","
			  " \"pattern\": \"^-?[0-9]+$\"},"
			  " {\"type\": \"integer\"}]}";
	const char *one = "{\"oneOf\": [{\"type\": \"integer\"},"
			  " {\"type\": \"number\", \"minimum\": 10}]}";

	assert_valid(any, "\"-12\"");
	assert_valid(any, "7");
	/* Wrong type for every branch: the types are listed. */
	assert_invalid(any, "true", "expected a string or an integer");
	/* Right type, wrong content: the branch's own reason. */
	assert_invalid(any, "\"1.5\"",
		       "does not match the pattern ^-?[0-9]+$");

	assert_valid(one, "3");
	assert_valid(one, "10.5");
	assert_invalid(one, "12",
		       "matches more than one of the allowed forms");
	assert_invalid(one, "\"x\"", "expected an integer or a number");
}

Test(jsonschema, annotations_are_ignored)
{
	assert_valid("{\"$schema\": \"https://json-schema.org/draft/"
		     "2020-12/schema\", \"title\": \"T\", \"description\":"
		     " \"D\", \"default\": 1, \"examples\": [1],"
		     " \"type\": \"integer\"}", "5");
}

static void
assert_refused(const char *schema_text, const char *expect)
{
	json_t *schema = json_loads(schema_text, 0, NULL);
	char msg[256] = "";

	cr_assert_not_null(schema);
	cr_assert_eq(lejr_schema_check(schema, msg, sizeof(msg)), -1,
		     "%s should be refused", schema_text);
	cr_assert_str_eq(msg, expect);
	json_decref(schema);
}

Test(jsonschema, check_refuses_what_it_cannot_enforce)
{
	assert_refused("{\"type\": \"object\", \"properties\": {\"a\":"
		       " {\"type\": \"number\", \"multipleOf\": 0.01}}}",
		       "a: unsupported keyword \"multipleOf\"");
	assert_refused("{\"type\": \"object\", \"properties\": {\"l\":"
		       " {\"type\": \"array\", \"items\": {\"$ref\":"
		       " \"#/x\"}}}}",
		       "l[]: unsupported keyword \"$ref\"");
	assert_refused("{\"type\": \"decimal\"}", "unknown type \"decimal\"");
	assert_refused("{\"type\": \"string\", \"pattern\": \"(\"}",
		       "\"pattern\" is not a POSIX extended regular "
		       "expression: (");
	assert_refused("{\"type\": \"string\", \"maxLength\": -1}",
		       "\"maxLength\" must be a non-negative integer");
	assert_refused("{\"required\": \"a\"}",
		       "\"required\" must be an array of strings");
	assert_refused("[]", "a schema must be an object");
	assert_refused("{\"type\": \"object\", \"properties\": {\"m\":"
		       " {\"type\": \"string\", \"format\": \"email\"}}}",
		       "m: \"format\" must be \"date\", the one format "
		       "enforced; write other forms as a \"pattern\"");
}

Test(jsonschema, boolean_schemas)
{
	assert_valid("{\"type\": \"object\", \"properties\": {\"a\": true}}",
		     "{\"a\": [1]}");
	assert_invalid("{\"type\": \"object\", \"properties\": {\"a\":"
		       " false}}", "{\"a\": 1}", "a: is not allowed");
}

/* ---- compiled schemas ---- */

/* A compiled schema answers as lejr_schema_validate() does, call after
 * call. */
static void
assert_compiled_same(const char *schema_text, const char *value_text)
{
	struct lejr_validator *v;
	char once[256], compiled[256];
	json_t *schema, *value;
	int a, b;

	schema = json_loads(schema_text, 0, NULL);
	value = json_loads(value_text, JSON_DECODE_ANY, NULL);
	cr_assert_not_null(schema);
	cr_assert_not_null(value);
	v = lejr_validator_new(schema);
	cr_assert_not_null(v);

	once[0] = compiled[0] = '\0';
	a = lejr_schema_validate(schema, value, once, sizeof(once));
	for (int i = 0; i < 3; i++) {
		b = lejr_validator_run(v, value, compiled, sizeof(compiled));
		cr_assert_eq(a, b, "%s against %s", value_text, schema_text);
		cr_assert_str_eq(once, compiled);
	}
	lejr_validator_free(v);
	json_decref(schema);
	json_decref(value);
}

Test(jsonschema, compiled_schema_answers_the_same)
{
	assert_compiled_same(lines_schema, "{\"date\": \"2024-02-29\","
			     " \"lines\": [{\"account\": \"1000\","
			     " \"amount\": 1}, {\"account\": \"2000\","
			     " \"amount\": -1}]}");
	assert_compiled_same(lines_schema, "{\"date\": \"2024-02-30\","
			     " \"lines\": []}");
	assert_compiled_same(lines_schema, "{\"date\": \"2024-02-29\","
			     " \"lines\": [{\"account\": \"1000\","
			     " \"amount\": 1}, {\"account\": \"20x0\","
			     " \"amount\": -1}]}");
	assert_compiled_same(lines_schema, "[]");
}

/* A name required but not among the properties counts as an unknown
 * property when additionalProperties is false. */
Test(jsonschema, required_name_outside_properties)
{
	static const char schema[] =
		"{\"type\": \"object\", \"required\": [\"x\", \"x\"],"
		" \"additionalProperties\": false}";

	assert_invalid(schema, "{}", "missing required property \"x\"");
	assert_invalid(schema, "{\"x\": 1}", "unknown property \"x\"");
}

Test(jsonschema, additional_properties_schema)
{
	static const char schema[] =
		"{\"type\": \"object\", \"properties\": {\"a\": {}},"
		" \"additionalProperties\": {\"type\": \"integer\"}}";

	assert_valid(schema, "{\"a\": \"s\", \"b\": 2}");
	assert_invalid(schema, "{\"a\": 1, \"b\": \"s\"}",
		       "b: expected an integer");
}

/* Simple patterns run as automata, the others through regexec(): the
 * answers are the same either way. */
Test(jsonschema, patterns_plain_and_posix)
{
	static const char amount[] =
		"{\"type\": \"string\","
		" \"pattern\": \"^-?[0-9]+(\\\\.[0-9]+)?$\"}";
	static const char digits[] =
		"{\"type\": \"string\","
		" \"pattern\": \"^[[:digit:]]{2}$\"}";
	static const char inner[] =
		"{\"type\": \"string\", \"pattern\": \"b+c|x\"}";

	assert_valid(amount, "\"-12.50\"");
	assert_valid(amount, "\"0\"");
	assert_invalid(amount, "\"12.\"", "does not match the pattern "
		       "^-?[0-9]+(\\.[0-9]+)?$");
	assert_invalid(amount, "\"1.5\\n\"", "does not match the pattern "
		       "^-?[0-9]+(\\.[0-9]+)?$");
	assert_valid(digits, "\"42\"");
	assert_invalid(digits, "\"421\"", "does not match the pattern "
		       "^[[:digit:]]{2}$");
	assert_valid(inner, "\"abbbcd\"");
	assert_valid(inner, "\"-x-\"");
	assert_invalid(inner, "\"abd\"", "does not match the pattern "
		       "b+c|x");
}

/*
 * schema.c - the JSON Schema fragments the report tools share, built
 * with jansson within the subset the core enforces (core/jsonschema.h).
 */
#include <stdio.h>

#include "reports.h"

#define CODE_PATTERN "^[A-Za-z0-9.-]+$"
#define AMOUNT_PATTERN "^-?[0-9]+(\\.[0-9]+)?$"

json_t *
reports_schema_object(const char *description, json_t *properties,
		      json_t *required)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:b}",
			 "type", "object",
			 "description", description,
			 "properties", properties,
			 "required", required,
			 "additionalProperties", 0);
}

json_t *
reports_schema_string(const char *description, int minlen, int maxlen)
{
	json_t *s;

	s = json_pack("{s:s, s:s, s:i}", "type", "string",
		      "description", description, "minLength", minlen);
	if (s != NULL && maxlen > 0 &&
	    json_object_set_new(s, "maxLength", json_integer(maxlen)) != 0) {
		json_decref(s);
		return NULL;
	}
	return s;
}

json_t *
reports_schema_date(const char *description)
{
	return json_pack("{s:s, s:s, s:s}", "type", "string",
			 "format", "date", "description", description);
}

json_t *
reports_schema_date_or_null(const char *description)
{
	return json_pack("{s:[s,s], s:s, s:s}", "type", "string", "null",
			 "format", "date", "description", description);
}

json_t *
reports_schema_code(const char *description)
{
	return json_pack("{s:s, s:i, s:i, s:s, s:s}", "type", "string",
			 "minLength", 1, "maxLength", LEJR_CODE_MAX,
			 "pattern", CODE_PATTERN, "description", description);
}

json_t *
reports_schema_currency(void)
{
	return json_pack("{s:s, s:i, s:i, s:s}", "type", "string",
			 "minLength", 3, "maxLength", 3, "description",
			 "ISO 4217 code of every amount.");
}

json_t *
reports_schema_account(void)
{
	return reports_schema_object(
		"The account.",
		json_pack("{s:o, s:o, s:{s:s, s:[s,s,s,s,s], s:s}}",
			  "code", reports_schema_code("Account code."),
			  "name", reports_schema_string("Account name.", 1,
							LEJR_NAME_MAX),
			  "type",
			  "type", "string",
			  "enum", "asset", "liability", "equity", "income",
			  "expense",
			  "description", "Account type."),
		json_pack("[s,s,s]", "code", "name", "type"));
}

int
reports_schema_money(json_t *properties, json_t *required, const char *key,
		     const char *description)
{
	char minor[64], text[512];

	snprintf(minor, sizeof(minor), "%s_minor", key);
	snprintf(text, sizeof(text), "%s, in minor units (cents).", key);
	if (json_object_set_new(properties, key, json_pack(
		    "{s:s, s:s, s:s}", "type", "string", "pattern",
		    AMOUNT_PATTERN, "description", description)) != 0 ||
	    json_object_set_new(properties, minor, json_pack(
		    "{s:s, s:s}", "type", "integer", "description",
		    text)) != 0)
		return -1;
	if (required != NULL &&
	    (json_array_append_new(required, json_string(key)) != 0 ||
	     json_array_append_new(required, json_string(minor)) != 0))
		return -1;
	return 0;
}

json_t *
reports_schema_amounts(const char *description)
{
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "type", "array",
			 "description", description, "items", "type",
			 "string", "pattern", AMOUNT_PATTERN, "description",
			 "An exact decimal amount.");
}

json_t *
reports_schema_minors(const char *description)
{
	return json_pack("{s:s, s:s, s:{s:s, s:s}}", "type", "array",
			 "description", description, "items", "type",
			 "integer", "description", "Minor units (cents).");
}

json_t *
reports_schema_checks(const char *const *names,
		      const char *const *descriptions, size_t n,
		      size_t nrequired)
{
	json_t *props, *req;

	props = json_object();
	req = json_array();
	for (size_t i = 0; props != NULL && req != NULL && i < n; i++) {
		json_object_set_new(props, names[i], json_pack(
			"{s:s, s:b, s:s}", "type", "boolean", "const", 1,
			"description", descriptions[i]));
		if (i < nrequired)
			json_array_append_new(req, json_string(names[i]));
	}
	return reports_schema_object(
		"The checks the report made against a second computation, "
		"each true: a report that fails a check is an error, never "
		"a result.", props, req);
}

/*
 * schema.c - the JSON Schema fragments the journal tools share.
 *
 * Schemas are built with jansson rather than written as C string
 * literals: fragments such as a date or an amount repeat across tools,
 * and quoting JSON inside C hides mistakes.  The core accepts a subset
 * of JSON Schema (core/jsonschema.h) and refuses a tool using any other
 * keyword, so only those keywords appear here.  Patterns are POSIX
 * extended regular expressions, unanchored unless written with ^ and $.
 */
#include "journal.h"

/* Matches LEJR_CODE_MAX and the ledger's own rule for codes. */
#define CODE_PATTERN "^[A-Za-z0-9.-]+$"

#define AMOUNT_OUT_PATTERN "^-?[0-9]+(\\.[0-9]+)?$"

json_t *
journal_schema_object(const char *description, json_t *properties,
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
journal_schema_string(const char *description, int minlen, int maxlen)
{
	json_t *s;

	s = json_pack("{s:s, s:s, s:i}", "type", "string",
		      "description", description, "minLength", minlen);
	if (s == NULL || maxlen <= 0)
		return s;

	if (json_object_set_new(s, "maxLength", json_integer(maxlen)) != 0) {
		json_decref(s);
		return NULL;
	}
	return s;
}

json_t *
journal_schema_string_or_null(const char *description)
{
	return json_pack("{s:[s,s], s:s}", "type", "string", "null",
			 "description", description);
}

json_t *
journal_schema_date(const char *description)
{
	/* the core enforces "date" as a real calendar date, and says so
	 * more plainly than a pattern could */
	return json_pack("{s:s, s:s, s:s}",
			 "type", "string",
			 "format", "date",
			 "description", description);
}

json_t *
journal_schema_code(const char *description)
{
	return json_pack("{s:s, s:i, s:i, s:s, s:s}",
			 "type", "string",
			 "minLength", 1,
			 "maxLength", LEJR_CODE_MAX,
			 "pattern", CODE_PATTERN,
			 "description", description);
}

/*
 * No pattern or minimum here on purpose: the core's money parser is the
 * one judge of an amount's syntax and decimals, and the handler of its
 * sign, so that every wrong amount is refused with the line and side
 * it is on and words an accountant understands, not a regular
 * expression.
 */
json_t *
journal_schema_amount_in(const char *description)
{
	return json_pack("{s:[s,s], s:s}",
			 "type", "string", "number",
			 "description", description);
}

json_t *
journal_schema_amount_out(const char *description)
{
	return json_pack("{s:s, s:s, s:s}",
			 "type", "string",
			 "pattern", AMOUNT_OUT_PATTERN,
			 "description", description);
}

json_t *
journal_schema_id(const char *description)
{
	return json_pack("{s:s, s:i, s:s}", "type", "integer",
			 "minimum", 1, "description", description);
}

json_t *
journal_schema_account_type(const char *description)
{
	return json_pack("{s:s, s:[s,s,s,s,s], s:s}",
			 "type", "string",
			 "enum", "asset", "liability", "equity", "income",
			 "expense",
			 "description", description);
}

json_t *
journal_schema_account(void)
{
	return journal_schema_object(
		"An account of the chart of accounts.",
		json_pack("{s:o, s:o, s:o, s:o, s:{s:s, s:s}}",
			  "code", journal_schema_code("Account code."),
			  "name", journal_schema_string("Account name.", 1,
							LEJR_NAME_MAX),
			  "type", journal_schema_account_type(
				  "Account type."),
			  "parent", journal_schema_code(
				  "Code of the account this one is grouped "
				  "under; absent for a top-level account."),
			  "archived",
			  "type", "boolean",
			  "description",
			  "true when the account takes no new lines."),
		json_pack("[s,s,s,s]", "code", "name", "type", "archived"));
}

json_t *
journal_schema_minor(const char *description)
{
	return json_pack("{s:s, s:s}", "type", "integer",
			 "description", description);
}

static json_t *
entry_line(void)
{
	return journal_schema_object(
		"One line of an entry.",
		json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			  "account", journal_schema_code("Account code."),
			  "account_name", journal_schema_string(
				  "Account name.", 1, LEJR_NAME_MAX),
			  "debit", journal_schema_amount_out(
				  "Amount debited; \"0.00\" (in the "
				  "currency's decimals) on a credit line."),
			  "credit", journal_schema_amount_out(
				  "Amount credited, as a positive number; "
				  "\"0.00\" on a debit line."),
			  "amount", journal_schema_amount_out(
				  "Signed amount: positive for a debit, "
				  "negative for a credit."),
			  "amount_minor", journal_schema_minor(
				  "amount in the currency's minor units "
				  "(cents)."),
			  "memo", journal_schema_string(
				  "The line's own memo, when it has one.", 0,
				  0)),
		json_pack("[s,s,s,s,s,s]", "account", "account_name", "debit",
			  "credit", "amount", "amount_minor"));
}

json_t *
journal_schema_entry(void)
{
	return journal_schema_object(
		"A posted journal entry; it never changes.",
		json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
			  "s:{s:s, s:s, s:o}, s:{s:s, s:[s], s:s}}",
			  "id", journal_schema_id("The entry's id."),
			  "date", journal_schema_date(
				  "Accounting date, YYYY-MM-DD."),
			  "memo", journal_schema_string(
				  "What the entry records.", 1, 0),
			  "reference", journal_schema_string(
				  "Outside reference, when the entry has "
				  "one.", 1, 0),
			  "reverses", journal_schema_id(
				  "Present on a reversal: the id of the "
				  "entry it reverses."),
			  "reversed_by", journal_schema_id(
				  "Present once the entry is reversed: the "
				  "id of the reversing entry."),
			  "created_at", journal_schema_string(
				  "When it was posted, UTC, ISO 8601.", 1, 0),
			  "lines",
			  "type", "array",
			  "description", "The lines, in the order posted.",
			  "items", entry_line(),
			  "kind",
			  "type", "string",
			  "enum", "closing",
			  "description",
			  "Present on a closing entry, which the profit and "
			  "loss leaves out; absent on ordinary entries."),
		json_pack("[s,s,s,s,s]", "id", "date", "memo", "created_at",
			  "lines"));
}

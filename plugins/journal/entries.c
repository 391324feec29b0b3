/*
 * entries.c - the journal: post_journal_entry, get_journal_entry,
 * list_journal_entries, reverse_journal_entry.
 *
 * Posted entries never change.  The ledger checks balance, accounts,
 * the lock date and dates itself and says precisely what is wrong; the
 * checks here are those only the tool's own argument shape can make:
 * one side per line, positive amounts, no blank memo.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

#define api journal_api

/* The ledger's limits, in characters, as it counts them. */
#define JOURNAL_MEMO_MAX 1000
#define JOURNAL_REFERENCE_MAX 200

int
journal_blank(const char *s)
{
	if (s == NULL)
		return 1;

	for (; *s != '\0'; s++) {
		if (!isspace((unsigned char)*s))
			return 0;
	}
	return 1;
}

/* Parse one side of a line and check it is positive. */
static int
line_amount(struct lejr_call *call, size_t index, const char *side,
	    json_t *value, int64_t *minor)
{
	const char *text = json_string_value(value);
	char field[48];
	int rc;

	snprintf(field, sizeof(field), "lines[%zu].%s", index, side);

	/* The money parser's own advice allows a '-', which a side
	 * refuses too: answer a signed side in the side's terms. */
	if (text != NULL && text[0] == '+')
		return api->fail(call, LEJR_EINVAL,
				 "%s: \"%.40s\" has a sign: write every "
				 "amount as a plain positive number, e.g. "
				 "\"1234.50\", under \"debit\" or \"credit\"",
				 field, text);

	rc = api->money_parse(call, field, value, minor);
	if (rc != LEJR_OK)
		return rc;

	if (*minor <= 0)
		return api->fail(call, LEJR_EINVAL,
				 "%s must be greater than zero: write every "
				 "amount as a positive number and put it "
				 "under \"debit\" or \"credit\"", field);
	return LEJR_OK;
}

int
journal_line_parse(struct lejr_call *call, size_t index, json_t *line,
		   struct lejr_line_spec *out)
{
	json_t *debit, *credit;
	int64_t minor;
	int rc;

	out->account = json_string_value(json_object_get(line, "account"));
	out->memo = json_string_value(json_object_get(line, "memo"));
	debit = json_object_get(line, "debit");
	credit = json_object_get(line, "credit");

	if (out->account == NULL)
		return api->fail(call, LEJR_EINVAL,
				 "lines[%zu] names no account", index);
	if (debit != NULL && credit != NULL)
		return api->fail(call, LEJR_EINVAL,
				 "lines[%zu] has both a debit and a credit: "
				 "a line takes one side only, so split it "
				 "into two lines", index);
	if (debit == NULL && credit == NULL)
		return api->fail(call, LEJR_EINVAL,
				 "lines[%zu] has neither a debit nor a "
				 "credit: give its amount as \"debit\" or "
				 "\"credit\"", index);

	rc = line_amount(call, index, debit != NULL ? "debit" : "credit",
			 debit != NULL ? debit : credit, &minor);
	if (rc != LEJR_OK)
		return rc;

	out->amount = debit != NULL ? minor : -minor;
	return LEJR_OK;
}

/* Store {"entry": <entry number id, as the ledger reads it>} in
 * *result. */
static int
entry_result(struct lejr_call *call, int64_t id, json_t **result)
{
	json_t *entry;
	int rc;

	entry = NULL;
	rc = api->entry_get(call, id, &entry);
	if (rc != LEJR_OK)
		return rc;

	*result = json_pack("{s:o}", "entry", entry);
	if (*result == NULL)
		return api->fail(call, LEJR_EINTERNAL, "out of memory");
	return LEJR_OK;
}

static json_t *
entry_output(const char *description)
{
	return journal_schema_object(
		description,
		json_pack("{s:o}", "entry", journal_schema_entry()),
		json_pack("[s]", "entry"));
}

/* ---- post_journal_entry ---- */

static json_t *
line_input(void)
{
	/* "exactly one of debit and credit" is checked by the handler,
	 * not by oneOf: it says which line is wrong and how to fix it,
	 * where a generic validator could only say that no form fits */
	return journal_schema_object(
		"One line: an account and exactly one of debit or credit.",
		json_pack("{s:o, s:o, s:o, s:o}",
			  "account", journal_schema_code(
				  "Account code, from list_accounts."),
			  "debit", journal_schema_amount_in(
				  "Amount debited: a positive decimal string "
				  "in the organization's currency, e.g. "
				  "\"1250.00\", with no more decimals than "
				  "the currency has, no sign, exponent or "
				  "thousands separator (a JSON number is "
				  "taken too when it is exact in those "
				  "decimals). Omit when the line is a "
				  "credit."),
			  "credit", journal_schema_amount_in(
				  "Amount credited: a positive decimal string "
				  "in the organization's currency, e.g. "
				  "\"1250.00\", with no more decimals than "
				  "the currency has, no sign, exponent or "
				  "thousands separator (a JSON number is "
				  "taken too when it is exact in those "
				  "decimals). Omit when the line is a "
				  "debit."),
			  "memo", journal_schema_string(
				  "Optional text for this line only.", 1,
				  JOURNAL_MEMO_MAX)),
		json_pack("[s]", "account"));
}

static json_t *
post_input(void)
{
	return journal_schema_object(
		"A balanced journal entry: the debits equal the credits.",
		json_pack("{s:o, s:o, s:o, s:{s:s, s:i, s:i, s:s, s:o}, "
			  "s:{s:s, s:[s,s], s:s, s:s}}",
			  "date", journal_schema_date(
				  "Accounting date, YYYY-MM-DD. Must be after "
				  "the organization's lock date."),
			  "memo", journal_schema_string(
				  "What the entry records, e.g. \"March "
				  "office rent\".", 1, JOURNAL_MEMO_MAX),
			  "reference", journal_schema_string(
				  "Optional outside reference: an invoice "
				  "number, a bank transaction id.", 1,
				  JOURNAL_REFERENCE_MAX),
			  "lines",
			  "type", "array",
			  "minItems", 2,
			  "maxItems", LEJR_LINES_MAX,
			  "description",
			  "The lines, 2 to 500. Their debits must sum "
			  "to exactly their credits.",
			  "items", line_input(),
			  "kind",
			  "type", "string",
			  "enum", "ordinary", "closing",
			  "default", "ordinary",
			  "description",
			  "\"closing\" for a year-end closing entry, which "
			  "moves the fiscal year's income and expense "
			  "balances into equity (retained earnings): it "
			  "counts in every balance but not in the profit "
			  "and loss. It must be dated on the last day of a "
			  "fiscal year and touch only income, expense and "
			  "equity accounts. Default \"ordinary\"."),
		json_pack("[s,s,s]", "date", "memo", "lines"));
}

static json_t *
post_output(void)
{
	return entry_output("The entry as posted, with its new id.");
}

/* Parse every line of args into lines[n]. */
static int
parse_lines(struct lejr_call *call, json_t *array,
	    struct lejr_line_spec *lines, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = journal_line_parse(call, i, json_array_get(array, i),
					&lines[i]);
		if (rc != LEJR_OK)
			return rc;
	}
	return LEJR_OK;
}

/* The last member of struct lejr_api needed for closing entries. */
#define CLOSING_API_NEEDED \
	(offsetof(struct lejr_api, post_entry_ex) \
	 + sizeof(((struct lejr_api *)0)->post_entry_ex))

/* Post spec as an entry of kind (NULL: ordinary).  Ordinary entries go
 * through post_entry, which every core has; closing entries need a
 * core of ABI 1.1. */
static int
post(struct lejr_call *call, const char *kind,
     const struct lejr_entry_spec *spec, int64_t *id)
{
	if (kind == NULL || strcmp(kind, "closing") != 0)
		return api->post_entry(call, spec, id);
	if (api->size < CLOSING_API_NEEDED)
		return api->fail(call, LEJR_ENOTSUP, "this server cannot "
				 "post closing entries (it predates them)");
	return api->post_entry_ex(call, spec, LEJR_ENTRY_CLOSING, id);
}

static int
post_journal_entry(struct lejr_call *call, json_t *args, json_t **result)
{
	struct lejr_entry_spec spec;
	struct lejr_line_spec *lines;
	json_t *array;
	int64_t id;
	int rc;

	lines = NULL;
	array = json_object_get(args, "lines");

	memset(&spec, 0, sizeof(spec));
	spec.date = json_string_value(json_object_get(args, "date"));
	spec.memo = json_string_value(json_object_get(args, "memo"));
	spec.reference = json_string_value(json_object_get(args, "reference"));
	spec.nlines = json_array_size(array);

	if (journal_blank(spec.memo)) {
		rc = api->fail(call, LEJR_EINVAL,
			       "memo must not be blank: say what the entry "
			       "records");
		goto out;
	}
	if (spec.nlines < 2 || spec.nlines > LEJR_LINES_MAX) {
		rc = api->fail(call, LEJR_EINVAL,
			       "an entry needs 2 to %d lines, not %zu",
			       LEJR_LINES_MAX, spec.nlines);
		goto out;
	}

	lines = calloc(spec.nlines, sizeof(*lines));
	if (lines == NULL) {
		rc = api->fail(call, LEJR_EINTERNAL, "out of memory");
		goto out;
	}

	rc = parse_lines(call, array, lines, spec.nlines);
	if (rc != LEJR_OK)
		goto out;

	spec.lines = lines;
	rc = post(call, json_string_value(json_object_get(args, "kind")),
		  &spec, &id);
	if (rc != LEJR_OK)
		goto out;

	rc = entry_result(call, id, result);

out:
	free(lines);
	return rc;
}

/* ---- get_journal_entry ---- */

static json_t *
get_input(void)
{
	return journal_schema_object(
		"The entry to read.",
		json_pack("{s:o}", "id", journal_schema_id(
				  "The entry's id, as post_journal_entry or "
				  "list_journal_entries gave it.")),
		json_pack("[s]", "id"));
}

static json_t *
get_output(void)
{
	return entry_output("The entry with its lines.");
}

static int
get_journal_entry(struct lejr_call *call, json_t *args, json_t **result)
{
	json_int_t id;

	id = json_integer_value(json_object_get(args, "id"));
	return entry_result(call, id, result);
}

/* ---- list_journal_entries ---- */

static json_t *
list_input(void)
{
	return journal_schema_object(
		"Filters; all optional, all must hold.",
		json_pack("{s:o, s:o, s:o, s:o, s:o, s:{s:s, s:i, s:i, s:i, "
			  "s:s}}",
			  "from", journal_schema_date(
				  "First date included, YYYY-MM-DD."),
			  "to", journal_schema_date(
				  "Last date included, YYYY-MM-DD."),
			  "account", journal_schema_code(
				  "Only entries with a line on this account "
				  "code."),
			  "text", journal_schema_string(
				  "Only entries whose memo or reference "
				  "contains this text.", 1, 200),
			  "cursor", journal_schema_string(
				  "next_cursor from the previous page, to get "
				  "the page after it. Keep the other filters "
				  "unchanged.", 1, 512),
			  "limit",
			  "type", "integer",
			  "minimum", 1,
			  "maximum", 500,
			  "default", 50,
			  "description",
			  "Most entries on one page (default 50)."),
		json_array());
}

static json_t *
list_output(void)
{
	return journal_schema_object(
		"One page of entries.",
		json_pack("{s:{s:s, s:s, s:o}, s:o}",
			  "entries",
			  "type", "array",
			  "description",
			  "Matching entries, oldest first (by date, then "
			  "id).",
			  "items", journal_schema_entry(),
			  "next_cursor", journal_schema_string_or_null(
				  "Pass as cursor to get the next page; null "
				  "on the last page.")),
		json_pack("[s,s]", "entries", "next_cursor"));
}

static int
list_journal_entries(struct lejr_call *call, json_t *args, json_t **result)
{
	struct lejr_entry_filter filter;
	json_t *page;
	int rc;

	memset(&filter, 0, sizeof(filter));
	filter.from = json_string_value(json_object_get(args, "from"));
	filter.to = json_string_value(json_object_get(args, "to"));
	filter.account = json_string_value(json_object_get(args, "account"));
	filter.text = json_string_value(json_object_get(args, "text"));
	filter.cursor = json_string_value(json_object_get(args, "cursor"));
	filter.limit = (int)json_integer_value(json_object_get(args, "limit"));

	/* the ledger checks the dates, the account and the cursor */
	page = NULL;
	rc = api->entry_list(call, &filter, &page);
	if (rc != LEJR_OK)
		return rc;

	/* the last page has no cursor: say null, as the schema does */
	if (json_object_get(page, "next_cursor") == NULL
	    && json_object_set_new(page, "next_cursor", json_null()) != 0) {
		json_decref(page);
		return api->fail(call, LEJR_EINTERNAL, "out of memory");
	}

	*result = page;
	return LEJR_OK;
}

/* ---- reverse_journal_entry ---- */

static json_t *
reverse_input(void)
{
	return journal_schema_object(
		"The entry to reverse, and how to date and describe the "
		"reversal.",
		json_pack("{s:o, s:o, s:o}",
			  "id", journal_schema_id(
				  "Id of the entry to reverse."),
			  "date", journal_schema_date(
				  "Date of the reversing entry, YYYY-MM-DD, "
				  "not before the original's; by default the "
				  "original's date. Use a later date when the "
				  "original's period is locked or already "
				  "reported."),
			  "memo", journal_schema_string(
				  "Memo of the reversing entry; by default "
				  "\"Reversal of entry N: \" and the "
				  "original's memo.", 1, JOURNAL_MEMO_MAX)),
		json_pack("[s]", "id"));
}

static json_t *
reverse_output(void)
{
	return journal_schema_object(
		"The reversing entry and the entry it reverses.",
		json_pack("{s:o, s:o}",
			  "entry", journal_schema_entry(),
			  "original", journal_schema_entry()),
		json_pack("[s,s]", "entry", "original"));
}

static int
reverse_journal_entry(struct lejr_call *call, json_t *args,
		      json_t **result)
{
	json_t *entry, *original;
	const char *date, *memo;
	int64_t id, new_id;
	int rc;

	entry = NULL;
	original = NULL;
	id = json_integer_value(json_object_get(args, "id"));
	date = json_string_value(json_object_get(args, "date"));
	memo = json_string_value(json_object_get(args, "memo"));

	if (memo != NULL && journal_blank(memo)) {
		rc = api->fail(call, LEJR_EINVAL,
			       "memo must not be blank: leave it out to use "
			       "the default");
		goto out;
	}

	rc = api->entry_reverse(call, id, date, memo, &new_id);
	if (rc != LEJR_OK)
		goto out;

	rc = api->entry_get(call, new_id, &entry);
	if (rc != LEJR_OK)
		goto out;
	rc = api->entry_get(call, id, &original);
	if (rc != LEJR_OK)
		goto out;

	*result = json_pack("{s:O, s:O}", "entry", entry,
			    "original", original);
	if (*result == NULL)
		rc = api->fail(call, LEJR_EINTERNAL, "out of memory");

out:
	json_decref(entry);
	json_decref(original);
	return rc;
}

const struct journal_tool journal_entry_tools[] = {
	{
		.name = "post_journal_entry",
		.title = "Post journal entry",
		.description =
			"Post a balanced double-entry journal entry. Each "
			"line names an account code (see list_accounts) and "
			"exactly one of debit or credit, a positive decimal "
			"string in the organization's currency such as "
			"\"1250.00\" (never more decimals than the currency "
			"has). Debits increase asset and expense accounts; "
			"credits increase liability, equity and income "
			"accounts. The debits must equal the credits "
			"exactly, or nothing is posted and the error gives "
			"the difference. Example, rent paid from the bank: "
			"debit the rent expense account 1250.00 and credit "
			"the bank account 1250.00, each by the code that "
			"list_accounts gives it. "
			"Posted entries are permanent and cannot be edited "
			"or deleted: to fix a mistake, reverse the entry "
			"with reverse_journal_entry and post a corrected "
			"one. Entries dated on or before the lock date are "
			"refused.",
		.input_schema = post_input,
		.output_schema = post_output,
		.access = LEJR_ACCESS_WRITE,
		.annotations = 0,
		.handler = post_journal_entry,
	},
	{
		.name = "get_journal_entry",
		.title = "Get journal entry",
		.description =
			"Read one journal entry by id: its date, memo, "
			"reference, lines (account, debit or credit as "
			"decimal strings in the organization's currency, "
			"memo) and its links to the entry it reverses or "
			"the entry that reversed it.",
		.input_schema = get_input,
		.output_schema = get_output,
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY | LEJR_ANNOT_IDEMPOTENT,
		.handler = get_journal_entry,
	},
	{
		.name = "list_journal_entries",
		.title = "List journal entries",
		.description =
			"List journal entries with their lines, oldest "
			"first, one page at a time. Filter by a date range "
			"(from and to, both inclusive), by an account code "
			"(entries with a line on it) and by text found in "
			"the memo or reference. When next_cursor is not "
			"null, call again with the same filters and cursor "
			"set to it for the next page.",
		.input_schema = list_input,
		.output_schema = list_output,
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY | LEJR_ANNOT_IDEMPOTENT,
		.handler = list_journal_entries,
	},
	{
		.name = "reverse_journal_entry",
		.title = "Reverse journal entry",
		.description =
			"Cancel the effect of a posted entry by posting its "
			"reversal: a new entry with every debit and credit "
			"swapped, linked to the original. This is how "
			"mistakes are corrected, since entries cannot be "
			"edited: reverse the wrong entry, then post the "
			"right one with post_journal_entry. An entry can be "
			"reversed only once, and a reversal cannot itself "
			"be reversed. The reversal takes the original's "
			"date unless date is given (never an earlier one); "
			"a date on or before the lock date is refused, and "
			"an entry with a line on an archived account cannot "
			"be reversed.",
		.input_schema = reverse_input,
		.output_schema = reverse_output,
		.access = LEJR_ACCESS_WRITE,
		.annotations = 0,
		.handler = reverse_journal_entry,
	},
};

const size_t journal_entry_ntools =
	sizeof(journal_entry_tools) / sizeof(journal_entry_tools[0]);

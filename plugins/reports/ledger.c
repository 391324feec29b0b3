/*
 * ledger.c - general_ledger: one account's lines over a period with
 * opening, running and closing balances, a page at a time.
 */
#include <stdio.h>
#include <string.h>

#include "reports.h"

#define api reports_api

#define GL_MEMO_SHOWN 40 /* characters of a memo in the text table */

static const char *const gl_checks[] = {
	"period_reconciles", "page_reconciles"
};
static const char *const gl_check_text[] = {
	"Opening balance plus the period's debits less its credits equals "
	"the closing balance.",
	"The page's lines lead from its opening balance to the balance the "
	"totals give after its last entry (on the last page: the closing "
	"balance)."
};

static json_t *
gl_input(void)
{
	return reports_schema_object(
		"The account, the period and the page.",
		json_pack("{s:o, s:o, s:o, s:o, s:{s:s, s:i, s:i, s:i, s:s}}",
			  "account", reports_schema_code(
				  "Account code, from list_accounts."),
			  "from", reports_schema_date(
				  "First day of the period, included, "
				  "YYYY-MM-DD; by default the start of the "
				  "books."),
			  "to", reports_schema_date(
				  "Last day of the period, included, "
				  "YYYY-MM-DD; by default all entries."),
			  "cursor", reports_schema_string(
				  "next_cursor from the previous page, to get "
				  "the page after it. Keep the account and the "
				  "period unchanged.", 1, 512),
			  "limit",
			  "type", "integer",
			  "minimum", 1,
			  "maximum", 500,
			  "default", 100,
			  "description",
			  "Most lines on one page (default 100). A page "
			  "holds whole entries only, so it may hold fewer; "
			  "an entry with more lines on the account than "
			  "this fills a page alone."),
		json_pack("[s]", "account"));
}

static json_t *
gl_line_output(void)
{
	json_t *props, *req;

	props = json_pack("{s:o, s:{s:s, s:i, s:s}, s:o, s:o, s:o, "
			  "s:{s:s, s:[s], s:s}, s:{s:s, s:s, s:o}}",
			  "date", reports_schema_date("The entry's date."),
			  "entry", "type", "integer", "minimum", 1,
			  "description", "The entry's id.",
			  "memo", reports_schema_string("The entry's memo.",
							1, 0),
			  "reference", reports_schema_string(
				  "The entry's outside reference, when it "
				  "has one.", 1, 0),
			  "line_memo", reports_schema_string(
				  "The line's own memo, when it has one.", 0,
				  0),
			  "kind", "type", "string", "enum", "closing",
			  "description", "Present on a closing entry's line.",
			  "counter_accounts", "type", "array",
			  "description", "Codes of the entry's other "
			  "accounts.", "items",
			  reports_schema_code("Account code."));
	req = json_pack("[s,s,s,s]", "date", "entry", "memo",
			"counter_accounts");
	if (reports_schema_money(props, req, "debit", "Amount debited, or "
				 "zero.") != 0 ||
	    reports_schema_money(props, req, "credit", "Amount credited as a "
				 "positive number, or zero.") != 0 ||
	    reports_schema_money(props, req, "amount", "Signed amount: debit "
				 "positive.") != 0 ||
	    reports_schema_money(props, req, "balance", "Running balance "
				 "after this line, debit positive.") != 0) {
		json_decref(props);
		json_decref(req);
		return NULL;
	}
	return reports_schema_object("One line on the account.", props, req);
}

static int
gl_output_money(json_t *props, json_t *req)
{
	return reports_schema_money(props, req, "opening_balance", "Balance "
				    "before the period's first day, debit "
				    "positive.") ||
	       reports_schema_money(props, req, "period_debit", "Debits of "
				    "the whole period.") ||
	       reports_schema_money(props, req, "period_credit", "Credits "
				    "of the whole period, positive.") ||
	       reports_schema_money(props, req, "closing_balance", "Balance "
				    "after the period's last day.") ||
	       reports_schema_money(props, req, "page_opening_balance",
				    "Running balance before this page's "
				    "first line.") ||
	       reports_schema_money(props, req, "page_closing_balance",
				    "Running balance after this page's last "
				    "line.");
}

static json_t *
gl_output(void)
{
	json_t *props, *req;

	props = json_pack("{s:o, s:o, s:o, s:{s:s, s:s, s:o}, s:{s:[s,s], "
			  "s:s}, s:o}",
			  "account", reports_schema_account(),
			  "period", reports_schema_object(
				  "The period asked for, both days included; "
				  "null where open.",
				  json_pack("{s:o, s:o}",
					    "from", reports_schema_date_or_null(
						    "First day, or null."),
					    "to", reports_schema_date_or_null(
						    "Last day, or null.")),
				  json_pack("[s,s]", "from", "to")),
			  "currency", reports_schema_currency(),
			  "lines", "type", "array", "description",
			  "This page's lines, by date, entry and line.",
			  "items", gl_line_output(),
			  "next_cursor", "type", "string", "null",
			  "description", "Pass as cursor to get the next "
			  "page; null on the last page.",
			  "checks", reports_schema_checks(gl_checks,
							  gl_check_text, 2,
							  2));
	req = json_pack("[s,s,s,s,s,s]", "account", "period", "currency",
			"lines", "next_cursor", "checks");
	if (gl_output_money(props, req) != 0) {
		json_decref(props);
		json_decref(req);
		return NULL;
	}
	return reports_schema_object("One page of the general ledger.", props,
				     req);
}

/* At most GL_MEMO_SHOWN characters of memo, cut on a character; len
 * is more than 4.  Copied by hand: a long ledger shows many memos. */
static void
short_memo(const char *memo, char *out, size_t len)
{
	size_t i = 0, chars = 0;

	while (memo[i] != '\0' && i + 4 < len) {
		if (((unsigned char)memo[i] & 0xc0) != 0x80 &&
		    chars++ == GL_MEMO_SHOWN)
			break;
		i++;
	}
	memcpy(out, memo, i);
	if (memo[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

static void
gl_rows(struct reports_table *table, json_t *gl)
{
	const char *cells[6];
	char entry[24], memo[256];
	size_t i;
	json_t *line;

	json_array_foreach(json_object_get(gl, "lines"), i, line) {
		snprintf(entry, sizeof(entry), "%lld", (long long)
			 json_integer_value(json_object_get(line, "entry")));
		short_memo(reports_str(line, "memo"), memo, sizeof(memo));
		cells[0] = reports_str(line, "date");
		cells[1] = entry;
		cells[2] = memo;
		cells[3] = reports_str(line, "debit");
		cells[4] = reports_str(line, "credit");
		cells[5] = reports_str(line, "balance");
		reports_table_row(table, cells);
	}
}

static void
gl_text(json_t *gl, struct reports_text *t)
{
	static const unsigned char right[] = { 0, 1, 0, 1, 1, 1 };
	static const char *const head[] = { "Date", "Entry", "Memo", "Debit",
					    "Credit", "Balance" };
	json_t *acct = json_object_get(gl, "account");
	json_t *period = json_object_get(gl, "period");
	struct reports_table *table;
	const char *cells[6] = { "", "", "", "", "", "" };
	const char *from = json_string_value(json_object_get(period, "from"));
	const char *to = json_string_value(json_object_get(period, "to"));

	reports_text_add(t, "General ledger of %s %s, %s%s%s%s (%s)\n"
			 "Opening balance %s, debits %s, credits %s, closing "
			 "balance %s\n\n", reports_str(acct, "code"),
			 reports_str(acct, "name"),
			 from != NULL ? "from " : "",
			 from != NULL ? from : "",
			 to != NULL ? (from != NULL ? " to " : "to ") :
			 (from != NULL ? "" : "all dates"),
			 to != NULL ? to : "",
			 reports_str(gl, "currency"),
			 reports_str(gl, "opening_balance"),
			 reports_str(gl, "period_debit"),
			 reports_str(gl, "period_credit"),
			 reports_str(gl, "closing_balance"));

	table = reports_table_new(6, right);
	if (table == NULL) {
		t->oom = 1;
		return;
	}
	reports_table_row(table, head);
	reports_table_rule(table);
	cells[2] = "Balance brought forward";
	cells[5] = reports_str(gl, "page_opening_balance");
	reports_table_row(table, cells);
	gl_rows(table, gl);
	reports_table_rule(table);
	cells[2] = json_is_string(json_object_get(gl, "next_cursor")) ?
		   "Balance carried forward" : "Closing balance";
	cells[5] = reports_str(gl, "page_closing_balance");
	reports_table_row(table, cells);
	reports_table_print(table, t);
	reports_table_free(table);

	reports_text_add(t, "\n%s", json_is_string(json_object_get(
		gl, "next_cursor")) ? "More lines follow: pass next_cursor as "
		"cursor.\n" : "");
	reports_text_checks(t, json_object_get(gl, "checks"));
}

static int
general_ledger(struct lejr_call *call, json_t *args, json_t **result)
{
	struct reports_text text = { 0 };
	json_t *gl = NULL;
	int rc;

	rc = api->general_ledger(
		call, json_string_value(json_object_get(args, "account")),
		json_string_value(json_object_get(args, "from")),
		json_string_value(json_object_get(args, "to")),
		json_string_value(json_object_get(args, "cursor")),
		(int)json_integer_value(json_object_get(args, "limit")), &gl);
	if (rc != LEJR_OK)
		return rc;

	gl_text(gl, &text);
	reports_set_text(call, &text);
	*result = gl;
	return LEJR_OK;
}

const struct reports_tool reports_ledger_tools[] = {
	{
		.name = "general_ledger",
		.title = "General ledger",
		.description =
			"One account's general ledger for a period (both "
			"days included): the opening balance, every line "
			"with its entry (date, id, memo, other accounts) "
			"and the running balance, and the closing balance. "
			"Long ledgers come in pages that never split an "
			"entry: pass next_cursor as cursor for the next "
			"page.",
		.input_schema = gl_input,
		.output_schema = gl_output,
		.handler = general_ledger,
	},
};

const size_t reports_ledger_ntools =
	sizeof(reports_ledger_tools) / sizeof(reports_ledger_tools[0]);

/*
 * balance.c - trial_balance, account_balance and assert_balance: the
 * balances of every account, or of one, at a date.
 */
#include <stdio.h>
#include <string.h>

#include "reports.h"

#define api reports_api

static const char *const tb_checks[] = { "balanced" };
static const char *const tb_check_text[] = {
	"The debit and credit columns have equal totals."
};

static const char *const acct_checks[] = { "totals_agree" };
static const char *const acct_check_text[] = {
	"The balance read forward from the start of the books equals the "
	"balance read back from their end."
};

/* ---- trial_balance ---- */

static json_t *
tb_input(void)
{
	return reports_schema_object(
		"The date of the trial balance.",
		json_pack("{s:o}", "as_of", reports_schema_date(
				  "Include entries dated up to and including "
				  "this date, YYYY-MM-DD; by default all "
				  "entries.")),
		json_array());
}

static json_t *
tb_row_output(void)
{
	json_t *props, *req;

	props = json_pack("{s:o, s:o, s:{s:s, s:[s,s,s,s,s], s:s}}",
			  "code", reports_schema_code("Account code."),
			  "name", reports_schema_string("Account name.", 1,
							LEJR_NAME_MAX),
			  "type", "type", "string", "enum", "asset",
			  "liability", "equity", "income", "expense",
			  "description", "Account type.");
	req = json_pack("[s,s,s]", "code", "name", "type");
	if (reports_schema_money(props, req, "debit", "Debit balance, or "
				 "zero.") != 0 ||
	    reports_schema_money(props, req, "credit", "Credit balance as a "
				 "positive number, or zero.") != 0 ||
	    reports_schema_money(props, req, "balance", "Net balance: debits "
				 "minus credits.") != 0) {
		json_decref(props);
		json_decref(req);
		return NULL;
	}
	return reports_schema_object(
		"One account's balance. A net debit shows in the debit "
		"column, a net credit in the credit column; the other is "
		"zero.", props, req);
}

static json_t *
tb_output(void)
{
	json_t *props, *req;

	props = json_pack("{s:o, s:o, s:{s:s, s:s, s:o}, s:{s:s, s:b, s:s}, "
			  "s:o}",
			  "as_of", reports_schema_date_or_null(
				  "The date asked for, or null for all "
				  "entries."),
			  "currency", reports_schema_currency(),
			  "accounts", "type", "array", "description",
			  "Accounts with lines by then, ordered by code, "
			  "closing entries included.",
			  "items", tb_row_output(),
			  "balanced", "type", "boolean", "const", 1,
			  "description", "Always true: a trial balance whose "
			  "columns differ is refused as an error.",
			  "checks", reports_schema_checks(tb_checks,
							  tb_check_text, 1,
							  1));
	req = json_pack("[s,s,s,s,s]", "as_of", "currency", "accounts",
			"balanced", "checks");
	if (reports_schema_money(props, req, "total_debit", "Sum of the "
				 "debit column.") != 0 ||
	    reports_schema_money(props, req, "total_credit", "Sum of the "
				 "credit column; always equal to "
				 "total_debit.") != 0) {
		json_decref(props);
		json_decref(req);
		return NULL;
	}
	return reports_schema_object("The trial balance.", props, req);
}

static void
tb_text(json_t *tb, struct reports_text *t)
{
	static const unsigned char right[] = { 0, 0, 1, 1 };
	static const char *const head[] = { "Code", "Account", "Debit",
					    "Credit" };
	struct reports_table *table;
	const char *cells[4];
	size_t i;
	json_t *row;

	if (json_is_string(json_object_get(tb, "as_of")))
		reports_text_add(t, "Trial balance as of %s (%s)\n\n",
				 reports_str(tb, "as_of"),
				 reports_str(tb, "currency"));
	else
		reports_text_add(t, "Trial balance, all entries (%s)\n\n",
				 reports_str(tb, "currency"));

	table = reports_table_new(4, right);
	if (table == NULL) {
		t->oom = 1;
		return;
	}
	reports_table_row(table, head);
	reports_table_rule(table);
	json_array_foreach(json_object_get(tb, "accounts"), i, row) {
		cells[0] = reports_str(row, "code");
		cells[1] = reports_str(row, "name");
		cells[2] = reports_str(row, "debit");
		cells[3] = reports_str(row, "credit");
		reports_table_row(table, cells);
	}
	reports_table_rule(table);
	cells[0] = "";
	cells[1] = "Total";
	cells[2] = reports_str(tb, "total_debit");
	cells[3] = reports_str(tb, "total_credit");
	reports_table_row(table, cells);
	reports_table_print(table, t);
	reports_table_free(table);

	reports_text_add(t, "\n");
	reports_text_checks(t, json_object_get(tb, "checks"));
}

static int
trial_balance(struct lejr_call *call, json_t *args, json_t **result)
{
	struct reports_text text = { 0 };
	const char *as_of;
	json_t *tb = NULL;
	int rc;

	as_of = json_string_value(json_object_get(args, "as_of"));
	rc = api->trial_balance(call, as_of, &tb);
	if (rc != LEJR_OK)
		return rc;

	/* the ledger refuses a trial balance whose columns differ */
	if (!json_is_true(json_object_get(tb, "balanced")) ||
	    json_object_set_new(tb, "checks", json_pack(
		    "{s:b}", "balanced", 1)) != 0) {
		json_decref(tb);
		return api->fail(call, LEJR_EINTERNAL, "the trial balance "
				 "failed its own check (balanced)");
	}

	tb_text(tb, &text);
	reports_set_text(call, &text);
	*result = tb;
	return LEJR_OK;
}

/* ---- account_balance ---- */

static json_t *
acct_input(void)
{
	return reports_schema_object(
		"The account and the date.",
		json_pack("{s:o, s:o}",
			  "account", reports_schema_code(
				  "Account code, from list_accounts."),
			  "as_of", reports_schema_date(
				  "Include entries dated up to and including "
				  "this date, YYYY-MM-DD; by default all "
				  "entries.")),
		json_pack("[s]", "account"));
}

static json_t *
acct_output(void)
{
	json_t *props, *req;

	props = json_pack("{s:o, s:o, s:o, s:o}",
			  "account", reports_schema_account(),
			  "as_of", reports_schema_date_or_null(
				  "The date asked for, or null for all "
				  "entries."),
			  "currency", reports_schema_currency(),
			  "checks", reports_schema_checks(
				  acct_checks, acct_check_text, 1, 1));
	req = json_pack("[s,s,s,s]", "account", "as_of", "currency",
			"checks");
	if (reports_schema_money(props, req, "balance", "Net balance, "
				 "debits minus credits (a credit balance "
				 "is negative).") != 0 ||
	    reports_schema_money(props, req, "debit", "The balance when it "
				 "is a debit, else zero.") != 0 ||
	    reports_schema_money(props, req, "credit", "The balance when it "
				 "is a credit, as a positive number, else "
				 "zero.") != 0) {
		json_decref(props);
		json_decref(req);
		return NULL;
	}
	return reports_schema_object("One account's balance.", props, req);
}

static const char *
side_of(json_t *r)
{
	json_int_t v = json_integer_value(json_object_get(r, "balance_minor"));

	return v > 0 ? "debit" : v < 0 ? "credit" : "zero";
}

static int
account_balance(struct lejr_call *call, json_t *args, json_t **result)
{
	struct reports_text text = { 0 };
	json_t *r = NULL, *acct;
	const char *side;
	int rc;

	rc = api->account_report(call,
				 json_string_value(json_object_get(args,
								   "account")),
				 json_string_value(json_object_get(args,
								   "as_of")),
				 &r);
	if (rc != LEJR_OK)
		return rc;

	acct = json_object_get(r, "account");
	side = side_of(r);
	reports_text_add(&text, "%s %s (%s), %s%s: %s balance %s %s\n",
			 reports_str(acct, "code"), reports_str(acct, "name"),
			 reports_str(acct, "type"),
			 json_is_string(json_object_get(r, "as_of")) ?
			 "as of " : "all entries",
			 reports_str(r, "as_of"), side,
			 reports_str(r, side[0] == 'c' ? "credit" : "debit"),
			 reports_str(r, "currency"));
	reports_text_checks(&text, json_object_get(r, "checks"));
	reports_set_text(call, &text);
	*result = r;
	return LEJR_OK;
}

/* ---- assert_balance ---- */

static json_t *
assert_input(void)
{
	return reports_schema_object(
		"The balance an account should have at a date.",
		json_pack("{s:o, s:o, s:{s:[s,s], s:s}, s:{s:s, s:[s,s], "
			  "s:s}}",
			  "account", reports_schema_code(
				  "Account code, from list_accounts."),
			  "date", reports_schema_date(
				  "The balance after every entry dated up to "
				  "and including this date, YYYY-MM-DD."),
			  "expected",
			  "type", "string", "number",
			  "description",
			  "The expected balance as an exact decimal in "
			  "the organization's currency, e.g. \"1300.00\". "
			  "Without side: debits minus credits, so a credit "
			  "balance is negative (\"-500.00\"). With side: a "
			  "positive amount on that side.",
			  "side",
			  "type", "string",
			  "enum", "debit", "credit",
			  "description",
			  "Optional: the side of the expected balance; "
			  "expected is then not negative."),
		json_pack("[s,s,s]", "account", "date", "expected"));
}

static json_t *
assert_output(void)
{
	json_t *props, *req;

	props = json_pack("{s:o, s:o, s:o, s:{s:s, s:s}, s:o}",
			  "account", reports_schema_account(),
			  "date", reports_schema_date("The date asked for."),
			  "currency", reports_schema_currency(),
			  "holds", "type", "boolean", "description",
			  "true when the actual balance equals the "
			  "expected one to the cent.",
			  "checks", reports_schema_checks(
				  acct_checks, acct_check_text, 1, 1));
	req = json_pack("[s,s,s,s,s]", "account", "date", "currency",
			"holds", "checks");
	if (reports_schema_money(props, req, "expected", "The expected "
				 "balance, debits minus credits.") != 0 ||
	    reports_schema_money(props, req, "actual", "The actual balance, "
				 "debits minus credits.") != 0 ||
	    reports_schema_money(props, req, "difference", "actual minus "
				 "expected; zero when the assertion "
				 "holds.") != 0) {
		json_decref(props);
		json_decref(req);
		return NULL;
	}
	return reports_schema_object(
		"Whether the balance assertion holds, and by how much it "
		"misses.", props, req);
}

/* The expected balance, debit positive, from expected and side. */
static int
expected_balance(struct lejr_call *call, json_t *args, int64_t *minor)
{
	const char *side;
	int rc;

	rc = api->money_parse(call, "expected",
			      json_object_get(args, "expected"), minor);
	if (rc != LEJR_OK)
		return rc;

	side = json_string_value(json_object_get(args, "side"));
	if (side == NULL)
		return LEJR_OK;
	if (*minor < 0)
		return api->fail(call, LEJR_EINVAL, "expected must not be "
				 "negative when side is given: write the "
				 "amount on its side, e.g. \"500.00\" with "
				 "side \"credit\"");
	if (strcmp(side, "credit") == 0)
		*minor = -*minor;
	return LEJR_OK;
}

static int
money_pair(struct lejr_call *call, json_t *o, const char *key, int64_t v)
{
	char buf[32], name[64];

	if (api->money_format(call, v, buf, sizeof(buf)) != LEJR_OK)
		return -1;
	snprintf(name, sizeof(name), "%s_minor", key);
	if (json_object_set_new(o, key, json_string(buf)) != 0 ||
	    json_object_set_new(o, name, json_integer(v)) != 0)
		return -1;
	return 0;
}

static int
assert_result(struct lejr_call *call, json_t *r, const char *date,
	      int64_t expected, json_t **result)
{
	int64_t actual, diff;
	json_t *o;

	actual = json_integer_value(json_object_get(r, "balance_minor"));
	if (__builtin_sub_overflow(actual, expected, &diff))
		return api->fail(call, LEJR_EINVAL, "expected is too far "
				 "from the balance to compare");

	o = json_pack("{s:O, s:s, s:O, s:b, s:O}",
		      "account", json_object_get(r, "account"),
		      "date", date,
		      "currency", json_object_get(r, "currency"),
		      "holds", diff == 0,
		      "checks", json_object_get(r, "checks"));
	if (o == NULL || money_pair(call, o, "expected", expected) != 0 ||
	    money_pair(call, o, "actual", actual) != 0 ||
	    money_pair(call, o, "difference", diff) != 0) {
		json_decref(o);
		return api->fail(call, LEJR_EINTERNAL, "out of memory");
	}
	*result = o;
	return LEJR_OK;
}

static int
assert_balance(struct lejr_call *call, json_t *args, json_t **result)
{
	struct reports_text text = { 0 };
	const char *date;
	json_t *r = NULL, *acct;
	int64_t expected;
	int rc;

	date = json_string_value(json_object_get(args, "date"));
	rc = expected_balance(call, args, &expected);
	if (rc == LEJR_OK)
		rc = api->account_report(call, json_string_value(
			json_object_get(args, "account")), date, &r);
	if (rc == LEJR_OK)
		rc = assert_result(call, r, date, expected, result);
	json_decref(r);
	if (rc != LEJR_OK)
		return rc;

	acct = json_object_get(*result, "account");
	reports_text_add(&text, "Balance of %s %s on %s: %s %s, expected "
			 "%s: %s (difference %s)\n",
			 reports_str(acct, "code"), reports_str(acct, "name"),
			 date, reports_str(*result, "actual"),
			 reports_str(*result, "currency"),
			 reports_str(*result, "expected"),
			 json_is_true(json_object_get(*result, "holds")) ?
			 "holds" : "DOES NOT HOLD",
			 reports_str(*result, "difference"));
	reports_text_checks(&text, json_object_get(*result, "checks"));
	reports_set_text(call, &text);
	return LEJR_OK;
}

const struct reports_tool reports_balance_tools[] = {
	{
		.name = "trial_balance",
		.title = "Trial balance",
		.description =
			"The trial balance of the organization: every "
			"account with lines up to and including as_of "
			"(default: all entries), closing entries included, "
			"with its balance as a debit or a credit in the "
			"organization's currency and the totals of both "
			"columns, which are always equal. Use it to check "
			"balances before closing a period or preparing "
			"statements.",
		.input_schema = tb_input,
		.output_schema = tb_output,
		.handler = trial_balance,
	},
	{
		.name = "account_balance",
		.title = "Account balance",
		.description =
			"One account's balance up to and including as_of "
			"(default: all entries), as debits minus credits "
			"and as a debit or credit balance, in the "
			"organization's currency. For the lines behind it "
			"use general_ledger.",
		.input_schema = acct_input,
		.output_schema = acct_output,
		.handler = account_balance,
	},
	{
		.name = "assert_balance",
		.title = "Check an account's balance",
		.description =
			"Check that an account's balance after every entry "
			"dated up to and including date equals an expected "
			"amount, e.g. a bank statement's closing balance. "
			"Answers whether it holds and the difference "
			"(actual minus expected); a balance that does not "
			"hold is a result, not an error.",
		.input_schema = assert_input,
		.output_schema = assert_output,
		.handler = assert_balance,
	},
};

const size_t reports_balance_ntools =
	sizeof(reports_balance_tools) / sizeof(reports_balance_tools[0]);

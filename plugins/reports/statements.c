/*
 * statements.c - balance_sheet and profit_and_loss.
 */
#include <stdio.h>
#include <string.h>

#include "reports.h"

#define api reports_api

/* ---- balance_sheet ---- */

static const char *const bs_checks[] = {
	"balanced", "earnings_match_profit_and_loss"
};
static const char *const bs_check_text[] = {
	"Total assets equal total liabilities plus total equity.",
	"Current-year earnings plus what closing entries moved to equity "
	"equal the profit and loss from the fiscal year's start to as_of, "
	"read from other totals."
};

static json_t *
bs_input(void)
{
	return reports_schema_object(
		"The date of the balance sheet.",
		json_pack("{s:o}", "as_of", reports_schema_date(
				  "The balance sheet at the end of this day, "
				  "YYYY-MM-DD: every entry dated up to and "
				  "including it.")),
		json_pack("[s]", "as_of"));
}

static json_t *
bs_row_output(void)
{
	json_t *props, *req;

	props = json_pack("{s:{s:[s,s], s:s}, s:o, s:{s:s, s:[s,s,s], s:s}}",
			  "code", "type", "string", "null", "description",
			  "Account code; null for a computed earnings line.",
			  "name", reports_schema_string("What the line shows.",
							1, 0),
			  "line", "type", "string", "enum", "account",
			  "retained_earnings_prior", "current_year_earnings",
			  "description",
			  "\"account\" for an account's balance, or which "
			  "computed earnings line this is.");
	req = json_pack("[s,s,s]", "code", "name", "line");
	if (reports_schema_money(props, req, "amount", "The line's amount: "
				 "assets debit positive, liabilities and "
				 "equity credit positive.") != 0) {
		json_decref(props);
		json_decref(req);
		return NULL;
	}
	return reports_schema_object("One line of a section.", props, req);
}

static json_t *
bs_section_output(const char *description)
{
	json_t *props, *req;

	props = json_pack("{s:{s:s, s:s, s:o}}", "rows", "type", "array",
			  "description", "The section's lines, accounts in "
			  "code order.", "items", bs_row_output());
	req = json_pack("[s]", "rows");
	if (reports_schema_money(props, req, "total", "Sum of the section's "
				 "lines.") != 0) {
		json_decref(props);
		json_decref(req);
		return NULL;
	}
	return reports_schema_object(description, props, req);
}

static json_t *
bs_year_output(void)
{
	json_t *props, *req;

	props = json_pack("{s:o, s:o}",
			  "from", reports_schema_date("First day of the "
						      "fiscal year holding "
						      "as_of."),
			  "to", reports_schema_date("Its last day."));
	req = json_pack("[s,s]", "from", "to");
	if (reports_schema_money(props, req, "profit_and_loss_net", "The "
				 "profit and loss from the fiscal year's "
				 "first day to as_of, closing entries left "
				 "out.") != 0 ||
	    reports_schema_money(props, req, "closed_to_equity", "What "
				 "closing entries of that time moved from "
				 "income and expenses to equity.") != 0) {
		json_decref(props);
		json_decref(req);
		return NULL;
	}
	return reports_schema_object("The fiscal year holding as_of.", props,
				     req);
}

static json_t *
bs_output(void)
{
	json_t *props, *req;

	props = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			  "as_of", reports_schema_date("The date asked for."),
			  "currency", reports_schema_currency(),
			  "fiscal_year", bs_year_output(),
			  "assets", bs_section_output("Assets, debit "
						      "positive."),
			  "liabilities", bs_section_output(
				  "Liabilities, credit positive."),
			  "equity", bs_section_output(
				  "Equity, credit positive: the equity "
				  "accounts, then \"Retained earnings (prior "
				  "years, unclosed)\" and \"Current-year "
				  "earnings\"."),
			  "checks", reports_schema_checks(bs_checks,
							  bs_check_text, 2,
							  2));
	req = json_pack("[s,s,s,s,s,s,s]", "as_of", "currency", "fiscal_year",
			"assets", "liabilities", "equity", "checks");
	if (reports_schema_money(props, req, "total_liabilities_and_equity",
				 "Liabilities plus equity; always equal to "
				 "the assets' total.") != 0 ||
	    reports_schema_money(props, req, "retained_earnings_prior",
				 "Income less expenses of earlier fiscal "
				 "years not yet moved to equity by closing "
				 "entries.") != 0 ||
	    reports_schema_money(props, req, "current_year_earnings",
				 "Income less expenses from the fiscal "
				 "year's first day to as_of, less what "
				 "closing entries moved to equity.") != 0) {
		json_decref(props);
		json_decref(req);
		return NULL;
	}
	return reports_schema_object("The balance sheet.", props, req);
}

/* A section's lines and total into table. */
static void
bs_section_text(struct reports_table *table, json_t *section,
		const char *title, const char *total)
{
	const char *cells[3];
	size_t i;
	json_t *row;

	reports_table_note(table, "%s", title);
	json_array_foreach(json_object_get(section, "rows"), i, row) {
		cells[0] = json_is_string(json_object_get(row, "code")) ?
			   reports_str(row, "code") : "";
		cells[1] = reports_str(row, "name");
		cells[2] = reports_str(row, "amount");
		reports_table_row(table, cells);
	}
	reports_table_rule(table);
	cells[0] = "";
	cells[1] = total;
	cells[2] = reports_str(section, "total");
	reports_table_row(table, cells);
	reports_table_note(table, "%s", "");
}

static void
bs_text(json_t *bs, struct reports_text *t)
{
	static const unsigned char right[] = { 0, 0, 1 };
	json_t *fy = json_object_get(bs, "fiscal_year");
	struct reports_table *table;
	const char *cells[3];

	reports_text_add(t, "Balance sheet as of %s (%s), fiscal year %s to "
			 "%s\n\n", reports_str(bs, "as_of"),
			 reports_str(bs, "currency"), reports_str(fy, "from"),
			 reports_str(fy, "to"));
	table = reports_table_new(3, right);
	if (table == NULL) {
		t->oom = 1;
		return;
	}
	bs_section_text(table, json_object_get(bs, "assets"), "Assets",
			"Total assets");
	bs_section_text(table, json_object_get(bs, "liabilities"),
			"Liabilities", "Total liabilities");
	bs_section_text(table, json_object_get(bs, "equity"), "Equity",
			"Total equity");
	cells[0] = "";
	cells[1] = "Total liabilities and equity";
	cells[2] = reports_str(bs, "total_liabilities_and_equity");
	reports_table_row(table, cells);
	reports_table_print(table, t);
	reports_table_free(table);

	reports_text_add(t, "\nProfit and loss %s to %s: %s; closed to "
			 "equity: %s\n", reports_str(fy, "from"),
			 reports_str(bs, "as_of"),
			 reports_str(fy, "profit_and_loss_net"),
			 reports_str(fy, "closed_to_equity"));
	reports_text_checks(t, json_object_get(bs, "checks"));
}

static int
balance_sheet(struct lejr_call *call, json_t *args, json_t **result)
{
	struct reports_text text = { 0 };
	json_t *bs = NULL;
	int rc;

	rc = api->balance_sheet(call, json_string_value(
		json_object_get(args, "as_of")), &bs);
	if (rc != LEJR_OK)
		return rc;

	bs_text(bs, &text);
	reports_set_text(call, &text);
	*result = bs;
	return LEJR_OK;
}

/* ---- profit_and_loss ---- */

static const char *const pl_checks[] = {
	"net_matches_balances", "columns_add_up"
};
static const char *const pl_check_text[] = {
	"The net result equals the change of the income and expense "
	"balances over the period, less closing entries.",
	"With month or quarter columns: every account's columns add up to "
	"its total, read in one piece."
};

static json_t *
pl_input(void)
{
	return reports_schema_object(
		"The period and its columns.",
		json_pack("{s:o, s:o, s:{s:s, s:[s,s,s,s], s:s, s:s}}",
			  "from", reports_schema_date(
				  "First day of the period, included, "
				  "YYYY-MM-DD."),
			  "to", reports_schema_date(
				  "Last day of the period, included, "
				  "YYYY-MM-DD."),
			  "columns",
			  "type", "string",
			  "enum", "none", "previous_period", "month",
			  "quarter",
			  "default", "none",
			  "description",
			  "none: one column. previous_period: add the "
			  "period of the same length just before (as many "
			  "months when the period is whole months). month "
			  "or quarter: one column per month or fiscal "
			  "quarter, counted from the fiscal year's start "
			  "and cut to the period, then a total (at most 60 "
			  "columns)."),
		json_pack("[s,s]", "from", "to"));
}

static json_t *
pl_section_output(const char *description)
{
	json_t *row;

	row = reports_schema_object(
		"One account, one amount per column.",
		json_pack("{s:o, s:o, s:o, s:o}",
			  "code", reports_schema_code("Account code."),
			  "name", reports_schema_string("Account name.", 1,
							LEJR_NAME_MAX),
			  "amounts", reports_schema_amounts(
				  "Amount per column: income as credits less "
				  "debits, expenses as debits less credits."),
			  "amounts_minor", reports_schema_minors(
				  "amounts in minor units.")),
		json_pack("[s,s,s,s]", "code", "name", "amounts",
			  "amounts_minor"));
	return reports_schema_object(
		description,
		json_pack("{s:{s:s, s:s, s:o}, s:o, s:o}",
			  "rows", "type", "array", "description",
			  "Accounts with an amount in some column, in code "
			  "order.", "items", row,
			  "totals", reports_schema_amounts(
				  "The section's total per column."),
			  "totals_minor", reports_schema_minors(
				  "totals in minor units.")),
		json_pack("[s,s,s]", "rows", "totals", "totals_minor"));
}

static json_t *
pl_output(void)
{
	json_t *column;

	column = reports_schema_object(
		"One column: a label and its period, both days included.",
		json_pack("{s:o, s:o, s:o}",
			  "label", reports_schema_string("Column heading.",
							 1, 0),
			  "from", reports_schema_date("First day."),
			  "to", reports_schema_date("Last day.")),
		json_pack("[s,s,s]", "label", "from", "to"));
	return reports_schema_object(
		"The profit and loss, closing entries left out.",
		json_pack("{s:o, s:o, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:o}, "
			  "s:o, s:o, s:o, s:o, s:o}",
			  "period", reports_schema_object(
				  "The period asked for, both days included.",
				  json_pack("{s:o, s:o}",
					    "from", reports_schema_date(
						    "First day."),
					    "to", reports_schema_date(
						    "Last day.")),
				  json_pack("[s,s]", "from", "to")),
			  "currency", reports_schema_currency(),
			  "fiscal_year_start",
			  "type", "string", "pattern", "^[01][0-9]-[0-3][0-9]$",
			  "description", "The organization's fiscal year "
			  "start, MM-DD.",
			  "columns", "type", "array", "description",
			  "The columns, in order; with month or quarter the "
			  "last is the total.", "items", column,
			  "income", pl_section_output("Income."),
			  "expenses", pl_section_output("Expenses."),
			  "net", reports_schema_amounts(
				  "Net result per column: income less "
				  "expenses (a loss is negative)."),
			  "net_minor", reports_schema_minors(
				  "net in minor units."),
			  "checks", reports_schema_checks(pl_checks,
							  pl_check_text, 2,
							  1)),
		json_pack("[s,s,s,s,s,s,s,s,s]", "period", "currency",
			  "fiscal_year_start", "columns", "income",
			  "expenses", "net", "net_minor", "checks"));
}

/* One row of the table: code, name, then the strings of amounts. */
static void
pl_row(struct reports_table *table, const char *code, const char *name,
       json_t *amounts, size_t ncol)
{
	const char *cells[2 + 61];

	cells[0] = code;
	cells[1] = name;
	for (size_t k = 0; k < ncol && k < 61; k++)
		cells[2 + k] = json_string_value(json_array_get(amounts, k));
	reports_table_row(table, cells);
}

static void
pl_section_text(struct reports_table *table, json_t *section,
		const char *title, const char *total, size_t ncol)
{
	size_t i;
	json_t *row;

	reports_table_note(table, "%s", title);
	json_array_foreach(json_object_get(section, "rows"), i, row)
		pl_row(table, reports_str(row, "code"),
		       reports_str(row, "name"),
		       json_object_get(row, "amounts"), ncol);
	reports_table_rule(table);
	pl_row(table, "", total, json_object_get(section, "totals"), ncol);
	reports_table_note(table, "%s", "");
}

static void
pl_text(json_t *pl, struct reports_text *t)
{
	unsigned char right[2 + 61] = { 0 };
	json_t *cols = json_object_get(pl, "columns"), *labels, *period;
	struct reports_table *table;
	size_t ncol = json_array_size(cols), i;
	json_t *col;

	period = json_object_get(pl, "period");
	reports_text_add(t, "Profit and loss %s to %s (%s), closing entries "
			 "left out\n\n", reports_str(period, "from"),
			 reports_str(period, "to"),
			 reports_str(pl, "currency"));
	if (ncol > 61)
		ncol = 61;
	memset(right + 2, 1, ncol);
	table = reports_table_new(2 + ncol, right);
	labels = json_array();
	if (table == NULL || labels == NULL) {
		t->oom = 1;
		reports_table_free(table);
		json_decref(labels);
		return;
	}
	json_array_foreach(cols, i, col)
		json_array_append(labels, json_object_get(col, "label"));
	pl_row(table, "", "", labels, ncol);
	json_decref(labels);

	pl_section_text(table, json_object_get(pl, "income"), "Income",
			"Total income", ncol);
	pl_section_text(table, json_object_get(pl, "expenses"), "Expenses",
			"Total expenses", ncol);
	pl_row(table, "", "Net result", json_object_get(pl, "net"), ncol);
	reports_table_print(table, t);
	reports_table_free(table);

	reports_text_add(t, "\n");
	reports_text_checks(t, json_object_get(pl, "checks"));
}

static int
profit_and_loss(struct lejr_call *call, json_t *args, json_t **result)
{
	struct reports_text text = { 0 };
	json_t *pl = NULL;
	int rc;

	rc = api->profit_and_loss(
		call, json_string_value(json_object_get(args, "from")),
		json_string_value(json_object_get(args, "to")),
		json_string_value(json_object_get(args, "columns")), &pl);
	if (rc != LEJR_OK)
		return rc;

	pl_text(pl, &text);
	reports_set_text(call, &text);
	*result = pl;
	return LEJR_OK;
}

const struct reports_tool reports_statement_tools[] = {
	{
		.name = "balance_sheet",
		.title = "Balance sheet",
		.description =
			"The balance sheet at the end of as_of: assets, "
			"liabilities and equity, each account with its "
			"balance. Equity also shows \"Retained earnings "
			"(prior years, unclosed)\" and \"Current-year "
			"earnings\" (from the start of the fiscal year "
			"holding as_of), so that assets always equal "
			"liabilities plus equity, before and after the "
			"books are closed: a closing entry moves the year's "
			"result into an equity account and the totals stay "
			"the same.",
		.input_schema = bs_input,
		.output_schema = bs_output,
		.handler = balance_sheet,
	},
	{
		.name = "profit_and_loss",
		.title = "Profit and loss",
		.description =
			"The profit and loss (income statement) from from "
			"to to, both days included: income and expense "
			"accounts with subtotals and the net result. "
			"Closing entries (year-end entries that move the "
			"result into equity) are left out, so a closed year "
			"still shows its income and expenses. Optional "
			"comparison columns: the previous period, or one "
			"column per month or fiscal quarter with a total.",
		.input_schema = pl_input,
		.output_schema = pl_output,
		.handler = profit_and_loss,
	},
};

const size_t reports_statement_ntools =
	sizeof(reports_statement_tools) / sizeof(reports_statement_tools[0]);

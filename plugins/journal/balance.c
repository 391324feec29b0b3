/*
 * balance.c - trial_balance: every account's balance at a date, with
 * debit and credit totals that agree.
 */
#include "journal.h"

#define api journal_api

static json_t *
trial_balance_input(void)
{
	return journal_schema_object(
		"The date of the trial balance.",
		json_pack("{s:o}", "as_of", journal_schema_date(
				  "Include entries dated up to and including "
				  "this date, YYYY-MM-DD; by default all "
				  "entries.")),
		json_array());
}

/* One account's row, as the ledger writes it. */
static json_t *
row_output(void)
{
	return journal_schema_object(
		"One account's balance. A net debit shows in the debit "
		"column, a net credit in the credit column; the other is "
		"zero.",
		json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			  "code", journal_schema_code("Account code."),
			  "name", journal_schema_string("Account name.", 1,
							LEJR_NAME_MAX),
			  "type", journal_schema_account_type(
				  "Account type."),
			  "debit", journal_schema_amount_out(
				  "Debit balance, or zero."),
			  "debit_minor", journal_schema_minor(
				  "debit in minor units (cents)."),
			  "credit", journal_schema_amount_out(
				  "Credit balance as a positive number, or "
				  "zero."),
			  "credit_minor", journal_schema_minor(
				  "credit in minor units (cents)."),
			  "balance", journal_schema_amount_out(
				  "Net balance: debits minus credits."),
			  "balance_minor", journal_schema_minor(
				  "balance in minor units (cents).")),
		json_pack("[s,s,s,s,s,s,s,s,s]", "code", "name", "type",
			  "debit", "debit_minor", "credit", "credit_minor",
			  "balance", "balance_minor"));
}

static json_t *
trial_balance_output(void)
{
	return journal_schema_object(
		"The trial balance.",
		json_pack("{s:o, s:{s:s, s:i, s:i, s:s}, s:{s:s, s:s, s:o}, "
			  "s:o, s:o, s:o, s:o, s:{s:s, s:b, s:s}}",
			  "as_of", journal_schema_string_or_null(
				  "The date asked for, or null for all "
				  "entries."),
			  "currency",
			  "type", "string",
			  "minLength", 3,
			  "maxLength", 3,
			  "description",
			  "ISO 4217 code of every amount.",
			  "accounts",
			  "type", "array",
			  "description",
			  "Accounts with activity, ordered by code.",
			  "items", row_output(),
			  "total_debit", journal_schema_amount_out(
				  "Sum of the debit column."),
			  "total_debit_minor", journal_schema_minor(
				  "total_debit in minor units."),
			  "total_credit", journal_schema_amount_out(
				  "Sum of the credit column; always equal to "
				  "total_debit."),
			  "total_credit_minor", journal_schema_minor(
				  "total_credit in minor units."),
			  "balanced",
			  "type", "boolean",
			  "const", 1,
			  "description",
			  "Always true: the ledger refuses to report a "
			  "trial balance whose columns differ."),
		json_pack("[s,s,s,s,s,s,s,s]", "as_of", "currency",
			  "accounts", "total_debit", "total_debit_minor",
			  "total_credit", "total_credit_minor", "balanced"));
}

static int
trial_balance(struct lejr_call *call, json_t *args, json_t **result)
{
	const char *as_of;

	as_of = json_string_value(json_object_get(args, "as_of"));

	*result = NULL;
	return api->trial_balance(call, as_of, result);
}

const struct journal_tool journal_balance_tools[] = {
	{
		.name = "trial_balance",
		.title = "Trial balance",
		.description =
			"The trial balance of the organization: every "
			"account with activity up to and including as_of "
			"(default: all entries) and its balance, shown as "
			"a debit or a credit in the organization's "
			"currency, with the totals of both columns, which "
			"are always equal. Use it to check balances before "
			"closing a period or preparing reports.",
		.input_schema = trial_balance_input,
		.output_schema = trial_balance_output,
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY | LEJR_ANNOT_IDEMPOTENT,
		.handler = trial_balance,
	},
};

const size_t journal_balance_ntools =
	sizeof(journal_balance_tools) / sizeof(journal_balance_tools[0]);

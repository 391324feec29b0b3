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

static json_t *
trial_balance_output(void)
{
	return json_pack("{s:s}", "type", "object");
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

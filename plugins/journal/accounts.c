/*
 * accounts.c - the chart of accounts: list_accounts, create_account,
 * archive_account.
 */
#include <string.h>

#include "journal.h"

#define api journal_api

static const char *const type_names[] = {
	"asset", "liability", "equity", "income", "expense"
};

int
journal_account_type_parse(const char *name)
{
	size_t i;

	if (name == NULL)
		return 0;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (strcmp(name, type_names[i]) == 0)
			return LEJR_ASSET + (int)i;
	}
	return 0;
}

json_t *
journal_account_json(const struct lejr_account *a)
{
	const char *type;
	json_t *o;

	type = lejr_account_type_name(a->type);
	if (type == NULL)
		return NULL;

	o = json_pack("{s:s, s:s, s:s, s:b}", "code", a->code,
		      "name", a->name, "type", type,
		      "archived", a->archived);
	if (o == NULL || a->parent[0] == '\0')
		return o;

	/* like the ledger's list: no "parent" at the top level */
	if (json_object_set_new(o, "parent", json_string(a->parent)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Wrap value (stolen) as {key: value}, the shape of every result. */
static int
wrap(struct lejr_call *call, const char *key, json_t *value, json_t **result)
{
	if (value == NULL)
		return api->fail(call, LEJR_EINTERNAL, "out of memory");

	*result = json_pack("{s:o}", key, value);
	if (*result == NULL)
		return api->fail(call, LEJR_EINTERNAL, "out of memory");
	return LEJR_OK;
}

/* ---- list_accounts ---- */

static json_t *
list_input(void)
{
	return journal_schema_object(
		"Which accounts to list.",
		json_pack("{s:{s:s, s:b, s:s}, s:o}",
			  "include_archived",
			  "type", "boolean",
			  "default", 0,
			  "description",
			  "Also list archived accounts (default false). "
			  "Archived accounts keep their history but take no "
			  "new journal lines.",
			  "type", journal_schema_account_type(
				  "Only accounts of this type.")),
		json_array());
}

static json_t *
list_output(void)
{
	return journal_schema_object(
		"The chart of accounts.",
		json_pack("{s:{s:s, s:s, s:o}}",
			  "accounts",
			  "type", "array",
			  "description", "Accounts ordered by code.",
			  "items", journal_schema_account()),
		json_pack("[s]", "accounts"));
}

/* Drop from accounts (an array of account objects) those whose type is
 * not type. */
static void
keep_type(json_t *accounts, const char *type)
{
	size_t i;
	const char *t;

	i = 0;
	while (i < json_array_size(accounts)) {
		t = json_string_value(json_object_get(
			json_array_get(accounts, i), "type"));
		if (t != NULL && strcmp(t, type) == 0)
			i++;
		else
			json_array_remove(accounts, i);
	}
}

static int
list_accounts(struct lejr_call *call, json_t *args, json_t **result)
{
	json_t *accounts;
	const char *type;
	int archived, rc;

	archived = json_is_true(json_object_get(args, "include_archived"));
	type = json_string_value(json_object_get(args, "type"));

	accounts = NULL;
	rc = api->account_list(call, archived, &accounts);
	if (rc != LEJR_OK)
		return rc;

	if (type != NULL)
		keep_type(accounts, type);

	return wrap(call, "accounts", accounts, result);
}

/* ---- create_account ---- */

static json_t *
create_input(void)
{
	return journal_schema_object(
		"The account to add to the chart of accounts.",
		json_pack("{s:o, s:o, s:o, s:o}",
			  "code", journal_schema_code(
				  "Unique account code, e.g. \"1210\" or "
				  "\"6100.10\": letters, digits, '.' and '-', "
				  "at most 32 characters."),
			  "name", journal_schema_string(
				  "Account name as it appears in reports, "
				  "e.g. \"Office rent\": at most 200 bytes "
				  "of UTF-8, so fewer characters outside "
				  "ASCII.", 1, LEJR_NAME_MAX),
			  "type", journal_schema_account_type(
				  "asset and expense accounts normally carry "
				  "debit balances; liability, equity and "
				  "income accounts credit balances."),
			  "parent", journal_schema_code(
				  "Code of an existing account to group this "
				  "one under, if any.")),
		json_pack("[s,s,s]", "code", "name", "type"));
}

static json_t *
account_output(const char *description)
{
	return journal_schema_object(
		description,
		json_pack("{s:o}", "account", journal_schema_account()),
		json_pack("[s]", "account"));
}

static json_t *
create_output(void)
{
	return account_output("The account as created.");
}

static int
create_account(struct lejr_call *call, json_t *args, json_t **result)
{
	struct lejr_account_spec spec;
	struct lejr_account acct;
	int rc;

	memset(&spec, 0, sizeof(spec));
	spec.code = json_string_value(json_object_get(args, "code"));
	spec.name = json_string_value(json_object_get(args, "name"));
	spec.parent = json_string_value(json_object_get(args, "parent"));
	spec.type = journal_account_type_parse(
		json_string_value(json_object_get(args, "type")));

	if (spec.type == 0)
		return api->fail(call, LEJR_EINVAL,
				 "type must be one of asset, liability, "
				 "equity, income or expense");

	if (journal_blank(spec.name))
		return api->fail(call, LEJR_EINVAL,
				 "name must not be blank: give the account "
				 "the name it should have in reports");

	memset(&acct, 0, sizeof(acct));
	rc = api->account_create(call, &spec, &acct);
	if (rc != LEJR_OK)
		return rc;

	return wrap(call, "account", journal_account_json(&acct), result);
}

/* ---- archive_account ---- */

static json_t *
archive_input(void)
{
	return journal_schema_object(
		"The account to archive.",
		json_pack("{s:o}", "code", journal_schema_code(
				  "Code of the account to archive.")),
		json_pack("[s]", "code"));
}

static json_t *
archive_output(void)
{
	return journal_schema_object(
		"The archived account.",
		json_pack("{s:o, s:{s:s, s:s}}",
			  "account", journal_schema_account(),
			  "already_archived",
			  "type", "boolean",
			  "description",
			  "true when the account was archived before this "
			  "call, which then changed nothing."),
		json_pack("[s,s]", "account", "already_archived"));
}

/*
 * An archived account takes no new lines, so a balance left on it could
 * never be cleared: refuse, and say how to empty it first.
 */
static int
check_zero_balance(struct lejr_call *call, const struct lejr_account *a)
{
	int64_t balance;
	char amount[32];
	int rc;

	rc = api->account_balance(call, a->code, NULL, &balance);
	if (rc != LEJR_OK)
		return rc;
	if (balance == 0)
		return LEJR_OK;

	rc = api->money_format(call, balance < 0 ? -balance : balance,
			       amount, sizeof(amount));
	if (rc != LEJR_OK)
		return api->fail(call, LEJR_EINTERNAL,
				 "cannot format the balance of %s", a->code);

	return api->fail(call, LEJR_ECONFLICT,
			 "account %s (%s) still has a %s balance of %s %s; "
			 "post a journal entry moving it to another account "
			 "before archiving %s",
			 a->code, a->name, balance > 0 ? "debit" : "credit",
			 amount, api->org(call)->currency, a->code);
}

static int
archive_account(struct lejr_call *call, json_t *args, json_t **result)
{
	struct lejr_account acct;
	const char *code;
	int rc, already;

	code = json_string_value(json_object_get(args, "code"));

	rc = api->account_get(call, code, &acct);
	if (rc != LEJR_OK)
		return rc;

	already = acct.archived;
	if (!already) {
		rc = check_zero_balance(call, &acct);
		if (rc != LEJR_OK)
			return rc;

		rc = api->account_archive(call, code);
		if (rc != LEJR_OK)
			return rc;

		rc = api->account_get(call, code, &acct);
		if (rc != LEJR_OK)
			return rc;
	}

	*result = json_pack("{s:o, s:b}",
			    "account", journal_account_json(&acct),
			    "already_archived", already);
	if (*result == NULL)
		return api->fail(call, LEJR_EINTERNAL, "out of memory");
	return LEJR_OK;
}

const struct journal_tool journal_account_tools[] = {
	{
		.name = "list_accounts",
		.title = "List accounts",
		.description =
			"List the organization's chart of accounts, ordered "
			"by code: code, name, type (asset, liability, equity, "
			"income, expense), parent and whether it is archived. "
			"Use it to find the account codes that "
			"post_journal_entry needs. Archived accounts are "
			"left out unless include_archived is true.",
		.input_schema = list_input,
		.output_schema = list_output,
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY | LEJR_ANNOT_IDEMPOTENT,
		.handler = list_accounts,
	},
	{
		.name = "create_account",
		.title = "Create account",
		.description =
			"Add an account to the organization's chart of "
			"accounts. Check list_accounts first: a suitable "
			"account may exist, and codes must be unique. The "
			"type decides where the account appears in reports "
			"and its normal side: asset and expense accounts "
			"grow with debits; liability, equity and income "
			"accounts grow with credits. The type cannot be "
			"changed once the account has journal lines.",
		.input_schema = create_input,
		.output_schema = create_output,
		.access = LEJR_ACCESS_WRITE,
		.annotations = 0,
		.handler = create_account,
	},
	{
		.name = "archive_account",
		.title = "Archive account",
		.description =
			"Archive an account that is no longer used. Its "
			"history stays in every report, but it takes no new "
			"journal lines and is hidden from list_accounts by "
			"default. Only an account whose balance is zero can "
			"be archived: first move any balance to another "
			"account with post_journal_entry. Archiving an "
			"account that is already archived changes nothing "
			"and succeeds.",
		.input_schema = archive_input,
		.output_schema = archive_output,
		.access = LEJR_ACCESS_WRITE,
		.annotations = LEJR_ANNOT_IDEMPOTENT,
		.handler = archive_account,
	},
};

const size_t journal_account_ntools =
	sizeof(journal_account_tools) / sizeof(journal_account_tools[0]);

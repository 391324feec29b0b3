/*
 * hello.c - a minimal third-party lejrd plugin.
 *
 * It registers one read tool, hello_balance, which greets the assistant
 * and tells the balance of one account.  Everything it needs comes from
 * <lejr/plugin.h> and the struct lejr_api the core hands to init(): a
 * plugin links against no library of lejr's, only jansson.
 */
#include <stdio.h>

#include <jansson.h>

#include <lejr/plugin.h>

/* The core's function table, kept from init() on.  It stays valid until
 * fini() and is never written afterwards, so handlers on any thread may
 * read it. */
static const struct lejr_api *api;

/* Schemas are JSON Schema text.  The core validates every call's
 * arguments against the input schema before the handler runs, and adds
 * the "organization" argument itself. */
static const char hello_input[] =
	"{\"type\": \"object\","
	" \"properties\": {"
	"  \"account\": {\"type\": \"string\","
	"   \"pattern\": \"^[A-Za-z0-9.-]+$\", \"maxLength\": 32,"
	"   \"description\": \"Account code, e.g. \\\"1200\\\".\"},"
	"  \"as_of\": {\"type\": \"string\", \"format\": \"date\","
	"   \"description\": \"Count entries up to and including "
	"this day, YYYY-MM-DD; by default all of them.\"}},"
	" \"required\": [\"account\"],"
	" \"additionalProperties\": false}";

static const char hello_output[] =
	"{\"type\": \"object\","
	" \"properties\": {"
	"  \"greeting\": {\"type\": \"string\","
	"   \"description\": \"A sentence for the user.\"},"
	"  \"account\": {\"type\": \"string\","
	"   \"description\": \"The account's code.\"},"
	"  \"name\": {\"type\": \"string\","
	"   \"description\": \"The account's name.\"},"
	"  \"balance\": {\"type\": \"string\","
	"   \"description\": \"Balance as a decimal string, debit "
	"positive, credit negative.\"},"
	"  \"currency\": {\"type\": \"string\","
	"   \"description\": \"ISO 4217 code of the balance.\"}},"
	" \"required\": [\"greeting\", \"account\", \"name\", \"balance\","
	"  \"currency\"],"
	" \"additionalProperties\": false}";

static int
hello_balance(struct lejr_call *call, json_t *args, json_t **result)
{
	const struct lejr_org *org;
	struct lejr_account acct;
	const char *code, *as_of;
	char amount[32], greeting[512];
	int64_t balance;
	int rc;

	code = json_string_value(json_object_get(args, "account"));
	as_of = json_string_value(json_object_get(args, "as_of"));
	org = api->org(call);

	/* each api call describes its own failure on the call */
	rc = api->account_get(call, code, &acct);
	if (rc != LEJR_OK)
		return rc;

	rc = api->account_balance(call, code, as_of, &balance);
	if (rc != LEJR_OK)
		return rc;

	rc = api->money_format(call, balance, amount, sizeof(amount));
	if (rc != LEJR_OK)
		return api->fail(call, LEJR_EINTERNAL, "cannot format %s",
				 code);

	snprintf(greeting, sizeof(greeting),
		 "Hello from %s! Account %s (%s) stands at %s %s.",
		 org->name, acct.code, acct.name, amount, org->currency);

	/* the core takes over this new reference */
	*result = json_pack("{s:s, s:s, s:s, s:s, s:s}",
			    "greeting", greeting,
			    "account", acct.code,
			    "name", acct.name,
			    "balance", amount,
			    "currency", org->currency);
	if (*result == NULL)
		return api->fail(call, LEJR_EINTERNAL, "out of memory");
	return LEJR_OK;
}

static const struct lejr_tool hello_tool = {
	.name = "hello_balance",
	.title = "Hello, balance",
	.description = "Say hello and tell the balance of one account, "
		       "as a decimal string in the organization's "
		       "currency (debit positive, credit negative).",
	.input_schema = hello_input,
	.output_schema = hello_output,
	.access = LEJR_ACCESS_READ,
	.annotations = LEJR_ANNOT_READ_ONLY | LEJR_ANNOT_IDEMPOTENT,
	.handler = hello_balance,
};

static int
hello_init(struct lejr_plugin *self, const struct lejr_api *core)
{
	/* The loader already refused a core of another major version or an
	 * older minor; a plugin built against a newer header than it uses
	 * could also compare core->size with the members it calls. */
	api = core;

	return api->register_tool(self, &hello_tool);
}

static const struct lejr_plugin_desc hello_desc = {
	.abi_version = LEJR_ABI_VERSION,
	.name = "hello",
	.version = "1.0",
	.description = "An example plugin: greets and shows a balance",
	.init = hello_init,
};

const struct lejr_plugin_desc *
lejr_plugin_entry(void)
{
	return &hello_desc;
}

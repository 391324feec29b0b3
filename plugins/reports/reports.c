/*
 * reports.c - reports.so: trial balance, balance sheet, profit and
 * loss, general ledger, account balances and balance assertions, as
 * read-only MCP tools.
 *
 * This file holds the entry point and registration; the tools live in
 * balance.c, statements.c and ledger.c.
 */
#include <lejr-build.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "reports.h"

const struct lejr_api *reports_api;

/* The last member of struct lejr_api the plugin calls (ABI 1.1): a
 * core filling less of the table is too old for it. */
#define REPORTS_API_NEEDED \
	(offsetof(struct lejr_api, account_report) \
	 + sizeof(((struct lejr_api *)0)->account_report))

/* Build t's schemas and register it; every report only reads. */
static int
register_one(struct lejr_plugin *self, const struct reports_tool *t)
{
	struct lejr_tool tool;
	json_t *in, *out;
	char *input = NULL, *output = NULL;
	int rc = LEJR_EINTERNAL;

	in = t->input_schema();
	out = t->output_schema();
	if (in != NULL && out != NULL) {
		input = json_dumps(in, JSON_COMPACT);
		output = json_dumps(out, JSON_COMPACT);
	}
	if (input == NULL || output == NULL) {
		reports_api->log(self, LEJR_LOG_ERROR, "cannot build the "
				 "schemas of %s", t->name);
		goto out;
	}

	memset(&tool, 0, sizeof(tool));
	tool.name = t->name;
	tool.title = t->title;
	tool.description = t->description;
	tool.input_schema = input;
	tool.output_schema = output;
	tool.access = LEJR_ACCESS_READ;
	tool.annotations = LEJR_ANNOT_READ_ONLY | LEJR_ANNOT_IDEMPOTENT;
	tool.handler = t->handler;

	rc = reports_api->register_tool(self, &tool);
	if (rc != LEJR_OK)
		reports_api->log(self, LEJR_LOG_ERROR, "tool %s refused "
				 "(status %d)", t->name, rc);
out:
	free(input);
	free(output);
	json_decref(in);
	json_decref(out);
	return rc;
}

static int
register_tools(struct lejr_plugin *self, const struct reports_tool *tools,
	       size_t n)
{
	int rc = LEJR_OK;

	for (size_t i = 0; i < n && rc == LEJR_OK; i++)
		rc = register_one(self, &tools[i]);
	return rc;
}

static int
reports_init(struct lejr_plugin *self, const struct lejr_api *api)
{
	int rc;

	if (api->abi_version >> 16 != LEJR_ABI_MAJOR ||
	    api->size < REPORTS_API_NEEDED) {
		api->log(self, LEJR_LOG_ERROR, "this core lacks the report "
			 "functions of ABI 1.1");
		return LEJR_ENOTSUP;
	}

	reports_api = api;
	rc = register_tools(self, reports_balance_tools,
			    reports_balance_ntools);
	if (rc == LEJR_OK)
		rc = register_tools(self, reports_statement_tools,
				    reports_statement_ntools);
	if (rc == LEJR_OK)
		rc = register_tools(self, reports_ledger_tools,
				    reports_ledger_ntools);
	return rc;
}

static const struct lejr_plugin_desc reports_desc = {
	.abi_version = LEJR_ABI_VERSION,
	.name = "reports",
	.version = PACKAGE_VERSION,
	.description = "Trial balance, balance sheet, profit and loss, "
		       "general ledger and balance assertions",
	.init = reports_init,
};

const struct lejr_plugin_desc *
lejr_plugin_entry(void)
{
	return &reports_desc;
}

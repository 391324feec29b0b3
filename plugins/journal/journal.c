/*
 * journal.c - journal.so: the chart of accounts, balanced journal
 * entries and reversals, as MCP tools.  (The trial balance and the
 * other reports are reports.so's.)
 *
 * This file holds the entry point and registration; the tools live in
 * accounts.c and entries.c.
 */
#include <lejr-build.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

const struct lejr_api *journal_api;

/* The last member of struct lejr_api the plugin calls: a core filling
 * less of the table than this is too old for us. */
#define JOURNAL_API_NEEDED \
	(offsetof(struct lejr_api, account_balance) \
	 + sizeof(((struct lejr_api *)0)->account_balance))

int
journal_tool_render(const struct journal_tool *t, struct lejr_tool *out,
		    char **input, char **output)
{
	json_t *in, *outs;
	int rc;

	rc = LEJR_EINTERNAL;
	*input = NULL;
	*output = NULL;
	outs = NULL;

	in = t->input_schema();
	if (in == NULL)
		goto out;
	if (t->output_schema != NULL) {
		outs = t->output_schema();
		if (outs == NULL)
			goto out;
	}

	*input = json_dumps(in, JSON_COMPACT);
	if (*input == NULL)
		goto out;
	if (outs != NULL) {
		*output = json_dumps(outs, JSON_COMPACT);
		if (*output == NULL)
			goto out;
	}

	memset(out, 0, sizeof(*out));
	out->name = t->name;
	out->title = t->title;
	out->description = t->description;
	out->input_schema = *input;
	out->output_schema = *output;
	out->access = t->access;
	out->annotations = t->annotations;
	out->handler = t->handler;
	rc = LEJR_OK;

out:
	if (rc != LEJR_OK) {
		free(*input);
		free(*output);
		*input = NULL;
		*output = NULL;
	}
	json_decref(in);
	json_decref(outs);
	return rc;
}

/* Register the n tools of tools; stop at the first refusal. */
static int
register_tools(struct lejr_plugin *self, const struct journal_tool *tools,
	       size_t n)
{
	struct lejr_tool tool;
	char *input, *output;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = journal_tool_render(&tools[i], &tool, &input, &output);
		if (rc != LEJR_OK) {
			journal_api->log(self, LEJR_LOG_ERROR,
					 "cannot build the schemas of %s",
					 tools[i].name);
			return rc;
		}

		rc = journal_api->register_tool(self, &tool);
		free(input);
		free(output);
		if (rc != LEJR_OK) {
			journal_api->log(self, LEJR_LOG_ERROR,
					 "tool %s refused (status %d)",
					 tools[i].name, rc);
			return rc;
		}
	}
	return LEJR_OK;
}

static int
journal_init(struct lejr_plugin *self, const struct lejr_api *api)
{
	int rc;

	/* the loader checks the version too; this guards a core that
	 * fills less of the table than its version promises */
	if (api->abi_version >> 16 != LEJR_ABI_MAJOR
	    || api->size < JOURNAL_API_NEEDED)
		return LEJR_ENOTSUP;

	journal_api = api;

	rc = register_tools(self, journal_account_tools,
			    journal_account_ntools);
	if (rc == LEJR_OK)
		rc = register_tools(self, journal_entry_tools,
				    journal_entry_ntools);
	return rc;
}

static const struct lejr_plugin_desc journal_desc = {
	.abi_version = LEJR_ABI_VERSION,
	.name = "journal",
	.version = PACKAGE_VERSION,
	.description = "Chart of accounts, journal entries and reversals",
	.init = journal_init,
};

const struct lejr_plugin_desc *
lejr_plugin_entry(void)
{
	return &journal_desc;
}

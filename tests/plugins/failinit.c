/*
 * failinit.c - a test plugin that registers a tool and then fails its
 * init(): the loader must drop the tool and go on without the plugin.
 */
#include <lejr/plugin.h>

static int
failinit_tool(struct lejr_call *call, json_t *args, json_t **result)
{
	return LEJR_EINTERNAL;
}

static int
failinit_init(struct lejr_plugin *self, const struct lejr_api *api)
{
	static const struct lejr_tool tool = {
		.name = "failinit_tool",
		.title = "Never offered",
		.description = "Registered by a plugin whose init fails.",
		.input_schema = "{\"type\": \"object\"}",
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY,
		.flags = LEJR_TOOL_NO_ORG,
		.handler = failinit_tool,
	};

	if (api->register_tool(self, &tool) != LEJR_OK)
		return -2;
	api->log(self, LEJR_LOG_ERROR, "refusing to start on purpose");
	return -1;
}

static const struct lejr_plugin_desc failinit_desc = {
	.abi_version = LEJR_ABI_VERSION,
	.name = "failinit",
	.version = "1.0",
	.init = failinit_init,
};

const struct lejr_plugin_desc *
lejr_plugin_entry(void)
{
	return &failinit_desc;
}

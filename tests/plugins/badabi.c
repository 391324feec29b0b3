/*
 * badabi.c - a test plugin built for a future ABI major (2.0), which
 * the loader must refuse before calling anything but its entry point.
 */
#include <lejr/plugin.h>

static int
badabi_init(struct lejr_plugin *self, const struct lejr_api *api)
{
	return 0;
}

static const struct lejr_plugin_desc badabi_desc = {
	.abi_version = (2 << 16) | 0,
	.name = "badabi",
	.version = "1.0",
	.init = badabi_init,
};

const struct lejr_plugin_desc *
lejr_plugin_entry(void)
{
	return &badabi_desc;
}

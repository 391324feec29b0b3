/*
 * loader.c - loading the plugins lejr.conf names.
 *
 * Each plugin is a shared object opened with RTLD_NOW | RTLD_LOCAL, so
 * that a missing symbol refuses it at once and plugins cannot see each
 * other's symbols.  Its descriptor must carry our ABI major and a minor
 * no newer than ours.  What it registers during init() is kept only if
 * init() succeeds and its migrations run; a plugin that fails any step
 * is logged with the reason and the server goes on without it.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime-internal.h"

static void
plugin_free(struct lejr_plugin *p)
{
	if (p == NULL)
		return;
	lejr_registry_free(&p->staged);
	for (size_t i = 0; i < p->nmigrations; i++)
		free(p->migrations[i].sql);
	free(p->migrations);
	if (p->handle != NULL)
		dlclose(p->handle);
	free(p->name);
	free(p);
}

/* Open dir/name.so and find its descriptor in *d (NULL when its entry
 * point returns none).  Returns 0, or -1 after logging why. */
static int
plugin_open(struct lejr_plugin *p, const char *dir,
	    const struct lejr_plugin_desc **d)
{
	lejr_plugin_entry_fn entry;
	char path[2048];
	int n;

	n = snprintf(path, sizeof(path), "%s/%s.so", dir, p->name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		lejr_log(LEJR_LOG_ERROR, "plugin %s: path too long; not "
			 "loaded", p->name);
		return -1;
	}

	/* dlerror() names the file and the reason. */
	p->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (p->handle == NULL) {
		lejr_log(LEJR_LOG_ERROR, "plugin %s: cannot load %s; not "
			 "loaded", p->name, dlerror());
		return -1;
	}

	/* dlsym() gives a data pointer; the entry point is a function. */
	*(void **)&entry = dlsym(p->handle, LEJR_PLUGIN_ENTRY);
	if (entry == NULL) {
		lejr_log(LEJR_LOG_ERROR, "plugin %s: %s exports no %s(); not "
			 "loaded", p->name, path, LEJR_PLUGIN_ENTRY);
		return -1;
	}
	*d = entry();
	return 0;
}

/* Is the descriptor one this core can use? */
static int
plugin_check(struct lejr_plugin *p, const struct lejr_plugin_desc *d)
{
	unsigned major, minor;

	if (d == NULL) {
		lejr_log(LEJR_LOG_ERROR, "plugin %s: its entry point returned "
			 "no descriptor; not loaded", p->name);
		return -1;
	}

	major = d->abi_version >> 16;
	minor = d->abi_version & 0xffff;
	if (major != LEJR_ABI_MAJOR || minor > LEJR_ABI_MINOR) {
		lejr_log(LEJR_LOG_ERROR, "plugin %s: built for ABI %u.%u, "
			 "this lejrd provides %d.%d; not loaded", p->name,
			 major, minor, LEJR_ABI_MAJOR, LEJR_ABI_MINOR);
		return -1;
	}

	if (d->name == NULL || strcmp(d->name, p->name) != 0) {
		lejr_log(LEJR_LOG_ERROR, "plugin %s: the file calls itself "
			 "\"%s\"; not loaded", p->name,
			 d->name ? d->name : "(null)");
		return -1;
	}
	if (d->init == NULL) {
		lejr_log(LEJR_LOG_ERROR, "plugin %s: no init(); not loaded",
			 p->name);
		return -1;
	}
	return 0;
}

static int
plugin_migrate(struct lejr_plugin *p, sqlite3 *db)
{
	struct lejr_error err = { 0 };

	for (size_t i = 0; i < p->nmigrations; i++) {
		if (ledger_migrate(db, p->name, p->migrations[i].version,
				   p->migrations[i].sql, &err) == LEJR_OK)
			continue;
		lejr_log(LEJR_LOG_ERROR, "plugin %s: migration %d failed: %s; "
			 "not loaded", p->name, p->migrations[i].version,
			 err.msg);
		return -1;
	}
	return 0;
}

static int
already_loaded(struct lejr_runtime *rt, const char *name)
{
	for (size_t i = 0; i < rt->plugins.n; i++) {
		struct lejr_plugin *p = rt->plugins.items[i];

		if (strcmp(p->name, name) == 0)
			return 1;
	}
	return 0;
}

/* A plugin's tables, indexes and savepoints are those named after it
 * (the SQL sandbox, core/ledger/sandbox.c): its name must begin none of
 * the core's, nor those of another plugin, loaded now or ever migrated
 * on this database. */
static int
name_free(struct lejr_runtime *rt, const char *name, sqlite3 *db)
{
	const char **others;
	char **owners = NULL, why[200];
	size_t n = 0, nowners = 0;
	struct lejr_plugin *p;
	int ok;

	if (ledger_migration_owners(db, &owners, &nowners) != 0) {
		lejr_log(LEJR_LOG_ERROR, "plugin %s: not loaded: the plugins "
			 "of the database could not be listed", name);
		return 0;
	}
	others = calloc(rt->plugins.n + nowners + 1, sizeof(*others));
	if (others == NULL) {
		ledger_strings_free(owners, nowners);
		return 0;
	}
	for (size_t i = 0; i < rt->plugins.n; i++) {
		p = rt->plugins.items[i];
		others[n++] = p->name;
	}
	for (size_t i = 0; i < nowners; i++)
		if (strcmp(owners[i], name) != 0)
			others[n++] = owners[i];

	ok = ledger_sandbox_name_ok(name, others, n, why, sizeof(why));
	if (!ok)
		lejr_log(LEJR_LOG_ERROR, "plugin %s: not loaded: %s", name,
			 why);
	free(others);
	ledger_strings_free(owners, nowners);
	return ok;
}

static void
load_one(struct lejr_runtime *rt, const char *dir, const char *name,
	 sqlite3 *db)
{
	const struct lejr_plugin_desc *d = NULL;
	struct lejr_plugin *p;
	int rc;

	if (already_loaded(rt, name) || !name_free(rt, name, db))
		return;
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->name = strdup(name)) == NULL)
		goto err;
	p->rt = rt;

	if (plugin_open(p, dir, &d) != 0 || plugin_check(p, d) != 0)
		goto err;
	p->desc = d;

	p->in_init = 1;
	rc = d->init(p, &lejr_api_table);
	p->in_init = 0;
	if (rc != 0) {
		lejr_log(LEJR_LOG_ERROR, "plugin %s: init failed (%d); not "
			 "loaded", name, rc);
		goto err;
	}

	if (plugin_migrate(p, db) != 0 || lejr_vec_push(&rt->plugins, p) != 0)
		goto fini;
	if (lejr_registry_commit(rt, p) != 0)
		lejr_log(LEJR_LOG_ERROR, "plugin %s: out of memory; some of "
			 "its tools are missing", name);

	lejr_log(LEJR_LOG_INFO, "plugin %s %s loaded", name,
		 d->version ? d->version : "");
	return;

fini:
	if (d->fini != NULL)
		d->fini(p);
err:
	plugin_free(p);
}

/* Disabled tools that no plugin registered are probably typos. */
static void
warn_unknown_disabled(struct lejr_runtime *rt)
{
	for (size_t i = 0; i < rt->ndisabled; i++) {
		int found = 0;

		for (size_t j = 0; j < rt->reg.tools.n && !found; j++) {
			struct lejr_tool_entry *e = rt->reg.tools.items[j];

			found = strcmp(e->tool.name, rt->disabled[i]) == 0;
		}
		if (!found)
			lejr_log(LEJR_LOG_WARN, "disable_tools: no loaded "
				 "plugin has a tool %s", rt->disabled[i]);
	}
}

void
lejr_loader_load_all(struct lejr_runtime *rt, const struct lejr_config *cfg,
		     sqlite3 *db)
{
	for (size_t i = 0; i < cfg->nplugins; i++)
		load_one(rt, cfg->plugin_dir, cfg->plugins[i], db);
	warn_unknown_disabled(rt);
}

void
lejr_loader_unload_all(struct lejr_runtime *rt)
{
	for (size_t i = rt->plugins.n; i > 0; i--) {
		struct lejr_plugin *p = rt->plugins.items[i - 1];

		if (p->desc->fini != NULL)
			p->desc->fini(p);
		plugin_free(p);
	}
	lejr_vec_free(&rt->plugins);
}

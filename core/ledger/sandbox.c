/*
 * sandbox.c - what a plugin's own SQL may do on a ledger connection.
 *
 * Plugins get the call's connection (api->db) for tables of their own.
 * The journal is kept honest by the core: entries balance because
 * post_entry() checks them, and triggers refuse to change them later.
 * A plugin's raw SQL could go around both, inserting a line of its own
 * or dropping a trigger in a migration, and could read what is not the
 * ledger's: password hashes, token hashes, other organizations' logs.
 *
 * So every connection made by ledger_open() carries an authorizer.
 * While a plugin's code runs on a thread (ledger_sandbox_enter), the
 * statements that thread prepares on its own may
 *   - read the organizations, the chart, the journal and its totals,
 *     and the plugin's own tables, named "<plugin>_...";
 *   - write the plugin's own tables only;
 *   - use savepoints named "<plugin>_...", never BEGIN, COMMIT,
 *     ROLLBACK, ATTACH, or a pragma that changes anything;
 *   - in a migration, create, alter and drop the plugin's own tables,
 *     indexes, triggers and views, none of them on another table.
 * The core's own statements, prepared through ledger_prepare() and
 * ledger_exec() even when a plugin called the core, are not limited.
 * SQLite asks the authorizer when a statement is prepared, so limiting
 * costs nothing when statements run.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ledger-private.h"

static _Thread_local struct {
	const char *plugin;        /* NULL: no plugin code running */
	enum ledger_sandbox mode;
	int core;                  /* depth of core preparations */
} sandbox;

/* Core tables a plugin may read: the ledger itself, not its users. */
static const char *const readable[] = {
	"orgs", "accounts", "chart_epoch", "entries", "lines",
	"account_totals", "account_year_totals", "account_month_totals",
	"account_dekad_totals", "account_day_totals",
	"account_closing_totals", "sqlite_master", "sqlite_schema",
};

/* Pragmas that only describe the schema. */
static const char *const pragmas[] = {
	"table_info", "table_xinfo", "index_list", "index_info",
	"index_xinfo", "foreign_key_list",
};

void
ledger_sandbox_enter(const char *plugin, enum ledger_sandbox mode)
{
	sandbox.plugin = plugin;
	sandbox.mode = mode;
}

void
ledger_sandbox_leave(void)
{
	sandbox.plugin = NULL;
}

void
ledger_sandbox_core(int enter)
{
	sandbox.core += enter ? 1 : -1;
}

static int
listed(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; name != NULL && i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

/* Is name one of the plugin's own, "<plugin>_..."? */
static int
own(const char *name)
{
	size_t n = strlen(sandbox.plugin);

	return name != NULL && strncmp(name, sandbox.plugin, n) == 0 &&
	       name[n] == '_' && name[n + 1] != '\0';
}

static int
refuse(const char *what, const char *name)
{
	lejr_log(LEJR_LOG_WARN, "plugin %s: SQL refused: %s%s%s; a plugin "
		 "reads the ledger and writes only its own tables "
		 "(\"%s_...\"), and money is posted through post_entry()",
		 sandbox.plugin, what, name != NULL ? " " : "",
		 name != NULL ? name : "", sandbox.plugin);
	return SQLITE_DENY;
}

/* Creating or dropping an object named name on table (both its own),
 * in a migration only. */
static int
schema_change(const char *what, const char *name, const char *table)
{
	if (sandbox.mode != LEDGER_SANDBOX_MIGRATION)
		return refuse(what, name);
	if (!own(name))
		return refuse(what, name);
	if (table != NULL && !own(table))
		return refuse("an index or trigger on", table);
	return SQLITE_OK;
}

static int
authorize(void *unused, int action, const char *a1, const char *a2,
	  const char *dbname, const char *trigger)
{
	char kind[48];

	(void)unused;
	(void)trigger;

	if (sandbox.plugin == NULL || sandbox.core > 0)
		return SQLITE_OK;

	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_FUNCTION:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_READ:
		if (own(a1) || listed(a1, readable, sizeof(readable) /
				      sizeof(readable[0])))
			return SQLITE_OK;
		return refuse("reading", a1);
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE:
		if (own(a1))
			return SQLITE_OK;
		/* the schema's own bookkeeping, asked first when an object
		 * is created or dropped: a migration's objects are checked
		 * by name next */
		if (strcmp(a1, "sqlite_master") == 0 ||
		    strcmp(a1, "sqlite_temp_master") == 0)
			return sandbox.mode == LEDGER_SANDBOX_MIGRATION &&
			       strcmp(dbname, "main") == 0 ? SQLITE_OK :
			       refuse("changing the schema (a migration's "
				      "work)", NULL);
		return refuse("writing", a1);
	case SQLITE_CREATE_TABLE:
	case SQLITE_DROP_TABLE:
	case SQLITE_CREATE_VIEW:
	case SQLITE_DROP_VIEW:
		return schema_change("creating or dropping", a1, NULL);
	case SQLITE_CREATE_INDEX:
	case SQLITE_DROP_INDEX:
	case SQLITE_CREATE_TRIGGER:
	case SQLITE_DROP_TRIGGER:
		return schema_change("creating or dropping", a1, a2);
	case SQLITE_REINDEX:
		/* asked as a new index is filled */
		return schema_change("reindexing", a1, NULL);
	case SQLITE_ALTER_TABLE:
		return schema_change("altering", a2, NULL);
	case SQLITE_PRAGMA:
		if (listed(a1, pragmas, sizeof(pragmas) / sizeof(pragmas[0])))
			return SQLITE_OK;
		return refuse("pragma", a1);
	case SQLITE_SAVEPOINT:
		if (own(a2))
			return SQLITE_OK;
		return refuse("savepoint", a2);
	case SQLITE_TRANSACTION:
		return refuse("BEGIN, COMMIT or ROLLBACK (the core runs the "
			      "transaction)", NULL);
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
		return refuse("attaching a database", NULL);
	default:
		snprintf(kind, sizeof(kind), "statement (authorizer action "
			 "%d)", action);
		return refuse(kind, NULL);
	}
}

void
ledger_sandbox_install(sqlite3 *db)
{
	sqlite3_set_authorizer(db, authorize, NULL);
}

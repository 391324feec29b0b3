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
 *   - write the plugin's own tables only, and only in a write tool or a
 *     migration;
 *   - use savepoints named "<plugin>_...", never BEGIN, COMMIT,
 *     ROLLBACK, ATTACH, or a pragma that changes anything;
 *   - in a migration, create, alter and drop the plugin's own tables,
 *     indexes, triggers and views, none of them on another table (and
 *     ledger_migrate checks that every object it made is the plugin's).
 * The core's own work, even when a plugin called the core, is not
 * limited (ledger_sandbox_core), and nothing commits while a plugin's
 * code runs.  SQLite asks the authorizer when a
 * statement is prepared, so limiting costs nothing when statements run.
 *
 * "Own" is a matter of names, so plugin names that begin the name of
 * one of the core's objects, or another plugin's, are refused when the
 * plugin loads (ledger_sandbox_name_ok).
 *
 * This guards the ledger against a plugin's mistakes and against SQL
 * injected through one; a plugin is native code in the server's process
 * and is trusted not to be hostile.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "ledger-private.h"

/* Refusals logged for one entry into a plugin, then a summary. */
#define LOGGED_MAX 3

static _Thread_local struct {
	const char *plugin;        /* NULL: no plugin code running */
	enum ledger_sandbox mode;
	int core;                  /* depth of the core's own work */
	int refused;               /* refusals since entering */
	int lost;                  /* a rollback since entering */
} sandbox;

/* Sorted names of schema objects: the core's (a fresh database's, made
 * once) and, from ledger_sandbox_seal, every object of the database
 * lejrd serves, the plugins' included. */
struct names {
	char **name;
	size_t n;
};

static struct names core_names, known_names;
static pthread_once_t core_once = PTHREAD_ONCE_INIT;

/* Both lists are whole (the second one until a failed seal); if not,
 * every name counts as an object of the schema, so that plugins read
 * only what is listed as theirs to read. */
static int core_listed, known_listed = 1;

/* Core tables a plugin may read: the ledger itself, not its users. */
static const char *const readable[] = {
	"orgs", "accounts", "chart_epoch", "entries", "lines",
	"account_totals", "account_year_totals", "account_month_totals",
	"account_dekad_totals", "account_day_totals",
	"account_closing_totals", "org_totals",
};

/* Pragmas that only describe the schema, with any argument... */
static const char *const pragmas_describe[] = {
	"table_info", "table_xinfo", "table_list", "index_list",
	"index_info", "index_xinfo", "foreign_key_list",
};

/* ...and settings a plugin may read but not set. */
static const char *const pragmas_read[] = {
	"user_version", "foreign_keys", "query_only", "data_version",
};

/* SQL functions refused: loading code, and the FTS3 tokenizer pointer
 * (SQLite's advice for untrusted SQL). */
static const char *const functions_refused[] = {
	"load_extension", "fts3_tokenizer",
};

static const char *const reserved[] = { "core", "lejr", "sqlite" };

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- names ---- */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_free(struct names *s)
{
	ledger_strings_free(s->name, s->n);
	s->name = NULL;
	s->n = 0;
}

int
ledger_schema_names(sqlite3 *db, char ***names, size_t *n)
{
	return ledger_strings(db, "SELECT name FROM sqlite_master", names, n);
}

static int
names_has(const struct names *s, const char *name)
{
	return name != NULL && s->n > 0 &&
	       bsearch(&name, s->name, s->n, sizeof(*s->name),
		       name_cmp) != NULL;
}

/* The core's objects, as a new database has them. */
static void
core_names_read(void)
{
	const char *plugin = sandbox.plugin;
	struct lejr_error err = { 0 };
	sqlite3 *db;

	/* core work, whatever runs on this thread */
	sandbox.plugin = NULL;
	if (ledger_open(":memory:", &db, &err) != LEJR_OK) {
		sandbox.plugin = plugin;
		lejr_log(LEJR_LOG_ERROR, "the core's schema could not be "
			 "listed: %s", err.msg);
		return;
	}
	if (ledger_schema_names(db, &core_names.name, &core_names.n) == 0)
		core_listed = 1;
	else
		lejr_log(LEJR_LOG_ERROR, "the core's schema could not be "
			 "listed");
	ledger_close(db);
	sandbox.plugin = plugin;
}

static const struct names *
core(void)
{
	pthread_once(&core_once, core_names_read);
	return &core_names;
}

int
ledger_sandbox_init(void)
{
	core();
	return core_listed ? 0 : -1;
}

/* Does name begin with prefix and '_'?  SQLite's names ignore the case
 * of ASCII letters, and so does this. */
static int
prefixed(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	return name != NULL && strncasecmp(name, prefix, n) == 0 &&
	       name[n] == '_' && name[n + 1] != '\0';
}

int
ledger_sandbox_name_ok(const char *name, const char *const *others,
		       size_t nothers, char *why, size_t len)
{
	const struct names *c = core();
	size_t n = strlen(name);

	/* "a_" would own what "a" owns, and the other way round */
	if (n == 0 || name[n - 1] == '_') {
		snprintf(why, len, "a plugin's name does not end in '_'");
		return 0;
	}
	for (size_t i = 0; i < NITEMS(reserved); i++)
		if (strcmp(name, reserved[i]) == 0 ||
		    prefixed(name, reserved[i])) {
			snprintf(why, len, "the name %s is the core's", name);
			return 0;
		}
	if (!core_listed) {
		snprintf(why, len, "the core's schema could not be listed");
		return 0;
	}
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0 ||
		    prefixed(c->name[i], name)) {
			snprintf(why, len, "the core's %s would be the "
				 "plugin's own (its tables are named "
				 "\"%s_...\")", c->name[i], name);
			return 0;
		}
	for (size_t i = 0; i < nothers; i++)
		if (prefixed(others[i], name) || prefixed(name, others[i])) {
			snprintf(why, len, "plugin %s is loaded or has "
				 "tables here, and one plugin's tables would "
				 "be the other's", others[i]);
			return 0;
		}
	return 1;
}

int
ledger_sandbox_made_ok(const char *owner, char **before, size_t nbefore,
		       char **after, size_t nafter, char *why, size_t len)
{
	struct names old = { before, nbefore };
	char auto_prefix[96];

	snprintf(auto_prefix, sizeof(auto_prefix), "sqlite_autoindex_%s",
		 owner);
	for (size_t i = 0; i < nafter; i++) {
		if (names_has(&old, after[i]) || prefixed(after[i], owner) ||
		    prefixed(after[i], auto_prefix) ||
		    strcmp(after[i], "sqlite_sequence") == 0)
			continue;
		snprintf(why, len, "it made %s, which is not named \"%s_...\"",
			 after[i], owner);
		return 0;
	}
	return 1;
}

void
ledger_sandbox_seal(sqlite3 *db)
{
	names_free(&known_names);
	known_listed = ledger_schema_names(db, &known_names.name,
					   &known_names.n) == 0;
	if (!known_listed)
		lejr_log(LEJR_LOG_ERROR, "the schema could not be listed; "
			 "plugins may read only the ledger's tables and their "
			 "own, not SQLite's table-valued functions");
}

/* ---- the sandbox ---- */

void
ledger_sandbox_enter(const char *plugin, enum ledger_sandbox mode)
{
	sandbox.plugin = plugin;
	sandbox.mode = mode;
	sandbox.refused = 0;
	sandbox.lost = 0;
}

int
ledger_sandbox_lost(void)
{
	return sandbox.lost;
}

void
ledger_sandbox_reset(void)
{
	sandbox.lost = 0;
}

void
ledger_sandbox_leave(void)
{
	sandbox.plugin = NULL;
}

const char *
ledger_sandbox_plugin(void)
{
	return sandbox.plugin;
}

void
ledger_sandbox_core(int enter)
{
	sandbox.core += enter ? 1 : -1;
}

/* Is name in list?  Names of tables, functions and pragmas ignore the
 * case of ASCII letters in SQL, and so does this. */
static int
listed(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; name != NULL && i < n; i++)
		if (strcasecmp(name, list[i]) == 0)
			return 1;
	return 0;
}

/* Is name one of the plugin's own, "<plugin>_..."? */
static int
own(const char *name)
{
	return prefixed(name, sandbox.plugin);
}

/* Virtual tables that describe the database's pages or statements. */
static const char *const introspection[] = {
	"dbstat", "bytecode", "tables_used",
};

/* An object of the schema, the core's or a plugin's, or one of SQLite's
 * own tables (not a CTE or a subquery's name, which SQLite reports as
 * read too). */
static int
schema_object(const char *name)
{
	const struct names *c = core();

	if (!core_listed || !known_listed)
		return 1;
	return names_has(c, name) || names_has(&known_names, name) ||
	       strncasecmp(name, "sqlite_", 7) == 0 ||
	       listed(name, introspection, NITEMS(introspection));
}

/* A name from the plugin's SQL, fit for a log line: at most 64 bytes,
 * control characters as '?'. */
static const char *
clean(const char *name, char out[68])
{
	size_t i;

	for (i = 0; name[i] != '\0' && i < 64; i++)
		out[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7f ?
			 '?' : name[i];
	if (name[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

static int
refuse(const char *what, const char *name, const char *within,
       const char *rule)
{
	char n[68], w[68];

	if (++sandbox.refused > LOGGED_MAX) {
		if (sandbox.refused == LOGGED_MAX + 1)
			lejr_log(LEJR_LOG_WARN, "plugin %s: more SQL "
				 "refused, not logged", sandbox.plugin);
		return SQLITE_DENY;
	}
	lejr_log(LEJR_LOG_WARN, "plugin %s: SQL refused: %s%s%s%s%s%s; %s",
		 sandbox.plugin, what, name != NULL ? " " : "",
		 name != NULL ? clean(name, n) : "",
		 within != NULL ? " (in " : "",
		 within != NULL ? clean(within, w) : "",
		 within != NULL ? ")" : "", rule);
	return SQLITE_DENY;
}

static const char rule_own[] = "a plugin writes only its own tables "
			       "(\"<plugin>_...\"), and money moves only "
			       "through post_entry()";
static const char rule_read[] = "a plugin reads the ledger's tables and "
				"its own, not users, tokens, sessions or "
				"the activity log";
static const char rule_schema[] = "only a migration changes the schema, "
				  "and only the plugin's own objects";
static const char rule_tx[] = "the core runs the call's transaction; "
			      "a plugin may use savepoints of its own";
static const char rule_other[] = "see the db member of struct lejr_api "
				 "in <lejr/plugin.h>";
static const char rule_read_only[] = "a read tool, resource or prompt "
				     "changes nothing";
static const char rule_autoinc[] = "its counters are every plugin's; an "
				   "INTEGER PRIMARY KEY numbers rows too";

/* Creating or dropping an object named name on table (both its own),
 * in a migration only. */
static int
schema_change(const char *what, const char *name, const char *table,
	      const char *dbname, const char *within)
{
	if (sandbox.mode != LEDGER_SANDBOX_MIGRATION)
		return refuse(what, name, within, rule_schema);
	if (dbname == NULL || strcmp(dbname, "main") != 0)
		return refuse("temporary objects", name, within, rule_schema);
	if (name != NULL && strcmp(name, "sqlite_sequence") == 0)
		return refuse("AUTOINCREMENT", NULL, within, rule_autoinc);
	/* SQLite's own: the index of a UNIQUE or PRIMARY KEY constraint */
	if (name != NULL && strncmp(name, "sqlite_autoindex_", 17) == 0 &&
	    table != NULL && own(table))
		return SQLITE_OK;
	if (!own(name))
		return refuse(what, name, within, rule_schema);
	if (table != NULL && !own(table))
		return refuse("an index or trigger on", table, within,
			      rule_schema);
	return SQLITE_OK;
}

static int
schema_table(const char *name)
{
	return strcmp(name, "sqlite_master") == 0 ||
	       strcmp(name, "sqlite_schema") == 0 ||
	       strcmp(name, "sqlite_temp_master") == 0 ||
	       strcmp(name, "sqlite_temp_schema") == 0;
}

static int
authorize(void *unused, int action, const char *a1, const char *a2,
	  const char *dbname, const char *within)
{
	(void)unused;

	if (sandbox.plugin == NULL || sandbox.core > 0)
		return SQLITE_OK;

	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_FUNCTION:
		if (listed(a2, functions_refused, NITEMS(functions_refused)))
			return refuse("the function", a2, within, rule_other);
		return SQLITE_OK;
	case SQLITE_READ:
		if (own(a1) || listed(a1, readable, NITEMS(readable)) ||
		    schema_table(a1) || !schema_object(a1))
			return SQLITE_OK;
		return refuse("reading", a1, within, rule_read);
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE:
		/* The schema's tables are written by SQLite itself, for
		 * changes checked by their own kind below; SQLite refuses
		 * any other write to them. */
		if (schema_table(a1))
			return SQLITE_OK;
		if (own(a1) && sandbox.mode != LEDGER_SANDBOX_READ)
			return SQLITE_OK;
		if (own(a1))
			return refuse("writing", a1, within, rule_read_only);
		if (strcmp(a1, "sqlite_sequence") == 0)
			return refuse("AUTOINCREMENT", NULL, within,
				      rule_autoinc);
		return refuse("writing", a1, within, rule_own);
	case SQLITE_CREATE_TABLE:
	case SQLITE_DROP_TABLE:
	case SQLITE_CREATE_VIEW:
	case SQLITE_DROP_VIEW:
		return schema_change("creating or dropping", a1, NULL, dbname,
				     within);
	case SQLITE_CREATE_INDEX:
	case SQLITE_DROP_INDEX:
	case SQLITE_CREATE_TRIGGER:
	case SQLITE_DROP_TRIGGER:
		return schema_change("creating or dropping", a1, a2, dbname,
				     within);
	case SQLITE_REINDEX:
		/* asked as a new index is filled */
		return schema_change("reindexing", a1, NULL, dbname, within);
	case SQLITE_ALTER_TABLE:
		return schema_change("altering", a2, NULL, a1, within);
	case SQLITE_PRAGMA:
		if (listed(a1, pragmas_describe, NITEMS(pragmas_describe)) ||
		    (a2 == NULL && listed(a1, pragmas_read,
					  NITEMS(pragmas_read))))
			return SQLITE_OK;
		return refuse("the pragma", a1, within, rule_other);
	case SQLITE_SAVEPOINT:
		if (own(a2))
			return SQLITE_OK;
		return refuse("the savepoint", a2, within, rule_tx);
	case SQLITE_TRANSACTION:
		return refuse(a1 != NULL ? a1 : "a transaction", NULL, within,
			      rule_tx);
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
		return refuse("attaching a database", NULL, within,
			      rule_other);
	case SQLITE_ANALYZE:
		return refuse("ANALYZE", a1, within, rule_other);
	case SQLITE_CREATE_VTABLE:
	case SQLITE_DROP_VTABLE:
		return refuse("a virtual table", a1, within, rule_other);
	default:
		/* temporary objects, above all, which would shadow the
		 * core's tables in its own statements */
		return refuse("temporary objects", a1, within, rule_schema);
	}
}

/*
 * SQL can end a transaction without saying COMMIT or ROLLBACK, which the
 * authorizer would see: INSERT OR ROLLBACK, a constraint's ON CONFLICT
 * ROLLBACK, RAISE(ROLLBACK) in a trigger.  After that every statement
 * would commit on its own, so no commit happens while a plugin's code
 * runs (the core's work it called included): a non-zero answer turns
 * the commit into a rollback.  The core notices the lost transaction
 * when the plugin returns.
 */
static int
refuse_commit(void *unused)
{
	(void)unused;
	if (sandbox.plugin == NULL)
		return 0;
	refuse("committing (the call's transaction was ended by its own "
	       "SQL: ON CONFLICT ROLLBACK, RAISE(ROLLBACK)?)", NULL, NULL,
	       rule_tx);
	return 1;
}

/* A whole transaction rolled back while a plugin's code runs: the call
 * lost its transaction, even if the plugin opened another since. */
static void
note_rollback(void *unused)
{
	(void)unused;
	if (sandbox.plugin != NULL)
		sandbox.lost = 1;
}

void
ledger_sandbox_install(sqlite3 *db)
{
	sqlite3_set_authorizer(db, authorize, NULL);
	sqlite3_commit_hook(db, refuse_commit, NULL);
	sqlite3_rollback_hook(db, note_rollback, NULL);
}

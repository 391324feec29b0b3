/*
 * lejr/plugin.h - the interface between lejrd and its tool plugins.
 *
 * A plugin is a shared object exporting one function, lejr_plugin_entry(),
 * which returns a descriptor.  The core checks the descriptor's ABI
 * version, then calls its init() with a table of core functions
 * (struct lejr_api).  During init() the plugin registers its tools and
 * its schema migrations; afterwards the core calls a tool's handler for
 * every tools/call naming it.
 *
 * The core, not the plugin, enforces organization selection, access
 * (read or write), transactions, idempotency and the activity log.  A
 * handler runs inside one database transaction: if it returns anything
 * but LEJR_OK, everything it wrote is rolled back.
 *
 * Compatibility: struct lejr_api only grows at its end.  A plugin built
 * against ABI major M, minor n loads in any core with major M and minor
 * >= n.  Members added after the plugin's minor are never touched by it;
 * api->size tells how many bytes of the table the running core fills.
 *
 * JSON values use jansson.  Every function below states who owns each
 * json_t: "borrowed" means the callee neither keeps nor frees it;
 * "new reference" means the receiver must json_decref() it.
 *
 * Threads: read tools run on the core's worker threads, several at
 * once, each call inside its own read transaction that is always rolled
 * back (a read tool can change nothing: the ledger members that write
 * fail with LEJR_EINTERNAL in read tools, resources and prompts, and so
 * does the plugin's own SQL writing its own tables).  Write tools run
 * one after another on the core's single writer thread, which commits
 * several calls together (group commit) under one savepoint each: keep
 * write handlers short, since a slow one delays every organization's
 * writes.  A write handler may run more than once for one call: when
 * another call of its batch breaks the batch's transaction, the batch
 * runs again without that call, and only the last run's changes stay;
 * keep write handlers free of effects outside the database.
 * A plugin must not keep a struct lejr_call pointer after its handler
 * returns, and must never BEGIN, COMMIT or ROLLBACK on api->db().
 *
 * Failure: every function returns LEJR_OK or a negative enum
 * lejr_status; on failure its out-parameters are left NULL or
 * untouched, and the ledger functions have already described the
 * problem on the call (as api->fail() does), so a handler can simply
 * return their status.  A handler that fails without a message gets a
 * generic one; LEJR_EINTERNAL answers are never shown in detail to the
 * assistant, only logged.
 */
#ifndef LEJR_PLUGIN_H
#define LEJR_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <lejr/ledger.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LEJR_ABI_MAJOR 1
#define LEJR_ABI_MINOR 1
#define LEJR_ABI_VERSION ((LEJR_ABI_MAJOR << 16) | LEJR_ABI_MINOR)

/* Bytes that always hold a formatted amount: sign, 19 digits, point,
 * terminating NUL, with room to spare. */
#define LEJR_MONEY_TEXT_MAX 32

/* The symbol every plugin exports; the loader resolves it by this name. */
#define LEJR_PLUGIN_ENTRY "lejr_plugin_entry"

/* Return codes shared by every function of the API. */
enum lejr_status {
	LEJR_OK = 0,
	LEJR_EINVAL = -1,    /* the caller's input is wrong */
	LEJR_ENOTFOUND = -2, /* a named object does not exist (in this org) */
	LEJR_ECONFLICT = -3, /* the state forbids it (reversed, locked...) */
	LEJR_EDENIED = -4,   /* refused by policy (role, token, org) */
	LEJR_ENOTSUP = -5,   /* the client or core lacks the capability */
	LEJR_ECANCELED = -6, /* the caller cancelled or went away */
	LEJR_EINTERNAL = -7  /* our fault: database error, out of memory */
};

enum lejr_log_level {
	LEJR_LOG_ERROR = 3,  /* our fault */
	LEJR_LOG_WARN = 4,
	LEJR_LOG_NOTICE = 5, /* refused by policy */
	LEJR_LOG_INFO = 6,   /* a client's mistake, lifecycle */
	LEJR_LOG_DEBUG = 7
};

/* What a tool does to the ledger; the core refuses write tools to
 * viewers and to read-only tokens. */
enum lejr_access {
	LEJR_ACCESS_READ = 1,
	LEJR_ACCESS_WRITE = 2
};

/* MCP tool annotations (hints shown to the assistant).  They must tell
 * the truth: a read tool is LEJR_ANNOT_READ_ONLY, a write tool that
 * cannot lose information is not LEJR_ANNOT_DESTRUCTIVE. */
enum lejr_annotation {
	LEJR_ANNOT_READ_ONLY = 1 << 0,
	LEJR_ANNOT_DESTRUCTIVE = 1 << 1,
	LEJR_ANNOT_IDEMPOTENT = 1 << 2,
	LEJR_ANNOT_OPEN_WORLD = 1 << 3
};

/* Tool flags. */
enum lejr_tool_flag {
	/* The tool does not act on one organization: the core neither
	 * requires nor resolves the "organization" argument. */
	LEJR_TOOL_NO_ORG = 1 << 0
};

struct lejr_plugin; /* the core's handle for one loaded plugin */
struct lejr_call;   /* one tools/call in progress */

/*
 * A tool handler.  args is the validated arguments object (borrowed;
 * "organization" and "idempotency_key" already removed).  On LEJR_OK
 * the handler stores its structured result, a JSON object, in *result
 * (a new reference the core takes over).  On failure it returns a
 * negative status, after api->fail() has described the problem; the
 * core answers the assistant with a tool error carrying that text and
 * rolls back the transaction.
 */
typedef int (*lejr_tool_fn)(struct lejr_call *call, json_t *args,
			    json_t **result);

struct lejr_tool {
	const char *name;          /* unique across plugins, [a-z0-9_]+ */
	const char *title;         /* short human title */
	const char *description;   /* what it does, for the assistant */
	const char *input_schema;  /* JSON Schema text, type object */
	const char *output_schema; /* JSON Schema text, or NULL */
	enum lejr_access access;
	unsigned annotations;      /* enum lejr_annotation bits */
	unsigned flags;            /* enum lejr_tool_flag bits */
	lejr_tool_fn handler;
};

/*
 * Resources.  A resource read handler receives the requested uri and
 * stores in *contents a JSON array of MCP resource contents ({"uri",
 * "mimeType", "text"} or {"uri", "mimeType", "blob"} with base64), a new
 * reference.  For a template (LEJR_RESOURCE_TEMPLATE), uri is an RFC 6570
 * level-1 template such as "files://{name}" and read() gets the concrete
 * uri.  Resource reads are read-only and need no organization unless the
 * handler asks api->org(), which is then NULL.
 */
enum lejr_resource_flag {
	LEJR_RESOURCE_TEMPLATE = 1 << 0,
	LEJR_RESOURCE_SUBSCRIBABLE = 1 << 1
};

typedef int (*lejr_resource_fn)(struct lejr_call *call, const char *uri,
				json_t **contents);

/* Completion: values (new reference, a JSON array of strings) for the
 * argument named argument whose partial text is value; context holds
 * the other arguments already chosen (borrowed, may be NULL). */
typedef int (*lejr_complete_fn)(struct lejr_call *call, const char *argument,
				const char *value, json_t *context,
				json_t **values);

struct lejr_resource {
	const char *uri;
	const char *name;
	const char *title;       /* or NULL */
	const char *description; /* or NULL */
	const char *mime_type;   /* or NULL */
	unsigned flags;          /* enum lejr_resource_flag bits */
	lejr_resource_fn read;
	lejr_complete_fn complete; /* template arguments, or NULL */
};

/* A prompt's get() receives its arguments (borrowed object of strings)
 * and stores {"description"?, "messages": [...]} in *result. */
typedef int (*lejr_prompt_fn)(struct lejr_call *call, json_t *args,
			      json_t **result);

struct lejr_prompt {
	const char *name;
	const char *title;       /* or NULL */
	const char *description; /* or NULL */
	/* JSON text of the MCP arguments array, [{"name", "description",
	 * "required"}], or NULL for none. */
	const char *arguments;
	lejr_prompt_fn get;
	lejr_complete_fn complete; /* or NULL */
};

/*
 * The table of core functions handed to init().  Never reordered; new
 * members are appended and bump LEJR_ABI_MINOR.
 */
struct lejr_api {
	uint32_t abi_version; /* the core's LEJR_ABI_VERSION */
	size_t size;          /* sizeof(struct lejr_api) in the core */

	/* --- plugin lifecycle (only valid during init) --- */

	/* Register a tool.  The struct and its strings are copied.  Returns
	 * LEJR_OK, LEJR_EINVAL (bad name or schema, logged with the reason)
	 * or LEJR_ECONFLICT (name taken).  A tool disabled in lejr.conf is
	 * accepted and silently not offered. */
	int (*register_tool)(struct lejr_plugin *p, const struct lejr_tool *t);

	/* Add schema migration number version (1, 2, ... per plugin, in
	 * order) creating or altering the plugin's own tables.  The core runs
	 * pending migrations after init() in one transaction each.  sql is
	 * copied.  The plugin's tables, indexes, triggers and views are named
	 * "<plugin name>_..."; a migration may create, alter (ADD, RENAME
	 * and DROP COLUMN, RENAME TO an own name) and drop those, with
	 * indexes and triggers on its own tables only, and nothing else: any
	 * other change (temporary objects and AUTOINCREMENT included) fails
	 * the migration, and the plugin is not loaded.  Names are compared
	 * as SQLite does, ignoring the case of ASCII letters.  A trigger or
	 * view of its own is limited as the plugin's SQL is (see db below)
	 * whenever it runs.  Plugin names that would make the core's
	 * objects, or those of a plugin loaded now or ever migrated on the
	 * database, the plugin's own ("core", "lejr", "sqlite", "account"
	 * for account_totals, "web", ...) are refused at load. */
	int (*add_migration)(struct lejr_plugin *p, int version,
			     const char *sql);

	/* Log a line prefixed with the plugin's name.  Never log secrets. */
	void (*log)(struct lejr_plugin *p, enum lejr_log_level level,
		    const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* --- inside a tool call --- */

	/* Describe why the call fails; returns status so a handler can
	 * write "return api->fail(call, LEJR_EINVAL, ...)". */
	int (*fail)(struct lejr_call *call, int status, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* The organization the call acts on, or NULL for LEJR_TOOL_NO_ORG
	 * tools.  Valid until the handler returns. */
	const struct lejr_org *(*org)(struct lejr_call *call);

	/* The signed-in user's id. */
	int64_t (*user_id)(struct lejr_call *call);

	/* The call's database connection, inside the call's transaction, for
	 * the plugin's own tables (link with sqlite3: pkg-config lejr gives
	 * it).  SQL the plugin prepares on it may read the ledger (orgs,
	 * accounts, chart_epoch, entries, lines, the account_*totals tables,
	 * sqlite_master) and its own tables, and write only its own tables
	 * in write tools and migrations (not AUTOINCREMENT counters, which
	 * all plugins share); it may use
	 * savepoints named "<plugin name>_..."; it may not BEGIN, COMMIT or
	 * ROLLBACK, ATTACH, change the schema, create temporary or virtual
	 * tables, or use pragmas other than the schema's descriptions
	 * (table_info, index_list, ...) and reading user_version,
	 * foreign_keys or query_only.  Anything else fails to prepare with
	 * SQLITE_AUTH and is logged.  Nothing commits while the plugin's
	 * code runs: SQL that ends the call's transaction (INSERT OR
	 * ROLLBACK, ON CONFLICT ROLLBACK, RAISE(ROLLBACK)) fails the call,
	 * and nothing it did is kept.  Money is posted only through
	 * post_entry().  The ledger tables hold every organization: filter
	 * on org_id = api->org(call)->id.  These limits guard the ledger
	 * against mistakes and injected SQL; a plugin runs in the server's
	 * process and must not touch the connection's settings (its
	 * authorizer, say) or use it from threads of its own. */
	struct sqlite3 *(*db)(struct lejr_call *call);

	/* Report progress to the caller when it asked for it (no-op
	 * otherwise).  message may be NULL. */
	void (*progress)(struct lejr_call *call, double progress, double total,
			 const char *message);

	/* Ask the user a question through the client (MCP elicitation).
	 * schema is a flat object schema (borrowed).  Blocks until the
	 * client answers.  On LEJR_OK *action is "accept", "decline" or
	 * "cancel" (static string) and *content the answered object (new
	 * reference, NULL unless accepted).  LEJR_ENOTSUP when the client
	 * did not declare the capability or cannot receive requests, and
	 * always in a write tool: writes run in a transaction shared with
	 * other calls, which must not wait for a person (ask from a read
	 * tool, then call the write tool). */
	int (*elicit)(struct lejr_call *call, const char *message,
		      json_t *schema, const char **action, json_t **content);

	/* --- money, in the call organization's currency --- */

	/* Parse a decimal string or an exact JSON number (borrowed) into
	 * minor units.  More decimals than the currency has, exponents,
	 * NaN and out-of-range values are LEJR_EINVAL with a message set on
	 * the call that names field. */
	int (*money_parse)(struct lejr_call *call, const char *field,
			   json_t *value, int64_t *minor);

	/* Format minor units as a plain decimal string ("-1234.50") into
	 * buf; LEJR_MONEY_TEXT_MAX bytes always suffice.  Returns LEJR_OK
	 * or LEJR_EINVAL, with a message set on the call, when buf is too
	 * small. */
	int (*money_format)(struct lejr_call *call, int64_t minor, char *buf,
			    size_t len);

	/* --- chart of accounts --- */

	/* The JSON of this section and the next is what journal.so's and
	 * reports.so's tools answer with, and their output schemas (see
	 * tools/list) document every field: the accounts of list_accounts,
	 * the entry of get_journal_entry, the page of
	 * list_journal_entries (with next_cursor absent rather than null
	 * on the last page) and trial_balance's object (before the tool
	 * adds its "checks"). */

	/* Find an account by code in the call's organization. */
	int (*account_get)(struct lejr_call *call, const char *code,
			   struct lejr_account *out);

	/* All accounts ordered by code, as a JSON array of account objects
	 * (new reference in *out).  Archived ones only when asked. */
	int (*account_list)(struct lejr_call *call, int include_archived,
			    json_t **out);

	/* Create an account; *out (may be NULL) receives the account. */
	int (*account_create)(struct lejr_call *call,
			      const struct lejr_account_spec *spec,
			      struct lejr_account *out);

	/* Archive an account: it keeps its history, takes no new lines. */
	int (*account_archive)(struct lejr_call *call, const char *code);

	/* --- journal --- */

	/* Post a balanced entry.  Validates everything (balance, accounts,
	 * lock date, dates) and on success stores the new id in *id and
	 * records it among the call's created entries. */
	int (*post_entry)(struct lejr_call *call,
			  const struct lejr_entry_spec *spec, int64_t *id);

	/* One entry with its lines as a JSON object (new reference). */
	int (*entry_get)(struct lejr_call *call, int64_t id, json_t **out);

	/* Entries matching filter, oldest first, as a JSON object
	 * {"entries": [...], "next_cursor": "..."} (new reference);
	 * next_cursor is absent on the last page. */
	int (*entry_list)(struct lejr_call *call,
			  const struct lejr_entry_filter *filter,
			  json_t **out);

	/* Reverse entry id: a new entry dated date (NULL: the original's
	 * date) with every line negated, linked to the original.  An entry
	 * is reversed at most once; a reversal is not reversible. */
	int (*entry_reverse)(struct lejr_call *call, int64_t id,
			     const char *date, const char *memo,
			     int64_t *new_id);

	/* Balances of every account with activity up to and including date
	 * (NULL: all time), as {"as_of", "currency", "accounts": [...],
	 * "total_debit", "total_credit", ...} (new reference). */
	int (*trial_balance)(struct lejr_call *call, const char *date,
			     json_t **out);

	/* Balance (debit positive) of one account up to and including date
	 * (NULL: all time), in minor units. */
	int (*account_balance)(struct lejr_call *call, const char *code,
			       const char *date, int64_t *balance);

	/* --- richer MCP results and client interaction --- */

	/* Replace the result's MCP content array (stolen), which by default
	 * is one text block holding the structured result as JSON.  For
	 * tools whose answer is an image, audio or an embedded resource. */
	void (*set_content)(struct lejr_call *call, json_t *content);

	/* Send a notifications/message log line to the caller, when its
	 * logging level lets it through.  level is an MCP level ("info",
	 * "warning"...), logger may be NULL, data is borrowed. */
	void (*notify_log)(struct lejr_call *call, const char *level,
			   const char *logger, json_t *data);

	/* Send any server-to-client request (e.g. "sampling/createMessage")
	 * and wait for its answer, as elicit() does.  params borrowed; on
	 * LEJR_OK *result is the answer's result (new reference), on
	 * failure *result is NULL.  LEJR_ENOTSUP in a write tool, as for
	 * elicit(). */
	int (*client_request)(struct lejr_call *call, const char *method,
			      json_t *params, json_t **result);

	/* Register a resource or a resource template (copied); only during
	 * init.  See struct lejr_resource. */
	int (*register_resource)(struct lejr_plugin *p,
				 const struct lejr_resource *r);

	/* Register a prompt (copied); only during init. */
	int (*register_prompt)(struct lejr_plugin *p,
			       const struct lejr_prompt *pr);

	/* --- ABI 1.1: closing entries and financial reports ---
	 *
	 * A plugin using these checks api->size (or abi_version's minor)
	 * first: a 1.0 core does not have them.  Each report checks
	 * itself against a second computation; one that fails is
	 * LEJR_EINTERNAL, never an answer.  Dates are calendar dates in
	 * the organization's terms, periods include both ends, amounts are
	 * exact decimal strings "x" beside "x_minor" in minor units.  The
	 * objects are those of reports.so's output schemas (see
	 * tools/list), which document every field. */

	/* post_entry with flags, enum lejr_entry_flag bits (0 is exactly
	 * post_entry).  A closing entry must be dated on the last day of a
	 * fiscal year and touch only income, expense and equity
	 * accounts. */
	int (*post_entry_ex)(struct lejr_call *call,
			     const struct lejr_entry_spec *spec,
			     unsigned flags, int64_t *id);

	/* Balance sheet as of date (required): assets, liabilities and
	 * equity, with "Retained earnings (prior years, unclosed)" and
	 * "Current-year earnings" lines so that assets always equal
	 * liabilities plus equity (new reference in *out). */
	int (*balance_sheet)(struct lejr_call *call, const char *date,
			     json_t **out);

	/* Profit and loss from..to (required), closing entries left out;
	 * columns NULL or "none", "previous_period", "month" or
	 * "quarter" (new reference in *out). */
	int (*profit_and_loss)(struct lejr_call *call, const char *from,
			       const char *to, const char *columns,
			       json_t **out);

	/* One page of account code's general ledger for from..to (NULL:
	 * open): opening balance, lines with running balances, closing
	 * balance.  cursor NULL for the first page, then next_cursor; a
	 * page never splits an entry; limit 0 means 100 lines, at most 500
	 * (new reference in *out). */
	int (*general_ledger)(struct lejr_call *call, const char *code,
			      const char *from, const char *to,
			      const char *cursor, int limit, json_t **out);

	/* Account code's balance as of date (NULL: all time) as a checked
	 * report object (new reference in *out). */
	int (*account_report)(struct lejr_call *call, const char *code,
			      const char *date, json_t **out);
};

/*
 * What lejr_plugin_entry() returns.  Fill it with designated initializers
 * so members added later default to zero:
 *
 *     static const struct lejr_plugin_desc desc = {
 *         .abi_version = LEJR_ABI_VERSION,
 *         .name = "journal",
 *         .version = "1.0",
 *         .init = journal_init,
 *     };
 */
struct lejr_plugin_desc {
	uint32_t abi_version;    /* LEJR_ABI_VERSION at build time */
	const char *name;        /* [a-z0-9_]+, used in logs and config;
				  * must be the file's name: NAME.so */
	const char *version;     /* the plugin's own version */
	const char *description; /* one line, or NULL */

	/* Register tools and migrations.  self and api stay valid until
	 * fini() returns.  A non-zero return refuses the plugin: its tools
	 * are dropped, the reason is logged, the server runs without it. */
	int (*init)(struct lejr_plugin *self, const struct lejr_api *api);

	/* Release what init() allocated; may be NULL. */
	void (*fini)(struct lejr_plugin *self);
};

typedef const struct lejr_plugin_desc *(*lejr_plugin_entry_fn)(void);

/* Declared here so the compiler checks a plugin's definition. */
const struct lejr_plugin_desc *lejr_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* LEJR_PLUGIN_H */

/*
 * runtime-internal.h - the pieces of lejrd's runtime shared by config,
 * loader, registry, api, call, runtime and writer: loaded plugins,
 * registered tools, resources and prompts, and the state of one call.
 */
#ifndef LEJR_RUNTIME_INTERNAL_H
#define LEJR_RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include <lejr/plugin.h>

#include "runtime.h"

#define LEJR_PAGE_SIZE 50         /* items per tools/list page */
#define LEJR_COMPLETION_MAX 100   /* values per completion answer */
#define LEJR_IDEM_KEY_MAX 200     /* longest idempotency key */
#define LEJR_DB_CACHE_KIB 1024    /* page cache of a worker's connection */

/* JSON-RPC error codes the runtime answers with. */
#define LEJR_RT_METHOD_NOT_FOUND -32601
#define LEJR_RT_INVALID_PARAMS -32602
#define LEJR_RT_INTERNAL -32603
#define LEJR_RT_RESOURCE_NOT_FOUND -32002

/* A growable array of pointers. */
struct lejr_vec {
	void **items;
	size_t n;
	size_t cap;
};

/* Append item; 0, or -1 when out of memory. */
int lejr_vec_push(struct lejr_vec *v, void *item);

/* Release the array itself (not the items). */
void lejr_vec_free(struct lejr_vec *v);

/* A registered tool.  Every string of tool is an owned copy. */
struct lejr_tool_entry {
	struct lejr_tool tool;
	struct lejr_plugin *plugin;
	json_t *input;   /* the plugin's input schema */
	json_t *output;  /* its output schema, or NULL */
	json_t *offered; /* input schema with the core's own arguments */
	json_t *listed;  /* the whole tools/list item */
	struct lejr_validator *check_in;  /* offered, compiled */
	struct lejr_validator *check_out; /* output, compiled, or NULL */
	int disabled;    /* named in disable_tools: never offered */
	int sync_first;  /* wait for queued activity before reading */
	/* CPU time of a call on its worker, in microseconds, averaged
	 * over the recent calls (lejr_runtime_call_is_long). */
	atomic_llong cpu_us;
};

struct lejr_resource_entry {
	struct lejr_resource res; /* strings are owned copies */
	struct lejr_plugin *plugin;
};

struct lejr_prompt_entry {
	struct lejr_prompt prompt; /* strings are owned copies */
	json_t *arguments;         /* the parsed arguments array */
	struct lejr_plugin *plugin;
};

/* Tools, resources and prompts, in registration order. */
struct lejr_registry {
	struct lejr_vec tools;     /* struct lejr_tool_entry * */
	struct lejr_vec resources; /* struct lejr_resource_entry * */
	struct lejr_vec prompts;   /* struct lejr_prompt_entry * */
};

struct lejr_migration {
	int version;
	char *sql;
};

/* One plugin, or the core itself (handle NULL) for the core tools. */
struct lejr_plugin {
	char *name;
	void *handle;
	const struct lejr_plugin_desc *desc;
	struct lejr_runtime *rt;
	int in_init;                  /* registrations accepted */
	struct lejr_registry staged;  /* kept only if init succeeds */
	struct lejr_migration *migrations;
	size_t nmigrations;
};

struct lejr_writer;

struct lejr_runtime {
	char database[1024];
	char **disabled;         /* copy of cfg->disabled_tools */
	size_t ndisabled;

	struct lejr_plugin core;
	struct lejr_vec plugins; /* struct lejr_plugin *, load order */
	struct lejr_registry reg;

	pthread_key_t db_key;    /* each thread's own connection */
	pthread_mutex_t lock;    /* dbs and subscriptions */
	struct lejr_vec dbs;     /* every connection opened */
	struct lejr_vec subscriptions; /* resource uris (char *) */

	struct lejr_writer *writer; /* every write and activity record */
	struct lejr_auth_cache *auth; /* resolved tokens (runtime.c) */
};

/* One JSON-RPC request handed to the runtime. */
struct lejr_req {
	struct lejr_runtime *rt;
	const struct ledger_principal *principal;
	struct lejr_exchange *ex; /* may be NULL */
	json_t *params;           /* borrowed, may be NULL */
	int *code;
	char **message;
	json_t *data;             /* the error's data (owned), or NULL */

	/* Set by lejr_runtime_dispatch_text(): a method may then answer
	 * with the JSON text of its result, between head and tail, in
	 * text (malloc'd, length textlen) and return NULL. */
	int want_text;
	const char *head;
	const char *tail;
	char *text;
	size_t textlen;
};

/* Set the JSON-RPC error of req; returns NULL for "return
 * lejr_req_error(...)". */
json_t *lejr_req_error(struct lejr_req *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One tool call, resource read, prompt get or completion in progress. */
struct lejr_call {
	struct lejr_runtime *rt;
	const struct ledger_principal *principal;
	struct lejr_exchange *ex;
	struct lejr_plugin *plugin;
	const struct lejr_tool_entry *tool; /* NULL unless tools/call */
	sqlite3 *db;     /* the worker's; the writer's for a write tool */

	const struct ledger_grant *grant; /* NULL: no organization */
	struct ledger_org org;

	int status;      /* the last failure, LEJR_OK when none */
	char msg[512];   /* its description */

	int64_t *entries; /* ids of entries created */
	size_t nentries;
	size_t centries;

	json_t *content; /* set_content()'s array, or NULL */
	double progress; /* the last progress sent, -1 before any */
};

/* ---- api.c ---- */

/* The table handed to every plugin's init(). */
extern const struct lejr_api lejr_api_table;

/* ---- call.c ---- */

/* Prepare call for req on behalf of plugin p. */
void lejr_call_init(struct lejr_call *call, struct lejr_req *req,
		    struct lejr_plugin *p);

/* Release what the call collected (entries, content). */
void lejr_call_release(struct lejr_call *call);

/* Record a failure on call: status and message.  Returns status. */
int lejr_call_failv(struct lejr_call *call, int status, const char *fmt,
		    va_list ap) __attribute__((format(printf, 3, 0)));
int lejr_call_fail(struct lejr_call *call, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record the failure rc of a ledger function, described by err, on
 * call; returns rc. */
int lejr_call_set_error(struct lejr_call *call, int rc,
			const struct lejr_error *err);

/* Remember an entry created by the call (for the activity log). */
int lejr_call_note_entry(struct lejr_call *call, int64_t id);

/* tools/call: the guarded execution of one tool. */
json_t *lejr_call_tool(struct lejr_req *req);

/* The -32002 error for uri, with {"uri"} as its data. */
json_t *lejr_req_resource_not_found(struct lejr_req *req, const char *uri);

/* resources/read, prompts/get, completion/complete. */
json_t *lejr_call_resource_read(struct lejr_req *req);
json_t *lejr_call_prompt_get(struct lejr_req *req);
json_t *lejr_call_complete(struct lejr_req *req);

/* Hex SHA-256 of the canonical text of value (keys sorted, compact)
 * into hex[65].  Returns 0, or -1 when value cannot be encoded. */
int lejr_args_digest(json_t *value, char hex[65]);

/* ---- registry.c ---- */

/* Free every entry of reg and its arrays. */
void lejr_registry_free(struct lejr_registry *reg);

/* Check and stage a registration of p (only during its init).  Return
 * LEJR_OK, LEJR_EINVAL (logged with the reason) or LEJR_ECONFLICT. */
int lejr_registry_add_tool(struct lejr_plugin *p, const struct lejr_tool *t);
int lejr_registry_add_resource(struct lejr_plugin *p,
			       const struct lejr_resource *r);
int lejr_registry_add_prompt(struct lejr_plugin *p,
			     const struct lejr_prompt *pr);

/* Move p's staged registrations into the runtime's registry. */
int lejr_registry_commit(struct lejr_runtime *rt, struct lejr_plugin *p);

/* The offered tool called name; NULL when unknown or disabled. */
struct lejr_tool_entry *lejr_registry_tool(struct lejr_runtime *rt,
					   const char *name);

/* The resource or template whose uri (or template text) is uri. */
struct lejr_resource_entry *lejr_registry_resource(struct lejr_runtime *rt,
						   const char *uri);

/* The resource answering a concrete uri: an exact resource first, then
 * the first template that matches it. */
struct lejr_resource_entry *lejr_registry_resolve(struct lejr_runtime *rt,
						  const char *uri);

/* The prompt called name, or NULL. */
struct lejr_prompt_entry *lejr_registry_prompt(struct lejr_runtime *rt,
					       const char *name);

/* Does any resource, prompt or completion exist? */
int lejr_registry_has_resources(struct lejr_runtime *rt);
int lejr_registry_has_prompts(struct lejr_runtime *rt);
int lejr_registry_has_completions(struct lejr_runtime *rt);

/* tools/list, resources/list, resources/templates/list, prompts/list. */
json_t *lejr_registry_list_tools(struct lejr_req *req);
json_t *lejr_registry_list_resources(struct lejr_req *req);
json_t *lejr_registry_list_templates(struct lejr_req *req);
json_t *lejr_registry_list_prompts(struct lejr_req *req);

/* ---- loader.c ---- */

/* Load the plugins cfg names, from cfg->plugin_dir, running their
 * migrations on db.  Failures are logged and skipped. */
void lejr_loader_load_all(struct lejr_runtime *rt,
			  const struct lejr_config *cfg, sqlite3 *db);

/* fini() and unload every plugin, in reverse load order. */
void lejr_loader_unload_all(struct lejr_runtime *rt);

/* ---- runtime.c ---- */

/* The calling thread's connection, opened on first use; NULL after
 * filling err.  Workers only read on it: writes go to rt->writer. */
sqlite3 *lejr_runtime_db(struct lejr_runtime *rt, struct lejr_error *err);

/* Limit db's page cache to kib KiB (a failure is logged). */
void lejr_db_cache(sqlite3 *db, int kib);

/* Is tool named in disable_tools? */
int lejr_runtime_tool_disabled(struct lejr_runtime *rt, const char *tool);

#endif /* LEJR_RUNTIME_INTERNAL_H */

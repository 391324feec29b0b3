/*
 * runtime.c - the runtime the transport talks to: start and stop, each
 * worker thread's own database connection, the writer thread (writer.c)
 * that commits every write, authentication, method dispatch, and the
 * core's own tools (list_organizations, activity).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "jsontext.h"
#include "log.h"
#include "runtime-internal.h"
#include "writer.h"

/* ---- errors ---- */

json_t *
lejr_req_error(struct lejr_req *req, int code, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	free(*req->message);
	*req->code = code;
	*req->message = strdup(text);
	return NULL;
}

/* ---- connections ---- */

void
lejr_db_cache(sqlite3 *db, int kib)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kib);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		lejr_log(LEJR_LOG_ERROR, "database: %s: %s", sql,
			 sqlite3_errmsg(db));
}

sqlite3 *
lejr_runtime_db(struct lejr_runtime *rt, struct lejr_error *err)
{
	sqlite3 *db = pthread_getspecific(rt->db_key);

	if (db != NULL)
		return db;
	if (ledger_open(rt->database, &db, err) != LEJR_OK)
		return NULL;

	/* A connection per worker: a small page cache each keeps the
	 * server's memory flat as workers are added; the operating system
	 * caches the file for all of them. */
	lejr_db_cache(db, LEJR_DB_CACHE_KIB);

	pthread_mutex_lock(&rt->lock);
	if (lejr_vec_push(&rt->dbs, db) != 0) {
		pthread_mutex_unlock(&rt->lock);
		ledger_close(db);
		lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_unlock(&rt->lock);

	pthread_setspecific(rt->db_key, db);
	return db;
}

void
lejr_runtime_thread_done(struct lejr_runtime *rt)
{
	sqlite3 *db = pthread_getspecific(rt->db_key);

	if (db == NULL)
		return;

	pthread_mutex_lock(&rt->lock);
	for (size_t i = 0; i < rt->dbs.n; i++)
		if (rt->dbs.items[i] == db) {
			rt->dbs.items[i] = rt->dbs.items[--rt->dbs.n];
			break;
		}
	pthread_mutex_unlock(&rt->lock);

	pthread_setspecific(rt->db_key, NULL);
	ledger_close(db);
}

int
lejr_runtime_tool_disabled(struct lejr_runtime *rt, const char *tool)
{
	for (size_t i = 0; i < rt->ndisabled; i++)
		if (strcmp(rt->disabled[i], tool) == 0)
			return 1;
	return 0;
}

/* ---- the core's tools ---- */

static const char list_orgs_input[] =
	"{\"type\": \"object\", \"properties\": {},"
	" \"additionalProperties\": false}";

static const char list_orgs_output[] =
	"{\"type\": \"object\", \"required\": [\"organizations\"],"
	" \"properties\": {\"organizations\": {\"type\": \"array\","
	"  \"items\": {\"type\": \"object\","
	"   \"required\": [\"slug\", \"name\", \"currency\", \"role\","
	"    \"access\"],"
	"   \"properties\": {\"slug\": {\"type\": \"string\"},"
	"    \"name\": {\"type\": \"string\"},"
	"    \"currency\": {\"type\": \"string\"},"
	"    \"role\": {\"type\": \"string\"},"
	"    \"access\": {\"enum\": [\"read\", \"write\"]}}}}}}";

static int
list_organizations(struct lejr_call *call, json_t *args, json_t **result)
{
	const struct ledger_principal *p = call->principal;
	struct lejr_error err = { 0 };
	struct ledger_org org;
	json_t *list;
	int rc;

	list = json_array();
	for (size_t i = 0; i < p->ngrants; i++) {
		const struct ledger_grant *g = &p->grants[i];
		const char *role = lejr_role_name(g->role);

		rc = ledger_org_load(call->db, g->org_id, &org, &err);
		if (rc == LEJR_ENOTFOUND)
			continue;
		if (rc != LEJR_OK) {
			json_decref(list);
			return lejr_call_set_error(call, rc, &err);
		}
		json_array_append_new(list, json_pack(
			"{s:s, s:s, s:s, s:s, s:s}", "slug", g->slug,
			"name", org.pub.name, "currency", org.pub.currency,
			"role", role ? role : "none", "access",
			g->access == LEJR_ACCESS_WRITE ? "write" : "read"));
	}
	*result = json_pack("{s:o}", "organizations", list);
	return LEJR_OK;
}

static const char activity_input[] =
	"{\"type\": \"object\", \"additionalProperties\": false,"
	" \"properties\": {"
	"  \"tool\": {\"type\": \"string\", \"minLength\": 1,"
	"   \"maxLength\": 64, \"description\": \"Only calls of this"
	" tool.\"},"
	"  \"from\": {\"type\": \"string\", \"format\": \"date\","
	"   \"description\": \"First day included (UTC), YYYY-MM-DD.\"},"
	"  \"to\": {\"type\": \"string\", \"format\": \"date\","
	"   \"description\": \"Last day included (UTC), YYYY-MM-DD.\"},"
	"  \"cursor\": {\"type\": \"string\", \"minLength\": 1,"
	"   \"description\": \"next_cursor of the previous page.\"},"
	"  \"limit\": {\"type\": \"integer\", \"minimum\": 1,"
	"   \"maximum\": 500, \"description\": \"Records per page,"
	" 50 when omitted.\"}}}";

static const char activity_output[] =
	"{\"type\": \"object\", \"required\": [\"records\"],"
	" \"properties\": {\"records\": {\"type\": \"array\"},"
	"  \"next_cursor\": {\"type\": \"string\"}}}";

static const char *
arg_text(json_t *args, const char *name)
{
	return json_string_value(json_object_get(args, name));
}

static int
activity(struct lejr_call *call, json_t *args, json_t **result)
{
	struct lejr_error err = { 0 };
	json_t *limit = json_object_get(args, "limit");
	int rc;

	rc = ledger_activity_list(call->db, call->org.pub.id,
				  arg_text(args, "tool"),
				  arg_text(args, "from"),
				  arg_text(args, "to"),
				  arg_text(args, "cursor"),
				  limit ? (int)json_integer_value(limit) : 0,
				  result, &err);
	return lejr_call_set_error(call, rc, &err);
}

static const struct lejr_tool core_tools[] = {
	{
		.name = "list_organizations",
		.title = "List organizations",
		.description = "The organizations this connection reaches: "
			"slug (pass it as \"organization\" to other tools), "
			"name, currency, your role there and the access "
			"(read or write) you have.",
		.input_schema = list_orgs_input,
		.output_schema = list_orgs_output,
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY | LEJR_ANNOT_IDEMPOTENT,
		.flags = LEJR_TOOL_NO_ORG,
		.handler = list_organizations,
	},
	{
		.name = "activity",
		.title = "Activity log",
		.description = "The organization's log of tool calls, newest "
			"first: when, who, which tool, a digest of the "
			"arguments, the outcome, entries created and "
			"duration.  Filter by tool and by day; page with "
			"cursor.",
		.input_schema = activity_input,
		.output_schema = activity_output,
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY | LEJR_ANNOT_IDEMPOTENT,
		.handler = activity,
	},
};

static int
register_core_tools(struct lejr_runtime *rt)
{
	struct lejr_plugin *core = &rt->core;
	struct lejr_tool_entry *e;
	size_t n = sizeof(core_tools) / sizeof(core_tools[0]);

	core->name = strdup("core");
	if (core->name == NULL)
		return -1;
	core->rt = rt;

	core->in_init = 1;
	for (size_t i = 0; i < n; i++)
		if (lejr_registry_add_tool(core, &core_tools[i]) != LEJR_OK)
			return -1;
	core->in_init = 0;
	if (lejr_registry_commit(rt, core) != 0)
		return -1;

	/* Records of reads and refusals reach the log a moment later,
	 * through the writer: the log tool waits for them. */
	e = lejr_registry_tool(rt, "activity");
	if (e != NULL)
		e->sync_first = 1;
	return 0;
}

/* ---- resolved tokens ---- */

/*
 * Resolving a bearer token takes a few queries; every request of a
 * client carries the same token.  So the principal a token resolved to
 * is kept, keyed by the token's SHA-256, together with the value of the
 * auth_epoch counter read just before it was resolved.  Any change to
 * tokens, their organizations, members, users, organizations or OAuth
 * connections bumps that counter in the same transaction (triggers), so
 * one read of it per request tells whether what is kept still holds: a
 * revocation takes effect on the very next request.  Expiry is checked
 * against the clock on each use.  Tokens that fail are not kept.
 */
#define AUTH_SLOTS 64

struct auth_slot {
	unsigned char key[SHA256_DIGEST_LENGTH];
	int used;
	int64_t epoch;
	int64_t expires;  /* unix time; 0: never */
	struct ledger_principal p;
};

struct lejr_auth_cache {
	pthread_mutex_t lock;
	struct auth_slot slot[AUTH_SLOTS];
};

static struct lejr_auth_cache *
auth_cache_new(void)
{
	struct lejr_auth_cache *c = calloc(1, sizeof(*c));

	if (c != NULL)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

static void
auth_slot_clear(struct auth_slot *s)
{
	ledger_principal_free(&s->p);
	OPENSSL_cleanse(s->key, sizeof(s->key));
	s->used = 0;
}

static void
auth_cache_free(struct lejr_auth_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < AUTH_SLOTS; i++)
		auth_slot_clear(&c->slot[i]);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* A copy of src into dst, grants too.  0, or -1 when out of memory. */
static int
principal_copy(struct ledger_principal *dst,
	       const struct ledger_principal *src)
{
	*dst = *src;
	dst->grants = NULL;
	if (src->ngrants == 0)
		return 0;
	dst->grants = malloc(src->ngrants * sizeof(*src->grants));
	if (dst->grants == NULL) {
		dst->ngrants = 0;
		return -1;
	}
	memcpy(dst->grants, src->grants, src->ngrants * sizeof(*src->grants));
	return 0;
}

/* The kept principal of key at epoch into out: LEJR_OK, or
 * LEJR_ENOTFOUND when there is none still valid. */
static int
auth_cache_get(struct lejr_auth_cache *c, const unsigned char *key,
	       int64_t epoch, struct ledger_principal *out)
{
	struct auth_slot *s = &c->slot[key[0] % AUTH_SLOTS];
	int64_t now = (int64_t)time(NULL);
	int rc = LEJR_ENOTFOUND;

	pthread_mutex_lock(&c->lock);
	if (s->used && s->epoch == epoch &&
	    (s->expires == 0 || s->expires > now) &&
	    CRYPTO_memcmp(s->key, key, sizeof(s->key)) == 0)
		rc = principal_copy(out, &s->p) == 0 ? LEJR_OK
						     : LEJR_EINTERNAL;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Keep a copy of p for key, resolved at epoch. */
static void
auth_cache_put(struct lejr_auth_cache *c, const unsigned char *key,
	       int64_t epoch, int64_t expires,
	       const struct ledger_principal *p)
{
	struct auth_slot *s = &c->slot[key[0] % AUTH_SLOTS];

	pthread_mutex_lock(&c->lock);
	auth_slot_clear(s);
	if (principal_copy(&s->p, p) == 0) {
		memcpy(s->key, key, sizeof(s->key));
		s->epoch = epoch;
		s->expires = expires;
		s->used = 1;
	}
	pthread_mutex_unlock(&c->lock);
}

/* ---- start and stop ---- */

static int
copy_disabled(struct lejr_runtime *rt, const struct lejr_config *cfg)
{
	if (cfg->ndisabled_tools == 0)
		return 0;
	rt->disabled = calloc(cfg->ndisabled_tools, sizeof(char *));
	if (rt->disabled == NULL)
		return -1;
	for (size_t i = 0; i < cfg->ndisabled_tools; i++) {
		rt->disabled[i] = strdup(cfg->disabled_tools[i]);
		if (rt->disabled[i] == NULL)
			return -1;
		rt->ndisabled++;
	}
	return 0;
}

static void
log_summary(struct lejr_runtime *rt)
{
	size_t offered = 0;

	for (size_t i = 0; i < rt->reg.tools.n; i++) {
		struct lejr_tool_entry *e = rt->reg.tools.items[i];

		offered += !e->disabled;
	}
	lejr_log(LEJR_LOG_INFO, "plugins loaded: %zu; tools offered: %zu; "
		 "resources: %zu; prompts: %zu", rt->plugins.n, offered,
		 rt->reg.resources.n, rt->reg.prompts.n);
}

struct lejr_runtime *
lejr_runtime_new(const struct lejr_config *cfg)
{
	struct lejr_error err = { 0 };
	struct lejr_runtime *rt;
	sqlite3 *db;

	rt = calloc(1, sizeof(*rt));
	if (rt == NULL)
		return NULL;
	if (pthread_key_create(&rt->db_key, NULL) != 0) {
		free(rt);
		return NULL;
	}
	pthread_mutex_init(&rt->lock, NULL);
	snprintf(rt->database, sizeof(rt->database), "%s", cfg->database);

	if (copy_disabled(rt, cfg) != 0 || register_core_tools(rt) != 0) {
		lejr_log(LEJR_LOG_ERROR, "cannot start the runtime: out of "
			 "memory");
		goto err;
	}

	db = lejr_runtime_db(rt, &err);
	if (db == NULL) {
		lejr_log(LEJR_LOG_ERROR, "database %s: %s", rt->database,
			 err.msg);
		goto err;
	}

	/* Plugins' own SQL is kept from the core's objects (sandbox.c). */
	if (ledger_sandbox_init() != 0)
		lejr_log(LEJR_LOG_ERROR, "the core's schema could not be "
			 "listed: plugins will not load");
	lejr_loader_load_all(rt, cfg, db);
	ledger_sandbox_seal(db);

	/* After the migrations: the writer's connection sees every table. */
	rt->writer = lejr_writer_new(rt->database, &err);
	if (rt->writer == NULL) {
		lejr_log(LEJR_LOG_ERROR, "database %s: %s", rt->database,
			 err.msg);
		goto err;
	}
	rt->auth = auth_cache_new();
	if (rt->auth == NULL) {
		lejr_log(LEJR_LOG_ERROR, "cannot start the runtime: out of "
			 "memory");
		goto err;
	}
	log_summary(rt);
	return rt;

err:
	lejr_runtime_free(rt);
	return NULL;
}

void
lejr_runtime_free(struct lejr_runtime *rt)
{
	if (rt == NULL)
		return;

	/* Queued records are written, and no write tool runs, before the
	 * plugins go away. */
	lejr_writer_free(rt->writer);

	/* Entries first: they point into the plugins. */
	lejr_registry_free(&rt->reg);
	lejr_loader_unload_all(rt);
	lejr_registry_free(&rt->core.staged);
	free(rt->core.name);

	pthread_setspecific(rt->db_key, NULL);
	for (size_t i = 0; i < rt->dbs.n; i++)
		ledger_close(rt->dbs.items[i]);
	lejr_vec_free(&rt->dbs);
	pthread_key_delete(rt->db_key);

	for (size_t i = 0; i < rt->subscriptions.n; i++)
		free(rt->subscriptions.items[i]);
	lejr_vec_free(&rt->subscriptions);
	for (size_t i = 0; i < rt->ndisabled; i++)
		free(rt->disabled[i]);
	free(rt->disabled);

	auth_cache_free(rt->auth);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

/* ---- principals ---- */

int
lejr_runtime_authenticate(struct lejr_runtime *rt, const char *token,
			  struct ledger_principal *out)
{
	unsigned char key[SHA256_DIGEST_LENGTH];
	struct lejr_error err = { 0 };
	int64_t epoch = 0, expires = 0;
	int rc, cached;
	sqlite3 *db;

	memset(out, 0, sizeof(*out));
	db = lejr_runtime_db(rt, &err);
	if (db == NULL) {
		lejr_log(LEJR_LOG_ERROR, "database: %s", err.msg);
		return LEJR_EINTERNAL;
	}
	if (token == NULL)
		return LEJR_EDENIED;

	/* The counter is read before the token is resolved: a change
	 * committed in between leaves the kept copy stale, never wrong. */
	cached = rt->auth != NULL &&
		 ledger_auth_epoch(db, &epoch, &err) == LEJR_OK;
	if (cached) {
		SHA256((const unsigned char *)token, strlen(token), key);
		if (auth_cache_get(rt->auth, key, epoch, out) == LEJR_OK) {
			rc = LEJR_OK;
			goto out;
		}
	}

	rc = ledger_token_auth(db, token, out, &err);
	if (rc == LEJR_OK && cached &&
	    ledger_token_expiry(db, out->token_id, &expires, &err) ==
	    LEJR_OK)
		auth_cache_put(rt->auth, key, epoch, expires, out);
	if (rc != LEJR_OK && rc != LEJR_EDENIED)
		lejr_log(LEJR_LOG_ERROR, "authentication: %s", err.msg);

out:
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

static int
anonymous_grant(json_t *org, struct ledger_grant *g)
{
	const char *slug = json_string_value(json_object_get(org, "slug"));
	const char *name = json_string_value(json_object_get(org, "name"));

	if (slug == NULL || name == NULL)
		return -1;
	g->org_id = json_integer_value(json_object_get(org, "id"));
	snprintf(g->slug, sizeof(g->slug), "%s", slug);
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->role = LEJR_ROLE_OWNER;
	g->access = LEJR_ACCESS_WRITE;
	return 0;
}

int
lejr_runtime_anonymous(struct lejr_runtime *rt, struct ledger_principal *out)
{
	struct lejr_error err = { 0 };
	json_t *orgs = NULL, *org;
	sqlite3 *db;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->access = LEJR_ACCESS_WRITE;

	db = lejr_runtime_db(rt, &err);
	rc = db ? ledger_org_list(db, &orgs, &err) : LEJR_EINTERNAL;
	if (rc != LEJR_OK) {
		lejr_log(LEJR_LOG_ERROR, "database: %s", err.msg);
		return LEJR_EINTERNAL;
	}

	out->grants = calloc(json_array_size(orgs) + 1, sizeof(*out->grants));
	if (out->grants == NULL) {
		json_decref(orgs);
		return LEJR_EINTERNAL;
	}
	json_array_foreach(orgs, i, org)
		if (anonymous_grant(org, &out->grants[out->ngrants]) == 0)
			out->ngrants++;
	json_decref(orgs);
	return LEJR_OK;
}

/* ---- methods ---- */

static json_t *
subscription(struct lejr_req *req, int subscribe)
{
	struct lejr_runtime *rt = req->rt;
	const char *uri;
	char *copy;
	size_t i;

	uri = json_string_value(json_object_get(req->params, "uri"));
	if (uri == NULL)
		return lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Invalid "
				      "params: params.uri must be a string");
	if (lejr_registry_resolve(rt, uri) == NULL)
		return lejr_req_resource_not_found(req, uri);

	pthread_mutex_lock(&rt->lock);
	for (i = 0; i < rt->subscriptions.n; i++)
		if (strcmp(rt->subscriptions.items[i], uri) == 0)
			break;
	if (subscribe && i == rt->subscriptions.n) {
		copy = strdup(uri);
		if (copy == NULL || lejr_vec_push(&rt->subscriptions, copy))
			free(copy);
	} else if (!subscribe && i < rt->subscriptions.n) {
		free(rt->subscriptions.items[i]);
		rt->subscriptions.items[i] =
			rt->subscriptions.items[--rt->subscriptions.n];
	}
	pthread_mutex_unlock(&rt->lock);
	return json_object();
}

static json_t *
subscribe(struct lejr_req *req)
{
	return subscription(req, 1);
}

static json_t *
unsubscribe(struct lejr_req *req)
{
	return subscription(req, 0);
}

static const struct {
	const char *method;
	json_t *(*run)(struct lejr_req *req);
	int (*available)(struct lejr_runtime *rt); /* NULL: always */
} methods[] = {
	{ "tools/list", lejr_registry_list_tools, NULL },
	{ "tools/call", lejr_call_tool, NULL },
	{ "resources/list", lejr_registry_list_resources,
	  lejr_registry_has_resources },
	{ "resources/templates/list", lejr_registry_list_templates,
	  lejr_registry_has_resources },
	{ "resources/read", lejr_call_resource_read,
	  lejr_registry_has_resources },
	{ "resources/subscribe", subscribe, lejr_registry_has_resources },
	{ "resources/unsubscribe", unsubscribe, lejr_registry_has_resources },
	{ "prompts/list", lejr_registry_list_prompts,
	  lejr_registry_has_prompts },
	{ "prompts/get", lejr_call_prompt_get, lejr_registry_has_prompts },
	{ "completion/complete", lejr_call_complete,
	  lejr_registry_has_completions },
};

#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

static int
method_index(struct lejr_runtime *rt, const char *method)
{
	for (size_t i = 0; method != NULL && i < NMETHODS; i++) {
		if (strcmp(methods[i].method, method) != 0)
			continue;
		if (methods[i].available != NULL && !methods[i].available(rt))
			return -1;
		return (int)i;
	}
	return -1;
}

int
lejr_runtime_handles(struct lejr_runtime *rt, const char *method)
{
	return method_index(rt, method) >= 0;
}

json_t *
lejr_runtime_capabilities(struct lejr_runtime *rt)
{
	json_t *caps;

	caps = json_pack("{s:{s:b}}", "tools", "listChanged", 0);
	if (caps == NULL)
		return NULL;
	if (lejr_registry_has_resources(rt))
		json_object_set_new(caps, "resources",
				    json_pack("{s:b, s:b}", "subscribe", 1,
					      "listChanged", 0));
	if (lejr_registry_has_prompts(rt))
		json_object_set_new(caps, "prompts",
				    json_pack("{s:b}", "listChanged", 0));
	if (lejr_registry_has_completions(rt))
		json_object_set_new(caps, "completions", json_object());
	return caps;
}

/* Run req's method; its result, or NULL with the error set in req (or,
 * for a text answer, req->text set). */
static json_t *
dispatch(struct lejr_req *req, const char *method)
{
	json_t *result;
	int i;

	*req->code = 0;
	*req->message = NULL;
	i = method_index(req->rt, method);
	if (i < 0)
		return lejr_req_error(req, LEJR_RT_METHOD_NOT_FOUND,
				      "Method not found: %s",
				      method ? method : "(none)");
	if (req->principal == NULL)
		return lejr_req_error(req, LEJR_RT_INTERNAL, "Internal "
				      "error: no principal");
	if (req->params != NULL && !json_is_object(req->params))
		return lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Invalid "
				      "params: params must be an object");

	result = methods[i].run(req);
	if (result == NULL && req->text == NULL && *req->message == NULL)
		lejr_req_error(req, LEJR_RT_INTERNAL, "Internal error");
	return result;
}

/* Hand the error's data of a failed req to the transport. */
static void
dispatch_done(struct lejr_req *req, int failed)
{
	/* Assigned, not swapped: a transport that predates error_data
	 * may leave it uninitialised. */
	if (failed && req->data != NULL && req->ex != NULL) {
		req->ex->error_data = req->data;
		req->data = NULL;
	}
	json_decref(req->data);
	req->data = NULL;
}

json_t *
lejr_runtime_dispatch(struct lejr_runtime *rt,
		      const struct ledger_principal *principal,
		      const char *method, json_t *params,
		      struct lejr_exchange *ex, int *code, char **message)
{
	struct lejr_req req = {
		.rt = rt,
		.principal = principal,
		.ex = ex,
		.params = params,
		.code = code,
		.message = message,
	};
	json_t *result;

	result = dispatch(&req, method);
	dispatch_done(&req, result == NULL);
	return result;
}

char *
lejr_runtime_dispatch_text(struct lejr_runtime *rt,
			   const struct ledger_principal *principal,
			   const char *method, json_t *params,
			   struct lejr_exchange *ex, int *code,
			   char **message, const char *head,
			   const char *tail, size_t *len)
{
	struct lejr_req req = {
		.rt = rt,
		.principal = principal,
		.ex = ex,
		.params = params,
		.code = code,
		.message = message,
		.want_text = 1,
		.head = head != NULL ? head : "",
		.tail = tail != NULL ? tail : "",
	};
	struct lejr_text t = { 0 };
	json_t *result;
	char *text;

	result = dispatch(&req, method);
	text = req.text;
	*len = req.textlen;
	if (result != NULL) {
		lejr_text_add(&t, req.head, strlen(req.head));
		lejr_text_json(&t, result);
		lejr_text_add(&t, req.tail, strlen(req.tail));
		json_decref(result);
		text = t.failed ? NULL : t.s;
		*len = t.failed ? 0 : t.len;
		if (text == NULL) {
			free(t.s);
			lejr_req_error(&req, LEJR_RT_INTERNAL, "Internal "
				       "error: the answer could not be "
				       "encoded");
		}
	}
	dispatch_done(&req, text == NULL);
	return text;
}

int
lejr_runtime_sync(struct lejr_runtime *rt)
{
	return lejr_writer_sync(rt->writer);
}

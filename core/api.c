/*
 * api.c - struct lejr_api, the table of core functions every plugin
 * receives.  The ledger members wrap ledger-internal.h with the call's
 * connection, organization and user; the exchange members reach the
 * client through the call's struct lejr_exchange.  Each runs its ledger
 * function as the core's own work (ledger_sandbox_core): the SQL it
 * prepares, or SQLite prepares again after a schema change, is not
 * limited like the calling plugin's own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api-reports.h"
#include "log.h"
#include "runtime-internal.h"

/* MCP logging levels, least severe first. */
static const char *const mcp_levels[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert",
	"emergency"
};

#define NLEVELS (sizeof(mcp_levels) / sizeof(mcp_levels[0]))

/* ---- lifecycle ---- */

static int
in_init(struct lejr_plugin *p, const char *what)
{
	if (p == NULL)
		return 0;
	if (!p->in_init) {
		lejr_log(LEJR_LOG_ERROR, "%s: %s is only valid during init",
			 p->name, what);
		return 0;
	}
	return 1;
}

static int
api_register_tool(struct lejr_plugin *p, const struct lejr_tool *t)
{
	if (!in_init(p, "register_tool"))
		return LEJR_EINVAL;
	return lejr_registry_add_tool(p, t);
}

static int
api_register_resource(struct lejr_plugin *p, const struct lejr_resource *r)
{
	if (!in_init(p, "register_resource"))
		return LEJR_EINVAL;
	return lejr_registry_add_resource(p, r);
}

static int
api_register_prompt(struct lejr_plugin *p, const struct lejr_prompt *pr)
{
	if (!in_init(p, "register_prompt"))
		return LEJR_EINVAL;
	return lejr_registry_add_prompt(p, pr);
}

static int
api_add_migration(struct lejr_plugin *p, int version, const char *sql)
{
	struct lejr_migration *m;
	int last;

	if (!in_init(p, "add_migration"))
		return LEJR_EINVAL;

	/* The ledger runs version n + 1 only after n. */
	last = p->nmigrations ? p->migrations[p->nmigrations - 1].version : 0;
	if (version != last + 1 || sql == NULL) {
		lejr_log(LEJR_LOG_ERROR, "%s: migration %d refused: the next "
			 "one must be number %d, with SQL", p->name, version,
			 last + 1);
		return LEJR_EINVAL;
	}

	m = realloc(p->migrations, (p->nmigrations + 1) * sizeof(*m));
	if (m == NULL)
		return LEJR_EINTERNAL;
	p->migrations = m;
	m[p->nmigrations].version = version;
	m[p->nmigrations].sql = strdup(sql);
	if (m[p->nmigrations].sql == NULL)
		return LEJR_EINTERNAL;
	p->nmigrations++;
	return LEJR_OK;
}

static void
api_log(struct lejr_plugin *p, enum lejr_log_level level, const char *fmt,
	...)
{
	va_list ap;

#ifndef LEJR_DEBUG
	if (level >= LEJR_LOG_DEBUG)
		return;
#endif
	if (level < LEJR_LOG_ERROR)
		level = LEJR_LOG_ERROR;
	if (level > LEJR_LOG_DEBUG)
		level = LEJR_LOG_DEBUG;

	va_start(ap, fmt);
	lejr_logv(level, p != NULL ? p->name : "plugin", fmt, ap);
	va_end(ap);
}

/* ---- the call ---- */

int
lejr_api_no_call(const char *member)
{
	const char *plugin = ledger_sandbox_plugin();

	lejr_log(LEJR_LOG_ERROR, "plugin %s called %s without its call "
		 "(NULL): refused", plugin != NULL ? plugin : "(unknown)",
		 member);
	return LEJR_EINTERNAL;
}

int
lejr_api_status(const struct lejr_call *call)
{
	return call != NULL ? call->status : LEJR_EINTERNAL;
}

static int
api_fail(struct lejr_call *call, int status, const char *fmt, ...)
{
	va_list ap;

	if (call == NULL)
		return lejr_api_no_call("api->fail");
	va_start(ap, fmt);
	status = lejr_call_failv(call, status, fmt, ap);
	va_end(ap);
	return status;
}

static const struct lejr_org *
api_org(struct lejr_call *call)
{
	if (call == NULL) {
		lejr_api_no_call("api->org");
		return NULL;
	}
	return call->grant != NULL ? &call->org.pub : NULL;
}

static int64_t
api_user_id(struct lejr_call *call)
{
	if (call == NULL) {
		lejr_api_no_call("api->user_id");
		return 0;
	}
	return call->principal->user_id;
}

static struct sqlite3 *
api_db(struct lejr_call *call)
{
	if (call == NULL) {
		lejr_api_no_call("api->db");
		return NULL;
	}
	return call->db;
}

/* The organization a ledger function needs; a tool without one asking
 * for the ledger is a plugin bug. */
const struct lejr_org *
lejr_api_org(struct lejr_call *call)
{
	if (call == NULL) {
		lejr_api_no_call("a ledger member of the API");
		return NULL;
	}
	if (call->grant == NULL) {
		lejr_call_fail(call, LEJR_EINTERNAL, "the ledger was used by "
			       "a call that acts on no organization");
		return NULL;
	}
	return &call->org.pub;
}

int
lejr_api_read_only(struct lejr_call *call, const char *what)
{
	if (call->tool != NULL && call->tool->tool.access == LEJR_ACCESS_WRITE)
		return 0;
	lejr_call_fail(call, LEJR_EINTERNAL, "%s: %s reads only, so it cannot "
		       "change the ledger", what, call->tool != NULL ?
		       call->tool->tool.name : "a resource or prompt");
	return 1;
}

int
lejr_api_missing(struct lejr_call *call, const char *what)
{
	return lejr_call_fail(call, LEJR_EINTERNAL, "%s: a required "
			      "argument is NULL", what);
}

/* ---- money ---- */

static int
api_money_parse(struct lejr_call *call, const char *field, json_t *value,
		int64_t *minor)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (minor == NULL)
		return lejr_api_missing(call, "money_parse");
	if (value == NULL)
		return lejr_call_fail(call, LEJR_EINVAL, "%s: an amount is "
				      "required", field ? field : "amount");

	rc = lejr_money_parse_json(value, org->exponent, minor,
				   field ? field : "amount", &err);
	return lejr_call_set_error(call, rc, &err);
}

static int
api_money_format(struct lejr_call *call, int64_t minor, char *buf,
		 size_t len)
{
	const struct lejr_org *org = lejr_api_org(call);

	if (org == NULL)
		return lejr_api_status(call);
	if (buf == NULL)
		return lejr_api_missing(call, "money_format");
	if (lejr_money_format(minor, org->exponent, buf, len) != LEJR_OK)
		return lejr_call_fail(call, LEJR_EINVAL, "money_format: %zu "
				      "bytes cannot hold %lld minor units at "
				      "%d decimals (LEJR_MONEY_TEXT_MAX bytes "
				      "always can)", len, (long long)minor,
				      org->exponent);
	return LEJR_OK;
}

/* ---- chart of accounts ---- */

static int
api_account_get(struct lejr_call *call, const char *code,
		struct lejr_account *out)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (code == NULL || out == NULL)
		return lejr_api_missing(call, "account_get");
	ledger_sandbox_core(1);
	rc = ledger_account_get(call->db, org, code, out, &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

static int
api_account_list(struct lejr_call *call, int include_archived, json_t **out)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (out == NULL)
		return lejr_api_missing(call, "account_list");
	ledger_sandbox_core(1);
	rc = ledger_account_list(call->db, org, include_archived, out, &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

static int
api_account_create(struct lejr_call *call,
		   const struct lejr_account_spec *spec,
		   struct lejr_account *out)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (lejr_api_read_only(call, "account_create"))
		return call->status;
	if (spec == NULL)
		return lejr_api_missing(call, "account_create");
	ledger_sandbox_core(1);
	rc = ledger_account_create(call->db, org, spec, out, &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

static int
api_account_archive(struct lejr_call *call, const char *code)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (lejr_api_read_only(call, "account_archive"))
		return call->status;
	if (code == NULL)
		return lejr_api_missing(call, "account_archive");
	ledger_sandbox_core(1);
	rc = ledger_account_archive(call->db, org, code, &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

/* ---- journal ---- */

static int
api_post_entry(struct lejr_call *call, const struct lejr_entry_spec *spec,
	       int64_t *id)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int64_t new_id = 0;
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (lejr_api_read_only(call, "post_entry"))
		return call->status;
	if (spec == NULL)
		return lejr_api_missing(call, "post_entry");

	ledger_sandbox_core(1);
	rc = ledger_entry_post(call->db, org, call->principal->user_id, spec,
			       &new_id, &err);
	ledger_sandbox_core(0);
	if (rc != LEJR_OK)
		return lejr_call_set_error(call, rc, &err);
	if (id != NULL)
		*id = new_id;
	return lejr_call_note_entry(call, new_id);
}

static int
api_entry_get(struct lejr_call *call, int64_t id, json_t **out)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (out == NULL)
		return lejr_api_missing(call, "entry_get");
	ledger_sandbox_core(1);
	rc = ledger_entry_get(call->db, org, id, out, &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

static int
api_entry_list(struct lejr_call *call, const struct lejr_entry_filter *filter,
	       json_t **out)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_entry_filter none = { 0 };
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (out == NULL)
		return lejr_api_missing(call, "entry_list");
	ledger_sandbox_core(1);
	rc = ledger_entry_list(call->db, org, filter ? filter : &none, out,
			       &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

static int
api_entry_reverse(struct lejr_call *call, int64_t id, const char *date,
		  const char *memo, int64_t *new_id)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int64_t created = 0;
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (lejr_api_read_only(call, "entry_reverse"))
		return call->status;

	ledger_sandbox_core(1);
	rc = ledger_entry_reverse(call->db, org, call->principal->user_id, id,
				  date, memo, &created, &err);
	ledger_sandbox_core(0);
	if (rc != LEJR_OK)
		return lejr_call_set_error(call, rc, &err);
	if (new_id != NULL)
		*new_id = created;
	return lejr_call_note_entry(call, created);
}

static int
api_trial_balance(struct lejr_call *call, const char *date, json_t **out)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (out == NULL)
		return lejr_api_missing(call, "trial_balance");
	ledger_sandbox_core(1);
	rc = ledger_trial_balance(call->db, org, date, out, &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

static int
api_account_balance(struct lejr_call *call, const char *code,
		    const char *date, int64_t *balance)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (code == NULL || balance == NULL)
		return lejr_api_missing(call, "account_balance");
	ledger_sandbox_core(1);
	rc = ledger_account_balance(call->db, org, code, date, balance, &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

/* ---- the client ---- */

static void
api_set_content(struct lejr_call *call, json_t *content)
{
	if (call == NULL) {
		lejr_api_no_call("api->set_content");
		json_decref(content);
		return;
	}
	if (!json_is_array(content)) {
		lejr_log(LEJR_LOG_ERROR, "%s: set_content needs an array",
			 call->plugin->name);
		json_decref(content);
		return;
	}
	json_decref(call->content);
	call->content = content;
}

static void
api_progress(struct lejr_call *call, double progress, double total,
	     const char *message)
{
	struct lejr_exchange *ex;
	json_t *note, *params;

	if (call == NULL) {
		lejr_api_no_call("api->progress");
		return;
	}
	ex = call->ex;
	/* Progress must grow; an equal or smaller value is dropped. */
	if (ex == NULL || ex->progress_token == NULL || ex->notify == NULL ||
	    progress <= call->progress)
		return;
	call->progress = progress;

	note = json_pack("{s:s, s:s, s:{s:O, s:f}}", "jsonrpc", "2.0",
			 "method", "notifications/progress", "params",
			 "progressToken", ex->progress_token,
			 "progress", progress);
	if (note == NULL)
		return;
	params = json_object_get(note, "params");
	if (total > 0)
		json_object_set_new(params, "total", json_real(total));
	if (message != NULL)
		json_object_set_new(params, "message", json_string(message));
	ex->notify(ex->ctx, note);
}

static int
level_index(const char *level)
{
	for (size_t i = 0; level != NULL && i < NLEVELS; i++)
		if (strcmp(level, mcp_levels[i]) == 0)
			return (int)i;
	return -1;
}

static void
api_notify_log(struct lejr_call *call, const char *level, const char *logger,
	       json_t *data)
{
	struct lejr_exchange *ex;
	int wanted, floor;
	json_t *note;

	if (call == NULL) {
		lejr_api_no_call("api->notify_log");
		return;
	}
	ex = call->ex;
	if (ex == NULL || ex->notify == NULL)
		return;
	wanted = level_index(level);
	floor = level_index(ex->log_level);
	if (floor < 0)
		floor = 1; /* "info" until the client sets a level */
	if (wanted < 0 || wanted < floor)
		return;

	note = json_pack("{s:s, s:s, s:{s:s, s:O}}", "jsonrpc", "2.0",
			 "method", "notifications/message", "params",
			 "level", level, "data", data ? data : json_null());
	if (note == NULL)
		return;
	if (logger != NULL)
		json_object_set_new(json_object_get(note, "params"), "logger",
				    json_string(logger));
	ex->notify(ex->ctx, note);
}

/*
 * A write tool runs on the writer thread, inside the transaction that
 * every write queued with it shares: waiting there for a person or a
 * client would stall all the server's writes.  Ask from a read tool,
 * then write.  Returns the failure, or LEJR_OK for a read.
 */
static int
writer_cannot_wait(struct lejr_call *call, const char *what)
{
	if (call->tool == NULL || call->tool->tool.access != LEJR_ACCESS_WRITE)
		return LEJR_OK;
	return lejr_call_fail(call, LEJR_ENOTSUP, "%s: a write tool cannot "
			      "wait for the client (%s); ask from a read "
			      "tool first, then call the write tool",
			      call->tool->tool.name, what);
}

/* Send a request to the client; failures are described on the call. */
static int
send_request(struct lejr_call *call, const char *method, json_t *params,
	     json_t **result)
{
	struct lejr_exchange *ex = call->ex;
	json_t *answer = NULL;
	const char *why;
	int rc;

	*result = NULL;
	if (ex == NULL || ex->request == NULL)
		return lejr_call_fail(call, LEJR_ENOTSUP, "the client cannot "
				      "receive requests on this connection");

	rc = ex->request(ex->ctx, method, params, &answer);
	switch (rc) {
	case LEJR_OK:
		*result = answer;
		return LEJR_OK;
	case LEJR_EINVAL:
		why = json_string_value(json_object_get(answer, "message"));
		lejr_call_fail(call, rc, "the client refused %s: %s", method,
			       why != NULL ? why : "no reason given");
		break;
	case LEJR_ENOTSUP:
		lejr_call_fail(call, rc, "the client cannot receive %s on "
			       "this connection", method);
		break;
	case LEJR_ECANCELED:
		lejr_call_fail(call, rc, "%s was given up unanswered: the "
			       "client went away or did not answer in "
			       "time, or the server is stopping", method);
		break;
	default:
		lejr_call_fail(call, LEJR_EINTERNAL, "sending %s failed",
			       method);
		rc = LEJR_EINTERNAL;
	}
	json_decref(answer);
	return rc;
}

static int
api_client_request(struct lejr_call *call, const char *method,
		   json_t *params, json_t **result)
{
	json_t *answer = NULL;
	int rc;

	if (result != NULL)
		*result = NULL;
	if (call == NULL)
		return lejr_api_no_call("api->client_request");
	if (method == NULL)
		return lejr_api_missing(call, "client_request");
	rc = writer_cannot_wait(call, method);
	if (rc != LEJR_OK)
		return rc;
	rc = send_request(call, method, params, &answer);
	if (result != NULL)
		*result = answer;
	else
		json_decref(answer);
	return rc;
}

static const char *
elicit_action(json_t *answer)
{
	static const char *const actions[] = { "accept", "decline", "cancel" };
	const char *action = json_string_value(json_object_get(answer,
							       "action"));

	for (size_t i = 0; action != NULL && i < 3; i++)
		if (strcmp(action, actions[i]) == 0)
			return actions[i];
	return NULL;
}

static int
api_elicit(struct lejr_call *call, const char *message, json_t *schema,
	   const char **action, json_t **content)
{
	struct lejr_exchange *ex;
	json_t *params, *answer = NULL, *got;
	const char *act;
	int rc;

	if (action != NULL)
		*action = "cancel";
	if (content != NULL)
		*content = NULL;
	if (call == NULL)
		return lejr_api_no_call("api->elicit");
	ex = call->ex;
	if (message == NULL || !json_is_object(schema) || action == NULL)
		return lejr_api_missing(call, "elicit");
	rc = writer_cannot_wait(call, "elicitation");
	if (rc != LEJR_OK)
		return rc;
	if (ex == NULL || json_object_get(ex->client_capabilities,
					  "elicitation") == NULL)
		return lejr_call_fail(call, LEJR_ENOTSUP, "the client cannot "
				      "ask the user questions (no "
				      "elicitation support)");

	params = json_pack("{s:s, s:O}", "message", message,
			   "requestedSchema", schema);
	if (params == NULL)
		return lejr_call_fail(call, LEJR_EINTERNAL, "out of memory");
	rc = send_request(call, "elicitation/create", params, &answer);
	json_decref(params);
	if (rc != LEJR_OK)
		return rc;

	act = elicit_action(answer);
	got = json_object_get(answer, "content");
	if (act == NULL || (act[0] == 'a' && !json_is_object(got))) {
		json_decref(answer);
		return lejr_call_fail(call, LEJR_EINVAL, "the client's answer "
				      "to the question is malformed");
	}

	*action = act;
	if (act[0] == 'a' && content != NULL)
		*content = json_incref(got);
	json_decref(answer);
	return LEJR_OK;
}

const struct lejr_api lejr_api_table = {
	.abi_version = LEJR_ABI_VERSION,
	.size = sizeof(struct lejr_api),
	.register_tool = api_register_tool,
	.add_migration = api_add_migration,
	.log = api_log,
	.fail = api_fail,
	.org = api_org,
	.user_id = api_user_id,
	.db = api_db,
	.progress = api_progress,
	.elicit = api_elicit,
	.money_parse = api_money_parse,
	.money_format = api_money_format,
	.account_get = api_account_get,
	.account_list = api_account_list,
	.account_create = api_account_create,
	.account_archive = api_account_archive,
	.post_entry = api_post_entry,
	.entry_get = api_entry_get,
	.entry_list = api_entry_list,
	.entry_reverse = api_entry_reverse,
	.trial_balance = api_trial_balance,
	.account_balance = api_account_balance,
	.set_content = api_set_content,
	.notify_log = api_notify_log,
	.client_request = api_client_request,
	.register_resource = api_register_resource,
	.register_prompt = api_register_prompt,
	LEJR_API_REPORTS,
};

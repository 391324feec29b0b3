/*
 * call.c - the guard: everything the core enforces around one tool call
 * (arguments, organization, access, transaction, idempotency, activity
 * log), and the plainer calls behind resources/read, prompts/get and
 * completion/complete.
 *
 * The checks (arguments, organization, access) run on the worker thread.
 * A write tool then runs on the writer thread (writer.c), inside the
 * transaction its batch shares with the other writes queued at the same
 * moment and under a savepoint of its own: its changes, its idempotency
 * record, its activity record and the token's use count are kept or
 * rolled back together, and the worker answers only once the batch is
 * committed, hence durable.
 *
 * A read tool runs on the worker's own connection in BEGIN DEFERRED and
 * is rolled back, so it cannot change anything even by mistake.  Its
 * activity record, like the record of any call that fails or is
 * refused, is queued to the writer and written with its next batch: a
 * read costs no fsync of its own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "jsonschema.h"
#include "jsontext.h"
#include "log.h"
#include "runtime-internal.h"
#include "utf8.h"
#include "writer.h"

/* One tools/call on its way through the guard. */
struct tool_run {
	struct lejr_call call;
	struct lejr_req *req;
	struct lejr_tool_entry *tool;
	json_t *args;          /* as sent (borrowed) */
	json_t *plain;         /* without the core's arguments (owned) */
	const char *org_slug;  /* "organization", or NULL */
	const char *idem_key;  /* "idempotency_key", or NULL */
	char digest[65];
	struct timespec start;
	int write;
	json_t *answer;        /* a write's answer, made on the writer */

	/* A successful call's parts, until the answer is made of them. */
	json_t *structured;    /* the handler's result (owned) */
	json_t *content;       /* set_content()'s array (owned), or NULL */
};

/* ---- the call object ---- */

void
lejr_call_init(struct lejr_call *call, struct lejr_req *req,
	       struct lejr_plugin *p)
{
	memset(call, 0, sizeof(*call));
	call->rt = req->rt;
	call->principal = req->principal;
	call->ex = req->ex;
	call->plugin = p;
	call->status = LEJR_OK;
	call->progress = -1;
}

void
lejr_call_release(struct lejr_call *call)
{
	free(call->entries);
	call->entries = NULL;
	call->nentries = call->centries = 0;
	json_decref(call->content);
	call->content = NULL;
}

int
lejr_call_failv(struct lejr_call *call, int status, const char *fmt,
		va_list ap)
{
	if (status == LEJR_OK)
		status = LEJR_EINTERNAL;
	vsnprintf(call->msg, sizeof(call->msg), fmt, ap);
	/* messages quote what they were given, cut to a size */
	lejr_utf8_repair(call->msg);
	call->status = status;
	return status;
}

int
lejr_call_fail(struct lejr_call *call, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	status = lejr_call_failv(call, status, fmt, ap);
	va_end(ap);
	return status;
}

int
lejr_call_set_error(struct lejr_call *call, int rc,
		    const struct lejr_error *err)
{
	if (rc == LEJR_OK)
		return LEJR_OK;
	if (err->msg[0] != '\0')
		return lejr_call_fail(call, rc, "%s", err->msg);
	return lejr_call_fail(call, rc, "the ledger refused the request");
}

int
lejr_call_note_entry(struct lejr_call *call, int64_t id)
{
	int64_t *grown;
	size_t cap;

	if (call->nentries == call->centries) {
		cap = call->centries ? call->centries * 2 : 4;
		grown = realloc(call->entries, cap * sizeof(*grown));
		if (grown == NULL)
			return lejr_call_fail(call, LEJR_EINTERNAL,
					      "out of memory");
		call->entries = grown;
		call->centries = cap;
	}
	call->entries[call->nentries++] = id;
	return LEJR_OK;
}

int
lejr_args_digest(json_t *value, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	char *text;

	text = json_dumps(value, JSON_SORT_KEYS | JSON_COMPACT |
			  JSON_ENCODE_ANY);
	if (text == NULL)
		return -1;
	SHA256((const unsigned char *)text, strlen(text), md);
	free(text);

	for (size_t i = 0; i < sizeof(md); i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

/* ---- answers ---- */

static json_t *
tool_error_text(const char *text)
{
	return json_pack("{s:[{s:s, s:s}], s:b}", "content", "type", "text",
			 "text", text, "isError", 1);
}

/* The answer for a failed call: its message, or a generic one for our
 * own faults, which may hold SQL or paths. */
static json_t *
tool_error(struct tool_run *run)
{
	char text[600];

	if (run->call.status == LEJR_EINTERNAL || run->call.msg[0] == '\0') {
		snprintf(text, sizeof(text), "%s failed because of an "
			 "internal error; nothing was changed.",
			 run->tool->tool.name);
		return tool_error_text(text);
	}
	return tool_error_text(run->call.msg);
}

/* The MCP result of a successful call, from run's parts (taken): its
 * structured result and the content set by the handler or, by default,
 * that result as compact JSON text. */
static json_t *
success_json(struct tool_run *run)
{
	json_t *structured = run->structured, *content = run->content;
	char *text;

	run->structured = run->content = NULL;
	if (content == NULL) {
		text = json_dumps(structured, JSON_COMPACT);
		if (text == NULL) {
			json_decref(structured);
			return NULL;
		}
		content = json_pack("[{s:s, s:s}]", "type", "text", "text",
				    text);
		free(text);
	}
	return json_pack("{s:o, s:o, s:b}", "content", content,
			 "structuredContent", structured, "isError", 0);
}

/*
 * The same result as JSON text, written directly between the request's
 * head and tail: the structured result is serialised once, and the
 * default text content is that text again, escaped.  Byte for byte what
 * success_json() would dump.  Returns the malloc'd text, or NULL when
 * out of memory.
 */
static char *
success_text(struct tool_run *run, size_t *len)
{
	static const char head[] = "{\"content\":";
	static const char item[] = "[{\"type\":\"text\",\"text\":\"";
	static const char item_end[] = "\"}]";
	static const char mid[] = ",\"structuredContent\":";
	static const char tail[] = ",\"isError\":false}";
	const char *outer_head = run->req->head, *outer_tail = run->req->tail;
	struct lejr_text *s, *c, out = { 0 };
	size_t need;

	/* Drafts in the thread's scratch texts, then one allocation of
	 * the exact size for the answer that leaves the thread. */
	s = lejr_text_scratch(0);
	c = lejr_text_scratch(1);
	if (s == NULL || c == NULL)
		return NULL;
	lejr_text_json(s, run->structured);
	if (run->content != NULL)
		lejr_text_json(c, run->content);
	if (s->failed || c->failed)
		goto out;

	need = strlen(outer_head) + sizeof(head) - 1 + sizeof(mid) - 1 +
	       s->len + sizeof(tail) - 1 + strlen(outer_tail);
	if (run->content != NULL)
		need += c->len;
	else
		need += sizeof(item) - 1 + sizeof(item_end) - 1 +
			lejr_text_escaped_length(s->s, s->len);
	lejr_text_reserve(&out, need);

	lejr_text_add(&out, outer_head, strlen(outer_head));
	lejr_text_add(&out, head, sizeof(head) - 1);
	if (run->content != NULL) {
		lejr_text_add(&out, c->s, c->len);
	} else {
		lejr_text_add(&out, item, sizeof(item) - 1);
		lejr_text_escaped(&out, s->s, s->len);
		lejr_text_add(&out, item_end, sizeof(item_end) - 1);
	}
	lejr_text_add(&out, mid, sizeof(mid) - 1);
	lejr_text_add(&out, s->s, s->len);
	lejr_text_add(&out, tail, sizeof(tail) - 1);
	lejr_text_add(&out, outer_tail, strlen(outer_tail));

out:
	lejr_text_scratch_done(s);
	lejr_text_scratch_done(c);
	if (out.failed || s->failed || c->failed) {
		free(out.s);
		return NULL;
	}
	*len = out.len;
	return out.s;
}

/*
 * The answer of a successful call, from run's parts: its JSON text in
 * the request's text when the transport takes text (*answer NULL), or a
 * json_t.  LEJR_EINTERNAL when out of memory.
 */
static int
success_answer(struct tool_run *run, json_t **answer)
{
	struct lejr_req *req = run->req;

	*answer = NULL;
	if (req->want_text) {
		req->text = success_text(run, &req->textlen);
		if (req->text == NULL)
			return LEJR_EINTERNAL;
		json_decref(run->structured);
		json_decref(run->content);
		run->structured = run->content = NULL;
		return LEJR_OK;
	}
	*answer = success_json(run);
	return *answer != NULL ? LEJR_OK : LEJR_EINTERNAL;
}

/* ---- the activity log ---- */

static int64_t
elapsed_us(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - start->tv_sec) * 1000000 +
	       (now.tv_nsec - start->tv_nsec) / 1000;
}

static const char *
outcome_of(int status)
{
	switch (status) {
	case LEJR_OK:
		return "ok";
	case LEJR_EINVAL:
	case LEJR_ENOTFOUND:
		/* bad arguments, or naming what does not exist */
		return "invalid";
	case LEJR_EDENIED:
	case LEJR_ECONFLICT:
		/* refused by policy or by the ledger's rules (already
		 * reversed, locked period): not a fault of ours */
		return "denied";
	default:
		return "error";
	}
}

/* The call's activity record as it stands (pointing into run). */
static void
activity_of(struct tool_run *run, const char *message,
	    struct ledger_activity *rec)
{
	struct lejr_call *call = &run->call;
	int ok = call->status == LEJR_OK;

	*rec = (struct ledger_activity){
		.org_id = call->grant ? call->grant->org_id : 0,
		.user_id = call->principal->user_id,
		.token_id = call->principal->token_id,
		.tool = run->tool->tool.name,
		.args_digest = run->digest,
		.outcome = outcome_of(call->status),
		.message = message,
		.entries = ok ? call->entries : NULL,
		.nentries = ok ? call->nentries : 0,
		.duration_us = elapsed_us(&run->start),
	};
}

/* Write the activity record of a write, in the write's own savepoint
 * on the writer's connection (the writer counts the token's use). */
static int
record(struct tool_run *run, const char *message, struct lejr_error *err)
{
	struct ledger_activity rec;

	activity_of(run, message, &rec);
	return ledger_activity_add(run->call.db, &rec, err);
}

/* The same for a call that changed nothing: queued to the writer, which
 * writes it with its next batch.  A failure is logged by the writer and
 * the caller's answer stands. */
static void
record_later(struct tool_run *run, const char *message)
{
	struct ledger_activity rec;

	activity_of(run, message, &rec);
	lejr_writer_record(run->call.rt->writer, &rec);
}

/* ---- failing ---- */

/* A call that ends without changing anything: log it by its class,
 * record it, answer with a tool error. */
static json_t *
refuse(struct tool_run *run)
{
	struct lejr_call *call = &run->call;
	const char *name = run->tool->tool.name;
	json_t *answer;

	if (call->status == LEJR_EINTERNAL)
		lejr_log(LEJR_LOG_ERROR, "%s: tool %s failed: %s",
			 call->plugin->name, name, call->msg);
	else if (call->status == LEJR_EDENIED)
		lejr_log(LEJR_LOG_NOTICE, "tool %s refused: %s", name,
			 call->msg);
	else
		lejr_log(LEJR_LOG_INFO, "tool %s: %s", name, call->msg);

	answer = tool_error(run);
	record_later(run, json_string_value(json_object_get(
		json_array_get(json_object_get(answer, "content"), 0),
		"text")));
	return answer;
}

/* ---- the request ---- */

/* Read name and arguments: JSON-RPC errors for a malformed request. */
static int
parse_request(struct lejr_req *req, struct tool_run *run)
{
	json_t *name, *args;

	if (!json_is_object(req->params)) {
		lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Invalid params: "
			       "params must be an object");
		return -1;
	}

	name = json_object_get(req->params, "name");
	if (!json_is_string(name)) {
		lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Invalid params: "
			       "params.name must be the tool's name");
		return -1;
	}

	run->tool = lejr_registry_tool(req->rt, json_string_value(name));
	if (run->tool == NULL) {
		lejr_req_error(req, LEJR_RT_INVALID_PARAMS,
			       "Unknown tool: %s", json_string_value(name));
		return -1;
	}

	args = json_object_get(req->params, "arguments");
	if (args != NULL && !json_is_null(args) && !json_is_object(args)) {
		lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Invalid params: "
			       "params.arguments must be an object");
		return -1;
	}
	run->args = json_is_object(args) ? json_incref(args) : json_object();
	return run->args != NULL ? 0 : -1;
}

/* Split the core's own arguments from the tool's, and digest these. */
static int
prepare(struct tool_run *run)
{
	run->org_slug = json_string_value(json_object_get(run->args,
							  "organization"));
	run->idem_key = json_string_value(json_object_get(run->args,
							  "idempotency_key"));

	run->plain = json_copy(run->args);
	if (run->plain == NULL)
		return -1;
	json_object_del(run->plain, "organization");
	json_object_del(run->plain, "idempotency_key");
	return lejr_args_digest(run->plain, run->digest);
}

static int
validate(struct tool_run *run)
{
	char msg[400];

	if (lejr_validator_run(run->tool->check_in, run->args, msg,
			       sizeof(msg)) == 0)
		return LEJR_OK;
	return lejr_call_fail(&run->call, LEJR_EINVAL, "Invalid arguments: "
			      "%s", msg);
}

/* "demo (Demo Ltd), acme (Acme Inc)" */
static void
org_choices(const struct ledger_principal *p, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->ngrants && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s (%s)",
				      i > 0 ? ", " : "", p->grants[i].slug,
				      p->grants[i].name);
}

/* The grant named slug, or the only one when slug is NULL. */
static const struct ledger_grant *
find_grant(const struct ledger_principal *p, const char *slug)
{
	if (slug == NULL)
		return p->ngrants == 1 ? &p->grants[0] : NULL;
	for (size_t i = 0; i < p->ngrants; i++)
		if (strcmp(p->grants[i].slug, slug) == 0)
			return &p->grants[i];
	return NULL;
}

/*
 * The grant the call acts on.  It never guesses among several, and says
 * the same about an organization that does not exist and one that the
 * connection does not reach.
 */
static int
resolve_org(struct tool_run *run)
{
	const struct ledger_principal *p = run->call.principal;
	char choices[400];

	if (run->tool->tool.flags & LEJR_TOOL_NO_ORG)
		return LEJR_OK;

	run->call.grant = find_grant(p, run->org_slug);
	if (run->call.grant != NULL)
		return LEJR_OK;

	if (run->org_slug != NULL)
		return lejr_call_fail(&run->call, LEJR_EDENIED,
				      "Organization \"%s\" is not available "
				      "to this connection. Call "
				      "list_organizations to see the ones "
				      "it reaches.", run->org_slug);
	if (p->ngrants == 0)
		return lejr_call_fail(&run->call, LEJR_EDENIED, "This "
				      "connection reaches no organization.");

	org_choices(p, choices, sizeof(choices));
	return lejr_call_fail(&run->call, LEJR_EINVAL, "This connection "
			      "reaches several organizations; name one in "
			      "the \"organization\" argument and call %s "
			      "again. Nothing was changed. Organizations: %s.",
			      run->tool->tool.name, choices);
}

/* A write refused for the read-only scope of an OAuth connection, not
 * for the user's role: say so to the transport (struct lejr_exchange). */
static void
scope_short(struct tool_run *run)
{
	if (run->call.principal->connection_id != 0 && run->req->ex != NULL)
		run->req->ex->scope_short = 1;
}

static int
check_access(struct tool_run *run)
{
	const struct ledger_grant *g = run->call.grant;
	const char *tool = run->tool->tool.name;

	if (!run->write)
		return LEJR_OK;

	if (g == NULL) {
		if (run->call.principal->access == LEJR_ACCESS_WRITE)
			return LEJR_OK;
		scope_short(run);
		return lejr_call_fail(&run->call, LEJR_EDENIED, "%s writes; "
				      "this connection is read only — a "
				      "read-write token is needed", tool);
	}
	if (g->access == LEJR_ACCESS_WRITE)
		return LEJR_OK;

	if (g->role == LEJR_ROLE_VIEWER)
		return lejr_call_fail(&run->call, LEJR_EDENIED, "%s writes "
				      "to the ledger; your role in %s is "
				      "viewer (read only) — an accountant, "
				      "admin or owner role with a read-write "
				      "token is needed", tool, g->slug);
	scope_short(run);
	return lejr_call_fail(&run->call, LEJR_EDENIED, "%s writes to the "
			      "ledger; this connection has read-only access "
			      "to %s (your role there is %s) — a read-write "
			      "token is needed", tool, g->slug,
			      lejr_role_name(g->role));
}

/* ---- running the handler ---- */

/* Load the organization into the call, inside its transaction. */
static int
load_org(struct tool_run *run)
{
	struct lejr_call *call = &run->call;
	struct lejr_error err = { 0 };
	int rc;

	if (call->grant == NULL)
		return LEJR_OK;
	rc = ledger_org_load(call->db, call->grant->org_id, &call->org, &err);
	if (rc == LEJR_ENOTFOUND)
		return lejr_call_fail(call, LEJR_EDENIED, "Organization "
				      "\"%s\" is not available to this "
				      "connection.", call->grant->slug);
	if (rc != LEJR_OK)
		return lejr_call_set_error(call, LEJR_EINTERNAL, &err);
	return LEJR_OK;
}

/* A read's deferred transaction on the worker's own connection. */
static int
begin_read(struct tool_run *run)
{
	struct lejr_call *call = &run->call;
	struct lejr_error err = { 0 };
	int rc;

	call->db = lejr_runtime_db(call->rt, &err);
	if (call->db == NULL)
		return lejr_call_set_error(call, LEJR_EINTERNAL, &err);

	rc = ledger_begin(call->db, 0, &err);
	if (rc != LEJR_OK)
		return lejr_call_set_error(call, LEJR_EINTERNAL, &err);

	rc = load_org(run);
	if (rc != LEJR_OK)
		ledger_rollback(call->db);
	return rc;
}

/*
 * An earlier call with the same key: its stored answer (new reference)
 * when the arguments match, NULL to go on.  A different use of the key
 * or a failure sets the call's status.
 */
static json_t *
idem_replay(struct tool_run *run)
{
	struct lejr_call *call = &run->call;
	struct lejr_error err = { 0 };
	json_t *stored = NULL;
	int rc;

	if (run->idem_key == NULL || call->grant == NULL)
		return NULL;

	rc = ledger_idem_find(call->db, call->grant->org_id, run->idem_key,
			      run->tool->tool.name, run->digest, &stored,
			      &err);
	if (rc == LEJR_OK)
		return stored;
	if (rc == LEJR_ECONFLICT)
		lejr_call_fail(call, LEJR_EINVAL, "idempotency key already "
			       "used with different arguments");
	else if (rc != LEJR_ENOTFOUND)
		lejr_call_set_error(call, LEJR_EINTERNAL, &err);
	return NULL;
}

/*
 * Around a plugin's code: its own SQL is limited to what is its own
 * (core/ledger/sandbox.c), to reading only unless write.  The core's
 * own tools are core work throughout.
 */
static void
sandbox_enter(struct lejr_call *call, struct lejr_plugin *p, int write)
{
	if (p == &call->rt->core)
		ledger_sandbox_core(1);
	else
		ledger_sandbox_enter(p->name, write ? LEDGER_SANDBOX_WRITE
						    : LEDGER_SANDBOX_READ);
}

static void
sandbox_leave(struct lejr_call *call, struct lejr_plugin *p)
{
	if (p == &call->rt->core)
		ledger_sandbox_core(0);
	else
		ledger_sandbox_leave();
}

/* Run the handler; on LEJR_OK its checked result and content are
 * run's parts. */
static int
invoke(struct tool_run *run)
{
	struct lejr_call *call = &run->call;
	const struct lejr_tool *t = &run->tool->tool;
	json_t *structured = NULL;
	char msg[400];
	int rc;

	sandbox_enter(call, run->tool->plugin, run->write);
	rc = t->handler(call, run->plain, &structured);
	sandbox_leave(call, run->tool->plugin);
	if (ledger_sandbox_lost() || sqlite3_get_autocommit(call->db)) {
		/* nothing it did after that committed (sandbox.c) */
		json_decref(structured);
		return lejr_call_fail(call, LEJR_EINTERNAL, "%s ended the "
				      "call's transaction with its own SQL "
				      "(ON CONFLICT ROLLBACK or "
				      "RAISE(ROLLBACK))", t->name);
	}
	if (rc > LEJR_OK || rc < LEJR_EINTERNAL) {
		/* not an enum lejr_status: the plugin broke the contract */
		json_decref(structured);
		return lejr_call_fail(call, LEJR_EINTERNAL, "plugin %s: %s "
				      "returned %d, which is no enum "
				      "lejr_status", run->tool->plugin->name,
				      t->name, rc);
	}
	if (rc != LEJR_OK) {
		json_decref(structured);
		if (call->msg[0] == '\0')
			return lejr_call_fail(call, rc, "%s failed", t->name);
		call->status = rc;
		return rc;
	}

	if (!json_is_object(structured)) {
		rc = lejr_call_fail(call, LEJR_EINTERNAL, "plugin %s: %s "
				    "returned %s", run->tool->plugin->name,
				    t->name, structured == NULL ? "no result"
				    : "a result that is not a JSON object");
		json_decref(structured);
		return rc;
	}
	if (run->tool->check_out != NULL &&
	    lejr_validator_run(run->tool->check_out, structured, msg,
			       sizeof(msg)) != 0) {
		json_decref(structured);
		return lejr_call_fail(call, LEJR_EINTERNAL, "the result does "
				      "not match the output schema: %s", msg);
	}

	/* Stale messages of failures the handler recovered from. */
	call->status = LEJR_OK;
	run->structured = structured;
	run->content = call->content;
	call->content = NULL;
	return LEJR_OK;
}

/* Drop the parts of a success that will not be answered. */
static void
parts_release(struct tool_run *run)
{
	json_decref(run->structured);
	json_decref(run->content);
	run->structured = run->content = NULL;
}

static int
cancelled(struct lejr_call *call)
{
	struct lejr_exchange *ex = call->ex;

	return ex != NULL && ex->cancelled != NULL && ex->cancelled(ex->ctx);
}

/* Keep a write: idempotency (unless its answer is a replay), activity
 * and token use, in its savepoint; the writer commits the batch. */
static int
keep_write(struct tool_run *run, const char *replayed)
{
	struct lejr_call *call = &run->call;
	struct lejr_error err = { 0 };
	int rc = LEJR_OK;

	if (cancelled(call))
		return lejr_call_fail(call, LEJR_ECANCELED, "The request was "
				      "cancelled; nothing was changed.");

	if (run->idem_key != NULL && call->grant != NULL && !replayed)
		rc = ledger_idem_store(call->db, call->grant->org_id,
				       run->idem_key, run->tool->tool.name,
				       run->digest, run->answer, &err);
	if (rc == LEJR_OK)
		rc = record(run, replayed, &err);
	if (rc != LEJR_OK)
		return lejr_call_set_error(call, LEJR_EINTERNAL, &err);
	return LEJR_OK;
}

/*
 * A write, on the writer thread: db is the writer's connection, inside
 * the batch's transaction and the job's savepoint.  Jobs run one after
 * the other, so a second call with the same idempotency key finds the
 * first one's answer even in the same batch.  Any status but LEJR_OK
 * makes the writer roll the job back.
 */
static int
write_job(struct lejr_writer_job *job, sqlite3 *db)
{
	struct tool_run *run = job->arg;
	struct lejr_call *call = &run->call;
	const char *replayed = NULL;

	/* The batch may run again (writer.h): start afresh. */
	json_decref(run->answer);
	run->answer = NULL;
	parts_release(run);
	json_decref(call->content);
	call->content = NULL;
	call->nentries = 0;
	call->status = LEJR_OK;
	call->msg[0] = '\0';

	call->db = db;
	if (load_org(run) != LEJR_OK)
		return call->status;

	run->answer = idem_replay(run);
	if (run->answer != NULL)
		replayed = "replayed: same idempotency key and arguments";
	else if (call->status != LEJR_OK || invoke(run) != LEJR_OK)
		goto fail;

	/* A key keeps the whole answer.  Without one, the answer is made
	 * by the worker once the batch is committed, off this thread. */
	if (!replayed && run->idem_key != NULL && call->grant != NULL) {
		run->answer = success_json(run);
		if (run->answer == NULL) {
			lejr_call_fail(call, LEJR_EINTERNAL, "out of memory");
			goto fail;
		}
	}

	if (keep_write(run, replayed) == LEJR_OK) {
		job->count_token = call->principal->token_id;
		return LEJR_OK;
	}

fail:
	json_decref(run->answer);
	run->answer = NULL;
	parts_release(run);
	return call->status;
}

/* Hand a write to the writer and wait until its batch is committed. */
static json_t *
execute_write(struct tool_run *run)
{
	struct lejr_call *call = &run->call;
	struct lejr_writer_job job = { .run = write_job, .arg = run };
	json_t *answer;
	int rc;

	rc = lejr_writer_run(call->rt->writer, &job);
	call->db = NULL; /* the writer's: not for this thread */
	if (rc == LEJR_OK && run->answer != NULL) {
		answer = run->answer;
		run->answer = NULL;
		return answer;
	}
	if (rc == LEJR_OK) {
		/* Committed: only memory can fail here, and the write
		 * stands, so the answer is a plain JSON-RPC error. */
		if (success_answer(run, &answer) != LEJR_OK)
			return lejr_req_error(run->req, LEJR_RT_INTERNAL,
					      "Internal error: the answer "
					      "could not be encoded");
		return answer;
	}

	/* The job failed, or its batch did not commit: nothing was kept. */
	json_decref(run->answer);
	run->answer = NULL;
	parts_release(run);
	if (call->status == LEJR_OK)
		lejr_call_fail(call, LEJR_EINTERNAL, "the write could not be "
			       "committed");
	return refuse(run);
}

/* A read, on the worker thread, rolled back whatever the handler did. */
static json_t *
execute_read(struct tool_run *run)
{
	struct lejr_call *call = &run->call;
	json_t *answer = NULL;

	/* The activity log shows every call that ended before this one. */
	if (run->tool->sync_first &&
	    lejr_writer_sync(call->rt->writer) != LEJR_OK) {
		lejr_call_fail(call, LEJR_EINTERNAL, "the activity log could "
			       "not be brought up to date");
		return refuse(run);
	}

	if (begin_read(run) != LEJR_OK)
		return refuse(run);
	if (invoke(run) != LEJR_OK) {
		ledger_rollback(call->db);
		return refuse(run);
	}
	if (success_answer(run, &answer) != LEJR_OK) {
		ledger_rollback(call->db);
		parts_release(run);
		lejr_call_fail(call, LEJR_EINTERNAL, "out of memory");
		return refuse(run);
	}

	/* answer is NULL when it went to the request as text. */
	ledger_rollback(call->db);
	record_later(run, NULL);
	return answer;
}

/*
 * Fold the CPU time this thread spent on a call of e since cpu0 into
 * the tool's running average, a quarter for the newest call, so that
 * a tool that turns long is known as such after a call or two.  Racing
 * updates may lose one sample; the figure only steers scheduling.
 */
static void
cpu_note(struct lejr_tool_entry *e, const struct timespec *cpu0)
{
	struct timespec now;
	long long us, avg;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0)
		return;
	us = (long long)(now.tv_sec - cpu0->tv_sec) * 1000000 +
	     (now.tv_nsec - cpu0->tv_nsec) / 1000;
	avg = atomic_load(&e->cpu_us);
	atomic_store(&e->cpu_us, avg == 0 ? us : avg + (us - avg) / 4);
}

json_t *
lejr_call_tool(struct lejr_req *req)
{
	struct tool_run run;
	struct timespec cpu0;
	json_t *answer;

	memset(&run, 0, sizeof(run));
	run.req = req;
	clock_gettime(CLOCK_MONOTONIC, &run.start);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
	if (parse_request(req, &run) != 0)
		return NULL;

	lejr_call_init(&run.call, req, run.tool->plugin);
	run.call.tool = run.tool;
	run.write = run.tool->tool.access == LEJR_ACCESS_WRITE;

	if (prepare(&run) != 0) {
		lejr_call_fail(&run.call, LEJR_EINTERNAL, "cannot encode the "
			       "arguments");
		answer = refuse(&run);
	} else if (validate(&run) != LEJR_OK) {
		/* Recorded in the organization's log when there is one. */
		if (!(run.tool->tool.flags & LEJR_TOOL_NO_ORG))
			run.call.grant = find_grant(req->principal,
						    run.org_slug);
		answer = refuse(&run);
	} else if (resolve_org(&run) != LEJR_OK ||
		   check_access(&run) != LEJR_OK) {
		answer = refuse(&run);
	} else if (run.write) {
		answer = execute_write(&run);
	} else {
		answer = execute_read(&run);
	}

	lejr_call_release(&run.call);
	parts_release(&run);
	json_decref(run.plain);
	json_decref(run.args);
	cpu_note(run.tool, &cpu0);
	return answer;
}

/* ---- resources, prompts, completions ---- */

/* A call outside tools/call: read only, on no organization. */
static int
plain_begin(struct lejr_call *call, struct lejr_req *req,
	    struct lejr_plugin *p)
{
	struct lejr_error err = { 0 };

	lejr_call_init(call, req, p);
	call->db = lejr_runtime_db(req->rt, &err);
	if (call->db != NULL && ledger_begin(call->db, 0, &err) == LEJR_OK)
		return 0;
	lejr_log(LEJR_LOG_ERROR, "database: %s", err.msg);
	call->db = NULL;
	return -1;
}

static void
plain_end(struct lejr_call *call)
{
	if (call->db != NULL)
		ledger_rollback(call->db);
	lejr_call_release(call);
}

/* The JSON-RPC error for a plugin function that failed with the call's
 * status: the plugin's message for bad input, a generic one otherwise. */
static json_t *
plain_error(struct lejr_req *req, struct lejr_call *call, const char *what)
{
	if (call->status == LEJR_EINVAL || call->status == LEJR_ENOTFOUND)
		return lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "%s",
				      call->msg[0] ? call->msg :
				      "Invalid params");
	lejr_log(LEJR_LOG_ERROR, "%s: %s failed: %s", call->plugin->name,
		 what, call->msg[0] ? call->msg : "(no message)");
	return lejr_req_error(req, LEJR_RT_INTERNAL, "Internal error");
}

json_t *
lejr_req_resource_not_found(struct lejr_req *req, const char *uri)
{
	json_decref(req->data);
	req->data = json_pack("{s:s}", "uri", uri);
	return lejr_req_error(req, LEJR_RT_RESOURCE_NOT_FOUND,
			      "Resource not found");
}

json_t *
lejr_call_resource_read(struct lejr_req *req)
{
	const char *uri;
	struct lejr_resource_entry *e;
	struct lejr_call call;
	json_t *contents = NULL, *result = NULL;
	int rc;

	uri = json_string_value(json_object_get(req->params, "uri"));
	if (uri == NULL)
		return lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Invalid "
				      "params: params.uri must be a string");
	e = lejr_registry_resolve(req->rt, uri);
	if (e == NULL)
		return lejr_req_resource_not_found(req, uri);

	if (plain_begin(&call, req, e->plugin) != 0) {
		result = lejr_req_error(req, LEJR_RT_INTERNAL,
					"Internal error");
		goto out;
	}

	sandbox_enter(&call, e->plugin, 0);
	rc = e->res.read(&call, uri, &contents);
	sandbox_leave(&call, e->plugin);
	if (rc == LEJR_ENOTFOUND)
		result = lejr_req_resource_not_found(req, uri);
	else if (rc != LEJR_OK)
		result = plain_error(req, &call, uri);
	else if (!json_is_array(contents)) {
		lejr_call_fail(&call, LEJR_EINTERNAL, "no contents array");
		result = plain_error(req, &call, uri);
	} else
		result = json_pack("{s:O}", "contents", contents);

out:
	json_decref(contents);
	plain_end(&call);
	return result;
}

/* Every required argument of prompt e present in args? */
static const char *
prompt_missing(struct lejr_prompt_entry *e, json_t *args)
{
	json_t *arg;
	size_t i;

	json_array_foreach(e->arguments, i, arg) {
		const char *name = json_string_value(json_object_get(arg,
								     "name"));

		if (json_is_true(json_object_get(arg, "required")) &&
		    json_object_get(args, name) == NULL)
			return name;
	}
	return NULL;
}

/* The prompt's arguments: an object of strings. */
static json_t *
prompt_args(struct lejr_req *req)
{
	json_t *args = json_object_get(req->params, "arguments"), *value;
	const char *key;

	if (args == NULL || json_is_null(args))
		return json_object();
	if (!json_is_object(args))
		return lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Invalid "
				      "params: params.arguments must be an "
				      "object");
	json_object_foreach(args, key, value)
		if (!json_is_string(value))
			return lejr_req_error(req, LEJR_RT_INVALID_PARAMS,
					      "Invalid params: argument %s "
					      "must be a string", key);
	return json_incref(args);
}

json_t *
lejr_call_prompt_get(struct lejr_req *req)
{
	struct lejr_prompt_entry *e;
	struct lejr_call call;
	json_t *args, *result = NULL;
	const char *name, *missing;
	int rc;

	name = json_string_value(json_object_get(req->params, "name"));
	if (name == NULL)
		return lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Invalid "
				      "params: params.name must be the "
				      "prompt's name");
	e = lejr_registry_prompt(req->rt, name);
	if (e == NULL)
		return lejr_req_error(req, LEJR_RT_INVALID_PARAMS,
				      "Unknown prompt: %s", name);

	args = prompt_args(req);
	if (args == NULL)
		return NULL;
	missing = prompt_missing(e, args);
	if (missing != NULL) {
		json_decref(args);
		return lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Missing "
				      "required argument: %s", missing);
	}

	if (plain_begin(&call, req, e->plugin) != 0) {
		json_decref(args);
		plain_end(&call);
		return lejr_req_error(req, LEJR_RT_INTERNAL,
				      "Internal error");
	}
	sandbox_enter(&call, e->plugin, 0);
	rc = e->prompt.get(&call, args, &result);
	sandbox_leave(&call, e->plugin);
	if (rc == LEJR_OK && (!json_is_object(result) ||
			      !json_is_array(json_object_get(result,
							     "messages")))) {
		rc = lejr_call_fail(&call, LEJR_EINTERNAL, "prompt %s gave "
				    "no messages", name);
	}
	if (rc != LEJR_OK) {
		json_decref(result);
		result = plain_error(req, &call, name);
	}

	json_decref(args);
	plain_end(&call);
	return result;
}

/* The completion function and its plugin for params.ref. */
static int
complete_target(struct lejr_req *req, lejr_complete_fn *fn,
		struct lejr_plugin **p)
{
	json_t *ref = json_object_get(req->params, "ref");
	const char *type = json_string_value(json_object_get(ref, "type"));
	const char *name;

	if (type != NULL && strcmp(type, "ref/prompt") == 0) {
		struct lejr_prompt_entry *e;

		name = json_string_value(json_object_get(ref, "name"));
		e = name ? lejr_registry_prompt(req->rt, name) : NULL;
		if (e == NULL)
			goto unknown;
		*fn = e->prompt.complete;
		*p = e->plugin;
		return 0;
	}
	if (type != NULL && strcmp(type, "ref/resource") == 0) {
		struct lejr_resource_entry *e;

		name = json_string_value(json_object_get(ref, "uri"));
		e = name ? lejr_registry_resource(req->rt, name) : NULL;
		if (e == NULL)
			goto unknown;
		*fn = e->res.complete;
		*p = e->plugin;
		return 0;
	}
	lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Invalid params: "
		       "params.ref.type must be ref/prompt or ref/resource");
	return -1;

unknown:
	lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Invalid params: no "
		       "such %s: %s", type + 4, name ? name : "(none)");
	return -1;
}

/* {"completion": {"values", "total", "hasMore"}} from values (stolen). */
static json_t *
completion_result(json_t *values)
{
	size_t total = json_array_size(values);
	json_t *shown = json_array(), *v;
	size_t i;

	json_array_foreach(values, i, v) {
		if (i == LEJR_COMPLETION_MAX)
			break;
		json_array_append(shown, v);
	}
	json_decref(values);
	return json_pack("{s:{s:o, s:I, s:b}}", "completion", "values",
			 shown, "total", (json_int_t)total, "hasMore",
			 total > LEJR_COMPLETION_MAX);
}

static int
strings_only(json_t *values)
{
	json_t *v;
	size_t i;

	if (!json_is_array(values))
		return 0;
	json_array_foreach(values, i, v)
		if (!json_is_string(v))
			return 0;
	return 1;
}

json_t *
lejr_call_complete(struct lejr_req *req)
{
	json_t *arg = json_object_get(req->params, "argument");
	const char *name = json_string_value(json_object_get(arg, "name"));
	const char *value = json_string_value(json_object_get(arg, "value"));
	json_t *context, *values = NULL, *result = NULL;
	struct lejr_plugin *p = NULL;
	lejr_complete_fn fn = NULL;
	struct lejr_call call;
	int rc;

	if (name == NULL || value == NULL)
		return lejr_req_error(req, LEJR_RT_INVALID_PARAMS, "Invalid "
				      "params: params.argument needs a name "
				      "and a value");
	if (complete_target(req, &fn, &p) != 0)
		return NULL;
	if (fn == NULL)
		return completion_result(json_array());

	context = json_object_get(json_object_get(req->params, "context"),
				  "arguments");
	if (!json_is_object(context))
		context = NULL;

	if (plain_begin(&call, req, p) != 0) {
		plain_end(&call);
		return lejr_req_error(req, LEJR_RT_INTERNAL,
				      "Internal error");
	}
	sandbox_enter(&call, p, 0);
	rc = fn(&call, name, value, context, &values);
	sandbox_leave(&call, p);
	if (rc == LEJR_OK && !strings_only(values))
		rc = lejr_call_fail(&call, LEJR_EINTERNAL, "completion "
				    "values must be an array of strings");
	if (rc != LEJR_OK) {
		json_decref(values);
		values = NULL;
		result = plain_error(req, &call, "completion");
	}
	plain_end(&call);
	return values != NULL ? completion_result(values) : result;
}

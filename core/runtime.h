/*
 * runtime.h - what the MCP transport asks of the rest of lejrd: the
 * loaded plugins, their tools (and any resources and prompts), and the
 * guarded execution of one call.
 *
 * The transport (http.c, mcp.c) owns HTTP, JSON-RPC framing, sessions,
 * SSE and the worker threads.  It answers the protocol methods itself
 * (initialize, ping, logging/setLevel, notifications) and hands every
 * application method to lejr_runtime_dispatch() on a worker thread.
 */
#ifndef LEJR_RUNTIME_H
#define LEJR_RUNTIME_H

#include <jansson.h>

#include "config.h"
#include "ledger/ledger-internal.h"

struct lejr_runtime;

/*
 * The channel back to the client while one request runs.  Filled by the
 * transport, used from the worker thread that runs the request.
 */
struct lejr_exchange {
	void *ctx;

	/* The request's _meta.progressToken (borrowed), or NULL. */
	json_t *progress_token;

	/* The client's declared capabilities from initialize (borrowed,
	 * never NULL: an empty object when unknown). */
	json_t *client_capabilities;

	/* The session's logging level ("debug" ... "emergency"), for
	 * notifications/message filtering. */
	const char *log_level;

	/* Send a JSON-RPC notification (stolen) about this request, on its
	 * SSE stream.  Thread-safe.  Dropped when the response is not a
	 * stream. */
	void (*notify)(void *ctx, json_t *notification);

	/* Send a server-to-client request and wait for the client's answer.
	 * On LEJR_OK *result is the answer's result (new reference).  A
	 * JSON-RPC error from the client is LEJR_EINVAL with *result the
	 * error object; LEJR_ENOTSUP when no stream can carry the request;
	 * LEJR_ECANCELED when the client went away or the session ended. */
	int (*request)(void *ctx, const char *method, json_t *params,
		       json_t **result);

	/* Has the client cancelled the request or gone away? */
	int (*cancelled)(void *ctx);

	/* End the request's response stream now while the request goes on
	 * (SSE polling, SEP-1699): what it sends later, its result too, is
	 * kept for the client, which reconnects with GET and Last-Event-ID.
	 * No-op when the client cannot resume (no SSE, or a revision before
	 * 2025-11-25).  Thread-safe. */
	void (*close_stream)(void *ctx);

	/* Set by lejr_runtime_dispatch() when its JSON-RPC error carries
	 * data (e.g. {"uri"} for -32002 "Resource not found"): a new
	 * reference that the transport puts in the error's "data" and
	 * releases.  Left alone otherwise; start it NULL. */
	json_t *error_data;

	/* Set by the guard when it refused a write tool only because the
	 * OAuth connection was allowed to read (scope ledger:read) though
	 * the user's role may write: the transport then answers 403
	 * insufficient_scope, so that the client can ask for more.  The
	 * refusal is in the activity log either way.  Start it 0. */
	int scope_short;
};

/* Load the plugins named in cfg and run their migrations on the
 * database.  Plugins that fail are logged and skipped.  Returns NULL
 * only when the database cannot be opened. */
struct lejr_runtime *lejr_runtime_new(const struct lejr_config *cfg);

/* Call every plugin's fini(), unload them, close the databases. */
void lejr_runtime_free(struct lejr_runtime *rt);

/* The "capabilities" object for the initialize result (new reference):
 * tools always; resources, prompts, completions only when registered. */
json_t *lejr_runtime_capabilities(struct lejr_runtime *rt);

/* Does the runtime handle this JSON-RPC method? */
int lejr_runtime_handles(struct lejr_runtime *rt, const char *method);

/*
 * Run one application method (tools/list, tools/call, resources/...,
 * prompts/..., completion/complete) for principal.  Called on a worker
 * thread.  params is borrowed (may be NULL).  Returns the JSON-RPC
 * result (new reference), or NULL after setting *code and *message (a
 * malloc'd string the caller frees) for a JSON-RPC error.
 */
json_t *lejr_runtime_dispatch(struct lejr_runtime *rt,
			      const struct ledger_principal *principal,
			      const char *method, json_t *params,
			      struct lejr_exchange *ex, int *code,
			      char **message);

/*
 * The same, answering with the JSON text of the result instead of a
 * json_t, written between head and tail (the JSON-RPC response around
 * it): one malloc'd text, its length in *len.  A tool's structured
 * result is then serialised once, its default text content spliced
 * from that one text.  NULL after setting *code and *message, as above.
 */
char *lejr_runtime_dispatch_text(struct lejr_runtime *rt,
				 const struct ledger_principal *principal,
				 const char *method, json_t *params,
				 struct lejr_exchange *ex, int *code,
				 char **message, const char *head,
				 const char *tail, size_t *len);

/*
 * Is the call of method with params (borrowed) expected to keep a CPU
 * busy for long?  True for tools/call of a tool whose recent calls
 * took LEJR_LONG_CALL_US or more of their thread's CPU time each, as
 * lejr_runtime_dispatch_text measures them; false for anything else,
 * and for a tool not called yet.  Any thread; the answer is a guess
 * from the past, never a promise.
 */
#define LEJR_LONG_CALL_US 1000
int lejr_runtime_call_is_long(struct lejr_runtime *rt, const char *method,
			      json_t *params);

/* Is it a tools/call of a write tool?  Any thread. */
int lejr_runtime_call_is_write(struct lejr_runtime *rt, const char *method,
			       json_t *params);

/* Resolve a bearer token on the calling thread's database connection:
 * LEJR_OK with *out filled (free with ledger_principal_free), or
 * LEJR_EDENIED. */
int lejr_runtime_authenticate(struct lejr_runtime *rt, const char *token,
			      struct ledger_principal *out);

/* The principal used when lejr.conf says auth = none (tests on
 * loopback only): user 0 with write access to every organization. */
int lejr_runtime_anonymous(struct lejr_runtime *rt,
			   struct ledger_principal *out);

/* Release the calling thread's database connection (a worker exits). */
void lejr_runtime_thread_done(struct lejr_runtime *rt);

/* Wait until every activity record and token use queued so far is
 * committed, for pages that show them (the settings pages). */
int lejr_runtime_sync(struct lejr_runtime *rt);

#endif /* LEJR_RUNTIME_H */

/*
 * mcp-internal.h - the MCP and JSON-RPC rules of lejrd's transport that
 * need neither the event loop nor the runtime: protocol versions, the
 * Accept and Content-Type policy, logging levels, parsing and
 * classifying one JSON-RPC message, and the text of answers.  Pure
 * functions, unit-tested in tests/test_jsonrpc.c.
 */
#ifndef LEJR_MCP_INTERNAL_H
#define LEJR_MCP_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

/* JSON-RPC and MCP error codes. */
#define LEJR_RPC_PARSE_ERROR -32700
#define LEJR_RPC_INVALID_REQUEST -32600
#define LEJR_RPC_METHOD_NOT_FOUND -32601
#define LEJR_RPC_INVALID_PARAMS -32602
#define LEJR_RPC_INTERNAL_ERROR -32603
#define LEJR_RPC_SERVER_ERROR -32000   /* transport-level refusal */
#define LEJR_RPC_NO_SESSION -32001     /* unknown or expired session */

/* ---- protocol revisions ---- */

/* Supported revisions, newest first. */
#define LEJR_MCP_NVERSIONS 3
extern const char *const lejr_mcp_versions[LEJR_MCP_NVERSIONS];

/* Index in lejr_mcp_versions of v, or -1 when unsupported. */
int lejr_mcp_version_index(const char *v);

/* The revision answered to a client proposing v: v itself when
 * supported, otherwise our newest.  Returns an index. */
int lejr_mcp_negotiate(const char *v);

/* Does revision index know SSE priming events and resumption
 * (SEP-1699)? */
int lejr_mcp_version_resumable(int index);

/* ---- Accept and Content-Type ---- */

enum lejr_accept {
	LEJR_ACCEPT_JSON = 1 << 0, /* application/json or any */
	LEJR_ACCEPT_SSE = 1 << 1   /* text/event-stream named */
};

/*
 * What an Accept header lets us answer, as enum lejr_accept bits.  An
 * absent or empty header and a wildcard mean plain JSON only; a reply is
 * streamed only to a client that names text/event-stream.  0 means
 * nothing we can send (answer 406).
 */
int lejr_mcp_accept(const char *header);

/* Is a Content-Type application/json (any parameters)? */
int lejr_mcp_content_type_ok(const char *header);

/* ---- logging levels (RFC 5424 names, as MCP uses them) ---- */

#define LEJR_MCP_NLEVELS 8

/* 0 (debug) ... 7 (emergency), or -1 when name is not a level. */
int lejr_mcp_log_level(const char *name);

/* The name of a level index (static string). */
const char *lejr_mcp_log_level_name(int level);

/* ---- JSON-RPC messages ---- */

enum lejr_rpc_kind {
	LEJR_RPC_REQUEST,      /* method and id */
	LEJR_RPC_NOTIFICATION, /* method, no id */
	LEJR_RPC_RESPONSE,     /* result or error, with id: from the client */
	LEJR_RPC_INVALID       /* answer code/message with http_status */
};

struct lejr_rpc {
	enum lejr_rpc_kind kind;
	json_t *msg;        /* the parsed body (owned), or NULL */
	json_t *id;         /* borrowed from msg, or NULL (answered as null) */
	const char *method; /* borrowed from msg */
	json_t *params;     /* borrowed, NULL when absent */
	json_t *result;     /* RESPONSE: its result or error object */
	int is_error;       /* RESPONSE: carries "error" */

	/* INVALID: the error to answer */
	int code;
	int http_status;
	char message[160];
};

/*
 * Parse one HTTP body as one JSON-RPC message.  Always fills out (clear
 * it with lejr_rpc_clear()).  Broken JSON and invalid UTF-8 are
 * -32700; batches, duplicate keys and messages that are not a request,
 * notification or response are -32600; a request whose params is not
 * an object is -32602.  Structural errors (parse, invalid request)
 * carry http_status 400.
 */
void lejr_rpc_parse(const char *body, size_t len, struct lejr_rpc *out);

/* Release what lejr_rpc_parse() holds. */
void lejr_rpc_clear(struct lejr_rpc *rpc);

/* The JSON text (malloc'd, *len set) of a response to id (borrowed,
 * NULL for null) carrying result (stolen).  NULL when out of memory or
 * when result cannot be written as JSON. */
char *lejr_rpc_result_text(json_t *id, json_t *result, size_t *len);

/* The text of a response to id (borrowed, NULL for null) up to its
 * result: what goes before a result written as text, with "}" after
 * it.  Malloc'd; NULL when out of memory. */
char *lejr_rpc_result_head(json_t *id);

/* The JSON text (malloc'd, *len set) of an error response to id
 * (borrowed, NULL for null), with the error's data member when data
 * (borrowed) is not NULL. */
char *lejr_rpc_error_text(json_t *id, int code, const char *message,
			  json_t *data, size_t *len);

/* The JSON text (malloc'd, *len set) of a server-to-client request with
 * integer id, method and params (borrowed, may be NULL). */
char *lejr_rpc_request_text(long long id, const char *method,
			    json_t *params, size_t *len);

/* ---- initialize ---- */

/*
 * The result of initialize for revision index: protocolVersion,
 * serverInfo, capabilities ({"logging": {}} merged with
 * runtime_caps, stolen) and instructions.  New reference, or NULL when
 * out of memory.
 */
json_t *lejr_mcp_initialize_result(int version, json_t *runtime_caps);

#endif /* LEJR_MCP_INTERNAL_H */

/*
 * mcp.c - MCP and JSON-RPC rules of the transport: revisions, content
 * negotiation, logging levels, message classification, answer texts.
 */
#include <lejr-build.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mcp-internal.h"

const char *const lejr_mcp_versions[LEJR_MCP_NVERSIONS] = {
	"2025-11-25",
	"2025-06-18",
	"2025-03-26",
};

static const char *const log_levels[LEJR_MCP_NLEVELS] = {
	"debug", "info", "notice", "warning",
	"error", "critical", "alert", "emergency",
};

static const char instructions[] =
	"Lejr is a double-entry accounting ledger. Every tool acts on one "
	"organization: when this connection reaches several, pass its "
	"slug as \"organization\" on each call; without it nothing changes "
	"and the answer lists the choices. Money amounts are decimal "
	"strings in the organization's currency (\"1234.50\"), never "
	"floating-point numbers. Posted entries are immutable: correct a "
	"mistake with a reversing or correcting entry.";

int
lejr_mcp_version_index(const char *v)
{
	if (v == NULL)
		return -1;
	for (int i = 0; i < LEJR_MCP_NVERSIONS; i++)
		if (strcmp(v, lejr_mcp_versions[i]) == 0)
			return i;
	return -1;
}

int
lejr_mcp_negotiate(const char *v)
{
	int i = lejr_mcp_version_index(v);

	return i >= 0 ? i : 0;
}

int
lejr_mcp_version_resumable(int index)
{
	/* Priming events and Last-Event-ID resumption came with 2025-11-25;
	 * older clients may choke on an event with empty data. */
	return index == 0;
}

/* Compare the media type of one Accept or Content-Type element, ending
 * at ';' or end, with want (lower case). */
static int
media_is(const char *s, size_t n, const char *want)
{
	size_t wl = strlen(want);

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == wl && strncasecmp(s, want, wl) == 0;
}

/* Does the parameter list p (after the media type, n bytes) say q=0? */
static int
quality_zero(const char *p, size_t n)
{
	while (n > 0) {
		const char *semi = memchr(p, ';', n);
		size_t len = semi != NULL ? (size_t)(semi - p) : n;
		const char *q = p;
		size_t ql = len;

		while (ql > 0 && (*q == ' ' || *q == '\t')) {
			q++;
			ql--;
		}
		if (ql >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
			double v = strtod(q + 2, NULL);

			return v <= 0.0;
		}
		if (semi == NULL)
			break;
		p = semi + 1;
		n -= len + 1;
	}
	return 0;
}

int
lejr_mcp_accept(const char *header)
{
	const char *p = header;
	int bits = 0;
	int any = 0;

	if (header == NULL)
		return LEJR_ACCEPT_JSON;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		size_t tl = strcspn(p, ";,");

		if (!media_is(p, tl, "") && !quality_zero(p + tl, n - tl)) {
			any = 1;
			if (media_is(p, tl, "application/json") ||
			    media_is(p, tl, "application/*") ||
			    media_is(p, tl, "*/*"))
				bits |= LEJR_ACCEPT_JSON;
			if (media_is(p, tl, "text/event-stream") ||
			    media_is(p, tl, "text/*"))
				bits |= LEJR_ACCEPT_SSE;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (!any)
		return LEJR_ACCEPT_JSON;
	return bits;
}

int
lejr_mcp_content_type_ok(const char *header)
{
	if (header == NULL)
		return 0;
	return media_is(header, strcspn(header, ";"), "application/json");
}

int
lejr_mcp_log_level(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < LEJR_MCP_NLEVELS; i++)
		if (strcmp(name, log_levels[i]) == 0)
			return i;
	return -1;
}

const char *
lejr_mcp_log_level_name(int level)
{
	if (level < 0 || level >= LEJR_MCP_NLEVELS)
		return "info";
	return log_levels[level];
}

/* Mark rpc invalid with an error to answer. */
static void
rpc_invalid(struct lejr_rpc *rpc, int code, int http_status,
	    const char *message)
{
	rpc->kind = LEJR_RPC_INVALID;
	rpc->code = code;
	rpc->http_status = http_status;
	snprintf(rpc->message, sizeof(rpc->message), "%s", message);
}

/* A JSON-RPC id we answer to: a string or an integer. */
static int
id_valid(json_t *id)
{
	return json_is_string(id) || json_is_integer(id);
}

/* Turn a jansson load error into the answer it deserves. */
static void
rpc_load_error(struct lejr_rpc *rpc, const json_error_t *err)
{
	char msg[160];

	switch (json_error_code(err)) {
	case json_error_duplicate_key:
		snprintf(msg, sizeof(msg), "Invalid request: %.100s",
			 err->text);
		rpc_invalid(rpc, LEJR_RPC_INVALID_REQUEST, 400, msg);
		break;
	case json_error_out_of_memory:
		rpc_invalid(rpc, LEJR_RPC_INTERNAL_ERROR, 500,
			    "Internal error: out of memory");
		break;
	default:
		snprintf(msg, sizeof(msg), "Parse error: %.100s at byte %d",
			 err->text, err->position);
		rpc_invalid(rpc, LEJR_RPC_PARSE_ERROR, 400, msg);
		break;
	}
}

/* Classify a message with a method: request or notification. */
static void
rpc_classify_call(struct lejr_rpc *rpc, json_t *method, json_t *id,
		  int has_id)
{
	json_t *params = json_object_get(rpc->msg, "params");

	if (!json_is_string(method)) {
		rpc_invalid(rpc, LEJR_RPC_INVALID_REQUEST, 400,
			    "Invalid request: method must be a string");
		return;
	}
	rpc->method = json_string_value(method);

	if (!has_id) {
		rpc->kind = LEJR_RPC_NOTIFICATION;
		rpc->params = json_is_object(params) ? params : NULL;
		return;
	}

	rpc->kind = LEJR_RPC_REQUEST;
	if (params != NULL && !json_is_object(params) &&
	    !json_is_null(params)) {
		rpc_invalid(rpc, LEJR_RPC_INVALID_PARAMS, 200,
			    "Invalid params: params must be an object");
		return;
	}
	rpc->params = json_is_object(params) ? params : NULL;
}

/* Classify a message without a method: a response from the client. */
static void
rpc_classify_response(struct lejr_rpc *rpc, int has_id)
{
	json_t *result = json_object_get(rpc->msg, "result");
	json_t *error = json_object_get(rpc->msg, "error");

	if (!has_id || (result == NULL) == (error == NULL) ||
	    (error != NULL && !json_is_object(error))) {
		rpc_invalid(rpc, LEJR_RPC_INVALID_REQUEST, 400,
			    "Invalid request: a message needs a method, or "
			    "an id with a result or an error");
		return;
	}
	rpc->kind = LEJR_RPC_RESPONSE;
	rpc->result = result != NULL ? result : error;
	rpc->is_error = error != NULL;
}

/* The most numbers past what lejr holds that one body is read past. */
#define UNHOLDABLE_MAX 16

/*
 * Valid JSON that lejr does not hold as sent, an escaped NUL in a
 * string or a number past 64 bits, is not a parse error.  Read it again
 * with NULs allowed and each such number written over as "0.5" (jansson
 * says where it ends; an id of 0.5 is refused as any real is), only to
 * classify the message and find its id.  NULL when it is not JSON after
 * all; *err then says why.
 */
static json_t *
load_unholdable(const char *body, size_t len, json_error_t *err)
{
	static const char number[] = "0123456789+-.eE";
	char *copy = NULL;
	json_t *msg = NULL;
	size_t start, end;

	for (int i = 0; i < UNHOLDABLE_MAX && msg == NULL; i++) {
		if (json_error_code(err) == json_error_numeric_overflow) {
			if (copy == NULL && (copy = malloc(len)) != NULL)
				memcpy(copy, body, len);
			end = (size_t)err->position;
			if (copy == NULL || end > len)
				break;
			start = end;
			while (start > 0 && copy[start - 1] != '\0' &&
			       strchr(number, copy[start - 1]) != NULL)
				start--;
			if (end - start < 3)  /* none is this short */
				break;
			memset(copy + start, ' ', end - start);
			memcpy(copy + start, "0.5", 3);
		} else if (json_error_code(err) != json_error_null_character) {
			break;
		}
		msg = json_loadb(copy != NULL ? copy : body, len,
				 JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL |
				 JSON_DECODE_ANY, err);
	}
	free(copy);
	return msg;
}

/*
 * A message load_unholdable read, once classified: a request is
 * answered invalid params, to its id; a message already invalid keeps
 * its answer; a notification or a response, which are not answered,
 * gets the parse error its first reading gave, as does a request
 * whose id holds the NUL.
 */
static void
rpc_unholdable(struct lejr_rpc *rpc, const json_error_t *first)
{
	char msg[sizeof(rpc->message)];
	const char *id;

	if (rpc->kind == LEJR_RPC_INVALID)
		return;
	/* an id holding a NUL could not be answered as it came */
	id = json_string_value(rpc->id);
	if (rpc->kind != LEJR_RPC_REQUEST ||
	    (id != NULL && strlen(id) != json_string_length(rpc->id))) {
		lejr_rpc_clear(rpc);
		rpc_load_error(rpc, first);
		return;
	}
	snprintf(msg, sizeof(msg), "Invalid params: %s (near byte %d); lejr "
		 "takes no \\u0000 in strings and no number past 64 bits",
		 json_error_code(first) == json_error_null_character ?
		 "a string holds \\u0000" : "a number is too large",
		 first->position);
	rpc_invalid(rpc, LEJR_RPC_INVALID_PARAMS, 200, msg);
}

/* What out->msg is: a request, a notification, a response, or invalid
 * with the answer it gets. */
static void
rpc_classify(struct lejr_rpc *out)
{
	json_t *version, *id, *method;
	int has_id;

	if (json_is_array(out->msg)) {
		rpc_invalid(out, LEJR_RPC_INVALID_REQUEST, 400,
			    "Invalid request: batches are not supported; "
			    "send one message per request");
		return;
	}
	if (!json_is_object(out->msg)) {
		rpc_invalid(out, LEJR_RPC_INVALID_REQUEST, 400,
			    "Invalid request: the body must be a JSON-RPC "
			    "object");
		return;
	}

	id = json_object_get(out->msg, "id");
	has_id = id != NULL;
	if (has_id && !id_valid(id)) {
		rpc_invalid(out, LEJR_RPC_INVALID_REQUEST, 400,
			    "Invalid request: id must be a string or an "
			    "integer");
		return;
	}
	out->id = id;

	version = json_object_get(out->msg, "jsonrpc");
	if (!json_is_string(version) ||
	    strcmp(json_string_value(version), "2.0") != 0) {
		rpc_invalid(out, LEJR_RPC_INVALID_REQUEST, 400,
			    "Invalid request: jsonrpc must be \"2.0\"");
		return;
	}

	method = json_object_get(out->msg, "method");
	if (method != NULL)
		rpc_classify_call(out, method, id, has_id);
	else
		rpc_classify_response(out, has_id);
}

void
lejr_rpc_parse(const char *body, size_t len, struct lejr_rpc *out)
{
	json_error_t err, first;

	memset(out, 0, sizeof(*out));
	out->msg = json_loadb(body, len, JSON_REJECT_DUPLICATES |
			      JSON_DECODE_ANY, &err);
	if (out->msg != NULL) {
		rpc_classify(out);
		return;
	}

	first = err;
	out->msg = load_unholdable(body, len, &err);
	if (out->msg == NULL) {
		rpc_load_error(out, &first);
		return;
	}
	rpc_classify(out);
	rpc_unholdable(out, &first);
}

void
lejr_rpc_clear(struct lejr_rpc *rpc)
{
	json_decref(rpc->msg);
	memset(rpc, 0, sizeof(*rpc));
}

/* Dump a response object and release it. */
static char *
rpc_dump(json_t *obj, size_t *len)
{
	char *text;

	if (obj == NULL)
		return NULL;
	text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (text != NULL)
		*len = strlen(text);
	return text;
}

char *
lejr_rpc_result_text(json_t *id, json_t *result, size_t *len)
{
	json_t *obj;

	if (result == NULL)
		return NULL;

	/* "O?" writes null for a NULL id; "o" takes result even on error. */
	obj = json_pack("{s:s, s:O?, s:o}", "jsonrpc", "2.0", "id", id,
			"result", result);
	return rpc_dump(obj, len);
}

/* An integer id as decimal text into buf[24]; its length. */
static size_t
id_digits(json_int_t v, char *buf)
{
	char rev[24];
	unsigned long long mag;
	size_t n = 0, o = 0;

	mag = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	do {
		rev[n++] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag != 0);
	if (v < 0)
		buf[o++] = '-';
	while (n > 0)
		buf[o++] = rev[--n];
	return o;
}

char *
lejr_rpc_result_head(json_t *id)
{
	static const char head[] = "{\"jsonrpc\":\"2.0\",\"id\":";
	static const char mid[] = ",\"result\":";
	char digits[24], *dumped = NULL, *text;
	const char *idtext = "null";
	size_t idlen = 4, n;

	if (json_is_integer(id)) {
		idlen = id_digits(json_integer_value(id), digits);
		idtext = digits;
	} else if (id != NULL) {
		dumped = json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT);
		if (dumped == NULL)
			return NULL;
		idtext = dumped;
		idlen = strlen(dumped);
	}

	text = malloc(sizeof(head) - 1 + idlen + sizeof(mid));
	if (text != NULL) {
		n = sizeof(head) - 1;
		memcpy(text, head, n);
		memcpy(text + n, idtext, idlen);
		n += idlen;
		memcpy(text + n, mid, sizeof(mid));
	}
	free(dumped);
	return text;
}

char *
lejr_rpc_error_text(json_t *id, int code, const char *message,
		    json_t *data, size_t *len)
{
	json_t *obj;

	obj = json_pack("{s:s, s:O?, s:{s:i, s:s, s:O*}}", "jsonrpc", "2.0",
			"id", id, "error", "code", code, "message", message,
			"data", data);
	if (obj == NULL) {
		/* The message was not valid UTF-8: answer without it. */
		obj = json_pack("{s:s, s:O?, s:{s:i, s:s}}", "jsonrpc", "2.0",
				"id", id, "error", "code", code, "message",
				"error");
	}
	return rpc_dump(obj, len);
}

char *
lejr_rpc_request_text(long long id, const char *method, json_t *params,
		      size_t *len)
{
	json_t *obj;

	obj = json_pack("{s:s, s:I, s:s, s:O*}", "jsonrpc", "2.0", "id",
			(json_int_t)id, "method", method, "params", params);
	return rpc_dump(obj, len);
}

json_t *
lejr_mcp_initialize_result(int version, json_t *runtime_caps)
{
	json_t *caps, *res;

	caps = json_pack("{s:{}}", "logging");
	if (caps == NULL) {
		json_decref(runtime_caps);
		return NULL;
	}
	if (json_is_object(runtime_caps))
		json_object_update(caps, runtime_caps);
	json_decref(runtime_caps);

	if (version < 0 || version >= LEJR_MCP_NVERSIONS)
		version = 0;
	res = json_pack("{s:s, s:o, s:{s:s, s:s, s:s}, s:s}",
			"protocolVersion", lejr_mcp_versions[version],
			"capabilities", caps,
			"serverInfo", "name", "lejrd", "title",
			"Lejr accounting ledger", "version", PACKAGE_VERSION,
			"instructions", instructions);
	return res;
}

/*
 * http.c - lejrd's HTTP server: set-up and shutdown, routing, Host and
 * Origin checks, CORS, bearer authentication, the protected-resource
 * metadata, sessions for GET and DELETE, and the periodic sweep.
 * POST /api/mcp is in rpc.c; the OAuth authorization server in
 * oauth.c, https in tls.c.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>

#include "defer.h"
#include "http-internal.h"
#include "http.h"
#include "log.h"
#include "oauth-policy.h"
#include "oauth.h"
#include "tls.h"
#include "web.h"

#define MCP_PATH "/api/mcp"
#define PRM_PATH "/.well-known/oauth-protected-resource"
#define MCP_METHODS "GET, POST, DELETE, OPTIONS"

/* ---- answers ---- */

static void
free_body(const void *data, size_t len, void *arg)
{
	free((void *)data);
}

void
lejr_http_reply_json(struct evhttp_request *req, int status, char *text,
		     size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	evhttp_add_header(h, "Content-Type", "application/json");
	if (text != NULL &&
	    evbuffer_add_reference(out, text, len, free_body, NULL) < 0)
		free(text);
	evhttp_send_reply(req, status, NULL, NULL);
}

void
lejr_http_reply_rpc_error(struct evhttp_request *req, int status,
			  json_t *id, int code, const char *message)
{
	size_t len = 0;
	char *text = lejr_rpc_error_text(id, code, message, NULL, &len);

	lejr_http_reply_json(req, status, text, len);
}

void
lejr_http_reply_accepted(struct evhttp_request *req)
{
	evhttp_send_reply(req, 202, "Accepted", NULL);
}

/* A JSON {"error", "error_description"} answer, the OAuth shape. */
static void
reply_error(struct evhttp_request *req, int status, const char *error,
	    const char *description)
{
	json_t *obj;
	char *text = NULL;

	obj = json_pack("{s:s, s:s}", "error", error, "error_description",
			description);
	if (obj != NULL)
		text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	lejr_http_reply_json(req, status, text, text != NULL ?
			     strlen(text) : 0);
}

/* 405 with the methods the endpoint takes. */
static void
reply_not_allowed(struct evhttp_request *req, const char *allow)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
			  allow);
	reply_error(req, 405, "method_not_allowed",
		    "this method is not served here");
}

/* 401 with the discovery challenge (RFC 9728 section 5.1). */
static void
reply_unauthorized(struct lejr_server *srv, struct evhttp_request *req,
		   int bad_token)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char challenge[700];

	if (bad_token)
		snprintf(challenge, sizeof(challenge),
			 "Bearer error=\"invalid_token\", "
			 "resource_metadata=\"%s\", scope=\"%s\"",
			 srv->prm_url, lejr_oauth_scopes_all());
	else
		snprintf(challenge, sizeof(challenge),
			 "Bearer resource_metadata=\"%s\", scope=\"%s\"",
			 srv->prm_url, lejr_oauth_scopes_all());
	evhttp_add_header(h, "WWW-Authenticate", challenge);
	evhttp_add_header(h, "Cache-Control", "no-store");

	if (bad_token)
		reply_error(req, 401, "invalid_token",
			    "the access token is unknown, expired or "
			    "revoked");
	else
		reply_error(req, 401, "unauthorized",
			    "send an access token: Authorization: Bearer "
			    "<token>");
}

/* ---- authentication ---- */

/* Fill *p for the request, or answer 401 and return -1. */
static int
authenticate(struct lejr_server *srv, struct evhttp_request *req,
	     struct ledger_principal *p)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	char token[512];
	int rc;

	memset(p, 0, sizeof(*p));
	if (srv->cfg->auth_none) {
		if (lejr_runtime_anonymous(srv->rt, p) == LEJR_OK)
			return 0;
		lejr_http_reply_rpc_error(req, 500, NULL,
					  LEJR_RPC_INTERNAL_ERROR,
					  "Internal error: no principal");
		return -1;
	}

	/* The header only: a token in the query string is never read. */
	rc = lejr_bearer_token(evhttp_find_header(h, "Authorization"), token,
			       sizeof(token));
	if (rc == 0) {
		reply_unauthorized(srv, req, 0);
		return -1;
	}
	if (rc > 0)
		rc = lejr_runtime_authenticate(srv->rt, token, p) == LEJR_OK ?
		     1 : -1;

	/* An OAuth token issued for another resource (RFC 8707), such as
	 * this server under a public URL it no longer has. */
	if (rc > 0 && p->connection_id != 0 &&
	    strcmp(p->audience, srv->resource) != 0) {
		ledger_principal_free(p);
		rc = -1;
	}
	if (rc < 0) {
		lejr_log(LEJR_LOG_INFO, "refused a bearer token from %s",
			 evhttp_request_get_host(req) != NULL ?
			 evhttp_request_get_host(req) : "?");
		memset(p, 0, sizeof(*p));
		reply_unauthorized(srv, req, 1);
		return -1;
	}
	return 0;
}

/* ---- sessions ---- */

void
lejr_http_session_end(struct lejr_server *srv, struct lejr_session *s)
{
	struct lejr_job *job;

	for (job = s->jobs; job != NULL; job = job->snext)
		lejr_job_cancel(job);

	while (s->streams != NULL) {
		struct lejr_stream *st = s->streams;

		lejr_stream_detach(st);
		lejr_stream_unlist(st);
	}
	lejr_session_remove(&srv->sessions, s);
}

struct lejr_session *
lejr_http_session_for(struct lejr_server *srv, struct evhttp_request *req,
		      const struct ledger_principal *p)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *id = evhttp_find_header(h, "Mcp-Session-Id");
	const char *pv = evhttp_find_header(h, "MCP-Protocol-Version");
	struct lejr_session *s;

	if (id == NULL) {
		lejr_http_reply_rpc_error(req, 400, NULL,
					  LEJR_RPC_SERVER_ERROR,
					  "Bad Request: Mcp-Session-Id header "
					  "is required; send initialize "
					  "first");
		return NULL;
	}

	s = lejr_session_find(&srv->sessions, id);
	if (s == NULL || s->user_id != p->user_id) {
		lejr_http_reply_rpc_error(req, 404, NULL, LEJR_RPC_NO_SESSION,
					  "Session not found; initialize a "
					  "new one");
		return NULL;
	}

	/* Absent means 2025-03-26; only a revision we speak passes. */
	if (pv != NULL && lejr_mcp_version_index(pv) < 0) {
		lejr_http_reply_rpc_error(req, 400, NULL,
					  LEJR_RPC_SERVER_ERROR,
					  "Bad Request: unsupported "
					  "MCP-Protocol-Version");
		return NULL;
	}

	s->last_used = time(NULL);
	return s;
}

/* Answer a GET with a stream of session s that only ends with the
 * connection or the session: the session's own (main) or a spare. */
static void
mcp_get_open(struct lejr_server *srv, struct evhttp_request *req,
	     struct lejr_session *s, int main_stream)
{
	struct lejr_stream *st = lejr_stream_new(s, 0);

	if (st == NULL) {
		lejr_http_reply_rpc_error(req, 500, NULL,
					  LEJR_RPC_INTERNAL_ERROR,
					  "Internal error: out of memory");
		return;
	}
	st->standalone = 1;
	if (main_stream)
		s->standalone = st;
	lejr_stream_open(st, req, s->id, main_stream &&
			 lejr_mcp_version_resumable(s->version));
	lejr_stream_unref(st); /* the session's list keeps it */
}

/* GET /api/mcp: open the session's standalone stream, or resume one
 * with Last-Event-ID. */
static void
mcp_get(struct lejr_server *srv, struct evhttp_request *req,
	const struct ledger_principal *p)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *accept = evhttp_find_header(h, "Accept");
	const char *last = evhttp_find_header(h, "Last-Event-ID");
	struct lejr_session *s;
	struct lejr_stream *st;
	unsigned no, seq;

	if (accept == NULL || !(lejr_mcp_accept(accept) & LEJR_ACCEPT_SSE)) {
		reply_not_allowed(req, MCP_METHODS);
		return;
	}
	s = lejr_http_session_for(srv, req, p);
	if (s == NULL)
		return;

	if (last != NULL && lejr_sse_parse_id(last, &no, &seq) == 0 &&
	    (st = lejr_stream_find(s, no)) != NULL) {
		lejr_stream_resume(st, req, s->id, seq);
		return;
	}
	if (last != NULL) {
		/* Its stream was delivered and forgotten: nothing more will
		 * come, and a stream that ended would only bring the client
		 * back.  Hold one open, as a quiet GET stream. */
		mcp_get_open(srv, req, s, 0);
		return;
	}

	if (s->standalone != NULL && s->standalone->req != NULL) {
		lejr_http_reply_rpc_error(req, 409, NULL,
					  LEJR_RPC_SERVER_ERROR,
					  "Conflict: this session already has "
					  "a GET stream open");
		return;
	}
	if (s->standalone != NULL)
		lejr_stream_unlist(s->standalone);
	mcp_get_open(srv, req, s, 1);
}

/* DELETE /api/mcp: end the session. */
static void
mcp_delete(struct lejr_server *srv, struct evhttp_request *req,
	   const struct ledger_principal *p)
{
	struct lejr_session *s = lejr_http_session_for(srv, req, p);

	if (s == NULL)
		return;
	lejr_log(LEJR_LOG_INFO, "session %.8s... ended by the client", s->id);
	lejr_http_session_end(srv, s);
	evhttp_send_reply(req, 204, "No Content", NULL);
}

/* ---- routing ---- */

/* CORS headers for an allowed Origin on /api/mcp. */
static void
cors_headers(struct evhttp_request *req, const char *origin)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Access-Control-Allow-Origin", origin);
	evhttp_add_header(h, "Access-Control-Expose-Headers",
			  "Mcp-Session-Id, WWW-Authenticate");
	evhttp_add_header(h, "Vary", "Origin");
}

/* OPTIONS /api/mcp: a CORS preflight. */
static void
mcp_options(struct evhttp_request *req, const char *origin)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Allow", MCP_METHODS);
	if (origin != NULL) {
		evhttp_add_header(h, "Access-Control-Allow-Methods",
				  MCP_METHODS);
		evhttp_add_header(h, "Access-Control-Allow-Headers",
				  "Authorization, Content-Type, Accept, "
				  "Mcp-Session-Id, MCP-Protocol-Version, "
				  "Last-Event-ID");
		evhttp_add_header(h, "Access-Control-Max-Age", "600");
	}
	evhttp_send_reply(req, 204, "No Content", NULL);
}

/* Everything under /api/mcp. */
static void
route_mcp(struct lejr_server *srv, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *origin = evhttp_find_header(h, "Origin");
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct ledger_principal p;

	if (origin != NULL && !lejr_origin_allowed(&srv->policy, origin)) {
		lejr_log(LEJR_LOG_NOTICE, "refused Origin %.100s", origin);
		reply_error(req, 403, "forbidden", "Origin not allowed");
		return;
	}
	if (origin != NULL)
		cors_headers(req, origin);

	if (cmd == EVHTTP_REQ_OPTIONS) {
		mcp_options(req, origin);
		return;
	}
	if (cmd != EVHTTP_REQ_POST && cmd != EVHTTP_REQ_GET &&
	    cmd != EVHTTP_REQ_DELETE) {
		reply_not_allowed(req, MCP_METHODS);
		return;
	}

	if (authenticate(srv, req, &p) < 0)
		return;

	switch (cmd) {
	case EVHTTP_REQ_POST:
		lejr_rpc_post(srv, req, &p); /* takes p */
		return;
	case EVHTTP_REQ_GET:
		mcp_get(srv, req, &p);
		break;
	default:
		mcp_delete(srv, req, &p);
		break;
	}
	ledger_principal_free(&p);
}

/* The protected-resource metadata (RFC 9728), same at both URLs. */
static void
route_prm(struct lejr_server *srv, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	char *text;

	evhttp_add_header(h, "Access-Control-Allow-Origin", "*");
	if (cmd == EVHTTP_REQ_OPTIONS) {
		evhttp_add_header(h, "Access-Control-Allow-Methods", "GET");
		evhttp_add_header(h, "Access-Control-Allow-Headers",
				  "MCP-Protocol-Version");
		evhttp_send_reply(req, 204, "No Content", NULL);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		reply_not_allowed(req, "GET, HEAD, OPTIONS");
		return;
	}

	text = malloc(srv->prm_len);
	if (text != NULL)
		memcpy(text, srv->prm_doc, srv->prm_len);
	evhttp_add_header(h, "Cache-Control", "max-age=300");
	lejr_http_reply_json(req, 200, text, text != NULL ? srv->prm_len : 0);
}

/* How many times the request names a header (RFC 9112 allows one Host,
 * and two could be read differently by a proxy and by us). */
static int
header_count(struct evkeyvalq *h, const char *name)
{
	struct evkeyval *kv;
	int n = 0;

	TAILQ_FOREACH(kv, h, next)
		if (evutil_ascii_strcasecmp(kv->key, name) == 0)
			n++;
	return n;
}

static void
route(struct evhttp_request *req, void *arg)
{
	struct lejr_server *srv = arg;
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;

	if (path == NULL)
		path = "";

	if (header_count(h, "Host") > 1) {
		reply_error(req, 400, "bad_request", "one Host header, please");
		return;
	}
	/* DNS rebinding: only our own names reach us. */
	if (!lejr_host_allowed(&srv->policy, evhttp_find_header(h, "Host"))) {
		lejr_log(LEJR_LOG_NOTICE, "refused Host %.100s",
			 evhttp_find_header(h, "Host") != NULL ?
			 evhttp_find_header(h, "Host") : "(none)");
		reply_error(req, 403, "forbidden", "Host not allowed");
		return;
	}
	if (srv->stopping) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Connection", "close");
		reply_error(req, 503, "unavailable",
			    "the server is shutting down");
		return;
	}

	if (strcmp(path, MCP_PATH) == 0 || strcmp(path, MCP_PATH "/") == 0)
		route_mcp(srv, req);
	else if (strcmp(path, PRM_PATH) == 0 ||
		 strcmp(path, PRM_PATH MCP_PATH) == 0)
		route_prm(srv, req);
	else if (lejr_oauth_path_ours(path))
		lejr_oauth_route(srv, req, path);
	else if (lejr_web_path_ours(path))
		lejr_web_route(srv, req, path);
	else
		reply_error(req, 404, "not_found", "no such resource");
}

/* ---- the periodic sweep ---- */

/* Is a session unused: no calls running and no stream attached? */
static int
session_idle(struct lejr_session *s)
{
	struct lejr_stream *st;

	if (s->jobs != NULL)
		return 0;
	for (st = s->streams; st != NULL; st = st->next)
		if (st->req != NULL)
			return 0;
	return 1;
}

/* Keep streams alive, drop the ones nobody came back for. */
static void
sweep_streams(struct lejr_session *s, time_t now)
{
	struct lejr_stream *st, *next;

	for (st = s->streams; st != NULL; st = next) {
		next = st->next;
		if (st->req != NULL) {
			lejr_stream_keepalive(st);
			s->last_used = now;
		} else if (st->refs == 1 &&
			   now - st->idle_since > LEJR_HTTP_STREAM_KEEP) {
			lejr_stream_unlist(st);
		}
	}
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lejr_server *srv = arg;
	time_t now = time(NULL);

	for (size_t i = 0; i < srv->sessions.nbuckets; i++) {
		struct lejr_session *s = srv->sessions.buckets[i], *next;

		for (; s != NULL; s = next) {
			next = s->hnext;
			sweep_streams(s, now);
			if (session_idle(s) &&
			    now - s->last_used > srv->cfg->session_idle) {
				lejr_log(LEJR_LOG_INFO, "session %.8s... "
					 "expired", s->id);
				lejr_http_session_end(srv, s);
			}
		}
	}
}

/* ---- start and stop ---- */

/* Cancel every call still running (shutdown deadline). */
static void
cancel_all(struct lejr_server *srv)
{
	for (size_t i = 0; i < srv->sessions.nbuckets; i++) {
		struct lejr_session *s = srv->sessions.buckets[i];

		for (; s != NULL; s = s->hnext)
			for (struct lejr_job *j = s->jobs; j; j = j->snext)
				lejr_job_cancel(j);
	}
}

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lejr_server *srv = arg;
	time_t waited = time(NULL) - srv->stop_started;

	if (srv->njobs == 0 || waited >= LEJR_HTTP_STOP_WAIT + 2) {
		event_base_loopexit(srv->base, NULL);
		return;
	}
	if (waited >= LEJR_HTTP_STOP_WAIT)
		cancel_all(srv);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct lejr_server *srv = arg;
	struct timeval tv = { 0, 100000 };

	if (srv->stopping)
		return;
	lejr_log(LEJR_LOG_NOTICE, "signal %d: stopping, %zu call(s) running",
		 (int)sig, srv->njobs);
	srv->stopping = 1;
	srv->stop_started = time(NULL);

	/* Stop accepting, end the streams that never end by themselves. */
	if (srv->sock != NULL)
		evhttp_del_accept_socket(srv->http, srv->sock);
	srv->sock = NULL;
	for (size_t i = 0; i < srv->sessions.nbuckets; i++) {
		struct lejr_session *s = srv->sessions.buckets[i];

		for (; s != NULL; s = s->hnext)
			for (struct lejr_stream *st = s->streams; st != NULL;
			     st = st->next)
				if (st->standalone)
					lejr_stream_detach(st);
	}

	srv->stop_ev = event_new(srv->base, -1, EV_PERSIST, stop_cb, srv);
	if (srv->stop_ev == NULL || event_add(srv->stop_ev, &tv) < 0)
		event_base_loopexit(srv->base, NULL);
}

/* Build the URLs we emit and the metadata document. */
static int
server_urls(struct lejr_server *srv)
{
	const struct lejr_config *cfg = srv->cfg;
	json_t *doc;

	if (lejr_url_parse(cfg->public_url, &srv->policy.pub) < 0) {
		lejr_log(LEJR_LOG_ERROR, "public_url %s is not an http(s) "
			 "URL", cfg->public_url);
		return -1;
	}
	srv->policy.port = cfg->port;
	srv->policy.origins = cfg->origins;
	srv->policy.norigins = cfg->norigins;

	snprintf(srv->resource, sizeof(srv->resource), "%s%s",
		 cfg->public_url, MCP_PATH);
	snprintf(srv->prm_url, sizeof(srv->prm_url), "%s%s%s",
		 cfg->public_url, PRM_PATH, MCP_PATH);

	/* lejrd is its own authorization server; its issuer is the public
	 * URL exactly, without a trailing slash (RFC 8414 section 3). */
	doc = json_pack("{s:s, s:[s], s:[s], s:[s, s], s:s}",
			"resource", srv->resource,
			"authorization_servers", cfg->public_url,
			"bearer_methods_supported", "header",
			"scopes_supported", LEJR_OAUTH_SCOPE_READ,
			LEJR_OAUTH_SCOPE_WRITE,
			"resource_name", "Lejr accounting ledger");
	if (doc == NULL)
		return -1;
	srv->prm_doc = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (srv->prm_doc == NULL)
		return -1;
	srv->prm_len = strlen(srv->prm_doc);
	return 0;
}

/* Create the base, the HTTP server and the loop's events. */
static int
server_setup(struct lejr_server *srv)
{
	const struct lejr_config *cfg = srv->cfg;
	struct timeval tick = { LEJR_HTTP_TICK, 0 };
	evutil_socket_t fd;
	int one = 1;

	srv->base = event_base_new();
	srv->http = srv->base != NULL ? evhttp_new(srv->base) : NULL;
	if (srv->http == NULL)
		return -1;

	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET |
				   EVHTTP_REQ_POST | EVHTTP_REQ_DELETE |
				   EVHTTP_REQ_OPTIONS | EVHTTP_REQ_HEAD |
				   EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH);
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)cfg->max_body);
	evhttp_set_max_headers_size(srv->http, LEJR_HTTP_MAX_HEADERS);
	evhttp_set_timeout(srv->http, LEJR_HTTP_TIMEOUT);
	evhttp_set_default_content_type(srv->http, NULL);
	evhttp_set_gencb(srv->http, route, srv);
	if (lejr_tls_setup(srv) < 0)
		return -1;

	srv->sock = evhttp_bind_socket_with_handle(srv->http, cfg->listen,
						   (ev_uint16_t)cfg->port);
	if (srv->sock == NULL) {
		lejr_log(LEJR_LOG_ERROR, "cannot listen on %s port %d",
			 cfg->listen, cfg->port);
		return -1;
	}

	/* Accepted sockets inherit it (Linux): a response larger than one
	 * segment must not wait for the client's delayed ACK. */
	fd = evhttp_bound_socket_get_fd(srv->sock);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	srv->mailbox_ev = event_new(srv->base, -1, 0, lejr_mailbox_cb, srv);
	srv->tick_ev = event_new(srv->base, -1, EV_PERSIST, tick_cb, srv);
	srv->sig_ev[0] = evsignal_new(srv->base, SIGTERM, signal_cb, srv);
	srv->sig_ev[1] = evsignal_new(srv->base, SIGINT, signal_cb, srv);
	if (srv->mailbox_ev == NULL || srv->tick_ev == NULL ||
	    srv->sig_ev[0] == NULL || srv->sig_ev[1] == NULL ||
	    event_add(srv->tick_ev, &tick) < 0 ||
	    event_add(srv->sig_ev[0], NULL) < 0 ||
	    event_add(srv->sig_ev[1], NULL) < 0)
		return -1;
	return 0;
}

/* Free everything; the workers are stopped. */
static void
server_free(struct lejr_server *srv)
{
	/* Deliver what the workers left, then flush it. */
	if (srv->mailbox_ev != NULL)
		lejr_mailbox_cb(-1, 0, srv);
	if (srv->base != NULL)
		event_base_loop(srv->base, EVLOOP_NONBLOCK);

	if (srv->sessions.buckets != NULL)
		for (size_t i = 0; i < srv->sessions.nbuckets; i++)
			while (srv->sessions.buckets[i] != NULL)
				lejr_http_session_end(srv,
						      srv->sessions.buckets[i]);
	lejr_session_table_free(&srv->sessions);

	for (int i = 0; i < 2; i++)
		if (srv->sig_ev[i] != NULL)
			event_free(srv->sig_ev[i]);
	if (srv->stop_ev != NULL)
		event_free(srv->stop_ev);
	if (srv->tick_ev != NULL)
		event_free(srv->tick_ev);
	if (srv->mailbox_ev != NULL)
		event_free(srv->mailbox_ev);
	if (srv->http != NULL)
		evhttp_free(srv->http);
	lejr_tls_free(srv);
	lejr_oauth_stop(srv);
	if (srv->base != NULL)
		event_base_free(srv->base);
	free(srv->prm_doc);
	pthread_mutex_destroy(&srv->work_lock);
	for (int i = 0; i < LEJR_LANES; i++)
		pthread_cond_destroy(&srv->lanes[i].cond);
	pthread_mutex_destroy(&srv->mb_lock);
}

int
lejr_http_run(const struct lejr_config *cfg, struct lejr_runtime *rt)
{
	struct lejr_server srv;
	int rc = -1;

	memset(&srv, 0, sizeof(srv));
	srv.cfg = cfg;
	srv.rt = rt;
	pthread_mutex_init(&srv.work_lock, NULL);
	for (int i = 0; i < LEJR_LANES; i++) {
		srv.lanes[i].srv = &srv;
		srv.lanes[i].kind = i;
		pthread_cond_init(&srv.lanes[i].cond, NULL);
	}
	pthread_mutex_init(&srv.mb_lock, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (evthread_use_pthreads() < 0 || server_urls(&srv) < 0 ||
	    lejr_oauth_start(&srv) < 0 ||
	    lejr_session_table_init(&srv.sessions) < 0 ||
	    server_setup(&srv) < 0)
		goto out;
	lejr_web_init();
	if (lejr_workers_start(&srv) < 0 || lejr_defer_start(&srv) < 0)
		goto stop;

	lejr_log(LEJR_LOG_NOTICE, "lejrd listening on %s port %d, "
		 "%d worker(s), %d for writes and %d for long calls",
		 cfg->listen, cfg->port, cfg->workers, cfg->write_workers,
		 cfg->long_workers);
	lejr_log(LEJR_LOG_NOTICE, "MCP endpoint %s%s", srv.resource,
		 cfg->auth_none ? " (auth = none: no token needed)" : "");

	event_base_dispatch(srv.base);
	rc = 0;
stop:
	lejr_workers_stop(&srv);
	lejr_defer_stop(&srv);
out:
	server_free(&srv);
	lejr_runtime_thread_done(rt);
	if (rc == 0)
		lejr_log(LEJR_LOG_NOTICE, "lejrd stopped");
	return rc;
}

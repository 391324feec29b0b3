/*
 * oauth.c - the authorization server's JSON endpoints: metadata
 * (RFC 8414), dynamic client registration (RFC 7591), the token
 * endpoint (authorization_code with PKCE, refresh_token with rotation)
 * and revocation (RFC 7009); and the routing of /authorize to its pages
 * in oauth-authorize.c.
 *
 * Requests are read and checked on the loop thread; the database work
 * runs on a deferral thread (defer.h) and the answer comes back to the
 * loop.  These endpoints take no cookies, so any origin may call them
 * (CORS "*"), which browser-based clients such as MCP Inspector need.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "defer.h"
#include "http-internal.h"
#include "log.h"
#include "oauth-internal.h"
#include "oauth-policy.h"
#include "oauth.h"

#define BODY_MAX 65536 /* largest registration, token or revoke body */
#define ID_MAX 128     /* longest client_id we read from Basic */
#define RATE_WINDOW 3600

/* Registrations counted per address, in one-hour windows. */
struct rate_slot {
	char addr[64];
	time_t start;
	int count;
};

struct lejr_oauth {
	char *meta; /* the authorization server metadata, JSON text */
	size_t meta_len;
	struct rate_slot slots[LEJR_OAUTH_RATE_SLOTS];
};

/* ---- answers ---- */

/* Answer obj (stolen) as JSON with status. */
static void
reply_obj(struct evhttp_request *req, int status, json_t *obj)
{
	char *text = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	lejr_http_reply_json(req, status, text, text ? strlen(text) : 0);
}

static void
no_store(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "Pragma", "no-cache");
}

/* An OAuth error answer (RFC 6749 section 5.2). */
static void
reply_error(struct evhttp_request *req, int status, const char *error,
	    const char *description)
{
	no_store(req);
	reply_obj(req, status, json_pack("{s:s, s:s}", "error", error,
					 "error_description", description));
}

/* Any origin: nothing here rides on cookies. */
static void
cors(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Access-Control-Allow-Origin", "*");
	evhttp_add_header(h, "Access-Control-Expose-Headers",
			  "WWW-Authenticate");
}

static void
preflight(struct evhttp_request *req, const char *methods)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Allow", methods);
	evhttp_add_header(h, "Access-Control-Allow-Methods", methods);
	evhttp_add_header(h, "Access-Control-Allow-Headers",
			  "Authorization, Content-Type, MCP-Protocol-Version");
	evhttp_add_header(h, "Access-Control-Max-Age", "600");
	evhttp_send_reply(req, 204, "No Content", NULL);
}

static void
not_allowed(struct evhttp_request *req, const char *methods)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
			  methods);
	reply_error(req, 405, "invalid_request",
		    "this method is not served here");
}

/* ---- request helpers ---- */

/* The request body as text (NUL-terminated copy), or NULL after
 * answering 413. */
static char *
read_body(struct evhttp_request *req, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	char *text;

	*len = evbuffer_get_length(in);
	if (*len > BODY_MAX) {
		reply_error(req, 413, "invalid_request", "the body is too "
			    "large");
		return NULL;
	}
	text = malloc(*len + 1);
	if (text == NULL) {
		reply_error(req, 500, "server_error", "out of memory");
		return NULL;
	}
	evbuffer_copyout(in, text, *len);
	text[*len] = '\0';
	return text;
}

/* Does the request's Content-Type name mime (parameters allowed)? */
static int
content_type_is(struct evhttp_request *req, const char *mime)
{
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(
					    req), "Content-Type");
	size_t n = strlen(mime);

	if (ct == NULL)
		return 0;
	ct += strspn(ct, " ");
	return strncasecmp(ct, mime, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/*
 * The address a request came from.  Behind a reverse proxy on this
 * host the peer is loopback: then the last X-Forwarded-For entry, the
 * one our proxy added, is the client's.
 */
static void
peer_address(struct evhttp_request *req, char *buf, size_t len)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	const char *xff, *last;
	char *addr = NULL;
	ev_uint16_t port = 0;

	if (conn != NULL)
		evhttp_connection_get_peer(conn, &addr, &port);
	snprintf(buf, len, "%s", addr != NULL ? addr : "");

	xff = evhttp_find_header(evhttp_request_get_input_headers(req),
				 "X-Forwarded-For");
	if (xff == NULL || !lejr_host_is_loopback(buf, strlen(buf)))
		return;
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	last += strspn(last, " ");
	snprintf(buf, len, "%.*s", (int)strcspn(last, " "), last);
}

/* Count a registration from addr; 0 when within the limit. */
static int
rate_take(struct lejr_oauth *o, const char *addr, int limit, time_t now)
{
	struct rate_slot *slot = NULL, *oldest = &o->slots[0];

	for (size_t i = 0; i < LEJR_OAUTH_RATE_SLOTS; i++) {
		struct rate_slot *s = &o->slots[i];

		if (s->start != 0 && strcmp(s->addr, addr) == 0) {
			slot = s;
			break;
		}
		if (s->start < oldest->start)
			oldest = s;
	}
	if (slot == NULL || now - slot->start >= RATE_WINDOW) {
		slot = slot != NULL ? slot : oldest;
		snprintf(slot->addr, sizeof(slot->addr), "%s", addr);
		slot->start = now;
		slot->count = 0;
	}
	if (slot->count >= limit)
		return -1;
	slot->count++;
	return 0;
}

/* ---- metadata ---- */

static void
metadata_get(struct lejr_server *srv, struct evhttp_request *req)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	char *text;

	cors(req);
	if (cmd == EVHTTP_REQ_OPTIONS) {
		preflight(req, "GET, HEAD, OPTIONS");
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		not_allowed(req, "GET, HEAD, OPTIONS");
		return;
	}

	text = malloc(srv->oauth->meta_len);
	if (text != NULL)
		memcpy(text, srv->oauth->meta, srv->oauth->meta_len);
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Cache-Control", "max-age=300");
	lejr_http_reply_json(req, 200, text, text ? srv->oauth->meta_len : 0);
}

/* ---- registration ---- */

struct reg_job {
	json_t *meta;   /* checked metadata, owned */
	enum ledger_oauth_auth auth;
	json_t *answer; /* the registration answer, or NULL on failure */
};

static void
register_work(void *arg, sqlite3 *db)
{
	struct reg_job *j = arg;
	struct ledger_oauth_client c;
	struct lejr_error err = { 0 };
	char secret[LEJR_TOKEN_MAX + 1];
	const char *name;
	int swept = 0;

	if (db == NULL)
		return;

	/* Clients that never obtained a token go after a day. */
	if (ledger_oauth_client_sweep(db, (int64_t)time(NULL) -
				      LEJR_OAUTH_UNUSED_TTL, &swept, &err) !=
	    LEJR_OK)
		lejr_log(LEJR_LOG_ERROR, "oauth: cleaning up clients: %s",
			 err.msg);
	else if (swept > 0)
		lejr_log(LEJR_LOG_INFO, "oauth: removed %d client(s) that "
			 "never obtained a token", swept);

	name = json_string_value(json_object_get(j->meta, "client_name"));
	if (ledger_oauth_client_create(db, j->meta, j->auth, name, &c, secret,
				       &err) != LEJR_OK) {
		lejr_log(LEJR_LOG_ERROR, "oauth: registering a client: %s",
			 err.msg);
		return;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	lejr_log(LEJR_LOG_INFO, "oauth: registered client %s (%.80s, %s)",
		 c.client_id, name != NULL ? name : "unnamed",
		 ledger_oauth_auth_name(c.auth));
	j->answer = json_incref(c.metadata);
	ledger_oauth_client_clear(&c);
}

static void
register_done(struct lejr_server *srv, struct evhttp_request *req,
	      void *arg, int ran)
{
	struct reg_job *j = arg;

	if (!ran)
		reply_error(req, 503, "temporarily_unavailable",
			    "the server is shutting down");
	else if (j->answer == NULL)
		reply_error(req, 500, "server_error",
			    "the client could not be registered");
	else {
		no_store(req);
		reply_obj(req, 201, j->answer);
		j->answer = NULL;
	}
	json_decref(j->meta);
	json_decref(j->answer);
	free(j);
}

/* Check and queue a registration; answers what it refuses. */
static void
register_start(struct lejr_server *srv, struct evhttp_request *req,
	       json_t *body)
{
	struct reg_job *j;
	const char *auth, *error;
	char msg[400];
	json_t *meta;

	meta = lejr_oauth_client_metadata(body, &auth, &error, msg,
					  sizeof(msg));
	if (meta == NULL) {
		lejr_log(LEJR_LOG_INFO, "oauth: registration refused: %s",
			 msg);
		reply_error(req, 400, error, msg);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		json_decref(meta);
		reply_error(req, 500, "server_error", "out of memory");
		return;
	}
	j->meta = meta;
	j->auth = (enum ledger_oauth_auth)ledger_oauth_auth_parse(auth);
	if (lejr_http_defer(srv, req, register_work, register_done, j) < 0) {
		json_decref(meta);
		free(j);
		reply_error(req, 503, "temporarily_unavailable",
			    "the server is busy; retry later");
	}
}

static void
register_post(struct lejr_server *srv, struct evhttp_request *req)
{
	json_error_t jerr;
	char addr[64], msg[300];
	json_t *body;
	size_t len;
	char *text;

	if (!content_type_is(req, "application/json")) {
		reply_error(req, 400, "invalid_client_metadata",
			    "send the registration as application/json");
		return;
	}
	peer_address(req, addr, sizeof(addr));
	if (rate_take(srv->oauth, addr, srv->cfg->register_limit,
		      time(NULL)) < 0) {
		lejr_log(LEJR_LOG_NOTICE, "oauth: too many registrations "
			 "from %s", addr);
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Retry-After", "3600");
		reply_error(req, 429, "too_many_requests",
			    "too many client registrations from this "
			    "address; retry in an hour");
		return;
	}

	text = read_body(req, &len);
	if (text == NULL)
		return;
	body = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (body == NULL) {
		snprintf(msg, sizeof(msg), "the body is not valid JSON: %s",
			 jerr.text);
		reply_error(req, 400, "invalid_client_metadata", msg);
		return;
	}
	register_start(srv, req, body);
	json_decref(body);
}

/* ---- token and revocation ---- */

struct token_job {
	struct lejr_form form;
	int revoke;                 /* /revoke rather than /token */
	int basic;                  /* lejr_oauth_basic's answer */
	char basic_id[ID_MAX];
	char basic_secret[ID_MAX];
	char resource[600];
	struct ledger_oauth_ttl ttl;

	/* The answer: status 0 while none. */
	int status;
	const char *error;
	char description[400];
	json_t *answer;
};

__attribute__((format(printf, 4, 5)))
static int
job_fail(struct token_job *j, int status, const char *error,
	 const char *fmt, ...)
{
	va_list ap;

	j->status = status;
	j->error = error;
	va_start(ap, fmt);
	vsnprintf(j->description, sizeof(j->description), fmt, ap);
	va_end(ap);
	return -1;
}

/* The client's identity and secret from a Basic header or the body. */
static int
client_credentials(struct token_job *j, const char **id,
		   const char **secret)
{
	const char *body_id = lejr_form_get(&j->form, "client_id");
	const char *body_secret = lejr_form_get(&j->form, "client_secret");

	*id = body_id;
	*secret = body_secret;
	if (j->basic < 0)
		return job_fail(j, 401, "invalid_client", "the Basic "
				"credentials are malformed");
	if (j->basic == 0)
		return 0;

	/* RFC 6749 section 2.3: one authentication method per request. */
	if (body_secret != NULL)
		return job_fail(j, 400, "invalid_request", "send the client "
				"secret once: in the Authorization header or "
				"in the body, not both");
	if (body_id != NULL && strcmp(body_id, j->basic_id) != 0)
		return job_fail(j, 400, "invalid_request", "client_id in the "
				"body differs from the one of the "
				"Authorization header");
	*id = j->basic_id;
	*secret = j->basic_secret;
	return 0;
}

/* Authenticate the client (RFC 6749 section 2.3) into *c. */
static int
client_authenticate(sqlite3 *db, struct token_job *j,
		    struct ledger_oauth_client *c)
{
	struct lejr_error err = { 0 };
	const char *id, *secret;
	int rc;

	if (client_credentials(j, &id, &secret) < 0)
		return -1;
	if (id == NULL)
		return job_fail(j, 401, "invalid_client", "client "
				"authentication failed: send client_id");

	rc = ledger_oauth_client_find(db, id, c, &err);
	if (rc == LEJR_ENOTFOUND)
		return job_fail(j, 401, "invalid_client", "unknown client: "
				"register it first");
	if (rc != LEJR_OK)
		return job_fail(j, 500, "server_error", "%s", err.msg);

	if (c->auth == LEDGER_OAUTH_AUTH_NONE) {
		if (secret != NULL && secret[0] != '\0')
			return job_fail(j, 401, "invalid_client", "this "
					"client is public and has no secret");
		return 0;
	}
	if (secret == NULL || secret[0] == '\0')
		return job_fail(j, 401, "invalid_client", "this client must "
				"authenticate with its client_secret");
	if (!ledger_oauth_client_secret_ok(c, secret))
		return job_fail(j, 401, "invalid_client", "client "
				"authentication failed");
	return 0;
}

/* Map a ledger refusal to the token endpoint's answer. */
static int
grant_failed(struct token_job *j, int rc, const struct lejr_error *err)
{
	if (rc == LEJR_EDENIED)
		return job_fail(j, 400, "invalid_grant", "%s", err->msg);
	return job_fail(j, 500, "server_error", "%s", err->msg);
}

static void
token_answer(struct token_job *j, struct ledger_oauth_tokens *t)
{
	j->status = 200;
	j->answer = json_pack("{s:s, s:s, s:I, s:s, s:s}",
			      "access_token", t->access_token,
			      "token_type", "Bearer",
			      "expires_in", (json_int_t)t->expires_in,
			      "refresh_token", t->refresh_token,
			      "scope", lejr_oauth_scope_text(t->access));
	OPENSSL_cleanse(t, sizeof(*t));
	if (j->answer == NULL)
		job_fail(j, 500, "server_error", "out of memory");
}

static void
grant_code(sqlite3 *db, struct token_job *j,
	   const struct ledger_oauth_client *c)
{
	const char *code = lejr_form_get(&j->form, "code");
	const char *verifier = lejr_form_get(&j->form, "code_verifier");
	struct ledger_oauth_tokens t;
	struct lejr_error err = { 0 };
	int rc;

	if (code == NULL || code[0] == '\0') {
		job_fail(j, 400, "invalid_request", "code is required");
		return;
	}
	if (verifier == NULL || verifier[0] == '\0') {
		job_fail(j, 400, "invalid_request", "code_verifier is "
			 "required: PKCE (S256) is mandatory");
		return;
	}
	rc = ledger_oauth_code_exchange(db, code, c->id,
					lejr_form_get(&j->form,
						      "redirect_uri"),
					verifier, &j->ttl, &t, &err);
	if (rc != LEJR_OK) {
		lejr_log(LEJR_LOG_INFO, "oauth: code refused for client %s: "
			 "%s", c->client_id, err.msg);
		grant_failed(j, rc, &err);
		return;
	}
	lejr_log(LEJR_LOG_INFO, "oauth: connection %lld made for client %s",
		 (long long)t.connection, c->client_id);
	token_answer(j, &t);
}

static void
grant_refresh(sqlite3 *db, struct token_job *j,
	      const struct ledger_oauth_client *c)
{
	const char *rt = lejr_form_get(&j->form, "refresh_token");
	struct ledger_oauth_tokens t;
	struct lejr_error err = { 0 };
	int rc;

	if (rt == NULL || rt[0] == '\0') {
		job_fail(j, 400, "invalid_request", "refresh_token is "
			 "required");
		return;
	}
	rc = ledger_oauth_refresh(db, rt, c->id, j->resource, &j->ttl, &t,
				  &err);
	if (rc != LEJR_OK) {
		lejr_log(LEJR_LOG_NOTICE, "oauth: refresh refused for client "
			 "%s: %s", c->client_id, err.msg);
		grant_failed(j, rc, &err);
		return;
	}
	token_answer(j, &t);
}

static void
revoke_token(sqlite3 *db, struct token_job *j,
	     const struct ledger_oauth_client *c)
{
	const char *token = lejr_form_get(&j->form, "token");
	struct lejr_error err = { 0 };

	if (token == NULL || token[0] == '\0') {
		job_fail(j, 400, "invalid_request", "token is required");
		return;
	}
	if (ledger_oauth_revoke(db, token, c->id, &err) != LEJR_OK) {
		job_fail(j, 500, "server_error", "%s", err.msg);
		return;
	}
	j->status = 200;
}

static void
token_work(void *arg, sqlite3 *db)
{
	struct token_job *j = arg;
	struct ledger_oauth_client c;
	const char *grant, *resource;

	memset(&c, 0, sizeof(c));
	if (db == NULL) {
		job_fail(j, 500, "server_error", "no database connection");
		return;
	}
	if (client_authenticate(db, j, &c) < 0)
		goto out;
	if (j->revoke) {
		revoke_token(db, j, &c);
		goto out;
	}

	grant = lejr_form_get(&j->form, "grant_type");
	resource = lejr_form_get(&j->form, "resource");
	if (grant == NULL)
		job_fail(j, 400, "invalid_request", "grant_type is required");
	else if (resource != NULL &&
		 !lejr_oauth_resource_ok(resource, j->resource))
		job_fail(j, 400, "invalid_target", "resource must be %s",
			 j->resource);
	else if (strcmp(grant, "authorization_code") == 0)
		grant_code(db, j, &c);
	else if (strcmp(grant, "refresh_token") == 0)
		grant_refresh(db, j, &c);
	else
		job_fail(j, 400, "unsupported_grant_type", "grant_type must "
			 "be authorization_code or refresh_token");
out:
	ledger_oauth_client_clear(&c);
}

static void
token_job_free(struct token_job *j)
{
	lejr_form_free(&j->form);
	json_decref(j->answer);
	OPENSSL_cleanse(j, sizeof(*j));
	free(j);
}

static void
token_done(struct lejr_server *srv, struct evhttp_request *req, void *arg,
	   int ran)
{
	struct token_job *j = arg;

	if (!ran) {
		reply_error(req, 503, "temporarily_unavailable",
			    "the server is shutting down");
	} else if (j->status == 200 && j->revoke) {
		no_store(req);
		evhttp_send_reply(req, 200, "OK", NULL);
	} else if (j->status == 200) {
		no_store(req);
		reply_obj(req, 200, j->answer);
		j->answer = NULL;
	} else {
		if (j->status == 401 && j->basic != 0)
			evhttp_add_header(evhttp_request_get_output_headers(
					  req), "WWW-Authenticate",
					  "Basic realm=\"lejr\"");
		reply_error(req, j->status, j->error, j->description);
	}
	token_job_free(j);
}

/* Read a token or revocation request and queue it. */
static void
token_post(struct lejr_server *srv, struct evhttp_request *req, int revoke)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	struct token_job *j;
	char *text;
	size_t len;

	if (!content_type_is(req, "application/x-www-form-urlencoded")) {
		reply_error(req, 400, "invalid_request", "send the request "
			    "as application/x-www-form-urlencoded");
		return;
	}
	text = read_body(req, &len);
	if (text == NULL)
		return;
	j = calloc(1, sizeof(*j));
	if (j == NULL || lejr_form_parse(text, len, &j->form) < 0) {
		free(text);
		free(j);
		reply_error(req, 400, "invalid_request", "the body is not a "
			    "valid form");
		return;
	}
	free(text);
	if (j->form.repeated != NULL) {
		char msg[200];

		snprintf(msg, sizeof(msg), "parameter %.60s is repeated",
			 j->form.repeated);
		token_job_free(j);
		reply_error(req, 400, "invalid_request", msg);
		return;
	}

	j->revoke = revoke;
	j->basic = lejr_oauth_basic(evhttp_find_header(h, "Authorization"),
				    j->basic_id, sizeof(j->basic_id),
				    j->basic_secret, sizeof(j->basic_secret));
	snprintf(j->resource, sizeof(j->resource), "%s", srv->resource);
	j->ttl.access = srv->cfg->access_token_ttl;
	j->ttl.refresh = srv->cfg->refresh_token_ttl;
	if (lejr_http_defer(srv, req, token_work, token_done, j) < 0) {
		token_job_free(j);
		reply_error(req, 503, "temporarily_unavailable",
			    "the server is busy; retry later");
	}
}

/* ---- routing ---- */

/* Is path base, or base with a trailing slash? */
static int
path_is(const char *path, const char *base)
{
	size_t n = strlen(base);

	return strncmp(path, base, n) == 0 &&
	       (path[n] == '\0' || (path[n] == '/' && path[n + 1] == '\0'));
}

static int
metadata_path(const char *path)
{
	return path_is(path, LEJR_OAUTH_AS_META) ||
	       path_is(path, LEJR_OAUTH_AS_META "/api/mcp") ||
	       path_is(path, LEJR_OAUTH_OIDC_META) ||
	       path_is(path, LEJR_OAUTH_OIDC_META "/api/mcp");
}

int
lejr_oauth_path_ours(const char *path)
{
	return metadata_path(path) || path_is(path, LEJR_OAUTH_AUTHORIZE) ||
	       path_is(path, LEJR_OAUTH_TOKEN) ||
	       path_is(path, LEJR_OAUTH_REGISTER) ||
	       path_is(path, LEJR_OAUTH_REVOKE);
}

/* POST /authorize comes from our own consent page: refuse a form
 * posted from another site, whatever its cookies. */
static int
authorize_origin_ok(struct lejr_server *srv, struct evhttp_request *req)
{
	const char *origin = evhttp_find_header(
		evhttp_request_get_input_headers(req), "Origin");

	return origin == NULL || strcmp(origin, srv->policy.pub.origin) == 0;
}

static void
route_authorize(struct lejr_server *srv, struct evhttp_request *req)
{
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST &&
	    !authorize_origin_ok(srv, req)) {
		lejr_log(LEJR_LOG_NOTICE, "oauth: refused a consent posted "
			 "from another origin");
		reply_error(req, 403, "access_denied", "this form may only "
			    "be posted from its own page");
		return;
	}
	lejr_web_run(srv, req, lejr_oauth_authorize_page,
		     LEJR_WEB_PUBLIC | LEJR_WEB_OFFSITE);
}

void
lejr_oauth_route(struct lejr_server *srv, struct evhttp_request *req,
		 const char *path)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

	if (metadata_path(path)) {
		metadata_get(srv, req);
		return;
	}
	if (path_is(path, LEJR_OAUTH_AUTHORIZE)) {
		route_authorize(srv, req);
		return;
	}

	cors(req);
	if (cmd == EVHTTP_REQ_OPTIONS) {
		preflight(req, "POST, OPTIONS");
	} else if (cmd != EVHTTP_REQ_POST) {
		not_allowed(req, "POST, OPTIONS");
	} else if (path_is(path, LEJR_OAUTH_REGISTER)) {
		register_post(srv, req);
	} else {
		token_post(srv, req, path_is(path, LEJR_OAUTH_REVOKE));
	}
}

/* ---- start and stop ---- */

int
lejr_oauth_start(struct lejr_server *srv)
{
	struct lejr_oauth *o;
	json_t *doc;

	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return -1;
	srv->oauth = o;

	doc = lejr_oauth_as_metadata(srv->cfg->public_url);
	o->meta = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (o->meta == NULL) {
		lejr_log(LEJR_LOG_ERROR, "oauth: cannot build the metadata");
		return -1;
	}
	o->meta_len = strlen(o->meta);
	return 0;
}

void
lejr_oauth_stop(struct lejr_server *srv)
{
	if (srv->oauth == NULL)
		return;
	free(srv->oauth->meta);
	free(srv->oauth);
	srv->oauth = NULL;
}

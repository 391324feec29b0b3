/*
 * web.c - the HTML side of lejrd: a page request's trip from the loop
 * to a worker and back, sign-in sessions and their cookies, CSRF
 * tokens, the security headers, and the sign-in and sign-out pages.
 * The page builder is in html.c, the Settings pages in settings.c.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <libxml/parser.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "defer.h"
#include "http-internal.h"
#include "log.h"
#include "settings.h"
#include "utf8.h"
#include "web.h"

#define VISITOR_BYTES 32
#define HOME "/settings/integrations"

extern const char lejr_web_css[];

/* Name and value pairs: a query, a form, headers to send. */
struct web_kv {
	char *name;
	char *value;
};

struct web_params {
	struct web_kv *v;
	size_t n;
};

struct lejr_web_req {
	struct lejr_server *srv;
	lejr_web_handler handler;
	int flags;

	/* Read on the loop. */
	int post;
	int secure;                 /* public_url is https */
	char *path;                 /* as requested, not decoded */
	char *uri;                  /* path and query as requested */
	struct web_params query;
	struct web_params form;
	char session[LEDGER_WEB_TOKEN_MAX + 1]; /* its cookie, or "" */
	char visitor[LEDGER_WEB_TOKEN_MAX + 1]; /* lejr_csrf, or "" */
	char peer[64];

	/* Found on the worker. */
	int signed_in;
	struct lejr_web_user user;
	char csrf[65];

	/* The answer. */
	int answered;
	int status;
	char *body;
	size_t len;
	char *location;
	struct web_params headers;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static char csp_pages[300];   /* with form-action 'self' */
static char csp_offsite[256]; /* without, for LEJR_WEB_OFFSITE */

/* ---- pieces ---- */

static void
init_once_fn(void)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned char b64[EVP_MAX_MD_SIZE * 2];
	unsigned int mdlen = 0;

	xmlInitParser();

	/* The inline style sheet is allowed by its hash: no other style
	 * and no script at all may run on our pages. */
	EVP_Digest(lejr_web_css, strlen(lejr_web_css), md, &mdlen,
		   EVP_sha256(), NULL);
	EVP_EncodeBlock(b64, md, (int)mdlen);
	snprintf(csp_offsite, sizeof(csp_offsite), "default-src 'none'; "
		 "style-src 'sha256-%s'; img-src 'self'; base-uri 'none'; "
		 "frame-ancestors 'none'", (const char *)b64);

	/* Our forms post to us only, so markup slipped into a page
	 * cannot send a form elsewhere.  Browsers apply form-action to
	 * the redirects after the POST too, which is why the consent
	 * page, whose answer goes back to the client, goes without. */
	snprintf(csp_pages, sizeof(csp_pages), "%s; form-action 'self'",
		 csp_offsite);
}

void
lejr_web_init(void)
{
	pthread_once(&init_once, init_once_fn);
}

const char *
lejr_web_csp(int flags)
{
	lejr_web_init();
	return (flags & LEJR_WEB_OFFSITE) ? csp_offsite : csp_pages;
}

int
lejr_web_next_ok(const char *next)
{
	size_t n;

	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    next[1] == '\\')
		return 0;
	for (n = 0; next[n] != '\0'; n++) {
		unsigned char c = (unsigned char)next[n];

		/* Browsers drop tabs and newlines from URLs and read a
		 * backslash as a slash: "/\t/evil" would become "//evil".
		 * Printable ASCII only: a path of ours needs nothing else
		 * (the rest comes percent-encoded). */
		if (c <= 0x20 || c >= 0x7f || c == '\\')
			return 0;
		if (n >= LEJR_WEB_NEXT_MAX)
			return 0;
	}
	return 1;
}

void
lejr_web_csrf_token(const char *secret, char out[65])
{
	static const char label[] = "lejr csrf v1:";
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	out[0] = '\0';
	if (ctx == NULL)
		return;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, label, sizeof(label) - 1) == 1 &&
	    EVP_DigestUpdate(ctx, secret, strlen(secret)) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32) {
		for (unsigned int i = 0; i < mdlen; i++) {
			out[2 * i] = hex[md[i] >> 4];
			out[2 * i + 1] = hex[md[i] & 0xf];
		}
		out[64] = '\0';
	}
	EVP_MD_CTX_free(ctx);
}

int
lejr_web_csrf_equal(const char *given, const char *expected)
{
	size_t n;

	if (given == NULL || expected == NULL)
		return 0;
	n = strlen(expected);
	if (n != 64 || strlen(given) != n)
		return 0;
	return CRYPTO_memcmp(given, expected, n) == 0;
}

int
lejr_web_cookie(char *buf, size_t len, const char *name, const char *value,
		int max_age, int secure)
{
	int n;

	n = snprintf(buf, len, "%s=%s; Path=/; Max-Age=%d; HttpOnly; "
		     "SameSite=Lax%s", name, value, max_age,
		     secure ? "; Secure" : "");
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
lejr_web_cookie_get(const char *header, const char *name, char *out,
		    size_t outlen)
{
	size_t nlen = strlen(name);
	const char *p = header;

	while (p != NULL && *p != '\0') {
		const char *end;

		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			size_t vlen = (size_t)(end - p) - nlen - 1;

			while (vlen > 0 && (p[nlen + vlen] == ' ' ||
					    p[nlen + vlen] == '\t'))
				vlen--;
			if (vlen + 1 > outlen)
				return -1;
			memcpy(out, p + nlen + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p = end;
	}
	return -1;
}

/* Is s a plausible token of ours (base64url, 32 to 64 characters)? */
static int
token_shape_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '-' &&
		    s[n] != '_')
			return 0;
	return n >= 32 && n <= LEDGER_WEB_TOKEN_MAX;
}

/* ---- name and value lists ---- */

static int
params_add(struct web_params *p, const char *name, size_t nlen,
	   const char *value, size_t vlen)
{
	struct web_kv *v;

	v = realloc(p->v, (p->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	p->v = v;
	v[p->n].name = strndup(name, nlen);
	v[p->n].value = strndup(value, vlen);
	if (v[p->n].name == NULL || v[p->n].value == NULL) {
		free(v[p->n].name);
		free(v[p->n].value);
		return -1;
	}
	p->n++;
	return 0;
}

/*
 * Decode one urlencoded part ('+' is a space); NULL for a bad one: an
 * encoded NUL, or text that is not strict UTF-8 or holds a control
 * character.  This is the one place where every query and form value
 * of a page comes in, so no handler ever sees such text.
 */
static char *
form_decode(const char *s, size_t len)
{
	char *raw = strndup(s, len), *text;
	size_t n = 0;

	if (raw == NULL)
		return NULL;
	text = evhttp_uridecode(raw, 1, &n);
	free(raw);
	if (text != NULL && (strlen(text) != n ||
			     !lejr_utf8_text_ok(text, n, 0))) {
		OPENSSL_cleanse(text, n);
		free(text);
		text = NULL;
	}
	return text;
}

/* Parse a query string or form body.  Returns 0, or -1 when it is
 * malformed or memory ran out. */
static int
params_parse(struct web_params *p, const char *text)
{
	while (text != NULL && *text != '\0') {
		const char *amp = strchr(text, '&');
		size_t len = amp != NULL ? (size_t)(amp - text) : strlen(text);
		const char *eq = memchr(text, '=', len);
		size_t nlen = eq != NULL ? (size_t)(eq - text) : len;
		char *name, *value;
		int rc;

		if (len > 0) {
			name = form_decode(text, nlen);
			value = eq != NULL ? form_decode(eq + 1,
							 len - nlen - 1) :
					     strdup("");
			rc = name != NULL && value != NULL ?
			     params_add(p, name, strlen(name), value,
					strlen(value)) : -1;
			free(name);
			if (value != NULL)
				OPENSSL_cleanse(value, strlen(value));
			free(value);
			if (rc < 0)
				return -1;
		}
		text = amp != NULL ? amp + 1 : NULL;
	}
	return 0;
}

/* Free the list; values are wiped, as a form may carry a password. */
static void
params_free(struct web_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		OPENSSL_cleanse(p->v[i].value, strlen(p->v[i].value));
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static const char *
params_get(const struct web_params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return p->v[i].value;
	return NULL;
}

/* ---- accessors ---- */

const struct lejr_web_user *
lejr_web_user(struct lejr_web_req *wr)
{
	return wr->signed_in ? &wr->user : NULL;
}

const char *
lejr_web_csrf(struct lejr_web_req *wr)
{
	return wr->csrf;
}

int
lejr_web_is_post(struct lejr_web_req *wr)
{
	return wr->post;
}

const char *
lejr_web_path(struct lejr_web_req *wr)
{
	return wr->path;
}

const char *
lejr_web_uri(struct lejr_web_req *wr)
{
	return wr->uri;
}

const char *
lejr_web_peer(struct lejr_web_req *wr)
{
	return wr->peer;
}

const struct lejr_config *
lejr_web_config(struct lejr_web_req *wr)
{
	return wr->srv->cfg;
}

const char *
lejr_web_query(struct lejr_web_req *wr, const char *name)
{
	return params_get(&wr->query, name);
}

const char *
lejr_web_form(struct lejr_web_req *wr, const char *name)
{
	return params_get(&wr->form, name);
}

size_t
lejr_web_form_all(struct lejr_web_req *wr, const char *name,
		  const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < wr->form.n; i++) {
		if (strcmp(wr->form.v[i].name, name) != 0)
			continue;
		if (n < max)
			out[n] = wr->form.v[i].value;
		n++;
	}
	return n;
}

struct lejr_page *
lejr_web_page(struct lejr_web_req *wr, const char *title, const char *nav)
{
	return lejr_page_new(title, lejr_web_user(wr), wr->csrf, nav);
}

/* ---- answers (worker side: recorded for the loop) ---- */

void
lejr_web_header(struct lejr_web_req *wr, const char *name,
		const char *value)
{
	if (params_add(&wr->headers, name, strlen(name), value,
		       strlen(value)) < 0)
		lejr_log(LEJR_LOG_ERROR, "web: out of memory for a header");
}

/* The last resort: a page that needs no memory to speak of. */
static void
answer_bare(struct lejr_web_req *wr, int status)
{
	static const char text[] = "<!DOCTYPE html><title>Error - Lejr"
				   "</title><p>The server could not answer."
				   " Try again later.</p>";

	free(wr->body);
	wr->body = strdup(text);
	wr->len = wr->body != NULL ? strlen(wr->body) : 0;
	wr->status = status;
	wr->answered = 1;
}

void
lejr_web_reply_page(struct lejr_web_req *wr, int status,
		    struct lejr_page *pg)
{
	if (wr->answered) {
		lejr_page_free(pg);
		return;
	}
	wr->body = lejr_page_render(pg, &wr->len);
	lejr_page_free(pg);
	if (wr->body == NULL) {
		answer_bare(wr, 500);
		return;
	}
	wr->status = status;
	wr->answered = 1;
}

void
lejr_web_redirect(struct lejr_web_req *wr, const char *location)
{
	if (wr->answered)
		return;
	wr->location = strdup(location);
	if (wr->location == NULL) {
		answer_bare(wr, 500);
		return;
	}
	wr->status = 303;
	wr->answered = 1;
}

static const char *
status_title(int status)
{
	switch (status) {
	case 400: return "Bad request";
	case 403: return "Forbidden";
	case 404: return "Not found";
	case 405: return "Method not allowed";
	case 413: return "Form too large";
	case 415: return "Unsupported form";
	case 429: return "Too many attempts";
	case 503: return "Unavailable";
	default: return status >= 500 ? "Server error" : "Error";
	}
}

void
lejr_web_reply_error(struct lejr_web_req *wr, int status,
		     const char *message)
{
	struct lejr_page *pg = lejr_web_page(wr, status_title(status), NULL);
	xmlNodePtr main = lejr_page_main(pg);

	lejr_html_error(main, message);
	lejr_html_link(lejr_html_p(main, NULL), wr->signed_in ? HOME :
		       "/login", wr->signed_in ? "Back to Settings" :
		       "Sign in");
	if (pg == NULL) {
		answer_bare(wr, status);
		return;
	}
	lejr_web_reply_page(wr, status, pg);
}

int
lejr_web_sign_in(struct lejr_web_req *wr, sqlite3 *db, int64_t user,
		 struct lejr_error *err)
{
	char token[LEDGER_WEB_TOKEN_MAX + 1];
	char cookie[256];
	int rc;

	rc = ledger_web_session_create(db, user, LEJR_WEB_SESSION_TTL, token,
				       err);
	if (rc != LEJR_OK)
		return rc;
	if (lejr_web_cookie(cookie, sizeof(cookie), LEJR_WEB_SESSION_COOKIE,
			    token, LEJR_WEB_SESSION_TTL, wr->secure) < 0)
		rc = lejr_error_set(err, LEJR_EINTERNAL, "cookie too long");
	else
		lejr_web_header(wr, "Set-Cookie", cookie);
	OPENSSL_cleanse(token, sizeof(token));
	OPENSSL_cleanse(cookie, sizeof(cookie));
	return rc;
}

/* Set or delete (value "") one of our cookies. */
static void
set_cookie(struct lejr_web_req *wr, const char *name, const char *value)
{
	char cookie[256];

	if (lejr_web_cookie(cookie, sizeof(cookie), name, value,
			    *value != '\0' ? LEJR_WEB_SESSION_TTL : 0,
			    wr->secure) == 0)
		lejr_web_header(wr, "Set-Cookie", cookie);
}

/* ---- the worker side of a request ---- */

/* Who is it: the session cookie's user, if it is still good.  A
 * stale cookie is deleted.  Returns 0, or -1 on a database error. */
static int
resolve_session(struct lejr_web_req *wr, sqlite3 *db)
{
	struct lejr_error err = { 0 };
	int rc;

	if (wr->session[0] == '\0')
		return 0;
	rc = ledger_web_session_find(db, wr->session, &wr->user.id,
				     wr->user.email, wr->user.name, &err);
	if (rc == LEJR_OK) {
		wr->signed_in = 1;
		return 0;
	}
	if (rc != LEJR_EDENIED) {
		lejr_log(LEJR_LOG_ERROR, "web session: %s", err.msg);
		return -1;
	}
	set_cookie(wr, LEJR_WEB_SESSION_COOKIE, "");
	wr->session[0] = '\0';
	return 0;
}

/* The request's CSRF token: the session's, or a signed-out visitor's
 * from the lejr_csrf cookie, which is made here when missing. */
static int
resolve_csrf(struct lejr_web_req *wr)
{
	unsigned char raw[VISITOR_BYTES];
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
				  "klmnopqrstuvwxyz0123456789-_";

	if (wr->signed_in) {
		lejr_web_csrf_token(wr->session, wr->csrf);
		return 0;
	}
	if (wr->visitor[0] == '\0') {
		if (RAND_bytes(raw, sizeof(raw)) != 1)
			return -1;
		for (size_t i = 0; i < sizeof(raw); i++)
			wr->visitor[i] = b64[raw[i] & 63];
		wr->visitor[sizeof(raw)] = '\0';
		OPENSSL_cleanse(raw, sizeof(raw));
		set_cookie(wr, LEJR_WEB_CSRF_COOKIE, wr->visitor);

		/* A form posted without the cookie cannot match. */
		lejr_web_csrf_token(wr->visitor, wr->csrf);
		return wr->post ? 1 : 0;
	}
	lejr_web_csrf_token(wr->visitor, wr->csrf);
	return 0;
}

/* A signed-out visitor of a signed-in page goes to the sign-in page,
 * and comes back to where they were going after it. */
static void
send_to_login(struct lejr_web_req *wr)
{
	char *next = NULL, *loc = NULL;
	size_t len;

	if (wr->post || !lejr_web_next_ok(wr->uri)) {
		lejr_web_redirect(wr, "/login");
		return;
	}
	next = evhttp_uriencode(wr->uri, -1, 0);
	len = next != NULL ? strlen(next) + 16 : 0;
	loc = len > 0 ? malloc(len) : NULL;
	if (loc != NULL) {
		snprintf(loc, len, "/login?next=%s", next);
		lejr_web_redirect(wr, loc);
	} else {
		lejr_web_redirect(wr, "/login");
	}
	free(loc);
	free(next);
}

static void
web_work(void *arg, sqlite3 *db)
{
	struct lejr_web_req *wr = arg;
	int forged;

	if (db == NULL) {
		answer_bare(wr, 500);
		return;
	}
	if (resolve_session(wr, db) < 0) {
		answer_bare(wr, 500);
		return;
	}
	forged = resolve_csrf(wr);
	if (forged < 0) {
		answer_bare(wr, 500);
		return;
	}

	if ((wr->flags & LEJR_WEB_SIGNED_IN) && !wr->signed_in) {
		send_to_login(wr);
		return;
	}
	if (wr->post && (forged || !lejr_web_csrf_equal(
		lejr_web_form(wr, LEJR_WEB_CSRF_FIELD), wr->csrf))) {
		lejr_log(LEJR_LOG_NOTICE, "web: refused a form without a "
			 "valid CSRF token for %.100s from %s", wr->path,
			 wr->peer);
		lejr_web_reply_error(wr, 403, "This form has expired or did "
				     "not come from this site. Go back, "
				     "reload the page and try again.");
		return;
	}

	/* The settings pages show activity and token use: let the writer
	 * commit what earlier calls queued, so a page is never behind. */
	if ((wr->flags & LEJR_WEB_SIGNED_IN) && !wr->post)
		lejr_runtime_sync(wr->srv->rt);

	wr->handler(wr, db);
	if (!wr->answered) {
		lejr_log(LEJR_LOG_ERROR, "web: %.100s gave no answer",
			 wr->path);
		lejr_web_reply_error(wr, 500, "The server could not answer "
				     "this request.");
	}
}

/* ---- the loop side of a request ---- */

static void
free_body(const void *data, size_t len, void *arg)
{
	free((void *)data);
}

static void
security_headers(struct evkeyvalq *h, int flags)
{
	evhttp_add_header(h, "Content-Security-Policy", lejr_web_csp(flags));
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	/* Not "no-referrer": with it browsers send "Origin: null" on our
	 * own forms' POSTs, which defeats an Origin check (POST
	 * /authorize has one).  "same-origin" still sends nothing to any
	 * other site. */
	evhttp_add_header(h, "Referrer-Policy", "same-origin");
	evhttp_add_header(h, "Cache-Control", "no-store");
}

/* Send status with an HTML body (taken, may be NULL); flags are the
 * page's LEJR_WEB_*. */
static void
send_html(struct evhttp_request *req, int status, char *body, size_t len,
	  int flags)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	security_headers(h, flags);
	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	if (body != NULL &&
	    evbuffer_add_reference(out, body, len, free_body, NULL) < 0)
		free(body);
	evhttp_send_reply(req, status, NULL, NULL);
}

/* An answer made on the loop: a page without a user. */
static void
send_simple(struct evhttp_request *req, int status, const char *message)
{
	struct lejr_page *pg = lejr_page_new(status_title(status), NULL,
					     NULL, NULL);
	char *body;
	size_t len = 0;

	lejr_html_error(lejr_page_main(pg), message);
	body = lejr_page_render(pg, &len);
	lejr_page_free(pg);
	send_html(req, status, body, len, 0);
}

static void
wr_free(struct lejr_web_req *wr)
{
	params_free(&wr->query);
	params_free(&wr->form);
	params_free(&wr->headers);
	OPENSSL_cleanse(wr->session, sizeof(wr->session));
	OPENSSL_cleanse(wr->visitor, sizeof(wr->visitor));
	free(wr->path);
	free(wr->uri);
	free(wr->body);
	free(wr->location);
	free(wr);
}

static void
web_done(struct lejr_server *srv, struct evhttp_request *req, void *arg,
	 int ran)
{
	struct lejr_web_req *wr = arg;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (!ran || !wr->answered) {
		send_simple(req, 503, "The server is stopping. Try again in "
			    "a moment.");
		wr_free(wr);
		return;
	}

	for (size_t i = 0; i < wr->headers.n; i++)
		evhttp_add_header(h, wr->headers.v[i].name,
				  wr->headers.v[i].value);
	if (wr->location != NULL) {
		if (evhttp_add_header(h, "Location", wr->location) < 0) {
			send_simple(req, 500, "Bad redirect.");
			wr_free(wr);
			return;
		}
		send_html(req, wr->status, NULL, 0, wr->flags);
	} else {
		send_html(req, wr->status, wr->body, wr->len, wr->flags);
		wr->body = NULL;
	}
	wr_free(wr);
}

/* Is this a urlencoded form's Content-Type? */
static int
form_type_ok(const char *type)
{
	static const char want[] = "application/x-www-form-urlencoded";
	size_t n = sizeof(want) - 1;

	return type != NULL && strncasecmp(type, want, n) == 0 &&
	       (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

/* Read a POST's form.  Returns 0, or an HTTP status to refuse with. */
static int
read_form(struct lejr_web_req *wr, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	char *body;
	int rc;

	if (len > 0 && !form_type_ok(evhttp_find_header(h, "Content-Type")))
		return 415;
	if (len > LEJR_WEB_FORM_MAX)
		return 413;
	body = malloc(len + 1);
	if (body == NULL)
		return 500;
	evbuffer_remove(in, body, len);
	body[len] = '\0';
	rc = params_parse(&wr->form, body);
	OPENSSL_cleanse(body, len);
	free(body);
	return rc < 0 ? 400 : 0;
}

/* Copy what the worker needs out of the request.  Returns 0, or an
 * HTTP status to refuse with. */
static int
read_request(struct lejr_web_req *wr, struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	const char *cookie = evhttp_find_header(h, "Cookie");
	char *peer = NULL;
	ev_uint16_t port = 0;
	size_t len;

	wr->path = strdup(path != NULL ? path : "/");
	len = strlen(wr->path) + (query != NULL ? strlen(query) + 1 : 0) + 1;
	wr->uri = malloc(len);
	if (wr->path == NULL || wr->uri == NULL)
		return 500;
	snprintf(wr->uri, len, "%s%s%s", wr->path, query != NULL ? "?" : "",
		 query != NULL ? query : "");
	if (params_parse(&wr->query, query) < 0)
		return 400;

	if (cookie != NULL) {
		if (lejr_web_cookie_get(cookie, LEJR_WEB_SESSION_COOKIE,
					wr->session, sizeof(wr->session)) < 0 ||
		    !token_shape_ok(wr->session))
			wr->session[0] = '\0';
		if (lejr_web_cookie_get(cookie, LEJR_WEB_CSRF_COOKIE,
					wr->visitor, sizeof(wr->visitor)) < 0 ||
		    !token_shape_ok(wr->visitor))
			wr->visitor[0] = '\0';
	}
	if (conn != NULL) {
		evhttp_connection_get_peer(conn, &peer, &port);
		snprintf(wr->peer, sizeof(wr->peer), "%s",
			 peer != NULL ? peer : "");
	}
	return wr->post ? read_form(wr, req) : 0;
}

void
lejr_web_run(struct lejr_server *srv, struct evhttp_request *req,
	     lejr_web_handler handler, int flags)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct lejr_web_req *wr;
	int status;

	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD &&
	    cmd != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Allow", "GET, HEAD, POST");
		send_simple(req, 405, "This page takes GET and POST only.");
		return;
	}
	wr = calloc(1, sizeof(*wr));
	if (wr == NULL) {
		send_simple(req, 500, "Out of memory.");
		return;
	}
	wr->srv = srv;
	wr->handler = handler;
	wr->flags = flags;
	wr->post = cmd == EVHTTP_REQ_POST;
	wr->secure = strncmp(srv->cfg->public_url, "https://", 8) == 0;

	status = read_request(wr, req);
	if (status != 0) {
		send_simple(req, status, status == 413 ? "The form is too "
			    "large." : status == 415 ? "Send the form as "
			    "application/x-www-form-urlencoded." :
			    status == 400 ? "The request could not be read: "
			    "a parameter is malformed, or is not UTF-8 text "
			    "without control characters." :
			    "The request could not be read.");
		wr_free(wr);
		return;
	}
	if (lejr_http_defer(srv, req, web_work, web_done, wr) < 0) {
		send_simple(req, 503, "The server is busy. Try again in a "
			    "moment.");
		wr_free(wr);
	}
}

/* ---- sign-in and sign-out ---- */

/* The sign-in form, with an error when there is one. */
static void
login_page(struct lejr_web_req *wr, int status, const char *error,
	   const char *email, const char *next)
{
	struct lejr_page *pg = lejr_web_page(wr, "Sign in", NULL);
	xmlNodePtr main = lejr_page_main(pg), form;

	if (error != NULL)
		lejr_html_error(main, error);
	form = lejr_html_form(main, "post", "/login", wr->csrf);
	if (next != NULL && lejr_web_next_ok(next))
		lejr_html_hidden(form, "next", next);
	lejr_html_input(form, "email", "email", "Email", email,
			LEJR_HTML_REQUIRED | (email == NULL ?
			LEJR_HTML_AUTOFOCUS : 0));
	lejr_html_input(form, "password", "password", "Password", NULL,
			LEJR_HTML_REQUIRED | (email != NULL ?
			LEJR_HTML_AUTOFOCUS : 0));
	lejr_html_submit(lejr_html_p(form, NULL), "Sign in", NULL, NULL);
	if (pg == NULL) {
		answer_bare(wr, 500);
		return;
	}
	lejr_web_reply_page(wr, status, pg);
}

/* Where to go after signing in. */
static const char *
next_or_home(const char *next)
{
	return next != NULL && lejr_web_next_ok(next) ? next : HOME;
}

/* Throttling keys for an email and the peer. */
static void
login_keys(struct lejr_web_req *wr, const char *email, char *ekey,
	   size_t elen, char *akey, size_t alen)
{
	size_t i;

	snprintf(ekey, elen, "email:%s", email);
	for (i = 6; ekey[i] != '\0'; i++)
		ekey[i] = (char)tolower((unsigned char)ekey[i]);
	snprintf(akey, alen, "addr:%s", wr->peer);
}

/*
 * Count this attempt against both keys before the password is
 * checked, atomically (ledger_login_attempt): 1 when one of them has
 * failed too often (the answer is given), 0 to go on, -1 on error
 * (answered too).
 */
static int
login_throttle(struct lejr_web_req *wr, sqlite3 *db, const char *ekey,
	       const char *akey, int64_t ids[2], const char *email,
	       const char *next)
{
	const char *keys[2] = { ekey, akey };
	struct lejr_error err = { 0 };
	int which = -1;

	if (ledger_login_attempt(db, keys, 2, LEJR_WEB_LOGIN_WINDOW,
				 LEJR_WEB_LOGIN_FAILURES, ids, &which,
				 &err) != LEJR_OK) {
		lejr_log(LEJR_LOG_ERROR, "sign-in: %s", err.msg);
		lejr_web_reply_error(wr, 500, "Sign-in is unavailable.");
		return -1;
	}
	if (which < 0)
		return 0;
	lejr_log(LEJR_LOG_NOTICE, "sign-in refused: too many failures (%s)",
		 which == 0 ? "for this email" : wr->peer);
	lejr_web_header(wr, "Retry-After", "900");
	login_page(wr, 429, "Too many failed sign-ins. Wait 15 minutes, "
		   "then try again.", email, next);
	return 1;
}

/* Take back the failures counted for an attempt that did not fail. */
static void
login_forgive(sqlite3 *db, const int64_t ids[2])
{
	struct lejr_error err = { 0 };

	if (ledger_login_forgive(db, ids, 2, &err) != LEJR_OK)
		lejr_log(LEJR_LOG_ERROR, "sign-in: %s", err.msg);
}

/* POST /login: count the attempt against the throttle, then check the
 * password (argon2id: this is why pages run on workers), then start a
 * session. */
static void
login_post(struct lejr_web_req *wr, sqlite3 *db)
{
	const char *email = lejr_web_form(wr, "email");
	const char *password = lejr_web_form(wr, "password");
	const char *next = lejr_web_form(wr, "next");
	struct lejr_error err = { 0 };
	char ekey[300], akey[100];
	int64_t user = 0, ids[2];
	int rc;

	if (email == NULL || *email == '\0' || strlen(email) > 254 ||
	    password == NULL || *password == '\0' ||
	    strlen(password) > 1024) {
		login_page(wr, 400, "Enter your email and password.", email,
			   next);
		return;
	}
	login_keys(wr, email, ekey, sizeof(ekey), akey, sizeof(akey));
	if (login_throttle(wr, db, ekey, akey, ids, email, next) != 0)
		return;

	/* Counted already: a wrong password needs nothing more. */
	rc = ledger_user_verify_password(db, email, password, &user, &err);
	if (rc == LEJR_EDENIED) {
		lejr_log(LEJR_LOG_INFO, "sign-in failed from %s", wr->peer);
		login_page(wr, 200, "Wrong email or password.", email, next);
		return;
	}
	login_forgive(db, ids);
	if (rc != LEJR_OK || lejr_web_sign_in(wr, db, user, &err) !=
	    LEJR_OK) {
		lejr_log(LEJR_LOG_ERROR, "sign-in: %s", err.msg);
		lejr_web_reply_error(wr, 500, "Sign-in is unavailable.");
		return;
	}
	if (ledger_login_clear(db, ekey, &err) != LEJR_OK)
		lejr_log(LEJR_LOG_ERROR, "sign-in: %s", err.msg);

	/* Signing in again replaces the session the browser had. */
	if (wr->signed_in &&
	    ledger_web_session_end(db, wr->session, &err) != LEJR_OK)
		lejr_log(LEJR_LOG_ERROR, "sign-in: %s", err.msg);
	lejr_log(LEJR_LOG_INFO, "user %lld signed in from %s",
		 (long long)user, wr->peer);
	lejr_web_redirect(wr, next_or_home(next));
}

static void
login_handler(struct lejr_web_req *wr, sqlite3 *db)
{
	const char *next = lejr_web_query(wr, "next");

	if (wr->post) {
		login_post(wr, db);
		return;
	}
	if (wr->signed_in) {
		lejr_web_redirect(wr, next_or_home(next));
		return;
	}
	login_page(wr, 200, NULL, NULL, next);
}

static void
logout_handler(struct lejr_web_req *wr, sqlite3 *db)
{
	struct lejr_error err = { 0 };
	struct lejr_page *pg;
	xmlNodePtr form;

	if (!wr->post) {
		if (!wr->signed_in) {
			lejr_web_redirect(wr, "/login");
			return;
		}
		pg = lejr_web_page(wr, "Sign out", NULL);
		form = lejr_html_form(lejr_page_main(pg), "post", "/logout",
				      wr->csrf);
		lejr_html_submit(form, "Sign out", NULL, NULL);
		lejr_web_reply_page(wr, 200, pg);
		return;
	}
	if (wr->signed_in &&
	    ledger_web_session_end(db, wr->session, &err) != LEJR_OK) {
		lejr_log(LEJR_LOG_ERROR, "sign-out: %s", err.msg);
		lejr_web_reply_error(wr, 500, "Signing out failed; try "
				     "again.");
		return;
	}
	set_cookie(wr, LEJR_WEB_SESSION_COOKIE, "");
	lejr_web_redirect(wr, "/login");
}

static void
home_handler(struct lejr_web_req *wr, sqlite3 *db)
{
	lejr_web_redirect(wr, HOME);
}

static void
not_found_handler(struct lejr_web_req *wr, sqlite3 *db)
{
	lejr_web_reply_error(wr, 404, "There is no such page.");
}

/* ---- routes ---- */

int
lejr_web_path_ours(const char *path)
{
	return strcmp(path, "/") == 0 || strcmp(path, "/login") == 0 ||
	       strcmp(path, "/logout") == 0 ||
	       strcmp(path, "/settings") == 0 ||
	       strncmp(path, "/settings/", 10) == 0;
}

void
lejr_web_route(struct lejr_server *srv, struct evhttp_request *req,
	       const char *path)
{
	lejr_web_handler h;

	lejr_web_init();
	if (strcmp(path, "/login") == 0) {
		lejr_web_run(srv, req, login_handler, LEJR_WEB_PUBLIC);
	} else if (strcmp(path, "/logout") == 0) {
		lejr_web_run(srv, req, logout_handler, LEJR_WEB_PUBLIC);
	} else if (strcmp(path, "/") == 0 || strcmp(path, "/settings") == 0 ||
		   strcmp(path, "/settings/") == 0) {
		lejr_web_run(srv, req, home_handler, LEJR_WEB_SIGNED_IN);
	} else {
		h = lejr_settings_handler(path);
		lejr_web_run(srv, req, h != NULL ? h : not_found_handler,
			     h != NULL ? LEJR_WEB_SIGNED_IN : LEJR_WEB_PUBLIC);
	}
}

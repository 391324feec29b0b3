/*
 * web.h - lejrd's server-rendered HTML: the page builder, web sign-in
 * sessions, CSRF protection, and the glue that runs a page's handler on
 * a worker thread (defer.h).  Used by the sign-in pages and Settings
 * (web.c, settings.c) and by the OAuth consent pages (oauth.c).
 *
 * Pages are built as an HTML tree with libxml2 and serialized at the
 * end: every string goes in as a text node or an attribute value, so it
 * is escaped by construction; nothing is ever pasted in as markup.
 * Pages need no JavaScript.  Every answer carries the security headers
 * (X-Frame-Options, a Content-Security-Policy with frame-ancestors
 * 'none', no script and, but for LEJR_WEB_OFFSITE pages, form-action
 * 'self', Referrer-Policy same-origin, Cache-Control
 * no-store, X-Content-Type-Options nosniff).  same-origin, not
 * no-referrer: under no-referrer browsers send "Origin: null" on the
 * POSTs of our own forms, so an Origin check could not tell them from
 * a foreign page's; no referrer leaves the site either way.
 *
 * A handler's life: lejr_web_run() on the loop reads the request (query,
 * cookies, a form body, the peer's address; a query or form value that
 * is not strict UTF-8 without control characters is refused with a 400
 * page, so handlers never see one), then on a worker thread
 * resolves the session cookie, checks the CSRF token of every POST
 * (403 page on failure, the handler is not called), sends signed-out
 * visitors of LEJR_WEB_SIGNED_IN pages to /login?next=..., and calls the
 * handler with that thread's database connection.  The handler answers
 * exactly once, with lejr_web_reply_page, lejr_web_redirect or
 * lejr_web_reply_error; an answer it forgets becomes a 500 page.
 *
 * Threads: the page builder and the lejr_web_req accessors are used on
 * the handler's worker thread only; nothing here keeps global state
 * except libxml2's, set up once by lejr_web_init().
 */
#ifndef LEJR_WEB_H
#define LEJR_WEB_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>
#include <sqlite3.h>

#include "ledger/ledger-internal.h"

struct lejr_config;
struct lejr_server;
struct evhttp_request;

#define LEJR_WEB_SESSION_COOKIE "lejr_session" /* signed-in sessions */
#define LEJR_WEB_CSRF_COOKIE "lejr_csrf"       /* signed-out visitors */
#define LEJR_WEB_CSRF_FIELD "csrf"             /* the forms' hidden field */
#define LEJR_WEB_SESSION_TTL (12 * 3600)       /* seconds a sign-in lasts */
#define LEJR_WEB_LOGIN_FAILURES 5              /* failures before refusal */
#define LEJR_WEB_LOGIN_WINDOW (15 * 60)        /* seconds they count for */
#define LEJR_WEB_NEXT_MAX 2048                 /* longest next= path */
#define LEJR_WEB_FORM_MAX 65536                /* largest form body */

/* ---- the page builder ---- */

struct lejr_page; /* one HTML document being built */

/* The person signed in, for a page's header and for handlers. */
struct lejr_web_user {
	int64_t id;
	char email[256];
	char name[LEJR_NAME_MAX + 1];
};

/*
 * A new page with the shared layout: <title> and an <h1> of title, the
 * header with the product name and, when user is not NULL, the nav
 * (Integrations, AI Connections, Activity, the user's email and a sign
 * out button, a POST form carrying csrf).  nav names the current nav
 * entry ("integrations", "connections", "activity") or is NULL.  All
 * strings are copied.  NULL when out of memory.
 */
struct lejr_page *lejr_page_new(const char *title,
				const struct lejr_web_user *user,
				const char *csrf, const char *nav);

/* The page's <main> element, where content goes (owned by the page). */
xmlNodePtr lejr_page_main(struct lejr_page *pg);

/* Serialize the page as HTML (with its doctype) into a malloc'd text,
 * its length in *len.  The page is left as it was.  NULL when out of
 * memory. */
char *lejr_page_render(struct lejr_page *pg, size_t *len);

/* Free a page and all its nodes.  NULL is fine. */
void lejr_page_free(struct lejr_page *pg);

/*
 * Builders.  Each appends a new element to parent and returns it (owned
 * by the document), or NULL when out of memory; any text (may be NULL:
 * none) becomes escaped text content.  Text and attribute values that
 * are not strict UTF-8, and control characters other than tab, CR and
 * LF, are shown as U+FFFD: libxml2 would decode overlong forms to
 * markup characters and write them unescaped.  The first argument may be NULL,
 * which makes them return NULL, so a chain of calls needs one check.
 */
xmlNodePtr lejr_html_el(xmlNodePtr parent, const char *tag,
			const char *text);
/* Set an attribute (value escaped on output). */
void lejr_html_attr(xmlNodePtr node, const char *name, const char *value);
/* Append text to node, escaped. */
void lejr_html_text(xmlNodePtr node, const char *text);
/* <h2> to <h6> (level clamped to 2..6: the page has the <h1>). */
xmlNodePtr lejr_html_heading(xmlNodePtr parent, int level,
			     const char *text);
xmlNodePtr lejr_html_p(xmlNodePtr parent, const char *text);
/* <a href>.  href is taken as given: pass only our own paths, or URLs
 * checked by the caller. */
xmlNodePtr lejr_html_link(xmlNodePtr parent, const char *href,
			  const char *text);
/* A red box with role="alert", or a neutral notice box. */
xmlNodePtr lejr_html_error(xmlNodePtr parent, const char *message);
xmlNodePtr lejr_html_notice(xmlNodePtr parent, const char *message);

/* A table with a header row of the NULL-terminated headers; rows go in
 * its <tbody> with lejr_html_row, cells with lejr_html_cell. */
xmlNodePtr lejr_html_table(xmlNodePtr parent, const char *const *headers);
xmlNodePtr lejr_html_row(xmlNodePtr table);
xmlNodePtr lejr_html_cell(xmlNodePtr row, const char *text);

/*
 * A <form> of method ("get" or "post") to action.  A POST form gets the
 * hidden CSRF field with csrf (NULL only for GET forms).
 */
xmlNodePtr lejr_html_form(xmlNodePtr parent, const char *method,
			  const char *action, const char *csrf);
void lejr_html_hidden(xmlNodePtr form, const char *name, const char *value);

#define LEJR_HTML_REQUIRED 0x1
#define LEJR_HTML_AUTOFOCUS 0x2

/*
 * <label>label <input type name value></label>, in a paragraph of its
 * own.  type: "text", "email", "password", "date", "search" ...; value
 * may be NULL; flags LEJR_HTML_*.  Returns the <input>.
 */
xmlNodePtr lejr_html_input(xmlNodePtr form, const char *type,
			   const char *name, const char *label,
			   const char *value, int flags);
/* A checkbox or radio button with its label; returns the <input>. */
xmlNodePtr lejr_html_checkbox(xmlNodePtr parent, const char *name,
			      const char *value, const char *label,
			      int checked);
xmlNodePtr lejr_html_radio(xmlNodePtr parent, const char *name,
			   const char *value, const char *label,
			   int checked);
/* <label>label <select name></label>; options with lejr_html_option. */
xmlNodePtr lejr_html_select(xmlNodePtr form, const char *name,
			    const char *label);
xmlNodePtr lejr_html_option(xmlNodePtr select, const char *value,
			    const char *text, int selected);
/* <button type="submit">; name and value may be NULL. */
xmlNodePtr lejr_html_submit(xmlNodePtr form, const char *label,
			    const char *name, const char *value);

/* ---- requests ---- */

struct lejr_web_req; /* one page request, from the loop to a worker */

/* A page's handler, on a worker thread.  db is that thread's database
 * connection (never NULL: a request without one gets a 500 page). */
typedef void (*lejr_web_handler)(struct lejr_web_req *wr, sqlite3 *db);

#define LEJR_WEB_PUBLIC 0x0    /* anyone, signed in or not */
#define LEJR_WEB_SIGNED_IN 0x1 /* signed-out visitors go to /login */
/* Its POSTs are answered with redirects to other sites (the OAuth
 * consent page): no form-action in its CSP, since browsers apply it to
 * the redirect after a form's POST too. */
#define LEJR_WEB_OFFSITE 0x2

/*
 * On the loop thread: answer req with handler (see the top of this
 * file).  Only GET, HEAD and POST reach it (others: 405); a POST body
 * must be application/x-www-form-urlencoded and at most
 * LEJR_WEB_FORM_MAX bytes (415, 413).
 */
void lejr_web_run(struct lejr_server *srv, struct evhttp_request *req,
		  lejr_web_handler handler, int flags);

/* The signed-in user, or NULL. */
const struct lejr_web_user *lejr_web_user(struct lejr_web_req *wr);

/* The CSRF token to put in this request's forms (never NULL). */
const char *lejr_web_csrf(struct lejr_web_req *wr);

/* Was the request a POST? */
int lejr_web_is_post(struct lejr_web_req *wr);

/* The path, and the path with its query, as requested (not decoded;
 * the second fit for next=). */
const char *lejr_web_path(struct lejr_web_req *wr);
const char *lejr_web_uri(struct lejr_web_req *wr);

/* The peer's address as text ("127.0.0.1"), "" when unknown. */
const char *lejr_web_peer(struct lejr_web_req *wr);

/* The server's configuration (public_url ...). */
const struct lejr_config *lejr_web_config(struct lejr_web_req *wr);

/* A query parameter, or NULL.  Borrowed from the request. */
const char *lejr_web_query(struct lejr_web_req *wr, const char *name);

/* A field of a POSTed form, or NULL (the first when repeated). */
const char *lejr_web_form(struct lejr_web_req *wr, const char *name);

/* Every value of a repeated form field (checkboxes): up to max pointers
 * (borrowed) into out; returns how many there are in all. */
size_t lejr_web_form_all(struct lejr_web_req *wr, const char *name,
			 const char **out, size_t max);

/* A page for this request: lejr_page_new with its user and CSRF. */
struct lejr_page *lejr_web_page(struct lejr_web_req *wr, const char *title,
				const char *nav);

/* Add a response header (copied), e.g. for an OAuth redirect's
 * companions.  Security headers are always added; do not repeat them. */
void lejr_web_header(struct lejr_web_req *wr, const char *name,
		     const char *value);

/* Answer with page (taken, freed) and status. */
void lejr_web_reply_page(struct lejr_web_req *wr, int status,
			 struct lejr_page *pg);

/* Answer 303 See Other to location (copied): our own path, or an
 * absolute URL the caller has checked (an OAuth redirect_uri). */
void lejr_web_redirect(struct lejr_web_req *wr, const char *location);

/* Answer status with an error page in the layout showing message. */
void lejr_web_reply_error(struct lejr_web_req *wr, int status,
			  const char *message);

/* Sign the request's visitor in as user: a new session, its cookie set
 * on the answer (which the caller still gives).  Returns LEJR_OK or
 * fills err. */
int lejr_web_sign_in(struct lejr_web_req *wr, sqlite3 *db, int64_t user,
		     struct lejr_error *err);

/* ---- the routes of web.c ---- */

/* Is path one of web.c's or settings.c's (/, /login, /logout,
 * /settings...)? */
int lejr_web_path_ours(const char *path);

/* On the loop thread: answer a request for such a path. */
void lejr_web_route(struct lejr_server *srv, struct evhttp_request *req,
		    const char *path);

/* Once, on the main thread, before any page is built. */
void lejr_web_init(void);

/* ---- pieces, exposed for oauth.c and the tests ---- */

/*
 * Is next a same-origin relative path to send a visitor back to: it
 * starts with a single '/' (not "//" nor "/\"), holds printable ASCII
 * only (no backslash, no control character, space or byte above 0x7e),
 * and at most LEJR_WEB_NEXT_MAX bytes?
 */
int lejr_web_next_ok(const char *next);

/* The CSRF token bound to a session or visitor cookie value: lowercase
 * hex of SHA-256 over a fixed label and secret, into out[65].  Knowing
 * a token reveals nothing of the cookie, nor does the stored hash of
 * the cookie give the token. */
void lejr_web_csrf_token(const char *secret, char out[65]);

/* Constant-time comparison of a submitted token with the expected one;
 * NULL or a wrong length is a mismatch.  1 when equal. */
int lejr_web_csrf_equal(const char *given, const char *expected);

/*
 * A Set-Cookie value for name=value into buf: Path=/, HttpOnly,
 * SameSite=Lax, Max-Age=max_age (0 deletes it), and Secure when secure.
 * Returns 0, or -1 when buf is too small.
 */
int lejr_web_cookie(char *buf, size_t len, const char *name,
		    const char *value, int max_age, int secure);

/* The value of cookie name in a Cookie header into out; 0, or -1 when
 * absent or too long. */
int lejr_web_cookie_get(const char *header, const char *name, char *out,
			size_t outlen);

/* The Content-Security-Policy of a page run with flags (LEJR_WEB_*):
 * with form-action 'self' unless flags has LEJR_WEB_OFFSITE. */
const char *lejr_web_csp(int flags);

#endif /* LEJR_WEB_H */

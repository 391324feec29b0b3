/*
 * oauth-authorize.c - the authorization endpoint: its checks, the
 * consent page and the redirect back to the client (RFC 6749 section
 * 4.1 with PKCE S256 only, RFC 8707 resource indicators, RFC 9207 iss).
 *
 * Until the client and its redirect URI are known to be registered,
 * every refusal is a page of ours: a redirect would hand the visitor
 * to an address nobody vouched for.  After that, refusals go back to
 * the client as error redirects.
 *
 * Nothing of a pending authorization is kept on the server: the
 * parameters travel through the sign-in page (in next=) and the consent
 * form (hidden fields) and are checked again on every step, so that any
 * lejrd behind a load balancer can answer any step.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config.h"
#include "log.h"
#include "oauth-internal.h"
#include "oauth-policy.h"
#include "oauth.h"

#define MCP_PATH "/api/mcp"

/* One authorization request, as sent and as checked. */
struct authz {
	struct lejr_web_req *wr;

	/* The parameters, borrowed from the request. */
	const char *client_id;
	const char *redirect_uri;
	const char *response_type;
	const char *challenge;
	const char *method;
	const char *state;
	const char *scope;
	const char *resource;

	/* What the checks found. */
	struct ledger_oauth_client client;
	const char *redirect; /* where the answer goes */
	int access;           /* asked by scope: 0, 1 read, 2 write */
	char issuer[256];
	char ours[LEDGER_AUDIENCE_MAX + 1]; /* our resource */
};

/* The parameter name of the query (GET) or of the form (POST). */
static const char *
param(struct authz *a, const char *name)
{
	if (lejr_web_is_post(a->wr))
		return lejr_web_form(a->wr, name);
	return lejr_web_query(a->wr, name);
}

/* Is s absent, or visible ASCII and spaces only (RFC 6749 VSCHAR)? */
static int
vschar(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

static void
authz_read(struct authz *a)
{
	a->client_id = param(a, "client_id");
	a->redirect_uri = param(a, "redirect_uri");
	a->response_type = param(a, "response_type");
	a->challenge = param(a, "code_challenge");
	a->method = param(a, "code_challenge_method");
	a->state = param(a, "state");
	a->scope = param(a, "scope");
	a->resource = param(a, "resource");
	snprintf(a->issuer, sizeof(a->issuer), "%s",
		 lejr_web_config(a->wr)->public_url);
	snprintf(a->ours, sizeof(a->ours), "%s%s",
		 lejr_web_config(a->wr)->public_url, MCP_PATH);
}

/* ---- answers ---- */

/* Send the visitor back to the client with an error (RFC 6749 section
 * 4.1.2.1); only once the redirect URI is known to be registered. */
static void
redirect_error(struct authz *a, const char *error, const char *why)
{
	const char *pairs[] = { "error", error, "error_description", why,
				"state", a->state, "iss", a->issuer, NULL };
	char *loc = lejr_oauth_redirect_build(a->redirect, pairs);

	lejr_log(LEJR_LOG_INFO, "oauth: authorization for client %s "
		 "refused: %s", a->client.client_id, error);
	if (loc == NULL) {
		lejr_web_reply_error(a->wr, 500, "Out of memory.");
		return;
	}
	lejr_web_redirect(a->wr, loc);
	free(loc);
}

/* The request rebuilt as a path of ours, for the sign-in's next=. */
static char *
authz_path(struct authz *a)
{
	const char *pairs[] = {
		"response_type", a->response_type, "client_id", a->client_id,
		"redirect_uri", a->redirect, "code_challenge", a->challenge,
		"code_challenge_method", a->method, "state", a->state,
		"scope", a->scope, "resource", a->resource, NULL
	};

	return lejr_oauth_redirect_build(LEJR_OAUTH_AUTHORIZE, pairs);
}

/* Send a signed-out visitor to sign in, then back here. */
static void
to_sign_in(struct authz *a)
{
	char *path = authz_path(a), *next = NULL, *loc = NULL;
	size_t len;

	if (path != NULL && lejr_web_next_ok(path))
		next = lejr_url_encode(path);
	len = next != NULL ? strlen(next) + 16 : 0;
	loc = len > 0 ? malloc(len) : NULL;
	if (loc != NULL) {
		snprintf(loc, len, "/login?next=%s", next);
		lejr_web_redirect(a->wr, loc);
	} else {
		lejr_web_reply_error(a->wr, 400, "This authorization request "
				     "is too long to come back to after "
				     "signing in.");
	}
	free(loc);
	free(next);
	free(path);
}

/* ---- the checks ---- */

/* The registered redirect URI that requested matches, or NULL. */
static const char *
redirect_match(const struct ledger_oauth_client *c, const char *requested)
{
	json_t *uris = json_object_get(c->metadata, "redirect_uris");
	json_t *uri;
	size_t i;

	json_array_foreach(uris, i, uri)
		if (lejr_oauth_redirect_uri_match(json_string_value(uri),
						  requested))
			return json_string_value(uri);
	return NULL;
}

/* The client and where to answer it.  On failure the visitor has an
 * error page and -1 is returned. */
static int
check_client(struct authz *a, sqlite3 *db)
{
	struct lejr_error err = { 0 };
	json_t *uris;
	int rc;

	if (a->client_id == NULL || !vschar(a->client_id)) {
		lejr_web_reply_error(a->wr, 400, "This sign-in link is "
				     "incomplete: it names no application "
				     "(client_id).");
		return -1;
	}
	rc = ledger_oauth_client_find(db, a->client_id, &a->client, &err);
	if (rc != LEJR_OK) {
		lejr_web_reply_error(a->wr, rc == LEJR_ENOTFOUND ? 400 : 500,
				     rc == LEJR_ENOTFOUND ? "The application "
				     "asking for access is not registered "
				     "with this server (unknown client_id). "
				     "Nothing was shared." : "The server could "
				     "not look the application up.");
		return -1;
	}

	uris = json_object_get(a->client.metadata, "redirect_uris");
	if (a->redirect_uri == NULL && json_array_size(uris) == 1) {
		a->redirect = json_string_value(json_array_get(uris, 0));
		return 0;
	}
	if (a->redirect_uri != NULL && vschar(a->redirect_uri) &&
	    redirect_match(&a->client, a->redirect_uri) != NULL) {
		a->redirect = a->redirect_uri;
		return 0;
	}
	lejr_log(LEJR_LOG_NOTICE, "oauth: client %s asked for an "
		 "unregistered redirect URI", a->client.client_id);
	lejr_web_reply_error(a->wr, 400, "The address this application "
			     "asked to send you back to is not one it "
			     "registered (redirect_uri). For your safety you "
			     "were not sent there, and nothing was shared.");
	return -1;
}

/* The rest of the request; refusals go back to the client. */
static int
check_request(struct authz *a)
{
	const char *bad = NULL;

	if (!vschar(a->state) || !vschar(a->scope) || !vschar(a->resource) ||
	    !vschar(a->challenge) || !vschar(a->method))
		bad = "parameters must be visible ASCII characters";
	else if (a->response_type == NULL)
		bad = "response_type is required";
	if (bad != NULL) {
		redirect_error(a, "invalid_request", bad);
		return -1;
	}
	if (strcmp(a->response_type, "code") != 0) {
		redirect_error(a, "unsupported_response_type",
			       "response_type must be code");
		return -1;
	}

	/* PKCE is mandatory, and only S256: plain would show the secret
	 * to whoever sees this request. */
	if (a->challenge == NULL)
		bad = "code_challenge is required (PKCE with S256)";
	else if (a->method == NULL || strcmp(a->method, "S256") != 0)
		bad = "code_challenge_method must be S256";
	else if (strlen(a->challenge) != 43 ||
		 strspn(a->challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
			"klmnopqrstuvwxyz0123456789-_") != 43)
		bad = "code_challenge must be the base64url SHA-256 of the "
		      "code_verifier (43 characters)";
	if (bad != NULL) {
		redirect_error(a, "invalid_request", bad);
		return -1;
	}

	if (a->resource != NULL && !lejr_oauth_resource_ok(a->resource,
							   a->ours)) {
		redirect_error(a, "invalid_target", "this server only grants "
			       "access to its MCP endpoint, its resource");
		return -1;
	}
	a->access = lejr_oauth_scope_access(a->scope);
	return 0;
}

/* ---- the consent page ---- */

/* Does role allow writing? */
static int
role_writes(const char *role)
{
	return role != NULL && strcmp(role, "viewer") != 0;
}

static void
consent_hidden(struct authz *a, xmlNodePtr form)
{
	const char *names[] = { "response_type", "client_id", "redirect_uri",
				"code_challenge", "code_challenge_method",
				"state", "scope", "resource" };
	const char *values[] = { a->response_type, a->client_id, a->redirect,
				 a->challenge, a->method, a->state, a->scope,
				 a->resource };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (values[i] != NULL)
			lejr_html_hidden(form, names[i], values[i]);
}

/* The organizations to choose from; returns whether any allows
 * writing. */
static int
consent_orgs(xmlNodePtr form, json_t *orgs)
{
	xmlNodePtr fs = lejr_html_el(form, "fieldset", NULL);
	char value[32], label[512];
	json_t *org;
	size_t i;
	int writes = 0;

	lejr_html_el(fs, "legend", "Organizations it may reach");
	json_array_foreach(orgs, i, org) {
		const char *role = json_string_value(json_object_get(org,
								    "role"));

		snprintf(value, sizeof(value), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(org, "id")));
		snprintf(label, sizeof(label), "%s (%s), where you are %s",
			 json_string_value(json_object_get(org, "name")),
			 json_string_value(json_object_get(org, "slug")),
			 role != NULL ? role : "a member");
		lejr_html_checkbox(fs, "org", value, label,
				   json_array_size(orgs) == 1);
		writes |= role_writes(role);
	}
	return writes;
}

static void
consent_access(struct authz *a, xmlNodePtr form, int writes)
{
	xmlNodePtr fs = lejr_html_el(form, "fieldset", NULL);
	int write = writes && a->access == 2;

	lejr_html_el(fs, "legend", "What it may do");
	lejr_html_radio(fs, "access", "read", "Read only: look at "
			"accounts, entries and reports", !write);
	if (writes)
		lejr_html_radio(fs, "access", "write", "Read and write: also "
				"record entries, invoices and payments where "
				"your role allows it", write);
}

/* Show the consent page, with error when there is one. */
static void
consent_page(struct authz *a, json_t *orgs, int status, const char *error)
{
	const struct lejr_web_user *u = lejr_web_user(a->wr);
	struct lejr_page *pg = lejr_web_page(a->wr, "Allow access to your "
					     "books?", NULL);
	xmlNodePtr main = lejr_page_main(pg), form, p;
	char line[600];
	int writes;

	if (error != NULL)
		lejr_html_error(main, error);
	snprintf(line, sizeof(line), "%s wants to use your Lejr books "
		 "as %s.", a->client.name[0] ? a->client.name :
		 "An application without a name", u->email);
	lejr_html_p(main, line);
	p = lejr_html_p(main, "After you decide, you will be sent to ");
	lejr_html_el(p, "code", a->redirect);
	lejr_html_text(p, ". Only continue if you started this from that "
		       "application.");
	snprintf(line, sizeof(line), "Application id: %s",
		 a->client.client_id);
	lejr_html_p(main, line);

	form = lejr_html_form(main, "post", LEJR_OAUTH_AUTHORIZE,
			      lejr_web_csrf(a->wr));
	consent_hidden(a, form);
	if (json_array_size(orgs) == 0) {
		lejr_html_error(form, "You belong to no organization yet, so "
				"there is nothing to share. Ask an "
				"administrator to add you to one.");
		writes = 0;
	} else {
		writes = consent_orgs(form, orgs);
		consent_access(a, form, writes);
		lejr_html_submit(form, "Allow", "decision", "approve");
		lejr_html_text(form, " ");
	}
	lejr_html_submit(form, "Deny", "decision", "deny");
	lejr_web_reply_page(a->wr, status, pg);
}

/* ---- the decision ---- */

/* The membership of org id in orgs, or NULL. */
static json_t *
find_org(json_t *orgs, int64_t id)
{
	json_t *org;
	size_t i;

	json_array_foreach(orgs, i, org)
		if (json_integer_value(json_object_get(org, "id")) == id)
			return org;
	return NULL;
}

/* Read the chosen organizations and access into c; an error text for
 * the page, or NULL. */
static const char *
read_choice(struct authz *a, json_t *orgs, int64_t *ids,
	    struct ledger_oauth_consent *c)
{
	const char *given[LEDGER_OAUTH_ORGS_MAX];
	const char *access = lejr_web_form(a->wr, "access");
	size_t n = lejr_web_form_all(a->wr, "org", given,
				     LEDGER_OAUTH_ORGS_MAX);
	int writes = 0;
	char *end;

	if (n == 0)
		return "Choose at least one organization.";
	if (n > LEDGER_OAUTH_ORGS_MAX)
		return "Too many organizations chosen.";
	for (size_t i = 0; i < n; i++) {
		json_t *org;

		errno = 0;
		ids[i] = strtoll(given[i], &end, 10);
		org = errno == 0 && *end == '\0' ? find_org(orgs, ids[i])
						 : NULL;
		if (org == NULL)
			return "One of the chosen organizations is not "
			       "yours.";
		writes |= role_writes(json_string_value(
					json_object_get(org, "role")));
	}

	if (access != NULL && strcmp(access, "write") == 0 && writes)
		c->access = LEJR_ACCESS_WRITE;
	else if (access != NULL && strcmp(access, "write") == 0)
		return "Your role in the chosen organizations is read only.";
	else if (access != NULL && strcmp(access, "read") == 0)
		c->access = LEJR_ACCESS_READ;
	else
		return "Choose what the application may do.";
	c->orgs = ids;
	c->norgs = n;
	return NULL;
}

/* Make the code and send the visitor back with it. */
static void
grant(struct authz *a, sqlite3 *db, struct ledger_oauth_consent *c)
{
	struct lejr_error err = { 0 };
	char code[LEJR_TOKEN_MAX + 1];
	const char *pairs[] = { "code", code, "state", a->state,
				"iss", a->issuer, NULL };
	char *loc;

	c->client = a->client.id;
	c->user = lejr_web_user(a->wr)->id;
	c->redirect_uri = a->redirect;
	c->code_challenge = a->challenge;
	c->resource = a->ours;
	if (ledger_oauth_code_create(db, c, LEJR_OAUTH_CODE_TTL, code,
				     &err) != LEJR_OK) {
		lejr_log(LEJR_LOG_ERROR, "oauth: making a code: %s", err.msg);
		lejr_web_reply_error(a->wr, 500, "The authorization could "
				     "not be recorded. Try again.");
		return;
	}

	lejr_log(LEJR_LOG_INFO, "oauth: user %" PRId64 " allowed client %s: "
		 "%zu organization(s), %s", c->user, a->client.client_id,
		 c->norgs, c->access == LEJR_ACCESS_WRITE ? "write" : "read");
	loc = lejr_oauth_redirect_build(a->redirect, pairs);
	OPENSSL_cleanse(code, sizeof(code));
	if (loc == NULL) {
		lejr_web_reply_error(a->wr, 500, "Out of memory.");
		return;
	}
	lejr_web_redirect(a->wr, loc);
	OPENSSL_cleanse(loc, strlen(loc));
	free(loc);
}

static void
decide(struct authz *a, sqlite3 *db, json_t *orgs)
{
	const char *decision = lejr_web_form(a->wr, "decision");
	struct ledger_oauth_consent c;
	int64_t ids[LEDGER_OAUTH_ORGS_MAX];
	const char *error;

	if (decision == NULL || strcmp(decision, "approve") != 0) {
		redirect_error(a, "access_denied", "the user declined");
		return;
	}
	memset(&c, 0, sizeof(c));
	error = read_choice(a, orgs, ids, &c);
	if (error != NULL) {
		consent_page(a, orgs, 400, error);
		return;
	}
	grant(a, db, &c);
}

/* ---- the handler ---- */

void
lejr_oauth_authorize_page(struct lejr_web_req *wr, sqlite3 *db)
{
	struct lejr_error err = { 0 };
	json_t *orgs = NULL;
	struct authz a;

	memset(&a, 0, sizeof(a));
	a.wr = wr;
	authz_read(&a);
	if (check_client(&a, db) < 0 || check_request(&a) < 0)
		goto out;

	if (lejr_web_user(wr) == NULL) {
		to_sign_in(&a);
		goto out;
	}
	if (ledger_user_memberships(db, lejr_web_user(wr)->id, &orgs,
				    &err) != LEJR_OK) {
		lejr_web_reply_error(wr, 500, "Your organizations could not "
				     "be read.");
		goto out;
	}

	if (lejr_web_is_post(wr))
		decide(&a, db, orgs);
	else
		consent_page(&a, orgs, 200, NULL);
out:
	json_decref(orgs);
	ledger_oauth_client_clear(&a.client);
}

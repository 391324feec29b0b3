/*
 * oauth-policy.h - the rules of lejrd's OAuth authorization server that
 * need neither the event loop nor the database: redirect URIs, scopes,
 * resource indicators, client registration metadata, form bodies, HTTP
 * Basic credentials and the metadata documents.  Pure functions,
 * unit-tested in tests/test_oauth.c.
 */
#ifndef LEJR_OAUTH_POLICY_H
#define LEJR_OAUTH_POLICY_H

#include <stddef.h>

#include <jansson.h>

#define LEJR_OAUTH_URI_MAX 1024      /* longest redirect URI */
#define LEJR_OAUTH_REDIRECTS_MAX 16  /* redirect URIs of one client */
#define LEJR_OAUTH_NAME_MAX 200      /* longest client_name */
#define LEJR_OAUTH_SCOPE_READ "ledger:read"
#define LEJR_OAUTH_SCOPE_WRITE "ledger:write"

/* Paths of the authorization server, under the public URL. */
#define LEJR_OAUTH_AS_META "/.well-known/oauth-authorization-server"
#define LEJR_OAUTH_OIDC_META "/.well-known/openid-configuration"
#define LEJR_OAUTH_AUTHORIZE "/authorize"
#define LEJR_OAUTH_TOKEN "/token"
#define LEJR_OAUTH_REGISTER "/register"
#define LEJR_OAUTH_REVOKE "/revoke"

/* ---- redirect URIs ---- */

/*
 * May uri be registered as a redirect URI?  An absolute https URL, or
 * an http URL whose host is a loopback name (127.0.0.0/8, [::1],
 * localhost: RFC 8252 section 7.3); no fragment, no user info, no
 * spaces or control characters, at most LEJR_OAUTH_URI_MAX bytes.
 */
int lejr_oauth_redirect_uri_ok(const char *uri);

/*
 * Does requested, sent to /authorize, match registered?  The same text,
 * or, for a loopback http URI, the same host and the same path and
 * query on any port (RFC 8252 section 7.3).  localhost and 127.0.0.1
 * are different hosts; non-loopback URIs match only exactly.
 */
int lejr_oauth_redirect_uri_match(const char *registered,
				  const char *requested);

/*
 * Build the redirect to uri with query parameters added: pairs is a
 * NULL-terminated list of name, value, name, value...; a NULL value
 * leaves its name out.  Values are percent-encoded; uri's own query is
 * kept (RFC 6749 section 3.1.2).  Returns a malloc'd string, or NULL
 * when out of memory.
 */
char *lejr_oauth_redirect_build(const char *uri, const char *const *pairs);

/* Percent-encode s for a query or form value (unreserved characters
 * kept) into a malloc'd string; NULL when out of memory. */
char *lejr_url_encode(const char *s);

/* ---- scopes and resources ---- */

/*
 * The access a scope parameter asks for: 2 (read and write) when it
 * names ledger:write, 1 for ledger:read alone, 0 when it names neither.
 * Unknown values are ignored; NULL or "" is 0.
 */
int lejr_oauth_scope_access(const char *scope);

/* The scope text granted for an access level (1 read, 2 write). */
const char *lejr_oauth_scope_text(int access);

/* Every scope we know, space separated (a WWW-Authenticate hint). */
const char *lejr_oauth_scopes_all(void);

/* Is a resource indicator (RFC 8707) ours: resource itself, or with one
 * trailing slash? */
int lejr_oauth_resource_ok(const char *given, const char *resource);

/* ---- client registration (RFC 7591) ---- */

/*
 * Check a registration request (borrowed) and build the metadata to
 * store and echo (new reference): redirect_uris, grant_types,
 * response_types and the descriptive fields we keep (client_name,
 * client_uri, logo_uri, tos_uri, policy_uri, contacts, scope,
 * software_id, software_version); null values are left out, others are
 * dropped.  A descriptive field holding a control, bidirectional or
 * invisible character (lejr_utf8_name_ok) is refused, so that a consent
 * page cannot be made to show something else.  *auth is set to the
 * token endpoint auth method's name (a static string; "none" when
 * absent).  On failure returns NULL, *error is
 * "invalid_redirect_uri" or "invalid_client_metadata" and msg (len
 * bytes) says why.
 */
json_t *lejr_oauth_client_metadata(json_t *req, const char **auth,
				   const char **error, char *msg, size_t len);

/* ---- metadata documents ---- */

/* The authorization server metadata (RFC 8414) for issuer, the public
 * URL (new reference). */
json_t *lejr_oauth_as_metadata(const char *issuer);

/* ---- form bodies and query strings ---- */

#define LEJR_FORM_FIELDS 32

/* A decoded application/x-www-form-urlencoded text. */
struct lejr_form {
	size_t n;
	char *names[LEJR_FORM_FIELDS];
	char *values[LEJR_FORM_FIELDS];
	const char *repeated; /* the first name given twice, or NULL */
};

/*
 * Decode text (len bytes, need not end in NUL) into f: '&'-separated
 * name=value pairs, '+' for space, %XX escapes; a name without '=' has
 * the value "".  Returns 0, or -1 for a malformed escape, an encoded
 * NUL, text that is not strict UTF-8 or holds a control character,
 * too many fields or no memory (f is then empty).  Free with
 * lejr_form_free.
 */
int lejr_form_parse(const char *text, size_t len, struct lejr_form *f);

/* The value of name, or NULL.  Borrowed from f. */
const char *lejr_form_get(const struct lejr_form *f, const char *name);

/* Wipe and free the fields (values may be secrets); f is left empty. */
void lejr_form_free(struct lejr_form *f);

/* ---- client authentication ---- */

/*
 * Decode an "Authorization: Basic" header value (RFC 6749 section
 * 2.3.1: both parts form-urlencoded, then base64) into id and secret.
 * Returns 1 with both filled, 0 when header is NULL or another scheme,
 * -1 when malformed or too long.
 */
int lejr_oauth_basic(const char *header, char *id, size_t idlen,
		     char *secret, size_t secretlen);

#endif /* LEJR_OAUTH_POLICY_H */

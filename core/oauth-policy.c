/*
 * oauth-policy.c - redirect URIs, scopes, registration metadata, form
 * bodies and Basic credentials of the OAuth authorization server.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "http-policy.h"
#include "oauth-policy.h"
#include "utf8.h"

/* ---- redirect URIs ---- */

/* Split an http(s) URI into its scheme length (including "://"), its
 * host (no port) and where its path begins.  Returns 0 or -1. */
static int
uri_split(const char *uri, size_t *scheme, const char **host,
	  size_t *hlen, const char **rest)
{
	const char *p, *end, *colon;

	if (strncmp(uri, "https://", 8) == 0)
		*scheme = 8;
	else if (strncmp(uri, "http://", 7) == 0)
		*scheme = 7;
	else
		return -1;

	p = uri + *scheme;
	end = p + strcspn(p, "/?#");
	*rest = end;
	*host = p;
	if (*p == '[') {
		colon = memchr(p, ']', (size_t)(end - p));
		if (colon == NULL)
			return -1;
		*hlen = (size_t)(colon - p) + 1;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		*hlen = colon != NULL ? (size_t)(colon - p)
				      : (size_t)(end - p);
	}
	return *hlen > 0 ? 0 : -1;
}

int
lejr_oauth_redirect_uri_ok(const char *uri)
{
	struct lejr_url u;
	size_t n;

	if (uri == NULL)
		return 0;
	n = strlen(uri);
	if (n == 0 || n > LEJR_OAUTH_URI_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)uri[i];

		if (c <= ' ' || c == 0x7f || c == '#' || c == '\\')
			return 0;
	}

	/* lejr_url_parse refuses user info and odd host characters. */
	if (lejr_url_parse(uri, &u) < 0)
		return 0;
	if (u.https)
		return strncmp(uri, "https://", 8) == 0;
	return strncmp(uri, "http://", 7) == 0 &&
	       lejr_host_is_loopback(u.host, strlen(u.host));
}

int
lejr_oauth_redirect_uri_match(const char *registered, const char *requested)
{
	const char *h1, *h2, *r1, *r2;
	size_t s1, s2, n1, n2;

	if (registered == NULL || requested == NULL)
		return 0;
	if (strcmp(registered, requested) == 0)
		return 1;

	/* Only loopback http URIs may differ, and only in the port. */
	if (strncmp(registered, "http://", 7) != 0 ||
	    strncmp(requested, "http://", 7) != 0 ||
	    uri_split(registered, &s1, &h1, &n1, &r1) < 0 ||
	    uri_split(requested, &s2, &h2, &n2, &r2) < 0)
		return 0;
	if (!lejr_host_is_loopback(h1, n1) || n1 != n2 ||
	    strncasecmp(h1, h2, n1) != 0)
		return 0;
	return strcmp(r1, r2) == 0 && lejr_oauth_redirect_uri_ok(requested);
}

char *
lejr_url_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), j = 0;
	char *out;

	out = malloc(n * 3 + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			out[j++] = (char)c;
		} else {
			out[j++] = '%';
			out[j++] = hex[c >> 4];
			out[j++] = hex[c & 15];
		}
	}
	out[j] = '\0';
	return out;
}

/* Append text to a growing string; -1 when out of memory. */
static int
append(char **buf, size_t *len, size_t *cap, const char *text)
{
	size_t n = strlen(text);
	char *p;

	if (*len + n + 1 > *cap) {
		size_t want = (*len + n + 1) * 2;

		p = realloc(*buf, want);
		if (p == NULL)
			return -1;
		*buf = p;
		*cap = want;
	}
	memcpy(*buf + *len, text, n + 1);
	*len += n;
	return 0;
}

char *
lejr_oauth_redirect_build(const char *uri, const char *const *pairs)
{
	char sep = strchr(uri, '?') != NULL ? '&' : '?';
	size_t len = 0, cap = 0;
	char *buf = NULL, *enc;
	char s[2] = { 0, 0 };

	if (append(&buf, &len, &cap, uri) < 0)
		return NULL;
	for (size_t i = 0; pairs[i] != NULL; i += 2) {
		if (pairs[i + 1] == NULL)
			continue;
		enc = lejr_url_encode(pairs[i + 1]);
		s[0] = sep;
		if (enc == NULL || append(&buf, &len, &cap, s) < 0 ||
		    append(&buf, &len, &cap, pairs[i]) < 0 ||
		    append(&buf, &len, &cap, "=") < 0 ||
		    append(&buf, &len, &cap, enc) < 0) {
			free(enc);
			free(buf);
			return NULL;
		}
		free(enc);
		sep = '&';
	}
	return buf;
}

/* ---- scopes and resources ---- */

int
lejr_oauth_scope_access(const char *scope)
{
	const char *p = scope;
	int access = 0;
	size_t n;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == strlen(LEJR_OAUTH_SCOPE_WRITE) &&
		    strncmp(p, LEJR_OAUTH_SCOPE_WRITE, n) == 0)
			access = 2;
		else if (n == strlen(LEJR_OAUTH_SCOPE_READ) &&
			 strncmp(p, LEJR_OAUTH_SCOPE_READ, n) == 0 &&
			 access == 0)
			access = 1;
		p += n;
	}
	return access;
}

const char *
lejr_oauth_scope_text(int access)
{
	return access >= 2 ? lejr_oauth_scopes_all() : LEJR_OAUTH_SCOPE_READ;
}

const char *
lejr_oauth_scopes_all(void)
{
	return LEJR_OAUTH_SCOPE_READ " " LEJR_OAUTH_SCOPE_WRITE;
}

int
lejr_oauth_resource_ok(const char *given, const char *resource)
{
	size_t n;

	if (given == NULL || resource == NULL)
		return 0;
	n = strlen(resource);
	return strncmp(given, resource, n) == 0 &&
	       (given[n] == '\0' || (given[n] == '/' && given[n + 1] == '\0'));
}

/* ---- client registration ---- */

struct meta_check {
	const char **error;
	char *msg;
	size_t len;
};

__attribute__((format(printf, 4, 5)))
static json_t *
meta_fail(struct meta_check *mc, json_t *out, const char *error,
	  const char *fmt, ...)
{
	va_list ap;

	json_decref(out);
	*mc->error = error;
	va_start(ap, fmt);
	vsnprintf(mc->msg, mc->len, fmt, ap);
	va_end(ap);
	return NULL;
}

/*
 * Is s at most max bytes of strict UTF-8 free of control, bidirectional
 * and invisible characters?  The name and addresses of a client are
 * shown on consent pages: a right-to-left override or a zero-width
 * character there could make one client pass for another.
 */
static int
text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n <= max && lejr_utf8_name_ok(s, n);
}

/* Is v an array of 1 to max strings each passing ok? */
static int
string_array_ok(json_t *v, size_t max, int (*ok)(const char *))
{
	json_t *item;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > max)
		return 0;
	json_array_foreach(v, i, item)
		if (!json_is_string(item) || !ok(json_string_value(item)))
			return 0;
	return 1;
}

static int
grant_ok(const char *g)
{
	return strcmp(g, "authorization_code") == 0 ||
	       strcmp(g, "refresh_token") == 0;
}

static int
response_type_ok(const char *t)
{
	return strcmp(t, "code") == 0;
}

static int
contact_ok(const char *c)
{
	return text_ok(c, 320) && c[0] != '\0';
}

static json_t *
check_redirects(json_t *req, json_t *out, struct meta_check *mc)
{
	json_t *uris = json_object_get(req, "redirect_uris"), *item;
	size_t i;

	if (!json_is_array(uris) || json_array_size(uris) == 0 ||
	    json_array_size(uris) > LEJR_OAUTH_REDIRECTS_MAX)
		return meta_fail(mc, out, "invalid_redirect_uri",
				 "redirect_uris must list 1 to 16 URIs");
	json_array_foreach(uris, i, item)
		if (!json_is_string(item) ||
		    !lejr_oauth_redirect_uri_ok(json_string_value(item)))
			return meta_fail(mc, out, "invalid_redirect_uri",
					 "redirect URI %.200s is refused: "
					 "use https, or http on a loopback "
					 "address (127.0.0.1, [::1], "
					 "localhost), without a fragment",
					 json_is_string(item) ?
					 json_string_value(item) : "(not a "
					 "string)");
	json_object_set(out, "redirect_uris", uris);
	return out;
}

/* grant_types and response_types: the defaults, or what was asked when
 * we support all of it. */
static json_t *
check_types(json_t *req, json_t *out, struct meta_check *mc)
{
	json_t *g = json_object_get(req, "grant_types");
	json_t *r = json_object_get(req, "response_types");

	if (g == NULL || json_is_null(g))
		json_object_set_new(out, "grant_types",
				    json_pack("[s, s]", "authorization_code",
					      "refresh_token"));
	else if (string_array_ok(g, 2, grant_ok))
		json_object_set(out, "grant_types", g);
	else
		return meta_fail(mc, out, "invalid_client_metadata",
				 "grant_types may only hold "
				 "authorization_code and refresh_token");

	if (r == NULL || json_is_null(r))
		json_object_set_new(out, "response_types",
				    json_pack("[s]", "code"));
	else if (string_array_ok(r, 1, response_type_ok))
		json_object_set(out, "response_types", r);
	else
		return meta_fail(mc, out, "invalid_client_metadata",
				 "response_types may only hold code");
	return out;
}

/* The descriptive string fields kept and echoed. */
static const char *const text_fields[] = {
	"client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri",
	"scope", "software_id", "software_version", NULL
};

static json_t *
check_texts(json_t *req, json_t *out, struct meta_check *mc)
{
	json_t *v;

	for (size_t i = 0; text_fields[i] != NULL; i++) {
		v = json_object_get(req, text_fields[i]);
		if (v == NULL || json_is_null(v))
			continue;
		if (!json_is_string(v) ||
		    !text_ok(json_string_value(v), i == 0 ?
			     LEJR_OAUTH_NAME_MAX : LEJR_OAUTH_URI_MAX))
			return meta_fail(mc, out, "invalid_client_metadata",
					 "%s must be a short text without "
					 "control, bidirectional or invisible "
					 "characters",
					 text_fields[i]);
		json_object_set(out, text_fields[i], v);
	}

	v = json_object_get(req, "contacts");
	if (v != NULL && !json_is_null(v)) {
		if (!string_array_ok(v, 16, contact_ok))
			return meta_fail(mc, out, "invalid_client_metadata",
					 "contacts must be a list of "
					 "addresses");
		json_object_set(out, "contacts", v);
	}
	return out;
}

static const char *const auth_methods[] = {
	"none", "client_secret_post", "client_secret_basic", NULL
};

json_t *
lejr_oauth_client_metadata(json_t *req, const char **auth,
			   const char **error, char *msg, size_t len)
{
	struct meta_check mc = { error, msg, len };
	json_t *method, *out;

	*auth = "none";
	*error = NULL;
	msg[0] = '\0';
	if (!json_is_object(req))
		return meta_fail(&mc, NULL, "invalid_client_metadata",
				 "the registration must be a JSON object");

	/* Public clients by default (policy): MCP clients use PKCE and
	 * rarely keep a secret; a secret they ignore would break them. */
	method = json_object_get(req, "token_endpoint_auth_method");
	for (size_t i = 0; json_is_string(method) && auth_methods[i]; i++)
		if (strcmp(json_string_value(method), auth_methods[i]) == 0)
			*auth = auth_methods[i];
	if (method != NULL && !json_is_null(method) &&
	    (!json_is_string(method) ||
	     strcmp(json_string_value(method), *auth) != 0))
		return meta_fail(&mc, NULL, "invalid_client_metadata",
				 "token_endpoint_auth_method must be none, "
				 "client_secret_post or client_secret_basic");

	out = json_object();
	if (out == NULL)
		return meta_fail(&mc, NULL, "invalid_client_metadata",
				 "out of memory");
	out = check_redirects(req, out, &mc);
	if (out != NULL)
		out = check_types(req, out, &mc);
	if (out != NULL)
		out = check_texts(req, out, &mc);
	return out;
}

/* ---- metadata documents ---- */

json_t *
lejr_oauth_as_metadata(const char *issuer)
{
	char authorize[600], token[600], reg[600], revoke[600];

	snprintf(authorize, sizeof(authorize), "%s%s", issuer,
		 LEJR_OAUTH_AUTHORIZE);
	snprintf(token, sizeof(token), "%s%s", issuer, LEJR_OAUTH_TOKEN);
	snprintf(reg, sizeof(reg), "%s%s", issuer, LEJR_OAUTH_REGISTER);
	snprintf(revoke, sizeof(revoke), "%s%s", issuer, LEJR_OAUTH_REVOKE);

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s, s], s:[s], s:[s],"
			 " s:[s, s], s:[s, s, s], s:[s, s, s], s:[s], s:b}",
			 "issuer", issuer,
			 "authorization_endpoint", authorize,
			 "token_endpoint", token,
			 "registration_endpoint", reg,
			 "revocation_endpoint", revoke,
			 "scopes_supported", LEJR_OAUTH_SCOPE_READ,
			 LEJR_OAUTH_SCOPE_WRITE,
			 "response_types_supported", "code",
			 "response_modes_supported", "query",
			 "grant_types_supported", "authorization_code",
			 "refresh_token",
			 "token_endpoint_auth_methods_supported", "none",
			 "client_secret_post", "client_secret_basic",
			 "revocation_endpoint_auth_methods_supported", "none",
			 "client_secret_post", "client_secret_basic",
			 "code_challenge_methods_supported", "S256",
			 "authorization_response_iss_parameter_supported", 1);
}

/* ---- forms ---- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode n bytes of s into a malloc'd string; NULL when malformed or
 * when the text is not strict UTF-8 without control characters. */
static char *
form_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t j = 0;
	int hi, lo;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[j++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= n)
				goto bad;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			out[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '\0') {
			goto bad;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	if (!lejr_utf8_text_ok(out, j, 0))
		goto bad;
	return out;
bad:
	OPENSSL_cleanse(out, n + 1);
	free(out);
	return NULL;
}

/* Add one "name=value" piece of n bytes to f. */
static int
form_add(struct lejr_form *f, const char *piece, size_t n)
{
	const char *eq = memchr(piece, '=', n);
	size_t nlen = eq != NULL ? (size_t)(eq - piece) : n;
	char *name, *value;

	if (f->n == LEJR_FORM_FIELDS)
		return -1;
	name = form_decode(piece, nlen);
	value = eq != NULL ? form_decode(eq + 1, n - nlen - 1)
			   : form_decode("", 0);
	if (name == NULL || value == NULL) {
		free(name);
		free(value);
		return -1;
	}
	if (f->repeated == NULL && lejr_form_get(f, name) != NULL)
		f->repeated = name;
	f->names[f->n] = name;
	f->values[f->n++] = value;
	return 0;
}

int
lejr_form_parse(const char *text, size_t len, struct lejr_form *f)
{
	size_t i = 0, n;

	memset(f, 0, sizeof(*f));
	while (i < len) {
		const char *amp = memchr(text + i, '&', len - i);

		n = amp != NULL ? (size_t)(amp - (text + i)) : len - i;
		if (n > 0 && form_add(f, text + i, n) < 0) {
			lejr_form_free(f);
			return -1;
		}
		i += n + 1;
	}
	return 0;
}

const char *
lejr_form_get(const struct lejr_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->names[i], name) == 0)
			return f->values[i];
	return NULL;
}

void
lejr_form_free(struct lejr_form *f)
{
	/* Values may be secrets: codes, tokens, client secrets. */
	for (size_t i = 0; i < f->n; i++) {
		OPENSSL_cleanse(f->values[i], strlen(f->values[i]));
		free(f->names[i]);
		free(f->values[i]);
	}
	memset(f, 0, sizeof(*f));
}

/* ---- client authentication ---- */

/* Base64 (standard alphabet, padded) of text into out; the byte count,
 * or -1. */
static int
b64_decode(const char *text, unsigned char *out, size_t outlen)
{
	size_t n = strlen(text), pad = 0;
	int got;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > outlen)
		return -1;
	if (text[n - 1] == '=')
		pad++;
	if (n > 1 && text[n - 2] == '=')
		pad++;
	got = EVP_DecodeBlock(out, (const unsigned char *)text, (int)n);
	if (got < 0 || (size_t)got < pad)
		return -1;
	return got - (int)pad;
}

/* Form-decode one part of Basic credentials into out. */
static int
basic_part(const char *s, size_t n, char *out, size_t outlen)
{
	char *dec = form_decode(s, n);

	if (dec == NULL || strlen(dec) >= outlen) {
		free(dec);
		return -1;
	}
	memcpy(out, dec, strlen(dec) + 1);
	free(dec);
	return 0;
}

int
lejr_oauth_basic(const char *header, char *id, size_t idlen, char *secret,
		 size_t secretlen)
{
	unsigned char raw[512];
	const char *colon;
	int n;

	id[0] = secret[0] = '\0';
	if (header == NULL || strncasecmp(header, "Basic ", 6) != 0)
		return 0;
	header += 6;
	header += strspn(header, " ");

	n = b64_decode(header, raw, sizeof(raw) - 1);
	if (n < 0 || memchr(raw, '\0', (size_t)n) != NULL)
		return -1;
	raw[n] = '\0';

	colon = strchr((const char *)raw, ':');
	if (colon == NULL ||
	    basic_part((const char *)raw, (size_t)(colon - (char *)raw), id,
		       idlen) < 0 ||
	    basic_part(colon + 1, strlen(colon + 1), secret, secretlen) < 0)
		return -1;
	return 1;
}

/*
 * test_oauth.c - the OAuth authorization server's pure pieces (redirect
 * URIs, PKCE, scopes, resources, registration metadata, forms, Basic
 * credentials, the metadata document) and its records over a real
 * SQLite file: codes, connections, rotation, revocation, audiences and
 * the sweep of unused clients.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "../core/config.h" /* not autoconf's config.h */
#include "log.h"
#include "ledger/ledger-internal.h"
#include "oauth-policy.h"

/* RFC 7636 appendix B. */
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define RESOURCE "https://ledger.example/api/mcp"

/* ---- redirect URIs ---- */

Test(policy, redirect_uris_registered)
{
	const char *good[] = {
		"https://claude.ai/api/mcp/auth_callback",
		"https://claude.com/api/mcp/auth_callback",
		"http://localhost:6274/oauth/callback",
		"http://localhost:53682/callback",
		"http://127.0.0.1:33418",
		"http://127.9.8.7/cb?x=1",
		"http://[::1]:8080/cb",
		"http://LOCALHOST/cb",
	};
	const char *bad[] = {
		"http://attacker.example:8080/cb",
		"http://localhost.attacker.example/cb",
		"http://128.0.0.1/cb",
		"https://app.example/cb#fragment",
		"https://user@app.example/cb",
		"https://app.example/c b",
		"https://app.example/c\\b",
		"javascript:alert(1)",
		"cursor://oauth/callback",
		"https:///cb",
		"",
	};
	char longuri[LEJR_OAUTH_URI_MAX + 40];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_expect(lejr_oauth_redirect_uri_ok(good[i]), "%s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect(!lejr_oauth_redirect_uri_ok(bad[i]), "%s", bad[i]);
	cr_expect(!lejr_oauth_redirect_uri_ok(NULL));

	snprintf(longuri, sizeof(longuri), "https://app.example/%0*d",
		 LEJR_OAUTH_URI_MAX, 0);
	cr_expect(!lejr_oauth_redirect_uri_ok(longuri));
}

Test(policy, redirect_uris_matched)
{
	/* C04 (a) to (f), and the policies around them. */
	cr_expect(lejr_oauth_redirect_uri_match("http://127.0.0.1:33418",
						"http://127.0.0.1:33418"));
	cr_expect(lejr_oauth_redirect_uri_match("http://localhost/callback",
			"http://localhost:51234/callback"));
	cr_expect(lejr_oauth_redirect_uri_match(
			"http://localhost:8765/callback",
			"http://localhost:9999/callback"));
	cr_expect(lejr_oauth_redirect_uri_match("http://[::1]/cb",
						"http://[::1]:4000/cb"));
	cr_expect(lejr_oauth_redirect_uri_match(
			"https://claude.ai/api/mcp/auth_callback",
			"https://claude.ai/api/mcp/auth_callback"));

	cr_expect(!lejr_oauth_redirect_uri_match(
			"https://claude.ai/api/mcp/auth_callback",
			"https://claude.ai/api/mcp/auth_callback2"));
	cr_expect(!lejr_oauth_redirect_uri_match(
			"https://claude.ai/api/mcp/auth_callback",
			"https://claude.ai:444/api/mcp/auth_callback"));
	cr_expect(!lejr_oauth_redirect_uri_match("http://127.0.0.1:33418",
			"http://127.0.0.1:33418/other"));
	cr_expect(!lejr_oauth_redirect_uri_match("http://localhost:8765/cb",
						 "http://127.0.0.1:8765/cb"));
	cr_expect(!lejr_oauth_redirect_uri_match("http://127.0.0.1/cb",
						 "http://127.0.0.2/cb"));
	cr_expect(!lejr_oauth_redirect_uri_match("http://localhost/cb",
						 "http://localhost:1/cb?x"));
	cr_expect(!lejr_oauth_redirect_uri_match("http://app.example/cb",
						 "http://app.example:1/cb"));
	cr_expect(!lejr_oauth_redirect_uri_match("http://localhost/cb",
						 "https://localhost:1/cb"));
	cr_expect(!lejr_oauth_redirect_uri_match("http://localhost/cb",
						 "http://localhost:1/cb#f"));
	cr_expect(!lejr_oauth_redirect_uri_match(NULL, "http://localhost/cb"));
}

Test(policy, redirect_built)
{
	const char *p1[] = { "code", "a b&c", "state", NULL, "iss",
			     "https://ledger.example", NULL };
	const char *p2[] = { "error", "access_denied", NULL };
	char *s;

	s = lejr_oauth_redirect_build("https://app.example/cb", p1);
	cr_assert_str_eq(s, "https://app.example/cb?code=a%20b%26c&iss="
			 "https%3A%2F%2Fledger.example");
	free(s);
	s = lejr_oauth_redirect_build("https://app.example/cb?x=1", p2);
	cr_assert_str_eq(s, "https://app.example/cb?x=1&error=access_denied");
	free(s);
}

/* ---- PKCE, scopes, resources ---- */

Test(policy, pkce_s256)
{
	cr_expect(ledger_oauth_pkce_ok(VERIFIER, CHALLENGE));
	cr_expect(!ledger_oauth_pkce_ok(VERIFIER "x", CHALLENGE));
	cr_expect(!ledger_oauth_pkce_ok(CHALLENGE, CHALLENGE));
	cr_expect(!ledger_oauth_pkce_ok(VERIFIER, VERIFIER),
		  "plain is never accepted");
	cr_expect(!ledger_oauth_pkce_ok("short", CHALLENGE));
	cr_expect(!ledger_oauth_pkce_ok(NULL, CHALLENGE));
	cr_expect(!ledger_oauth_pkce_ok(VERIFIER, NULL));
	cr_expect(!ledger_oauth_pkce_ok("dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gF"
					"WFOEjXk", CHALLENGE),
		  "characters outside the unreserved set");
}

Test(policy, scopes)
{
	cr_expect_eq(lejr_oauth_scope_access("ledger:read"), 1);
	cr_expect_eq(lejr_oauth_scope_access("ledger:write"), 2);
	cr_expect_eq(lejr_oauth_scope_access("ledger:read ledger:write"), 2);
	cr_expect_eq(lejr_oauth_scope_access("ledger:write ledger:read"), 2);
	cr_expect_eq(lejr_oauth_scope_access("openid  ledger:read profile"),
		     1);
	cr_expect_eq(lejr_oauth_scope_access("ledger:readx ledger"), 0);
	cr_expect_eq(lejr_oauth_scope_access("offline_access"), 0);
	cr_expect_eq(lejr_oauth_scope_access(""), 0);
	cr_expect_eq(lejr_oauth_scope_access(NULL), 0);
	cr_expect_str_eq(lejr_oauth_scope_text(1), "ledger:read");
	cr_expect_str_eq(lejr_oauth_scope_text(2),
			 "ledger:read ledger:write");
}

Test(policy, resources)
{
	cr_expect(lejr_oauth_resource_ok(RESOURCE, RESOURCE));
	cr_expect(lejr_oauth_resource_ok(RESOURCE "/", RESOURCE));
	cr_expect(!lejr_oauth_resource_ok(RESOURCE "//", RESOURCE));
	cr_expect(!lejr_oauth_resource_ok(RESOURCE "/x", RESOURCE));
	cr_expect(!lejr_oauth_resource_ok("https://ledger.example", RESOURCE));
	cr_expect(!lejr_oauth_resource_ok("https://other.example/api/mcp",
					  RESOURCE));
	cr_expect(!lejr_oauth_resource_ok(NULL, RESOURCE));
}

/* ---- registration metadata ---- */

static json_t *
check(const char *text, const char **auth, const char **error)
{
	json_t *req = json_loads(text, 0, NULL);
	char msg[300];
	json_t *out;

	cr_assert_not_null(req, "%s", text);
	out = lejr_oauth_client_metadata(req, auth, error, msg, sizeof(msg));
	json_decref(req);
	return out;
}

Test(policy, metadata_defaults_and_echo)
{
	const char *auth, *error;
	json_t *m;

	m = check("{\"redirect_uris\": [\"http://127.0.0.1:33418\"],"
		  " \"client_name\": \"replay\", \"logo_uri\": null,"
		  " \"jwks\": {\"keys\": []}, \"contacts\": [\"a@b.c\"],"
		  " \"scope\": \"ledger:read\"}", &auth, &error);
	cr_assert_not_null(m);
	cr_expect_str_eq(auth, "none");
	cr_expect_str_eq(json_string_value(json_array_get(
		json_object_get(m, "redirect_uris"), 0)),
		"http://127.0.0.1:33418");
	cr_expect_str_eq(json_string_value(json_object_get(m, "client_name")),
			 "replay");
	cr_expect_str_eq(json_string_value(json_object_get(m, "scope")),
			 "ledger:read");
	cr_expect_eq(json_array_size(json_object_get(m, "grant_types")), 2);
	cr_expect_str_eq(json_string_value(json_array_get(
		json_object_get(m, "response_types"), 0)), "code");
	cr_expect_null(json_object_get(m, "logo_uri"), "nulls are left out");
	cr_expect_null(json_object_get(m, "jwks"), "unknown fields dropped");
	cr_expect_eq(json_array_size(json_object_get(m, "contacts")), 1);
	json_decref(m);

	m = check("{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"token_endpoint_auth_method\": \"client_secret_basic\","
		  " \"grant_types\": [\"authorization_code\"]}", &auth,
		  &error);
	cr_assert_not_null(m);
	cr_expect_str_eq(auth, "client_secret_basic");
	cr_expect_eq(json_array_size(json_object_get(m, "grant_types")), 1);
	json_decref(m);
}

Test(policy, metadata_refused)
{
	static const struct {
		const char *json, *error;
	} cases[] = {
		{ "{\"redirect_uris\": [\"http://attacker.example:8080/cb\"]}",
		  "invalid_redirect_uri" },
		{ "{\"redirect_uris\": []}", "invalid_redirect_uri" },
		{ "{\"redirect_uris\": \"https://a.example/cb\"}",
		  "invalid_redirect_uri" },
		{ "{\"client_name\": \"x\"}", "invalid_redirect_uri" },
		{ "{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"token_endpoint_auth_method\": \"private_key_jwt\"}",
		  "invalid_client_metadata" },
		{ "{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"grant_types\": [\"implicit\"]}",
		  "invalid_client_metadata" },
		{ "{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"response_types\": [\"code\", \"token\"]}",
		  "invalid_client_metadata" },
		{ "{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"client_name\": \"a\\nb\"}", "invalid_client_metadata" },
		{ "[1]", "invalid_client_metadata" },
		/* Names that could pass for another on a consent page:
		 * a right-to-left override, an isolate, a zero-width
		 * space, a C1 control, a line separator, a BOM. */
		{ "{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"client_name\": \"Claude\\u202egpj.exe\"}",
		  "invalid_client_metadata" },
		{ "{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"client_name\": \"a\\u2067b\"}",
		  "invalid_client_metadata" },
		{ "{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"client_name\": \"Cla\\u200bude\"}",
		  "invalid_client_metadata" },
		{ "{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"client_name\": \"a\\u0085b\"}",
		  "invalid_client_metadata" },
		{ "{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"client_name\": \"a\\u2028b\"}",
		  "invalid_client_metadata" },
		{ "{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"client_uri\": \"\\ufeffhttps://a.example\"}",
		  "invalid_client_metadata" },
		{ "{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"contacts\": [\"a\\u202d@b.c\"]}",
		  "invalid_client_metadata" },
	};
	const char *auth, *error;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_null(check(cases[i].json, &auth, &error), "%s",
			       cases[i].json);
		cr_expect_str_eq(error, cases[i].error, "%s", cases[i].json);
	}
}

Test(policy, metadata_names_in_any_script)
{
	const char *auth, *error;
	json_t *m;

	m = check("{\"redirect_uris\": [\"https://a.example/cb\"],"
		  " \"client_name\": \"\\u0410\\u0441\\u0441 \\u05e2\\u05d1"
		  " Zo\\u00eb \\ud83d\\ude00\"}", &auth, &error);
	cr_assert_not_null(m, "%s", error);
	cr_expect_str_eq(json_string_value(json_object_get(m, "client_name")),
			 "\xd0\x90\xd1\x81\xd1\x81 \xd7\xa2\xd7\x91 Zo\xc3\xab "
			 "\xf0\x9f\x98\x80");
	json_decref(m);
}

Test(policy, as_metadata)
{
	json_t *m = lejr_oauth_as_metadata("https://ledger.example");
	json_t *methods;

	cr_assert_not_null(m);
	cr_expect_str_eq(json_string_value(json_object_get(m, "issuer")),
			 "https://ledger.example");
	cr_expect_str_eq(json_string_value(json_object_get(m,
			 "token_endpoint")), "https://ledger.example/token");
	cr_expect_str_eq(json_string_value(json_object_get(m,
			 "registration_endpoint")),
			 "https://ledger.example/register");
	cr_expect_str_eq(json_string_value(json_object_get(m,
			 "revocation_endpoint")),
			 "https://ledger.example/revoke");
	methods = json_object_get(m, "code_challenge_methods_supported");
	cr_expect_eq(json_array_size(methods), 1);
	cr_expect_str_eq(json_string_value(json_array_get(methods, 0)),
			 "S256");
	cr_expect(json_is_true(json_object_get(m,
		  "authorization_response_iss_parameter_supported")));
	json_decref(m);
}

/* ---- forms and Basic credentials ---- */

Test(policy, forms)
{
	const char *text = "a=1&b=x+y%21&c&&d=%E2%82%AC";
	struct lejr_form f;

	cr_assert_eq(lejr_form_parse(text, strlen(text), &f), 0);
	cr_expect_eq(f.n, 4);
	cr_expect_str_eq(lejr_form_get(&f, "a"), "1");
	cr_expect_str_eq(lejr_form_get(&f, "b"), "x y!");
	cr_expect_str_eq(lejr_form_get(&f, "c"), "");
	cr_expect_str_eq(lejr_form_get(&f, "d"), "\xe2\x82\xac");
	cr_expect_null(lejr_form_get(&f, "e"));
	cr_expect_null(f.repeated);
	lejr_form_free(&f);

	cr_assert_eq(lejr_form_parse("a=1&a=2", 7, &f), 0);
	cr_expect_str_eq(f.repeated, "a");
	lejr_form_free(&f);

	/* Text that is not strict UTF-8, or holds a control character,
	 * is refused: overlong '"' and '<', a lone 0xff, a surrogate, a
	 * code point above U+10FFFF, a newline, a C1 control. */
	cr_expect_eq(lejr_form_parse("a=%C0%A2", 8, &f), -1);
	cr_expect_eq(lejr_form_parse("a=%C0%BC", 8, &f), -1);
	cr_expect_eq(lejr_form_parse("a=%ff", 5, &f), -1);
	cr_expect_eq(lejr_form_parse("a=%ED%A0%80", 11, &f), -1);
	cr_expect_eq(lejr_form_parse("a=%F4%90%80%80", 14, &f), -1);
	cr_expect_eq(lejr_form_parse("a=%0A", 5, &f), -1);
	cr_expect_eq(lejr_form_parse("a=%C2%85", 8, &f), -1);
	cr_expect_eq(lejr_form_parse("%C0%BC=1", 8, &f), -1);
	cr_expect_eq(lejr_form_parse("a=%zz", 5, &f), -1);
	cr_expect_eq(lejr_form_parse("a=%0", 4, &f), -1);
	cr_expect_eq(lejr_form_parse("a=%00", 5, &f), -1);
	cr_expect_eq(lejr_form_parse("", 0, &f), 0);
	cr_expect_eq(f.n, 0);
}

Test(policy, basic_credentials)
{
	char id[64], secret[64];

	/* "my%20id:se%3Acret", form-encoded parts (RFC 6749 2.3.1). */
	cr_expect_eq(lejr_oauth_basic("Basic bXklMjBpZDpzZSUzQWNyZXQ=", id,
				      sizeof(id), secret, sizeof(secret)), 1);
	cr_expect_str_eq(id, "my id");
	cr_expect_str_eq(secret, "se:cret");
	/* "id:" */
	cr_expect_eq(lejr_oauth_basic("basic aWQ6", id, sizeof(id), secret,
				      sizeof(secret)), 1);
	cr_expect_str_eq(secret, "");
	cr_expect_eq(lejr_oauth_basic("Bearer abc", id, sizeof(id), secret,
				      sizeof(secret)), 0);
	cr_expect_eq(lejr_oauth_basic(NULL, id, sizeof(id), secret,
				      sizeof(secret)), 0);
	cr_expect_eq(lejr_oauth_basic("Basic !!!!", id, sizeof(id), secret,
				      sizeof(secret)), -1);
	/* "nocolon" */
	cr_expect_eq(lejr_oauth_basic("Basic bm9jb2xvbg==", id, sizeof(id),
				      secret, sizeof(secret)), -1);
	cr_expect_eq(lejr_oauth_basic("Basic bXklMjBpZDpzZSUzQWNyZXQ=", id,
				      4, secret, sizeof(secret)), -1,
		     "too long for the buffer");
}

/* ---- the records ---- */

static char dir[64];
static char path[128];
static sqlite3 *db;
static int64_t acme, beta, user, other_user;
static struct lejr_error err;
static const struct ledger_oauth_ttl ttl = { 3600, 86400 };

static void
db_setup(void)
{
	lejr_log_set_level(LEJR_LOG_ERROR);
	snprintf(dir, sizeof(dir), "/tmp/lejr-oauth-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ledger.db", dir);
	cr_assert_eq(ledger_open(path, &db, &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_org_create(db, "acme", "Acme", "EUR", &acme,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_org_create(db, "beta", "Beta", "EUR", &beta,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_user_create(db, "ed@acme.example", "Ed", NULL,
					&user, &err), LEJR_OK);
	cr_assert_eq(ledger_user_create(db, "zoe@beta.example", "Zoe", NULL,
					&other_user, &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, acme, user, LEJR_ROLE_ACCOUNTANT,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, beta, user, LEJR_ROLE_VIEWER,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, beta, other_user, LEJR_ROLE_OWNER,
				       &err), LEJR_OK);
}

static void
db_teardown(void)
{
	char file[160];

	ledger_close(db);
	snprintf(file, sizeof(file), "%s-wal", path);
	unlink(file);
	snprintf(file, sizeof(file), "%s-shm", path);
	unlink(file);
	unlink(path);
	rmdir(dir);
}

TestSuite(records, .init = db_setup, .fini = db_teardown);

static void
new_client(enum ledger_oauth_auth auth, struct ledger_oauth_client *c,
	   char secret[LEJR_TOKEN_MAX + 1])
{
	json_t *meta = json_pack("{s:[s]}", "redirect_uris",
				 "http://127.0.0.1:33418/cb");

	cr_assert_eq(ledger_oauth_client_create(db, meta, auth, "test", c,
						secret, &err), LEJR_OK,
		     "%s", err.msg);
	json_decref(meta);
}

/* A code for user on orgs at access, for client c. */
static void
new_code(const struct ledger_oauth_client *c, enum lejr_access access,
	 const int64_t *orgs, size_t norgs, char code[LEJR_TOKEN_MAX + 1])
{
	struct ledger_oauth_consent k = {
		.client = c->id, .user = user,
		.redirect_uri = "http://127.0.0.1:33418/cb",
		.code_challenge = CHALLENGE, .resource = RESOURCE,
		.access = access, .orgs = orgs, .norgs = norgs,
	};

	cr_assert_eq(ledger_oauth_code_create(db, &k, 600, code, &err),
		     LEJR_OK, "%s", err.msg);
}

static int
exchange(const struct ledger_oauth_client *c, const char *code,
	 const char *verifier, struct ledger_oauth_tokens *t)
{
	return ledger_oauth_code_exchange(db, code, c->id,
					  "http://127.0.0.1:33418/cb",
					  verifier, &ttl, t, &err);
}

Test(records, clients_and_secrets)
{
	struct ledger_oauth_client c, found;
	char secret[LEJR_TOKEN_MAX + 1];

	new_client(LEDGER_OAUTH_AUTH_BASIC, &c, secret);
	cr_expect(strncmp(secret, "lejr_cs_", 8) == 0);
	cr_expect_str_eq(json_string_value(json_object_get(c.metadata,
			 "client_secret")), secret);
	cr_assert_eq(ledger_oauth_client_find(db, c.client_id, &found, &err),
		     LEJR_OK);
	cr_expect_null(json_object_get(found.metadata, "client_secret"),
		       "the secret is never stored");
	cr_expect(ledger_oauth_client_secret_ok(&found, secret));
	cr_expect(!ledger_oauth_client_secret_ok(&found, "lejr_cs_wrong"));
	cr_expect(!ledger_oauth_client_secret_ok(&found, NULL));
	ledger_oauth_client_clear(&found);
	ledger_oauth_client_clear(&c);

	new_client(LEDGER_OAUTH_AUTH_NONE, &c, secret);
	cr_expect_str_eq(secret, "");
	cr_expect(!ledger_oauth_client_secret_ok(&c, ""));
	cr_expect_eq(ledger_oauth_client_find(db, "lejr_client_nope", &found,
					      &err), LEJR_ENOTFOUND);
	ledger_oauth_client_clear(&c);
}

Test(records, code_to_connection_to_principal)
{
	struct ledger_oauth_client c;
	struct ledger_oauth_tokens t;
	struct ledger_principal p;
	char code[LEJR_TOKEN_MAX + 1], secret[LEJR_TOKEN_MAX + 1];
	int64_t orgs[] = { acme, beta };

	new_client(LEDGER_OAUTH_AUTH_NONE, &c, secret);
	new_code(&c, LEJR_ACCESS_WRITE, orgs, 2, code);

	cr_expect_eq(exchange(&c, code, VERIFIER "x", &t), LEJR_EDENIED);
	cr_assert_eq(exchange(&c, code, VERIFIER, &t), LEJR_OK, "%s",
		     err.msg);
	cr_expect_eq(t.expires_in, 3600);

	cr_assert_eq(ledger_token_auth(db, t.access_token, &p, &err),
		     LEJR_OK, "%s", err.msg);
	cr_expect_eq(p.user_id, user);
	cr_expect_eq(p.connection_id, t.connection);
	cr_expect_str_eq(p.audience, RESOURCE);
	cr_assert_eq(p.ngrants, 2);
	cr_expect_eq(p.grants[0].org_id, acme);
	cr_expect_eq(p.grants[0].access, LEJR_ACCESS_WRITE);
	cr_expect_eq(p.grants[1].access, LEJR_ACCESS_READ,
		     "a viewer's connection reads, whatever it asked");
	ledger_principal_free(&p);

	/* Refresh tokens are not access tokens. */
	cr_expect_eq(ledger_token_auth(db, t.refresh_token, &p, &err),
		     LEJR_EDENIED);
	ledger_oauth_client_clear(&c);
}

Test(records, code_refusals)
{
	struct ledger_oauth_client c, d;
	struct ledger_oauth_tokens t, u;
	struct ledger_principal p;
	char code[LEJR_TOKEN_MAX + 1], secret[LEJR_TOKEN_MAX + 1];
	int64_t orgs[] = { acme }, theirs[] = { acme, 999 };
	struct ledger_oauth_consent k = {
		.user = user, .redirect_uri = "http://127.0.0.1:33418/cb",
		.code_challenge = VERIFIER "0", .resource = RESOURCE,
		.access = LEJR_ACCESS_READ, .orgs = orgs, .norgs = 1,
	};

	new_client(LEDGER_OAUTH_AUTH_NONE, &c, secret);
	new_client(LEDGER_OAUTH_AUTH_NONE, &d, secret);
	k.client = c.id;
	cr_expect_eq(ledger_oauth_code_create(db, &k, 600, code, &err),
		     LEJR_EINVAL, "a challenge of the wrong size");
	k.code_challenge = CHALLENGE;
	k.orgs = theirs;
	k.norgs = 2;
	cr_expect_eq(ledger_oauth_code_create(db, &k, 600, code, &err),
		     LEJR_EINVAL, "an organization that is not the user's");

	new_code(&c, LEJR_ACCESS_READ, orgs, 1, code);
	cr_expect_eq(exchange(&d, code, VERIFIER, &t), LEJR_EDENIED,
		     "another client");
	cr_expect_eq(ledger_oauth_code_exchange(db, code, c.id,
			"http://127.0.0.1:33418/other", VERIFIER, &ttl, &t,
			&err), LEJR_EDENIED);
	cr_expect_eq(exchange(&c, "lejr_code_unknown", VERIFIER, &t),
		     LEJR_EDENIED);

	cr_assert_eq(exchange(&c, code, VERIFIER, &t), LEJR_OK);
	cr_expect_eq(exchange(&c, code, VERIFIER, &u), LEJR_EDENIED);
	cr_expect_eq(ledger_token_auth(db, t.access_token, &p, &err),
		     LEJR_EDENIED, "a reused code revokes what it issued");

	k.orgs = orgs;
	k.norgs = 1;
	cr_assert_eq(ledger_oauth_code_create(db, &k, -1, code, &err),
		     LEJR_OK);
	cr_expect_eq(exchange(&c, code, VERIFIER, &t), LEJR_EDENIED,
		     "an expired code");
	ledger_oauth_client_clear(&c);
	ledger_oauth_client_clear(&d);
}

Test(records, refresh_rotation_and_revocation)
{
	struct ledger_oauth_client c;
	struct ledger_oauth_tokens t, t2, t3;
	struct ledger_principal p;
	char code[LEJR_TOKEN_MAX + 1], secret[LEJR_TOKEN_MAX + 1];
	int64_t orgs[] = { acme };

	new_client(LEDGER_OAUTH_AUTH_NONE, &c, secret);
	new_code(&c, LEJR_ACCESS_WRITE, orgs, 1, code);
	cr_assert_eq(exchange(&c, code, VERIFIER, &t), LEJR_OK);

	cr_expect_eq(ledger_oauth_refresh(db, t.refresh_token, c.id,
					  "https://other.example/api/mcp",
					  &ttl, &t2, &err), LEJR_EDENIED,
		     "another audience");
	cr_assert_eq(ledger_oauth_refresh(db, t.refresh_token, c.id, RESOURCE,
					  &ttl, &t2, &err), LEJR_OK, "%s",
		     err.msg);
	cr_expect_eq(t2.connection, t.connection);
	cr_expect_str_neq(t2.refresh_token, t.refresh_token);
	cr_expect_eq(ledger_token_auth(db, t2.access_token, &p, &err),
		     LEJR_OK);
	ledger_principal_free(&p);

	/* The retired one again: the connection goes. */
	cr_expect_eq(ledger_oauth_refresh(db, t.refresh_token, c.id, RESOURCE,
					  &ttl, &t3, &err), LEJR_EDENIED);
	cr_expect_eq(ledger_token_auth(db, t2.access_token, &p, &err),
		     LEJR_EDENIED);
	cr_expect_eq(ledger_oauth_refresh(db, t2.refresh_token, c.id,
					  RESOURCE, &ttl, &t3, &err),
		     LEJR_EDENIED);
	cr_expect_eq(ledger_connection_revoke(db, t.connection, 0, &err),
		     LEJR_ECONFLICT);

	/* Revocation by token (RFC 7009) and by connection. */
	new_code(&c, LEJR_ACCESS_WRITE, orgs, 1, code);
	cr_assert_eq(exchange(&c, code, VERIFIER, &t), LEJR_OK);
	cr_expect_eq(ledger_oauth_revoke(db, t.access_token, c.id + 1000,
					 &err), LEJR_OK);
	cr_expect_eq(ledger_token_auth(db, t.access_token, &p, &err),
		     LEJR_OK, "another client's revocation changes nothing");
	ledger_principal_free(&p);
	cr_expect_eq(ledger_oauth_revoke(db, t.access_token, c.id, &err),
		     LEJR_OK);
	cr_expect_eq(ledger_token_auth(db, t.access_token, &p, &err),
		     LEJR_EDENIED);
	cr_assert_eq(ledger_oauth_refresh(db, t.refresh_token, c.id, RESOURCE,
					  &ttl, &t2, &err), LEJR_OK,
		     "revoking the access token leaves the connection");
	cr_expect_eq(ledger_connection_revoke(db, t2.connection, other_user,
					      &err), LEJR_ENOTFOUND,
		     "another user's connection");
	cr_expect_eq(ledger_connection_revoke(db, t2.connection, user, &err),
		     LEJR_OK);
	cr_expect_eq(ledger_token_auth(db, t2.access_token, &p, &err),
		     LEJR_EDENIED);
	ledger_oauth_client_clear(&c);
}

Test(records, personal_tokens_list_without_oauth_ones)
{
	struct ledger_oauth_client c;
	struct ledger_oauth_tokens t;
	char code[LEJR_TOKEN_MAX + 1], secret[LEJR_TOKEN_MAX + 1];
	char pat[LEJR_TOKEN_MAX + 1];
	int64_t orgs[] = { acme }, id;
	json_t *list;

	new_client(LEDGER_OAUTH_AUTH_NONE, &c, secret);
	new_code(&c, LEJR_ACCESS_WRITE, orgs, 1, code);
	cr_assert_eq(exchange(&c, code, VERIFIER, &t), LEJR_OK);
	cr_assert_eq(ledger_token_create(db, user, orgs, 1, LEJR_ACCESS_READ,
					 "mine", 0, pat, &id, &err), LEJR_OK);
	cr_assert_eq(ledger_token_list(db, 0, &list, &err), LEJR_OK);
	cr_expect_eq(json_array_size(list), 1);
	json_decref(list);
	ledger_oauth_client_clear(&c);
}

Test(records, unused_clients_are_swept)
{
	struct ledger_oauth_client used, unused, found;
	struct ledger_oauth_tokens t;
	char code[LEJR_TOKEN_MAX + 1], secret[LEJR_TOKEN_MAX + 1];
	int64_t orgs[] = { acme };
	int n = -1;

	new_client(LEDGER_OAUTH_AUTH_NONE, &used, secret);
	new_client(LEDGER_OAUTH_AUTH_NONE, &unused, secret);
	new_code(&used, LEJR_ACCESS_READ, orgs, 1, code);
	cr_assert_eq(exchange(&used, code, VERIFIER, &t), LEJR_OK);
	new_code(&unused, LEJR_ACCESS_READ, orgs, 1, code);

	cr_assert_eq(ledger_oauth_client_sweep(db, (int64_t)time(NULL) - 60,
					       &n, &err), LEJR_OK);
	cr_expect_eq(n, 0, "young clients stay");
	cr_assert_eq(ledger_oauth_client_sweep(db, (int64_t)time(NULL) + 60,
					       &n, &err), LEJR_OK, "%s",
		     err.msg);
	cr_expect_eq(n, 1);
	cr_expect_eq(ledger_oauth_client_find(db, unused.client_id, &found,
					      &err), LEJR_ENOTFOUND);
	cr_assert_eq(ledger_oauth_client_find(db, used.client_id, &found,
					      &err), LEJR_OK);
	ledger_oauth_client_clear(&found);
	ledger_oauth_client_clear(&used);
	ledger_oauth_client_clear(&unused);
}

Test(records, memberships)
{
	json_t *list;

	cr_assert_eq(ledger_user_memberships(db, user, &list, &err), LEJR_OK);
	cr_assert_eq(json_array_size(list), 2);
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(list, 0), "slug")), "acme");
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(list, 0), "role")), "accountant");
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(list, 1), "role")), "viewer");
	json_decref(list);
}

/* ---- lejr.conf ---- */

/* Load text as a configuration over the defaults into cfg. */
static int
load_conf(struct lejr_config *cfg, const char *text)
{
	char d[64], file[128];
	FILE *f;
	int rc;

	snprintf(d, sizeof(d), "/tmp/lejr-oauth-conf-XXXXXX");
	cr_assert_not_null(mkdtemp(d));
	snprintf(file, sizeof(file), "%s/lejr.conf", d);
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	rc = lejr_config_load(cfg, file);
	unlink(file);
	rmdir(d);
	return rc;
}

Test(conf, oauth_and_tls_keys)
{
	struct lejr_config cfg;

	lejr_log_set_level(LEJR_LOG_ERROR);
	lejr_config_defaults(&cfg);
	cr_expect_eq(cfg.access_token_ttl, 3600);
	cr_expect_eq(cfg.refresh_token_ttl, 30 * 86400);
	cr_expect_eq(cfg.register_limit, 20);
	cr_expect_str_eq(cfg.tls_cert, "");

	cr_assert_eq(load_conf(&cfg, "[server]\ntls_cert = /c.pem\n"
			       "tls_key = /k.pem\n[oauth]\n"
			       "access_token_ttl = 600\n"
			       "refresh_token_ttl = 86400\n"
			       "register_limit = 5\n"), 0);
	cr_expect_str_eq(cfg.tls_cert, "/c.pem");
	cr_expect_str_eq(cfg.tls_key, "/k.pem");
	cr_expect_eq(cfg.access_token_ttl, 600);
	cr_expect_eq(cfg.refresh_token_ttl, 86400);
	cr_expect_eq(cfg.register_limit, 5);

	/* A bad file changes nothing. */
	cr_expect_eq(load_conf(&cfg, "[oauth]\naccess_token_ttl = 5\n"), -1);
	cr_expect_eq(load_conf(&cfg, "[oauth]\nregister_limit = 0\n"), -1);
	cr_expect_eq(load_conf(&cfg, "[oauth]\ncode_ttl = 60\n"), -1);
	cr_expect_eq(cfg.access_token_ttl, 600);
	lejr_config_free(&cfg);

	lejr_config_defaults(&cfg);
	cr_expect_eq(load_conf(&cfg, "[server]\ntls_cert = /c.pem\n"), -1,
		     "a certificate without its key");
	cr_expect_str_eq(cfg.tls_cert, "");
	lejr_config_free(&cfg);
}

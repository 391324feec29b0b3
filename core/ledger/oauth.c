/*
 * oauth.c - the records of lejrd's OAuth authorization server: clients,
 * authorization codes, connections and their tokens.
 *
 * Every secret handed out (client secret, code, access and refresh
 * token) is a prefix and 32 random bytes in base64url; only its SHA-256
 * is stored, so a copy of the database yields nothing usable.  The
 * prefixes let secret scanners, and ledger_token_auth, tell them apart.
 *
 * A code is redeemed once.  A second use means it leaked: the
 * connection it made is revoked.  Refresh tokens rotate; a retired one
 * presented again means a copy exists, and revokes its connection too
 * (OAuth 2.1 section 4.3.1, RFC 9700 section 4.14.2).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ledger-private.h"

#define CLIENT_PREFIX "lejr_client_"
#define SECRET_PREFIX "lejr_cs_"
#define CODE_PREFIX "lejr_code_"
#define REFRESH_PREFIX "lejr_rt_"
#define CLIENT_BYTES 16
#define SECRET_BYTES 32
#define CODES_KEEP (24 * 3600) /* seconds an expired code is remembered */
#define CHALLENGE_LEN 43       /* base64url of a SHA-256 */

/* ---- secrets ---- */

/*
 * A fresh secret: prefix, then bytes random bytes in base64url, into
 * out (len bytes); its SHA-256 in hex into hash unless hash is NULL.
 */
static int
make_secret(const char *prefix, size_t bytes, char *out, size_t len,
	    char hash[65], struct lejr_error *err)
{
	unsigned char raw[32];
	size_t n = strlen(prefix);
	int rc = LEJR_OK;

	if (bytes > sizeof(raw) || n >= len)
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "secret buffer too small");
	if (RAND_bytes(raw, (int)bytes) != 1)
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "no random numbers for a secret");

	memcpy(out, prefix, n);
	if (ledger_b64url_encode(raw, bytes, out + n, len - n) == 0)
		rc = lejr_error_set(err, LEJR_EINTERNAL,
				    "secret buffer too small");
	OPENSSL_cleanse(raw, sizeof(raw));

	if (rc == LEJR_OK && hash != NULL &&
	    ledger_sha256_hex(out, strlen(out), hash) != LEJR_OK)
		rc = lejr_error_set(err, LEJR_EINTERNAL,
				    "cannot hash a secret");
	if (rc != LEJR_OK)
		OPENSSL_cleanse(out, len);
	return rc;
}

/* The hash of a secret presented to us; -1 for one that cannot be
 * ours (NULL, empty or too long). */
static int
hash_given(const char *secret, char hash[65])
{
	size_t n;

	if (secret == NULL)
		return -1;
	n = strlen(secret);
	if (n == 0 || n > LEJR_TOKEN_MAX)
		return -1;
	return ledger_sha256_hex(secret, n, hash) == LEJR_OK ? 0 : -1;
}

static int
has_prefix(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
denied(struct lejr_error *err, const char *why)
{
	return lejr_error_set(err, LEJR_EDENIED, "%s", why);
}

int
ledger_oauth_pkce_ok(const char *verifier, const char *challenge)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	char enc[64];
	size_t n;

	if (verifier == NULL || challenge == NULL ||
	    strlen(challenge) != CHALLENGE_LEN)
		return 0;

	/* RFC 7636 section 4.1: 43 to 128 unreserved characters. */
	n = strlen(verifier);
	if (n < 43 || n > 128)
		return 0;
	if (strspn(verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		   "qrstuvwxyz0123456789-._~") != n)
		return 0;

	if (EVP_Digest(verifier, n, digest, &dlen, EVP_sha256(), NULL) != 1 ||
	    ledger_b64url_encode(digest, dlen, enc, sizeof(enc)) !=
	    CHALLENGE_LEN)
		return 0;
	return CRYPTO_memcmp(enc, challenge, CHALLENGE_LEN) == 0;
}

/* Is challenge the base64url text of a SHA-256? */
static int
challenge_ok(const char *challenge)
{
	return challenge != NULL && strlen(challenge) == CHALLENGE_LEN &&
	       strspn(challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
		      "opqrstuvwxyz0123456789-_") == CHALLENGE_LEN;
}

/* ---- clients ---- */

const char *
ledger_oauth_auth_name(enum ledger_oauth_auth auth)
{
	switch (auth) {
	case LEDGER_OAUTH_AUTH_NONE:
		return "none";
	case LEDGER_OAUTH_AUTH_POST:
		return "client_secret_post";
	case LEDGER_OAUTH_AUTH_BASIC:
		return "client_secret_basic";
	}
	return NULL;
}

int
ledger_oauth_auth_parse(const char *name)
{
	int a;

	for (a = LEDGER_OAUTH_AUTH_NONE; a <= LEDGER_OAUTH_AUTH_BASIC; a++)
		if (name != NULL &&
		    strcmp(name, ledger_oauth_auth_name(a)) == 0)
			return a;
	return 0;
}

/* The registration answer: metadata with the identifiers added.  The
 * secret is added by the caller after storing, as it is never stored. */
static json_t *
client_answer(json_t *metadata, const struct ledger_oauth_client *c)
{
	json_t *a = json_deep_copy(metadata);

	if (a == NULL ||
	    json_object_set_new(a, "client_id",
				json_string(c->client_id)) != 0 ||
	    json_object_set_new(a, "client_id_issued_at",
				json_integer(c->issued_at)) != 0 ||
	    json_object_set_new(a, "token_endpoint_auth_method",
				json_string(ledger_oauth_auth_name(c->auth)))
	    != 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static int
client_insert(sqlite3 *db, struct ledger_oauth_client *c, const char *text,
	      struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "INSERT INTO oauth_clients (client_id, "
			    "secret_hash, auth_method, name, metadata, "
			    "created_at, issued_at) VALUES (?, ?, ?, ?, ?, "
			    LEDGER_NOW_SQL ", ?)", &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, c->client_id);
	ledger_bind_text(st, 2, c->secret_hash[0] ? c->secret_hash : NULL);
	sqlite3_bind_int(st, 3, c->auth);
	ledger_bind_text(st, 4, c->name[0] ? c->name : NULL);
	ledger_bind_text(st, 5, text);
	sqlite3_bind_int64(st, 6, c->issued_at);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "registering a client", err);
	else
		c->id = sqlite3_last_insert_rowid(db);

	ledger_finalize(db, st);
	return rc;
}

int
ledger_oauth_client_create(sqlite3 *db, json_t *metadata,
			   enum ledger_oauth_auth auth, const char *name,
			   struct ledger_oauth_client *out,
			   char secret[LEJR_TOKEN_MAX + 1],
			   struct lejr_error *err)
{
	char *text = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	secret[0] = '\0';
	if (!json_is_array(json_object_get(metadata, "redirect_uris")) ||
	    ledger_oauth_auth_name(auth) == NULL ||
	    (name != NULL && strlen(name) > LEDGER_OAUTH_NAME_MAX))
		return lejr_error_set(err, LEJR_EINVAL,
				      "a client needs redirect_uris, a known "
				      "authentication method and a name of "
				      "at most %d bytes",
				      LEDGER_OAUTH_NAME_MAX);

	out->auth = auth;
	out->issued_at = (int64_t)time(NULL);
	snprintf(out->name, sizeof(out->name), "%s", name ? name : "");
	rc = make_secret(CLIENT_PREFIX, CLIENT_BYTES, out->client_id,
			 sizeof(out->client_id), NULL, err);
	if (rc == LEJR_OK && auth != LEDGER_OAUTH_AUTH_NONE)
		rc = make_secret(SECRET_PREFIX, SECRET_BYTES, secret,
				 LEJR_TOKEN_MAX + 1, out->secret_hash, err);
	if (rc != LEJR_OK)
		goto fail;

	out->metadata = client_answer(metadata, out);
	text = out->metadata ? json_dumps(out->metadata, JSON_COMPACT) : NULL;
	if (text == NULL) {
		rc = lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
		goto fail;
	}
	rc = client_insert(db, out, text, err);
	if (rc != LEJR_OK)
		goto fail;

	/* RFC 7591 section 3.2.1: 0 means the secret never expires. */
	if (secret[0] != '\0') {
		json_object_set_new(out->metadata, "client_secret",
				    json_string(secret));
		json_object_set_new(out->metadata, "client_secret_expires_at",
				    json_integer(0));
	}
	free(text);
	return LEJR_OK;

fail:
	free(text);
	ledger_oauth_client_clear(out);
	OPENSSL_cleanse(secret, LEJR_TOKEN_MAX + 1);
	return rc;
}

int
ledger_oauth_client_find(sqlite3 *db, const char *client_id,
			 struct ledger_oauth_client *out,
			 struct lejr_error *err)
{
	sqlite3_stmt *st;
	const char *meta;
	int rc;

	memset(out, 0, sizeof(*out));
	if (client_id == NULL || strlen(client_id) > LEDGER_OAUTH_ID_MAX)
		return lejr_error_set(err, LEJR_ENOTFOUND,
				      "unknown client_id");

	rc = ledger_prepare(db, "SELECT id, client_id, coalesce(secret_hash, "
			    "''), auth_method, coalesce(name, ''), metadata, "
			    "issued_at FROM oauth_clients WHERE client_id = ?",
			    &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, client_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = lejr_error_set(err, LEJR_ENOTFOUND, "unknown client_id");
		goto out;
	}
	if (rc != SQLITE_ROW) {
		rc = ledger_db_error(db, "looking up a client", err);
		goto out;
	}

	out->id = sqlite3_column_int64(st, 0);
	ledger_column_copy(st, 1, out->client_id, sizeof(out->client_id));
	ledger_column_copy(st, 2, out->secret_hash, sizeof(out->secret_hash));
	out->auth = (enum ledger_oauth_auth)sqlite3_column_int(st, 3);
	ledger_column_copy(st, 4, out->name, sizeof(out->name));
	meta = (const char *)sqlite3_column_text(st, 5);
	out->metadata = meta ? json_loads(meta, 0, NULL) : NULL;
	out->issued_at = sqlite3_column_int64(st, 6);
	rc = out->metadata != NULL ? LEJR_OK
				   : lejr_error_set(err, LEJR_EINTERNAL,
						    "a client's stored "
						    "metadata is damaged");
out:
	ledger_finalize(db, st);
	return rc;
}

void
ledger_oauth_client_clear(struct ledger_oauth_client *c)
{
	if (c == NULL)
		return;
	json_decref(c->metadata);
	c->metadata = NULL;
}

int
ledger_oauth_client_secret_ok(const struct ledger_oauth_client *c,
			      const char *secret)
{
	char hash[65];

	if (c->secret_hash[0] == '\0' || hash_given(secret, hash) < 0)
		return 0;
	return CRYPTO_memcmp(hash, c->secret_hash, 64) == 0;
}

/* Run sql with one integer parameter; the changed rows go to *n. */
static int
exec_int(sqlite3 *db, const char *sql, int64_t v, int *n,
	 struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, v);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "cleaning up OAuth records", err);
	else if (n != NULL)
		*n = sqlite3_changes(db);

	ledger_finalize(db, st);
	return rc;
}

int
ledger_oauth_client_sweep(sqlite3 *db, int64_t before, int *n,
			  struct lejr_error *err)
{
	int rc;

	if (n != NULL)
		*n = 0;
	rc = exec_int(db, "DELETE FROM oauth_codes WHERE expires_at < ?",
		      (int64_t)time(NULL) - CODES_KEEP, NULL, err);
	if (rc == LEJR_OK)
		rc = exec_int(db, "DELETE FROM refresh_tokens WHERE "
			      "expires_at < ?", (int64_t)time(NULL), NULL,
			      err);
	if (rc == LEJR_OK)
		rc = exec_int(db, "DELETE FROM oauth_codes WHERE client_id IN "
			      "(SELECT id FROM oauth_clients WHERE "
			      "first_token_at IS NULL AND issued_at < ?)",
			      before, NULL, err);
	if (rc == LEJR_OK)
		rc = exec_int(db, "DELETE FROM oauth_clients WHERE "
			      "first_token_at IS NULL AND issued_at < ? AND "
			      "NOT EXISTS (SELECT 1 FROM connections c WHERE "
			      "c.client_id = oauth_clients.id)", before, n,
			      err);
	return rc;
}

/* ---- consent and codes ---- */

int
ledger_user_memberships(sqlite3 *db, int64_t user, json_t **out,
			struct lejr_error *err)
{
	sqlite3_stmt *st;
	json_t *list;
	int rc;

	*out = NULL;
	rc = ledger_prepare(db, "SELECT o.id, o.slug, o.name, m.role "
			    "FROM members m JOIN orgs o ON o.id = m.org_id "
			    "WHERE m.user_id = ? ORDER BY o.slug", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, user);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s}",
			"id", (json_int_t)sqlite3_column_int64(st, 0),
			"slug", (const char *)sqlite3_column_text(st, 1),
			"name", (const char *)sqlite3_column_text(st, 2),
			"role", lejr_role_name(sqlite3_column_int(st, 3)) ?
			lejr_role_name(sqlite3_column_int(st, 3)) : "viewer"));

	if (rc != SQLITE_DONE) {
		json_decref(list);
		rc = ledger_db_error(db, "listing memberships", err);
	} else {
		*out = list;
		rc = LEJR_OK;
	}
	ledger_finalize(db, st);
	return rc;
}

/* The consent's organizations as a JSON array text (malloc'd), each
 * checked to be a membership of the user; NULL after filling err. */
static char *
consent_orgs(sqlite3 *db, const struct ledger_oauth_consent *c,
	     struct lejr_error *err)
{
	enum lejr_role role;
	json_t *ids;
	char *text;
	size_t i;

	if (c->orgs == NULL || c->norgs == 0 ||
	    c->norgs > LEDGER_OAUTH_ORGS_MAX) {
		lejr_error_set(err, LEJR_EINVAL, "choose 1 to %d "
			       "organizations", LEDGER_OAUTH_ORGS_MAX);
		return NULL;
	}
	for (i = 0; i < c->norgs; i++)
		if (ledger_member_role(db, c->orgs[i], c->user, &role,
				       NULL) != LEJR_OK) {
			lejr_error_set(err, LEJR_EINVAL, "organization %"
				       PRId64 " is not one of yours",
				       c->orgs[i]);
			return NULL;
		}

	ids = json_array();
	for (i = 0; i < c->norgs; i++)
		json_array_append_new(ids, json_integer(c->orgs[i]));
	text = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	if (text == NULL)
		lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	return text;
}

static int
consent_ok(const struct ledger_oauth_consent *c, struct lejr_error *err)
{
	if (c->access != LEJR_ACCESS_READ && c->access != LEJR_ACCESS_WRITE)
		return lejr_error_set(err, LEJR_EINVAL,
				      "access must be read or write");
	if (!challenge_ok(c->code_challenge))
		return lejr_error_set(err, LEJR_EINVAL,
				      "code_challenge must be the 43 "
				      "base64url characters of a SHA-256");
	if (c->redirect_uri == NULL || c->redirect_uri[0] == '\0' ||
	    strlen(c->redirect_uri) > LEDGER_OAUTH_URI_MAX ||
	    c->resource == NULL || strlen(c->resource) > LEDGER_AUDIENCE_MAX)
		return lejr_error_set(err, LEJR_EINVAL,
				      "a code needs a redirect_uri and a "
				      "resource");
	return LEJR_OK;
}

int
ledger_oauth_code_create(sqlite3 *db,
			 const struct ledger_oauth_consent *consent,
			 int64_t ttl, char code[LEJR_TOKEN_MAX + 1],
			 struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	char *orgs = NULL;
	char hash[65];
	int rc;

	code[0] = '\0';
	rc = consent_ok(consent, err);
	if (rc != LEJR_OK)
		return rc;
	orgs = consent_orgs(db, consent, err);
	if (orgs == NULL)
		return err->status;

	rc = make_secret(CODE_PREFIX, SECRET_BYTES, code, LEJR_TOKEN_MAX + 1,
			 hash, err);
	if (rc == LEJR_OK)
		rc = ledger_prepare(db, "INSERT INTO oauth_codes (code_hash, "
				    "client_id, user_id, redirect_uri, "
				    "code_challenge, resource, access, orgs, "
				    "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
				    "?, ?)", &st, err);
	if (rc != LEJR_OK)
		goto out;

	ledger_bind_text(st, 1, hash);
	sqlite3_bind_int64(st, 2, consent->client);
	sqlite3_bind_int64(st, 3, consent->user);
	ledger_bind_text(st, 4, consent->redirect_uri);
	ledger_bind_text(st, 5, consent->code_challenge);
	ledger_bind_text(st, 6, consent->resource);
	sqlite3_bind_int(st, 7, consent->access);
	ledger_bind_text(st, 8, orgs);
	sqlite3_bind_int64(st, 9, (int64_t)time(NULL) + ttl);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "storing an authorization code", err);

out:
	ledger_finalize(db, st);
	free(orgs);
	if (rc != LEJR_OK)
		OPENSSL_cleanse(code, LEJR_TOKEN_MAX + 1);
	return rc;
}

/* ---- connections ---- */

/* Revoke a connection and everything it issued (inside the caller's
 * transaction). */
static int
connection_kill(sqlite3 *db, int64_t id, struct lejr_error *err)
{
	int rc;

	rc = exec_int(db, "UPDATE connections SET revoked_at = "
		      LEDGER_NOW_SQL " WHERE id = ? AND revoked_at IS NULL",
		      id, NULL, err);
	if (rc == LEJR_OK)
		rc = exec_int(db, "UPDATE tokens SET revoked_at = "
			      LEDGER_NOW_SQL " WHERE connection_id = ? AND "
			      "revoked_at IS NULL", id, NULL, err);
	if (rc == LEJR_OK)
		rc = exec_int(db, "UPDATE refresh_tokens SET retired_at = "
			      LEDGER_NOW_SQL " WHERE connection_id = ? AND "
			      "retired_at IS NULL", id, NULL, err);
	return rc;
}

int
ledger_connection_revoke(sqlite3 *db, int64_t id, int64_t user,
			 struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc, revoked = 0;

	rc = ledger_prepare(db, "SELECT user_id, revoked_at IS NOT NULL "
			    "FROM connections WHERE id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (user <= 0 ||
				 sqlite3_column_int64(st, 0) == user)) {
		revoked = sqlite3_column_int(st, 1);
		rc = LEJR_OK;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		rc = lejr_error_set(err, LEJR_ENOTFOUND, "connection %" PRId64
				    " does not exist", id);
	} else {
		rc = ledger_db_error(db, "looking up a connection", err);
	}
	ledger_finalize(db, st);

	if (rc == LEJR_OK && revoked)
		return lejr_error_set(err, LEJR_ECONFLICT, "connection %"
				      PRId64 " is already revoked", id);
	if (rc == LEJR_OK)
		rc = connection_kill(db, id, err);
	return rc;
}

/* A code's row, as the exchange needs it. */
struct code_row {
	int64_t id;
	int64_t client;
	int64_t user;
	int64_t connection;
	int64_t expires_at;
	int used;
	enum lejr_access access;
	char redirect_uri[LEDGER_OAUTH_URI_MAX + 1];
	char challenge[CHALLENGE_LEN + 1];
	char resource[LEDGER_AUDIENCE_MAX + 1];
	json_t *orgs; /* owned */
};

static int
code_load(sqlite3 *db, const char *hash, struct code_row *r,
	  struct lejr_error *err)
{
	sqlite3_stmt *st;
	const char *orgs;
	int rc;

	rc = ledger_prepare(db, "SELECT id, client_id, user_id, "
			    "coalesce(connection_id, 0), expires_at, "
			    "used_at IS NOT NULL, access, redirect_uri, "
			    "code_challenge, resource, orgs "
			    "FROM oauth_codes WHERE code_hash = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, hash);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->id = sqlite3_column_int64(st, 0);
		r->client = sqlite3_column_int64(st, 1);
		r->user = sqlite3_column_int64(st, 2);
		r->connection = sqlite3_column_int64(st, 3);
		r->expires_at = sqlite3_column_int64(st, 4);
		r->used = sqlite3_column_int(st, 5);
		r->access = (enum lejr_access)sqlite3_column_int(st, 6);
		ledger_column_copy(st, 7, r->redirect_uri,
				   sizeof(r->redirect_uri));
		ledger_column_copy(st, 8, r->challenge, sizeof(r->challenge));
		ledger_column_copy(st, 9, r->resource, sizeof(r->resource));
		orgs = (const char *)sqlite3_column_text(st, 10);
		r->orgs = orgs ? json_loads(orgs, 0, NULL) : NULL;
		rc = LEJR_OK;
	} else if (rc == SQLITE_DONE) {
		rc = denied(err, "the authorization code is not valid");
	} else {
		rc = ledger_db_error(db, "looking up a code", err);
	}
	ledger_finalize(db, st);
	return rc;
}

/* Make the connection a code grants. */
static int
connection_create(sqlite3 *db, const struct code_row *r, int64_t *id,
		  struct lejr_error *err)
{
	sqlite3_stmt *st;
	json_t *org;
	size_t i;
	int rc;

	rc = ledger_prepare(db, "INSERT INTO connections (client_id, user_id, "
			    "access, resource, created_at) VALUES (?, ?, ?, ?, "
			    LEDGER_NOW_SQL ")", &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, r->client);
	sqlite3_bind_int64(st, 2, r->user);
	sqlite3_bind_int(st, 3, r->access);
	ledger_bind_text(st, 4, r->resource);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "creating a connection", err);
	*id = sqlite3_last_insert_rowid(db);
	ledger_finalize(db, st);
	if (rc != LEJR_OK)
		return rc;

	rc = ledger_prepare(db, "INSERT OR IGNORE INTO connection_orgs "
			    "(connection_id, org_id) VALUES (?, ?)", &st, err);
	if (rc != LEJR_OK)
		return rc;
	json_array_foreach(r->orgs, i, org) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, *id);
		sqlite3_bind_int64(st, 2, json_integer_value(org));
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = ledger_db_error(db, "granting a connection", err);
			break;
		}
	}
	ledger_finalize(db, st);
	return rc;
}

/* Issue a connection's access token (a row of tokens) and refresh
 * token. */
static int
issue_tokens(sqlite3 *db, int64_t connection, int64_t user,
	     enum lejr_access access, const char *audience,
	     const struct ledger_oauth_ttl *ttl,
	     struct ledger_oauth_tokens *out, struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	int64_t now = (int64_t)time(NULL);
	char ahash[65], rhash[65];
	int rc;

	rc = make_secret(LEDGER_OAUTH_ACCESS_PREFIX, SECRET_BYTES,
			 out->access_token, sizeof(out->access_token), ahash,
			 err);
	if (rc == LEJR_OK)
		rc = make_secret(REFRESH_PREFIX, SECRET_BYTES,
				 out->refresh_token, sizeof(out->refresh_token),
				 rhash, err);
	if (rc == LEJR_OK)
		rc = ledger_prepare(db, "INSERT INTO tokens (user_id, "
				    "token_hash, access, created_at, "
				    "expires_at, connection_id, audience) "
				    "VALUES (?, ?, ?, " LEDGER_NOW_SQL
				    ", ?, ?, ?)", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, user);
	ledger_bind_text(st, 2, ahash);
	sqlite3_bind_int(st, 3, access);
	sqlite3_bind_int64(st, 4, now + ttl->access);
	sqlite3_bind_int64(st, 5, connection);
	ledger_bind_text(st, 6, audience);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "issuing an access token", err);
	ledger_finalize(db, st);
	if (rc != LEJR_OK)
		return rc;

	rc = ledger_prepare(db, "INSERT INTO refresh_tokens (connection_id, "
			    "token_hash, created_at, expires_at) VALUES (?, ?, "
			    LEDGER_NOW_SQL ", ?)", &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, connection);
	ledger_bind_text(st, 2, rhash);
	sqlite3_bind_int64(st, 3, now + ttl->refresh);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "issuing a refresh token", err);
	ledger_finalize(db, st);

	out->connection = connection;
	out->access = access;
	out->expires_in = ttl->access;
	return rc;
}

/* Check a loaded code against the request; LEJR_OK when it may be
 * redeemed. */
static int
code_check(const struct code_row *r, int64_t client,
	   const char *redirect_uri, const char *verifier,
	   struct lejr_error *err)
{
	if (r->expires_at <= (int64_t)time(NULL))
		return denied(err, "the authorization code has expired");
	if (r->client != client)
		return denied(err, "the authorization code was issued to "
			      "another client");
	if (redirect_uri != NULL && strcmp(redirect_uri, r->redirect_uri) != 0)
		return denied(err, "redirect_uri does not match the one of "
			      "the authorization request");
	if (!ledger_oauth_pkce_ok(verifier, r->challenge))
		return denied(err, "code_verifier does not match the "
			      "code_challenge");
	if (!json_is_array(r->orgs))
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "a stored code is damaged");
	return LEJR_OK;
}

/* Redeem a checked code: the connection, the code marked, the client
 * marked as having obtained a token, the tokens. */
static int
code_redeem(sqlite3 *db, const struct code_row *r,
	    const struct ledger_oauth_ttl *ttl,
	    struct ledger_oauth_tokens *out, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int64_t conn = 0;
	int rc;

	rc = connection_create(db, r, &conn, err);
	if (rc != LEJR_OK)
		return rc;

	rc = ledger_prepare(db, "UPDATE oauth_codes SET used_at = "
			    LEDGER_NOW_SQL ", connection_id = ? WHERE id = ?",
			    &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, conn);
	sqlite3_bind_int64(st, 2, r->id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "using a code", err);
	ledger_finalize(db, st);

	if (rc == LEJR_OK)
		rc = exec_int(db, "UPDATE oauth_clients SET first_token_at = "
			      LEDGER_NOW_SQL " WHERE id = ? AND "
			      "first_token_at IS NULL", r->client, NULL, err);
	if (rc == LEJR_OK)
		rc = issue_tokens(db, conn, r->user, r->access, r->resource,
				  ttl, out, err);
	return rc;
}

int
ledger_oauth_code_exchange(sqlite3 *db, const char *code, int64_t client,
			   const char *redirect_uri, const char *verifier,
			   const struct ledger_oauth_ttl *ttl,
			   struct ledger_oauth_tokens *out,
			   struct lejr_error *err)
{
	struct code_row r;
	char hash[65];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	if (!has_prefix(code, CODE_PREFIX) || hash_given(code, hash) < 0)
		return denied(err, "the authorization code is not valid");

	rc = ledger_begin(db, 1, err);
	if (rc != LEJR_OK)
		return rc;
	rc = code_load(db, hash, &r, err);
	if (rc != LEJR_OK)
		goto fail;

	if (r.used) {
		rc = r.connection != 0 ? connection_kill(db, r.connection, err)
				       : LEJR_OK;
		if (rc == LEJR_OK)
			rc = ledger_commit(db, err);
		if (rc != LEJR_OK)
			goto fail;
		json_decref(r.orgs);
		return denied(err, "the authorization code was already used; "
			      "the tokens issued for it are revoked");
	}

	rc = code_check(&r, client, redirect_uri, verifier, err);
	if (rc == LEJR_OK)
		rc = code_redeem(db, &r, ttl, out, err);
	if (rc == LEJR_OK)
		rc = ledger_commit(db, err);
	if (rc != LEJR_OK)
		goto fail;
	json_decref(r.orgs);
	return LEJR_OK;

fail:
	ledger_rollback(db);
	json_decref(r.orgs);
	OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}

/* ---- refresh and revocation ---- */

/* A refresh token's row with its connection. */
struct refresh_row {
	int64_t id;
	int64_t connection;
	int64_t expires_at;
	int retired;
	int64_t client;
	int64_t user;
	enum lejr_access access;
	char resource[LEDGER_AUDIENCE_MAX + 1];
	int revoked;
};

static int
refresh_load(sqlite3 *db, const char *hash, struct refresh_row *r,
	     struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT r.id, r.connection_id, r.expires_at, "
			    "r.retired_at IS NOT NULL, c.client_id, c.user_id, "
			    "c.access, c.resource, c.revoked_at IS NOT NULL "
			    "FROM refresh_tokens r JOIN connections c ON "
			    "c.id = r.connection_id WHERE r.token_hash = ?",
			    &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, hash);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->id = sqlite3_column_int64(st, 0);
		r->connection = sqlite3_column_int64(st, 1);
		r->expires_at = sqlite3_column_int64(st, 2);
		r->retired = sqlite3_column_int(st, 3);
		r->client = sqlite3_column_int64(st, 4);
		r->user = sqlite3_column_int64(st, 5);
		r->access = (enum lejr_access)sqlite3_column_int(st, 6);
		ledger_column_copy(st, 7, r->resource, sizeof(r->resource));
		r->revoked = sqlite3_column_int(st, 8);
		rc = LEJR_OK;
	} else if (rc == SQLITE_DONE) {
		rc = denied(err, "the refresh token is not valid");
	} else {
		rc = ledger_db_error(db, "looking up a refresh token", err);
	}
	ledger_finalize(db, st);
	return rc;
}

/* Check a refresh token that is not retired. */
static int
refresh_check(const struct refresh_row *r, int64_t client,
	      const char *audience, struct lejr_error *err)
{
	if (r->client != client)
		return denied(err, "the refresh token was issued to another "
			      "client");
	if (r->revoked)
		return denied(err, "the connection of this refresh token was "
			      "revoked");
	if (r->expires_at <= (int64_t)time(NULL))
		return denied(err, "the refresh token has expired");
	if (audience == NULL || strcmp(audience, r->resource) != 0)
		return denied(err, "the refresh token was issued for another "
			      "resource");
	return LEJR_OK;
}

int
ledger_oauth_refresh(sqlite3 *db, const char *refresh_token, int64_t client,
		     const char *audience, const struct ledger_oauth_ttl *ttl,
		     struct ledger_oauth_tokens *out, struct lejr_error *err)
{
	struct refresh_row r;
	char hash[65];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	if (!has_prefix(refresh_token, REFRESH_PREFIX) ||
	    hash_given(refresh_token, hash) < 0)
		return denied(err, "the refresh token is not valid");

	rc = ledger_begin(db, 1, err);
	if (rc == LEJR_OK)
		rc = refresh_load(db, hash, &r, err);
	if (rc != LEJR_OK)
		goto fail;

	/* A retired token of a live connection: someone kept a copy. */
	if (r.retired && !r.revoked && r.client == client) {
		rc = connection_kill(db, r.connection, err);
		if (rc == LEJR_OK)
			rc = ledger_commit(db, err);
		if (rc != LEJR_OK)
			goto fail;
		return denied(err, "the refresh token was already used; its "
			      "connection is revoked");
	}
	if (r.retired)
		rc = denied(err, "the refresh token is no longer valid");
	else
		rc = refresh_check(&r, client, audience, err);

	if (rc == LEJR_OK)
		rc = exec_int(db, "UPDATE refresh_tokens SET retired_at = "
			      LEDGER_NOW_SQL " WHERE id = ?", r.id, NULL, err);
	if (rc == LEJR_OK)
		rc = issue_tokens(db, r.connection, r.user, r.access,
				  r.resource, ttl, out, err);
	if (rc == LEJR_OK)
		rc = ledger_commit(db, err);
	if (rc == LEJR_OK)
		return LEJR_OK;

fail:
	ledger_rollback(db);
	OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}

/* The connection of a token when it belongs to client: its refresh
 * token's, or its access token's with that token's id in *token_id.
 * 0 when unknown or another client's. */
static int64_t
token_connection(sqlite3 *db, const char *hash, int refresh, int64_t client,
		 int64_t *token_id, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int64_t conn = 0;

	if (ledger_prepare(db, refresh ?
			   "SELECT r.connection_id, 0 FROM refresh_tokens r "
			   "JOIN connections c ON c.id = r.connection_id "
			   "WHERE r.token_hash = ?1 AND c.client_id = ?2" :
			   "SELECT t.connection_id, t.id FROM tokens t "
			   "JOIN connections c ON c.id = t.connection_id "
			   "WHERE t.token_hash = ?1 AND c.client_id = ?2",
			   &st, err) != LEJR_OK)
		return -1;

	ledger_bind_text(st, 1, hash);
	sqlite3_bind_int64(st, 2, client);
	if (sqlite3_step(st) == SQLITE_ROW) {
		conn = sqlite3_column_int64(st, 0);
		*token_id = sqlite3_column_int64(st, 1);
	}
	ledger_finalize(db, st);
	return conn;
}

int
ledger_oauth_revoke(sqlite3 *db, const char *token, int64_t client,
		    struct lejr_error *err)
{
	int refresh = has_prefix(token, REFRESH_PREFIX);
	int64_t conn, token_id = 0;
	char hash[65];
	int rc;

	if ((!refresh && !has_prefix(token, LEDGER_OAUTH_ACCESS_PREFIX)) ||
	    hash_given(token, hash) < 0)
		return LEJR_OK;

	rc = ledger_begin(db, 1, err);
	if (rc != LEJR_OK)
		return rc;
	conn = token_connection(db, hash, refresh, client, &token_id, err);
	if (conn < 0)
		rc = err->status;
	else if (conn > 0 && refresh)
		rc = connection_kill(db, conn, err);
	else if (conn > 0)
		rc = exec_int(db, "UPDATE tokens SET revoked_at = "
			      LEDGER_NOW_SQL " WHERE id = ? AND revoked_at "
			      "IS NULL", token_id, NULL, err);

	if (rc == LEJR_OK)
		rc = ledger_commit(db, err);
	if (rc != LEJR_OK)
		ledger_rollback(db);
	return rc;
}

/*
 * token.c - personal access tokens, and the resolution of every bearer
 * token: OAuth access tokens ("lejr_at_", made by oauth.c) are rows of
 * the same table, tied to a connection whose organizations and access
 * they carry.
 *
 * A token is "lejr_pat_" and 32 random bytes in base64url.  Only its
 * SHA-256 is stored: a stolen database file yields no usable token.
 * Revocation and expiry are checked on every use.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ledger-private.h"

#define TOKEN_PREFIX "lejr_pat_"
#define TOKEN_BYTES 32
#define LABEL_MAX 200

static int
check_orgs(sqlite3 *db, int64_t user, const int64_t *orgs, size_t norgs,
	   struct lejr_error *err)
{
	struct ledger_org org;
	enum lejr_role role;
	size_t i;
	int rc;

	if (orgs == NULL || norgs == 0)
		return lejr_error_set(err, LEJR_EINVAL,
				      "a token must reach at least one "
				      "organization");

	for (i = 0; i < norgs; i++) {
		rc = ledger_org_load(db, orgs[i], &org, err);
		if (rc != LEJR_OK)
			return rc;
		rc = ledger_member_role(db, orgs[i], user, &role, err);
		if (rc == LEJR_ENOTFOUND)
			return lejr_error_set(err, LEJR_EINVAL,
					      "the user is not a member of "
					      "organization \"%s\"; add a "
					      "membership first", org.slug);
		if (rc != LEJR_OK)
			return rc;
	}
	return LEJR_OK;
}

static int
check_request(enum lejr_access access, const char *label, int64_t expires,
	      struct lejr_error *err)
{
	if (access != LEJR_ACCESS_READ && access != LEJR_ACCESS_WRITE)
		return lejr_error_set(err, LEJR_EINVAL,
				      "token access must be read or write");
	if (label != NULL && !ledger_text_ok(label, LABEL_MAX))
		return lejr_error_set(err, LEJR_EINVAL,
				      "token label must be 1 to %d characters "
				      "without control characters", LABEL_MAX);
	if (expires != 0 && expires <= (int64_t)time(NULL))
		return lejr_error_set(err, LEJR_EINVAL,
				      "token expiry must lie in the future");
	return LEJR_OK;
}

/* Make the token text and its hash. */
static int
token_generate(char token[LEJR_TOKEN_MAX + 1], char hash[65],
	       struct lejr_error *err)
{
	unsigned char raw[TOKEN_BYTES];
	size_t n = sizeof(TOKEN_PREFIX) - 1;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "no random numbers for a token");

	memcpy(token, TOKEN_PREFIX, n);
	if (ledger_b64url_encode(raw, sizeof(raw), token + n,
				 LEJR_TOKEN_MAX + 1 - n) == 0) {
		OPENSSL_cleanse(raw, sizeof(raw));
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "token buffer too small");
	}
	OPENSSL_cleanse(raw, sizeof(raw));

	if (ledger_sha256_hex(token, strlen(token), hash) != LEJR_OK)
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "cannot hash a token");
	return LEJR_OK;
}

static int
insert_token_orgs(sqlite3 *db, int64_t id, const int64_t *orgs,
		  size_t norgs, struct lejr_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	rc = ledger_prepare(db, "INSERT OR IGNORE INTO token_orgs "
			    "(token_id, org_id) VALUES (?, ?)", &st, err);
	if (rc != LEJR_OK)
		return rc;

	for (i = 0; i < norgs && rc == LEJR_OK; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, orgs[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = ledger_db_error(db, "granting a token", err);
	}

	ledger_finalize(db, st);
	return rc;
}

int
ledger_token_create(sqlite3 *db, int64_t user, const int64_t *orgs,
		    size_t norgs, enum lejr_access access, const char *label,
		    int64_t expires, char token[LEJR_TOKEN_MAX + 1],
		    int64_t *id, struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	char hash[65];
	int rc;

	token[0] = '\0';
	rc = check_request(access, label, expires, err);
	if (rc == LEJR_OK)
		rc = check_orgs(db, user, orgs, norgs, err);
	if (rc == LEJR_OK)
		rc = token_generate(token, hash, err);
	if (rc == LEJR_OK)
		rc = ledger_prepare(db, "INSERT INTO tokens (user_id, "
				    "token_hash, label, access, created_at, "
				    "expires_at) VALUES (?, ?, ?, ?, "
				    LEDGER_NOW_SQL ", ?)", &st, err);
	if (rc != LEJR_OK)
		goto fail;

	sqlite3_bind_int64(st, 1, user);
	ledger_bind_text(st, 2, hash);
	ledger_bind_text(st, 3, label);
	sqlite3_bind_int(st, 4, access);
	if (expires != 0)
		sqlite3_bind_int64(st, 5, expires);

	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = ledger_db_error(db, "creating a token", err);
		goto fail;
	}
	*id = sqlite3_last_insert_rowid(db);

	rc = insert_token_orgs(db, *id, orgs, norgs, err);
	if (rc != LEJR_OK)
		goto fail;

	ledger_finalize(db, st);
	return LEJR_OK;

fail:
	ledger_finalize(db, st);
	OPENSSL_cleanse(token, LEJR_TOKEN_MAX + 1);
	return rc;
}

/* The organizations a principal reaches, with its effective access:
 * a personal token's own, or an OAuth token's connection's, so that a
 * connection rebound to other organizations applies at once. */
static int
load_grants(sqlite3 *db, struct ledger_principal *p, struct lejr_error *err)
{
	struct ledger_grant *g;
	sqlite3_stmt *st;
	int rc;

	if (p->connection_id != 0)
		rc = ledger_prepare(db, "SELECT o.id, o.slug, o.name, m.role "
				    "FROM connection_orgs c JOIN orgs o ON "
				    "o.id = c.org_id JOIN members m ON "
				    "m.org_id = c.org_id AND m.user_id = ? "
				    "WHERE c.connection_id = ? "
				    "ORDER BY o.slug", &st, err);
	else
		rc = ledger_prepare(db, "SELECT o.id, o.slug, o.name, m.role "
				    "FROM token_orgs t JOIN orgs o ON "
				    "o.id = t.org_id JOIN members m ON "
				    "m.org_id = t.org_id AND m.user_id = ? "
				    "WHERE t.token_id = ? "
				    "ORDER BY o.slug", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, p->user_id);
	sqlite3_bind_int64(st, 2, p->connection_id != 0 ? p->connection_id
							: p->token_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		g = realloc(p->grants, (p->ngrants + 1) * sizeof(*g));
		if (g == NULL) {
			rc = lejr_error_set(err, LEJR_EINTERNAL,
					    "out of memory");
			goto out;
		}
		p->grants = g;
		g += p->ngrants++;

		memset(g, 0, sizeof(*g));
		g->org_id = sqlite3_column_int64(st, 0);
		ledger_column_copy(st, 1, g->slug, sizeof(g->slug));
		ledger_column_copy(st, 2, g->name, sizeof(g->name));
		g->role = (enum lejr_role)sqlite3_column_int(st, 3);

		/* Effective access: the token's, capped by the role. */
		g->access = g->role == LEJR_ROLE_VIEWER ? LEJR_ACCESS_READ
							: p->access;
	}

	rc = rc == SQLITE_DONE ? LEJR_OK
			       : ledger_db_error(db, "loading grants", err);
out:
	ledger_finalize(db, st);
	return rc;
}

static int
denied(struct lejr_error *err)
{
	return lejr_error_set(err, LEJR_EDENIED,
			      "the token is not valid: unknown, revoked or "
			      "expired");
}

int
ledger_token_auth(sqlite3 *db, const char *token,
		  struct ledger_principal *out, struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	char hash[65];
	int rc;

	memset(out, 0, sizeof(*out));
	if (token == NULL || strlen(token) > LEJR_TOKEN_MAX ||
	    (strncmp(token, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1) != 0 &&
	     strncmp(token, LEDGER_OAUTH_ACCESS_PREFIX,
		     sizeof(LEDGER_OAUTH_ACCESS_PREFIX) - 1) != 0))
		return denied(err);

	if (ledger_sha256_hex(token, strlen(token), hash) != LEJR_OK)
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "cannot hash a token");

	/* An OAuth token has its connection's access, and dies with it even
	 * if a revocation missed one of its rows. */
	rc = ledger_prepare(db, "SELECT t.id, t.user_id, "
			    "coalesce(c.access, t.access), u.email, "
			    "coalesce(t.connection_id, 0), "
			    "coalesce(t.audience, '') "
			    "FROM tokens t JOIN users u ON u.id = t.user_id "
			    "LEFT JOIN connections c ON c.id = t.connection_id "
			    "WHERE t.token_hash = ? AND t.revoked_at IS NULL "
			    "AND (t.expires_at IS NULL OR t.expires_at > ?) "
			    "AND c.revoked_at IS NULL",
			    &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, hash);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));

	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = denied(err);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		rc = ledger_db_error(db, "checking a token", err);
		goto out;
	}

	out->token_id = sqlite3_column_int64(st, 0);
	out->user_id = sqlite3_column_int64(st, 1);
	out->access = (enum lejr_access)sqlite3_column_int(st, 2);
	ledger_column_copy(st, 3, out->email, sizeof(out->email));
	out->connection_id = sqlite3_column_int64(st, 4);
	ledger_column_copy(st, 5, out->audience, sizeof(out->audience));

	rc = load_grants(db, out, err);
	if (rc != LEJR_OK)
		ledger_principal_free(out);

out:
	ledger_finalize(db, st);
	return rc;
}

void
ledger_principal_free(struct ledger_principal *p)
{
	if (p == NULL)
		return;
	free(p->grants);
	p->grants = NULL;
	p->ngrants = 0;
}

int
ledger_token_touch(sqlite3 *db, int64_t token_id, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "UPDATE tokens SET calls = calls + 1, "
			    "last_used_at = " LEDGER_NOW_SQL " WHERE id = ?",
			    &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, token_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "counting a token's use", err);
	else if (sqlite3_changes(db) == 0)
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "token %" PRId64 " does not exist",
				    token_id);

	ledger_finalize(db, st);
	return rc;
}

static json_t *
token_json(sqlite3_stmt *st)
{
	json_t *o, *orgs;

	o = json_object();
	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
	ledger_json_set_column(o, "label", st, 1);
	ledger_json_set_column(o, "user", st, 2);
	json_object_set_new(o, "access", json_string(
		sqlite3_column_int(st, 3) == LEJR_ACCESS_WRITE ? "write"
							       : "read"));
	orgs = json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL);
	json_object_set_new(o, "orgs", orgs != NULL ? orgs : json_array());
	ledger_json_set_column(o, "created", st, 5);
	ledger_json_set_column(o, "last_used", st, 6);
	ledger_json_set_column(o, "expires", st, 7);
	json_object_set_new(o, "calls",
			    json_integer(sqlite3_column_int64(st, 8)));
	ledger_json_set_column(o, "revoked", st, 9);
	return o;
}

int
ledger_token_list(sqlite3 *db, int64_t user, json_t **out,
		  struct lejr_error *err)
{
	sqlite3_stmt *st;
	json_t *list;
	int rc;

	*out = NULL;
	rc = ledger_prepare(db, "SELECT t.id, t.label, u.email, t.access, "
			    "(SELECT json_group_array(slug) FROM (SELECT "
			    "o.slug FROM token_orgs x JOIN orgs o ON o.id = "
			    "x.org_id WHERE x.token_id = t.id ORDER BY o.slug)"
			    "), t.created_at, t.last_used_at, "
			    "strftime('%Y-%m-%dT%H:%M:%SZ', t.expires_at, "
			    "'unixepoch'), t.calls, t.revoked_at "
			    "FROM tokens t JOIN users u ON u.id = t.user_id "
			    "WHERE t.connection_id IS NULL AND "
			    "(?1 = 0 OR t.user_id = ?1) ORDER BY t.id",
			    &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, user);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, token_json(st));

	if (rc != SQLITE_DONE) {
		json_decref(list);
		rc = ledger_db_error(db, "listing tokens", err);
	} else {
		*out = list;
		rc = LEJR_OK;
	}

	ledger_finalize(db, st);
	return rc;
}

/* 1 when token id exists, 0 when not, or a negative status. */
static int
token_exists(sqlite3 *db, int64_t id, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT 1 FROM tokens WHERE id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		rc = rc == SQLITE_ROW;
	else
		rc = ledger_db_error(db, "looking up a token", err);

	ledger_finalize(db, st);
	return rc;
}

int
ledger_token_revoke(sqlite3 *db, int64_t id, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "UPDATE tokens SET revoked_at = "
			    LEDGER_NOW_SQL " WHERE id = ? AND revoked_at IS "
			    "NULL", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "revoking a token", err);
	ledger_finalize(db, st);
	if (rc != LEJR_OK || sqlite3_changes(db) > 0)
		return rc;

	rc = token_exists(db, id, err);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return lejr_error_set(err, LEJR_ECONFLICT,
				      "token %" PRId64 " is already revoked",
				      id);
	return lejr_error_set(err, LEJR_ENOTFOUND,
			      "token %" PRId64 " does not exist", id);
}

/* ---- for lejrd's cache of resolved tokens ---- */

int
ledger_token_touch_n(sqlite3 *db, int64_t token_id, int64_t n,
		     struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "UPDATE tokens SET calls = calls + ?, "
			    "last_used_at = " LEDGER_NOW_SQL " WHERE id = ?",
			    &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_int64(st, 2, token_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "counting a token's uses", err);
	else if (sqlite3_changes(db) == 0)
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "token %" PRId64 " does not exist",
				    token_id);

	ledger_finalize(db, st);
	return rc;
}

int
ledger_auth_epoch(sqlite3 *db, int64_t *epoch, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT n FROM auth_epoch WHERE id = 1", &st,
			    err);
	if (rc != LEJR_OK)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*epoch = sqlite3_column_int64(st, 0);
	else
		rc = ledger_db_error(db, "reading auth_epoch", err);
	ledger_finalize(db, st);
	return rc;
}

int
ledger_token_expiry(sqlite3 *db, int64_t id, int64_t *expires,
		    struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT coalesce(expires_at, 0) FROM tokens "
			    "WHERE id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*expires = sqlite3_column_int64(st, 0);
		rc = LEJR_OK;
	} else if (rc == SQLITE_DONE) {
		rc = lejr_error_set(err, LEJR_ENOTFOUND, "token %" PRId64
				    " does not exist", id);
	} else {
		rc = ledger_db_error(db, "reading a token's expiry", err);
	}
	ledger_finalize(db, st);
	return rc;
}

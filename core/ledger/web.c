/*
 * web.c - web sign-in sessions and the count of failed sign-ins.
 *
 * The cookie value is 256 random bits; only its SHA-256 is stored, so a
 * copy of the database signs nobody in.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ledger-private.h"

#define SESSION_BYTES 32
#define FAILURE_KEEP (24 * 3600) /* seconds a failure is remembered */

/* The session row for a cookie value's hash. */
static int
token_hash(const char *token, char hash[65], struct lejr_error *err)
{
	if (token == NULL || *token == '\0' ||
	    strlen(token) > LEDGER_WEB_TOKEN_MAX)
		return lejr_error_set(err, LEJR_EDENIED, "not signed in");
	return ledger_sha256_hex(token, strlen(token), hash);
}

static int
drop_expired(sqlite3 *db, struct lejr_error *err)
{
	static const char sql[] =
		"DELETE FROM web_sessions WHERE expires_at <= ?";
	sqlite3_stmt *st = NULL;
	int rc;

	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "dropping old web sessions", err);
	ledger_finalize(db, st);
	return rc;
}

int
ledger_web_session_create(sqlite3 *db, int64_t user, int64_t ttl,
			  char token[LEDGER_WEB_TOKEN_MAX + 1],
			  struct lejr_error *err)
{
	static const char sql[] =
		"INSERT INTO web_sessions (token_hash, user_id, created_at,"
		" expires_at) VALUES (?, ?, " LEDGER_NOW_SQL ", ?)";
	unsigned char raw[SESSION_BYTES];
	sqlite3_stmt *st = NULL;
	char hash[65];
	int rc;

	token[0] = '\0';
	if (ttl <= 0)
		return lejr_error_set(err, LEJR_EINVAL,
				      "a session must last some time");
	rc = drop_expired(db, err);
	if (rc != LEJR_OK)
		return rc;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "no random numbers for a session");
	if (ledger_b64url_encode(raw, sizeof(raw), token,
				 LEDGER_WEB_TOKEN_MAX + 1) == 0 ||
	    ledger_sha256_hex(token, strlen(token), hash) != LEJR_OK) {
		OPENSSL_cleanse(raw, sizeof(raw));
		token[0] = '\0';
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "cannot make a session");
	}
	OPENSSL_cleanse(raw, sizeof(raw));

	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		goto out;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)(time(NULL) + ttl));
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "creating a web session", err);
out:
	ledger_finalize(db, st);
	if (rc != LEJR_OK)
		OPENSSL_cleanse(token, LEDGER_WEB_TOKEN_MAX + 1);
	return rc;
}

int
ledger_web_session_find(sqlite3 *db, const char *token, int64_t *user,
			char *email, char *name, struct lejr_error *err)
{
	static const char sql[] =
		"SELECT u.id, u.email, u.name FROM web_sessions s"
		" JOIN users u ON u.id = s.user_id"
		" WHERE s.token_hash = ? AND s.expires_at > ?";
	sqlite3_stmt *st = NULL;
	char hash[65];
	int rc;

	*user = 0;
	rc = token_hash(token, hash, err);
	if (rc != LEJR_OK)
		return rc;
	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));

	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		*user = sqlite3_column_int64(st, 0);
		ledger_column_copy(st, 1, email, 256);
		ledger_column_copy(st, 2, name, LEJR_NAME_MAX + 1);
		break;
	case SQLITE_DONE:
		rc = lejr_error_set(err, LEJR_EDENIED, "not signed in");
		break;
	default:
		rc = ledger_db_error(db, "finding a web session", err);
		break;
	}
	ledger_finalize(db, st);
	return rc;
}

int
ledger_web_session_end(sqlite3 *db, const char *token,
		       struct lejr_error *err)
{
	static const char sql[] =
		"DELETE FROM web_sessions WHERE token_hash = ?";
	sqlite3_stmt *st = NULL;
	char hash[65];
	int rc;

	if (token_hash(token, hash, err) != LEJR_OK)
		return LEJR_OK;
	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "ending a web session", err);
	ledger_finalize(db, st);
	return rc;
}

int
ledger_web_session_end_user(sqlite3 *db, int64_t user,
			    struct lejr_error *err)
{
	static const char sql[] =
		"DELETE FROM web_sessions WHERE user_id = ?";
	sqlite3_stmt *st = NULL;
	int rc;

	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, user);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "ending a user's web sessions", err);
	ledger_finalize(db, st);
	return rc;
}

/* ---- failed sign-ins ---- */

int
ledger_login_failures(sqlite3 *db, const char *key, int64_t window,
		      int *count, struct lejr_error *err)
{
	static const char sql[] =
		"SELECT count(*) FROM login_failures WHERE key = ? AND at > ?";
	sqlite3_stmt *st = NULL;
	int rc;

	*count = 0;
	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(time(NULL) - window));
	if (sqlite3_step(st) == SQLITE_ROW)
		*count = sqlite3_column_int(st, 0);
	else
		rc = ledger_db_error(db, "counting sign-in failures", err);
	ledger_finalize(db, st);
	return rc;
}

/* Run sql with key and a time bound. */
static int
failures_exec(sqlite3 *db, const char *sql, const char *key, int64_t at,
	      const char *what, struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, what, err);
	ledger_finalize(db, st);
	return rc;
}

int
ledger_login_failed(sqlite3 *db, const char *key, struct lejr_error *err)
{
	static const char add[] =
		"INSERT INTO login_failures (key, at) VALUES (?, ?)";
	static const char prune[] =
		"DELETE FROM login_failures WHERE key = ? AND at <= ?";
	time_t now = time(NULL);
	int rc;

	rc = failures_exec(db, prune, key, now - FAILURE_KEEP,
			   "pruning sign-in failures", err);
	if (rc != LEJR_OK)
		return rc;
	return failures_exec(db, add, key, now, "recording a sign-in "
			     "failure", err);
}

int
ledger_login_clear(sqlite3 *db, const char *key, struct lejr_error *err)
{
	static const char sql[] =
		"DELETE FROM login_failures WHERE key = ? AND at <= ?";

	return failures_exec(db, sql, key, time(NULL) + FAILURE_KEEP,
			     "clearing sign-in failures", err);
}

/* Has key had max or more failures since the time since?  1, 0, or a
 * negative LEJR_E* status. */
static int
over_limit(sqlite3 *db, const char *key, int64_t since, int max,
	   struct lejr_error *err)
{
	static const char sql[] =
		"SELECT count(*) FROM login_failures WHERE key = ? AND at > ?";
	sqlite3_stmt *st = NULL;
	int rc, count = 0;

	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	if (sqlite3_step(st) == SQLITE_ROW)
		count = sqlite3_column_int(st, 0);
	else
		rc = ledger_db_error(db, "counting sign-in failures", err);
	ledger_finalize(db, st);
	if (rc != LEJR_OK)
		return rc;
	return count >= max;
}

/* Check every key, then count one failure for each; in the caller's
 * write transaction. */
static int
attempt_run(sqlite3 *db, const char *const *keys, size_t n,
	    int64_t window, int max, int64_t *ids, int *throttled,
	    struct lejr_error *err)
{
	time_t now = time(NULL);
	int rc;

	for (size_t i = 0; i < n; i++) {
		rc = over_limit(db, keys[i], (int64_t)now - window, max, err);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			*throttled = (int)i;
			return LEJR_OK;
		}
	}
	for (size_t i = 0; i < n; i++) {
		rc = ledger_login_failed(db, keys[i], err);
		if (rc != LEJR_OK)
			return rc;
		ids[i] = (int64_t)sqlite3_last_insert_rowid(db);
	}
	return LEJR_OK;
}

int
ledger_login_attempt(sqlite3 *db, const char *const *keys, size_t n,
		     int64_t window, int max, int64_t *ids, int *throttled,
		     struct lejr_error *err)
{
	int rc;

	*throttled = -1;
	for (size_t i = 0; i < n; i++)
		ids[i] = 0;

	/* BEGIN IMMEDIATE: the check and the count hold the write lock
	 * together, so no other attempt comes between them. */
	rc = ledger_begin(db, 1, err);
	if (rc != LEJR_OK)
		return rc;
	rc = attempt_run(db, keys, n, window, max, ids, throttled, err);
	if (rc == LEJR_OK && *throttled >= 0) {
		ledger_rollback(db);
		return LEJR_OK;
	}
	if (rc == LEJR_OK)
		rc = ledger_commit(db, err);
	if (rc != LEJR_OK) {
		ledger_rollback(db);
		*throttled = -1;
		for (size_t i = 0; i < n; i++)
			ids[i] = 0;
	}
	return rc;
}

int
ledger_login_forgive(sqlite3 *db, const int64_t *ids, size_t n,
		     struct lejr_error *err)
{
	static const char sql[] =
		"DELETE FROM login_failures WHERE rowid = ?";
	sqlite3_stmt *st = NULL;
	int rc = LEJR_OK;

	for (size_t i = 0; rc == LEJR_OK && i < n; i++) {
		if (ids[i] <= 0)
			continue;
		rc = ledger_prepare(db, sql, &st, err);
		if (rc != LEJR_OK)
			break;
		sqlite3_bind_int64(st, 1, ids[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = ledger_db_error(db, "forgiving a sign-in attempt",
					     err);
		ledger_finalize(db, st);
	}
	return rc;
}

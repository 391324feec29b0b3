/*
 * idempotency.c - results remembered under a caller's idempotency key.
 *
 * The result is stored inside the call's own transaction: a call that
 * fails is rolled back together with its key, which stays free for the
 * retry.
 */
#include <stdlib.h>
#include <string.h>

#include "ledger-private.h"

#define KEY_MAX 255

static int
check_args(const char *key, const char *tool, const char *digest,
	   struct lejr_error *err)
{
	if (!ledger_text_ok(key, KEY_MAX))
		return lejr_error_set(err, LEJR_EINVAL,
				      "idempotency key must be 1 to %d "
				      "characters without control characters",
				      KEY_MAX);
	if (tool == NULL || digest == NULL)
		return lejr_error_set(err, LEJR_EINVAL,
				      "idempotency needs a tool and an "
				      "argument digest");
	return LEJR_OK;
}

static int
conflict(const char *key, struct lejr_error *err)
{
	return lejr_error_set(err, LEJR_ECONFLICT,
			      "idempotency key \"%.64s\" was already used for "
			      "a different call; use a new key for new "
			      "arguments", key);
}

int
ledger_idem_find(sqlite3 *db, int64_t org, const char *key,
		 const char *tool, const char *digest, json_t **result,
		 struct lejr_error *err)
{
	sqlite3_stmt *st;
	const char *t, *d, *text;
	int rc;

	*result = NULL;
	rc = check_args(key, tool, digest, err);
	if (rc == LEJR_OK)
		rc = ledger_prepare(db, "SELECT tool, args_digest, result FROM "
				    "idempotency WHERE org_id = ? AND key = ?",
				    &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	ledger_bind_text(st, 2, key);

	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "idempotency key is new");
		goto out;
	}
	if (rc != SQLITE_ROW) {
		rc = ledger_db_error(db, "looking up an idempotency key", err);
		goto out;
	}

	t = (const char *)sqlite3_column_text(st, 0);
	d = (const char *)sqlite3_column_text(st, 1);
	text = (const char *)sqlite3_column_text(st, 2);
	if (t == NULL || d == NULL || strcmp(t, tool) != 0 ||
	    strcmp(d, digest) != 0) {
		rc = conflict(key, err);
		goto out;
	}

	*result = text != NULL ? json_loads(text, 0, NULL) : NULL;
	rc = *result != NULL ? LEJR_OK
			     : lejr_error_set(err, LEJR_EINTERNAL,
					      "a remembered result is damaged");
out:
	ledger_finalize(db, st);
	return rc;
}

int
ledger_idem_store(sqlite3 *db, int64_t org, const char *key,
		  const char *tool, const char *digest, json_t *result,
		  struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	char *text = NULL;
	int rc;

	rc = check_args(key, tool, digest, err);
	if (rc != LEJR_OK)
		return rc;

	text = result != NULL ? json_dumps(result, JSON_COMPACT |
					   JSON_ENCODE_ANY) : NULL;
	if (text == NULL)
		return lejr_error_set(err, LEJR_EINVAL,
				      "there is no result to remember");

	rc = ledger_prepare(db, "INSERT INTO idempotency (org_id, key, tool, "
			    "args_digest, result, created_at) VALUES "
			    "(?, ?, ?, ?, ?, " LEDGER_NOW_SQL ")", &st, err);
	if (rc != LEJR_OK)
		goto out;

	sqlite3_bind_int64(st, 1, org);
	ledger_bind_text(st, 2, key);
	ledger_bind_text(st, 3, tool);
	ledger_bind_text(st, 4, digest);
	ledger_bind_text(st, 5, text);

	if (sqlite3_step(st) == SQLITE_DONE)
		rc = LEJR_OK;
	else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = conflict(key, err);
	else
		rc = ledger_db_error(db, "remembering a result", err);

out:
	ledger_finalize(db, st);
	free(text);
	return rc;
}

/*
 * accounts.c - the chart of accounts of one organization.
 */
#include <stdio.h>
#include <string.h>

#include "ledger-private.h"

int
ledger_account_code_ok(const char *code)
{
	size_t n;

	if (code == NULL)
		return 0;
	for (n = 0; code[n] != '\0'; n++)
		if (!((code[n] >= 'A' && code[n] <= 'Z') ||
		      (code[n] >= 'a' && code[n] <= 'z') ||
		      (code[n] >= '0' && code[n] <= '9') || code[n] == '.' ||
		      code[n] == '-'))
			return 0;
	return n > 0 && n <= LEJR_CODE_MAX;
}

/* Refuse a code that is not one, without echoing more than fits. */
static int
bad_code(const char *what, const char *code, struct lejr_error *err)
{
	return lejr_error_set(err, LEJR_EINVAL,
			      "%s \"%.40s\" is not a valid account code: use "
			      "1 to %d letters, digits, '.' or '-'", what,
			      code != NULL ? code : "", LEJR_CODE_MAX);
}

int
ledger_account_get(sqlite3 *db, const struct lejr_org *org,
		   const char *code, struct lejr_account *out,
		   struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (!ledger_account_code_ok(code))
		return bad_code("account", code, err);

	rc = ledger_prepare(db, "SELECT a.id, a.code, a.name, a.type, p.code, "
			    "a.archived_at IS NOT NULL FROM accounts a "
			    "LEFT JOIN accounts p ON p.id = a.parent_id "
			    "WHERE a.org_id = ? AND a.code = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org->id);
	ledger_bind_text(st, 2, code);

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(st, 0);
		ledger_column_copy(st, 1, out->code, sizeof(out->code));
		ledger_column_copy(st, 2, out->name, sizeof(out->name));
		out->type = (enum lejr_account_type)sqlite3_column_int(st, 3);
		ledger_column_copy(st, 4, out->parent, sizeof(out->parent));
		out->archived = sqlite3_column_int(st, 5);
		rc = LEJR_OK;
	} else if (rc == SQLITE_DONE) {
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "account %s does not exist", code);
	} else {
		rc = ledger_db_error(db, "loading an account", err);
	}

	ledger_finalize(db, st);
	return rc;
}

int
ledger_account_list(sqlite3 *db, const struct lejr_org *org,
		    int include_archived, json_t **out,
		    struct lejr_error *err)
{
	sqlite3_stmt *st;
	json_t *list, *o;
	int rc;

	*out = NULL;
	rc = ledger_prepare(db, "SELECT a.code, a.name, a.type, p.code, "
			    "a.archived_at IS NOT NULL FROM accounts a "
			    "LEFT JOIN accounts p ON p.id = a.parent_id "
			    "WHERE a.org_id = ?1 AND (?2 OR "
			    "a.archived_at IS NULL) ORDER BY a.code", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org->id);
	sqlite3_bind_int(st, 2, include_archived != 0);

	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = json_object();
		ledger_json_set_column(o, "code", st, 0);
		ledger_json_set_column(o, "name", st, 1);
		json_object_set_new(o, "type", json_string(
			lejr_account_type_name(sqlite3_column_int(st, 2))));
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			ledger_json_set_column(o, "parent", st, 3);
		json_object_set_new(o, "archived",
				    json_boolean(sqlite3_column_int(st, 4)));
		json_array_append_new(list, o);
	}

	if (rc != SQLITE_DONE) {
		json_decref(list);
		rc = ledger_db_error(db, "listing accounts", err);
	} else {
		*out = list;
		rc = LEJR_OK;
	}

	ledger_finalize(db, st);
	return rc;
}

/* A parent must be a live account of the same type in the same org. */
static int
check_parent(sqlite3 *db, const struct lejr_org *org,
	     const struct lejr_account_spec *spec, int64_t *parent_id,
	     struct lejr_error *err)
{
	struct lejr_account parent;
	int rc;

	*parent_id = 0;
	if (spec->parent == NULL || spec->parent[0] == '\0')
		return LEJR_OK;

	if (!ledger_account_code_ok(spec->parent))
		return bad_code("parent account", spec->parent, err);

	rc = ledger_account_get(db, org, spec->parent, &parent, err);
	if (rc == LEJR_ENOTFOUND)
		return lejr_error_set(err, LEJR_ENOTFOUND,
				      "parent account %s does not exist",
				      spec->parent);
	if (rc != LEJR_OK)
		return rc;

	if (parent.archived)
		return lejr_error_set(err, LEJR_EINVAL,
				      "parent account %s is archived",
				      parent.code);
	if (parent.type != spec->type)
		return lejr_error_set(err, LEJR_EINVAL,
				      "parent account %s has type %s; a "
				      "sub-account must have the same type, "
				      "not %s", parent.code,
				      lejr_account_type_name(parent.type),
				      lejr_account_type_name(spec->type));

	*parent_id = parent.id;
	return LEJR_OK;
}

static int
check_spec(const struct lejr_account_spec *spec, struct lejr_error *err)
{
	if (spec == NULL)
		return lejr_error_set(err, LEJR_EINVAL,
				      "an account needs a code, name and type");
	if (!ledger_account_code_ok(spec->code))
		return bad_code("account code", spec->code, err);
	if (!ledger_text_ok(spec->name, LEJR_NAME_MAX))
		return lejr_error_set(err, LEJR_EINVAL,
				      "account name must be 1 to %d bytes of "
				      "UTF-8 (fewer characters outside ASCII) "
				      "without control characters",
				      LEJR_NAME_MAX);
	if (lejr_account_type_name(spec->type) == NULL)
		return lejr_error_set(err, LEJR_EINVAL,
				      "account type must be asset, liability, "
				      "equity, income or expense");
	return LEJR_OK;
}

int
ledger_account_create(sqlite3 *db, const struct lejr_org *org,
		      const struct lejr_account_spec *spec,
		      struct lejr_account *out, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int64_t parent_id;
	int rc;

	rc = check_spec(spec, err);
	if (rc == LEJR_OK)
		rc = check_parent(db, org, spec, &parent_id, err);
	if (rc != LEJR_OK)
		return rc;

	rc = ledger_prepare(db, "INSERT INTO accounts (org_id, code, name, "
			    "type, parent_id, created_at) VALUES (?, ?, ?, ?, "
			    "?, " LEDGER_NOW_SQL ")", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org->id);
	ledger_bind_text(st, 2, spec->code);
	ledger_bind_text(st, 3, spec->name);
	sqlite3_bind_int(st, 4, spec->type);
	if (parent_id != 0)
		sqlite3_bind_int64(st, 5, parent_id);

	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		rc = LEJR_OK;
	else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
		rc = lejr_error_set(err, LEJR_ECONFLICT,
				    "account %s already exists", spec->code);
	else
		rc = ledger_db_error(db, "creating an account", err);
	ledger_finalize(db, st);

	if (rc == LEJR_OK && out != NULL)
		rc = ledger_account_get(db, org, spec->code, out, err);
	return rc;
}

static int
live_children(sqlite3 *db, int64_t id, int *n, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT count(*) FROM accounts WHERE "
			    "parent_id = ? AND archived_at IS NULL", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int(st, 0);
	else
		rc = ledger_db_error(db, "counting sub-accounts", err);

	ledger_finalize(db, st);
	return rc;
}

int
ledger_account_archive(sqlite3 *db, const struct lejr_org *org,
		       const char *code, struct lejr_error *err)
{
	struct lejr_account acct;
	sqlite3_stmt *st;
	int rc, children = 0;

	rc = ledger_account_get(db, org, code, &acct, err);
	if (rc != LEJR_OK || acct.archived)
		return rc;

	rc = live_children(db, acct.id, &children, err);
	if (rc != LEJR_OK)
		return rc;
	if (children > 0)
		return lejr_error_set(err, LEJR_ECONFLICT,
				      "account %s has %d sub-account%s not "
				      "yet archived; archive them first",
				      acct.code, children,
				      children == 1 ? "" : "s");

	rc = ledger_prepare(db, "UPDATE accounts SET archived_at = "
			    LEDGER_NOW_SQL " WHERE id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, acct.id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "archiving an account", err);

	ledger_finalize(db, st);
	return rc;
}

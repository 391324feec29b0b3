/*
 * connections.c - personal access tokens and OAuth connections as the
 * Settings pages show and change them: who may see which, their
 * organizations, revocation.
 *
 * Both kinds reach organizations through a table of their own
 * (token_orgs, connection_orgs) that authentication reads on every
 * request, so a change here applies to the next request.  A person sees
 * their own, and an owner or admin of an organization sees all that
 * reach it; changing the organizations of someone else's needs that
 * standing in every organization added or removed, and revoking it
 * needs it in every organization it reaches.  The slug and name of an
 * organization are shown only to its members.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-private.h"

#define ROLE_MANAGER 3 /* admin and owner (enum lejr_role) */

/*
 * Tokens and connections in one list.  ?1 viewer, ?2 want tokens, ?3
 * want connections, ?4 revoked too, ?5 viewer's own only, ?6 one id
 * (0: all).  A connection's access-token rows belong to it, not to the
 * tokens.
 */
static const char list_sql[] =
	"SELECT 'token', t.id, t.label, t.user_id, u.email, t.access, NULL,"
	" t.created_at, t.last_used_at,"
	" strftime('%Y-%m-%dT%H:%M:%SZ', t.expires_at, 'unixepoch'),"
	" t.calls, t.revoked_at"
	" FROM tokens t JOIN users u ON u.id = t.user_id"
	" WHERE ?2 AND t.connection_id IS NULL"
	" AND (?6 = 0 OR t.id = ?6)"
	" AND (?4 OR t.revoked_at IS NULL)"
	" AND (t.user_id = ?1 OR (NOT ?5 AND EXISTS (SELECT 1"
	"  FROM token_orgs x JOIN members m ON m.org_id = x.org_id"
	"  WHERE x.token_id = t.id AND m.user_id = ?1 AND m.role >= 3)))"
	" UNION ALL "
	"SELECT 'oauth', c.id, coalesce(nullif(k.name, ''), k.client_id),"
	" c.user_id, u.email, c.access, c.resource, c.created_at,"
	" (SELECT max(a.last_used_at) FROM tokens a"
	"  WHERE a.connection_id = c.id),"
	" (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', max(r.expires_at),"
	"  'unixepoch') FROM refresh_tokens r"
	"  WHERE r.connection_id = c.id AND r.retired_at IS NULL),"
	" (SELECT coalesce(sum(a.calls), 0) FROM tokens a"
	"  WHERE a.connection_id = c.id),"
	" c.revoked_at"
	" FROM connections c JOIN users u ON u.id = c.user_id"
	" JOIN oauth_clients k ON k.id = c.client_id"
	" WHERE ?3 AND (?6 = 0 OR c.id = ?6)"
	" AND (?4 OR c.revoked_at IS NULL)"
	" AND (c.user_id = ?1 OR (NOT ?5 AND EXISTS (SELECT 1"
	"  FROM connection_orgs x JOIN members m ON m.org_id = x.org_id"
	"  WHERE x.connection_id = c.id AND m.user_id = ?1"
	"  AND m.role >= 3)))"
	" ORDER BY 8 DESC, 2 DESC";

/* ?1 the token or connection, ?2 the viewer, whose role is the last
 * column (NULL: not a member). */
static const char token_orgs_sql[] =
	"SELECT o.id, o.slug, o.name, v.role FROM token_orgs x"
	" JOIN orgs o ON o.id = x.org_id"
	" LEFT JOIN members v ON v.org_id = o.id AND v.user_id = ?2"
	" WHERE x.token_id = ?1 ORDER BY o.slug";

static const char conn_orgs_sql[] =
	"SELECT o.id, o.slug, o.name, v.role FROM connection_orgs x"
	" JOIN orgs o ON o.id = x.org_id"
	" LEFT JOIN members v ON v.org_id = o.id AND v.user_id = ?2"
	" WHERE x.connection_id = ?1 ORDER BY o.slug";

/*
 * An organization as JSON from st's columns id, slug, name and the
 * viewer's role: "member" tells whether viewer has a role there; the
 * slug and name are left out when not, as viewer has no business
 * knowing them.
 */
static json_t *
org_json(sqlite3_stmt *st)
{
	json_t *o = json_object();
	int member = sqlite3_column_type(st, 3) != SQLITE_NULL;

	json_object_set_new(o, "id", json_integer(
		sqlite3_column_int64(st, 0)));
	json_object_set_new(o, "member", json_boolean(member));
	if (member) {
		ledger_json_set_column(o, "slug", st, 1);
		ledger_json_set_column(o, "name", st, 2);
	}
	return o;
}

/* The organizations of one token or connection, as JSON, marked with
 * viewer's standing in each. */
static int
item_orgs(sqlite3 *db, int oauth, int64_t id, int64_t viewer, json_t **out,
	  struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	json_t *list;
	int rc;

	*out = NULL;
	rc = ledger_prepare(db, oauth ? conn_orgs_sql : token_orgs_sql, &st,
			    err);
	if (rc != LEJR_OK)
		return rc;
	list = json_array();
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, viewer);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = org_json(st);

		json_object_set_new(o, "manage", json_boolean(
			sqlite3_column_int(st, 3) >= ROLE_MANAGER));
		json_array_append_new(list, o);
	}
	ledger_finalize(db, st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return ledger_db_error(db, "reading organizations", err);
	}
	*out = list;
	return LEJR_OK;
}

/* One row of list_sql as JSON (without its orgs). */
static json_t *
item_json(sqlite3_stmt *st, int64_t viewer)
{
	json_t *o = json_object();
	int oauth = strcmp((const char *)sqlite3_column_text(st, 0),
			   "oauth") == 0;

	ledger_json_set_column(o, "kind", st, 0);
	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 1)));
	ledger_json_set_column(o, "name", st, 2);
	json_object_set_new(o, "user_id", json_integer(
		sqlite3_column_int64(st, 3)));
	ledger_json_set_column(o, "user", st, 4);
	json_object_set_new(o, "access", json_string(
		sqlite3_column_int(st, 5) == LEJR_ACCESS_WRITE ? "write" :
		"read"));
	if (oauth)
		ledger_json_set_column(o, "resource", st, 6);
	ledger_json_set_column(o, "created", st, 7);
	ledger_json_set_column(o, "last_used", st, 8);
	ledger_json_set_column(o, "expires", st, 9);
	json_object_set_new(o, "calls", json_integer(
		sqlite3_column_int64(st, 10)));
	ledger_json_set_column(o, "revoked", st, 11);
	json_object_set_new(o, "own", json_boolean(
		sqlite3_column_int64(st, 3) == viewer));
	return o;
}

/* May viewer revoke item: their own, or one whose every organization
 * viewer manages (seeing it needs one only)? */
static int
may_revoke(json_t *item)
{
	json_t *o;
	size_t i;

	if (json_is_true(json_object_get(item, "own")))
		return 1;
	json_array_foreach(json_object_get(item, "orgs"), i, o)
		if (!json_is_true(json_object_get(o, "manage")))
			return 0;
	return json_array_size(json_object_get(item, "orgs")) > 0;
}

/* Run list_sql; each item gets its orgs and whether viewer may revoke
 * it. */
static int
list_run(sqlite3 *db, int64_t viewer, int flags, int64_t id, json_t **out,
	 struct lejr_error *err)
{
	int kinds = flags & (LEDGER_CONN_TOKENS | LEDGER_CONN_OAUTH);
	sqlite3_stmt *st = NULL;
	json_t *list, *item, *orgs;
	size_t i;
	int rc;

	*out = NULL;
	if (kinds == 0)
		kinds = LEDGER_CONN_TOKENS | LEDGER_CONN_OAUTH;
	rc = ledger_prepare(db, list_sql, &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, viewer);
	sqlite3_bind_int(st, 2, (kinds & LEDGER_CONN_TOKENS) != 0);
	sqlite3_bind_int(st, 3, (kinds & LEDGER_CONN_OAUTH) != 0);
	sqlite3_bind_int(st, 4, (flags & LEDGER_CONN_REVOKED) != 0);
	sqlite3_bind_int(st, 5, (flags & LEDGER_CONN_OWN) != 0);
	sqlite3_bind_int64(st, 6, id);

	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, item_json(st, viewer));
	ledger_finalize(db, st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return ledger_db_error(db, "listing connections", err);
	}

	json_array_foreach(list, i, item) {
		rc = item_orgs(db, strcmp(json_string_value(json_object_get(
			item, "kind")), "oauth") == 0,
			json_integer_value(json_object_get(item, "id")),
			viewer, &orgs, err);
		if (rc != LEJR_OK) {
			json_decref(list);
			return rc;
		}
		json_object_set_new(item, "orgs", orgs);
		json_object_set_new(item, "revocable", json_boolean(
			may_revoke(item)));
	}
	*out = list;
	return LEJR_OK;
}

int
ledger_conn_list(sqlite3 *db, int64_t viewer, int flags, json_t **out,
		 struct lejr_error *err)
{
	return list_run(db, viewer, flags, 0, out, err);
}

/* ---- one of them ---- */

/* The organizations the item's user belongs to, marked. */
static int
item_choices(sqlite3 *db, int64_t viewer, json_t *item,
	     struct lejr_error *err)
{
	static const char sql[] =
		"SELECT o.id, o.slug, o.name, v.role FROM members m"
		" JOIN orgs o ON o.id = m.org_id"
		" LEFT JOIN members v ON v.org_id = m.org_id"
		"  AND v.user_id = ?2"
		" WHERE m.user_id = ?1 ORDER BY o.slug";
	int64_t owner = json_integer_value(json_object_get(item, "user_id"));
	json_t *granted = json_object_get(item, "orgs"), *list, *g;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, owner);
	sqlite3_bind_int64(st, 2, viewer);

	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = org_json(st);
		int64_t org = sqlite3_column_int64(st, 0);
		int is = 0;

		json_array_foreach(granted, i, g)
			if (json_integer_value(json_object_get(g, "id")) == org)
				is = 1;
		json_object_set_new(o, "granted", json_boolean(is));
		json_object_set_new(o, "manage", json_boolean(owner == viewer ||
			sqlite3_column_int(st, 3) >= ROLE_MANAGER));
		json_array_append_new(list, o);
	}
	ledger_finalize(db, st);
	json_object_set_new(item, "choices", list);
	if (rc != SQLITE_DONE)
		return ledger_db_error(db, "reading memberships", err);
	return LEJR_OK;
}

/* The item (new reference) if viewer may see it, revoked or not. */
static int
item_find(sqlite3 *db, int64_t viewer, enum ledger_conn_kind kind,
	  int64_t id, json_t **out, struct lejr_error *err)
{
	json_t *list;
	int rc;

	*out = NULL;
	if (id <= 0 || (kind != LEDGER_CONN_KIND_TOKEN &&
			kind != LEDGER_CONN_KIND_OAUTH))
		return lejr_error_set(err, LEJR_ENOTFOUND, "no such "
				      "connection");
	rc = list_run(db, viewer, LEDGER_CONN_REVOKED |
		      (kind == LEDGER_CONN_KIND_TOKEN ? LEDGER_CONN_TOKENS :
		       LEDGER_CONN_OAUTH), id, &list, err);
	if (rc != LEJR_OK)
		return rc;
	if (json_array_size(list) != 1) {
		json_decref(list);
		return lejr_error_set(err, LEJR_ENOTFOUND, "%s %" PRId64
				      " does not exist",
				      kind == LEDGER_CONN_KIND_TOKEN ?
				      "token" : "connection", id);
	}
	*out = json_incref(json_array_get(list, 0));
	json_decref(list);
	return LEJR_OK;
}

int
ledger_conn_get(sqlite3 *db, int64_t viewer, enum ledger_conn_kind kind,
		int64_t id, json_t **out, struct lejr_error *err)
{
	json_t *item;
	int rc;

	*out = NULL;
	rc = item_find(db, viewer, kind, id, &item, err);
	if (rc == LEJR_OK)
		rc = item_choices(db, viewer, item, err);
	if (rc != LEJR_OK) {
		json_decref(item);
		return rc;
	}
	*out = item;
	return LEJR_OK;
}

/* ---- changes ---- */

/* Find org in a choices list; NULL when absent. */
static json_t *
choice_find(json_t *choices, int64_t org)
{
	json_t *c;
	size_t i;

	json_array_foreach(choices, i, c)
		if (json_integer_value(json_object_get(c, "id")) == org)
			return c;
	return NULL;
}

/* Is org among the n ids? */
static int
ids_have(const int64_t *ids, size_t n, int64_t org)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == org)
			return 1;
	return 0;
}

/* How to name organization c in a refusal: its slug to its members. */
static const char *
org_label(json_t *c)
{
	const char *slug = json_string_value(json_object_get(c, "slug"));

	return slug != NULL ? slug : "another organization";
}

/* Check a new set of orgs against the item's choices. */
static int
orgs_check(json_t *item, const int64_t *orgs, size_t n,
	   struct lejr_error *err)
{
	json_t *choices = json_object_get(item, "choices"), *c;
	size_t i;

	if (n == 0 || n > LEDGER_OAUTH_ORGS_MAX)
		return lejr_error_set(err, LEJR_EINVAL, "choose 1 to %d "
				      "organizations", LEDGER_OAUTH_ORGS_MAX);
	for (i = 0; i < n; i++) {
		c = choice_find(choices, orgs[i]);
		if (c == NULL)
			return lejr_error_set(err, LEJR_EINVAL, "organization "
					      "%" PRId64 " is not one of its "
					      "user's", orgs[i]);
		if (!json_is_true(json_object_get(c, "granted")) &&
		    !json_is_true(json_object_get(c, "manage")))
			return lejr_error_set(err, LEJR_EDENIED, "you do not "
					      "manage organization %s",
					      org_label(c));
	}

	/* Taking one away needs the same standing as adding it. */
	json_array_foreach(choices, i, c) {
		if (json_is_true(json_object_get(c, "granted")) &&
		    !json_is_true(json_object_get(c, "manage")) &&
		    !ids_have(orgs, n, json_integer_value(
			    json_object_get(c, "id"))))
			return lejr_error_set(err, LEJR_EDENIED, "you do not "
					      "manage organization %s",
					      org_label(c));
	}
	return LEJR_OK;
}

/* Run sql binding id, and org when org > 0. */
static int
exec_ids(sqlite3 *db, const char *sql, int64_t id, int64_t org,
	 struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (org > 0)
		sqlite3_bind_int64(st, 2, org);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "changing organizations", err);
	ledger_finalize(db, st);
	return rc;
}

int
ledger_conn_set_orgs(sqlite3 *db, int64_t viewer,
		     enum ledger_conn_kind kind, int64_t id,
		     const int64_t *orgs, size_t n, struct lejr_error *err)
{
	int oauth = kind == LEDGER_CONN_KIND_OAUTH;
	json_t *item = NULL;
	int rc;

	rc = ledger_conn_get(db, viewer, kind, id, &item, err);
	if (rc != LEJR_OK)
		return rc;
	if (!json_is_null(json_object_get(item, "revoked"))) {
		rc = lejr_error_set(err, LEJR_ECONFLICT, "it is revoked");
		goto out;
	}
	rc = orgs_check(item, orgs, n, err);
	if (rc != LEJR_OK)
		goto out;

	rc = exec_ids(db, oauth ? "DELETE FROM connection_orgs WHERE "
		      "connection_id = ?" : "DELETE FROM token_orgs WHERE "
		      "token_id = ?", id, 0, err);
	for (size_t i = 0; rc == LEJR_OK && i < n; i++)
		rc = exec_ids(db, oauth ? "INSERT OR IGNORE INTO "
			      "connection_orgs (connection_id, org_id) "
			      "VALUES (?, ?)" : "INSERT OR IGNORE INTO "
			      "token_orgs (token_id, org_id) VALUES (?, ?)",
			      id, orgs[i], err);
out:
	json_decref(item);
	return rc;
}

int
ledger_conn_revoke(sqlite3 *db, int64_t viewer, enum ledger_conn_kind kind,
		   int64_t id, struct lejr_error *err)
{
	json_t *item = NULL;
	int rc;

	rc = item_find(db, viewer, kind, id, &item, err);
	if (rc != LEJR_OK)
		return rc;
	if (!json_is_true(json_object_get(item, "revocable")))
		rc = lejr_error_set(err, LEJR_EDENIED, "it also reaches an "
				    "organization you do not manage: only its "
				    "user, or someone who manages every "
				    "organization it reaches, may revoke it");
	else if (!json_is_null(json_object_get(item, "revoked")))
		rc = lejr_error_set(err, LEJR_ECONFLICT, "it was already "
				    "revoked");
	else if (kind == LEDGER_CONN_KIND_OAUTH)
		rc = ledger_connection_revoke(db, id, 0, err);
	else
		rc = ledger_token_revoke(db, id, err);
	json_decref(item);
	return rc;
}

int
ledger_org_members(sqlite3 *db, int64_t org, json_t **out,
		   struct lejr_error *err)
{
	static const char sql[] =
		"SELECT u.id, u.email, u.name, m.role FROM members m"
		" JOIN users u ON u.id = m.user_id WHERE m.org_id = ?"
		" ORDER BY u.email";
	sqlite3_stmt *st = NULL;
	json_t *list;
	int rc;

	*out = NULL;
	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, org);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		const char *role = lejr_role_name(sqlite3_column_int(st, 3));

		json_object_set_new(o, "id", json_integer(
			sqlite3_column_int64(st, 0)));
		ledger_json_set_column(o, "email", st, 1);
		ledger_json_set_column(o, "name", st, 2);
		json_object_set_new(o, "role", role != NULL ?
				    json_string(role) : json_null());
		json_array_append_new(list, o);
	}
	ledger_finalize(db, st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return ledger_db_error(db, "listing members", err);
	}
	*out = list;
	return LEJR_OK;
}

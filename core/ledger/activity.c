/*
 * activity.c - the per-organization log of tool calls (append-only).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-private.h"

static int
outcome_ok(const char *outcome)
{
	static const char *const outcomes[] = { "ok", "error", "denied",
						"invalid" };
	size_t i;

	for (i = 0; outcome != NULL && i < 4; i++)
		if (strcmp(outcome, outcomes[i]) == 0)
			return 1;
	return 0;
}

/* The ids of entries created, as JSON array text (malloc'd). */
static char *
entries_text(const struct ledger_activity *rec)
{
	json_t *list;
	char *text;
	size_t i;

	list = json_array();
	for (i = 0; i < rec->nentries && rec->entries != NULL; i++)
		json_array_append_new(list, json_integer(rec->entries[i]));
	text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	return text;
}

static void
bind_id_or_null(sqlite3_stmt *st, int idx, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(st, idx, id);
	else
		sqlite3_bind_null(st, idx);
}

int
ledger_activity_add(sqlite3 *db, const struct ledger_activity *rec,
		    struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	char *entries;
	int rc;

	if (rec == NULL || rec->tool == NULL || !outcome_ok(rec->outcome))
		return lejr_error_set(err, LEJR_EINVAL,
				      "an activity record needs a tool and an "
				      "outcome (ok, error, denied, invalid)");

	entries = entries_text(rec);
	if (entries == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");

	rc = ledger_prepare(db, "INSERT INTO activity (org_id, at, user_id, "
			    "token_id, tool, args_digest, outcome, message, "
			    "entries, duration_us) VALUES (?, " LEDGER_NOW_SQL
			    ", ?, ?, ?, ?, ?, ?, ?, ?)", &st, err);
	if (rc != LEJR_OK)
		goto out;

	bind_id_or_null(st, 1, rec->org_id);
	bind_id_or_null(st, 2, rec->user_id);
	bind_id_or_null(st, 3, rec->token_id);
	ledger_bind_text(st, 4, rec->tool);
	ledger_bind_text(st, 5, rec->args_digest);
	ledger_bind_text(st, 6, rec->outcome);
	ledger_bind_text(st, 7, rec->message);
	ledger_bind_text(st, 8, entries);
	sqlite3_bind_int64(st, 9, rec->duration_us);

	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "writing the activity log", err);

out:
	ledger_finalize(db, st);
	free(entries);
	return rc;
}

/* Columns of a record, in this order; "client" only with a query. */
static json_t *
record_json(sqlite3_stmt *st, int with_client)
{
	json_t *o, *entries;

	o = json_object();
	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
	ledger_json_set_column(o, "time", st, 1);
	json_object_set_new(o, "user_id",
			    json_integer(sqlite3_column_int64(st, 2)));
	ledger_json_set_column(o, "user", st, 3);
	if (sqlite3_column_type(st, 4) != SQLITE_NULL)
		json_object_set_new(o, "token_id", json_integer(
			sqlite3_column_int64(st, 4)));
	ledger_json_set_column(o, "tool", st, 5);
	ledger_json_set_column(o, "args_digest", st, 6);
	ledger_json_set_column(o, "outcome", st, 7);
	if (sqlite3_column_type(st, 8) != SQLITE_NULL)
		ledger_json_set_column(o, "message", st, 8);
	entries = json_loads((const char *)sqlite3_column_text(st, 9), 0, NULL);
	json_object_set_new(o, "entries", entries != NULL ? entries
							  : json_array());
	json_object_set_new(o, "duration_us",
			    json_integer(sqlite3_column_int64(st, 10)));
	if (with_client)
		ledger_json_set_column(o, "client", st, 11);
	return o;
}

static int
check_filter(const char *from, const char *to, struct lejr_error *err)
{
	if (from != NULL && !lejr_date_valid(from))
		return lejr_error_set(err, LEJR_EINVAL,
				      "from \"%.16s\" is not " LEJR_DATE_RULE,
				      from);
	if (to != NULL && !lejr_date_valid(to))
		return lejr_error_set(err, LEJR_EINVAL,
				      "to \"%.16s\" is not " LEJR_DATE_RULE,
				      to);
	return LEJR_OK;
}

/* The query for f, past the record after (0: from the newest). */
static void
compose_sql(const struct ledger_activity_filter *f, int with_client,
	    int64_t after, struct ledger_sql *q)
{
	ledger_sql_add(q, "SELECT a.id, a.at, a.user_id, u.email, a.token_id,"
		       " a.tool, a.args_digest, a.outcome, a.message,"
		       " a.entries, a.duration_us");
	/* The assistant: an OAuth client's name, or a token's label. */
	if (with_client)
		ledger_sql_add(q, ", coalesce(k.name, k.client_id, t.label)"
			       " FROM activity a"
			       " LEFT JOIN tokens t ON t.id = a.token_id"
			       " LEFT JOIN connections c"
			       "  ON c.id = t.connection_id"
			       " LEFT JOIN oauth_clients k"
			       "  ON k.id = c.client_id");
	else
		ledger_sql_add(q, " FROM activity a");
	ledger_sql_add(q, " LEFT JOIN users u ON u.id = a.user_id"
		       " WHERE a.org_id = :org");
	if (f->tool != NULL)
		ledger_sql_add(q, " AND a.tool = :tool");
	if (f->user != 0)
		ledger_sql_add(q, " AND a.user_id = :user");
	if (f->from != NULL)
		ledger_sql_add(q, " AND a.at >= :from");
	/* times are "YYYY-MM-DDT...": before the next day's date */
	if (f->to != NULL)
		ledger_sql_add(q, " AND a.at < date(:to, '+1 day')");
	if (after != 0)
		ledger_sql_add(q, " AND a.id < :after");
	ledger_sql_add(q, " ORDER BY a.id DESC LIMIT :limit");
}

static void
bind_named(sqlite3_stmt *st, const char *name, const char *text,
	   int64_t value)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0 && text != NULL)
		ledger_bind_text(st, i, text);
	else if (i > 0)
		sqlite3_bind_int64(st, i, value);
}

static int
fill_page(sqlite3 *db, sqlite3_stmt *st, int limit, int with_client,
	  json_t *page, struct lejr_error *err)
{
	char cursor[128];
	json_t *records;
	int64_t last = 0;
	int rc, n = 0;

	records = json_array();
	json_object_set_new(page, "records", records);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit) {
			if (ledger_cursor_encode('a', "", last, cursor,
						 sizeof(cursor)) != LEJR_OK)
				return lejr_error_set(err, LEJR_EINTERNAL,
						      "cannot make a cursor");
			json_object_set_new(page, "next_cursor",
					    json_string(cursor));
			return LEJR_OK;
		}
		last = sqlite3_column_int64(st, 0);
		json_array_append_new(records, record_json(st, with_client));
		n++;
	}

	if (rc != SQLITE_DONE)
		return ledger_db_error(db, "reading the activity log", err);
	return LEJR_OK;
}

static int
activity_page(sqlite3 *db, const struct ledger_activity_filter *f,
	      int with_client, json_t **out, struct lejr_error *err)
{
	struct ledger_sql q = { .len = 0 };
	sqlite3_stmt *st = NULL;
	char empty[4];
	int64_t after = 0;
	json_t *page = NULL;
	int rc, limit;

	*out = NULL;
	limit = ledger_page_limit(f->limit);
	if (limit < 0)
		return lejr_error_set(err, LEJR_EINVAL,
				      "limit must be between 1 and 500");

	rc = check_filter(f->from, f->to, err);
	if (rc == LEJR_OK && f->cursor != NULL)
		rc = ledger_cursor_decode(f->cursor, 'a', empty, sizeof(empty),
					  &after, err);
	if (rc != LEJR_OK)
		return rc;

	compose_sql(f, with_client, after, &q);
	rc = ledger_prepare_once(db, q.text, &st, err);
	if (rc != LEJR_OK)
		return rc;

	bind_named(st, ":org", NULL, f->org);
	bind_named(st, ":tool", f->tool, 0);
	bind_named(st, ":user", NULL, f->user);
	bind_named(st, ":from", f->from, 0);
	bind_named(st, ":to", f->to, 0);
	bind_named(st, ":after", NULL, after);
	bind_named(st, ":limit", NULL, limit + 1);

	page = json_object();
	rc = fill_page(db, st, limit, with_client, page, err);
	if (rc == LEJR_OK) {
		*out = page;
		page = NULL;
	}

	json_decref(page);
	ledger_finalize(db, st);
	return rc;
}

int
ledger_activity_list(sqlite3 *db, int64_t org, const char *tool,
		     const char *from, const char *to, const char *cursor,
		     int limit, json_t **out, struct lejr_error *err)
{
	struct ledger_activity_filter f = {
		.org = org, .tool = tool, .from = from, .to = to,
		.cursor = cursor, .limit = limit
	};

	return activity_page(db, &f, 0, out, err);
}

int
ledger_activity_query(sqlite3 *db, const struct ledger_activity_filter *f,
		      json_t **out, struct lejr_error *err)
{
	return activity_page(db, f, 1, out, err);
}

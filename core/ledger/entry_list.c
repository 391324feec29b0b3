/*
 * entry_list.c - reading journal entries back as JSON, one or a page.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-private.h"

#define SEARCH_MAX 200

/* Two statements reused for every entry of a page. */
struct entry_reader {
	sqlite3 *db;
	const struct lejr_org *org;
	sqlite3_stmt *head;
	sqlite3_stmt *lines;
};

static int
reader_open(struct entry_reader *r, sqlite3 *db, const struct lejr_org *org,
	    struct lejr_error *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->db = db;
	r->org = org;

	rc = ledger_prepare(db, "SELECT e.id, e.date, e.memo, e.reference, "
			    "e.reverses_id, (SELECT r.id FROM entries r WHERE "
			    "r.reverses_id = e.id), e.created_at, e.closing "
			    "FROM entries e WHERE e.org_id = ? AND e.id = ?",
			    &r->head, err);
	if (rc != LEJR_OK)
		return rc;

	return ledger_prepare(db, "SELECT a.code, a.name, l.amount, l.memo "
			      "FROM lines l JOIN accounts a ON a.id = "
			      "l.account_id WHERE l.entry_id = ? ORDER BY l.id",
			      &r->lines, err);
}

static void
reader_close(struct entry_reader *r)
{
	ledger_finalize(r->db, r->head);
	ledger_finalize(r->db, r->lines);
}

static json_t *
money_json(int64_t minor, int exponent)
{
	char buf[32];

	if (lejr_money_format(minor, exponent, buf, sizeof(buf)) != LEJR_OK)
		return NULL;
	return json_string(buf);
}

static json_t *
line_json(sqlite3_stmt *st, int exponent)
{
	char buf[32];
	json_t *o;
	int64_t amount;

	amount = sqlite3_column_int64(st, 2);
	lejr_money_format(amount, exponent, buf, sizeof(buf));

	/* The credit column shows the magnitude: buf without its '-'. */
	o = json_object();
	ledger_json_set_column(o, "account", st, 0);
	ledger_json_set_column(o, "account_name", st, 1);
	json_object_set_new(o, "debit", amount > 0 ? json_string(buf)
						   : money_json(0, exponent));
	json_object_set_new(o, "credit", amount < 0 ? json_string(buf + 1)
						    : money_json(0, exponent));
	json_object_set_new(o, "amount", json_string(buf));
	json_object_set_new(o, "amount_minor", json_integer(amount));
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		ledger_json_set_column(o, "memo", st, 3);
	return o;
}

static int
read_lines(struct entry_reader *r, int64_t id, json_t *entry,
	   struct lejr_error *err)
{
	json_t *lines;
	int rc;

	sqlite3_reset(r->lines);
	sqlite3_bind_int64(r->lines, 1, id);

	lines = json_array();
	while ((rc = sqlite3_step(r->lines)) == SQLITE_ROW)
		json_array_append_new(lines,
				      line_json(r->lines, r->org->exponent));

	json_object_set_new(entry, "lines", lines);
	if (rc != SQLITE_DONE)
		return ledger_db_error(r->db, "reading journal lines", err);
	return LEJR_OK;
}

static int
read_entry(struct entry_reader *r, int64_t id, json_t **out,
	   struct lejr_error *err)
{
	sqlite3_stmt *st = r->head;
	json_t *o;
	int rc;

	*out = NULL;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->org->id);
	sqlite3_bind_int64(st, 2, id);

	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return lejr_error_set(err, LEJR_ENOTFOUND,
				      "entry %" PRId64 " does not exist", id);
	if (rc != SQLITE_ROW)
		return ledger_db_error(r->db, "reading an entry", err);

	o = json_object();
	json_object_set_new(o, "id", json_integer(id));
	ledger_json_set_column(o, "date", st, 1);
	ledger_json_set_column(o, "memo", st, 2);
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		ledger_json_set_column(o, "reference", st, 3);
	if (sqlite3_column_type(st, 4) != SQLITE_NULL)
		json_object_set_new(o, "reverses", json_integer(
			sqlite3_column_int64(st, 4)));
	if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		json_object_set_new(o, "reversed_by", json_integer(
			sqlite3_column_int64(st, 5)));
	ledger_json_set_column(o, "created_at", st, 6);
	if (sqlite3_column_int(st, 7))
		json_object_set_new(o, "kind", json_string("closing"));

	rc = read_lines(r, id, o, err);
	if (rc != LEJR_OK) {
		json_decref(o);
		return rc;
	}

	*out = o;
	return LEJR_OK;
}

int
ledger_entry_get(sqlite3 *db, const struct lejr_org *org, int64_t id,
		 json_t **out, struct lejr_error *err)
{
	struct entry_reader r;
	int rc;

	*out = NULL;
	rc = reader_open(&r, db, org, err);
	if (rc == LEJR_OK)
		rc = read_entry(&r, id, out, err);
	reader_close(&r);
	return rc;
}

/* ---- lists ---- */

/* The filter, checked and resolved. */
struct entry_query {
	int limit;
	int64_t account_id;        /* 0: any account */
	char pattern[3 * SEARCH_MAX + 3]; /* LIKE pattern, or empty */
	char after_date[11];        /* cursor position, or empty */
	int64_t after_id;
};

/* "%text%" for LIKE, with the wildcards in text escaped by '\'. */
static void
like_pattern(const char *text, char *out, size_t len)
{
	size_t n = 0;

	out[n++] = '%';
	for (; *text != '\0' && n + 3 < len; text++) {
		if (*text == '%' || *text == '_' || *text == '\\')
			out[n++] = '\\';
		out[n++] = *text;
	}
	out[n++] = '%';
	out[n] = '\0';
}

static int
check_dates(const struct lejr_entry_filter *f, struct lejr_error *err)
{
	if (f->from != NULL && !lejr_date_valid(f->from))
		return lejr_error_set(err, LEJR_EINVAL,
				      "from \"%.16s\" is not " LEJR_DATE_RULE,
				      f->from);
	if (f->to != NULL && !lejr_date_valid(f->to))
		return lejr_error_set(err, LEJR_EINVAL,
				      "to \"%.16s\" is not " LEJR_DATE_RULE,
				      f->to);
	if (f->from != NULL && f->to != NULL && strcmp(f->from, f->to) > 0)
		return lejr_error_set(err, LEJR_EINVAL,
				      "from (%s) is after to (%s)", f->from,
				      f->to);
	return LEJR_OK;
}

static int
prepare_query(sqlite3 *db, const struct lejr_org *org,
	      const struct lejr_entry_filter *f, struct entry_query *q,
	      struct lejr_error *err)
{
	struct lejr_account acct;
	int rc;

	memset(q, 0, sizeof(*q));
	q->limit = ledger_page_limit(f->limit);
	if (q->limit < 0)
		return lejr_error_set(err, LEJR_EINVAL,
				      "limit must be between 1 and 500");

	rc = check_dates(f, err);
	if (rc != LEJR_OK)
		return rc;

	if (f->text != NULL && f->text[0] != '\0') {
		if (!ledger_text_ok(f->text, SEARCH_MAX))
			return lejr_error_set(err, LEJR_EINVAL,
					      "text must be at most %d "
					      "characters without control "
					      "characters", SEARCH_MAX);
		like_pattern(f->text, q->pattern, sizeof(q->pattern));
	}

	if (f->account != NULL) {
		rc = ledger_account_get(db, org, f->account, &acct, err);
		if (rc != LEJR_OK)
			return rc;
		q->account_id = acct.id;
	}

	if (f->cursor == NULL)
		return LEJR_OK;
	rc = ledger_cursor_decode(f->cursor, 'e', q->after_date,
				  sizeof(q->after_date), &q->after_id, err);
	if (rc == LEJR_OK && !lejr_date_valid(q->after_date))
		rc = ledger_cursor_invalid(err);
	return rc;
}

/*
 * Compose the page query from fixed pieces.  With an account filter the
 * walk goes through that account's lines in (date, entry) order, so a
 * page costs the same wherever it starts.
 */
static void
compose_sql(const struct lejr_entry_filter *f, const struct entry_query *q,
	    struct ledger_sql *sql)
{
	const char *date = q->account_id != 0 ? "l.date" : "e.date";
	const char *id = q->account_id != 0 ? "l.entry_id" : "e.id";
	char piece[160];

	if (q->account_id != 0)
		ledger_sql_add(sql, "SELECT DISTINCT l.entry_id, l.date FROM "
			       "lines l JOIN entries e ON e.id = l.entry_id "
			       "WHERE l.org_id = :org AND "
			       "l.account_id = :account");
	else
		ledger_sql_add(sql, "SELECT e.id, e.date FROM entries e "
			       "WHERE e.org_id = :org");

	snprintf(piece, sizeof(piece), " AND %s >= :from", date);
	if (f->from != NULL)
		ledger_sql_add(sql, piece);
	snprintf(piece, sizeof(piece), " AND %s <= :to", date);
	if (f->to != NULL)
		ledger_sql_add(sql, piece);

	/* (date, id) > cursor, written so the date part uses the index */
	snprintf(piece, sizeof(piece), " AND %s >= :after_date AND "
		 "(%s > :after_date OR %s > :after_id)", date, date, id);
	if (q->after_date[0] != '\0')
		ledger_sql_add(sql, piece);

	if (q->pattern[0] != '\0')
		ledger_sql_add(sql, " AND (e.memo LIKE :pattern ESCAPE '\\' OR "
			       "e.reference LIKE :pattern ESCAPE '\\')");

	snprintf(piece, sizeof(piece), " ORDER BY %s, %s LIMIT :limit", date,
		 id);
	ledger_sql_add(sql, piece);
}

static void
bind_named_text(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		ledger_bind_text(st, i, value);
}

static void
bind_named_int(sqlite3_stmt *st, const char *name, int64_t value)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_int64(st, i, value);
}

static void
bind_query(sqlite3_stmt *st, const struct lejr_org *org,
	   const struct lejr_entry_filter *f, const struct entry_query *q)
{
	bind_named_int(st, ":org", org->id);
	bind_named_int(st, ":account", q->account_id);
	bind_named_text(st, ":from", f->from);
	bind_named_text(st, ":to", f->to);
	bind_named_text(st, ":after_date", q->after_date);
	bind_named_int(st, ":after_id", q->after_id);
	bind_named_text(st, ":pattern", q->pattern);
	/* one more than asked, to learn whether a next page exists */
	bind_named_int(st, ":limit", q->limit + 1);
}

/* Walk the page's rows, adding each entry; set the cursor at the end. */
static int
fill_page(sqlite3_stmt *st, struct entry_reader *r, int limit,
	  json_t *entries, json_t *page, struct lejr_error *err)
{
	char cursor[128], date[11] = "";
	int64_t id = 0;
	json_t *entry;
	int rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit) {
			if (ledger_cursor_encode('e', date, id, cursor,
						 sizeof(cursor)) != LEJR_OK)
				return lejr_error_set(err, LEJR_EINTERNAL,
						      "cannot make a cursor");
			json_object_set_new(page, "next_cursor",
					    json_string(cursor));
			return LEJR_OK;
		}

		id = sqlite3_column_int64(st, 0);
		ledger_column_copy(st, 1, date, sizeof(date));
		rc = read_entry(r, id, &entry, err);
		if (rc != LEJR_OK)
			return rc;
		json_array_append_new(entries, entry);
		n++;
	}

	if (rc != SQLITE_DONE)
		return ledger_db_error(r->db, "listing entries", err);
	return LEJR_OK;
}

int
ledger_entry_list(sqlite3 *db, const struct lejr_org *org,
		  const struct lejr_entry_filter *filter, json_t **out,
		  struct lejr_error *err)
{
	static const struct lejr_entry_filter none;
	struct ledger_sql sql = { .len = 0 };
	struct entry_reader r = { .head = NULL };
	struct entry_query q;
	sqlite3_stmt *st = NULL;
	json_t *page = NULL, *entries;
	int rc;

	*out = NULL;
	if (filter == NULL)
		filter = &none;

	rc = prepare_query(db, org, filter, &q, err);
	if (rc != LEJR_OK)
		return rc;

	compose_sql(filter, &q, &sql);
	if (sql.overflow)
		return lejr_error_set(err, LEJR_EINTERNAL, "query too long");

	rc = ledger_prepare_once(db, sql.text, &st, err);
	if (rc == LEJR_OK)
		rc = reader_open(&r, db, org, err);
	if (rc != LEJR_OK)
		goto out;

	bind_query(st, org, filter, &q);
	page = json_object();
	entries = json_array();
	json_object_set_new(page, "entries", entries);

	rc = fill_page(st, &r, q.limit, entries, page, err);
	if (rc == LEJR_OK) {
		*out = page;
		page = NULL;
	}

out:
	json_decref(page);
	reader_close(&r);
	ledger_finalize(db, st);
	return rc;
}

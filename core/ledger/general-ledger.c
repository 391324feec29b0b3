/*
 * general-ledger.c - one account's lines over a period, with running
 * balances, a page at a time.
 *
 * Lines come in (date, entry, line) order from the index on lines by
 * (org, account, date, entry).  A page holds whole entries only: it
 * ends after the last entry that fits its line limit (the first entry
 * always fits), and the cursor names that entry's (date, id).  The
 * running balance a page starts from is computed, not carried in the
 * cursor: the balance before the cursor's day, from the totals, plus
 * the account's lines on that day up to the cursor's entry.  So a
 * forged cursor can only move the page, never falsify a balance, and
 * no report reads the lines before its period.
 *
 * The page's entries are found from the index alone; then each entry
 * is read once, with all its lines: the account's lines become the
 * page's, the others name its counter accounts.  Entries of one
 * account lie far apart in the file, so a page costs a few pages of
 * the database per entry, and no more.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports-private.h"

#define GL_LIMIT_DEFAULT 100
#define GL_LIMIT_MAX 500
#define GL_FIRST_DAY "0001-01-01"
#define GL_LAST_DAY "9999-12-31"

/* One entry of the page, as the index gives it. */
struct gl_entry {
	char date[11];
	int64_t id;
	int64_t nlines;          /* the account's lines in it */
};

/* What a page is asked for and what it finds. */
struct gl {
	sqlite3 *db;
	const struct lejr_org *org;
	struct lejr_account acct;
	const char *from, *to;   /* as asked; NULL: open */
	const char *lo, *hi;     /* the same, made concrete */
	const char *start;       /* the page's first day: lo or cdate */
	char cdate[11];          /* the cursor's position, or "" */
	int64_t centry;
	int limit;

	struct gl_entry *entry;  /* the page's entries, in order */
	size_t nentry;
	char edate[11];          /* the page's last entry */
	int64_t eentry;
	int more;                /* entries after the page */

	int64_t opening, closing, debit, credit;
	int64_t page_opening, page_closing;

	/* an entry's other accounts, as positions in the chart (so in
	 * code order); their codes are made once a page, and shared */
	struct rpt_chart chart;
	json_t **code;           /* chart.n, NULL until needed */
	unsigned char *seen;     /* chart.n marks */
	size_t *other, nother;   /* chart.n room */
};

static int
gl_args(struct gl *g, const char *cursor, int limit, struct lejr_error *err)
{
	if (g->from != NULL && !lejr_date_valid(g->from))
		return lejr_error_set(err, LEJR_EINVAL, "from \"%.16s\" is not "
				      LEJR_DATE_RULE, g->from);
	if (g->to != NULL && !lejr_date_valid(g->to))
		return lejr_error_set(err, LEJR_EINVAL, "to \"%.16s\" is not "
				      LEJR_DATE_RULE, g->to);
	if (g->from != NULL && g->to != NULL && strcmp(g->from, g->to) > 0)
		return lejr_error_set(err, LEJR_EINVAL, "from (%s) is after "
				      "to (%s)", g->from, g->to);
	if (limit < 0 || limit > GL_LIMIT_MAX)
		return lejr_error_set(err, LEJR_EINVAL, "limit must be 1 to "
				      "%d lines", GL_LIMIT_MAX);

	g->limit = limit == 0 ? GL_LIMIT_DEFAULT : limit;
	g->lo = g->from != NULL ? g->from : GL_FIRST_DAY;
	g->hi = g->to != NULL ? g->to : GL_LAST_DAY;
	g->start = g->lo;
	if (cursor == NULL)
		return LEJR_OK;

	/* a cursor of another period is refused, not silently clipped */
	if (ledger_cursor_decode(cursor, 'g', g->cdate, sizeof(g->cdate),
				 &g->centry, err) != LEJR_OK ||
	    !lejr_date_valid(g->cdate) || strcmp(g->cdate, g->lo) < 0 ||
	    strcmp(g->cdate, g->hi) > 0)
		return ledger_cursor_invalid(err);
	g->start = g->cdate;
	return LEJR_OK;
}

/* The balance after the account's lines up to entry on day date: the
 * totals before that day and the day's lines up to the entry. */
static int
gl_balance_at(struct gl *g, const char *date, int64_t entry, int64_t *bal,
	      struct lejr_error *err)
{
	sqlite3_stmt *st;
	char before[11];
	int rc;

	ledger_day_add(date, -1, before);
	rc = rpt_account_asof(g->db, g->org->id, g->acct.id, before, bal,
			      err);
	if (rc != LEJR_OK)
		return rc;

	rc = ledger_prepare(g->db, "SELECT coalesce(sum(amount), 0) FROM "
			    "lines WHERE org_id = ? AND account_id = ? AND "
			    "date = ? AND entry_id <= ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, g->org->id);
	sqlite3_bind_int64(st, 2, g->acct.id);
	ledger_bind_text(st, 3, date);
	sqlite3_bind_int64(st, 4, entry);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_INTEGER)
		rc = rpt_add(bal, sqlite3_column_int64(st, 0), err);
	else
		rc = ledger_db_error(g->db, "summing an account's lines", err);

	ledger_finalize(g->db, st);
	return rc;
}

/* Opening and closing balances of the period, its movements, and the
 * balance the page starts from. */
static int
gl_balances(struct gl *g, struct lejr_error *err)
{
	char before[11];
	int rc = LEJR_OK;

	g->opening = 0;
	if (g->from != NULL) {
		ledger_day_add(g->from, -1, before);
		rc = rpt_account_asof(g->db, g->org->id, g->acct.id, before,
				      &g->opening, err);
	}
	if (rc == LEJR_OK)
		rc = rpt_account_asof(g->db, g->org->id, g->acct.id, g->to,
				      &g->closing, err);
	if (rc == LEJR_OK)
		rc = rpt_account_range(g->db, g->org->id, g->acct.id, g->lo,
				       g->hi, &g->debit, &g->credit, err);
	if (rc != LEJR_OK)
		return rc;

	if (g->cdate[0] == '\0') {
		g->page_opening = g->opening;
		return LEJR_OK;
	}
	return gl_balance_at(g, g->cdate, g->centry, &g->page_opening, err);
}

/*
 * Find where the page ends: walk the entries after the cursor, adding
 * their line counts, and stop before the one that would pass the
 * limit.  Reads (date, entry, count) from the index only, and keeps
 * the entries it takes (each has a line, so no more than the limit).
 */
static int
gl_bound(struct gl *g, struct lejr_error *err)
{
	sqlite3_stmt *st;
	struct gl_entry *e;
	int64_t lines = 0, n;
	int rc;

	g->entry = calloc((size_t)g->limit, sizeof(*g->entry));
	if (g->entry == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	rc = ledger_prepare(g->db, "SELECT date, entry_id, count(*) FROM "
			    "lines WHERE org_id = ?1 AND account_id = ?2 AND "
			    "date >= ?3 AND date <= ?4 AND (date, entry_id) "
			    "> (?5, ?6) GROUP BY date, entry_id ORDER BY "
			    "date, entry_id", &st, err);
	if (rc != LEJR_OK)
		return rc;

	/* plain date bounds, so that the index range starts at the
	 * cursor's day and later pages cost no more than the first */
	sqlite3_bind_int64(st, 1, g->org->id);
	sqlite3_bind_int64(st, 2, g->acct.id);
	ledger_bind_text(st, 3, g->start);
	ledger_bind_text(st, 4, g->hi);
	ledger_bind_text(st, 5, g->cdate);
	sqlite3_bind_int64(st, 6, g->centry);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 2);
		if (lines > 0 && lines + n > g->limit) {
			g->more = 1;
			break;
		}
		lines += n;
		e = &g->entry[g->nentry++];
		ledger_column_copy(st, 0, e->date, sizeof(e->date));
		e->id = sqlite3_column_int64(st, 1);
		e->nlines = n;
	}
	if (g->nentry > 0) {
		e = &g->entry[g->nentry - 1];
		memcpy(g->edate, e->date, sizeof(g->edate));
		g->eentry = e->id;
	}

	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? LEJR_OK :
	     ledger_db_error(g->db, "paging the general ledger", err);
	ledger_finalize(g->db, st);
	return rc;
}

static int
pos_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* Sort an entry's positions: by insertion when they are few, as they
 * nearly always are, since qsort costs more than that sorting. */
static void
pos_sort(size_t *v, size_t n)
{
	size_t i, j, x;

	if (n > 32) {
		qsort(v, n, sizeof(*v), pos_cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* The chart that names counter accounts (kept by the connection while
 * it does not change), and room to gather an entry's. */
static int
gl_other_init(struct gl *g, struct lejr_error *err)
{
	size_t n;
	int rc;

	rc = rpt_chart_load(g->db, g->org->id, &g->chart, err);
	if (rc != LEJR_OK)
		return rc;
	n = g->chart.n ? g->chart.n : 1;
	g->code = calloc(n, sizeof(*g->code));
	g->seen = calloc(n, 1);
	g->other = calloc(n, sizeof(*g->other));
	if (g->code == NULL || g->seen == NULL || g->other == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	return LEJR_OK;
}

static void
gl_other_free(struct gl *g)
{
	for (size_t i = 0; g->code != NULL && i < g->chart.n; i++)
		json_decref(g->code[i]);
	free(g->code);
	free(g->seen);
	free(g->other);
	rpt_chart_free(&g->chart);
}

/* Count account id among the entry's other accounts, once. */
static int
gl_other_add(struct gl *g, int64_t entry, int64_t id,
	     struct lejr_error *err)
{
	long pos = rpt_chart_find(&g->chart, id);

	if (pos < 0)
		return lejr_error_set(err, LEJR_EINTERNAL, "entry %" PRId64
				      " has a line on an account outside "
				      "the chart", entry);
	if (!g->seen[pos]) {
		g->seen[pos] = 1;
		g->other[g->nother++] = (size_t)pos;
	}
	return LEJR_OK;
}

/* Give the entry's page lines, lines[first] on, the codes of its other
 * accounts in code order (one string per code for the whole page). */
static int
gl_other_set(struct gl *g, json_t *lines, size_t first)
{
	json_t *codes, **code;
	size_t i, k;

	for (i = 0; i < g->nother; i++)
		g->seen[g->other[i]] = 0;
	pos_sort(g->other, g->nother);

	for (i = first; i < json_array_size(lines); i++) {
		codes = json_object_get(json_array_get(lines, i),
					"counter_accounts");
		for (k = 0; k < g->nother; k++) {
			code = &g->code[g->other[k]];
			if (*code == NULL)
				*code = json_string(
					g->chart.acct[g->other[k]].code);
			if (*code == NULL ||
			    json_array_append(codes, *code) != 0)
				return -1;
		}
	}
	return 0;
}

/* Columns of gl_entry_sql. */
enum {
	COL_MEMO, COL_REFERENCE, COL_CLOSING, COL_ACCOUNT, COL_ORG,
	COL_DATE, COL_AMOUNT, COL_LINE_MEMO
};

/* One line as the page shows it, counter accounts to come; *bal moves
 * by its amount. */
static json_t *
gl_line(struct gl *g, const struct gl_entry *e, sqlite3_stmt *st,
	int64_t *bal, struct lejr_error *err)
{
	int exp = g->org->exponent;
	int64_t amount;
	json_t *o;

	amount = sqlite3_column_int64(st, COL_AMOUNT);
	if (rpt_add(bal, amount, err) != LEJR_OK)
		return NULL;

	/* keys set in their order on the page, without a format to
	 * parse for every line; a memo that is not UTF-8 fails the line */
	o = json_object();
	if (o == NULL ||
	    json_object_set_new_nocheck(o, "date", json_string(e->date)) ||
	    json_object_set_new_nocheck(o, "entry", json_integer(e->id)) ||
	    json_object_set_new_nocheck(o, "memo", json_string((const char *)
				sqlite3_column_text(st, COL_MEMO))) ||
	    json_object_set_new_nocheck(o, "counter_accounts",
					json_array()))
		goto fail;
	if (sqlite3_column_type(st, COL_REFERENCE) != SQLITE_NULL)
		ledger_json_set_column(o, "reference", st, COL_REFERENCE);
	if (sqlite3_column_type(st, COL_LINE_MEMO) != SQLITE_NULL)
		ledger_json_set_column(o, "line_memo", st, COL_LINE_MEMO);
	if (sqlite3_column_int(st, COL_CLOSING))
		json_object_set_new(o, "kind", json_string("closing"));

	if (rpt_json_money(o, "debit", amount > 0 ? amount : 0, exp) != 0 ||
	    rpt_json_money(o, "credit", amount < 0 ? -amount : 0, exp) != 0 ||
	    rpt_json_money(o, "amount", amount, exp) != 0 ||
	    rpt_json_money(o, "balance", *bal, exp) != 0)
		goto fail;
	return o;

fail:
	json_decref(o);
	return NULL;
}

/* An entry with all its lines, in line order: the index on lines by
 * entry gives them in rowid order, so nothing is sorted. */
static const char gl_entry_sql[] =
	"SELECT e.memo, e.reference, e.closing, l.account_id, l.org_id,"
	" l.date, l.amount, l.memo"
	" FROM entries e JOIN lines l ON l.entry_id = e.id"
	" WHERE e.id = ?1 ORDER BY l.id";

/* Is this line of the account one of the page's?  Of the organization
 * and of the day that the index gave for the entry. */
static int
gl_is_page_line(const struct gl *g, const struct gl_entry *e,
		sqlite3_stmt *st)
{
	const char *date;

	if (sqlite3_column_int64(st, COL_ORG) != g->org->id)
		return 0;
	date = (const char *)sqlite3_column_text(st, COL_DATE);
	return date != NULL && strcmp(date, e->date) == 0;
}

/* Entry e's lines onto the page; the others name its counter accounts. */
static int
gl_entry_read(struct gl *g, sqlite3_stmt *st, const struct gl_entry *e,
	      json_t *lines, int64_t *bal, struct lejr_error *err)
{
	size_t first = json_array_size(lines);
	int64_t n = 0, id;
	json_t *line;
	int rc;

	g->nother = 0;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, e->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, COL_ACCOUNT);
		if (id != g->acct.id) {
			rc = gl_other_add(g, e->id, id, err);
			if (rc != LEJR_OK)
				return rc;
		} else if (gl_is_page_line(g, e, st)) {
			line = gl_line(g, e, st, bal, err);
			if (line == NULL ||
			    json_array_append_new(lines, line) != 0)
				goto fail;
			n++;
		}
	}
	if (rc != SQLITE_DONE)
		return ledger_db_error(g->db, "reading the general ledger",
				       err);

	/* the index and the entry must agree on the account's lines */
	if (n == e->nlines && gl_other_set(g, lines, first) == 0)
		return LEJR_OK;

fail:
	return lejr_error_set(err, LEJR_EINTERNAL, "cannot build the "
			      "general ledger");
}

/* The page's lines, with their running balances. */
static int
gl_lines(struct gl *g, json_t *lines, struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	int64_t bal = g->page_opening;
	int rc;

	g->page_closing = bal;
	if (g->nentry == 0)
		return LEJR_OK;

	rc = gl_other_init(g, err);
	if (rc == LEJR_OK)
		rc = ledger_prepare(g->db, gl_entry_sql, &st, err);
	for (size_t i = 0; rc == LEJR_OK && i < g->nentry; i++)
		rc = gl_entry_read(g, st, &g->entry[i], lines, &bal, err);
	if (rc == LEJR_OK)
		g->page_closing = bal;

	ledger_finalize(g->db, st);
	gl_other_free(g);
	return rc;
}

/*
 * Checks: the period's opening balance and movements give its closing
 * balance; the page's lines lead from its opening to the balance that
 * the totals give at its last entry; on the last page, that is the
 * closing balance.
 */
static int
gl_check(struct gl *g, struct lejr_error *err)
{
	int64_t end = g->opening;
	int rc;

	if (rpt_add(&end, g->debit, err) != LEJR_OK ||
	    rpt_add(&end, -g->credit, err) != LEJR_OK)
		return err->status;
	if (end != g->closing)
		return rpt_check_failed(g->org->id, "general ledger",
					"period_reconciles", err);

	if (g->edate[0] != '\0') {
		rc = gl_balance_at(g, g->edate, g->eentry, &end, err);
		if (rc != LEJR_OK)
			return rc;
		if (end != g->page_closing)
			return rpt_check_failed(g->org->id, "general ledger",
						"page_reconciles", err);
	}

	if (!g->more && g->page_closing != g->closing)
		return rpt_check_failed(g->org->id, "general ledger",
					"page_reconciles", err);
	return LEJR_OK;
}

static int
gl_money(struct gl *g, json_t *o)
{
	int exp = g->org->exponent;

	return rpt_json_money(o, "opening_balance", g->opening, exp) ||
	       rpt_json_money(o, "period_debit", g->debit, exp) ||
	       rpt_json_money(o, "period_credit", g->credit, exp) ||
	       rpt_json_money(o, "closing_balance", g->closing, exp) ||
	       rpt_json_money(o, "page_opening_balance", g->page_opening,
			      exp) ||
	       rpt_json_money(o, "page_closing_balance", g->page_closing,
			      exp);
}

static int
gl_json(struct gl *g, json_t *lines, json_t **out, struct lejr_error *err)
{
	char cursor[128];
	json_t *o;

	o = json_pack("{s:{s:s, s:s, s:s}, s:{s:s?, s:s?}, s:s, s:O, "
		      "s:n, s:{s:b, s:b}}",
		      "account", "code", g->acct.code, "name", g->acct.name,
		      "type", lejr_account_type_name(g->acct.type),
		      "period", "from", g->from, "to", g->to,
		      "currency", g->org->currency,
		      "lines", lines,
		      "next_cursor",
		      "checks", "period_reconciles", 1, "page_reconciles", 1);
	if (o == NULL || gl_money(g, o) != 0)
		goto fail;

	if (g->more) {
		if (ledger_cursor_encode('g', g->edate, g->eentry, cursor,
					 sizeof(cursor)) != LEJR_OK ||
		    json_object_set_new(o, "next_cursor",
					json_string(cursor)) != 0)
			goto fail;
	}
	*out = o;
	return LEJR_OK;

fail:
	json_decref(o);
	return lejr_error_set(err, LEJR_EINTERNAL, "cannot build the general "
			      "ledger");
}

int
ledger_general_ledger(sqlite3 *db, const struct lejr_org *org,
		      const char *code, const char *from, const char *to,
		      const char *cursor, int limit, json_t **out,
		      struct lejr_error *err)
{
	struct gl g;
	json_t *lines = NULL;
	int rc;

	*out = NULL;
	memset(&g, 0, sizeof(g));
	g.db = db;
	g.org = org;
	g.from = from;
	g.to = to;

	rc = gl_args(&g, cursor, limit, err);
	if (rc == LEJR_OK)
		rc = ledger_account_get(db, org, code, &g.acct, err);
	if (rc == LEJR_OK)
		rc = gl_balances(&g, err);
	if (rc == LEJR_OK)
		rc = gl_bound(&g, err);
	if (rc != LEJR_OK)
		goto out;

	lines = json_array();
	if (lines == NULL) {
		rc = lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
		goto out;
	}
	rc = gl_lines(&g, lines, err);
	if (rc == LEJR_OK)
		rc = gl_check(&g, err);
	if (rc == LEJR_OK)
		rc = gl_json(&g, lines, out, err);

out:
	json_decref(lines);
	free(g.entry);
	return rc;
}

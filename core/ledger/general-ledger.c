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

	char edate[11];          /* the page's last entry */
	int64_t eentry;
	int more;                /* entries after the page */

	int64_t opening, closing, debit, credit;
	int64_t page_opening, page_closing;
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
 * limit.  Reads (date, entry, count) from the index only.
 */
static int
gl_bound(struct gl *g, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int64_t lines = 0, n;
	int rc;

	g->edate[0] = '\0';
	g->eentry = 0;
	g->more = 0;
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
		ledger_column_copy(st, 0, g->edate, sizeof(g->edate));
		g->eentry = sqlite3_column_int64(st, 1);
	}

	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? LEJR_OK :
	     ledger_db_error(g->db, "paging the general ledger", err);
	ledger_finalize(g->db, st);
	return rc;
}

/* The codes of the entry's other accounts, "1000 4000", as an array. */
static json_t *
codes_json(const char *text)
{
	json_t *a = json_array();
	const char *p = text, *sp;

	while (a != NULL && p != NULL && *p != '\0') {
		sp = strchr(p, ' ');
		json_array_append_new(a, json_stringn(p, sp != NULL ?
						      (size_t)(sp - p) :
						      strlen(p)));
		p = sp != NULL ? sp + 1 : NULL;
	}
	return a;
}

/* One line as the page shows it; *bal moves by its amount. */
static json_t *
gl_line(struct gl *g, sqlite3_stmt *st, int64_t *bal,
	struct lejr_error *err)
{
	int exp = g->org->exponent;
	int64_t amount;
	json_t *o;

	amount = sqlite3_column_int64(st, 2);
	if (rpt_add(bal, amount, err) != LEJR_OK)
		return NULL;

	o = json_pack("{s:s, s:I, s:s, s:o}",
		      "date", (const char *)sqlite3_column_text(st, 0),
		      "entry", (json_int_t)sqlite3_column_int64(st, 1),
		      "memo", (const char *)sqlite3_column_text(st, 4),
		      "counter_accounts", codes_json(
			      (const char *)sqlite3_column_text(st, 7)));
	if (o == NULL)
		return NULL;
	if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		ledger_json_set_column(o, "reference", st, 5);
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		ledger_json_set_column(o, "line_memo", st, 3);
	if (sqlite3_column_int(st, 6))
		json_object_set_new(o, "kind", json_string("closing"));

	if (rpt_json_money(o, "debit", amount > 0 ? amount : 0, exp) != 0 ||
	    rpt_json_money(o, "credit", amount < 0 ? -amount : 0, exp) != 0 ||
	    rpt_json_money(o, "amount", amount, exp) != 0 ||
	    rpt_json_money(o, "balance", *bal, exp) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char gl_lines_sql[] =
	"SELECT l.date, l.entry_id, l.amount, l.memo, e.memo, e.reference,"
	" e.closing, (SELECT group_concat(code, ' ') FROM ("
	"  SELECT DISTINCT a.code FROM lines o"
	"  JOIN accounts a ON a.id = o.account_id"
	"  WHERE o.entry_id = l.entry_id AND o.account_id <> l.account_id"
	"  ORDER BY a.code))"
	" FROM lines l JOIN entries e ON e.id = l.entry_id"
	" WHERE l.org_id = ?1 AND l.account_id = ?2"
	" AND l.date >= ?3 AND l.date <= ?4"
	" AND (l.date, l.entry_id) > (?5, ?6)"
	" AND (l.date, l.entry_id) <= (?7, ?8)"
	" ORDER BY l.date, l.entry_id, l.id";

/* The page's lines, with their running balances. */
static int
gl_lines(struct gl *g, json_t *lines, struct lejr_error *err)
{
	sqlite3_stmt *st;
	json_t *line;
	int64_t bal = g->page_opening;
	int rc;

	g->page_closing = bal;
	if (g->edate[0] == '\0')
		return LEJR_OK;

	rc = ledger_prepare(g->db, gl_lines_sql, &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, g->org->id);
	sqlite3_bind_int64(st, 2, g->acct.id);
	ledger_bind_text(st, 3, g->start);
	ledger_bind_text(st, 4, g->edate);
	ledger_bind_text(st, 5, g->cdate);
	sqlite3_bind_int64(st, 6, g->centry);
	ledger_bind_text(st, 7, g->edate);
	sqlite3_bind_int64(st, 8, g->eentry);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		line = gl_line(g, st, &bal, err);
		if (line == NULL || json_array_append_new(lines, line) != 0)
			break;
	}

	if (rc == SQLITE_DONE) {
		g->page_closing = bal;
		rc = LEJR_OK;
	} else if (rc == SQLITE_ROW) {
		rc = lejr_error_set(err, LEJR_EINTERNAL, "cannot build the "
				    "general ledger");
	} else {
		rc = ledger_db_error(g->db, "reading the general ledger", err);
	}
	ledger_finalize(g->db, st);
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
	json_t *lines;
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
		return rc;

	lines = json_array();
	if (lines == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	rc = gl_lines(&g, lines, err);
	if (rc == LEJR_OK)
		rc = gl_check(&g, err);
	if (rc == LEJR_OK)
		rc = gl_json(&g, lines, out, err);

	json_decref(lines);
	return rc;
}

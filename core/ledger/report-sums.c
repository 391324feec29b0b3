/*
 * report-sums.c - per-account sums for the reports, from the totals
 * tables: balances as of a date and movements over a period.
 *
 * A period from..to splits into whole months, read from the month
 * totals, and at most two partial months at its ends, read from the day
 * totals; a balance as of a date is either the months before its month
 * plus the days of that month up to it, or all time less the months
 * after and the days after it, whichever side has fewer months.  Each
 * reads at most one row per account and month or day.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reports-private.h"

/* ---- the chart ---- */

/*
 * A chart as read at one chart_epoch of one organization.  The
 * connection keeps the last one it read (the reports it runs hold
 * references too), so that reports on an unchanged chart read one
 * counter instead of every account.
 */
struct rpt_snap {
	int refs;
	int64_t org;
	int64_t epoch;
	struct rpt_account *acct;
	struct rpt_slot *by_id;
	size_t n, cap;
};

/* The key of the kept chart among the connection's values. */
static const char snap_key;

static void
snap_release(void *p)
{
	struct rpt_snap *s = p;

	if (s == NULL || --s->refs > 0)
		return;
	free(s->acct);
	free(s->by_id);
	free(s);
}

static int
slot_cmp(const void *a, const void *b)
{
	const struct rpt_slot *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int
snap_add(struct rpt_snap *s, sqlite3_stmt *st)
{
	struct rpt_account *a;
	size_t ncap;

	if (s->n == s->cap) {
		ncap = s->cap ? s->cap * 2 : 64;
		a = realloc(s->acct, ncap * sizeof(*a));
		if (a == NULL)
			return -1;
		s->acct = a;
		s->cap = ncap;
	}

	a = &s->acct[s->n++];
	a->id = sqlite3_column_int64(st, 0);
	ledger_column_copy(st, 1, a->code, sizeof(a->code));
	ledger_column_copy(st, 2, a->name, sizeof(a->name));
	a->type = sqlite3_column_int(st, 3);
	return 0;
}

static int
snap_index(struct rpt_snap *s)
{
	s->by_id = calloc(s->n ? s->n : 1, sizeof(*s->by_id));
	if (s->by_id == NULL)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		s->by_id[i].id = s->acct[i].id;
		s->by_id[i].pos = i;
	}
	qsort(s->by_id, s->n, sizeof(*s->by_id), slot_cmp);
	return 0;
}

/* Read org's accounts into a new snapshot (one reference). */
static int
snap_read(sqlite3 *db, int64_t org, int64_t epoch, struct rpt_snap **out,
	  struct lejr_error *err)
{
	struct rpt_snap *s;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	s->refs = 1;
	s->org = org;
	s->epoch = epoch;

	rc = ledger_prepare(db, "SELECT id, code, name, type FROM accounts "
			    "WHERE org_id = ? ORDER BY code", &st, err);
	if (rc != LEJR_OK)
		goto out;
	sqlite3_bind_int64(st, 1, org);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (snap_add(s, st) != 0)
			break;

	if (rc == SQLITE_DONE)
		rc = snap_index(s) == 0 ? LEJR_OK : LEJR_EINTERNAL;
	else if (rc != SQLITE_ROW)
		rc = ledger_db_error(db, "reading the chart of accounts", err);
	else
		rc = LEJR_EINTERNAL;
	if (rc == LEJR_EINTERNAL && err->status == LEJR_OK)
		lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	ledger_finalize(db, st);

out:
	if (rc == LEJR_OK)
		*out = s;
	else
		snap_release(s);
	return rc;
}

/* The chart's counter as this transaction sees it; 0 before any
 * account. */
static int
chart_epoch(sqlite3 *db, int64_t org, int64_t *epoch,
	    struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT n FROM chart_epoch WHERE org_id = ?",
			    &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, org);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		*epoch = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		rc = LEJR_OK;
	} else {
		rc = ledger_db_error(db, "reading the chart's counter", err);
	}
	ledger_finalize(db, st);
	return rc;
}

int
rpt_chart_load(sqlite3 *db, int64_t org, struct rpt_chart *c,
	       struct lejr_error *err)
{
	struct rpt_snap *s = NULL;
	int64_t epoch = 0;
	int rc, writing;

	memset(c, 0, sizeof(*c));
	rc = chart_epoch(db, org, &epoch, err);
	if (rc != LEJR_OK)
		return rc;

	/* Inside a write, the counter may yet be rolled back and reach
	 * the same value again with another chart: neither trust the
	 * kept chart nor keep this one. */
	writing = sqlite3_txn_state(db, "main") == SQLITE_TXN_WRITE;
	if (!writing)
		s = ledger_db_value(db, &snap_key);
	if (s != NULL && s->org == org && s->epoch == epoch) {
		s->refs++;
	} else {
		rc = snap_read(db, org, epoch, &s, err);
		if (rc != LEJR_OK)
			return rc;
		s->refs++;
		if (writing ||
		    ledger_db_keep(db, &snap_key, s, snap_release) != 0)
			s->refs--;
	}

	c->snap = s;
	c->acct = s->acct;
	c->by_id = s->by_id;
	c->n = s->n;
	return LEJR_OK;
}

void
rpt_chart_free(struct rpt_chart *c)
{
	snap_release(c->snap);
	memset(c, 0, sizeof(*c));
}

long
rpt_chart_find(const struct rpt_chart *c, int64_t id)
{
	struct rpt_slot key = { .id = id }, *hit;

	hit = bsearch(&key, c->by_id, c->n, sizeof(*c->by_id), slot_cmp);
	return hit != NULL ? (long)hit->pos : -1;
}

/*
 * The position of account id, for rows that come in account id order
 * (the totals tables' keys end with the account): *next is the slot
 * after the last account found, tried before any search.
 */
static long
chart_seek(const struct rpt_chart *c, int64_t id, size_t *next)
{
	const struct rpt_slot *hit;
	struct rpt_slot key = { .id = id };

	if (*next < c->n && c->by_id[*next].id == id) {
		hit = &c->by_id[*next];
	} else {
		hit = bsearch(&key, c->by_id, c->n, sizeof(*c->by_id),
			      slot_cmp);
		if (hit == NULL)
			return -1;
	}
	*next = (size_t)(hit - c->by_id) + 1;
	return (long)hit->pos;
}

int
rpt_add(int64_t *sum, int64_t v, struct lejr_error *err)
{
	/* One account's totals always fit (posting sees to it), but the
	 * sum of several accounts may not: that report alone is refused. */
	if (__builtin_add_overflow(*sum, v, sum))
		return lejr_error_set(err, LEJR_ECONFLICT,
				      "a report total is too large: together "
				      "the accounts' amounts pass %" PRId64
				      " minor units, the most a figure can "
				      "hold, so this report cannot be given",
				      INT64_MAX);
	return LEJR_OK;
}

int
rpt_json_money(json_t *o, const char *key, int64_t minor, int exponent)
{
	char buf[32], name[64];
	size_t n = strlen(key);

	if (n + sizeof("_minor") > sizeof(name) ||
	    lejr_money_format(minor, exponent, buf, sizeof(buf)) != LEJR_OK)
		return -1;
	memcpy(name, key, n);
	memcpy(name + n, "_minor", sizeof("_minor"));

	/* Our own key names and digits: ASCII, no need to check them. */
	if (json_object_set_new_nocheck(o, key, json_string_nocheck(buf)) ||
	    json_object_set_new_nocheck(o, name, json_integer(minor)))
		return -1;
	return 0;
}

int
rpt_check_failed(int64_t org, const char *report, const char *check,
		 struct lejr_error *err)
{
	lejr_log(LEJR_LOG_ERROR, "%s of org %lld fails its check %s",
		 report, (long long)org, check);
	return lejr_error_set(err, LEJR_EINTERNAL,
			      "the %s failed its own check (%s); the ledger "
			      "needs checking, so no report is given",
			      report, check);
}

/* ---- balances as of a date ---- */

/*
 * One statement answers every way of reading a balance: all-time
 * totals when ?9, then a range of months and a range of days, each
 * added (factor 1) or taken away (-1).  Rows are summed here rather
 * than grouped by SQLite, which would sort them first.  An empty range
 * has its first bound after its last ("9" > "0").
 */
static const char sums_sql[] =
	"SELECT account_id, debit - credit, nlines FROM account_totals"
	" WHERE ?9 AND org_id = ?1"
	" UNION ALL"
	" SELECT account_id, ?10 * (debit - credit), ?10 * nlines"
	"  FROM account_month_totals"
	"  WHERE org_id = ?1 AND month >= ?2 AND month <= ?3"
	" UNION ALL"
	" SELECT account_id, ?11 * (debit - credit), ?11 * nlines"
	"  FROM account_day_totals"
	"  WHERE org_id = ?1 AND day >= ?4 AND day <= ?5";

/* The parts of a balance as of a date. */
struct asof_plan {
	int totals;               /* start from all-time totals */
	char mfrom[11], mto[11];  /* months, "YYYY-MM" */
	int msign;
	char dfrom[11], dto[11];  /* days */
	int dsign;
};

static void
empty_range(char *a, char *b)
{
	snprintf(a, 11, "9");
	snprintf(b, 11, "0");
}

static int
month_index(const char *date)
{
	return atoi(date) * 12 + atoi(date + 5);
}

/* The month of date moved by delta months, "YYYY-MM". */
static void
month_of(const char *date, int delta, char out[11])
{
	char first[11], moved[11];

	snprintf(first, sizeof(first), "%.7s-01", date);
	ledger_month_add(first, delta, moved);
	snprintf(out, 11, "%.7s", moved);
}

/*
 * Plan a balance as of date, first and last being the ledger's first
 * and last entry dates (first <= date < last).  Months: those before
 * the date's month counted forward, or those after it taken from the
 * all-time totals, whichever are fewer.  Days: the days of the month up
 * to the date added, or the month counted whole and its days after the
 * date taken away, whichever are fewer.
 */
static void
asof_plan(const char *date, const char *first, const char *last,
	  struct asof_plan *p)
{
	char end[11];
	int m = month_index(date), whole, day;

	ledger_month_end(date, end);
	day = atoi(date + 8);
	whole = atoi(end + 8) - day < day;
	p->totals = m - month_index(first) > month_index(last) - m;
	p->msign = p->totals ? -1 : 1;

	if (!p->totals) {
		snprintf(p->mfrom, 11, "0000-00");
		month_of(date, whole ? 0 : -1, p->mto);
	} else {
		month_of(date, whole ? 1 : 0, p->mfrom);
		snprintf(p->mto, 11, "9999-99");
	}

	/* either way the months read hold the date's month whole, less
	 * its days after the date, or not at all, less its days so far */
	if (whole) {
		ledger_day_add(date, 1, p->dfrom);
		snprintf(p->dto, 11, "%s", end);
		p->dsign = -1;
	} else {
		snprintf(p->dfrom, 11, "%.7s-01", date);
		snprintf(p->dto, 11, "%s", date);
		p->dsign = 1;
	}
}

/* The ledger's first and last entry dates into first and last; empty
 * strings when it has none. */
static int
ledger_span(sqlite3 *db, int64_t org, char first[11], char last[11],
	    struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	/* two subqueries, so that each reads a single index entry */
	rc = ledger_prepare(db, "SELECT (SELECT min(date) FROM entries "
			    "WHERE org_id = ?1), (SELECT max(date) FROM "
			    "entries WHERE org_id = ?1)", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	if (sqlite3_step(st) == SQLITE_ROW) {
		ledger_column_copy(st, 0, first, 11);
		ledger_column_copy(st, 1, last, 11);
	} else {
		rc = ledger_db_error(db, "finding the ledger's dates", err);
	}
	ledger_finalize(db, st);
	return rc;
}

/* Add the rows of st, (account id, net, lines), by chart position. */
static int
sum_rows(sqlite3 *db, sqlite3_stmt *st, const struct rpt_chart *c,
	 int64_t *net, int64_t *lines, struct lejr_error *err)
{
	size_t next = 0;
	long pos;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pos = chart_seek(c, sqlite3_column_int64(st, 0), &next);
		if (pos < 0)
			return lejr_error_set(err, LEJR_EINTERNAL,
					      "the ledger's totals name an "
					      "unknown account");
		if (rpt_add(&net[pos], sqlite3_column_int64(st, 1), err) !=
		    LEJR_OK)
			return err->status;
		if (lines != NULL)
			lines[pos] += sqlite3_column_int64(st, 2);
	}
	if (rc != SQLITE_DONE)
		return ledger_db_error(db, "computing balances", err);
	return LEJR_OK;
}

static int
run_plan(sqlite3 *db, int64_t org, const struct rpt_chart *c,
	 const struct asof_plan *p, int64_t *net, int64_t *lines,
	 struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, sums_sql, &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	ledger_bind_text(st, 2, p->mfrom);
	ledger_bind_text(st, 3, p->mto);
	ledger_bind_text(st, 4, p->dfrom);
	ledger_bind_text(st, 5, p->dto);
	sqlite3_bind_int(st, 9, p->totals);
	sqlite3_bind_int(st, 10, p->msign);
	sqlite3_bind_int(st, 11, p->dsign);
	rc = sum_rows(db, st, c, net, lines, err);

	ledger_finalize(db, st);
	return rc;
}

int
rpt_asof(sqlite3 *db, int64_t org, const struct rpt_chart *c,
	 const char *date, int64_t *net, unsigned char *seen,
	 struct lejr_error *err)
{
	struct asof_plan p = { .totals = 1, .msign = 1, .dsign = 1 };
	char first[11], last[11];
	int64_t *lines;
	int rc;

	memset(net, 0, c->n * sizeof(*net));
	if (seen != NULL)
		memset(seen, 0, c->n);

	rc = ledger_span(db, org, first, last, err);
	if (rc != LEJR_OK || first[0] == '\0' ||
	    (date != NULL && strcmp(date, first) < 0))
		return rc;

	empty_range(p.mfrom, p.mto);
	empty_range(p.dfrom, p.dto);
	if (date != NULL && strcmp(date, last) < 0)
		asof_plan(date, first, last, &p);

	lines = calloc(c->n ? c->n : 1, sizeof(*lines));
	if (lines == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	rc = run_plan(db, org, c, &p, net, lines, err);
	for (size_t i = 0; rc == LEJR_OK && seen != NULL && i < c->n; i++)
		seen[i] = lines[i] > 0;
	free(lines);
	return rc;
}

/* ---- movements over a period ---- */

/* A period cut into whole months and the days at its two ends. */
struct split {
	char mfrom[11], mto[11];  /* months, "YYYY-MM" */
	char hfrom[11], hto[11];  /* days at the head */
	char tfrom[11], tto[11];  /* days at the tail */
};

static void
split_period(const char *from, const char *to, struct split *s)
{
	char end_from[11], end_to[11];
	int whole_head, whole_tail;

	ledger_month_end(from, end_from);
	ledger_month_end(to, end_to);
	whole_head = strcmp(from + 8, "01") == 0;
	whole_tail = strcmp(to, end_to) == 0;
	empty_range(s->hfrom, s->hto);
	empty_range(s->tfrom, s->tto);

	if (strncmp(from, to, 7) == 0 && !(whole_head && whole_tail)) {
		empty_range(s->mfrom, s->mto);
		snprintf(s->hfrom, 11, "%s", from);
		snprintf(s->hto, 11, "%s", to);
		return;
	}

	month_of(from, whole_head ? 0 : 1, s->mfrom);
	month_of(to, whole_tail ? 0 : -1, s->mto);
	if (!whole_head) {
		snprintf(s->hfrom, 11, "%s", from);
		snprintf(s->hto, 11, "%s", end_from);
	}
	if (!whole_tail) {
		snprintf(s->tfrom, 11, "%.7s-01", to);
		snprintf(s->tto, 11, "%s", to);
	}
}

/* ?8: 1 to count ordinary totals, 0 not; ?9: the factor of closing
 * entries' totals (-1 to take them out, 1 alone, 0 not at all). */
static const char range_sql[] =
	"SELECT account_id, debit, credit FROM account_month_totals"
	" WHERE ?8 AND org_id = ?1 AND month >= ?2 AND month <= ?3"
	" UNION ALL"
	" SELECT account_id, debit, credit FROM account_day_totals"
	" WHERE ?8 AND org_id = ?1 AND day >= ?4 AND day <= ?5"
	" UNION ALL"
	" SELECT account_id, debit, credit FROM account_day_totals"
	" WHERE ?8 AND org_id = ?1 AND day >= ?6 AND day <= ?7"
	" UNION ALL"
	" SELECT account_id, ?9 * debit, ?9 * credit"
	" FROM account_closing_totals"
	" WHERE ?9 <> 0 AND org_id = ?1 AND day >= ?10 AND day <= ?11";

static void
bind_split(sqlite3_stmt *st, const struct split *s)
{
	ledger_bind_text(st, 2, s->mfrom);
	ledger_bind_text(st, 3, s->mto);
	ledger_bind_text(st, 4, s->hfrom);
	ledger_bind_text(st, 5, s->hto);
	ledger_bind_text(st, 6, s->tfrom);
	ledger_bind_text(st, 7, s->tto);
}

static int
range_rows(sqlite3 *db, sqlite3_stmt *st, const struct rpt_chart *c,
	   int64_t *debit, int64_t *credit, struct lejr_error *err)
{
	size_t next = 0;
	long pos;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pos = chart_seek(c, sqlite3_column_int64(st, 0), &next);
		if (pos < 0)
			return lejr_error_set(err, LEJR_EINTERNAL,
					      "the ledger's totals name an "
					      "unknown account");
		if (rpt_add(&debit[pos], sqlite3_column_int64(st, 1), err) !=
		    LEJR_OK ||
		    rpt_add(&credit[pos], sqlite3_column_int64(st, 2), err) !=
		    LEJR_OK)
			return err->status;
	}
	if (rc != SQLITE_DONE)
		return ledger_db_error(db, "computing movements", err);
	return LEJR_OK;
}

int
rpt_range(sqlite3 *db, int64_t org, const struct rpt_chart *c,
	  const char *from, const char *to, enum rpt_closing which,
	  int64_t *debit, int64_t *credit, struct lejr_error *err)
{
	struct split s;
	sqlite3_stmt *st;
	int rc;

	memset(debit, 0, c->n * sizeof(*debit));
	memset(credit, 0, c->n * sizeof(*credit));

	rc = ledger_prepare(db, range_sql, &st, err);
	if (rc != LEJR_OK)
		return rc;

	split_period(from, to, &s);
	sqlite3_bind_int64(st, 1, org);
	bind_split(st, &s);
	sqlite3_bind_int(st, 8, which != RPT_ONLY_CLOSING);
	sqlite3_bind_int(st, 9, which == RPT_ALL_LINES ? 0 :
				which == RPT_NO_CLOSING ? -1 : 1);
	ledger_bind_text(st, 10, from);
	ledger_bind_text(st, 11, to);
	rc = range_rows(db, st, c, debit, credit, err);

	ledger_finalize(db, st);
	return rc;
}

/* ---- one account ---- */

/* Bind the month of date: ?2 month, ?3 first day, ?4 date, ?5 the
 * month's last possible day ("YYYY-MM-31" bounds every month). */
static void
bind_month_of(sqlite3_stmt *st, const char *date)
{
	char month[8], first[11], bound[11];

	snprintf(month, sizeof(month), "%.7s", date);
	snprintf(first, sizeof(first), "%.7s-01", date);
	snprintf(bound, sizeof(bound), "%.7s-31", date);
	ledger_bind_text(st, 2, month);
	ledger_bind_text(st, 3, first);
	ledger_bind_text(st, 4, date);
	ledger_bind_text(st, 5, bound);
}

static const char account_all_sql[] =
	"SELECT coalesce(sum(debit - credit), 0) FROM account_totals"
	" WHERE org_id = ?1 AND account_id = ?6";

/* bound as by bind_month_of, ?6 the account */
static const char account_before_sql[] =
	"SELECT coalesce((SELECT sum(debit - credit) FROM account_month_totals"
	"  WHERE account_id = ?6 AND month < ?2), 0)"
	" + coalesce((SELECT sum(debit - credit) FROM account_day_totals"
	"  WHERE org_id = ?1 AND day >= ?3 AND day <= ?4"
	"  AND account_id = ?6), 0)";

static const char account_after_sql[] =
	"SELECT coalesce((SELECT debit - credit FROM account_totals"
	"  WHERE account_id = ?6 AND org_id = ?1), 0)"
	" - coalesce((SELECT sum(debit - credit) FROM account_month_totals"
	"  WHERE account_id = ?6 AND month > ?2), 0)"
	" - coalesce((SELECT sum(debit - credit) FROM account_day_totals"
	"  WHERE org_id = ?1 AND day > ?4 AND day <= ?5"
	"  AND account_id = ?6), 0)";

/* Run an account statement whose one row is one integer. */
static int
account_value(sqlite3 *db, const char *sql, int64_t org, int64_t account,
	      const char *date, int64_t *value, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	sqlite3_bind_int64(st, 6, account);
	if (date != NULL)
		bind_month_of(st, date);

	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_INTEGER)
		*value = sqlite3_column_int64(st, 0);
	else
		rc = ledger_db_error(db, "computing a balance", err);

	ledger_finalize(db, st);
	return rc;
}

int
rpt_account_asof(sqlite3 *db, int64_t org, int64_t account,
		 const char *date, int64_t *net, struct lejr_error *err)
{
	return account_value(db, date == NULL ? account_all_sql
					      : account_before_sql,
			     org, account, date, net, err);
}

int
rpt_account_asof_from_end(sqlite3 *db, int64_t org, int64_t account,
			  const char *date, int64_t *net,
			  struct lejr_error *err)
{
	return account_value(db, date == NULL ? account_all_sql
					      : account_after_sql,
			     org, account, date, net, err);
}

static const char account_range_sql[] =
	"SELECT coalesce(sum(d), 0), coalesce(sum(c), 0) FROM ("
	" SELECT debit AS d, credit AS c FROM account_month_totals"
	"  WHERE account_id = ?8 AND month >= ?2 AND month <= ?3"
	" UNION ALL"
	" SELECT debit, credit FROM account_day_totals"
	"  WHERE org_id = ?1 AND day >= ?4 AND day <= ?5 AND account_id = ?8"
	" UNION ALL"
	" SELECT debit, credit FROM account_day_totals"
	"  WHERE org_id = ?1 AND day >= ?6 AND day <= ?7 AND account_id = ?8"
	")";

int
rpt_account_range(sqlite3 *db, int64_t org, int64_t account,
		  const char *from, const char *to, int64_t *debit,
		  int64_t *credit, struct lejr_error *err)
{
	struct split s;
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, account_range_sql, &st, err);
	if (rc != LEJR_OK)
		return rc;

	split_period(from, to, &s);
	sqlite3_bind_int64(st, 1, org);
	bind_split(st, &s);
	sqlite3_bind_int64(st, 8, account);

	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
		*debit = sqlite3_column_int64(st, 0);
		*credit = sqlite3_column_int64(st, 1);
	} else {
		rc = ledger_db_error(db, "computing an account's movements",
				     err);
	}

	ledger_finalize(db, st);
	return rc;
}

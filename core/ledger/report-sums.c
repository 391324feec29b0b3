/*
 * report-sums.c - per-account sums for the reports, from the totals
 * tables: balances as of a date and movements over a period.
 *
 * Every sum over all accounts is planned over the totals per year,
 * month, third of a month and day (see "planning a sum"), so that it
 * reads a few rows per account whatever the number of postings.  The
 * sums of one account, which the reports use as an independent check,
 * read that account's month and day totals only.
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

/* The ledger's first and last entry dates into c, read once for all
 * the sums of a report. */
static int
ledger_span(sqlite3 *db, int64_t org, struct rpt_chart *c,
	    struct lejr_error *err)
{
	char first[11], last[11];
	sqlite3_stmt *st;
	int rc;

	c->dated = 0;
	/* two subqueries, so that each reads a single index entry */
	rc = ledger_prepare(db, "SELECT (SELECT min(date) FROM entries "
			    "WHERE org_id = ?1), (SELECT max(date) FROM "
			    "entries WHERE org_id = ?1)", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	if (sqlite3_step(st) == SQLITE_ROW) {
		ledger_column_copy(st, 0, first, sizeof(first));
		ledger_column_copy(st, 1, last, sizeof(last));
		if (first[0] != '\0' && last[0] != '\0') {
			c->first = ledger_day_number(first);
			c->last = ledger_day_number(last);
			c->dated = 1;
		}
	} else {
		rc = ledger_db_error(db, "finding the ledger's dates", err);
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
	return ledger_span(db, org, c, err);
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

json_t *
rpt_json_account(const char *code, const char *name)
{
	json_t *o = json_object();

	if (o == NULL || json_object_set_new_nocheck(o, "code", code != NULL ?
	    json_string(code) : json_null()) != 0 ||
	    json_object_set_new_nocheck(o, "name", json_string(name)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
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

/* ---- planning a sum ---- */

/*
 * The totals tables, coarsest first: all time, calendar years, months,
 * dekads (days 1-10, 11-20 and 21 to the end of a month) and days.  A
 * sum over the days a..b is planned as signed pieces, each a run of
 * whole units of one level: the years between, say, plus the months
 * and days that end the period, or the month whole less its last few
 * days.  Each unit is one row per account with lines in it, and there
 * is nothing outside the ledger's first and last dates, so the plan
 * counts the units inside those and takes the fewest.
 *
 * A report's check plans its sums to avoid the units its figures read
 * (struct rpt_rows): each such unit counts as AVOID_PRICE units, so the
 * check reads other rows wherever another way exists, and the same
 * rows only where none does (the days at the very ends of a period).
 */
enum level {
	LV_ALL,
	LV_YEAR,
	LV_MONTH,
	LV_DEKAD,
	LV_DAY,
	LV_CLOSING   /* closing entries' lines per day: never planned */
};

#define AVOID_PRICE 100000

/* Enough for any plan: at most a run and a remainder at each end per
 * level, runs split around avoided units, and the closing entries. */
#define PLAN_PIECES 64

struct piece {
	enum level lv;
	int64_t from, to;  /* day numbers: inside the first and last unit */
	int sign;
};

/* A run of units of one level, from the first day of its first unit
 * to the last of its last. */
struct rpt_run {
	enum level lv;
	int64_t from, to;
};

struct plan {
	int64_t first, last;  /* the ledger's dates, as day numbers */
	const struct rpt_rows *avoid;
	struct piece piece[PLAN_PIECES];
	size_t n;
};

static int
dekad_index(int d)
{
	return d <= 10 ? 0 : d <= 20 ? 1 : 2;
}

/* The first and last day of the unit of level lv holding day n. */
static void
unit_of(const struct plan *pl, enum level lv, int64_t n, int64_t *start,
	int64_t *end)
{
	int y, m, d, k;

	if (lv == LV_ALL) {
		*start = pl->first;
		*end = pl->last;
		return;
	}
	if (lv == LV_DAY || lv == LV_CLOSING) {
		*start = *end = n;
		return;
	}

	ledger_number_ymd(n, &y, &m, &d);
	if (lv == LV_YEAR) {
		*start = ledger_ymd_number(y, 1, 1);
		*end = ledger_ymd_number(y, 12, 31);
	} else if (lv == LV_MONTH) {
		*start = ledger_ymd_number(y, m, 1);
		*end = *start + ledger_month_days(y, m) - 1;
	} else {
		k = dekad_index(d);
		*start = ledger_ymd_number(y, m, 1 + 10 * k);
		*end = k < 2 ? *start + 9 :
		       ledger_ymd_number(y, m, ledger_month_days(y, m));
	}
}

/* The number of units of level lv that the days a..b touch. */
static int64_t
unit_count(enum level lv, int64_t a, int64_t b)
{
	int ya, ma, da, yb, mb, db;
	int64_t months;

	if (lv == LV_ALL)
		return 1;
	if (lv == LV_DAY)
		return b - a + 1;
	ledger_number_ymd(a, &ya, &ma, &da);
	ledger_number_ymd(b, &yb, &mb, &db);
	if (lv == LV_YEAR)
		return yb - ya + 1;
	months = (int64_t)(yb - ya) * 12 + mb - ma;
	if (lv == LV_MONTH)
		return months + 1;
	return months * 3 + dekad_index(db) - dekad_index(da) + 1;
}

/* Is the unit start..end of level lv one the plan should avoid? */
static int
avoided(const struct plan *pl, enum level lv, int64_t start, int64_t end)
{
	const struct rpt_rows *r = pl->avoid;

	for (size_t i = 0; r != NULL && i < r->n; i++)
		if (r->run[i].lv == lv && r->run[i].from <= end &&
		    start <= r->run[i].to)
			return 1;
	return 0;
}

/* What reading the unit start..end of level lv counts for. */
static int64_t
unit_price(const struct plan *pl, enum level lv, int64_t start,
	   int64_t end)
{
	return avoided(pl, lv, start, end) ? AVOID_PRICE : 1;
}

static void
plan_add(struct plan *pl, enum level lv, int64_t from, int64_t to,
	 int sign)
{
	/* no plan needs more (PLAN_PIECES); one that did is refused by
	 * plan_run rather than cut */
	if (pl->n < PLAN_PIECES)
		pl->piece[pl->n] = (struct piece){ lv, from, to, sign };
	pl->n++;
}

static int64_t cover(struct plan *pl, enum level lv, int64_t a, int64_t b,
		     int sign, int emit);

/*
 * The whole units of level lv from the one holding from to the one
 * holding to, as one run, or, with units to avoid, as runs around them
 * and each avoided unit planned at the finer levels.
 */
static int64_t
cover_run(struct plan *pl, enum level lv, int64_t from, int64_t to,
	  int sign, int emit)
{
	int64_t s, e, cost = 0, run = -1;

	if (pl->avoid == NULL) {
		if (emit)
			plan_add(pl, lv, from, to, sign);
		return unit_count(lv, from, to);
	}
	if (lv == LV_DAY) {
		/* nothing finer: an avoided day is read all the same */
		if (emit)
			plan_add(pl, lv, from, to, sign);
		for (int64_t d = from; d <= to; d++)
			cost += unit_price(pl, lv, d, d);
		return cost;
	}

	for (int64_t n = from; n <= to; n = e + 1) {
		unit_of(pl, lv, n, &s, &e);
		if (!avoided(pl, lv, s, e)) {
			if (run < 0)
				run = n;
			cost++;
			continue;
		}
		if (run >= 0 && emit)
			plan_add(pl, lv, run, n - 1, sign);
		run = -1;
		cost += cover(pl, lv + 1, n, e < to ? e : to, sign, emit);
	}
	if (run >= 0 && emit)
		plan_add(pl, lv, run, to, sign);
	return cost;
}

/*
 * One end of a run of units of level lv: the days inside the period,
 * in_a..in_b, or the end's unit, u_s..u_e, whole less the days outside
 * it, out_a..out_b, whichever reads fewer units (added to *cost).
 * Returns 1 when the unit is taken whole.
 */
static int
cover_end(struct plan *pl, enum level lv, int64_t in_a, int64_t in_b,
	  int64_t out_a, int64_t out_b, int64_t u_s, int64_t u_e, int sign,
	  int emit, int64_t *cost)
{
	int64_t inside, outside;

	inside = cover(pl, lv + 1, in_a, in_b, sign, 0);
	outside = cover(pl, lv + 1, out_a, out_b, -sign, 0) +
		  unit_price(pl, lv, u_s, u_e);
	if (inside <= outside) {
		*cost += inside;
		if (emit)
			cover(pl, lv + 1, in_a, in_b, sign, 1);
		return 0;
	}
	/* the unit itself joins the run, which prices it */
	*cost += outside - unit_price(pl, lv, u_s, u_e);
	if (emit)
		cover(pl, lv + 1, out_a, out_b, -sign, 1);
	return 1;
}

/*
 * Plan the days a..b, which lie inside one unit of the level above lv,
 * with levels lv and finer, each piece taken sign times.  Pieces are
 * added to pl only when emit; returns the units the plan reads.
 */
static int64_t
cover(struct plan *pl, enum level lv, int64_t a, int64_t b, int sign,
      int emit)
{
	int64_t as, ae, bs, be, inside, outside, cost = 0, from, to;

	if (a < pl->first)
		a = pl->first;
	if (b > pl->last)
		b = pl->last;
	if (a > b)
		return 0;
	if (lv == LV_DAY)
		return cover_run(pl, lv, a, b, sign, emit);

	unit_of(pl, lv, a, &as, &ae);
	unit_of(pl, lv, b, &bs, &be);

	if (as == bs) {
		/* inside one unit: the days themselves, or the unit less
		 * the days around them */
		outside = unit_price(pl, lv, as, ae);
		if (a == as && b == ae && outside == 1) {
			if (emit)
				plan_add(pl, lv, as, ae, sign);
			return 1;
		}
		inside = cover(pl, lv + 1, a, b, sign, 0);
		outside += cover(pl, lv + 1, as, a - 1, -sign, 0) +
			   cover(pl, lv + 1, b + 1, ae, -sign, 0);
		if (inside <= outside) {
			if (emit)
				cover(pl, lv + 1, a, b, sign, 1);
			return inside;
		}
		if (emit) {
			plan_add(pl, lv, as, ae, sign);
			cover(pl, lv + 1, as, a - 1, -sign, 1);
			cover(pl, lv + 1, b + 1, ae, -sign, 1);
		}
		return outside;
	}

	/* across units: the whole ones between, and at each end the days
	 * inside the period, or the unit whole less the days outside */
	from = as;
	to = be;
	if (a != as && !cover_end(pl, lv, a, ae, as, a - 1, as, ae, sign,
				  emit, &cost))
		from = ae + 1;
	if (b != be && !cover_end(pl, lv, bs, b, b + 1, be, bs, be, sign,
				  emit, &cost))
		to = bs - 1;

	/* the run of whole units, counted inside the ledger's dates */
	if (from < pl->first)
		from = pl->first;
	if (to > pl->last)
		to = pl->last;
	if (from <= to)
		cost += cover_run(pl, lv, from, to, sign, emit);
	return cost;
}

/* The key of day n's unit of level lv in its totals table: "YYYY",
 * "YYYY-MM", "YYYY-MM-k" (k the dekad, 1 to 3) or the date. */
static void
unit_key(enum level lv, int64_t n, char out[11])
{
	int y, m, d;

	ledger_day_text(n, out);
	switch (lv) {
	case LV_YEAR:
		out[4] = '\0';
		break;
	case LV_MONTH:
		out[7] = '\0';
		break;
	case LV_DEKAD:
		ledger_number_ymd(n, &y, &m, &d);
		out[8] = (char)('1' + dekad_index(d));
		out[9] = '\0';
		break;
	default:
		break;
	}
}

/* ---- running a plan ---- */

/* Each level's rows (account, debit, credit and, in the second form,
 * lines) of a run of units, ?2 to ?3; they come in account order within
 * a unit.  Line counts are read only when asked for: a column fewer is
 * a tenth less work a row. */
#define PIECE_SQL(from_where) \
	{ "SELECT account_id, debit, credit" from_where, \
	  "SELECT account_id, debit, credit, nlines" from_where }

static const char *const piece_sql[][2] = {
	[LV_ALL] = PIECE_SQL(" FROM account_totals WHERE org_id = ?1"),
	[LV_YEAR] = PIECE_SQL(" FROM account_year_totals"
			      " WHERE org_id = ?1 AND year >= ?2"
			      " AND year <= ?3"),
	[LV_MONTH] = PIECE_SQL(" FROM account_month_totals"
			       " WHERE org_id = ?1 AND month >= ?2"
			       " AND month <= ?3"),
	[LV_DEKAD] = PIECE_SQL(" FROM account_dekad_totals"
			       " WHERE org_id = ?1 AND dekad >= ?2"
			       " AND dekad <= ?3"),
	[LV_DAY] = PIECE_SQL(" FROM account_day_totals"
			     " WHERE org_id = ?1 AND day >= ?2 AND day <= ?3"),
	[LV_CLOSING] = PIECE_SQL(" FROM account_closing_totals"
				 " WHERE org_id = ?1 AND day >= ?2"
				 " AND day <= ?3"),
};

/* Per-account sums of a plan, by chart position; lines may be NULL. */
struct sums {
	int64_t *debit, *credit, *lines;
};

static int
piece_run(sqlite3 *db, int64_t org, const struct rpt_chart *c,
	  const struct piece *p, struct sums *s, struct lejr_error *err)
{
	char from[11], to[11];
	sqlite3_stmt *st;
	size_t next = 0;
	int64_t sign = p->sign, debit, credit;
	long pos;
	int rc;

	rc = ledger_prepare(db, piece_sql[p->lv][s->lines != NULL], &st,
			    err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, org);
	if (p->lv != LV_ALL) {
		unit_key(p->lv, p->from, from);
		unit_key(p->lv, p->to, to);
		ledger_bind_text(st, 2, from);
		ledger_bind_text(st, 3, to);
	}

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pos = chart_seek(c, sqlite3_column_int64(st, 0), &next);
		if (pos < 0) {
			rc = lejr_error_set(err, LEJR_EINTERNAL, "the ledger's "
					    "totals name an unknown account");
			break;
		}
		debit = sign * sqlite3_column_int64(st, 1);
		credit = sign * sqlite3_column_int64(st, 2);
		if (rpt_add(&s->debit[pos], debit, err) != LEJR_OK ||
		    rpt_add(&s->credit[pos], credit, err) != LEJR_OK) {
			rc = err->status;
			break;
		}
		if (s->lines != NULL)
			s->lines[pos] += sign * sqlite3_column_int64(st, 3);
	}
	if (rc == SQLITE_DONE)
		rc = LEJR_OK;
	else if (err->status == LEJR_OK)
		rc = ledger_db_error(db, "computing balances", err);

	ledger_finalize(db, st);
	return rc;
}

static int
plan_run(sqlite3 *db, int64_t org, const struct rpt_chart *c,
	 const struct plan *pl, struct sums *s, struct lejr_error *err)
{
	int rc = LEJR_OK;

	if (pl->n > PLAN_PIECES)
		return lejr_error_set(err, LEJR_EINTERNAL, "a report's plan "
				      "has too many parts");
	for (size_t i = 0; i < pl->n && rc == LEJR_OK; i++)
		rc = piece_run(db, org, c, &pl->piece[i], s, err);
	return rc;
}

static int
sums_alloc(struct sums *s, size_t n, int lines, struct lejr_error *err)
{
	n = n ? n : 1;
	s->debit = calloc(n, sizeof(int64_t));
	s->credit = calloc(n, sizeof(int64_t));
	s->lines = lines ? calloc(n, sizeof(int64_t)) : NULL;
	if (s->debit == NULL || s->credit == NULL ||
	    (lines && s->lines == NULL))
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	return LEJR_OK;
}

static void
sums_free(struct sums *s)
{
	free(s->debit);
	free(s->credit);
	free(s->lines);
}

/* ---- balances and movements ---- */

void
rpt_rows_free(struct rpt_rows *r)
{
	free(r->run);
	memset(r, 0, sizeof(*r));
}

/* Add the units that pl reads to used (NULL: nothing to do). */
static int
rows_note(const struct plan *pl, struct rpt_rows *used,
	  struct lejr_error *err)
{
	const struct piece *p;
	struct rpt_run *run;
	int64_t end;
	size_t cap;

	for (size_t i = 0; used != NULL && i < pl->n; i++) {
		p = &pl->piece[i];
		if (p->lv == LV_CLOSING)
			continue;
		if (used->n == used->cap) {
			cap = used->cap ? used->cap * 2 : 32;
			run = realloc(used->run, cap * sizeof(*run));
			if (run == NULL)
				return lejr_error_set(err, LEJR_EINTERNAL,
						      "out of memory");
			used->run = run;
			used->cap = cap;
		}
		run = &used->run[used->n++];
		run->lv = p->lv;
		unit_of(pl, p->lv, p->from, &run->from, &end);
		unit_of(pl, p->lv, p->to, &end, &run->to);
	}
	return LEJR_OK;
}

/* Plan the days a..b into pl, avoiding what pl->avoid holds where that
 * fits in a plan, and not at all where it does not. */
static void
plan_days(struct plan *pl, int64_t a, int64_t b)
{
	cover(pl, LV_ALL, a, b, 1, 1);
	if (pl->n > PLAN_PIECES && pl->avoid != NULL) {
		pl->n = 0;
		pl->avoid = NULL;
		cover(pl, LV_ALL, a, b, 1, 1);
	}
}

int
rpt_asof(sqlite3 *db, int64_t org, const struct rpt_chart *c,
	 const char *date, const struct rpt_rows *avoid,
	 struct rpt_rows *used, int64_t *net, unsigned char *seen,
	 struct lejr_error *err)
{
	struct plan pl = {
		.first = c->first, .last = c->last, .avoid = avoid
	};
	struct sums s = { 0 };
	int rc;

	memset(net, 0, c->n * sizeof(*net));
	if (seen != NULL)
		memset(seen, 0, c->n);
	if (!c->dated)
		return LEJR_OK;

	plan_days(&pl, pl.first,
		  date != NULL ? ledger_day_number(date) : pl.last);

	rc = sums_alloc(&s, c->n, seen != NULL, err);
	if (rc == LEJR_OK)
		rc = plan_run(db, org, c, &pl, &s, err);
	/* each sum is now the account's own, so credit >= 0 */
	for (size_t i = 0; rc == LEJR_OK && i < c->n; i++) {
		rc = rpt_add(&net[i], s.debit[i], err);
		if (rc == LEJR_OK)
			rc = rpt_add(&net[i], -s.credit[i], err);
		if (seen != NULL)
			seen[i] = s.lines[i] > 0;
	}
	sums_free(&s);
	if (rc == LEJR_OK)
		rc = rows_note(&pl, used, err);
	return rc;
}

int
rpt_range(sqlite3 *db, int64_t org, const struct rpt_chart *c,
	  const char *from, const char *to, enum rpt_closing which,
	  const struct rpt_rows *avoid, struct rpt_rows *used,
	  int64_t *debit, int64_t *credit, struct lejr_error *err)
{
	struct plan pl = {
		.first = c->first, .last = c->last, .avoid = avoid
	};
	struct sums s = { debit, credit, NULL };
	int rc;

	memset(debit, 0, c->n * sizeof(*debit));
	memset(credit, 0, c->n * sizeof(*credit));
	if (!c->dated)
		return LEJR_OK;
	if (which != RPT_ONLY_CLOSING)
		plan_days(&pl, ledger_day_number(from), ledger_day_number(to));
	if (which != RPT_ALL_LINES)
		plan_add(&pl, LV_CLOSING, ledger_day_number(from),
			 ledger_day_number(to),
			 which == RPT_NO_CLOSING ? -1 : 1);

	rc = plan_run(db, org, c, &pl, &s, err);
	if (rc == LEJR_OK)
		rc = rows_note(&pl, used, err);
	return rc;
}

/* ---- one account ---- */

static void
empty_range(char *a, char *b)
{
	snprintf(a, 11, "9");
	snprintf(b, 11, "0");
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

/*
 * balance.c - trial balance and account balances from the totals that
 * the triggers on lines keep.
 *
 * All-time balances (or as of any date on or after the last posting)
 * come straight from the per-account totals.  As of a date D in month
 * M, a balance is either
 *
 *     before: the months before M, plus the days of M up to D, or
 *     after:  all time, less the months after M and the days of M
 *             after D;
 *
 * each reads at most one row per account and month or day, whatever
 * the number of postings.  The side with fewer months is taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ledger-private.h"

static const char tb_all_sql[] =
	"SELECT a.code, a.name, a.type, t.debit - t.credit"
	" FROM account_totals t JOIN accounts a ON a.id = t.account_id"
	" WHERE t.org_id = ?1 ORDER BY a.code";

/* ?2 the month "YYYY-MM", ?3 its first day, ?4 the date, ?5 the
 * month's last possible day ("YYYY-MM-31" bounds any month). */
static const char tb_before_sql[] =
	"SELECT a.code, a.name, a.type, sum(b.net) FROM ("
	" SELECT account_id, debit - credit AS net FROM account_month_totals"
	"  WHERE org_id = ?1 AND month < ?2"
	" UNION ALL"
	" SELECT account_id, debit - credit FROM account_day_totals"
	"  WHERE org_id = ?1 AND day >= ?3 AND day <= ?4"
	") b JOIN accounts a ON a.id = b.account_id"
	" GROUP BY b.account_id ORDER BY a.code";

/* Accounts whose every line falls after the date drop out: their line
 * count after it equals their total. */
static const char tb_after_sql[] =
	"SELECT a.code, a.name, a.type,"
	" t.debit - t.credit - coalesce(x.net, 0)"
	" FROM account_totals t JOIN accounts a ON a.id = t.account_id"
	" LEFT JOIN (SELECT account_id, sum(net) AS net, sum(n) AS n FROM ("
	"  SELECT account_id, debit - credit AS net, nlines AS n"
	"   FROM account_month_totals WHERE org_id = ?1 AND month > ?2"
	"  UNION ALL"
	"  SELECT account_id, debit - credit, nlines FROM account_day_totals"
	"   WHERE org_id = ?1 AND day > ?4 AND day <= ?5"
	" ) GROUP BY account_id) x ON x.account_id = t.account_id"
	" WHERE t.org_id = ?1 AND t.nlines > coalesce(x.n, 0)"
	" ORDER BY a.code";

/* Months since year 0 of a "YYYY-MM..." text. */
static int
month_index(const char *date)
{
	return atoi(date) * 12 + atoi(date + 5);
}

/* The statement answering a trial balance as of date. */
static int
tb_choose(sqlite3 *db, int64_t org, const char *date, const char **sql,
	  struct lejr_error *err)
{
	sqlite3_stmt *st;
	const char *first, *last;
	int rc, m;

	*sql = tb_all_sql;
	if (date == NULL)
		return LEJR_OK;

	/* two subqueries, so that each one reads a single index entry */
	rc = ledger_prepare(db, "SELECT (SELECT min(date) FROM entries "
			    "WHERE org_id = ?1), (SELECT max(date) FROM "
			    "entries WHERE org_id = ?1)", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = ledger_db_error(db, "finding the ledger's dates", err);
		goto out;
	}

	first = (const char *)sqlite3_column_text(st, 0);
	last = (const char *)sqlite3_column_text(st, 1);
	if (first == NULL || last == NULL || strcmp(date, last) >= 0)
		goto out;

	m = month_index(date);
	*sql = m - month_index(first) <= month_index(last) - m ?
	       tb_before_sql : tb_after_sql;
out:
	ledger_finalize(db, st);
	return rc;
}

/* Bind the month of date: ?2 month, ?3 first day, ?4 date, ?5 bound. */
static void
bind_month(sqlite3_stmt *st, const char *date)
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

static void
set_money(json_t *o, const char *key, const char *key_minor, int64_t minor,
	  int exponent)
{
	char buf[32];

	lejr_money_format(minor, exponent, buf, sizeof(buf));
	json_object_set_new(o, key, json_string(buf));
	json_object_set_new(o, key_minor, json_integer(minor));
}

struct tb_totals {
	int64_t debit;
	int64_t credit;
};

/* One row of the trial balance; a net debit shows in the debit column,
 * a net credit in the credit column. */
static int
tb_row(sqlite3_stmt *st, int exponent, struct tb_totals *t, json_t **out)
{
	int64_t net, debit, credit;
	json_t *o;

	net = sqlite3_column_int64(st, 3);
	if (net == INT64_MIN)
		return LEJR_EINTERNAL;
	debit = net > 0 ? net : 0;
	credit = net < 0 ? -net : 0;
	if (__builtin_add_overflow(t->debit, debit, &t->debit) ||
	    __builtin_add_overflow(t->credit, credit, &t->credit))
		return LEJR_EINTERNAL;

	o = json_object();
	ledger_json_set_column(o, "code", st, 0);
	ledger_json_set_column(o, "name", st, 1);
	json_object_set_new(o, "type", json_string(
		lejr_account_type_name(sqlite3_column_int(st, 2))));
	set_money(o, "debit", "debit_minor", debit, exponent);
	set_money(o, "credit", "credit_minor", credit, exponent);
	set_money(o, "balance", "balance_minor", net, exponent);
	*out = o;
	return LEJR_OK;
}

static int
tb_rows(sqlite3 *db, sqlite3_stmt *st, const struct lejr_org *org,
	json_t *tb, struct lejr_error *err)
{
	struct tb_totals t = { 0, 0 };
	json_t *accounts, *row;
	int rc;

	accounts = json_array();
	json_object_set_new(tb, "accounts", accounts);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (tb_row(st, org->exponent, &t, &row) != LEJR_OK)
			return lejr_error_set(err, LEJR_EINTERNAL,
					      "trial balance totals overflow");
		json_array_append_new(accounts, row);
	}
	if (rc != SQLITE_DONE)
		return ledger_db_error(db, "computing the trial balance", err);

	set_money(tb, "total_debit", "total_debit_minor", t.debit,
		  org->exponent);
	set_money(tb, "total_credit", "total_credit_minor", t.credit,
		  org->exponent);

	/* Every entry balances, so the sum of all nets is zero.  If not,
	 * the stored ledger is damaged: say so rather than show it. */
	if (t.debit != t.credit) {
		lejr_log(LEJR_LOG_ERROR, "trial balance of org %lld does not "
			 "balance: %lld vs %lld", (long long)org->id,
			 (long long)t.debit, (long long)t.credit);
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "the trial balance does not balance; "
				      "the ledger needs checking");
	}
	json_object_set_new(tb, "balanced", json_true());
	return LEJR_OK;
}

int
ledger_trial_balance(sqlite3 *db, const struct lejr_org *org,
		     const char *date, json_t **out, struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	const char *sql;
	json_t *tb = NULL;
	int rc;

	*out = NULL;
	if (date != NULL && !lejr_date_valid(date))
		return lejr_error_set(err, LEJR_EINVAL,
				      "date \"%.16s\" is not a valid calendar "
				      "date (YYYY-MM-DD)", date);

	rc = tb_choose(db, org->id, date, &sql, err);
	if (rc == LEJR_OK)
		rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org->id);
	if (sql != tb_all_sql)
		bind_month(st, date);

	tb = json_object();
	json_object_set_new(tb, "as_of", date != NULL ? json_string(date)
						      : json_null());
	json_object_set_new(tb, "currency", json_string(org->currency));

	rc = tb_rows(db, st, org, tb, err);
	if (rc == LEJR_OK) {
		*out = tb;
		tb = NULL;
	}

	json_decref(tb);
	ledger_finalize(db, st);
	return rc;
}

static const char balance_all_sql[] =
	"SELECT coalesce(sum(debit - credit), 0) FROM account_totals"
	" WHERE org_id = ?1 AND account_id = ?6";

static const char balance_dated_sql[] =
	"SELECT coalesce((SELECT sum(debit - credit) FROM account_month_totals"
	"  WHERE account_id = ?6 AND month < ?2), 0)"
	" + coalesce((SELECT sum(debit - credit) FROM account_day_totals"
	"  WHERE org_id = ?1 AND day >= ?3 AND day <= ?4"
	"  AND account_id = ?6), 0)";

int
ledger_account_balance(sqlite3 *db, const struct lejr_org *org,
		       const char *code, const char *date, int64_t *balance,
		       struct lejr_error *err)
{
	struct lejr_account acct;
	sqlite3_stmt *st;
	int rc;

	if (date != NULL && !lejr_date_valid(date))
		return lejr_error_set(err, LEJR_EINVAL,
				      "date \"%.16s\" is not a valid calendar "
				      "date (YYYY-MM-DD)", date);

	rc = ledger_account_get(db, org, code, &acct, err);
	if (rc == LEJR_OK)
		rc = ledger_prepare(db, date == NULL ? balance_all_sql
						     : balance_dated_sql,
				    &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org->id);
	sqlite3_bind_int64(st, 6, acct.id);
	if (date != NULL)
		bind_month(st, date);

	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_INTEGER)
		*balance = sqlite3_column_int64(st, 0);
	else
		rc = ledger_db_error(db, "computing a balance", err);

	ledger_finalize(db, st);
	return rc;
}

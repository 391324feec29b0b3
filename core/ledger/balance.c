/*
 * balance.c - trial balance and account balances from the totals that
 * the triggers on lines keep.
 *
 * All-time balances (or as of any date on or after the last posting)
 * come straight from the per-account totals.  As of an earlier date a
 * balance is read from the month totals on the side of the date with
 * fewer months and the day totals of its month (report-sums.c); either
 * way at most one row per account and month or day is read, whatever
 * the number of postings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reports-private.h"

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

struct tb_totals {
	int64_t debit;
	int64_t credit;
};

/* One row of the trial balance; a net debit shows in the debit column,
 * a net credit in the credit column. */
static json_t *
tb_row(const struct rpt_account *a, int64_t net, int exponent,
       struct tb_totals *t, struct lejr_error *err)
{
	int64_t debit, credit;
	json_t *o;

	if (net == INT64_MIN) {
		lejr_error_set(err, LEJR_EINTERNAL, "trial balance totals "
			       "overflow");
		return NULL;
	}
	debit = net > 0 ? net : 0;
	credit = net < 0 ? -net : 0;
	if (rpt_add(&t->debit, debit, err) != LEJR_OK ||
	    rpt_add(&t->credit, credit, err) != LEJR_OK)
		return NULL;

	o = json_object();
	if (o == NULL ||
	    json_object_set_new_nocheck(o, "code", json_string(a->code)) ||
	    json_object_set_new_nocheck(o, "name", json_string(a->name)) ||
	    json_object_set_new_nocheck(o, "type", json_string_nocheck(
		    lejr_account_type_name(a->type))) ||
	    rpt_json_money(o, "debit", debit, exponent) != 0 ||
	    rpt_json_money(o, "credit", credit, exponent) != 0 ||
	    rpt_json_money(o, "balance", net, exponent) != 0) {
		json_decref(o);
		lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
		return NULL;
	}
	return o;
}

/* The rows of the accounts seen by then, in code order, and totals. */
static int
tb_rows(const struct rpt_chart *c, const int64_t *net,
	const unsigned char *seen, const struct lejr_org *org, json_t *tb,
	struct lejr_error *err)
{
	struct tb_totals t = { 0, 0 };
	json_t *accounts, *row;

	accounts = json_array();
	if (accounts == NULL || json_object_set_new(tb, "accounts",
						    accounts) != 0)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	for (size_t i = 0; i < c->n; i++) {
		if (!seen[i])
			continue;
		row = tb_row(&c->acct[i], net[i], org->exponent, &t, err);
		if (row == NULL)
			return err->status;
		if (json_array_append_new(accounts, row) != 0)
			return LEJR_EINTERNAL;
	}

	rpt_json_money(tb, "total_debit", t.debit, org->exponent);
	rpt_json_money(tb, "total_credit", t.credit, org->exponent);

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
	struct rpt_chart c;
	unsigned char *seen = NULL;
	int64_t *net = NULL;
	json_t *tb = NULL;
	int rc;

	*out = NULL;
	if (date != NULL && !lejr_date_valid(date))
		return lejr_error_set(err, LEJR_EINVAL,
				      "date \"%.16s\" is not " LEJR_DATE_RULE,
				      date);

	rc = rpt_chart_load(db, org->id, &c, err);
	if (rc != LEJR_OK)
		goto out;
	net = calloc(c.n ? c.n : 1, sizeof(*net));
	seen = calloc(c.n ? c.n : 1, 1);
	tb = json_pack("{s:s?, s:s}", "as_of", date, "currency",
		       org->currency);
	if (net == NULL || seen == NULL || tb == NULL) {
		rc = lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
		goto out;
	}

	rc = rpt_asof(db, org->id, &c, date, NULL, NULL, net, seen, err);
	if (rc == LEJR_OK)
		rc = tb_rows(&c, net, seen, org, tb, err);
	if (rc == LEJR_OK) {
		*out = tb;
		tb = NULL;
	}

out:
	json_decref(tb);
	free(net);
	free(seen);
	rpt_chart_free(&c);
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
				      "date \"%.16s\" is not " LEJR_DATE_RULE,
				      date);

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

/*
 * reports.c - the balance sheet, the profit and loss and an account's
 * balance, each computed from the totals and checked against a second
 * computation before it is shown.
 *
 * Earnings on the balance sheet.  Income and expense accounts are
 * never shown there one by one; their balances, closing entries
 * included, become two equity lines:
 *
 *   Retained earnings (prior years, unclosed) = minus the income and
 *     expense balances as of the day before the fiscal year's start:
 *     earlier years' results that no closing entry has moved yet;
 *   Current-year earnings = minus their movement from the fiscal
 *     year's start to the date.
 *
 * A closing entry moves a year's result from the income and expense
 * accounts into an equity account, so after it the same amount shows
 * on that account and no longer on the lines above: totals stay the
 * same and nothing counts twice.  The profit and loss leaves closing
 * entries out, so it keeps showing the year's income and expenses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports-private.h"

#define PL_COLUMNS_MAX 61 /* 60 months and a total */

static int
is_pl(enum lejr_account_type t)
{
	return t == LEJR_INCOME || t == LEJR_EXPENSE;
}

static int
bad_date(const char *what, const char *date, struct lejr_error *err)
{
	return lejr_error_set(err, LEJR_EINVAL, "%s \"%.16s\" is not "
			      LEJR_DATE_RULE, what, date != NULL ? date : "");
}

static json_t *
period_json(const char *from, const char *to)
{
	return json_pack("{s:s?, s:s?}", "from", from, "to", to);
}

/* ---- balance sheet ---- */

/* The sums a balance sheet is made of. */
struct bs {
	const struct rpt_chart *c;
	int exponent;
	char first[11], last[11]; /* the fiscal year holding the date */
	int64_t *net;             /* balances as of the date */
	unsigned char *seen;      /* accounts with lines by then */
	int64_t *prior;           /* balances the day before the year */
	int64_t *d, *cr;          /* the year's movements */
	int64_t assets, liabilities, equity_accounts;
	int64_t prior_earnings, current_earnings;
	int64_t pl_net;           /* the year's result, closings left out */
	int64_t closed;           /* the year's result closed into equity */
	struct rpt_rows used;     /* the rows of net and prior */
};

static int
bs_alloc(struct bs *b, struct lejr_error *err)
{
	size_t n = b->c->n ? b->c->n : 1;

	b->net = calloc(n, sizeof(int64_t));
	b->seen = calloc(n, 1);
	b->prior = calloc(n, sizeof(int64_t));
	b->d = calloc(n, sizeof(int64_t));
	b->cr = calloc(n, sizeof(int64_t));
	if (b->net == NULL || b->seen == NULL || b->prior == NULL ||
	    b->d == NULL || b->cr == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	return LEJR_OK;
}

static void
bs_free(struct bs *b)
{
	free(b->net);
	free(b->seen);
	free(b->prior);
	free(b->d);
	free(b->cr);
	rpt_rows_free(&b->used);
}

/* Read every sum: balances now and before the year, and the year's
 * movements without and with only the closing entries. */
static int
bs_read(sqlite3 *db, int64_t org, const char *date, struct bs *b,
	struct lejr_error *err)
{
	const struct rpt_chart *c = b->c;
	char before[11];
	int rc;

	ledger_day_add(b->first, -1, before);
	rc = rpt_asof(db, org, c, date, NULL, &b->used, b->net, b->seen,
		      err);
	if (rc == LEJR_OK)
		rc = rpt_asof(db, org, c, before, NULL, &b->used, b->prior,
			      NULL, err);
	if (rc != LEJR_OK)
		return rc;

	for (size_t i = 0; i < c->n && rc == LEJR_OK; i++) {
		if (!is_pl(c->acct[i].type))
			continue;
		rc = rpt_add(&b->prior_earnings, -b->prior[i], err);
		if (rc == LEJR_OK)
			rc = rpt_add(&b->current_earnings,
				     b->prior[i] - b->net[i], err);
	}

	if (rc == LEJR_OK)
		rc = rpt_range(db, org, c, b->first, date, RPT_NO_CLOSING,
			       &b->used, NULL, b->d, b->cr, err);
	for (size_t i = 0; i < c->n && rc == LEJR_OK; i++)
		if (is_pl(c->acct[i].type))
			rc = rpt_add(&b->pl_net, b->cr[i] - b->d[i], err);

	if (rc == LEJR_OK)
		rc = rpt_range(db, org, c, b->first, date, RPT_ONLY_CLOSING,
			       NULL, NULL, b->d, b->cr, err);
	for (size_t i = 0; i < c->n && rc == LEJR_OK; i++)
		if (is_pl(c->acct[i].type))
			rc = rpt_add(&b->closed, b->d[i] - b->cr[i], err);
	return rc;
}

static json_t *
bs_row(const char *code, const char *name, const char *line, int64_t v,
       int exponent)
{
	json_t *o;

	o = rpt_json_account(code, name);
	if (o != NULL && (json_object_set_new_nocheck(o, "line",
	    json_string_nocheck(line)) != 0 ||
	    rpt_json_money(o, "amount", v, exponent) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The section of type, its accounts shown with sign (1: debit
 * positive, -1: credit positive); the sum goes to *total. */
static json_t *
bs_section(const struct bs *b, enum lejr_account_type type, int sign,
	   int64_t *total, struct lejr_error *err)
{
	const struct rpt_chart *c = b->c;
	json_t *rows;

	*total = 0;
	rows = json_array();
	for (size_t i = 0; rows != NULL && i < c->n; i++) {
		if (c->acct[i].type != type || !b->seen[i])
			continue;
		if (rpt_add(total, sign * b->net[i], err) != LEJR_OK ||
		    json_array_append_new(rows, bs_row(
			    c->acct[i].code, c->acct[i].name, "account",
			    sign * b->net[i], b->exponent)) != 0) {
			json_decref(rows);
			return NULL;
		}
	}
	return rows;
}

static json_t *
section_json(json_t *rows, int64_t total, int exponent)
{
	json_t *o;

	o = json_pack("{s:o}", "rows", rows);
	if (o != NULL && rpt_json_money(o, "total", total, exponent) != 0) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* The equity section: its accounts, then the two earnings lines. */
static json_t *
bs_equity(struct bs *b, struct lejr_error *err)
{
	json_t *rows;
	int64_t total;

	rows = bs_section(b, LEJR_EQUITY, -1, &b->equity_accounts, err);
	if (rows == NULL)
		return NULL;
	json_array_append_new(rows, bs_row(
		NULL, "Retained earnings (prior years, unclosed)",
		"retained_earnings_prior", b->prior_earnings, b->exponent));
	json_array_append_new(rows, bs_row(
		NULL, "Current-year earnings", "current_year_earnings",
		b->current_earnings, b->exponent));

	total = b->equity_accounts;
	if (rpt_add(&total, b->prior_earnings, err) != LEJR_OK ||
	    rpt_add(&total, b->current_earnings, err) != LEJR_OK) {
		json_decref(rows);
		return NULL;
	}
	return section_json(rows, total, b->exponent);
}

static json_t *
bs_current_year(const struct bs *b)
{
	json_t *o;

	o = json_pack("{s:s, s:s}", "from", b->first, "to", b->last);
	if (o == NULL ||
	    rpt_json_money(o, "profit_and_loss_net", b->pl_net,
			   b->exponent) != 0 ||
	    rpt_json_money(o, "closed_to_equity", b->closed,
			   b->exponent) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
bs_json(struct bs *b, const char *date, const char *currency,
	json_t **out, struct lejr_error *err)
{
	json_t *o, *assets, *liab, *equity;
	int64_t rhs;

	/* the builders fail with err set only for a total too large */
	err->status = LEJR_OK;
	assets = bs_section(b, LEJR_ASSET, 1, &b->assets, err);
	liab = bs_section(b, LEJR_LIABILITY, -1, &b->liabilities, err);
	equity = bs_equity(b, err);
	if (assets == NULL || liab == NULL || equity == NULL) {
		json_decref(assets);
		json_decref(liab);
		json_decref(equity);
		if (err->status != LEJR_OK)
			return err->status;
		return lejr_error_set(err, LEJR_EINTERNAL, "cannot build the "
				      "balance sheet");
	}

	rhs = b->liabilities;
	if (rpt_add(&rhs, b->equity_accounts, err) != LEJR_OK ||
	    rpt_add(&rhs, b->prior_earnings, err) != LEJR_OK ||
	    rpt_add(&rhs, b->current_earnings, err) != LEJR_OK)
		rhs = 0;

	o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
		      "as_of", date, "currency", currency,
		      "fiscal_year", bs_current_year(b),
		      "assets", section_json(assets, b->assets, b->exponent),
		      "liabilities", section_json(liab, b->liabilities,
						  b->exponent),
		      "equity", equity,
		      "checks", json_pack("{s:b, s:b}", "balanced", 1,
					  "earnings_match_profit_and_loss",
					  1));
	if (o == NULL ||
	    rpt_json_money(o, "total_liabilities_and_equity", rhs,
			   b->exponent) != 0 ||
	    rpt_json_money(o, "current_year_earnings", b->current_earnings,
			   b->exponent) != 0 ||
	    rpt_json_money(o, "retained_earnings_prior", b->prior_earnings,
			   b->exponent) != 0) {
		json_decref(o);
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	}
	*out = o;
	return LEJR_OK;
}

/*
 * Two checks, each against sums read another way: assets equal
 * liabilities plus equity (every entry balances), and the year's
 * earnings on the sheet, with what closing entries moved out of them,
 * equal the profit and loss of the year to the date, which is read
 * around the totals rows of the two balances rather than from them.
 */
static int
bs_check(const struct bs *b, int64_t org, struct lejr_error *err)
{
	int64_t rhs = 0, earned = 0;

	if (rpt_add(&rhs, b->liabilities, err) != LEJR_OK ||
	    rpt_add(&rhs, b->equity_accounts, err) != LEJR_OK ||
	    rpt_add(&rhs, b->prior_earnings, err) != LEJR_OK ||
	    rpt_add(&rhs, b->current_earnings, err) != LEJR_OK)
		return err->status;
	if (rhs != b->assets)
		return rpt_check_failed(org, "balance sheet", "balanced", err);

	if (rpt_add(&earned, b->current_earnings, err) != LEJR_OK ||
	    rpt_add(&earned, b->closed, err) != LEJR_OK)
		return err->status;
	if (earned != b->pl_net)
		return rpt_check_failed(org, "balance sheet",
					"earnings_match_profit_and_loss", err);
	return LEJR_OK;
}

int
ledger_balance_sheet(sqlite3 *db, const struct lejr_org *org,
		     const char *date, json_t **out, struct lejr_error *err)
{
	struct rpt_chart c;
	struct bs b;
	char start[6];
	json_t *sheet = NULL;
	int rc;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	if (!lejr_date_valid(date))
		return bad_date("as_of", date, err);

	rc = ledger_fiscal_start(db, org->id, start, err);
	if (rc == LEJR_OK)
		rc = rpt_chart_load(db, org->id, &c, err);
	if (rc != LEJR_OK)
		goto out;

	b.c = &c;
	b.exponent = org->exponent;
	ledger_fiscal_year(start, date, b.first, b.last);
	rc = bs_alloc(&b, err);
	if (rc == LEJR_OK)
		rc = bs_read(db, org->id, date, &b, err);
	if (rc == LEJR_OK)
		rc = bs_json(&b, date, org->currency, &sheet, err);
	if (rc == LEJR_OK)
		rc = bs_check(&b, org->id, err);
	if (rc == LEJR_OK) {
		*out = sheet;
		sheet = NULL;
	}

out:
	json_decref(sheet);
	bs_free(&b);
	rpt_chart_free(&c);
	return rc;
}

/* ---- profit and loss: columns ---- */

struct column {
	char label[40];
	char from[11], to[11];
};

struct pl {
	const struct rpt_chart *c;
	int exponent;
	char start[6];              /* fiscal year start, MM-DD */
	struct column col[PL_COLUMNS_MAX];
	size_t ncol;
	size_t main;                /* the column of the whole period */
	int split;                  /* month or quarter columns + total */
	int64_t *amount;            /* [col * c->n + account] */
	int64_t *d, *cr;            /* scratch */
	struct rpt_rows used;       /* the rows of the columns */
};

/* "2024" or "2024/25": the fiscal year holding date. */
static void
fy_label(const char *start, const char *date, char *out, size_t len)
{
	char first[11], last[11];

	ledger_fiscal_year(start, date, first, last);
	if (strncmp(first, last, 4) == 0)
		snprintf(out, len, "%.4s", first);
	else
		snprintf(out, len, "%.4s/%.2s", first, last + 2);
}

/* A short name for from..to: a fiscal year, a calendar month, or the
 * two dates. */
static void
period_label(const char *start, const char *from, const char *to,
	     char *out, size_t len)
{
	char first[11], last[11], end[11];

	ledger_fiscal_year(start, from, first, last);
	ledger_month_end(from, end);
	if (strcmp(from, first) == 0 && strcmp(to, last) == 0)
		fy_label(start, from, out, len);
	else if (strcmp(from + 8, "01") == 0 && strcmp(to, end) == 0)
		snprintf(out, len, "%.7s", from);
	else
		snprintf(out, len, "%s..%s", from, to);
}

static int
add_column(struct pl *p, const char *label, const char *from, const char *to,
	   struct lejr_error *err)
{
	struct column *col;

	if (p->ncol == PL_COLUMNS_MAX)
		return lejr_error_set(err, LEJR_EINVAL,
				      "too many columns: at most %d; choose "
				      "quarters or a shorter period",
				      PL_COLUMNS_MAX - 1);
	col = &p->col[p->ncol++];
	snprintf(col->label, sizeof(col->label), "%s", label);
	snprintf(col->from, sizeof(col->from), "%s", from);
	snprintf(col->to, sizeof(col->to), "%s", to);
	return LEJR_OK;
}

/* The period just before from..to, of the same length: as many months
 * when from..to is whole months (counted from from's day), otherwise
 * as many days. */
static int
previous_period(const char *from, const char *to, char pfrom[11],
		char pto[11], struct lejr_error *err)
{
	char after[11], back[11], probe[11];
	int months;

	ledger_day_add(to, 1, after);
	months = (atoi(after) - atoi(from)) * 12 + atoi(after + 5) -
		 atoi(from + 5);
	ledger_month_add(from, months, probe);

	ledger_day_add(from, -1, pto);
	if (months > 0 && strcmp(probe, after) == 0 &&
	    atoi(from + 8) <= 28) {
		ledger_month_add(from, -months, back);
		snprintf(pfrom, 11, "%s", back);
	} else {
		ledger_day_add(from, -(ledger_day_number(to) -
				       ledger_day_number(from) + 1), pfrom);
	}

	if (strcmp(pfrom, "0001-01-01") < 0)
		return lejr_error_set(err, LEJR_EINVAL, "the period before "
				      "%s starts before year 1", from);
	return LEJR_OK;
}

/* A month's or quarter's label: "2024-03" / "Q1 2024", or, when the
 * fiscal year does not start on the 1st, its dates. */
static void
step_label(const struct pl *p, int months, int k, const char *from,
	   const char *to, char *out, size_t len)
{
	char fy[16];

	if (months == 3) {
		fy_label(p->start, from, fy, sizeof(fy));
		snprintf(out, len, "Q%d %s", k % 4 + 1, fy);
	} else if (strcmp(p->start + 3, "01") == 0) {
		snprintf(out, len, "%.7s", from);
	} else {
		snprintf(out, len, "%s..%s", from, to);
	}
}

/* The day before anchor plus n months: the last day of a step, which
 * for the last step of year 9999 is its last day. */
static void
step_end(const char *anchor, int n, char out[11])
{
	char next[11];

	if (atoi(anchor) * 12 + atoi(anchor + 5) - 1 + n > 9999 * 12 + 11) {
		snprintf(out, 11, "9999-12-31");
		return;
	}
	ledger_month_add(anchor, n, next);
	ledger_day_add(next, -1, out);
}

/* Columns of months (months 1) or quarters (3), counted from the start
 * of from's fiscal year and cut to from..to, then the total. */
static int
step_columns(struct pl *p, const char *from, const char *to, int months,
	     struct lejr_error *err)
{
	char anchor[11], last[11], a[11], b[11], label[40];
	const char *cf, *ct;
	int rc = LEJR_OK;

	ledger_fiscal_year(p->start, from, anchor, last);
	for (int k = 0; rc == LEJR_OK; k++) {
		ledger_month_add(anchor, k * months, a);
		if (strcmp(a, to) > 0)
			break;
		step_end(anchor, (k + 1) * months, b);
		if (strcmp(b, from) < 0)
			continue;

		cf = strcmp(a, from) < 0 ? from : a;
		ct = strcmp(b, to) > 0 ? to : b;
		step_label(p, months, k, a, b, label, sizeof(label));
		rc = add_column(p, label, cf, ct, err);
		if (strcmp(b, to) >= 0)
			break;
	}

	p->main = p->ncol;
	p->split = 1;
	return rc == LEJR_OK ? add_column(p, "Total", from, to, err) : rc;
}

static int
pl_columns(struct pl *p, const char *from, const char *to,
	   const char *columns, struct lejr_error *err)
{
	char label[40], pfrom[11], pto[11];
	int rc;

	if (columns != NULL && strcmp(columns, "month") == 0)
		return step_columns(p, from, to, 1, err);
	if (columns != NULL && strcmp(columns, "quarter") == 0)
		return step_columns(p, from, to, 3, err);

	period_label(p->start, from, to, label, sizeof(label));
	rc = add_column(p, label, from, to, err);
	if (rc != LEJR_OK || columns == NULL || strcmp(columns, "none") == 0)
		return rc;

	rc = previous_period(from, to, pfrom, pto, err);
	if (rc != LEJR_OK)
		return rc;
	period_label(p->start, pfrom, pto, label, sizeof(label));
	return add_column(p, label, pfrom, pto, err);
}

/* ---- profit and loss: sums and checks ---- */

/* Each column's amounts, closing entries left out: income as credits
 * less debits, expenses as debits less credits. */
static int
pl_read(sqlite3 *db, int64_t org, struct pl *p, struct lejr_error *err)
{
	const struct rpt_chart *c = p->c;
	int64_t *row;
	int rc = LEJR_OK;

	for (size_t k = 0; k < p->ncol && rc == LEJR_OK; k++) {
		rc = rpt_range(db, org, c, p->col[k].from, p->col[k].to,
			       RPT_NO_CLOSING, NULL, &p->used, p->d, p->cr,
			       err);
		row = p->amount + k * c->n;
		for (size_t i = 0; rc == LEJR_OK && i < c->n; i++) {
			if (c->acct[i].type == LEJR_INCOME)
				row[i] = p->cr[i] - p->d[i];
			else if (c->acct[i].type == LEJR_EXPENSE)
				row[i] = p->d[i] - p->cr[i];
		}
	}
	return rc;
}

/* Net result of column k: income less expenses. */
static int
pl_net(const struct pl *p, size_t k, int64_t *net, struct lejr_error *err)
{
	const struct rpt_chart *c = p->c;
	const int64_t *row = p->amount + k * c->n;
	int rc = LEJR_OK;

	*net = 0;
	for (size_t i = 0; i < c->n && rc == LEJR_OK; i++) {
		if (c->acct[i].type == LEJR_INCOME)
			rc = rpt_add(net, row[i], err);
		else if (c->acct[i].type == LEJR_EXPENSE)
			rc = rpt_add(net, -row[i], err);
	}
	return rc;
}

/* With month or quarter columns, every account's columns add up to its
 * total, which was read in one piece. */
static int
pl_check_columns(const struct pl *p, int64_t org, struct lejr_error *err)
{
	const struct rpt_chart *c = p->c;
	int64_t sum;

	for (size_t i = 0; p->split && i < c->n; i++) {
		sum = 0;
		for (size_t k = 0; k < p->main; k++)
			if (rpt_add(&sum, p->amount[k * c->n + i], err) !=
			    LEJR_OK)
				return err->status;
		if (sum != p->amount[p->main * c->n + i])
			return rpt_check_failed(org, "profit and loss",
						"columns_add_up", err);
	}
	return LEJR_OK;
}

/*
 * The net result of the whole period equals the change of the income
 * and expense balances over it (read as balances at its two ends), less
 * what closing entries moved: a second computation, planned around the
 * totals rows that the columns read.
 */
static int
pl_check_net(sqlite3 *db, int64_t org, struct pl *p, struct lejr_error *err)
{
	const struct rpt_chart *c = p->c;
	const struct column *col = &p->col[p->main];
	int64_t *end = p->d, *begin = p->cr, change = 0, net;
	int64_t *cd = NULL, *cc = NULL;
	char before[11];
	int rc;

	ledger_day_add(col->from, -1, before);
	cd = calloc(c->n ? c->n : 1, sizeof(int64_t));
	cc = calloc(c->n ? c->n : 1, sizeof(int64_t));
	rc = cd == NULL || cc == NULL ?
	     lejr_error_set(err, LEJR_EINTERNAL, "out of memory") : LEJR_OK;
	if (rc == LEJR_OK)
		rc = rpt_asof(db, org, c, col->to, &p->used, NULL, end,
			      NULL, err);
	if (rc == LEJR_OK)
		rc = rpt_asof(db, org, c, before, &p->used, NULL, begin,
			      NULL, err);
	if (rc == LEJR_OK)
		rc = rpt_range(db, org, c, col->from, col->to,
			       RPT_ONLY_CLOSING, NULL, NULL, cd, cc, err);

	for (size_t i = 0; rc == LEJR_OK && i < c->n; i++)
		if (is_pl(c->acct[i].type))
			rc = rpt_add(&change, end[i] - begin[i] -
				     (cd[i] - cc[i]), err);
	if (rc == LEJR_OK)
		rc = pl_net(p, p->main, &net, err);
	if (rc == LEJR_OK && net != -change)
		rc = rpt_check_failed(org, "profit and loss",
				      "net_matches_balances", err);

	free(cd);
	free(cc);
	return rc;
}

/* ---- profit and loss: the answer ---- */

static json_t *
money_array(const int64_t *v, size_t n, size_t stride, int exponent,
	    json_t **minor)
{
	json_t *a = json_array(), *m = json_array();
	char buf[32];

	for (size_t k = 0; a != NULL && m != NULL && k < n; k++) {
		lejr_money_format(v[k * stride], exponent, buf, sizeof(buf));
		json_array_append_new(a, json_string(buf));
		json_array_append_new(m, json_integer(v[k * stride]));
	}
	*minor = m;
	return a;
}

/* A section (income or expenses): accounts with an amount in some
 * column, and the column totals. */
static json_t *
pl_section(const struct pl *p, enum lejr_account_type type,
	   struct lejr_error *err)
{
	const struct rpt_chart *c = p->c;
	int64_t total[PL_COLUMNS_MAX] = { 0 };
	json_t *rows, *o, *a, *m;
	size_t k;
	int bad;

	rows = json_array();
	for (size_t i = 0; rows != NULL && i < c->n; i++) {
		if (c->acct[i].type != type)
			continue;
		for (k = 0; k < p->ncol; k++)
			if (p->amount[k * c->n + i] != 0)
				break;
		if (k == p->ncol)
			continue;

		for (k = 0; k < p->ncol; k++)
			if (rpt_add(&total[k], p->amount[k * c->n + i],
				    err) != LEJR_OK) {
				json_decref(rows);
				return NULL;
			}
		a = money_array(p->amount + i, p->ncol, c->n, p->exponent,
				&m);
		/* each set takes its value, failing or not */
		o = rpt_json_account(c->acct[i].code, c->acct[i].name);
		bad = o == NULL;
		bad |= json_object_set_new_nocheck(o, "amounts", a) != 0;
		bad |= json_object_set_new_nocheck(o, "amounts_minor", m) != 0;
		if (bad) {
			json_decref(o);
			json_decref(rows);
			return NULL;
		}
		if (json_array_append_new(rows, o) != 0) {
			json_decref(rows);
			return NULL;
		}
	}

	a = money_array(total, p->ncol, 1, p->exponent, &m);
	return json_pack("{s:o, s:o, s:o}", "rows", rows, "totals", a,
			 "totals_minor", m);
}

/* Refuse, before anything is built, a report whose section totals do
 * not fit: pl_section cannot say why it fails. */
static int
pl_totals_fit(const struct pl *p, struct lejr_error *err)
{
	const struct rpt_chart *c = p->c;
	int64_t total[2];

	for (size_t k = 0; k < p->ncol; k++) {
		total[0] = total[1] = 0;
		for (size_t i = 0; i < c->n; i++)
			if (is_pl(c->acct[i].type) &&
			    rpt_add(&total[c->acct[i].type == LEJR_EXPENSE],
				    p->amount[k * c->n + i], err) != LEJR_OK)
				return err->status;
	}
	return LEJR_OK;
}

static json_t *
pl_columns_json(const struct pl *p)
{
	json_t *a = json_array();

	for (size_t k = 0; a != NULL && k < p->ncol; k++)
		json_array_append_new(a, json_pack(
			"{s:s, s:s, s:s}", "label", p->col[k].label,
			"from", p->col[k].from, "to", p->col[k].to));
	return a;
}

static int
pl_json(const struct pl *p, const char *from, const char *to,
	const char *currency, json_t **out, struct lejr_error *err)
{
	int64_t net[PL_COLUMNS_MAX];
	json_t *o, *nets, *minor, *checks;

	for (size_t k = 0; k < p->ncol; k++)
		if (pl_net(p, k, &net[k], err) != LEJR_OK)
			return err->status;
	if (pl_totals_fit(p, err) != LEJR_OK)
		return err->status;

	nets = money_array(net, p->ncol, 1, p->exponent, &minor);
	checks = p->split ? json_pack("{s:b, s:b}", "net_matches_balances", 1,
				      "columns_add_up", 1)
			  : json_pack("{s:b}", "net_matches_balances", 1);
	o = json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
		      "period", period_json(from, to),
		      "currency", currency,
		      "fiscal_year_start", p->start,
		      "columns", pl_columns_json(p),
		      "income", pl_section(p, LEJR_INCOME, err),
		      "expenses", pl_section(p, LEJR_EXPENSE, err),
		      "net", nets, "net_minor", minor,
		      "checks", checks);
	if (o == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "cannot build the "
				      "profit and loss");
	*out = o;
	return LEJR_OK;
}

static int
pl_args(const char *from, const char *to, const char *columns,
	struct lejr_error *err)
{
	if (!lejr_date_valid(from))
		return bad_date("from", from, err);
	if (!lejr_date_valid(to))
		return bad_date("to", to, err);
	if (strcmp(from, to) > 0)
		return lejr_error_set(err, LEJR_EINVAL, "from (%s) is after "
				      "to (%s)", from, to);
	if (columns != NULL && strcmp(columns, "none") != 0 &&
	    strcmp(columns, "previous_period") != 0 &&
	    strcmp(columns, "month") != 0 && strcmp(columns, "quarter") != 0)
		return lejr_error_set(err, LEJR_EINVAL, "columns \"%.20s\" is "
				      "not none, previous_period, month or "
				      "quarter", columns);
	return LEJR_OK;
}

static int
pl_alloc(struct pl *p, struct lejr_error *err)
{
	size_t n = p->c->n ? p->c->n : 1;

	p->amount = calloc(n * p->ncol, sizeof(int64_t));
	p->d = calloc(n, sizeof(int64_t));
	p->cr = calloc(n, sizeof(int64_t));
	if (p->amount == NULL || p->d == NULL || p->cr == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	return LEJR_OK;
}

int
ledger_profit_and_loss(sqlite3 *db, const struct lejr_org *org,
		       const char *from, const char *to,
		       const char *columns, json_t **out,
		       struct lejr_error *err)
{
	struct rpt_chart c;
	struct pl *p;
	json_t *report = NULL;
	int rc;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	rc = pl_args(from, to, columns, err);
	if (rc != LEJR_OK)
		return rc;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");

	p->c = &c;
	p->exponent = org->exponent;
	rc = ledger_fiscal_start(db, org->id, p->start, err);
	if (rc == LEJR_OK)
		rc = pl_columns(p, from, to, columns, err);
	if (rc == LEJR_OK)
		rc = rpt_chart_load(db, org->id, &c, err);
	if (rc == LEJR_OK)
		rc = pl_alloc(p, err);
	if (rc == LEJR_OK)
		rc = pl_read(db, org->id, p, err);
	if (rc == LEJR_OK)
		rc = pl_check_columns(p, org->id, err);
	if (rc == LEJR_OK)
		rc = pl_check_net(db, org->id, p, err);
	if (rc == LEJR_OK)
		rc = pl_json(p, from, to, org->currency, &report, err);
	if (rc == LEJR_OK)
		*out = report;

	free(p->amount);
	free(p->d);
	free(p->cr);
	rpt_rows_free(&p->used);
	free(p);
	rpt_chart_free(&c);
	return rc;
}

/* ---- one account's balance ---- */

int
ledger_account_report(sqlite3 *db, const struct lejr_org *org,
		      const char *code, const char *date, json_t **out,
		      struct lejr_error *err)
{
	struct lejr_account a;
	int64_t net, other;
	json_t *o;
	int rc;

	*out = NULL;
	if (date != NULL && !lejr_date_valid(date))
		return bad_date("as_of", date, err);

	rc = ledger_account_get(db, org, code, &a, err);
	if (rc == LEJR_OK)
		rc = rpt_account_asof(db, org->id, a.id, date, &net, err);
	if (rc == LEJR_OK)
		rc = rpt_account_asof_from_end(db, org->id, a.id, date,
					       &other, err);
	if (rc != LEJR_OK)
		return rc;
	if (net != other)
		return rpt_check_failed(org->id, "account balance",
					"totals_agree", err);

	o = json_pack("{s:{s:s, s:s, s:s}, s:s?, s:s, s:{s:b}}",
		      "account", "code", a.code, "name", a.name,
		      "type", lejr_account_type_name(a.type),
		      "as_of", date, "currency", org->currency,
		      "checks", "totals_agree", 1);
	if (o == NULL ||
	    rpt_json_money(o, "balance", net, org->exponent) != 0 ||
	    rpt_json_money(o, "debit", net > 0 ? net : 0, org->exponent) != 0 ||
	    rpt_json_money(o, "credit", net < 0 ? -net : 0,
			   org->exponent) != 0) {
		json_decref(o);
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	}
	*out = o;
	return LEJR_OK;
}

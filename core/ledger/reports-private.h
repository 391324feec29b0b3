/*
 * reports-private.h - the sums behind the financial reports, shared by
 * report-sums.c, reports.c and general-ledger.c.
 *
 * Every figure comes from the totals tables that the triggers on lines
 * keep (per account: all time, per year, month, dekad and day, and
 * closing entries per day), never from a scan of the journal, so a
 * report reads a few rows per account whatever the number of postings.  Amounts
 * are int64_t minor units, debit positive; sums across accounts that
 * would overflow are LEJR_ECONFLICT, never wrapped.
 */
#ifndef LEJR_REPORTS_PRIVATE_H
#define LEJR_REPORTS_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger-private.h"

/* One account of the chart, as the reports name it. */
struct rpt_account {
	int64_t id;
	char code[LEJR_CODE_MAX + 1];
	char name[LEJR_NAME_MAX + 1];
	enum lejr_account_type type;
};

/* An id and the position of its account in the chart. */
struct rpt_slot {
	int64_t id;
	size_t pos;
};

struct rpt_snap;

/* Every account of an organization, archived ones included, in code
 * order; per-account sums are arrays of n in that order.  acct and
 * by_id belong to snap, which the connection may share with later
 * reports: read only. */
struct rpt_chart {
	const struct rpt_account *acct;
	const struct rpt_slot *by_id; /* sorted by id, for rpt_chart_find */
	size_t n;
	struct rpt_snap *snap;
	/* the ledger's first and last entry dates, as day numbers, when
	 * dated (it has entries), as the report's transaction sees them */
	int dated;
	int64_t first, last;
};

/* Which lines a range sum takes. */
enum rpt_closing {
	RPT_ALL_LINES,     /* every line */
	RPT_NO_CLOSING,    /* all but the lines of closing entries */
	RPT_ONLY_CLOSING   /* only those */
};

/*
 * The totals rows a report's figures read, as runs of units of one
 * level (all time, year, month, dekad, day), gathered so that its
 * checks can plan their sums around them and read other rows wherever
 * another way exists: a damaged total then shows as a failed check
 * instead of passing on both sides.  Zero it before use; free it with
 * rpt_rows_free.
 */
struct rpt_run;

struct rpt_rows {
	struct rpt_run *run;
	size_t n, cap;
};

void rpt_rows_free(struct rpt_rows *r);

/* Load org's chart, or take the one db keeps when the org's
 * chart_epoch has not moved since, and read the ledger's first and last
 * entry dates (dated, first, last) for the report's sums.  Free it with
 * rpt_chart_free (also after a failure, and on a zeroed struct). */
int rpt_chart_load(sqlite3 *db, int64_t org, struct rpt_chart *c,
		   struct lejr_error *err);
void rpt_chart_free(struct rpt_chart *c);

/* The position of account id in c, or -1. */
long rpt_chart_find(const struct rpt_chart *c, int64_t id);

/* Add v to *sum; LEJR_ECONFLICT (err set: the report is too large) on
 * overflow. */
int rpt_add(int64_t *sum, int64_t v, struct lejr_error *err);

/*
 * Each account's balance up to and including date (NULL: all time)
 * into net[c->n], debit positive; seen[i] (seen may be NULL) set to 1
 * when account i has lines by then.  Reads whole years, months and
 * dekads, and days only at the ends, taking away what lies past the
 * date when that reads fewer rows, and around the rows in avoid
 * (NULL: none).  The rows read are added to used unless it is NULL.
 */
int rpt_asof(sqlite3 *db, int64_t org, const struct rpt_chart *c,
	     const char *date, const struct rpt_rows *avoid,
	     struct rpt_rows *used, int64_t *net, unsigned char *seen,
	     struct lejr_error *err);

/*
 * Each account's debits and credits dated from..to, both inclusive and
 * valid, from <= to, into debit[c->n] and credit[c->n] (positive
 * magnitudes), counting the lines that which selects, planned as
 * rpt_asof is; closing entries come from their own totals.
 */
int rpt_range(sqlite3 *db, int64_t org, const struct rpt_chart *c,
	      const char *from, const char *to, enum rpt_closing which,
	      const struct rpt_rows *avoid, struct rpt_rows *used,
	      int64_t *debit, int64_t *credit, struct lejr_error *err);

/* The same two for one account (its id), answered from the rows of
 * that account only. */
int rpt_account_asof(sqlite3 *db, int64_t org, int64_t account,
		     const char *date, int64_t *net, struct lejr_error *err);
int rpt_account_range(sqlite3 *db, int64_t org, int64_t account,
		      const char *from, const char *to, int64_t *debit,
		      int64_t *credit, struct lejr_error *err);

/* An account's balance as of date computed the other way round: all
 * time, less the months after date's month and the days of that month
 * after date.  Reports compare it with rpt_account_asof as a check of
 * the totals. */
int rpt_account_asof_from_end(sqlite3 *db, int64_t org, int64_t account,
			      const char *date, int64_t *net,
			      struct lejr_error *err);

/* A report row's object with an account's code (NULL: a JSON null,
 * for a line of no account) and name, built without json_pack's
 * parsing; NULL when out of memory or not UTF-8. */
json_t *rpt_json_account(const char *code, const char *name);

/* Set key to the decimal text of minor and key_minor to minor. */
int rpt_json_money(json_t *o, const char *key, int64_t minor, int exponent);

/* The error of a report that fails its own check: logged as our fault,
 * since the totals or the journal disagree with themselves. */
int rpt_check_failed(int64_t org, const char *report, const char *check,
		     struct lejr_error *err);

#endif /* LEJR_REPORTS_PRIVATE_H */

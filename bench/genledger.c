/*
 * genledger.c - fill an organization with a large random ledger, fast,
 * through the ledger API itself (so every trigger and check runs), in
 * transactions of many entries.  For bench/reports.sh.
 *
 *     bench/genledger DBFILE SLUG POSTINGS [SEED]
 *
 * The organization must exist with its chart of accounts (lejrctl org
 * create).  Twenty accounts are added to it; then entries of 2 to 18
 * lines, dated at random over 2024 and 2025, are posted until POSTINGS
 * lines are written.  The same seed gives the same ledger.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/ledger-internal.h"

#define BATCH 2000        /* entries per transaction */
#define LINES_MAX 18      /* most lines in one entry */
#define ACCOUNTS_MAX 128
#define DAYS (366 + 365)  /* 2024 and 2025 */

struct gen {
	sqlite3 *db;
	struct ledger_org org;
	uint64_t state;
	char codes[ACCOUNTS_MAX][LEJR_CODE_MAX + 1];
	size_t ncodes;
	char dates[DAYS][24]; /* room for any int, to quiet gcc */
};

static uint64_t
next(struct gen *g)
{
	/* xorshift64* */
	g->state ^= g->state >> 12;
	g->state ^= g->state << 25;
	g->state ^= g->state >> 27;
	return g->state * 2685821657736338717ULL;
}

static int64_t
between(struct gen *g, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(next(g) % (uint64_t)(hi - lo + 1));
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every day of 2024 and 2025 as "YYYY-MM-DD". */
static void
fill_dates(struct gen *g)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	int year, month, day, n = 0;

	for (year = 2024; year <= 2025; year++)
		for (month = 1; month <= 12; month++)
			for (day = 1; day <= mdays[month - 1] +
			     (month == 2 && year % 4 == 0); day++)
				snprintf(g->dates[n++], sizeof(g->dates[0]),
					 "%04d-%02d-%02d", year, month, day);
}

/* Add twenty accounts of every type, then take the whole chart. */
static int
add_accounts(struct gen *g, struct lejr_error *err)
{
	static const enum lejr_account_type types[] = {
		LEJR_ASSET, LEJR_LIABILITY, LEJR_EQUITY, LEJR_INCOME,
		LEJR_EXPENSE
	};
	struct lejr_account_spec spec;
	char code[16], name[64];
	json_t *list, *a;
	size_t i;
	int rc;

	for (i = 0; i < 20; i++) {
		snprintf(code, sizeof(code), "%zu-B%02zu",
			 (size_t)types[i % 5], i);
		snprintf(name, sizeof(name), "Bench account %zu", i);
		spec = (struct lejr_account_spec){ code, name, types[i % 5],
						   NULL };
		rc = ledger_account_create(g->db, &g->org.pub, &spec, NULL,
					   err);
		if (rc != LEJR_OK && rc != LEJR_ECONFLICT)
			return rc;
	}

	rc = ledger_account_list(g->db, &g->org.pub, 0, &list, err);
	if (rc != LEJR_OK)
		return rc;
	json_array_foreach(list, i, a) {
		if (g->ncodes == ACCOUNTS_MAX)
			break;
		snprintf(g->codes[g->ncodes++], sizeof(g->codes[0]), "%s",
			 json_string_value(json_object_get(a, "code")));
	}
	json_decref(list);
	return LEJR_OK;
}

/* One random balanced entry of n lines: debits first, then credits
 * that share their total. */
static int
post_one(struct gen *g, int n, struct lejr_error *err)
{
	struct lejr_line_spec lines[LINES_MAX];
	struct lejr_entry_spec spec;
	int64_t total = 0, left, id;
	int i, ndebit;

	ndebit = (int)between(g, 1, n - 1);
	for (i = 0; i < ndebit; i++) {
		lines[i].amount = between(g, 1, 5000000);
		total += lines[i].amount;
	}
	if (total < n - ndebit) {
		lines[0].amount += n - ndebit;
		total += n - ndebit;
	}
	for (left = total; i < n - 1; i++) {
		lines[i].amount = -between(g, 1, left - (n - 1 - i));
		left += lines[i].amount;
	}
	lines[n - 1].amount = -left;

	for (i = 0; i < n; i++) {
		lines[i].account = g->codes[next(g) % g->ncodes];
		lines[i].memo = NULL;
	}

	spec = (struct lejr_entry_spec){
		.date = g->dates[next(g) % DAYS],
		.memo = "bench entry",
		.lines = lines,
		.nlines = (size_t)n,
	};
	return ledger_entry_post(g->db, &g->org.pub, 0, &spec, &id, err);
}

static int
post_all(struct gen *g, long postings, struct lejr_error *err)
{
	long done = 0, entries = 0, k;
	double start = now();
	int rc = LEJR_OK, n;

	while (rc == LEJR_OK && done < postings) {
		rc = ledger_begin(g->db, 1, err);
		for (k = 0; rc == LEJR_OK && k < BATCH && done < postings;
		     k++) {
			/* exactly postings lines: never leave one over */
			n = (int)between(g, 2, LINES_MAX);
			if (n >= postings - done)
				n = (int)(postings - done);
			else if (postings - done - n == 1)
				n = n > 2 ? n - 1 : n + 1;
			rc = post_one(g, n, err);
			done += n;
			entries++;
		}
		if (rc == LEJR_OK)
			rc = ledger_commit(g->db, err);
		if (rc != LEJR_OK)
			ledger_rollback(g->db);
	}

	if (rc == LEJR_OK)
		printf("posted %ld lines in %ld entries in %.1f s\n", done,
		       entries, now() - start);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct gen g;
	struct lejr_error err = { 0 };
	long postings;
	int rc;

	if (argc < 4 || argc > 5 || (postings = atol(argv[3])) < 2) {
		fprintf(stderr, "usage: %s DBFILE SLUG POSTINGS [SEED]\n",
			argv[0]);
		return 2;
	}
	g.state = argc == 5 ? strtoull(argv[4], NULL, 10) | 1 : 20250101;
	fill_dates(&g);

	rc = ledger_open(argv[1], &g.db, &err);
	if (rc == LEJR_OK)
		rc = ledger_org_find(g.db, argv[2], &g.org, &err);
	if (rc == LEJR_OK)
		rc = ledger_begin(g.db, 1, &err);
	if (rc == LEJR_OK) {
		rc = add_accounts(&g, &err);
		if (rc == LEJR_OK)
			rc = ledger_commit(g.db, &err);
		else
			ledger_rollback(g.db);
	}
	if (rc == LEJR_OK)
		rc = post_all(&g, postings, &err);

	if (rc != LEJR_OK)
		fprintf(stderr, "genledger: %s\n", err.msg);
	ledger_close(g.db);
	return rc == LEJR_OK ? 0 : 1;
}

/*
 * report-speed.c - how fast the ledger's reports answer on a large
 * ledger, from one thread and from many at once.
 *
 *   bench/report-speed DBPATH POSTINGS [THREADS]
 *
 * Makes DBPATH, unless it exists, with an organization "bench" holding
 * POSTINGS journal lines (two per entry, dated over 2023 to 2025, with
 * closing entries for 2023 and 2024), then times each report in read
 * transactions: alone, then THREADS (default 32) threads at once, each
 * on its own connection, asking for trial balances and balance sheets
 * at random dates.  Prints p50 and p99 in milliseconds.  Figures depend
 * on the machine and are printed, never asserted.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ledger/ledger-internal.h"
#include "log.h"

#define ROUNDS 200        /* timed calls of each report, alone */
#define THREAD_CALLS 200  /* calls of each thread */
#define BATCH 20000       /* entries per write transaction */

struct acct {
	const char *code;
	const char *name;
	enum lejr_account_type type;
};

static char codes[64][8];
static struct acct chart[64];
static size_t nchart;

static const char *db_path;

/* ---- the ledger ---- */

static void
die(const char *what, const struct lejr_error *err)
{
	fprintf(stderr, "report-speed: %s: %s\n", what,
		err != NULL ? err->msg : "failed");
	exit(1);
}

static void
chart_add(int code, const char *name, enum lejr_account_type type)
{
	snprintf(codes[nchart], sizeof(codes[nchart]), "%d", code);
	chart[nchart].code = codes[nchart];
	chart[nchart].name = name;
	chart[nchart].type = type;
	nchart++;
}

/* 20 assets, 10 liabilities, 5 equity, 10 income, 15 expense. */
static void
chart_make(void)
{
	for (int i = 0; i < 20; i++)
		chart_add(1000 + 10 * i, "Asset", LEJR_ASSET);
	for (int i = 0; i < 10; i++)
		chart_add(2000 + 10 * i, "Liability", LEJR_LIABILITY);
	for (int i = 0; i < 5; i++)
		chart_add(3000 + 100 * i, "Equity", LEJR_EQUITY);
	for (int i = 0; i < 10; i++)
		chart_add(4000 + 10 * i, "Income", LEJR_INCOME);
	for (int i = 0; i < 15; i++)
		chart_add(6000 + 10 * i, "Expense", LEJR_EXPENSE);
}

static const char *
pick(enum lejr_account_type type, unsigned r)
{
	size_t n = 0, i;

	for (i = 0; i < nchart; i++)
		n += chart[i].type == type;
	r %= (unsigned)n;
	for (i = 0; i < nchart; i++)
		if (chart[i].type == type && r-- == 0)
			return chart[i].code;
	return NULL;
}

static void
random_day(unsigned r, char out[11])
{
	struct tm tm = { .tm_year = 123, .tm_mon = 0,
			 .tm_mday = 1 + (int)(r % 1096), .tm_hour = 12 };

	timegm(&tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* One two-line entry: a sale, an expense, a transfer or a loan. */
static void
random_entry(sqlite3 *db, const struct lejr_org *org, unsigned r1,
	     unsigned r2)
{
	struct lejr_line_spec l[2] = { { 0 }, { 0 } };
	struct lejr_entry_spec spec = { .memo = "bench entry", .lines = l,
					.nlines = 2 };
	struct lejr_error err;
	int64_t id, amount = 1 + r2 % 100000;
	char day[11];

	random_day(r1 >> 4, day);
	spec.date = day;
	switch (r1 & 3) {
	case 0:
		l[0].account = chart[1].code;
		l[1].account = pick(LEJR_INCOME, r2 >> 8);
		break;
	case 1:
		l[0].account = pick(LEJR_EXPENSE, r2 >> 8);
		l[1].account = chart[1].code;
		break;
	case 2:
		l[0].account = pick(LEJR_ASSET, r2 >> 8);
		l[1].account = pick(LEJR_ASSET, r2 >> 16);
		break;
	default:
		l[0].account = chart[1].code;
		l[1].account = pick(LEJR_LIABILITY, r2 >> 8);
	}
	l[0].amount = amount;
	l[1].amount = -amount;
	if (ledger_entry_post(db, org, 0, &spec, &id, &err) != LEJR_OK)
		die("posting", &err);
}

/* Close year's income and expenses into 3100. */
static void
close_year(sqlite3 *db, const struct lejr_org *org, int year)
{
	struct lejr_line_spec l[32];
	struct lejr_entry_spec spec = { .memo = "Closing", .lines = l };
	struct lejr_error err;
	sqlite3_stmt *st;
	char first[11], last[11];
	int64_t total = 0, id;

	snprintf(first, sizeof(first), "%04d-01-01", year);
	snprintf(last, sizeof(last), "%04d-12-31", year);
	if (sqlite3_prepare_v2(db, "SELECT a.code, sum(l.amount) FROM lines "
			       "l JOIN accounts a ON a.id = l.account_id "
			       "WHERE a.type IN (4, 5) AND l.date BETWEEN ? "
			       "AND ? GROUP BY a.code", -1, &st, NULL) !=
	    SQLITE_OK)
		die("closing", NULL);
	sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, last, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && spec.nlines < 30) {
		l[spec.nlines].account = codes[0];
		for (size_t i = 0; i < nchart; i++)
			if (strcmp(chart[i].code, (const char *)
				   sqlite3_column_text(st, 0)) == 0)
				l[spec.nlines].account = chart[i].code;
		l[spec.nlines].amount = -sqlite3_column_int64(st, 1);
		l[spec.nlines].memo = NULL;
		total += sqlite3_column_int64(st, 1);
		spec.nlines++;
	}
	sqlite3_finalize(st);

	l[spec.nlines].account = "3100";
	l[spec.nlines].amount = total;
	l[spec.nlines].memo = NULL;
	spec.nlines++;
	spec.date = last;
	if (ledger_entry_post_ex(db, org, 0, &spec, LEJR_ENTRY_CLOSING, &id,
				 &err) != LEJR_OK)
		die("posting a closing entry", &err);
}

static void
generate(long postings)
{
	struct lejr_account_spec as;
	struct lejr_error err;
	struct ledger_org org;
	sqlite3 *db;
	int64_t org_id;
	unsigned seed = 12345;
	long entries = postings / 2;

	if (ledger_open(db_path, &db, &err) != LEJR_OK)
		die("opening", &err);
	if (ledger_begin(db, 1, &err) != LEJR_OK ||
	    ledger_org_create(db, "bench", "Bench Ltd", "EUR", &org_id,
			      &err) != LEJR_OK ||
	    ledger_org_load(db, org_id, &org, &err) != LEJR_OK)
		die("creating the organization", &err);
	for (size_t i = 0; i < nchart; i++) {
		as = (struct lejr_account_spec){ .code = chart[i].code,
			.name = chart[i].name, .type = chart[i].type };
		if (ledger_account_create(db, &org.pub, &as, NULL, &err) !=
		    LEJR_OK)
			die("creating accounts", &err);
	}

	for (long i = 0; i < entries; i++) {
		random_entry(db, &org.pub, (unsigned)rand_r(&seed),
			     (unsigned)rand_r(&seed));
		if ((i + 1) % BATCH == 0 &&
		    (ledger_commit(db, &err) != LEJR_OK ||
		     ledger_begin(db, 1, &err) != LEJR_OK))
			die("committing", &err);
	}
	close_year(db, &org.pub, 2023);
	close_year(db, &org.pub, 2024);
	if (ledger_commit(db, &err) != LEJR_OK)
		die("committing", &err);
	ledger_close(db);
}

/* ---- timing ---- */

enum report {
	R_TB, R_BS, R_PL12, R_PL1, R_GL, R_GL_YEAR, R_GL500, R_BAL,
	NREPORTS
};

static const char *const report_names[] = {
	"trial balance, random date", "balance sheet, random date",
	"profit and loss, 12 monthly columns", "profit and loss, one year",
	"general ledger, busy account, one month (100 lines)",
	"general ledger, busy account, a year, first page",
	"general ledger, busy account, a year, 500 lines",
	"account balance, random date"
};

static double
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time of the last run() on this thread: the cost of a report
 * without the waits that a busy machine adds. */
static __thread double last_cpu_ms;

/* One report call in its own read transaction; its time in ms. */
static double
run(sqlite3 *db, const struct lejr_org *org, enum report r, unsigned rnd)
{
	struct lejr_error err;
	char day[11], from[11], to[11];
	json_t *out = NULL;
	double t0;
	int rc;

	random_day(rnd, day);
	snprintf(from, sizeof(from), "%.4s-01-01", day);
	snprintf(to, sizeof(to), "%.4s-12-31", day);
	last_cpu_ms = clock_ms(CLOCK_THREAD_CPUTIME_ID);
	t0 = now_ms();
	if (ledger_begin(db, 0, &err) != LEJR_OK)
		die("begin", &err);
	switch (r) {
	case R_TB:
		rc = ledger_trial_balance(db, org, day, &out, &err);
		break;
	case R_BS:
		rc = ledger_balance_sheet(db, org, day, &out, &err);
		break;
	case R_PL12:
		rc = ledger_profit_and_loss(db, org, from, to, "month", &out,
					    &err);
		break;
	case R_PL1:
		rc = ledger_profit_and_loss(db, org, from, to, NULL, &out,
					    &err);
		break;
	case R_GL:
		snprintf(from, sizeof(from), "%.7s-01", day);
		snprintf(to, sizeof(to), "%.7s-28", day);
		rc = ledger_general_ledger(db, org, "1010", from, to, NULL,
					   100, &out, &err);
		break;
	case R_GL_YEAR:
	case R_GL500:
		rc = ledger_general_ledger(db, org, "1010", from, to, NULL,
					   r == R_GL500 ? 500 : 100, &out,
					   &err);
		break;
	default:
		rc = ledger_account_report(db, org, "1010", day, &out, &err);
	}
	ledger_rollback(db);
	if (rc != LEJR_OK)
		die(report_names[r], &err);
	json_decref(out);
	last_cpu_ms = clock_ms(CLOCK_THREAD_CPUTIME_ID) - last_cpu_ms;
	return now_ms() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
print_pct(const char *what, double *ms, double *cpu, size_t n)
{
	qsort(ms, n, sizeof(*ms), cmp_double);
	qsort(cpu, n, sizeof(*cpu), cmp_double);
	printf("%-52s p50 %6.2f  p99 %7.2f  cpu p50 %6.2f  p99 %6.2f\n",
	       what, ms[n / 2], ms[(n * 99) / 100], cpu[n / 2],
	       cpu[(n * 99) / 100]);
}

static sqlite3 *
open_org(struct ledger_org *org)
{
	struct lejr_error err;
	sqlite3 *db;

	if (ledger_open(db_path, &db, &err) != LEJR_OK ||
	    ledger_org_find(db, "bench", org, &err) != LEJR_OK)
		die("opening", &err);
	return db;
}

static void
time_alone(void)
{
	struct ledger_org org;
	double ms[ROUNDS], cpu[ROUNDS];
	unsigned seed = 777;
	sqlite3 *db;

	db = open_org(&org);
	printf("%-52s milliseconds: wall time, and CPU time of the thread\n",
	       "one thread");
	for (int r = 0; r < NREPORTS; r++) {
		run(db, &org.pub, (enum report)r, 1);
		for (int i = 0; i < ROUNDS; i++) {
			ms[i] = run(db, &org.pub, (enum report)r,
				    (unsigned)rand_r(&seed));
			cpu[i] = last_cpu_ms;
		}
		print_pct(report_names[r], ms, cpu, ROUNDS);
	}
	ledger_close(db);
}

struct worker {
	pthread_t thread;
	unsigned seed;
	double ms[THREAD_CALLS];
	double cpu[THREAD_CALLS];
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct ledger_org org;
	sqlite3 *db;

	db = open_org(&org);
	for (int i = 0; i < THREAD_CALLS; i++) {
		w->ms[i] = run(db, &org.pub, i % 2 ? R_BS : R_TB,
			       (unsigned)rand_r(&w->seed));
		w->cpu[i] = last_cpu_ms;
	}
	ledger_close(db);
	return NULL;
}

static void
time_together(int nthreads)
{
	struct worker *w;
	double *all, *cpu, t0;
	size_t n = 0;

	w = calloc((size_t)nthreads, sizeof(*w));
	all = calloc((size_t)nthreads * THREAD_CALLS, sizeof(*all));
	cpu = calloc((size_t)nthreads * THREAD_CALLS, sizeof(*cpu));
	if (w == NULL || all == NULL || cpu == NULL)
		die("out of memory", NULL);

	t0 = now_ms();
	for (int i = 0; i < nthreads; i++) {
		w[i].seed = 1000u + (unsigned)i;
		pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].thread, NULL);
		memcpy(all + n, w[i].ms, sizeof(w[i].ms));
		memcpy(cpu + n, w[i].cpu, sizeof(w[i].cpu));
		n += THREAD_CALLS;
	}
	printf("%d threads, %zu trial balances and balance sheets in "
	       "%.0f ms on %ld CPUs:\n", nthreads, n, now_ms() - t0,
	       sysconf(_SC_NPROCESSORS_ONLN));
	print_pct("  each call", all, cpu, n);
	free(w);
	free(all);
	free(cpu);
}

int
main(int argc, char **argv)
{
	long postings;
	int threads = 32;
	double t0;

	if (argc < 3) {
		fprintf(stderr, "usage: report-speed DBPATH POSTINGS "
			"[THREADS]\n");
		return 2;
	}
	db_path = argv[1];
	postings = atol(argv[2]);
	if (argc > 3)
		threads = atoi(argv[3]);
	lejr_log_set_level(LEJR_LOG_WARN);
	chart_make();

	if (access(db_path, F_OK) != 0) {
		t0 = now_ms();
		generate(postings);
		printf("made %ld postings in %.1f s\n", postings,
		       (now_ms() - t0) / 1e3);
	}
	time_alone();
	time_together(threads);
	return 0;
}

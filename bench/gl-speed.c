/*
 * gl-speed.c - how long one page of the general ledger takes in the
 * ledger, away from the server.
 *
 *   bench/gl-speed DBPATH ORG ACCOUNT FROM LIMIT [ROUNDS] [OUT]
 *
 * Opens DBPATH with the page cache of a server worker, asks ROUNDS
 * times (default 200) for the first page of ACCOUNT from day FROM in
 * organization ORG (a slug), in a read transaction each, and prints
 * the median and 99th percentile in milliseconds of building the page
 * (wall and CPU time: other work on the machine inflates the first)
 * and of serializing it.  With OUT, also walks every page of the
 * period with next_cursor and writes them, one JSON document a line,
 * to OUT, so that two builds can be compared.  GL_SPEED_SQL in the
 * environment is run on the connection first (say, a pragma to try).
 * Figures depend on the machine and are printed, never asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/ledger-internal.h"
#include "runtime-internal.h"

#define ROUNDS_MAX 100000

static void
die(const char *what, const struct lejr_error *err)
{
	fprintf(stderr, "gl-speed: %s: %s\n", what,
		err != NULL ? err->msg : "failed");
	exit(1);
}

static double
now_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One page in a read transaction; the page, or exit. */
static json_t *
page(sqlite3 *db, const struct lejr_org *org, const char *code,
     const char *from, const char *cursor, int limit)
{
	struct lejr_error err = { 0 };
	json_t *out = NULL;

	if (ledger_begin(db, 0, &err) != LEJR_OK ||
	    ledger_general_ledger(db, org, code, from, NULL, cursor, limit,
				  &out, &err) != LEJR_OK)
		die("general_ledger", &err);
	ledger_rollback(db);
	return out;
}

static void
report(const char *what, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("%-10s p50 %.3f ms, p99 %.3f ms, min %.3f ms (%d rounds)\n",
	       what, t[n / 2], t[n * 99 / 100], t[0], n);
}

/* Every page of the period, one compact JSON document a line. */
static void
walk(sqlite3 *db, const struct lejr_org *org, const char *code,
     const char *from, int limit, const char *path)
{
	FILE *f = fopen(path, "w");
	char cursor[512] = "";
	json_t *out;
	const char *next;
	int pages = 0;

	if (f == NULL)
		die(path, NULL);
	do {
		out = page(db, org, code, from, cursor[0] ? cursor : NULL,
			   limit);
		if (json_dumpf(out, f, JSON_COMPACT) != 0)
			die("writing", NULL);
		fputc('\n', f);
		next = json_string_value(json_object_get(out, "next_cursor"));
		snprintf(cursor, sizeof(cursor), "%s", next ? next : "");
		json_decref(out);
		pages++;
	} while (cursor[0] != '\0');
	fclose(f);
	printf("%d pages written to %s\n", pages, path);
}

/* The database as a server worker has it, and the organization. */
static sqlite3 *
open_db(const char *path, const char *slug, struct ledger_org *org)
{
	struct lejr_error err = { 0 };
	char pragma[64];
	sqlite3 *db;

	if (ledger_open(path, &db, &err) != LEJR_OK ||
	    ledger_org_find(db, slug, org, &err) != LEJR_OK)
		die(path, &err);
	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%d",
		 LEJR_DB_CACHE_KIB);
	if (sqlite3_exec(db, pragma, NULL, NULL, NULL) != SQLITE_OK)
		die(pragma, NULL);
	if (getenv("GL_SPEED_SQL") != NULL &&
	    sqlite3_exec(db, getenv("GL_SPEED_SQL"), NULL, NULL, NULL) !=
	    SQLITE_OK)
		die("GL_SPEED_SQL", NULL);
	return db;
}

int
main(int argc, char **argv)
{
	struct ledger_org org;
	sqlite3 *db;
	double *build, *cpu, *dump, t0, t1, c0;
	json_t *out;
	char *s;
	int rounds, limit;

	if (argc < 6) {
		fprintf(stderr, "usage: gl-speed DBPATH ORG ACCOUNT FROM "
			"LIMIT [ROUNDS] [OUT]\n");
		return 2;
	}
	limit = atoi(argv[5]);
	rounds = argc > 6 ? atoi(argv[6]) : 200;
	if (rounds < 1 || rounds > ROUNDS_MAX)
		rounds = 200;
	build = calloc((size_t)rounds, sizeof(*build));
	cpu = calloc((size_t)rounds, sizeof(*cpu));
	dump = calloc((size_t)rounds, sizeof(*dump));
	if (build == NULL || cpu == NULL || dump == NULL)
		die("out of memory", NULL);

	db = open_db(argv[1], argv[2], &org);
	for (int i = 0; i < rounds; i++) {
		c0 = now_ms(CLOCK_THREAD_CPUTIME_ID);
		t0 = now_ms(CLOCK_MONOTONIC);
		out = page(db, &org.pub, argv[3], argv[4], NULL, limit);
		t1 = now_ms(CLOCK_MONOTONIC);
		cpu[i] = now_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
		s = json_dumps(out, JSON_COMPACT);
		dump[i] = now_ms(CLOCK_MONOTONIC) - t1;
		build[i] = t1 - t0;
		free(s);
		json_decref(out);
	}
	report("build", build, rounds);
	report("build cpu", cpu, rounds);
	report("serialize", dump, rounds);

	if (argc > 7)
		walk(db, &org.pub, argv[3], argv[4], limit, argv[7]);
	free(build);
	free(cpu);
	free(dump);
	ledger_close(db);
	return 0;
}

/*
 * sqlite-fsync.c - how many single, durable SQLite transactions this
 * disk takes per second: one INSERT per transaction, WAL mode,
 * synchronous=FULL, as lejrd commits a posting.  The yardstick for
 * post_journal_entry throughput.
 *
 *     bench/sqlite-fsync DBFILE SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	double start, seconds;
	long n = 0;
	int rc = 1;

	if (argc != 3 || (seconds = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: %s DBFILE SECONDS\n", argv[0]);
		return 2;
	}

	if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=FULL;"
			 "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY,"
			 " v TEXT);", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t(v) VALUES ('posting')", -1,
			       &ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite-fsync: %s\n", sqlite3_errmsg(db));
		goto out;
	}

	start = now();
	while (now() - start < seconds) {
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ||
		    sqlite3_step(ins) != SQLITE_DONE ||
		    sqlite3_reset(ins) ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) {
			fprintf(stderr, "sqlite-fsync: %s\n",
				sqlite3_errmsg(db));
			goto out;
		}
		n++;
	}
	printf("%.0f\n", (double)n / (now() - start));
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return rc;
}

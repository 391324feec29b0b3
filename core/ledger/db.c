/*
 * db.c - opening the database, schema migrations, transactions, dates.
 */
#include <pthread.h>
#include <string.h>

#include "log.h"
#include "ledger-private.h"

#define BUSY_TIMEOUT_MS 5000

static int
owner_ok(const char *owner)
{
	size_t n = 0;

	if (owner == NULL)
		return 0;
	for (; owner[n] != '\0'; n++)
		if (!((owner[n] >= 'a' && owner[n] <= 'z') ||
		      (owner[n] >= '0' && owner[n] <= '9') || owner[n] == '_'))
			return 0;
	return n > 0 && n <= 64;
}

/* The highest version of owner already applied (0: none), or -1. */
static int
migration_max(sqlite3 *db, const char *owner, int *max,
	      struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT coalesce(max(version), 0) "
			    "FROM schema_migrations WHERE owner = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, owner);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*max = sqlite3_column_int(st, 0);
		rc = LEJR_OK;
	} else {
		rc = ledger_db_error(db, "reading applied migrations", err);
	}

	ledger_finalize(db, st);
	return rc;
}

static int
migration_record(sqlite3 *db, const char *owner, int version,
		 struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "INSERT INTO schema_migrations "
			    "(owner, version, applied_at) VALUES (?, ?, "
			    LEDGER_NOW_SQL ")", &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, owner);
	sqlite3_bind_int(st, 2, version);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "recording a migration", err);

	ledger_finalize(db, st);
	return rc;
}

/* A plugin's migration, in the plugin's sandbox, and then checked to
 * have made nothing but the plugin's own objects (a table renamed to
 * another name, say). */
static int
plugin_migration(sqlite3 *db, const char *owner, int version,
		 const char *sql, struct lejr_error *err)
{
	char **before = NULL, **after = NULL, why[200];
	size_t nbefore = 0, nafter = 0;
	int rc = LEJR_OK;

	if (ledger_schema_names(db, &before, &nbefore) != 0)
		return lejr_error_set(err, LEJR_EINTERNAL, "migration %d of "
				      "%s: cannot list the schema", version,
				      owner);
	ledger_sandbox_enter(owner, LEDGER_SANDBOX_MIGRATION);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		rc = lejr_error_set(err, LEJR_EINTERNAL, "migration %d of %s "
				    "failed: %s", version, owner,
				    sqlite3_errmsg(db));
	else if (sqlite3_get_autocommit(db))
		rc = lejr_error_set(err, LEJR_EINTERNAL, "migration %d of %s "
				    "ended its transaction", version, owner);
	ledger_sandbox_leave();

	if (rc == LEJR_OK && ledger_schema_names(db, &after, &nafter) != 0)
		rc = lejr_error_set(err, LEJR_EINTERNAL, "migration %d of "
				    "%s: cannot list the schema", version,
				    owner);
	else if (rc == LEJR_OK &&
		 !ledger_sandbox_made_ok(owner, before, nbefore, after,
					 nafter, why, sizeof(why)))
		rc = lejr_error_set(err, LEJR_EINVAL, "migration %d of %s: "
				    "%s", version, owner, why);
	if (rc != LEJR_OK)
		lejr_log(LEJR_LOG_ERROR, "%s", err->msg);
	ledger_strings_free(before, nbefore);
	ledger_strings_free(after, nafter);
	return rc;
}

/* Run the migration's SQL and record it, inside the open transaction. */
static int
migration_apply(sqlite3 *db, const char *owner, int version,
		const char *sql, struct lejr_error *err)
{
	int rc;

	if (strcmp(owner, "core") != 0) {
		rc = plugin_migration(db, owner, version, sql, err);
	} else if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK) {
		rc = LEJR_OK;
	} else {
		lejr_log(LEJR_LOG_ERROR, "migration %d of %s failed: %s",
			 version, owner, sqlite3_errmsg(db));
		rc = lejr_error_set(err, LEJR_EINTERNAL,
				    "migration %d of %s failed: %s",
				    version, owner, sqlite3_errmsg(db));
	}
	return rc == LEJR_OK ? migration_record(db, owner, version, err)
			     : rc;
}

int
ledger_migration_owners(sqlite3 *db, char ***owners, size_t *n)
{
	return ledger_strings(db, "SELECT DISTINCT owner FROM "
			      "schema_migrations WHERE owner != 'core'",
			      owners, n);
}

int
ledger_migrate(sqlite3 *db, const char *owner, int version,
	       const char *sql, struct lejr_error *err)
{
	const char *path;
	int rc, max = 0;

	if (!owner_ok(owner) || version < 1 || sql == NULL)
		return lejr_error_set(err, LEJR_EINVAL,
				      "migration needs an owner [a-z0-9_]+, "
				      "a version >= 1 and SQL");
	if (!sqlite3_get_autocommit(db))
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "migration %d of %s: a transaction is "
				      "already open", version, owner);

	/* Applied already, as on every connection but the first: a read
	 * says so without waiting for the write lock, which the writer
	 * may hold for a while. */
	rc = migration_max(db, owner, &max, err);
	if (rc != LEJR_OK || version <= max)
		return rc;

	/* IMMEDIATE, so that two processes opening the same file at once
	 * apply each migration exactly once. */
	rc = ledger_begin(db, 1, err);
	if (rc != LEJR_OK)
		return rc;

	rc = migration_max(db, owner, &max, err);
	if (rc != LEJR_OK)
		goto fail;

	if (version <= max) {
		ledger_rollback(db);
		return LEJR_OK;
	}
	if (version != max + 1) {
		rc = lejr_error_set(err, LEJR_EINVAL,
				    "migration %d of %s cannot run before "
				    "migration %d", version, owner, max + 1);
		goto fail;
	}

	rc = migration_apply(db, owner, version, sql, err);
	if (rc == LEJR_OK)
		rc = ledger_commit(db, err);
	if (rc != LEJR_OK)
		goto fail;

	/* A database in memory (the sandbox's list of the core's names)
	 * is nobody's news. */
	path = sqlite3_db_filename(db, "main");
	if (path != NULL && *path != '\0')
		lejr_log(LEJR_LOG_INFO, "database: applied migration %d of "
			 "%s", version, owner);
	return LEJR_OK;

fail:
	ledger_rollback(db);
	return rc;
}

/* Set one pragma and check the value it reports back, when given. */
static int
pragma(sqlite3 *db, const char *sql, const char *want,
       struct lejr_error *err)
{
	sqlite3_stmt *st;
	const char *got;
	int rc;

	rc = ledger_prepare_once(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;

	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = ledger_db_error(db, "setting up the connection", err);
		goto out;
	}

	rc = LEJR_OK;
	if (want == NULL)
		goto out;

	got = (const char *)sqlite3_column_text(st, 0);
	if (got == NULL || strcmp(got, want) != 0)
		rc = lejr_error_set(err, LEJR_EINTERNAL,
				    "database: \"%s\" answered %s, not %s", sql,
				    got != NULL ? got : "nothing", want);

out:
	ledger_finalize(db, st);
	return rc;
}

static int
configure(sqlite3 *db, const char *path, struct lejr_error *err)
{
	int rc;

	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	ledger_stmt_cache_init(db);

	/* An in-memory database cannot use WAL; only tests open one. */
	rc = pragma(db, "PRAGMA journal_mode = WAL",
		    strcmp(path, ":memory:") == 0 ? "memory" : "wal", err);
	if (rc == LEJR_OK)
		rc = pragma(db, "PRAGMA synchronous = FULL", NULL, err);
	if (rc == LEJR_OK)
		rc = pragma(db, "PRAGMA foreign_keys = ON", NULL, err);
	if (rc == LEJR_OK)
		rc = pragma(db, "PRAGMA foreign_keys", "1", err);
	/* the default 2 MB page cache is small for a ledger's indexes */
	if (rc == LEJR_OK)
		rc = pragma(db, "PRAGMA cache_size = -32768", NULL, err);
	return rc;
}

/*
 * SQLite's settings for the whole process, before its first use.  The
 * count of memory in use would take one process-wide mutex on every
 * allocation of every connection; nothing reads it.  Once SQLite runs
 * (another part of the process used it first) this fails harmlessly.
 */
static void
sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
ledger_open(const char *path, sqlite3 **db, struct lejr_error *err)
{
	static pthread_once_t setup = PTHREAD_ONCE_INIT;
	sqlite3 *conn = NULL;
	size_t i;
	int rc;

	*db = NULL;
	pthread_once(&setup, sqlite_setup);

	/* A connection serves one thread at a time (ledger-internal.h),
	 * so SQLite need not lock it on every call: NOMUTEX. */
	if (sqlite3_open_v2(path, &conn, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = lejr_error_set(err, LEJR_EINTERNAL,
				    "cannot open database %s: %s", path,
				    conn != NULL ? sqlite3_errmsg(conn)
						 : "out of memory");
		goto fail;
	}

	/* No SQL may corrupt the file, and the FTS3 tokenizer function
	 * does not hand out pointers; then the plugins' sandbox. */
	sqlite3_db_config(conn, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(conn, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0,
			  NULL);
	ledger_sandbox_install(conn);
	rc = configure(conn, path, err);
	if (rc != LEJR_OK)
		goto fail;

	rc = ledger_exec(conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			 " owner TEXT NOT NULL,"
			 " version INTEGER NOT NULL,"
			 " applied_at TEXT NOT NULL,"
			 " PRIMARY KEY (owner, version)) WITHOUT ROWID", err);
	if (rc != LEJR_OK)
		goto fail;

	for (i = 0; i < ledger_core_nmigrations; i++) {
		rc = ledger_migrate(conn, "core",
				    ledger_core_migrations[i].version,
				    ledger_core_migrations[i].sql, err);
		if (rc != LEJR_OK)
			goto fail;
	}

	*db = conn;
	return LEJR_OK;

fail:
	ledger_stmt_cache_drop(conn);
	sqlite3_close(conn);
	return rc;
}

void
ledger_close(sqlite3 *db)
{
	if (db == NULL)
		return;
	ledger_stmt_cache_drop(db);
	if (sqlite3_close(db) != SQLITE_OK)
		lejr_log(LEJR_LOG_ERROR, "database: closing: %s",
			 sqlite3_errmsg(db));
}

static const char begin_read_sql[] = "BEGIN DEFERRED";
static const char begin_write_sql[] = "BEGIN IMMEDIATE";
static const char commit_sql[] = "COMMIT";
static const char rollback_sql[] = "ROLLBACK";

/* Run one transaction statement, kept prepared like any other (every
 * call opens and ends a transaction); SQLITE_OK or the error code, with
 * the connection's error message set. */
static int
tx_run(sqlite3 *db, const char *sql)
{
	struct lejr_error ignored = { 0 };
	sqlite3_stmt *st;
	int rc;

	if (ledger_prepare(db, sql, &st, &ignored) != LEJR_OK)
		return SQLITE_ERROR;
	rc = sqlite3_step(st);
	ledger_finalize(db, st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
ledger_begin(sqlite3 *db, int write, struct lejr_error *err)
{
	if (tx_run(db, write ? begin_write_sql : begin_read_sql) != SQLITE_OK)
		return ledger_db_error(db, "starting a transaction", err);
	return LEJR_OK;
}

int
ledger_commit(sqlite3 *db, struct lejr_error *err)
{
	if (tx_run(db, commit_sql) != SQLITE_OK)
		return ledger_db_error(db, "committing", err);
	return LEJR_OK;
}

void
ledger_rollback(sqlite3 *db)
{
	if (db == NULL || sqlite3_get_autocommit(db))
		return;
	if (tx_run(db, rollback_sql) != SQLITE_OK)
		lejr_log(LEJR_LOG_ERROR, "database: rolling back: %s",
			 sqlite3_errmsg(db));
}

static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
lejr_date_valid(const char *date)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	int y, m, d, leap, max;

	if (date == NULL || strlen(date) != 10 || date[4] != '-' ||
	    date[7] != '-')
		return 0;

	y = digits(date, 4);
	m = digits(date + 5, 2);
	d = digits(date + 8, 2);
	if (y < LEJR_YEAR_MIN || y > LEJR_YEAR_MAX || m < 1 || m > 12 ||
	    d < 1)
		return 0;

	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	max = mdays[m - 1] + (m == 2 && leap);
	return d <= max;
}

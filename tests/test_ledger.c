/*
 * test_ledger.c - the ledger over a real SQLite file in a temporary
 * directory: organizations, accounts, entries, reversals, immutability,
 * balances, lists, idempotency, tokens, passwords and the activity log.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "log.h"
#include "ledger/ledger-internal.h"
#include "ledger/ledger-private.h"

static char dir[64];
static char path[128];
static sqlite3 *db;
static struct ledger_org acme, other;
static int64_t acme_id, other_id, owner_id;
static struct lejr_error err;

static void
setup(void)
{
	lejr_log_set_level(LEJR_LOG_WARN);
	snprintf(dir, sizeof(dir), "/tmp/lejr-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ledger.db", dir);

	cr_assert_eq(ledger_open(path, &db, &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_org_create(db, "acme", "Acme Ltd", "EUR",
				       &acme_id, &err), LEJR_OK, "%s",
		     err.msg);
	cr_assert_eq(ledger_org_create(db, "other", "Other Secret Corp", "EUR",
				       &other_id, &err), LEJR_OK);
	cr_assert_eq(ledger_chart_seed(db, acme_id, &err), LEJR_OK, "%s",
		     err.msg);
	cr_assert_eq(ledger_chart_seed(db, other_id, &err), LEJR_OK);
	cr_assert_eq(ledger_user_create(db, "owner@example.com", "Owner",
					NULL, &owner_id, &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, acme_id, owner_id,
				       LEJR_ROLE_OWNER, &err), LEJR_OK);
	cr_assert_eq(ledger_org_load(db, acme_id, &acme, &err), LEJR_OK);
	cr_assert_eq(ledger_org_load(db, other_id, &other, &err), LEJR_OK);
}

static void
teardown(void)
{
	char file[160];

	ledger_close(db);
	db = NULL;
	snprintf(file, sizeof(file), "%s-wal", path);
	unlink(file);
	snprintf(file, sizeof(file), "%s-shm", path);
	unlink(file);
	unlink(path);
	rmdir(dir);
}

TestSuite(ledger, .init = setup, .fini = teardown);

/* ---- helpers ---- */

static int
post(const char *date, const char *debit, const char *credit,
     int64_t amount, int64_t *id)
{
	struct lejr_line_spec lines[] = {
		{ .account = debit, .amount = amount },
		{ .account = credit, .amount = -amount },
	};
	struct lejr_entry_spec spec = {
		.date = date, .memo = "test", .lines = lines, .nlines = 2,
	};
	int64_t ignored;

	return ledger_entry_post(db, &acme.pub, owner_id, &spec,
				 id != NULL ? id : &ignored, &err);
}

static int64_t
query_int(const char *sql)
{
	sqlite3_stmt *st;
	int64_t v;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
		     "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_string(v), "\"%s\" is not a string", key);
	return json_string_value(v);
}

/* The trial balance row of code, or NULL. */
static json_t *
tb_account(json_t *tb, const char *code)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(tb, "accounts"), i, row)
		if (strcmp(jstr(row, "code"), code) == 0)
			return row;
	return NULL;
}

/* ---- opening and migrations ---- */

Test(ledger, connection_settings)
{
	sqlite3_stmt *st;

	sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);

	cr_assert_eq(query_int("PRAGMA synchronous"), 2); /* FULL */
	cr_assert_eq(query_int("PRAGMA foreign_keys"), 1);
}

Test(ledger, migrations_run_once)
{
	int n;

	/* versions 1..n, each recorded once */
	n = query_int("SELECT count(*) FROM schema_migrations "
		      "WHERE owner = 'core'");
	cr_assert_geq(n, 1);
	cr_assert_eq(query_int("SELECT max(version) FROM schema_migrations "
			       "WHERE owner = 'core'"), n);
	cr_assert_eq(post("2024-01-05", "1000", "3000", 500, NULL), LEJR_OK);

	ledger_close(db);
	cr_assert_eq(ledger_open(path, &db, &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(query_int("SELECT count(*) FROM schema_migrations "
			       "WHERE owner = 'core'"), n);
	cr_assert_eq(query_int("SELECT count(*) FROM entries"), 1);
}

/* A worker opens its connection while the writer holds the write lock:
 * migrations already applied must not wait for it. */
Test(ledger, opening_does_not_wait_for_a_writer)
{
	sqlite3 *second = NULL;
	time_t t0;

	cr_assert_eq(ledger_begin(db, 1, &err), LEJR_OK, "%s", err.msg);
	t0 = time(NULL);
	cr_assert_eq(ledger_open(path, &second, &err), LEJR_OK, "%s",
		     err.msg);
	cr_expect_leq(time(NULL) - t0, 1);
	ledger_close(second);
	ledger_rollback(db);
}

Test(ledger, plugin_migrations)
{
	const char *v1 = "CREATE TABLE demo_things (id INTEGER PRIMARY KEY)";

	cr_assert_eq(ledger_migrate(db, "demo", 1, v1, &err), LEJR_OK, "%s",
		     err.msg);
	/* again: recorded, so the CREATE does not run twice */
	cr_assert_eq(ledger_migrate(db, "demo", 1, v1, &err), LEJR_OK, "%s",
		     err.msg);

	cr_assert_eq(ledger_migrate(db, "demo", 3, "SELECT 1", &err),
		     LEJR_EINVAL);
	cr_assert_eq(ledger_migrate(db, "Bad Name", 1, "SELECT 1", &err),
		     LEJR_EINVAL);

	/* a failing migration leaves nothing behind */
	cr_assert_neq(ledger_migrate(db, "demo", 2, "CREATE TABLE demo_x (a);"
				     " NOT SQL", &err), LEJR_OK);
	cr_assert_eq(query_int("SELECT count(*) FROM sqlite_master WHERE "
			       "name = 'demo_x'"), 0);
	cr_assert_eq(query_int("SELECT max(version) FROM schema_migrations "
			       "WHERE owner = 'demo'"), 1);

	/* never inside the caller's transaction */
	cr_assert_eq(ledger_begin(db, 1, &err), LEJR_OK);
	cr_assert_neq(ledger_migrate(db, "demo", 2, "SELECT 1", &err),
		      LEJR_OK);
	ledger_rollback(db);
}

/* ---- organizations, users, chart ---- */

Test(ledger, org_validation)
{
	cr_assert_eq(ledger_org_create(db, "acme", "Again", "EUR", NULL,
				       &err), LEJR_ECONFLICT);
	cr_assert_eq(ledger_org_create(db, "Bad Slug", "X", "EUR", NULL,
				       &err), LEJR_EINVAL);
	cr_assert_eq(ledger_org_create(db, "ok", "X", "EURO", NULL, &err),
		     LEJR_EINVAL);
	cr_assert_eq(ledger_org_create(db, "ok", "X", "XAU", NULL, &err),
		     LEJR_EINVAL);
	cr_assert_eq(ledger_org_create(db, "ok", "", "EUR", NULL, &err),
		     LEJR_EINVAL);
	cr_assert_eq(ledger_org_find(db, "nope", &acme, &err),
		     LEJR_ENOTFOUND);
	cr_assert_eq(ledger_org_set_lock_date(db, acme_id, "2024-02-30",
					      &err), LEJR_EINVAL);
}

Test(ledger, last_owner_stays)
{
	int64_t second;

	cr_assert_eq(ledger_member_set(db, acme_id, owner_id,
				       LEJR_ROLE_VIEWER, &err),
		     LEJR_ECONFLICT);
	cr_assert_eq(ledger_user_create(db, "two@example.com", "Two", NULL,
					&second, &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, acme_id, second, LEJR_ROLE_OWNER,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, acme_id, owner_id,
				       LEJR_ROLE_VIEWER, &err), LEJR_OK);
}

Test(ledger, chart_seed)
{
	json_t *list, *a;
	size_t i;

	cr_assert_eq(ledger_chart_seed(db, acme_id, &err), LEJR_OK);
	cr_assert_eq(ledger_account_list(db, &acme.pub, 0, &list, &err),
		     LEJR_OK);
	cr_assert_geq(json_array_size(list), 30);
	json_array_foreach(list, i, a)
		cr_assert_eq(strlen(jstr(a, "code")), 4);
	cr_assert_eq(query_int("SELECT count(*) FROM accounts WHERE "
			       "org_id = 1"), (int64_t)json_array_size(list));
	json_decref(list);

	cr_assert_eq(ledger_chart_seed(db, 999, &err), LEJR_ENOTFOUND);
}

Test(ledger, users_and_passwords)
{
	char hash[128];
	sqlite3_stmt *st;
	int64_t id, found;

	cr_assert_eq(ledger_user_create(db, "pw@example.com", "Pat",
					"correct horse", &id, &err), LEJR_OK);
	cr_assert_eq(ledger_user_create(db, "PW@example.com", "Again", NULL,
					NULL, &err), LEJR_ECONFLICT);
	cr_assert_eq(ledger_user_create(db, "not-an-email", "X", NULL, NULL,
					&err), LEJR_EINVAL);
	cr_assert_eq(ledger_user_create(db, "short@example.com", "X", "short",
					NULL, &err), LEJR_EINVAL);

	sqlite3_prepare_v2(db, "SELECT password_hash FROM users WHERE id = ?",
			   -1, &st, NULL);
	sqlite3_bind_int64(st, 1, id);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(hash, sizeof(hash), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	cr_assert(strncmp(hash, "$argon2id$", 10) == 0, "%s", hash);
	cr_assert(strstr(hash, "correct") == NULL);

	cr_assert_eq(ledger_user_verify_password(db, "pw@example.com",
						 "correct horse", &found,
						 &err), LEJR_OK);
	cr_assert_eq(found, id);
	cr_assert_eq(ledger_user_verify_password(db, "pw@example.com",
						 "wrong horse", &found, &err),
		     LEJR_EDENIED);
	cr_assert_eq(ledger_user_verify_password(db, "nobody@example.com",
						 "correct horse", &found,
						 &err), LEJR_EDENIED);
	cr_assert_eq(ledger_user_verify_password(db, "owner@example.com",
						 "anything at all", &found,
						 &err), LEJR_EDENIED);

	cr_assert_eq(ledger_user_set_password(db, id, "battery staple", &err),
		     LEJR_OK);
	cr_assert_eq(ledger_user_verify_password(db, "pw@example.com",
						 "correct horse", &found,
						 &err), LEJR_EDENIED);
	cr_assert_eq(ledger_user_verify_password(db, "pw@example.com",
						 "battery staple", &found,
						 &err), LEJR_OK);
}

/* ---- accounts ---- */

Test(ledger, account_rules)
{
	struct lejr_account_spec spec = {
		.code = "1110", .name = "Bank EUR", .type = LEJR_ASSET,
		.parent = "1100",
	};
	struct lejr_account a;
	json_t *list;
	size_t live;

	cr_assert_eq(ledger_account_create(db, &acme.pub, &spec, &a, &err),
		     LEJR_OK, "%s", err.msg);
	cr_assert_str_eq(a.parent, "1100");
	cr_assert_eq(ledger_account_create(db, &acme.pub, &spec, NULL, &err),
		     LEJR_ECONFLICT);

	spec = (struct lejr_account_spec){ .code = "2110", .name = "X",
		.type = LEJR_LIABILITY, .parent = "1100" };
	cr_assert_eq(ledger_account_create(db, &acme.pub, &spec, NULL, &err),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "same type") != NULL, "%s", err.msg);

	spec.parent = "9999";
	cr_assert_eq(ledger_account_create(db, &acme.pub, &spec, NULL, &err),
		     LEJR_ENOTFOUND);
	spec = (struct lejr_account_spec){ .code = "a b", .name = "X",
		.type = LEJR_ASSET };
	cr_assert_eq(ledger_account_create(db, &acme.pub, &spec, NULL, &err),
		     LEJR_EINVAL);
	spec = (struct lejr_account_spec){ .code = "1999", .name = "X",
		.type = 9 };
	cr_assert_eq(ledger_account_create(db, &acme.pub, &spec, NULL, &err),
		     LEJR_EINVAL);

	/* archive: children first */
	cr_assert_eq(ledger_account_archive(db, &acme.pub, "1100", &err),
		     LEJR_ECONFLICT);
	cr_assert_eq(ledger_account_archive(db, &acme.pub, "1110", &err),
		     LEJR_OK);
	cr_assert_eq(ledger_account_archive(db, &acme.pub, "1100", &err),
		     LEJR_OK);

	ledger_account_list(db, &acme.pub, 0, &list, &err);
	live = json_array_size(list);
	json_decref(list);
	ledger_account_list(db, &acme.pub, 1, &list, &err);
	cr_assert_eq(json_array_size(list), live + 2);
	json_decref(list);
}

Test(ledger, used_account_cannot_be_deleted)
{
	cr_assert_eq(post("2024-01-05", "6300", "1000", 100, NULL), LEJR_OK);
	cr_assert_neq(sqlite3_exec(db, "DELETE FROM accounts WHERE code = "
				   "'6300' AND org_id = 1", NULL, NULL, NULL),
		      SQLITE_OK);
	cr_assert_neq(sqlite3_exec(db, "UPDATE accounts SET type = 1 WHERE "
				   "code = '6300' AND org_id = 1", NULL, NULL,
				   NULL), SQLITE_OK);
}

/* ---- posting ---- */

Test(ledger, post_and_read_back)
{
	struct lejr_line_spec lines[] = {
		{ .account = "6300", .amount = 1000, .memo = "paper" },
		{ .account = "1500", .amount = 250 },
		{ .account = "1100", .amount = -1250 },
	};
	struct lejr_entry_spec spec = {
		.date = "2024-03-15", .memo = "Office supplies",
		.reference = "INV-7", .lines = lines, .nlines = 3,
	};
	json_t *e, *l;
	int64_t id;

	cr_assert_eq(ledger_entry_post(db, &acme.pub, owner_id, &spec, &id,
				       &err), LEJR_OK, "%s", err.msg);
	cr_assert_gt(id, 0);

	cr_assert_eq(ledger_entry_get(db, &acme.pub, id, &e, &err), LEJR_OK);
	cr_assert_eq(json_integer_value(json_object_get(e, "id")), id);
	cr_assert_str_eq(jstr(e, "date"), "2024-03-15");
	cr_assert_str_eq(jstr(e, "memo"), "Office supplies");
	cr_assert_str_eq(jstr(e, "reference"), "INV-7");
	cr_assert_null(json_object_get(e, "reverses"));
	cr_assert_null(json_object_get(e, "reversed_by"));
	cr_assert_not_null(json_object_get(e, "created_at"));
	cr_assert_eq(json_array_size(json_object_get(e, "lines")), 3);

	l = json_array_get(json_object_get(e, "lines"), 0);
	cr_assert_str_eq(jstr(l, "account"), "6300");
	cr_assert_str_eq(jstr(l, "account_name"), "Office supplies");
	cr_assert_str_eq(jstr(l, "debit"), "10.00");
	cr_assert_str_eq(jstr(l, "credit"), "0.00");
	cr_assert_str_eq(jstr(l, "amount"), "10.00");
	cr_assert_str_eq(jstr(l, "memo"), "paper");
	cr_assert_eq(json_integer_value(json_object_get(l, "amount_minor")),
		     1000);

	l = json_array_get(json_object_get(e, "lines"), 2);
	cr_assert_str_eq(jstr(l, "debit"), "0.00");
	cr_assert_str_eq(jstr(l, "credit"), "12.50");
	cr_assert_str_eq(jstr(l, "amount"), "-12.50");
	cr_assert_null(json_object_get(l, "memo"));
	json_decref(e);

	/* the other org cannot see it */
	cr_assert_eq(ledger_entry_get(db, &other.pub, id, &e, &err),
		     LEJR_ENOTFOUND);
}

static void
assert_nothing_posted(void)
{
	cr_assert_eq(query_int("SELECT count(*) FROM entries"), 0);
	cr_assert_eq(query_int("SELECT count(*) FROM lines"), 0);
}

Test(ledger, imbalance_names_the_difference)
{
	struct lejr_line_spec lines[] = {
		{ .account = "6300", .amount = 9990 },
		{ .account = "1000", .amount = -9980 },
	};
	struct lejr_entry_spec spec = {
		.date = "2024-03-15", .memo = "m", .lines = lines, .nlines = 2,
	};
	int64_t id;

	cr_assert_eq(ledger_entry_post(db, &acme.pub, 0, &spec, &id, &err),
		     LEJR_EINVAL);
	cr_assert_str_eq(err.msg, "entry does not balance: debits 99.90, "
			 "credits 99.80 (debits exceed credits by 0.10)");

	lines[0].amount = 9980;
	lines[1].amount = -9990;
	cr_assert_eq(ledger_entry_post(db, &acme.pub, 0, &spec, &id, &err),
		     LEJR_EINVAL);
	cr_assert_str_eq(err.msg, "entry does not balance: debits 99.80, "
			 "credits 99.90 (credits exceed debits by 0.10)");
	assert_nothing_posted();
}

Test(ledger, malformed_entries)
{
	struct lejr_line_spec lines[LEJR_LINES_MAX + 1];
	struct lejr_entry_spec spec = {
		.date = "2024-03-15", .memo = "m", .lines = lines, .nlines = 1,
	};
	int64_t id;
	size_t i;

	lines[0] = (struct lejr_line_spec){ .account = "1000", .amount = 5 };
	cr_assert_eq(ledger_entry_post(db, &acme.pub, 0, &spec, &id, &err),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "at least two lines") != NULL, "%s",
		  err.msg);

	/* two debits */
	lines[1] = (struct lejr_line_spec){ .account = "6300", .amount = 5 };
	spec.nlines = 2;
	cr_assert_eq(ledger_entry_post(db, &acme.pub, 0, &spec, &id, &err),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "credits 0.00") != NULL, "%s", err.msg);

	/* all zero */
	lines[0].amount = lines[1].amount = 0;
	cr_assert_eq(ledger_entry_post(db, &acme.pub, 0, &spec, &id, &err),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "line 1: amount is zero") != NULL, "%s",
		  err.msg);

	/* too many lines, even balanced ones */
	for (i = 0; i <= LEJR_LINES_MAX; i++)
		lines[i] = (struct lejr_line_spec){
			.account = i % 2 ? "1000" : "6300",
			.amount = i % 2 ? -1 : 1 };
	lines[LEJR_LINES_MAX].amount = 0;
	spec.nlines = LEJR_LINES_MAX + 1;
	cr_assert_eq(ledger_entry_post(db, &acme.pub, 0, &spec, &id, &err),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "at most 500") != NULL, "%s", err.msg);

	/* overflow is refused, not wrapped */
	lines[0] = (struct lejr_line_spec){ .account = "6300",
		.amount = INT64_MAX };
	lines[1] = (struct lejr_line_spec){ .account = "6300",
		.amount = INT64_MAX };
	lines[2] = (struct lejr_line_spec){ .account = "1000", .amount = 2 };
	spec.nlines = 3;
	cr_assert_eq(ledger_entry_post(db, &acme.pub, 0, &spec, &id, &err),
		     LEJR_EINVAL);

	/* memo required */
	spec.memo = "";
	spec.nlines = 2;
	lines[0].amount = 5;
	lines[1] = (struct lejr_line_spec){ .account = "1000", .amount = -5 };
	cr_assert_eq(ledger_entry_post(db, &acme.pub, 0, &spec, &id, &err),
		     LEJR_EINVAL);
	assert_nothing_posted();
}

Test(ledger, calendar_dates)
{
	cr_assert(lejr_date_valid("2024-02-29"));
	cr_assert(lejr_date_valid("2000-02-29"));
	cr_assert(lejr_date_valid("2024-12-31"));
	cr_assert_not(lejr_date_valid("2023-02-29"));
	cr_assert_not(lejr_date_valid("1900-02-29"));
	cr_assert_not(lejr_date_valid("2024-04-31"));
	cr_assert_not(lejr_date_valid("2024-13-01"));
	cr_assert_not(lejr_date_valid("2024-00-10"));
	cr_assert_not(lejr_date_valid("2024-01-00"));
	cr_assert_not(lejr_date_valid("2024-1-01"));
	cr_assert_not(lejr_date_valid("24-01-01"));
	cr_assert_not(lejr_date_valid("2024/01/01"));
	cr_assert_not(lejr_date_valid("2024-01-01T00:00"));
	cr_assert_not(lejr_date_valid(""));
	cr_assert_not(lejr_date_valid(NULL));

	cr_assert_eq(post("2023-02-29", "6300", "1000", 100, NULL),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "2023-02-29") != NULL, "%s", err.msg);
	cr_assert_eq(post("2024-02-29", "6300", "1000", 100, NULL), LEJR_OK);
}

Test(ledger, unknown_archived_and_foreign_accounts)
{
	struct lejr_account_spec secret = {
		.code = "8888", .name = "Secret Payroll", .type = LEJR_EXPENSE,
	};

	cr_assert_eq(post("2024-03-15", "6300", "9999", 100, NULL),
		     LEJR_ENOTFOUND);
	cr_assert_str_eq(err.msg, "line 2: account 9999 does not exist");

	/* an account only the other org has: same answer, nothing leaked */
	cr_assert_eq(ledger_account_create(db, &other.pub, &secret, NULL,
					   &err), LEJR_OK);
	cr_assert_eq(post("2024-03-15", "8888", "1000", 100, NULL),
		     LEJR_ENOTFOUND);
	cr_assert_str_eq(err.msg, "line 1: account 8888 does not exist");

	cr_assert_eq(ledger_account_archive(db, &acme.pub, "6400", &err),
		     LEJR_OK);
	cr_assert_eq(post("2024-03-15", "6400", "1000", 100, NULL),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "line 1: account 6400") != NULL, "%s",
		  err.msg);
	cr_assert(strstr(err.msg, "archived") != NULL, "%s", err.msg);
	assert_nothing_posted();
}

Test(ledger, lock_date)
{
	cr_assert_eq(ledger_org_set_lock_date(db, acme_id, "2024-03-31",
					      &err), LEJR_OK);

	/* acme was loaded before the lock: the database still decides */
	cr_assert_eq(post("2024-03-31", "6300", "1000", 100, NULL),
		     LEJR_ECONFLICT);
	cr_assert(strstr(err.msg, "2024-03-31") != NULL, "%s", err.msg);
	cr_assert_eq(post("2023-12-01", "6300", "1000", 100, NULL),
		     LEJR_ECONFLICT);
	cr_assert_eq(post("2024-04-01", "6300", "1000", 100, NULL), LEJR_OK);

	cr_assert_eq(ledger_org_set_lock_date(db, acme_id, NULL, &err),
		     LEJR_OK);
	cr_assert_eq(post("2024-03-15", "6300", "1000", 100, NULL), LEJR_OK);
}

/* ---- reversals ---- */

Test(ledger, reversal)
{
	int64_t id, rev, again;
	json_t *e, *l;
	int64_t bal;

	cr_assert_eq(post("2024-05-10", "6000", "1100", 120000, &id), LEJR_OK);
	cr_assert_eq(ledger_entry_reverse(db, &acme.pub, owner_id, id, NULL,
					  NULL, &rev, &err), LEJR_OK, "%s",
		     err.msg);
	cr_assert_neq(rev, id);

	cr_assert_eq(ledger_entry_get(db, &acme.pub, rev, &e, &err), LEJR_OK);
	cr_assert_eq(json_integer_value(json_object_get(e, "reverses")), id);
	cr_assert_str_eq(jstr(e, "date"), "2024-05-10");
	cr_assert(strstr(jstr(e, "memo"), "Reversal of entry") != NULL);
	l = json_array_get(json_object_get(e, "lines"), 0);
	cr_assert_str_eq(jstr(l, "account"), "6000");
	cr_assert_str_eq(jstr(l, "amount"), "-1200.00");
	json_decref(e);

	cr_assert_eq(ledger_entry_get(db, &acme.pub, id, &e, &err), LEJR_OK);
	cr_assert_eq(json_integer_value(json_object_get(e, "reversed_by")),
		     rev);
	json_decref(e);

	cr_assert_eq(ledger_account_balance(db, &acme.pub, "6000", NULL, &bal,
					    &err), LEJR_OK);
	cr_assert_eq(bal, 0);

	/* once only, and a reversal is final */
	cr_assert_eq(ledger_entry_reverse(db, &acme.pub, owner_id, id, NULL,
					  NULL, &again, &err), LEJR_ECONFLICT);
	cr_assert(strstr(err.msg, "already reversed by entry") != NULL, "%s",
		  err.msg);
	cr_assert_eq(ledger_entry_reverse(db, &acme.pub, owner_id, rev, NULL,
					  NULL, &again, &err), LEJR_ECONFLICT);
	cr_assert(strstr(err.msg, "itself the reversal") != NULL, "%s",
		  err.msg);
	cr_assert_eq(query_int("SELECT count(*) FROM entries"), 2);
}

Test(ledger, reversal_rules)
{
	int64_t id, rev;

	cr_assert_eq(post("2024-05-10", "6000", "1100", 500, &id), LEJR_OK);

	cr_assert_eq(ledger_entry_reverse(db, &acme.pub, 0, 999, NULL, NULL,
					  &rev, &err), LEJR_ENOTFOUND);
	cr_assert_eq(ledger_entry_reverse(db, &other.pub, 0, id, NULL, NULL,
					  &rev, &err), LEJR_ENOTFOUND);
	cr_assert_eq(ledger_entry_reverse(db, &acme.pub, 0, id, "2024-05-09",
					  NULL, &rev, &err), LEJR_EINVAL);
	cr_assert_eq(ledger_entry_reverse(db, &acme.pub, 0, id, "2024-05-32",
					  NULL, &rev, &err), LEJR_EINVAL);

	/* the lock date applies to the reversal's own date */
	ledger_org_set_lock_date(db, acme_id, "2024-05-31", &err);
	cr_assert_eq(ledger_entry_reverse(db, &acme.pub, 0, id, NULL, NULL,
					  &rev, &err), LEJR_ECONFLICT);
	cr_assert_eq(ledger_entry_reverse(db, &acme.pub, 0, id, "2024-06-01",
					  "Undo the rent", &rev, &err),
		     LEJR_OK, "%s", err.msg);
	cr_assert_eq(query_int("SELECT count(*) FROM entries WHERE "
			       "memo = 'Undo the rent' AND date = "
			       "'2024-06-01'"), 1);
}

/* ---- immutability ---- */

static void
assert_refused(const char *sql, const char *why)
{
	char *msg = NULL;

	cr_assert_neq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK,
		      "%s was allowed", sql);
	cr_assert(msg != NULL && strstr(msg, why) != NULL, "%s: %s", sql,
		  msg != NULL ? msg : "(none)");
	sqlite3_free(msg);
}

Test(ledger, journal_is_immutable)
{
	struct ledger_activity rec = { .org_id = acme_id, .tool = "t",
				       .outcome = "ok" };

	cr_assert_eq(post("2024-05-10", "6000", "1100", 500, NULL), LEJR_OK);
	cr_assert_eq(ledger_activity_add(db, &rec, &err), LEJR_OK);

	assert_refused("UPDATE entries SET memo = 'x'", "immutable");
	assert_refused("UPDATE entries SET date = '2020-01-01'", "immutable");
	assert_refused("DELETE FROM entries", "immutable");
	assert_refused("UPDATE lines SET amount = amount * 2", "immutable");
	assert_refused("DELETE FROM lines", "immutable");
	assert_refused("UPDATE activity SET outcome = 'error'", "append-only");
	assert_refused("DELETE FROM activity", "append-only");
	assert_refused("INSERT INTO lines (entry_id, org_id, account_id, date,"
		       " amount) VALUES (1, 1, (SELECT id FROM accounts WHERE "
		       "org_id = 2 AND code = '1000'), '2024-05-10', 5)",
		       "another organization");

	cr_assert_eq(query_int("SELECT sum(amount) FROM lines"), 0);
	cr_assert_eq(query_int("SELECT count(*) FROM lines"), 2);
}

Test(ledger, journal_is_immutable_from_the_shell)
{
	char cmd[512], out[512] = "";
	FILE *p;
	size_t n;
	int status;

	if (system("command -v sqlite3 >/dev/null 2>&1") != 0)
		cr_skip_test("the sqlite3 shell is not installed");

	cr_assert_eq(post("2024-05-10", "6000", "1100", 500, NULL), LEJR_OK);

	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"UPDATE lines SET amount = "
		 "1; DELETE FROM entries;\" 2>&1", path);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	status = pclose(p);

	cr_assert_neq(status, 0, "the shell changed the journal: %s", out);
	cr_assert(strstr(out, "immutable") != NULL, "%s", out);
	cr_assert_eq(query_int("SELECT count(*) FROM lines WHERE amount = 1"),
		     0);
	cr_assert_eq(query_int("SELECT count(*) FROM entries"), 1);
}

/* ---- balances ---- */

Test(ledger, trial_balance_to_the_cent)
{
	json_t *tb, *row;
	int i;

	cr_assert_eq(ledger_begin(db, 1, &err), LEJR_OK);
	for (i = 0; i < 1000; i++)
		cr_assert_eq(post("2024-02-10", "6300", "1000", 1, NULL),
			     LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_commit(db, &err), LEJR_OK);

	cr_assert_eq(ledger_trial_balance(db, &acme.pub, NULL, &tb, &err),
		     LEJR_OK, "%s", err.msg);
	cr_assert(json_is_null(json_object_get(tb, "as_of")));
	cr_assert_str_eq(jstr(tb, "currency"), "EUR");
	cr_assert_eq(json_array_size(json_object_get(tb, "accounts")), 2);

	row = tb_account(tb, "6300");
	cr_assert_not_null(row);
	cr_assert_str_eq(jstr(row, "name"), "Office supplies");
	cr_assert_str_eq(jstr(row, "type"), "expense");
	cr_assert_str_eq(jstr(row, "debit"), "10.00");
	cr_assert_str_eq(jstr(row, "credit"), "0.00");
	cr_assert_str_eq(jstr(row, "balance"), "10.00");
	cr_assert_eq(json_integer_value(json_object_get(row, "debit_minor")),
		     1000);

	row = tb_account(tb, "1000");
	cr_assert_str_eq(jstr(row, "debit"), "0.00");
	cr_assert_str_eq(jstr(row, "credit"), "10.00");
	cr_assert_str_eq(jstr(row, "balance"), "-10.00");
	cr_assert_eq(json_integer_value(json_object_get(row,
							"balance_minor")),
		     -1000);

	cr_assert_str_eq(jstr(tb, "total_debit"), "10.00");
	cr_assert_str_eq(jstr(tb, "total_credit"), "10.00");
	cr_assert_eq(json_integer_value(json_object_get(tb,
		"total_debit_minor")), 1000);
	cr_assert(json_is_true(json_object_get(tb, "balanced")));
	json_decref(tb);
}

/* Balances of every account up to date, straight from the lines. */
static json_t *
brute_force(const char *date)
{
	sqlite3_stmt *st;
	json_t *map;

	sqlite3_prepare_v2(db, "SELECT a.code, sum(l.amount) FROM lines l "
			   "JOIN accounts a ON a.id = l.account_id WHERE "
			   "l.org_id = ?1 AND (?2 IS NULL OR l.date <= ?2) "
			   "GROUP BY a.code", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, acme_id);
	if (date != NULL)
		sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
	map = json_object();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_object_set_new(map, (const char *)sqlite3_column_text(st,
									   0),
				    json_integer(sqlite3_column_int64(st, 1)));
	sqlite3_finalize(st);
	return map;
}

static void
assert_tb_matches(const char *date)
{
	json_t *tb, *expect, *row;
	int64_t bal;
	size_t i;

	cr_assert_eq(ledger_trial_balance(db, &acme.pub, date, &tb, &err),
		     LEJR_OK, "%s", err.msg);
	expect = brute_force(date);

	cr_assert_eq(json_array_size(json_object_get(tb, "accounts")),
		     json_object_size(expect), "as of %s",
		     date ? date : "all");
	json_array_foreach(json_object_get(tb, "accounts"), i, row) {
		cr_assert_eq(json_integer_value(json_object_get(row,
				"balance_minor")),
			     json_integer_value(json_object_get(expect,
				jstr(row, "code"))),
			     "%s as of %s", jstr(row, "code"),
			     date ? date : "all");
		cr_assert_eq(ledger_account_balance(db, &acme.pub,
						    jstr(row, "code"), date,
						    &bal, &err), LEJR_OK);
		cr_assert_eq(bal, json_integer_value(json_object_get(row,
			"balance_minor")));
	}
	cr_assert_str_eq(jstr(tb, "total_debit"), jstr(tb, "total_credit"));
	json_decref(expect);
	json_decref(tb);
}

Test(ledger, trial_balance_as_of_dates)
{
	static const char *const codes[] = { "1000", "1100", "1200", "4000",
					     "6000", "6300", "2100" };
	static const char *const dates[] = {
		"2023-10-01", "2023-11-01", "2023-11-15", "2023-11-30",
		"2023-12-31", "2024-01-01", "2024-02-14", "2024-02-29",
		"2024-03-01", "2024-04-17", "2024-06-30", "2025-01-01",
	};
	char date[11];
	uint32_t seed = 12345;
	json_t *tb;
	size_t i;
	int d, c;

	cr_assert_eq(ledger_begin(db, 1, &err), LEJR_OK);
	for (i = 0; i < 600; i++) {
		seed = seed * 1103515245 + 12345;
		d = (int)(seed >> 16) % 7;
		c = (d + 1 + (int)(seed >> 8) % 6) % 7;
		snprintf(date, sizeof(date), "%s-%02d",
			 (const char *[]){ "2023-11", "2023-12", "2024-01",
					   "2024-02", "2024-03",
					   "2024-04" }[(seed >> 4) % 6],
			 1 + (int)(seed >> 20) % 28);
		cr_assert_eq(post(date, codes[d], codes[c],
				  1 + (seed >> 12) % 100000, NULL), LEJR_OK,
			     "%s", err.msg);
	}
	/* accounts first used late must not show earlier */
	cr_assert_eq(post("2024-04-20", "1400", "4100", 777, NULL), LEJR_OK);
	cr_assert_eq(ledger_commit(db, &err), LEJR_OK);

	assert_tb_matches(NULL);
	for (i = 0; i < sizeof(dates) / sizeof(*dates); i++)
		assert_tb_matches(dates[i]);

	cr_assert_eq(ledger_trial_balance(db, &acme.pub, "2024-04-19", &tb,
					  &err), LEJR_OK);
	cr_assert_null(tb_account(tb, "4100"));
	json_decref(tb);

	cr_assert_eq(ledger_trial_balance(db, &acme.pub, "2024-02-30", &tb,
					  &err), LEJR_EINVAL);
	cr_assert_null(tb);
}

/* The trial balance of acme as of all time, in a transaction of its
 * own on c: write or read. */
static json_t *
tb_on(sqlite3 *c)
{
	json_t *tb;

	cr_assert_eq(ledger_begin(c, 0, &err), LEJR_OK);
	cr_assert_eq(ledger_trial_balance(c, &acme.pub, NULL, &tb, &err),
		     LEJR_OK, "%s", err.msg);
	ledger_rollback(c);
	return tb;
}

static void
new_account(sqlite3 *c, const char *code, const char *name)
{
	struct lejr_account_spec spec = {
		.code = code, .name = name, .type = LEJR_ASSET,
	};

	cr_assert_eq(ledger_account_create(c, &acme.pub, &spec, NULL, &err),
		     LEJR_OK, "%s", err.msg);
}

/* A connection keeps the chart it read; what changes the chart, on this
 * connection or another, committed or rolled back, must show. */
Test(ledger, kept_chart_follows_changes)
{
	sqlite3 *this_db, *other_db;
	json_t *tb;

	cr_assert_eq(post("2024-01-10", "1000", "4000", 500, NULL), LEJR_OK);
	tb = tb_on(db);
	cr_assert_not_null(tb_account(tb, "1000"));
	json_decref(tb);

	/* Another connection adds an account and uses it (post() writes
	 * on db). */
	cr_assert_eq(ledger_open(path, &other_db, &err), LEJR_OK);
	this_db = db;
	db = other_db;
	new_account(db, "1010", "Petty cash");
	cr_assert_eq(post("2024-01-11", "1010", "4000", 70, NULL), LEJR_OK);
	db = this_db;
	ledger_close(other_db);

	tb = tb_on(db);
	cr_assert_not_null(tb_account(tb, "1010"));
	cr_assert_str_eq(jstr(tb_account(tb, "1010"), "name"), "Petty cash");
	json_decref(tb);

	/* A chart changed in a write that is rolled back, then changed
	 * again by the next write to the same count of changes. */
	cr_assert_eq(ledger_begin(db, 1, &err), LEJR_OK);
	new_account(db, "1020", "Rolled back");
	cr_assert_eq(post("2024-01-12", "1020", "4000", 5, NULL), LEJR_OK);
	cr_assert_eq(ledger_trial_balance(db, &acme.pub, NULL, &tb, &err),
		     LEJR_OK);
	cr_assert_not_null(tb_account(tb, "1020"));
	json_decref(tb);
	ledger_rollback(db);

	cr_assert_eq(ledger_begin(db, 1, &err), LEJR_OK);
	new_account(db, "1030", "Kept");
	cr_assert_eq(post("2024-01-12", "1030", "4000", 5, NULL), LEJR_OK);
	cr_assert_eq(ledger_trial_balance(db, &acme.pub, NULL, &tb, &err),
		     LEJR_OK);
	cr_assert_null(tb_account(tb, "1020"));
	cr_assert_not_null(tb_account(tb, "1030"));
	json_decref(tb);
	cr_assert_eq(ledger_commit(db, &err), LEJR_OK);

	tb = tb_on(db);
	cr_assert_null(tb_account(tb, "1020"));
	cr_assert_str_eq(jstr(tb_account(tb, "1030"), "name"), "Kept");
	json_decref(tb);
}

Test(ledger, other_currency_exponents)
{
	struct ledger_org yen;
	int64_t id;
	json_t *tb;
	struct lejr_line_spec lines[] = {
		{ .account = "6000", .amount = 150000 },
		{ .account = "1100", .amount = -150000 },
	};
	struct lejr_entry_spec spec = {
		.date = "2024-01-31", .memo = "rent", .lines = lines,
		.nlines = 2,
	};

	cr_assert_eq(ledger_org_create(db, "tokyo", "Tokyo KK", "JPY", &id,
				       &err), LEJR_OK);
	ledger_chart_seed(db, id, &err);
	ledger_org_load(db, id, &yen, &err);
	cr_assert_eq(yen.pub.exponent, 0);

	cr_assert_eq(ledger_entry_post(db, &yen.pub, 0, &spec, &id, &err),
		     LEJR_OK);
	cr_assert_eq(ledger_trial_balance(db, &yen.pub, NULL, &tb, &err),
		     LEJR_OK);
	cr_assert_str_eq(jstr(tb, "currency"), "JPY");
	cr_assert_str_eq(jstr(tb, "total_debit"), "150000");
	json_decref(tb);

	/* the other org's trial balance does not see it */
	cr_assert_eq(ledger_trial_balance(db, &acme.pub, NULL, &tb, &err),
		     LEJR_OK);
	cr_assert_eq(json_array_size(json_object_get(tb, "accounts")), 0);
	json_decref(tb);
}

/* ---- lists ---- */

static int64_t
post_memo(const char *date, const char *memo, const char *debit)
{
	struct lejr_line_spec lines[] = {
		{ .account = debit, .amount = 100 },
		{ .account = "1000", .amount = -100 },
	};
	struct lejr_entry_spec spec = {
		.date = date, .memo = memo, .lines = lines, .nlines = 2,
	};
	int64_t id;

	cr_assert_eq(ledger_entry_post(db, &acme.pub, 0, &spec, &id, &err),
		     LEJR_OK, "%s", err.msg);
	return id;
}

/* Follow the cursor to the end; return every id in order. */
static size_t
list_all(struct lejr_entry_filter f, int64_t *ids, size_t max, int *pages)
{
	json_t *page, *e;
	char cursor[256];
	size_t n = 0, i;

	*pages = 0;
	for (;;) {
		cr_assert_eq(ledger_entry_list(db, &acme.pub, &f, &page, &err),
			     LEJR_OK, "%s", err.msg);
		(*pages)++;
		json_array_foreach(json_object_get(page, "entries"), i, e) {
			cr_assert_lt(n, max);
			ids[n++] = json_integer_value(json_object_get(e, "id"));
		}
		if (json_object_get(page, "next_cursor") == NULL) {
			json_decref(page);
			return n;
		}
		snprintf(cursor, sizeof(cursor), "%s",
			 jstr(page, "next_cursor"));
		json_decref(page);
		f.cursor = cursor;
	}
}

Test(ledger, entry_list_pages_in_date_order)
{
	int64_t ids[64], expect[64];
	struct lejr_entry_filter f = { .limit = 10 };
	char date[11];
	size_t n, i;
	int pages;

	/* posted out of date order on purpose */
	for (i = 0; i < 25; i++) {
		snprintf(date, sizeof(date), "2024-03-%02zu", 25 - i);
		expect[24 - i] = post_memo(date, "entry", "6300");
	}

	n = list_all(f, ids, 64, &pages);
	cr_assert_eq(n, 25);
	cr_assert_eq(pages, 3);
	for (i = 0; i < n; i++)
		cr_assert_eq(ids[i], expect[i], "position %zu", i);

	f.from = "2024-03-05";
	f.to = "2024-03-09";
	n = list_all(f, ids, 64, &pages);
	cr_assert_eq(n, 5);
	cr_assert_eq(ids[0], expect[4]);
	cr_assert_eq(ids[4], expect[8]);
}

Test(ledger, entry_list_filters)
{
	struct lejr_entry_filter f = { .text = "50%" };
	struct lejr_line_spec lines[] = {
		{ .account = "6000", .amount = 100 },
		{ .account = "6000", .amount = 100 },
		{ .account = "1000", .amount = -200 },
	};
	struct lejr_entry_spec spec = {
		.date = "2024-03-03", .memo = "two rent lines", .lines = lines,
		.nlines = 3,
	};
	int64_t ids[16], a, b, c, d;
	json_t *page;
	int pages;

	a = post_memo("2024-03-01", "discount 50% off", "6300");
	b = post_memo("2024-03-01", "discount 500 off", "6300");
	c = post_memo("2024-03-02", "file_name", "6000");
	d = post_memo("2024-03-02", "filexname", "6000");
	cr_assert_neq(a, b);

	cr_assert_eq(list_all(f, ids, 16, &pages), 1);
	cr_assert_eq(ids[0], a);

	f.text = "FILE_";
	cr_assert_eq(list_all(f, ids, 16, &pages), 1);
	cr_assert_eq(ids[0], c);

	/* by account: an entry with two lines on it counts once */
	cr_assert_eq(ledger_entry_post(db, &acme.pub, 0, &spec, &a, &err),
		     LEJR_OK);
	f = (struct lejr_entry_filter){ .account = "6000", .limit = 1 };
	cr_assert_eq(list_all(f, ids, 16, &pages), 3);
	cr_assert_eq(ids[0], c);
	cr_assert_eq(ids[1], d);
	cr_assert_eq(ids[2], a);

	f.text = "rent";
	cr_assert_eq(list_all(f, ids, 16, &pages), 1);

	f = (struct lejr_entry_filter){ .account = "9999" };
	cr_assert_eq(ledger_entry_list(db, &acme.pub, &f, &page, &err),
		     LEJR_ENOTFOUND);
	cr_assert_null(page);
}

Test(ledger, entry_list_bad_input)
{
	struct lejr_entry_filter f = { .cursor = "garbage!" };
	json_t *page;

	cr_assert_eq(ledger_entry_list(db, &acme.pub, &f, &page, &err),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "cursor") != NULL, "%s", err.msg);

	/* well-formed base64url of an impossible date */
	f.cursor = "ZTF8MjAyNC0xMy0wMXwx";
	cr_assert_eq(ledger_entry_list(db, &acme.pub, &f, &page, &err),
		     LEJR_EINVAL);

	f = (struct lejr_entry_filter){ .limit = 501 };
	cr_assert_eq(ledger_entry_list(db, &acme.pub, &f, &page, &err),
		     LEJR_EINVAL);
	f = (struct lejr_entry_filter){ .from = "2024-02-30" };
	cr_assert_eq(ledger_entry_list(db, &acme.pub, &f, &page, &err),
		     LEJR_EINVAL);

	/* a cursor is not accepted as another kind's */
	cr_assert_eq(ledger_activity_list(db, acme_id, NULL, NULL, NULL,
					  "ZTF8MjAyNC0wMS0wMXwx", 0, &page,
					  &err), LEJR_EINVAL);
	cr_assert_eq(ledger_entry_list(db, &acme.pub, NULL, &page, &err),
		     LEJR_OK);
	cr_assert_eq(json_array_size(json_object_get(page, "entries")), 0);
	cr_assert_null(json_object_get(page, "next_cursor"));
	json_decref(page);
}

/* ---- idempotency ---- */

Test(ledger, idempotency)
{
	json_t *result, *got;

	result = json_pack("{s:i}", "entry_id", 7);
	cr_assert_eq(ledger_idem_find(db, acme_id, "k1", "post", "d1", &got,
				      &err), LEJR_ENOTFOUND);

	/* a rolled-back call does not consume the key */
	ledger_begin(db, 1, &err);
	cr_assert_eq(ledger_idem_store(db, acme_id, "k1", "post", "d1",
				       result, &err), LEJR_OK);
	ledger_rollback(db);
	cr_assert_eq(ledger_idem_find(db, acme_id, "k1", "post", "d1", &got,
				      &err), LEJR_ENOTFOUND);

	cr_assert_eq(ledger_idem_store(db, acme_id, "k1", "post", "d1",
				       result, &err), LEJR_OK);
	cr_assert_eq(ledger_idem_find(db, acme_id, "k1", "post", "d1", &got,
				      &err), LEJR_OK);
	cr_assert(json_equal(got, result));
	json_decref(got);

	cr_assert_eq(ledger_idem_find(db, acme_id, "k1", "post", "d2", &got,
				      &err), LEJR_ECONFLICT);
	cr_assert_eq(ledger_idem_find(db, acme_id, "k1", "other", "d1", &got,
				      &err), LEJR_ECONFLICT);
	cr_assert_eq(ledger_idem_store(db, acme_id, "k1", "post", "d1",
				       result, &err), LEJR_ECONFLICT);

	/* keys belong to one organization */
	cr_assert_eq(ledger_idem_find(db, other_id, "k1", "post", "d1", &got,
				      &err), LEJR_ENOTFOUND);
	cr_assert_eq(ledger_idem_find(db, acme_id, "", "post", "d1", &got,
				      &err), LEJR_EINVAL);
	json_decref(result);
}

/* ---- tokens ---- */

static const struct ledger_grant *
grant(const struct ledger_principal *p, int64_t org)
{
	size_t i;

	for (i = 0; i < p->ngrants; i++)
		if (p->grants[i].org_id == org)
			return &p->grants[i];
	return NULL;
}

Test(ledger, tokens)
{
	char token[LEJR_TOKEN_MAX + 1], ro[LEJR_TOKEN_MAX + 1];
	int64_t user, id, ro_id, orgs[2];
	struct ledger_principal p;
	json_t *list, *t;

	ledger_user_create(db, "bot@example.com", "Bot", NULL, &user, &err);
	ledger_member_set(db, acme_id, user, LEJR_ROLE_ACCOUNTANT, &err);
	orgs[0] = acme_id;
	orgs[1] = other_id;

	/* not a member of other yet */
	cr_assert_eq(ledger_token_create(db, user, orgs, 2, LEJR_ACCESS_WRITE,
					 "x", 0, token, &id, &err),
		     LEJR_EINVAL);
	ledger_member_set(db, other_id, owner_id, LEJR_ROLE_OWNER, &err);
	ledger_member_set(db, other_id, user, LEJR_ROLE_VIEWER, &err);

	cr_assert_eq(ledger_token_create(db, user, orgs, 2, LEJR_ACCESS_WRITE,
					 "Claude", 0, token, &id, &err),
		     LEJR_OK, "%s", err.msg);
	cr_assert(strncmp(token, "lejr_pat_", 9) == 0, "%s", token);
	cr_assert_eq(strlen(token), 9 + 43);
	cr_assert_eq(query_int("SELECT count(*) FROM tokens WHERE "
			       "length(token_hash) = 64"), 1);

	/* effective access: the token's, capped by the role */
	cr_assert_eq(ledger_token_auth(db, token, &p, &err), LEJR_OK, "%s",
		     err.msg);
	cr_assert_eq(p.user_id, user);
	cr_assert_eq(p.token_id, id);
	cr_assert_str_eq(p.email, "bot@example.com");
	cr_assert_eq(p.ngrants, 2);
	cr_assert_eq(grant(&p, acme_id)->access, LEJR_ACCESS_WRITE);
	cr_assert_eq(grant(&p, acme_id)->role, LEJR_ROLE_ACCOUNTANT);
	cr_assert_str_eq(grant(&p, acme_id)->slug, "acme");
	cr_assert_eq(grant(&p, other_id)->access, LEJR_ACCESS_READ);
	ledger_principal_free(&p);

	cr_assert_eq(ledger_token_create(db, user, orgs, 1, LEJR_ACCESS_READ,
					 NULL, time(NULL) + 3600, ro, &ro_id,
					 &err), LEJR_OK);
	cr_assert_eq(ledger_token_auth(db, ro, &p, &err), LEJR_OK);
	cr_assert_eq(p.ngrants, 1);
	cr_assert_eq(grant(&p, acme_id)->access, LEJR_ACCESS_READ);
	ledger_principal_free(&p);

	/* use is counted */
	cr_assert_eq(ledger_token_touch(db, id, &err), LEJR_OK);
	cr_assert_eq(ledger_token_list(db, user, &list, &err), LEJR_OK);
	cr_assert_eq(json_array_size(list), 2);
	t = json_array_get(list, 0);
	cr_assert_str_eq(jstr(t, "label"), "Claude");
	cr_assert_str_eq(jstr(t, "user"), "bot@example.com");
	cr_assert_str_eq(jstr(t, "access"), "write");
	cr_assert_eq(json_integer_value(json_object_get(t, "calls")), 1);
	cr_assert(json_is_string(json_object_get(t, "last_used")));
	cr_assert(json_is_null(json_object_get(t, "revoked")));
	cr_assert_str_eq(json_string_value(json_array_get(
		json_object_get(t, "orgs"), 1)), "other");
	cr_assert(json_is_string(json_object_get(json_array_get(list, 1),
						 "expires")));
	json_decref(list);

	/* revoked: refused at once */
	cr_assert_eq(ledger_token_revoke(db, id, &err), LEJR_OK);
	cr_assert_eq(ledger_token_auth(db, token, &p, &err), LEJR_EDENIED);
	cr_assert_eq(ledger_token_revoke(db, id, &err), LEJR_ECONFLICT);
	cr_assert_eq(ledger_token_revoke(db, 999, &err), LEJR_ENOTFOUND);
	cr_assert_eq(ledger_token_list(db, 0, &list, &err), LEJR_OK);
	cr_assert(json_is_string(json_object_get(json_array_get(list, 0),
						 "revoked")));
	json_decref(list);

	/* expired */
	sqlite3_exec(db, "UPDATE tokens SET expires_at = "
		     "strftime('%s', 'now') - 1", NULL, NULL, NULL);
	cr_assert_eq(ledger_token_auth(db, ro, &p, &err), LEJR_EDENIED);
}

Test(ledger, token_refusals)
{
	char token[LEJR_TOKEN_MAX + 1];
	struct ledger_principal p;
	int64_t id;

	cr_assert_eq(ledger_token_auth(db, "lejr_pat_nope", &p, &err),
		     LEJR_EDENIED);
	cr_assert_eq(ledger_token_auth(db, "", &p, &err), LEJR_EDENIED);
	cr_assert_eq(ledger_token_auth(db, NULL, &p, &err), LEJR_EDENIED);
	cr_assert_eq(ledger_token_create(db, owner_id, &acme_id, 1,
					 LEJR_ACCESS_WRITE, NULL,
					 time(NULL) - 10, token, &id, &err),
		     LEJR_EINVAL);
	cr_assert_eq(ledger_token_create(db, owner_id, &acme_id, 0,
					 LEJR_ACCESS_WRITE, NULL, 0, token,
					 &id, &err), LEJR_EINVAL);
	cr_assert_eq(ledger_token_create(db, owner_id, &acme_id, 1, 7, NULL,
					 0, token, &id, &err), LEJR_EINVAL);

	/* a membership removed later drops out of the grants */
	cr_assert_eq(ledger_token_create(db, owner_id, &acme_id, 1,
					 LEJR_ACCESS_WRITE, NULL, 0, token,
					 &id, &err), LEJR_OK);
	sqlite3_exec(db, "DELETE FROM members", NULL, NULL, NULL);
	cr_assert_eq(ledger_token_auth(db, token, &p, &err), LEJR_OK);
	cr_assert_eq(p.ngrants, 0);
	ledger_principal_free(&p);
}

/* ---- activity ---- */

Test(ledger, activity_log)
{
	static const char *const tools[] = { "post_journal_entry",
					     "trial_balance" };
	struct ledger_activity rec = {
		.org_id = acme_id, .user_id = owner_id, .args_digest = "ab",
		.outcome = "ok", .duration_us = 1500,
	};
	int64_t entries[] = { 4, 5 };
	json_t *page, *r;
	int64_t seen[16], last = INT64_MAX;
	char cursor[256];
	const char *c = NULL;
	size_t i, n = 0;

	for (i = 0; i < 7; i++) {
		rec.tool = tools[i % 2];
		rec.entries = i == 6 ? entries : NULL;
		rec.nentries = i == 6 ? 2 : 0;
		rec.message = i == 3 ? "it failed" : NULL;
		rec.outcome = i == 3 ? "error" : "ok";
		cr_assert_eq(ledger_activity_add(db, &rec, &err), LEJR_OK,
			     "%s", err.msg);
	}

	/* newest first, three at a time, each record once */
	do {
		cr_assert_eq(ledger_activity_list(db, acme_id, NULL, NULL,
						  NULL, c, 3, &page, &err),
			     LEJR_OK, "%s", err.msg);
		json_array_foreach(json_object_get(page, "records"), i, r) {
			seen[n] = json_integer_value(json_object_get(r, "id"));
			cr_assert_lt(seen[n], last);
			last = seen[n++];
			cr_assert_str_eq(jstr(r, "user"), "owner@example.com");
			cr_assert(strlen(jstr(r, "time")) == 24, "%s",
				  jstr(r, "time"));
		}
		c = NULL;
		if (json_object_get(page, "next_cursor") != NULL) {
			snprintf(cursor, sizeof(cursor), "%s",
				 jstr(page, "next_cursor"));
			c = cursor;
		}
		if (n == 3) {
			r = json_array_get(json_object_get(page, "records"), 0);
			cr_assert_eq(json_array_size(json_object_get(r,
				"entries")), 2);
		}
		json_decref(page);
	} while (c != NULL);
	cr_assert_eq(n, 7);

	cr_assert_eq(ledger_activity_list(db, acme_id, "trial_balance", NULL,
					  NULL, NULL, 0, &page, &err),
		     LEJR_OK);
	cr_assert_eq(json_array_size(json_object_get(page, "records")), 3);
	json_decref(page);

	cr_assert_eq(ledger_activity_list(db, acme_id, NULL, "2000-01-01",
					  "2000-12-31", NULL, 0, &page, &err),
		     LEJR_OK);
	cr_assert_eq(json_array_size(json_object_get(page, "records")), 0);
	json_decref(page);

	/* another org sees nothing */
	cr_assert_eq(ledger_activity_list(db, other_id, NULL, NULL, NULL,
					  NULL, 0, &page, &err), LEJR_OK);
	cr_assert_eq(json_array_size(json_object_get(page, "records")), 0);
	json_decref(page);

	rec.outcome = "maybe";
	cr_assert_eq(ledger_activity_add(db, &rec, &err), LEJR_EINVAL);
}

/* A ledger file as core migrations up to version left it, with what
 * setup then writes into it, opened as the test's ledger: opening runs
 * the later migrations. */
static void
ledger_at_version(const char *file, int version, const char *setup)
{
	char *msg = NULL, rec[128];
	sqlite3 *raw;

	cr_assert_eq(sqlite3_open(file, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, "CREATE TABLE schema_migrations ("
				  " owner TEXT NOT NULL, version INTEGER NOT"
				  " NULL, applied_at TEXT NOT NULL, PRIMARY"
				  " KEY (owner, version)) WITHOUT ROWID",
				  NULL, NULL, NULL), SQLITE_OK);
	for (size_t i = 0; ledger_core_migrations[i].version <= version;
	     i++) {
		cr_assert_eq(sqlite3_exec(raw, ledger_core_migrations[i].sql,
					  NULL, NULL, &msg), SQLITE_OK, "%s",
			     msg);
		snprintf(rec, sizeof(rec), "INSERT INTO schema_migrations "
			 "VALUES ('core', %d, 'then')",
			 ledger_core_migrations[i].version);
		cr_assert_eq(sqlite3_exec(raw, rec, NULL, NULL, NULL),
			     SQLITE_OK);
	}
	cr_assert_eq(sqlite3_exec(raw, setup, NULL, NULL, &msg), SQLITE_OK,
		     "%s", msg);
	sqlite3_close(raw);

	ledger_close(db);
	cr_assert_eq(ledger_open(file, &db, &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(query_int("SELECT max(version) FROM schema_migrations "
			       "WHERE owner = 'core'"),
		     ledger_core_migrations[ledger_core_nmigrations - 1]
			     .version);
}

/* Back to the test's own ledger, the old file removed. */
static void
ledger_leave_version(const char *file)
{
	static const char *const ends[] = { "", "-wal", "-shm" };
	char name[192];

	ledger_close(db);
	db = NULL;
	for (size_t i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s%s", file, ends[i]);
		unlink(name);
	}
	cr_assert_eq(ledger_open(path, &db, &err), LEJR_OK, "%s", err.msg);
}

/* A database made before version 9 of the core's schema: its activity
 * records stay, with their ids, and the log stays append-only and
 * checked, now without a temporary index per record written. */
Test(ledger, activity_log_rebuilt_by_migration_9)
{
	char old[160];
	sqlite3_stmt *st;
	int ephemeral = 0;

	snprintf(old, sizeof(old), "%s/v8.db", dir);
	ledger_at_version(old, 8,
		"INSERT INTO orgs (id, slug, name, currency, exponent,"
		" created_at) VALUES"
		" (7, 'old', 'Old Ltd', 'EUR', 2, 'then');"
		"INSERT INTO activity (id, org_id, at, tool, outcome, message)"
		" VALUES (40, 7, '2025-01-02T03:04:05.678Z', 'trial_balance',"
		" 'ok', NULL), (41, 7, '2025-01-02T03:04:06.000Z',"
		" 'post_journal_entry', 'denied', 'viewer');");
	cr_assert_eq(query_int("SELECT count(*) FROM activity WHERE"
			       " (id = 40 AND tool = 'trial_balance' AND"
			       "  at = '2025-01-02T03:04:05.678Z') OR"
			       " (id = 41 AND outcome = 'denied' AND"
			       "  message = 'viewer')"), 2);
	cr_assert_eq(query_int("SELECT count(*) FROM sqlite_master WHERE"
			       " tbl_name = 'activity'"), 5);

	assert_refused("UPDATE activity SET outcome = 'error'", "append-only");
	assert_refused("DELETE FROM activity", "append-only");
	assert_refused("INSERT INTO activity (org_id, at, tool, outcome)"
		       " VALUES (7, 'now', 't', 'maybe')", "CHECK");

	cr_assert_eq(sqlite3_prepare_v2(db, "EXPLAIN INSERT INTO activity"
					" (org_id, at, tool, outcome) VALUES"
					" (7, 'now', 't', 'ok')", -1, &st,
					NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		ephemeral |= strcmp((const char *)sqlite3_column_text(st, 1),
				    "OpenEphemeral") == 0;
	sqlite3_finalize(st);
	cr_assert_not(ephemeral, "writing a record builds a temporary index");

	ledger_leave_version(old);
}

/* The organizations' totals start from what their accounts hold, and
 * one whose sum no longer fits is set at the limit. */
Test(ledger, org_totals_filled_by_migration_10)
{
	char old[160];

	snprintf(old, sizeof(old), "%s/v9.db", dir);
	ledger_at_version(old, 9,
		"INSERT INTO orgs (id, slug, name, currency, exponent,"
		" created_at) VALUES"
		" (7, 'small', 'Small Ltd', 'EUR', 2, 'then'),"
		" (8, 'huge', 'Huge Ltd', 'EUR', 2, 'then'),"
		" (9, 'empty', 'Empty Ltd', 'EUR', 2, 'then');"
		"INSERT INTO account_totals (account_id, org_id, debit, credit,"
		" nlines, last_date) VALUES"
		" (70, 7, 125000, 0, 3, '2025-01-31'),"
		" (71, 7, 500, 125500, 4, '2025-02-28'),"
		" (80, 8, 5000000000000000000, 0, 1, '2025-01-01'),"
		" (81, 8, 5000000000000000000, 0, 1, '2025-01-01'),"
		" (82, 8, 0, 9100000000000000001, 1, '2025-01-01');");

	cr_assert_eq(query_int("SELECT count(*) FROM org_totals"), 2);
	cr_assert_eq(query_int("SELECT debit = 125500 AND credit = 125500"
			       " FROM org_totals WHERE org_id = 7"), 1);
	cr_assert_eq(query_int("SELECT debit = 9223372036854775807 AND"
			       " credit = 9100000000000000001"
			       " FROM org_totals WHERE org_id = 8"), 1);
	ledger_leave_version(old);
}

/* ---- limits ---- */

/* n copies of the UTF-8 text unit, malloc'd. */
static char *
repeat(const char *unit, size_t n)
{
	size_t len = strlen(unit), i;
	char *s;

	s = malloc(len * n + 1);
	cr_assert_not_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * len, unit, len);
	s[len * n] = '\0';
	return s;
}

static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int
post_text(const char *memo, const char *reference, const char *line_memo)
{
	struct lejr_line_spec lines[] = {
		{ .account = "6300", .amount = 100, .memo = line_memo },
		{ .account = "1000", .amount = -100 },
	};
	struct lejr_entry_spec spec = {
		.date = "2024-03-15", .memo = memo, .reference = reference,
		.lines = lines, .nlines = 2,
	};
	int64_t id;

	return ledger_entry_post(db, &acme.pub, owner_id, &spec, &id, &err);
}

Test(ledger, memo_and_reference_limits_count_characters)
{
	char *euro334 = repeat("\xe2\x82\xac", 334);
	char *euro1000 = repeat("\xe2\x82\xac", 1000);
	char *euro1001 = repeat("\xe2\x82\xac", 1001);
	char *a1001 = repeat("a", 1001);
	char *euro200 = repeat("\xe2\x82\xac", 200);
	char *euro201 = repeat("\xe2\x82\xac", 201);

	cr_assert_eq(post_text(euro334, NULL, NULL), LEJR_OK, "%s", err.msg);
	cr_assert_eq(post_text(euro1000, euro200, euro1000), LEJR_OK, "%s",
		     err.msg);

	cr_assert_eq(post_text(a1001, NULL, NULL), LEJR_EINVAL);
	cr_assert_str_eq(err.msg, "memo is required: 1 to 1000 characters, "
			 "no control characters");
	cr_assert_eq(post_text(euro1001, NULL, NULL), LEJR_EINVAL);
	cr_assert_eq(post_text("m", NULL, euro1001), LEJR_EINVAL);
	cr_assert_str_eq(err.msg, "line 1: memo must be at most 1000 "
			 "characters, no control characters");
	cr_assert_eq(post_text("m", euro201, NULL), LEJR_EINVAL);
	cr_assert(strstr(err.msg, "1 to 200 characters") != NULL, "%s",
		  err.msg);
	cr_assert_eq(query_int("SELECT count(*) FROM entries"), 2);

	free(euro334);
	free(euro1000);
	free(euro1001);
	free(a1001);
	free(euro200);
	free(euro201);
}

/* Names live in fixed buffers of struct lejr_account (plugin ABI), so
 * their limit stays in bytes and says so. */
Test(ledger, name_limits_are_bytes)
{
	char *euro66 = repeat("\xe2\x82\xac", 66);
	char *euro67 = repeat("\xe2\x82\xac", 67);
	struct lejr_account_spec spec = {
		.code = "6910", .name = euro66, .type = LEJR_EXPENSE,
	};
	struct lejr_account a;

	cr_assert_eq(ledger_account_create(db, &acme.pub, &spec, &a, &err),
		     LEJR_OK, "%s", err.msg);
	cr_assert_str_eq(a.name, euro66);

	spec = (struct lejr_account_spec){ .code = "6920", .name = euro67,
		.type = LEJR_EXPENSE };
	cr_assert_eq(ledger_account_create(db, &acme.pub, &spec, NULL, &err),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "1 to 200 bytes") != NULL, "%s", err.msg);
	cr_assert_eq(ledger_org_create(db, "euro", euro67, "EUR", NULL, &err),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "1 to 200 bytes") != NULL, "%s", err.msg);

	free(euro66);
	free(euro67);
}

Test(ledger, dates_stay_in_four_digit_years)
{
	cr_assert(lejr_date_valid("1000-01-01"));
	cr_assert(lejr_date_valid("9998-12-31"));
	cr_assert_not(lejr_date_valid("0999-12-31"));
	cr_assert_not(lejr_date_valid("0001-01-01"));
	cr_assert_not(lejr_date_valid("9999-01-01"));
	cr_assert_not(lejr_date_valid("9999-12-31"));

	cr_assert_eq(post("9999-12-31", "6300", "1000", 100, NULL),
		     LEJR_EINVAL);
	cr_assert_str_eq(err.msg, "date \"9999-12-31\" is not a calendar date "
			 "between 1000-01-01 and 9998-12-31 (YYYY-MM-DD)");
	assert_nothing_posted();
	cr_assert_eq(post("9998-12-31", "6300", "1000", 100, NULL), LEJR_OK,
		     "%s", err.msg);
}

Test(ledger, reversal_keeps_line_memos)
{
	struct lejr_line_spec lines[] = {
		{ .account = "6300", .amount = 1000, .memo = "paper" },
		{ .account = "1500", .amount = 250 },
		{ .account = "1100", .amount = -1250,
		  .memo = "card \xe2\x82\xac" },
	};
	char *memo = repeat("\xe2\x82\xac", 1000);
	struct lejr_entry_spec spec = {
		.date = "2024-03-15", .memo = memo, .lines = lines,
		.nlines = 3,
	};
	int64_t id, rev;
	json_t *e, *l;

	cr_assert_eq(ledger_entry_post(db, &acme.pub, owner_id, &spec, &id,
				       &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_entry_reverse(db, &acme.pub, owner_id, id, NULL,
					  NULL, &rev, &err), LEJR_OK, "%s",
		     err.msg);

	cr_assert_eq(ledger_entry_get(db, &acme.pub, rev, &e, &err), LEJR_OK);
	cr_assert_eq(chars(jstr(e, "memo")), 1000);
	cr_assert(strncmp(jstr(e, "memo"), "Reversal of entry ", 18) == 0);
	l = json_array_get(json_object_get(e, "lines"), 0);
	cr_assert_str_eq(jstr(l, "memo"), "paper");
	cr_assert_str_eq(jstr(l, "amount"), "-10.00");
	l = json_array_get(json_object_get(e, "lines"), 1);
	cr_assert_null(json_object_get(l, "memo"));
	l = json_array_get(json_object_get(e, "lines"), 2);
	cr_assert_str_eq(jstr(l, "memo"), "card \xe2\x82\xac");
	json_decref(e);
	free(memo);
}

#define BIG INT64_C(4000000000000000000)

Test(ledger, running_totals_cannot_overflow)
{
	json_t *tb;
	int64_t id, rev;
	const char *refusal = "the organization's entries together would "
			      "pass 92233720368547758.07 EUR of debits, the "
			      "most its reports can add up; this entry is "
			      "not posted";

	cr_assert_eq(post("2024-01-10", "6900", "3000", BIG, NULL), LEJR_OK,
		     "%s", err.msg);
	cr_assert_eq(post("2024-01-11", "6900", "3100", BIG, &id), LEJR_OK,
		     "%s", err.msg);

	/* a third would take 6900's debits past INT64_MAX, and so the
	 * organization's; on other accounts, the organization's alone */
	cr_assert_eq(post("2024-01-12", "6900", "2500", BIG, NULL),
		     LEJR_ECONFLICT);
	cr_assert_str_eq(err.msg, refusal);
	cr_assert_eq(post("2024-01-12", "6000", "2500", BIG, NULL),
		     LEJR_ECONFLICT);
	cr_assert_str_eq(err.msg, refusal);
	cr_assert_eq(query_int("SELECT count(*) FROM entries"), 2);
	cr_assert_eq(query_int("SELECT count(*) FROM lines"), 4);

	/* up to the limit itself, and not a unit more */
	cr_assert_eq(post("2024-01-12", "6000", "2500",
			  INT64_MAX - 2 * BIG - 1, NULL), LEJR_OK, "%s",
		     err.msg);
	cr_assert_eq(post("2024-01-13", "6000", "2500", 2, NULL),
		     LEJR_ECONFLICT);
	cr_assert_eq(post("2024-01-13", "6000", "2500", 1, NULL), LEJR_OK,
		     "%s", err.msg);
	cr_assert_eq(query_int("SELECT debit = credit AND debit = "
			       "9223372036854775807 FROM org_totals"), 1);

	/* a reversal adds to the totals too: refused there */
	cr_assert_eq(ledger_entry_reverse(db, &acme.pub, owner_id, id, NULL,
					  NULL, &rev, &err), LEJR_ECONFLICT);
	cr_assert_str_eq(err.msg, refusal);

	cr_assert_eq(ledger_trial_balance(db, &acme.pub, NULL, &tb, &err),
		     LEJR_OK, "%s", err.msg);
	cr_assert_eq(json_integer_value(json_object_get(tb,
		"total_debit_minor")), INT64_MAX);
	json_decref(tb);
}

/* Totals across accounts may pass what one number holds in a ledger
 * kept before the organization's totals (migration 10), which the
 * migration sets at the limit: that report is refused with a message,
 * the ledger and other reports go on. */
Test(ledger, report_totals_too_large)
{
	json_t *r;

	cr_assert_eq(sqlite3_exec(db, "DROP TRIGGER lines_org_totals",
				  NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(post("2024-01-10", "6900", "3000", 2 * BIG, NULL),
		     LEJR_OK, "%s", err.msg);
	cr_assert_eq(post("2024-01-10", "6000", "3100", 2 * BIG, NULL),
		     LEJR_OK, "%s", err.msg);

	cr_assert_eq(ledger_trial_balance(db, &acme.pub, NULL, &r, &err),
		     LEJR_ECONFLICT);
	cr_assert(strstr(err.msg, "too large") != NULL, "%s", err.msg);
	cr_assert_eq(ledger_profit_and_loss(db, &acme.pub, "2024-01-01",
					    "2024-12-31", NULL, &r, &err),
		     LEJR_ECONFLICT);
	cr_assert(strstr(err.msg, "too large") != NULL, "%s", err.msg);

	cr_assert_eq(ledger_profit_and_loss(db, &acme.pub, "2023-01-01",
					    "2023-12-31", NULL, &r, &err),
		     LEJR_OK, "%s", err.msg);
	json_decref(r);
	cr_assert_eq(post("2024-01-11", "6300", "1000", 100, NULL), LEJR_OK,
		     "%s", err.msg);
}

/*
 * test_guard.c - the guard around tools/call, with a real SQLite file,
 * real tokens and the good fixture plugin loaded through the loader:
 * organization choice, access, validation, transactions, idempotency,
 * the activity log, and the exchange (progress, log, elicitation).
 *
 * Writes are committed by the writer thread before the call returns;
 * the records of reads and refusals follow with its next batch, so the
 * tests that look at those wait for it first (settle()).
 */
#include <pthread.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "runtime-internal.h"
#include "runtime-fixture.h"
#include "writer.h"

static struct lejr_config cfg;
static struct lejr_runtime *rt;
static int64_t demo_id, acme_id, secret_id;

/* alice: owner of demo, accountant of acme; victor: viewer of demo. */
static struct ledger_principal multi;  /* alice, demo + acme, write */
static struct ledger_principal single; /* alice, demo, write */
static struct ledger_principal reader; /* alice, demo, read */
static struct ledger_principal viewer; /* victor, demo, write token */

static int64_t
make_token(sqlite3 *db, int64_t user, const int64_t *orgs, size_t n,
	   enum lejr_access access, struct ledger_principal *out)
{
	char token[LEJR_TOKEN_MAX + 1];
	struct lejr_error err;
	int64_t id;

	cr_assert_eq(ledger_token_create(db, user, orgs, n, access, "test",
					 0, token, &id, &err), LEJR_OK,
		     "%s", err.msg);
	cr_assert_eq(lejr_runtime_authenticate(rt, token, out), LEJR_OK);
	return id;
}

static int64_t
make_org(sqlite3 *db, const char *slug, const char *name,
	 const char *currency)
{
	struct lejr_error err;
	int64_t id;

	cr_assert_eq(ledger_org_create(db, slug, name, currency, &id, &err),
		     LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_chart_seed(db, id, &err), LEJR_OK, "%s",
		     err.msg);
	return id;
}

static void
seed(sqlite3 *db)
{
	struct lejr_error err;
	int64_t alice, victor, bob, both[2];

	demo_id = make_org(db, "demo", "Demo Ltd", "EUR");
	acme_id = make_org(db, "acme", "Acme Inc", "USD");
	secret_id = make_org(db, "secret", "Secret Corp", "EUR");

	cr_assert_eq(ledger_user_create(db, "alice@example.com", "Alice",
					NULL, &alice, &err), LEJR_OK);
	cr_assert_eq(ledger_user_create(db, "victor@example.com", "Victor",
					NULL, &victor, &err), LEJR_OK);
	cr_assert_eq(ledger_user_create(db, "bob@example.com", "Bob", NULL,
					&bob, &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, demo_id, alice, LEJR_ROLE_OWNER,
				       &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_member_set(db, acme_id, alice,
				       LEJR_ROLE_ACCOUNTANT, &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, demo_id, victor, LEJR_ROLE_VIEWER,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, secret_id, bob, LEJR_ROLE_OWNER,
				       &err), LEJR_OK);

	both[0] = demo_id;
	both[1] = acme_id;
	make_token(db, alice, both, 2, LEJR_ACCESS_WRITE, &multi);
	make_token(db, alice, both, 1, LEJR_ACCESS_WRITE, &single);
	make_token(db, alice, both, 1, LEJR_ACCESS_READ, &reader);
	make_token(db, victor, both, 1, LEJR_ACCESS_WRITE, &viewer);
}

static void
setup(void)
{
	static const char *const plugins[] = { "good", NULL };
	struct lejr_error err;
	sqlite3 *db;

	fixture_setup();
	fixture_config(&cfg, plugins, NULL);
	rt = lejr_runtime_new(&cfg);
	cr_assert_not_null(rt);

	cr_assert_eq(ledger_open(cfg.database, &db, &err), LEJR_OK);
	seed(db);
	ledger_close(db);
}

static void
teardown(void)
{
	ledger_principal_free(&multi);
	ledger_principal_free(&single);
	ledger_principal_free(&reader);
	ledger_principal_free(&viewer);
	lejr_runtime_free(rt);
	lejr_config_free(&cfg);
	fixture_teardown();
}

TestSuite(guard, .init = setup, .fini = teardown);

/* ---- helpers ---- */

/* tools/call: the MCP result (a JSON-RPC error fails the test). */
static json_t *
call(const struct ledger_principal *p, const char *tool, const char *args,
     struct lejr_exchange *ex)
{
	char params[4096];
	json_t *res;

	snprintf(params, sizeof(params), "{\"name\": \"%s\", \"arguments\":"
		 " %s}", tool, args);
	res = fixture_rpc(rt, p, "tools/call", params, ex);
	cr_assert_not_null(res, "JSON-RPC error %d: %s", fixture_code,
			   fixture_message);
	return res;
}

static const char *
text_of(json_t *res)
{
	return json_string_value(json_object_get(json_array_get(
		json_object_get(res, "content"), 0), "text"));
}

static void
assert_ok(json_t *res)
{
	cr_assert(json_is_false(json_object_get(res, "isError")),
		  "the call failed: %s", text_of(res));
}

static void
assert_tool_error(json_t *res, const char *text)
{
	cr_assert(json_is_true(json_object_get(res, "isError")),
		  "the call succeeded: %s", text_of(res));
	cr_assert_null(json_object_get(res, "structuredContent"));
	cr_assert_not_null(strstr(text_of(res), text),
			   "\"%s\" lacks \"%s\"", text_of(res), text);
}

/* One integer from SQL on a connection of our own. */
static int64_t
sql_int(const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(cfg.database, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
		     "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* One text from SQL (static buffer; "" for NULL). */
static const char *
sql_text(const char *sql)
{
	static char text[1024];
	sqlite3_stmt *st;
	sqlite3 *db;

	text[0] = '\0';
	cr_assert_eq(sqlite3_open(cfg.database, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
		     "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(text, sizeof(text), "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return text;
}

/* Wait until the activity of every call made so far is written. */
static void
settle(void)
{
	cr_assert_eq(lejr_writer_sync(rt->writer), LEJR_OK);
}

static int64_t
notes(void)
{
	return sql_int("SELECT count(*) FROM good_notes");
}

static int64_t
entries(void)
{
	return sql_int("SELECT count(*) FROM entries");
}

static void
set_lock_date(int64_t org, const char *date)
{
	struct lejr_error err;
	sqlite3 *db;

	cr_assert_eq(ledger_open(cfg.database, &db, &err), LEJR_OK);
	cr_assert_eq(ledger_org_set_lock_date(db, org, date, &err), LEJR_OK,
		     "%s", err.msg);
	ledger_close(db);
}

/* ---- organization ---- */

Test(guard, several_orgs_need_a_choice)
{
	json_t *res;

	res = call(&multi, "good_note", "{\"text\": \"x\", \"amount\": 5}",
		   NULL);
	assert_tool_error(res, "reaches several organizations");
	assert_tool_error(res, "Nothing was changed");
	assert_tool_error(res, "acme (Acme Inc), demo (Demo Ltd)");
	json_decref(res);
	cr_assert_eq(notes(), 0);
	cr_assert_eq(entries(), 0);

	res = call(&multi, "good_note", "{\"text\": \"x\", \"organization\":"
		   " \"acme\"}", NULL);
	assert_ok(res);
	json_decref(res);
	cr_assert_eq(sql_int("SELECT count(*) FROM good_notes WHERE "
			     "org_id = (SELECT id FROM orgs WHERE "
			     "slug = 'acme')"), 1);
}

Test(guard, unreachable_org_is_not_revealed)
{
	json_t *a, *b;
	const char *ta, *tb;

	a = call(&multi, "good_count", "{\"organization\": \"secret\"}",
		 NULL);
	b = call(&multi, "good_count", "{\"organization\": \"nosuch\"}",
		 NULL);
	assert_tool_error(a, "is not available to this connection");
	assert_tool_error(b, "is not available to this connection");

	/* The same words, apart from the slug itself. */
	ta = strstr(text_of(a), "\" is not");
	tb = strstr(text_of(b), "\" is not");
	cr_assert_str_eq(ta, tb);
	json_decref(a);
	json_decref(b);
}

Test(guard, one_org_may_be_omitted)
{
	json_t *res = call(&single, "good_count", "{}", NULL);

	assert_ok(res);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(
		res, "structuredContent"), "org")), "demo");
	json_decref(res);

	/* Naming the only one is fine too; another is not. */
	res = call(&single, "good_count", "{\"organization\": \"demo\"}",
		   NULL);
	assert_ok(res);
	json_decref(res);
	res = call(&single, "good_count", "{\"organization\": \"acme\"}",
		   NULL);
	assert_tool_error(res, "\"acme\" is not available");
	json_decref(res);
}

Test(guard, list_organizations)
{
	json_t *res, *orgs, *acme;

	res = call(&multi, "list_organizations", "{}", NULL);
	assert_ok(res);
	orgs = json_object_get(json_object_get(res, "structuredContent"),
			       "organizations");
	cr_assert_eq(json_array_size(orgs), 2);
	acme = json_array_get(orgs, 0);
	cr_assert_str_eq(json_string_value(json_object_get(acme, "slug")),
			 "acme");
	cr_assert_str_eq(json_string_value(json_object_get(acme, "name")),
			 "Acme Inc");
	cr_assert_str_eq(json_string_value(json_object_get(acme,
							   "currency")),
			 "USD");
	cr_assert_str_eq(json_string_value(json_object_get(acme, "role")),
			 "accountant");
	cr_assert_str_eq(json_string_value(json_object_get(acme, "access")),
			 "write");
	json_decref(res);
}

/* ---- access ---- */

Test(guard, viewer_cannot_write)
{
	json_t *res;

	res = call(&viewer, "good_note", "{\"text\": \"x\"}", NULL);
	cr_assert(json_is_true(json_object_get(res, "isError")));
	cr_assert_str_eq(text_of(res), "good_note writes to the ledger; your "
			 "role in demo is viewer (read only) — an "
			 "accountant, admin or owner role with a read-write "
			 "token is needed");
	json_decref(res);
	cr_assert_eq(notes(), 0);

	/* Reading is fine. */
	res = call(&viewer, "good_count", "{}", NULL);
	assert_ok(res);
	json_decref(res);
}

Test(guard, read_token_cannot_write)
{
	json_t *res;

	res = call(&reader, "good_note", "{\"text\": \"x\"}", NULL);
	assert_tool_error(res, "good_note writes to the ledger; this "
			  "connection has read-only access to demo (your "
			  "role there is owner)");
	json_decref(res);
	cr_assert_eq(notes(), 0);
}

/* ---- arguments ---- */

Test(guard, arguments_are_validated)
{
	json_t *res;

	res = call(&single, "good_note", "{\"text\": \"\"}", NULL);
	assert_tool_error(res, "Invalid arguments: text: must be at least 1 "
			  "character long");
	json_decref(res);

	res = call(&single, "good_note", "{\"text\": \"x\", \"colour\": 1}",
		   NULL);
	assert_tool_error(res, "unknown property \"colour\"");
	json_decref(res);

	res = call(&single, "good_note", "{\"text\": \"x\", \"amount\": []}",
		   NULL);
	assert_tool_error(res, "amount: expected a string or a number");
	json_decref(res);

	res = call(&single, "good_note", "{\"text\": \"x\", \"organization\":"
		   " 7}", NULL);
	assert_tool_error(res, "organization: expected a string");
	json_decref(res);

	res = call(&single, "good_note", "{\"text\": \"x\", "
		   "\"idempotency_key\": \"\"}", NULL);
	assert_tool_error(res, "idempotency_key: must be at least 1");
	json_decref(res);

	cr_assert_eq(notes(), 0);
}

Test(guard, malformed_requests_are_rpc_errors)
{
	cr_assert_null(fixture_rpc(rt, &single, "tools/call", "[]", NULL));
	cr_assert_eq(fixture_code, -32602);

	cr_assert_null(fixture_rpc(rt, &single, "tools/call", "{}", NULL));
	cr_assert_eq(fixture_code, -32602);
	cr_assert_not_null(strstr(fixture_message, "params.name"));

	cr_assert_null(fixture_rpc(rt, &single, "tools/call",
				   "{\"name\": \"good_count\", \"arguments\":"
				   " [1]}", NULL));
	cr_assert_eq(fixture_code, -32602);
	cr_assert_not_null(strstr(fixture_message, "params.arguments"));

	cr_assert_null(fixture_rpc(rt, &single, "tools/call",
				   "{\"name\": \"no_such_tool\"}", NULL));
	cr_assert_eq(fixture_code, -32602);
	cr_assert_str_eq(fixture_message, "Unknown tool: no_such_tool");
}

/* ---- transactions ---- */

Test(guard, write_commits_with_its_entry)
{
	json_t *res, *sc;

	res = call(&single, "good_note", "{\"text\": \"rent\", \"amount\":"
		   " \"12.50\"}", NULL);
	assert_ok(res);
	sc = json_object_get(res, "structuredContent");
	cr_assert(json_integer_value(json_object_get(sc, "entry")) > 0);

	/* The text block is the structured result as compact JSON. */
	{
		char *compact = json_dumps(sc, JSON_COMPACT);

		cr_assert_str_eq(text_of(res), compact);
		free(compact);
	}
	json_decref(res);

	cr_assert_eq(notes(), 1);
	cr_assert_eq(entries(), 1);
	cr_assert_eq(sql_int("SELECT amount FROM lines ORDER BY id LIMIT 1"),
		     1250);
}

Test(guard, handler_failure_rolls_back_everything)
{
	json_t *res;

	res = call(&single, "good_note", "{\"text\": \"x\", \"amount\": 5,"
		   " \"fail\": \"invalid\"}", NULL);
	assert_tool_error(res, "the note was refused after writing");
	json_decref(res);
	cr_assert_eq(notes(), 0);
	cr_assert_eq(entries(), 0);

	/* A ledger refusal carries the ledger's message. */
	res = call(&single, "good_note", "{\"text\": \"x\", \"amount\":"
		   " \"1.234\"}", NULL);
	assert_tool_error(res, "amount");
	json_decref(res);
	cr_assert_eq(notes(), 0);
}

Test(guard, internal_errors_do_not_leak)
{
	json_t *res;

	res = call(&single, "good_note", "{\"text\": \"x\", \"amount\": 5,"
		   " \"fail\": \"internal\"}", NULL);
	cr_assert(json_is_true(json_object_get(res, "isError")));
	cr_assert_str_eq(text_of(res), "good_note failed because of an "
			 "internal error; nothing was changed.");
	json_decref(res);
	cr_assert_eq(notes(), 0);
	cr_assert_eq(entries(), 0);

	cr_assert_logged("[error] good: tool good_note failed: SQL logic "
			 "error near \"SELEKT\"");
	settle();
	cr_assert_eq(sql_int("SELECT count(*) FROM activity WHERE outcome = "
			     "'error'"), 1);
	cr_assert_null(strstr(sql_text("SELECT group_concat(message) FROM "
				       "activity"), "SELEKT"));
}

/* A handler that breaks the contract fails its call, logged as the
 * plugin's bug, and nothing it wrote is kept. */
Test(guard, broken_handler_contracts_fail_the_call)
{
	static const char *const cases[][2] = {
		{ "status", "returned 7, which is no enum lejr_status" },
		{ "array", "returned a result that is not a JSON object" },
	};
	char args[96], line[160];
	json_t *res;

	for (size_t i = 0; i < 2; i++) {
		snprintf(args, sizeof(args), "{\"text\": \"x\", \"amount\":"
			 " 5, \"fail\": \"%s\"}", cases[i][0]);
		res = call(&single, "good_note", args, NULL);
		cr_assert(json_is_true(json_object_get(res, "isError")));
		json_decref(res);
		snprintf(line, sizeof(line), "[error] good: tool good_note "
			 "failed: plugin good: good_note %s", cases[i][1]);
		cr_assert_logged(line);
	}
	cr_assert_eq(notes(), 0);
	cr_assert_eq(entries(), 0);
}

Test(guard, read_tools_cannot_write)
{
	json_t *res;

	/* Not even the plugin's own tables. */
	res = call(&single, "good_count", "{\"scribble\": true}", NULL);
	assert_tool_error(res, "failed because of an internal error");
	json_decref(res);
	cr_assert_logged("plugin good: SQL refused: writing good_notes; a read "
			 "tool, resource or prompt changes nothing");
	cr_assert_eq(notes(), 0);

	/* The ledger's write members refuse a read tool outright. */
	res = call(&single, "good_count", "{\"post\": true}", NULL);
	assert_tool_error(res, "failed because of an internal error");
	json_decref(res);
	cr_assert_logged("post_entry: good_count reads only, so it cannot "
			 "change the ledger");
	cr_assert_eq(entries(), 0);
}

/* ---- the plugins' sandbox ---- */

/* Run sql through good_sql (write) or good_query (read); the result's
 * structured content (new reference). */
static json_t *
raw_sql(const char *tool, const char *sql)
{
	json_t *args, *res, *out;
	char *text;

	args = json_pack("{s:s}", "sql", sql);
	text = json_dumps(args, JSON_COMPACT);
	res = call(&single, tool, text, NULL);
	assert_ok(res);
	out = json_incref(json_object_get(res, "structuredContent"));
	json_decref(res);
	json_decref(args);
	free(text);
	return out;
}

static void
assert_refused(const char *tool, const char *sql, const char *logged)
{
	json_t *out = raw_sql(tool, sql);
	const char *error;

	cr_assert(json_is_false(json_object_get(out, "ok")),
		  "%s ran: %s", sql, json_string_value(json_object_get(out,
								    "value")));
	/* SQLite's words: "not authorized" (to use function ...), or for
	 * a read "access to TABLE.COLUMN is prohibited" */
	error = json_string_value(json_object_get(out, "error"));
	cr_assert(error != NULL && (strncmp(error, "not authorized", 14) == 0 ||
				    strstr(error, "is prohibited") != NULL),
		  "%s: %s", sql, error);
	json_decref(out);
	cr_assert_logged(logged);
}

static const char *
allowed(const char *tool, const char *sql)
{
	static char value[256];
	json_t *out = raw_sql(tool, sql);

	cr_assert(json_is_true(json_object_get(out, "ok")), "%s: %s", sql,
		  json_string_value(json_object_get(out, "error")));
	snprintf(value, sizeof(value), "%s",
		 json_string_value(json_object_get(out, "value")) ?
		 json_string_value(json_object_get(out, "value")) : "");
	json_decref(out);
	return value;
}

Test(guard, plugin_sql_cannot_touch_the_journal)
{
	json_t *res;

	/* A balanced entry through the API, then raw SQL against it. */
	res = call(&single, "good_note", "{\"text\": \"x\", "
		   "\"amount\": \"5\"}", NULL);
	assert_ok(res);
	json_decref(res);
	cr_assert_eq(entries(), 1);

	assert_refused("good_sql", "INSERT INTO lines (entry_id, org_id, "
		       "account_id, date, amount) SELECT entry_id, org_id, "
		       "account_id, date, amount FROM lines LIMIT 1",
		       "plugin good: SQL refused: writing lines");
	assert_refused("good_sql", "INSERT INTO entries (org_id, date, memo)"
		       " VALUES (1, '2026-01-01', 'x')",
		       "SQL refused: writing entries");
	assert_refused("good_sql", "UPDATE accounts SET name = 'Cash!'",
		       "SQL refused: writing accounts");
	assert_refused("good_sql", "DELETE FROM account_totals",
		       "SQL refused: writing account_totals");
	assert_refused("good_sql", "DROP TRIGGER entries_no_update",
		       "SQL refused: creating or dropping entries_no_update");
	assert_refused("good_sql", "CREATE TABLE good_more (a)",
		       "SQL refused: creating or dropping good_more");
	assert_refused("good_sql", "CREATE TEMP TABLE accounts (a)",
		       "SQL refused: temporary objects accounts");
	assert_refused("good_sql", "PRAGMA foreign_keys = OFF",
		       "SQL refused: the pragma foreign_keys");
	assert_refused("good_sql", "PRAGMA writable_schema = 1",
		       "SQL refused: the pragma writable_schema");
	assert_refused("good_sql", "COMMIT",
		       "SQL refused: COMMIT; the core runs");
	assert_refused("good_sql", "RELEASE lejr_call",
		       "SQL refused: the savepoint lejr_call");
	assert_refused("good_sql", "ATTACH ':memory:' AS other",
		       "SQL refused: attaching a database");

	/* Nothing changed, and the entry still balances. */
	cr_assert_eq(entries(), 1);
	cr_assert_eq(sql_int("SELECT count(*) FROM lines"), 2);
	cr_assert_eq(sql_int("SELECT sum(amount) FROM lines"), 0);
	cr_assert_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE "
			     "name = 'entries_no_update'"), 1);
}

Test(guard, plugin_sql_reads_the_ledger_not_its_secrets)
{
	const char *tools[] = { "good_sql", "good_query" };

	for (size_t i = 0; i < 2; i++) {
		cr_assert_str_eq(allowed(tools[i], "SELECT count(*) > 0 "
					 "FROM accounts"), "1");
		cr_assert_str_eq(allowed(tools[i], "SELECT count(*) FROM "
					 "lines JOIN entries ON entries.id = "
					 "lines.entry_id"), "0");
		allowed(tools[i], "PRAGMA table_info(good_notes)");
		assert_refused(tools[i], "SELECT password_hash FROM users",
			       "SQL refused: reading users");
		assert_refused(tools[i], "SELECT token_hash FROM tokens",
			       "SQL refused: reading tokens");
		assert_refused(tools[i], "SELECT count(*) FROM activity",
			       "SQL refused: reading activity");
		assert_refused(tools[i], "SELECT count(*) FROM web_sessions",
			       "SQL refused: reading web_sessions");
		/* What SQLite reports as read without being a table */
		cr_assert_str_eq(allowed(tools[i], "WITH c(x) AS (SELECT 1) "
					 "SELECT count(*) FROM c"), "1");
		cr_assert_str_eq(allowed(tools[i], "SELECT count(*) FROM "
					 "json_each('[1, 2]')"), "2");
		allowed(tools[i], "PRAGMA user_version");
		allowed(tools[i], "PRAGMA TABLE_INFO(good_notes)");
		assert_refused(tools[i], "SELECT FTS3_TOKENIZER('simple')",
			       "SQL refused: the function fts3_tokenizer");
		assert_refused(tools[i], "PRAGMA user_version = 7",
			       "SQL refused: the pragma user_version");
		assert_refused(tools[i], "SELECT fts3_tokenizer('simple')",
			       "SQL refused: the function fts3_tokenizer");
	}
}

/* SQL can end the call's transaction without naming it: nothing after
 * that commits, the call fails, and the entry it went on to post is
 * not there. */
Test(guard, plugin_sql_cannot_end_the_transaction)
{
	json_t *res;

	allowed("good_sql", "INSERT INTO good_notes (id, org_id, text) "
		"VALUES (7, 1, 'first')");
	res = call(&single, "good_sql", "{\"sql\": \"INSERT OR ROLLBACK "
		   "INTO good_notes (id, org_id, text) VALUES (7, 1, "
		   "'again')\"}", NULL);
	assert_tool_error(res, "failed because of an internal error");
	json_decref(res);
	cr_assert_logged("ended the call's transaction with its own SQL");
	/* ...even when it opens a transaction of its own afterwards */
	res = call(&single, "good_sql", "{\"sql\": \"INSERT OR ROLLBACK "
		   "INTO good_notes (id, org_id, text) VALUES (7, 1, 'again');"
		   " SAVEPOINT good_again; INSERT INTO good_notes (org_id, "
		   "text) VALUES (1, 'after')\"}", NULL);
	assert_tool_error(res, "failed because of an internal error");
	json_decref(res);
	cr_assert_eq(sql_int("SELECT count(*) FROM good_notes"), 1);
	assert_refused("good_query", "INSERT OR ROLLBACK INTO good_notes (id, "
		       "org_id, text) VALUES (7, 1, 'again')",
		       "SQL refused: writing good_notes; a read tool");

	/* A trigger of the plugin's that rolls back, then a posting in the
	 * same call: refused, and nothing of it stored. */
	allowed("good_sql", "DELETE FROM good_notes");
	cr_assert_eq(entries(), 0);
	res = call(&single, "good_note", "{\"text\": \"boom\", "
		   "\"amount\": \"3\", \"fail\": \"rollback\"}", NULL);
	assert_tool_error(res, "failed because of an internal error");
	json_decref(res);
	cr_assert_eq(entries(), 0);
	cr_assert_eq(notes(), 0);
}

/* A schema change from elsewhere makes SQLite prepare the core's kept
 * statements again, inside a plugin's call: they stay the core's. */
Test(guard, core_statements_prepared_again_stay_the_cores)
{
	sqlite3 *db;
	json_t *res;

	res = call(&single, "good_note", "{\"text\": \"a\", "
		   "\"amount\": \"1\"}", NULL);
	assert_ok(res);
	json_decref(res);

	cr_assert_eq(sqlite3_open(cfg.database, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE elsewhere (a)", NULL, NULL,
				  NULL), SQLITE_OK);
	sqlite3_close(db);

	res = call(&single, "good_note", "{\"text\": \"b\", "
		   "\"amount\": \"2\"}", NULL);
	assert_ok(res);
	json_decref(res);
	cr_assert_eq(entries(), 2);

	/* and the core's own tools, whose statements are kept too */
	res = call(&single, "activity", "{}", NULL);
	assert_ok(res);
	json_decref(res);
	cr_assert_eq(sqlite3_open(cfg.database, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE elsewhere2 (a)", NULL,
				  NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	res = call(&single, "activity", "{}", NULL);
	assert_ok(res);
	json_decref(res);
}

Test(guard, plugin_sql_writes_its_own_tables)
{
	allowed("good_sql", "SAVEPOINT good_step");
	allowed("good_sql", "INSERT INTO good_notes (org_id, text) "
		"VALUES (1, 'raw')");
	cr_assert_eq(notes(), 1);
	cr_assert_str_eq(allowed("good_query", "SELECT text FROM good_notes"),
			 "raw");
	/* The core's own statements run as before: the note posts an
	 * entry through the API from inside the sandbox. */
	json_decref(call(&single, "good_note", "{\"text\": \"y\", "
			 "\"amount\": \"2.50\"}", NULL));
	cr_assert_eq(entries(), 1);
	cr_assert_eq(notes(), 2);
}

/* ---- idempotency ---- */

Test(guard, idempotency_replays_and_conflicts)
{
	const char *args = "{\"text\": \"k\", \"amount\": \"7\", "
			   "\"idempotency_key\": \"key-1\"}";
	json_t *first, *again, *other;

	first = call(&single, "good_note", args, NULL);
	assert_ok(first);
	again = call(&single, "good_note", args, NULL);
	assert_ok(again);
	cr_assert(json_equal(first, again), "the replay differs");
	cr_assert_eq(notes(), 1);
	cr_assert_eq(entries(), 1);

	other = call(&single, "good_note", "{\"text\": \"other\", "
		     "\"idempotency_key\": \"key-1\"}", NULL);
	cr_assert(json_is_true(json_object_get(other, "isError")));
	cr_assert_str_eq(text_of(other), "idempotency key already used with "
			 "different arguments");
	cr_assert_eq(notes(), 1);

	json_decref(first);
	json_decref(again);
	json_decref(other);
}

Test(guard, failed_call_leaves_the_key_free)
{
	const char *args = "{\"text\": \"k\", \"amount\": \"7\", "
			   "\"idempotency_key\": \"key-2\"}";
	json_t *res;

	/* The entry's date is locked: the call fails. */
	set_lock_date(demo_id, "2024-12-31");
	res = call(&single, "good_note", args, NULL);
	cr_assert(json_is_true(json_object_get(res, "isError")));
	json_decref(res);
	cr_assert_eq(notes(), 0);
	cr_assert_eq(sql_int("SELECT count(*) FROM idempotency"), 0);

	/* The same key and arguments run for real once unlocked. */
	set_lock_date(demo_id, NULL);
	res = call(&single, "good_note", args, NULL);
	assert_ok(res);
	json_decref(res);
	cr_assert_eq(notes(), 1);
	cr_assert_eq(entries(), 1);
}

/* ---- the activity log ---- */

static void
sha256_hex(const char *text, char hex[65])
{
	unsigned char md[32];
	unsigned int len = 0;

	cr_assert(EVP_Digest(text, strlen(text), md, &len, EVP_sha256(),
			     NULL));
	for (unsigned int i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

Test(guard, every_call_is_recorded)
{
	char digest[65], sql[256];
	json_t *res;

	json_decref(call(&single, "good_note", "{\"text\": \"a\", "
			 "\"amount\": \"1\", \"idempotency_key\": \"k\"}",
			 NULL));
	json_decref(call(&single, "good_note", "{\"text\": \"\"}", NULL));
	json_decref(call(&viewer, "good_note", "{\"text\": \"b\"}", NULL));
	json_decref(call(&single, "good_note", "{\"text\": \"c\", "
			 "\"fail\": \"internal\"}", NULL));
	json_decref(call(&single, "good_count", "{}", NULL));
	settle();

	cr_assert_str_eq(sql_text("SELECT group_concat(outcome, ' ') FROM "
				  "(SELECT outcome FROM activity ORDER BY "
				  "id)"), "ok invalid denied error ok");
	cr_assert_eq(sql_int("SELECT count(*) FROM activity WHERE org_id IS "
			     "NULL"), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM activity WHERE "
		 "org_id = %lld", (long long)demo_id);
	cr_assert_eq(sql_int(sql), 5);

	/* The digest is of the canonical arguments, keys sorted, without
	 * the core's own. */
	sha256_hex("{\"amount\":\"1\",\"text\":\"a\"}", digest);
	cr_assert_str_eq(sql_text("SELECT args_digest FROM activity ORDER "
				  "BY id LIMIT 1"), digest);
	cr_assert_str_eq(sql_text("SELECT entries FROM activity ORDER BY id "
				  "LIMIT 1"), sql_text("SELECT '[' || "
						       "max(id) || ']' FROM "
						       "entries"));
	cr_assert_str_eq(sql_text("SELECT message FROM activity WHERE "
				  "outcome = 'denied'"), "good_note writes "
			 "to the ledger; your role in demo is viewer (read "
			 "only) — an accountant, admin or owner role with a "
			 "read-write token is needed");
	cr_assert(sql_int("SELECT min(duration_us) FROM activity") >= 0);
	cr_assert_eq(sql_int("SELECT count(DISTINCT user_id) FROM "
			     "activity"), 2);

	/* Every call counts as a use of its token. */
	snprintf(sql, sizeof(sql), "SELECT calls FROM tokens WHERE id = "
		 "%lld", (long long)single.token_id);
	cr_assert_eq(sql_int(sql), 4);

	/* The activity tool reads the same log, newest first. */
	res = call(&single, "activity", "{\"tool\": \"good_note\"}", NULL);
	assert_ok(res);
	cr_assert_eq(json_array_size(json_object_get(json_object_get(res,
		"structuredContent"), "records")), 4);
	json_decref(res);
}

Test(guard, replay_is_recorded_without_entries)
{
	const char *args = "{\"text\": \"r\", \"amount\": 3, "
			   "\"idempotency_key\": \"again\"}";

	json_decref(call(&single, "good_note", args, NULL));
	json_decref(call(&single, "good_note", args, NULL));
	cr_assert_eq(sql_int("SELECT count(*) FROM activity"), 2);
	cr_assert_str_eq(sql_text("SELECT entries FROM activity ORDER BY id "
				  "DESC LIMIT 1"), "[]");
	cr_assert_not_null(strstr(sql_text("SELECT message FROM activity "
					   "ORDER BY id DESC LIMIT 1"),
				  "replayed"));
}

/* ---- the exchange ---- */

struct fake {
	json_t *sent;     /* notifications */
	json_t *requests; /* [{"method", "params"}] */
	json_t *answer;   /* what the client answers */
	int rc;
};

static void
fake_notify(void *ctx, json_t *note)
{
	struct fake *f = ctx;

	json_array_append_new(f->sent, note);
}

static int
fake_request(void *ctx, const char *method, json_t *params, json_t **result)
{
	struct fake *f = ctx;

	json_array_append_new(f->requests, json_pack("{s:s, s:O}", "method",
						     method, "params",
						     params));
	*result = json_incref(f->answer);
	return f->rc;
}

static void
fake_init(struct fake *f, struct lejr_exchange *ex, json_t *caps)
{
	memset(ex, 0, sizeof(*ex));
	f->sent = json_array();
	f->requests = json_array();
	ex->ctx = f;
	ex->client_capabilities = caps;
	ex->log_level = "info";
	ex->notify = fake_notify;
	ex->request = fake_request;
}

static void
fake_free(struct fake *f)
{
	json_decref(f->sent);
	json_decref(f->requests);
	json_decref(f->answer);
}

Test(guard, progress_and_log_notifications)
{
	struct lejr_exchange ex;
	json_t *caps = json_object(), *token = json_integer(42), *res, *n;
	struct fake f = { 0 };

	fake_init(&f, &ex, caps);

	/* No progress token: no progress; the warning passes "info". */
	res = call(&single, "good_count", "{}", &ex);
	assert_ok(res);
	json_decref(res);
	cr_assert_eq(json_array_size(f.sent), 1);
	n = json_array_get(f.sent, 0);
	cr_assert_str_eq(json_string_value(json_object_get(n, "method")),
			 "notifications/message");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(
		n, "params"), "level")), "warning");
	json_array_clear(f.sent);

	/* With a token: two growing steps, the repeated one dropped. */
	ex.progress_token = token;
	ex.log_level = "error";
	res = call(&single, "good_count", "{}", &ex);
	json_decref(res);
	cr_assert_eq(json_array_size(f.sent), 2);
	n = json_object_get(json_array_get(f.sent, 0), "params");
	cr_assert_eq(json_integer_value(json_object_get(n, "progressToken")),
		     42);
	cr_assert_eq(json_real_value(json_object_get(n, "progress")), 1.0);
	cr_assert_eq(json_real_value(json_object_get(n, "total")), 2.0);
	cr_assert_str_eq(json_string_value(json_object_get(n, "message")),
			 "counting");
	n = json_object_get(json_array_get(f.sent, 1), "params");
	cr_assert_eq(json_real_value(json_object_get(n, "progress")), 2.0);

	fake_free(&f);
	json_decref(caps);
	json_decref(token);
}

Test(guard, elicitation)
{
	struct lejr_exchange ex;
	json_t *none = json_object(), *caps, *res, *req;
	struct fake f = { 0 };

	/* Without the capability the tool is told so. */
	fake_init(&f, &ex, none);
	res = call(&single, "good_ask", "{}", &ex);
	assert_tool_error(res, "no elicitation support");
	json_decref(res);
	cr_assert_eq(json_array_size(f.requests), 0);

	caps = json_pack("{s:{}}", "elicitation");
	ex.client_capabilities = caps;
	f.answer = json_pack("{s:s, s:{s:b}}", "action", "accept",
			     "content", "ok", 1);
	res = call(&single, "good_ask", "{}", &ex);
	assert_ok(res);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(
		res, "structuredContent"), "action")), "accept");
	cr_assert(json_is_true(json_object_get(json_object_get(
		json_object_get(res, "structuredContent"), "content"),
		"ok")));
	json_decref(res);

	req = json_array_get(f.requests, 0);
	cr_assert_str_eq(json_string_value(json_object_get(req, "method")),
			 "elicitation/create");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(
		req, "params"), "message")), "Proceed?");
	cr_assert_not_null(json_object_get(json_object_get(req, "params"),
					   "requestedSchema"));

	/* A malformed answer is the client's mistake. */
	json_decref(f.answer);
	f.answer = json_pack("{s:s}", "action", "maybe");
	res = call(&single, "good_ask", "{}", &ex);
	assert_tool_error(res, "malformed");
	json_decref(res);

	fake_free(&f);
	json_decref(none);
	json_decref(caps);
}

static int
always_cancelled(void *ctx)
{
	return 1;
}

Test(guard, cancelled_write_changes_nothing)
{
	struct lejr_exchange ex;
	json_t *caps = json_object(), *res;
	struct fake f = { 0 };

	fake_init(&f, &ex, caps);
	ex.cancelled = always_cancelled;
	res = call(&single, "good_note", "{\"text\": \"x\", \"amount\": 1}",
		   &ex);
	assert_tool_error(res, "cancelled; nothing was changed");
	json_decref(res);
	cr_assert_eq(notes(), 0);
	cr_assert_eq(entries(), 0);

	fake_free(&f);
	json_decref(caps);
}

/* ---- worker threads ---- */

#define WORKERS 4
#define CALLS 10

static void *
worker(void *arg)
{
	long n = (long)arg, ok = 0;
	char args[128];
	json_t *res;

	for (int i = 0; i < CALLS; i++) {
		snprintf(args, sizeof(args), "{\"text\": \"w%ld-%d\", "
			 "\"amount\": 1}", n, i);
		res = call(&single, "good_note", args, NULL);
		ok += json_is_false(json_object_get(res, "isError"));
		json_decref(res);
	}
	/* What a worker does before it exits. */
	lejr_runtime_thread_done(rt);
	return (void *)ok;
}

/* Workers hand their writes to the one writer thread. */
Test(guard, concurrent_writers_share_the_writer)
{
	pthread_t threads[WORKERS];
	long total = 0;
	void *ok;

	for (long i = 0; i < WORKERS; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, worker,
					    (void *)i), 0);
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(threads[i], &ok);
		total += (long)ok;
	}
	cr_assert_eq(total, WORKERS * CALLS);
	cr_assert_eq(notes(), WORKERS * CALLS);
	cr_assert_eq(entries(), WORKERS * CALLS);
	cr_assert_eq(sql_int("SELECT count(*) FROM activity WHERE outcome = "
			     "'ok'"), WORKERS * CALLS);
}

/* ---- without authentication ---- */

Test(guard, anonymous_reaches_every_org)
{
	struct ledger_principal anon;
	json_t *res;

	cr_assert_eq(lejr_runtime_anonymous(rt, &anon), LEJR_OK);
	cr_assert_eq(anon.ngrants, 3);

	res = call(&anon, "good_note", "{\"text\": \"x\", \"amount\": 2, "
		   "\"organization\": \"secret\"}", NULL);
	assert_ok(res);
	json_decref(res);
	cr_assert_eq(entries(), 1);
	cr_assert_eq(sql_int("SELECT count(*) FROM activity WHERE user_id "
			     "IS NULL AND outcome = 'ok'"), 1);
	ledger_principal_free(&anon);
}

/* ---- answers written as text ---- */

/* tools/call answered as text between a head and a tail, as the
 * transport asks for it (malloc'd). */
static char *
call_text(const struct ledger_principal *p, const char *tool,
	  const char *args)
{
	char params[1024], *message = NULL, *text;
	size_t len = 0;
	json_t *json;
	int code = 0;

	snprintf(params, sizeof(params), "{\"name\": \"%s\", \"arguments\":"
		 " %s}", tool, args);
	json = json_loads(params, 0, NULL);
	cr_assert_not_null(json);
	text = lejr_runtime_dispatch_text(rt, p, "tools/call", json, NULL,
					  &code, &message, "{\"id\":7,"
					  "\"result\":", "}", &len);
	json_decref(json);
	cr_assert_not_null(text, "JSON-RPC error %d: %s", code, message);
	cr_assert_null(message);
	cr_assert_eq(strlen(text), len);
	return text;
}

/* The text answer is, byte for byte, the JSON answer written out. */
static void
assert_same_answer(const struct ledger_principal *p, const char *tool,
		   const char *args)
{
	char *text, *dumped, want[8192];
	json_t *res, *parsed, *sc;

	res = call(p, tool, args, NULL);
	dumped = json_dumps(res, JSON_COMPACT);
	snprintf(want, sizeof(want), "{\"id\":7,\"result\":%s}", dumped);
	text = call_text(p, tool, args);
	cr_assert_str_eq(text, want);

	/* Valid JSON, and the default text content is the structured
	 * result as compact JSON. */
	parsed = json_loads(text, 0, NULL);
	cr_assert_not_null(parsed, "not JSON: %s", text);
	sc = json_object_get(json_object_get(parsed, "result"),
			     "structuredContent");
	if (sc != NULL) {
		char *sct = json_dumps(sc, JSON_COMPACT);

		cr_assert_str_eq(text_of(json_object_get(parsed, "result")),
				 sct);
		free(sct);
	}
	json_decref(parsed);
	free(dumped);
	free(text);
	json_decref(res);
}

Test(guard, text_answers_are_the_json_answers)
{
	assert_same_answer(&multi, "good_count", "{\"organization\": "
			   "\"demo\"}");
	assert_same_answer(&multi, "list_organizations", "{}");
	assert_same_answer(&single, "good_note", "{\"text\": \"\"}");
	assert_same_answer(&multi, "good_count", "{}");
}

Test(guard, text_answer_of_a_write)
{
	char *text;
	json_t *parsed;

	text = call_text(&single, "good_note", "{\"text\": \"a \\\"quoted\\\""
			 " note\\n\", \"amount\": 3}");
	parsed = json_loads(text, 0, NULL);
	cr_assert_not_null(parsed, "not JSON: %s", text);
	cr_assert(json_is_false(json_object_get(json_object_get(parsed,
		"result"), "isError")), "%s", text);
	cr_assert_eq(notes(), 1);
	json_decref(parsed);
	free(text);
}

/* ---- resolved tokens ---- */

/* A token of alice for acme (its text into token). */
static void
alice_token(char token[LEJR_TOKEN_MAX + 1])
{
	struct lejr_error err;
	int64_t id;
	sqlite3 *db;

	cr_assert_eq(ledger_open(cfg.database, &db, &err), LEJR_OK);
	cr_assert_eq(ledger_token_create(db, 1, &acme_id, 1,
					 LEJR_ACCESS_WRITE, "cache", 0, token,
					 &id, &err), LEJR_OK, "%s", err.msg);
	ledger_close(db);
}

Test(guard, resolved_tokens_follow_changes_at_once)
{
	char token[LEJR_TOKEN_MAX + 1];
	struct ledger_principal p;
	struct lejr_error err;
	int64_t epoch;
	sqlite3 *db;
	json_t *res;

	alice_token(token);
	cr_assert_eq(lejr_runtime_authenticate(rt, token, &p), LEJR_OK);
	cr_assert_eq(p.grants[0].role, LEJR_ROLE_ACCOUNTANT);
	ledger_principal_free(&p);

	/* Using a token (its count) leaves what it resolves to alone. */
	epoch = sql_int("SELECT n FROM auth_epoch");
	cr_assert_eq(lejr_runtime_authenticate(rt, token, &p), LEJR_OK);
	res = call(&p, "good_note", "{\"text\": \"x\"}", NULL);
	assert_ok(res);
	json_decref(res);
	settle();
	ledger_principal_free(&p);
	cr_assert_eq(sql_int("SELECT n FROM auth_epoch"), epoch);
	cr_assert_gt(sql_int("SELECT calls FROM tokens WHERE label = "
			     "'cache'"), 0);

	/* A role changed elsewhere shows on the next request. */
	cr_assert_eq(ledger_open(cfg.database, &db, &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, acme_id, 1, LEJR_ROLE_VIEWER,
				       &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(lejr_runtime_authenticate(rt, token, &p), LEJR_OK);
	cr_assert_eq(p.grants[0].role, LEJR_ROLE_VIEWER);
	cr_assert_eq(p.grants[0].access, LEJR_ACCESS_READ);
	ledger_principal_free(&p);

	/* So does a revocation. */
	cr_assert_eq(ledger_token_revoke(db, sql_int("SELECT id FROM tokens "
						     "WHERE label = 'cache'"),
					 &err), LEJR_OK, "%s", err.msg);
	ledger_close(db);
	cr_assert_eq(lejr_runtime_authenticate(rt, token, &p), LEJR_EDENIED);
}

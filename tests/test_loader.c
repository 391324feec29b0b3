/*
 * test_loader.c - plugins loaded through the real loader from real
 * shared objects (tests/plugins/): a good one registers and migrates; a
 * wrong ABI, a failing init, a missing file and a file without entry
 * point are refused with the reason and the server runs without them;
 * disabled tools are not offered.  Also the list methods, resources,
 * prompts and completions the good plugin brings.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>

#include "runtime-internal.h"
#include "runtime-fixture.h"

static struct lejr_config cfg;
static struct lejr_runtime *rt;
static struct ledger_principal anon;

static void
setup(void)
{
	static const char *const plugins[] = {
		"good", "badabi", "failinit", "missing", "noentry", "account",
		NULL
	};
	static const char *const disabled[] = {
		"good_hidden", "no_such_tool", NULL
	};

	fixture_setup();
	fixture_config(&cfg, plugins, disabled);
	rt = lejr_runtime_new(&cfg);
	cr_assert_not_null(rt, "the runtime did not start");
	cr_assert_eq(lejr_runtime_anonymous(rt, &anon), LEJR_OK);
}

static void
teardown(void)
{
	ledger_principal_free(&anon);
	lejr_runtime_free(rt);
	lejr_config_free(&cfg);
	fixture_teardown();
}

TestSuite(loader, .init = setup, .fini = teardown);

static json_t *
tool_named(json_t *list, const char *name)
{
	json_t *tool;
	size_t i;

	json_array_foreach(json_object_get(list, "tools"), i, tool)
		if (strcmp(json_string_value(json_object_get(tool, "name")),
			   name) == 0)
			return tool;
	return NULL;
}

Test(loader, good_plugin_loads_and_registers)
{
	json_t *list = fixture_rpc(rt, &anon, "tools/list", NULL, NULL);

	cr_assert_not_null(list, "%s", fixture_message);
	cr_assert_str_eq(fixture_tool_names(list), " list_organizations "
			 "activity good_count good_note good_ask good_spin "
			 "good_sql good_query");
	cr_assert_null(json_object_get(list, "nextCursor"));
	json_decref(list);

	cr_assert_logged("plugin good 1.0 loaded");
	/* The plugin's own lines carry its name. */
	cr_assert_logged("[info] good: ready");
}

Test(loader, migrations_ran)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_open(cfg.database, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM good_notes",
					-1, &st, NULL), SQLITE_OK,
		     "good_notes missing: %s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

#define STR(x) #x
#define XSTR(x) STR(x)

Test(loader, wrong_abi_refused_with_both_versions)
{
	cr_assert_logged("plugin badabi: built for ABI 2.0, this lejrd "
			 "provides " XSTR(LEJR_ABI_MAJOR) "."
			 XSTR(LEJR_ABI_MINOR) "; not loaded");
}

Test(loader, failing_init_drops_its_tools)
{
	json_t *res;

	cr_assert_logged("failinit: refusing to start on purpose");
	cr_assert_logged("plugin failinit: init failed (-1); not loaded");

	res = fixture_rpc(rt, &anon, "tools/call",
			  "{\"name\": \"failinit_tool\"}", NULL);
	cr_assert_null(res);
	cr_assert_eq(fixture_code, -32602);
	cr_assert_str_eq(fixture_message, "Unknown tool: failinit_tool");
}

Test(loader, missing_and_entryless_files_skipped)
{
	cr_assert_logged("plugin missing: cannot load");
	cr_assert_logged("missing.so");
	cr_assert_logged("plugin noentry: ");
	cr_assert_logged("exports no lejr_plugin_entry(); not loaded");
}

Test(loader, disabled_tool_not_offered)
{
	json_t *res;

	res = fixture_rpc(rt, &anon, "tools/call",
			  "{\"name\": \"good_hidden\", \"arguments\": {}}",
			  NULL);
	cr_assert_null(res);
	cr_assert_str_eq(fixture_message, "Unknown tool: good_hidden");
	cr_assert_logged("disable_tools: no loaded plugin has a tool "
			 "no_such_tool");
	cr_assert_logged("plugins loaded: 1; tools offered: 8; resources: "
			 "2; prompts: 1");
}

Test(loader, tools_list_shapes)
{
	json_t *list, *t, *props, *ann;

	list = fixture_rpc(rt, &anon, "tools/list", "{}", NULL);
	cr_assert_not_null(list);

	/* A write tool gets organization and idempotency_key. */
	t = tool_named(list, "good_note");
	props = json_object_get(json_object_get(t, "inputSchema"),
				"properties");
	cr_assert_not_null(json_object_get(props, "text"));
	cr_assert_not_null(json_object_get(props, "organization"));
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(
		props, "idempotency_key"), "maxLength")), 200);
	cr_assert_str_eq(json_string_value(json_object_get(t, "title")),
			 "Write a note");
	cr_assert_not_null(json_object_get(t, "outputSchema"));
	ann = json_object_get(t, "annotations");
	cr_assert(json_is_false(json_object_get(ann, "readOnlyHint")));
	cr_assert(json_is_false(json_object_get(ann, "destructiveHint")));
	cr_assert_str_eq(json_string_value(json_object_get(ann, "title")),
			 "Write a note");

	/* A read tool only organization. */
	t = tool_named(list, "good_count");
	props = json_object_get(json_object_get(t, "inputSchema"),
				"properties");
	cr_assert_not_null(json_object_get(props, "organization"));
	cr_assert_null(json_object_get(props, "idempotency_key"));
	cr_assert(json_is_true(json_object_get(json_object_get(t,
		"annotations"), "readOnlyHint")));

	/* A tool on no organization neither. */
	t = tool_named(list, "list_organizations");
	props = json_object_get(json_object_get(t, "inputSchema"),
				"properties");
	cr_assert_eq(json_object_size(props), 0);
	json_decref(list);
}

Test(loader, cursors)
{
	json_t *page;

	page = fixture_rpc(rt, &anon, "tools/list",
			   "{\"cursor\": \"tools:2\"}", NULL);
	cr_assert_not_null(page, "%s", fixture_message);
	cr_assert_str_eq(fixture_tool_names(page),
			 " good_count good_note good_ask good_spin good_sql"
			 " good_query");
	json_decref(page);

	cr_assert_null(fixture_rpc(rt, &anon, "tools/list",
				   "{\"cursor\": \"tools:99\"}", NULL));
	cr_assert_eq(fixture_code, -32602);
	cr_assert_null(fixture_rpc(rt, &anon, "tools/list",
				   "{\"cursor\": \"bogus\"}", NULL));
	cr_assert_eq(fixture_code, -32602);
	cr_assert_null(fixture_rpc(rt, &anon, "prompts/list",
				   "{\"cursor\": \"tools:1\"}", NULL));
	cr_assert_eq(fixture_code, -32602);
}

Test(loader, capabilities_and_methods)
{
	json_t *caps = lejr_runtime_capabilities(rt);

	cr_assert(json_is_false(json_object_get(json_object_get(caps,
		"tools"), "listChanged")));
	cr_assert(json_is_true(json_object_get(json_object_get(caps,
		"resources"), "subscribe")));
	cr_assert_not_null(json_object_get(caps, "prompts"));
	cr_assert_not_null(json_object_get(caps, "completions"));
	json_decref(caps);

	cr_assert(lejr_runtime_handles(rt, "tools/call"));
	cr_assert(lejr_runtime_handles(rt, "resources/templates/list"));
	cr_assert(lejr_runtime_handles(rt, "completion/complete"));
	cr_assert_not(lejr_runtime_handles(rt, "initialize"));
	cr_assert_not(lejr_runtime_handles(rt, "sampling/createMessage"));

	cr_assert_null(fixture_rpc(rt, &anon, "tools/remove", NULL, NULL));
	cr_assert_eq(fixture_code, -32601);
}

Test(loader, resources)
{
	struct lejr_exchange ex = { 0 };
	json_t *res;

	res = fixture_rpc(rt, &anon, "resources/list", NULL, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(res, "resources"), 0), "uri")),
		"good://readme");
	cr_assert_eq(json_array_size(json_object_get(res, "resources")), 1);
	json_decref(res);

	res = fixture_rpc(rt, &anon, "resources/templates/list", NULL, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(res, "resourceTemplates"), 0),
		"uriTemplate")), "good://notes/{id}");
	json_decref(res);

	res = fixture_rpc(rt, &anon, "resources/read",
			  "{\"uri\": \"good://notes/17\"}", NULL);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(res, "contents"), 0), "text")), "note 17");
	json_decref(res);

	/* Unknown: no template matches; the plugin's own not-found. */
	cr_assert_null(fixture_rpc(rt, &anon, "resources/read",
				   "{\"uri\": \"good://notes/1/2\"}", &ex));
	cr_assert_eq(fixture_code, -32002);
	cr_assert_str_eq(fixture_message, "Resource not found");
	cr_assert_str_eq(json_string_value(json_object_get(ex.error_data,
							   "uri")),
			 "good://notes/1/2");
	json_decref(ex.error_data);
	cr_assert_null(fixture_rpc(rt, &anon, "resources/read",
				   "{\"uri\": \"good://notes/404\"}", NULL));
	cr_assert_eq(fixture_code, -32002);

	res = fixture_rpc(rt, &anon, "resources/subscribe",
			  "{\"uri\": \"good://readme\"}", NULL);
	cr_assert(json_is_object(res));
	json_decref(res);
	res = fixture_rpc(rt, &anon, "resources/unsubscribe",
			  "{\"uri\": \"good://readme\"}", NULL);
	cr_assert(json_is_object(res));
	json_decref(res);
}

Test(loader, prompts)
{
	json_t *res, *msg;

	res = fixture_rpc(rt, &anon, "prompts/list", NULL, NULL);
	cr_assert_eq(json_array_size(json_object_get(json_array_get(
		json_object_get(res, "prompts"), 0), "arguments")), 2);
	json_decref(res);

	res = fixture_rpc(rt, &anon, "prompts/get",
			  "{\"name\": \"good_summary\", \"arguments\":"
			  " {\"period\": \"2024-03\"}}", NULL);
	cr_assert_not_null(res, "%s", fixture_message);
	msg = json_array_get(json_object_get(res, "messages"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(
		msg, "content"), "text")), "Summarize the books for 2024-03.");
	json_decref(res);

	cr_assert_null(fixture_rpc(rt, &anon, "prompts/get",
				   "{\"name\": \"good_summary\"}", NULL));
	cr_assert_eq(fixture_code, -32602);
	cr_assert_str_eq(fixture_message, "Missing required argument: period");

	cr_assert_null(fixture_rpc(rt, &anon, "prompts/get",
				   "{\"name\": \"nope\"}", NULL));
	cr_assert_eq(fixture_code, -32602);
	cr_assert_str_eq(fixture_message, "Unknown prompt: nope");
}

Test(loader, completions)
{
	json_t *res, *c;

	res = fixture_rpc(rt, &anon, "completion/complete",
			  "{\"ref\": {\"type\": \"ref/prompt\", \"name\":"
			  " \"good_summary\"}, \"argument\": {\"name\":"
			  " \"period\", \"value\": \"2024-1\"}}", NULL);
	cr_assert_not_null(res, "%s", fixture_message);
	c = json_object_get(res, "completion");
	cr_assert_eq(json_array_size(json_object_get(c, "values")), 3);
	cr_assert_eq(json_integer_value(json_object_get(c, "total")), 3);
	cr_assert(json_is_false(json_object_get(c, "hasMore")));
	json_decref(res);

	/* 150 values: 100 shown. */
	res = fixture_rpc(rt, &anon, "completion/complete",
			  "{\"ref\": {\"type\": \"ref/resource\", \"uri\":"
			  " \"good://notes/{id}\"}, \"argument\": {\"name\":"
			  " \"style\", \"value\": \"\"}}", NULL);
	cr_assert_not_null(res, "%s", fixture_message);
	c = json_object_get(res, "completion");
	cr_assert_eq(json_array_size(json_object_get(c, "values")), 100);
	cr_assert_eq(json_integer_value(json_object_get(c, "total")), 150);
	cr_assert(json_is_true(json_object_get(c, "hasMore")));
	json_decref(res);

	cr_assert_null(fixture_rpc(rt, &anon, "completion/complete",
				   "{\"ref\": {\"type\": \"ref/prompt\","
				   " \"name\": \"x\"}, \"argument\": {\"name\":"
				   " \"a\", \"value\": \"\"}}", NULL));
	cr_assert_eq(fixture_code, -32602);
}

Test(loader, unopenable_database)
{
	struct lejr_config bad;
	static const char *const none[] = { NULL };

	fixture_config(&bad, none, NULL);
	snprintf(bad.database, sizeof(bad.database),
		 "/nonexistent-dir/lejr.db");
	cr_assert_null(lejr_runtime_new(&bad));
	lejr_config_free(&bad);
}

/* ---- what register_tool() and add_migration() refuse ---- */

static int
noop(struct lejr_call *call, json_t *args, json_t **result)
{
	return LEJR_OK;
}

/* A plugin in its init(), for calling the API table directly. */
static void
fake_plugin(struct lejr_plugin *p)
{
	memset(p, 0, sizeof(*p));
	p->name = (char *)"probe";
	p->rt = rt;
	p->in_init = 1;
}

static int
try_tool(struct lejr_plugin *p, const char *name, const char *schema,
	 enum lejr_access access)
{
	struct lejr_tool t = {
		.name = name,
		.title = "Probe",
		.description = "A probe.",
		.input_schema = schema,
		.access = access,
		.handler = noop,
	};

	return lejr_api_table.register_tool(p, &t);
}

Test(loader, registration_is_checked)
{
	const char *ok = "{\"type\": \"object\"}";
	struct lejr_plugin p;

	fake_plugin(&p);
	cr_assert_eq(try_tool(&p, "probe_ok", ok, LEJR_ACCESS_READ), LEJR_OK);

	cr_assert_eq(try_tool(&p, "Probe-Bad", ok, LEJR_ACCESS_READ),
		     LEJR_EINVAL);
	cr_assert_logged("probe: tool name \"Probe-Bad\" must be 1 to 64 of "
			 "[a-z0-9_]");

	cr_assert_eq(try_tool(&p, "probe_ok", ok, LEJR_ACCESS_READ),
		     LEJR_ECONFLICT);
	cr_assert_eq(try_tool(&p, "good_note", ok, LEJR_ACCESS_WRITE),
		     LEJR_ECONFLICT);
	cr_assert_eq(try_tool(&p, "activity", ok, LEJR_ACCESS_READ),
		     LEJR_ECONFLICT);

	cr_assert_eq(try_tool(&p, "probe_a", "{\"type\": \"array\"}",
			      LEJR_ACCESS_READ), LEJR_EINVAL);
	cr_assert_logged("tool probe_a: input schema must be of type "
			 "\"object\"");
	cr_assert_eq(try_tool(&p, "probe_b", "{\"type\": ", LEJR_ACCESS_READ),
		     LEJR_EINVAL);
	cr_assert_logged("tool probe_b: input schema is not JSON");
	cr_assert_eq(try_tool(&p, "probe_c", "{\"type\": \"object\","
			      " \"properties\": {\"organization\":"
			      " {\"type\": \"string\"}}}",
			      LEJR_ACCESS_READ), LEJR_EINVAL);
	cr_assert_logged("\"organization\" and \"idempotency_key\" are the "
			 "core's arguments");
	cr_assert_eq(try_tool(&p, "probe_d", "{\"type\": \"object\","
			      " \"properties\": {\"n\": {\"type\":"
			      " \"number\", \"multipleOf\": 2}}}",
			      LEJR_ACCESS_READ), LEJR_EINVAL);
	cr_assert_logged("tool probe_d: input schema: n: unsupported "
			 "keyword \"multipleOf\"");
	cr_assert_eq(try_tool(&p, "probe_e", ok, 0), LEJR_EINVAL);

	/* Only during init. */
	p.in_init = 0;
	cr_assert_eq(try_tool(&p, "probe_f", ok, LEJR_ACCESS_READ),
		     LEJR_EINVAL);
	cr_assert_logged("probe: register_tool is only valid during init");

	lejr_registry_free(&p.staged);
}

Test(loader, migrations_come_in_order)
{
	struct lejr_plugin p;

	fake_plugin(&p);
	cr_assert_eq(lejr_api_table.add_migration(&p, 2, "SELECT 1"),
		     LEJR_EINVAL);
	cr_assert_eq(lejr_api_table.add_migration(&p, 1, "SELECT 1"),
		     LEJR_OK);
	cr_assert_eq(lejr_api_table.add_migration(&p, 1, "SELECT 1"),
		     LEJR_EINVAL);
	cr_assert_eq(lejr_api_table.add_migration(&p, 2, NULL), LEJR_EINVAL);
	cr_assert_eq(lejr_api_table.add_migration(&p, 2, "SELECT 2"),
		     LEJR_OK);
	cr_assert_eq(p.nmigrations, 2);
	free(p.migrations[0].sql);
	free(p.migrations[1].sql);
	free(p.migrations);
}

/* A plugin's migration changes its own tables, nothing else. */
Test(loader, migrations_are_sandboxed)
{
	static const char *const refused[][2] = {
		{ "CREATE TRIGGER probe_t AFTER INSERT ON lines BEGIN "
		  "SELECT 1; END",
		  "SQL refused: an index or trigger on lines" },
		{ "DROP TRIGGER lines_no_update",
		  "SQL refused: creating or dropping lines_no_update" },
		{ "UPDATE accounts SET name = 'x'",
		  "SQL refused: writing accounts" },
		{ "CREATE TABLE other (a)",
		  "SQL refused: creating or dropping other" },
		{ "ALTER TABLE accounts ADD COLUMN probe_x",
		  "SQL refused: altering accounts" },
		{ "CREATE INDEX probe_i ON accounts(name)",
		  "SQL refused: an index or trigger on accounts" },
		{ "CREATE TABLE probe_two (a); DROP TABLE entries",
		  "SQL refused: creating or dropping entries" },
		{ "ALTER TABLE probe_notes RENAME TO stolen",
		  "migration 2 of probe: it made stolen, which is not named "
		  "\"probe_...\"" },
		{ "CREATE TEMP TABLE accounts (a)",
		  "SQL refused: temporary objects accounts" },
		{ "CREATE TABLE temp.probe_t (a)",
		  "SQL refused: temporary objects probe_t" },
		{ "CREATE TABLE probe_c (id INTEGER PRIMARY KEY AUTOINCREMENT)",
		  "SQL refused: AUTOINCREMENT; its counters are every "
		  "plugin's" },
		{ "CREATE TABLE probe_r (a UNIQUE ON CONFLICT ROLLBACK);"
		  "INSERT INTO probe_r VALUES (1), (1);"
		  "CREATE TABLE probe_after (a)",
		  "migration 2 of probe failed: UNIQUE constraint failed" },
	};
	struct lejr_error err;
	sqlite3_stmt *st;
	sqlite3 *db;

	cr_assert_eq(ledger_open(cfg.database, &db, &err), LEJR_OK);
	cr_assert_eq(ledger_migrate(db, "probe", 1,
		"CREATE TABLE probe_notes (id INTEGER PRIMARY KEY, n);"
		"CREATE INDEX probe_notes_n ON probe_notes(n);"
		"CREATE VIEW probe_codes AS SELECT code FROM accounts;"
		"INSERT INTO probe_notes (n) SELECT count(*) FROM accounts;"
		"CREATE TRIGGER probe_sneak AFTER INSERT ON probe_notes BEGIN"
		" DELETE FROM account_totals; END",
		&err), LEJR_OK, "%s", err.msg);

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		cr_assert_neq(ledger_migrate(db, "probe", 2, refused[i][0],
					     &err), LEJR_OK, "%s",
			      refused[i][0]);
		cr_assert_logged(refused[i][1]);
	}
	/* What SQLite makes for the plugin's own tables is its own too. */
	cr_assert_eq(ledger_migrate(db, "probe", 2,
		"CREATE TABLE probe_seq (id INTEGER PRIMARY KEY,"
		" code TEXT UNIQUE);"
		"CREATE TABLE probe_kv (k TEXT PRIMARY KEY, v, x)"
		" WITHOUT ROWID;"
		"ALTER TABLE probe_kv RENAME TO probe_pairs;"
		"ALTER TABLE probe_pairs RENAME COLUMN v TO value;"
		"ALTER TABLE probe_pairs DROP COLUMN x;"
		"INSERT INTO probe_seq (code) VALUES ('a')",
		&err), LEJR_OK, "%s", err.msg);

	/* Each refusal rolled its migration back whole. */
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
					"sqlite_master WHERE name IN "
					"('probe_two', 'probe_t', 'other', "
					"'probe_c', 'probe_r', 'probe_after') "
					"OR sql LIKE '%probe_x%'", -1, &st,
					NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);

	/* The trigger the migration made runs under the sandbox too: the
	 * plugin's own insert cannot reach the totals through it. */
	ledger_sandbox_enter("probe", LEDGER_SANDBOX_WRITE);
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO probe_notes (n) "
					"VALUES (1)", -1, &st, NULL),
		     SQLITE_AUTH);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
					"probe_codes", -1, &st, NULL),
		     SQLITE_OK);
	sqlite3_finalize(st);
	ledger_sandbox_leave();
	cr_assert_logged("plugin probe: SQL refused: writing account_totals");

	/* Outside plugin code the core is not limited. */
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO probe_notes (n) "
					"VALUES (1)", -1, &st, NULL),
		     SQLITE_OK);
	sqlite3_finalize(st);
	ledger_close(db);
}

/* A plugin's own objects are those named after it, so no plugin may be
 * named so that the core's, or another plugin's, would be its own. */
Test(loader, names_that_would_own_others_are_refused)
{
	static const char *const refused[] = {
		"core", "lejr", "sqlite", "account", "web", "oauth", "refresh",
		"schema", "auth", "chart", "login", "connection", "token",
		"lines", "entries", "activity", "lejr_x", "accounts",
		"good_", "sqlite_",
	};
	const char *loaded[] = { "evil_two" };
	char why[200];

	cr_assert(ledger_sandbox_name_ok("good", NULL, 0, why, sizeof(why)));
	cr_assert(ledger_sandbox_name_ok("invoicing", loaded, 1, why,
					 sizeof(why)));
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		cr_assert_not(ledger_sandbox_name_ok(refused[i], NULL, 0, why,
						     sizeof(why)),
			      "%s", refused[i]);
	cr_assert_not(ledger_sandbox_name_ok("evil", loaded, 1, why,
					     sizeof(why)));
	cr_assert_str_eq(why, "plugin evil_two is loaded or has tables here, "
			 "and one plugin's tables would be the other's");
	cr_assert_not(ledger_sandbox_name_ok("evil_two_x", loaded, 1, why,
					     sizeof(why)));

	/* The loader says why, before opening the file. */
	cr_assert_logged("plugin account: not loaded: the core's "
			 "account_closing_totals would be the plugin's own");
}

Test(loader, api_table_header)
{
	cr_assert_eq(lejr_api_table.abi_version, LEJR_ABI_VERSION);
	cr_assert_eq(lejr_api_table.size, sizeof(struct lejr_api));
	/* After the header, every member is a function pointer, and none
	 * may be missing. */
	for (size_t off = offsetof(struct lejr_api, register_tool);
	     off < sizeof(struct lejr_api); off += sizeof(void (*)(void))) {
		void (*fn)(void);

		memcpy(&fn, (const char *)&lejr_api_table + off, sizeof(fn));
		cr_assert_not_null(fn, "member at offset %zu is NULL", off);
	}
}

/* A plugin that hands a member no call has a bug: each member refuses
 * it (and logs it) instead of taking the server down. */
Test(loader, members_refuse_a_null_call)
{
	const struct lejr_api *a = &lejr_api_table;
	struct lejr_entry_spec spec = { 0 };
	struct lejr_account_spec aspec = { 0 };
	struct lejr_account acct;
	const char *action = NULL;
	json_t *out = NULL, *schema = json_object();
	int64_t minor = 0, id = 0;
	char buf[32];

	cr_assert_eq(a->fail(NULL, LEJR_EINVAL, "x"), LEJR_EINTERNAL);
	cr_assert_null(a->org(NULL));
	cr_assert_eq(a->user_id(NULL), 0);
	cr_assert_null(a->db(NULL));
	a->progress(NULL, 1, 2, "x");
	a->set_content(NULL, json_array());
	a->notify_log(NULL, "info", "x", NULL);
	cr_assert_eq(a->elicit(NULL, "x", schema, &action, &out),
		     LEJR_EINTERNAL);
	cr_assert_eq(a->client_request(NULL, "x", NULL, &out),
		     LEJR_EINTERNAL);
	cr_assert_eq(a->money_parse(NULL, "x", NULL, &minor), LEJR_EINTERNAL);
	cr_assert_eq(a->money_format(NULL, 1, buf, sizeof(buf)),
		     LEJR_EINTERNAL);
	cr_assert_eq(a->account_get(NULL, "1000", &acct), LEJR_EINTERNAL);
	cr_assert_eq(a->account_list(NULL, 0, &out), LEJR_EINTERNAL);
	cr_assert_eq(a->account_create(NULL, &aspec, &acct), LEJR_EINTERNAL);
	cr_assert_eq(a->account_archive(NULL, "1000"), LEJR_EINTERNAL);
	cr_assert_eq(a->post_entry(NULL, &spec, &id), LEJR_EINTERNAL);
	cr_assert_eq(a->post_entry_ex(NULL, &spec, 0, &id), LEJR_EINTERNAL);
	cr_assert_eq(a->entry_get(NULL, 1, &out), LEJR_EINTERNAL);
	cr_assert_eq(a->entry_list(NULL, NULL, &out), LEJR_EINTERNAL);
	cr_assert_eq(a->entry_reverse(NULL, 1, NULL, NULL, &id),
		     LEJR_EINTERNAL);
	cr_assert_eq(a->trial_balance(NULL, NULL, &out), LEJR_EINTERNAL);
	cr_assert_eq(a->account_balance(NULL, "1000", NULL, &minor),
		     LEJR_EINTERNAL);
	cr_assert_eq(a->balance_sheet(NULL, NULL, &out), LEJR_EINTERNAL);
	cr_assert_eq(a->profit_and_loss(NULL, "2025-01-01", "2025-12-31",
					NULL, &out), LEJR_EINTERNAL);
	cr_assert_eq(a->general_ledger(NULL, "1000", NULL, NULL, NULL, 10,
				       &out), LEJR_EINTERNAL);
	cr_assert_eq(a->account_report(NULL, "1000", NULL, &out),
		     LEJR_EINTERNAL);
	cr_assert_null(out);
	json_decref(schema);
}

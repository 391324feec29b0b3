/*
 * good.c - a well-behaved test plugin for the loader and guard tests.
 *
 * It owns a table (good_notes, made by its migration), and offers a read
 * tool (good_count), a write tool that writes its table, posts an entry
 * and can be told to fail afterwards or to end its transaction with a
 * conflict first (good_note), a tool that asks the
 * user a question (good_ask), a tool the tests disable (good_hidden), a
 * tool that keeps its CPU busy for a while (good_spin), tools that run
 * the SQL they are given on the call's connection (good_sql writes,
 * good_query reads), a resource, a resource template and a prompt with
 * completions.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include <lejr/plugin.h>

static const struct lejr_api *api;

/* ---- good_count: read ---- */

static const char count_input[] =
	"{\"type\": \"object\", \"additionalProperties\": false,"
	" \"properties\": {\"scribble\": {\"type\": \"boolean\","
	"  \"description\": \"Write anyway (a read tool must not).\"},"
	"  \"post\": {\"type\": \"boolean\","
	"  \"description\": \"Post an entry anyway (it must fail).\"}}}";

static const char count_output[] =
	"{\"type\": \"object\", \"required\": [\"org\", \"notes\"],"
	" \"properties\": {\"org\": {\"type\": \"string\"},"
	"  \"notes\": {\"type\": \"integer\"}}}";

static int
exec_org(sqlite3 *db, const char *sql, int64_t org, const char *text,
	 int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return LEJR_EINTERNAL;
	sqlite3_bind_int64(st, 1, org);
	if (text != NULL)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out != NULL)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE && out != NULL)
		*out = sqlite3_last_insert_rowid(db);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LEJR_OK
						     : LEJR_EINTERNAL;
}

static int post(struct lejr_call *call, json_t *amount, const char *memo,
		int64_t *id);

static int
good_count(struct lejr_call *call, json_t *args, json_t **result)
{
	const struct lejr_org *org = api->org(call);
	int64_t count = 0, entry;
	json_t *note;
	int rc;

	if (json_is_true(json_object_get(args, "post"))) {
		note = json_string("1.00");
		rc = post(call, note, "from a read tool", &entry);
		json_decref(note);
		if (rc != LEJR_OK)
			return rc;
	}

	if (json_is_true(json_object_get(args, "scribble")) &&
	    exec_org(api->db(call), "INSERT INTO good_notes (org_id, text) "
		     "VALUES (?, ?)", org->id, "scribble", NULL) != LEJR_OK)
		return api->fail(call, LEJR_EINTERNAL, "scribble failed");

	if (exec_org(api->db(call), "SELECT count(*) FROM good_notes WHERE "
		     "org_id = ?", org->id, NULL, &count) != LEJR_OK)
		return api->fail(call, LEJR_EINTERNAL, "count failed");

	api->progress(call, 1, 2, "counting");
	api->progress(call, 1, 2, "not sent: progress must grow");
	api->progress(call, 2, 2, NULL);
	note = json_string("counted");
	api->notify_log(call, "debug", "good", note);
	api->notify_log(call, "warning", "good", note);
	json_decref(note);

	*result = json_pack("{s:s, s:I}", "org", org->slug, "notes",
			    (json_int_t)count);
	return LEJR_OK;
}

/* ---- good_note: write ---- */

static const char note_input[] =
	"{\"type\": \"object\", \"additionalProperties\": false,"
	" \"required\": [\"text\"],"
	" \"properties\": {"
	"  \"text\": {\"type\": \"string\", \"minLength\": 1,"
	"   \"maxLength\": 100},"
	"  \"amount\": {\"type\": [\"string\", \"number\"],"
	"   \"description\": \"Post this from 3000 to 1000.\"},"
	"  \"fail\": {\"enum\": [\"no\", \"invalid\", \"internal\","
	"   \"rollback\", \"status\", \"array\"]},"
	"  \"ms\": {\"type\": \"integer\", \"minimum\": 0,"
	"   \"maximum\": 5000,"
	"   \"description\": \"Keep the writer busy this long first.\"}}}";

static const char note_output[] =
	"{\"type\": \"object\", \"required\": [\"id\"],"
	" \"properties\": {\"id\": {\"type\": \"integer\"},"
	"  \"entry\": {\"type\": \"integer\"}}}";

static int
post(struct lejr_call *call, json_t *amount, const char *memo, int64_t *id)
{
	struct lejr_line_spec lines[2];
	struct lejr_entry_spec spec;
	int64_t minor;
	int rc;

	rc = api->money_parse(call, "amount", amount, &minor);
	if (rc != LEJR_OK)
		return rc;

	lines[0] = (struct lejr_line_spec){ .account = "1000",
					    .amount = minor };
	lines[1] = (struct lejr_line_spec){ .account = "3000",
					    .amount = -minor };
	spec = (struct lejr_entry_spec){ .date = "2024-01-15", .memo = memo,
					 .lines = lines, .nlines = 2 };
	return api->post_entry(call, &spec, id);
}

static long long
thread_cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Keep this thread's CPU busy for ms; returns the loops it made. */
static unsigned long
spin(long long ms)
{
	long long until = thread_cpu_ms() + ms;
	volatile unsigned long spins = 0;

	while (thread_cpu_ms() < until)
		spins++;
	return spins;
}

static int
good_note(struct lejr_call *call, json_t *args, json_t **result)
{
	const char *text = json_string_value(json_object_get(args, "text"));
	const char *fail = json_string_value(json_object_get(args, "fail"));
	json_t *amount = json_object_get(args, "amount");
	int64_t id = 0, entry = 0;
	int rc;

	spin(json_integer_value(json_object_get(args, "ms")));
	rc = exec_org(api->db(call), "INSERT INTO good_notes (org_id, text) "
		      "VALUES (?, ?)", api->org(call)->id, text, &id);
	if (rc != LEJR_OK)
		return api->fail(call, rc, "insert failed");

	/* End the call's transaction with a conflict, then carry on as if
	 * nothing happened: the core must not let the rest commit. */
	if (fail != NULL && strcmp(fail, "rollback") == 0)
		exec_org(api->db(call), "INSERT OR ROLLBACK INTO good_notes "
			 "(id, org_id, text) SELECT id, org_id, text FROM "
			 "good_notes WHERE org_id = ?", api->org(call)->id,
			 NULL, NULL);

	if (amount != NULL) {
		rc = post(call, amount, text, &entry);
		if (rc != LEJR_OK)
			return rc;
	}

	if (fail != NULL && strcmp(fail, "invalid") == 0)
		return api->fail(call, LEJR_EINVAL, "the note was refused "
				 "after writing");
	if (fail != NULL && strcmp(fail, "internal") == 0)
		return api->fail(call, LEJR_EINTERNAL, "SQL logic error near "
				 "\"SELEKT\": syntax error");
	/* broken contracts: a status that is none, a result that is no
	 * object */
	if (fail != NULL && strcmp(fail, "status") == 0)
		return 7;
	if (fail != NULL && strcmp(fail, "array") == 0) {
		*result = json_array();
		return LEJR_OK;
	}

	*result = json_pack("{s:I}", "id", (json_int_t)id);
	if (entry > 0)
		json_object_set_new(*result, "entry", json_integer(entry));
	return LEJR_OK;
}

/* ---- good_ask: elicitation ---- */

static int
good_ask(struct lejr_call *call, json_t *args, json_t **result)
{
	const char *action = NULL;
	json_t *schema, *content = NULL;
	int rc;

	schema = json_pack("{s:s, s:{s:{s:s}}}", "type", "object",
			   "properties", "ok", "type", "boolean");
	rc = api->elicit(call, "Proceed?", schema, &action, &content);
	json_decref(schema);
	if (rc != LEJR_OK)
		return rc;

	*result = json_pack("{s:s, s:o}", "action", action, "content",
			    content ? content : json_null());
	return LEJR_OK;
}

/* ---- good_hidden: disabled by the tests' configuration ---- */

static int
good_hidden(struct lejr_call *call, json_t *args, json_t **result)
{
	*result = json_object();
	return LEJR_OK;
}

/* ---- resources and prompts ---- */

static int
read_readme(struct lejr_call *call, const char *uri, json_t **contents)
{
	*contents = json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
			      "text/plain", "text", "hello from good");
	return LEJR_OK;
}

static int
read_note(struct lejr_call *call, const char *uri, json_t **contents)
{
	const char *id = strrchr(uri, '/') + 1;
	char text[64];

	if (strcmp(id, "404") == 0)
		return api->fail(call, LEJR_ENOTFOUND, "no note %s", id);
	snprintf(text, sizeof(text), "note %s", id);
	*contents = json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
			      "text/plain", "text", text);
	return LEJR_OK;
}

/* ---- good_spin: CPU time, as a long report spends it ---- */

static const char spin_input[] =
	"{\"type\": \"object\", \"required\": [\"ms\"],"
	" \"additionalProperties\": false,"
	" \"properties\": {\"ms\": {\"type\": \"integer\","
	"  \"minimum\": 0, \"maximum\": 5000}}}";

static int
good_spin(struct lejr_call *call, json_t *args, json_t **result)
{
	unsigned long spins;

	(void)call;
	spins = spin(json_integer_value(json_object_get(args, "ms")));
	*result = json_pack("{s:I}", "spins", (json_int_t)spins);
	return LEJR_OK;
}

/* Completions: "period" gets months of 2024, "style" 150 made-up
 * values, both filtered by prefix. */
static int
complete(struct lejr_call *call, const char *argument, const char *value,
	 json_t *context, json_t **values)
{
	int many = strcmp(argument, "style") == 0;
	char item[16];

	*values = json_array();
	for (int i = 0; i < (many ? 150 : 12); i++) {
		if (many)
			snprintf(item, sizeof(item), "s%03d", i);
		else
			snprintf(item, sizeof(item), "2024-%02d", i + 1);
		if (strncmp(item, value, strlen(value)) == 0)
			json_array_append_new(*values, json_string(item));
	}
	return LEJR_OK;
}

static int
summary(struct lejr_call *call, json_t *args, json_t **result)
{
	const char *period = json_string_value(json_object_get(args,
							       "period"));
	char text[128];

	snprintf(text, sizeof(text), "Summarize the books for %s.", period);
	*result = json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}]}",
			    "description", "A summary request",
			    "messages", "role", "user", "content", "type",
			    "text", "text", text);
	return LEJR_OK;
}

/* ---- good_sql, good_query: raw SQL on api->db, for the sandbox ---- */

static const char sql_input[] =
	"{\"type\": \"object\", \"additionalProperties\": false,"
	" \"required\": [\"sql\"],"
	" \"properties\": {\"sql\": {\"type\": \"string\"}}}";

static const char sql_output[] =
	"{\"type\": \"object\", \"required\": [\"ok\"],"
	" \"properties\": {\"ok\": {\"type\": \"boolean\"},"
	"  \"value\": {\"type\": \"string\"},"
	"  \"error\": {\"type\": \"string\"}}}";

/* Run the statements, stopping at the first error; answer whether they
 * ran, the first column of the last one's first row as text, or
 * SQLite's error. */
static int
good_sql(struct lejr_call *call, json_t *args, json_t **result)
{
	const char *sql = json_string_value(json_object_get(args, "sql"));
	sqlite3 *db = api->db(call);
	char value[256] = "";
	sqlite3_stmt *st;
	int rc = SQLITE_OK, any = 0;

	while (sql != NULL && *sql != '\0' && rc == SQLITE_OK) {
		st = NULL;
		rc = sqlite3_prepare_v2(db, sql, -1, &st, &sql);
		if (rc != SQLITE_OK || st == NULL)
			break;
		rc = sqlite3_step(st);
		any = rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL;
		if (any)
			snprintf(value, sizeof(value), "%s",
				 (const char *)sqlite3_column_text(st, 0));
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			rc = SQLITE_OK;
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_OK)
		*result = json_pack("{s:b, s:s}", "ok", 0, "error",
				    sqlite3_errmsg(db));
	else
		*result = json_pack("{s:b, s:s*}", "ok", 1, "value",
				    any ? value : NULL);
	return *result != NULL ? LEJR_OK : LEJR_EINTERNAL;
}

/* ---- registration ---- */

static const struct lejr_tool tools[] = {
	{
		.name = "good_count",
		.title = "Count notes",
		.description = "Count the organization's notes.",
		.input_schema = count_input,
		.output_schema = count_output,
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY,
		.handler = good_count,
	},
	{
		.name = "good_note",
		.title = "Write a note",
		.description = "Write a note, optionally post an amount.",
		.input_schema = note_input,
		.output_schema = note_output,
		.access = LEJR_ACCESS_WRITE,
		.handler = good_note,
	},
	{
		.name = "good_ask",
		.title = "Ask",
		.description = "Ask the user whether to proceed.",
		.input_schema = "{\"type\": \"object\"}",
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY,
		.flags = LEJR_TOOL_NO_ORG,
		.handler = good_ask,
	},
	{
		.name = "good_spin",
		.title = "Spin",
		.description = "Keep a CPU busy for ms milliseconds.",
		.input_schema = spin_input,
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY,
		.flags = LEJR_TOOL_NO_ORG,
		.handler = good_spin,
	},
	{
		.name = "good_sql",
		.title = "Run SQL",
		.description = "Run SQL statements on the call's "
			       "connection, in a write call.",
		.input_schema = sql_input,
		.output_schema = sql_output,
		.access = LEJR_ACCESS_WRITE,
		.handler = good_sql,
	},
	{
		.name = "good_query",
		.title = "Query SQL",
		.description = "Run SQL statements on the call's "
			       "connection, in a read call.",
		.input_schema = sql_input,
		.output_schema = sql_output,
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY,
		.handler = good_sql,
	},
	{
		.name = "good_hidden",
		.title = "Hidden",
		.description = "Disabled in the tests' configuration.",
		.input_schema = "{\"type\": \"object\"}",
		.access = LEJR_ACCESS_READ,
		.annotations = LEJR_ANNOT_READ_ONLY,
		.handler = good_hidden,
	},
};

static const struct lejr_resource resources[] = {
	{
		.uri = "good://readme",
		.name = "readme",
		.title = "Read me",
		.mime_type = "text/plain",
		.read = read_readme,
	},
	{
		.uri = "good://notes/{id}",
		.name = "note",
		.description = "One note by id.",
		.mime_type = "text/plain",
		.flags = LEJR_RESOURCE_TEMPLATE,
		.read = read_note,
		.complete = complete,
	},
};

static const struct lejr_prompt prompt = {
	.name = "good_summary",
	.title = "Summary",
	.arguments = "[{\"name\": \"period\", \"required\": true},"
		     " {\"name\": \"style\"}]",
	.get = summary,
	.complete = complete,
};

static int
good_init(struct lejr_plugin *self, const struct lejr_api *core)
{
	api = core;

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (api->register_tool(self, &tools[i]) != LEJR_OK)
			return -1;
	for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		if (api->register_resource(self, &resources[i]) != LEJR_OK)
			return -1;
	if (api->register_prompt(self, &prompt) != LEJR_OK)
		return -1;

	api->log(self, LEJR_LOG_INFO, "ready");
	return api->add_migration(self, 1, "CREATE TABLE good_notes ("
				  " id INTEGER PRIMARY KEY,"
				  " org_id INTEGER NOT NULL,"
				  " text TEXT NOT NULL)");
}

static const struct lejr_plugin_desc good_desc = {
	.abi_version = LEJR_ABI_VERSION,
	.name = "good",
	.version = "1.0",
	.description = "Fixtures for the runtime tests",
	.init = good_init,
};

const struct lejr_plugin_desc *
lejr_plugin_entry(void)
{
	return &good_desc;
}

/*
 * test_journal.c - journal.so's tools, run against the real ledger.
 *
 * The plugin's sources are linked in and initialised with a small
 * stand-in for the core: its struct lejr_api calls the ledger functions
 * (liblejr-core) on a SQLite file in a temporary directory, and every
 * call goes the way the core's guard takes it: arguments validated
 * against the tool's input schema, one transaction, commit on success
 * and rollback on failure.  Every successful result is validated
 * against the tool's output schema, so a schema that drifts from what
 * the ledger writes fails here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "jsonschema.h"
#include "ledger/ledger-internal.h"
#include "log.h"
#include "../plugins/journal/journal.h"

#define NTOOLS_MAX 16

/* The core's view of one call. */
struct lejr_call {
	int status;
	char msg[512];
};

struct tool {
	struct lejr_tool t;
	json_t *input;
	json_t *output;
};

static char dir[] = "/tmp/lejr-journal-XXXXXX";
static char path[sizeof(dir) + 16];
static sqlite3 *db;
static struct ledger_org org;
static struct tool tools[NTOOLS_MAX];
static size_t ntools;
static int posts; /* post_entry calls that reached the ledger */

/* ---- the stand-in core ---- */

static int
from_err(struct lejr_call *call, const struct lejr_error *err, int rc)
{
	if (rc != LEJR_OK) {
		call->status = rc;
		snprintf(call->msg, sizeof(call->msg), "%s", err->msg);
	}
	return rc;
}

static int
fake_register_tool(struct lejr_plugin *p, const struct lejr_tool *t)
{
	struct tool *slot;
	char msg[300];

	cr_assert_lt(ntools, NTOOLS_MAX);
	slot = &tools[ntools++];
	slot->t = *t;
	slot->t.input_schema = strdup(t->input_schema);
	slot->t.output_schema = t->output_schema ? strdup(t->output_schema)
						 : NULL;
	slot->input = json_loads(t->input_schema, JSON_REJECT_DUPLICATES, NULL);
	slot->output = t->output_schema ?
		       json_loads(t->output_schema, 0, NULL) : NULL;

	cr_assert_not_null(slot->input, "%s: input schema", t->name);
	cr_assert(lejr_schema_check(slot->input, msg, sizeof(msg)) == 0,
		  "%s: input schema refused by the core: %s", t->name, msg);
	if (slot->output != NULL)
		cr_assert(lejr_schema_check(slot->output, msg, sizeof(msg))
			  == 0, "%s: output schema refused by the core: %s",
			  t->name, msg);
	return LEJR_OK;
}

static void
fake_log(struct lejr_plugin *p, enum lejr_log_level level, const char *fmt,
	 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
fake_fail(struct lejr_call *call, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(call->msg, sizeof(call->msg), fmt, ap);
	va_end(ap);
	call->status = status;
	return status;
}

static const struct lejr_org *
fake_org(struct lejr_call *call)
{
	return &org.pub;
}

static int
fake_money_parse(struct lejr_call *call, const char *field, json_t *value,
		 int64_t *minor)
{
	struct lejr_error err;

	return from_err(call, &err, lejr_money_parse_json(
		value, org.pub.exponent, minor, field, &err));
}

static int
fake_money_format(struct lejr_call *call, int64_t minor, char *buf,
		  size_t len)
{
	return lejr_money_format(minor, org.pub.exponent, buf, len);
}

static int
fake_account_get(struct lejr_call *call, const char *code,
		 struct lejr_account *out)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_account_get(db, &org.pub, code,
						       out, &err));
}

static int
fake_account_list(struct lejr_call *call, int include_archived,
		  json_t **out)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_account_list(
		db, &org.pub, include_archived, out, &err));
}

static int
fake_account_create(struct lejr_call *call,
		    const struct lejr_account_spec *spec,
		    struct lejr_account *out)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_account_create(db, &org.pub, spec,
							  out, &err));
}

static int
fake_account_archive(struct lejr_call *call, const char *code)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_account_archive(db, &org.pub, code,
							   &err));
}

static int
fake_post_entry(struct lejr_call *call, const struct lejr_entry_spec *spec,
		int64_t *id)
{
	struct lejr_error err;

	posts++;
	return from_err(call, &err, ledger_entry_post(db, &org.pub, 0, spec,
						      id, &err));
}

static int
fake_post_entry_ex(struct lejr_call *call,
		   const struct lejr_entry_spec *spec, unsigned flags,
		   int64_t *id)
{
	struct lejr_error err;

	posts++;
	return from_err(call, &err, ledger_entry_post_ex(db, &org.pub, 0,
							 spec, flags, id,
							 &err));
}

static int
fake_entry_get(struct lejr_call *call, int64_t id, json_t **out)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_entry_get(db, &org.pub, id, out,
						     &err));
}

static int
fake_entry_list(struct lejr_call *call,
		const struct lejr_entry_filter *filter, json_t **out)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_entry_list(db, &org.pub, filter,
						      out, &err));
}

static int
fake_entry_reverse(struct lejr_call *call, int64_t id, const char *date,
		   const char *memo, int64_t *new_id)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_entry_reverse(
		db, &org.pub, 0, id, date, memo, new_id, &err));
}

static int
fake_trial_balance(struct lejr_call *call, const char *date, json_t **out)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_trial_balance(db, &org.pub, date,
							 out, &err));
}

static int
fake_account_balance(struct lejr_call *call, const char *code,
		     const char *date, int64_t *balance)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_account_balance(
		db, &org.pub, code, date, balance, &err));
}

static const struct lejr_api fake_api = {
	.abi_version = LEJR_ABI_VERSION,
	.size = sizeof(struct lejr_api),
	.register_tool = fake_register_tool,
	.log = fake_log,
	.fail = fake_fail,
	.org = fake_org,
	.money_parse = fake_money_parse,
	.money_format = fake_money_format,
	.account_get = fake_account_get,
	.account_list = fake_account_list,
	.account_create = fake_account_create,
	.account_archive = fake_account_archive,
	.post_entry = fake_post_entry,
	.entry_get = fake_entry_get,
	.entry_list = fake_entry_list,
	.entry_reverse = fake_entry_reverse,
	.trial_balance = fake_trial_balance,
	.account_balance = fake_account_balance,
	.post_entry_ex = fake_post_entry_ex,
};

static struct tool *
find(const char *name)
{
	size_t i;

	for (i = 0; i < ntools; i++)
		if (strcmp(tools[i].t.name, name) == 0)
			return &tools[i];
	cr_assert_fail("tool %s is not registered", name);
	return NULL;
}

/*
 * Call tool name with args (JSON text) as the core would.  Returns the
 * status; *result gets the result (or NULL), msg the failure text.
 */
static int
call_tool(const char *name, const char *args_text, json_t **result,
	  char *msg, size_t len)
{
	struct lejr_call call = { .status = 0 };
	struct lejr_error err;
	struct tool *t;
	json_t *args, *out = NULL;
	char why[300];
	int rc;

	t = find(name);
	args = json_loads(args_text, 0, NULL);
	cr_assert_not_null(args, "bad test arguments %s", args_text);

	if (lejr_schema_validate(t->input, args, why, sizeof(why)) != 0) {
		snprintf(msg, len, "invalid: %s", why);
		json_decref(args);
		*result = NULL;
		return LEJR_EINVAL;
	}

	cr_assert_eq(ledger_begin(db, t->t.access == LEJR_ACCESS_WRITE,
				  &err), LEJR_OK);
	rc = t->t.handler(&call, args, &out);
	if (rc == LEJR_OK) {
		cr_assert_eq(ledger_commit(db, &err), LEJR_OK, "%s", err.msg);
		cr_assert(json_is_object(out), "%s: result not an object",
			  name);
		cr_assert(lejr_schema_validate(t->output, out, why,
					       sizeof(why)) == 0,
			  "%s: result does not match its output schema: %s",
			  name, why);
		msg[0] = '\0';
	} else {
		ledger_rollback(db);
		cr_assert_null(out, "%s failed but left a result", name);
		cr_assert_eq(call.status, rc,
			     "%s returned %d without describing it", name, rc);
		snprintf(msg, len, "%s", call.msg);
	}

	json_decref(args);
	*result = out;
	return rc;
}

/* Call, expect success, return the result (the caller decrefs). */
static json_t *
ok(const char *name, const char *args_text)
{
	char msg[512];
	json_t *result;
	int rc;

	rc = call_tool(name, args_text, &result, msg, sizeof(msg));
	cr_assert_eq(rc, LEJR_OK, "%s %s failed (%d): %s", name, args_text,
		     rc, msg);
	return result;
}

/* Call, expect status, and the message to contain want. */
static void
refused(const char *name, const char *args_text, int status,
	const char *want)
{
	char msg[512];
	json_t *result;
	int rc;

	rc = call_tool(name, args_text, &result, msg, sizeof(msg));
	cr_assert_eq(rc, status, "%s %s: status %d, wanted %d (%s)", name,
		     args_text, rc, status, msg);
	cr_assert(strstr(msg, want) != NULL, "%s: message \"%s\" lacks "
		  "\"%s\"", name, msg, want);
	json_decref(result);
}

static json_int_t
entry_count(void)
{
	json_t *page;
	json_int_t n;

	page = ok("list_journal_entries", "{\"limit\": 500}");
	n = (json_int_t)json_array_size(json_object_get(page, "entries"));
	json_decref(page);
	return n;
}

static void
setup(void)
{
	struct lejr_error err;
	int64_t id;

	lejr_log_set_level(LEJR_LOG_WARN);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lejr.db", dir);
	cr_assert_eq(ledger_open(path, &db, &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_org_create(db, "demo", "Demo Ltd", "EUR", &id,
				       &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_org_load(db, id, &org, &err), LEJR_OK, "%s",
		     err.msg);

	cr_assert_eq(lejr_plugin_entry()->init(NULL, &fake_api), LEJR_OK);

	json_decref(ok("create_account", "{\"code\": \"1200\", "
		       "\"name\": \"Bank\", \"type\": \"asset\"}"));
	json_decref(ok("create_account", "{\"code\": \"3000\", "
		       "\"name\": \"Capital\", \"type\": \"equity\"}"));
	json_decref(ok("create_account", "{\"code\": \"6100\", "
		       "\"name\": \"Rent\", \"type\": \"expense\"}"));
	posts = 0;
}

static void
teardown(void)
{
	ledger_close(db);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lejr.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lejr.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

TestSuite(journal, .init = setup, .fini = teardown);

/* ---- registration and schemas ---- */

static const struct {
	const char *name;
	enum lejr_access access;
	unsigned annotations;
} expected[] = {
	{ "list_accounts", LEJR_ACCESS_READ, 5 },
	{ "create_account", LEJR_ACCESS_WRITE, 0 },
	{ "archive_account", LEJR_ACCESS_WRITE, LEJR_ANNOT_IDEMPOTENT },
	{ "post_journal_entry", LEJR_ACCESS_WRITE, 0 },
	{ "get_journal_entry", LEJR_ACCESS_READ, 5 },
	{ "list_journal_entries", LEJR_ACCESS_READ, 5 },
	{ "reverse_journal_entry", LEJR_ACCESS_WRITE, 0 },
};

Test(journal, registers_every_tool_truthfully)
{
	const struct tool *t;
	size_t i;

	cr_assert_eq(ntools, sizeof(expected) / sizeof(expected[0]));
	for (i = 0; i < ntools; i++) {
		t = find(expected[i].name);
		cr_expect_eq(t->t.access, expected[i].access, "%s",
			     t->t.name);
		cr_expect_eq(t->t.annotations, expected[i].annotations, "%s",
			     t->t.name);
		cr_expect_not_null(t->t.title);
		cr_expect_gt(strlen(t->t.description), 80, "%s", t->t.name);
		cr_expect_not_null(t->output, "%s has no output schema",
				   t->t.name);
	}
}

/* Every property described; every object closed. */
static void
lint(const char *tool, const char *where, json_t *schema)
{
	json_t *props, *prop;
	const char *key;

	if (json_object_get(schema, "items") != NULL)
		lint(tool, where, json_object_get(schema, "items"));

	props = json_object_get(schema, "properties");
	if (props == NULL)
		return;
	cr_expect(json_is_false(json_object_get(schema,
						"additionalProperties")),
		  "%s: %s is not closed", tool, where);
	json_object_foreach(props, key, prop) {
		cr_expect(json_is_string(json_object_get(prop, "description")),
			  "%s: %s.%s has no description", tool, where, key);
		lint(tool, key, prop);
	}
}

Test(journal, schemas_are_closed_and_described)
{
	size_t i;

	for (i = 0; i < ntools; i++) {
		lint(tools[i].t.name, "input", tools[i].input);
		lint(tools[i].t.name, "output", tools[i].output);
	}
}

Test(journal, helpers)
{
	cr_expect_eq(journal_account_type_parse("asset"), LEJR_ASSET);
	cr_expect_eq(journal_account_type_parse("expense"), LEJR_EXPENSE);
	cr_expect_eq(journal_account_type_parse("Asset"), 0);
	cr_expect_eq(journal_account_type_parse(NULL), 0);
	cr_expect(journal_blank(NULL));
	cr_expect(journal_blank(" \t\n"));
	cr_expect(!journal_blank(" x "));
}

/* ---- accounts ---- */

Test(journal, create_and_list_accounts)
{
	json_t *r, *accounts;

	r = ok("create_account", "{\"code\": \"6100.10\", \"name\": "
	       "\"Rent, storage\", \"type\": \"expense\", \"parent\": "
	       "\"6100\"}");
	cr_expect_str_eq(json_string_value(json_object_get(
		json_object_get(r, "account"), "parent")), "6100");
	json_decref(r);

	r = ok("list_accounts", "{\"type\": \"expense\"}");
	accounts = json_object_get(r, "accounts");
	cr_assert_eq(json_array_size(accounts), 2);
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(accounts, 1), "code")), "6100.10");
	json_decref(r);

	refused("create_account", "{\"code\": \"1200\", \"name\": \"Again\", "
		"\"type\": \"asset\"}", LEJR_ECONFLICT, "already exists");
	refused("create_account", "{\"code\": \"1300\", \"name\": \"  \", "
		"\"type\": \"asset\"}", LEJR_EINVAL, "name must not be blank");
	refused("create_account", "{\"code\": \"1300\", \"name\": \"X\", "
		"\"type\": \"assets\"}", LEJR_EINVAL, "invalid");
}

Test(journal, archive_needs_a_zero_balance_and_repeats_quietly)
{
	json_t *r;

	json_decref(ok("post_journal_entry", "{\"date\": \"2025-01-02\", "
		       "\"memo\": \"Capital paid in\", \"lines\": ["
		       "{\"account\": \"1200\", \"debit\": \"1250.00\"},"
		       "{\"account\": \"3000\", \"credit\": \"1250.00\"}]}"));

	refused("archive_account", "{\"code\": \"1200\"}", LEJR_ECONFLICT,
		"debit balance of 1250.00 EUR");
	refused("archive_account", "{\"code\": \"9999\"}", LEJR_ENOTFOUND,
		"9999");

	r = ok("archive_account", "{\"code\": \"6100\"}");
	cr_expect(json_is_true(json_object_get(json_object_get(r, "account"),
					       "archived")));
	cr_expect(json_is_false(json_object_get(r, "already_archived")));
	json_decref(r);

	r = ok("archive_account", "{\"code\": \"6100\"}");
	cr_expect(json_is_true(json_object_get(r, "already_archived")));
	json_decref(r);

	r = ok("list_accounts", "{}");
	cr_expect_eq(json_array_size(json_object_get(r, "accounts")), 2);
	json_decref(r);
	r = ok("list_accounts", "{\"include_archived\": true}");
	cr_expect_eq(json_array_size(json_object_get(r, "accounts")), 3);
	json_decref(r);
}

/* ---- posting ---- */

Test(journal, post_turns_sides_into_signed_amounts)
{
	json_t *r, *entry, *lines;

	r = ok("post_journal_entry", "{\"date\": \"2025-03-01\", "
	       "\"memo\": \"March rent\", \"reference\": \"INV-7\", "
	       "\"lines\": ["
	       "{\"account\": \"6100\", \"debit\": \"1250.00\", "
	       "\"memo\": \"office\"},"
	       "{\"account\": \"1200\", \"credit\": 1250}]}");
	entry = json_object_get(r, "entry");
	lines = json_object_get(entry, "lines");
	cr_assert_eq(json_array_size(lines), 2);
	cr_expect_str_eq(json_string_value(json_object_get(entry,
							   "reference")),
			 "INV-7");
	cr_expect_eq(json_integer_value(json_object_get(
		json_array_get(lines, 0), "amount_minor")), 125000);
	cr_expect_eq(json_integer_value(json_object_get(
		json_array_get(lines, 1), "amount_minor")), -125000);
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(lines, 1), "credit")), "1250.00");
	json_decref(r);
}

Test(journal, post_refuses_bad_lines_and_posts_nothing)
{
	refused("post_journal_entry", "{\"date\": \"2025-03-01\", "
		"\"memo\": \"x\", \"lines\": ["
		"{\"account\": \"6100\", \"debit\": \"10.00\"},"
		"{\"account\": \"1200\", \"debit\": \"5\", \"credit\": \"15\"}"
		"]}", LEJR_EINVAL, "lines[1] has both a debit and a credit");
	refused("post_journal_entry", "{\"date\": \"2025-03-01\", "
		"\"memo\": \"x\", \"lines\": ["
		"{\"account\": \"6100\"},"
		"{\"account\": \"1200\", \"credit\": \"15\"}]}",
		LEJR_EINVAL, "lines[0] has neither");
	refused("post_journal_entry", "{\"date\": \"2025-03-01\", "
		"\"memo\": \"x\", \"lines\": ["
		"{\"account\": \"6100\", \"debit\": \"0.00\"},"
		"{\"account\": \"1200\", \"credit\": \"0\"}]}",
		LEJR_EINVAL, "lines[0].debit must be greater than zero");
	refused("post_journal_entry", "{\"date\": \"2025-03-01\", "
		"\"memo\": \"x\", \"lines\": ["
		"{\"account\": \"6100\", \"debit\": \"10.00\"},"
		"{\"account\": \"1200\", \"credit\": \"10.005\"}]}",
		LEJR_EINVAL, "lines[1].credit");
	refused("post_journal_entry", "{\"date\": \"2025-03-01\", "
		"\"memo\": \" \", \"lines\": ["
		"{\"account\": \"6100\", \"debit\": \"10.00\"},"
		"{\"account\": \"1200\", \"credit\": \"10.00\"}]}",
		LEJR_EINVAL, "memo must not be blank");
	refused("post_journal_entry", "{\"date\": \"2025-03-01\", "
		"\"memo\": \"x\", \"lines\": ["
		"{\"account\": \"6100\", \"debit\": \"-10.00\"},"
		"{\"account\": \"1200\", \"debit\": 10}]}",
		LEJR_EINVAL, "lines[0].debit must be greater than zero");
	refused("post_journal_entry", "{\"date\": \"2025-03-01\", "
		"\"memo\": \"x\", \"lines\": ["
		"{\"account\": \"6100\", \"debit\": \"10.00\"},"
		"{\"account\": \"1200\", \"credit\": \"+10.00\"}]}",
		LEJR_EINVAL, "lines[1].credit: \"+10.00\" has a sign: write "
		"every amount as a plain positive number");
	refused("post_journal_entry", "{\"date\": \"2025-03-01\", "
		"\"memo\": \"x\", \"lines\": ["
		"{\"account\": \"6100\", \"debit\": \"1,250.00\"},"
		"{\"account\": \"1200\", \"credit\": \"1250.00\"}]}",
		LEJR_EINVAL, "lines[0].debit");
	refused("post_journal_entry", "{\"date\": \"2025-03-01\", "
		"\"memo\": \"x\", \"lines\": ["
		"{\"account\": \"6100\", \"debit\": \"10\"},"
		"{\"account\": \"1200\", \"credit\": \"1e1\"}]}",
		LEJR_EINVAL, "lines[1].credit");
	cr_expect_eq(posts, 0, "the plugin should refuse before the ledger");

	refused("post_journal_entry", "{\"date\": \"2025-03-01\", "
		"\"memo\": \"x\", \"lines\": ["
		"{\"account\": \"6100\", \"debit\": \"10.00\"},"
		"{\"account\": \"1200\", \"credit\": \"9.99\"}]}",
		LEJR_EINVAL, "does not balance");
	refused("post_journal_entry", "{\"date\": \"2025-03-01\", "
		"\"memo\": \"x\", \"lines\": ["
		"{\"account\": \"6100\", \"debit\": \"10.00\"},"
		"{\"account\": \"7777\", \"credit\": \"10.00\"}]}",
		LEJR_ENOTFOUND, "7777");
	refused("post_journal_entry", "{\"date\": \"2025-02-30\", "
		"\"memo\": \"x\", \"lines\": ["
		"{\"account\": \"6100\", \"debit\": \"10.00\"},"
		"{\"account\": \"1200\", \"credit\": \"10.00\"}]}",
		LEJR_EINVAL, "date");
	cr_expect_eq(entry_count(), 0);
}

/* ---- reading ---- */

static void
post_three(void)
{
	static const char *const memos[] = { "January rent", "February rent",
					     "Bank fee" };
	char args[512];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(args, sizeof(args), "{\"date\": \"2025-0%zu-15\", "
			 "\"memo\": \"%s\", \"lines\": ["
			 "{\"account\": \"6100\", \"debit\": \"100.00\"},"
			 "{\"account\": \"1200\", \"credit\": \"100.00\"}]}",
			 i + 1, memos[i]);
		json_decref(ok("post_journal_entry", args));
	}
}

Test(journal, list_pages_with_a_cursor)
{
	json_t *page, *cursor;
	char args[512];

	post_three();

	page = ok("list_journal_entries", "{\"limit\": 2}");
	cr_expect_eq(json_array_size(json_object_get(page, "entries")), 2);
	cursor = json_object_get(page, "next_cursor");
	cr_assert(json_is_string(cursor));
	snprintf(args, sizeof(args), "{\"limit\": 2, \"cursor\": \"%s\"}",
		 json_string_value(cursor));
	json_decref(page);

	page = ok("list_journal_entries", args);
	cr_expect_eq(json_array_size(json_object_get(page, "entries")), 1);
	cr_expect(json_is_null(json_object_get(page, "next_cursor")));
	json_decref(page);
}

Test(journal, list_filters)
{
	json_t *page;

	post_three();

	page = ok("list_journal_entries",
		  "{\"from\": \"2025-02-01\", \"to\": \"2025-03-15\"}");
	cr_expect_eq(json_array_size(json_object_get(page, "entries")), 2);
	json_decref(page);

	page = ok("list_journal_entries", "{\"text\": \"rent\"}");
	cr_expect_eq(json_array_size(json_object_get(page, "entries")), 2);
	json_decref(page);

	page = ok("list_journal_entries", "{\"account\": \"3000\"}");
	cr_expect_eq(json_array_size(json_object_get(page, "entries")), 0);
	json_decref(page);

	refused("list_journal_entries", "{\"account\": \"4242\"}",
		LEJR_ENOTFOUND, "4242");
	refused("list_journal_entries",
		"{\"from\": \"2025-03-01\", \"to\": \"2025-02-01\"}",
		LEJR_EINVAL, "after");
	refused("list_journal_entries", "{\"limit\": 501}", LEJR_EINVAL,
		"invalid");
	refused("get_journal_entry", "{\"id\": 99}", LEJR_ENOTFOUND, "99");
}

/* ---- reversal ---- */

Test(journal, reverse_once)
{
	struct lejr_error err;
	int64_t balance;
	json_t *r;
	json_int_t id;

	r = ok("post_journal_entry", "{\"date\": \"2025-03-01\", "
	       "\"memo\": \"Wrong rent\", \"lines\": ["
	       "{\"account\": \"6100\", \"debit\": \"99.00\"},"
	       "{\"account\": \"1200\", \"credit\": \"99.00\"}]}");
	id = json_integer_value(json_object_get(json_object_get(r, "entry"),
						"id"));
	json_decref(r);

	refused("reverse_journal_entry", "{\"id\": 1, \"memo\": \"\\t\"}",
		LEJR_EINVAL, "memo must not be blank");

	r = ok("reverse_journal_entry",
	       "{\"id\": 1, \"date\": \"2025-03-31\"}");
	cr_expect_eq(json_integer_value(json_object_get(
		json_object_get(r, "entry"), "reverses")), id);
	cr_expect_eq(json_integer_value(json_object_get(
		json_object_get(r, "original"), "reversed_by")),
		json_integer_value(json_object_get(
		json_object_get(r, "entry"), "id")));
	json_decref(r);

	refused("reverse_journal_entry", "{\"id\": 1}", LEJR_ECONFLICT,
		"already reversed");
	refused("reverse_journal_entry", "{\"id\": 2}", LEJR_ECONFLICT,
		"cannot be reversed");

	cr_expect_eq(ledger_account_balance(db, &org.pub, "6100", NULL,
					    &balance, &err), LEJR_OK);
	cr_expect_eq(balance, 0, "the reversal cancels the entry");
}

/* ---- closing entries ---- */

static void
create_income(void)
{
	json_decref(ok("create_account", "{\"code\": \"4000\", "
		       "\"name\": \"Sales\", \"type\": \"income\"}"));
	json_decref(ok("post_journal_entry", "{\"date\": \"2025-03-01\", "
		       "\"memo\": \"Sale\", \"lines\": ["
		       "{\"account\": \"1200\", \"debit\": \"500.00\"},"
		       "{\"account\": \"4000\", \"credit\": \"500.00\"}]}"));
}

Test(journal, closing_entry_is_marked)
{
	json_t *r, *entry;

	create_income();
	r = ok("post_journal_entry", "{\"date\": \"2025-12-31\", "
	       "\"memo\": \"Close 2025\", \"kind\": \"closing\", "
	       "\"lines\": ["
	       "{\"account\": \"4000\", \"debit\": \"500.00\"},"
	       "{\"account\": \"3000\", \"credit\": \"500.00\"}]}");
	entry = json_object_get(r, "entry");
	cr_expect_str_eq(json_string_value(json_object_get(entry, "kind")),
			 "closing");
	json_decref(r);

	r = ok("get_journal_entry", "{\"id\": 1}");
	cr_expect_null(json_object_get(json_object_get(r, "entry"), "kind"),
		       "an ordinary entry has no kind");
	json_decref(r);
}

Test(journal, closing_entry_rules)
{
	create_income();
	refused("post_journal_entry", "{\"date\": \"2025-11-30\", "
		"\"memo\": \"Close\", \"kind\": \"closing\", \"lines\": ["
		"{\"account\": \"4000\", \"debit\": \"500.00\"},"
		"{\"account\": \"3000\", \"credit\": \"500.00\"}]}",
		LEJR_EINVAL, "date it 2025-12-31");
	refused("post_journal_entry", "{\"date\": \"2025-12-31\", "
		"\"memo\": \"Close\", \"kind\": \"closing\", \"lines\": ["
		"{\"account\": \"4000\", \"debit\": \"500.00\"},"
		"{\"account\": \"1200\", \"credit\": \"500.00\"}]}",
		LEJR_EINVAL, "1200 (Bank) is an asset account");
	refused("post_journal_entry", "{\"date\": \"2025-12-31\", "
		"\"memo\": \"Close\", \"kind\": \"final\", \"lines\": ["
		"{\"account\": \"4000\", \"debit\": \"500.00\"},"
		"{\"account\": \"3000\", \"credit\": \"500.00\"}]}",
		LEJR_EINVAL, "invalid");
	cr_expect_eq(entry_count(), 1);
}

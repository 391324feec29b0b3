/*
 * test_reports.c - reports.so's tools and the ledger's reports, on
 * real SQLite files.
 *
 * The plugin's sources are linked in and initialised with a stand-in
 * for the core whose struct lejr_api calls the ledger functions; every
 * call is validated against the tool's input schema, runs in a
 * transaction, and its result is validated against the output schema.
 * Entries are posted straight through the ledger.  Figures are checked
 * against hand-computed numbers (replay case C21, a fiscal year that
 * starts in April) and, on random ledgers, against sums computed here
 * with plain SQL over the journal lines.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "jsonschema.h"
#include "ledger/ledger-internal.h"
#include "log.h"

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

static char dir[] = "/tmp/lejr-reports-XXXXXX";
static char path[sizeof(dir) + 16];
static sqlite3 *db;
static struct ledger_org org;
static struct tool tools[NTOOLS_MAX];
static size_t ntools;
static char *last_text; /* the text content of the last call */

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
	slot->t.name = strdup(t->name);
	slot->input = json_loads(t->input_schema, JSON_REJECT_DUPLICATES, NULL);
	slot->output = t->output_schema ?
		       json_loads(t->output_schema, JSON_REJECT_DUPLICATES,
				  NULL) : NULL;
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
fake_trial_balance(struct lejr_call *call, const char *date, json_t **out)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_trial_balance(db, &org.pub, date,
							 out, &err));
}

static int
fake_balance_sheet(struct lejr_call *call, const char *date, json_t **out)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_balance_sheet(db, &org.pub, date,
							 out, &err));
}

static int
fake_profit_and_loss(struct lejr_call *call, const char *from,
		     const char *to, const char *columns, json_t **out)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_profit_and_loss(
		db, &org.pub, from, to, columns, out, &err));
}

static int
fake_general_ledger(struct lejr_call *call, const char *code,
		    const char *from, const char *to, const char *cursor,
		    int limit, json_t **out)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_general_ledger(
		db, &org.pub, code, from, to, cursor, limit, out, &err));
}

static int
fake_account_report(struct lejr_call *call, const char *code,
		    const char *date, json_t **out)
{
	struct lejr_error err;

	return from_err(call, &err, ledger_account_report(
		db, &org.pub, code, date, out, &err));
}

static void
fake_set_content(struct lejr_call *call, json_t *content)
{
	const char *text;

	text = json_string_value(json_object_get(json_array_get(content, 0),
						 "text"));
	cr_assert_not_null(text, "set_content without a text block");
	free(last_text);
	last_text = strdup(text);
	json_decref(content);
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
	.trial_balance = fake_trial_balance,
	.set_content = fake_set_content,
	.balance_sheet = fake_balance_sheet,
	.profit_and_loss = fake_profit_and_loss,
	.general_ledger = fake_general_ledger,
	.account_report = fake_account_report,
};

static struct tool *
find(const char *name)
{
	for (size_t i = 0; i < ntools; i++)
		if (strcmp(tools[i].t.name, name) == 0)
			return &tools[i];
	cr_assert_fail("tool %s is not registered", name);
	return NULL;
}

/* Call tool name with args (JSON text) as the core would. */
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
	free(last_text);
	last_text = NULL;

	if (lejr_schema_validate(t->input, args, why, sizeof(why)) != 0) {
		snprintf(msg, len, "invalid: %s", why);
		json_decref(args);
		*result = NULL;
		return LEJR_EINVAL;
	}

	cr_assert_eq(ledger_begin(db, 0, &err), LEJR_OK);
	rc = t->t.handler(&call, args, &out);
	ledger_rollback(db);
	if (rc == LEJR_OK) {
		cr_assert(json_is_object(out), "%s: result not an object",
			  name);
		cr_assert(lejr_schema_validate(t->output, out, why,
					       sizeof(why)) == 0,
			  "%s: result does not match its output schema: %s",
			  name, why);
		cr_assert_not_null(last_text, "%s: no text table", name);
		msg[0] = '\0';
	} else {
		cr_assert_null(out, "%s failed but left a result", name);
		cr_assert_eq(call.status, rc,
			     "%s returned %d without describing it", name, rc);
		snprintf(msg, len, "%s", call.msg);
	}

	json_decref(args);
	*result = out;
	return rc;
}

static json_t *
ok(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Call with printf-formatted arguments, expect success. */
static json_t *
ok(const char *name, const char *fmt, ...)
{
	char args[1024], msg[512];
	json_t *result;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	rc = call_tool(name, args, &result, msg, sizeof(msg));
	cr_assert_eq(rc, LEJR_OK, "%s %s failed (%d): %s", name, args, rc,
		     msg);
	return result;
}

static void
refused(const char *name, const char *args, int status, const char *want)
{
	char msg[512];
	json_t *result;
	int rc;

	rc = call_tool(name, args, &result, msg, sizeof(msg));
	cr_assert_eq(rc, status, "%s %s: status %d, wanted %d (%s)", name,
		     args, rc, status, msg);
	cr_assert(strstr(msg, want) != NULL, "%s: message \"%s\" lacks "
		  "\"%s\"", name, msg, want);
	json_decref(result);
}

/* ---- ledgers ---- */

static void
account(const char *code, const char *name, enum lejr_account_type type)
{
	struct lejr_account_spec spec = {
		.code = code, .name = name, .type = type
	};
	struct lejr_error err;

	cr_assert_eq(ledger_account_create(db, &org.pub, &spec, NULL, &err),
		     LEJR_OK, "%s", err.msg);
}

/* Post an entry: after date and flags, (code, minor amount) pairs
 * ending with NULL.  Returns the ledger's status; *id may be NULL. */
static int
vpost(const char *date, unsigned flags, int64_t *id, char *msg,
      va_list ap)
{
	struct lejr_line_spec lines[16];
	struct lejr_entry_spec spec = { .date = date, .memo = "test entry" };
	struct lejr_error err = { 0 };
	const char *code;
	int64_t new_id;
	int rc;

	while ((code = va_arg(ap, const char *)) != NULL) {
		cr_assert_lt(spec.nlines, 16);
		lines[spec.nlines].account = code;
		lines[spec.nlines].amount = va_arg(ap, int64_t);
		lines[spec.nlines].memo = NULL;
		spec.nlines++;
	}
	spec.lines = lines;

	cr_assert_eq(ledger_begin(db, 1, &err), LEJR_OK);
	rc = ledger_entry_post_ex(db, &org.pub, 0, &spec, flags, &new_id,
				  &err);
	if (rc == LEJR_OK)
		cr_assert_eq(ledger_commit(db, &err), LEJR_OK);
	else
		ledger_rollback(db);
	if (id != NULL)
		*id = new_id;
	if (msg != NULL)
		snprintf(msg, 512, "%s", err.msg);
	return rc;
}

static int64_t
post(const char *date, unsigned flags, ...)
{
	int64_t id = 0;
	char msg[512];
	va_list ap;
	int rc;

	va_start(ap, flags);
	rc = vpost(date, flags, &id, msg, ap);
	va_end(ap);
	cr_assert_eq(rc, LEJR_OK, "posting on %s: %s", date, msg);
	return id;
}

static void
post_refused(const char *want, const char *date, unsigned flags, ...)
{
	char msg[512];
	va_list ap;
	int rc;

	va_start(ap, flags);
	rc = vpost(date, flags, NULL, msg, ap);
	va_end(ap);
	cr_assert_eq(rc, LEJR_EINVAL, "posting on %s was not refused", date);
	cr_assert(strstr(msg, want) != NULL, "message \"%s\" lacks \"%s\"",
		  msg, want);
}

static void
fiscal_start(const char *mmdd)
{
	struct lejr_error err;

	cr_assert_eq(ledger_fiscal_start_set(db, org.pub.id, mmdd, &err),
		     LEJR_OK, "%s", err.msg);
}

static int64_t
query_int(const char *fmt, ...)
{
	char sql[1024];
	sqlite3_stmt *st;
	va_list ap;
	int64_t v;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
		     "%s: %s", sql, sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
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

	account("1000", "Cash", LEJR_ASSET);
	account("2000", "Loan", LEJR_LIABILITY);
	account("3000", "Owner capital", LEJR_EQUITY);
	account("3100", "Retained earnings", LEJR_EQUITY);
	account("4000", "Sales", LEJR_INCOME);
	account("6000", "Rent", LEJR_EXPENSE);
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
	free(last_text);
	last_text = NULL;
}

TestSuite(reports, .init = setup, .fini = teardown);

/* ---- reading results ---- */

static int64_t
minor_of(json_t *o, const char *key)
{
	char name[64];
	json_t *v;

	snprintf(name, sizeof(name), "%s_minor", key);
	v = json_object_get(o, name);
	cr_assert(json_is_integer(v), "%s missing", name);
	return json_integer_value(v);
}

/* The row of a list whose member key is value, or NULL. */
static json_t *
row_where(json_t *rows, const char *key, const char *value)
{
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row) {
		if (json_is_string(json_object_get(row, key)) &&
		    strcmp(json_string_value(json_object_get(row, key)),
			   value) == 0)
			return row;
	}
	return NULL;
}

/* An account's balance in a trial balance (0 when absent). */
static int64_t
tb_balance(json_t *tb, const char *code)
{
	json_t *row = row_where(json_object_get(tb, "accounts"), "code",
				code);

	return row != NULL ? minor_of(row, "balance") : 0;
}

/* A balance sheet line's amount: by code, or by line for the computed
 * ones; 0 when absent. */
static int64_t
bs_line(json_t *bs, const char *section, const char *code)
{
	json_t *rows = json_object_get(json_object_get(bs, section), "rows");
	json_t *row = row_where(rows, "code", code);

	if (row == NULL)
		row = row_where(rows, "line", code);
	return row != NULL ? minor_of(row, "amount") : 0;
}

static int64_t
bs_total(json_t *bs, const char *section)
{
	return minor_of(json_object_get(bs, section), "total");
}

/* A profit and loss row's amount in column k (0 when absent). */
static int64_t
pl_amount(json_t *pl, const char *section, const char *code, size_t k)
{
	json_t *row = row_where(json_object_get(json_object_get(pl, section),
						"rows"), "code", code);

	if (row == NULL)
		return 0;
	return json_integer_value(json_array_get(json_object_get(
		row, "amounts_minor"), k));
}

static int64_t
pl_net(json_t *pl, size_t k)
{
	return json_integer_value(json_array_get(json_object_get(pl,
								 "net_minor"),
						 k));
}

/* ---- registration ---- */

static const char *const names[] = {
	"trial_balance", "account_balance", "assert_balance",
	"balance_sheet", "profit_and_loss", "general_ledger"
};

/* Every property described, every object closed. */
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

Test(reports, registers_read_only_tools_with_schemas)
{
	struct tool *t;

	cr_assert_eq(ntools, sizeof(names) / sizeof(names[0]));
	for (size_t i = 0; i < ntools; i++) {
		t = find(names[i]);
		cr_expect_eq(t->t.access, LEJR_ACCESS_READ, "%s", names[i]);
		cr_expect_eq(t->t.annotations, LEJR_ANNOT_READ_ONLY |
			     LEJR_ANNOT_IDEMPOTENT, "%s", names[i]);
		cr_expect_gt(strlen(t->t.description), 80, "%s", names[i]);
		cr_assert_not_null(t->output, "%s: no output schema",
				   names[i]);
		cr_expect_not_null(json_object_get(json_object_get(
			t->output, "properties"), "checks"),
			"%s does not state its checks", names[i]);
		lint(names[i], "input", t->input);
		lint(names[i], "output", t->output);
	}
}

Test(reports, refuses_a_core_without_the_report_functions)
{
	struct lejr_api old = fake_api;

	old.size = offsetof(struct lejr_api, post_entry_ex);
	ntools = 0;
	cr_expect_eq(lejr_plugin_entry()->init(NULL, &old), LEJR_ENOTSUP);
	cr_expect_eq(ntools, 0);
}

/* ---- replay case C21 ---- */

static void
c21_entries(void)
{
	post("2024-01-05", 0, "1000", (int64_t)100000, "3000",
	     (int64_t)-100000, NULL);
	post("2024-03-10", 0, "1000", (int64_t)50000, "4000",
	     (int64_t)-50000, NULL);
	post("2024-06-20", 0, "6000", (int64_t)20000, "1000",
	     (int64_t)-20000, NULL);
	post("2025-02-01", 0, "1000", (int64_t)5000, "4000", (int64_t)-5000,
	     NULL);
}

static void
c21_close(void)
{
	post("2024-12-31", LEJR_ENTRY_CLOSING, "4000", (int64_t)50000,
	     "6000", (int64_t)-20000, "3100", (int64_t)-30000, NULL);
}

/* Expected balance sheet: assets, capital, retained earnings account,
 * prior-years line, current-year line. */
static void
c21_bs(const char *date, int64_t assets, int64_t capital, int64_t re,
       int64_t prior, int64_t current)
{
	json_t *bs;

	bs = ok("balance_sheet", "{\"as_of\": \"%s\"}", date);
	cr_expect_eq(bs_total(bs, "assets"), assets, "%s assets", date);
	cr_expect_eq(bs_line(bs, "assets", "1000"), assets, "%s cash", date);
	cr_expect_eq(bs_total(bs, "liabilities"), 0);
	cr_expect_eq(bs_line(bs, "equity", "3000"), capital, "%s capital",
		     date);
	cr_expect_eq(bs_line(bs, "equity", "3100"), re, "%s RE account",
		     date);
	cr_expect_eq(bs_line(bs, "equity", "retained_earnings_prior"), prior,
		     "%s prior years", date);
	cr_expect_eq(bs_line(bs, "equity", "current_year_earnings"), current,
		     "%s current year", date);
	cr_expect_eq(minor_of(bs, "current_year_earnings"), current);
	cr_expect_eq(minor_of(bs, "retained_earnings_prior"), prior);
	cr_expect_eq(bs_total(bs, "equity"), capital + re + prior + current);
	cr_expect_eq(minor_of(bs, "total_liabilities_and_equity"), assets,
		     "%s: assets = liabilities + equity", date);
	cr_expect(json_is_true(json_object_get(json_object_get(bs, "checks"),
					       "balanced")));
	cr_expect(strstr(last_text, "Current-year earnings") != NULL);
	cr_expect(strstr(last_text, "Retained earnings (prior years, "
			 "unclosed)") != NULL);
	json_decref(bs);
}

static void
c21_pl(void)
{
	json_t *pl;

	pl = ok("profit_and_loss", "{\"from\": \"2024-01-01\", "
		"\"to\": \"2024-12-31\"}");
	cr_expect_eq(pl_amount(pl, "income", "4000", 0), 50000);
	cr_expect_eq(pl_amount(pl, "expenses", "6000", 0), 20000);
	cr_expect_eq(pl_net(pl, 0), 30000);
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(pl, "columns"), 0), "label")), "2024");
	cr_expect(strstr(last_text, "Net result") != NULL);
	cr_expect(strstr(last_text, "300.00") != NULL, "%s", last_text);
	json_decref(pl);
}

/* Every account of the trial balance: its balance equals the general
 * ledger's closing balance (and last running balance) and, for balance
 * sheet accounts, the sheet's figure. */
static void
tb_agrees(const char *date)
{
	json_t *tb, *bs, *gl, *row, *lines, *last;
	const char *code, *type;
	int64_t bal, sheet;
	size_t i;

	tb = ok("trial_balance", "{\"as_of\": \"%s\"}", date);
	cr_expect_eq(minor_of(tb, "total_debit"), minor_of(tb,
							   "total_credit"));
	bs = ok("balance_sheet", "{\"as_of\": \"%s\"}", date);
	json_array_foreach(json_object_get(tb, "accounts"), i, row) {
		code = json_string_value(json_object_get(row, "code"));
		type = json_string_value(json_object_get(row, "type"));
		bal = minor_of(row, "balance");

		gl = ok("general_ledger", "{\"account\": \"%s\", \"to\": "
			"\"%s\", \"limit\": 500}", code, date);
		cr_expect_eq(minor_of(gl, "closing_balance"), bal, "%s", code);
		lines = json_object_get(gl, "lines");
		last = json_array_get(lines, json_array_size(lines) - 1);
		cr_expect_eq(minor_of(last, "balance"), bal, "%s running",
			     code);
		json_decref(gl);

		if (strcmp(type, "asset") == 0)
			sheet = bs_line(bs, "assets", code);
		else if (strcmp(type, "liability") == 0)
			sheet = -bs_line(bs, "liabilities", code);
		else if (strcmp(type, "equity") == 0)
			sheet = -bs_line(bs, "equity", code);
		else
			continue;
		cr_expect_eq(sheet, bal, "%s on the balance sheet", code);
	}
	json_decref(bs);
	json_decref(tb);
}

static void
c21_tb(const char *date, int64_t total, int64_t cash, int64_t capital,
       int64_t re, int64_t sales, int64_t rent)
{
	json_t *tb;

	tb = ok("trial_balance", "{\"as_of\": \"%s\"}", date);
	cr_expect_eq(minor_of(tb, "total_debit"), total, "%s", date);
	cr_expect_eq(minor_of(tb, "total_credit"), total, "%s", date);
	cr_expect_eq(tb_balance(tb, "1000"), cash);
	cr_expect_eq(tb_balance(tb, "3000"), capital);
	cr_expect_eq(tb_balance(tb, "3100"), re);
	cr_expect_eq(tb_balance(tb, "4000"), sales);
	cr_expect_eq(tb_balance(tb, "6000"), rent);
	cr_expect(json_is_true(json_object_get(json_object_get(tb, "checks"),
					       "balanced")));
	json_decref(tb);
	tb_agrees(date);
}

Test(reports, c21_before_closing)
{
	c21_entries();

	c21_bs("2024-12-31", 130000, 100000, 0, 0, 30000);
	c21_bs("2025-01-01", 130000, 100000, 0, 30000, 0);
	c21_bs("2025-02-28", 135000, 100000, 0, 30000, 5000);
	c21_pl();
	c21_tb("2024-12-31", 150000, 130000, -100000, 0, -50000, 20000);
	c21_tb("2025-02-28", 155000, 135000, -100000, 0, -55000, 20000);
}

Test(reports, c21_after_closing)
{
	json_t *bs, *year;

	c21_entries();
	c21_close();

	/* the totals stay; the 300 moves to the account, not twice */
	c21_bs("2024-12-31", 130000, 100000, 30000, 0, 0);
	c21_bs("2025-01-01", 130000, 100000, 30000, 0, 0);
	c21_bs("2025-02-28", 135000, 100000, 30000, 0, 5000);
	c21_pl();
	c21_tb("2024-12-31", 130000, 130000, -100000, -30000, 0, 0);
	c21_tb("2025-02-28", 135000, 135000, -100000, -30000, -5000, 0);

	/* the P&L of 2024 (300) is the year's earnings: closed, not lost */
	bs = ok("balance_sheet", "{\"as_of\": \"2024-12-31\"}");
	year = json_object_get(bs, "fiscal_year");
	cr_expect_eq(minor_of(year, "profit_and_loss_net"), 30000);
	cr_expect_eq(minor_of(year, "closed_to_equity"), 30000);
	json_decref(bs);
}

Test(reports, c21_earnings_match_the_profit_and_loss)
{
	json_t *bs, *pl;

	c21_entries();
	bs = ok("balance_sheet", "{\"as_of\": \"2024-12-31\"}");
	pl = ok("profit_and_loss", "{\"from\": \"2024-01-01\", "
		"\"to\": \"2024-12-31\"}");
	cr_expect_eq(minor_of(bs, "current_year_earnings"), pl_net(pl, 0));
	json_decref(bs);
	json_decref(pl);
}

/* ---- closing entries ---- */

Test(reports, closing_entries_follow_their_rules)
{
	struct lejr_error err;
	int64_t id, rev;
	json_t *pl;

	c21_entries();
	post_refused("date it 2024-12-31", "2024-12-30", LEJR_ENTRY_CLOSING,
		     "4000", (int64_t)100, "3100", (int64_t)-100, NULL);
	post_refused("1000 (Cash) is an asset", "2024-12-31",
		     LEJR_ENTRY_CLOSING, "4000", (int64_t)100, "1000",
		     (int64_t)-100, NULL);
	post_refused("2000 (Loan) is a liability", "2024-12-31",
		     LEJR_ENTRY_CLOSING, "4000", (int64_t)100, "2000",
		     (int64_t)-100, NULL);
	post_refused("unknown entry flags", "2024-12-31", 4, "4000",
		     (int64_t)100, "3100", (int64_t)-100, NULL);

	/* the reversal of a closing entry is one too, left out alike */
	c21_close();
	id = query_int("SELECT max(id) FROM entries");
	cr_assert_eq(ledger_begin(db, 1, &err), LEJR_OK);
	cr_assert_eq(ledger_entry_reverse(db, &org.pub, 0, id, NULL, NULL,
					  &rev, &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_commit(db, &err), LEJR_OK);
	cr_expect_eq(query_int("SELECT closing FROM entries WHERE id = %lld",
			       (long long)rev), 1);
	pl = ok("profit_and_loss", "{\"from\": \"2024-01-01\", "
		"\"to\": \"2024-12-31\"}");
	cr_expect_eq(pl_net(pl, 0), 30000);
	json_decref(pl);
	c21_bs("2025-01-01", 130000, 100000, 0, 30000, 0);

	cr_assert_eq(ledger_begin(db, 1, &err), LEJR_OK);
	cr_expect_eq(ledger_entry_reverse(db, &org.pub, 0, 1, "2024-06-30",
					  NULL, &rev, &err), LEJR_OK);
	ledger_rollback(db);
}

/* ---- a fiscal year starting on 1 April ---- */

Test(reports, fiscal_year_from_april)
{
	json_t *bs, *pl, *cols;

	fiscal_start("04-01");
	post("2024-04-02", 0, "1000", (int64_t)100000, "3000",
	     (int64_t)-100000, NULL);
	post("2024-05-10", 0, "1000", (int64_t)40000, "4000",
	     (int64_t)-40000, NULL);
	post("2025-03-15", 0, "6000", (int64_t)10000, "1000",
	     (int64_t)-10000, NULL);
	post("2025-04-10", 0, "1000", (int64_t)7000, "4000", (int64_t)-7000,
	     NULL);

	/* the year 2024/25 ends on 31 March */
	bs = ok("balance_sheet", "{\"as_of\": \"2025-03-31\"}");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(
		bs, "fiscal_year"), "from")), "2024-04-01");
	cr_expect_eq(bs_line(bs, "equity", "current_year_earnings"), 30000);
	cr_expect_eq(bs_line(bs, "equity", "retained_earnings_prior"), 0);
	json_decref(bs);

	bs = ok("balance_sheet", "{\"as_of\": \"2025-04-30\"}");
	cr_expect_eq(bs_line(bs, "equity", "retained_earnings_prior"), 30000);
	cr_expect_eq(bs_line(bs, "equity", "current_year_earnings"), 7000);
	cr_expect_eq(bs_total(bs, "assets"), 137000);
	cr_expect_eq(minor_of(bs, "total_liabilities_and_equity"), 137000);
	json_decref(bs);

	/* closing entries belong on 31 March, not 31 December */
	post_refused("date it 2025-03-31", "2024-12-31", LEJR_ENTRY_CLOSING,
		     "4000", (int64_t)40000, "3100", (int64_t)-40000, NULL);
	post("2025-03-31", LEJR_ENTRY_CLOSING, "4000", (int64_t)40000, "6000",
	     (int64_t)-10000, "3100", (int64_t)-30000, NULL);
	bs = ok("balance_sheet", "{\"as_of\": \"2025-04-30\"}");
	cr_expect_eq(bs_line(bs, "equity", "retained_earnings_prior"), 0);
	cr_expect_eq(bs_line(bs, "equity", "3100"), 30000);
	cr_expect_eq(minor_of(bs, "total_liabilities_and_equity"), 137000);
	json_decref(bs);

	/* fiscal quarters, then a total */
	pl = ok("profit_and_loss", "{\"from\": \"2024-04-01\", "
		"\"to\": \"2025-03-31\", \"columns\": \"quarter\"}");
	cols = json_object_get(pl, "columns");
	cr_assert_eq(json_array_size(cols), 5);
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(cols, 0), "label")), "Q1 2024/25");
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(cols, 3), "from")), "2025-01-01");
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(cols, 4), "label")), "Total");
	cr_expect_eq(pl_amount(pl, "income", "4000", 0), 40000);
	cr_expect_eq(pl_amount(pl, "expenses", "6000", 3), 10000);
	cr_expect_eq(pl_net(pl, 4), 30000);
	cr_expect_str_eq(json_string_value(json_object_get(
		pl, "fiscal_year_start")), "04-01");
	json_decref(pl);
}

/* ---- profit and loss columns ---- */

Test(reports, profit_and_loss_columns)
{
	json_t *pl, *cols;

	post("2024-01-31", 0, "1000", (int64_t)1000, "4000", (int64_t)-1000,
	     NULL);
	post("2024-02-01", 0, "1000", (int64_t)2000, "4000", (int64_t)-2000,
	     NULL);
	post("2024-02-29", 0, "6000", (int64_t)500, "1000", (int64_t)-500,
	     NULL);
	post("2023-12-15", 0, "1000", (int64_t)700, "4000", (int64_t)-700,
	     NULL);

	/* months cut to the period, then the total */
	pl = ok("profit_and_loss", "{\"from\": \"2024-01-15\", "
		"\"to\": \"2024-03-10\", \"columns\": \"month\"}");
	cols = json_object_get(pl, "columns");
	cr_assert_eq(json_array_size(cols), 4);
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(cols, 0), "from")), "2024-01-15");
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(cols, 1), "label")), "2024-02");
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(cols, 2), "to")), "2024-03-10");
	cr_expect_eq(pl_amount(pl, "income", "4000", 0), 1000);
	cr_expect_eq(pl_amount(pl, "income", "4000", 1), 2000);
	cr_expect_eq(pl_amount(pl, "income", "4000", 3), 3000);
	cr_expect_eq(pl_net(pl, 1), 1500);
	cr_expect(json_is_true(json_object_get(json_object_get(pl, "checks"),
					       "columns_add_up")));
	json_decref(pl);

	/* the previous period: as many months before */
	pl = ok("profit_and_loss", "{\"from\": \"2024-01-01\", "
		"\"to\": \"2024-02-29\", \"columns\": \"previous_period\"}");
	cols = json_object_get(pl, "columns");
	cr_assert_eq(json_array_size(cols), 2);
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(cols, 1), "from")), "2023-11-01");
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(cols, 1), "to")), "2023-12-31");
	cr_expect_eq(pl_net(pl, 0), 2500);
	cr_expect_eq(pl_net(pl, 1), 700);
	cr_expect_null(json_object_get(json_object_get(pl, "checks"),
				       "columns_add_up"));
	json_decref(pl);

	/* or as many days */
	pl = ok("profit_and_loss", "{\"from\": \"2024-02-01\", "
		"\"to\": \"2024-02-10\", \"columns\": \"previous_period\"}");
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(pl, "columns"), 1), "from")), "2024-01-22");
	cr_expect_eq(pl_net(pl, 1), 1000);
	json_decref(pl);

	refused("profit_and_loss", "{\"from\": \"2024-03-01\", "
		"\"to\": \"2024-02-01\"}", LEJR_EINVAL, "after");
	refused("profit_and_loss", "{\"from\": \"2020-01-01\", "
		"\"to\": \"2026-01-31\", \"columns\": \"month\"}",
		LEJR_EINVAL, "too many columns");
	refused("profit_and_loss", "{\"from\": \"2024-02-30\", "
		"\"to\": \"2024-03-01\"}", LEJR_EINVAL, "invalid");
	refused("profit_and_loss", "{\"from\": \"2024-01-01\", "
		"\"to\": \"2024-03-01\", \"columns\": \"week\"}",
		LEJR_EINVAL, "invalid");
}

Test(reports, dates_at_the_ends_of_the_calendar)
{
	json_t *r, *cols;

	/* the ledger's dates run from 1000-01-01 to 9998-12-31, so that
	 * a fiscal year and the day after stay four-digit dates */
	post_refused("between 1000-01-01 and 9998-12-31", "9999-12-31", 0,
		     "1000", (int64_t)100, "4000", (int64_t)-100, NULL);
	post_refused("between 1000-01-01 and 9998-12-31", "0999-12-31", 0,
		     "1000", (int64_t)100, "4000", (int64_t)-100, NULL);
	post("1000-01-01", 0, "1000", (int64_t)100, "4000", (int64_t)-100,
	     NULL);
	post("9998-12-31", 0, "6000", (int64_t)40, "1000", (int64_t)-40,
	     NULL);
	post("9998-12-31", LEJR_ENTRY_CLOSING, "4000", (int64_t)100, "3100",
	     (int64_t)-100, NULL);

	r = ok("balance_sheet", "{\"as_of\": \"9998-12-31\"}");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(
		r, "fiscal_year"), "to")), "9998-12-31");
	cr_expect_eq(bs_line(r, "equity", "retained_earnings_prior"), 100);
	cr_expect_eq(bs_line(r, "equity", "current_year_earnings"), -140);
	cr_expect_eq(bs_total(r, "assets"), 60);
	json_decref(r);

	r = ok("profit_and_loss", "{\"from\": \"9998-01-01\", "
	       "\"to\": \"9998-12-31\", \"columns\": \"month\"}");
	cols = json_object_get(r, "columns");
	cr_assert_eq(json_array_size(cols), 13);
	cr_expect_str_eq(json_string_value(json_object_get(
		json_array_get(cols, 11), "to")), "9998-12-31");
	cr_expect_eq(pl_net(r, 12), -40);
	json_decref(r);

	refused("profit_and_loss", "{\"from\": \"9999-01-01\", "
		"\"to\": \"9999-12-31\"}", LEJR_EINVAL,
		"between 1000-01-01 and 9998-12-31");
	refused("profit_and_loss", "{\"from\": \"1000-01-01\", "
		"\"to\": \"9998-12-31\", \"columns\": "
		"\"previous_period\"}", LEJR_EINVAL, "before year 1");
	r = ok("general_ledger", "{\"account\": \"1000\", \"from\": "
	       "\"1000-01-01\", \"to\": \"9998-12-31\"}");
	cr_expect_eq(minor_of(r, "closing_balance"), 60);
	json_decref(r);

	/* the last fiscal year may end in 9999 */
	fiscal_start("07-01");
	r = ok("balance_sheet", "{\"as_of\": \"9998-12-31\"}");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(
		r, "fiscal_year"), "to")), "9999-06-30");
	json_decref(r);
}

/* ---- general ledger pages ---- */

/* An entry with n lines on Cash (n 1..3) and one on Sales. */
static void
cash_entry(const char *date, int n, int64_t each)
{
	if (n == 1)
		post(date, 0, "1000", each, "4000", -each, NULL);
	else if (n == 2)
		post(date, 0, "1000", each, "1000", each, "4000", -2 * each,
		     NULL);
	else
		post(date, 0, "1000", each, "1000", each, "1000", each,
		     "4000", -3 * each, NULL);
}

/* Page through Cash with limit; every page must hold whole entries,
 * and the pages together every line once, with running balances. */
static void
page_through(int limit, const char *from, const char *to)
{
	char args[512], period[128];
	json_t *page, *lines, *line;
	int64_t bal, prev_entry = 0, lines_seen = 0;
	int64_t entries_seen[1024];
	size_t npages = 0, nseen = 0, i;
	const char *cursor = NULL;
	char *cur = NULL;

	snprintf(period, sizeof(period), "%s%s%s%s%s%s",
		 from ? ", \"from\": \"" : "", from ? from : "",
		 from ? "\"" : "", to ? ", \"to\": \"" : "", to ? to : "",
		 to ? "\"" : "");
	page = ok("general_ledger", "{\"account\": \"1000\"%s}", period);
	bal = minor_of(page, "opening_balance");
	json_decref(page);

	do {
		snprintf(args, sizeof(args), "{\"account\": \"1000\", "
			 "\"limit\": %d%s%s%s%s}", limit, period,
			 cursor ? ", \"cursor\": \"" : "",
			 cursor ? cursor : "", cursor ? "\"" : "");
		page = ok("general_ledger", "%s", args);
		cr_expect_eq(minor_of(page, "page_opening_balance"), bal);
		lines = json_object_get(page, "lines");
		json_array_foreach(lines, i, line) {
			int64_t e = json_integer_value(json_object_get(
				line, "entry"));

			if (e != prev_entry) {
				for (size_t k = 0; k < nseen; k++)
					cr_assert_neq(entries_seen[k], e,
						      "entry %lld split across "
						      "pages", (long long)e);
				cr_assert_lt(nseen, 1024);
				entries_seen[nseen++] = e;
				prev_entry = e;
			}
			bal += minor_of(line, "amount");
			cr_expect_eq(minor_of(line, "balance"), bal);
		}
		cr_expect_eq(minor_of(page, "page_closing_balance"), bal);
		lines_seen += (int64_t)json_array_size(lines);

		/* a page ends on an entry boundary: entries_seen resets */
		prev_entry = 0;
		free(cur);
		cur = json_is_string(json_object_get(page, "next_cursor")) ?
		      strdup(json_string_value(json_object_get(
			      page, "next_cursor"))) : NULL;
		cursor = cur;
		if (cursor == NULL)
			cr_expect_eq(bal, minor_of(page, "closing_balance"));
		json_decref(page);
		cr_assert_lt(++npages, 1000);
	} while (cursor != NULL);

	cr_expect_eq(lines_seen, query_int(
		"SELECT count(*) FROM lines l JOIN accounts a ON a.id = "
		"l.account_id WHERE a.code = '1000' AND l.date >= '%s' AND "
		"l.date <= '%s'", from ? from : "0000", to ? to : "9999"));
}

Test(reports, general_ledger_pages_never_split_an_entry)
{
	static const int shape[] = { 1, 3, 2, 1, 1, 3, 3, 2, 1, 2, 1, 3 };
	char date[11];

	for (size_t i = 0; i < sizeof(shape) / sizeof(shape[0]); i++) {
		snprintf(date, sizeof(date), "2024-0%zu-1%zu", 1 + i / 3,
			 i % 3);
		cash_entry(date, shape[i], (int64_t)(100 * (i + 1)));
	}

	for (int limit = 1; limit <= 7; limit++) {
		page_through(limit, NULL, NULL);
		page_through(limit, "2024-02-01", "2024-03-31");
		page_through(limit, "2024-01-11", NULL);
	}
}

Test(reports, general_ledger_shows_entries)
{
	json_t *gl, *line;

	c21_entries();
	gl = ok("general_ledger", "{\"account\": \"1000\", "
		"\"from\": \"2024-03-01\", \"to\": \"2024-12-31\"}");
	cr_expect_eq(minor_of(gl, "opening_balance"), 100000);
	cr_expect_eq(minor_of(gl, "period_debit"), 50000);
	cr_expect_eq(minor_of(gl, "period_credit"), 20000);
	cr_expect_eq(minor_of(gl, "closing_balance"), 130000);
	cr_assert_eq(json_array_size(json_object_get(gl, "lines")), 2);
	line = json_array_get(json_object_get(gl, "lines"), 1);
	cr_expect_str_eq(json_string_value(json_object_get(line, "date")),
			 "2024-06-20");
	cr_expect_str_eq(json_string_value(json_array_get(json_object_get(
		line, "counter_accounts"), 0)), "6000");
	cr_expect_str_eq(json_string_value(json_object_get(line, "credit")),
			 "200.00");
	cr_expect_eq(minor_of(line, "balance"), 130000);
	cr_expect(json_is_null(json_object_get(gl, "next_cursor")));
	cr_expect(strstr(last_text, "Balance brought forward") != NULL);
	json_decref(gl);

	refused("general_ledger", "{\"account\": \"9999\"}", LEJR_ENOTFOUND,
		"9999");
	refused("general_ledger", "{\"account\": \"1000\", \"cursor\": "
		"\"bm90IGEgY3Vyc29y\"}", LEJR_EINVAL, "cursor");
	refused("general_ledger", "{\"account\": \"1000\", \"from\": "
		"\"2024-05-01\", \"to\": \"2024-04-01\"}", LEJR_EINVAL,
		"after");
}

Test(reports, general_ledger_refuses_a_cursor_of_another_period)
{
	json_t *gl;
	char args[512];

	for (int i = 1; i <= 9; i++) {
		char date[11];

		snprintf(date, sizeof(date), "2024-0%d-01", i);
		cash_entry(date, 1, 100);
	}
	gl = ok("general_ledger", "{\"account\": \"1000\", \"limit\": 2}");
	cr_assert(json_is_string(json_object_get(gl, "next_cursor")));
	snprintf(args, sizeof(args), "{\"account\": \"1000\", \"from\": "
		 "\"2024-06-01\", \"cursor\": \"%s\"}",
		 json_string_value(json_object_get(gl, "next_cursor")));
	json_decref(gl);
	refused("general_ledger", args, LEJR_EINVAL, "cursor is not valid");
}

/* ---- account balance and assertions ---- */

Test(reports, account_balance_and_assertions)
{
	json_t *r;

	c21_entries();
	r = ok("account_balance", "{\"account\": \"4000\", "
	       "\"as_of\": \"2024-12-31\"}");
	cr_expect_eq(minor_of(r, "balance"), -50000);
	cr_expect_str_eq(json_string_value(json_object_get(r, "credit")),
			 "500.00");
	cr_expect_eq(minor_of(r, "debit"), 0);
	cr_expect(strstr(last_text, "credit balance 500.00 EUR") != NULL,
		  "%s", last_text);
	json_decref(r);

	r = ok("account_balance", "{\"account\": \"1000\"}");
	cr_expect(json_is_null(json_object_get(r, "as_of")));
	cr_expect_eq(minor_of(r, "balance"), 135000);
	json_decref(r);

	r = ok("assert_balance", "{\"account\": \"1000\", \"date\": "
	       "\"2024-12-31\", \"expected\": \"1300.00\"}");
	cr_expect(json_is_true(json_object_get(r, "holds")));
	cr_expect_eq(minor_of(r, "difference"), 0);
	json_decref(r);

	r = ok("assert_balance", "{\"account\": \"4000\", \"date\": "
	       "\"2024-12-31\", \"expected\": \"500\", \"side\": \"credit\"}");
	cr_expect(json_is_true(json_object_get(r, "holds")));
	json_decref(r);

	r = ok("assert_balance", "{\"account\": \"1000\", \"date\": "
	       "\"2025-02-28\", \"expected\": 1300}");
	cr_expect(json_is_false(json_object_get(r, "holds")));
	cr_expect_eq(minor_of(r, "difference"), 5000);
	cr_expect_str_eq(json_string_value(json_object_get(r, "difference")),
			 "50.00");
	cr_expect(strstr(last_text, "DOES NOT HOLD") != NULL);
	json_decref(r);

	refused("assert_balance", "{\"account\": \"1000\", \"date\": "
		"\"2024-12-31\", \"expected\": \"-5\", \"side\": \"debit\"}",
		LEJR_EINVAL, "must not be negative");
	refused("assert_balance", "{\"account\": \"1000\", \"date\": "
		"\"2024-12-31\", \"expected\": \"1.005\"}", LEJR_EINVAL,
		"expected");
	refused("account_balance", "{\"account\": \"1000\", \"as_of\": "
		"\"2024-02-30\"}", LEJR_EINVAL, "invalid");
}

/* ---- a report that fails its own check is an error ---- */

Test(reports, damaged_totals_fail_the_checks)
{
	c21_entries();

	/* derived totals may be rebuilt, so they may be damaged too */
	cr_assert_eq(sqlite3_exec(db, "UPDATE account_month_totals SET "
				  "debit = debit + 1 WHERE month = '2024-03' "
				  "AND account_id = (SELECT id FROM accounts "
				  "WHERE code = '1000')", NULL, NULL, NULL),
		     SQLITE_OK);
	refused("account_balance", "{\"account\": \"1000\", \"as_of\": "
		"\"2024-05-31\"}", LEJR_EINTERNAL,
		"failed its own check (totals_agree)");
	refused("general_ledger", "{\"account\": \"1000\", \"to\": "
		"\"2024-12-31\"}", LEJR_EINTERNAL, "page_reconciles");

	/* a balance at the end of 2024 reads the year's totals */
	cr_assert_eq(sqlite3_exec(db, "UPDATE account_year_totals SET "
				  "debit = debit + 1 WHERE year = '2024' "
				  "AND account_id = (SELECT id FROM accounts "
				  "WHERE code = '1000')", NULL, NULL, NULL),
		     SQLITE_OK);
	refused("balance_sheet", "{\"as_of\": \"2024-12-31\"}",
		LEJR_EINTERNAL, "failed its own check (balanced)");
	refused("trial_balance", "{\"as_of\": \"2024-12-31\"}",
		LEJR_EINTERNAL, "does not balance");

	/* and one of all time the all-time totals */
	json_decref(ok("trial_balance", "{}"));
	cr_assert_eq(sqlite3_exec(db, "UPDATE account_totals SET "
				  "debit = debit + 1 WHERE account_id = "
				  "(SELECT id FROM accounts WHERE code = "
				  "'1000')", NULL, NULL, NULL), SQLITE_OK);
	refused("trial_balance", "{}", LEJR_EINTERNAL, "does not balance");
}

/* The profit and loss reads whole years, months and dekads where it
 * can; its check reads around those rows, so a damaged one shows. */
Test(reports, damaged_income_totals_fail_the_profit_and_loss)
{
	c21_entries();
	json_decref(ok("profit_and_loss", "{\"from\": \"2024-03-01\", "
		       "\"to\": \"2024-06-30\", \"columns\": \"month\"}"));
	cr_assert_eq(sqlite3_exec(db, "UPDATE account_month_totals SET "
				  "credit = credit + 7 WHERE month = '2024-03' "
				  "AND account_id = (SELECT id FROM accounts "
				  "WHERE code = '4000')", NULL, NULL, NULL),
		     SQLITE_OK);
	refused("profit_and_loss", "{\"from\": \"2024-03-01\", "
		"\"to\": \"2024-06-30\", \"columns\": \"month\"}",
		LEJR_EINTERNAL, "failed its own check (net_matches_balances)");
	cr_assert_eq(sqlite3_exec(db, "UPDATE account_month_totals SET "
				  "credit = credit - 7 WHERE month = '2024-03' "
				  "AND account_id = (SELECT id FROM accounts "
				  "WHERE code = '4000')", NULL, NULL, NULL),
		     SQLITE_OK);

	json_decref(ok("profit_and_loss", "{\"from\": \"2024-01-01\", "
		       "\"to\": \"2024-12-31\"}"));
	cr_assert_eq(sqlite3_exec(db, "UPDATE account_year_totals SET "
				  "credit = credit + 7 WHERE year = '2024' "
				  "AND account_id = (SELECT id FROM accounts "
				  "WHERE code = '4000')", NULL, NULL, NULL),
		     SQLITE_OK);
	refused("profit_and_loss", "{\"from\": \"2024-01-01\", "
		"\"to\": \"2024-12-31\"}", LEJR_EINTERNAL,
		"failed its own check (net_matches_balances)");
	refused("profit_and_loss", "{\"from\": \"2024-01-01\", "
		"\"to\": \"2024-12-31\", \"columns\": \"quarter\"}",
		LEJR_EINTERNAL, "failed its own check");

	json_decref(ok("profit_and_loss", "{\"from\": \"2024-03-01\", "
		       "\"to\": \"2024-03-15\"}"));
	cr_assert_eq(sqlite3_exec(db, "UPDATE account_dekad_totals SET "
				  "credit = credit + 7 WHERE dekad = "
				  "'2024-03-1' AND account_id = (SELECT id "
				  "FROM accounts WHERE code = '4000')", NULL,
				  NULL, NULL), SQLITE_OK);
	refused("profit_and_loss", "{\"from\": \"2024-03-01\", "
		"\"to\": \"2024-03-15\"}", LEJR_EINTERNAL,
		"failed its own check (net_matches_balances)");
}

/* ---- random ledgers against plain SQL ---- */

static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const char *const rand_codes[] = {
	"1000", "2000", "3000", "3100", "4000", "6000", "1100", "4100",
	"6100"
};

/* SQLite's date arithmetic, independent of the ledger's own. */
static void
sql_date(const char *date, const char *modifier, char out[11])
{
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT date(?, ?)", -1, &st,
					NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, date, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, modifier, -1, SQLITE_TRANSIENT);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, 11, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* A day of 2023 to 2025. */
static void
random_date(char out[11])
{
	char days[32];

	snprintf(days, sizeof(days), "+%d days", (int)(rng() % 1000));
	sql_date("2023-01-01", days, out);
}

/* A random balanced entry of 2 to 4 lines. */
static void
random_entry(void)
{
	struct lejr_line_spec lines[4];
	struct lejr_entry_spec spec = { .memo = "random" };
	struct lejr_error err;
	char date[11];
	int64_t sum = 0, id;
	size_t n = 2 + rng() % 3;

	random_date(date);
	for (size_t i = 0; i < n; i++) {
		lines[i].account = rand_codes[rng() % 9];
		lines[i].memo = NULL;
		lines[i].amount = i + 1 < n ? (int64_t)(rng() % 200000) - 90000
					    : -sum;
		if (lines[i].amount == 0)
			lines[i].amount = 1;
		sum += i + 1 < n ? lines[i].amount : 0;
	}
	if (lines[n - 1].amount == 0)
		return;
	spec.date = date;
	spec.lines = lines;
	spec.nlines = n;
	cr_assert_eq(ledger_begin(db, 1, &err), LEJR_OK);
	cr_assert_eq(ledger_entry_post(db, &org.pub, 0, &spec, &id, &err),
		     LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_commit(db, &err), LEJR_OK);
}

/* Close the fiscal year ending on last: move every income and expense
 * balance of the year (as plain SQL sums it) into 3100. */
static void
random_close(const char *first, const char *last)
{
	int64_t total = 0, v;
	const char *pl[] = { "4000", "6000", "4100", "6100" };

	for (size_t i = 0; i < 4; i++)
		total += query_int("SELECT coalesce(sum(l.amount), 0) FROM "
				   "lines l JOIN accounts a ON a.id = "
				   "l.account_id WHERE a.code = '%s' AND "
				   "l.date BETWEEN '%s' AND '%s'", pl[i],
				   first, last);
	if (total == 0)
		return;
	v = query_int("SELECT coalesce(sum(l.amount), 0) FROM lines l JOIN "
		      "accounts a ON a.id = l.account_id WHERE a.code = "
		      "'4000' AND l.date BETWEEN '%s' AND '%s'", first, last);
	if (v == 0 || v == total)
		return;
	/* income 4000's balance closed, the rest of the result on 6000 */
	post(last, LEJR_ENTRY_CLOSING, "4000", -v, "6000", v - total, "3100",
	     total, NULL);
}

/* Sum of an account's lines in [from, to] (closing: -1 all, 0 without
 * closing entries, 1 only them). */
static int64_t
sql_sum(const char *code, const char *from, const char *to, int closing)
{
	return query_int("SELECT coalesce(sum(l.amount), 0) FROM lines l "
			 "JOIN accounts a ON a.id = l.account_id JOIN "
			 "entries e ON e.id = l.entry_id WHERE a.code = '%s' "
			 "AND l.date >= '%s' AND l.date <= '%s' AND "
			 "(%d < 0 OR e.closing = %d)", code, from, to,
			 closing, closing);
}

static int
is_pl_code(const char *code)
{
	return code[0] == '4' || code[0] == '6';
}

static void
random_check_bs(const char *date, const char *fy_first)
{
	char before[11];
	int64_t prior = 0, current = 0, assets = 0;
	json_t *bs;

	sql_date(fy_first, "-1 day", before);

	for (size_t i = 0; i < 9; i++) {
		const char *c = rand_codes[i];

		if (is_pl_code(c)) {
			prior -= sql_sum(c, "0000", before, -1);
			current -= sql_sum(c, fy_first, date, -1);
		} else if (c[0] == '1') {
			assets += sql_sum(c, "0000", date, -1);
		}
	}

	bs = ok("balance_sheet", "{\"as_of\": \"%s\"}", date);
	cr_expect_eq(bs_total(bs, "assets"), assets, "assets %s", date);
	cr_expect_eq(minor_of(bs, "retained_earnings_prior"), prior,
		     "prior %s", date);
	cr_expect_eq(minor_of(bs, "current_year_earnings"), current,
		     "current %s", date);
	cr_expect_eq(bs_line(bs, "liabilities", "2000"),
		     -sql_sum("2000", "0000", date, -1));
	cr_expect_eq(bs_line(bs, "equity", "3100"),
		     -sql_sum("3100", "0000", date, -1));
	cr_expect_eq(minor_of(bs, "total_liabilities_and_equity"), assets);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(
		bs, "fiscal_year"), "from")), fy_first);
	json_decref(bs);
}

static void
random_check_pl(const char *from, const char *to, const char *columns)
{
	json_t *pl, *cols, *col;
	size_t k;

	pl = ok("profit_and_loss", "{\"from\": \"%s\", \"to\": \"%s\", "
		"\"columns\": \"%s\"}", from, to, columns);
	cols = json_object_get(pl, "columns");
	json_array_foreach(cols, k, col) {
		const char *cf = json_string_value(json_object_get(col,
								   "from"));
		const char *ct = json_string_value(json_object_get(col, "to"));
		int64_t net = 0;

		for (size_t i = 0; i < 9; i++) {
			const char *c = rand_codes[i];
			int64_t v;

			if (!is_pl_code(c))
				continue;
			v = sql_sum(c, cf, ct, 0);
			net -= v;
			cr_expect_eq(pl_amount(pl, c[0] == '4' ? "income" :
					       "expenses", c, k),
				     c[0] == '4' ? -v : v, "%s %s..%s", c,
				     cf, ct);
		}
		cr_expect_eq(pl_net(pl, k), net, "net %s..%s", cf, ct);
	}
	json_decref(pl);
}

static void
random_check_tb(const char *date)
{
	json_t *tb, *r;

	tb = ok("trial_balance", "{\"as_of\": \"%s\"}", date);
	for (size_t i = 0; i < 9; i++) {
		int64_t v = sql_sum(rand_codes[i], "0000", date, -1);

		cr_expect_eq(tb_balance(tb, rand_codes[i]), v, "%s at %s",
			     rand_codes[i], date);
		r = ok("account_balance", "{\"account\": \"%s\", \"as_of\": "
		       "\"%s\"}", rand_codes[i], date);
		cr_expect_eq(minor_of(r, "balance"), v);
		json_decref(r);
	}
	json_decref(tb);
}

static void
random_ledger(uint64_t seed, const char *start)
{
	static const char *const fy[][2] = {
		{ "2023-01-01", "2023-12-31" }, { "2024-01-01", "2024-12-31" },
		{ "2022-04-01", "2023-03-31" }, { "2023-04-01", "2024-03-31" },
		{ "2024-04-01", "2025-03-31" },
		{ "2022-07-15", "2023-07-14" }, { "2023-07-15", "2024-07-14" },
		{ "2024-07-15", "2025-07-14" },
	};

	rng_state = seed;
	account("1100", "Bank", LEJR_ASSET);
	account("4100", "Fees", LEJR_INCOME);
	account("6100", "Supplies", LEJR_EXPENSE);
	fiscal_start(start);

	for (int i = 0; i < 120; i++)
		random_entry();
	for (size_t i = 0; i < sizeof(fy) / sizeof(fy[0]); i++)
		if (strcmp(fy[i][0] + 5, start) == 0 && rng() % 3 != 0)
			random_close(fy[i][0], fy[i][1]);
	for (int i = 0; i < 30; i++)
		random_entry();
}

/* The first day of date's fiscal year, by plain text arithmetic. */
static void
fy_first(const char *start, const char *date, char out[11])
{
	int y = atoi(date);

	if (strcmp(date + 5, start) < 0)
		y--;
	snprintf(out, 11, "%04d-%s", y % 10000, start);
}

static void
random_round(uint64_t seed, const char *start)
{
	static const char *const kinds[] = { "none", "month", "quarter",
					     "previous_period" };
	char d1[11], d2[11], first[11];
	const char *from, *to;

	random_ledger(seed, start);
	for (int i = 0; i < 12; i++) {
		random_date(d1);
		random_date(d2);
		from = strcmp(d1, d2) <= 0 ? d1 : d2;
		to = from == d1 ? d2 : d1;

		fy_first(start, to, first);
		random_check_bs(to, first);
		random_check_tb(from);
		if (atoi(to) - atoi(from) < 3)
			random_check_pl(from, to, kinds[i % 4]);
		page_through(1 + (int)(rng() % 6), from, to);
	}
}

Test(reports, random_ledgers_calendar_year)
{
	random_round(0x9e3779b97f4a7c15ULL, "01-01");
}

Test(reports, random_ledgers_april)
{
	random_round(0xd1b54a32d192ed03ULL, "04-01");
}

Test(reports, random_ledgers_mid_july)
{
	random_round(0x2545f4914f6cdd1dULL, "07-15");
}

/* ---- every level of the totals ---- */

/*
 * A ledger with lines on every day of thirteen months and some: each
 * balance and period, whichever years, months, dekads and days its sum
 * reads and takes away, equals plain SQL over the lines.
 */
Test(reports, sums_over_every_level_match_plain_sql)
{
	char date[11], from[11], to[11], days[16];
	json_t *tb, *pl;

	for (int i = 0; i < 420; i++) {
		snprintf(days, sizeof(days), "+%d days", i);
		sql_date("2023-12-05", days, date);
		post(date, 0, "1000", (int64_t)(100 + i * 37 % 1000), "4000",
		     (int64_t)-(100 + i * 37 % 1000), NULL);
		if (i % 3 == 0)
			post(date, 0, "6000", (int64_t)(i % 250 + 1), "1000",
			     (int64_t)-(i % 250 + 1), NULL);
	}

	for (int i = -3; i < 424; i++) {
		snprintf(days, sizeof(days), "%+d days", i);
		sql_date("2023-12-05", days, date);
		tb = ok("trial_balance", "{\"as_of\": \"%s\"}", date);
		cr_expect_eq(tb_balance(tb, "1000"),
			     sql_sum("1000", "0000", date, -1), "1000 at %s",
			     date);
		cr_expect_eq(tb_balance(tb, "4000"),
			     sql_sum("4000", "0000", date, -1), "4000 at %s",
			     date);
		json_decref(tb);
	}

	rng_state = 0x853c49e6748fea9bULL;
	for (int i = 0; i < 200; i++) {
		snprintf(days, sizeof(days), "+%d days", (int)(rng() % 430));
		sql_date("2023-12-01", days, from);
		snprintf(days, sizeof(days), "+%d days", (int)(rng() % 120));
		sql_date(from, days, to);
		pl = ok("profit_and_loss", "{\"from\": \"%s\", \"to\": \"%s\"}",
			from, to);
		cr_expect_eq(pl_amount(pl, "income", "4000", 0),
			     -sql_sum("4000", from, to, 0), "4000 %s..%s",
			     from, to);
		cr_expect_eq(pl_amount(pl, "expenses", "6000", 0),
			     sql_sum("6000", from, to, 0), "6000 %s..%s",
			     from, to);
		json_decref(pl);
	}
}

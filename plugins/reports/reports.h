/*
 * reports.h - shared by the files of reports.so: the core's API table,
 * the tool tables, JSON Schema fragments and the text tables every
 * report also answers with.
 *
 * The plugin owns no tables and computes no sums: the ledger's report
 * functions (struct lejr_api, ABI 1.1) read the totals and check
 * themselves.  A tool turns its arguments into one such call, keeps the
 * ledger's object as its structured result and renders it as a
 * readable table for the text content.
 */
#ifndef LEJR_REPORTS_H
#define LEJR_REPORTS_H

#include <stdarg.h>
#include <stddef.h>

#include <jansson.h>

#include <lejr/ledger.h>
#include <lejr/plugin.h>

/* The core's table, set by init() and read-only afterwards. */
extern const struct lejr_api *reports_api;

/* One tool as the plugin describes it; schemas built at init. */
struct reports_tool {
	const char *name;
	const char *title;
	const char *description;
	json_t *(*input_schema)(void);  /* new reference, NULL on ENOMEM */
	json_t *(*output_schema)(void); /* new reference, NULL on ENOMEM */
	lejr_tool_fn handler;
};

/* balance.c: trial_balance, account_balance, assert_balance. */
extern const struct reports_tool reports_balance_tools[];
extern const size_t reports_balance_ntools;

/* statements.c: balance_sheet, profit_and_loss. */
extern const struct reports_tool reports_statement_tools[];
extern const size_t reports_statement_ntools;

/* ledger.c: general_ledger. */
extern const struct reports_tool reports_ledger_tools[];
extern const size_t reports_ledger_ntools;

/* ---- schema.c: JSON Schema fragments, each a new reference (NULL on
 * ENOMEM); builders taking json_t arguments steal them ---- */

/* A closed object: these properties, required names, nothing else. */
json_t *reports_schema_object(const char *description, json_t *properties,
			      json_t *required);

/* A string of at least minlen characters (maxlen 0: no limit). */
json_t *reports_schema_string(const char *description, int minlen,
			      int maxlen);

/* A calendar date "YYYY-MM-DD"; the same or null. */
json_t *reports_schema_date(const char *description);
json_t *reports_schema_date_or_null(const char *description);

/* An account code as the ledger accepts it. */
json_t *reports_schema_code(const char *description);

/* The three-letter currency of every amount. */
json_t *reports_schema_currency(void);

/* {"code", "name", "type"} of an account. */
json_t *reports_schema_account(void);

/* Add to properties (and required) the pair key, an exact decimal
 * string, and key_minor, its integer in minor units.  Returns 0, -1
 * on ENOMEM. */
int reports_schema_money(json_t *properties, json_t *required,
			 const char *key, const char *description);

/* An array of decimal strings; of integers. */
json_t *reports_schema_amounts(const char *description);
json_t *reports_schema_minors(const char *description);

/* The checks object: each name a boolean that is always true. */
json_t *reports_schema_checks(const char *const *names,
			      const char *const *descriptions, size_t n,
			      size_t nrequired);

/* ---- text.c: the readable tables ---- */

/* A growing text; after a failed allocation it stays empty and
 * reports_text_take() gives NULL. */
struct reports_text {
	char *s;
	size_t len;
	size_t cap;
	int oom;
};

void reports_text_add(struct reports_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The text (malloc'd, the caller frees it), or NULL; t is emptied. */
char *reports_text_take(struct reports_text *t);

/*
 * A table of text cells, printed with its columns aligned: text
 * columns to the left, amount columns to the right, widths counted in
 * characters (UTF-8).  A row may be a rule (dashes under the amount
 * columns) or a line of free text that spans the table.
 */
struct reports_table;

struct reports_table *reports_table_new(size_t ncols,
					const unsigned char *right);
void reports_table_free(struct reports_table *tb);
/* Add a row of ncols cells (copied; NULL is empty). */
void reports_table_row(struct reports_table *tb, const char *const *cells);
void reports_table_rule(struct reports_table *tb);
void reports_table_note(struct reports_table *tb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print the table into t. */
void reports_table_print(const struct reports_table *tb,
			 struct reports_text *t);

/* Add "Checks: a, b" for the true members of checks (borrowed). */
void reports_text_checks(struct reports_text *t, json_t *checks);

/* Make text (taken from t) the call's content, beside its structured
 * result; on ENOMEM the core's default content stays. */
void reports_set_text(struct lejr_call *call, struct reports_text *t);

/* The string member key of o, or "" (never NULL). */
const char *reports_str(json_t *o, const char *key);

#endif /* LEJR_REPORTS_H */

/*
 * journal.h - shared by the files of journal.so: the core's API table,
 * the tool tables and the helpers behind the tools.
 *
 * The plugin owns no tables.  Every tool is a thin layer over the
 * ledger functions of struct lejr_api: it turns validated arguments into
 * ledger calls and ledger answers into the structured result its output
 * schema describes.  Functions that fail describe the failure on the
 * call (api->fail) before returning a negative enum lejr_status.
 */
#ifndef LEJR_JOURNAL_H
#define LEJR_JOURNAL_H

#include <stddef.h>

#include <jansson.h>

#include <lejr/ledger.h>
#include <lejr/plugin.h>

/* The core's table, set by init() and read-only afterwards, so worker
 * threads may read it without locking. */
extern const struct lejr_api *journal_api;

/*
 * One tool as the plugin describes it.  The schemas are built with
 * jansson at init (they share fragments) and handed to the core as text.
 */
struct journal_tool {
	const char *name;
	const char *title;
	const char *description;
	json_t *(*input_schema)(void);  /* new reference, NULL on ENOMEM */
	json_t *(*output_schema)(void); /* new reference, NULL on ENOMEM */
	enum lejr_access access;
	unsigned annotations;
	lejr_tool_fn handler;
};

/* accounts.c: list_accounts, create_account, archive_account. */
extern const struct journal_tool journal_account_tools[];
extern const size_t journal_account_ntools;

/* entries.c: post, get, list and reverse journal entries. */
extern const struct journal_tool journal_entry_tools[];
extern const size_t journal_entry_ntools;

/* Render tool t (its schemas built and serialized) into out, for the
 * core's register_tool().  On success *input and *output hold the schema
 * texts (malloc'd; output may be NULL) that out points into; the caller
 * frees both after registering.  Returns LEJR_OK or LEJR_EINTERNAL. */
int journal_tool_render(const struct journal_tool *t, struct lejr_tool *out,
			char **input, char **output);

/* ---- accounts.c helpers ---- */

/* The enum lejr_account_type named name ("asset", ...), or 0 when name
 * is not one of the five types. */
int journal_account_type_parse(const char *name);

/* The JSON object for account a (new reference, NULL on ENOMEM or a bad
 * type), shaped as the ledger's account list writes it: code, name,
 * type, archived, and parent only when the account has one. */
json_t *journal_account_json(const struct lejr_account *a);

/* ---- entries.c helpers ---- */

/* Is s NULL, empty, or only white space? */
int journal_blank(const char *s);

/*
 * Turn line index (0-based) of a post_journal_entry call, the validated
 * JSON object line (borrowed), into out: exactly one of "debit" or
 * "credit", a positive amount, debit positive and credit negative in
 * out->amount.  out's strings point into line.  On failure the message
 * on the call names the line as "lines[index]".
 */
int journal_line_parse(struct lejr_call *call, size_t index, json_t *line,
		       struct lejr_line_spec *out);

/* ---- schema.c: JSON Schema fragments (each a new reference, NULL
 * on ENOMEM; builders that take json_t arguments steal them, even on
 * failure) ---- */

/* An object with exactly these properties: required is an array of
 * property names, additionalProperties false. */
json_t *journal_schema_object(const char *description, json_t *properties,
			      json_t *required);

/* A string of minlen..maxlen characters (maxlen 0: no limit). */
json_t *journal_schema_string(const char *description, int minlen,
			      int maxlen);

/* The same, or null. */
json_t *journal_schema_string_or_null(const char *description);

/* A calendar date, "YYYY-MM-DD". */
json_t *journal_schema_date(const char *description);

/* An account code as the ledger accepts it. */
json_t *journal_schema_code(const char *description);

/* A positive amount to post: a decimal string or a JSON number. */
json_t *journal_schema_amount_in(const char *description);

/* An amount the ledger reports: a decimal string, maybe negative. */
json_t *journal_schema_amount_out(const char *description);

/* An amount in minor units (an integer), beside its decimal string. */
json_t *journal_schema_minor(const char *description);

/* An integer id of at least 1. */
json_t *journal_schema_id(const char *description);

/* One of the five account types. */
json_t *journal_schema_account_type(const char *description);

/* An account object, as journal_account_json() and the ledger write it. */
json_t *journal_schema_account(void);

/* A journal entry with its lines, as the ledger's entry_get() writes it. */
json_t *journal_schema_entry(void);

#endif /* LEJR_JOURNAL_H */

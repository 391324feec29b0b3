/*
 * export.c - an organization's journal as an hledger journal.
 *
 * The text is plain enough for ledger(1) to read as well: one-line
 * commodity directive, account directives with their type on a comment
 * line, one transaction per entry.  Account names start with the
 * top-level name hledger expects for the type (assets, liabilities,
 * equity, income, expenses) and follow our parent links, so that
 * hledger's bs and is place every account as we do.
 *
 * Free text cannot be escaped in a journal.  Whatever would change the
 * parse is replaced where it would do so: runs of white space become
 * one space in names and descriptions (two spaces end an account name),
 * ':' in an account name becomes '-' (it would nest), ';' in a
 * description becomes ',' (it would start a comment).  The exact memo
 * then follows on comment lines, one "memo:" line per line of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-private.h"

/* Deepest chain of parent accounts followed; the ledger allows no
 * cycles, so this only bounds a damaged database. */
#define EXPORT_DEPTH_MAX 64

struct export_account {
	int64_t id;
	int64_t parent_id; /* 0: top level */
	int type;
	char *code;
	char *name;
	char *archived_at; /* NULL when live */
	char *path;        /* the hledger account name, once built */
};

struct export_chart {
	struct export_account *acct; /* ordered by id */
	size_t n;
};

static const char *
top_name(int type)
{
	switch (type) {
	case LEJR_ASSET: return "assets";
	case LEJR_LIABILITY: return "liabilities";
	case LEJR_EQUITY: return "equity";
	case LEJR_INCOME: return "income";
	case LEJR_EXPENSE: return "expenses";
	}
	return NULL;
}

/* hledger's letter for a type, in account directives. */
static char
type_letter(int type)
{
	static const char letters[] = "?ALERX";

	return type >= LEJR_ASSET && type <= LEJR_EXPENSE ? letters[type]
							  : '?';
}

static void
chart_free(struct export_chart *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->acct[i].code);
		free(c->acct[i].name);
		free(c->acct[i].archived_at);
		free(c->acct[i].path);
	}
	free(c->acct);
	c->acct = NULL;
	c->n = 0;
}

static char *
column_dup(sqlite3_stmt *st, int col)
{
	const char *s;

	s = (const char *)sqlite3_column_text(st, col);
	return s != NULL ? strdup(s) : NULL;
}

/* Append the current row to the chart. */
static int
chart_add(struct export_chart *c, size_t *cap, sqlite3_stmt *st)
{
	struct export_account *a, *grown;

	if (c->n == *cap) {
		*cap = *cap != 0 ? *cap * 2 : 64;
		grown = realloc(c->acct, *cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		c->acct = grown;
	}

	a = &c->acct[c->n];
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->code = column_dup(st, 1);
	a->name = column_dup(st, 2);
	a->type = sqlite3_column_int(st, 3);
	a->parent_id = sqlite3_column_int64(st, 4);
	a->archived_at = column_dup(st, 5);
	c->n++;

	if (a->code == NULL || a->name == NULL || top_name(a->type) == NULL)
		return -1;
	return 0;
}

static int
chart_load(sqlite3 *db, int64_t org, struct export_chart *c,
	   struct lejr_error *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = LEJR_OK, step;

	rc = ledger_prepare(db, "SELECT id, code, name, type, "
			    "coalesce(parent_id, 0), archived_at "
			    "FROM accounts WHERE org_id = ?1 ORDER BY id",
			    &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (chart_add(c, &cap, st) != 0) {
			rc = lejr_error_set(err, LEJR_EINTERNAL,
					    "out of memory, or an account "
					    "of unknown type, exporting the "
					    "chart of accounts");
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		rc = ledger_db_error(db, "reading the chart of accounts", err);
out:
	ledger_finalize(db, st);
	return rc;
}

static int
id_cmp(const void *key, const void *elem)
{
	int64_t id = *(const int64_t *)key;
	const struct export_account *a = elem;

	return id < a->id ? -1 : id > a->id;
}

static struct export_account *
chart_find(const struct export_chart *c, int64_t id)
{
	return bsearch(&id, c->acct, c->n, sizeof(*c->acct), id_cmp);
}

/*
 * Append s to buf at *len as one segment of an account name: runs of
 * white space as one space, none leading or trailing, ':' as '-'.  buf
 * has room for all of s.
 */
static void
segment_put(char *buf, size_t *len, const char *s)
{
	int gap = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n') {
			gap = 1;
			continue;
		}
		if (gap && buf[*len - 1] != ' ')
			buf[(*len)++] = ' ';
		buf[(*len)++] = *s == ':' ? '-' : *s;
		gap = 0;
	}
	buf[*len] = '\0';
}

/* Build a's path, "assets:1100 Bank:1110 Checking", parents first. */
static int
path_build(struct export_chart *c, struct export_account *a, int depth)
{
	struct export_account *parent = NULL;
	const char *head;
	size_t size, len;

	if (a->path != NULL)
		return 0;
	if (depth > EXPORT_DEPTH_MAX)
		return -1;

	if (a->parent_id != 0) {
		parent = chart_find(c, a->parent_id);
		if (parent == NULL || path_build(c, parent, depth + 1) != 0)
			return -1;
	}
	head = parent != NULL ? parent->path : top_name(a->type);

	size = strlen(head) + strlen(a->code) + strlen(a->name) + 3;
	a->path = malloc(size);
	if (a->path == NULL)
		return -1;

	/* the code, then the name after one space unless it is blank */
	len = (size_t)snprintf(a->path, size, "%s:%s ", head, a->code);
	segment_put(a->path, &len, a->name);
	if (a->path[len - 1] == ' ')
		a->path[--len] = '\0';
	return 0;
}

static int
chart_paths(struct export_chart *c, struct lejr_error *err)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (path_build(c, &c->acct[i], 0) != 0)
			return lejr_error_set(err, LEJR_EINTERNAL,
					      "account %s: its parent chain "
					      "cannot be followed",
					      c->acct[i].code);
	return LEJR_OK;
}

/* Write each line of text as a comment line "<indent>; <tag><line>". */
static void
put_comment_lines(FILE *out, const char *indent, const char *tag,
		  const char *text)
{
	const char *nl;

	for (;;) {
		nl = strchr(text, '\n');
		fprintf(out, "%s; %s%.*s\n", indent, tag,
			nl != NULL ? (int)(nl - text) : (int)strlen(text),
			text);
		if (nl == NULL)
			break;
		text = nl + 1;
	}
}

/*
 * A memo as a transaction description, after a space, on one line and
 * without ';'.  Returns whether that changed it: leading, trailing or
 * repeated white space, tabs, newlines, ';'.
 */
static int
put_description(FILE *out, const char *memo)
{
	int changed = 0, gap = 1;
	const char *s;

	for (s = memo; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n') {
			if (*s != ' ' || gap)
				changed = 1;
			gap = 1;
			continue;
		}
		if (gap)
			putc(' ', out);
		if (*s == ';')
			changed = 1;
		putc(*s == ';' ? ',' : *s, out);
		gap = 0;
	}
	return changed || gap;
}

static void
put_header(FILE *out, const struct lejr_org *org)
{
	static const char zeros[] = "000000000000000000";

	fprintf(out, "; The journal of %s (%s), exported by lejr.\n"
		"; Amounts are exact, in %s; entries are ordered by date "
		"and number,\n; the number is each transaction's code.\n\n",
		org->name, org->slug, org->currency);

	/* A thousands mark and a decimal mark, trailing when the currency
	 * has no minor units, so that hledger never takes "1,000" for a
	 * decimal comma. */
	fprintf(out, "commodity 1,000.%.*s %s\n\n", org->exponent, zeros,
		org->currency);
}

static int
path_cmp(const void *a, const void *b)
{
	const struct export_account *const *x = a, *const *y = b;

	if ((*x)->type != (*y)->type)
		return (*x)->type - (*y)->type;
	return strcmp((*x)->path, (*y)->path);
}

/* The five top-level accounts with their hledger types, then ours by
 * type and name: the order that hledger's reports follow. */
static int
put_accounts(FILE *out, const struct export_chart *c,
	     struct lejr_error *err)
{
	struct export_account **sorted;
	size_t i;
	int t;

	sorted = malloc((c->n + 1) * sizeof(*sorted));
	if (sorted == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
	for (i = 0; i < c->n; i++)
		sorted[i] = &c->acct[i];
	qsort(sorted, c->n, sizeof(*sorted), path_cmp);

	for (t = LEJR_ASSET; t <= LEJR_EXPENSE; t++)
		fprintf(out, "account %s\n    ; type: %c\n", top_name(t),
			type_letter(t));

	for (i = 0; i < c->n; i++) {
		fprintf(out, "account %s\n    ; code: %s\n", sorted[i]->path,
			sorted[i]->code);
		if (sorted[i]->archived_at != NULL)
			fprintf(out, "    ; archived: %.10s\n",
				sorted[i]->archived_at);
	}
	putc('\n', out);

	free(sorted);
	return LEJR_OK;
}

/* Columns of entries_sql. */
enum {
	COL_ID, COL_DATE, COL_MEMO, COL_REFERENCE, COL_REVERSES,
	COL_REVERSED_BY, COL_CLOSING, COL_ACCOUNT, COL_AMOUNT, COL_LINE_MEMO
};

/* Every line of the org with its entry, in journal order.  CROSS JOIN
 * keeps entries outermost, so that their index gives the order and
 * nothing is sorted, however long the journal. */
static const char entries_sql[] =
	"SELECT e.id, e.date, e.memo, e.reference, e.reverses_id, r.id,"
	" e.closing, l.account_id, l.amount, l.memo"
	" FROM entries e CROSS JOIN lines l ON l.entry_id = e.id"
	" LEFT JOIN entries r ON r.reverses_id = e.id"
	" WHERE e.org_id = ?1 ORDER BY e.date, e.id, l.id";

static const char *
column_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

/* The first line of an entry: date, code, description, then the exact
 * memo when the description had to differ, reference, links and kind
 * (hledger's is leaves year-end closings out with not:tag:kind=closing,
 * as our profit and loss does). */
static void
put_entry(FILE *out, sqlite3_stmt *st)
{
	const char *memo, *ref;
	int changed;

	memo = column_text(st, COL_MEMO);
	fprintf(out, "%s (%lld)", column_text(st, COL_DATE),
		(long long)sqlite3_column_int64(st, COL_ID));
	if (memo == NULL)
		memo = "";
	changed = put_description(out, memo);
	putc('\n', out);
	if (changed)
		put_comment_lines(out, "    ", "memo: ", memo);

	ref = column_text(st, COL_REFERENCE);
	if (ref != NULL)
		fprintf(out, "    ; reference: %s\n", ref);
	if (sqlite3_column_type(st, COL_REVERSES) != SQLITE_NULL)
		fprintf(out, "    ; reverses: %lld\n",
			(long long)sqlite3_column_int64(st, COL_REVERSES));
	if (sqlite3_column_type(st, COL_REVERSED_BY) != SQLITE_NULL)
		fprintf(out, "    ; reversed-by: %lld\n",
			(long long)sqlite3_column_int64(st,
							COL_REVERSED_BY));
	if (sqlite3_column_int(st, COL_CLOSING))
		fputs("    ; kind: closing\n", out);
}

/* One posting: account, amount, and the line's memo as its comment. */
static int
put_line(FILE *out, const struct export_chart *c, const struct lejr_org *org,
	 sqlite3_stmt *st, struct lejr_error *err)
{
	struct export_account *a;
	const char *memo, *nl;
	char amount[32];

	a = chart_find(c, sqlite3_column_int64(st, COL_ACCOUNT));
	if (a == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "entry %lld names an account of "
				      "another organization",
				      (long long)sqlite3_column_int64(st,
								      COL_ID));
	if (lejr_money_format(sqlite3_column_int64(st, COL_AMOUNT),
			      org->exponent, amount, sizeof(amount)) != LEJR_OK)
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "an amount cannot be formatted");

	fprintf(out, "    %s  %s %s", a->path, amount, org->currency);

	memo = column_text(st, COL_LINE_MEMO);
	if (memo == NULL || *memo == '\0') {
		putc('\n', out);
		return LEJR_OK;
	}
	nl = strchr(memo, '\n');
	fprintf(out, "  ; %.*s\n",
		nl != NULL ? (int)(nl - memo) : (int)strlen(memo), memo);
	if (nl != NULL)
		put_comment_lines(out, "      ", "", nl + 1);
	return LEJR_OK;
}

static int
put_entries(sqlite3 *db, FILE *out, const struct export_chart *c,
	    const struct lejr_org *org, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int64_t current = 0, id;
	int rc, step;

	rc = ledger_prepare(db, entries_sql, &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org->id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, COL_ID);
		if (id != current) {
			if (current != 0)
				putc('\n', out);
			put_entry(out, st);
			current = id;
		}
		rc = put_line(out, c, org, st, err);
		if (rc != LEJR_OK)
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = ledger_db_error(db, "reading the journal", err);
out:
	ledger_finalize(db, st);
	return rc;
}

int
ledger_export_hledger(sqlite3 *db, const struct lejr_org *org, FILE *out,
		      struct lejr_error *err)
{
	struct export_chart chart = { NULL, 0 };
	int rc;

	rc = chart_load(db, org->id, &chart, err);
	if (rc == LEJR_OK)
		rc = chart_paths(&chart, err);
	if (rc != LEJR_OK)
		goto out;

	put_header(out, org);
	rc = put_accounts(out, &chart, err);
	if (rc == LEJR_OK)
		rc = put_entries(db, out, &chart, org, err);
	if (rc == LEJR_OK && ferror(out))
		rc = lejr_error_set(err, LEJR_EINTERNAL,
				    "writing the journal failed: %s",
				    strerror(errno));
out:
	chart_free(&chart);
	return rc;
}

/*
 * entries.c - posting and reversing journal entries.
 *
 * Everything is checked before anything is written, so a refused entry
 * leaves no trace even when the caller goes on with its transaction.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-private.h"

#define MEMO_MAX 1000
#define REFERENCE_MAX 200

/* A line about to be written: the account resolved to its id. */
struct post_line {
	int64_t account_id;
	int64_t amount;
	const char *memo;
};

/* One entry about to be written. */
struct post_entry {
	const char *date;
	const char *memo;
	const char *reference;
	int64_t reverses; /* 0: not a reversal */
	int closing;      /* a closing entry (LEJR_ENTRY_CLOSING) */
	const struct post_line *lines;
	size_t nlines;
};

/* Characters (code points) of UTF-8 text, valid since the input. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Free text of a memo: tabs and newlines allowed, other controls not.
 * max counts characters, as the messages and schemas say. */
int
ledger_memo_ok(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (((unsigned char)s[n] < 0x20 && s[n] != '\n' &&
		     s[n] != '\t') || s[n] == 0x7f)
			return 0;
	return n <= max || (n <= 4 * max && utf8_chars(s) <= max);
}

static int
check_header(const struct lejr_entry_spec *spec, struct lejr_error *err)
{
	if (spec == NULL)
		return lejr_error_set(err, LEJR_EINVAL, "an entry is required");
	if (!lejr_date_valid(spec->date))
		return lejr_error_set(err, LEJR_EINVAL,
				      "date \"%.16s\" is not " LEJR_DATE_RULE,
				      spec->date != NULL ? spec->date : "");
	if (spec->memo == NULL || spec->memo[0] == '\0' ||
	    !ledger_memo_ok(spec->memo, MEMO_MAX))
		return lejr_error_set(err, LEJR_EINVAL,
				      "memo is required: 1 to %d characters, "
				      "no control characters", MEMO_MAX);
	if (spec->reference != NULL &&
	    (!ledger_text_ok(spec->reference, 4 * REFERENCE_MAX) ||
	     utf8_chars(spec->reference) > REFERENCE_MAX))
		return lejr_error_set(err, LEJR_EINVAL,
				      "reference must be 1 to %d characters "
				      "without control characters",
				      REFERENCE_MAX);
	if (spec->nlines < 2)
		return lejr_error_set(err, LEJR_EINVAL,
				      "an entry needs at least two lines, it "
				      "has %zu", spec->nlines);
	if (spec->nlines > LEJR_LINES_MAX)
		return lejr_error_set(err, LEJR_EINVAL,
				      "an entry has at most %d lines, this one "
				      "has %zu", LEJR_LINES_MAX, spec->nlines);
	if (spec->lines == NULL)
		return lejr_error_set(err, LEJR_EINVAL, "lines are missing");
	return LEJR_OK;
}

/* Non-zero amounts whose debits equal their credits, to the unit. */
static int
check_amounts(const struct lejr_org *org, const struct lejr_line_spec *l,
	      size_t n, struct lejr_error *err)
{
	char d[32], c[32], diff[32];
	int64_t debits = 0, credits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (l[i].amount == 0)
			return lejr_error_set(err, LEJR_EINVAL,
					      "line %zu: amount is zero; a "
					      "line debits (positive) or "
					      "credits (negative) an amount",
					      i + 1);
		if (l[i].amount > 0 ?
		    __builtin_add_overflow(debits, l[i].amount, &debits) :
		    __builtin_sub_overflow(credits, l[i].amount, &credits))
			return lejr_error_set(err, LEJR_EINVAL,
					      "line %zu: the entry's amounts "
					      "are too large to add up", i + 1);
	}

	if (debits == credits)
		return LEJR_OK;

	lejr_money_format(debits, org->exponent, d, sizeof(d));
	lejr_money_format(credits, org->exponent, c, sizeof(c));
	lejr_money_format(debits > credits ? debits - credits
					   : credits - debits,
			  org->exponent, diff, sizeof(diff));
	return lejr_error_set(err, LEJR_EINVAL,
			      "entry does not balance: debits %s, credits %s "
			      "(%s exceed %s by %s)", d, c,
			      debits > credits ? "debits" : "credits",
			      debits > credits ? "credits" : "debits", diff);
}

/*
 * The lock date as stored now, inside the caller's transaction: the
 * copy in struct lejr_org may predate an administrator's change.
 */
static int
check_lock(sqlite3 *db, const struct lejr_org *org, const char *date,
	   struct lejr_error *err)
{
	sqlite3_stmt *st;
	const char *lock;
	int rc;

	rc = ledger_prepare(db, "SELECT lock_date FROM orgs WHERE id = ?", &st,
			    err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org->id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ?
		     lejr_error_set(err, LEJR_ENOTFOUND,
				    "the organization does not exist") :
		     ledger_db_error(db, "reading the lock date", err);
		goto out;
	}

	rc = LEJR_OK;
	lock = (const char *)sqlite3_column_text(st, 0);
	if (lock != NULL && strcmp(date, lock) <= 0)
		rc = lejr_error_set(err, LEJR_ECONFLICT,
				    "the books are locked up to and including "
				    "%s: nothing can be posted on %s; use a "
				    "later date", lock, date);

out:
	ledger_finalize(db, st);
	return rc;
}

/* Prefix err's message with the line it concerns. */
static int
line_error(struct lejr_error *err, size_t i, int rc)
{
	char msg[sizeof(err->msg)];

	snprintf(msg, sizeof(msg), "%s", err->msg);
	return lejr_error_set(err, rc, "line %zu: %s", i + 1, msg);
}

/* A closing entry moves income and expense into equity: it has no
 * business with assets or liabilities. */
static int
check_closing_account(const struct lejr_account *acct, size_t i,
		      struct lejr_error *err)
{
	if (acct->type != LEJR_ASSET && acct->type != LEJR_LIABILITY)
		return LEJR_OK;
	return lejr_error_set(err, LEJR_EINVAL,
			      "line %zu: account %s (%s) is %s %s account, "
			      "but a closing entry only moves income and "
			      "expense balances into equity", i + 1,
			      acct->code, acct->name,
			      acct->type == LEJR_ASSET ? "an" : "a",
			      lejr_account_type_name(acct->type));
}

static int
resolve_lines(sqlite3 *db, const struct lejr_org *org,
	      const struct lejr_line_spec *l, size_t n, int closing,
	      struct post_line *out, struct lejr_error *err)
{
	struct lejr_account acct;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if (l[i].memo != NULL && !ledger_memo_ok(l[i].memo, MEMO_MAX))
			return lejr_error_set(err, LEJR_EINVAL,
					      "line %zu: memo must be at most "
					      "%d characters, no control "
					      "characters", i + 1, MEMO_MAX);

		rc = ledger_account_get(db, org, l[i].account, &acct, err);
		if (rc != LEJR_OK)
			return line_error(err, i, rc);
		if (acct.archived)
			return lejr_error_set(err, LEJR_EINVAL,
					      "line %zu: account %s (%s) is "
					      "archived and takes no new lines",
					      i + 1, acct.code, acct.name);
		if (closing) {
			rc = check_closing_account(&acct, i, err);
			if (rc != LEJR_OK)
				return rc;
		}

		out[i].account_id = acct.id;
		out[i].amount = l[i].amount;
		out[i].memo = l[i].memo;
	}
	return LEJR_OK;
}

static int
insert_lines(sqlite3 *db, const struct lejr_org *org, int64_t entry,
	     const struct post_entry *e, struct lejr_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	rc = ledger_prepare(db, "INSERT INTO lines (entry_id, org_id, "
			    "account_id, date, amount, memo) "
			    "VALUES (?, ?, ?, ?, ?, ?)", &st, err);
	if (rc != LEJR_OK)
		return rc;

	for (i = 0; i < e->nlines && rc == LEJR_OK; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, entry);
		sqlite3_bind_int64(st, 2, org->id);
		sqlite3_bind_int64(st, 3, e->lines[i].account_id);
		ledger_bind_text(st, 4, e->date);
		sqlite3_bind_int64(st, 5, e->lines[i].amount);
		ledger_bind_text(st, 6, e->lines[i].memo);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = ledger_db_error(db, "writing a journal line", err);
	}

	ledger_finalize(db, st);
	return rc;
}

/*
 * The organization's debits and credits over all its lines bound every
 * figure its reports add up, and every account's own totals (migration
 * 10).  SQLite would turn a sum past 64 bits into a real, which the
 * totals tables' CHECKs refuse halfway through the entry: find it
 * before anything is written, and refuse the entry rather than leave
 * reports that cannot be given.
 */
static int
check_org_totals(sqlite3 *db, const struct lejr_org *org,
		 const struct post_entry *e, struct lejr_error *err)
{
	char limit[32];
	sqlite3_stmt *st;
	int64_t debit = 0, credit = 0;
	int rc;

	/* the entry's own sums fit: check_amounts, or the original's
	 * posting, found so */
	for (size_t i = 0; i < e->nlines; i++) {
		if (e->lines[i].amount > 0)
			debit += e->lines[i].amount;
		else
			credit -= e->lines[i].amount;
	}

	rc = ledger_prepare(db, "SELECT debit, credit FROM org_totals "
			    "WHERE org_id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, org->id);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		if (sqlite3_column_int64(st, 0) <= INT64_MAX - debit &&
		    sqlite3_column_int64(st, 1) <= INT64_MAX - credit)
			break;
		lejr_money_format(INT64_MAX, org->exponent, limit,
				  sizeof(limit));
		rc = lejr_error_set(err, LEJR_ECONFLICT, "the organization's "
				    "entries together would pass %s %s of "
				    "debits, the most its reports can add "
				    "up; this entry is not posted", limit,
				    org->currency);
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = ledger_db_error(db, "reading the organization's totals",
				     err);
	}
	ledger_finalize(db, st);
	return rc;
}

static int
insert_entry(sqlite3 *db, const struct lejr_org *org, int64_t user,
	     const struct post_entry *e, int64_t *id, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = check_org_totals(db, org, e, err);
	if (rc != LEJR_OK)
		return rc;

	rc = ledger_prepare(db, "INSERT INTO entries (org_id, date, memo, "
			    "reference, reverses_id, created_by, closing, "
			    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
			    LEDGER_NOW_SQL ")", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org->id);
	ledger_bind_text(st, 2, e->date);
	ledger_bind_text(st, 3, e->memo);
	ledger_bind_text(st, 4, e->reference);
	if (e->reverses != 0)
		sqlite3_bind_int64(st, 5, e->reverses);
	if (user > 0)
		sqlite3_bind_int64(st, 6, user);
	sqlite3_bind_int(st, 7, e->closing != 0);

	if (sqlite3_step(st) == SQLITE_DONE)
		*id = sqlite3_last_insert_rowid(db);
	else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
		rc = lejr_error_set(err, LEJR_ECONFLICT,
				    "entry %" PRId64 " was already reversed",
				    e->reverses);
	else
		rc = ledger_db_error(db, "writing a journal entry", err);
	ledger_finalize(db, st);

	if (rc == LEJR_OK)
		rc = insert_lines(db, org, *id, e, err);
	return rc;
}

/*
 * A closing entry belongs on the last day of a fiscal year: there it
 * closes that year, and the balance sheet of any later date finds the
 * year's result in equity, not twice.
 */
static int
check_closing_date(sqlite3 *db, const struct lejr_org *org,
		   const char *date, struct lejr_error *err)
{
	char start[6], first[11], last[11];
	int rc;

	rc = ledger_fiscal_start(db, org->id, start, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_fiscal_year(start, date, first, last);
	if (strcmp(date, last) == 0)
		return LEJR_OK;
	return lejr_error_set(err, LEJR_EINVAL,
			      "a closing entry must be dated on the last day "
			      "of a fiscal year: %s falls in the fiscal year "
			      "%s to %s, so date it %s (the fiscal year "
			      "starts on %s)", date, first, last, last, start);
}

int
ledger_entry_post(sqlite3 *db, const struct lejr_org *org, int64_t user,
		  const struct lejr_entry_spec *spec, int64_t *id,
		  struct lejr_error *err)
{
	return ledger_entry_post_ex(db, org, user, spec, 0, id, err);
}

int
ledger_entry_post_ex(sqlite3 *db, const struct lejr_org *org, int64_t user,
		     const struct lejr_entry_spec *spec, unsigned flags,
		     int64_t *id, struct lejr_error *err)
{
	struct post_line *lines = NULL;
	struct post_entry e;
	int closing = (flags & LEJR_ENTRY_CLOSING) != 0;
	int rc;

	if ((flags & ~(unsigned)LEJR_ENTRY_CLOSING) != 0)
		return lejr_error_set(err, LEJR_EINVAL, "unknown entry flags "
				      "0x%x", flags);

	rc = check_header(spec, err);
	if (rc == LEJR_OK)
		rc = check_amounts(org, spec->lines, spec->nlines, err);
	if (rc == LEJR_OK && closing)
		rc = check_closing_date(db, org, spec->date, err);
	if (rc == LEJR_OK)
		rc = check_lock(db, org, spec->date, err);
	if (rc != LEJR_OK)
		return rc;

	lines = calloc(spec->nlines, sizeof(*lines));
	if (lines == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");

	rc = resolve_lines(db, org, spec->lines, spec->nlines, closing, lines,
			   err);
	if (rc != LEJR_OK)
		goto out;

	e = (struct post_entry){
		.date = spec->date,
		.memo = spec->memo,
		.reference = spec->reference,
		.closing = closing,
		.lines = lines,
		.nlines = spec->nlines,
	};
	rc = insert_entry(db, org, user, &e, id, err);

out:
	free(lines);
	return rc;
}

/* ---- reversal ---- */

/* Memo and reference limits count characters: up to 4 bytes each. */
struct original {
	char date[11];
	char memo[4 * MEMO_MAX + 1];
	char reference[4 * REFERENCE_MAX + 1];
	int has_reference;
	int64_t reverses;    /* the entry it reverses, or 0 */
	int64_t reversed_by; /* the entry reversing it, or 0 */
	int closing;
};

static int
load_original(sqlite3 *db, const struct lejr_org *org, int64_t id,
	      struct original *o, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT date, memo, reference, reverses_id, "
			    "(SELECT r.id FROM entries r WHERE r.reverses_id "
			    "= e.id), closing FROM entries e WHERE e.org_id = "
			    "? AND e.id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org->id);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ledger_column_copy(st, 0, o->date, sizeof(o->date));
		ledger_column_copy(st, 1, o->memo, sizeof(o->memo));
		ledger_column_copy(st, 2, o->reference, sizeof(o->reference));
		o->has_reference = sqlite3_column_type(st, 2) != SQLITE_NULL;
		o->reverses = sqlite3_column_int64(st, 3);
		o->reversed_by = sqlite3_column_int64(st, 4);
		o->closing = sqlite3_column_int(st, 5);
		rc = LEJR_OK;
	} else if (rc == SQLITE_DONE) {
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "entry %" PRId64 " does not exist", id);
	} else {
		rc = ledger_db_error(db, "loading an entry", err);
	}

	ledger_finalize(db, st);
	return rc;
}

/* Free n lines of negated_lines, with their memos. */
static void
free_lines(struct post_line *lines, size_t n)
{
	size_t i;

	for (i = 0; lines != NULL && i < n; i++)
		free((char *)lines[i].memo);
	free(lines);
}

/* The original's lines, negated, with their memos, into a malloc'd
 * array; free it with free_lines. */
static int
negated_lines(sqlite3 *db, int64_t id, struct post_line **out, size_t *n,
	      struct lejr_error *err)
{
	struct post_line *lines;
	sqlite3_stmt *st;
	const char *code, *memo;
	size_t i = 0;
	int rc;

	*out = NULL;
	lines = calloc(LEJR_LINES_MAX, sizeof(*lines));
	if (lines == NULL)
		return lejr_error_set(err, LEJR_EINTERNAL, "out of memory");

	rc = ledger_prepare(db, "SELECT l.account_id, l.amount, a.code, "
			    "a.archived_at IS NOT NULL, l.memo FROM lines l "
			    "JOIN accounts a ON a.id = l.account_id WHERE "
			    "l.entry_id = ? ORDER BY l.id", &st, err);
	if (rc != LEJR_OK)
		goto out;

	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		code = (const char *)sqlite3_column_text(st, 2);
		if (sqlite3_column_int(st, 3)) {
			rc = lejr_error_set(err, LEJR_EINVAL,
					    "account %s is archived and takes "
					    "no new lines, so entry %" PRId64
					    " cannot be reversed", code, id);
			goto out;
		}
		if (i == LEJR_LINES_MAX ||
		    sqlite3_column_int64(st, 1) == INT64_MIN) {
			rc = lejr_error_set(err, LEJR_EINTERNAL,
					    "entry %" PRId64 " is malformed",
					    id);
			goto out;
		}
		lines[i].account_id = sqlite3_column_int64(st, 0);
		lines[i].amount = -sqlite3_column_int64(st, 1);
		memo = (const char *)sqlite3_column_text(st, 4);
		if (memo != NULL &&
		    (lines[i].memo = strdup(memo)) == NULL) {
			rc = lejr_error_set(err, LEJR_EINTERNAL,
					    "out of memory");
			goto out;
		}
		i++;
	}

	if (rc != SQLITE_DONE) {
		rc = ledger_db_error(db, "reading an entry's lines", err);
		goto out;
	}

	rc = LEJR_OK;
	*out = lines;
	*n = i;
	lines = NULL;

out:
	ledger_finalize(db, st);
	free_lines(lines, i);
	return rc;
}

/* Cut s to at most max characters. */
static void
utf8_truncate(char *s, size_t max)
{
	size_t i, n = 0;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max) {
			s[i] = '\0';
			return;
		}
}

static int
check_reversible(const struct original *o, int64_t id, const char *date,
		 const char *memo, struct lejr_error *err)
{
	if (o->reverses != 0)
		return lejr_error_set(err, LEJR_ECONFLICT,
				      "entry %" PRId64 " is itself the "
				      "reversal of entry %" PRId64 " and "
				      "cannot be reversed", id, o->reverses);
	if (o->reversed_by != 0)
		return lejr_error_set(err, LEJR_ECONFLICT,
				      "entry %" PRId64 " was already reversed "
				      "by entry %" PRId64, id, o->reversed_by);
	if (!lejr_date_valid(date))
		return lejr_error_set(err, LEJR_EINVAL,
				      "date \"%.16s\" is not " LEJR_DATE_RULE,
				      date);
	if (strcmp(date, o->date) < 0)
		return lejr_error_set(err, LEJR_EINVAL,
				      "a reversal cannot be dated %s, before "
				      "the entry it reverses (%s)", date,
				      o->date);
	if (memo != NULL && (memo[0] == '\0' || !ledger_memo_ok(memo,
								MEMO_MAX)))
		return lejr_error_set(err, LEJR_EINVAL,
				      "memo must be 1 to %d characters, no "
				      "control characters", MEMO_MAX);
	return LEJR_OK;
}

int
ledger_entry_reverse(sqlite3 *db, const struct lejr_org *org, int64_t user,
		     int64_t id, const char *date, const char *memo,
		     int64_t *new_id, struct lejr_error *err)
{
	struct post_line *lines = NULL;
	struct original o;
	struct post_entry e;
	char auto_memo[4 * MEMO_MAX + 64];
	size_t n = 0;
	int rc;

	rc = load_original(db, org, id, &o, err);
	if (rc != LEJR_OK)
		return rc;

	if (date == NULL)
		date = o.date;
	rc = check_reversible(&o, id, date, memo, err);
	if (rc == LEJR_OK && o.closing)
		rc = check_closing_date(db, org, date, err);
	if (rc == LEJR_OK)
		rc = check_lock(db, org, date, err);
	if (rc == LEJR_OK)
		rc = negated_lines(db, id, &lines, &n, err);
	if (rc != LEJR_OK)
		return rc;

	if (memo == NULL) {
		snprintf(auto_memo, sizeof(auto_memo),
			 "Reversal of entry %" PRId64 ": %s", id, o.memo);
		utf8_truncate(auto_memo, MEMO_MAX);
		memo = auto_memo;
	}

	e = (struct post_entry){
		.date = date,
		.memo = memo,
		.reference = o.has_reference ? o.reference : NULL,
		.reverses = id,
		.closing = o.closing,
		.lines = lines,
		.nlines = n,
	};
	rc = insert_entry(db, org, user, &e, new_id, err);

	free_lines(lines, n);
	return rc;
}

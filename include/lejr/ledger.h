/*
 * lejr/ledger.h - the ledger's plain data types, shared by the core and
 * plugins.
 *
 * Money is always an int64_t count of the currency's minor units (cents
 * for EUR, yen for JPY, fils for KWD).  A journal line's amount is
 * positive for a debit and negative for a credit; the lines of an entry
 * sum to exactly zero.  Dates are ISO 8601 calendar dates, "YYYY-MM-DD",
 * in the organization's own terms: no time zone ever applies.
 */
#ifndef LEJR_LEDGER_H
#define LEJR_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LEJR_CODE_MAX 32     /* longest account code, in bytes */
#define LEJR_NAME_MAX 200    /* longest account or org name, in bytes */
#define LEJR_LINES_MAX 500   /* most lines in one entry */

enum lejr_account_type {
	LEJR_ASSET = 1,
	LEJR_LIABILITY,
	LEJR_EQUITY,
	LEJR_INCOME,
	LEJR_EXPENSE
};

/* An organization, as seen by a tool call. */
struct lejr_org {
	int64_t id;
	const char *slug;      /* short unique handle, e.g. "demo" */
	const char *name;
	const char *currency;  /* ISO 4217 alphabetic code */
	int exponent;          /* the currency's minor-unit digits, 0..4 */
	const char *lock_date; /* postings on or before it refused, or NULL */
};

struct lejr_account {
	int64_t id;
	char code[LEJR_CODE_MAX + 1];
	char name[LEJR_NAME_MAX + 1];
	enum lejr_account_type type;
	char parent[LEJR_CODE_MAX + 1]; /* empty when top level */
	int archived;
};

struct lejr_account_spec {
	const char *code;   /* [A-Za-z0-9.-]+, unique in the org */
	const char *name;
	enum lejr_account_type type;
	const char *parent; /* an existing account's code, or NULL */
};

struct lejr_line_spec {
	const char *account; /* account code */
	int64_t amount;      /* debit > 0, credit < 0, never 0 */
	const char *memo;    /* or NULL */
};

struct lejr_entry_spec {
	const char *date;      /* YYYY-MM-DD */
	const char *memo;      /* required, non-empty */
	const char *reference; /* or NULL: an invoice number, a bank ref */
	const struct lejr_line_spec *lines;
	size_t nlines;         /* 2..LEJR_LINES_MAX */
};

/* Flags of a posted entry (struct lejr_api's post_entry_ex, ABI 1.1). */
enum lejr_entry_flag {
	/* A closing entry: the year-end entry that moves a fiscal year's
	 * income and expense balances into equity (retained earnings).  It
	 * counts in every balance, the trial balance and the balance sheet
	 * included, but not in the profit and loss, which keeps showing
	 * the year's income and expenses.  It must be dated on the last
	 * day of a fiscal year and may only touch income, expense and
	 * equity accounts; its reversal is a closing entry too. */
	LEJR_ENTRY_CLOSING = 1 << 0
};

struct lejr_entry_filter {
	const char *from;    /* first date included, or NULL */
	const char *to;      /* last date included, or NULL */
	const char *account; /* entries touching this account code, or NULL */
	const char *text;    /* substring of memo or reference, or NULL */
	const char *cursor;  /* from a previous page's next_cursor, or NULL */
	int limit;           /* 1..500; 0 means 50 */
};

/* "asset", "liability"... for a type; NULL for an invalid one.  Inline,
 * so that plugins need link against nothing of the core's. */
static inline const char *
lejr_account_type_name(enum lejr_account_type type)
{
	switch (type) {
	case LEJR_ASSET: return "asset";
	case LEJR_LIABILITY: return "liability";
	case LEJR_EQUITY: return "equity";
	case LEJR_INCOME: return "income";
	case LEJR_EXPENSE: return "expense";
	}
	return NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* LEJR_LEDGER_H */

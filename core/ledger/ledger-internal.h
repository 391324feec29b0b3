/*
 * ledger-internal.h - the ledger over SQLite, as used inside lejrd,
 * lejrctl and the tests (liblejr-core).  Plugins never see this header:
 * they reach the ledger through struct lejr_api, whose members the core
 * implements with the functions below.
 *
 * Conventions: functions return an enum lejr_status; on failure they
 * fill *err (never NULL) with a message fit to show to the assistant or
 * operator.  Functions taking an organization act only inside it; an id
 * or code that belongs to another organization is LEJR_ENOTFOUND, and
 * the message never reveals the other organization's data.  Callers own
 * transactions: nothing here begins or commits one, except where stated.
 */
#ifndef LEJR_LEDGER_INTERNAL_H
#define LEJR_LEDGER_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include <lejr/ledger.h>
#include <lejr/plugin.h>

struct lejr_error {
	int status;
	char msg[512];
};

/* Fill err and return status. */
int lejr_error_set(struct lejr_error *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- money.c, currency.c ---- */

/* Minor-unit digits of an ISO 4217 code ("EUR" 2, "JPY" 0, "KWD" 3),
 * or -1 when the code is not an active currency. */
int lejr_currency_exponent(const char *code);

/* The i-th currency of the table in code order (for listings and
 * tests), its exponent in *exponent (may be NULL); NULL past the end. */
const char *lejr_currency_at(size_t i, int *exponent);

/* Parse a decimal string: optional '-', digits, optional '.' and at most
 * exponent digits.  No '+', exponents, spaces, thousands separators,
 * NaN or Infinity.  |value| must fit in 18 significant digits.  A digit
 * is required on both sides of a '.' (".5" and "5." are refused).
 * Extra decimals that are zeros ("10.500" at 2) are exact and taken;
 * others are refused, never rounded.  The messages start with field
 * (NULL: "amount"). */
int lejr_money_parse(const char *text, int exponent, int64_t *minor,
		     const char *field, struct lejr_error *err);

/* The same for a JSON value (borrowed): a string as above, an integer
 * (whole units: 12 is 12.00), or a real whose shortest round-tripping
 * decimal form has at most exponent digits (0.1 + 0.2 is refused). */
int lejr_money_parse_json(json_t *value, int exponent, int64_t *minor,
			  const char *field, struct lejr_error *err);

/* The same two, naming currency (e.g. "EUR"; NULL: "the currency") in
 * the messages: "amount: 10.005 has more decimals than EUR allows (2)". */
int lejr_money_parse_in(const char *text, const char *currency,
			int exponent, int64_t *minor, const char *field,
			struct lejr_error *err);
int lejr_money_parse_json_in(json_t *value, const char *currency,
			     int exponent, int64_t *minor, const char *field,
			     struct lejr_error *err);

/* "-1234.50" for -123450 with exponent 2.  LEJR_EINVAL if len is too
 * small (32 bytes always suffice). */
int lejr_money_format(int64_t minor, int exponent, char *buf, size_t len);

/* ---- db.c: connection and migrations ---- */

/* Open (creating if needed) the database at path: WAL, foreign keys,
 * synchronous=FULL, busy timeout of 5 s, and the core's migrations run.
 * One connection per thread. */
int ledger_open(const char *path, sqlite3 **db, struct lejr_error *err);
/* Close a connection from ledger_open, with the prepared statements the
 * ledger keeps on it (use it, not sqlite3_close).  NULL is fine. */
void ledger_close(sqlite3 *db);

/* Run migration version of owner ("core" or a plugin name) unless it
 * already ran, in its own transaction (none may be open).  Versions of
 * one owner run in order: version n + 1 needs n.  Recorded in the table
 * schema_migrations, keyed by (owner, version). */
int ledger_migrate(sqlite3 *db, const char *owner, int version,
		   const char *sql, struct lejr_error *err);

/* BEGIN IMMEDIATE (write) or BEGIN DEFERRED; COMMIT; ROLLBACK.  After a
 * failed commit the transaction may still be open: roll it back.
 * ledger_rollback does nothing when no transaction is open. */
int ledger_begin(sqlite3 *db, int write, struct lejr_error *err);
int ledger_commit(sqlite3 *db, struct lejr_error *err);
void ledger_rollback(sqlite3 *db);

/* Valid ISO calendar date "YYYY-MM-DD" (leap years checked)? */
int lejr_date_valid(const char *date);

/* ---- org.c: organizations, users, memberships ---- */

enum lejr_role {
	LEJR_ROLE_VIEWER = 1,
	LEJR_ROLE_ACCOUNTANT,
	LEJR_ROLE_ADMIN,
	LEJR_ROLE_OWNER
};

const char *lejr_role_name(enum lejr_role role); /* NULL when invalid */
int lejr_role_parse(const char *name); /* -1 when unknown */

/* A struct lejr_org with storage for its strings.  pub points into the
 * struct itself: copy it with ledger_org_load, not by assignment. */
struct ledger_org {
	struct lejr_org pub;
	char slug[64];
	char name[LEJR_NAME_MAX + 1];
	char currency[4];
	char lock_date[11];
};

/* slug: [a-z0-9][a-z0-9-]*, at most 63; currency from our ISO 4217
 * table, whose exponent is stored with the org.  LEJR_ECONFLICT when
 * the slug is taken.  The chart stays empty: see ledger_chart_seed. */
int ledger_org_create(sqlite3 *db, const char *slug, const char *name,
		      const char *currency, int64_t *id,
		      struct lejr_error *err);
int ledger_org_load(sqlite3 *db, int64_t id, struct ledger_org *out,
		    struct lejr_error *err);
int ledger_org_find(sqlite3 *db, const char *slug, struct ledger_org *out,
		    struct lejr_error *err);
/* date NULL clears the lock date. */
int ledger_org_set_lock_date(sqlite3 *db, int64_t org, const char *date,
			     struct lejr_error *err);
/* [{"id","slug","name","currency","lock_date"|null,"created"}] ordered
 * by slug (new reference). */
int ledger_org_list(sqlite3 *db, json_t **out, struct lejr_error *err);

/* password may be NULL (no web sign-in yet).  Hashed with argon2id. */
int ledger_user_create(sqlite3 *db, const char *email, const char *name,
		       const char *password, int64_t *id,
		       struct lejr_error *err);
int ledger_user_find(sqlite3 *db, const char *email, int64_t *id,
		     struct lejr_error *err);

/* Replace a user's password (8 to 1024 bytes, argon2id); NULL removes
 * it.  LEJR_ENOTFOUND for an unknown user. */
int ledger_user_set_password(sqlite3 *db, int64_t user,
			     const char *password, struct lejr_error *err);

/* Check a sign-in: LEJR_OK with *id, or LEJR_EDENIED "wrong email or
 * password" for an unknown email, a user without a password or a wrong
 * one, each taking about the same time. */
int ledger_user_verify_password(sqlite3 *db, const char *email,
				const char *password, int64_t *id,
				struct lejr_error *err);

/* [{"id","email","name","created","password": bool,
 *   "orgs": [{"slug","role"}]}] ordered by email (new reference). */
int ledger_user_list(sqlite3 *db, json_t **out, struct lejr_error *err);

/* Add or change a membership.  LEJR_ECONFLICT when it would leave the
 * organization without an owner. */
int ledger_member_set(sqlite3 *db, int64_t org, int64_t user,
		      enum lejr_role role, struct lejr_error *err);

/* The user's role in org, or LEJR_ENOTFOUND when not a member. */
int ledger_member_role(sqlite3 *db, int64_t org, int64_t user,
		       enum lejr_role *role, struct lejr_error *err);

/* Load the standard small-business chart of accounts into org (codes
 * of four digits: 1000 Cash, 1100 Bank, 1200 Accounts receivable, 2000
 * Accounts payable, 2100 VAT / sales tax payable, 3000 Owner's capital,
 * 4000 Sales, 5000 Cost of goods sold, 6000 Rent, 6300 Office supplies
 * ...; see chart.c).  Codes the org already has are left alone, so a
 * second call adds nothing. */
int ledger_chart_seed(sqlite3 *db, int64_t org, struct lejr_error *err);

/* ---- token.c: personal access tokens ---- */

#define LEJR_TOKEN_MAX 64 /* longest token text, with its prefix */

struct ledger_grant {
	int64_t org_id;
	char slug[64];
	char name[LEJR_NAME_MAX + 1];
	enum lejr_role role;   /* the user's role there, now */
	enum lejr_access access; /* min(token access, role) */
};

/* Who is calling, resolved from a bearer token. */
struct ledger_principal {
	int64_t user_id;
	int64_t token_id;
	char email[256];
	enum lejr_access access; /* the token's own level */
	size_t ngrants;
	struct ledger_grant *grants; /* malloc'd; ledger_principal_free */
};

/* Create a token for user reaching orgs (ids, n >= 1, each one where the
 * user is a member) at access level; the token text (shown once, never
 * stored) goes to token[LEJR_TOKEN_MAX + 1].  expires: unix time or 0. */
int ledger_token_create(sqlite3 *db, int64_t user, const int64_t *orgs,
			size_t norgs, enum lejr_access access,
			const char *label, int64_t expires,
			char token[LEJR_TOKEN_MAX + 1], int64_t *id,
			struct lejr_error *err);

/* Resolve a token: LEJR_OK and *out filled, or LEJR_EDENIED for an
 * unknown, revoked or expired token.  Memberships removed since the
 * token was made drop out of the grants. */
int ledger_token_auth(sqlite3 *db, const char *token,
		      struct ledger_principal *out, struct lejr_error *err);
void ledger_principal_free(struct ledger_principal *p);

/* Count one call and set last use to now. */
int ledger_token_touch(sqlite3 *db, int64_t token_id,
		       struct lejr_error *err);

/* Tokens as JSON array (new reference): id, label, user, access, orgs,
 * created, last_used, expires, calls, revoked.  user 0: all users.
 * "user" is the email, "access" "read" or "write", "orgs" an array of
 * slugs; times are UTC ISO 8601 strings or null. */
int ledger_token_list(sqlite3 *db, int64_t user, json_t **out,
		      struct lejr_error *err);
/* Revoke at once; LEJR_ENOTFOUND, or LEJR_ECONFLICT when already done. */
int ledger_token_revoke(sqlite3 *db, int64_t id, struct lejr_error *err);

/* ---- accounts.c, entries.c, balance.c: the ledger proper ---- */

/* An account by code, archived or not; LEJR_EINVAL for a malformed
 * code, LEJR_ENOTFOUND "account X does not exist". */
int ledger_account_get(sqlite3 *db, const struct lejr_org *org,
		       const char *code, struct lejr_account *out,
		       struct lejr_error *err);

/* [{"code","name","type","parent" (only when set),"archived": bool}]
 * ordered by code (new reference). */
int ledger_account_list(sqlite3 *db, const struct lejr_org *org,
			int include_archived, json_t **out,
			struct lejr_error *err);

/* A parent must exist in org, be live and have the same type.
 * LEJR_ECONFLICT when the code is taken.  out may be NULL. */
int ledger_account_create(sqlite3 *db, const struct lejr_org *org,
			  const struct lejr_account_spec *spec,
			  struct lejr_account *out, struct lejr_error *err);

/* Archive (never delete): history stays, new lines are refused.
 * LEJR_ECONFLICT while live sub-accounts exist; archiving an archived
 * account is LEJR_OK and changes nothing. */
int ledger_account_archive(sqlite3 *db, const struct lejr_org *org,
			   const char *code, struct lejr_error *err);

/*
 * Post a balanced entry and return its id.  Refusals, before anything
 * is written: LEJR_EINVAL for a bad date, memo or reference, fewer than
 * two or more than LEJR_LINES_MAX lines, a zero amount ("line 2: amount
 * is zero..."), an imbalance ("entry does not balance: debits 99.90,
 * credits 99.80 (debits exceed credits by 0.10)"), an archived account;
 * LEJR_ENOTFOUND for an unknown code ("line 3: account 9999 does not
 * exist"); LEJR_ECONFLICT on or before the lock date (read from the
 * database, not from org).  user <= 0 records no author.
 */
int ledger_entry_post(sqlite3 *db, const struct lejr_org *org,
		      int64_t user, const struct lejr_entry_spec *spec,
		      int64_t *id, struct lejr_error *err);

/*
 * One entry as JSON (new reference):
 *   {"id": 7, "date": "2024-03-01", "memo": "...",
 *    "reference": "INV-1"      (only when set),
 *    "reverses": 5             (only for a reversal: the entry reversed),
 *    "reversed_by": 9          (only once reversed: the reversal's id),
 *    "created_at": "2024-03-01T10:00:00.000Z",
 *    "lines": [{"account": "6300", "account_name": "Office supplies",
 *               "debit": "12.50", "credit": "0.00",
 *               "amount": "12.50", "amount_minor": 1250,
 *               "memo": "..." (only when set)}, ...]}
 * Lines keep their posting order.  Both "debit" and "credit" are always
 * present: the line's magnitude in its own column, a formatted zero in
 * the other.  "amount" is signed (credit negative).
 */
int ledger_entry_get(sqlite3 *db, const struct lejr_org *org, int64_t id,
		     json_t **out, struct lejr_error *err);

/*
 * A page of entries ordered by (date, id), each as ledger_entry_get
 * gives it: {"entries": [...], "next_cursor": "..."} (new reference);
 * next_cursor is absent on the last page.  from/to are inclusive; text
 * matches a substring of memo or reference (case-insensitive for ASCII,
 * '%' and '_' literal).  LEJR_EINVAL for a bad date, limit or cursor;
 * LEJR_ENOTFOUND for an unknown account.  filter may be NULL.
 */
int ledger_entry_list(sqlite3 *db, const struct lejr_org *org,
		      const struct lejr_entry_filter *filter, json_t **out,
		      struct lejr_error *err);

/*
 * Post the reversal of entry id: every line negated, dated date (NULL:
 * the original's date, never earlier), memo NULL meaning "Reversal of
 * entry N: <memo>", linked to the original.  LEJR_ENOTFOUND for an
 * unknown id; LEJR_ECONFLICT when already reversed ("... was already
 * reversed by entry N"), when id is itself a reversal, or on or before
 * the lock date; LEJR_EINVAL when a line's account is now archived.
 */
int ledger_entry_reverse(sqlite3 *db, const struct lejr_org *org,
			 int64_t user, int64_t id, const char *date,
			 const char *memo, int64_t *new_id,
			 struct lejr_error *err);

/*
 * Trial balance up to and including date (NULL: all time), as (new
 * reference):
 *   {"as_of": "2024-03-31" | null, "currency": "EUR",
 *    "accounts": [{"code", "name", "type", "debit", "credit",
 *                  "debit_minor", "credit_minor", "balance",
 *                  "balance_minor"}, ...],
 *    "total_debit", "total_credit", "total_debit_minor",
 *    "total_credit_minor", "balanced": true}
 * Accounts ordered by code, only those with lines by then.  A net debit
 * shows in "debit", a net credit in "credit" (the other one zero);
 * "balance" is the signed net (debit positive).  Amount strings are
 * exact decimals.  Totals that differ mean a damaged ledger:
 * LEJR_EINTERNAL.
 */
int ledger_trial_balance(sqlite3 *db, const struct lejr_org *org,
			 const char *date, json_t **out,
			 struct lejr_error *err);

/* Net balance (debit positive) of one account up to and including date
 * (NULL: all time), in minor units; 0 for an account without lines. */
int ledger_account_balance(sqlite3 *db, const struct lejr_org *org,
			   const char *code, const char *date,
			   int64_t *balance, struct lejr_error *err);

/* ---- idempotency.c ---- */

/* Look key up for org: LEJR_OK with *result (new reference) when the
 * same tool and argument digest ran before; LEJR_ENOTFOUND when the key
 * is new; LEJR_ECONFLICT when it was used with another tool or other
 * arguments.  Keys: 1 to 255 characters, no control characters. */
int ledger_idem_find(sqlite3 *db, int64_t org, const char *key,
		     const char *tool, const char *digest, json_t **result,
		     struct lejr_error *err);
/* Remember result (borrowed) under key, in the call's transaction, so
 * that a rolled-back call leaves the key unused.  LEJR_ECONFLICT when
 * the key is already taken. */
int ledger_idem_store(sqlite3 *db, int64_t org, const char *key,
		      const char *tool, const char *digest, json_t *result,
		      struct lejr_error *err);

/* ---- activity.c ---- */

struct ledger_activity {
	int64_t org_id;
	int64_t user_id;
	int64_t token_id;
	const char *tool;
	const char *args_digest; /* hex SHA-256 of the canonical arguments */
	const char *outcome;     /* "ok", "error", "denied", "invalid" */
	const char *message;     /* error text, or NULL */
	const int64_t *entries;  /* ids of entries created */
	size_t nentries;
	int64_t duration_us;
};

/* Append one record; the time is taken now (UTC, ISO 8601 with
 * milliseconds).  org_id, user_id and token_id 0 are stored as none. */
int ledger_activity_add(sqlite3 *db, const struct ledger_activity *rec,
			struct lejr_error *err);

/* Newest first: {"records": [...], "next_cursor"} (new reference),
 * next_cursor absent on the last page.  A record: {"id", "time",
 * "user_id", "user" (email or null), "token_id" (when any), "tool",
 * "args_digest", "outcome", "message" (when any), "entries": [ids],
 * "duration_us"}.  tool, from, to (dates, inclusive) may be NULL;
 * cursor from the previous page; limit 0 means 50, at most 500. */
int ledger_activity_list(sqlite3 *db, int64_t org, const char *tool,
			 const char *from, const char *to,
			 const char *cursor, int limit, json_t **out,
			 struct lejr_error *err);

#endif /* LEJR_LEDGER_INTERNAL_H */

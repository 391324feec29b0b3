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
#include <stdio.h>

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
 * NaN or Infinity.  |value| must fit in 15 significant digits.  A digit
 * is required on both sides of a '.' (".5" and "5." are refused).
 * Decimals past exponent are refused, even zeros ("10.500" at 2), and
 * never rounded.  The messages start with field (NULL: "amount"). */
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

/*
 * While a plugin's code runs on this thread, limit the SQL the thread
 * prepares outside the core to what plugin (its name, kept by the
 * caller) may do (sandbox.c): read the ledger, write only tables named
 * "<plugin>_...", and in a migration change only their schema.  Refused
 * SQL fails to prepare with SQLITE_AUTH and is logged.
 */
enum ledger_sandbox {
	LEDGER_SANDBOX_READ,      /* a read tool, resource, prompt: no writes */
	LEDGER_SANDBOX_WRITE,     /* a write tool: its own tables */
	LEDGER_SANDBOX_MIGRATION  /* its own tables' schema too */
};

void ledger_sandbox_enter(const char *plugin, enum ledger_sandbox mode);
void ledger_sandbox_leave(void);

/* List the core's objects, which the sandbox keeps from plugins; before
 * any plugin runs.  -1 when they cannot be listed (then plugins may
 * read only the ledger's tables and their own). */
int ledger_sandbox_init(void);

/* Was the transaction rolled back whole while the plugin last entered
 * on this thread ran (SQL of its own that ends it: INSERT OR ROLLBACK,
 * RAISE(ROLLBACK))?  Cleared on entering, and by ledger_sandbox_reset
 * before work that may not enter a plugin at all. */
int ledger_sandbox_lost(void);
void ledger_sandbox_reset(void);

/* The plugin whose code runs on this thread, NULL when none does. */
const char *ledger_sandbox_plugin(void);

/* Around the core's own work on this thread (enter 1, then 0), above
 * all a core function a plugin called: its statements, and those SQLite
 * prepares again after a schema change, are not the plugin's. */
void ledger_sandbox_core(int enter);

/* May a plugin be called name, next to the plugins already loaded
 * (others)?  Not when "<name>_" would make an object of the core or of
 * another plugin its own, or the name is the core's; why then says so. */
int ledger_sandbox_name_ok(const char *name, const char *const *others,
			   size_t nothers, char *why, size_t len);

/* After the plugins' migrations: take note of every object of db, so
 * that plugins read none of the others' tables. */
void ledger_sandbox_seal(sqlite3 *db);

/* The first column of every row of sql, as text, sorted (malloc'd);
 * -1 on failure.  Free the list with ledger_strings_free. */
int ledger_strings(sqlite3 *db, const char *sql, char ***list, size_t *n);
void ledger_strings_free(char **list, size_t n);

/* The names of db's schema objects, as ledger_strings gives them. */
int ledger_schema_names(sqlite3 *db, char ***names, size_t *n);

/* The plugins that have run migrations on db, loaded now or not, as
 * ledger_strings gives them. */
int ledger_migration_owners(sqlite3 *db, char ***owners, size_t *n);

/* BEGIN IMMEDIATE (write) or BEGIN DEFERRED; COMMIT; ROLLBACK.  After a
 * failed commit the transaction may still be open: roll it back.
 * ledger_rollback does nothing when no transaction is open. */
int ledger_begin(sqlite3 *db, int write, struct lejr_error *err);
int ledger_commit(sqlite3 *db, struct lejr_error *err);
void ledger_rollback(sqlite3 *db);

/*
 * Valid ISO calendar date "YYYY-MM-DD" (leap years checked) in the
 * years LEJR_YEAR_MIN to LEJR_YEAR_MAX?  The last year leaves room for
 * a fiscal year, and the day after, to stay four-digit dates.
 */
int lejr_date_valid(const char *date);

#define LEJR_YEAR_MIN 1000
#define LEJR_YEAR_MAX 9998

/* What a date must be, for messages: "date \"x\" is not " LEJR_DATE_RULE */
#define LEJR_DATE_RULE \
	"a calendar date between 1000-01-01 and 9998-12-31 (YYYY-MM-DD)"

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
/* [{"id","slug","name","currency","lock_date"|null,"created",
 * "fiscal_year_start"}] ordered by slug (new reference). */
int ledger_org_list(sqlite3 *db, json_t **out, struct lejr_error *err);

/* ---- fiscal.c: the fiscal year ---- */

/* Is mmdd a fiscal year start the ledger takes: "MM-DD", month 01 to
 * 12, day 01 to 28 (so that every year, leap or not, has that day)? */
int ledger_fiscal_start_valid(const char *mmdd);

/* The organization's fiscal year start, "MM-DD" ("01-01" unless set),
 * into start[6]. */
int ledger_fiscal_start(sqlite3 *db, int64_t org, char start[6],
			struct lejr_error *err);

/* Set it; LEJR_EINVAL for an invalid mmdd.  Reports computed after the
 * change split earnings between years at the new boundary. */
int ledger_fiscal_start_set(sqlite3 *db, int64_t org, const char *mmdd,
			    struct lejr_error *err);

/* The first and last day of the fiscal year starting each year on
 * start ("MM-DD", valid) that holds date (valid). */
void ledger_fiscal_year(const char *start, const char *date,
			char first[11], char last[11]);

/* password may be NULL (no web sign-in yet).  Hashed with argon2id. */
int ledger_user_create(sqlite3 *db, const char *email, const char *name,
		       const char *password, int64_t *id,
		       struct lejr_error *err);
int ledger_user_find(sqlite3 *db, const char *email, int64_t *id,
		     struct lejr_error *err);

/* Replace a user's password (8 to 1024 bytes, argon2id); NULL removes
 * it.  The user's web sign-ins end with it: whoever signed in with the
 * old password must sign in again.  LEJR_ENOTFOUND for an unknown
 * user. */
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
#define LEDGER_AUDIENCE_MAX 300 /* longest OAuth resource URL */

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

	/* An OAuth access token's connection and audience (the resource
	 * it was issued for); 0 and "" for a personal access token. */
	int64_t connection_id;
	char audience[LEDGER_AUDIENCE_MAX + 1];
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
 * token was made drop out of the grants.  An OAuth access token (see
 * oauth.c) resolves too, with its connection's organizations and its
 * audience; one whose connection is revoked is LEJR_EDENIED.  The
 * caller checks the audience. */
int ledger_token_auth(sqlite3 *db, const char *token,
		      struct ledger_principal *out, struct lejr_error *err);
void ledger_principal_free(struct ledger_principal *p);

/* Count one call and set last use to now. */
int ledger_token_touch(sqlite3 *db, int64_t token_id,
		       struct lejr_error *err);

/* Count n calls at once (n >= 1) and set last use to now. */
int ledger_token_touch_n(sqlite3 *db, int64_t token_id, int64_t n,
			 struct lejr_error *err);

/* The auth_epoch counter, which every change that can alter what a
 * token resolves to bumps in the same transaction (see schema.c). */
int ledger_auth_epoch(sqlite3 *db, int64_t *epoch, struct lejr_error *err);

/* When token id expires (unix time), 0 for never; LEJR_ENOTFOUND when
 * there is no such token. */
int ledger_token_expiry(sqlite3 *db, int64_t id, int64_t *expires,
			struct lejr_error *err);

/* Personal access tokens (not OAuth ones) as JSON array (new
 * reference): id, label, user, access, orgs,
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
 * The same with flags, enum lejr_entry_flag bits.  A closing entry
 * (LEJR_ENTRY_CLOSING) is also refused with LEJR_EINVAL unless it is
 * dated on the last day of a fiscal year and all its accounts are
 * income, expense or equity; unknown bits are LEJR_EINVAL.
 */
int ledger_entry_post_ex(sqlite3 *db, const struct lejr_org *org,
			 int64_t user, const struct lejr_entry_spec *spec,
			 unsigned flags, int64_t *id,
			 struct lejr_error *err);

/*
 * One entry as JSON (new reference):
 *   {"id": 7, "date": "2024-03-01", "memo": "...",
 *    "reference": "INV-1"      (only when set),
 *    "reverses": 5             (only for a reversal: the entry reversed),
 *    "reversed_by": 9          (only once reversed: the reversal's id),
 *    "kind": "closing"         (only for a closing entry),
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
 * entry N: <memo>", linked to the original.  The reversal of a closing
 * entry is a closing entry, held to the same rules.  LEJR_ENOTFOUND for an
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

/* ---- export.c ---- */

/*
 * Write org's whole journal to out as an hledger journal (ledger reads
 * it too): a commodity directive for the org's currency, an account
 * directive per account, archived ones included, named
 * "<type>:<code> <name>" under their parents ("assets:1100 Bank:1110
 * Checking") with hledger's account type declared, then one
 * transaction per entry in (date, id) order, its id as the code, its
 * memo as the description, reference, reversal links and "kind:
 * closing" as comment tags.  Amounts are exact ("-1234.50 EUR").  Run
 * it inside a read transaction for a consistent copy.  LEJR_EINTERNAL
 * on a write error (out's error flag set); out is neither flushed nor
 * closed.
 */
int ledger_export_hledger(sqlite3 *db, const struct lejr_org *org,
			  FILE *out, struct lejr_error *err);

/* ---- reports.c, general-ledger.c: financial reports ----
 *
 * Every report reads the totals that the triggers on lines keep, never
 * the whole journal, and checks itself against a second computation;
 * a report that fails its check is LEJR_EINTERNAL ("... failed its own
 * check (name) ..."), never an answer.  Dates are calendar dates in the
 * organization's terms and every period includes both its ends.
 * Amounts appear as an exact decimal string "x" beside "x_minor", the
 * integer in minor units.
 */

/*
 * Balance sheet as of date (required), as (new reference):
 *   {"as_of", "currency",
 *    "fiscal_year": {"from", "to", "profit_and_loss_net"(_minor),
 *                    "closed_to_equity"(_minor)},
 *    "assets", "liabilities", "equity":
 *        {"rows": [{"code", "name", "line", "amount"(_minor)}],
 *         "total"(_minor)},
 *    "total_liabilities_and_equity"(_minor),
 *    "retained_earnings_prior"(_minor), "current_year_earnings"(_minor),
 *    "checks": {"balanced": true,
 *               "earnings_match_profit_and_loss": true}}
 * Rows are the accounts of the section with lines by date, in code
 * order, "line": "account"; assets are shown debit positive,
 * liabilities and equity credit positive.  Equity ends with two rows
 * whose code is null: "retained_earnings_prior" (income less expenses
 * before the fiscal year holding date, closing entries included: what
 * is not closed yet) and "current_year_earnings" (the same from the
 * fiscal year's first day to date).  A closing entry moves amounts
 * from those rows to an equity account, so the totals never change and
 * nothing counts twice.  "fiscal_year" also gives the year's profit and
 * loss to date (closing entries left out) and what closing entries
 * moved to equity: their difference is current_year_earnings.
 */
int ledger_balance_sheet(sqlite3 *db, const struct lejr_org *org,
			 const char *date, json_t **out,
			 struct lejr_error *err);

/*
 * Profit and loss from..to (both required, inclusive), closing entries
 * left out, as (new reference):
 *   {"period": {"from", "to"}, "currency", "fiscal_year_start": "MM-DD",
 *    "columns": [{"label", "from", "to"}],
 *    "income", "expenses": {"rows": [{"code", "name", "amounts": [...],
 *                                     "amounts_minor": [...]}],
 *                           "totals": [...], "totals_minor": [...]},
 *    "net": [...], "net_minor": [...],
 *    "checks": {"net_matches_balances": true, "columns_add_up": true}}
 * with one amount per column.  Income is shown as credits less debits,
 * expenses as debits less credits, net as income less expenses.  Rows
 * are accounts with an amount in some column, in code order.  columns:
 * NULL or "none" (one column, from..to), "previous_period" (a second
 * column: the as long period just before, in months when from..to is
 * whole months), "month" or "quarter" (one per month or quarter,
 * counted from the start of the fiscal year holding from and cut to
 * from..to, then a "Total" column; at most 60 and a total).
 * "columns_add_up" is only made, and present, with month or quarter.
 */
int ledger_profit_and_loss(sqlite3 *db, const struct lejr_org *org,
			   const char *from, const char *to,
			   const char *columns, json_t **out,
			   struct lejr_error *err);

/*
 * One page of an account's general ledger for from..to (each NULL:
 * open), as (new reference):
 *   {"account": {"code", "name", "type"}, "period": {"from", "to"},
 *    "currency", "opening_balance"(_minor) (before from),
 *    "period_debit"(_minor), "period_credit"(_minor),
 *    "closing_balance"(_minor) (as of to), "page_opening_balance"(_minor),
 *    "lines": [{"date", "entry", "memo", "reference"?, "line_memo"?,
 *               "kind": "closing"?, "counter_accounts": [codes],
 *               "debit"(_minor), "credit"(_minor), "amount"(_minor),
 *               "balance"(_minor)}],
 *    "page_closing_balance"(_minor), "next_cursor": "..." | null,
 *    "checks": {"period_reconciles": true, "page_reconciles": true}}
 * Balances are debit positive; "balance" runs from the page's opening.
 * Lines are in (date, entry, line) order and a page never splits an
 * entry: it holds whole entries up to limit lines (0: 100, at most 500)
 * but always at least one entry.  cursor: next_cursor of the page
 * before, with the same account and period.
 */
int ledger_general_ledger(sqlite3 *db, const struct lejr_org *org,
			  const char *code, const char *from, const char *to,
			  const char *cursor, int limit, json_t **out,
			  struct lejr_error *err);

/*
 * One account's balance as of date (NULL: all time), as (new
 * reference): {"account": {"code", "name", "type"}, "as_of" | null,
 * "currency", "balance"(_minor) (debit positive), "debit"(_minor),
 * "credit"(_minor) (the balance on its side, the other zero),
 * "checks": {"totals_agree": true}}, the balance being read both from
 * the start of the books and back from their end.
 */
int ledger_account_report(sqlite3 *db, const struct lejr_org *org,
			  const char *code, const char *date, json_t **out,
			  struct lejr_error *err);

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
	/* "ok"; "invalid" (bad arguments, unknown objects), "denied"
	 * (refused by policy or by the ledger's rules), "error" (our
	 * fault) */
	const char *outcome;
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

/* ---- web.c: web sign-in sessions and sign-in throttling ---- */

#define LEDGER_WEB_TOKEN_MAX 64 /* longest session cookie value */

/*
 * Start a web session for user lasting ttl seconds: the cookie value
 * (random, 256 bits, base64url; never stored, only its SHA-256) goes to
 * token[LEDGER_WEB_TOKEN_MAX + 1].  Also drops expired sessions.
 */
int ledger_web_session_create(sqlite3 *db, int64_t user, int64_t ttl,
			      char token[LEDGER_WEB_TOKEN_MAX + 1],
			      struct lejr_error *err);

/* The signed-in user behind a cookie value: LEJR_OK with *user, email
 * (256 bytes) and name (LEJR_NAME_MAX + 1 bytes) filled, or LEJR_EDENIED
 * for an unknown or expired session. */
int ledger_web_session_find(sqlite3 *db, const char *token, int64_t *user,
			    char *email, char *name, struct lejr_error *err);

/* End the session of a cookie value (signing out); an unknown one is
 * LEJR_OK: the visitor is signed out either way. */
int ledger_web_session_end(sqlite3 *db, const char *token,
			   struct lejr_error *err);

/* End every web session of user (password changed, user removed). */
int ledger_web_session_end_user(sqlite3 *db, int64_t user,
				struct lejr_error *err);

/* How many sign-in failures key (e.g. "email:a@b" or "addr:10.0.0.1")
 * had in the last window seconds, into *count. */
int ledger_login_failures(sqlite3 *db, const char *key, int64_t window,
			  int *count, struct lejr_error *err);

/* Record one failure for key, dropping failures older than a day. */
int ledger_login_failed(sqlite3 *db, const char *key,
			struct lejr_error *err);

/* Forget key's failures (after a successful sign-in). */
int ledger_login_clear(sqlite3 *db, const char *key,
		       struct lejr_error *err);

/*
 * A sign-in attempt, counted before its password is checked so that
 * parallel attempts cannot all pass the check before any is counted.
 * In a write transaction of its own (call it outside one): when one
 * of the n keys had max or more failures in the last window seconds,
 * *throttled is the index of the first such key and nothing is
 * recorded; else *throttled is -1 and one failure is recorded for
 * every key, its row id in ids[i] (for ledger_login_forgive).
 */
int ledger_login_attempt(sqlite3 *db, const char *const *keys, size_t n,
			 int64_t window, int max, int64_t *ids,
			 int *throttled, struct lejr_error *err);

/* Drop the n failures recorded by ledger_login_attempt (the password
 * was right, or it could not be checked). */
int ledger_login_forgive(sqlite3 *db, const int64_t *ids, size_t n,
			 struct lejr_error *err);

/* ---- activity.c: the log with every filter ---- */

struct ledger_activity_filter {
	int64_t org;        /* required */
	const char *tool;   /* exact tool name, or NULL */
	int64_t user;       /* user id, or 0 for everyone */
	const char *from;   /* "YYYY-MM-DD", inclusive, or NULL */
	const char *to;     /* "YYYY-MM-DD", inclusive, or NULL */
	const char *cursor; /* from the previous page, or NULL */
	int limit;          /* 0 means 50, at most 500 */
};

/* As ledger_activity_list, with a user filter too; records also carry
 * "client" (the connection's label or client name, or null). */
int ledger_activity_query(sqlite3 *db,
			  const struct ledger_activity_filter *f,
			  json_t **out, struct lejr_error *err);

/* ---- oauth.c: the OAuth authorization server's records ---- */

/*
 * Clients register themselves (RFC 7591).  A user's consent makes an
 * authorization code; exchanging the code makes a connection: a client,
 * a user, a set of organizations and an access level.  A connection's
 * access tokens are rows of the tokens table bound to an audience and
 * short-lived, so that ledger_token_auth resolves them; its refresh
 * tokens rotate on every use.  Client secrets, codes and tokens are
 * stored only as SHA-256 hashes.
 *
 * oauth.c owns the tables oauth_clients, oauth_codes, connections,
 * connection_orgs, refresh_tokens and the columns tokens.connection_id
 * and tokens.audience, and creates, resolves and revokes their rows.
 * Listing connections and changing their organizations for Settings
 * live beside it (connections.c).  Effective access on an org is the
 * connection's access capped by the user's role there, as for tokens.
 */

#define LEDGER_OAUTH_ACCESS_PREFIX "lejr_at_" /* access tokens */
#define LEDGER_OAUTH_ID_MAX 48    /* longest client_id */
#define LEDGER_OAUTH_NAME_MAX 200 /* longest client_name kept */
#define LEDGER_OAUTH_URI_MAX 1024 /* longest redirect URI */
#define LEDGER_OAUTH_ORGS_MAX 64  /* organizations of one connection */

/* How a client authenticates at the token endpoint. */
enum ledger_oauth_auth {
	LEDGER_OAUTH_AUTH_NONE = 1, /* public: client_id and PKCE only */
	LEDGER_OAUTH_AUTH_POST,     /* client_secret_post */
	LEDGER_OAUTH_AUTH_BASIC     /* client_secret_basic */
};

/* "none", "client_secret_post", "client_secret_basic"; NULL when
 * invalid.  And back: 0 for an unknown name. */
const char *ledger_oauth_auth_name(enum ledger_oauth_auth auth);
int ledger_oauth_auth_parse(const char *name);

/* A registered client. */
struct ledger_oauth_client {
	int64_t id; /* row id, what codes and connections refer to */
	char client_id[LEDGER_OAUTH_ID_MAX + 1];
	enum ledger_oauth_auth auth;
	char name[LEDGER_OAUTH_NAME_MAX + 1]; /* "" when not given */
	char secret_hash[65];  /* "" for a public client */
	int64_t issued_at;     /* unix time */
	json_t *metadata;      /* as answered at registration, owned;
				* "redirect_uris" lists where codes go */
};

/*
 * Register a client.  metadata (borrowed) is its checked registration
 * metadata, which must hold "redirect_uris"; client_id, secret and
 * times are added here, and out->metadata is the whole registration
 * answer (RFC 7591 section 3.2.1).  A confidential client's secret,
 * shown once, goes to secret (also in out->metadata); a public client
 * gets "".  name may be NULL.  Free out with ledger_oauth_client_clear.
 */
int ledger_oauth_client_create(sqlite3 *db, json_t *metadata,
			       enum ledger_oauth_auth auth, const char *name,
			       struct ledger_oauth_client *out,
			       char secret[LEJR_TOKEN_MAX + 1],
			       struct lejr_error *err);

/* Look a client up by client_id: LEJR_OK, or LEJR_ENOTFOUND. */
int ledger_oauth_client_find(sqlite3 *db, const char *client_id,
			     struct ledger_oauth_client *out,
			     struct lejr_error *err);

/* Release out->metadata.  Fine on a zeroed struct. */
void ledger_oauth_client_clear(struct ledger_oauth_client *c);

/* Does secret match the client's (constant time)?  Always 0 for a
 * public client or a NULL secret. */
int ledger_oauth_client_secret_ok(const struct ledger_oauth_client *c,
				  const char *secret);

/* Delete the clients registered before the unix time before that never
 * obtained a token, with their codes; their number goes to *n (may be
 * NULL).  Also drops codes that expired over a day ago and expired
 * refresh tokens. */
int ledger_oauth_client_sweep(sqlite3 *db, int64_t before, int *n,
			      struct lejr_error *err);

/* The user's memberships, for the consent page: [{"id","slug","name",
 * "role"}] ordered by slug, role by name (new reference). */
int ledger_user_memberships(sqlite3 *db, int64_t user, json_t **out,
			    struct lejr_error *err);

/* What a user approved on the consent page. */
struct ledger_oauth_consent {
	int64_t client;             /* the client's row id */
	int64_t user;
	const char *redirect_uri;   /* as sent to /authorize */
	const char *code_challenge; /* S256, 43 base64url characters */
	const char *resource;       /* the audience of its tokens */
	enum lejr_access access;
	const int64_t *orgs;        /* n >= 1, each a membership of user */
	size_t norgs;
};

/*
 * Make a single-use authorization code for consent, valid ttl seconds;
 * its text, never stored, goes to code.  LEJR_EINVAL when an org is not
 * one of the user's, the access level or the challenge is malformed.
 */
int ledger_oauth_code_create(sqlite3 *db,
			     const struct ledger_oauth_consent *consent,
			     int64_t ttl, char code[LEJR_TOKEN_MAX + 1],
			     struct lejr_error *err);

/* The lifetimes of what the token endpoint issues, in seconds. */
struct ledger_oauth_ttl {
	int64_t access;
	int64_t refresh;
};

/* What the token endpoint answers. */
struct ledger_oauth_tokens {
	char access_token[LEJR_TOKEN_MAX + 1];
	char refresh_token[LEJR_TOKEN_MAX + 1];
	int64_t connection;
	enum lejr_access access;
	int64_t expires_in;
};

/*
 * Redeem code for client (row id) in a transaction of its own (none may
 * be open): the connection is made and its first tokens issued.
 * LEJR_EDENIED (OAuth's invalid_grant, err saying why) for a code that
 * is unknown, expired, used, another client's, issued to another
 * redirect_uri, or whose challenge verifier does not meet; a wrong
 * verifier leaves the code usable.  A code used a second time revokes
 * the connection it made, which is committed before the refusal.
 */
int ledger_oauth_code_exchange(sqlite3 *db, const char *code,
			       int64_t client, const char *redirect_uri,
			       const char *verifier,
			       const struct ledger_oauth_ttl *ttl,
			       struct ledger_oauth_tokens *out,
			       struct lejr_error *err);

/*
 * Rotate refresh_token of client in a transaction of its own: a new
 * access token and a new refresh token, the old one retired.
 * LEJR_EDENIED (invalid_grant) for an unknown, expired or revoked one,
 * another client's, or one whose connection was issued for an audience
 * other than audience.  A retired refresh token presented again revokes
 * its connection (committed before the refusal): someone holds a copy.
 */
int ledger_oauth_refresh(sqlite3 *db, const char *refresh_token,
			 int64_t client, const char *audience,
			 const struct ledger_oauth_ttl *ttl,
			 struct ledger_oauth_tokens *out,
			 struct lejr_error *err);

/*
 * Token revocation (RFC 7009) for client, in a transaction of its own:
 * a refresh token revokes its whole connection, an access token only
 * itself.  A token that is
 * unknown, already revoked or another client's changes nothing and is
 * LEJR_OK, as the RFC asks.
 */
int ledger_oauth_revoke(sqlite3 *db, const char *token, int64_t client,
			struct lejr_error *err);

/* Revoke connection id at once: its access and refresh tokens stop
 * working.  user > 0 must be its owner (another's is LEJR_ENOTFOUND);
 * 0 for an administrator.  LEJR_ECONFLICT when already revoked. */
int ledger_connection_revoke(sqlite3 *db, int64_t id, int64_t user,
			     struct lejr_error *err);

/* PKCE S256 (RFC 7636): is verifier 43 to 128 unreserved characters
 * whose base64url SHA-256 is challenge?  1 or 0 (constant time). */
int ledger_oauth_pkce_ok(const char *verifier, const char *challenge);

/* ---- connections.c: tokens and connections, for Settings ---- */

#define LEDGER_CONN_OWN 0x1     /* only the viewer's own */
#define LEDGER_CONN_TOKENS 0x2  /* personal access tokens */
#define LEDGER_CONN_OAUTH 0x4   /* OAuth connections */
#define LEDGER_CONN_REVOKED 0x8 /* revoked ones too */

enum ledger_conn_kind {
	LEDGER_CONN_KIND_TOKEN = 1, /* a personal access token */
	LEDGER_CONN_KIND_OAUTH      /* an OAuth connection */
};

/*
 * The personal access tokens and OAuth connections viewer may see:
 * their own, and those of anyone that reach an organization where
 * viewer is an owner or admin.  flags: LEDGER_CONN_* (with neither kind
 * bit, both kinds).  Newest first, as (new reference):
 *   [{"kind": "token" | "oauth", "id", "name" (the token's label or the
 *     client's name or client_id; null when none), "user_id", "user"
 *     (email), "access": "read" | "write", "resource" (oauth only),
 *     "orgs": [{"id", "member": bool, "slug", "name", "manage": bool}]
 *     by slug, "created", "last_used" | null, "expires" | null (a
 *     token's expiry; for a connection its live refresh token's),
 *     "calls", "revoked" | null, "own": bool, "revocable": bool}]
 * An organization's "slug" and "name" are there only when viewer is a
 * member of it ("member"); "manage" tells whether viewer is an owner
 * or admin there.  "revocable": the item is viewer's own, or viewer
 * manages every organization it reaches.
 * Times are UTC ISO 8601 text.  An OAuth connection's last use and
 * calls sum those of its access tokens.
 */
int ledger_conn_list(sqlite3 *db, int64_t viewer, int flags, json_t **out,
		     struct lejr_error *err);

/*
 * One of them, shaped as above, when viewer may see it (else
 * LEJR_ENOTFOUND), with "choices": every organization its user belongs
 * to, [{"id", "member": bool, "slug", "name", "granted": bool,
 * "manage": bool}] by slug (slug and name only where viewer is a
 * member), "manage" telling whether viewer may add or remove it
 * (always for viewer's own; else where viewer is an owner or admin).
 */
int ledger_conn_get(sqlite3 *db, int64_t viewer, enum ledger_conn_kind kind,
		    int64_t id, json_t **out, struct lejr_error *err);

/*
 * Make orgs (n ids, 1 to LEDGER_OAUTH_ORGS_MAX) the organizations of a
 * token or connection, as viewer, in the caller's (write) transaction;
 * it applies to the next request made with it.  LEJR_ENOTFOUND when
 * viewer may not see it; LEJR_ECONFLICT when it is revoked; LEJR_EINVAL
 * when n is out of range or an org is not one its user belongs to;
 * LEJR_EDENIED when an org added or removed is not one viewer may
 * manage ("manage" above).
 */
int ledger_conn_set_orgs(sqlite3 *db, int64_t viewer,
			 enum ledger_conn_kind kind, int64_t id,
			 const int64_t *orgs, size_t n,
			 struct lejr_error *err);

/* Revoke a token or connection as viewer, at once, in the caller's
 * (write) transaction: LEJR_ENOTFOUND when viewer may not see it,
 * LEJR_EDENIED when it is someone else's and reaches an organization
 * viewer does not manage ("revocable" above), LEJR_ECONFLICT when it
 * is already revoked. */
int ledger_conn_revoke(sqlite3 *db, int64_t viewer,
		       enum ledger_conn_kind kind, int64_t id,
		       struct lejr_error *err);

/* The members of org: [{"id", "email", "name", "role"}] by email (new
 * reference). */
int ledger_org_members(sqlite3 *db, int64_t org, json_t **out,
		       struct lejr_error *err);

#endif /* LEJR_LEDGER_INTERNAL_H */

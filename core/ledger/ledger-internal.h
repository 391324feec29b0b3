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

/* Parse a decimal string: optional '-', digits, optional '.' and at most
 * exponent digits.  No '+', exponents, spaces, thousands separators,
 * NaN or Infinity.  |value| must fit in 18 significant digits. */
int lejr_money_parse(const char *text, int exponent, int64_t *minor,
		     const char *field, struct lejr_error *err);

/* The same for a JSON value (borrowed): a string as above, an integer,
 * or a real whose shortest decimal form has at most exponent digits. */
int lejr_money_parse_json(json_t *value, int exponent, int64_t *minor,
			  const char *field, struct lejr_error *err);

/* "-1234.50" for -123450 with exponent 2.  LEJR_EINVAL if len is too
 * small (32 bytes always suffice). */
int lejr_money_format(int64_t minor, int exponent, char *buf, size_t len);

/* ---- db.c: connection and migrations ---- */

/* Open (creating if needed) the database at path: WAL, foreign keys,
 * synchronous=FULL, busy timeout, and the core's migrations run. */
int ledger_open(const char *path, sqlite3 **db, struct lejr_error *err);
void ledger_close(sqlite3 *db);

/* Run migration version of owner ("core" or a plugin name) unless it
 * already ran, in its own transaction. */
int ledger_migrate(sqlite3 *db, const char *owner, int version,
		   const char *sql, struct lejr_error *err);

/* BEGIN IMMEDIATE (write) or BEGIN DEFERRED; COMMIT; ROLLBACK. */
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

const char *lejr_role_name(enum lejr_role role);
int lejr_role_parse(const char *name); /* -1 when unknown */

/* A struct lejr_org with storage for its strings. */
struct ledger_org {
	struct lejr_org pub;
	char slug[64];
	char name[LEJR_NAME_MAX + 1];
	char currency[4];
	char lock_date[11];
};

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
/* [{"id","slug","name","currency"}] (new reference). */
int ledger_org_list(sqlite3 *db, json_t **out, struct lejr_error *err);

/* password may be NULL (no web sign-in yet).  Hashed with argon2id. */
int ledger_user_create(sqlite3 *db, const char *email, const char *name,
		       const char *password, int64_t *id,
		       struct lejr_error *err);
int ledger_user_find(sqlite3 *db, const char *email, int64_t *id,
		     struct lejr_error *err);
/* Add or change a membership. */
int ledger_member_set(sqlite3 *db, int64_t org, int64_t user,
		      enum lejr_role role, struct lejr_error *err);

/* Load the standard small-business chart of accounts into org. */
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
 * created, last_used, expires, calls, revoked.  user 0: all users. */
int ledger_token_list(sqlite3 *db, int64_t user, json_t **out,
		      struct lejr_error *err);
int ledger_token_revoke(sqlite3 *db, int64_t id, struct lejr_error *err);

/* ---- accounts.c, entries.c, balance.c: the ledger proper ---- */

int ledger_account_get(sqlite3 *db, const struct lejr_org *org,
		       const char *code, struct lejr_account *out,
		       struct lejr_error *err);
int ledger_account_list(sqlite3 *db, const struct lejr_org *org,
			int include_archived, json_t **out,
			struct lejr_error *err);
int ledger_account_create(sqlite3 *db, const struct lejr_org *org,
			  const struct lejr_account_spec *spec,
			  struct lejr_account *out, struct lejr_error *err);
int ledger_account_archive(sqlite3 *db, const struct lejr_org *org,
			   const char *code, struct lejr_error *err);

int ledger_entry_post(sqlite3 *db, const struct lejr_org *org,
		      int64_t user, const struct lejr_entry_spec *spec,
		      int64_t *id, struct lejr_error *err);
int ledger_entry_get(sqlite3 *db, const struct lejr_org *org, int64_t id,
		     json_t **out, struct lejr_error *err);
int ledger_entry_list(sqlite3 *db, const struct lejr_org *org,
		      const struct lejr_entry_filter *filter, json_t **out,
		      struct lejr_error *err);
int ledger_entry_reverse(sqlite3 *db, const struct lejr_org *org,
			 int64_t user, int64_t id, const char *date,
			 const char *memo, int64_t *new_id,
			 struct lejr_error *err);
int ledger_trial_balance(sqlite3 *db, const struct lejr_org *org,
			 const char *date, json_t **out,
			 struct lejr_error *err);
int ledger_account_balance(sqlite3 *db, const struct lejr_org *org,
			   const char *code, const char *date,
			   int64_t *balance, struct lejr_error *err);

/* ---- idempotency.c ---- */

/* Look key up for org: LEJR_OK with *result (new reference) when the
 * same tool and argument digest ran before; LEJR_ENOTFOUND when the key
 * is new; LEJR_ECONFLICT when it was used with other arguments. */
int ledger_idem_find(sqlite3 *db, int64_t org, const char *key,
		     const char *tool, const char *digest, json_t **result,
		     struct lejr_error *err);
/* Remember result (borrowed) under key, in the call's transaction. */
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

/* Append one record; the time is taken now (UTC, ISO 8601). */
int ledger_activity_add(sqlite3 *db, const struct ledger_activity *rec,
			struct lejr_error *err);

/* Newest first: {"records": [...], "next_cursor"} (new reference).
 * tool, from, to may be NULL; cursor from the previous page. */
int ledger_activity_list(sqlite3 *db, int64_t org, const char *tool,
			 const char *from, const char *to,
			 const char *cursor, int limit, json_t **out,
			 struct lejr_error *err);

#endif /* LEJR_LEDGER_INTERNAL_H */

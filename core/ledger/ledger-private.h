/*
 * ledger-private.h - helpers shared by the files of core/ledger only.
 * Nothing outside core/ledger includes this header.
 */
#ifndef LEJR_LEDGER_PRIVATE_H
#define LEJR_LEDGER_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "ledger-internal.h"

/* The current UTC time as SQLite computes it, with milliseconds. */
#define LEDGER_NOW_SQL "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

/* Log the connection's last error with what was being done, fill err
 * and return LEJR_EINTERNAL (LEJR_ECONFLICT text for a busy database
 * would mislead: busy is reported as internal, with its own words). */
int ledger_db_error(sqlite3 *db, const char *what, struct lejr_error *err);

/*
 * A statement for sql, which must be static text (a string literal):
 * prepared once per connection and kept, keyed by the text's address.
 * Give it back with ledger_finalize().  Failure is reported through
 * ledger_db_error.
 */
int ledger_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
		   struct lejr_error *err);

/* The same for SQL composed at run time: prepared for this use only. */
int ledger_prepare_once(sqlite3 *db, const char *sql, sqlite3_stmt **st,
			struct lejr_error *err);

/* Put the plugins' sandbox (sandbox.c) on a new connection. */
void ledger_sandbox_install(sqlite3 *db);

/* Would a plugin's migration that left the schema's names after (from
 * before) make only what is owner's?  If not, why says what it made. */
int ledger_sandbox_made_ok(const char *owner, char **before, size_t nbefore,
			   char **after, size_t nafter, char *why,
			   size_t len);

/* Reset a kept statement for its next use, or finalize another one.
 * NULL is fine. */
void ledger_finalize(sqlite3 *db, sqlite3_stmt *st);

/* Start keeping statements for db (ledger_open), or finalize those
 * kept and stop (ledger_close, before closing it). */
void ledger_stmt_cache_init(sqlite3 *db);
void ledger_stmt_cache_drop(sqlite3 *db);

/*
 * A value kept with a connection of ledger_open() until ledger_close(),
 * which calls free_fn on it; key is the address of something static of
 * the caller's.  Like the statements, it is used by one thread at a
 * time.  ledger_db_keep() replaces (and frees) the key's value, or
 * returns -1 when db keeps no values or has no room for another key;
 * ledger_db_value() returns NULL when nothing is kept under key.
 */
void *ledger_db_value(sqlite3 *db, const void *key);
int ledger_db_keep(sqlite3 *db, const void *key, void *value,
		   void (*free_fn)(void *value));

/* Bind text, or NULL when s is NULL. */
int ledger_bind_text(sqlite3_stmt *st, int idx, const char *s);

/* Copy column col of the current row into buf (empty for NULL). */
void ledger_column_copy(sqlite3_stmt *st, int col, char *buf, size_t len);

/* Run one statement that returns no rows (or whose rows are ignored). */
int ledger_exec(sqlite3 *db, const char *sql, struct lejr_error *err);

/* Add a text column (or JSON null) to a jansson object. */
int ledger_json_set_column(json_t *obj, const char *key, sqlite3_stmt *st,
			   int col);

/* Base64url without padding.  encode returns the length written, or 0
 * when out is too small; decode returns the byte count or -1. */
size_t ledger_b64url_encode(const unsigned char *in, size_t len, char *out,
			    size_t outlen);
int ledger_b64url_decode(const char *in, unsigned char *out, size_t outlen);

/* Lowercase hex SHA-256 of data into out[65]. */
int ledger_sha256_hex(const void *data, size_t len, char out[65]);

/* Is s non-NULL, non-empty, at most max bytes and free of control
 * characters?  Used for names, memos and labels. */
int ledger_text_ok(const char *s, size_t max);

/* Is s at most max characters (code points) of free text (tabs and
 * newlines allowed, other control characters not)?  Empty is allowed;
 * NULL is not. */
int ledger_memo_ok(const char *s, size_t max);

/* Page size from a caller's limit: 0 means 50; 1..500 kept; else -1. */
int ledger_page_limit(int limit);

/* Opaque pagination cursors: a kind letter and a (text, id) position,
 * base64url-encoded so callers treat them as tokens. */
int ledger_cursor_encode(char kind, const char *text, int64_t id,
			 char *out, size_t outlen);
int ledger_cursor_decode(const char *cursor, char kind, char *text,
			 size_t textlen, int64_t *id, struct lejr_error *err);
/* The error for a cursor that decodes but names no valid position. */
int ledger_cursor_invalid(struct lejr_error *err);

/* Is code a well-formed account code ([A-Za-z0-9.-], 1..LEJR_CODE_MAX)? */
int ledger_account_code_ok(const char *code);

/* Does the organization exist?  LEJR_OK, or LEJR_ENOTFOUND with a
 * message naming its id. */
int ledger_org_exists(sqlite3 *db, int64_t org, struct lejr_error *err);

/* ---- fiscal.c: calendar arithmetic on valid "YYYY-MM-DD" dates ---- */

/* The date's day number (consecutive integers for consecutive days),
 * and back to text; years 0000 to 9999 (results past either end stop
 * at 0000-01-01 or 9999-12-31). */
int64_t ledger_day_number(const char *date);
void ledger_day_text(int64_t n, char out[11]);

/* The same from and to year, month and day numbers. */
int64_t ledger_ymd_number(int64_t y, int64_t m, int64_t d);
void ledger_number_ymd(int64_t n, int *y, int *m, int *d);

/* Days in month m (1..12) of year y. */
int ledger_month_days(int y, int m);

/* date plus days (may be negative). */
void ledger_day_add(const char *date, int64_t days, char out[11]);

/* date plus months, the day cut to the new month's length. */
void ledger_month_add(const char *date, int months, char out[11]);

/* The last day of date's month. */
void ledger_month_end(const char *date, char out[11]);

/* The core's own schema migrations, in order (schema.c). */
struct ledger_migration {
	int version;
	const char *sql;
};

extern const struct ledger_migration ledger_core_migrations[];
extern const size_t ledger_core_nmigrations;

/* A small bounded string for composing SQL from fixed pieces. */
struct ledger_sql {
	char text[2048];
	size_t len;
	int overflow;
};

void ledger_sql_add(struct ledger_sql *q, const char *piece);

#endif /* LEJR_LEDGER_PRIVATE_H */

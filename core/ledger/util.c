/*
 * util.c - errors, statement helpers, encodings and cursors shared by
 * the ledger's files.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "log.h"
#include "ledger-private.h"

int
lejr_error_set(struct lejr_error *err, int status, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return status;

	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

int
ledger_db_error(sqlite3 *db, const char *what, struct lejr_error *err)
{
	int code;

	code = sqlite3_errcode(db);
	lejr_log(LEJR_LOG_ERROR, "database: %s: %s", what,
		 sqlite3_errmsg(db));

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "the database is busy, try again");
	return lejr_error_set(err, LEJR_EINTERNAL, "database error while %s",
			      what);
}

int
ledger_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

void
ledger_column_copy(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	size_t n;

	/* What snprintf("%s") would copy, without its formatting: this
	 * runs for every column of every row read. */
	if (len == 0)
		return;
	n = s != NULL ? strnlen(s, len - 1) : 0;
	if (n > 0)
		memcpy(buf, s, n);
	buf[n] = '\0';
}

int
ledger_exec(sqlite3 *db, const char *sql, struct lejr_error *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return ledger_db_error(db, "running a statement", err);
	return LEJR_OK;
}

static int
string_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
ledger_strings(sqlite3 *db, const char *sql, char ***list, size_t *n)
{
	char **s = NULL, **grown;
	size_t count = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	*list = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(s, cap * sizeof(*grown));
			if (grown == NULL)
				break;
			s = grown;
		}
		s[count] = strdup((const char *)sqlite3_column_text(st, 0));
		if (s[count] == NULL)
			break;
		count++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ledger_strings_free(s, count);
		return -1;
	}
	qsort(s, count, sizeof(*s), string_cmp);
	*list = s;
	*n = count;
	return 0;
}

void
ledger_strings_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int
ledger_json_set_column(json_t *obj, const char *key, sqlite3_stmt *st,
		       int col)
{
	const unsigned char *s;

	s = sqlite3_column_text(st, col);
	if (s == NULL)
		return json_object_set_new(obj, key, json_null());
	return json_object_set_new(obj, key, json_string((const char *)s));
}

static const char b64url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
ledger_b64url_encode(const unsigned char *in, size_t len, char *out,
		     size_t outlen)
{
	size_t i, n = 0;
	uint32_t v;

	if (outlen < (len * 4 + 2) / 3 + 1)
		return 0;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[n++] = b64url_alphabet[v >> 18 & 63];
		out[n++] = b64url_alphabet[v >> 12 & 63];
		out[n++] = b64url_alphabet[v >> 6 & 63];
		out[n++] = b64url_alphabet[v & 63];
	}

	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[n++] = b64url_alphabet[v >> 18 & 63];
		out[n++] = b64url_alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[n++] = b64url_alphabet[v >> 18 & 63];
		out[n++] = b64url_alphabet[v >> 12 & 63];
		out[n++] = b64url_alphabet[v >> 6 & 63];
	}

	out[n] = '\0';
	return n;
}

static int
b64url_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(b64url_alphabet, c);
	return p != NULL ? (int)(p - b64url_alphabet) : -1;
}

int
ledger_b64url_decode(const char *in, unsigned char *out, size_t outlen)
{
	size_t len, i, n = 0;
	uint32_t v = 0;
	int bits = 0, d;

	len = strlen(in);
	if (len % 4 == 1)
		return -1;

	for (i = 0; i < len; i++) {
		d = b64url_value(in[i]);
		if (d < 0)
			return -1;
		v = v << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= outlen)
				return -1;
			out[n++] = (unsigned char)(v >> bits);
			v &= (1u << bits) - 1;
		}
	}

	/* Leftover bits must be zero, so each value has one spelling. */
	if (v != 0)
		return -1;
	return (int)n;
}

int
ledger_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;
	size_t i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		return LEJR_EINTERNAL;

	for (i = 0; i < sizeof(md); i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return LEJR_OK;
}

int
ledger_text_ok(const char *s, size_t max)
{
	size_t len;

	if (s == NULL || *s == '\0')
		return 0;

	len = strlen(s);
	if (len > max)
		return 0;

	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int
ledger_page_limit(int limit)
{
	if (limit == 0)
		return 50;
	if (limit < 1 || limit > 500)
		return -1;
	return limit;
}

int
ledger_cursor_encode(char kind, const char *text, int64_t id, char *out,
		     size_t outlen)
{
	char plain[128];
	int n;

	n = snprintf(plain, sizeof(plain), "%c1|%s|%" PRId64, kind, text, id);
	if (n < 0 || (size_t)n >= sizeof(plain))
		return LEJR_EINTERNAL;

	if (ledger_b64url_encode((const unsigned char *)plain, (size_t)n, out,
				 outlen) == 0)
		return LEJR_EINTERNAL;
	return LEJR_OK;
}

int
ledger_cursor_decode(const char *cursor, char kind, char *text,
		     size_t textlen, int64_t *id, struct lejr_error *err)
{
	unsigned char plain[128];
	char *bar, *end;
	int n;
	long long v;

	n = ledger_b64url_decode(cursor, plain, sizeof(plain) - 1);
	if (n < 4)
		goto bad;
	plain[n] = '\0';

	if (strlen((char *)plain) != (size_t)n ||
	    plain[0] != (unsigned char)kind || plain[1] != '1' ||
	    plain[2] != '|')
		goto bad;

	bar = strrchr((char *)plain + 3, '|');
	if (bar == NULL || (size_t)(bar - (char *)plain - 3) >= textlen)
		goto bad;
	memcpy(text, plain + 3, (size_t)(bar - (char *)plain - 3));
	text[bar - (char *)plain - 3] = '\0';

	if (bar[1] < '0' || bar[1] > '9')
		goto bad;
	v = strtoll(bar + 1, &end, 10);
	if (*end != '\0' || v <= 0)
		goto bad;

	*id = (int64_t)v;
	return LEJR_OK;

bad:
	return ledger_cursor_invalid(err);
}

int
ledger_cursor_invalid(struct lejr_error *err)
{
	return lejr_error_set(err, LEJR_EINVAL,
			      "cursor is not valid: pass next_cursor from the "
			      "previous page unchanged");
}

int
ledger_org_exists(sqlite3 *db, int64_t org, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT 1 FROM orgs WHERE id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = LEJR_OK;
	else if (rc == SQLITE_DONE)
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "organization %" PRId64 " does not exist",
				    org);
	else
		rc = ledger_db_error(db, "looking up an organization", err);

	ledger_finalize(db, st);
	return rc;
}

void
ledger_sql_add(struct ledger_sql *q, const char *piece)
{
	size_t n;

	n = strlen(piece);
	if (q->overflow || q->len + n >= sizeof(q->text)) {
		q->overflow = 1;
		return;
	}
	memcpy(q->text + q->len, piece, n + 1);
	q->len += n;
}

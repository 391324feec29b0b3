/*
 * stmt.c - prepared statements kept per connection.
 *
 * Preparing a statement costs more than running it, above all an INSERT
 * into lines, which compiles its triggers and foreign keys each time.
 * So statements with static SQL text are prepared once per connection
 * and kept, keyed by the address of their text, until ledger_close().
 *
 * Only connections made by ledger_open() keep statements, since only
 * ledger_close() knows to finalize them; on any other connection each
 * statement is prepared for one use.  A connection is used by one
 * thread at a time; the mutex only guards the list of connections.
 */
#include <pthread.h>
#include <stdlib.h>

#include "ledger-private.h"

#define CACHE_SLOTS 96

struct cached_stmt {
	const char *sql; /* the key: static text, compared by address */
	sqlite3_stmt *st;
	int in_use;
};

struct stmt_cache {
	sqlite3 *db;
	size_t n;
	struct cached_stmt slot[CACHE_SLOTS];
	struct stmt_cache *next;
};

static struct stmt_cache *caches;
static pthread_mutex_t caches_lock = PTHREAD_MUTEX_INITIALIZER;

/* The cache of db, created when asked; NULL when there is none or no
 * memory for one.  Called with caches_lock held. */
static struct stmt_cache *
cache_of(sqlite3 *db, int create)
{
	struct stmt_cache *c;

	for (c = caches; c != NULL; c = c->next)
		if (c->db == db)
			return c;
	if (!create)
		return NULL;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->db = db;
	c->next = caches;
	caches = c;
	return c;
}

/* A free cached statement for sql, or the slot to fill, or NULL. */
static struct cached_stmt *
find_slot(struct stmt_cache *c, const char *sql)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->slot[i].sql == sql)
			return c->slot[i].in_use ? NULL : &c->slot[i];
	if (c->n == CACHE_SLOTS)
		return NULL;
	return &c->slot[c->n];
}

int
ledger_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
	       struct lejr_error *err)
{
	struct stmt_cache *c;
	struct cached_stmt *s;
	int rc = LEJR_OK;

	pthread_mutex_lock(&caches_lock);
	c = cache_of(db, 0);
	s = c != NULL ? find_slot(c, sql) : NULL;

	/* In use already (a caller up the stack holds it) or no room:
	 * an ordinary statement, finalized by ledger_finalize. */
	if (s == NULL) {
		pthread_mutex_unlock(&caches_lock);
		return ledger_prepare_once(db, sql, st, err);
	}

	if (s->st == NULL) {
		rc = ledger_prepare_once(db, sql, &s->st, err);
		if (rc == LEJR_OK) {
			s->sql = sql;
			c->n++;
		}
	}
	if (rc == LEJR_OK) {
		s->in_use = 1;
		*st = s->st;
	}

	pthread_mutex_unlock(&caches_lock);
	return rc;
}

int
ledger_prepare_once(sqlite3 *db, const char *sql, sqlite3_stmt **st,
		    struct lejr_error *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return ledger_db_error(db, "preparing a statement", err);
	}
	return LEJR_OK;
}

void
ledger_finalize(sqlite3 *db, sqlite3_stmt *st)
{
	struct stmt_cache *c;
	size_t i;

	if (st == NULL)
		return;

	pthread_mutex_lock(&caches_lock);
	c = cache_of(db, 0);
	for (i = 0; c != NULL && i < c->n; i++) {
		if (c->slot[i].st == st && c->slot[i].in_use) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			c->slot[i].in_use = 0;
			pthread_mutex_unlock(&caches_lock);
			return;
		}
	}
	pthread_mutex_unlock(&caches_lock);

	sqlite3_finalize(st);
}

void
ledger_stmt_cache_init(sqlite3 *db)
{
	pthread_mutex_lock(&caches_lock);
	cache_of(db, 1);
	pthread_mutex_unlock(&caches_lock);
}

void
ledger_stmt_cache_drop(sqlite3 *db)
{
	struct stmt_cache **p, *c = NULL;
	size_t i;

	pthread_mutex_lock(&caches_lock);
	for (p = &caches; *p != NULL; p = &(*p)->next) {
		if ((*p)->db == db) {
			c = *p;
			*p = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&caches_lock);

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		sqlite3_finalize(c->slot[i].st);
	free(c);
}

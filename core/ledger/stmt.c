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
 * thread at a time, so its slots need no lock; the mutex only guards
 * the list of connections.  Each thread remembers the last connection
 * it looked up, so that the list (and the mutex, which every worker
 * would otherwise take several times per call) is passed only when a
 * thread changes connections or one was closed since.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "ledger-private.h"

/* Above the number of distinct static statements in core/ledger (about
 * 90 with the reports), so that none falls back to preparing per use. */
#define CACHE_SLOTS 192

struct cached_stmt {
	const char *sql; /* the key: static text, compared by address */
	sqlite3_stmt *st;
	int in_use;
};

/* Values kept with a connection (ledger_db_value), freed with it. */
#define VALUE_SLOTS 4

struct conn_value {
	const void *key;
	void *value;
	void (*free_fn)(void *value);
};

struct stmt_cache {
	sqlite3 *db;
	size_t n;
	struct cached_stmt slot[CACHE_SLOTS];
	struct conn_value value[VALUE_SLOTS];
	struct stmt_cache *next;
};

static struct stmt_cache *caches;
static pthread_mutex_t caches_lock = PTHREAD_MUTEX_INITIALIZER;

/* Bumped whenever a cache is dropped: a remembered lookup made before
 * may point at freed memory, or at a new connection at the same
 * address. */
static atomic_uint caches_generation;

static _Thread_local struct {
	sqlite3 *db;
	struct stmt_cache *cache;
	unsigned generation;
} last;

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

/* The cache of db for the calling thread, or NULL: the remembered one,
 * or one looked up under the lock. */
static struct stmt_cache *
cache_lookup(sqlite3 *db)
{
	unsigned generation = atomic_load(&caches_generation);
	struct stmt_cache *c;

	if (last.db == db && last.generation == generation &&
	    last.cache != NULL)
		return last.cache;

	pthread_mutex_lock(&caches_lock);
	c = cache_of(db, 0);
	pthread_mutex_unlock(&caches_lock);
	last.db = db;
	last.cache = c;
	last.generation = generation;
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

	c = cache_lookup(db);
	s = c != NULL ? find_slot(c, sql) : NULL;

	/* In use already (a caller up the stack holds it) or no room:
	 * an ordinary statement, finalized by ledger_finalize. */
	if (s == NULL)
		return ledger_prepare_once(db, sql, st, err);

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

	c = cache_lookup(db);
	for (i = 0; c != NULL && i < c->n; i++) {
		if (c->slot[i].st == st && c->slot[i].in_use) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			c->slot[i].in_use = 0;
			return;
		}
	}

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
	atomic_fetch_add(&caches_generation, 1);
	pthread_mutex_unlock(&caches_lock);

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		sqlite3_finalize(c->slot[i].st);
	for (i = 0; i < VALUE_SLOTS; i++)
		if (c->value[i].key != NULL && c->value[i].free_fn != NULL)
			c->value[i].free_fn(c->value[i].value);
	free(c);
}

/* The slot of key in db's cache: its own, or a free one when create. */
static struct conn_value *
value_slot(sqlite3 *db, const void *key, int create)
{
	struct stmt_cache *c = cache_lookup(db);
	size_t i;

	if (c == NULL)
		return NULL;
	for (i = 0; i < VALUE_SLOTS; i++)
		if (c->value[i].key == key)
			return &c->value[i];
	for (i = 0; create && i < VALUE_SLOTS; i++)
		if (c->value[i].key == NULL)
			return &c->value[i];
	return NULL;
}

void *
ledger_db_value(sqlite3 *db, const void *key)
{
	struct conn_value *v = value_slot(db, key, 0);

	return v != NULL ? v->value : NULL;
}

int
ledger_db_keep(sqlite3 *db, const void *key, void *value,
	       void (*free_fn)(void *value))
{
	struct conn_value *v = value_slot(db, key, 1);

	if (v == NULL)
		return -1;
	if (v->key != NULL && v->free_fn != NULL && v->value != value)
		v->free_fn(v->value);
	v->key = key;
	v->value = value;
	v->free_fn = free_fn;
	return 0;
}

/*
 * session.c - the session table (a hash on the id's random bits) and
 * pending server-to-client requests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "session.h"

#define TABLE_MIN 64

int
lejr_session_table_init(struct lejr_session_table *t)
{
	t->buckets = calloc(TABLE_MIN, sizeof(*t->buckets));
	if (t->buckets == NULL)
		return -1;
	t->nbuckets = TABLE_MIN;
	t->count = 0;
	return 0;
}

void
lejr_session_table_free(struct lejr_session_table *t)
{
	for (size_t i = 0; t->buckets != NULL && i < t->nbuckets; i++) {
		while (t->buckets[i] != NULL)
			lejr_session_remove(t, t->buckets[i]);
	}
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = 0;
}

/* The hash of an id: its first 64 bits, which are random already.
 * Returns -1 for text that is not an id of ours. */
static int
id_hash(const char *id, uint64_t *hash)
{
	uint64_t h = 0;
	size_t i;

	for (i = 0; i < LEJR_SESSION_ID_LEN; i++) {
		char c = id[i];
		unsigned v;

		if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = (unsigned)(c - 'a' + 10);
		else
			return -1;
		if (i < 16)
			h = (h << 4) | v;
	}
	if (id[i] != '\0')
		return -1;
	*hash = h;
	return 0;
}

/* Double the bucket array once the table is twice as full. */
static void
table_grow(struct lejr_session_table *t)
{
	size_t n = t->nbuckets * 2;
	struct lejr_session **b;

	b = calloc(n, sizeof(*b));
	if (b == NULL)
		return; /* keep working with longer chains */

	for (size_t i = 0; i < t->nbuckets; i++) {
		struct lejr_session *s = t->buckets[i], *next;

		for (; s != NULL; s = next) {
			next = s->hnext;
			s->hnext = b[s->hash & (n - 1)];
			b[s->hash & (n - 1)] = s;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

/* Fill id with fresh random hex; returns its hash, or -1. */
static int
new_id(char id[LEJR_SESSION_ID_LEN + 1], uint64_t *hash)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[LEJR_SESSION_ID_LEN / 2];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	for (size_t i = 0; i < sizeof(raw); i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 15];
	}
	id[LEJR_SESSION_ID_LEN] = '\0';
	return id_hash(id, hash);
}

struct lejr_session *
lejr_session_create(struct lejr_session_table *t, int64_t user,
		    int version, json_t *caps, json_t *info)
{
	struct lejr_session *s;
	size_t b;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;

	if (new_id(s->id, &s->hash) < 0 ||
	    pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}

	s->user_id = user;
	s->version = version;
	s->client_caps = json_is_object(caps) ? json_incref(caps)
					      : json_object();
	s->client_info = json_incref(info);
	s->log_level = 1; /* info */
	s->last_used = time(NULL);
	s->next_stream = 1;
	s->next_request = 1;
	atomic_init(&s->refs, 1);

	if (t->count >= 2 * t->nbuckets)
		table_grow(t);
	b = s->hash & (t->nbuckets - 1);
	s->hnext = t->buckets[b];
	t->buckets[b] = s;
	t->count++;
	return s;
}

struct lejr_session *
lejr_session_find(struct lejr_session_table *t, const char *id)
{
	struct lejr_session *s;
	uint64_t h;

	if (id == NULL || id_hash(id, &h) < 0)
		return NULL;

	for (s = t->buckets[h & (t->nbuckets - 1)]; s != NULL; s = s->hnext)
		if (s->hash == h && memcmp(s->id, id, LEJR_SESSION_ID_LEN) == 0)
			return s;
	return NULL;
}

void
lejr_session_remove(struct lejr_session_table *t, struct lejr_session *s)
{
	struct lejr_session **pp;

	pp = &t->buckets[s->hash & (t->nbuckets - 1)];
	while (*pp != NULL && *pp != s)
		pp = &(*pp)->hnext;
	if (*pp == NULL)
		return;
	*pp = s->hnext;
	s->hnext = NULL;
	t->count--;

	pthread_mutex_lock(&s->lock);
	s->closed = 1;
	pthread_mutex_unlock(&s->lock);
	lejr_session_pending_cancel(s, NULL);
	lejr_session_unref(s);
}

void
lejr_session_ref(struct lejr_session *s)
{
	atomic_fetch_add(&s->refs, 1);
}

void
lejr_session_unref(struct lejr_session *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;

	json_decref(s->client_caps);
	json_decref(s->client_info);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int
lejr_session_pending_add(struct lejr_session *s, struct lejr_pending *p,
			 const void *owner)
{
	pthread_condattr_t attr;
	int rc = -1;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &attr);
	pthread_condattr_destroy(&attr);

	p->owner = owner;
	p->state = LEJR_PENDING_WAITING;
	p->result = NULL;

	pthread_mutex_lock(&s->lock);
	if (!s->closed) {
		p->id = s->next_request++;
		p->next = s->pending;
		s->pending = p;
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);

	if (rc < 0)
		pthread_cond_destroy(&p->cond);
	return rc;
}

enum lejr_pending_state
lejr_session_pending_wait(struct lejr_session *s, struct lejr_pending *p,
			  int timeout, atomic_int *cancelled)
{
	struct lejr_pending **pp;
	struct timespec until;
	enum lejr_pending_state state;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout;

	pthread_mutex_lock(&s->lock);
	while (p->state == LEJR_PENDING_WAITING) {
		if (cancelled != NULL && atomic_load(cancelled)) {
			p->state = LEJR_PENDING_CANCELED;
			break;
		}
		if (pthread_cond_timedwait(&p->cond, &s->lock, &until) ==
		    ETIMEDOUT)
			break;
	}

	for (pp = &s->pending; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	state = p->state;
	pthread_mutex_unlock(&s->lock);

	pthread_cond_destroy(&p->cond);
	return state;
}

int
lejr_session_pending_answer(struct lejr_session *s, long long id,
			    json_t *result, int is_error)
{
	struct lejr_pending *p;
	int rc = -1;

	pthread_mutex_lock(&s->lock);
	for (p = s->pending; p != NULL; p = p->next) {
		if (p->id != id || p->state != LEJR_PENDING_WAITING)
			continue;
		p->result = json_deep_copy(result);
		p->state = is_error ? LEJR_PENDING_FAILED
				    : LEJR_PENDING_ANSWERED;
		pthread_cond_signal(&p->cond);
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void
lejr_session_pending_cancel(struct lejr_session *s, const void *owner)
{
	struct lejr_pending *p;

	pthread_mutex_lock(&s->lock);
	for (p = s->pending; p != NULL; p = p->next) {
		if (owner != NULL && p->owner != owner)
			continue;
		if (p->state == LEJR_PENDING_WAITING) {
			p->state = LEJR_PENDING_CANCELED;
			pthread_cond_signal(&p->cond);
		}
	}
	pthread_mutex_unlock(&s->lock);
}

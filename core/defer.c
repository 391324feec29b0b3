/*
 * defer.c - blocking work for HTTP requests on threads of its own, the
 * answer back on the loop (see defer.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>

#include "defer.h"
#include "http-internal.h"
#include "log.h"
#include "runtime-internal.h"

/* One request's deferred work. */
struct defer_item {
	struct defer_item *next;
	struct evhttp_request *req; /* loop only */
	lejr_defer_work work;
	lejr_defer_done done;
	void *arg;
	int ran;
};

struct lejr_defer {
	struct lejr_server *srv;
	pthread_t *threads;
	int nthreads;

	/* The queue to the threads. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct defer_item *head, *tail;
	size_t nqueued;
	int stop;

	/* The mailbox back to the loop. */
	pthread_mutex_t mb_lock;
	struct defer_item *mb_head, *mb_tail;
	struct event *mb_ev;
};

/* ---- the loop side ---- */

/* Answer one item on the loop and forget it. */
static void
item_finish(struct lejr_server *srv, struct defer_item *it)
{
	it->done(srv, it->req, it->arg, it->ran);
	free(it);
	srv->njobs--;
}

static void
mailbox_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lejr_defer *d = arg;
	struct defer_item *it, *next;

	pthread_mutex_lock(&d->mb_lock);
	it = d->mb_head;
	d->mb_head = d->mb_tail = NULL;
	pthread_mutex_unlock(&d->mb_lock);

	for (; it != NULL; it = next) {
		next = it->next;
		item_finish(d->srv, it);
	}
}

int
lejr_http_defer(struct lejr_server *srv, struct evhttp_request *req,
		lejr_defer_work work, lejr_defer_done done, void *arg)
{
	struct lejr_defer *d = srv->defer;
	struct defer_item *it;
	int queued = 0;

	if (d == NULL || srv->stopping)
		return -1;
	it = calloc(1, sizeof(*it));
	if (it == NULL)
		return -1;
	it->req = req;
	it->work = work;
	it->done = done;
	it->arg = arg;

	pthread_mutex_lock(&d->lock);
	if (!d->stop && d->nqueued < LEJR_DEFER_QUEUE_MAX) {
		if (d->tail != NULL)
			d->tail->next = it;
		else
			d->head = it;
		d->tail = it;
		d->nqueued++;
		pthread_cond_signal(&d->cond);
		queued = 1;
	}
	pthread_mutex_unlock(&d->lock);

	if (!queued) {
		lejr_log(LEJR_LOG_WARN, "deferred work queue full: refusing "
			 "a request");
		free(it);
		return -1;
	}
	srv->njobs++;
	return 0;
}

/* ---- the threads ---- */

/* Hand a finished item to the loop (any thread). */
static void
mailbox_post(struct lejr_defer *d, struct defer_item *it)
{
	it->next = NULL;
	pthread_mutex_lock(&d->mb_lock);
	if (d->mb_tail != NULL)
		d->mb_tail->next = it;
	else
		d->mb_head = it;
	d->mb_tail = it;
	pthread_mutex_unlock(&d->mb_lock);
	event_active(d->mb_ev, EV_READ, 0);
}

/* Take the next item, waiting for one; NULL when told to stop. */
static struct defer_item *
queue_take(struct lejr_defer *d)
{
	struct defer_item *it;

	pthread_mutex_lock(&d->lock);
	while (d->head == NULL && !d->stop)
		pthread_cond_wait(&d->cond, &d->lock);
	it = d->stop ? NULL : d->head;
	if (it != NULL) {
		d->head = it->next;
		if (d->head == NULL)
			d->tail = NULL;
		d->nqueued--;
	}
	pthread_mutex_unlock(&d->lock);
	return it;
}

static void *
thread_main(void *arg)
{
	struct lejr_defer *d = arg;
	struct lejr_runtime *rt = d->srv->rt;
	struct lejr_error err = { 0 };
	struct defer_item *it;
	sqlite3 *db;

	while ((it = queue_take(d)) != NULL) {
		db = lejr_runtime_db(rt, &err);
		if (db == NULL)
			lejr_log(LEJR_LOG_ERROR, "database: %s", err.msg);
		it->work(it->arg, db);
		it->ran = 1;
		mailbox_post(d, it);
	}
	lejr_runtime_thread_done(rt);
	return NULL;
}

/* ---- start and stop ---- */

static void
defer_free(struct lejr_defer *d)
{
	if (d->mb_ev != NULL)
		event_free(d->mb_ev);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->mb_lock);
	free(d->threads);
	free(d);
}

int
lejr_defer_start(struct lejr_server *srv)
{
	struct lejr_defer *d;
	int n = srv->cfg->workers;

	n = n < 1 ? 1 : n > LEJR_DEFER_THREADS ? LEJR_DEFER_THREADS : n;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -1;
	d->srv = srv;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	pthread_mutex_init(&d->mb_lock, NULL);
	srv->defer = d;

	d->threads = calloc((size_t)n, sizeof(*d->threads));
	d->mb_ev = event_new(srv->base, -1, 0, mailbox_cb, d);
	if (d->threads == NULL || d->mb_ev == NULL)
		return -1;

	for (; d->nthreads < n; d->nthreads++) {
		if (pthread_create(&d->threads[d->nthreads], NULL,
				   thread_main, d) != 0) {
			lejr_log(LEJR_LOG_ERROR, "cannot start deferral "
				 "thread %d", d->nthreads);
			return -1;
		}
	}
	return 0;
}

void
lejr_defer_stop(struct lejr_server *srv)
{
	struct lejr_defer *d = srv->defer;
	struct defer_item *it, *next;

	if (d == NULL)
		return;

	pthread_mutex_lock(&d->lock);
	d->stop = 1;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	for (int i = 0; i < d->nthreads; i++)
		pthread_join(d->threads[i], NULL);

	/* What ran is answered, then what never did. */
	mailbox_cb(-1, 0, d);
	for (it = d->head; it != NULL; it = next) {
		next = it->next;
		item_finish(srv, it);
	}
	d->head = d->tail = NULL;

	srv->defer = NULL;
	defer_free(d);
}

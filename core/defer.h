/*
 * defer.h - run an HTTP request's blocking work (database queries,
 * password hashing) on a worker thread, then answer the request on the
 * event-loop thread.
 *
 * Written for the web pages (web.c); meant for every route whose work
 * must not block the loop: the OAuth endpoints should use it too rather
 * than add a second facility.  Its threads are its own, apart from the
 * tool-call workers of rpc.c, so that a burst of sign-ins (argon2id)
 * never holds up tool calls and the reverse.  It follows rpc.c's
 * pattern: a queue under a mutex to the threads, and a mailbox event
 * made active from a thread to bring the result back to the loop.
 *
 * http.c starts it after the tool-call workers and stops it after them;
 * deferred work counts in srv->njobs, so a shutdown waits for it.
 */
#ifndef LEJR_DEFER_H
#define LEJR_DEFER_H

#include <sqlite3.h>

struct lejr_server;
struct evhttp_request;

#define LEJR_DEFER_THREADS 4     /* most threads, fewer with few workers */
#define LEJR_DEFER_QUEUE_MAX 1024 /* requests waiting for a thread */

/*
 * The work, on a deferral thread: arg is the caller's; db is that
 * thread's own database connection (lejr_runtime_db), or NULL when it
 * could not be opened (logged): the work should then record a failure
 * for done to answer.  It must not touch the request.
 */
typedef void (*lejr_defer_work)(void *arg, sqlite3 *db);

/*
 * The answer, on the loop thread: it must answer req exactly once and
 * free arg.  During shutdown it may be called with work not run (req
 * still to be answered: a 503 is right); it is never skipped.
 */
typedef void (*lejr_defer_done)(struct lejr_server *srv,
				struct evhttp_request *req, void *arg,
				int ran);

/*
 * On the loop thread: queue work(arg, db) for a thread, then call
 * done(srv, req, arg, 1) on the loop.  Returns 0, or -1 when the queue
 * is full or the server is stopping: then nothing ran or will run, and
 * the caller still owns arg and must answer req (503).
 */
int lejr_http_defer(struct lejr_server *srv, struct evhttp_request *req,
		    lejr_defer_work work, lejr_defer_done done, void *arg);

/* Start the threads (loop thread, after the base exists).  Returns 0,
 * or -1 (logged). */
int lejr_defer_start(struct lejr_server *srv);

/* Stop and join the threads, then call done (ran 0 for work never run)
 * for everything left, on the calling (loop) thread.  Safe after a
 * failed or no start. */
void lejr_defer_stop(struct lejr_server *srv);

#endif /* LEJR_DEFER_H */

/*
 * http-internal.h - what http.c (server, routing, checks, GET and
 * DELETE) and rpc.c (POST: JSON-RPC, jobs, workers) share.
 *
 * Threads: the event-loop thread owns every evhttp object, the session
 * table and the streams.  Worker threads run lejr_runtime_dispatch()
 * and talk back to the loop only through the mailbox: messages queued
 * under a mutex, and an event made active from the worker.
 */
#ifndef LEJR_HTTP_INTERNAL_H
#define LEJR_HTTP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include <event2/event.h>
#include <event2/http.h>

#include "config.h"
#include "http-policy.h"
#include "mcp-internal.h"
#include "runtime.h"
#include "session.h"
#include "sse.h"

#define LEJR_HTTP_MAX_HEADERS 16384   /* bytes of request headers */
#define LEJR_HTTP_TIMEOUT 60          /* seconds to read a request */
#define LEJR_HTTP_TICK 10             /* seconds between sweeps */
#define LEJR_HTTP_STREAM_KEEP 300     /* seconds a detached stream waits */
#define LEJR_HTTP_CLIENT_WAIT 600     /* seconds for a client's answer */
#define LEJR_HTTP_STOP_WAIT 5         /* seconds for calls at shutdown */
#define LEJR_HTTP_QUEUE_MAX 4096      /* jobs waiting for a worker */
#define LEJR_HTTP_MAX_SESSIONS 100000 /* sessions alive at once */

enum lejr_msg_kind {
	LEJR_MSG_EVENT, /* a notification or request for the stream */
	LEJR_MSG_CLOSE, /* close the stream, the call goes on */
	LEJR_MSG_DONE   /* the response: last message of a job */
};

/* A message from a worker to the loop. */
struct lejr_msg {
	struct lejr_msg *next;
	enum lejr_msg_kind kind;
	struct lejr_job *job;
	char *text; /* JSON text, malloc'd */
	size_t len;
};

/*
 * The workers come in three lanes, each with its own queue and threads.
 * Calls of write tools go to the write lane, whose threads mostly wait
 * for the writer to commit; calls of tools known to keep a CPU busy for
 * long (long reports) go to the long lane, whose threads run at a lower
 * priority; everything else goes to the short lane.  No lane takes
 * another's work, so neither writes waiting for the disk nor a burst of
 * long reports hold the threads that answer short reads.
 *
 * A lane starts a call only while fewer than limit run, however many
 * threads it has: the short lane as many as there are CPUs, so that a
 * few threads kept busy take call after call without sleeping, while
 * the others stand by for the calls that wait for the client (an
 * elicitation), which do not count while they wait.  A call that
 * stops waiting runs on at once, so running may pass limit for a while.
 */
enum lejr_lane_kind {
	LEJR_LANE_SHORT,
	LEJR_LANE_LONG,
	LEJR_LANE_WRITE,
	LEJR_LANES
};

#define LEJR_LONG_LANE_NICE 10 /* added to the long lane's niceness */

struct lejr_lane {
	struct lejr_server *srv;
	enum lejr_lane_kind kind;
	pthread_cond_t cond;          /* its threads wait for work */
	struct lejr_job *head, *tail;
	int running;                  /* calls running, not waiting */
	int limit;                    /* most calls running at once */
};

/* One application request, from its POST to its answer. */
struct lejr_job {
	struct lejr_server *srv;
	struct lejr_session *session; /* a reference */
	struct lejr_job *snext;       /* in session->jobs (loop) */
	struct lejr_job *wnext;       /* in its lane's queue */
	struct lejr_lane *lane;       /* the lane that runs it */

	/* Loop only: where the answer goes.  req until the response
	 * becomes a stream, then stream. */
	struct evhttp_request *req;
	struct lejr_stream *stream;

	struct lejr_rpc rpc;          /* the request, owned */
	struct ledger_principal principal;
	struct lejr_exchange ex;
	int accept;                   /* enum lejr_accept bits */
	int resumable;                /* the session's revision resumes */
	atomic_int cancelled;
	struct lejr_msg done;         /* the final message, preallocated */
};

struct lejr_server {
	const struct lejr_config *cfg;
	struct lejr_runtime *rt;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	struct lejr_host_policy policy;
	char resource[512];  /* public_url/api/mcp */
	char prm_url[512];   /* its protected-resource metadata */
	char *prm_doc;       /* that document's JSON text */
	size_t prm_len;

	struct lejr_session_table sessions;
	struct event *tick_ev, *mailbox_ev, *stop_ev;
	struct event *sig_ev[2];
	int stopping;
	time_t stop_started;
	size_t njobs; /* jobs alive (loop), deferred work too */
	struct lejr_defer *defer; /* defer.c: threads for blocking work */
	struct lejr_oauth *oauth; /* oauth.c: metadata, registration counts */
	void *tls; /* tls.c: the SSL_CTX when lejrd serves https */

	/* Workers, their lanes and queues, all under work_lock. */
	pthread_t *threads;
	int nthreads;
	pthread_mutex_t work_lock;
	struct lejr_lane lanes[LEJR_LANES];
	size_t nqueued;
	int work_stop;

	/* The mailbox from the workers. */
	pthread_mutex_t mb_lock;
	struct lejr_msg *mb_head, *mb_tail;
};

/* ---- http.c ---- */

/* Send a JSON body (text, malloc'd, taken) with status. */
void lejr_http_reply_json(struct evhttp_request *req, int status,
			  char *text, size_t len);

/* Send a JSON-RPC error answer to id (borrowed, may be NULL). */
void lejr_http_reply_rpc_error(struct evhttp_request *req, int status,
			       json_t *id, int code, const char *message);

/* Send 202 Accepted with an empty body. */
void lejr_http_reply_accepted(struct evhttp_request *req);

/* End session s: cancel its calls, close its streams, forget it. */
void lejr_http_session_end(struct lejr_server *srv, struct lejr_session *s);

/*
 * Look up the session a request names for principal.  On failure the
 * request has been answered (400 without an id, 404 unknown or
 * another user's, 400 for a bad MCP-Protocol-Version) and NULL is
 * returned.
 */
struct lejr_session *lejr_http_session_for(struct lejr_server *srv,
					   struct evhttp_request *req,
					   const struct ledger_principal *p);

/* ---- rpc.c ---- */

/* Handle POST /api/mcp for principal (taken). */
void lejr_rpc_post(struct lejr_server *srv, struct evhttp_request *req,
		   struct ledger_principal *principal);

/* Start and stop the worker threads.  Start returns 0 or -1. */
int lejr_workers_start(struct lejr_server *srv);
void lejr_workers_stop(struct lejr_server *srv);

/* The mailbox event's callback: deliver what the workers sent. */
void lejr_mailbox_cb(evutil_socket_t fd, short what, void *arg);

/* Mark a job cancelled and wake it if it waits for the client. */
void lejr_job_cancel(struct lejr_job *job);


#endif /* LEJR_HTTP_INTERNAL_H */

/*
 * rpc.c - POST /api/mcp: one JSON-RPC message, answered by the
 * transport itself (initialize, ping, logging/setLevel, notifications,
 * client responses) or by a job that a worker thread runs through
 * lejr_runtime_dispatch().
 *
 * A job answers with plain JSON unless, while it runs, it sends a
 * notification or a request to a client that accepts text/event-stream:
 * then its response turns into an SSE stream at that moment, and the
 * JSON-RPC response is the stream's last event.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http-internal.h"
#include "log.h"
#include "oauth-policy.h"
#include "runtime-internal.h"

/* ---- answers ---- */

/* Answer text (taken) to req: JSON, or a one-event SSE stream for a
 * client that accepts only SSE. */
static void
reply_text(struct evhttp_request *req, int accept, char *text, size_t len,
	   const char *session_id)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	if (text == NULL) {
		lejr_http_reply_rpc_error(req, 500, NULL,
					  LEJR_RPC_INTERNAL_ERROR,
					  "Internal error: out of memory");
		return;
	}
	if (session_id != NULL)
		evhttp_add_header(h, "Mcp-Session-Id", session_id);

	if (accept & LEJR_ACCEPT_JSON) {
		lejr_http_reply_json(req, 200, text, len);
		return;
	}

	evhttp_add_header(h, "Content-Type", "text/event-stream");
	evhttp_add_header(h, "Cache-Control", "no-cache, no-transform");
	evbuffer_add(out, "data: ", 6);
	evbuffer_add(out, text, len);
	evbuffer_add(out, "\n\n", 2);
	free(text);
	evhttp_send_reply(req, 200, "OK", NULL);
}

/* Answer result (stolen) to the request id. */
static void
reply_result(struct evhttp_request *req, int accept, json_t *id,
	     json_t *result, const char *session_id)
{
	size_t len = 0;
	char *text;

	text = lejr_rpc_result_text(id, result, &len);
	reply_text(req, accept, text, len, session_id);
}

/* ---- jobs: the loop side ---- */

/* Is the session ended (read on the loop)? */
static int
session_gone(struct lejr_session *s)
{
	int closed;

	pthread_mutex_lock(&s->lock);
	closed = s->closed;
	pthread_mutex_unlock(&s->lock);
	return closed;
}

static void
job_free(struct lejr_job *job)
{
	struct lejr_job **pp;

	for (pp = &job->session->jobs; *pp != NULL; pp = &(*pp)->snext) {
		if (*pp == job) {
			*pp = job->snext;
			break;
		}
	}
	if (job->req != NULL)
		lejr_http_reply_rpc_error(job->req, 503, job->rpc.id,
					  LEJR_RPC_SERVER_ERROR,
					  "the server is shutting down");
	lejr_stream_unref(job->stream);
	lejr_session_unref(job->session);
	ledger_principal_free(&job->principal);
	lejr_rpc_clear(&job->rpc);
	job->srv->njobs--;
	free(job);
}

/* Turn the job's response into an SSE stream, if the client takes one.
 * Returns 1 when the job has a stream. */
static int
job_stream(struct lejr_job *job)
{
	struct lejr_stream *st;

	if (job->stream != NULL)
		return 1;
	if (!(job->accept & LEJR_ACCEPT_SSE) || job->req == NULL ||
	    session_gone(job->session))
		return 0;

	st = lejr_stream_new(job->session, job->resumable);
	if (st == NULL)
		return 0;
	lejr_stream_open(st, job->req, NULL, job->resumable);
	job->req = NULL;
	job->stream = st;
	return 1;
}

/* A worker's notification or request for the client. */
static void
deliver_event(struct lejr_job *job, const char *text, size_t len)
{
	if (job_stream(job))
		lejr_stream_send(job->stream, text, len);
}

/* The job asks to close its stream (SEP-1699 polling). */
static void
deliver_close(struct lejr_job *job)
{
	if (!job->resumable || !job_stream(job))
		return;
	lejr_stream_detach(job->stream);
}

static void reply_insufficient_scope(struct lejr_server *srv,
				     struct evhttp_request *req,
				     struct lejr_rpc *rpc);

/* The job's response: the last message, then the job ends.  A write
 * refused for the connection's read-only scope (the guard logged it)
 * is answered 403 insufficient_scope, which asks the client to connect
 * again with more. */
static void
deliver_done(struct lejr_job *job, char *text, size_t len)
{
	if (job->ex.scope_short && job->stream == NULL &&
	    job->req != NULL) {
		reply_insufficient_scope(job->srv, job->req, &job->rpc);
		job->req = NULL;
		free(text);
	} else if (job->stream != NULL) {
		lejr_stream_send(job->stream, text, len);
		lejr_stream_finish(job->stream);
		free(text);
	} else if (job->req != NULL) {
		reply_text(job->req, job->accept, text, len, NULL);
		job->req = NULL;
	} else {
		free(text);
	}
	job_free(job);
}

void
lejr_mailbox_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lejr_server *srv = arg;
	struct lejr_msg *m, *next;

	pthread_mutex_lock(&srv->mb_lock);
	m = srv->mb_head;
	srv->mb_head = srv->mb_tail = NULL;
	pthread_mutex_unlock(&srv->mb_lock);

	for (; m != NULL; m = next) {
		next = m->next;
		switch (m->kind) {
		case LEJR_MSG_EVENT:
			deliver_event(m->job, m->text, m->len);
			free(m->text);
			free(m);
			break;
		case LEJR_MSG_CLOSE:
			deliver_close(m->job);
			free(m);
			break;
		case LEJR_MSG_DONE:
			/* m is inside the job, which ends here. */
			deliver_done(m->job, m->text, m->len);
			break;
		}
	}
}

void
lejr_job_cancel(struct lejr_job *job)
{
	atomic_store(&job->cancelled, 1);
	lejr_session_pending_cancel(job->session, job);
}

/* ---- jobs: the worker side ---- */

/* Queue m for the loop (any thread). */
static void
mailbox_post(struct lejr_server *srv, struct lejr_msg *m)
{
	m->next = NULL;
	pthread_mutex_lock(&srv->mb_lock);
	if (srv->mb_tail != NULL)
		srv->mb_tail->next = m;
	else
		srv->mb_head = m;
	srv->mb_tail = m;
	pthread_mutex_unlock(&srv->mb_lock);
	event_active(srv->mailbox_ev, EV_READ, 0);
}

/* Queue a message of kind with text (taken, may be NULL). */
static void
job_post(struct lejr_job *job, enum lejr_msg_kind kind, char *text,
	 size_t len)
{
	struct lejr_msg *m;

	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		free(text);
		return;
	}
	m->kind = kind;
	m->job = job;
	m->text = text;
	m->len = len;
	mailbox_post(job->srv, m);
}

/* The job's call waits for the client (away 1) or runs again (0):
 * while it waits, another thread of its lane may run a call. */
static void
lane_away(struct lejr_job *job, int away)
{
	struct lejr_server *srv = job->srv;
	struct lejr_lane *lane = job->lane;

	pthread_mutex_lock(&srv->work_lock);
	lane->running += away ? -1 : 1;
	if (away && lane->head != NULL)
		pthread_cond_signal(&lane->cond);
	pthread_mutex_unlock(&srv->work_lock);
}

static void
ex_notify(void *ctx, json_t *notification)
{
	struct lejr_job *job = ctx;
	char *text;

	if (!(job->accept & LEJR_ACCEPT_SSE) || notification == NULL) {
		json_decref(notification);
		return;
	}
	text = json_dumps(notification, JSON_COMPACT);
	json_decref(notification);
	if (text != NULL)
		job_post(job, LEJR_MSG_EVENT, text, strlen(text));
}

static int
ex_request(void *ctx, const char *method, json_t *params, json_t **result)
{
	struct lejr_job *job = ctx;
	struct lejr_pending p;
	enum lejr_pending_state state;
	size_t len = 0;
	char *text;

	*result = NULL;
	if (!(job->accept & LEJR_ACCEPT_SSE))
		return LEJR_ENOTSUP;
	if (atomic_load(&job->cancelled) ||
	    lejr_session_pending_add(job->session, &p, job) < 0)
		return LEJR_ECANCELED;

	text = lejr_rpc_request_text(p.id, method, params, &len);
	if (text == NULL) {
		lejr_session_pending_wait(job->session, &p, 0, NULL);
		json_decref(p.result);
		return LEJR_EINTERNAL;
	}
	job_post(job, LEJR_MSG_EVENT, text, len);

	lane_away(job, 1);
	state = lejr_session_pending_wait(job->session, &p,
					  LEJR_HTTP_CLIENT_WAIT,
					  &job->cancelled);
	lane_away(job, 0);
	switch (state) {
	case LEJR_PENDING_ANSWERED:
		*result = p.result;
		return LEJR_OK;
	case LEJR_PENDING_FAILED:
		*result = p.result;
		return LEJR_EINVAL;
	default:
		json_decref(p.result);
		return LEJR_ECANCELED;
	}
}

static int
ex_cancelled(void *ctx)
{
	struct lejr_job *job = ctx;

	return atomic_load(&job->cancelled);
}

static void
ex_close_stream(void *ctx)
{
	struct lejr_job *job = ctx;

	if (job->resumable && (job->accept & LEJR_ACCEPT_SSE))
		job_post(job, LEJR_MSG_CLOSE, NULL, 0);
}

/* Run one job on a worker and post its response. */
static void
job_run(struct lejr_server *srv, struct lejr_job *job)
{
	json_t *id = job->rpc.id;
	char *message = NULL, *head;
	int code = LEJR_RPC_INTERNAL_ERROR;
	size_t len = 0;
	char *text = NULL;

	/* The runtime writes the whole response: the result goes in as
	 * text, never parsed or written twice. */
	head = lejr_rpc_result_head(id);
	if (atomic_load(&job->cancelled))
		code = LEJR_RPC_SERVER_ERROR;
	else if (head != NULL)
		text = lejr_runtime_dispatch_text(srv->rt, &job->principal,
						  job->rpc.method,
						  job->rpc.params, &job->ex,
						  &code, &message, head, "}",
						  &len);

	if (text == NULL && head == NULL && message == NULL &&
	    code != LEJR_RPC_SERVER_ERROR)
		message = strdup("Internal error: out of memory");
	if (text == NULL)
		text = lejr_rpc_error_text(id, code, message != NULL ?
					   message : "request cancelled",
					   job->ex.error_data, &len);
	if (text == NULL)
		text = lejr_rpc_error_text(id, LEJR_RPC_INTERNAL_ERROR,
					   "Internal error: the answer could "
					   "not be encoded", NULL, &len);
	free(head);
	free(message);
	json_decref(job->ex.error_data);
	job->ex.error_data = NULL;

	job->done.kind = LEJR_MSG_DONE;
	job->done.job = job;
	job->done.text = text;
	job->done.len = len;
	mailbox_post(srv, &job->done);
}

/* Take the next job of lane, waiting for one and for room under the
 * lane's limit; finished says the caller's last job is done.  NULL once
 * stopping. */
static struct lejr_job *
lane_take(struct lejr_server *srv, struct lejr_lane *lane, int finished)
{
	struct lejr_job *job;

	pthread_mutex_lock(&srv->work_lock);
	if (finished)
		lane->running--;
	while ((lane->head == NULL || lane->running >= lane->limit) &&
	       !srv->work_stop)
		pthread_cond_wait(&lane->cond, &srv->work_lock);
	/* Stopping, the calls still queued run before the threads end. */
	job = lane->head;
	if (job != NULL) {
		lane->head = job->wnext;
		if (lane->head == NULL)
			lane->tail = NULL;
		srv->nqueued--;
		lane->running++;
	}
	pthread_mutex_unlock(&srv->work_lock);
	return job;
}

/* Lower the calling thread's priority (Linux: niceness is per
 * thread).  Failing that, the lane still keeps its own threads. */
static void
lane_lower_priority(void)
{
	id_t tid = (id_t)syscall(SYS_gettid);
	int nice;

	errno = 0;
	nice = getpriority(PRIO_PROCESS, tid);
	if (errno != 0 || setpriority(PRIO_PROCESS, tid,
				      nice + LEJR_LONG_LANE_NICE) != 0)
		lejr_log(LEJR_LOG_WARN, "long calls run at the workers' "
			 "priority: %s", strerror(errno));
}

static void *
worker_main(void *arg)
{
	struct lejr_lane *lane = arg;
	struct lejr_job *job;

	if (lane->kind == LEJR_LANE_LONG)
		lane_lower_priority();
	for (job = lane_take(lane->srv, lane, 0); job != NULL;
	     job = lane_take(lane->srv, lane, 1))
		job_run(lane->srv, job);
	lejr_runtime_thread_done(lane->srv->rt);
	return NULL;
}

static int
lane_start(struct lejr_server *srv, enum lejr_lane_kind kind, int n)
{
	for (int i = 0; i < n; i++, srv->nthreads++) {
		if (pthread_create(&srv->threads[srv->nthreads], NULL,
				   worker_main, &srv->lanes[kind]) != 0) {
			lejr_log(LEJR_LOG_ERROR, "cannot start worker %d",
				 srv->nthreads);
			return -1;
		}
	}
	return 0;
}

/* The CPUs this process may run on (its affinity mask, which a
 * container's cpuset narrows), else those online; 1 to 256. */
static int
cpus_usable(void)
{
	cpu_set_t set;
	long n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 0)
		return 1;
	return n > 256 ? 256 : (int)n;
}

int
lejr_workers_start(struct lejr_server *srv)
{
	int n = srv->cfg->workers > 0 ? srv->cfg->workers : 1;
	int nlong = srv->cfg->long_workers > 0 ? srv->cfg->long_workers : 1;
	int nwrite = srv->cfg->write_workers > 0 ? srv->cfg->write_workers : 1;
	int ncpu = cpus_usable();

	srv->threads = calloc((size_t)(n + nlong + nwrite),
			      sizeof(*srv->threads));
	if (srv->threads == NULL)
		return -1;
	srv->nthreads = 0;
	srv->lanes[LEJR_LANE_SHORT].limit = n < ncpu ? n : ncpu;
	srv->lanes[LEJR_LANE_LONG].limit = nlong;
	srv->lanes[LEJR_LANE_WRITE].limit = nwrite;
	if (lane_start(srv, LEJR_LANE_SHORT, n) < 0 ||
	    lane_start(srv, LEJR_LANE_LONG, nlong) < 0 ||
	    lane_start(srv, LEJR_LANE_WRITE, nwrite) < 0)
		return -1;
	return 0;
}

void
lejr_workers_stop(struct lejr_server *srv)
{
	pthread_mutex_lock(&srv->work_lock);
	srv->work_stop = 1;
	for (int i = 0; i < LEJR_LANES; i++)
		pthread_cond_broadcast(&srv->lanes[i].cond);
	pthread_mutex_unlock(&srv->work_lock);

	for (int i = 0; i < srv->nthreads; i++)
		pthread_join(srv->threads[i], NULL);
	free(srv->threads);
	srv->threads = NULL;
	srv->nthreads = 0;
}

/* The lane of a call. */
static enum lejr_lane_kind
lane_of(struct lejr_server *srv, const struct lejr_rpc *rpc)
{
	if (lejr_runtime_call_is_write(srv->rt, rpc->method, rpc->params))
		return LEJR_LANE_WRITE;
	if (lejr_runtime_call_is_long(srv->rt, rpc->method, rpc->params))
		return LEJR_LANE_LONG;
	return LEJR_LANE_SHORT;
}

/* Queue job in the lane its call belongs to.  Returns 0, or -1 when
 * the queues are full. */
static int
job_queue(struct lejr_server *srv, struct lejr_job *job)
{
	struct lejr_lane *lane = &srv->lanes[lane_of(srv, &job->rpc)];
	int rc = -1;

	pthread_mutex_lock(&srv->work_lock);
	if (srv->nqueued < LEJR_HTTP_QUEUE_MAX) {
		job->wnext = NULL;
		if (lane->tail != NULL)
			lane->tail->wnext = job;
		else
			lane->head = job;
		lane->tail = job;
		srv->nqueued++;
		job->lane = lane;
		if (lane->running < lane->limit)
			pthread_cond_signal(&lane->cond);
		rc = 0;
	}
	pthread_mutex_unlock(&srv->work_lock);
	return rc;
}

/* Hand an application request to a worker; rpc and principal move into
 * the job (and are zeroed here). */
static void
job_start(struct lejr_server *srv, struct evhttp_request *req,
	  struct lejr_session *s, int accept, struct lejr_rpc *rpc,
	  struct ledger_principal *principal)
{
	struct lejr_job *job;
	json_t *meta;

	job = calloc(1, sizeof(*job));
	if (job == NULL) {
		lejr_http_reply_rpc_error(req, 500, rpc->id,
					  LEJR_RPC_INTERNAL_ERROR,
					  "Internal error: out of memory");
		return;
	}
	job->srv = srv;
	job->session = s;
	job->req = req;
	job->rpc = *rpc;
	job->principal = *principal;
	job->accept = accept;
	job->resumable = lejr_mcp_version_resumable(s->version);
	atomic_init(&job->cancelled, 0);

	meta = json_object_get(job->rpc.params, "_meta");
	job->ex.ctx = job;
	job->ex.progress_token = json_object_get(meta, "progressToken");
	job->ex.client_capabilities = s->client_caps;
	job->ex.log_level = lejr_mcp_log_level_name(s->log_level);
	job->ex.notify = ex_notify;
	job->ex.request = ex_request;
	job->ex.cancelled = ex_cancelled;
	job->ex.close_stream = ex_close_stream;

	if (job_queue(srv, job) < 0) {
		lejr_http_reply_rpc_error(req, 503, rpc->id,
					  LEJR_RPC_SERVER_ERROR,
					  "the server is busy; retry later");
		free(job);
		return;
	}

	/* The job owns them now. */
	memset(rpc, 0, sizeof(*rpc));
	memset(principal, 0, sizeof(*principal));
	lejr_session_ref(s);
	job->snext = s->jobs;
	s->jobs = job;
	srv->njobs++;
}

/* ---- scope ---- */

/* 403 insufficient_scope (RFC 6750 section 3.1), with the scope that
 * step-up authorization should ask for. */
static void
reply_insufficient_scope(struct lejr_server *srv, struct evhttp_request *req,
			 struct lejr_rpc *rpc)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char challenge[800];

	lejr_log(LEJR_LOG_NOTICE, "refused %.64s: the connection may only "
		 "read", json_string_value(json_object_get(rpc->params,
							   "name")));
	snprintf(challenge, sizeof(challenge), "Bearer error=\"insufficient_"
		 "scope\", scope=\"%s\", resource_metadata=\"%s\", "
		 "error_description=\"this connection may only read\"",
		 lejr_oauth_scope_text(LEJR_ACCESS_WRITE), srv->prm_url);
	evhttp_add_header(h, "WWW-Authenticate", challenge);
	lejr_http_reply_rpc_error(req, 403, rpc->id, LEJR_RPC_SERVER_ERROR,
				  "Forbidden: this connection was allowed to "
				  "read only; this tool writes. Connect again "
				  "and allow read and write (scope "
				  LEJR_OAUTH_SCOPE_WRITE ").");
}

/* ---- methods answered by the transport ---- */

static void
do_initialize(struct lejr_server *srv, struct evhttp_request *req,
	      int accept, struct lejr_rpc *rpc,
	      const struct ledger_principal *p)
{
	json_t *pv = json_object_get(rpc->params, "protocolVersion");
	json_t *info, *result;
	struct lejr_session *s;
	int version;

	if (!json_is_string(pv)) {
		lejr_http_reply_rpc_error(req, 200, rpc->id,
					  LEJR_RPC_INVALID_PARAMS,
					  "Invalid params: protocolVersion "
					  "must be a string");
		return;
	}
	if (srv->sessions.count >= LEJR_HTTP_MAX_SESSIONS) {
		lejr_log(LEJR_LOG_WARN, "%zu sessions open: refusing more",
			 srv->sessions.count);
		lejr_http_reply_rpc_error(req, 503, rpc->id,
					  LEJR_RPC_SERVER_ERROR,
					  "too many sessions; retry later");
		return;
	}
	version = lejr_mcp_negotiate(json_string_value(pv));
	info = json_object_get(rpc->params, "clientInfo");

	s = lejr_session_create(&srv->sessions, p->user_id, version,
				json_object_get(rpc->params, "capabilities"),
				json_is_object(info) ? info : NULL);
	if (s == NULL) {
		lejr_http_reply_rpc_error(req, 500, rpc->id,
					  LEJR_RPC_INTERNAL_ERROR,
					  "Internal error: no session");
		return;
	}

	lejr_log(LEJR_LOG_INFO, "session %.8s... for user %lld: %s, "
		 "revision %s", s->id, (long long)p->user_id,
		 json_is_string(json_object_get(info, "name")) ?
		 json_string_value(json_object_get(info, "name")) : "client",
		 lejr_mcp_versions[version]);

	result = lejr_mcp_initialize_result(version,
					    lejr_runtime_capabilities(srv->rt));
	reply_result(req, accept, rpc->id, result, s->id);
}

/* Act on a notification (also one sent with an id). */
static void
do_notification(struct lejr_session *s, struct lejr_rpc *rpc)
{
	json_t *rid;
	struct lejr_job *job;

	if (strcmp(rpc->method, "notifications/initialized") == 0) {
		s->initialized = 1;
		return;
	}
	if (strcmp(rpc->method, "notifications/cancelled") != 0)
		return; /* unknown notifications are ignored */

	rid = json_object_get(rpc->params, "requestId");
	if (rid == NULL)
		return;
	for (job = s->jobs; job != NULL; job = job->snext)
		if (json_equal(job->rpc.id, rid))
			lejr_job_cancel(job);
}

static void
do_set_level(struct evhttp_request *req, int accept,
	     struct lejr_session *s, struct lejr_rpc *rpc)
{
	json_t *level = json_object_get(rpc->params, "level");
	int i = lejr_mcp_log_level(json_string_value(level));

	if (i < 0) {
		lejr_http_reply_rpc_error(req, 200, rpc->id,
					  LEJR_RPC_INVALID_PARAMS,
					  "Invalid params: level must be one "
					  "of debug, info, notice, warning, "
					  "error, critical, alert, emergency");
		return;
	}
	s->log_level = i;
	reply_result(req, accept, rpc->id, json_object(), NULL);
}

static void
do_request(struct lejr_server *srv, struct evhttp_request *req,
	   struct lejr_session *s, int accept, struct lejr_rpc *rpc,
	   struct ledger_principal *principal)
{
	const char *m = rpc->method;
	char msg[160];

	if (strncmp(m, "notifications/", 14) == 0) {
		/* A notification sent with an id is a request: answer it. */
		do_notification(s, rpc);
		reply_result(req, accept, rpc->id, json_object(), NULL);
	} else if (strcmp(m, "ping") == 0) {
		reply_result(req, accept, rpc->id, json_object(), NULL);
	} else if (strcmp(m, "logging/setLevel") == 0) {
		do_set_level(req, accept, s, rpc);
	} else if (lejr_runtime_handles(srv->rt, m)) {
		job_start(srv, req, s, accept, rpc, principal);
	} else {
		snprintf(msg, sizeof(msg), "Method not found: %.100s", m);
		lejr_http_reply_rpc_error(req, 200, rpc->id,
					  LEJR_RPC_METHOD_NOT_FOUND, msg);
	}
}

/* ---- POST ---- */

/* Check the headers of a POST; on failure it is answered.  Returns the
 * Accept bits, or 0. */
static int
post_headers(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	int accept;

	if (!lejr_mcp_content_type_ok(evhttp_find_header(h,
							 "Content-Type"))) {
		lejr_http_reply_rpc_error(req, 415, NULL,
					  LEJR_RPC_SERVER_ERROR,
					  "Unsupported Media Type: send "
					  "Content-Type: application/json");
		return 0;
	}
	accept = lejr_mcp_accept(evhttp_find_header(h, "Accept"));
	if (accept == 0)
		lejr_http_reply_rpc_error(req, 406, NULL,
					  LEJR_RPC_SERVER_ERROR,
					  "Not Acceptable: accept "
					  "application/json or "
					  "text/event-stream");
	return accept;
}

void
lejr_rpc_post(struct lejr_server *srv, struct evhttp_request *req,
	      struct ledger_principal *principal)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct lejr_session *s;
	struct lejr_rpc rpc;
	const char *body;
	size_t len;
	int accept;

	memset(&rpc, 0, sizeof(rpc));
	accept = post_headers(req);
	if (accept == 0)
		goto out;

	len = evbuffer_get_length(in);
	body = len > 0 ? (const char *)evbuffer_pullup(in, -1) : "";
	lejr_rpc_parse(body != NULL ? body : "", body != NULL ? len : 0,
		       &rpc);

	if (rpc.kind == LEJR_RPC_INVALID && rpc.http_status != 200) {
		lejr_http_reply_rpc_error(req, rpc.http_status, rpc.id,
					  rpc.code, rpc.message);
		goto out;
	}
	if (rpc.kind == LEJR_RPC_REQUEST &&
	    strcmp(rpc.method, "initialize") == 0) {
		do_initialize(srv, req, accept, &rpc, principal);
		goto out;
	}

	s = lejr_http_session_for(srv, req, principal);
	if (s == NULL)
		goto out;

	switch (rpc.kind) {
	case LEJR_RPC_INVALID:
		lejr_http_reply_rpc_error(req, 200, rpc.id, rpc.code,
					  rpc.message);
		break;
	case LEJR_RPC_RESPONSE:
		if (json_is_integer(rpc.id))
			lejr_session_pending_answer(s,
				json_integer_value(rpc.id), rpc.result,
				rpc.is_error);
		lejr_http_reply_accepted(req);
		break;
	case LEJR_RPC_NOTIFICATION:
		do_notification(s, &rpc);
		lejr_http_reply_accepted(req);
		break;
	case LEJR_RPC_REQUEST:
		do_request(srv, req, s, accept, &rpc, principal);
		break;
	}

out:
	lejr_rpc_clear(&rpc);
	ledger_principal_free(principal);
}

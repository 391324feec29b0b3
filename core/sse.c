/*
 * sse.c - SSE streams and their event store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "session.h"
#include "sse.h"

/* A stored event holding the frame of (no, seq). */
static struct lejr_sse_event *
event_new(unsigned no, unsigned seq, int retry_ms, const char *data,
	  size_t dlen)
{
	struct lejr_sse_event *ev;
	char head[64];
	int hl;

	if (retry_ms > 0)
		hl = snprintf(head, sizeof(head), "id: %u.%u\nretry: %d\n",
			      no, seq, retry_ms);
	else
		hl = snprintf(head, sizeof(head), "id: %u.%u\n", no, seq);

	/* head, "data: ", data, "\n\n" */
	ev = malloc(sizeof(*ev) + (size_t)hl + 6 + dlen + 2);
	if (ev == NULL)
		return NULL;
	ev->next = NULL;
	ev->seq = seq;
	memcpy(ev->text, head, (size_t)hl);
	memcpy(ev->text + hl, "data: ", 6);
	if (dlen > 0)
		memcpy(ev->text + hl + 6, data, dlen);
	memcpy(ev->text + hl + 6 + dlen, "\n\n", 2);
	ev->len = (size_t)hl + 6 + dlen + 2;
	return ev;
}

char *
lejr_sse_frame(unsigned no, unsigned seq, int retry_ms, const char *data,
	       size_t dlen, size_t *len)
{
	struct lejr_sse_event *ev;
	char *text;

	ev = event_new(no, seq, retry_ms, data, dlen);
	if (ev == NULL)
		return NULL;
	text = malloc(ev->len + 1);
	if (text != NULL) {
		memcpy(text, ev->text, ev->len);
		text[ev->len] = '\0';
		*len = ev->len;
	}
	free(ev);
	return text;
}

int
lejr_sse_parse_id(const char *text, unsigned *no, unsigned *seq)
{
	unsigned long a, b;
	char *end;

	if (text == NULL || *text < '0' || *text > '9')
		return -1;
	a = strtoul(text, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9' || a > 0xffffffffUL)
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end != '\0' || b > 0xffffffffUL)
		return -1;
	*no = (unsigned)a;
	*seq = (unsigned)b;
	return 0;
}

struct lejr_stream *
lejr_stream_new(struct lejr_session *session, int keep)
{
	struct lejr_stream *st;

	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->session = session;
	st->no = session->next_stream++;
	st->keep = keep;
	st->refs = 2;
	st->listed = 1;
	st->next = session->streams;
	session->streams = st;
	return st;
}

void
lejr_stream_ref(struct lejr_stream *st)
{
	st->refs++;
}

/* Drop the stored events. */
static void
stream_forget(struct lejr_stream *st)
{
	struct lejr_sse_event *ev, *next;

	for (ev = st->head; ev != NULL; ev = next) {
		next = ev->next;
		free(ev);
	}
	st->head = st->tail = NULL;
	st->nevents = 0;
	st->bytes = 0;
}

void
lejr_stream_unref(struct lejr_stream *st)
{
	if (st == NULL || --st->refs > 0)
		return;
	if (st->req != NULL)
		lejr_stream_detach(st);
	stream_forget(st);
	free(st);
}

void
lejr_stream_unlist(struct lejr_stream *st)
{
	struct lejr_stream **pp;

	if (!st->listed)
		return;
	st->listed = 0;
	if (st->session != NULL) {
		for (pp = &st->session->streams; *pp != NULL;
		     pp = &(*pp)->next) {
			if (*pp == st) {
				*pp = st->next;
				break;
			}
		}
		if (st->session->standalone == st)
			st->session->standalone = NULL;
	}
	st->next = NULL;
	lejr_stream_unref(st);
}

struct lejr_stream *
lejr_stream_find(struct lejr_session *session, unsigned no)
{
	struct lejr_stream *st;

	for (st = session->streams; st != NULL; st = st->next)
		if (st->no == no)
			return st;
	return NULL;
}

/* The connection under an attached stream closed. */
static void
stream_closed_cb(struct evhttp_connection *conn, void *arg)
{
	struct lejr_stream *st = arg;
	struct evhttp_request *req = st->req;

	evhttp_connection_set_closecb(conn, NULL, NULL);
	st->req = NULL;
	st->idle_since = time(NULL);

	/* Detached from its connection by libevent, the request is ours to
	 * free; otherwise libevent frees it with the connection. */
	if (req != NULL && evhttp_request_get_connection(req) == NULL)
		evhttp_request_free(req);

	if (st->standalone)
		lejr_stream_unlist(st);
}

/* Attach req, watching its connection. */
static void
stream_attach(struct lejr_stream *st, struct evhttp_request *req)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);

	st->req = req;
	st->started = 1;
	if (conn != NULL)
		evhttp_connection_set_closecb(conn, stream_closed_cb, st);
}

/* Write one frame to the attached connection. */
static void
stream_write(struct lejr_stream *st, const char *text, size_t len)
{
	struct evbuffer *buf;

	if (st->req == NULL)
		return;
	buf = evbuffer_new();
	if (buf == NULL)
		return;
	if (evbuffer_add(buf, text, len) == 0)
		evhttp_send_reply_chunk(st->req, buf);
	evbuffer_free(buf);
}

/* Start the SSE response on req. */
static void
stream_reply_start(struct evhttp_request *req, const char *session_id)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", "text/event-stream");
	evhttp_add_header(h, "Cache-Control", "no-cache, no-transform");
	evhttp_add_header(h, "X-Accel-Buffering", "no");
	if (session_id != NULL)
		evhttp_add_header(h, "Mcp-Session-Id", session_id);
	evhttp_send_reply_start(req, 200, "OK");
}

/* Store ev (taking it) when the stream keeps events. */
static void
stream_store(struct lejr_stream *st, struct lejr_sse_event *ev)
{
	if (!st->keep || st->nevents >= LEJR_SSE_MAX_EVENTS ||
	    st->bytes + ev->len > LEJR_SSE_MAX_BYTES) {
		free(ev);
		return;
	}
	if (st->tail != NULL)
		st->tail->next = ev;
	else
		st->head = ev;
	st->tail = ev;
	st->nevents++;
	st->bytes += ev->len;
}

/* Build, send and store the next event of st. */
static void
stream_event(struct lejr_stream *st, int retry_ms, const char *data,
	     size_t dlen)
{
	struct lejr_sse_event *ev;

	ev = event_new(st->no, st->next_seq++, retry_ms, data, dlen);
	if (ev == NULL)
		return;
	stream_write(st, ev->text, ev->len);
	stream_store(st, ev);
}

void
lejr_stream_open(struct lejr_stream *st, struct evhttp_request *req,
		 const char *session_id, int priming)
{
	stream_reply_start(req, session_id);
	stream_attach(st, req);
	if (priming)
		stream_event(st, LEJR_SSE_RETRY_MS, "", 0);
}

void
lejr_stream_send(struct lejr_stream *st, const char *json, size_t len)
{
	stream_event(st, 0, json, len);
}

void
lejr_stream_detach(struct lejr_stream *st)
{
	struct evhttp_request *req = st->req;
	struct evhttp_connection *conn;

	if (req == NULL)
		return;
	conn = evhttp_request_get_connection(req);
	if (conn != NULL)
		evhttp_connection_set_closecb(conn, NULL, NULL);
	st->req = NULL;
	st->idle_since = time(NULL);
	evhttp_send_reply_end(req);
}

void
lejr_stream_finish(struct lejr_stream *st)
{
	st->finished = 1;
	if (st->req == NULL)
		return; /* kept for the client to fetch */

	lejr_stream_detach(st);
	stream_forget(st);
	lejr_stream_unlist(st);
}

void
lejr_stream_resume(struct lejr_stream *st, struct evhttp_request *req,
		   const char *session_id, unsigned seq)
{
	struct lejr_sse_event *ev;

	lejr_stream_detach(st);
	stream_reply_start(req, session_id);
	stream_attach(st, req);

	for (ev = st->head; ev != NULL; ev = ev->next)
		if (ev->seq > seq)
			stream_write(st, ev->text, ev->len);

	if (st->finished) {
		lejr_stream_detach(st);
		stream_forget(st);
		lejr_stream_unlist(st);
	}
}

void
lejr_stream_keepalive(struct lejr_stream *st)
{
	static const char ping[] = ": keep-alive\n\n";

	stream_write(st, ping, sizeof(ping) - 1);
}

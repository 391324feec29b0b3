/*
 * sse.h - Server-Sent Event streams of the MCP transport, with the
 * event store that lets a client resume one (GET with Last-Event-ID,
 * SEP-1699).
 *
 * A stream carries the messages of one POST request (its notifications,
 * its server-to-client requests, and last its response), or the
 * session's standalone GET stream.  Event ids are "<stream>.<seq>",
 * unique within the session.  A stream outlives the HTTP connection
 * that delivers it: when the connection ends early, later events are
 * stored until the client reconnects or the session sweeps the stream.
 *
 * Everything here runs on the event-loop thread.
 */
#ifndef LEJR_SSE_H
#define LEJR_SSE_H

#include <stddef.h>
#include <time.h>

struct evhttp_request;
struct lejr_session;

#define LEJR_SSE_RETRY_MS 1000    /* the retry field of priming events */
#define LEJR_SSE_MAX_EVENTS 1024  /* events stored per stream */
#define LEJR_SSE_MAX_BYTES (8u << 20)

struct lejr_sse_event {
	struct lejr_sse_event *next;
	unsigned seq;
	size_t len;
	char text[]; /* the whole frame, ready to send */
};

struct lejr_stream {
	struct lejr_stream *next;     /* in session->streams */
	struct lejr_session *session; /* not a reference; NULL when gone */
	unsigned no;
	unsigned next_seq;
	int refs;

	struct evhttp_request *req;   /* the connection delivering it */
	int listed;                   /* in session->streams */
	int started;                  /* an HTTP stream was opened */
	int finished;                 /* the last event is queued */
	int keep;                     /* store events for replay */
	int standalone;               /* a GET stream, no request's */

	struct lejr_sse_event *head, *tail;
	size_t nevents, bytes;
	time_t idle_since;            /* detached since, for the sweep */
};

/* A new stream numbered no in session (added to its list, which holds
 * one reference; the caller gets another).  keep: store events for
 * replay.  NULL when out of memory. */
struct lejr_stream *lejr_stream_new(struct lejr_session *session, int keep);

/* Take and drop a reference; the last one ends an attached response
 * and frees the stream with its events. */
void lejr_stream_ref(struct lejr_stream *st);
void lejr_stream_unref(struct lejr_stream *st);

/*
 * Answer req with an SSE stream (200, text/event-stream, no-cache,
 * session_id as Mcp-Session-Id when not NULL) and attach it.  With
 * priming, first send an event with an id, the retry field and empty
 * data, so that the client can resume from the very start.
 */
void lejr_stream_open(struct lejr_stream *st, struct evhttp_request *req,
		      const char *session_id, int priming);

/* Send one JSON-RPC message (len bytes of JSON text) as the next event:
 * stored when the stream keeps events, written when attached. */
void lejr_stream_send(struct lejr_stream *st, const char *json,
		      size_t len);

/* End the attached HTTP response now; the stream goes on detached. */
void lejr_stream_detach(struct lejr_stream *st);

/* The last event was sent: end the HTTP response, and forget the
 * stream when that response carried everything. */
void lejr_stream_finish(struct lejr_stream *st);

/*
 * A client reconnects with Last-Event-ID seq: answer req with a stream
 * replaying the stored events after seq, then attach it (or end it when
 * the stream is finished).  A connection already attached is ended.
 */
void lejr_stream_resume(struct lejr_stream *st, struct evhttp_request *req,
			const char *session_id, unsigned seq);

/* Write an SSE comment on an attached connection, so that a dead peer
 * is noticed and proxies keep the connection open. */
void lejr_stream_keepalive(struct lejr_stream *st);

/* Take st out of its session's list (dropping the list's reference). */
void lejr_stream_unlist(struct lejr_stream *st);

/* The stream of session numbered no, or NULL. */
struct lejr_stream *lejr_stream_find(struct lejr_session *session,
				     unsigned no);

/* Parse an event id "<stream>.<seq>".  Returns 0, or -1. */
int lejr_sse_parse_id(const char *text, unsigned *no, unsigned *seq);

/*
 * The frame of one event: "id: NO.SEQ\n", "retry: MS\n" when retry_ms
 * > 0, "data: DATA\n\n" (data may be empty).  malloc'd, *len set; NULL
 * when out of memory.  data must hold no newline (compact JSON).
 */
char *lejr_sse_frame(unsigned no, unsigned seq, int retry_ms,
		     const char *data, size_t dlen, size_t *len);

#endif /* LEJR_SSE_H */

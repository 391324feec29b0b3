/*
 * session.h - MCP sessions (Mcp-Session-Id) and the server-to-client
 * requests waiting in them.
 *
 * Threads: the table and every member not marked otherwise belong to
 * the event-loop thread.  Worker threads only take and drop references
 * (atomic), read the members fixed at creation (user, version, client
 * capabilities), and use the pending-request functions, which lock
 * the session.
 */
#ifndef LEJR_SESSION_H
#define LEJR_SESSION_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#define LEJR_SESSION_ID_LEN 32 /* hex characters: 128 random bits */

struct lejr_job;
struct lejr_stream;

/* States of a server-to-client request. */
enum lejr_pending_state {
	LEJR_PENDING_WAITING,
	LEJR_PENDING_ANSWERED, /* result holds the client's result */
	LEJR_PENDING_FAILED,   /* result holds the client's error object */
	LEJR_PENDING_CANCELED  /* session ended, request cancelled */
};

/* One server-to-client request waiting for the client's answer. */
struct lejr_pending {
	struct lejr_pending *next;
	long long id;
	const void *owner;     /* the job that asked */
	enum lejr_pending_state state;
	json_t *result;
	pthread_cond_t cond;
};

struct lejr_session {
	char id[LEJR_SESSION_ID_LEN + 1];
	uint64_t hash;
	struct lejr_session *hnext;

	/* Fixed at creation. */
	int64_t user_id;
	int version;          /* index in lejr_mcp_versions */
	json_t *client_caps;  /* object, never NULL */
	json_t *client_info;  /* or NULL */

	/* Loop thread only. */
	int log_level;        /* lejr_mcp_log_level() index */
	int initialized;
	time_t last_used;
	struct lejr_job *jobs;          /* requests running */
	struct lejr_stream *streams;    /* streams kept for resumption */
	struct lejr_stream *standalone; /* the GET stream, or NULL */
	unsigned next_stream;

	/* Shared, under lock. */
	pthread_mutex_t lock;
	int closed;
	long long next_request;
	struct lejr_pending *pending;

	atomic_int refs;
};

struct lejr_session_table {
	struct lejr_session **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
};

/* Set up an empty table.  Returns 0 or -1 (out of memory). */
int lejr_session_table_init(struct lejr_session_table *t);

/* Remove and release every session (at shutdown). */
void lejr_session_table_free(struct lejr_session_table *t);

/*
 * Create a session for user with negotiated revision version, the
 * client's capabilities and info (borrowed; copied by reference), and
 * add it to the table, which holds one reference.  The id comes from
 * RAND_bytes.  Returns the session (borrowed), or NULL.
 */
struct lejr_session *lejr_session_create(struct lejr_session_table *t,
					 int64_t user, int version,
					 json_t *caps, json_t *info);

/* The session named id, or NULL (borrowed). */
struct lejr_session *lejr_session_find(struct lejr_session_table *t,
				       const char *id);

/*
 * Take s out of the table: mark it closed, cancel its pending
 * requests, drop the table's reference.  The caller ends its jobs and
 * streams first.
 */
void lejr_session_remove(struct lejr_session_table *t,
			 struct lejr_session *s);

/* Take and drop a reference (any thread). */
void lejr_session_ref(struct lejr_session *s);
void lejr_session_unref(struct lejr_session *s);

/*
 * Register a server-to-client request of owner: assigns p->id.  Returns
 * 0, or -1 when the session is closed.  Call before sending it so that
 * an answer can never arrive first.
 */
int lejr_session_pending_add(struct lejr_session *s,
			     struct lejr_pending *p, const void *owner);

/*
 * Wait until p is answered, cancelled, or timeout seconds pass, then
 * unregister it.  *cancelled is polled for the owner's cancellation
 * and may be NULL.  Returns p->state (WAITING means timed out).
 */
enum lejr_pending_state lejr_session_pending_wait(struct lejr_session *s,
						  struct lejr_pending *p,
						  int timeout,
						  atomic_int *cancelled);

/* Hand the client's answer to the request with id: result (borrowed;
 * the waiting thread gets a deep copy) and is_error.  Returns 0, or -1
 * when no such request waits. */
int lejr_session_pending_answer(struct lejr_session *s, long long id,
				json_t *result, int is_error);

/* Cancel the waiting requests of owner (NULL: all of them). */
void lejr_session_pending_cancel(struct lejr_session *s, const void *owner);

#endif /* LEJR_SESSION_H */

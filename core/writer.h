/*
 * writer.h - the single writer thread of lejrd and its group commit.
 *
 * Every durable change goes through one thread that owns one database
 * connection.  It takes all the work queued since its last commit, runs
 * it in ONE write transaction (BEGIN IMMEDIATE ... COMMIT) and only then
 * answers the callers: a burst of writes costs one fsync, not one each,
 * and writers never wait on each other's SQLite locks.
 *
 * Two kinds of work are queued, in one first-in first-out order:
 *
 *  - jobs (lejr_writer_run): a write tool call.  Each runs under a
 *    SAVEPOINT of its own, so a job that fails rolls back to it and
 *    changes nothing while the rest of the batch commits.  The caller
 *    waits until the batch is durable (synchronous=FULL) or has failed.
 *
 *  - activity records (lejr_writer_record): the log of calls that change
 *    nothing (reads, refusals).  The caller does not wait; the record is
 *    written, and its token's use counted, in the next batch.  It is
 *    durable once that batch commits, or once lejr_writer_sync() returns.
 *
 * The uses of each token are counted once per batch, not once per call:
 * the tokens table is then written a few times per commit, not once per
 * call.
 *
 * A job starts a batch at once.  Records alone wait up to
 * LEJR_WRITER_LINGER_MS for company, as nobody waits for them: a stream
 * of reads then costs a commit every few milliseconds, not one each.
 */
#ifndef LEJR_WRITER_H
#define LEJR_WRITER_H

#include <pthread.h>
#include <stdint.h>

#include <sqlite3.h>

#include "ledger/ledger-internal.h"

#define LEJR_WRITER_BATCH_MAX 256   /* jobs and records per transaction */
#define LEJR_WRITER_QUEUE_MAX 4096  /* records queued before callers wait */
#define LEJR_WRITER_LINGER_MS 5     /* longest wait to fill a record batch */
#define LEJR_WRITER_CACHE_KIB 4096  /* page cache of the writer's connection */

struct lejr_writer;

/* A piece of work for the writer thread.  Fill run and arg; the rest
 * belongs to the writer while the job is queued. */
struct lejr_writer_job {
	/* Runs on the writer thread inside the batch's transaction and the
	 * job's own savepoint, on the writer's connection db.  LEJR_OK keeps
	 * the job's changes; any other status rolls them back.  NULL: a
	 * barrier that does nothing.  It may run more than once: when a
	 * job of the batch fails and takes the batch's transaction with it
	 * (a plugin's SQL that rolls back), the batch runs again without
	 * that job, each run from the start. */
	int (*run)(struct lejr_writer_job *job, sqlite3 *db);
	void *arg;

	/* Set by run (the writer starts it at 0): a token whose use the
	 * job counts.  The uses of a batch are counted together, one
	 * update per token before it commits, and only for jobs kept. */
	int64_t count_token;

	/* Private to writer.c. */
	struct lejr_writer_job *next;
	pthread_cond_t *wake; /* the caller's own: woken alone, not all */
	int status;
	int done;
	int detached; /* a record: freed by the writer, nobody waits */
	int dropped;  /* left out of its batch, which it broke */
};

/* What the writer did since it started (for tests and monitoring). */
struct lejr_writer_stats {
	uint64_t batches;  /* transactions committed */
	uint64_t jobs;     /* jobs kept in them */
	uint64_t records;  /* activity records written in them */
	uint64_t failed;   /* transactions that could not commit */
};

/* Open the writer's own connection to the database at path and start
 * its thread.  NULL after filling err. */
struct lejr_writer *lejr_writer_new(const char *path, struct lejr_error *err);

/* Write what is queued, commit it, stop the thread and close its
 * connection.  Nothing may be queued once this has begun.  NULL is
 * fine. */
void lejr_writer_free(struct lejr_writer *w);

/*
 * Queue job and wait until its batch is over.  Returns LEJR_OK when the
 * job's changes are committed and durable.  Otherwise nothing of the job
 * was kept: the status its run returned, or LEJR_EINTERNAL when the
 * batch could not commit (or the writer is stopping).
 */
int lejr_writer_run(struct lejr_writer *w, struct lejr_writer_job *job);

/* Wait until everything queued before this call is committed: LEJR_OK,
 * or LEJR_EINTERNAL when that batch failed. */
int lejr_writer_sync(struct lejr_writer *w);

/* Queue the activity record rec (copied, strings and entries too) and
 * count a use of its token, both in the next batch.  Returns at once
 * unless LEJR_WRITER_QUEUE_MAX records are waiting.  LEJR_EINTERNAL when
 * out of memory or stopping (logged). */
int lejr_writer_record(struct lejr_writer *w,
		       const struct ledger_activity *rec);

/* Jobs and records queued and not yet taken into a batch. */
size_t lejr_writer_pending(struct lejr_writer *w);

/* A copy of the writer's counters. */
void lejr_writer_stats(struct lejr_writer *w, struct lejr_writer_stats *out);

#endif /* LEJR_WRITER_H */

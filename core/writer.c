/*
 * writer.c - the writer thread: one connection, one queue, group commit.
 *
 * Why: with synchronous=FULL every COMMIT waits for the disk (fsync), and
 * SQLite lets one connection write at a time.  Worker threads that each
 * commit their own write queue up on the database lock and pay one fsync
 * per call, so throughput is capped by the disk's fsync rate.  Here the
 * writes of many calls share one transaction and one fsync.
 *
 * What is durable when: a job's caller is woken only after the COMMIT of
 * its batch returned, so an acknowledged write is on disk.  When the
 * COMMIT fails, the whole batch is rolled back and every job in it is
 * answered LEJR_EINTERNAL: nothing un-durable is acknowledged.  Activity
 * records ride along in the same transactions; a record is durable once
 * the batch after its call commits (lejr_writer_sync waits for that), and
 * lejr_writer_free writes what is queued before it stops.
 *
 * The queue is first-in first-out, jobs and records alike, so the log
 * keeps the order in which calls ended, and jobs see the changes of the
 * jobs queued before them (an idempotency key stored by the first of two
 * identical calls is found by the second, in the same batch or not).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "runtime-internal.h"
#include "writer.h"

/* The statements around each job, prepared once. */
enum savepoint_step {
	SP_OPEN,
	SP_UNDO,
	SP_CLOSE,
	SP_STEPS
};

static const char *const savepoint_sql[SP_STEPS] = {
	"SAVEPOINT lejr_job", "ROLLBACK TO lejr_job", "RELEASE lejr_job"
};

struct lejr_writer {
	sqlite3 *db;
	sqlite3_stmt *savepoint[SP_STEPS];
	pthread_t thread;

	pthread_mutex_t lock;  /* everything below */
	pthread_cond_t work;   /* the writer waits for work */
	pthread_cond_t room;   /* record producers wait for room */
	struct lejr_writer_job *head;
	struct lejr_writer_job *tail;
	size_t npending;       /* jobs and records queued */
	size_t njobs;          /* jobs among them (callers waiting) */
	size_t nrecords;       /* records among them */
	int stop;
	struct lejr_writer_stats stats;

	/* Writer thread only: the token uses of the batch being run. */
	struct {
		int64_t token;
		int64_t n;
	} uses[LEJR_WRITER_BATCH_MAX];
	size_t nuses;
};

/* An activity record waiting for the writer: the job, then the record,
 * then its entries and strings in the same allocation. */
struct record {
	struct lejr_writer_job job;
	struct ledger_activity rec;
};

/* ---- running a batch (writer thread, no lock held) ---- */

static int
savepoint(struct lejr_writer *w, enum savepoint_step which)
{
	sqlite3_stmt *st = w->savepoint[which];
	int rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return LEJR_OK;
	lejr_log(LEJR_LOG_ERROR, "database: %s: %s", savepoint_sql[which],
		 sqlite3_errmsg(w->db));
	return LEJR_EINTERNAL;
}

/* Write a record; its token's use is counted with the batch.  A
 * failure is logged and does not affect the batch. */
static int
record_run(struct lejr_writer_job *job, sqlite3 *db)
{
	struct record *r = (struct record *)job;
	struct lejr_error err = { 0 };
	int rc;

	rc = ledger_activity_add(db, &r->rec, &err);
	if (rc == LEJR_OK)
		job->count_token = r->rec.token_id;
	else
		lejr_log(LEJR_LOG_ERROR, "activity of %s not recorded: %s",
			 r->rec.tool, err.msg);
	return rc;
}

/* Note a use of token by a job that is kept. */
static void
use_note(struct lejr_writer *w, int64_t token)
{
	size_t i;

	if (token <= 0)
		return;
	for (i = 0; i < w->nuses; i++)
		if (w->uses[i].token == token)
			break;
	if (i == w->nuses) {
		if (w->nuses == LEJR_WRITER_BATCH_MAX)
			return; /* more tokens than jobs: cannot happen */
		w->uses[w->nuses].token = token;
		w->uses[w->nuses++].n = 0;
	}
	w->uses[i].n++;
}

/* Count the batch's token uses, inside its transaction.  A token that
 * cannot be counted (gone) is logged; the batch goes on. */
static void
uses_write(struct lejr_writer *w)
{
	struct lejr_error err = { 0 };

	for (size_t i = 0; i < w->nuses; i++)
		if (ledger_token_touch_n(w->db, w->uses[i].token,
					 w->uses[i].n, &err) != LEJR_OK)
			lejr_log(LEJR_LOG_ERROR, "uses of token %lld not "
				 "counted: %s", (long long)w->uses[i].token,
				 err.msg);
	w->nuses = 0;
}

/* Did the job that just ran end the batch's transaction? */
static int
job_broke_batch(struct lejr_writer *w)
{
	return ledger_sandbox_lost() || sqlite3_get_autocommit(w->db);
}

/*
 * Run one job of the batch under its own savepoint.  Returns LEJR_OK
 * unless the batch's transaction is broken (then nothing more may run in
 * it).
 */
static int
run_one(struct lejr_writer *w, struct lejr_writer_job *job)
{
	/* After an I/O error or a full disk SQLite may have rolled the
	 * whole transaction back: what ran next would commit on its own. */
	if (sqlite3_get_autocommit(w->db)) {
		lejr_log(LEJR_LOG_ERROR, "database: the write transaction "
			 "was rolled back under the writer");
		return LEJR_EINTERNAL;
	}

	if (job->run == NULL) {
		job->status = LEJR_OK;
		return LEJR_OK;
	}
	job->count_token = 0;
	if (job->detached) {
		job->status = job->run(job, w->db);
		if (job->status == LEJR_OK)
			use_note(w, job->count_token);
		return LEJR_OK;
	}

	if (savepoint(w, SP_OPEN) != LEJR_OK)
		return LEJR_EINTERNAL;
	ledger_sandbox_reset();
	job->status = job->run(job, w->db);
	/* A plugin's SQL rolled the batch's transaction back (and may
	 * have opened one of its own): no savepoint of ours is left. */
	if (job->status != LEJR_OK && job_broke_batch(w))
		return LEJR_EINTERNAL;
	if (job->status != LEJR_OK && savepoint(w, SP_UNDO) != LEJR_OK)
		return LEJR_EINTERNAL;
	if (savepoint(w, SP_CLOSE) != LEJR_OK)
		return LEJR_EINTERNAL;
	if (job->status == LEJR_OK)
		use_note(w, job->count_token);
	return LEJR_OK;
}

/* Say what a batch that could not commit takes with it. */
static void
log_lost(const struct lejr_writer_job *batch, const char *why)
{
	size_t writes = 0, records = 0;

	for (; batch != NULL; batch = batch->next) {
		if (batch->detached)
			records++;
		else if (batch->run != NULL)
			writes++;
	}
	lejr_log(LEJR_LOG_ERROR, "database: a batch could not be committed "
		 "(%s): %zu write(s) fail, %zu activity record(s) lost", why,
		 writes, records);
}

/* Did job, which ran in an open transaction, fail and end it? */
static int
broke_batch(struct lejr_writer *w, const struct lejr_writer_job *job,
	    int was_open)
{
	return was_open && job->run != NULL && !job->detached &&
	       job->status != LEJR_OK && job_broke_batch(w);
}

/*
 * One transaction for the whole batch: LEJR_OK once it is committed.  A
 * job that fails and ends the transaction (a plugin's SQL that rolls
 * back: the sandbox keeps anything from committing) is left out, and
 * the batch runs again without it, so that the other writes and the
 * activity records are kept.
 */
static int
run_batch(struct lejr_writer *w, struct lejr_writer_job *batch)
{
	struct lejr_error err = { 0 };
	struct lejr_writer_job *job;
	int rc, was_open;

again:
	w->nuses = 0;
	rc = ledger_begin(w->db, 1, &err);
	for (job = batch; job != NULL && rc == LEJR_OK; job = job->next) {
		if (job->dropped)
			continue;
		was_open = !sqlite3_get_autocommit(w->db);
		rc = run_one(w, job);
		if (rc != LEJR_OK && broke_batch(w, job, was_open)) {
			lejr_log(LEJR_LOG_WARN, "database: a write ended its "
				 "batch's transaction; the batch runs again "
				 "without it");
			job->dropped = 1;
			ledger_rollback(w->db);
			goto again;
		}
	}
	if (rc == LEJR_OK)
		uses_write(w);
	if (rc == LEJR_OK)
		rc = ledger_commit(w->db, &err);
	if (rc == LEJR_OK)
		return LEJR_OK;

	ledger_rollback(w->db);
	log_lost(batch, err.msg[0] != '\0' ? err.msg : "transaction lost");
	return LEJR_EINTERNAL;
}

/* ---- the queue ---- */

/* Append job (lock held).  The writer is woken when it idles, when a
 * caller waits, or when a batch of records is full; a lingering writer
 * collects the other records when its wait ends. */
static void
enqueue(struct lejr_writer *w, struct lejr_writer_job *job)
{
	int idle = w->head == NULL;

	job->next = NULL;
	if (w->tail != NULL)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	w->npending++;
	if (job->detached)
		w->nrecords++;
	else
		w->njobs++;

	if (idle || !job->detached || w->nrecords >= LEJR_WRITER_BATCH_MAX)
		pthread_cond_signal(&w->work);
}

/* Are there only records, too few for a full batch (lock held)? */
static int
records_alone(struct lejr_writer *w)
{
	return w->njobs == 0 && !w->stop &&
	       w->nrecords < LEJR_WRITER_BATCH_MAX;
}

/* Let records alone wait LEJR_WRITER_LINGER_MS for more (lock held). */
static void
linger(struct lejr_writer *w)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += LEJR_WRITER_LINGER_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;

	while (records_alone(w))
		if (pthread_cond_timedwait(&w->work, &w->lock, &until) ==
		    ETIMEDOUT)
			break;
}

/* Wait for work and take up to LEJR_WRITER_BATCH_MAX items off the
 * queue.  NULL once stopping with nothing left. */
static struct lejr_writer_job *
take_batch(struct lejr_writer *w)
{
	struct lejr_writer_job *batch, *last = NULL, *job;
	size_t n = 0;

	pthread_mutex_lock(&w->lock);
	while (w->head == NULL && !w->stop)
		pthread_cond_wait(&w->work, &w->lock);
	if (records_alone(w))
		linger(w);

	batch = w->head;
	for (job = batch; job != NULL && n < LEJR_WRITER_BATCH_MAX;
	     job = job->next) {
		if (job->detached)
			w->nrecords--;
		else
			w->njobs--;
		last = job;
		n++;
	}
	if (last != NULL) {
		w->head = last->next;
		if (w->head == NULL)
			w->tail = NULL;
		last->next = NULL;
	}
	w->npending -= n;

	pthread_cond_broadcast(&w->room);
	pthread_mutex_unlock(&w->lock);
	return batch;
}

static void
count(struct lejr_writer_stats *s, const struct lejr_writer_job *job,
      int committed)
{
	if (!committed || job->run == NULL || job->status != LEJR_OK)
		return;
	if (job->detached)
		s->records++;
	else
		s->jobs++;
}

/* Settle every job of the batch, free its records and wake the
 * callers, whose jobs the writer must not touch afterwards. */
static void
finish_batch(struct lejr_writer *w, struct lejr_writer_job *batch, int rc)
{
	struct lejr_writer_job *job, *next;

	pthread_mutex_lock(&w->lock);
	if (rc == LEJR_OK)
		w->stats.batches++;
	else
		w->stats.failed++;

	for (job = batch; job != NULL; job = next) {
		next = job->next;
		if (rc != LEJR_OK && job->status == LEJR_OK)
			job->status = LEJR_EINTERNAL;
		count(&w->stats, job, rc == LEJR_OK);
		if (job->detached) {
			free(job);
			continue;
		}
		/* Each caller sleeps on its own condition: a batch wakes
		 * its own callers only, not every waiting thread. */
		job->done = 1;
		pthread_cond_signal(job->wake);
	}
	pthread_mutex_unlock(&w->lock);
}

static void *
writer_main(void *arg)
{
	struct lejr_writer *w = arg;
	struct lejr_writer_job *batch;

	while ((batch = take_batch(w)) != NULL)
		finish_batch(w, batch, run_batch(w, batch));
	return NULL;
}

/* ---- the callers' side ---- */

int
lejr_writer_run(struct lejr_writer *w, struct lejr_writer_job *job)
{
	pthread_cond_t wake;
	int status = LEJR_EINTERNAL;

	pthread_cond_init(&wake, NULL);
	job->status = LEJR_EINTERNAL;
	job->done = 0;
	job->detached = 0;
	job->dropped = 0;
	job->wake = &wake;

	pthread_mutex_lock(&w->lock);
	if (w->stop) {
		lejr_log(LEJR_LOG_ERROR, "a write arrived while the writer "
			 "stops");
		goto out;
	}
	enqueue(w, job);
	while (!job->done)
		pthread_cond_wait(&wake, &w->lock);
	status = job->status;
out:
	pthread_mutex_unlock(&w->lock);
	pthread_cond_destroy(&wake);
	return status;
}

int
lejr_writer_sync(struct lejr_writer *w)
{
	struct lejr_writer_job barrier = { .run = NULL };

	return lejr_writer_run(w, &barrier);
}

/* Copy s to *at and move *at past it; NULL stays NULL. */
static const char *
put_text(char **at, const char *s)
{
	char *copy = *at;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	memcpy(copy, s, n);
	*at += n;
	return copy;
}

static size_t
text_size(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

/* rec with everything it points to, in one allocation. */
static struct record *
record_copy(const struct ledger_activity *rec)
{
	size_t ids = rec->nentries * sizeof(int64_t);
	struct record *r;
	char *at;

	r = malloc(sizeof(*r) + ids + text_size(rec->tool) +
		   text_size(rec->args_digest) + text_size(rec->outcome) +
		   text_size(rec->message));
	if (r == NULL)
		return NULL;

	memset(&r->job, 0, sizeof(r->job));
	r->job.run = record_run;
	r->job.detached = 1;
	r->job.status = LEJR_EINTERNAL;
	r->rec = *rec;

	at = (char *)(r + 1);
	if (ids > 0)
		memcpy(at, rec->entries, ids);
	r->rec.entries = ids > 0 ? (const int64_t *)at : NULL;
	at += ids;
	r->rec.tool = put_text(&at, rec->tool);
	r->rec.args_digest = put_text(&at, rec->args_digest);
	r->rec.outcome = put_text(&at, rec->outcome);
	r->rec.message = put_text(&at, rec->message);
	return r;
}

int
lejr_writer_record(struct lejr_writer *w, const struct ledger_activity *rec)
{
	struct record *r;

	r = record_copy(rec);
	if (r == NULL) {
		lejr_log(LEJR_LOG_ERROR, "activity of %s not recorded: out "
			 "of memory", rec->tool);
		return LEJR_EINTERNAL;
	}

	/* Callers wait when the writer falls behind, rather than let the
	 * queue, and what a crash would lose, grow without bound. */
	pthread_mutex_lock(&w->lock);
	while (w->nrecords >= LEJR_WRITER_QUEUE_MAX && !w->stop)
		pthread_cond_wait(&w->room, &w->lock);
	if (w->stop) {
		pthread_mutex_unlock(&w->lock);
		lejr_log(LEJR_LOG_ERROR, "activity of %s not recorded: the "
			 "writer stops", rec->tool);
		free(r);
		return LEJR_EINTERNAL;
	}
	enqueue(w, &r->job);
	pthread_mutex_unlock(&w->lock);
	return LEJR_OK;
}

size_t
lejr_writer_pending(struct lejr_writer *w)
{
	size_t n;

	pthread_mutex_lock(&w->lock);
	n = w->npending;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void
lejr_writer_stats(struct lejr_writer *w, struct lejr_writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}

/* ---- start and stop ---- */

/* The writer's own settings for its connection. */
static int
writer_connect(struct lejr_writer *w, const char *path,
	       struct lejr_error *err)
{
	if (ledger_open(path, &w->db, err) != LEJR_OK)
		return LEJR_EINTERNAL;
	lejr_db_cache(w->db, LEJR_WRITER_CACHE_KIB);

	/* A job's savepoint keeps the pages it changes in a statement
	 * journal: in memory, not in a temporary file written per job. */
	if (sqlite3_exec(w->db, "PRAGMA temp_store = MEMORY", NULL, NULL,
			 NULL) != SQLITE_OK)
		goto fail;

	for (int i = 0; i < SP_STEPS; i++)
		if (sqlite3_prepare_v3(w->db, savepoint_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT,
				       &w->savepoint[i], NULL) != SQLITE_OK)
			goto fail;
	return LEJR_OK;

fail:
	return lejr_error_set(err, LEJR_EINTERNAL, "cannot set up the "
			      "writer's connection: %s",
			      sqlite3_errmsg(w->db));
}

static void
writer_disconnect(struct lejr_writer *w)
{
	for (int i = 0; i < SP_STEPS; i++)
		sqlite3_finalize(w->savepoint[i]);
	ledger_close(w->db);
}

/* The writer's lingering is timed on the monotonic clock. */
static void
work_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
}

struct lejr_writer *
lejr_writer_new(const char *path, struct lejr_error *err)
{
	struct lejr_writer *w;

	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		lejr_error_set(err, LEJR_EINTERNAL, "out of memory");
		return NULL;
	}
	if (writer_connect(w, path, err) != LEJR_OK)
		goto err;

	pthread_mutex_init(&w->lock, NULL);
	work_cond_init(&w->work);
	pthread_cond_init(&w->room, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		lejr_error_set(err, LEJR_EINTERNAL, "cannot start the writer "
			       "thread");
		pthread_cond_destroy(&w->room);
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->lock);
		goto err;
	}
	return w;

err:
	writer_disconnect(w);
	free(w);
	return NULL;
}

void
lejr_writer_free(struct lejr_writer *w)
{
	if (w == NULL)
		return;

	/* The thread drains the queue, committing as usual, then ends. */
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->work);
	pthread_cond_broadcast(&w->room);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);

	lejr_log(LEJR_LOG_INFO, "writer: %llu commits of %llu writes and "
		 "%llu activity records; %llu failed",
		 (unsigned long long)w->stats.batches,
		 (unsigned long long)w->stats.jobs,
		 (unsigned long long)w->stats.records,
		 (unsigned long long)w->stats.failed);
	writer_disconnect(w);
	pthread_cond_destroy(&w->room);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

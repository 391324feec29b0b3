/*
 * test_writer.c - the writer thread and its group commit, through the
 * runtime (the good fixture plugin, real tokens, a real SQLite file)
 * and directly: concurrent writes, a failing job or commit in a batch,
 * idempotency across threads, the activity log's barrier, shutdown.
 *
 * To put several calls in one batch deterministically, a test first
 * blocks the writer with a job of its own (a gate), queues the calls,
 * waits until they are all pending, then opens the gate.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>

#include "runtime-internal.h"
#include "runtime-fixture.h"
#include "writer.h"

static struct lejr_config cfg;
static struct lejr_runtime *rt;
static struct ledger_principal alice; /* owner of demo, write token */

static void
seed(const char *path)
{
	char token[LEJR_TOKEN_MAX + 1];
	struct lejr_error err;
	int64_t org, user, id;
	sqlite3 *db;

	cr_assert_eq(ledger_open(path, &db, &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_org_create(db, "demo", "Demo Ltd", "EUR", &org,
				       &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_chart_seed(db, org, &err), LEJR_OK);
	cr_assert_eq(ledger_user_create(db, "alice@example.com", "Alice",
					NULL, &user, &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, org, user, LEJR_ROLE_OWNER, &err),
		     LEJR_OK);
	cr_assert_eq(ledger_token_create(db, user, &org, 1, LEJR_ACCESS_WRITE,
					 "test", 0, token, &id, &err),
		     LEJR_OK, "%s", err.msg);
	ledger_close(db);
	cr_assert_eq(lejr_runtime_authenticate(rt, token, &alice), LEJR_OK);
}

static void
setup(void)
{
	static const char *const plugins[] = { "good", NULL };

	fixture_setup();
	fixture_config(&cfg, plugins, NULL);
	rt = lejr_runtime_new(&cfg);
	cr_assert_not_null(rt);
	seed(cfg.database);
}

static void
teardown(void)
{
	ledger_principal_free(&alice);
	lejr_runtime_free(rt);
	lejr_config_free(&cfg);
	fixture_teardown();
}

TestSuite(writer, .init = setup, .fini = teardown);

/* ---- helpers ---- */

/* tools/call as alice: the MCP result (a JSON-RPC error fails). */
static json_t *
call(const char *tool, const char *args)
{
	char params[1024];
	json_t *res;

	snprintf(params, sizeof(params), "{\"name\": \"%s\", \"arguments\":"
		 " %s}", tool, args);
	res = fixture_rpc(rt, &alice, "tools/call", params, NULL);
	cr_assert_not_null(res, "JSON-RPC error %d: %s", fixture_code,
			   fixture_message);
	return res;
}

static int
is_ok(json_t *res)
{
	return json_is_false(json_object_get(res, "isError"));
}

static int64_t
result_int(json_t *res, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(res,
		"structuredContent"), key));
}

/* One integer from SQL on a connection of our own. */
static int64_t
sql_int_at(const char *path, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
		     "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static int64_t
sql_int(const char *sql)
{
	return sql_int_at(cfg.database, sql);
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait (up to 5 s) until n jobs and records are queued. */
static void
wait_pending(struct lejr_writer *w, size_t n)
{
	for (int i = 0; i < 5000 && lejr_writer_pending(w) < n; i++)
		nap_ms(1);
	cr_assert_eq(lejr_writer_pending(w), n, "%zu queued, not %zu",
		     lejr_writer_pending(w), n);
}

/* ---- a gate that holds the writer ---- */

struct gate {
	struct lejr_writer *w;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int entered;
	int open;
	pthread_t thread;
};

static int
gate_run(struct lejr_writer_job *job, sqlite3 *db)
{
	struct gate *g = job->arg;

	pthread_mutex_lock(&g->lock);
	g->entered = 1;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
	return LEJR_OK;
}

static void *
gate_main(void *arg)
{
	struct gate *g = arg;
	struct lejr_writer_job job = { .run = gate_run, .arg = g };

	return (void *)(long)lejr_writer_run(g->w, &job);
}

/* Hold the writer inside a job of ours until gate_open. */
static void
gate_close(struct gate *g, struct lejr_writer *w)
{
	memset(g, 0, sizeof(*g));
	g->w = w;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	cr_assert_eq(pthread_create(&g->thread, NULL, gate_main, g), 0);

	pthread_mutex_lock(&g->lock);
	while (!g->entered)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void
gate_open(struct gate *g)
{
	void *rc;

	pthread_mutex_lock(&g->lock);
	g->open = 1;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, &rc);
	cr_assert_eq((long)rc, LEJR_OK);
}

/* ---- calls on threads ---- */

struct caller {
	pthread_t thread;
	const char *tool;
	char args[256];
	json_t *res;
};

static void *
caller_main(void *arg)
{
	struct caller *c = arg;

	c->res = call(c->tool, c->args);
	lejr_runtime_thread_done(rt);
	return NULL;
}

static void
caller_start(struct caller *c, const char *tool, const char *args)
{
	c->tool = tool;
	snprintf(c->args, sizeof(c->args), "%s", args);
	c->res = NULL;
	cr_assert_eq(pthread_create(&c->thread, NULL, caller_main, c), 0);
}

static void
caller_join(struct caller *c)
{
	pthread_join(c->thread, NULL);
	cr_assert_not_null(c->res);
}

/* ---- concurrent writes ---- */

#define THREADS 8
#define POSTS 20

struct poster {
	pthread_t thread;
	int n;
	int64_t entries[POSTS];
	int durable; /* entries seen by a connection of our own */
};

static void *
poster_main(void *arg)
{
	struct poster *p = arg;
	char args[128], sql[128];
	json_t *res;

	for (int i = 0; i < POSTS; i++) {
		snprintf(args, sizeof(args), "{\"text\": \"t%d-%d\", "
			 "\"amount\": \"%d.25\"}", p->n, i, i + 1);
		res = call("good_note", args);
		if (is_ok(res))
			p->entries[i] = result_int(res, "entry");
		json_decref(res);

		/* Acknowledged, so committed: another connection sees it. */
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM entries "
			 "WHERE id = %lld", (long long)p->entries[i]);
		p->durable += sql_int(sql) == 1;
	}
	lejr_runtime_thread_done(rt);
	return NULL;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

Test(writer, concurrent_posts_are_durable_and_distinct)
{
	struct poster posters[THREADS];
	int64_t all[THREADS * POSTS];
	struct lejr_writer_stats stats;

	memset(posters, 0, sizeof(posters));
	for (int i = 0; i < THREADS; i++) {
		posters[i].n = i;
		cr_assert_eq(pthread_create(&posters[i].thread, NULL,
					    poster_main, &posters[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(posters[i].thread, NULL);
		cr_assert_eq(posters[i].durable, POSTS);
		memcpy(all + i * POSTS, posters[i].entries,
		       sizeof(posters[i].entries));
	}

	qsort(all, THREADS * POSTS, sizeof(all[0]), cmp_id);
	cr_assert_gt(all[0], 0);
	for (int i = 1; i < THREADS * POSTS; i++)
		cr_assert_neq(all[i], all[i - 1], "entry %lld twice",
			      (long long)all[i]);
	cr_assert_eq(sql_int("SELECT count(*) FROM entries"),
		     THREADS * POSTS);
	cr_assert_eq(sql_int("SELECT count(*) FROM good_notes"),
		     THREADS * POSTS);

	lejr_writer_stats(rt->writer, &stats);
	cr_assert_eq(stats.jobs, THREADS * POSTS);
	cr_assert_leq(stats.batches, stats.jobs + stats.records);
	cr_assert_eq(stats.failed, 0);
}

/* ---- one batch, several calls ---- */

/*
 * Notes a, b and c posting 1, 2 and 3, queued behind a closed gate so
 * that they make one batch once it opens; b fails as fail says.  Waits
 * for the three answers.
 */
static void
batch_of_three(struct caller c[3], const char *fail)
{
	char b[128];
	struct gate g;

	snprintf(b, sizeof(b), "{\"text\": \"b\", \"amount\": 2, "
		 "\"fail\": \"%s\"}", fail);
	gate_close(&g, rt->writer);
	caller_start(&c[0], "good_note", "{\"text\": \"a\", \"amount\": 1}");
	wait_pending(rt->writer, 1);
	caller_start(&c[1], "good_note", b);
	wait_pending(rt->writer, 2);
	caller_start(&c[2], "good_note", "{\"text\": \"c\", \"amount\": 3}");
	wait_pending(rt->writer, 3);
	gate_open(&g);
	for (int i = 0; i < 3; i++)
		caller_join(&c[i]);
}

Test(writer, failing_job_leaves_its_batch_committed)
{
	struct lejr_writer_stats before, after;
	struct caller c[3];

	lejr_writer_stats(rt->writer, &before);
	batch_of_three(c, "invalid");
	lejr_writer_stats(rt->writer, &after);

	cr_assert(is_ok(c[0].res));
	cr_assert_not(is_ok(c[1].res));
	cr_assert(is_ok(c[2].res));
	cr_assert_eq(after.jobs - before.jobs, 3); /* the gate, a and c */
	cr_assert_eq(after.failed, 0);

	cr_assert_eq(sql_int("SELECT count(*) FROM good_notes"), 2);
	cr_assert_eq(sql_int("SELECT count(*) FROM good_notes WHERE text = "
			     "'b'"), 0);
	cr_assert_eq(sql_int("SELECT count(*) FROM entries"), 2);
	cr_assert_eq(sql_int("SELECT count(*) FROM lines WHERE amount "
			     "IN (200, -200)"), 0);

	/* b's refusal is in the log too, once the writer caught up. */
	cr_assert_eq(lejr_writer_sync(rt->writer), LEJR_OK);
	cr_assert_eq(sql_int("SELECT count(*) FROM activity WHERE outcome = "
			     "'invalid'"), 1);
	cr_assert_eq(sql_int("SELECT count(*) FROM activity WHERE outcome = "
			     "'ok'"), 2);

	for (int i = 0; i < 3; i++)
		json_decref(c[i].res);
}

/* A job whose SQL ends the batch's transaction is left out, and the
 * batch runs again: the others keep their writes. */
Test(writer, job_that_ends_the_transaction_fails_alone)
{
	struct caller c[3];

	batch_of_three(c, "rollback");

	cr_assert(is_ok(c[0].res));
	cr_assert_not(is_ok(c[1].res));
	cr_assert(is_ok(c[2].res));
	cr_assert_eq(sql_int("SELECT count(*) FROM good_notes WHERE text IN "
			     "('a', 'c')"), 2);
	cr_assert_eq(sql_int("SELECT count(*) FROM good_notes"), 2);
	cr_assert_eq(sql_int("SELECT count(*) FROM entries"), 2);
	cr_assert_eq(sql_int("SELECT count(*) FROM lines WHERE amount "
			     "IN (200, -200)"), 0);

	/* Each call is in the activity log once. */
	cr_assert_eq(lejr_writer_sync(rt->writer), LEJR_OK);
	cr_assert_eq(sql_int("SELECT count(*) FROM activity WHERE outcome = "
			     "'ok'"), 2);
	cr_assert_eq(sql_int("SELECT count(*) FROM activity WHERE outcome = "
			     "'error'"), 1);
	cr_assert_logged("a write ended its batch's transaction; the batch "
			 "runs again without it");

	for (int i = 0; i < 3; i++)
		json_decref(c[i].res);
}

Test(writer, same_idempotency_key_from_eight_threads)
{
	const char *args = "{\"text\": \"once\", \"amount\": \"9.99\", "
			   "\"idempotency_key\": \"pay-42\"}";
	struct caller c[THREADS];
	struct gate g;
	int64_t entry;

	gate_close(&g, rt->writer);
	for (int i = 0; i < THREADS; i++)
		caller_start(&c[i], "good_note", args);
	wait_pending(rt->writer, THREADS);
	gate_open(&g);
	for (int i = 0; i < THREADS; i++)
		caller_join(&c[i]);

	entry = result_int(c[0].res, "entry");
	cr_assert_gt(entry, 0);
	for (int i = 0; i < THREADS; i++) {
		cr_assert(is_ok(c[i].res), "call %d failed", i);
		cr_assert_eq(result_int(c[i].res, "entry"), entry);
		cr_assert(json_equal(c[i].res, c[0].res));
	}
	for (int i = 0; i < THREADS; i++)
		json_decref(c[i].res);
	cr_assert_eq(sql_int("SELECT count(*) FROM entries"), 1);
	cr_assert_eq(sql_int("SELECT count(*) FROM good_notes"), 1);
	cr_assert_eq(sql_int("SELECT count(*) FROM idempotency"), 1);
	cr_assert_eq(sql_int("SELECT count(*) FROM activity WHERE message "
			     "LIKE 'replayed%'"), THREADS - 1);
}

/* ---- the activity log of reads ---- */

static void *
open_later(void *arg)
{
	nap_ms(100);
	gate_open(arg);
	return NULL;
}

Test(writer, activity_of_reads_appears_after_the_barrier)
{
	pthread_t opener;
	struct gate g;
	json_t *res;

	/* Reads do not wait for the writer: their records queue up. */
	gate_close(&g, rt->writer);
	for (int i = 0; i < 5; i++) {
		res = call("good_count", "{}");
		cr_assert(is_ok(res));
		json_decref(res);
	}
	wait_pending(rt->writer, 5);
	cr_assert_eq(sql_int("SELECT count(*) FROM activity"), 0);

	/* The log tool waits until they are written. */
	cr_assert_eq(pthread_create(&opener, NULL, open_later, &g), 0);
	res = call("activity", "{\"tool\": \"good_count\"}");
	pthread_join(opener, NULL);
	cr_assert(is_ok(res));
	cr_assert_eq(json_array_size(json_object_get(json_object_get(res,
		"structuredContent"), "records")), 5);
	json_decref(res);

	/* Each read counted as a use of the token, the log tool's too. */
	cr_assert_eq(lejr_writer_sync(rt->writer), LEJR_OK);
	cr_assert_eq(sql_int("SELECT calls FROM tokens"), 6);
}

/* ---- the writer on its own ---- */

static char db_path[300];

static int
insert_parent(struct lejr_writer_job *job, sqlite3 *db)
{
	return sqlite3_exec(db, "INSERT INTO parent (id) VALUES (1)", NULL,
			    NULL, NULL) == SQLITE_OK ? LEJR_OK
						     : LEJR_EINTERNAL;
}

/* Breaks a deferred foreign key: fine now, fatal at COMMIT. */
static int
insert_orphan(struct lejr_writer_job *job, sqlite3 *db)
{
	return sqlite3_exec(db, "INSERT INTO child (parent) VALUES (99)",
			    NULL, NULL, NULL) == SQLITE_OK ? LEJR_OK
							   : LEJR_EINTERNAL;
}

struct runner {
	pthread_t thread;
	struct lejr_writer *w;
	struct lejr_writer_job job;
	int rc;
};

static void *
runner_main(void *arg)
{
	struct runner *r = arg;

	r->rc = lejr_writer_run(r->w, &r->job);
	return NULL;
}

static struct lejr_writer *
plain_writer(void)
{
	struct lejr_writer *w;
	struct lejr_error err;
	sqlite3 *db;

	fixture_path(db_path, sizeof(db_path), "plain.db");
	cr_assert_eq(ledger_open(db_path, &db, &err), LEJR_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE parent (id INTEGER "
				  "PRIMARY KEY); CREATE TABLE child (parent "
				  "INTEGER REFERENCES parent (id) DEFERRABLE "
				  "INITIALLY DEFERRED)", NULL, NULL, NULL),
		     SQLITE_OK);
	ledger_close(db);

	w = lejr_writer_new(db_path, &err);
	cr_assert_not_null(w, "%s", err.msg);
	return w;
}

Test(writer, failed_commit_fails_every_job_of_the_batch)
{
	struct lejr_writer *w = plain_writer();
	struct lejr_writer_stats stats;
	struct runner r[2];
	struct gate g;

	gate_close(&g, w);
	memset(r, 0, sizeof(r));
	r[0].job.run = insert_parent;
	r[1].job.run = insert_orphan;
	for (int i = 0; i < 2; i++) {
		r[i].w = w;
		cr_assert_eq(pthread_create(&r[i].thread, NULL, runner_main,
					    &r[i]), 0);
		wait_pending(w, (size_t)i + 1);
	}
	gate_open(&g);
	for (int i = 0; i < 2; i++)
		pthread_join(r[i].thread, NULL);

	/* Both ran fine, but their batch did not commit: neither is
	 * acknowledged, and nothing of either was kept. */
	cr_assert_eq(r[0].rc, LEJR_EINTERNAL);
	cr_assert_eq(r[1].rc, LEJR_EINTERNAL);
	cr_assert_eq(sql_int_at(db_path, "SELECT count(*) FROM parent"), 0);
	lejr_writer_stats(w, &stats);
	cr_assert_eq(stats.failed, 1);

	/* The writer carries on. */
	r[0].job.run = insert_parent;
	cr_assert_eq(lejr_writer_run(w, &r[0].job), LEJR_OK);
	cr_assert_eq(sql_int_at(db_path, "SELECT count(*) FROM parent"), 1);
	lejr_writer_free(w);
	cr_assert_logged("could not be committed");
}

struct stopper {
	pthread_t thread;
	struct lejr_writer *w;
};

static void *
stopper_main(void *arg)
{
	struct stopper *s = arg;

	lejr_writer_free(s->w);
	return NULL;
}

Test(writer, shutdown_drains_queued_records)
{
	struct lejr_writer *w = plain_writer();
	struct ledger_activity rec = {
		.tool = "some_read",
		.args_digest = "00",
		.outcome = "ok",
		.duration_us = 7,
	};
	struct stopper s = { .w = w };
	struct gate g;

	gate_close(&g, w);
	for (int i = 0; i < 20; i++)
		cr_assert_eq(lejr_writer_record(w, &rec), LEJR_OK);
	wait_pending(w, 20);

	/* Stop while the records still wait, then let the writer go. */
	cr_assert_eq(pthread_create(&s.thread, NULL, stopper_main, &s), 0);
	nap_ms(100);
	gate_open(&g);
	pthread_join(s.thread, NULL);

	cr_assert_eq(sql_int_at(db_path, "SELECT count(*) FROM activity "
				"WHERE tool = 'some_read'"), 20);
}

/* ---- no waiting for the client in a write ---- */

static int requests_sent;

static int
count_request(void *ctx, const char *method, json_t *params,
	      json_t **result)
{
	requests_sent++;
	*result = json_pack("{s:s, s:{}}", "action", "accept", "content");
	return LEJR_OK;
}

Test(writer, write_tools_cannot_wait_for_the_client)
{
	struct lejr_tool_entry tool = { .tool = { .name = "some_write" } };
	json_t *caps = json_pack("{s:{}}", "elicitation");
	json_t *schema = json_pack("{s:s}", "type", "object");
	struct lejr_exchange ex = {
		.client_capabilities = caps,
		.request = count_request,
	};
	struct lejr_call c;
	json_t *content = NULL, *result = NULL;
	const char *action = NULL;

	memset(&c, 0, sizeof(c));
	c.tool = &tool;
	c.ex = &ex;
	c.principal = &alice;

	tool.tool.access = LEJR_ACCESS_WRITE;
	cr_assert_eq(lejr_api_table.elicit(&c, "Sure?", schema, &action,
					   &content), LEJR_ENOTSUP);
	cr_assert_not_null(strstr(c.msg, "a write tool cannot wait"),
			   "%s", c.msg);
	cr_assert_eq(lejr_api_table.client_request(&c, "sampling/"
						   "createMessage", NULL,
						   &result), LEJR_ENOTSUP);
	cr_assert_null(result);
	cr_assert_eq(requests_sent, 0);

	/* A read tool may. */
	tool.tool.access = LEJR_ACCESS_READ;
	cr_assert_eq(lejr_api_table.elicit(&c, "Sure?", schema, &action,
					   &content), LEJR_OK);
	cr_assert_str_eq(action, "accept");
	cr_assert_eq(requests_sent, 1);

	json_decref(content);
	json_decref(schema);
	json_decref(caps);
}

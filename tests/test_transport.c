/*
 * test_transport.c - the transport's request checks (core/http-policy.c),
 * its session table and pending client requests (core/session.c) and
 * SSE event ids and frames (core/sse.c).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "http-policy.h"
#include "session.h"
#include "sse.h"

/* ---- public URL, Host, Origin ---- */

Test(policy, url_parse)
{
	struct lejr_url u;

	cr_assert_eq(lejr_url_parse("https://Ledger.Example", &u), 0);
	cr_expect(u.https);
	cr_expect_str_eq(u.host, "ledger.example");
	cr_expect_eq(u.port, 443);
	cr_expect_str_eq(u.origin, "https://ledger.example");

	cr_assert_eq(lejr_url_parse("http://127.0.0.1:8080/base", &u), 0);
	cr_expect_eq(u.port, 8080);
	cr_expect_str_eq(u.origin, "http://127.0.0.1:8080");

	cr_assert_eq(lejr_url_parse("http://[::1]:9000", &u), 0);
	cr_expect_str_eq(u.host, "[::1]");
	cr_expect_eq(u.port, 9000);

	cr_expect_eq(lejr_url_parse("https://x.example:443", &u), 0);
	cr_expect_str_eq(u.origin, "https://x.example");

	cr_expect_eq(lejr_url_parse("ftp://x.example", &u), -1);
	cr_expect_eq(lejr_url_parse("https://user@x.example", &u), -1);
	cr_expect_eq(lejr_url_parse("https://", &u), -1);
	cr_expect_eq(lejr_url_parse("https://x.example:0", &u), -1);
	cr_expect_eq(lejr_url_parse("https://x.example:99999", &u), -1);
	cr_expect_eq(lejr_url_parse("https://x.example:8a", &u), -1);
}

Test(policy, loopback_names)
{
	cr_expect(lejr_host_is_loopback("localhost", 9));
	cr_expect(lejr_host_is_loopback("LocalHost", 9));
	cr_expect(lejr_host_is_loopback("127.0.0.1", 9));
	cr_expect(lejr_host_is_loopback("127.1.2.3", 9));
	cr_expect(lejr_host_is_loopback("::1", 3));
	cr_expect(lejr_host_is_loopback("[::1]", 5));
	cr_expect_not(lejr_host_is_loopback("0.0.0.0", 7));
	cr_expect_not(lejr_host_is_loopback("128.0.0.1", 9));
	cr_expect_not(lejr_host_is_loopback("127.0.0.1.evil.example", 22));
	cr_expect_not(lejr_host_is_loopback("localhost.evil.example", 22));
	cr_expect_not(lejr_host_is_loopback("::", 2));
}

/* A policy for https://ledger.example, listening on 8080. */
static void
policy_init(struct lejr_host_policy *p, char *const *origins, size_t n)
{
	memset(p, 0, sizeof(*p));
	cr_assert_eq(lejr_url_parse("https://ledger.example", &p->pub), 0);
	p->port = 8080;
	p->origins = origins;
	p->norigins = n;
}

Test(policy, host_header)
{
	struct lejr_host_policy p;

	policy_init(&p, NULL, 0);
	cr_expect(lejr_host_allowed(&p, "ledger.example"));
	cr_expect(lejr_host_allowed(&p, "LEDGER.example:443"));
	cr_expect(lejr_host_allowed(&p, "127.0.0.1:8080"));
	cr_expect(lejr_host_allowed(&p, "localhost:8080"));
	cr_expect(lejr_host_allowed(&p, "[::1]:8080"));
	cr_expect_not(lejr_host_allowed(&p, "ledger.example:8443"));
	cr_expect_not(lejr_host_allowed(&p, "localhost:9999"));
	cr_expect_not(lejr_host_allowed(&p, "localhost"));
	cr_expect_not(lejr_host_allowed(&p, "evil.example.com"));
	cr_expect_not(lejr_host_allowed(&p, "evil.example.com:8080"));
	cr_expect_not(lejr_host_allowed(&p, ""));
	cr_expect_not(lejr_host_allowed(&p, NULL));
}

Test(policy, host_header_for_loopback_public_url)
{
	struct lejr_host_policy p;

	memset(&p, 0, sizeof(p));
	cr_assert_eq(lejr_url_parse("http://localhost:3000", &p.pub), 0);
	p.port = 3000;
	cr_expect(lejr_host_allowed(&p, "localhost:3000"));
	cr_expect(lejr_host_allowed(&p, "127.0.0.1:3000"));
	cr_expect_not(lejr_host_allowed(&p, "evil.example.com"));
}

Test(policy, origin_header)
{
	char *extra[] = { "https://claude.ai" };
	struct lejr_host_policy p;

	policy_init(&p, extra, 1);
	cr_expect(lejr_origin_allowed(&p, "https://ledger.example"));
	cr_expect(lejr_origin_allowed(&p, "https://ledger.example:443"));
	cr_expect(lejr_origin_allowed(&p, "https://claude.ai"));
	cr_expect(lejr_origin_allowed(&p, "http://localhost:6274"));
	cr_expect(lejr_origin_allowed(&p, "http://127.0.0.1"));
	cr_expect_not(lejr_origin_allowed(&p, "http://ledger.example"));
	cr_expect_not(lejr_origin_allowed(&p, "https://evil.example"));
	cr_expect_not(lejr_origin_allowed(&p, "https://claude.ai.evil.ex"));
	cr_expect_not(lejr_origin_allowed(&p, "null"));
	cr_expect_not(lejr_origin_allowed(&p, "https://ledger.example/x"));
}

Test(policy, bearer_token)
{
	char buf[16];

	cr_expect_eq(lejr_bearer_token("Bearer abc-._~+/=", buf, sizeof(buf)),
		     1);
	cr_expect_str_eq(buf, "abc-._~+/=");
	cr_expect_eq(lejr_bearer_token("bearer   tok  ", buf, sizeof(buf)), 1);
	cr_expect_str_eq(buf, "tok");
	cr_expect_eq(lejr_bearer_token(NULL, buf, sizeof(buf)), 0);
	cr_expect_eq(lejr_bearer_token("Basic dXNlcjpwdw==", buf,
				       sizeof(buf)), 0);
	cr_expect_eq(lejr_bearer_token("Bearer", buf, sizeof(buf)), 0);
	cr_expect_eq(lejr_bearer_token("Bearerx tok", buf, sizeof(buf)), 0);
	cr_expect_eq(lejr_bearer_token("Bearer ", buf, sizeof(buf)), -1);
	cr_expect_eq(lejr_bearer_token("Bearer a b", buf, sizeof(buf)), -1);
	cr_expect_eq(lejr_bearer_token("Bearer a\"b", buf, sizeof(buf)), -1);
	cr_expect_eq(lejr_bearer_token("Bearer 0123456789abcdef", buf,
				       sizeof(buf)), -1);
}

/* ---- sessions ---- */

Test(session, create_find_remove)
{
	struct lejr_session_table t;
	struct lejr_session *s, *s2;
	char other[LEJR_SESSION_ID_LEN + 1];

	cr_assert_eq(lejr_session_table_init(&t), 0);
	s = lejr_session_create(&t, 7, 1, NULL, NULL);
	cr_assert_not_null(s);
	cr_expect_eq(strlen(s->id), LEJR_SESSION_ID_LEN);
	cr_expect_eq(strspn(s->id, "0123456789abcdef"), LEJR_SESSION_ID_LEN);
	cr_expect(json_is_object(s->client_caps));
	cr_expect_eq(s->user_id, 7);

	s2 = lejr_session_create(&t, 7, 1, NULL, NULL);
	cr_assert_not_null(s2);
	cr_expect_str_neq(s->id, s2->id);

	cr_expect_eq(lejr_session_find(&t, s->id), s);
	memcpy(other, s->id, sizeof(other));
	other[0] = other[0] == 'a' ? 'b' : 'a';
	cr_expect_null(lejr_session_find(&t, other));
	cr_expect_null(lejr_session_find(&t, "short"));
	cr_expect_null(lejr_session_find(&t, NULL));

	memcpy(other, s->id, sizeof(other));
	lejr_session_remove(&t, s);
	cr_expect_null(lejr_session_find(&t, other));
	cr_expect_eq(lejr_session_find(&t, s2->id), s2);
	cr_expect_eq(t.count, 1);
	lejr_session_table_free(&t);
}

Test(session, table_grows)
{
	struct lejr_session_table t;
	struct lejr_session *all[500];

	cr_assert_eq(lejr_session_table_init(&t), 0);
	for (int i = 0; i < 500; i++) {
		all[i] = lejr_session_create(&t, i, 0, NULL, NULL);
		cr_assert_not_null(all[i]);
	}
	cr_expect_gt(t.nbuckets, 64);
	for (int i = 0; i < 500; i++)
		cr_expect_eq(lejr_session_find(&t, all[i]->id), all[i]);
	lejr_session_table_free(&t);
}

struct answerer {
	struct lejr_session *s;
	long long id;
};

/* Answer the request as the client would, a little later. */
static void *
answer_later(void *arg)
{
	struct answerer *a = arg;
	json_t *res = json_pack("{s:s}", "action", "accept");

	usleep(20000);
	lejr_session_pending_answer(a->s, a->id, res, 0);
	json_decref(res);
	return NULL;
}

Test(session, pending_answered)
{
	struct lejr_session_table t;
	struct lejr_pending p;
	struct answerer a;
	pthread_t th;
	int owner;

	cr_assert_eq(lejr_session_table_init(&t), 0);
	a.s = lejr_session_create(&t, 1, 0, NULL, NULL);
	cr_assert_eq(lejr_session_pending_add(a.s, &p, &owner), 0);
	cr_expect_eq(p.id, 1);
	a.id = p.id;

	/* An answer to another id changes nothing. */
	cr_expect_eq(lejr_session_pending_answer(a.s, 99, NULL, 0), -1);

	pthread_create(&th, NULL, answer_later, &a);
	cr_expect_eq(lejr_session_pending_wait(a.s, &p, 5, NULL),
		     LEJR_PENDING_ANSWERED);
	pthread_join(th, NULL);
	cr_expect_str_eq(json_string_value(json_object_get(p.result,
		"action")), "accept");
	json_decref(p.result);
	cr_expect_null(a.s->pending);
	lejr_session_table_free(&t);
}

Test(session, pending_times_out_and_cancels)
{
	struct lejr_session_table t;
	struct lejr_session *s;
	struct lejr_pending p;
	atomic_int cancelled;
	int owner;

	cr_assert_eq(lejr_session_table_init(&t), 0);
	s = lejr_session_create(&t, 1, 0, NULL, NULL);

	cr_assert_eq(lejr_session_pending_add(s, &p, &owner), 0);
	cr_expect_eq(lejr_session_pending_wait(s, &p, 0, NULL),
		     LEJR_PENDING_WAITING);

	atomic_init(&cancelled, 1);
	cr_assert_eq(lejr_session_pending_add(s, &p, &owner), 0);
	cr_expect_eq(p.id, 2);
	cr_expect_eq(lejr_session_pending_wait(s, &p, 5, &cancelled),
		     LEJR_PENDING_CANCELED);

	/* A closed session takes no more requests. */
	lejr_session_ref(s);
	lejr_session_remove(&t, s);
	cr_expect_eq(lejr_session_pending_add(s, &p, &owner), -1);
	lejr_session_unref(s);
	lejr_session_table_free(&t);
}

/* ---- SSE ---- */

Test(sse, event_ids)
{
	unsigned no, seq;

	cr_expect_eq(lejr_sse_parse_id("3.14", &no, &seq), 0);
	cr_expect_eq(no, 3);
	cr_expect_eq(seq, 14);
	cr_expect_eq(lejr_sse_parse_id("0.0", &no, &seq), 0);
	cr_expect_eq(lejr_sse_parse_id("3", &no, &seq), -1);
	cr_expect_eq(lejr_sse_parse_id("3.", &no, &seq), -1);
	cr_expect_eq(lejr_sse_parse_id(".3", &no, &seq), -1);
	cr_expect_eq(lejr_sse_parse_id("3.4x", &no, &seq), -1);
	cr_expect_eq(lejr_sse_parse_id("-1.2", &no, &seq), -1);
	cr_expect_eq(lejr_sse_parse_id("99999999999.1", &no, &seq), -1);
	cr_expect_eq(lejr_sse_parse_id(NULL, &no, &seq), -1);
}

Test(sse, frames)
{
	size_t len = 0;
	char *f;

	f = lejr_sse_frame(2, 0, 1000, "", 0, &len);
	cr_assert_not_null(f);
	cr_expect_str_eq(f, "id: 2.0\nretry: 1000\ndata: \n\n");
	cr_expect_eq(len, strlen(f));
	free(f);

	f = lejr_sse_frame(2, 5, 0, "{\"a\":1}", 7, &len);
	cr_expect_str_eq(f, "id: 2.5\ndata: {\"a\":1}\n\n");
	free(f);
}

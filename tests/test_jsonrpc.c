/*
 * test_jsonrpc.c - the transport's JSON-RPC and MCP rules (core/mcp.c):
 * message classification, revisions, Accept and Content-Type policy,
 * logging levels and the text of answers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "mcp-internal.h"

/* Parse text; the caller clears rpc. */
static void
parse(const char *text, struct lejr_rpc *rpc)
{
	lejr_rpc_parse(text, strlen(text), rpc);
}

/* Assert text is answered with code and HTTP status. */
static void
expect_invalid(const char *text, int code, int status)
{
	struct lejr_rpc rpc;

	parse(text, &rpc);
	cr_expect_eq(rpc.kind, LEJR_RPC_INVALID, "%s: kind %d", text,
		     rpc.kind);
	cr_expect_eq(rpc.code, code, "%s: code %d", text, rpc.code);
	cr_expect_eq(rpc.http_status, status, "%s: status %d", text,
		     rpc.http_status);
	lejr_rpc_clear(&rpc);
}

Test(rpc, request_keeps_id_type)
{
	struct lejr_rpc rpc;

	parse("{\"jsonrpc\":\"2.0\",\"id\":\"a-1\",\"method\":\"tools/list\","
	      "\"params\":{\"cursor\":\"x\"}}", &rpc);
	cr_assert_eq(rpc.kind, LEJR_RPC_REQUEST);
	cr_expect_str_eq(rpc.method, "tools/list");
	cr_expect(json_is_string(rpc.id));
	cr_expect_str_eq(json_string_value(rpc.id), "a-1");
	cr_expect(json_is_object(rpc.params));
	lejr_rpc_clear(&rpc);

	parse("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"ping\"}", &rpc);
	cr_assert_eq(rpc.kind, LEJR_RPC_REQUEST);
	cr_expect(json_is_integer(rpc.id));
	cr_expect_eq(json_integer_value(rpc.id), 0);
	cr_expect_null(rpc.params);
	lejr_rpc_clear(&rpc);
}

Test(rpc, notifications_and_responses)
{
	struct lejr_rpc rpc;

	parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
	      &rpc);
	cr_expect_eq(rpc.kind, LEJR_RPC_NOTIFICATION);
	cr_expect_null(rpc.id);
	lejr_rpc_clear(&rpc);

	/* A notification method with an id is a request (C09 e). */
	parse("{\"jsonrpc\":\"2.0\",\"id\":7,"
	      "\"method\":\"notifications/initialized\"}", &rpc);
	cr_expect_eq(rpc.kind, LEJR_RPC_REQUEST);
	lejr_rpc_clear(&rpc);

	parse("{\"jsonrpc\":\"2.0\",\"id\":\"srv-1\",\"result\":{}}", &rpc);
	cr_expect_eq(rpc.kind, LEJR_RPC_RESPONSE);
	cr_expect_not(rpc.is_error);
	cr_expect(json_is_object(rpc.result));
	lejr_rpc_clear(&rpc);

	parse("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-1,"
	      "\"message\":\"no\"}}", &rpc);
	cr_expect_eq(rpc.kind, LEJR_RPC_RESPONSE);
	cr_expect(rpc.is_error);
	lejr_rpc_clear(&rpc);

	/* Bad params on a notification are ignored, never answered. */
	parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\","
	      "\"params\":[1]}", &rpc);
	cr_expect_eq(rpc.kind, LEJR_RPC_NOTIFICATION);
	cr_expect_null(rpc.params);
	lejr_rpc_clear(&rpc);
}

Test(rpc, parse_errors)
{
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":3,",
		       LEJR_RPC_PARSE_ERROR, 400);
	expect_invalid("", LEJR_RPC_PARSE_ERROR, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x",
		       LEJR_RPC_PARSE_ERROR, 400);
	/* Invalid UTF-8: a raw 0xFF, and the overlong form of "/". */
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"A\xff\"}",
		       LEJR_RPC_PARSE_ERROR, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xc0\xaf\"}",
		       LEJR_RPC_PARSE_ERROR, 400);
	/* Not JSON whatever lejr could hold: still a parse error. */
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"x\":\"a\\u0000\",",
		       LEJR_RPC_PARSE_ERROR, 400);
}

/* Valid JSON lejr does not hold (an escaped NUL, an integer past 64
 * bits) is answered to its id as invalid params. */
Test(rpc, unholdable_values_keep_the_id)
{
	static const char *const bodies[] = {
		"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
		"\"params\":{\"name\":\"t\",\"arguments\":{\"memo\":"
		"\"a\\u0000b\"}}}",
		"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
		"\"params\":{\"name\":\"t\",\"arguments\":{\"debit\":"
		"100000000000000000000}}}",
	};
	struct lejr_rpc rpc;

	for (size_t i = 0; i < 2; i++) {
		parse(bodies[i], &rpc);
		cr_expect_eq(rpc.kind, LEJR_RPC_INVALID);
		cr_expect_eq(rpc.code, LEJR_RPC_INVALID_PARAMS, "%zu", i);
		cr_expect_eq(rpc.http_status, 200);
		cr_expect(json_is_integer(rpc.id));
		cr_expect_eq(json_integer_value(rpc.id), 7);
		cr_expect(strstr(rpc.message, "no number past 64 bits") !=
			  NULL, "%s", rpc.message);
		lejr_rpc_clear(&rpc);
	}

	parse("{\"jsonrpc\":\"2.0\",\"id\":\"k\",\"method\":\"ping\","
	      "\"params\":{\"n\":-99999999999999999999}}", &rpc);
	cr_expect_eq(rpc.code, LEJR_RPC_INVALID_PARAMS);
	cr_expect_str_eq(json_string_value(rpc.id), "k");
	lejr_rpc_clear(&rpc);

	/* ids read exactly, however large */
	parse("{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,"
	      "\"method\":\"ping\",\"params\":{\"s\":\"\\u0000\","
	      "\"n\":1e400}}", &rpc);
	cr_expect_eq(rpc.code, LEJR_RPC_INVALID_PARAMS);
	cr_expect_eq(json_integer_value(rpc.id), INT64_C(9007199254740993));
	cr_expect_str_eq(rpc.message, "Invalid params: a string holds "
			 "\\u0000 (near byte 77); lejr takes no \\u0000 in "
			 "strings and no number past 64 bits");
	lejr_rpc_clear(&rpc);

	/* otherwise the message is judged as any other: an id that is
	 * too large, or a real, or no jsonrpc, is an invalid request */
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":100000000000000000000,"
		       "\"method\":\"ping\"}", LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1.0,\"method\":\"p\","
		       "\"params\":{\"s\":\"\\u0000\"}}",
		       LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("{\"id\":3,\"method\":\"p\",\"x\":\"\\u0000\"}",
		       LEJR_RPC_INVALID_REQUEST, 400);

	/* no id to answer (a notification, a response), an id holding
	 * the NUL, or not JSON after all: a parse error, as before */
	expect_invalid("{\"jsonrpc\":\"2.0\",\"method\":\"a\\u0000\"}",
		       LEJR_RPC_PARSE_ERROR, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":"
		       "{\"x\":\"\\u0000\"}}", LEJR_RPC_PARSE_ERROR, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":\"a\\u0000\","
		       "\"method\":\"ping\"}", LEJR_RPC_PARSE_ERROR, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"method\":\"a\\u0000\","
		       "\"id\":1,\"id\":2}", LEJR_RPC_PARSE_ERROR, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"n\":1e400,",
		       LEJR_RPC_PARSE_ERROR, 400);
}

Test(rpc, parse_error_id_is_null)
{
	struct lejr_rpc rpc;

	parse("{\"jsonrpc\":\"2.0\",\"id\":3,", &rpc);
	cr_expect_null(rpc.id);
	lejr_rpc_clear(&rpc);
}

Test(rpc, deep_nesting_is_refused)
{
	size_t n = 100000;
	char *text = malloc(2 * n + 1);
	struct lejr_rpc rpc;

	cr_assert_not_null(text);
	memset(text, '[', n);
	memset(text + n, ']', n);
	text[2 * n] = '\0';
	lejr_rpc_parse(text, 2 * n, &rpc);
	cr_expect_eq(rpc.kind, LEJR_RPC_INVALID);
	cr_expect_eq(rpc.code, LEJR_RPC_PARSE_ERROR);
	lejr_rpc_clear(&rpc);
	free(text);
}

Test(rpc, batches_are_refused_whole)
{
	struct lejr_rpc rpc;

	expect_invalid("[]", LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("[1,2]", LEJR_RPC_INVALID_REQUEST, 400);
	parse("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
	      "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}]",
	      &rpc);
	cr_expect_eq(rpc.kind, LEJR_RPC_INVALID);
	cr_expect_null(rpc.id);
	cr_expect_null(rpc.method);
	cr_expect(strstr(rpc.message, "batches are not supported") != NULL);
	lejr_rpc_clear(&rpc);
}

Test(rpc, invalid_requests)
{
	struct lejr_rpc rpc;

	expect_invalid("\"hello\"", LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("42", LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("null", LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("{\"jsonrpc\":\"1.0\",\"id\":5,\"method\":\"ping\"}",
		       LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("{\"id\":5,\"method\":\"ping\"}",
		       LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":7}",
		       LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
		       LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}",
		       LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},"
		       "\"error\":{}}", LEJR_RPC_INVALID_REQUEST, 400);
	expect_invalid("{\"jsonrpc\":\"2.0\",\"result\":{}}",
		       LEJR_RPC_INVALID_REQUEST, 400);

	/* No method: invalid, but the id is still answered. */
	parse("{\"jsonrpc\":\"2.0\",\"id\":4}", &rpc);
	cr_expect_eq(rpc.kind, LEJR_RPC_INVALID);
	cr_expect_eq(rpc.code, LEJR_RPC_INVALID_REQUEST);
	cr_expect_eq(json_integer_value(rpc.id), 4);
	lejr_rpc_clear(&rpc);
}

Test(rpc, duplicate_keys_are_invalid_requests)
{
	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"ping\","
		       "\"method\":\"tools/list\"}",
		       LEJR_RPC_INVALID_REQUEST, 400);
}

Test(rpc, params_must_be_an_object)
{
	struct lejr_rpc rpc;

	parse("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\","
	      "\"params\":[1]}", &rpc);
	cr_expect_eq(rpc.kind, LEJR_RPC_INVALID);
	cr_expect_eq(rpc.code, LEJR_RPC_INVALID_PARAMS);
	cr_expect_eq(rpc.http_status, 200);
	cr_expect_eq(json_integer_value(rpc.id), 9);
	lejr_rpc_clear(&rpc);

	expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"x\","
		       "\"params\":\"{}\"}", LEJR_RPC_INVALID_PARAMS, 200);
}

Test(rpc, answer_texts)
{
	json_t *sid = json_string("s1");
	json_t *zero = json_integer(0);
	size_t len = 0;
	char *t;

	t = lejr_rpc_result_text(sid, json_object(), &len);
	cr_assert_not_null(t);
	cr_expect_str_eq(t, "{\"jsonrpc\":\"2.0\",\"id\":\"s1\","
			 "\"result\":{}}");
	cr_expect_eq(len, strlen(t));
	free(t);

	t = lejr_rpc_result_text(zero, json_object(), &len);
	cr_expect_str_eq(t, "{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{}}");
	free(t);

	t = lejr_rpc_error_text(NULL, -32600, "no", NULL, &len);
	cr_expect_str_eq(t, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":"
			 "{\"code\":-32600,\"message\":\"no\"}}");
	free(t);

	/* A message that is not UTF-8 still gives a valid answer. */
	t = lejr_rpc_error_text(sid, -32602, "bad \xff", NULL, &len);
	cr_assert_not_null(t);
	cr_expect(strstr(t, "\"code\":-32602") != NULL);
	free(t);

	t = lejr_rpc_request_text(5, "elicitation/create", NULL, &len);
	cr_expect_str_eq(t, "{\"jsonrpc\":\"2.0\",\"id\":5,"
			 "\"method\":\"elicitation/create\"}");
	free(t);

	json_decref(sid);
	json_decref(zero);
}

/* The head of a response whose result is written as text: head, the
 * result's text and "}" make what lejr_rpc_result_text() writes. */
static void
assert_head(json_t *id)
{
	char *head, *whole, spliced[256];
	size_t len;

	head = lejr_rpc_result_head(id);
	cr_assert_not_null(head);
	snprintf(spliced, sizeof(spliced), "%s{\"a\":[1]}}", head);
	whole = lejr_rpc_result_text(id, json_pack("{s:[i]}", "a", 1), &len);
	cr_expect_str_eq(spliced, whole);
	free(head);
	free(whole);
}

Test(rpc, result_heads)
{
	json_t *ids[] = {
		json_integer(0), json_integer(-42),
		json_integer(9223372036854775807LL), json_string("s\"1\\"),
		json_string("\xc3\xa9t\xc3\xa9"),
	};

	assert_head(NULL);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_head(ids[i]);
		json_decref(ids[i]);
	}
}

Test(mcp, versions)
{
	cr_expect_eq(lejr_mcp_version_index("2025-11-25"), 0);
	cr_expect_eq(lejr_mcp_version_index("2025-06-18"), 1);
	cr_expect_eq(lejr_mcp_version_index("2025-03-26"), 2);
	cr_expect_eq(lejr_mcp_version_index("2024-11-05"), -1);
	cr_expect_eq(lejr_mcp_version_index("not-a-version"), -1);
	cr_expect_eq(lejr_mcp_version_index(NULL), -1);

	/* The client's revision when we speak it, else our newest. */
	cr_expect_eq(lejr_mcp_negotiate("2025-06-18"), 1);
	cr_expect_eq(lejr_mcp_negotiate("2099-01-01"), 0);
	cr_expect_eq(lejr_mcp_negotiate("2024-11-05"), 0);

	cr_expect(lejr_mcp_version_resumable(0));
	cr_expect_not(lejr_mcp_version_resumable(1));
	cr_expect_not(lejr_mcp_version_resumable(2));
}

Test(mcp, accept_policy)
{
	const int both = LEJR_ACCEPT_JSON | LEJR_ACCEPT_SSE;

	cr_expect_eq(lejr_mcp_accept("application/json, text/event-stream"),
		     both);
	cr_expect_eq(lejr_mcp_accept("text/event-stream, application/json"),
		     both);
	cr_expect_eq(lejr_mcp_accept("application/json"), LEJR_ACCEPT_JSON);
	cr_expect_eq(lejr_mcp_accept("*/*"), LEJR_ACCEPT_JSON);
	cr_expect_eq(lejr_mcp_accept(NULL), LEJR_ACCEPT_JSON);
	cr_expect_eq(lejr_mcp_accept(""), LEJR_ACCEPT_JSON);
	cr_expect_eq(lejr_mcp_accept("text/event-stream"), LEJR_ACCEPT_SSE);
	cr_expect_eq(lejr_mcp_accept("text/html"), 0);
	cr_expect_eq(lejr_mcp_accept("Application/JSON;q=0.9"),
		     LEJR_ACCEPT_JSON);
	cr_expect_eq(lejr_mcp_accept("application/json;q=0, "
				     "text/event-stream"), LEJR_ACCEPT_SSE);
	cr_expect_eq(lejr_mcp_accept("text/html, application/json;q=0"), 0);
}

Test(mcp, content_type)
{
	cr_expect(lejr_mcp_content_type_ok("application/json"));
	cr_expect(lejr_mcp_content_type_ok("application/json; charset=utf-8"));
	cr_expect(lejr_mcp_content_type_ok("Application/JSON"));
	cr_expect_not(lejr_mcp_content_type_ok("text/plain"));
	cr_expect_not(lejr_mcp_content_type_ok("application/jsonx"));
	cr_expect_not(lejr_mcp_content_type_ok(
		"application/x-www-form-urlencoded"));
	cr_expect_not(lejr_mcp_content_type_ok(NULL));
}

Test(mcp, log_levels)
{
	cr_expect_eq(lejr_mcp_log_level("debug"), 0);
	cr_expect_eq(lejr_mcp_log_level("warning"), 3);
	cr_expect_eq(lejr_mcp_log_level("emergency"), 7);
	cr_expect_eq(lejr_mcp_log_level("warn"), -1);
	cr_expect_eq(lejr_mcp_log_level("INFO"), -1);
	cr_expect_eq(lejr_mcp_log_level(NULL), -1);
	cr_expect_str_eq(lejr_mcp_log_level_name(4), "error");
}

Test(mcp, initialize_result)
{
	json_t *caps = json_pack("{s:{s:b}}", "tools", "listChanged", 0);
	json_t *res = lejr_mcp_initialize_result(1, caps);
	json_t *c;

	cr_assert_not_null(res);
	cr_expect_str_eq(json_string_value(json_object_get(res,
		"protocolVersion")), "2025-06-18");
	c = json_object_get(res, "capabilities");
	cr_expect(json_is_object(json_object_get(c, "logging")));
	cr_expect(json_is_object(json_object_get(c, "tools")));
	cr_expect_null(json_object_get(c, "prompts"));
	cr_expect_str_eq(json_string_value(json_object_get(
		json_object_get(res, "serverInfo"), "name")), "lejrd");
	cr_expect(json_is_string(json_object_get(json_object_get(res,
		"serverInfo"), "version")));
	cr_expect(json_is_string(json_object_get(res, "instructions")));
	json_decref(res);
}

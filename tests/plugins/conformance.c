/*
 * conformance.c - a test-only plugin holding the fixtures that the
 * official MCP conformance suite (@modelcontextprotocol/conformance)
 * calls by name: the test_* tools, the test:// resources and template,
 * the test_* prompts and their completion.
 *
 * It touches no ledger: every tool is a read tool outside any
 * organization.  Its answers are the suite's own expectations, so that
 * the suite, run by tests/conformance.sh against a real lejrd, checks
 * the core's MCP transport and runtime rather than this file.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <lejr/plugin.h>

/* The suite's test data: a 1x1 PNG and a header-only WAV, base64. */
#define CONF_PNG \
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHw" \
	"AFBQIAX8jx0gAAAABJRU5ErkJggg=="
#define CONF_WAV \
	"UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA="

#define CONF_NO_ARGS "{\"type\":\"object\",\"properties\":{}}"

/* Pause between the notifications of one call, as a real slow tool
 * would, so that they reach the client as separate events. */
#define CONF_STEP_MS 50

/* The last member of struct lejr_api this plugin calls. */
#define CONF_API_NEEDED \
	(offsetof(struct lejr_api, register_prompt) \
	 + sizeof(((struct lejr_api *)0)->register_prompt))

static const struct lejr_api *conf_api;

/* ---- content blocks ---- */

static json_t *
conf_text(const char *text)
{
	return json_pack("{s:s, s:s}", "type", "text", "text", text);
}

static json_t *
conf_image(void)
{
	return json_pack("{s:s, s:s, s:s}", "type", "image",
			 "data", CONF_PNG, "mimeType", "image/png");
}

static json_t *
conf_embedded(const char *uri, const char *mime, const char *text)
{
	return json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "resource",
			 "resource", "uri", uri, "mimeType", mime,
			 "text", text);
}

/*
 * Finish a tool call whose answer is content (a new array, or NULL when
 * building it ran out of memory).  The structured result says how many
 * blocks were sent; the client sees the blocks themselves.
 */
static int
conf_answer(struct lejr_call *call, json_t *content, json_t **result)
{
	if (content == NULL)
		return conf_api->fail(call, LEJR_EINTERNAL, "out of memory");

	*result = json_pack("{s:I}", "blocks",
			    (json_int_t)json_array_size(content));
	if (*result == NULL) {
		json_decref(content);
		return conf_api->fail(call, LEJR_EINTERNAL, "out of memory");
	}

	conf_api->set_content(call, content);
	return LEJR_OK;
}

/* Answer with one text block. */
static int
conf_answer_text(struct lejr_call *call, const char *text, json_t **result)
{
	return conf_answer(call, json_pack("[o]", conf_text(text)), result);
}

static void
conf_pause(void)
{
	struct timespec ts = { 0, CONF_STEP_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- tools with plain content ---- */

static int
conf_simple_text(struct lejr_call *call, json_t *args, json_t **result)
{
	return conf_answer_text(call,
				"This is a simple text response for testing.",
				result);
}

static int
conf_image_content(struct lejr_call *call, json_t *args, json_t **result)
{
	return conf_answer(call, json_pack("[o]", conf_image()), result);
}

static int
conf_audio_content(struct lejr_call *call, json_t *args, json_t **result)
{
	json_t *content;

	content = json_pack("[{s:s, s:s, s:s}]", "type", "audio",
			    "data", CONF_WAV, "mimeType", "audio/wav");
	return conf_answer(call, content, result);
}

static int
conf_embedded_resource(struct lejr_call *call, json_t *args,
		       json_t **result)
{
	json_t *content;

	content = json_pack("[o]",
			    conf_embedded("test://embedded-resource",
					  "text/plain",
					  "This is an embedded resource "
					  "content."));
	return conf_answer(call, content, result);
}

static int
conf_mixed_content(struct lejr_call *call, json_t *args, json_t **result)
{
	json_t *content;

	content = json_pack("[o, o, o]",
			    conf_text("Multiple content types test:"),
			    conf_image(),
			    conf_embedded("test://mixed-content-resource",
					  "application/json",
					  "{\"test\":\"data\",\"value\":123}"));
	return conf_answer(call, content, result);
}

static int
conf_error_handling(struct lejr_call *call, json_t *args, json_t **result)
{
	return conf_api->fail(call, LEJR_EINVAL, "This tool intentionally "
			      "returns an error for testing");
}

/* The suite's SSE polling scenario (SEP-1699) wants the transport to
 * close the stream before the result; a plugin cannot ask for that, so
 * this answers on the ordinary stream. */
static int
conf_reconnection(struct lejr_call *call, json_t *args, json_t **result)
{
	return conf_answer_text(call, "Reconnection test completed "
				"successfully.", result);
}

/* ---- tools that talk to the client while they run ---- */

static int
conf_with_logging(struct lejr_call *call, json_t *args, json_t **result)
{
	static const char *const lines[] = {
		"Tool execution started",
		"Tool processing data",
		"Tool execution completed"
	};
	json_t *data;
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (i > 0)
			conf_pause();

		data = json_string(lines[i]);
		if (data == NULL)
			return conf_api->fail(call, LEJR_EINTERNAL,
					      "out of memory");
		conf_api->notify_log(call, "info", "conformance", data);
		json_decref(data);
	}

	return conf_answer_text(call, "Tool with logging executed "
				"successfully", result);
}

static int
conf_with_progress(struct lejr_call *call, json_t *args, json_t **result)
{
	char msg[64];
	int step;

	for (step = 0; step <= 100; step += 50) {
		if (step > 0)
			conf_pause();

		snprintf(msg, sizeof(msg), "Completed step %d of 100", step);
		conf_api->progress(call, step, 100, msg);
	}

	return conf_answer_text(call, "Progress tool completed 3 steps",
				result);
}

/* The text of a sampling answer's content: one block, or an array of
 * blocks of which the first text one counts. */
static const char *
conf_sampled_text(json_t *answer)
{
	json_t *content, *block;
	size_t i;

	content = json_object_get(answer, "content");
	if (json_is_object(content))
		return json_string_value(json_object_get(content, "text"));

	json_array_foreach(content, i, block) {
		if (json_is_string(json_object_get(block, "text")))
			return json_string_value(json_object_get(block,
								 "text"));
	}
	return NULL;
}

static int
conf_sampling(struct lejr_call *call, json_t *args, json_t **result)
{
	json_t *params, *answer, *text;
	const char *prompt, *reply;
	int rc;

	answer = NULL;
	prompt = json_string_value(json_object_get(args, "prompt"));
	params = json_pack("{s:[{s:s, s:{s:s, s:s}}], s:i}",
			   "messages", "role", "user", "content",
			   "type", "text", "text", prompt ? prompt : "",
			   "maxTokens", 100);
	if (params == NULL)
		return conf_api->fail(call, LEJR_EINTERNAL, "out of memory");

	rc = conf_api->client_request(call, "sampling/createMessage", params,
				      &answer);
	json_decref(params);
	if (rc != LEJR_OK)
		return conf_api->fail(call, rc, "sampling failed (status %d)",
				      rc);

	reply = conf_sampled_text(answer);
	text = json_sprintf("LLM response: %s", reply ? reply : "");
	json_decref(answer);
	if (text == NULL)
		return conf_api->fail(call, LEJR_EINTERNAL, "out of memory");

	rc = conf_answer(call, json_pack("[o]", conf_text(
				 json_string_value(text))), result);
	json_decref(text);
	return rc;
}

/* ---- elicitation ---- */

static const char conf_elicit_user[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"username\":{\"type\":\"string\","
	"\"description\":\"User's response\"},"
	"\"email\":{\"type\":\"string\","
	"\"description\":\"User's email address\"}},"
	"\"required\":[\"username\",\"email\"]}";

/* SEP-1034: a default for every primitive type. */
static const char conf_elicit_defaults[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"name\":{\"type\":\"string\",\"description\":\"User name\","
	"\"default\":\"John Doe\"},"
	"\"age\":{\"type\":\"integer\",\"description\":\"User age\","
	"\"default\":30},"
	"\"score\":{\"type\":\"number\",\"description\":\"User score\","
	"\"default\":95.5},"
	"\"status\":{\"type\":\"string\",\"description\":\"User status\","
	"\"enum\":[\"active\",\"inactive\",\"pending\"],"
	"\"default\":\"active\"},"
	"\"verified\":{\"type\":\"boolean\","
	"\"description\":\"Verification status\",\"default\":true}},"
	"\"required\":[]}";

/* SEP-1330: single and multiple choice, with and without titles, and
 * the legacy enumNames form. */
static const char conf_elicit_enums[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"untitledSingle\":{\"type\":\"string\","
	"\"description\":\"Select one option\","
	"\"enum\":[\"option1\",\"option2\",\"option3\"]},"
	"\"titledSingle\":{\"type\":\"string\","
	"\"description\":\"Select one option with titles\",\"oneOf\":["
	"{\"const\":\"value1\",\"title\":\"First Option\"},"
	"{\"const\":\"value2\",\"title\":\"Second Option\"},"
	"{\"const\":\"value3\",\"title\":\"Third Option\"}]},"
	"\"legacyEnum\":{\"type\":\"string\","
	"\"description\":\"Select one option (legacy)\","
	"\"enum\":[\"opt1\",\"opt2\",\"opt3\"],"
	"\"enumNames\":[\"Option One\",\"Option Two\",\"Option Three\"]},"
	"\"untitledMulti\":{\"type\":\"array\","
	"\"description\":\"Select multiple options\","
	"\"minItems\":1,\"maxItems\":3,\"items\":{\"type\":\"string\","
	"\"enum\":[\"option1\",\"option2\",\"option3\"]}},"
	"\"titledMulti\":{\"type\":\"array\","
	"\"description\":\"Select multiple options with titles\","
	"\"minItems\":1,\"maxItems\":3,\"items\":{\"anyOf\":["
	"{\"const\":\"value1\",\"title\":\"First Choice\"},"
	"{\"const\":\"value2\",\"title\":\"Second Choice\"},"
	"{\"const\":\"value3\",\"title\":\"Third Choice\"}]}}},"
	"\"required\":[]}";

/*
 * Ask the client with schema_text, then answer "<lead>: action=...,
 * content=<the answered object as compact JSON, {} when none>".
 */
static int
conf_elicit(struct lejr_call *call, const char *message,
	    const char *schema_text, const char *lead, json_t **result)
{
	json_t *schema, *content, *text;
	const char *action;
	char *dump;
	int rc;

	content = NULL;
	text = NULL;
	dump = NULL;
	action = NULL;

	schema = json_loads(schema_text, 0, NULL);
	if (schema == NULL) {
		rc = conf_api->fail(call, LEJR_EINTERNAL, "bad schema text");
		goto out;
	}

	rc = conf_api->elicit(call, message, schema, &action, &content);
	if (rc != LEJR_OK) {
		rc = conf_api->fail(call, rc, "elicitation failed "
				    "(status %d)", rc);
		goto out;
	}

	dump = content ? json_dumps(content, JSON_COMPACT) : NULL;
	text = json_sprintf("%s: action=%s, content=%s", lead,
			    action ? action : "", dump ? dump : "{}");
	if (text == NULL) {
		rc = conf_api->fail(call, LEJR_EINTERNAL, "out of memory");
		goto out;
	}

	rc = conf_answer(call, json_pack("[o]", conf_text(
				 json_string_value(text))), result);

out:
	free(dump);
	json_decref(text);
	json_decref(content);
	json_decref(schema);
	return rc;
}

static int
conf_elicitation(struct lejr_call *call, json_t *args, json_t **result)
{
	const char *message;

	message = json_string_value(json_object_get(args, "message"));
	return conf_elicit(call, message ? message : "", conf_elicit_user,
			   "User response", result);
}

static int
conf_elicitation_defaults(struct lejr_call *call, json_t *args,
			  json_t **result)
{
	return conf_elicit(call, "Please review and update the form fields "
			   "with defaults", conf_elicit_defaults,
			   "Elicitation completed", result);
}

static int
conf_elicitation_enums(struct lejr_call *call, json_t *args,
		       json_t **result)
{
	return conf_elicit(call, "Please select options from the enum "
			   "fields", conf_elicit_enums,
			   "Elicitation completed", result);
}

/* ---- the tool table ---- */

/* A tool without arguments; an idempotent one always answers the
 * same, the others depend on what the client or the user replies. */
#define CONF_TOOL_ANNOT(n, d, fn, annot) \
	{ .name = (n), .description = (d), .input_schema = CONF_NO_ARGS, \
	  .access = LEJR_ACCESS_READ, .flags = LEJR_TOOL_NO_ORG, \
	  .annotations = LEJR_ANNOT_READ_ONLY | (annot), .handler = (fn) }
#define CONF_TOOL(n, d, fn) \
	CONF_TOOL_ANNOT(n, d, fn, LEJR_ANNOT_IDEMPOTENT)

static const struct lejr_tool conf_tools[] = {
	CONF_TOOL("test_simple_text", "Tests simple text content response",
		  conf_simple_text),
	CONF_TOOL("test_image_content", "Tests image content response",
		  conf_image_content),
	CONF_TOOL("test_audio_content", "Tests audio content response",
		  conf_audio_content),
	CONF_TOOL("test_embedded_resource",
		  "Tests embedded resource content response",
		  conf_embedded_resource),
	CONF_TOOL("test_multiple_content_types",
		  "Tests response with multiple content types (text, image, "
		  "resource)", conf_mixed_content),
	CONF_TOOL("test_tool_with_logging",
		  "Tests tool that emits log messages during execution",
		  conf_with_logging),
	CONF_TOOL("test_tool_with_progress",
		  "Tests tool that reports progress notifications",
		  conf_with_progress),
	CONF_TOOL("test_error_handling", "Tests error response handling",
		  conf_error_handling),
	{
		.name = "test_sampling",
		.description = "Tests server-initiated sampling (LLM "
			       "completion request)",
		.input_schema = "{\"type\":\"object\",\"properties\":{"
				"\"prompt\":{\"type\":\"string\","
				"\"description\":\"The prompt to send to "
				"the LLM\"}},\"required\":[\"prompt\"]}",
		.access = LEJR_ACCESS_READ,
		.flags = LEJR_TOOL_NO_ORG,
		/* the answer comes from whatever model the client asks */
		.annotations = LEJR_ANNOT_READ_ONLY | LEJR_ANNOT_OPEN_WORLD,
		.handler = conf_sampling
	},
	{
		.name = "test_elicitation",
		.description = "Tests server-initiated elicitation (user "
			       "input request)",
		.input_schema = "{\"type\":\"object\",\"properties\":{"
				"\"message\":{\"type\":\"string\","
				"\"description\":\"The message to show the "
				"user\"}},\"required\":[\"message\"]}",
		.access = LEJR_ACCESS_READ,
		.flags = LEJR_TOOL_NO_ORG,
		.annotations = LEJR_ANNOT_READ_ONLY,
		.handler = conf_elicitation
	},
	CONF_TOOL_ANNOT("test_elicitation_sep1034_defaults",
			"Tests elicitation with default values per SEP-1034",
			conf_elicitation_defaults, 0),
	CONF_TOOL_ANNOT("test_elicitation_sep1330_enums",
			"Tests elicitation with enum schema improvements per "
			"SEP-1330", conf_elicitation_enums, 0),
	CONF_TOOL("test_reconnection",
		  "Tests SSE stream disconnection and client reconnection "
		  "(SEP-1699)", conf_reconnection),
};

/* ---- completion ---- */

struct conf_choice {
	const char *argument;
	const char *value;
};

/* Candidate values per argument name, shared by every prompt and the
 * template (their argument names do not clash). */
static const struct conf_choice conf_choices[] = {
	{ "arg1", "testValue1" },
	{ "arg1", "testValue2" },
	{ "arg1", "sampleValue" },
	{ "arg2", "testValue1" },
	{ "arg2", "testValue2" },
	{ "arg2", "otherValue" },
	{ "resourceUri", "test://static-text" },
	{ "resourceUri", "test://static-binary" },
	{ "resourceUri", "test://example-resource" },
	{ "id", "1" },
	{ "id", "2" },
	{ "id", "123" },
};

/* The candidates for argument that start with value. */
static int
conf_complete(struct lejr_call *call, const char *argument,
	      const char *value, json_t *context, json_t **values)
{
	const struct conf_choice *c;
	size_t i, n;

	*values = json_array();
	if (*values == NULL)
		return conf_api->fail(call, LEJR_EINTERNAL, "out of memory");

	n = value ? strlen(value) : 0;
	for (i = 0; i < sizeof(conf_choices) / sizeof(conf_choices[0]); i++) {
		c = &conf_choices[i];
		if (strcmp(c->argument, argument) != 0
		    || strncmp(c->value, value ? value : "", n) != 0)
			continue;
		if (json_array_append_new(*values, json_string(c->value))) {
			json_decref(*values);
			*values = NULL;
			return conf_api->fail(call, LEJR_EINTERNAL,
					      "out of memory");
		}
	}
	return LEJR_OK;
}

/* ---- resources ---- */

/* One resource contents array of a single block. */
static int
conf_contents(struct lejr_call *call, const char *uri, const char *mime,
	      const char *key, const char *value, json_t **contents)
{
	*contents = json_pack("[{s:s, s:s, s:s}]", "uri", uri,
			      "mimeType", mime, key, value);
	if (*contents == NULL)
		return conf_api->fail(call, LEJR_EINTERNAL, "out of memory");
	return LEJR_OK;
}

static int
conf_read_text(struct lejr_call *call, const char *uri, json_t **contents)
{
	return conf_contents(call, uri, "text/plain", "text",
			     "This is the content of the static text "
			     "resource.", contents);
}

static int
conf_read_binary(struct lejr_call *call, const char *uri,
		 json_t **contents)
{
	return conf_contents(call, uri, "image/png", "blob", CONF_PNG,
			     contents);
}

static int
conf_read_watched(struct lejr_call *call, const char *uri,
		  json_t **contents)
{
	return conf_contents(call, uri, "text/plain", "text",
			     "Watched resource content", contents);
}

#define CONF_TEMPLATE_HEAD "test://template/"
#define CONF_TEMPLATE_TAIL "/data"

/* test://template/{id}/data: {id} is one non-empty path segment. */
static int
conf_read_template(struct lejr_call *call, const char *uri,
		   json_t **contents)
{
	size_t head, tail, len, n;
	const char *id;
	json_t *data;
	char *text;
	int rc;

	head = strlen(CONF_TEMPLATE_HEAD);
	tail = strlen(CONF_TEMPLATE_TAIL);
	len = strlen(uri);
	if (len <= head + tail
	    || strncmp(uri, CONF_TEMPLATE_HEAD, head) != 0
	    || strcmp(uri + len - tail, CONF_TEMPLATE_TAIL) != 0)
		return conf_api->fail(call, LEJR_ENOTFOUND,
				      "no such resource: %s", uri);

	id = uri + head;
	n = len - head - tail;
	if (memchr(id, '/', n) != NULL)
		return conf_api->fail(call, LEJR_ENOTFOUND,
				      "no such resource: %s", uri);

	data = json_pack("{s:s%, s:b, s:o}", "id", id, n,
			 "templateTest", 1, "data",
			 json_sprintf("Data for ID: %.*s", (int)n, id));
	text = data ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	if (text == NULL)
		return conf_api->fail(call, LEJR_EINTERNAL, "out of memory");

	rc = conf_contents(call, uri, "application/json", "text", text,
			   contents);
	free(text);
	return rc;
}

static const struct lejr_resource conf_resources[] = {
	{
		.uri = "test://static-text",
		.name = "static-text",
		.title = "Static Text Resource",
		.description = "A static text resource for testing",
		.mime_type = "text/plain",
		.read = conf_read_text
	},
	{
		.uri = "test://static-binary",
		.name = "static-binary",
		.title = "Static Binary Resource",
		.description = "A static binary resource (image) for testing",
		.mime_type = "image/png",
		.read = conf_read_binary
	},
	{
		.uri = "test://watched-resource",
		.name = "watched-resource",
		.title = "Watched Resource",
		.description = "A resource clients may subscribe to",
		.mime_type = "text/plain",
		.flags = LEJR_RESOURCE_SUBSCRIBABLE,
		.read = conf_read_watched
	},
	{
		.uri = CONF_TEMPLATE_HEAD "{id}" CONF_TEMPLATE_TAIL,
		.name = "template",
		.title = "Resource Template",
		.description = "A resource template with parameter "
			       "substitution",
		.mime_type = "application/json",
		.flags = LEJR_RESOURCE_TEMPLATE,
		.read = conf_read_template,
		.complete = conf_complete
	},
};

/* ---- prompts ---- */

/* {"messages": [...]} from message objects (new references). */
static int
conf_messages(struct lejr_call *call, json_t *messages, json_t **result)
{
	if (messages == NULL)
		return conf_api->fail(call, LEJR_EINTERNAL, "out of memory");

	*result = json_pack("{s:o}", "messages", messages);
	if (*result == NULL)
		return conf_api->fail(call, LEJR_EINTERNAL, "out of memory");
	return LEJR_OK;
}

/* A user message holding content block (stolen). */
static json_t *
conf_user(json_t *block)
{
	return json_pack("{s:s, s:o}", "role", "user", "content", block);
}

/* A prompt argument, which must be a string. */
static const char *
conf_prompt_arg(json_t *args, const char *name)
{
	return json_string_value(json_object_get(args, name));
}

static int
conf_simple_prompt(struct lejr_call *call, json_t *args, json_t **result)
{
	json_t *messages;

	messages = json_pack("[o]", conf_user(conf_text(
				     "This is a simple prompt for testing.")));
	return conf_messages(call, messages, result);
}

static int
conf_prompt_with_arguments(struct lejr_call *call, json_t *args,
			   json_t **result)
{
	const char *arg1, *arg2;
	json_t *text;
	int rc;

	arg1 = conf_prompt_arg(args, "arg1");
	arg2 = conf_prompt_arg(args, "arg2");
	if (arg1 == NULL || arg2 == NULL)
		return conf_api->fail(call, LEJR_EINVAL,
				      "arg1 and arg2 are required strings");

	text = json_sprintf("Prompt with arguments: arg1='%s', arg2='%s'",
			    arg1, arg2);
	if (text == NULL)
		return conf_api->fail(call, LEJR_EINTERNAL, "out of memory");

	rc = conf_messages(call, json_pack("[o]", conf_user(conf_text(
					json_string_value(text)))), result);
	json_decref(text);
	return rc;
}

static int
conf_prompt_with_resource(struct lejr_call *call, json_t *args,
			  json_t **result)
{
	const char *uri;
	json_t *messages;

	uri = conf_prompt_arg(args, "resourceUri");
	if (uri == NULL)
		return conf_api->fail(call, LEJR_EINVAL,
				      "resourceUri is a required string");

	messages = json_pack("[o, o]",
			     conf_user(conf_embedded(uri, "text/plain",
					"Embedded resource content for "
					"testing.")),
			     conf_user(conf_text("Please process the "
					"embedded resource above.")));
	return conf_messages(call, messages, result);
}

static int
conf_prompt_with_image(struct lejr_call *call, json_t *args,
		       json_t **result)
{
	json_t *messages;

	messages = json_pack("[o, o]", conf_user(conf_image()),
			     conf_user(conf_text("Please analyze the image "
						 "above.")));
	return conf_messages(call, messages, result);
}

static const struct lejr_prompt conf_prompts[] = {
	{
		.name = "test_simple_prompt",
		.title = "Simple Test Prompt",
		.description = "A simple prompt without arguments",
		.get = conf_simple_prompt
	},
	{
		.name = "test_prompt_with_arguments",
		.title = "Prompt With Arguments",
		.description = "A prompt with required arguments",
		.arguments = "[{\"name\":\"arg1\","
			     "\"description\":\"First test argument\","
			     "\"required\":true},"
			     "{\"name\":\"arg2\","
			     "\"description\":\"Second test argument\","
			     "\"required\":true}]",
		.get = conf_prompt_with_arguments,
		.complete = conf_complete
	},
	{
		.name = "test_prompt_with_embedded_resource",
		.title = "Prompt With Embedded Resource",
		.description = "A prompt that includes an embedded resource",
		.arguments = "[{\"name\":\"resourceUri\","
			     "\"description\":\"URI of the resource to "
			     "embed\",\"required\":true}]",
		.get = conf_prompt_with_resource,
		.complete = conf_complete
	},
	{
		.name = "test_prompt_with_image",
		.title = "Prompt With Image",
		.description = "A prompt that includes image content",
		.get = conf_prompt_with_image
	},
};

/* ---- entry point ---- */

#define CONF_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int
conf_init(struct lejr_plugin *self, const struct lejr_api *api)
{
	size_t i;
	int rc;

	if (api->abi_version >> 16 != LEJR_ABI_MAJOR
	    || api->size < CONF_API_NEEDED)
		return LEJR_ENOTSUP;
	conf_api = api;

	for (i = 0; i < CONF_COUNT(conf_tools); i++) {
		rc = api->register_tool(self, &conf_tools[i]);
		if (rc != LEJR_OK) {
			api->log(self, LEJR_LOG_ERROR, "tool %s refused "
				 "(status %d)", conf_tools[i].name, rc);
			return rc;
		}
	}

	for (i = 0; i < CONF_COUNT(conf_resources); i++) {
		rc = api->register_resource(self, &conf_resources[i]);
		if (rc != LEJR_OK) {
			api->log(self, LEJR_LOG_ERROR, "resource %s refused "
				 "(status %d)", conf_resources[i].uri, rc);
			return rc;
		}
	}

	for (i = 0; i < CONF_COUNT(conf_prompts); i++) {
		rc = api->register_prompt(self, &conf_prompts[i]);
		if (rc != LEJR_OK) {
			api->log(self, LEJR_LOG_ERROR, "prompt %s refused "
				 "(status %d)", conf_prompts[i].name, rc);
			return rc;
		}
	}
	return LEJR_OK;
}

const struct lejr_plugin_desc *
lejr_plugin_entry(void)
{
	static const struct lejr_plugin_desc desc = {
		.abi_version = LEJR_ABI_VERSION,
		.name = "conformance",
		.version = "1.0",
		.description = "MCP conformance suite fixtures (tests only)",
		.init = conf_init,
	};

	return &desc;
}

/*
 * registry.c - the tools, resources and prompts plugins register, and
 * the MCP list methods that offer them.
 *
 * A plugin's registrations are staged during its init() and join the
 * runtime's registry only when init() succeeds, so a refused plugin
 * leaves nothing behind.  Everything is read-only once the server runs,
 * which lets worker threads read the registry without locks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonschema.h"
#include "log.h"
#include "runtime-internal.h"

#define TOOL_NAME_MAX 64

/* ---- vectors ---- */

int
lejr_vec_push(struct lejr_vec *v, void *item)
{
	void **items;
	size_t cap;

	if (v->n == v->cap) {
		cap = v->cap ? v->cap * 2 : 8;
		items = realloc(v->items, cap * sizeof(*items));
		if (items == NULL)
			return -1;
		v->items = items;
		v->cap = cap;
	}
	v->items[v->n++] = item;
	return 0;
}

void
lejr_vec_free(struct lejr_vec *v)
{
	free(v->items);
	v->items = NULL;
	v->n = v->cap = 0;
}

/* ---- freeing entries ---- */

static void
tool_free(struct lejr_tool_entry *e)
{
	if (e == NULL)
		return;
	free((char *)e->tool.name);
	free((char *)e->tool.title);
	free((char *)e->tool.description);
	free((char *)e->tool.input_schema);
	free((char *)e->tool.output_schema);
	json_decref(e->input);
	json_decref(e->output);
	json_decref(e->offered);
	json_decref(e->listed);
	lejr_validator_free(e->check_in);
	lejr_validator_free(e->check_out);
	free(e);
}

static void
resource_free(struct lejr_resource_entry *e)
{
	if (e == NULL)
		return;
	free((char *)e->res.uri);
	free((char *)e->res.name);
	free((char *)e->res.title);
	free((char *)e->res.description);
	free((char *)e->res.mime_type);
	free(e);
}

static void
prompt_free(struct lejr_prompt_entry *e)
{
	if (e == NULL)
		return;
	free((char *)e->prompt.name);
	free((char *)e->prompt.title);
	free((char *)e->prompt.description);
	free((char *)e->prompt.arguments);
	json_decref(e->arguments);
	free(e);
}

void
lejr_registry_free(struct lejr_registry *reg)
{
	for (size_t i = 0; i < reg->tools.n; i++)
		tool_free(reg->tools.items[i]);
	for (size_t i = 0; i < reg->resources.n; i++)
		resource_free(reg->resources.items[i]);
	for (size_t i = 0; i < reg->prompts.n; i++)
		prompt_free(reg->prompts.items[i]);
	lejr_vec_free(&reg->tools);
	lejr_vec_free(&reg->resources);
	lejr_vec_free(&reg->prompts);
}

/* ---- helpers for registration ---- */

__attribute__((format(printf, 3, 4)))
static int
refuse(struct lejr_plugin *p, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lejr_logv(LEJR_LOG_ERROR, p->name, fmt, ap);
	va_end(ap);
	return status;
}

/* strdup() that keeps NULL; *failed is set when memory runs out. */
static char *
dup_or_null(const char *s, int *failed)
{
	char *copy;

	if (s == NULL)
		return NULL;
	copy = strdup(s);
	if (copy == NULL)
		*failed = 1;
	return copy;
}

static int
tool_name_valid(const char *name)
{
	size_t n;

	if (name == NULL)
		return 0;
	n = strlen(name);
	if (n == 0 || n > TOOL_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	return 1;
}

static struct lejr_tool_entry *
find_tool(struct lejr_registry *reg, const char *name)
{
	for (size_t i = 0; i < reg->tools.n; i++) {
		struct lejr_tool_entry *e = reg->tools.items[i];

		if (strcmp(e->tool.name, name) == 0)
			return e;
	}
	return NULL;
}

static struct lejr_resource_entry *
find_resource(struct lejr_registry *reg, const char *uri)
{
	for (size_t i = 0; i < reg->resources.n; i++) {
		struct lejr_resource_entry *e = reg->resources.items[i];

		if (strcmp(e->res.uri, uri) == 0)
			return e;
	}
	return NULL;
}

static struct lejr_prompt_entry *
find_prompt(struct lejr_registry *reg, const char *name)
{
	for (size_t i = 0; i < reg->prompts.n; i++) {
		struct lejr_prompt_entry *e = reg->prompts.items[i];

		if (strcmp(e->prompt.name, name) == 0)
			return e;
	}
	return NULL;
}

/* Parse and check a tool's schema text: an object schema. */
static json_t *
schema_load(struct lejr_plugin *p, const char *tool, const char *which,
	    const char *text)
{
	json_error_t jerr;
	char msg[300];
	json_t *schema;

	schema = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (schema == NULL) {
		refuse(p, LEJR_EINVAL, "tool %s: %s schema is not JSON: %s "
		       "(line %d)", tool, which, jerr.text, jerr.line);
		return NULL;
	}
	if (!json_is_object(schema) ||
	    !json_is_string(json_object_get(schema, "type")) ||
	    strcmp(json_string_value(json_object_get(schema, "type")),
		   "object") != 0) {
		refuse(p, LEJR_EINVAL, "tool %s: %s schema must be of type "
		       "\"object\"", tool, which);
		goto err;
	}
	if (lejr_schema_check(schema, msg, sizeof(msg)) != 0) {
		refuse(p, LEJR_EINVAL, "tool %s: %s schema: %s", tool, which,
		       msg);
		goto err;
	}
	return schema;

err:
	json_decref(schema);
	return NULL;
}

/* ---- tools ---- */

/* The input schema as offered: the plugin's, plus the arguments the
 * core itself reads. */
static json_t *
offered_schema(const struct lejr_tool_entry *e)
{
	json_t *schema, *props;

	schema = json_deep_copy(e->input);
	if (schema == NULL)
		return NULL;
	props = json_object_get(schema, "properties");
	if (props == NULL) {
		props = json_object();
		json_object_set_new(schema, "properties", props);
	}

	if (!(e->tool.flags & LEJR_TOOL_NO_ORG))
		json_object_set_new(props, "organization", json_pack(
			"{s:s, s:s}", "type", "string", "description",
			"The organization's slug (see list_organizations). "
			"Required when this connection reaches several "
			"organizations."));

	if (e->tool.access == LEJR_ACCESS_WRITE &&
	    !(e->tool.flags & LEJR_TOOL_NO_ORG))
		json_object_set_new(props, "idempotency_key", json_pack(
			"{s:s, s:i, s:i, s:s}", "type", "string",
			"minLength", 1, "maxLength", LEJR_IDEM_KEY_MAX,
			"description", "Any unique text. Repeating a call "
			"with the same key and arguments returns the first "
			"result instead of doing the work twice."));
	return schema;
}

/* The tools/list item. */
static json_t *
listed_tool(const struct lejr_tool_entry *e)
{
	const struct lejr_tool *t = &e->tool;
	int read = t->access == LEJR_ACCESS_READ;
	json_t *item;

	item = json_pack("{s:s, s:s, s:s, s:O, s:{s:s, s:b, s:b, s:b, s:b}}",
			 "name", t->name,
			 "title", t->title,
			 "description", t->description,
			 "inputSchema", e->offered,
			 "annotations",
			 "title", t->title,
			 "readOnlyHint", read,
			 "destructiveHint",
			 !read && (t->annotations & LEJR_ANNOT_DESTRUCTIVE),
			 "idempotentHint",
			 (t->annotations & LEJR_ANNOT_IDEMPOTENT) != 0,
			 "openWorldHint",
			 (t->annotations & LEJR_ANNOT_OPEN_WORLD) != 0);
	if (item != NULL && e->output != NULL)
		json_object_set(item, "outputSchema", e->output);
	return item;
}

/* Check what a plugin declares about a tool, apart from its schemas. */
static int
tool_check(struct lejr_plugin *p, const struct lejr_tool *t)
{
	struct lejr_runtime *rt = p->rt;

	if (!tool_name_valid(t->name))
		return refuse(p, LEJR_EINVAL, "tool name \"%s\" must be 1 to "
			      "%d of [a-z0-9_]", t->name ? t->name : "(null)",
			      TOOL_NAME_MAX);
	if (t->description == NULL || t->description[0] == '\0')
		return refuse(p, LEJR_EINVAL, "tool %s has no description",
			      t->name);
	if (t->input_schema == NULL)
		return refuse(p, LEJR_EINVAL, "tool %s has no input schema",
			      t->name);
	if (t->access != LEJR_ACCESS_READ && t->access != LEJR_ACCESS_WRITE)
		return refuse(p, LEJR_EINVAL, "tool %s: access must be "
			      "LEJR_ACCESS_READ or LEJR_ACCESS_WRITE",
			      t->name);
	if (t->handler == NULL)
		return refuse(p, LEJR_EINVAL, "tool %s has no handler",
			      t->name);
	if (find_tool(&rt->reg, t->name) != NULL ||
	    find_tool(&p->staged, t->name) != NULL)
		return refuse(p, LEJR_ECONFLICT, "tool %s is already "
			      "registered", t->name);

	if (((t->annotations & LEJR_ANNOT_READ_ONLY) != 0) !=
	    (t->access == LEJR_ACCESS_READ))
		lejr_log(LEJR_LOG_WARN, "%s: tool %s: readOnlyHint follows "
			 "its access, not its annotations", p->name, t->name);
	return LEJR_OK;
}

/* The core reads these arguments itself. */
static int
schema_reserved(struct lejr_plugin *p, const struct lejr_tool *t,
		json_t *input)
{
	json_t *props = json_object_get(input, "properties");

	if (json_object_get(props, "organization") != NULL ||
	    json_object_get(props, "idempotency_key") != NULL)
		return refuse(p, LEJR_EINVAL, "tool %s: \"organization\" and "
			      "\"idempotency_key\" are the core's arguments",
			      t->name);
	return LEJR_OK;
}

static struct lejr_tool_entry *
tool_copy(struct lejr_plugin *p, const struct lejr_tool *t)
{
	struct lejr_tool_entry *e;
	int failed = 0;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->tool = *t;
	e->plugin = p;
	e->tool.name = dup_or_null(t->name, &failed);
	e->tool.title = dup_or_null(t->title ? t->title : t->name, &failed);
	e->tool.description = dup_or_null(t->description, &failed);
	e->tool.input_schema = dup_or_null(t->input_schema, &failed);
	e->tool.output_schema = dup_or_null(t->output_schema, &failed);
	if (failed) {
		tool_free(e);
		return NULL;
	}
	return e;
}

int
lejr_registry_add_tool(struct lejr_plugin *p, const struct lejr_tool *t)
{
	struct lejr_tool_entry *e = NULL;
	int rc;

	if (t == NULL)
		return refuse(p, LEJR_EINVAL, "register_tool without a tool");
	rc = tool_check(p, t);
	if (rc != LEJR_OK)
		return rc;

	e = tool_copy(p, t);
	if (e == NULL)
		return refuse(p, LEJR_EINTERNAL, "out of memory");

	rc = LEJR_EINVAL;
	e->input = schema_load(p, t->name, "input", t->input_schema);
	if (e->input == NULL ||
	    schema_reserved(p, t, e->input) != LEJR_OK)
		goto err;
	if (t->output_schema != NULL) {
		e->output = schema_load(p, t->name, "output",
					t->output_schema);
		if (e->output == NULL)
			goto err;
	}

	/* json_pack() fails on text that is not UTF-8. */
	e->offered = offered_schema(e);
	if (e->offered != NULL)
		e->listed = listed_tool(e);
	if (e->listed == NULL) {
		rc = refuse(p, LEJR_EINVAL, "tool %s: its title or "
			    "description is not UTF-8 text", t->name);
		goto err;
	}
	/* Compiled once: every call is checked against them. */
	rc = LEJR_EINTERNAL;
	e->check_in = lejr_validator_new(e->offered);
	if (e->output != NULL)
		e->check_out = lejr_validator_new(e->output);
	if (e->check_in == NULL || (e->output != NULL && e->check_out == NULL))
		goto err;
	if (lejr_vec_push(&p->staged.tools, e) != 0)
		goto err;

	e->disabled = lejr_runtime_tool_disabled(p->rt, t->name);
	return LEJR_OK;

err:
	tool_free(e);
	return rc;
}

/* ---- resources ---- */

/* An RFC 6570 level-1 template: {name} expressions, not nested, not
 * empty, not adjacent (two variables in a row could not be told apart). */
static int
template_valid(const char *tpl)
{
	int inside = 0, vars = 0;
	size_t len = 0;

	for (const char *c = tpl; *c != '\0'; c++) {
		if (*c == '{') {
			if (inside || (c > tpl && c[-1] == '}'))
				return 0;
			inside = 1;
			len = 0;
		} else if (*c == '}') {
			if (!inside || len == 0)
				return 0;
			inside = 0;
			vars++;
		} else if (inside) {
			if (!((*c >= 'a' && *c <= 'z') ||
			      (*c >= 'A' && *c <= 'Z') ||
			      (*c >= '0' && *c <= '9') || *c == '_'))
				return 0;
			len++;
		}
	}
	return !inside && vars > 0;
}

int
lejr_registry_add_resource(struct lejr_plugin *p,
			   const struct lejr_resource *r)
{
	struct lejr_resource_entry *e;
	int failed = 0;

	if (r == NULL || r->uri == NULL || r->uri[0] == '\0' ||
	    r->name == NULL || r->name[0] == '\0' || r->read == NULL)
		return refuse(p, LEJR_EINVAL, "a resource needs a uri, a name "
			      "and a read function");
	if ((r->flags & LEJR_RESOURCE_TEMPLATE) && !template_valid(r->uri))
		return refuse(p, LEJR_EINVAL, "resource template %s is not "
			      "a level-1 URI template", r->uri);
	if (find_resource(&p->rt->reg, r->uri) != NULL ||
	    find_resource(&p->staged, r->uri) != NULL)
		return refuse(p, LEJR_ECONFLICT, "resource %s is already "
			      "registered", r->uri);

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return refuse(p, LEJR_EINTERNAL, "out of memory");
	e->res = *r;
	e->plugin = p;
	e->res.uri = dup_or_null(r->uri, &failed);
	e->res.name = dup_or_null(r->name, &failed);
	e->res.title = dup_or_null(r->title, &failed);
	e->res.description = dup_or_null(r->description, &failed);
	e->res.mime_type = dup_or_null(r->mime_type, &failed);
	if (failed || lejr_vec_push(&p->staged.resources, e) != 0) {
		resource_free(e);
		return refuse(p, LEJR_EINTERNAL, "out of memory");
	}
	return LEJR_OK;
}

/* ---- prompts ---- */

/* The arguments array: objects, each with a unique string "name". */
static json_t *
prompt_arguments(struct lejr_plugin *p, const struct lejr_prompt *pr)
{
	json_t *args, *arg, *other;
	size_t i, j;

	if (pr->arguments == NULL)
		return json_array();

	args = json_loads(pr->arguments, 0, NULL);
	if (!json_is_array(args))
		goto bad;
	json_array_foreach(args, i, arg) {
		if (!json_is_string(json_object_get(arg, "name")))
			goto bad;
		for (j = 0; j < i; j++) {
			other = json_array_get(args, j);
			if (json_equal(json_object_get(other, "name"),
				       json_object_get(arg, "name")))
				goto bad;
		}
	}
	return args;

bad:
	json_decref(args);
	refuse(p, LEJR_EINVAL, "prompt %s: arguments must be a JSON array "
	       "of objects with unique names", pr->name);
	return NULL;
}

int
lejr_registry_add_prompt(struct lejr_plugin *p, const struct lejr_prompt *pr)
{
	struct lejr_prompt_entry *e;
	int failed = 0;

	if (pr == NULL || pr->name == NULL || pr->name[0] == '\0' ||
	    pr->get == NULL)
		return refuse(p, LEJR_EINVAL, "a prompt needs a name and a "
			      "get function");
	if (find_prompt(&p->rt->reg, pr->name) != NULL ||
	    find_prompt(&p->staged, pr->name) != NULL)
		return refuse(p, LEJR_ECONFLICT, "prompt %s is already "
			      "registered", pr->name);

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return refuse(p, LEJR_EINTERNAL, "out of memory");
	e->prompt = *pr;
	e->plugin = p;
	e->arguments = prompt_arguments(p, pr);
	if (e->arguments == NULL) {
		free(e);
		return LEJR_EINVAL;
	}
	e->prompt.name = dup_or_null(pr->name, &failed);
	e->prompt.title = dup_or_null(pr->title, &failed);
	e->prompt.description = dup_or_null(pr->description, &failed);
	e->prompt.arguments = dup_or_null(pr->arguments, &failed);
	if (failed || lejr_vec_push(&p->staged.prompts, e) != 0) {
		prompt_free(e);
		return refuse(p, LEJR_EINTERNAL, "out of memory");
	}
	return LEJR_OK;
}

/* ---- after init ---- */

static int
vec_move(struct lejr_vec *dst, struct lejr_vec *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (lejr_vec_push(dst, src->items[i]) != 0)
			break;
	/* Items not moved stay with src, which its owner frees. */
	memmove(src->items, src->items + i, (src->n - i) * sizeof(void *));
	src->n -= i;
	return src->n == 0 ? 0 : -1;
}

int
lejr_registry_commit(struct lejr_runtime *rt, struct lejr_plugin *p)
{
	int rc = 0;

	rc |= vec_move(&rt->reg.tools, &p->staged.tools);
	rc |= vec_move(&rt->reg.resources, &p->staged.resources);
	rc |= vec_move(&rt->reg.prompts, &p->staged.prompts);
	lejr_registry_free(&p->staged);
	return rc;
}

/* ---- lookups ---- */

struct lejr_tool_entry *
lejr_registry_tool(struct lejr_runtime *rt, const char *name)
{
	struct lejr_tool_entry *e = find_tool(&rt->reg, name);

	return e != NULL && !e->disabled ? e : NULL;
}

/* The tool a tools/call names, or NULL for any other call. */
static struct lejr_tool_entry *
called_tool(struct lejr_runtime *rt, const char *method, json_t *params)
{
	const char *name;

	if (method == NULL || strcmp(method, "tools/call") != 0)
		return NULL;
	name = json_string_value(json_object_get(params, "name"));
	return name != NULL ? lejr_registry_tool(rt, name) : NULL;
}

int
lejr_runtime_call_is_long(struct lejr_runtime *rt, const char *method,
			  json_t *params)
{
	struct lejr_tool_entry *e = called_tool(rt, method, params);

	return e != NULL && atomic_load(&e->cpu_us) >= LEJR_LONG_CALL_US;
}

int
lejr_runtime_call_is_write(struct lejr_runtime *rt, const char *method,
			   json_t *params)
{
	struct lejr_tool_entry *e = called_tool(rt, method, params);

	return e != NULL && e->tool.access == LEJR_ACCESS_WRITE;
}

struct lejr_resource_entry *
lejr_registry_resource(struct lejr_runtime *rt, const char *uri)
{
	return find_resource(&rt->reg, uri);
}

/* Does uri match template t?  Each {var} takes one or more characters
 * other than '/'. */
static int
template_match(const char *t, const char *uri)
{
	const char *close, *next;

	while (*t != '\0' && *t != '{') {
		if (*t != *uri)
			return 0;
		t++;
		uri++;
	}
	if (*t == '\0')
		return *uri == '\0';

	close = strchr(t, '}');
	next = close + 1;
	for (size_t n = 1; uri[n - 1] != '\0' && uri[n - 1] != '/'; n++)
		if (template_match(next, uri + n))
			return 1;
	return 0;
}

struct lejr_resource_entry *
lejr_registry_resolve(struct lejr_runtime *rt, const char *uri)
{
	struct lejr_resource_entry *e;

	for (size_t i = 0; i < rt->reg.resources.n; i++) {
		e = rt->reg.resources.items[i];
		if (!(e->res.flags & LEJR_RESOURCE_TEMPLATE) &&
		    strcmp(e->res.uri, uri) == 0)
			return e;
	}
	for (size_t i = 0; i < rt->reg.resources.n; i++) {
		e = rt->reg.resources.items[i];
		if ((e->res.flags & LEJR_RESOURCE_TEMPLATE) &&
		    template_match(e->res.uri, uri))
			return e;
	}
	return NULL;
}

struct lejr_prompt_entry *
lejr_registry_prompt(struct lejr_runtime *rt, const char *name)
{
	return find_prompt(&rt->reg, name);
}

int
lejr_registry_has_resources(struct lejr_runtime *rt)
{
	return rt->reg.resources.n > 0;
}

int
lejr_registry_has_prompts(struct lejr_runtime *rt)
{
	return rt->reg.prompts.n > 0;
}

int
lejr_registry_has_completions(struct lejr_runtime *rt)
{
	for (size_t i = 0; i < rt->reg.resources.n; i++) {
		struct lejr_resource_entry *e = rt->reg.resources.items[i];

		if (e->res.complete != NULL)
			return 1;
	}
	for (size_t i = 0; i < rt->reg.prompts.n; i++) {
		struct lejr_prompt_entry *e = rt->reg.prompts.items[i];

		if (e->prompt.complete != NULL)
			return 1;
	}
	return 0;
}

/* ---- list methods ---- */

/*
 * The page of all (stolen) that the request's cursor asks for, as
 * {field: [...], "nextCursor"?}.  A cursor is "KIND:OFFSET"; clients
 * treat it as opaque.
 */
static json_t *
page(struct lejr_req *req, const char *kind, const char *field,
     json_t *all)
{
	size_t total = json_array_size(all), offset = 0, end;
	json_t *cursor, *result = NULL, *items;
	char next[64];

	cursor = json_object_get(req->params, "cursor");
	if (cursor != NULL && !json_is_null(cursor)) {
		const char *text = json_string_value(cursor);
		size_t klen = strlen(kind);
		char *stop;

		if (text == NULL || strncmp(text, kind, klen) != 0 ||
		    text[klen] != ':' || text[klen + 1] < '1' ||
		    text[klen + 1] > '9')
			goto bad;
		offset = strtoul(text + klen + 1, &stop, 10);
		if (*stop != '\0' || offset >= total)
			goto bad;
	}

	end = offset + LEJR_PAGE_SIZE < total ? offset + LEJR_PAGE_SIZE : total;
	items = json_array();
	for (size_t i = offset; i < end; i++)
		json_array_append(items, json_array_get(all, i));
	result = json_pack("{s:o}", field, items);
	if (result != NULL && end < total) {
		snprintf(next, sizeof(next), "%s:%zu", kind, end);
		json_object_set_new(result, "nextCursor", json_string(next));
	}
	json_decref(all);
	return result;

bad:
	json_decref(all);
	return lejr_req_error(req, LEJR_RT_INVALID_PARAMS,
			      "Invalid params: unknown cursor");
}

json_t *
lejr_registry_list_tools(struct lejr_req *req)
{
	struct lejr_runtime *rt = req->rt;
	json_t *all = json_array();

	for (size_t i = 0; i < rt->reg.tools.n; i++) {
		struct lejr_tool_entry *e = rt->reg.tools.items[i];

		if (!e->disabled)
			json_array_append_new(all, json_deep_copy(e->listed));
	}
	return page(req, "tools", "tools", all);
}

/* Add key: text to obj when text is not NULL. */
static void
set_text(json_t *obj, const char *key, const char *text)
{
	if (text != NULL)
		json_object_set_new(obj, key, json_string(text));
}

static json_t *
list_resources(struct lejr_req *req, int templates)
{
	struct lejr_runtime *rt = req->rt;
	json_t *all = json_array(), *item;

	for (size_t i = 0; i < rt->reg.resources.n; i++) {
		struct lejr_resource_entry *e = rt->reg.resources.items[i];
		int is_template = (e->res.flags & LEJR_RESOURCE_TEMPLATE) != 0;

		if (is_template != templates)
			continue;
		item = json_pack("{s:s, s:s}",
				 templates ? "uriTemplate" : "uri", e->res.uri,
				 "name", e->res.name);
		set_text(item, "title", e->res.title);
		set_text(item, "description", e->res.description);
		set_text(item, "mimeType", e->res.mime_type);
		json_array_append_new(all, item);
	}
	if (templates)
		return page(req, "templates", "resourceTemplates", all);
	return page(req, "resources", "resources", all);
}

json_t *
lejr_registry_list_resources(struct lejr_req *req)
{
	return list_resources(req, 0);
}

json_t *
lejr_registry_list_templates(struct lejr_req *req)
{
	return list_resources(req, 1);
}

json_t *
lejr_registry_list_prompts(struct lejr_req *req)
{
	struct lejr_runtime *rt = req->rt;
	json_t *all = json_array(), *item;

	for (size_t i = 0; i < rt->reg.prompts.n; i++) {
		struct lejr_prompt_entry *e = rt->reg.prompts.items[i];

		item = json_pack("{s:s}", "name", e->prompt.name);
		set_text(item, "title", e->prompt.title);
		set_text(item, "description", e->prompt.description);
		/* A copy: worker threads never share a reference count. */
		if (json_array_size(e->arguments) > 0)
			json_object_set_new(item, "arguments",
					    json_deep_copy(e->arguments));
		json_array_append_new(all, item);
	}
	return page(req, "prompts", "prompts", all);
}

/*
 * html.c - the page builder of web.h: HTML documents as libxml2 trees,
 * serialized at the end, so that every string printed is escaped by
 * construction.  The shared layout and its style sheet live here too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/parser.h>

#include "utf8.h"
#include "web.h"

struct lejr_page {
	htmlDocPtr doc;
	xmlNodePtr main;
};

/* The one style sheet, inline: its hash is in the page's CSP. */
const char lejr_web_css[] =
	"body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;"
	"background:#f7f7f5}"
	"header{display:flex;flex-wrap:wrap;align-items:center;gap:1em;"
	"padding:.6em 1.2em;background:#1f3a5f;color:#fff}"
	"header a{color:#fff}"
	".brand{font-weight:700;text-decoration:none;margin-right:1em}"
	"nav{display:flex;flex-wrap:wrap;align-items:center;gap:1em;flex:1}"
	"nav a[aria-current]{font-weight:700;text-decoration:none}"
	".who{margin-left:auto;opacity:.85}"
	"main{max-width:72em;margin:1.5em auto;padding:0 1.2em}"
	"table{border-collapse:collapse;width:100%;margin:1em 0;"
	"background:#fff}"
	"th,td{border:1px solid #ccd;padding:.35em .6em;text-align:left;"
	"vertical-align:top}"
	"th{background:#eef0f6}"
	".error{border:1px solid #b00;background:#fee;color:#700;"
	"padding:.6em 1em}"
	".notice{border:1px solid #5a7;background:#efe;padding:.6em 1em}"
	"form.inline{display:inline;margin:0}"
	"fieldset{border:1px solid #ccd;margin:1em 0;background:#fff}"
	"input,select,button{font:inherit}"
	"button{padding:.25em .9em}";

/* ---- builders ---- */

/*
 * text as it may go into the tree: itself when it is strict UTF-8
 * without control characters (but tab, CR, LF), else a scrubbed copy
 * put in *copy (free it), or NULL when out of memory.  libxml2 reads
 * overlong forms leniently ("\xc0\xbc" as '<') and writes what it read
 * without escaping it, so nothing else may ever reach it.
 */
static const char *
safe_text(const char *text, char **copy)
{
	*copy = NULL;
	if (text == NULL ||
	    lejr_utf8_text_ok(text, strlen(text), LEJR_UTF8_LINES))
		return text;
	*copy = lejr_utf8_scrub(text);
	return *copy;
}

xmlNodePtr
lejr_html_el(xmlNodePtr parent, const char *tag, const char *text)
{
	xmlNodePtr node;
	const char *safe;
	char *copy;

	if (parent == NULL)
		return NULL;
	safe = safe_text(text, &copy);
	if (text != NULL && safe == NULL)
		return NULL;

	/* xmlNewTextChild escapes the content it is given. */
	node = xmlNewTextChild(parent, NULL, BAD_CAST tag,
			       safe != NULL ? BAD_CAST safe : NULL);
	free(copy);
	return node;
}

void
lejr_html_attr(xmlNodePtr node, const char *name, const char *value)
{
	const char *safe;
	char *copy;

	if (node == NULL)
		return;
	safe = safe_text(value != NULL ? value : "", &copy);
	xmlSetProp(node, BAD_CAST name,
		   BAD_CAST (safe != NULL ? safe : ""));
	free(copy);
}

void
lejr_html_text(xmlNodePtr node, const char *text)
{
	const char *safe;
	char *copy;

	if (node == NULL || text == NULL)
		return;
	safe = safe_text(text, &copy);
	if (safe != NULL)
		xmlNodeAddContent(node, BAD_CAST safe);
	free(copy);
}

xmlNodePtr
lejr_html_heading(xmlNodePtr parent, int level, const char *text)
{
	char tag[3] = "h2";

	if (level < 2)
		level = 2;
	if (level > 6)
		level = 6;
	tag[1] = (char)('0' + level);
	return lejr_html_el(parent, tag, text);
}

xmlNodePtr
lejr_html_p(xmlNodePtr parent, const char *text)
{
	return lejr_html_el(parent, "p", text);
}

xmlNodePtr
lejr_html_link(xmlNodePtr parent, const char *href, const char *text)
{
	xmlNodePtr a = lejr_html_el(parent, "a", text);

	lejr_html_attr(a, "href", href);
	return a;
}

/* A box of class cls with message. */
static xmlNodePtr
box(xmlNodePtr parent, const char *cls, const char *role,
    const char *message)
{
	xmlNodePtr p = lejr_html_el(parent, "p", message);

	lejr_html_attr(p, "class", cls);
	if (role != NULL)
		lejr_html_attr(p, "role", role);
	return p;
}

xmlNodePtr
lejr_html_error(xmlNodePtr parent, const char *message)
{
	return box(parent, "error", "alert", message);
}

xmlNodePtr
lejr_html_notice(xmlNodePtr parent, const char *message)
{
	return box(parent, "notice", "status", message);
}

xmlNodePtr
lejr_html_table(xmlNodePtr parent, const char *const *headers)
{
	xmlNodePtr table, tr;

	table = lejr_html_el(parent, "table", NULL);
	tr = lejr_html_el(lejr_html_el(table, "thead", NULL), "tr", NULL);
	for (; headers != NULL && *headers != NULL; headers++)
		lejr_html_attr(lejr_html_el(tr, "th", *headers), "scope",
			       "col");
	if (lejr_html_el(table, "tbody", NULL) == NULL)
		return NULL;
	return table;
}

xmlNodePtr
lejr_html_row(xmlNodePtr table)
{
	xmlNodePtr n;

	if (table == NULL)
		return NULL;
	for (n = table->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(n->name, BAD_CAST "tbody") == 0)
			return lejr_html_el(n, "tr", NULL);
	return NULL;
}

xmlNodePtr
lejr_html_cell(xmlNodePtr row, const char *text)
{
	return lejr_html_el(row, "td", text);
}

xmlNodePtr
lejr_html_form(xmlNodePtr parent, const char *method, const char *action,
	       const char *csrf)
{
	xmlNodePtr form = lejr_html_el(parent, "form", NULL);

	lejr_html_attr(form, "method", method);
	lejr_html_attr(form, "action", action);
	if (strcmp(method, "post") == 0)
		lejr_html_hidden(form, LEJR_WEB_CSRF_FIELD,
				 csrf != NULL ? csrf : "");
	return form;
}

void
lejr_html_hidden(xmlNodePtr form, const char *name, const char *value)
{
	xmlNodePtr in = lejr_html_el(form, "input", NULL);

	lejr_html_attr(in, "type", "hidden");
	lejr_html_attr(in, "name", name);
	lejr_html_attr(in, "value", value);
}

xmlNodePtr
lejr_html_input(xmlNodePtr form, const char *type, const char *name,
		const char *label, const char *value, int flags)
{
	xmlNodePtr lab, in;

	lab = lejr_html_el(lejr_html_el(form, "p", NULL), "label", label);
	lejr_html_text(lab, " ");
	in = lejr_html_el(lab, "input", NULL);
	lejr_html_attr(in, "type", type);
	lejr_html_attr(in, "name", name);
	if (value != NULL)
		lejr_html_attr(in, "value", value);
	if (flags & LEJR_HTML_REQUIRED)
		lejr_html_attr(in, "required", "required");
	if (flags & LEJR_HTML_AUTOFOCUS)
		lejr_html_attr(in, "autofocus", "autofocus");
	return in;
}

/* <label><input type> label</label>, on a line of its own. */
static xmlNodePtr
choice(xmlNodePtr parent, const char *type, const char *name,
       const char *value, const char *label, int checked)
{
	xmlNodePtr lab, in;

	lab = lejr_html_el(lejr_html_el(parent, "div", NULL), "label", NULL);
	in = lejr_html_el(lab, "input", NULL);
	lejr_html_attr(in, "type", type);
	lejr_html_attr(in, "name", name);
	lejr_html_attr(in, "value", value);
	if (checked)
		lejr_html_attr(in, "checked", "checked");
	lejr_html_text(lab, " ");
	lejr_html_text(lab, label);
	return in;
}

xmlNodePtr
lejr_html_checkbox(xmlNodePtr parent, const char *name, const char *value,
		   const char *label, int checked)
{
	return choice(parent, "checkbox", name, value, label, checked);
}

xmlNodePtr
lejr_html_radio(xmlNodePtr parent, const char *name, const char *value,
		const char *label, int checked)
{
	return choice(parent, "radio", name, value, label, checked);
}

xmlNodePtr
lejr_html_select(xmlNodePtr form, const char *name, const char *label)
{
	xmlNodePtr lab, sel;

	lab = lejr_html_el(form, "label", label);
	lejr_html_text(lab, " ");
	sel = lejr_html_el(lab, "select", NULL);
	lejr_html_attr(sel, "name", name);
	lejr_html_text(form, " ");
	return sel;
}

xmlNodePtr
lejr_html_option(xmlNodePtr select, const char *value, const char *text,
		 int selected)
{
	xmlNodePtr opt = lejr_html_el(select, "option", text);

	lejr_html_attr(opt, "value", value);
	if (selected)
		lejr_html_attr(opt, "selected", "selected");
	return opt;
}

xmlNodePtr
lejr_html_submit(xmlNodePtr form, const char *label, const char *name,
		 const char *value)
{
	xmlNodePtr b = lejr_html_el(form, "button", label);

	lejr_html_attr(b, "type", "submit");
	if (name != NULL)
		lejr_html_attr(b, "name", name);
	if (value != NULL)
		lejr_html_attr(b, "value", value);
	return b;
}

/* ---- the layout ---- */

static const struct {
	const char *id, *href, *label;
} nav_items[] = {
	{ "integrations", "/settings/integrations", "Integrations" },
	{ "connections", "/settings/connections", "AI Connections" },
	{ "activity", "/settings/activity", "Activity" },
};

/* <head>: charset, viewport, title, the style sheet. */
static int
page_head(xmlNodePtr html, const char *title)
{
	xmlNodePtr head = lejr_html_el(html, "head", NULL);
	xmlNodePtr meta;
	char full[512];

	meta = lejr_html_el(head, "meta", NULL);
	lejr_html_attr(meta, "charset", "utf-8");
	meta = lejr_html_el(head, "meta", NULL);
	lejr_html_attr(meta, "name", "viewport");
	lejr_html_attr(meta, "content", "width=device-width, initial-scale=1");
	snprintf(full, sizeof(full), "%s - Lejr", title);
	lejr_html_el(head, "title", full);
	return lejr_html_el(head, "style", lejr_web_css) != NULL ? 0 : -1;
}

/* The header: product name, and for a signed-in user the nav. */
static void
page_header(xmlNodePtr body, const struct lejr_web_user *user,
	    const char *csrf, const char *nav)
{
	xmlNodePtr header = lejr_html_el(body, "header", NULL);
	xmlNodePtr brand, menu, a, form;

	brand = lejr_html_link(header, user != NULL ?
			       "/settings/integrations" : "/login", "Lejr");
	lejr_html_attr(brand, "class", "brand");
	if (user == NULL)
		return;

	menu = lejr_html_el(header, "nav", NULL);
	lejr_html_attr(menu, "aria-label", "Settings");
	for (size_t i = 0; i < sizeof(nav_items) / sizeof(nav_items[0]);
	     i++) {
		a = lejr_html_link(menu, nav_items[i].href,
				   nav_items[i].label);
		if (nav != NULL && strcmp(nav, nav_items[i].id) == 0)
			lejr_html_attr(a, "aria-current", "page");
	}
	lejr_html_attr(lejr_html_el(menu, "span", user->email), "class",
		       "who");
	form = lejr_html_form(menu, "post", "/logout", csrf);
	lejr_html_attr(form, "class", "inline");
	lejr_html_submit(form, "Sign out", NULL, NULL);
}

struct lejr_page *
lejr_page_new(const char *title, const struct lejr_web_user *user,
	      const char *csrf, const char *nav)
{
	struct lejr_page *pg;
	xmlNodePtr html, body;

	pg = calloc(1, sizeof(*pg));
	if (pg == NULL)
		return NULL;
	pg->doc = htmlNewDocNoDtD(NULL, NULL);
	if (pg->doc == NULL ||
	    xmlCreateIntSubset(pg->doc, BAD_CAST "html", NULL, NULL) == NULL)
		goto err;

	html = xmlNewDocNode(pg->doc, NULL, BAD_CAST "html", NULL);
	if (html == NULL)
		goto err;
	xmlDocSetRootElement(pg->doc, html);
	lejr_html_attr(html, "lang", "en");
	if (page_head(html, title) < 0)
		goto err;

	body = lejr_html_el(html, "body", NULL);
	page_header(body, user, csrf, nav);
	pg->main = lejr_html_el(body, "main", NULL);
	if (lejr_html_el(pg->main, "h1", title) == NULL)
		goto err;
	return pg;

err:
	lejr_page_free(pg);
	return NULL;
}

xmlNodePtr
lejr_page_main(struct lejr_page *pg)
{
	return pg != NULL ? pg->main : NULL;
}

char *
lejr_page_render(struct lejr_page *pg, size_t *len)
{
	xmlChar *mem = NULL;
	char *text;
	int size = 0;

	*len = 0;
	if (pg == NULL)
		return NULL;
	htmlDocDumpMemoryFormat(pg->doc, &mem, &size, 0);
	if (mem == NULL || size < 0) {
		xmlFree(mem);
		return NULL;
	}

	/* Ours to free with free(), whatever libxml2's allocator is. */
	text = malloc((size_t)size + 1);
	if (text != NULL) {
		memcpy(text, mem, (size_t)size);
		text[size] = '\0';
		*len = (size_t)size;
	}
	xmlFree(mem);
	return text;
}

void
lejr_page_free(struct lejr_page *pg)
{
	if (pg == NULL)
		return;
	if (pg->doc != NULL)
		xmlFreeDoc(pg->doc);
	free(pg);
}

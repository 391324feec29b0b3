/*
 * settings.c - the Settings pages, signed in with the web session:
 *
 *   /settings/integrations          the assistants connected to the
 *                                   user's account (OAuth), with Revoke
 *   /settings/connections           every token and connection the
 *                                   user may see; ?revoked=1 for all
 *   /settings/connections/t12       one of them (t: a personal access
 *   /settings/connections/c7        token, c: an OAuth connection):
 *                                   bind to one organization, allow
 *                                   several, revoke
 *   /settings/activity?org=&tool=&user=&from=&to=&cursor=
 *                                   an organization's tool-call log
 *
 * Changes are POSTs (CSRF-checked by web.c) answered with a redirect,
 * so that reloading a page repeats nothing.  Outcomes come back as a
 * fixed ?done= word, never as text taken from the URL.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>

#include "log.h"
#include "settings.h"

#define ORGS_MAX LEDGER_OAUTH_ORGS_MAX

/* ---- small pieces ---- */

/* "2024-03-01T10:00:00.000Z" as "2024-03-01 10:00"; "-" for none. */
static const char *
when(json_t *value, char buf[20])
{
	const char *s = json_string_value(value);

	if (s == NULL || strlen(s) < 16)
		return "-";
	snprintf(buf, 20, "%.10s %.5s", s, s + 11);
	return buf;
}

/*
 * The slugs of an "orgs" array, comma-separated, into buf.  Those the
 * viewer is no member of have no slug here (connections.c) and are
 * only counted: "acme, another organization".
 */
static const char *
org_list(json_t *orgs, char *buf, size_t len)
{
	json_t *o;
	size_t i, used = 0, hidden = 0;
	int n;

	buf[0] = '\0';
	json_array_foreach(orgs, i, o) {
		const char *slug = json_string_value(json_object_get(o,
								     "slug"));

		if (slug == NULL) {
			hidden++;
			continue;
		}
		n = snprintf(buf + used, len - used, "%s%s",
			     used > 0 ? ", " : "", slug);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (hidden == 1)
		n = snprintf(buf + used, len - used, "%sanother organization",
			     used > 0 ? ", " : "");
	else if (hidden > 1)
		n = snprintf(buf + used, len - used, "%s%zu other "
			     "organizations", used > 0 ? ", " : "", hidden);
	else
		n = 0;
	if (n > 0 && (size_t)n < len - used)
		used += (size_t)n;
	return used > 0 ? buf : "none";
}

/* Parse a positive decimal id; 0 when s is not one. */
static int64_t
parse_id(const char *s)
{
	int64_t v = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 18)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* An item's key in URLs: "t12" or "c7". */
static void
item_key(json_t *item, char buf[32])
{
	snprintf(buf, 32, "%c%" PRId64,
		 strcmp(json_string_value(json_object_get(item, "kind")),
			"oauth") == 0 ? 'c' : 't',
		 (int64_t)json_integer_value(json_object_get(item, "id")));
}

/* The name to show for an item. */
static const char *
item_name(json_t *item)
{
	const char *name = json_string_value(json_object_get(item, "name"));

	if (name != NULL && *name != '\0')
		return name;
	return strcmp(json_string_value(json_object_get(item, "kind")),
		      "oauth") == 0 ? "(unnamed assistant)" : "(no label)";
}

/* A notice for a known ?done= word. */
static void
done_notice(struct lejr_web_req *wr, xmlNodePtr main)
{
	static const struct {
		const char *word, *text;
	} notices[] = {
		{ "revoked", "Revoked. Its tokens stopped working at once." },
		{ "orgs", "Saved. The next request made with it reaches these "
		  "organizations only." },
	};
	const char *done = lejr_web_query(wr, "done");

	for (size_t i = 0; done != NULL &&
	     i < sizeof(notices) / sizeof(notices[0]); i++)
		if (strcmp(done, notices[i].word) == 0)
			lejr_html_notice(main, notices[i].text);
}

/* Answer a failed lookup or change: our fault is a 500, logged. */
static void
reply_failure(struct lejr_web_req *wr, const struct lejr_error *err,
	      int status)
{
	switch (status) {
	case LEJR_ENOTFOUND:
		lejr_web_reply_error(wr, 404, "There is no such token or "
				     "connection, or it is not yours to "
				     "manage.");
		break;
	case LEJR_EDENIED:
		lejr_web_reply_error(wr, 403, err->msg);
		break;
	case LEJR_EINVAL:
		lejr_web_reply_error(wr, 400, err->msg);
		break;
	case LEJR_ECONFLICT:
		lejr_web_reply_error(wr, 409, err->msg);
		break;
	default:
		lejr_log(LEJR_LOG_ERROR, "settings: %s", err->msg);
		lejr_web_reply_error(wr, 500, "The server could not do this; "
				     "try again later.");
		break;
	}
}

/* ---- Integrations ---- */

static void
integration_row(struct lejr_web_req *wr, xmlNodePtr table, json_t *item)
{
	xmlNodePtr row = lejr_html_row(table), form;
	char t1[20], t2[20], orgs[512], id[32];

	lejr_html_cell(row, item_name(item));
	lejr_html_cell(row, when(json_object_get(item, "created"), t1));
	lejr_html_cell(row, org_list(json_object_get(item, "orgs"), orgs,
				     sizeof(orgs)));
	lejr_html_cell(row, json_string_value(json_object_get(item,
							      "access")));
	lejr_html_cell(row, when(json_object_get(item, "last_used"), t2));

	snprintf(id, sizeof(id), "%" PRId64,
		 (int64_t)json_integer_value(json_object_get(item, "id")));
	form = lejr_html_form(lejr_html_cell(row, NULL), "post",
			      "/settings/integrations/revoke",
			      lejr_web_csrf(wr));
	lejr_html_hidden(form, "id", id);
	lejr_html_submit(form, "Revoke", NULL, NULL);
}

static void
integrations_get(struct lejr_web_req *wr, sqlite3 *db)
{
	static const char *const headers[] = {
		"Assistant", "Connected (UTC)", "Organizations", "Access",
		"Last used (UTC)", "", NULL
	};
	const struct lejr_web_user *user = lejr_web_user(wr);
	struct lejr_error err = { 0 };
	struct lejr_page *pg;
	xmlNodePtr main, table;
	json_t *list = NULL, *item;
	size_t i;
	int rc;

	rc = ledger_conn_list(db, user->id, LEDGER_CONN_OWN |
			      LEDGER_CONN_OAUTH, &list, &err);
	if (rc != LEJR_OK) {
		reply_failure(wr, &err, rc);
		return;
	}

	pg = lejr_web_page(wr, "Integrations", "integrations");
	main = lejr_page_main(pg);
	done_notice(wr, main);
	lejr_html_p(main, "The AI assistants connected to your account. "
		    "Revoking one ends its access at once; it has to ask "
		    "for your consent again to come back.");
	if (json_array_size(list) == 0) {
		lejr_html_p(main, "No assistant is connected to your account.");
	} else {
		table = lejr_html_table(main, headers);
		json_array_foreach(list, i, item)
			integration_row(wr, table, item);
	}
	json_decref(list);
	lejr_web_reply_page(wr, 200, pg);
}

/* Is connection id the user's own (the Integrations page lists only
 * those, and its Revoke acts on nothing else)?  LEJR_OK, or
 * LEJR_ENOTFOUND as for one the user may not see. */
static int
own_connection(sqlite3 *db, int64_t user, int64_t id,
	       struct lejr_error *err)
{
	json_t *item = NULL;
	int rc;

	rc = ledger_conn_get(db, user, LEDGER_CONN_KIND_OAUTH, id, &item,
			     err);
	if (rc == LEJR_OK && !json_is_true(json_object_get(item, "own")))
		rc = lejr_error_set(err, LEJR_ENOTFOUND, "connection %"
				    PRId64 " is not the user's", id);
	json_decref(item);
	return rc;
}

static void
integrations_revoke(struct lejr_web_req *wr, sqlite3 *db)
{
	const struct lejr_web_user *user = lejr_web_user(wr);
	int64_t id = parse_id(lejr_web_form(wr, "id"));
	struct lejr_error err = { 0 };
	int rc;

	rc = ledger_begin(db, 1, &err);
	if (rc == LEJR_OK)
		rc = own_connection(db, user->id, id, &err);
	if (rc == LEJR_OK)
		rc = ledger_conn_revoke(db, user->id, LEDGER_CONN_KIND_OAUTH,
					id, &err);
	if (rc == LEJR_OK)
		rc = ledger_commit(db, &err);
	if (rc != LEJR_OK) {
		ledger_rollback(db);
		reply_failure(wr, &err, rc);
		return;
	}
	lejr_log(LEJR_LOG_INFO, "user %" PRId64 " revoked connection %"
		 PRId64, user->id, id);
	lejr_web_redirect(wr, "/settings/integrations?done=revoked");
}

static void
integrations_handler(struct lejr_web_req *wr, sqlite3 *db)
{
	if (lejr_web_is_post(wr))
		lejr_web_reply_error(wr, 405, "Use the Revoke buttons.");
	else
		integrations_get(wr, db);
}

static void
integrations_revoke_handler(struct lejr_web_req *wr, sqlite3 *db)
{
	if (!lejr_web_is_post(wr))
		lejr_web_redirect(wr, "/settings/integrations");
	else
		integrations_revoke(wr, db);
}

/* ---- AI Connections: the list ---- */

static void
connection_row(xmlNodePtr table, json_t *item)
{
	xmlNodePtr row = lejr_html_row(table);
	char t1[20], t2[20], t3[20], orgs[512], calls[32], key[32], href[64];
	int oauth = strcmp(json_string_value(json_object_get(item, "kind")),
			   "oauth") == 0;

	item_key(item, key);
	snprintf(href, sizeof(href), "/settings/connections/%s", key);
	snprintf(calls, sizeof(calls), "%" PRId64,
		 (int64_t)json_integer_value(json_object_get(item, "calls")));

	lejr_html_link(lejr_html_cell(row, NULL), href, item_name(item));
	lejr_html_cell(row, oauth ? "OAuth connection" : "Access token");
	lejr_html_cell(row, json_string_value(json_object_get(item, "user")));
	lejr_html_cell(row, json_string_value(json_object_get(item,
							      "access")));
	lejr_html_cell(row, org_list(json_object_get(item, "orgs"), orgs,
				     sizeof(orgs)));
	lejr_html_cell(row, when(json_object_get(item, "created"), t1));
	lejr_html_cell(row, when(json_object_get(item, "last_used"), t2));
	lejr_html_cell(row, when(json_object_get(item, "expires"), t3));
	lejr_html_cell(row, calls);
	lejr_html_cell(row, json_is_null(json_object_get(item, "revoked")) ?
		       "active" : "revoked");
}

static void
connections_get(struct lejr_web_req *wr, sqlite3 *db)
{
	static const char *const headers[] = {
		"Name", "Kind", "User", "Scope", "Organizations",
		"Created (UTC)", "Last used (UTC)", "Expires (UTC)", "Calls",
		"State", NULL
	};
	const struct lejr_web_user *user = lejr_web_user(wr);
	const char *rq = lejr_web_query(wr, "revoked");
	int all = rq != NULL && strcmp(rq, "1") == 0;
	struct lejr_error err = { 0 };
	struct lejr_page *pg;
	xmlNodePtr main, table, p;
	json_t *list = NULL, *item;
	size_t i;
	int rc;

	rc = ledger_conn_list(db, user->id, all ? LEDGER_CONN_REVOKED : 0,
			      &list, &err);
	if (rc != LEJR_OK) {
		reply_failure(wr, &err, rc);
		return;
	}

	pg = lejr_web_page(wr, "AI Connections", "connections");
	main = lejr_page_main(pg);
	done_notice(wr, main);
	lejr_html_p(main, "Every access token and OAuth connection you may "
		    "manage: your own, and as an owner or admin, all those "
		    "that reach your organizations. Open one to bind it to "
		    "one organization, allow several, or revoke it.");
	p = lejr_html_p(main, NULL);
	if (all)
		lejr_html_link(p, "/settings/connections",
			       "Show active ones only");
	else
		lejr_html_link(p, "/settings/connections?revoked=1",
			       "Show revoked ones too");

	if (json_array_size(list) == 0) {
		lejr_html_p(main, "There are none.");
	} else {
		table = lejr_html_table(main, headers);
		json_array_foreach(list, i, item)
			connection_row(table, item);
	}
	json_decref(list);
	lejr_web_reply_page(wr, 200, pg);
}

static void
connections_handler(struct lejr_web_req *wr, sqlite3 *db)
{
	if (lejr_web_is_post(wr))
		lejr_web_reply_error(wr, 405, "Open a connection to change "
				     "it.");
	else
		connections_get(wr, db);
}

/* ---- AI Connections: one of them ---- */

/* /settings/connections/<key>[/<action>], key "t12" or "c7". */
struct item_path {
	enum ledger_conn_kind kind;
	int64_t id;
	char key[32];
	const char *action; /* "" for the page itself */
};

static int
item_path_parse(const char *path, struct item_path *ip)
{
	static const char prefix[] = "/settings/connections/";
	const char *p = path + sizeof(prefix) - 1;
	const char *slash;
	char digits[24];
	size_t n;

	if (strncmp(path, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	if (*p == 't')
		ip->kind = LEDGER_CONN_KIND_TOKEN;
	else if (*p == 'c')
		ip->kind = LEDGER_CONN_KIND_OAUTH;
	else
		return -1;

	slash = strchr(p, '/');
	n = slash != NULL ? (size_t)(slash - p) : strlen(p);
	if (n < 2 || n - 1 >= sizeof(digits))
		return -1;
	memcpy(digits, p + 1, n - 1);
	digits[n - 1] = '\0';
	ip->id = parse_id(digits);
	snprintf(ip->key, sizeof(ip->key), "%.*s", (int)n, p);
	ip->action = slash != NULL ? slash + 1 : "";
	return ip->id > 0 ? 0 : -1;
}

/* The facts of an item, as a definition list. */
static void
item_facts(xmlNodePtr main, json_t *item)
{
	xmlNodePtr dl = lejr_html_el(main, "dl", NULL);
	char t[20], orgs[1024], calls[32];
	int oauth = strcmp(json_string_value(json_object_get(item, "kind")),
			   "oauth") == 0;

	snprintf(calls, sizeof(calls), "%" PRId64,
		 (int64_t)json_integer_value(json_object_get(item, "calls")));
	lejr_html_el(dl, "dt", "Kind");
	lejr_html_el(dl, "dd", oauth ? "OAuth connection" : "Access token");
	lejr_html_el(dl, "dt", "User");
	lejr_html_el(dl, "dd", json_string_value(json_object_get(item,
								 "user")));
	lejr_html_el(dl, "dt", "Scope");
	lejr_html_el(dl, "dd", json_string_value(json_object_get(item,
								 "access")));
	lejr_html_el(dl, "dt", "Organizations");
	lejr_html_el(dl, "dd", org_list(json_object_get(item, "orgs"), orgs,
					sizeof(orgs)));
	lejr_html_el(dl, "dt", "Created (UTC)");
	lejr_html_el(dl, "dd", when(json_object_get(item, "created"), t));
	lejr_html_el(dl, "dt", "Last used (UTC)");
	lejr_html_el(dl, "dd", when(json_object_get(item, "last_used"), t));
	lejr_html_el(dl, "dt", "Expires (UTC)");
	lejr_html_el(dl, "dd", when(json_object_get(item, "expires"), t));
	lejr_html_el(dl, "dt", "Calls");
	lejr_html_el(dl, "dd", calls);
	if (!json_is_null(json_object_get(item, "revoked"))) {
		lejr_html_el(dl, "dt", "Revoked (UTC)");
		lejr_html_el(dl, "dd", when(json_object_get(item, "revoked"),
					    t));
	}
}

/* Can viewer manage every organization it reaches (so binding it to
 * one of them takes nothing from an organization viewer does not
 * manage)? */
static int
manages_all_granted(json_t *choices)
{
	json_t *c;
	size_t i;

	json_array_foreach(choices, i, c)
		if (json_is_true(json_object_get(c, "granted")) &&
		    !json_is_true(json_object_get(c, "manage")))
			return 0;
	return 1;
}

/* "acme - Acme Ltd"; "another organization" for one the viewer is no
 * member of, whose name is not theirs to see. */
static void
choice_label(json_t *c, char *buf, size_t len)
{
	if (!json_is_true(json_object_get(c, "member"))) {
		snprintf(buf, len, "another organization");
		return;
	}
	snprintf(buf, len, "%s - %s",
		 json_string_value(json_object_get(c, "slug")),
		 json_string_value(json_object_get(c, "name")));
}

/* The two forms that change its organizations. */
static void
item_org_forms(struct lejr_web_req *wr, xmlNodePtr main, json_t *item,
	       const char *action)
{
	json_t *choices = json_object_get(item, "choices"), *c;
	xmlNodePtr form, fs;
	char label[320], id[32];
	size_t i;

	if (manages_all_granted(choices)) {
		form = lejr_html_form(main, "post", action, lejr_web_csrf(wr));
		fs = lejr_html_el(form, "fieldset", NULL);
		lejr_html_el(fs, "legend", "Bind to a single organization");
		json_array_foreach(choices, i, c) {
			if (!json_is_true(json_object_get(c, "manage")))
				continue;
			snprintf(id, sizeof(id), "%" PRId64, (int64_t)
				 json_integer_value(json_object_get(c, "id")));
			choice_label(c, label, sizeof(label));
			lejr_html_radio(fs, "org", id, label, 0);
		}
		lejr_html_submit(lejr_html_p(fs, NULL), "Bind", "mode",
				 "single");
	}

	form = lejr_html_form(main, "post", action, lejr_web_csrf(wr));
	fs = lejr_html_el(form, "fieldset", NULL);
	lejr_html_el(fs, "legend", "Allow several organizations");
	json_array_foreach(choices, i, c) {
		int granted = json_is_true(json_object_get(c, "granted"));

		snprintf(id, sizeof(id), "%" PRId64, (int64_t)
			 json_integer_value(json_object_get(c, "id")));
		choice_label(c, label, sizeof(label));
		if (json_is_true(json_object_get(c, "manage"))) {
			lejr_html_checkbox(fs, "org", id, label, granted);
		} else if (granted) {
			/* Not ours to take away: it stays. */
			lejr_html_hidden(fs, "org", id);
			lejr_html_el(fs, "div", label);
		}
	}
	lejr_html_submit(lejr_html_p(fs, NULL), "Save organizations", "mode",
			 "several");
}

/* The Revoke form, or why there is none: someone else's item reaching
 * an organization the viewer does not manage is not theirs to end. */
static void
item_revoke_form(struct lejr_web_req *wr, xmlNodePtr main, json_t *item,
		 const struct item_path *ip)
{
	xmlNodePtr form;
	char action[96];

	if (!json_is_true(json_object_get(item, "revocable"))) {
		lejr_html_heading(main, 2, "Revoke");
		lejr_html_p(main, "It also reaches an organization you do not "
			    "manage. Only its user, or someone who manages "
			    "every organization it reaches, can revoke it.");
		return;
	}
	snprintf(action, sizeof(action), "/settings/connections/%s/revoke",
		 ip->key);
	form = lejr_html_form(main, "post", action, lejr_web_csrf(wr));
	lejr_html_heading(form, 2, "Revoke");
	lejr_html_p(form, "Its tokens stop working at once. This cannot be "
		    "undone.");
	lejr_html_submit(form, "Revoke", NULL, NULL);
}

/* The page of one item, with an error on top when a change failed. */
static void
item_page(struct lejr_web_req *wr, json_t *item, const struct item_path *ip,
	  int status, const char *error)
{
	struct lejr_page *pg;
	xmlNodePtr main;
	char action[96], title[300];

	snprintf(title, sizeof(title), "%s", item_name(item));
	pg = lejr_web_page(wr, title, "connections");
	main = lejr_page_main(pg);
	if (error != NULL)
		lejr_html_error(main, error);
	done_notice(wr, main);
	item_facts(main, item);

	if (json_is_null(json_object_get(item, "revoked"))) {
		snprintf(action, sizeof(action),
			 "/settings/connections/%s/orgs", ip->key);
		item_org_forms(wr, main, item, action);

		item_revoke_form(wr, main, item, ip);
	}
	lejr_html_link(lejr_html_p(main, NULL), "/settings/connections",
		       "Back to AI Connections");
	lejr_web_reply_page(wr, status, pg);
}

/* Collect the posted org ids.  Returns how many, or -1 for a bad one. */
static int
posted_orgs(struct lejr_web_req *wr, int64_t *orgs)
{
	const char *values[ORGS_MAX + 1];
	size_t n = lejr_web_form_all(wr, "org", values, ORGS_MAX + 1);

	if (n > ORGS_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		orgs[i] = parse_id(values[i]);
		if (orgs[i] == 0)
			return -1;
	}
	return (int)n;
}

/* Apply a change in a write transaction; LEJR_OK or a status. */
static int
item_change(struct lejr_web_req *wr, sqlite3 *db,
	    const struct item_path *ip, struct lejr_error *err)
{
	int64_t viewer = lejr_web_user(wr)->id;
	int64_t orgs[ORGS_MAX];
	int n = 0, rc;

	if (strcmp(ip->action, "orgs") == 0) {
		n = posted_orgs(wr, orgs);
		if (n <= 0)
			return lejr_error_set(err, LEJR_EINVAL, "Choose at "
					      "least one organization.");
	}
	rc = ledger_begin(db, 1, err);
	if (rc != LEJR_OK)
		return rc;
	if (n > 0)
		rc = ledger_conn_set_orgs(db, viewer, ip->kind, ip->id, orgs,
					  (size_t)n, err);
	else
		rc = ledger_conn_revoke(db, viewer, ip->kind, ip->id, err);
	if (rc == LEJR_OK)
		rc = ledger_commit(db, err);
	if (rc != LEJR_OK)
		ledger_rollback(db);
	else
		lejr_log(LEJR_LOG_INFO, "user %" PRId64 " %s %s", viewer,
			 n > 0 ? "set the organizations of" : "revoked",
			 ip->key);
	return rc;
}

/* A refused change: the item's page with the reason on top. */
static void
item_refused(struct lejr_web_req *wr, sqlite3 *db,
	     const struct item_path *ip, int rc, struct lejr_error *err)
{
	struct lejr_error err2 = { 0 };
	json_t *item = NULL;
	int status = rc == LEJR_EDENIED ? 403 : rc == LEJR_ECONFLICT ? 409 :
		     400;

	if ((rc != LEJR_EINVAL && rc != LEJR_EDENIED &&
	     rc != LEJR_ECONFLICT) ||
	    ledger_conn_get(db, lejr_web_user(wr)->id, ip->kind, ip->id,
			    &item, &err2) != LEJR_OK) {
		reply_failure(wr, err, rc);
		return;
	}
	item_page(wr, item, ip, status, err->msg);
	json_decref(item);
}

static void
item_handler(struct lejr_web_req *wr, sqlite3 *db)
{
	struct lejr_error err = { 0 };
	struct item_path ip;
	json_t *item = NULL;
	char back[96];
	int rc;

	if (item_path_parse(lejr_web_path(wr), &ip) < 0 ||
	    (*ip.action != '\0' && strcmp(ip.action, "orgs") != 0 &&
	     strcmp(ip.action, "revoke") != 0)) {
		lejr_web_reply_error(wr, 404, "There is no such page.");
		return;
	}
	snprintf(back, sizeof(back), "/settings/connections/%s", ip.key);

	if (*ip.action == '\0' || !lejr_web_is_post(wr)) {
		if (*ip.action != '\0') {
			lejr_web_redirect(wr, back);
			return;
		}
		rc = ledger_conn_get(db, lejr_web_user(wr)->id, ip.kind,
				     ip.id, &item, &err);
		if (rc != LEJR_OK)
			reply_failure(wr, &err, rc);
		else
			item_page(wr, item, &ip, 200, NULL);
		json_decref(item);
		return;
	}

	rc = item_change(wr, db, &ip, &err);
	if (rc != LEJR_OK) {
		item_refused(wr, db, &ip, rc, &err);
		return;
	}
	if (strcmp(ip.action, "revoke") == 0) {
		lejr_web_redirect(wr, "/settings/connections?done=revoked");
	} else {
		snprintf(back, sizeof(back), "/settings/connections/%s"
			 "?done=orgs", ip.key);
		lejr_web_redirect(wr, back);
	}
}

/* ---- Activity ---- */

/* The request's filters, as read from the query. */
struct activity_query {
	json_t *orgs;     /* the user's memberships */
	json_t *org;      /* the chosen one (borrowed from orgs) */
	const char *tool, *user, *from, *to, *cursor;
};

/* A query parameter, NULL when empty. */
static const char *
query_text(struct lejr_web_req *wr, const char *name)
{
	const char *v = lejr_web_query(wr, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Append "&name=value" (value encoded) when value is set. */
static void
url_add(char *buf, size_t len, const char *name, const char *value)
{
	char *enc;
	size_t used = strlen(buf);

	if (value == NULL)
		return;
	enc = evhttp_uriencode(value, -1, 0);
	if (enc != NULL)
		snprintf(buf + used, len - used, "&%s=%s", name, enc);
	free(enc);
}

/* The filter form, keeping the current choices. */
static void
activity_filters(xmlNodePtr main, const struct activity_query *q,
		 json_t *members)
{
	xmlNodePtr form, sel;
	json_t *o;
	size_t i;
	const char *cur = json_string_value(json_object_get(q->org, "slug"));

	form = lejr_html_form(main, "get", "/settings/activity", NULL);
	sel = lejr_html_select(form, "org", "Organization");
	json_array_foreach(q->orgs, i, o) {
		const char *slug = json_string_value(json_object_get(o,
								     "slug"));

		lejr_html_option(sel, slug, slug, strcmp(slug, cur) == 0);
	}
	sel = lejr_html_select(form, "user", "User");
	lejr_html_option(sel, "", "everyone", q->user == NULL);
	json_array_foreach(members, i, o) {
		const char *email = json_string_value(json_object_get(o,
								      "email"));

		lejr_html_option(sel, email, email, q->user != NULL &&
				 strcasecmp(q->user, email) == 0);
	}
	lejr_html_input(form, "text", "tool", "Tool", q->tool, 0);
	lejr_html_input(form, "date", "from", "From", q->from, 0);
	lejr_html_input(form, "date", "to", "To", q->to, 0);
	lejr_html_submit(lejr_html_p(form, NULL), "Filter", NULL, NULL);
}

static void
activity_row(xmlNodePtr table, json_t *rec)
{
	xmlNodePtr row = lejr_html_row(table);
	json_t *entries = json_object_get(rec, "entries"), *e;
	char t[20], list[256];
	size_t i, used = 0;

	list[0] = '\0';
	json_array_foreach(entries, i, e) {
		int n = snprintf(list + used, sizeof(list) - used, "%s#%"
				 PRId64, i > 0 ? ", " : "",
				 (int64_t)json_integer_value(e));
		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}

	lejr_html_cell(row, when(json_object_get(rec, "time"), t));
	lejr_html_cell(row, json_is_string(json_object_get(rec, "user")) ?
		       json_string_value(json_object_get(rec, "user")) : "-");
	lejr_html_cell(row, json_is_string(json_object_get(rec, "client")) ?
		       json_string_value(json_object_get(rec, "client")) :
		       "-");
	lejr_html_cell(row, json_string_value(json_object_get(rec, "tool")));
	lejr_html_cell(row, json_string_value(json_object_get(rec,
							      "outcome")));
	lejr_html_cell(row, used > 0 ? list : "-");
}

/* The table and the link to the next page. */
static void
activity_table(xmlNodePtr main, const struct activity_query *q,
	       json_t *page)
{
	static const char *const headers[] = {
		"Time (UTC)", "User", "Assistant", "Tool", "Outcome",
		"Entries created", NULL
	};
	json_t *records = json_object_get(page, "records"), *rec;
	const char *next = json_string_value(json_object_get(page,
							     "next_cursor"));
	char url[2048];
	xmlNodePtr table, p;
	size_t i;

	if (json_array_size(records) == 0) {
		lejr_html_p(main, "No tool calls match.");
	} else {
		table = lejr_html_table(main, headers);
		json_array_foreach(records, i, rec)
			activity_row(table, rec);
	}

	p = lejr_html_p(main, NULL);
	snprintf(url, sizeof(url), "/settings/activity?org=%s",
		 json_string_value(json_object_get(q->org, "slug")));
	url_add(url, sizeof(url), "tool", q->tool);
	url_add(url, sizeof(url), "user", q->user);
	url_add(url, sizeof(url), "from", q->from);
	url_add(url, sizeof(url), "to", q->to);
	if (q->cursor != NULL) {
		lejr_html_link(p, url, "Newest");
		lejr_html_text(p, " ");
	}
	if (next != NULL) {
		url_add(url, sizeof(url), "cursor", next);
		lejr_html_link(p, url, "Older");
	}
}

/* The chosen organization among the user's; NULL when not one. */
static json_t *
activity_org(json_t *orgs, const char *slug)
{
	json_t *o;
	size_t i;

	if (slug == NULL)
		return json_array_get(orgs, 0);
	json_array_foreach(orgs, i, o)
		if (strcmp(json_string_value(json_object_get(o, "slug")),
			   slug) == 0)
			return o;
	return NULL;
}

/* Fill f from q; a user filter names someone by email. */
static int
activity_filter(sqlite3 *db, const struct activity_query *q,
		struct ledger_activity_filter *f, struct lejr_error *err)
{
	int rc;

	memset(f, 0, sizeof(*f));
	f->org = json_integer_value(json_object_get(q->org, "id"));
	f->tool = q->tool;
	f->from = q->from;
	f->to = q->to;
	f->cursor = q->cursor;
	if (q->user == NULL)
		return LEJR_OK;

	/* Someone unknown has no records: ask for an id nobody has. */
	rc = ledger_user_find(db, q->user, &f->user, err);
	if (rc == LEJR_ENOTFOUND) {
		f->user = -1;
		rc = LEJR_OK;
	}
	return rc;
}

static void
activity_handler(struct lejr_web_req *wr, sqlite3 *db)
{
	struct activity_query q = { 0 };
	struct ledger_activity_filter f;
	struct lejr_error err = { 0 };
	struct lejr_page *pg = NULL;
	json_t *members = NULL, *page = NULL;
	xmlNodePtr main;
	int rc;

	rc = ledger_user_memberships(db, lejr_web_user(wr)->id, &q.orgs,
				     &err);
	if (rc != LEJR_OK) {
		reply_failure(wr, &err, rc);
		return;
	}
	q.org = activity_org(q.orgs, query_text(wr, "org"));
	q.tool = query_text(wr, "tool");
	q.user = query_text(wr, "user");
	q.from = query_text(wr, "from");
	q.to = query_text(wr, "to");
	q.cursor = query_text(wr, "cursor");

	pg = lejr_web_page(wr, "Activity", "activity");
	main = lejr_page_main(pg);
	if (q.org == NULL) {
		lejr_html_p(main, json_array_size(q.orgs) == 0 ?
			    "You are not a member of any organization." :
			    "You are not a member of that organization.");
		lejr_web_reply_page(wr, json_array_size(q.orgs) == 0 ? 200 :
				    404, pg);
		goto out;
	}

	rc = ledger_org_members(db, json_integer_value(json_object_get(
		q.org, "id")), &members, &err);
	if (rc == LEJR_OK)
		rc = activity_filter(db, &q, &f, &err);
	if (rc == LEJR_OK)
		rc = ledger_activity_query(db, &f, &page, &err);
	if (rc != LEJR_OK && rc != LEJR_EINVAL) {
		lejr_page_free(pg);
		reply_failure(wr, &err, rc);
		goto out;
	}

	lejr_html_p(main, "The organization's log of tool calls, newest "
		    "first.");
	activity_filters(main, &q, members);
	if (rc == LEJR_EINVAL)
		lejr_html_error(main, err.msg);
	else
		activity_table(main, &q, page);
	lejr_web_reply_page(wr, rc == LEJR_EINVAL ? 400 : 200, pg);
out:
	json_decref(page);
	json_decref(members);
	json_decref(q.orgs);
}

/* ---- routes ---- */

lejr_web_handler
lejr_settings_handler(const char *path)
{
	if (strcmp(path, "/settings/integrations") == 0)
		return integrations_handler;
	if (strcmp(path, "/settings/integrations/revoke") == 0)
		return integrations_revoke_handler;
	if (strcmp(path, "/settings/connections") == 0)
		return connections_handler;
	if (strncmp(path, "/settings/connections/", 22) == 0)
		return item_handler;
	if (strcmp(path, "/settings/activity") == 0)
		return activity_handler;
	return NULL;
}

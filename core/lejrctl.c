/*
 * lejrctl - the administrator's command line: organizations, users,
 * memberships and access tokens, straight on the database file.
 *
 * Exit status: 0 done, 1 refused or failed (the reason on stderr),
 * 2 bad usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "config.h"
#include "log.h"
#include "ledger/ledger-internal.h"

#ifndef LEJR_LOCALSTATEDIR
#define LEJR_LOCALSTATEDIR "/usr/local/var"
#endif

#define EXIT_USAGE 2
#define PASSWORD_MAX 1024

static const char usage_text[] =
"usage: lejrctl [-d DBPATH | -c CONF] [-v] COMMAND ...\n"
"\n"
"Organizations\n"
"  org create SLUG NAME CURRENCY [--empty]   new organization (ISO 4217\n"
"                                            currency); seeds the standard\n"
"                                            chart of accounts unless --empty\n"
"  org list [--json]\n"
"  org lock SLUG DATE|none                   refuse postings on or before\n"
"                                            DATE (YYYY-MM-DD)\n"
"  org set SLUG fiscal-year-start MM-DD      first day of every fiscal\n"
"                                            year (default 01-01; day 01\n"
"                                            to 28)\n"
"\n"
"Users and memberships\n"
"  user create EMAIL NAME [--password-stdin] password read from stdin\n"
"  user list [--json]\n"
"  user password EMAIL [--none]              new password from stdin, or\n"
"                                            none; ends the user's web\n"
"                                            sign-ins\n"
"  member set ORG_SLUG EMAIL owner|admin|accountant|viewer\n"
"\n"
"Access tokens (for AI assistants and scripts)\n"
"  token create EMAIL --org SLUG[,SLUG...] [--access read|write]\n"
"               [--label TEXT] [--expires-days N]\n"
"                                            prints the token once; access\n"
"                                            defaults to write, capped by\n"
"                                            the user's role\n"
"  token list [--user EMAIL] [--json]\n"
"  token revoke ID                           effective at once\n"
"\n"
"Export\n"
"  export SLUG [--format hledger] [--output FILE]\n"
"                                            the whole journal as an hledger\n"
"                                            journal (ledger reads it too),\n"
"                                            on stdout unless --output\n"
"\n"
"Quick start\n"
"  demo [--org SLUG] [--email EMAIL]         demo organization, owner with\n"
"                                            a new password, and a fresh\n"
"                                            write token (safe to rerun)\n"
"\n"
"Options\n"
"  -d DBPATH   database file (default: $LEJR_DB, else\n"
"              " LEJR_LOCALSTATEDIR "/lib/lejr/lejr.db)\n"
"  -c CONF     take the database from lejr.conf's [server] database\n"
"  -v          log informational lines (migrations) on stderr\n"
"  -h, help    this text\n";

static sqlite3 *db;

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("lejrctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see lejrctl help)\n", stderr);
	return EXIT_USAGE;
}

/* A command's synopsis, when its arguments do not fit it. */
static int
usage_of(const char *synopsis)
{
	fprintf(stderr, "usage: lejrctl %s\n(see lejrctl help)\n", synopsis);
	return EXIT_USAGE;
}

static int
fail(const struct lejr_error *err)
{
	fprintf(stderr, "lejrctl: %s\n", err->msg);
	return EXIT_FAILURE;
}

/* Commit, or roll back and report; the exit status either way. */
static int
finish(int rc, struct lejr_error *err)
{
	if (rc == LEJR_OK)
		rc = ledger_commit(db, err);
	if (rc == LEJR_OK)
		return EXIT_SUCCESS;
	ledger_rollback(db);
	return fail(err);
}

/* ---- command-line options of one command ---- */

struct opt {
	const char *name;  /* "--org" */
	int has_value;
	const char *value; /* the value, or "" for a flag that was given */
};

/*
 * Split argv into positional arguments (into pos, at most npos) and the
 * options listed in opts.  Returns the number of positionals, or -1
 * after saying what is wrong (the caller adds the synopsis).
 */
static int
parse_args(int argc, char **argv, struct opt *opts, size_t nopts,
	   const char **pos, int npos)
{
	int i, n = 0;
	size_t k;

	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0) {
			if (n == npos) {
				fprintf(stderr, "lejrctl: unexpected argument "
					"\"%s\"\n", argv[i]);
				return -1;
			}
			pos[n++] = argv[i];
			continue;
		}

		for (k = 0; k < nopts; k++)
			if (strcmp(argv[i], opts[k].name) == 0)
				break;
		if (k == nopts) {
			fprintf(stderr, "lejrctl: unknown option %s\n",
				argv[i]);
			return -1;
		}
		if (!opts[k].has_value) {
			opts[k].value = "";
			continue;
		}
		if (i + 1 == argc) {
			fprintf(stderr, "lejrctl: %s needs a value\n",
				argv[i]);
			return -1;
		}
		opts[k].value = argv[++i];
	}
	return n;
}

/* ---- tables ---- */

/* Display width of UTF-8 text: one column per character. */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Print rows (an array of arrays of strings), the first being the
 * header, in aligned columns. */
static void
print_table(json_t *rows)
{
	size_t widths[16] = { 0 };
	size_t i, j, w, ncols;
	json_t *row, *cell;

	ncols = json_array_size(json_array_get(rows, 0));
	if (ncols > 16)
		ncols = 16;

	json_array_foreach(rows, i, row)
		for (j = 0; j < ncols; j++) {
			w = text_width(json_string_value(json_array_get(row,
								       j)));
			if (w > widths[j])
				widths[j] = w;
		}

	json_array_foreach(rows, i, row) {
		for (j = 0; j < ncols; j++) {
			cell = json_array_get(row, j);
			fputs(json_string_value(cell), stdout);
			if (j + 1 == ncols)
				break;
			w = text_width(json_string_value(cell));
			printf("%*s", (int)(widths[j] - w + 2), "");
		}
		putchar('\n');
	}
}

/* A string for a table cell: "-" for null, times shortened to minutes. */
static json_t *
cell(json_t *v)
{
	char buf[32];
	const char *s;

	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return json_string(buf);
	}
	if (!json_is_string(v))
		return json_string("-");

	s = json_string_value(v);
	if (strlen(s) >= 16 && s[10] == 'T') {
		snprintf(buf, sizeof(buf), "%.10s %.5s", s, s + 11);
		return json_string(buf);
	}
	return json_string(s);
}

static json_t *
header(const char *const *names, size_t n)
{
	json_t *row = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(row, json_string(names[i]));
	return row;
}

/* Print list as JSON, or as a table with cols picked from each item. */
static void
print_list(json_t *list, int as_json, const char *const *titles,
	   const char *const *keys, size_t n,
	   json_t *(*special)(json_t *item, const char *key))
{
	json_t *rows, *row, *item, *v;
	size_t i, j;

	if (as_json) {
		json_dumpf(list, stdout, JSON_INDENT(2));
		putchar('\n');
		return;
	}
	if (json_array_size(list) == 0) {
		puts("(none)");
		return;
	}

	rows = json_array();
	json_array_append_new(rows, header(titles, n));
	json_array_foreach(list, i, item) {
		row = json_array();
		for (j = 0; j < n; j++) {
			v = special != NULL ? special(item, keys[j]) : NULL;
			json_array_append_new(row, v != NULL ? v :
					      cell(json_object_get(item,
								   keys[j])));
		}
		json_array_append_new(rows, row);
	}
	print_table(rows);
	json_decref(rows);
}

/* ---- org ---- */

static int
cmd_org_create(int argc, char **argv)
{
	struct opt opts[] = { { "--empty", 0, NULL } };
	struct lejr_error err = { 0 };
	const char *pos[3];
	int64_t id;
	int rc;

	if (parse_args(argc, argv, opts, 1, pos, 3) != 3)
		return usage_of("org create SLUG NAME CURRENCY "
				   "[--empty]");

	rc = ledger_begin(db, 1, &err);
	if (rc != LEJR_OK)
		return fail(&err);
	rc = ledger_org_create(db, pos[0], pos[1], pos[2], &id, &err);
	if (rc == LEJR_OK && opts[0].value == NULL)
		rc = ledger_chart_seed(db, id, &err);
	if (finish(rc, &err) != EXIT_SUCCESS)
		return EXIT_FAILURE;

	printf("created organization %s (%s, %s)%s\n", pos[0], pos[1], pos[2],
	       opts[0].value == NULL ? " with the standard chart of accounts"
				     : "");
	return EXIT_SUCCESS;
}

static int
cmd_org_list(int argc, char **argv)
{
	static const char *const titles[] = { "SLUG", "NAME", "CURRENCY",
					      "LOCKED UNTIL", "CREATED" };
	static const char *const keys[] = { "slug", "name", "currency",
					    "lock_date", "created" };
	struct opt opts[] = { { "--json", 0, NULL } };
	struct lejr_error err = { 0 };
	const char *pos[1];
	json_t *list;

	if (parse_args(argc, argv, opts, 1, pos, 0) != 0)
		return usage_of("org list [--json]");
	if (ledger_org_list(db, &list, &err) != LEJR_OK)
		return fail(&err);

	print_list(list, opts[0].value != NULL, titles, keys, 5, NULL);
	json_decref(list);
	return EXIT_SUCCESS;
}

static int
cmd_org_lock(int argc, char **argv)
{
	struct lejr_error err = { 0 };
	struct ledger_org org;
	const char *pos[2], *date;
	int rc;

	if (parse_args(argc, argv, NULL, 0, pos, 2) != 2)
		return usage_of("org lock SLUG DATE|none");
	date = strcmp(pos[1], "none") == 0 ? NULL : pos[1];

	rc = ledger_begin(db, 1, &err);
	if (rc != LEJR_OK)
		return fail(&err);
	rc = ledger_org_find(db, pos[0], &org, &err);
	if (rc == LEJR_OK)
		rc = ledger_org_set_lock_date(db, org.pub.id, date, &err);
	if (finish(rc, &err) != EXIT_SUCCESS)
		return EXIT_FAILURE;

	if (date != NULL)
		printf("%s: postings on or before %s are refused\n", pos[0],
		       date);
	else
		printf("%s: no lock date\n", pos[0]);
	return EXIT_SUCCESS;
}

static int
cmd_org_set(int argc, char **argv)
{
	struct lejr_error err = { 0 };
	struct ledger_org org;
	const char *pos[3];
	int rc;

	if (parse_args(argc, argv, NULL, 0, pos, 3) != 3)
		return usage_of("org set SLUG fiscal-year-start MM-DD");
	if (strcmp(pos[1], "fiscal-year-start") != 0)
		return usage_error("unknown setting \"%s\": the one setting "
				   "is fiscal-year-start", pos[1]);

	rc = ledger_begin(db, 1, &err);
	if (rc != LEJR_OK)
		return fail(&err);
	rc = ledger_org_find(db, pos[0], &org, &err);
	if (rc == LEJR_OK)
		rc = ledger_fiscal_start_set(db, org.pub.id, pos[2], &err);
	if (finish(rc, &err) != EXIT_SUCCESS)
		return EXIT_FAILURE;

	printf("%s: fiscal years start on %s (MM-DD)\n", pos[0], pos[2]);
	return EXIT_SUCCESS;
}

/* ---- user ---- */

/* Read one line of password from stdin, without echo on a terminal. */
static int
read_password(char *buf, size_t len)
{
	struct termios old, quiet;
	int tty, ok;
	size_t n;

	tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fputs("Password: ", stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}

	ok = fgets(buf, (int)len, stdin) != NULL;

	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		return -1;

	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return 0;
}

static int
cmd_user_create(int argc, char **argv)
{
	struct opt opts[] = { { "--password-stdin", 0, NULL } };
	struct lejr_error err = { 0 };
	char password[PASSWORD_MAX + 2];
	const char *pos[2];
	int64_t id;
	int rc, with_pw;

	if (parse_args(argc, argv, opts, 1, pos, 2) != 2)
		return usage_of("user create EMAIL NAME "
				   "[--password-stdin]");

	with_pw = opts[0].value != NULL;
	if (with_pw && read_password(password, sizeof(password)) != 0) {
		fputs("lejrctl: no password on standard input\n", stderr);
		return EXIT_FAILURE;
	}

	rc = ledger_begin(db, 1, &err);
	if (rc == LEJR_OK)
		rc = ledger_user_create(db, pos[0], pos[1],
					with_pw ? password : NULL, &id, &err);
	OPENSSL_cleanse(password, sizeof(password));
	if (finish(rc, &err) != EXIT_SUCCESS)
		return EXIT_FAILURE;

	printf("created user %s (id %" PRId64 ")%s\n", pos[0], id,
	       with_pw ? " with a password" : "");
	return EXIT_SUCCESS;
}

/* A new password for a user, read from stdin; --none removes it, so
 * that the user cannot sign in to the web pages.  Either way the user's
 * web sign-ins end; access tokens stay. */
static int
cmd_user_password(int argc, char **argv)
{
	struct opt opts[] = { { "--none", 0, NULL } };
	struct lejr_error err = { 0 };
	char password[PASSWORD_MAX + 2];
	const char *pos[1];
	int64_t id;
	int rc, none;

	if (parse_args(argc, argv, opts, 1, pos, 1) != 1)
		return usage_of("user password EMAIL [--none]");

	none = opts[0].value != NULL;
	if (!none && read_password(password, sizeof(password)) != 0) {
		fputs("lejrctl: no password on standard input\n", stderr);
		return EXIT_FAILURE;
	}

	rc = ledger_begin(db, 1, &err);
	if (rc == LEJR_OK)
		rc = ledger_user_find(db, pos[0], &id, &err);
	if (rc == LEJR_OK)
		rc = ledger_user_set_password(db, id, none ? NULL : password,
					      &err);
	OPENSSL_cleanse(password, sizeof(password));
	if (finish(rc, &err) != EXIT_SUCCESS)
		return EXIT_FAILURE;

	printf("%s %s; its web sign-ins ended\n",
	       none ? "removed the password of" : "set a new password for",
	       pos[0]);
	return EXIT_SUCCESS;
}

/* "demo:owner, acme:viewer" for the table's ORGS column. */
static json_t *
user_special(json_t *item, const char *key)
{
	char buf[512] = "";
	size_t i, n = 0;
	json_t *m;

	if (strcmp(key, "password") == 0)
		return json_string(json_is_true(json_object_get(item,
						"password")) ? "yes" : "no");
	if (strcmp(key, "orgs") != 0)
		return NULL;

	json_array_foreach(json_object_get(item, "orgs"), i, m) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s:%s",
				      i > 0 ? ", " : "",
				      json_string_value(json_object_get(m,
								"slug")),
				      json_string_value(json_object_get(m,
								"role")));
		if (n >= sizeof(buf))
			break;
	}
	return json_string(buf[0] != '\0' ? buf : "-");
}

static int
cmd_user_list(int argc, char **argv)
{
	static const char *const titles[] = { "EMAIL", "NAME", "PASSWORD",
					      "ORGANIZATIONS", "CREATED" };
	static const char *const keys[] = { "email", "name", "password",
					    "orgs", "created" };
	struct opt opts[] = { { "--json", 0, NULL } };
	struct lejr_error err = { 0 };
	const char *pos[1];
	json_t *list;

	if (parse_args(argc, argv, opts, 1, pos, 0) != 0)
		return usage_of("user list [--json]");
	if (ledger_user_list(db, &list, &err) != LEJR_OK)
		return fail(&err);

	print_list(list, opts[0].value != NULL, titles, keys, 5,
		   user_special);
	json_decref(list);
	return EXIT_SUCCESS;
}

/* ---- member ---- */

static int
cmd_member_set(int argc, char **argv)
{
	struct lejr_error err = { 0 };
	struct ledger_org org;
	const char *pos[3];
	int64_t user;
	int rc, role;

	if (parse_args(argc, argv, NULL, 0, pos, 3) != 3)
		return usage_of("member set ORG_SLUG EMAIL "
				   "owner|admin|accountant|viewer");
	role = lejr_role_parse(pos[2]);
	if (role < 0)
		return usage_error("role \"%s\" is not owner, admin, "
				   "accountant or viewer", pos[2]);

	rc = ledger_begin(db, 1, &err);
	if (rc != LEJR_OK)
		return fail(&err);
	rc = ledger_org_find(db, pos[0], &org, &err);
	if (rc == LEJR_OK)
		rc = ledger_user_find(db, pos[1], &user, &err);
	if (rc == LEJR_OK)
		rc = ledger_member_set(db, org.pub.id, user,
				       (enum lejr_role)role, &err);
	if (finish(rc, &err) != EXIT_SUCCESS)
		return EXIT_FAILURE;

	printf("%s is %s of %s\n", pos[1], pos[2], pos[0]);
	return EXIT_SUCCESS;
}

/* ---- token ---- */

static int
id_listed(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* Resolve "a,b,c" to org ids (at most max), each once, and write
 * the same list without repeats to names. */
static int
org_ids(const char *slugs, int64_t *ids, size_t max, size_t *n,
	char *names, size_t len, struct lejr_error *err)
{
	struct ledger_org org;
	char buf[1024], *p, *save = NULL;
	size_t used = 0;
	int rc;

	*n = 0;
	names[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", slugs);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	     p = strtok_r(NULL, ",", &save)) {
		if (*n == max)
			return lejr_error_set(err, LEJR_EINVAL,
					      "at most %zu organizations", max);
		rc = ledger_org_find(db, p, &org, err);
		if (rc != LEJR_OK)
			return rc;
		if (id_listed(ids, *n, org.pub.id))
			continue;
		ids[(*n)++] = org.pub.id;
		if (used < len)
			used += (size_t)snprintf(names + used, len - used,
						 "%s%s", used > 0 ? "," : "",
						 org.pub.slug);
	}
	if (*n == 0)
		return lejr_error_set(err, LEJR_EINVAL,
				      "--org names no organization");
	return LEJR_OK;
}

/* A write token reads only where the user is a viewer: say so. */
static void
note_viewer_roles(const char *email, int64_t user, const int64_t *orgs,
		  size_t n)
{
	struct lejr_error err = { 0 };
	struct ledger_org org;
	enum lejr_role role;

	for (size_t i = 0; i < n; i++)
		if (ledger_member_role(db, orgs[i], user, &role, &err) ==
		    LEJR_OK && role == LEJR_ROLE_VIEWER &&
		    ledger_org_load(db, orgs[i], &org, &err) == LEJR_OK)
			fprintf(stderr, "note: %s is a viewer in %s, so the "
				"token only reads there while that role "
				"lasts\n", email, org.pub.slug);
}

static int
parse_days(const char *text, int64_t *expires)
{
	char *end;
	long days;

	*expires = 0;
	if (text == NULL)
		return 0;
	errno = 0;
	days = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || days < 1 || days > 3650)
		return -1;
	*expires = (int64_t)time(NULL) + (int64_t)days * 86400;
	return 0;
}

static int
cmd_token_create(int argc, char **argv)
{
	struct opt opts[] = {
		{ "--org", 1, NULL }, { "--access", 1, NULL },
		{ "--label", 1, NULL }, { "--expires-days", 1, NULL },
	};
	struct lejr_error err = { 0 };
	char token[LEJR_TOKEN_MAX + 1], names[1024];
	const char *pos[1];
	int64_t user, id, orgs[64], expires;
	enum lejr_access access = LEJR_ACCESS_WRITE;
	size_t norgs = 0;
	int rc;

	if (parse_args(argc, argv, opts, 4, pos, 1) != 1 ||
	    opts[0].value == NULL)
		return usage_of("token create EMAIL --org SLUG[,SLUG"
				   "...] [--access read|write] [--label TEXT] "
				   "[--expires-days N]");
	if (opts[1].value != NULL && strcmp(opts[1].value, "read") == 0)
		access = LEJR_ACCESS_READ;
	else if (opts[1].value != NULL && strcmp(opts[1].value, "write") != 0)
		return usage_error("--access is read or write, not \"%s\"",
				   opts[1].value);
	if (parse_days(opts[3].value, &expires) != 0)
		return usage_error("--expires-days takes 1 to 3650, not "
				   "\"%s\"", opts[3].value);

	rc = ledger_begin(db, 1, &err);
	if (rc != LEJR_OK)
		return fail(&err);
	rc = ledger_user_find(db, pos[0], &user, &err);
	if (rc == LEJR_OK)
		rc = org_ids(opts[0].value, orgs, 64, &norgs, names,
			     sizeof(names), &err);
	if (rc == LEJR_OK)
		rc = ledger_token_create(db, user, orgs, norgs, access,
					 opts[2].value, expires, token, &id,
					 &err);
	if (finish(rc, &err) != EXIT_SUCCESS)
		return EXIT_FAILURE;

	/* The token alone on stdout, so that scripts can capture it. */
	fprintf(stderr, "token %" PRId64 " for %s (%s access to %s); it is "
		"shown only now:\n", id, pos[0],
		access == LEJR_ACCESS_WRITE ? "write" : "read", names);
	if (access == LEJR_ACCESS_WRITE)
		note_viewer_roles(pos[0], user, orgs, norgs);
	puts(token);
	OPENSSL_cleanse(token, sizeof(token));
	return EXIT_SUCCESS;
}

static json_t *
token_special(json_t *item, const char *key)
{
	char buf[512] = "";
	size_t i, n = 0;
	json_t *o;

	if (strcmp(key, "revoked") == 0)
		return json_string(json_is_string(json_object_get(item, key))
				   ? "revoked" : "active");
	if (strcmp(key, "orgs") != 0)
		return NULL;

	json_array_foreach(json_object_get(item, "orgs"), i, o) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i > 0 ? "," : "", json_string_value(o));
		if (n >= sizeof(buf))
			break;
	}
	return json_string(buf);
}

static int
cmd_token_list(int argc, char **argv)
{
	static const char *const titles[] = {
		"ID", "USER", "LABEL", "ACCESS", "ORGS", "CREATED",
		"LAST USED", "EXPIRES", "CALLS", "STATE",
	};
	static const char *const keys[] = {
		"id", "user", "label", "access", "orgs", "created",
		"last_used", "expires", "calls", "revoked",
	};
	struct opt opts[] = { { "--user", 1, NULL }, { "--json", 0, NULL } };
	struct lejr_error err = { 0 };
	const char *pos[1];
	int64_t user = 0;
	json_t *list;

	if (parse_args(argc, argv, opts, 2, pos, 0) != 0)
		return usage_of("token list [--user EMAIL] [--json]");
	if (opts[0].value != NULL &&
	    ledger_user_find(db, opts[0].value, &user, &err) != LEJR_OK)
		return fail(&err);
	if (ledger_token_list(db, user, &list, &err) != LEJR_OK)
		return fail(&err);

	print_list(list, opts[1].value != NULL, titles, keys, 10,
		   token_special);
	json_decref(list);
	return EXIT_SUCCESS;
}

static int
cmd_token_revoke(int argc, char **argv)
{
	struct lejr_error err = { 0 };
	const char *pos[1];
	char *end;
	long long id;
	int rc;

	if (parse_args(argc, argv, NULL, 0, pos, 1) != 1)
		return usage_of("token revoke ID");
	id = strtoll(pos[0], &end, 10);
	if (*end != '\0' || id <= 0)
		return usage_error("token id \"%s\" is not a number", pos[0]);

	rc = ledger_begin(db, 1, &err);
	if (rc == LEJR_OK)
		rc = ledger_token_revoke(db, (int64_t)id, &err);
	if (finish(rc, &err) != EXIT_SUCCESS)
		return EXIT_FAILURE;

	printf("token %lld revoked\n", id);
	return EXIT_SUCCESS;
}

/* ---- demo ---- */

/* A random password of 20 characters, unambiguous to read. */
static int
random_password(char *buf, size_t len)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz"
				       "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char raw[20];
	size_t i;

	if (len <= sizeof(raw) || RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	/* 56 symbols: the modulo bias is negligible for a demo login */
	for (i = 0; i < sizeof(raw); i++)
		buf[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
	buf[i] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

struct demo {
	const char *slug;
	const char *email;
	char password[32];
	char token[LEJR_TOKEN_MAX + 1];
	int64_t token_id;
};

/* Find or create the org and user, set a fresh password, make the user
 * owner and issue a token: everything the quick start needs. */
static int
demo_setup(struct demo *d, struct lejr_error *err)
{
	struct ledger_org org;
	int64_t org_id, user;
	int rc;

	rc = ledger_org_find(db, d->slug, &org, err);
	if (rc == LEJR_ENOTFOUND)
		rc = ledger_org_create(db, d->slug, "Demo Trading Ltd", "EUR",
				       &org_id, err);
	else
		org_id = org.pub.id;
	if (rc == LEJR_OK)
		rc = ledger_chart_seed(db, org_id, err);
	if (rc != LEJR_OK)
		return rc;

	if (random_password(d->password, sizeof(d->password)) != 0)
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "no random numbers for a password");
	rc = ledger_user_find(db, d->email, &user, err);
	if (rc == LEJR_ENOTFOUND)
		rc = ledger_user_create(db, d->email, "Demo User",
					d->password, &user, err);
	else if (rc == LEJR_OK)
		rc = ledger_user_set_password(db, user, d->password, err);
	if (rc == LEJR_OK)
		rc = ledger_member_set(db, org_id, user, LEJR_ROLE_OWNER, err);
	if (rc == LEJR_OK)
		rc = ledger_token_create(db, user, &org_id, 1,
					 LEJR_ACCESS_WRITE, "demo", 0,
					 d->token, &d->token_id, err);
	return rc;
}

static int
cmd_demo(int argc, char **argv)
{
	struct opt opts[] = { { "--org", 1, NULL }, { "--email", 1, NULL } };
	struct lejr_error err = { 0 };
	struct demo d = { .slug = "demo", .email = "demo@lejr.example" };
	const char *pos[1];
	int rc;

	if (parse_args(argc, argv, opts, 2, pos, 0) != 0)
		return usage_of("demo [--org SLUG] [--email EMAIL]");
	if (opts[0].value != NULL)
		d.slug = opts[0].value;
	if (opts[1].value != NULL)
		d.email = opts[1].value;

	rc = ledger_begin(db, 1, &err);
	if (rc == LEJR_OK)
		rc = demo_setup(&d, &err);
	if (finish(rc, &err) != EXIT_SUCCESS)
		return EXIT_FAILURE;

	printf("organization  %s (EUR, standard chart of accounts)\n"
	       "user          %s (owner)\n"
	       "password      %s\n"
	       "token         %s\n"
	       "\nThe password and the token are shown only now; running "
	       "demo again\nissues new ones (earlier tokens stay valid until "
	       "revoked).\n", d.slug, d.email, d.password, d.token);
	OPENSSL_cleanse(&d, sizeof(d));
	return EXIT_SUCCESS;
}

/* ---- export ---- */

/* Where an export goes: stdout, or a temporary file beside path that
 * takes path's place only once it is complete and on disk. */
struct export_dest {
	const char *path; /* NULL: stdout */
	char tmp[4096];
	FILE *f;
};

static int
export_open(struct export_dest *d, const char *path)
{
	mode_t mask;
	int fd;

	d->path = path;
	if (path == NULL) {
		d->f = stdout;
		return 0;
	}

	if ((size_t)snprintf(d->tmp, sizeof(d->tmp), "%s.XXXXXX", path) >=
	    sizeof(d->tmp)) {
		fprintf(stderr, "lejrctl: output path too long\n");
		return -1;
	}
	fd = mkstemp(d->tmp);
	if (fd < 0) {
		fprintf(stderr, "lejrctl: cannot create %s: %s\n", d->tmp,
			strerror(errno));
		return -1;
	}

	/* mkstemp makes it private; give it the mode of any new file */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 ||
	    (d->f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "lejrctl: %s: %s\n", d->tmp, strerror(errno));
		close(fd);
		unlink(d->tmp);
		return -1;
	}
	return 0;
}

/* Flush and, for a file, sync and rename it into place; on failure (or
 * when ok is 0) leave nothing behind.  0 when all went well. */
static int
export_close(struct export_dest *d, int ok)
{
	const char *name = d->path != NULL ? d->tmp : "stdout";
	int failed = !ok;

	if (!failed && (fflush(d->f) != 0 || ferror(d->f) ||
			(d->path != NULL && fsync(fileno(d->f)) != 0))) {
		fprintf(stderr, "lejrctl: writing %s: %s\n", name,
			strerror(errno));
		failed = 1;
	}
	if (d->path == NULL)
		return failed ? -1 : 0;

	if (fclose(d->f) != 0 && !failed) {
		fprintf(stderr, "lejrctl: closing %s: %s\n", name,
			strerror(errno));
		failed = 1;
	}
	if (!failed && rename(d->tmp, d->path) != 0) {
		fprintf(stderr, "lejrctl: cannot rename %s to %s: %s\n",
			d->tmp, d->path, strerror(errno));
		failed = 1;
	}
	if (failed)
		unlink(d->tmp);
	return failed ? -1 : 0;
}

static int
cmd_export(int argc, char **argv)
{
	struct opt opts[] = { { "--format", 1, NULL },
			      { "--output", 1, NULL } };
	struct lejr_error err = { 0 };
	struct export_dest dest;
	struct ledger_org org;
	const char *pos[1];
	int rc;

	if (parse_args(argc, argv, opts, 2, pos, 1) != 1)
		return usage_of("export SLUG [--format hledger] "
				"[--output FILE]");
	if (opts[0].value != NULL && strcmp(opts[0].value, "hledger") != 0)
		return usage_error("unknown export format \"%s\": the one "
				   "format is hledger", opts[0].value);

	/* one read transaction: a consistent copy while lejrd writes */
	rc = ledger_begin(db, 0, &err);
	if (rc == LEJR_OK)
		rc = ledger_org_find(db, pos[0], &org, &err);
	if (rc != LEJR_OK) {
		ledger_rollback(db);
		return fail(&err);
	}
	if (export_open(&dest, opts[1].value) != 0) {
		ledger_rollback(db);
		return EXIT_FAILURE;
	}

	rc = ledger_export_hledger(db, &org.pub, dest.f, &err);
	ledger_rollback(db);
	if (export_close(&dest, rc == LEJR_OK) != 0)
		return rc != LEJR_OK ? fail(&err) : EXIT_FAILURE;
	return EXIT_SUCCESS;
}

/* ---- dispatch ---- */

struct command {
	const char *group;
	const char *verb; /* NULL: the group is the whole command */
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "org", "create", cmd_org_create },
	{ "org", "list", cmd_org_list },
	{ "org", "lock", cmd_org_lock },
	{ "org", "set", cmd_org_set },
	{ "user", "create", cmd_user_create },
	{ "user", "list", cmd_user_list },
	{ "user", "password", cmd_user_password },
	{ "member", "set", cmd_member_set },
	{ "token", "create", cmd_token_create },
	{ "token", "list", cmd_token_list },
	{ "token", "revoke", cmd_token_revoke },
	{ "export", NULL, cmd_export },
	{ "demo", NULL, cmd_demo },
};

static const struct command *
find_command(int argc, char **argv, int *used)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		if (strcmp(argv[0], commands[i].group) != 0)
			continue;
		if (commands[i].verb == NULL) {
			*used = 1;
			return &commands[i];
		}
		if (argc > 1 && strcmp(argv[1], commands[i].verb) == 0) {
			*used = 2;
			return &commands[i];
		}
	}
	return NULL;
}

/* The database path: -d, else -c's [server] database, else $LEJR_DB,
 * else the built-in default. */
static int
db_path(const char *opt_db, const char *opt_conf, char *buf, size_t len)
{
	struct lejr_config cfg;
	const char *env;

	if (opt_db != NULL) {
		snprintf(buf, len, "%s", opt_db);
		return 0;
	}
	if (opt_conf != NULL) {
		lejr_config_defaults(&cfg);
		if (lejr_config_load(&cfg, opt_conf) != 0) {
			lejr_config_free(&cfg);
			return -1;
		}
		snprintf(buf, len, "%s", cfg.database);
		lejr_config_free(&cfg);
		return 0;
	}
	env = getenv("LEJR_DB");
	snprintf(buf, len, "%s", env != NULL && *env != '\0' ? env :
		 LEJR_LOCALSTATEDIR "/lib/lejr/lejr.db");
	return 0;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	const char *opt_db = NULL, *opt_conf = NULL;
	struct lejr_error err = { 0 };
	char path[1024];
	int c, used = 0, status;

	lejr_log_set_level(LEJR_LOG_WARN);
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_SUCCESS;
	}
	while ((c = getopt(argc, argv, "+d:c:vh")) != -1) {
		switch (c) {
		case 'd':
			opt_db = optarg;
			break;
		case 'c':
			opt_conf = optarg;
			break;
		case 'v':
			lejr_log_set_level(LEJR_LOG_INFO);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_SUCCESS;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	if (argc == 0 || strcmp(argv[0], "help") == 0 ||
	    strcmp(argv[0], "--help") == 0) {
		fputs(usage_text, argc == 0 ? stderr : stdout);
		return argc == 0 ? EXIT_USAGE : EXIT_SUCCESS;
	}

	cmd = find_command(argc, argv, &used);
	if (cmd == NULL)
		return usage_error("unknown command \"%s\"", argv[0]);

	if (opt_db != NULL && opt_conf != NULL)
		return usage_error("give -d or -c, not both");
	if (db_path(opt_db, opt_conf, path, sizeof(path)) != 0)
		return EXIT_FAILURE;

	if (ledger_open(path, &db, &err) != LEJR_OK)
		return fail(&err);

	status = cmd->run(argc - used, argv + used);
	ledger_close(db);
	return status;
}

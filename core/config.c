/*
 * config.c - lejr.conf: defaults, parsing with libinih, validation.
 *
 * A file is read into a copy of the current configuration, which
 * replaces it only when the whole file is valid: a bad file changes
 * nothing.  Unknown sections and keys are errors, so that a typo never
 * silently leaves a default in place.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <ini.h>

#include "config.h"
#include "log.h"

#ifndef LEJR_PLUGINDIR
#define LEJR_PLUGINDIR "/usr/local/lib/lejr/plugins"
#endif
#ifndef LEJR_LOCALSTATEDIR
#define LEJR_LOCALSTATEDIR "/usr/local/var"
#endif

#define NAME_MAX_LEN 64 /* longest plugin or tool name */
#define LINE_MAX_LEN 196 /* what inih's 200-byte line buffer holds */

/* The state of one file's parse. */
struct parse {
	struct lejr_config *cfg; /* the working copy */
	unsigned seen;           /* keys met so far, by index */
	unsigned bit;            /* the bit of the key being set */
	int public_url_set;
	int failed;
	char msg[300];           /* the first error */
};

typedef int (*setter_fn)(struct parse *ps, const char *value);

struct key {
	const char *section;
	const char *name;
	setter_fn set;
};

/* ---- small helpers ---- */

__attribute__((format(printf, 2, 3)))
static int
parse_error(struct parse *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed)
		return 0;
	va_start(ap, fmt);
	vsnprintf(ps->msg, sizeof(ps->msg), fmt, ap);
	va_end(ap);
	ps->failed = 1;
	return 0;
}

static int
parse_number(const char *value, long long min, long long max,
	     long long *out)
{
	char *end;
	long long n;

	if (value[0] < '0' || value[0] > '9')
		return -1;
	errno = 0;
	n = strtoll(value, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
copy_text(char *dst, size_t len, const char *value)
{
	if (value[0] == '\0' || strlen(value) >= len)
		return -1;
	snprintf(dst, len, "%s", value);
	return 0;
}

static int
name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NAME_MAX_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	return 1;
}

static int
url_valid(const char *url)
{
	const char *host;

	if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else
		return 0;
	return host[0] != '\0' && host[0] != '/' &&
	       strpbrk(url, " \t\"<>") == NULL;
}

/* "http://LISTEN:PORT", with an IPv6 address in brackets. */
static void
derive_public_url(const struct lejr_config *cfg, char *buf, size_t len)
{
	if (strchr(cfg->listen, ':') != NULL)
		snprintf(buf, len, "http://[%s]:%d", cfg->listen, cfg->port);
	else
		snprintf(buf, len, "http://%s:%d", cfg->listen, cfg->port);
}

static void
list_clear(char **items, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free(items[i]);
	*n = 0;
}

static int
list_copy(char **dst, size_t *ndst, char *const *src, size_t nsrc)
{
	*ndst = 0;
	for (size_t i = 0; i < nsrc; i++) {
		dst[i] = strdup(src[i]);
		if (dst[i] == NULL)
			return -1;
		(*ndst)++;
	}
	return 0;
}

/*
 * Append the whitespace separated words of value to a list; check
 * validates each word.  The first occurrence of a key in a file replaces
 * the list; continuation lines and repeats append to it.
 */
static int
list_add(struct parse *ps, char **items, size_t *n, const char *key,
	 const char *value, int (*check)(const char *))
{
	char *copy, *word, *save = NULL;
	int rc = 1;

	if (!(ps->seen & ps->bit))
		list_clear(items, n);
	ps->seen |= ps->bit;

	copy = strdup(value);
	if (copy == NULL)
		return parse_error(ps, "out of memory");

	for (word = strtok_r(copy, " \t", &save); word != NULL;
	     word = strtok_r(NULL, " \t", &save)) {
		if (!check(word)) {
			rc = parse_error(ps, "%s: invalid item \"%s\"", key,
					 word);
			break;
		}
		for (size_t i = 0; i < *n; i++)
			if (strcmp(items[i], word) == 0)
				rc = parse_error(ps, "%s: \"%s\" is listed "
						 "twice", key, word);
		if (rc == 0)
			break;
		if (*n == LEJR_CONFIG_LIST_MAX) {
			rc = parse_error(ps, "%s: more than %d items", key,
					 LEJR_CONFIG_LIST_MAX);
			break;
		}
		items[*n] = strdup(word);
		if (items[*n] == NULL) {
			rc = parse_error(ps, "out of memory");
			break;
		}
		(*n)++;
	}

	free(copy);
	return rc;
}

/* ---- [server] ---- */

static int
set_listen(struct parse *ps, const char *value)
{
	if (copy_text(ps->cfg->listen, sizeof(ps->cfg->listen), value) != 0 ||
	    strpbrk(value, " \t/") != NULL)
		return parse_error(ps, "listen: expected an address such as "
				   "127.0.0.1 or ::1");
	return 1;
}

/* An int setting from lo to hi, named key in the error. */
static int
set_count(struct parse *ps, const char *key, const char *value, int lo,
	  int hi, int *out)
{
	long long n;

	if (parse_number(value, lo, hi, &n) != 0)
		return parse_error(ps, "%s: expected a number from %d to %d",
				   key, lo, hi);
	*out = (int)n;
	return 1;
}

static int
set_port(struct parse *ps, const char *value)
{
	return set_count(ps, "port", value, 1, 65535, &ps->cfg->port);
}

static int
set_public_url(struct parse *ps, const char *value)
{
	char *url = ps->cfg->public_url;
	size_t n;

	if (!url_valid(value) ||
	    copy_text(url, sizeof(ps->cfg->public_url), value) != 0)
		return parse_error(ps, "public_url: expected an http:// or "
				   "https:// URL");

	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	ps->public_url_set = 1;
	return 1;
}

static int
set_database(struct parse *ps, const char *value)
{
	if (copy_text(ps->cfg->database, sizeof(ps->cfg->database),
		      value) != 0)
		return parse_error(ps, "database: expected a file path");
	return 1;
}

static int
set_workers(struct parse *ps, const char *value)
{
	return set_count(ps, "workers", value, 1, 256, &ps->cfg->workers);
}

static int
set_long_workers(struct parse *ps, const char *value)
{
	return set_count(ps, "long_workers", value, 1, 64,
			 &ps->cfg->long_workers);
}

static int
set_write_workers(struct parse *ps, const char *value)
{
	return set_count(ps, "write_workers", value, 1, 256,
			 &ps->cfg->write_workers);
}

static int
set_max_body(struct parse *ps, const char *value)
{
	long long n;

	if (parse_number(value, 1024, 1LL << 30, &n) != 0)
		return parse_error(ps, "max_body: expected a size in bytes "
				   "from 1024 to 1073741824");
	ps->cfg->max_body = (size_t)n;
	return 1;
}

static int
set_session_idle(struct parse *ps, const char *value)
{
	long long n;

	if (parse_number(value, 10, 7 * 86400, &n) != 0)
		return parse_error(ps, "session_idle: expected seconds from "
				   "10 to 604800");
	ps->cfg->session_idle = (int)n;
	return 1;
}

static int
origin_valid(const char *origin)
{
	size_t n = strlen(origin);

	return url_valid(origin) && origin[n - 1] != '/';
}

static int
set_origins(struct parse *ps, const char *value)
{
	return list_add(ps, ps->cfg->origins, &ps->cfg->norigins,
			"allowed_origins", value, origin_valid);
}

static int
set_auth(struct parse *ps, const char *value)
{
	if (strcmp(value, "token") == 0)
		ps->cfg->auth_none = 0;
	else if (strcmp(value, "none") == 0)
		ps->cfg->auth_none = 1;
	else
		return parse_error(ps, "auth: expected \"token\" or \"none\"");
	return 1;
}

static int
set_log_level(struct parse *ps, const char *value)
{
	int level = lejr_log_level_parse(value);

	if (level < 0)
		return parse_error(ps, "log_level: expected error, warn, "
				   "notice, info or debug");
	ps->cfg->log_level = level;
	return 1;
}

static int
set_tls_cert(struct parse *ps, const char *value)
{
	if (copy_text(ps->cfg->tls_cert, sizeof(ps->cfg->tls_cert),
		      value) != 0)
		return parse_error(ps, "tls_cert: expected a PEM file path");
	return 1;
}

static int
set_tls_key(struct parse *ps, const char *value)
{
	if (copy_text(ps->cfg->tls_key, sizeof(ps->cfg->tls_key), value) != 0)
		return parse_error(ps, "tls_key: expected a PEM file path");
	return 1;
}

/* ---- [oauth] ---- */

static int
set_access_ttl(struct parse *ps, const char *value)
{
	long long n;

	if (parse_number(value, 10, 86400, &n) != 0)
		return parse_error(ps, "access_token_ttl: expected seconds "
				   "from 10 to 86400");
	ps->cfg->access_token_ttl = (int)n;
	return 1;
}

static int
set_refresh_ttl(struct parse *ps, const char *value)
{
	long long n;

	if (parse_number(value, 60, 365LL * 86400, &n) != 0)
		return parse_error(ps, "refresh_token_ttl: expected seconds "
				   "from 60 to 31536000");
	ps->cfg->refresh_token_ttl = (int)n;
	return 1;
}

static int
set_register_limit(struct parse *ps, const char *value)
{
	long long n;

	if (parse_number(value, 1, 100000, &n) != 0)
		return parse_error(ps, "register_limit: expected a number "
				   "from 1 to 100000");
	ps->cfg->register_limit = (int)n;
	return 1;
}

/* ---- [plugins] ---- */

static int
set_plugin_dir(struct parse *ps, const char *value)
{
	if (copy_text(ps->cfg->plugin_dir, sizeof(ps->cfg->plugin_dir),
		      value) != 0)
		return parse_error(ps, "directory: expected a directory");
	return 1;
}

static int
set_load(struct parse *ps, const char *value)
{
	return list_add(ps, ps->cfg->plugins, &ps->cfg->nplugins,
			"load", value, name_valid);
}

static int
set_disable_tools(struct parse *ps, const char *value)
{
	return list_add(ps, ps->cfg->disabled_tools,
			&ps->cfg->ndisabled_tools, "disable_tools", value,
			name_valid);
}

static const struct key keys[] = {
	{ "server", "listen", set_listen },
	{ "server", "port", set_port },
	{ "server", "public_url", set_public_url },
	{ "server", "database", set_database },
	{ "server", "workers", set_workers },
	{ "server", "long_workers", set_long_workers },
	{ "server", "write_workers", set_write_workers },
	{ "server", "max_body", set_max_body },
	{ "server", "session_idle", set_session_idle },
	{ "server", "allowed_origins", set_origins },
	{ "server", "auth", set_auth },
	{ "server", "log_level", set_log_level },
	{ "server", "tls_cert", set_tls_cert },
	{ "server", "tls_key", set_tls_key },
	{ "oauth", "access_token_ttl", set_access_ttl },
	{ "oauth", "refresh_token_ttl", set_refresh_ttl },
	{ "oauth", "register_limit", set_register_limit },
	{ "plugins", "directory", set_plugin_dir },
	{ "plugins", "load", set_load },
	{ "plugins", "disable_tools", set_disable_tools },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static int
is_list_key(size_t i)
{
	return keys[i].set == set_origins || keys[i].set == set_load ||
	       keys[i].set == set_disable_tools;
}

static int
known_section(const char *section)
{
	return strcmp(section, "server") == 0 ||
	       strcmp(section, "oauth") == 0 ||
	       strcmp(section, "plugins") == 0;
}

static int
on_pair(void *user, const char *section, const char *name,
	const char *value)
{
	struct parse *ps = user;

	if (section[0] == '\0')
		return parse_error(ps, "\"%s\" is outside any section", name);
	if (!known_section(section))
		return parse_error(ps, "unknown section [%s]", section);

	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, section) != 0 ||
		    strcmp(keys[i].name, name) != 0)
			continue;
		/* Lists mark themselves: a repeat extends them. */
		ps->bit = 1u << i;
		if (is_list_key(i))
			return keys[i].set(ps, value);
		if (ps->seen & ps->bit)
			return parse_error(ps, "%s is set more than once",
					   name);
		ps->seen |= ps->bit;
		return keys[i].set(ps, value);
	}
	return parse_error(ps, "unknown key \"%s\" in [%s]", name, section);
}

/* ---- the public functions ---- */

void
lejr_config_defaults(struct lejr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1");
	cfg->port = 8080;
	derive_public_url(cfg, cfg->public_url, sizeof(cfg->public_url));
	snprintf(cfg->database, sizeof(cfg->database), "%s",
		 LEJR_LOCALSTATEDIR "/lib/lejr/lejr.db");
	cfg->workers = 8;
	cfg->long_workers = 2;
	cfg->write_workers = 16;
	cfg->max_body = 1024 * 1024;
	cfg->session_idle = 1800;
	cfg->auth_none = 0;
	cfg->log_level = LEJR_LOG_INFO;
	cfg->access_token_ttl = 3600;
	cfg->refresh_token_ttl = 30 * 86400;
	cfg->register_limit = 20;

	snprintf(cfg->plugin_dir, sizeof(cfg->plugin_dir), "%s",
		 LEJR_PLUGINDIR);
	/* out of memory, the list just ends early */
	cfg->nplugins = 0;
	for (size_t i = 0; i < 2; i++) {
		cfg->plugins[i] = strdup(i == 0 ? "journal" : "reports");
		if (cfg->plugins[i] == NULL)
			break;
		cfg->nplugins++;
	}
}

/* A copy of src whose lists are owned by the copy. */
static int
config_copy(struct lejr_config *dst, const struct lejr_config *src)
{
	*dst = *src;
	dst->norigins = dst->nplugins = dst->ndisabled_tools = 0;
	if (list_copy(dst->origins, &dst->norigins, src->origins,
		      src->norigins) != 0 ||
	    list_copy(dst->plugins, &dst->nplugins, src->plugins,
		      src->nplugins) != 0 ||
	    list_copy(dst->disabled_tools, &dst->ndisabled_tools,
		      src->disabled_tools, src->ndisabled_tools) != 0)
		return -1;
	return 0;
}

/*
 * inih reads lines into a fixed buffer and splits longer ones into
 * separate lines, which could turn the tail of one value into another
 * key.  Refuse such files: a long list can be continued on lines that
 * start with a space.
 */
static int
check_line_lengths(const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, rc = 0;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL)
		return 0; /* ini_parse reports it */

	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n > LINE_MAX_LEN) {
			lejr_log(LEJR_LOG_ERROR, "%s:%d: line longer than %d "
				 "characters; continue a long list on lines "
				 "starting with a space", path, lineno,
				 LINE_MAX_LEN);
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

int
lejr_config_load(struct lejr_config *cfg, const char *path)
{
	struct lejr_config work;
	struct parse ps;
	char derived[256];
	int line;

	memset(&ps, 0, sizeof(ps));
	derive_public_url(cfg, derived, sizeof(derived));

	if (config_copy(&work, cfg) != 0) {
		lejr_config_free(&work);
		lejr_log(LEJR_LOG_ERROR, "%s: out of memory", path);
		return -1;
	}

	if (check_line_lengths(path) != 0)
		goto err;
	ps.cfg = &work;
	line = ini_parse(path, on_pair, &ps);
	if (line == -1) {
		lejr_log(LEJR_LOG_ERROR, "%s: cannot open: %s", path,
			 strerror(errno));
		goto err;
	}
	if (line != 0) {
		lejr_log(LEJR_LOG_ERROR, "%s:%d: %s", path, line,
			 ps.failed ? ps.msg : "syntax error");
		goto err;
	}

	if ((work.tls_cert[0] == '\0') != (work.tls_key[0] == '\0')) {
		lejr_log(LEJR_LOG_ERROR, "%s: tls_cert and tls_key go "
			 "together: set both or neither", path);
		goto err;
	}

	/* A derived public_url follows a new listen or port. */
	if (!ps.public_url_set && strcmp(cfg->public_url, derived) == 0)
		derive_public_url(&work, work.public_url,
				  sizeof(work.public_url));

	lejr_config_free(cfg);
	*cfg = work;
	return 0;

err:
	lejr_config_free(&work);
	return -1;
}

int
lejr_config_tool_disabled(const struct lejr_config *cfg, const char *tool)
{
	for (size_t i = 0; i < cfg->ndisabled_tools; i++)
		if (strcmp(cfg->disabled_tools[i], tool) == 0)
			return 1;
	return 0;
}

void
lejr_config_free(struct lejr_config *cfg)
{
	list_clear(cfg->origins, &cfg->norigins);
	list_clear(cfg->plugins, &cfg->nplugins);
	list_clear(cfg->disabled_tools, &cfg->ndisabled_tools);
}

/*
 * main.c - lejrd: read lejr.conf and the command line, load the
 * runtime (database and plugins), serve MCP over HTTP until a signal.
 */
#include <lejr-build.h>

#include <getopt.h>
#include <libgen.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "http-policy.h"
#include "http.h"
#include "log.h"
#include "runtime.h"

#define DEFAULT_CONF LEJR_SYSCONFDIR "/lejr.conf"

/* What the command line asks for, over the configuration file. */
struct options {
	const char *conf;
	const char *listen;
	const char *database;
	int port;
	int check_only;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: lejrd [-c CONF] [-p PORT] [-l ADDR] [-d DB] "
		"[--check-config]\n"
		"       lejrd --version | --help\n"
		"\n"
		"  -c, --config CONF   configuration file (default %s)\n"
		"  -p, --port PORT     port to listen on\n"
		"  -l, --listen ADDR   address to listen on\n"
		"  -d, --database DB   SQLite database file\n"
		"      --check-config  check the configuration and exit\n"
		"      --version       print the version and exit\n"
		"      --help          print this help and exit\n",
		DEFAULT_CONF);
}

/* Parse argv into o.  Returns 0, 1 when lejrd should exit 0 now
 * (--help, --version), or -1 on a usage error. */
static int
parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "database", required_argument, NULL, 'd' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "c:p:l:d:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'c':
			o->conf = optarg;
			break;
		case 'p':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 ||
			    v > 65535) {
				fprintf(stderr, "lejrd: bad port: %s\n",
					optarg);
				return -1;
			}
			o->port = (int)v;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'd':
			o->database = optarg;
			break;
		case 'C':
			o->check_only = 1;
			break;
		case 'V':
			printf("lejrd %s\n", PACKAGE_VERSION);
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lejrd: unexpected argument: %s\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

/* The public_url lejr_config derives when none is set. */
static void
derived_url(const struct lejr_config *cfg, char *buf, size_t len)
{
	if (strchr(cfg->listen, ':') != NULL)
		snprintf(buf, len, "http://[%s]:%d", cfg->listen, cfg->port);
	else
		snprintf(buf, len, "http://%s:%d", cfg->listen, cfg->port);
}

/* Read the configuration file and apply the command line over it. */
static int
load_config(struct lejr_config *cfg, const struct options *o)
{
	const char *path = o->conf;
	char derived[256];
	int was_derived;

	lejr_config_defaults(cfg);
	if (path == NULL && access(DEFAULT_CONF, R_OK) == 0)
		path = DEFAULT_CONF;
	if (path != NULL && lejr_config_load(cfg, path) < 0)
		return -1;

	derived_url(cfg, derived, sizeof(derived));
	was_derived = strcmp(cfg->public_url, derived) == 0;

	if (o->listen != NULL)
		snprintf(cfg->listen, sizeof(cfg->listen), "%s", o->listen);
	if (o->port != 0)
		cfg->port = o->port;
	if (o->database != NULL)
		snprintf(cfg->database, sizeof(cfg->database), "%s",
			 o->database);
	if (was_derived)
		derived_url(cfg, cfg->public_url, sizeof(cfg->public_url));
	return 0;
}

/* Checks lejr_config leaves to the server. */
static int
check_config(const struct lejr_config *cfg)
{
	struct lejr_url url;
	const char *l = cfg->listen;
	size_t n = strlen(l);

	if (lejr_url_parse(cfg->public_url, &url) < 0) {
		lejr_log(LEJR_LOG_ERROR, "public_url %s is not an http(s) URL "
			 "with a host", cfg->public_url);
		return -1;
	}
	if (cfg->auth_none && !lejr_host_is_loopback(l, n)) {
		lejr_log(LEJR_LOG_ERROR, "auth = none needs a loopback listen "
			 "address (127.0.0.1, ::1, localhost), not %s", l);
		return -1;
	}
	return 0;
}

/* Can lejrd resolve the listen address as it will to bind it: an
 * address in any form getaddrinfo takes ("127.1" included), or a name
 * this machine resolves?  Whether it may bind there, only starting
 * shows. */
static int
listen_ok(const char *l)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE }, *res = NULL;
	int rc;

	/* meant as a number: never ask a name server for it */
	if (strspn(l, "0123456789.") == strlen(l) || strchr(l, ':') != NULL)
		hints.ai_flags |= AI_NUMERICHOST;
	rc = getaddrinfo(l, NULL, &hints, &res);
	if (res != NULL)
		freeaddrinfo(res);
	return rc == 0;
}

/*
 * What --check-config can see of starting beyond the file itself: the
 * listen address, the database's directory, and each plugin's file.  A
 * missing plugin only warns, as the server then runs without it.
 * Returns the number of errors; *warnings counts the rest.
 */
static int
check_start(const struct lejr_config *cfg, int *warnings)
{
	char path[sizeof(cfg->plugin_dir) + 80], dir[sizeof(cfg->database)];
	int errors = 0;

	*warnings = 0;
	if (!listen_ok(cfg->listen)) {
		lejr_log(LEJR_LOG_ERROR, "listen = %s: neither an address "
			 "nor a name this machine resolves", cfg->listen);
		errors++;
	}
	/* a "file:" URI is SQLite's to read */
	snprintf(dir, sizeof(dir), "%s", cfg->database);
	if (strcmp(cfg->database, ":memory:") != 0 &&
	    strncmp(cfg->database, "file:", 5) != 0 &&
	    access(dirname(dir), W_OK | X_OK) != 0) {
		lejr_log(LEJR_LOG_ERROR, "database = %s: its directory is "
			 "missing or not writable", cfg->database);
		errors++;
	}
	for (size_t i = 0; i < cfg->nplugins; i++) {
		snprintf(path, sizeof(path), "%s/%s.so", cfg->plugin_dir,
			 cfg->plugins[i]);
		if (access(path, R_OK) == 0)
			continue;
		lejr_log(LEJR_LOG_WARN, "plugin %s: no readable %s; lejrd "
			 "would run without it", cfg->plugins[i], path);
		(*warnings)++;
	}
	return errors;
}

int
main(int argc, char **argv)
{
	struct lejr_config cfg;
	struct lejr_runtime *rt;
	struct options o;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : 2;

	if (load_config(&cfg, &o) < 0 || check_config(&cfg) < 0) {
		lejr_config_free(&cfg);
		return 1;
	}
	lejr_log_set_level((enum lejr_log_level)cfg.log_level);

	if (o.check_only) {
		int warnings, errors = check_start(&cfg, &warnings);

		if (errors == 0)
			printf("configuration ok%s: %s port %d, %s\n",
			       warnings ? " (with warnings)" : "", cfg.listen,
			       cfg.port, cfg.public_url);
		lejr_config_free(&cfg);
		return errors == 0 ? 0 : 1;
	}

	lejr_log(LEJR_LOG_NOTICE, "lejrd %s starting, database %s",
		 PACKAGE_VERSION, cfg.database);
	for (size_t i = 0; i < cfg.nplugins; i++)
		lejr_log(LEJR_LOG_INFO, "plugin %s requested from %s",
			 cfg.plugins[i], cfg.plugin_dir);

	rt = lejr_runtime_new(&cfg);
	if (rt == NULL) {
		lejr_log(LEJR_LOG_ERROR, "cannot open the runtime; exiting");
		lejr_config_free(&cfg);
		return 1;
	}

	rc = lejr_http_run(&cfg, rt);
	lejr_runtime_free(rt);
	lejr_config_free(&cfg);
	return rc == 0 ? 0 : 1;
}

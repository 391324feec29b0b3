/*
 * test_config.c - lejr.conf: defaults, every key, derived public_url,
 * lists, and errors reported with file and line that change nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../core/config.h" /* not autoconf's config.h */
#include "log.h"
#include "runtime-fixture.h"

static struct lejr_config cfg;

static void
setup(void)
{
	fixture_setup();
	lejr_config_defaults(&cfg);
}

static void
teardown(void)
{
	lejr_config_free(&cfg);
	fixture_teardown();
}

TestSuite(config, .init = setup, .fini = teardown);

/* Load text as a file named lejr.conf. */
static int
load(const char *text)
{
	char path[512];

	fixture_write(path, sizeof(path), "lejr.conf", text);
	return lejr_config_load(&cfg, path);
}

Test(config, defaults)
{
	cr_assert_str_eq(cfg.listen, "127.0.0.1");
	cr_assert_eq(cfg.port, 8080);
	cr_assert_str_eq(cfg.public_url, "http://127.0.0.1:8080");
	cr_assert_str_eq(cfg.database, LEJR_LOCALSTATEDIR "/lib/lejr/lejr.db");
	cr_assert_eq(cfg.workers, 8);
	cr_assert_eq(cfg.long_workers, 2);
	cr_assert_eq(cfg.write_workers, 16);
	cr_assert_eq(cfg.max_body, 1048576);
	cr_assert_eq(cfg.session_idle, 1800);
	cr_assert_eq(cfg.auth_none, 0);
	cr_assert_eq(cfg.log_level, LEJR_LOG_INFO);
	cr_assert_eq(cfg.norigins, 0);
	cr_assert_str_eq(cfg.plugin_dir, LEJR_PLUGINDIR);
	cr_assert_eq(cfg.nplugins, 2);
	cr_assert_str_eq(cfg.plugins[0], "journal");
	cr_assert_str_eq(cfg.plugins[1], "reports");
	cr_assert_eq(cfg.ndisabled_tools, 0);
}

Test(config, every_key)
{
	cr_assert_eq(load("; a comment\n"
			  "[server]\n"
			  "listen = 0.0.0.0\n"
			  "port = 9090\n"
			  "public_url = https://books.example.com/\n"
			  "database = /srv/lejr/books.db\n"
			  "workers = 12\n"
			  "long_workers = 3\n"
			  "write_workers = 40\n"
			  "max_body = 2048\n"
			  "session_idle = 60\n"
			  "allowed_origins = https://claude.ai "
			  "http://localhost:6274\n"
			  "auth = none\n"
			  "log_level = debug\n"
			  "\n"
			  "[plugins]\n"
			  "directory = /opt/lejr/plugins\n"
			  "load = journal invoicing\n"
			  "disable_tools = reverse_journal_entry\n"), 0);

	cr_assert_str_eq(cfg.listen, "0.0.0.0");
	cr_assert_eq(cfg.port, 9090);
	cr_assert_str_eq(cfg.public_url, "https://books.example.com");
	cr_assert_str_eq(cfg.database, "/srv/lejr/books.db");
	cr_assert_eq(cfg.workers, 12);
	cr_assert_eq(cfg.long_workers, 3);
	cr_assert_eq(cfg.write_workers, 40);
	cr_assert_eq(cfg.max_body, 2048);
	cr_assert_eq(cfg.session_idle, 60);
	cr_assert_eq(cfg.norigins, 2);
	cr_assert_str_eq(cfg.origins[0], "https://claude.ai");
	cr_assert_str_eq(cfg.origins[1], "http://localhost:6274");
	cr_assert_eq(cfg.auth_none, 1);
	cr_assert_eq(cfg.log_level, LEJR_LOG_DEBUG);
	cr_assert_str_eq(cfg.plugin_dir, "/opt/lejr/plugins");
	cr_assert_eq(cfg.nplugins, 2);
	cr_assert_str_eq(cfg.plugins[1], "invoicing");
	cr_assert_eq(cfg.ndisabled_tools, 1);
	cr_assert(lejr_config_tool_disabled(&cfg, "reverse_journal_entry"));
	cr_assert_not(lejr_config_tool_disabled(&cfg, "post_journal_entry"));
}

Test(config, public_url_follows_listen_and_port)
{
	cr_assert_eq(load("[server]\nlisten = 10.0.0.5\nport = 9000\n"), 0);
	cr_assert_str_eq(cfg.public_url, "http://10.0.0.5:9000");

	cr_assert_eq(load("[server]\nlisten = ::1\n"), 0);
	cr_assert_str_eq(cfg.public_url, "http://[::1]:9000");
}

Test(config, explicit_public_url_stays)
{
	cr_assert_eq(load("[server]\npublic_url = https://a.example\n"), 0);
	cr_assert_eq(load("[server]\nport = 9000\n"), 0);
	cr_assert_str_eq(cfg.public_url, "https://a.example");
}

Test(config, unknown_key_names_file_and_line)
{
	char path[512];

	cr_assert_eq(load("[server]\nport = 9999\ncolour = blue\n"), -1);
	fixture_path(path, sizeof(path), "lejr.conf:3: unknown key "
		     "\"colour\" in [server]");
	cr_assert_logged(path);

	/* A bad file changes nothing, not even its valid lines. */
	cr_assert_eq(cfg.port, 8080);
}

Test(config, unknown_section_and_keys_outside_sections)
{
	cr_assert_eq(load("[server]\nport = 1\n[database]\npath = x\n"), -1);
	cr_assert_logged("lejr.conf:4: unknown section [database]");

	cr_assert_eq(load("port = 1\n"), -1);
	cr_assert_logged("lejr.conf:1: \"port\" is outside any section");
}

Test(config, bad_values)
{
	static const char *const bad[][2] = {
		{ "[server]\nport = 0\n", "port: expected a number" },
		{ "[server]\nport = 80a\n", "port: expected a number" },
		{ "[server]\nworkers = -2\n", "workers: expected" },
		{ "[server]\nlong_workers = 0\n", "long_workers: expected" },
		{ "[server]\nwrite_workers = 257\n",
		  "write_workers: expected" },
		{ "[server]\nmax_body = 10\n", "max_body: expected" },
		{ "[server]\nauth = maybe\n", "auth: expected" },
		{ "[server]\nlog_level = loud\n", "log_level: expected" },
		{ "[server]\npublic_url = ftp://x\n", "public_url: expected" },
		{ "[server]\nallowed_origins = https://a.example/\n",
		  "allowed_origins: invalid item \"https://a.example/\"" },
		{ "[plugins]\nload = Journal\n",
		  "load: invalid item \"Journal\"" },
		{ "[plugins]\nload = journal journal\n",
		  "load: \"journal\" is listed twice" },
		{ "[server]\nport = 1\nport = 2\n",
		  "lejr.conf:3: port is set more than once" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(load(bad[i][0]), -1, "accepted: %s", bad[i][0]);
		cr_assert_logged(bad[i][1]);
	}
	cr_assert_eq(cfg.port, 8080);
	cr_assert_eq(cfg.nplugins, 2);
}

Test(config, lists_replace_and_continue)
{
	cr_assert_eq(load("[plugins]\nload = a\n  b c\n"), 0);
	cr_assert_eq(cfg.nplugins, 3);
	cr_assert_str_eq(cfg.plugins[0], "a");
	cr_assert_str_eq(cfg.plugins[2], "c");

	cr_assert_eq(load("[plugins]\nload =\n"), 0);
	cr_assert_eq(cfg.nplugins, 0);
}

Test(config, long_lines)
{
	char text[4096];
	size_t n;

	/* One line of 40 origins is too long for inih: refused. */
	n = (size_t)snprintf(text, sizeof(text), "[server]\n"
			     "allowed_origins =");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      " https://client%02d.example.com", i);
	snprintf(text + n, sizeof(text) - n, "\nport = 7000\n");
	cr_assert_eq(load(text), -1);
	cr_assert_logged("lejr.conf:2: line longer than 196 characters");

	/* The same list continued over several lines. */
	n = (size_t)snprintf(text, sizeof(text), "[server]\n"
			     "allowed_origins =");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "%s https://client%02d.example.com",
				      i % 4 == 0 ? "\n " : "", i);
	snprintf(text + n, sizeof(text) - n, "\nport = 7000\n");
	cr_assert_eq(load(text), 0);
	cr_assert_eq(cfg.norigins, 40);
	cr_assert_str_eq(cfg.origins[39], "https://client39.example.com");
	cr_assert_eq(cfg.port, 7000);
}

Test(config, missing_file)
{
	char path[512];

	fixture_path(path, sizeof(path), "absent.conf");
	cr_assert_eq(lejr_config_load(&cfg, path), -1);
	cr_assert_logged("absent.conf: cannot open: No such file");
}

/* The shipped sample: as it is, and with every example uncommented. */
Test(config, sample_file)
{
	char line[512], path[512], *text;
	size_t n = 0, cap = 65536;
	FILE *f;

	/* made from conf/lejr.conf.in by the build */
	snprintf(path, sizeof(path), "%s/conf/lejr.conf", LEJR_TEST_BUILDDIR);
	cr_assert_eq(lejr_config_load(&cfg, path), 0);
	cr_assert_eq(cfg.port, 8080);

	text = calloc(1, cap);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *l = line;

		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' &&
		    strstr(line, " =") != NULL)
			l = line + 1;
		n += (size_t)snprintf(text + n, cap - n, "%s", l);
	}
	fclose(f);

	cr_assert_eq(load(text), 0, "%s", fixture_log_text());
	cr_assert_eq(cfg.norigins, 2);
	cr_assert_eq(cfg.ndisabled_tools, 2);
	/* the sample shows the built-in default */
	cr_assert_str_eq(cfg.database, LEJR_LOCALSTATEDIR "/lib/lejr/lejr.db");
	free(text);
}

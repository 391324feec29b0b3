/*
 * runtime-fixture.h - helpers shared by the runtime tests: a temporary
 * directory per test, and capture of the log (standard error) to check
 * what lejrd reported.  Criterion runs each test in its own process, so
 * redirecting standard error affects one test only.
 */
#ifndef LEJR_RUNTIME_FIXTURE_H
#define LEJR_RUNTIME_FIXTURE_H

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

static char fixture_dir[256];
static char fixture_log[300];

__attribute__((unused)) static int
fixture_rm(const char *path, const struct stat *st, int flag,
	   struct FTW *ftw)
{
	return remove(path);
}

/* Make the test's directory and send the log to a file in it. */
__attribute__((unused)) static void
fixture_setup(void)
{
	int fd;

	snprintf(fixture_dir, sizeof(fixture_dir), "/tmp/lejr-test-XXXXXX");
	cr_assert_not_null(mkdtemp(fixture_dir), "mkdtemp");

	snprintf(fixture_log, sizeof(fixture_log), "%s/log", fixture_dir);
	fflush(stderr);
	fd = open(fixture_log, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	cr_assert_geq(fd, 0, "open %s", fixture_log);
	cr_assert_geq(dup2(fd, 2), 0, "dup2");
	close(fd);
}

__attribute__((unused)) static void
fixture_teardown(void)
{
	if (fixture_dir[0] != '\0')
		nftw(fixture_dir, fixture_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/* path of name in the test's directory. */
__attribute__((unused)) static void
fixture_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", fixture_dir, name);
}

/* Write text to name in the test's directory; its path goes to buf. */
__attribute__((unused)) static void
fixture_write(char *buf, size_t len, const char *name, const char *text)
{
	FILE *f;

	fixture_path(buf, len, name);
	f = fopen(buf, "w");
	cr_assert_not_null(f, "fopen %s", buf);
	fputs(text, f);
	fclose(f);
}

/* Everything logged so far (static buffer). */
__attribute__((unused)) static const char *
fixture_log_text(void)
{
	static char text[65536];
	size_t n;
	FILE *f;

	fflush(stderr);
	f = fopen(fixture_log, "r");
	cr_assert_not_null(f, "fopen %s", fixture_log);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* Assert that the log holds needle. */
#define cr_assert_logged(needle)                                          \
	cr_assert_not_null(strstr(fixture_log_text(), (needle)),          \
			   "log lacks \"%s\"; it holds:\n%s", (needle),    \
			   fixture_log_text())

#ifdef LEJR_RUNTIME_H

/* Replace a configuration list with the NULL-terminated names. */
__attribute__((unused)) static void
fixture_list(char **items, size_t *n, const char *const *names)
{
	for (size_t i = 0; i < *n; i++)
		free(items[i]);
	for (*n = 0; names[*n] != NULL; (*n)++)
		items[*n] = strdup(names[*n]);
}

/* A configuration loading plugins from the test build, with the
 * database in the test's directory. */
__attribute__((unused)) static void
fixture_config(struct lejr_config *cfg, const char *const *plugins,
	       const char *const *disabled)
{
	static const char *const none[] = { NULL };

	lejr_config_defaults(cfg);
	fixture_path(cfg->database, sizeof(cfg->database), "lejr.db");
	snprintf(cfg->plugin_dir, sizeof(cfg->plugin_dir), "%s",
		 LEJR_TEST_PLUGINDIR);
	fixture_list(cfg->plugins, &cfg->nplugins, plugins);
	fixture_list(cfg->disabled_tools, &cfg->ndisabled_tools,
		     disabled ? disabled : none);
}

/* The last JSON-RPC error of fixture_rpc(). */
static int fixture_code;
static char fixture_message[512];

/*
 * Dispatch method with params given as JSON text (NULL for none).
 * Returns the result (new reference) or NULL with fixture_code and
 * fixture_message set.
 */
__attribute__((unused)) static json_t *
fixture_rpc(struct lejr_runtime *rt, const struct ledger_principal *p,
	    const char *method, const char *params_text,
	    struct lejr_exchange *ex)
{
	json_t *params = NULL, *result;
	char *message = NULL;
	json_error_t jerr;

	if (params_text != NULL) {
		params = json_loads(params_text, JSON_DECODE_ANY, &jerr);
		cr_assert_not_null(params, "params: %s: %s", params_text,
				   jerr.text);
	}
	fixture_code = 0;
	fixture_message[0] = '\0';
	result = lejr_runtime_dispatch(rt, p, method, params, ex,
				       &fixture_code, &message);
	json_decref(params);
	if (result == NULL) {
		cr_assert_not_null(message, "an error needs a message");
		snprintf(fixture_message, sizeof(fixture_message), "%s",
			 message);
		free(message);
	} else {
		cr_assert_null(message, "a result with an error message");
	}
	return result;
}

/* Names of the tools of a tools/list result, space separated. */
__attribute__((unused)) static const char *
fixture_tool_names(json_t *list)
{
	static char names[2048];
	json_t *tool;
	size_t i, n = 0;

	names[0] = '\0';
	json_array_foreach(json_object_get(list, "tools"), i, tool)
		n += (size_t)snprintf(names + n, sizeof(names) - n, " %s",
				      json_string_value(json_object_get(
					      tool, "name")));
	return names;
}

#endif /* LEJR_RUNTIME_H */

#endif /* LEJR_RUNTIME_FIXTURE_H */

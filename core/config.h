/*
 * config.h - lejr.conf, read with libinih.
 *
 *     [server]
 *     listen = 127.0.0.1          address to bind
 *     port = 8080
 *     public_url = http://127.0.0.1:8080   base of every URL we emit
 *     database = LOCALSTATEDIR/lib/lejr/lejr.db   (configure's)
 *     workers = 8                 threads running reads and other calls
 *     write_workers = 16          threads handing write tools' calls to
 *                                 the writer and waiting for their commit
 *     long_workers = 2            threads, at a lower priority, running
 *                                 the calls of tools known to take long
 *     max_body = 1048576          largest request body, bytes
 *     session_idle = 1800         seconds before an idle session ends
 *     allowed_origins = https://claude.ai http://localhost:6274
 *     auth = token                "none" only for tests on loopback
 *     log_level = info
 *     tls_cert = /etc/lejr/cert.pem   serve https itself (PEM chain)
 *     tls_key = /etc/lejr/key.pem     and its private key
 *
 *     [oauth]
 *     access_token_ttl = 3600     seconds an access token lives
 *     refresh_token_ttl = 2592000 seconds a refresh token lives
 *     register_limit = 20         client registrations per address, hour
 *
 *     [plugins]
 *     directory = /usr/local/lib/lejr/plugins
 *     load = journal              names, in load order
 *     disable_tools = reverse_journal_entry
 */
#ifndef LEJR_CONFIG_H
#define LEJR_CONFIG_H

#include <stddef.h>

#define LEJR_CONFIG_LIST_MAX 64

struct lejr_config {
	char listen[64];
	int port;
	char public_url[256]; /* no trailing slash */
	char database[1024];
	int workers;
	int long_workers;
	int write_workers;
	size_t max_body;
	int session_idle;
	int auth_none;
	int log_level;

	char *origins[LEJR_CONFIG_LIST_MAX];
	size_t norigins;

	/* TLS served by lejrd itself: both set, or both empty. */
	char tls_cert[1024];
	char tls_key[1024];

	/* The OAuth authorization server. */
	int access_token_ttl;
	int refresh_token_ttl;
	int register_limit;

	char plugin_dir[1024];
	char *plugins[LEJR_CONFIG_LIST_MAX];
	size_t nplugins;
	char *disabled_tools[LEJR_CONFIG_LIST_MAX];
	size_t ndisabled_tools;
};

/* Set the built-in defaults. */
void lejr_config_defaults(struct lejr_config *cfg);

/* Read path over the current values.  Returns 0, or -1 after logging
 * the file, line and reason. */
int lejr_config_load(struct lejr_config *cfg, const char *path);

/* Is tool disabled by the configuration? */
int lejr_config_tool_disabled(const struct lejr_config *cfg,
			      const char *tool);

void lejr_config_free(struct lejr_config *cfg);

#endif /* LEJR_CONFIG_H */

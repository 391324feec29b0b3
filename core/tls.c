/*
 * tls.c - https served by lejrd itself (see tls.h).
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>

#include "http-internal.h"
#include "log.h"
#include "tls.h"

/* Log what OpenSSL says went wrong with what was being done. */
static int
tls_error(const char *what, const char *path)
{
	char buf[256];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, buf, sizeof(buf));
	lejr_log(LEJR_LOG_ERROR, "tls: %s %s: %s", what, path, buf);
	ERR_clear_error();
	return -1;
}

/* evhttp's hook for each accepted connection: a server-side TLS
 * bufferevent, its socket set by evhttp. */
static struct bufferevent *
tls_bev(struct event_base *base, void *arg)
{
	struct lejr_server *srv = arg;
	struct bufferevent *bev;
	SSL *ssl;

	ssl = SSL_new(srv->tls);
	if (ssl == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
					     BUFFEREVENT_SSL_ACCEPTING,
					     BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}

	/* Clients often close without close_notify; the HTTP framing
	 * tells us whether the request was whole. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

static SSL_CTX *
tls_context(const struct lejr_config *cfg)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		tls_error("creating a context", "");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_CIPHER_SERVER_PREFERENCE);

	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) {
		tls_error("reading the certificate", cfg->tls_cert);
		goto err;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key,
					SSL_FILETYPE_PEM) != 1) {
		tls_error("reading the key", cfg->tls_key);
		goto err;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_error("matching the key with the certificate",
			  cfg->tls_cert);
		goto err;
	}
	return ctx;
err:
	SSL_CTX_free(ctx);
	return NULL;
}

int
lejr_tls_setup(struct lejr_server *srv)
{
	const struct lejr_config *cfg = srv->cfg;

	if (cfg->tls_cert[0] == '\0')
		return 0;
	srv->tls = tls_context(cfg);
	if (srv->tls == NULL)
		return -1;
	evhttp_set_bevcb(srv->http, tls_bev, srv);

	if (strncmp(cfg->public_url, "https://", 8) != 0)
		lejr_log(LEJR_LOG_WARN, "tls: lejrd serves https but "
			 "public_url is %s: clients will be sent to http",
			 cfg->public_url);
	lejr_log(LEJR_LOG_NOTICE, "tls: serving https with %s",
		 cfg->tls_cert);
	return 0;
}

void
lejr_tls_free(struct lejr_server *srv)
{
	SSL_CTX_free(srv->tls);
	srv->tls = NULL;
}

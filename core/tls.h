/*
 * tls.h - https served by lejrd itself, from the certificate chain and
 * key named by tls_cert and tls_key in lejr.conf: every accepted
 * connection gets an OpenSSL bufferevent (libevent_openssl), so evhttp
 * and everything above it work unchanged.  Without them lejrd speaks
 * plain http, for a reverse proxy that terminates TLS.
 */
#ifndef LEJR_TLS_H
#define LEJR_TLS_H

struct lejr_server;

/* Load srv->cfg's certificate and key and make srv->http accept TLS.
 * Returns 0 (also when no TLS is configured), or -1 (logged). */
int lejr_tls_setup(struct lejr_server *srv);

/* Free the TLS context after the HTTP server.  Safe without one. */
void lejr_tls_free(struct lejr_server *srv);

#endif /* LEJR_TLS_H */

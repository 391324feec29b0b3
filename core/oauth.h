/*
 * oauth.h - lejrd's OAuth 2.1 authorization server, as http.c sees it:
 * the metadata (RFC 8414), client registration (RFC 7591), the token
 * endpoint with PKCE and refresh-token rotation, revocation (RFC 7009)
 * and the authorization endpoint with its consent page.
 *
 * Every endpoint answers on the loop thread; what needs the database or
 * a password goes to the deferral threads (defer.h), and the pages run
 * through web.h.  The records live in core/ledger/oauth.c.
 */
#ifndef LEJR_OAUTH_H
#define LEJR_OAUTH_H

struct lejr_server;
struct evhttp_request;

#define LEJR_OAUTH_CODE_TTL 600 /* seconds an authorization code lives */
#define LEJR_OAUTH_UNUSED_TTL (24 * 3600) /* a client without tokens */
#define LEJR_OAUTH_RATE_SLOTS 256 /* addresses counted for registration */

/* Build the metadata document and the registration counters from
 * srv->cfg (loop thread, at start).  Returns 0, or -1 (logged). */
int lejr_oauth_start(struct lejr_server *srv);

/* Free what lejr_oauth_start made.  Safe after a failed start. */
void lejr_oauth_stop(struct lejr_server *srv);

/* Is path an endpoint of the authorization server (with or without a
 * trailing slash)? */
int lejr_oauth_path_ours(const char *path);

/* On the loop thread: answer a request for such a path. */
void lejr_oauth_route(struct lejr_server *srv, struct evhttp_request *req,
		      const char *path);

#endif /* LEJR_OAUTH_H */

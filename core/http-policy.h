/*
 * http-policy.h - the request checks of lejrd's HTTP front that need no
 * event loop: the configured public URL, which Host and Origin headers
 * are ours, loopback addresses and the bearer token of an Authorization
 * header.  Pure functions, unit-tested in tests/test_http_policy.c.
 */
#ifndef LEJR_HTTP_POLICY_H
#define LEJR_HTTP_POLICY_H

#include <stddef.h>

/* An absolute http(s) URL reduced to what the checks compare. */
struct lejr_url {
	int https;
	char host[256];      /* lower case; an IPv6 literal keeps [] */
	int port;            /* explicit, or 80 / 443 */
	char origin[300];    /* scheme://host[:port], default port left out */
};

/* Parse scheme://host[:port][/path] (http or https only, no user info).
 * Returns 0, or -1 when url is not such a URL. */
int lejr_url_parse(const char *url, struct lejr_url *out);

/* Is the host name (no port; IPv6 with or without brackets) a loopback
 * name: localhost, 127.0.0.0/8 or ::1? */
int lejr_host_is_loopback(const char *host, size_t len);

/* What Host and Origin values a server accepts. */
struct lejr_host_policy {
	struct lejr_url pub;      /* the configured public_url */
	int port;                 /* the port we listen on */
	char *const *origins;     /* extra allowed origins (borrowed) */
	size_t norigins;
};

/* Is a Host header ours: the public URL's host and port, or a loopback
 * name with our listening port (or with the public port when the public
 * URL is itself on loopback)?  host may be NULL (no header): refused. */
int lejr_host_allowed(const struct lejr_host_policy *p, const char *host);

/* Is an Origin header allowed: the public URL's origin, any loopback
 * origin, or one of the configured origins?  "null" never is. */
int lejr_origin_allowed(const struct lejr_host_policy *p,
			const char *origin);

/*
 * The token of an "Authorization: Bearer <token>" header value, copied
 * into buf (len bytes).  Returns 1 with a token, 0 when the header is
 * absent or not a Bearer credential, -1 when it is a Bearer credential
 * whose token is empty, too long or holds characters outside RFC 6750's
 * b64token set.
 */
int lejr_bearer_token(const char *authorization, char *buf, size_t len);

#endif /* LEJR_HTTP_POLICY_H */

/*
 * http-policy.c - public URL, Host, Origin and bearer token checks.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http-policy.h"

/* Split "host[:port]" (host may be a bracketed IPv6 literal) into the
 * host's span and the port (0 when absent).  Returns 0 or -1. */
static int
split_host_port(const char *s, size_t n, const char **host, size_t *hlen,
		int *port)
{
	const char *colon = NULL;
	char *end;
	long v;

	*port = 0;
	if (n == 0)
		return -1;

	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (close == NULL)
			return -1;
		*host = s;
		*hlen = (size_t)(close - s) + 1;
		if (*hlen < n) {
			if (s[*hlen] != ':')
				return -1;
			colon = s + *hlen;
		}
	} else {
		colon = memchr(s, ':', n);
		*host = s;
		*hlen = colon != NULL ? (size_t)(colon - s) : n;
	}
	if (*hlen == 0)
		return -1;

	if (colon != NULL) {
		size_t plen = n - (size_t)(colon + 1 - s);
		char digits[8];

		if (plen == 0 || plen >= sizeof(digits))
			return -1;
		memcpy(digits, colon + 1, plen);
		digits[plen] = '\0';
		for (size_t i = 0; i < plen; i++)
			if (!isdigit((unsigned char)digits[i]))
				return -1;
		v = strtol(digits, &end, 10);
		if (v < 1 || v > 65535)
			return -1;
		*port = (int)v;
	}
	return 0;
}

/* Host characters we accept in URLs and headers: letters, digits and
 * the few punctuation marks of names and IP literals. */
static int
host_chars_ok(const char *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (!isalnum(c) && c != '.' && c != '-' && c != '_' &&
		    c != '[' && c != ']' && c != ':')
			return 0;
	}
	return 1;
}

int
lejr_url_parse(const char *url, struct lejr_url *out)
{
	const char *p, *end;
	const char *host;
	size_t hlen;
	int port;

	memset(out, 0, sizeof(*out));
	if (strncasecmp(url, "https://", 8) == 0) {
		out->https = 1;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		p = url + 7;
	} else {
		return -1;
	}

	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)) != NULL)
		return -1;
	if (split_host_port(p, (size_t)(end - p), &host, &hlen, &port) < 0)
		return -1;
	if (hlen >= sizeof(out->host) || !host_chars_ok(host, hlen))
		return -1;

	for (size_t i = 0; i < hlen; i++)
		out->host[i] = (char)tolower((unsigned char)host[i]);
	out->host[hlen] = '\0';
	out->port = port != 0 ? port : (out->https ? 443 : 80);

	if (port == 0 || port == (out->https ? 443 : 80))
		snprintf(out->origin, sizeof(out->origin), "%s://%s",
			 out->https ? "https" : "http", out->host);
	else
		snprintf(out->origin, sizeof(out->origin), "%s://%s:%d",
			 out->https ? "https" : "http", out->host, port);
	return 0;
}

int
lejr_host_is_loopback(const char *host, size_t len)
{
	char buf[64];
	unsigned a, b, c, d;
	char extra;

	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, host, len);
	buf[len] = '\0';

	if (strcasecmp(buf, "localhost") == 0 ||
	    strcmp(buf, "::1") == 0 || strcmp(buf, "[::1]") == 0)
		return 1;

	if (sscanf(buf, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &extra) == 4 &&
	    a == 127 && b < 256 && c < 256 && d < 256)
		return 1;
	return 0;
}

int
lejr_host_allowed(const struct lejr_host_policy *p, const char *value)
{
	const char *host;
	size_t hlen;
	int port;

	if (value == NULL ||
	    split_host_port(value, strlen(value), &host, &hlen, &port) < 0)
		return 0;

	if (port == 0)
		port = p->pub.https ? 443 : 80;

	if (hlen == strlen(p->pub.host) &&
	    strncasecmp(host, p->pub.host, hlen) == 0 && port == p->pub.port)
		return 1;

	/* Behind a proxy on this machine, or a client on it. */
	if (lejr_host_is_loopback(host, hlen) &&
	    (port == p->port ||
	     (port == p->pub.port &&
	      lejr_host_is_loopback(p->pub.host, strlen(p->pub.host)))))
		return 1;
	return 0;
}

/* Same scheme, host and port? */
static int
url_same_origin(const struct lejr_url *a, const struct lejr_url *b)
{
	return a->https == b->https && a->port == b->port &&
	       strcmp(a->host, b->host) == 0;
}

int
lejr_origin_allowed(const struct lejr_host_policy *p, const char *origin)
{
	struct lejr_url o, allowed;
	const char *rest;

	if (lejr_url_parse(origin, &o) < 0)
		return 0;

	/* An origin is scheme://host[:port] and nothing after it. */
	rest = strstr(origin, "://") + 3;
	rest += strcspn(rest, "/?#");
	if (*rest != '\0' && strcmp(rest, "/") != 0)
		return 0;

	if (url_same_origin(&o, &p->pub))
		return 1;
	if (lejr_host_is_loopback(o.host, strlen(o.host)))
		return 1;

	for (size_t i = 0; i < p->norigins; i++)
		if (lejr_url_parse(p->origins[i], &allowed) == 0 &&
		    url_same_origin(&o, &allowed))
			return 1;
	return 0;
}

int
lejr_bearer_token(const char *authorization, char *buf, size_t len)
{
	const char *t;
	size_t n;

	if (authorization == NULL)
		return 0;

	t = authorization;
	while (*t == ' ' || *t == '\t')
		t++;
	if (strncasecmp(t, "bearer", 6) != 0 || (t[6] != ' ' && t[6] != '\t'))
		return 0;
	t += 6;
	while (*t == ' ' || *t == '\t')
		t++;

	n = strlen(t);
	while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= len)
		return -1;

	/* b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
	 * *"=" */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];

		if (!isalnum(c) && strchr("-._~+/=", c) == NULL)
			return -1;
	}
	memcpy(buf, t, n);
	buf[n] = '\0';
	return 1;
}

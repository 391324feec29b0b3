/*
 * http.h - lejrd's HTTP server: the MCP endpoint (/api/mcp) and the
 * OAuth protected-resource metadata, on libevent's evhttp.
 */
#ifndef LEJR_HTTP_H
#define LEJR_HTTP_H

#include "config.h"

struct lejr_runtime;

/*
 * Serve cfg->listen:cfg->port with rt until SIGTERM or SIGINT, then
 * stop accepting, let running calls finish (bounded wait) and free the
 * server.  rt stays the caller's.  Returns 0 after a clean shutdown,
 * -1 when the server could not start (logged).
 */
int lejr_http_run(const struct lejr_config *cfg, struct lejr_runtime *rt);

#endif /* LEJR_HTTP_H */

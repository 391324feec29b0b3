/*
 * oauth-internal.h - what oauth.c (the JSON endpoints and routing) and
 * oauth-authorize.c (the authorization endpoint's pages) share.
 */
#ifndef LEJR_OAUTH_INTERNAL_H
#define LEJR_OAUTH_INTERNAL_H

#include <sqlite3.h>

#include "web.h"

/* GET and POST /authorize, on a web worker thread (see web.h). */
void lejr_oauth_authorize_page(struct lejr_web_req *wr, sqlite3 *db);

#endif /* LEJR_OAUTH_INTERNAL_H */

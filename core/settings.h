/*
 * settings.h - the Settings pages (settings.c): Integrations, AI
 * Connections and Activity, served through web.h.
 */
#ifndef LEJR_SETTINGS_H
#define LEJR_SETTINGS_H

#include "web.h"

/* The handler for a path under /settings, or NULL when there is none
 * (404).  Every Settings page needs a signed-in user. */
lejr_web_handler lejr_settings_handler(const char *path);

#endif /* LEJR_SETTINGS_H */

/*
 * log.h - lejrd's log, on standard error.
 *
 * The level follows the failure class: a client's mistake is
 * LEJR_LOG_INFO, a refusal by policy LEJR_LOG_NOTICE, our own fault
 * LEJR_LOG_ERROR.  Secrets (tokens, passwords, codes) are never logged.
 * Debug lines are compiled out unless the build defines LEJR_DEBUG.
 */
#ifndef LEJR_LOG_H
#define LEJR_LOG_H

#include <stdarg.h>

#include <lejr/plugin.h>

/* Lines above this level are dropped; set from lejr.conf. */
void lejr_log_set_level(enum lejr_log_level level);
int lejr_log_level_parse(const char *name); /* -1 when unknown */

void lejr_log(enum lejr_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void lejr_logv(enum lejr_log_level level, const char *prefix,
	       const char *fmt, va_list ap);

#ifdef LEJR_DEBUG
#define lejr_debug(...) lejr_log(LEJR_LOG_DEBUG, __VA_ARGS__)
#else
#define lejr_debug(...) ((void)0)
#endif

#endif /* LEJR_LOG_H */

/*
 * log.c - timestamped log lines on standard error.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static enum lejr_log_level max_level = LEJR_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {
	[LEJR_LOG_ERROR] = "error",
	[LEJR_LOG_WARN] = "warn",
	[LEJR_LOG_NOTICE] = "notice",
	[LEJR_LOG_INFO] = "info",
	[LEJR_LOG_DEBUG] = "debug",
};

void
lejr_log_set_level(enum lejr_log_level level)
{
	max_level = level;
}

int
lejr_log_level_parse(const char *name)
{
	for (int i = LEJR_LOG_ERROR; i <= LEJR_LOG_DEBUG; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void
lejr_logv(enum lejr_log_level level, const char *prefix, const char *fmt,
	  va_list ap)
{
	struct timespec now;
	struct tm tm;
	char stamp[32];

	if (level > max_level)
		return;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);

	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s [%s] ", stamp, level_names[level]);
	if (prefix != NULL)
		fprintf(stderr, "%s: ", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&log_lock);
}

void
lejr_log(enum lejr_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lejr_logv(level, NULL, fmt, ap);
	va_end(ap);
}

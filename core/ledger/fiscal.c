/*
 * fiscal.c - calendar arithmetic on "YYYY-MM-DD" dates and the
 * organization's fiscal year.
 *
 * Dates are plain calendar dates in the organization's own terms: no
 * clock and no time zone takes part, so a report for 2024-12-31 means
 * the same day wherever the server runs.  Day numbers count days from
 * 0000-03-01 in the proleptic Gregorian calendar, which makes the
 * month lengths regular enough to compute without tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-private.h"

/* Write y-m-d.  Arithmetic that leaves years 0000..9999 stops at their
 * ends, so that a result is always a date that sorts as text. */
static void
date_text(int y, int m, int d, char out[11])
{
	char buf[48];

	if (y > 9999) {
		y = 9999;
		m = 12;
		d = 31;
	} else if (y < 0) {
		y = 0;
		m = 1;
		d = 1;
	}
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
	memcpy(out, buf, 10);
	out[10] = '\0';
}

int64_t
ledger_ymd_number(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy;

	/* the year starts in March, so February's length comes last */
	if (m <= 2)
		y--;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy;
}

int64_t
ledger_day_number(const char *date)
{
	return ledger_ymd_number(atoi(date), atoi(date + 5), atoi(date + 8));
}

void
ledger_number_ymd(int64_t n, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	era = n / 146097;
	doe = n - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void
ledger_day_text(int64_t n, char out[11])
{
	int y, m, d;

	ledger_number_ymd(n, &y, &m, &d);
	date_text(y, m, d, out);
}

void
ledger_day_add(const char *date, int64_t days, char out[11])
{
	ledger_day_text(ledger_day_number(date) + days, out);
}

int
ledger_month_days(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mdays[m - 1] + (m == 2 && leap);
}

void
ledger_month_add(const char *date, int months, char out[11])
{
	int y, m, d, idx;

	y = atoi(date);
	m = atoi(date + 5);
	d = atoi(date + 8);

	idx = y * 12 + (m - 1) + months;
	y = idx / 12;
	m = idx % 12 + 1;
	if (d > ledger_month_days(y, m))
		d = ledger_month_days(y, m);
	date_text(y, m, d, out);
}

void
ledger_month_end(const char *date, char out[11])
{
	int y = atoi(date), m = atoi(date + 5);

	date_text(y, m, ledger_month_days(y, m), out);
}

int
ledger_fiscal_start_valid(const char *mmdd)
{
	int m, d;

	if (mmdd == NULL || strlen(mmdd) != 5 || mmdd[2] != '-')
		return 0;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (mmdd[i] < '0' || mmdd[i] > '9'))
			return 0;

	m = atoi(mmdd);
	d = atoi(mmdd + 3);
	return m >= 1 && m <= 12 && d >= 1 && d <= 28;
}

void
ledger_fiscal_year(const char *start, const char *date, char first[11],
		   char last[11])
{
	char next[11];
	int y, m, d;

	/* "MM-DD" compares as text exactly as dates of one year do */
	y = atoi(date);
	if (strcmp(date + 5, start) < 0)
		y--;
	m = atoi(start);
	d = atoi(start + 3);
	date_text(y, m, d, first);
	if (y == 9999) {
		date_text(9999, 12, 31, last);
		return;
	}
	date_text(y + 1, m, d, next);
	ledger_day_add(next, -1, last);
}

int
ledger_fiscal_start(sqlite3 *db, int64_t org, char start[6],
		    struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT fiscal_year_start FROM orgs "
			    "WHERE id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ledger_column_copy(st, 0, start, 6);
		rc = ledger_fiscal_start_valid(start) ? LEJR_OK :
		     lejr_error_set(err, LEJR_EINTERNAL, "the organization's "
				    "fiscal year start is damaged");
	} else if (rc == SQLITE_DONE) {
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "the organization does not exist");
	} else {
		rc = ledger_db_error(db, "reading the fiscal year start", err);
	}

	ledger_finalize(db, st);
	return rc;
}

int
ledger_fiscal_start_set(sqlite3 *db, int64_t org, const char *mmdd,
			struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (!ledger_fiscal_start_valid(mmdd))
		return lejr_error_set(err, LEJR_EINVAL,
				      "fiscal year start \"%.16s\" is not "
				      "valid: give MM-DD, a month 01 to 12 "
				      "and a day 01 to 28 (e.g. 04-01)",
				      mmdd != NULL ? mmdd : "");

	rc = ledger_org_exists(db, org, err);
	if (rc != LEJR_OK)
		return rc;

	rc = ledger_prepare(db, "UPDATE orgs SET fiscal_year_start = ? "
			    "WHERE id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, mmdd);
	sqlite3_bind_int64(st, 2, org);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "setting the fiscal year start", err);

	ledger_finalize(db, st);
	return rc;
}

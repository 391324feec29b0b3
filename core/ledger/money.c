/*
 * money.c - exact decimal amounts to and from integer minor units.
 *
 * Amounts never pass through floating point on their way in, except a
 * JSON real, which is accepted only when its shortest round-tripping
 * decimal form is exact at the currency's precision.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-private.h"

/*
 * The largest magnitude of one amount in minor units: 15 significant
 * digits (just under 10 trillion at 2 decimals).  Far above any real
 * line, and far below INT64_MAX, so that the running totals of an
 * account have room for thousands of such lines.
 */
#define MONEY_LIMIT 999999999999999ULL
#define MONEY_DIGITS 15

/* The most digits an exponent may ask for. */
#define MONEY_EXPONENT_MAX 18

static const char *
field_name(const char *field)
{
	return field != NULL ? field : "amount";
}

static int
bad_syntax(const char *text, const char *field, struct lejr_error *err)
{
	if (*text == '\0')
		return lejr_error_set(err, LEJR_EINVAL, "%s: amount is empty",
				      field_name(field));

	return lejr_error_set(err, LEJR_EINVAL,
			      "%s: \"%.40s\" is not a plain decimal amount: "
			      "write digits with an optional leading '-' and "
			      "'.', e.g. \"-1234.50\" (no '+', spaces, "
			      "separators or exponents)", field_name(field),
			      text);
}

/* Append digit d to *v unless that goes past MONEY_LIMIT. */
static int
push_digit(uint64_t *v, int d)
{
	*v = *v * 10 + (uint64_t)d;
	return *v <= MONEY_LIMIT;
}

int
lejr_money_parse(const char *text, int exponent, int64_t *minor,
		 const char *field, struct lejr_error *err)
{
	return lejr_money_parse_in(text, NULL, exponent, minor, field, err);
}

/*
 * Check text against -?[0-9]+(\.[0-9]+)? and nothing else.  Returns 0
 * with *point at the '.' (NULL when none) and *end at the terminator,
 * or -1.
 */
static int
scan_decimal(const char *text, const char **point, const char **end)
{
	const char *p = text;

	*point = NULL;
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		*point = p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	*end = p;
	return *p == '\0' ? 0 : -1;
}

int
lejr_money_parse_in(const char *text, const char *currency, int exponent,
		    int64_t *minor, const char *field, struct lejr_error *err)
{
	const char *p, *point, *end;
	uint64_t v = 0;
	int neg, ndec = 0, i;

	if (exponent < 0 || exponent > MONEY_EXPONENT_MAX)
		return lejr_error_set(err, LEJR_EINVAL,
				      "%s: no currency has %d decimals",
				      field_name(field), exponent);
	if (text == NULL)
		return lejr_error_set(err, LEJR_EINVAL,
				      "%s: an amount is required",
				      field_name(field));
	if (scan_decimal(text, &point, &end) != 0)
		return bad_syntax(text, field, err);

	/* Decimals past the currency's are refused, zeros too: "10.500"
	 * for EUR or "1250.00" for JPY says the writer has another
	 * currency, or a computed figure, in mind. */
	if (point != NULL) {
		ndec = (int)(end - point - 1);
		if (ndec > exponent)
			return lejr_error_set(err, LEJR_EINVAL,
					      "%s: %.40s has more decimals "
					      "than %s allows (%d)",
					      field_name(field), text,
					      currency != NULL ? currency
							       : "the currency",
					      exponent);
	}

	/* Then the value, digit by digit, scaled to minor units. */
	neg = text[0] == '-';
	for (p = text + neg; *p >= '0' && *p <= '9'; p++)
		if (!push_digit(&v, *p - '0'))
			goto range;
	for (i = 0; i < exponent; i++)
		if (!push_digit(&v, i < ndec ? point[1 + i] - '0' : 0))
			goto range;

	*minor = neg ? -(int64_t)v : (int64_t)v;
	return LEJR_OK;

range:
	return lejr_error_set(err, LEJR_EINVAL,
			      "%s: %.40s is out of range (at most %d "
			      "significant digits)", field_name(field), text,
			      MONEY_DIGITS);
}

/*
 * Write the shortest decimal form of d that reads back as exactly d,
 * without an exponent ("1e-05" becomes "0.00001").  Returns 0, or -1
 * when the magnitude is far outside anything money can be.
 */
static int
real_to_decimal(double d, char *out, size_t len)
{
	char sci[40], digits[20];
	char *e;
	int prec, exp10, ndig = 0, pos, i;
	size_t n = 0;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(sci, sizeof(sci), "%.*e", prec - 1, d);
		if (strtod(sci, NULL) == d)
			break;
	}

	/* sci is [-]d[.ddd]e[+-]NN: collect the digits, then the power. */
	e = strchr(sci, 'e');
	if (e == NULL)
		return -1;
	exp10 = atoi(e + 1);
	for (i = 0; sci + i < e; i++)
		if (sci[i] >= '0' && sci[i] <= '9')
			digits[ndig++] = sci[i];
	digits[ndig] = '\0';

	/* pos digits stand before the decimal point. */
	pos = exp10 + 1;
	if (pos > 40 || pos < -40 || len < 100)
		return -1;

	if (sci[0] == '-')
		out[n++] = '-';
	if (pos <= 0) {
		out[n++] = '0';
		out[n++] = '.';
		for (i = pos; i < 0; i++)
			out[n++] = '0';
		for (i = 0; i < ndig; i++)
			out[n++] = digits[i];
	} else {
		for (i = 0; i < pos || i < ndig; i++) {
			if (i == pos)
				out[n++] = '.';
			out[n++] = i < ndig ? digits[i] : '0';
		}
	}
	out[n] = '\0';
	return 0;
}

static int
parse_json_integer(json_int_t whole, int exponent, int64_t *minor,
		   const char *field, struct lejr_error *err)
{
	int64_t v = whole;
	int i;

	for (i = 0; i < exponent; i++)
		if (__builtin_mul_overflow(v, 10, &v))
			goto range;
	if (v > (int64_t)MONEY_LIMIT || v < -(int64_t)MONEY_LIMIT)
		goto range;

	*minor = v;
	return LEJR_OK;

range:
	return lejr_error_set(err, LEJR_EINVAL,
			      "%s: %lld is out of range (at most %d "
			      "significant digits)", field_name(field),
			      (long long)whole, MONEY_DIGITS);
}

int
lejr_money_parse_json(json_t *value, int exponent, int64_t *minor,
		      const char *field, struct lejr_error *err)
{
	return lejr_money_parse_json_in(value, NULL, exponent, minor, field,
					err);
}

int
lejr_money_parse_json_in(json_t *value, const char *currency, int exponent,
			 int64_t *minor, const char *field,
			 struct lejr_error *err)
{
	char text[128];
	double d;

	if (exponent < 0 || exponent > MONEY_EXPONENT_MAX)
		return lejr_error_set(err, LEJR_EINVAL,
				      "%s: no currency has %d decimals",
				      field_name(field), exponent);

	if (json_is_string(value))
		return lejr_money_parse_in(json_string_value(value), currency,
					   exponent, minor, field, err);

	if (json_is_integer(value))
		return parse_json_integer(json_integer_value(value), exponent,
					  minor, field, err);

	if (!json_is_real(value))
		return lejr_error_set(err, LEJR_EINVAL,
				      "%s: an amount must be a decimal string "
				      "such as \"12.50\" or a number",
				      field_name(field));

	d = json_real_value(value);
	if (!isfinite(d) || real_to_decimal(d, text, sizeof(text)) != 0)
		return lejr_error_set(err, LEJR_EINVAL,
				      "%s: %g is out of range (at most %d "
				      "significant digits)", field_name(field),
				      d, MONEY_DIGITS);

	return lejr_money_parse_in(text, currency, exponent, minor, field,
				   err);
}

int
lejr_money_format(int64_t minor, int exponent, char *buf, size_t len)
{
	char rev[24];
	uint64_t mag;
	size_t n = 0, need, i, o = 0;

	if (buf == NULL || exponent < 0 || exponent > MONEY_EXPONENT_MAX)
		return LEJR_EINVAL;

	/* Negate in unsigned arithmetic: -INT64_MIN does not exist. */
	mag = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;
	do {
		rev[n++] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag != 0);
	while (n < (size_t)exponent + 1)
		rev[n++] = '0';

	need = n + (minor < 0) + (exponent > 0) + 1;
	if (len < need)
		return LEJR_EINVAL;

	if (minor < 0)
		buf[o++] = '-';
	for (i = n; i > 0; i--) {
		if (i == (size_t)exponent && exponent > 0)
			buf[o++] = '.';
		buf[o++] = rev[i - 1];
	}
	buf[o] = '\0';
	return LEJR_OK;
}

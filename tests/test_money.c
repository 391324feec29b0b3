/*
 * test_money.c - decimal amounts, minor units and the currency table.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "ledger/ledger-internal.h"

static int64_t
parse_ok(const char *text, int exponent)
{
	struct lejr_error err = { 0 };
	int64_t minor = 42;
	int rc;

	rc = lejr_money_parse(text, exponent, &minor, "amount", &err);
	cr_assert_eq(rc, LEJR_OK, "\"%s\" at %d refused: %s", text, exponent,
		     err.msg);
	return minor;
}

/* Parse that must fail; returns the message for further checks. */
static const char *
parse_bad(const char *text, int exponent)
{
	static struct lejr_error err;
	int64_t minor = 42;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = lejr_money_parse(text, exponent, &minor, "amount", &err);
	cr_assert_eq(rc, LEJR_EINVAL, "\"%s\" at %d accepted", text,
		     exponent);
	cr_assert_eq(minor, 42, "\"%s\" changed the output on failure", text);
	cr_assert_neq(err.msg[0], '\0');
	return err.msg;
}

Test(money_parse, plain_decimals)
{
	cr_assert_eq(parse_ok("-1234.5", 2), -123450);
	cr_assert_eq(parse_ok("0.01", 2), 1);
	cr_assert_eq(parse_ok("10", 2), 1000);
	cr_assert_eq(parse_ok("0", 2), 0);
	cr_assert_eq(parse_ok("-0", 2), 0);
	cr_assert_eq(parse_ok("-0.00", 2), 0);
	cr_assert_eq(parse_ok("007.10", 2), 710);
	cr_assert_eq(parse_ok("99.90", 2), 9990);
}

Test(money_parse, exponents)
{
	cr_assert_eq(parse_ok("1234", 0), 1234);
	cr_assert_eq(parse_ok("-7", 0), -7);
	cr_assert_eq(parse_ok("1.234", 3), 1234);
	cr_assert_eq(parse_ok("0.001", 3), 1);
	cr_assert_eq(parse_ok("2.5", 3), 2500);
	cr_assert_eq(parse_ok("0.0001", 4), 1);
}

/* More decimals than the currency has is an error, zeros included. */
Test(money_parse, trailing_zero_decimals_are_refused)
{
	const char *msg;

	msg = parse_bad("10.500", 2);
	cr_assert(strstr(msg, "10.500 has more decimals") != NULL, "%s", msg);
	msg = parse_bad("1250.00", 0);
	cr_assert(strstr(msg, "1250.00 has more decimals") != NULL, "%s",
		  msg);
	parse_bad("3.0", 0);
	parse_bad("1.23000000000000000000000", 2);
	cr_assert_eq(parse_ok("10.50", 2), 1050);
	cr_assert_eq(parse_ok("10.0", 2), 1000);
	cr_assert_eq(parse_ok("1250", 0), 1250);
}

Test(money_parse, bad_syntax)
{
	static const char *const bad[] = {
		"1e2", "1E2", "NaN", "nan", "Infinity", "-Infinity", "inf",
		"+5", " 5", "5 ", "1,000", "1 000", "", "-", ".5", "-.5",
		"5.", "--5", "0x10", "1.2.3", "five", "12.5€", "1_000",
		"\t5", "5\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		parse_bad(bad[i], 2);
}

Test(money_parse, message_names_the_field)
{
	struct lejr_error err = { 0 };
	int64_t minor;

	lejr_money_parse("1e2", 2, &minor, "lines[1].amount", &err);
	cr_assert(strstr(err.msg, "lines[1].amount") != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "1e2") != NULL, "%s", err.msg);
	cr_assert_eq(err.status, LEJR_EINVAL);
}

Test(money_parse, precision_is_never_rounded)
{
	const char *msg;

	msg = parse_bad("10.005", 2);
	cr_assert(strstr(msg, "10.005 has more decimals") != NULL, "%s", msg);
	cr_assert(strstr(msg, "(2)") != NULL, "%s", msg);

	msg = parse_bad("1.5", 0);
	cr_assert(strstr(msg, "(0)") != NULL, "%s", msg);

	parse_bad("0.0001", 3);
	parse_bad("0.00001", 4);
	parse_bad("0.001", 2);
}

Test(money_parse, precision_message_names_the_currency)
{
	struct lejr_error err = { 0 };
	json_t *half = json_real(0.5);
	int64_t minor;

	cr_assert_eq(lejr_money_parse_in("10.005", "EUR", 2, &minor, "amount",
					 &err), LEJR_EINVAL);
	cr_assert_str_eq(err.msg, "amount: 10.005 has more decimals than EUR "
			 "allows (2)");
	cr_assert_eq(lejr_money_parse_json_in(half, "JPY", 0, &minor,
					      "total", &err), LEJR_EINVAL);
	json_decref(half);
	cr_assert_str_eq(err.msg, "total: 0.5 has more decimals than JPY "
			 "allows (0)");
	cr_assert_eq(lejr_money_parse_in("10.5", "EUR", 2, &minor, NULL, &err),
		     LEJR_OK);
	cr_assert_eq(minor, 1050);
}

Test(money_parse, range)
{
	const char *msg;

	cr_assert_eq(parse_ok("999999999999999", 0), 999999999999999LL);
	cr_assert_eq(parse_ok("-9999999999999.99", 2), -999999999999999LL);
	cr_assert_eq(parse_ok("0000000000000000000000001", 2), 100);

	msg = parse_bad("1000000000000000", 0);
	cr_assert(strstr(msg, "out of range (at most 15 significant digits)"),
		  "%s", msg);
	msg = parse_bad("99999999999999999999.99", 2);
	cr_assert(strstr(msg, "out of range"), "%s", msg);
	parse_bad("10000000000000", 2);
	parse_bad("9999999999999999.99", 2);
	parse_bad("9223372036854775807", 0);
	parse_bad("-9223372036854775808", 0);
	parse_bad("99999999999999999999999999", 2);
}

Test(money_parse, bad_arguments)
{
	struct lejr_error err = { 0 };
	int64_t minor;

	cr_assert_eq(lejr_money_parse(NULL, 2, &minor, NULL, &err),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "amount") != NULL, "%s", err.msg);
	cr_assert_eq(lejr_money_parse("1", -1, &minor, NULL, &err),
		     LEJR_EINVAL);
	cr_assert_eq(lejr_money_parse("1", 19, &minor, NULL, &err),
		     LEJR_EINVAL);
}

/* ---- JSON values ---- */

static int
parse_json(json_t *v, int exponent, int64_t *minor, struct lejr_error *err)
{
	int rc;

	rc = lejr_money_parse_json(v, exponent, minor, "amount", err);
	json_decref(v);
	return rc;
}

static int64_t
json_ok(json_t *v, int exponent)
{
	struct lejr_error err = { 0 };
	int64_t minor = 42;

	cr_assert_eq(parse_json(v, exponent, &minor, &err), LEJR_OK, "%s",
		     err.msg);
	return minor;
}

static void
json_bad(json_t *v, int exponent)
{
	struct lejr_error err = { 0 };
	int64_t minor = 42;

	cr_assert_eq(parse_json(v, exponent, &minor, &err), LEJR_EINVAL);
	cr_assert_neq(err.msg[0], '\0');
}

Test(money_json, strings_and_integers)
{
	cr_assert_eq(json_ok(json_string("12.34"), 2), 1234);
	cr_assert_eq(json_ok(json_integer(12), 2), 1200);
	cr_assert_eq(json_ok(json_integer(-12), 0), -12);
	cr_assert_eq(json_ok(json_integer(7), 3), 7000);
	cr_assert_eq(json_ok(json_integer(0), 4), 0);

	json_bad(json_string("1e2"), 2);
	json_bad(json_integer(INT64_MAX), 0);
	json_bad(json_integer(INT64_MIN), 2);
	json_bad(json_integer(10000000000000LL), 2);
	cr_assert_eq(json_ok(json_integer(9999999999999LL), 2),
		     999999999999900LL);
}

Test(money_json, exact_reals)
{
	cr_assert_eq(json_ok(json_real(0.1), 2), 10);
	cr_assert_eq(json_ok(json_real(12.5), 2), 1250);
	cr_assert_eq(json_ok(json_real(0.07), 2), 7);
	cr_assert_eq(json_ok(json_real(-99.9), 2), -9990);
	cr_assert_eq(json_ok(json_real(1234567.89), 2), 123456789);
	cr_assert_eq(json_ok(json_real(0.125), 3), 125);
	cr_assert_eq(json_ok(json_real(-0.0), 2), 0);
	cr_assert_eq(json_ok(json_real(100.0), 0), 100);
	cr_assert_eq(json_ok(json_real(1e12), 2), 100000000000000LL);
	cr_assert_eq(json_ok(json_real(1250.0), 0), 1250);
}

Test(money_json, inexact_reals_are_refused)
{
	struct lejr_error err = { 0 };
	int64_t minor;

	/* 0.1 + 0.2 is 0.30000000000000004 in binary floating point */
	cr_assert_eq(parse_json(json_real(0.1 + 0.2), 2, &minor, &err),
		     LEJR_EINVAL);
	cr_assert(strstr(err.msg, "more decimals") != NULL, "%s", err.msg);

	json_bad(json_real(0.125), 2);
	json_bad(json_real(1e-5), 2);
	json_bad(json_real(1.5), 0);
	json_bad(json_real(1e13), 2);
	json_bad(json_real(1e20), 2);
	json_bad(json_real(1e300), 2);
	json_bad(json_real(-1e300), 2);
	json_bad(json_real(5e-324), 4);
}

Test(money_json, other_types)
{
	json_bad(json_true(), 2);
	json_bad(json_null(), 2);
	json_bad(json_object(), 2);
	json_bad(json_array(), 2);
}

/* ---- formatting ---- */

static const char *
fmt(int64_t minor, int exponent)
{
	static char buf[32];

	cr_assert_eq(lejr_money_format(minor, exponent, buf, sizeof(buf)),
		     LEJR_OK);
	return buf;
}

Test(money_format, values)
{
	cr_assert_str_eq(fmt(0, 2), "0.00");
	cr_assert_str_eq(fmt(-123450, 2), "-1234.50");
	cr_assert_str_eq(fmt(5, 2), "0.05");
	cr_assert_str_eq(fmt(-5, 2), "-0.05");
	cr_assert_str_eq(fmt(1000, 2), "10.00");
	cr_assert_str_eq(fmt(1234, 0), "1234");
	cr_assert_str_eq(fmt(-1, 0), "-1");
	cr_assert_str_eq(fmt(0, 0), "0");
	cr_assert_str_eq(fmt(1, 3), "0.001");
	cr_assert_str_eq(fmt(-1001, 3), "-1.001");
	cr_assert_str_eq(fmt(1, 4), "0.0001");
}

Test(money_format, int64_bounds)
{
	cr_assert_str_eq(fmt(INT64_MIN, 2), "-92233720368547758.08");
	cr_assert_str_eq(fmt(INT64_MAX, 2), "92233720368547758.07");
	cr_assert_str_eq(fmt(INT64_MIN, 0), "-9223372036854775808");
	cr_assert_str_eq(fmt(INT64_MAX, 0), "9223372036854775807");
	cr_assert_str_eq(fmt(INT64_MIN, 18), "-9.223372036854775808");
}

Test(money_format, buffer_size)
{
	char buf[16];

	/* "-1234.50" takes 9 bytes with its terminator */
	cr_assert_eq(lejr_money_format(-123450, 2, buf, 9), LEJR_OK);
	cr_assert_str_eq(buf, "-1234.50");
	cr_assert_eq(lejr_money_format(-123450, 2, buf, 8), LEJR_EINVAL);
	cr_assert_eq(lejr_money_format(1, -1, buf, sizeof(buf)), LEJR_EINVAL);
	cr_assert_eq(lejr_money_format(1, 2, NULL, 8), LEJR_EINVAL);
}

Test(money_format, round_trip)
{
	static const int64_t values[] = {
		0, 1, -1, 9, 10, 99, 100, 12345, -12345, 999999999999999LL,
		-999999999999999LL, 100000000000000LL,
	};
	char buf[32];
	size_t i;
	int e;

	for (e = 0; e <= 4; e++)
		for (i = 0; i < sizeof(values) / sizeof(*values); i++) {
			lejr_money_format(values[i], e, buf, sizeof(buf));
			cr_assert_eq(parse_ok(buf, e), values[i],
				     "%s at %d", buf, e);
		}
}

/* ---- currencies ---- */

Test(currency, exponents)
{
	static const struct {
		const char *code;
		int exponent;
	} cases[] = {
		{ "EUR", 2 }, { "USD", 2 }, { "GBP", 2 }, { "CHF", 2 },
		{ "JPY", 0 }, { "KRW", 0 }, { "ISK", 0 }, { "CLP", 0 },
		{ "VND", 0 }, { "XOF", 0 }, { "BHD", 3 }, { "KWD", 3 },
		{ "JOD", 3 }, { "OMR", 3 }, { "TND", 3 }, { "LYD", 3 },
		{ "IQD", 3 }, { "CLF", 4 }, { "UYW", 4 }, { "AED", 2 },
		{ "ZWG", 2 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		cr_assert_eq(lejr_currency_exponent(cases[i].code),
			     cases[i].exponent, "%s", cases[i].code);
}

Test(currency, unknown_codes)
{
	cr_assert_eq(lejr_currency_exponent("eur"), -1);
	cr_assert_eq(lejr_currency_exponent("XTS"), -1);
	cr_assert_eq(lejr_currency_exponent("XAU"), -1);
	cr_assert_eq(lejr_currency_exponent("HRK"), -1);
	cr_assert_eq(lejr_currency_exponent("EU"), -1);
	cr_assert_eq(lejr_currency_exponent("EURO"), -1);
	cr_assert_eq(lejr_currency_exponent(""), -1);
	cr_assert_eq(lejr_currency_exponent(NULL), -1);
}

Test(currency, table_is_sorted_and_searchable)
{
	const char *code, *prev = NULL;
	size_t i;
	int e;

	for (i = 0; (code = lejr_currency_at(i, &e)) != NULL; i++) {
		cr_assert_eq(strlen(code), 3);
		cr_assert(e >= 0 && e <= 4, "%s has %d", code, e);
		if (prev != NULL)
			cr_assert(strcmp(prev, code) < 0, "%s before %s", prev,
				  code);
		cr_assert_eq(lejr_currency_exponent(code), e, "%s", code);
		prev = code;
	}
	cr_assert(i > 150, "only %zu currencies", i);
}

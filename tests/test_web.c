/*
 * test_web.c - the web pages' foundations: escaping by the page
 * builder, CSRF tokens, cookie attributes, next= validation, the CSP;
 * and, over a real SQLite file, web sessions, sign-in throttling, who
 * may see and change which token or connection, and the activity
 * log's filters.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>

#include "log.h"
#include "utf8.h"
#include "web.h"

extern const char lejr_web_css[];

/* ---- escaping ---- */

static char *
render(struct lejr_page *pg)
{
	size_t len = 0;
	char *text = lejr_page_render(pg, &len);

	cr_assert_not_null(text);
	cr_assert_eq(strlen(text), len);
	lejr_page_free(pg);
	return text;
}

Test(html, escapes_text_everywhere)
{
	static const char evil[] = "<script>alert(1)</script>";
	static const char *const headers[] = { "Assistant", NULL };
	struct lejr_web_user user = { .id = 1 };
	struct lejr_page *pg;
	xmlNodePtr main, table;
	char *html;

	lejr_web_init();
	snprintf(user.email, sizeof(user.email), "%s", "a\"b<c>@x");
	pg = lejr_page_new(evil, &user, "tok", "connections");
	cr_assert_not_null(pg);
	main = lejr_page_main(pg);
	table = lejr_html_table(main, headers);
	lejr_html_cell(lejr_html_row(table), evil);
	lejr_html_p(main, "Tom & Jerry");
	lejr_html_checkbox(main, "org", "1\"><script>x</script>", evil, 1);
	lejr_html_error(main, evil);
	html = render(pg);

	/* Only the style sheet is a raw element; no script ever is. */
	cr_assert_null(strstr(html, "<script"), "%s", html);
	cr_assert_not_null(strstr(html, "<td>&lt;script&gt;alert(1)&lt;/"
				  "script&gt;</td>"), "%s", html);
	cr_assert_not_null(strstr(html, "<title>&lt;script&gt;"), "%s",
			   html);
	cr_assert_not_null(strstr(html, "Tom &amp; Jerry"));
	/* libxml2 quotes a value holding '"' with single quotes. */
	cr_assert(strstr(html, "value='1\"&gt;&lt;script&gt;") != NULL ||
		  strstr(html, "value=\"1&quot;&gt;&lt;script&gt;") != NULL,
		  "%s", html);
	cr_assert_not_null(strstr(html, "a\"b&lt;c&gt;@x"), "%s", html);
	free(html);
}

Test(html, layout_and_forms)
{
	struct lejr_web_user user = { .id = 7 };
	struct lejr_page *pg;
	xmlNodePtr form;
	char *html;

	snprintf(user.email, sizeof(user.email), "%s", "ann@example.com");
	pg = lejr_page_new("AI Connections", &user, "c5rf", "connections");
	form = lejr_html_form(lejr_page_main(pg), "post", "/x", "c5rf");
	lejr_html_radio(form, "org", "2", "beta", 0);
	lejr_html_submit(form, "Bind", "mode", "single");
	html = render(pg);

	cr_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0, "%s", html);
	cr_assert_not_null(strstr(html, "<meta charset=\"utf-8\">"));
	cr_assert_not_null(strstr(html, "aria-current=\"page\">AI "
				  "Connections</a>"), "%s", html);
	cr_assert_not_null(strstr(html, "action=\"/logout\""));
	cr_assert_not_null(strstr(html, "name=\"csrf\" value=\"c5rf\""));
	cr_assert_not_null(strstr(html, "ann@example.com"));
	free(html);

	/* Signed out: no nav, no sign-out form. */
	html = render(lejr_page_new("Sign in", NULL, NULL, NULL));
	cr_assert_null(strstr(html, "<nav"));
	cr_assert_null(strstr(html, "/logout"));
	free(html);
}

Test(html, csp_allows_only_our_style)
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[100];
	unsigned int mdlen = 0;
	char want[160];
	const char *csp;

	EVP_Digest(lejr_web_css, strlen(lejr_web_css), md, &mdlen,
		   EVP_sha256(), NULL);
	EVP_EncodeBlock(b64, md, (int)mdlen);
	snprintf(want, sizeof(want), "style-src 'sha256-%s'", b64);

	csp = lejr_web_csp(LEJR_WEB_SIGNED_IN);
	cr_assert_not_null(strstr(csp, want), "%s", csp);
	cr_assert_not_null(strstr(csp, "frame-ancestors 'none'"));
	cr_assert_not_null(strstr(csp, "default-src 'none'"));
	cr_assert_null(strstr(csp, "unsafe"));
	cr_assert_null(strstr(csp, "script-src"));

	/* Our forms post to us only, but on the consent page, whose POST
	 * is answered with a redirect to the client. */
	cr_assert_not_null(strstr(csp, "form-action 'self'"), "%s", csp);
	cr_assert_not_null(strstr(lejr_web_csp(LEJR_WEB_PUBLIC),
				  "form-action 'self'"));
	csp = lejr_web_csp(LEJR_WEB_PUBLIC | LEJR_WEB_OFFSITE);
	cr_assert_null(strstr(csp, "form-action"), "%s", csp);
	cr_assert_not_null(strstr(csp, "frame-ancestors 'none'"));
	cr_assert_not_null(strstr(csp, want), "%s", csp);
}

/* Does html hold a U+FFFD, as UTF-8 or as a character reference? */
static int
has_replacement(const char *html)
{
	return strstr(html, "\xef\xbf\xbd") != NULL ||
	       strstr(html, "&#65533;") != NULL ||
	       strstr(html, "&#xFFFD;") != NULL;
}

Test(html, invalid_utf8_is_replaced_not_decoded)
{
	/* libxml2 would read these overlong forms as '"', '>', '<' and
	 * ' ' and write them back raw: a second form. */
	static const char evil[] = "/x\xc0\xa2\xc0\xbe\xc0\xbc" "form\xc0\xa0"
				   "action=https://evil.example\xc0\xbe";
	struct lejr_page *pg;
	xmlNodePtr main, form;
	char *html;

	pg = lejr_page_new("Sign in", NULL, NULL, NULL);
	main = lejr_page_main(pg);
	form = lejr_html_form(main, "post", "/login", "tok");
	lejr_html_hidden(form, "next", evil);
	lejr_html_p(main, evil);
	lejr_html_text(main, "\xc0\xbch1\xc0\xbeINJ");
	lejr_html_cell(lejr_html_row(lejr_html_table(main, NULL)),
		       "cut \xe2\x82");
	lejr_html_p(main, "ends \xff");
	lejr_html_p(main, "bell \x07 and C1 \xc2\x85");
	lejr_html_p(main, "Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80 "
		    "tab\tline\n");
	html = render(pg);

	cr_assert_null(strstr(html, "<form action=\"https://evil"), "%s",
		       html);
	cr_assert_null(strstr(html, "evil.example\""), "%s", html);
	cr_assert_null(strstr(html, "<h1>INJ"), "%s", html);
	cr_assert_null(strstr(html, "\xc0"), "%s", html);
	cr_assert_null(strstr(html, "\xff"), "%s", html);
	cr_assert_null(strstr(html, "\x07"), "%s", html);
	cr_assert_null(strstr(strstr(html, "<form") + 1, "<form"), "%s",
		       html);
	cr_assert(has_replacement(html), "%s", html);
	cr_assert_not_null(strstr(html, "ends "), "%s", html);

	/* Good text is left as it is (libxml2 may write it as
	 * references). */
	cr_assert(strstr(html, "Zo\xc3\xab") != NULL ||
		  strstr(html, "Zo&euml;") != NULL ||
		  strstr(html, "Zo&#235;") != NULL, "%s", html);
	free(html);
}

/* ---- strict UTF-8 ---- */

Test(utf8, strict_decoding)
{
	static const char *const bad[] = {
		"\xc0\xa2",             /* overlong '"' */
		"\xc0\xbc", "\xc1\xbe", /* overlong '<', '>' */
		"\xe0\x80\xbc",         /* overlong in three bytes */
		"\xf0\x80\x80\xbc",     /* and in four */
		"\xed\xa0\x80",         /* a surrogate */
		"\xed\xbf\xbf",
		"\xf4\x90\x80\x80",     /* above U+10FFFF */
		"\xf5\x80\x80\x80", "\xff", "\xfe",
		"\x80", "\xbf",          /* stray continuation bytes */
		"\xe2\x82",             /* cut short */
		"a\xe2\x82\x41",
	};
	static const char *const good[] = {
		"", "plain ASCII!", "Zo\xc3\xab", "\xe2\x82\xac 5",
		"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbd",
		"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
	};
	uint32_t cp;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(lejr_utf8_text_ok(bad[i], strlen(bad[i]), 0),
			      "bad #%zu", i);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert(lejr_utf8_text_ok(good[i], strlen(good[i]), 0),
			  "good #%zu", i);

	cr_assert_eq(lejr_utf8_decode((const unsigned char *)"\xe2\x82\xac",
				      3, &cp), 3);
	cr_assert_eq(cp, 0x20ac);
	cr_assert_eq(lejr_utf8_decode((const unsigned char *)"\xc0\xbc", 2,
				      &cp), 0);
	cr_assert_eq(cp, 0);
}

Test(utf8, controls)
{
	/* No C0 or C1 control, nor DEL; lines only when asked for. */
	cr_assert_not(lejr_utf8_text_ok("a\nb", 3, 0));
	cr_assert_not(lejr_utf8_text_ok("a\tb", 3, 0));
	cr_assert_not(lejr_utf8_text_ok("a\x7f", 2, 0));
	cr_assert_not(lejr_utf8_text_ok("a\xc2\x85", 3, 0));
	cr_assert_not(lejr_utf8_text_ok("a\xc2\x9f", 3, 0));
	cr_assert_not(lejr_utf8_text_ok("a\0b", 3, 0));
	cr_assert(lejr_utf8_text_ok("a\r\nb\tc", 6, LEJR_UTF8_LINES));
	cr_assert_not(lejr_utf8_text_ok("a\x1b", 2, LEJR_UTF8_LINES));
	cr_assert(lejr_utf8_text_ok("\xc2\xa0", 2, 0)); /* NBSP is text */
}

Test(utf8, names_without_deceptive_characters)
{
	static const char *const bad[] = {
		"Claude\xe2\x80\xaegpj.exe",  /* U+202E RLO */
		"a\xe2\x80\xaa" "b", "a\xe2\x80\xad" "b", /* U+202A, U+202D */
		"a\xe2\x81\xa6" "b", "a\xe2\x81\xa9" "b", /* U+2066, U+2069 */
		"Cla\xe2\x80\x8bude",         /* zero width space */
		"a\xe2\x80\x8d" "b", "a\xe2\x80\x8f" "b", /* ZWJ, RLM */
		"a\xe2\x80\xa8" "b", "a\xe2\x80\xa9" "b", /* LS, PS */
		"\xef\xbb\xbfname",           /* BOM */
		"a\xc2\xad" "b",                 /* soft hyphen */
		"a\xc2\x85" "b", "a\nb",         /* controls */
		"\xc0\xbc" "b>",                 /* not UTF-8 */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(lejr_utf8_name_ok(bad[i], strlen(bad[i])),
			      "bad #%zu", i);
	cr_assert(lejr_utf8_name_ok("Claude Desktop", 14));
	cr_assert(lejr_utf8_name_ok("\xd7\xa2\xd7\x91 Zo\xc3\xab", 9));
}

Test(utf8, scrub)
{
	char *s;

	s = lejr_utf8_scrub("a\xc0\xbc" "b\xff" "c\x07" "d\xe2\x82");
	cr_assert_not_null(s);
	cr_assert_str_eq(s, "a\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd"
			 "c\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	s = lejr_utf8_scrub("ok \xe2\x82\xac\tline\n");
	cr_assert_str_eq(s, "ok \xe2\x82\xac\tline\n");
	free(s);
}

/* A message cut to a size inside a character keeps its length and
 * becomes valid UTF-8. */
Test(utf8, repair)
{
	char s[] = "a\xc3\xa9 \xe2\x82 b\xff \xc3";

	lejr_utf8_repair(s);
	cr_assert_str_eq(s, "a\xc3\xa9 ?? b? ?");
}

/* ---- CSRF, cookies, next= ---- */

Test(csrf, tokens)
{
	char a[65], b[65], again[65], bad[65];

	lejr_web_csrf_token("session-one-secret-value-abcdefgh", a);
	lejr_web_csrf_token("session-two-secret-value-abcdefgh", b);
	lejr_web_csrf_token("session-one-secret-value-abcdefgh", again);
	cr_assert_eq(strlen(a), 64);
	cr_assert_str_eq(a, again);
	cr_assert_str_neq(a, b);

	cr_assert(lejr_web_csrf_equal(a, again));
	cr_assert_not(lejr_web_csrf_equal(b, a));
	memcpy(bad, a, sizeof(bad));
	bad[63] = bad[63] == '0' ? '1' : '0';
	cr_assert_not(lejr_web_csrf_equal(bad, a));
	cr_assert_not(lejr_web_csrf_equal(NULL, a));
	cr_assert_not(lejr_web_csrf_equal("", a));
	bad[10] = '\0';
	cr_assert_not(lejr_web_csrf_equal(bad, a));
	cr_assert_not(lejr_web_csrf_equal(a, ""));
}

Test(csrf, token_is_not_the_stored_hash)
{
	static const char secret[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char token[65], hex[65];

	/* The database keeps SHA-256(cookie): the token must differ. */
	EVP_Digest(secret, strlen(secret), md, &mdlen, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	lejr_web_csrf_token(secret, token);
	cr_assert_str_neq(token, hex);
}

Test(cookie, attributes)
{
	char buf[256];

	cr_assert_eq(lejr_web_cookie(buf, sizeof(buf), "lejr_session", "v1",
				     43200, 1), 0);
	cr_assert_str_eq(buf, "lejr_session=v1; Path=/; Max-Age=43200; "
			 "HttpOnly; SameSite=Lax; Secure");
	cr_assert_eq(lejr_web_cookie(buf, sizeof(buf), "lejr_session", "",
				     0, 0), 0);
	cr_assert_str_eq(buf, "lejr_session=; Path=/; Max-Age=0; HttpOnly; "
			 "SameSite=Lax");
	cr_assert_eq(lejr_web_cookie(buf, 20, "lejr_session", "v1", 1, 0),
		     -1);
}

Test(cookie, parse)
{
	char out[65];

	cr_assert_eq(lejr_web_cookie_get("a=1; lejr_session=abc; b=2",
					 "lejr_session", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "abc");
	cr_assert_eq(lejr_web_cookie_get("lejr_session=xyz", "lejr_session",
					 out, sizeof(out)), 0);
	cr_assert_str_eq(out, "xyz");
	cr_assert_eq(lejr_web_cookie_get("xlejr_session=1; lejr_sessionx=2",
					 "lejr_session", out, sizeof(out)),
		     -1);
	cr_assert_eq(lejr_web_cookie_get("", "lejr_session", out,
					 sizeof(out)), -1);
	cr_assert_eq(lejr_web_cookie_get("lejr_session=0123456789",
					 "lejr_session", out, 5), -1);
}

Test(next, same_origin_paths_only)
{
	static const char *const good[] = {
		"/", "/settings/connections",
		"/settings/activity?org=acme&tool=x",
		"/authorize?client_id=abc&redirect_uri=http%3A%2F%2F"
		"localhost%3A3000%2Fcb&state=xyz",
	};
	static const char *const bad[] = {
		"", "settings", "//evil.example", "/\\evil.example",
		"https://evil.example/", "javascript:alert(1)",
		"/\t/evil.example", "/\n/evil.example", "/a b", "/a\\b",
		" /settings", "/\x7f",
		/* Printable ASCII only: decoded non-ASCII, overlong forms,
		 * a lone high byte. */
		"/caf\xc3\xa9", "/x\xc0\xa2\xc0\xbe", "/\xff", "/\x80",
		"/\xc2\xa0x",
	};
	char longer[LEJR_WEB_NEXT_MAX + 10];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert(lejr_web_next_ok(good[i]), "%s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(lejr_web_next_ok(bad[i]), "%s", bad[i]);
	cr_assert_not(lejr_web_next_ok(NULL));

	memset(longer, 'a', sizeof(longer) - 1);
	longer[0] = '/';
	longer[sizeof(longer) - 1] = '\0';
	cr_assert_not(lejr_web_next_ok(longer));
}

/* ---- the database side ---- */

static char dir[64], path[128];
static sqlite3 *db;
static struct lejr_error err;
static int64_t acme, beta, gamma_org, ann, bob, cat;

static int64_t
make_user(const char *email, const char *password)
{
	int64_t id = 0;

	cr_assert_eq(ledger_user_create(db, email, email, password, &id,
					&err), LEJR_OK, "%s", err.msg);
	return id;
}

static void
setup(void)
{
	lejr_log_set_level(LEJR_LOG_ERROR);
	snprintf(dir, sizeof(dir), "/tmp/lejr-web-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ledger.db", dir);
	cr_assert_eq(ledger_open(path, &db, &err), LEJR_OK, "%s", err.msg);

	cr_assert_eq(ledger_org_create(db, "acme", "Acme", "EUR", &acme,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_org_create(db, "beta", "Beta", "EUR", &beta,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_org_create(db, "gamma", "Gamma", "EUR",
				       &gamma_org, &err), LEJR_OK);
	ann = make_user("ann@example.com", "correct horse battery");
	bob = make_user("bob@example.com", NULL);
	cat = make_user("cat@example.com", NULL);

	/* ann owns acme and beta; bob is an accountant in acme and gamma;
	 * cat is a viewer in acme. */
	cr_assert_eq(ledger_member_set(db, acme, ann, LEJR_ROLE_OWNER, &err),
		     LEJR_OK);
	cr_assert_eq(ledger_member_set(db, beta, ann, LEJR_ROLE_OWNER, &err),
		     LEJR_OK);
	cr_assert_eq(ledger_member_set(db, gamma_org, bob, LEJR_ROLE_OWNER,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, acme, bob, LEJR_ROLE_ACCOUNTANT,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_member_set(db, acme, cat, LEJR_ROLE_VIEWER,
				       &err), LEJR_OK);
}

static void
teardown(void)
{
	char file[160];

	ledger_close(db);
	snprintf(file, sizeof(file), "%s-wal", path);
	unlink(file);
	snprintf(file, sizeof(file), "%s-shm", path);
	unlink(file);
	unlink(path);
	rmdir(dir);
}

TestSuite(webdb, .init = setup, .fini = teardown);

Test(webdb, sessions)
{
	char token[LEDGER_WEB_TOKEN_MAX + 1], email[256];
	char name[LEJR_NAME_MAX + 1];
	int64_t user = 0;
	sqlite3_stmt *st;

	cr_assert_eq(ledger_web_session_create(db, ann, 3600, token, &err),
		     LEJR_OK, "%s", err.msg);
	cr_assert_geq(strlen(token), 43);
	cr_assert_eq(ledger_web_session_find(db, token, &user, email, name,
					     &err), LEJR_OK);
	cr_assert_eq(user, ann);
	cr_assert_str_eq(email, "ann@example.com");

	/* Only the hash is stored. */
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
					"web_sessions WHERE token_hash = ?",
					-1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);

	cr_assert_eq(ledger_web_session_find(db, "nope-nope-nope-nope-nope-"
					     "nope-nope", &user, email, name,
					     &err), LEJR_EDENIED);
	cr_assert_eq(ledger_web_session_end(db, token, &err), LEJR_OK);
	cr_assert_eq(ledger_web_session_find(db, token, &user, email, name,
					     &err), LEJR_EDENIED);
}

Test(webdb, new_password_ends_sessions)
{
	char a[LEDGER_WEB_TOKEN_MAX + 1], b[LEDGER_WEB_TOKEN_MAX + 1];
	char email[256], name[LEJR_NAME_MAX + 1];
	int64_t user;

	cr_assert_eq(ledger_web_session_create(db, ann, 3600, a, &err),
		     LEJR_OK);
	cr_assert_eq(ledger_web_session_create(db, bob, 3600, b, &err),
		     LEJR_OK);
	cr_assert_eq(ledger_user_set_password(db, ann, "a new passphrase",
					      &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_web_session_find(db, a, &user, email, name,
					     &err), LEJR_EDENIED);
	/* Others stay signed in. */
	cr_assert_eq(ledger_web_session_find(db, b, &user, email, name,
					     &err), LEJR_OK);
	cr_assert_eq(user, bob);
	cr_assert_eq(ledger_user_verify_password(db, "ann@example.com",
						 "a new passphrase", &user,
						 &err), LEJR_OK, "%s", err.msg);
}

Test(webdb, expired_session_is_refused)
{
	char token[LEDGER_WEB_TOKEN_MAX + 1], email[256];
	char name[LEJR_NAME_MAX + 1];
	int64_t user;

	cr_assert_eq(ledger_web_session_create(db, ann, 3600, token, &err),
		     LEJR_OK);
	cr_assert_eq(sqlite3_exec(db, "UPDATE web_sessions SET expires_at = "
				  "strftime('%s', 'now') - 1", NULL, NULL,
				  NULL), SQLITE_OK);
	cr_assert_eq(ledger_web_session_find(db, token, &user, email, name,
					     &err), LEJR_EDENIED);
}

Test(webdb, throttle)
{
	int count = -1;

	for (int i = 0; i < 3; i++)
		cr_assert_eq(ledger_login_failed(db, "email:ann@example.com",
						 &err), LEJR_OK);
	cr_assert_eq(ledger_login_failed(db, "addr:10.0.0.1", &err),
		     LEJR_OK);
	cr_assert_eq(ledger_login_failures(db, "email:ann@example.com", 900,
					   &count, &err), LEJR_OK);
	cr_assert_eq(count, 3);

	/* Older than the window: not counted. */
	cr_assert_eq(sqlite3_exec(db, "UPDATE login_failures SET at = at - "
				  "1000 WHERE rowid = 1", NULL, NULL, NULL),
		     SQLITE_OK);
	cr_assert_eq(ledger_login_failures(db, "email:ann@example.com", 900,
					   &count, &err), LEJR_OK);
	cr_assert_eq(count, 2);

	cr_assert_eq(ledger_login_clear(db, "email:ann@example.com", &err),
		     LEJR_OK);
	cr_assert_eq(ledger_login_failures(db, "email:ann@example.com", 900,
					   &count, &err), LEJR_OK);
	cr_assert_eq(count, 0);
	cr_assert_eq(ledger_login_failures(db, "addr:10.0.0.1", 900, &count,
					   &err), LEJR_OK);
	cr_assert_eq(count, 1);
}

Test(webdb, attempts_counted_before_the_check)
{
	const char *keys[2] = { "email:ann@example.com", "addr:10.0.0.9" };
	int64_t ids[2];
	int which, count;

	for (int i = 0; i < 5; i++) {
		cr_assert_eq(ledger_login_attempt(db, keys, 2, 900, 5, ids,
						  &which, &err), LEJR_OK,
			     "%s", err.msg);
		cr_assert_eq(which, -1);
		cr_assert_gt(ids[0], 0);
		cr_assert_gt(ids[1], 0);
	}

	/* The sixth is refused and counts nothing. */
	cr_assert_eq(ledger_login_attempt(db, keys, 2, 900, 5, ids, &which,
					  &err), LEJR_OK);
	cr_assert_eq(which, 0);
	cr_assert_eq(ledger_login_failures(db, keys[1], 900, &count, &err),
		     LEJR_OK);
	cr_assert_eq(count, 5);

	/* A good password takes its attempt back. */
	cr_assert_eq(ledger_login_clear(db, keys[0], &err), LEJR_OK);
	cr_assert_eq(ledger_login_attempt(db, keys, 2, 900, 5, ids, &which,
					  &err), LEJR_OK);
	cr_assert_eq(which, 1, "the address is over the limit");
	keys[1] = "addr:10.0.0.10";
	cr_assert_eq(ledger_login_attempt(db, keys, 2, 900, 5, ids, &which,
					  &err), LEJR_OK);
	cr_assert_eq(which, -1);
	cr_assert_eq(ledger_login_forgive(db, ids, 2, &err), LEJR_OK);
	cr_assert_eq(ledger_login_failures(db, keys[1], 900, &count, &err),
		     LEJR_OK);
	cr_assert_eq(count, 0);
	cr_assert_eq(ledger_login_failures(db, keys[0], 900, &count, &err),
		     LEJR_OK);
	cr_assert_eq(count, 0);
}

/* One of many parallel sign-in attempts, on its own connection. */
static void *
attempt_thread(void *arg)
{
	const char *keys[2] = { "email:bob@example.com", "addr:10.1.1.1" };
	struct lejr_error e = { 0 };
	sqlite3 *mine = NULL;
	int64_t ids[2];
	int which = -2;

	if (ledger_open(path, &mine, &e) == LEJR_OK &&
	    ledger_login_attempt(mine, keys, 2, 900, 5, ids, &which,
				 &e) != LEJR_OK)
		which = -2;
	ledger_close(mine);
	*(int *)arg = which;
	return NULL;
}

Test(webdb, parallel_attempts_pass_the_limit_at_most)
{
	enum { N = 24 };
	pthread_t t[N];
	int which[N], passed = 0, refused = 0;

	for (int i = 0; i < N; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, attempt_thread,
					    &which[i]), 0);
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		passed += which[i] == -1;
		refused += which[i] >= 0;
	}
	cr_assert_eq(passed, 5, "%d passed", passed);
	cr_assert_eq(refused, N - 5, "%d refused", refused);
}

/* A personal token of user reaching orgs. */
static int64_t
make_token(int64_t user, const int64_t *orgs, size_t n, const char *label)
{
	char text[LEJR_TOKEN_MAX + 1];
	int64_t id = 0;

	cr_assert_eq(ledger_token_create(db, user, orgs, n, LEJR_ACCESS_WRITE,
					 label, 0, text, &id, &err), LEJR_OK,
		     "%s", err.msg);
	return id;
}

/* An OAuth connection of user reaching orgs, made directly. */
static int64_t
make_connection(int64_t user, const int64_t *orgs, size_t n)
{
	char sql[512];
	int64_t id;

	cr_assert_eq(sqlite3_exec(db, "INSERT OR IGNORE INTO oauth_clients "
				  "(id, client_id, auth_method, name, "
				  "metadata, created_at, issued_at) VALUES "
				  "(1, 'c1', 1, '<b>Claude</b>', '{}', "
				  "'2025-01-01T00:00:00Z', 0)", NULL, NULL,
				  NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	snprintf(sql, sizeof(sql), "INSERT INTO connections (client_id, "
		 "user_id, access, resource, created_at) VALUES (1, %" PRId64
		 ", 2, 'http://x/api/mcp', '2025-01-02T00:00:00Z')", user);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	id = sqlite3_last_insert_rowid(db);
	for (size_t i = 0; i < n; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO connection_orgs "
			 "VALUES (%" PRId64 ", %" PRId64 ")", id, orgs[i]);
		cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL),
			     SQLITE_OK);
	}
	return id;
}

static size_t
count_kind(json_t *list, const char *kind)
{
	json_t *item;
	size_t i, n = 0;

	json_array_foreach(list, i, item)
		if (strcmp(json_string_value(json_object_get(item, "kind")),
			   kind) == 0)
			n++;
	return n;
}

Test(webdb, who_sees_what)
{
	int64_t ab[] = { acme, beta }, g[] = { gamma_org }, a[] = { acme };
	json_t *list;

	make_token(ann, ab, 2, "ann's");
	make_token(bob, g, 1, "bob gamma");
	make_token(bob, a, 1, "bob acme");
	make_connection(ann, ab, 2);

	/* ann, owner of acme: hers and bob's acme token, not gamma's. */
	cr_assert_eq(ledger_conn_list(db, ann, 0, &list, &err), LEJR_OK,
		     "%s", err.msg);
	cr_assert_eq(json_array_size(list), 3);
	cr_assert_eq(count_kind(list, "oauth"), 1);
	json_decref(list);

	/* Only her own OAuth connections (Integrations). */
	cr_assert_eq(ledger_conn_list(db, ann, LEDGER_CONN_OWN |
				      LEDGER_CONN_OAUTH, &list, &err),
		     LEJR_OK);
	cr_assert_eq(json_array_size(list), 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
		list, 0), "name")), "<b>Claude</b>");
	json_decref(list);

	/* bob, an accountant in acme: only his own two. */
	cr_assert_eq(ledger_conn_list(db, bob, 0, &list, &err), LEJR_OK);
	cr_assert_eq(json_array_size(list), 2);
	json_decref(list);

	/* cat sees nothing, and cannot open ann's token. */
	cr_assert_eq(ledger_conn_list(db, cat, 0, &list, &err), LEJR_OK);
	cr_assert_eq(json_array_size(list), 0);
	json_decref(list);
	cr_assert_eq(ledger_conn_get(db, cat, LEDGER_CONN_KIND_TOKEN, 1,
				     &list, &err), LEJR_ENOTFOUND);
}

Test(webdb, bind_and_revoke)
{
	int64_t ab[] = { acme, beta }, a[] = { acme }, g[] = { gamma_org };
	struct ledger_principal p;
	char text[LEJR_TOKEN_MAX + 1];
	int64_t id;
	json_t *item;

	cr_assert_eq(ledger_token_create(db, ann, ab, 2, LEJR_ACCESS_WRITE,
					 "t", 0, text, &id, &err), LEJR_OK);

	/* Bind to acme only: the next authentication reaches acme only. */
	cr_assert_eq(ledger_conn_set_orgs(db, ann, LEDGER_CONN_KIND_TOKEN, id,
					  a, 1, &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_token_auth(db, text, &p, &err), LEJR_OK);
	cr_assert_eq(p.ngrants, 1);
	cr_assert_eq(p.grants[0].org_id, acme);
	ledger_principal_free(&p);

	/* Not an org of ann's: refused, nothing changes. */
	cr_assert_eq(ledger_conn_set_orgs(db, ann, LEDGER_CONN_KIND_TOKEN, id,
					  g, 1, &err), LEJR_EINVAL);
	cr_assert_eq(ledger_conn_set_orgs(db, ann, LEDGER_CONN_KIND_TOKEN, id,
					  g, 0, &err), LEJR_EINVAL);
	cr_assert_eq(ledger_conn_get(db, ann, LEDGER_CONN_KIND_TOKEN, id,
				     &item, &err), LEJR_OK);
	cr_assert_eq(json_array_size(json_object_get(item, "orgs")), 1);
	json_decref(item);

	/* Several again, then revoked: refused at once. */
	cr_assert_eq(ledger_conn_set_orgs(db, ann, LEDGER_CONN_KIND_TOKEN, id,
					  ab, 2, &err), LEJR_OK);
	cr_assert_eq(ledger_conn_revoke(db, ann, LEDGER_CONN_KIND_TOKEN, id,
					&err), LEJR_OK);
	cr_assert_eq(ledger_token_auth(db, text, &p, &err), LEJR_EDENIED);
	cr_assert_eq(ledger_conn_revoke(db, ann, LEDGER_CONN_KIND_TOKEN, id,
					&err), LEJR_ECONFLICT);
	cr_assert_eq(ledger_conn_set_orgs(db, ann, LEDGER_CONN_KIND_TOKEN, id,
					  a, 1, &err), LEJR_ECONFLICT);
}

Test(webdb, admin_changes_only_what_they_manage)
{
	int64_t ag[] = { acme, gamma_org }, a[] = { acme };
	int64_t id;
	json_t *item, *c;
	size_t i;

	/* bob's token reaches acme (ann owns it) and gamma (bob's). */
	id = make_token(bob, ag, 2, "bob both");
	cr_assert_eq(ledger_conn_get(db, ann, LEDGER_CONN_KIND_TOKEN, id,
				     &item, &err), LEJR_OK, "%s", err.msg);
	json_array_foreach(json_object_get(item, "choices"), i, c) {
		int64_t org = json_integer_value(json_object_get(c, "id"));

		cr_assert_eq(json_is_true(json_object_get(c, "manage")),
			     org == acme, "org %" PRId64, org);
	}
	json_decref(item);

	/* ann may not take gamma away from it, nor revoke it: that would
	 * take it from gamma too.  gamma's name is not hers to see. */
	cr_assert_eq(ledger_conn_set_orgs(db, ann, LEDGER_CONN_KIND_TOKEN, id,
					  a, 1, &err), LEJR_EDENIED);
	cr_assert_null(strstr(err.msg, "gamma"), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "another organization"), "%s",
			   err.msg);
	cr_assert_eq(ledger_conn_revoke(db, ann, LEDGER_CONN_KIND_TOKEN, id,
					&err), LEJR_EDENIED);
	cr_assert_eq(ledger_conn_get(db, ann, LEDGER_CONN_KIND_TOKEN, id,
				     &item, &err), LEJR_OK);
	cr_assert(json_is_null(json_object_get(item, "revoked")));
	cr_assert(json_is_false(json_object_get(item, "revocable")));
	json_decref(item);

	/* Once bob bound it to acme alone, acme's owner may revoke it. */
	cr_assert_eq(ledger_conn_set_orgs(db, bob, LEDGER_CONN_KIND_TOKEN, id,
					  a, 1, &err), LEJR_OK);
	cr_assert_eq(ledger_conn_revoke(db, ann, LEDGER_CONN_KIND_TOKEN, id,
					&err), LEJR_OK, "%s", err.msg);
}

Test(webdb, revoking_needs_every_organization)
{
	int64_t ag[] = { acme, gamma_org }, g[] = { gamma_org };
	json_t *item, *orgs;
	int64_t id;

	/* bob's connection reaches acme (ann owns it, bob is an
	 * accountant) and gamma (bob owns it, ann has no role). */
	id = make_connection(bob, ag, 2);

	/* ann sees it, with gamma unnamed, and may not revoke it. */
	cr_assert_eq(ledger_conn_get(db, ann, LEDGER_CONN_KIND_OAUTH, id,
				     &item, &err), LEJR_OK, "%s", err.msg);
	orgs = json_object_get(item, "orgs");
	cr_assert_eq(json_array_size(orgs), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *o = json_array_get(orgs, i);
		int64_t org = json_integer_value(json_object_get(o, "id"));

		cr_assert_eq(json_is_true(json_object_get(o, "member")),
			     org == acme);
		cr_assert_eq(json_object_get(o, "slug") != NULL, org == acme);
		cr_assert_eq(json_object_get(o, "name") != NULL, org == acme);
	}
	for (size_t i = 0; i < json_array_size(json_object_get(item,
							       "choices"));
	     i++) {
		json_t *c = json_array_get(json_object_get(item, "choices"),
					   i);

		if (json_integer_value(json_object_get(c, "id")) == gamma_org)
			cr_assert_null(json_object_get(c, "name"));
	}
	cr_assert(json_is_false(json_object_get(item, "revocable")));
	json_decref(item);

	cr_assert_eq(ledger_conn_revoke(db, ann, LEDGER_CONN_KIND_OAUTH, id,
					&err), LEJR_EDENIED);
	cr_assert_eq(ledger_conn_get(db, bob, LEDGER_CONN_KIND_OAUTH, id,
				     &item, &err), LEJR_OK);
	cr_assert(json_is_null(json_object_get(item, "revoked")));
	cr_assert(json_is_true(json_object_get(item, "revocable")));
	json_decref(item);

	/* Made an owner of gamma too, ann may. */
	cr_assert_eq(ledger_member_set(db, gamma_org, ann, LEJR_ROLE_ADMIN,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_conn_revoke(db, ann, LEDGER_CONN_KIND_OAUTH, id,
					&err), LEJR_OK, "%s", err.msg);

	/* Her own she may revoke whatever it reaches. */
	id = make_connection(bob, g, 1);
	cr_assert_eq(ledger_member_set(db, gamma_org, ann, LEJR_ROLE_VIEWER,
				       &err), LEJR_OK);
	cr_assert_eq(ledger_conn_revoke(db, ann, LEDGER_CONN_KIND_OAUTH, id,
					&err), LEJR_ENOTFOUND);
	cr_assert_eq(ledger_conn_revoke(db, bob, LEDGER_CONN_KIND_OAUTH, id,
					&err), LEJR_OK, "%s", err.msg);
}

Test(webdb, oauth_connection_rebind_and_revoke)
{
	int64_t ab[] = { acme, beta }, b[] = { beta };
	json_t *item;
	int64_t id;

	id = make_connection(ann, ab, 2);
	cr_assert_eq(ledger_conn_set_orgs(db, ann, LEDGER_CONN_KIND_OAUTH, id,
					  b, 1, &err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_conn_get(db, ann, LEDGER_CONN_KIND_OAUTH, id,
				     &item, &err), LEJR_OK);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(item, "orgs"), 0), "slug")), "beta");
	json_decref(item);

	cr_assert_eq(ledger_conn_revoke(db, cat, LEDGER_CONN_KIND_OAUTH, id,
					&err), LEJR_ENOTFOUND);
	cr_assert_eq(ledger_conn_revoke(db, ann, LEDGER_CONN_KIND_OAUTH, id,
					&err), LEJR_OK, "%s", err.msg);
	cr_assert_eq(ledger_conn_get(db, ann, LEDGER_CONN_KIND_OAUTH, id,
				     &item, &err), LEJR_OK);
	cr_assert(json_is_string(json_object_get(item, "revoked")));
	json_decref(item);
}

Test(webdb, activity_filters)
{
	struct ledger_activity rec = {
		.org_id = acme, .tool = "post_entry", .outcome = "ok",
	};
	struct ledger_activity_filter f = { .org = acme };
	int64_t a[] = { acme };
	json_t *page;

	rec.token_id = make_token(ann, a, 1, "desk <bot>");
	rec.user_id = ann;
	cr_assert_eq(ledger_activity_add(db, &rec, &err), LEJR_OK);
	rec.user_id = bob;
	rec.token_id = 0;
	rec.tool = "list_accounts";
	cr_assert_eq(ledger_activity_add(db, &rec, &err), LEJR_OK);

	cr_assert_eq(ledger_activity_query(db, &f, &page, &err), LEJR_OK,
		     "%s", err.msg);
	cr_assert_eq(json_array_size(json_object_get(page, "records")), 2);
	json_decref(page);

	f.user = ann;
	cr_assert_eq(ledger_activity_query(db, &f, &page, &err), LEJR_OK);
	cr_assert_eq(json_array_size(json_object_get(page, "records")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(page, "records"), 0), "client")),
		"desk <bot>");
	json_decref(page);

	f.user = 0;
	f.tool = "list_accounts";
	f.from = "2000-13-01";
	cr_assert_eq(ledger_activity_query(db, &f, &page, &err), LEJR_EINVAL);
}

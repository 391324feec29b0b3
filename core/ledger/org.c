/*
 * org.c - organizations, users, memberships and passwords.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "log.h"
#include "ledger-private.h"

/* argon2id at the cost OWASP suggests for interactive logins. */
#define PW_T_COST 2
#define PW_M_COST (19 * 1024) /* KiB */
#define PW_LANES 1
#define PW_SALT_LEN 16
#define PW_HASH_LEN 32
#define PW_MIN 8
#define PW_MAX 1024

static const char *const role_names[] = {
	[LEJR_ROLE_VIEWER] = "viewer",
	[LEJR_ROLE_ACCOUNTANT] = "accountant",
	[LEJR_ROLE_ADMIN] = "admin",
	[LEJR_ROLE_OWNER] = "owner",
};

const char *
lejr_role_name(enum lejr_role role)
{
	if (role < LEJR_ROLE_VIEWER || role > LEJR_ROLE_OWNER)
		return NULL;
	return role_names[role];
}

int
lejr_role_parse(const char *name)
{
	int r;

	if (name == NULL)
		return -1;
	for (r = LEJR_ROLE_VIEWER; r <= LEJR_ROLE_OWNER; r++)
		if (strcmp(name, role_names[r]) == 0)
			return r;
	return -1;
}

/* ---- organizations ---- */

static int
slug_ok(const char *slug)
{
	size_t n;

	if (slug == NULL || !((*slug >= 'a' && *slug <= 'z') ||
			      (*slug >= '0' && *slug <= '9')))
		return 0;
	for (n = 0; slug[n] != '\0'; n++)
		if (!((slug[n] >= 'a' && slug[n] <= 'z') ||
		      (slug[n] >= '0' && slug[n] <= '9') || slug[n] == '-'))
			return 0;
	return n < sizeof(((struct ledger_org *)0)->slug);
}

int
ledger_org_create(sqlite3 *db, const char *slug, const char *name,
		  const char *currency, int64_t *id, struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	int exponent, rc;

	if (!slug_ok(slug))
		return lejr_error_set(err, LEJR_EINVAL,
				      "organization handle \"%.64s\" is not "
				      "valid: use 1 to 63 lowercase letters, "
				      "digits and '-', starting with a letter "
				      "or digit", slug != NULL ? slug : "");
	if (!ledger_text_ok(name, LEJR_NAME_MAX))
		return lejr_error_set(err, LEJR_EINVAL,
				      "organization name must be 1 to %d bytes "
				      "of UTF-8 (fewer characters outside "
				      "ASCII) without control characters",
				      LEJR_NAME_MAX);
	exponent = lejr_currency_exponent(currency);
	if (exponent < 0)
		return lejr_error_set(err, LEJR_EINVAL,
				      "currency \"%.8s\" is not an active ISO "
				      "4217 code (e.g. EUR, USD, JPY)",
				      currency != NULL ? currency : "");

	rc = ledger_prepare(db, "INSERT INTO orgs (slug, name, currency, "
			    "exponent, created_at) VALUES (?, ?, ?, ?, "
			    LEDGER_NOW_SQL ")", &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, slug);
	ledger_bind_text(st, 2, name);
	ledger_bind_text(st, 3, currency);
	sqlite3_bind_int(st, 4, exponent);

	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = LEJR_OK;
		if (id != NULL)
			*id = sqlite3_last_insert_rowid(db);
	} else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE) {
		rc = lejr_error_set(err, LEJR_ECONFLICT,
				    "organization \"%s\" already exists", slug);
	} else {
		rc = ledger_db_error(db, "creating an organization", err);
	}

	ledger_finalize(db, st);
	return rc;
}

static void
org_fill(sqlite3_stmt *st, struct ledger_org *out)
{
	memset(out, 0, sizeof(*out));
	out->pub.id = sqlite3_column_int64(st, 0);
	ledger_column_copy(st, 1, out->slug, sizeof(out->slug));
	ledger_column_copy(st, 2, out->name, sizeof(out->name));
	ledger_column_copy(st, 3, out->currency, sizeof(out->currency));
	out->pub.exponent = sqlite3_column_int(st, 4);
	ledger_column_copy(st, 5, out->lock_date, sizeof(out->lock_date));

	out->pub.slug = out->slug;
	out->pub.name = out->name;
	out->pub.currency = out->currency;
	out->pub.lock_date = out->lock_date[0] != '\0' ? out->lock_date : NULL;
}

#define ORG_COLUMNS "id, slug, name, currency, exponent, lock_date"

static int
org_query(sqlite3 *db, const char *sql, int64_t id, const char *slug,
	  struct ledger_org *out, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, sql, &st, err);
	if (rc != LEJR_OK)
		return rc;

	if (slug != NULL)
		ledger_bind_text(st, 1, slug);
	else
		sqlite3_bind_int64(st, 1, id);

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		org_fill(st, out);
		rc = LEJR_OK;
	} else if (rc == SQLITE_DONE && slug != NULL) {
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "organization \"%.64s\" does not exist",
				    slug);
	} else if (rc == SQLITE_DONE) {
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "organization %" PRId64 " does not exist",
				    id);
	} else {
		rc = ledger_db_error(db, "loading an organization", err);
	}

	ledger_finalize(db, st);
	return rc;
}

int
ledger_org_load(sqlite3 *db, int64_t id, struct ledger_org *out,
		struct lejr_error *err)
{
	return org_query(db, "SELECT " ORG_COLUMNS " FROM orgs WHERE id = ?",
			 id, NULL, out, err);
}

int
ledger_org_find(sqlite3 *db, const char *slug, struct ledger_org *out,
		struct lejr_error *err)
{
	if (slug == NULL)
		return lejr_error_set(err, LEJR_EINVAL,
				      "an organization is required");
	return org_query(db, "SELECT " ORG_COLUMNS " FROM orgs WHERE slug = ?",
			 0, slug, out, err);
}

int
ledger_org_set_lock_date(sqlite3 *db, int64_t org, const char *date,
			 struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (date != NULL && !lejr_date_valid(date))
		return lejr_error_set(err, LEJR_EINVAL,
				      "lock date \"%.16s\" is not "
				      LEJR_DATE_RULE, date);

	rc = ledger_org_exists(db, org, err);
	if (rc != LEJR_OK)
		return rc;

	rc = ledger_prepare(db, "UPDATE orgs SET lock_date = ? WHERE id = ?",
			    &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, date);
	sqlite3_bind_int64(st, 2, org);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "setting the lock date", err);

	ledger_finalize(db, st);
	return rc;
}

int
ledger_org_list(sqlite3 *db, json_t **out, struct lejr_error *err)
{
	sqlite3_stmt *st;
	json_t *list, *o;
	int rc;

	*out = NULL;
	rc = ledger_prepare(db, "SELECT id, slug, name, currency, lock_date, "
			    "created_at, fiscal_year_start FROM orgs ORDER BY "
			    "slug", &st, err);
	if (rc != LEJR_OK)
		return rc;

	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = json_object();
		json_object_set_new(o, "id",
				    json_integer(sqlite3_column_int64(st, 0)));
		ledger_json_set_column(o, "slug", st, 1);
		ledger_json_set_column(o, "name", st, 2);
		ledger_json_set_column(o, "currency", st, 3);
		ledger_json_set_column(o, "lock_date", st, 4);
		ledger_json_set_column(o, "created", st, 5);
		ledger_json_set_column(o, "fiscal_year_start", st, 6);
		json_array_append_new(list, o);
	}

	if (rc != SQLITE_DONE) {
		json_decref(list);
		rc = ledger_db_error(db, "listing organizations", err);
	} else {
		*out = list;
		rc = LEJR_OK;
	}

	ledger_finalize(db, st);
	return rc;
}

/* ---- users and passwords ---- */

static int
email_ok(const char *email)
{
	const char *at;

	if (!ledger_text_ok(email, 254) || strchr(email, ' ') != NULL)
		return 0;
	at = strchr(email, '@');
	return at != NULL && at != email && at[1] != '\0' &&
	       strchr(at + 1, '@') == NULL;
}

/* Hash password into encoded (argon2id, PHC string form). */
static int
password_hash(const char *password, char *encoded, size_t len,
	      struct lejr_error *err)
{
	unsigned char salt[PW_SALT_LEN];
	size_t n;
	int rc;

	n = password != NULL ? strlen(password) : 0;
	if (n < PW_MIN || n > PW_MAX)
		return lejr_error_set(err, LEJR_EINVAL,
				      "a password needs %d to %d characters",
				      PW_MIN, PW_MAX);

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "no random numbers for a password salt");

	rc = argon2id_hash_encoded(PW_T_COST, PW_M_COST, PW_LANES, password,
				   n, salt, sizeof(salt), PW_HASH_LEN, encoded,
				   len);
	if (rc != ARGON2_OK) {
		lejr_log(LEJR_LOG_ERROR, "argon2: %s",
			 argon2_error_message(rc));
		return lejr_error_set(err, LEJR_EINTERNAL,
				      "cannot hash the password");
	}
	return LEJR_OK;
}

int
ledger_user_create(sqlite3 *db, const char *email, const char *name,
		   const char *password, int64_t *id, struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	char hash[192];
	int rc;

	if (!email_ok(email))
		return lejr_error_set(err, LEJR_EINVAL,
				      "\"%.64s\" is not an email address",
				      email != NULL ? email : "");
	if (!ledger_text_ok(name, LEJR_NAME_MAX))
		return lejr_error_set(err, LEJR_EINVAL,
				      "a user's name must be 1 to %d bytes of "
				      "UTF-8 (fewer characters outside ASCII) "
				      "without control characters",
				      LEJR_NAME_MAX);

	if (password != NULL) {
		rc = password_hash(password, hash, sizeof(hash), err);
		if (rc != LEJR_OK)
			return rc;
	}

	rc = ledger_prepare(db, "INSERT INTO users (email, name, "
			    "password_hash, created_at) VALUES (?, ?, ?, "
			    LEDGER_NOW_SQL ")", &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, email);
	ledger_bind_text(st, 2, name);
	ledger_bind_text(st, 3, password != NULL ? hash : NULL);

	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = LEJR_OK;
		if (id != NULL)
			*id = sqlite3_last_insert_rowid(db);
	} else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE) {
		rc = lejr_error_set(err, LEJR_ECONFLICT,
				    "a user with email %s already exists",
				    email);
	} else {
		rc = ledger_db_error(db, "creating a user", err);
	}

	ledger_finalize(db, st);
	return rc;
}

int
ledger_user_find(sqlite3 *db, const char *email, int64_t *id,
		 struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (email == NULL)
		return lejr_error_set(err, LEJR_EINVAL, "an email is required");

	rc = ledger_prepare(db, "SELECT id FROM users WHERE email = ?", &st,
			    err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, email);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = LEJR_OK;
	} else if (rc == SQLITE_DONE) {
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "no user has the email %.254s", email);
	} else {
		rc = ledger_db_error(db, "looking up a user", err);
	}

	ledger_finalize(db, st);
	return rc;
}

int
ledger_user_set_password(sqlite3 *db, int64_t user, const char *password,
			 struct lejr_error *err)
{
	sqlite3_stmt *st = NULL;
	char hash[192];
	int rc;

	if (password != NULL) {
		rc = password_hash(password, hash, sizeof(hash), err);
		if (rc != LEJR_OK)
			return rc;
	}

	rc = ledger_prepare(db, "UPDATE users SET password_hash = ? "
			    "WHERE id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, password != NULL ? hash : NULL);
	sqlite3_bind_int64(st, 2, user);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "setting a password", err);
	else if (sqlite3_changes(db) == 0)
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "user %" PRId64 " does not exist", user);

	ledger_finalize(db, st);
	if (rc == LEJR_OK)
		rc = ledger_web_session_end_user(db, user, err);
	return rc;
}

int
ledger_user_verify_password(sqlite3 *db, const char *email,
			    const char *password, int64_t *id,
			    struct lejr_error *err)
{
	sqlite3_stmt *st;
	const char *hash;
	char dummy[192];
	int rc, ok = 0;

	if (email == NULL || password == NULL)
		return lejr_error_set(err, LEJR_EDENIED,
				      "wrong email or password");

	rc = ledger_prepare(db, "SELECT id, password_hash FROM users "
			    "WHERE email = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	ledger_bind_text(st, 1, email);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = ledger_db_error(db, "looking up a user", err);
		goto out;
	}

	hash = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 1)
				: NULL;
	if (hash != NULL) {
		ok = argon2id_verify(hash, password, strlen(password)) ==
		     ARGON2_OK;
		if (ok)
			*id = sqlite3_column_int64(st, 0);
	} else {
		/* Spend the same time, so that timing does not tell which
		 * email addresses have accounts. */
		password_hash("not-a-real-password", dummy, sizeof(dummy),
			      NULL);
	}

	rc = ok ? LEJR_OK
		: lejr_error_set(err, LEJR_EDENIED, "wrong email or password");

out:
	ledger_finalize(db, st);
	return rc;
}

int
ledger_user_list(sqlite3 *db, json_t **out, struct lejr_error *err)
{
	sqlite3_stmt *st;
	json_t *list, *o, *orgs;
	int rc;

	*out = NULL;
	rc = ledger_prepare(db, "SELECT u.id, u.email, u.name, u.created_at, "
			    "u.password_hash IS NOT NULL, (SELECT json_group_"
			    "array(json_object('slug', o.slug, 'role', CASE "
			    "m.role WHEN 1 THEN 'viewer' WHEN 2 THEN "
			    "'accountant' WHEN 3 THEN 'admin' ELSE 'owner' END)"
			    ") FROM members m JOIN orgs o ON o.id = m.org_id"
			    " WHERE m.user_id = u.id) FROM users u "
			    "ORDER BY u.email", &st, err);
	if (rc != LEJR_OK)
		return rc;

	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = json_object();
		json_object_set_new(o, "id",
				    json_integer(sqlite3_column_int64(st, 0)));
		ledger_json_set_column(o, "email", st, 1);
		ledger_json_set_column(o, "name", st, 2);
		ledger_json_set_column(o, "created", st, 3);
		json_object_set_new(o, "password",
				    json_boolean(sqlite3_column_int(st, 4)));
		orgs = json_loads((const char *)sqlite3_column_text(st, 5), 0,
				  NULL);
		json_object_set_new(o, "orgs", orgs != NULL ? orgs
							    : json_array());
		json_array_append_new(list, o);
	}

	if (rc != SQLITE_DONE) {
		json_decref(list);
		rc = ledger_db_error(db, "listing users", err);
	} else {
		*out = list;
		rc = LEJR_OK;
	}

	ledger_finalize(db, st);
	return rc;
}

/* ---- memberships ---- */

int
ledger_member_role(sqlite3 *db, int64_t org, int64_t user,
		   enum lejr_role *role, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT role FROM members WHERE org_id = ? "
			    "AND user_id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	sqlite3_bind_int64(st, 2, user);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*role = (enum lejr_role)sqlite3_column_int(st, 0);
		rc = LEJR_OK;
	} else if (rc == SQLITE_DONE) {
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "user %" PRId64 " is not a member of "
				    "organization %" PRId64, user, org);
	} else {
		rc = ledger_db_error(db, "reading a membership", err);
	}

	ledger_finalize(db, st);
	return rc;
}

static int
owner_count(sqlite3 *db, int64_t org, int *n, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT count(*) FROM members WHERE org_id = ?"
			    " AND role = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	sqlite3_bind_int(st, 2, LEJR_ROLE_OWNER);
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int(st, 0);
	else
		rc = ledger_db_error(db, "counting owners", err);

	ledger_finalize(db, st);
	return rc;
}

static int
user_exists(sqlite3 *db, int64_t user, struct lejr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = ledger_prepare(db, "SELECT 1 FROM users WHERE id = ?", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, user);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = LEJR_OK;
	else if (rc == SQLITE_DONE)
		rc = lejr_error_set(err, LEJR_ENOTFOUND,
				    "user %" PRId64 " does not exist", user);
	else
		rc = ledger_db_error(db, "looking up a user", err);

	ledger_finalize(db, st);
	return rc;
}

int
ledger_member_set(sqlite3 *db, int64_t org, int64_t user,
		  enum lejr_role role, struct lejr_error *err)
{
	sqlite3_stmt *st;
	enum lejr_role old;
	int rc, owners = 0;

	if (lejr_role_name(role) == NULL)
		return lejr_error_set(err, LEJR_EINVAL, "role %d is not one of "
				      "owner, admin, accountant, viewer", role);

	rc = ledger_org_exists(db, org, err);
	if (rc == LEJR_OK)
		rc = user_exists(db, user, err);
	if (rc != LEJR_OK)
		return rc;

	/* An organization never loses its last owner. */
	if (role != LEJR_ROLE_OWNER &&
	    ledger_member_role(db, org, user, &old, NULL) == LEJR_OK &&
	    old == LEJR_ROLE_OWNER) {
		rc = owner_count(db, org, &owners, err);
		if (rc != LEJR_OK)
			return rc;
		if (owners <= 1)
			return lejr_error_set(err, LEJR_ECONFLICT,
					      "this user is the organization's "
					      "only owner: make someone else "
					      "owner first");
	}

	rc = ledger_prepare(db, "INSERT INTO members (org_id, user_id, role) "
			    "VALUES (?, ?, ?) ON CONFLICT (org_id, user_id) "
			    "DO UPDATE SET role = excluded.role", &st, err);
	if (rc != LEJR_OK)
		return rc;

	sqlite3_bind_int64(st, 1, org);
	sqlite3_bind_int64(st, 2, user);
	sqlite3_bind_int(st, 3, role);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ledger_db_error(db, "setting a membership", err);

	ledger_finalize(db, st);
	return rc;
}

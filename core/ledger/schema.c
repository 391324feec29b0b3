/*
 * schema.c - the core's tables, as numbered migrations.
 *
 * A migration, once released, never changes: new needs get a new
 * version appended to the list.  Timestamps are UTC ISO 8601 text;
 * money is INTEGER minor units; dates are "YYYY-MM-DD" text.
 *
 * Posted journal entries and lines, and the activity log, refuse UPDATE
 * and DELETE through triggers, so that not even SQL typed at the file
 * can rewrite history.  The totals tables are derived data kept by
 * triggers on lines; they may be rebuilt at will.
 */
#include "ledger-private.h"

/*
 * The activity log's table, indexes and append-only triggers, made in
 * version 1 and again when version 9 makes the table anew with another
 * form of the outcome check.
 */
#define ACTIVITY_TABLE(name, outcome_check) \
	"CREATE TABLE " name " (" \
	" id INTEGER PRIMARY KEY," \
	" org_id INTEGER REFERENCES orgs(id)," \
	" at TEXT NOT NULL," \
	" user_id INTEGER REFERENCES users(id)," \
	" token_id INTEGER REFERENCES tokens(id)," \
	" tool TEXT NOT NULL," \
	" args_digest TEXT," \
	" outcome TEXT NOT NULL CHECK (" outcome_check ")," \
	" message TEXT," \
	" entries TEXT NOT NULL DEFAULT '[]'," \
	" duration_us INTEGER NOT NULL DEFAULT 0);"

#define ACTIVITY_INDEXES_AND_GUARDS \
	"CREATE INDEX activity_org ON activity(org_id, id);" \
	"CREATE INDEX activity_org_tool ON activity(org_id, tool, id);" \
	"CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity BEGIN" \
	" SELECT RAISE(ABORT, 'the activity log is append-only'); END;" \
	"CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity BEGIN" \
	" SELECT RAISE(ABORT, 'the activity log is append-only'); END;"

static const char core_v1[] =
	/* organizations, people, memberships */
	"CREATE TABLE orgs ("
	" id INTEGER PRIMARY KEY,"
	" slug TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" currency TEXT NOT NULL,"
	/* kept with the org so that stored minor units never change
	 * meaning, whatever later editions of ISO 4217 say */
	" exponent INTEGER NOT NULL CHECK (exponent BETWEEN 0 AND 18),"
	" lock_date TEXT,"
	" created_at TEXT NOT NULL);"

	"CREATE TABLE users ("
	" id INTEGER PRIMARY KEY,"
	" email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	" name TEXT NOT NULL,"
	" password_hash TEXT,"
	" created_at TEXT NOT NULL);"

	"CREATE TABLE members ("
	" org_id INTEGER NOT NULL REFERENCES orgs(id),"
	" user_id INTEGER NOT NULL REFERENCES users(id),"
	" role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 4),"
	" PRIMARY KEY (org_id, user_id)) WITHOUT ROWID;"
	"CREATE INDEX members_user ON members(user_id);"

	/* chart of accounts */
	"CREATE TABLE accounts ("
	" id INTEGER PRIMARY KEY,"
	" org_id INTEGER NOT NULL REFERENCES orgs(id),"
	" code TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 5),"
	" parent_id INTEGER REFERENCES accounts(id),"
	" archived_at TEXT,"
	" created_at TEXT NOT NULL,"
	" UNIQUE (org_id, code));"

	"CREATE TRIGGER accounts_keep_org BEFORE UPDATE OF org_id ON accounts"
	" WHEN NEW.org_id IS NOT OLD.org_id BEGIN"
	" SELECT RAISE(ABORT, 'an account cannot move to another "
	"organization'); END;"

	"CREATE TRIGGER accounts_keep_type BEFORE UPDATE OF type ON accounts"
	" WHEN NEW.type IS NOT OLD.type"
	" AND EXISTS (SELECT 1 FROM lines"
	"  WHERE org_id = OLD.org_id AND account_id = OLD.id)"
	" BEGIN SELECT RAISE(ABORT, 'the type of an account with journal "
	"lines cannot change'); END;"

	"CREATE TRIGGER accounts_keep_used BEFORE DELETE ON accounts"
	" WHEN EXISTS (SELECT 1 FROM lines"
	"  WHERE org_id = OLD.org_id AND account_id = OLD.id)"
	" BEGIN SELECT RAISE(ABORT, 'an account with journal lines cannot be "
	"deleted: archive it instead'); END;"

	/* the journal */
	"CREATE TABLE entries ("
	" id INTEGER PRIMARY KEY,"
	" org_id INTEGER NOT NULL REFERENCES orgs(id),"
	" date TEXT NOT NULL,"
	" memo TEXT NOT NULL,"
	" reference TEXT,"
	" reverses_id INTEGER UNIQUE REFERENCES entries(id),"
	" created_by INTEGER REFERENCES users(id),"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX entries_org_date ON entries(org_id, date, id);"

	/* date and org_id repeat the entry's so that the indexes below can
	 * answer date-bounded and per-account questions on their own */
	"CREATE TABLE lines ("
	" id INTEGER PRIMARY KEY,"
	" entry_id INTEGER NOT NULL REFERENCES entries(id),"
	" org_id INTEGER NOT NULL,"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" date TEXT NOT NULL,"
	" amount INTEGER NOT NULL CHECK (typeof(amount) = 'integer'"
	"  AND amount <> 0),"
	" memo TEXT);"
	"CREATE INDEX lines_entry ON lines(entry_id);"
	"CREATE INDEX lines_org_account ON lines(org_id, account_id, date,"
	" entry_id, amount);"

	"CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN"
	" SELECT RAISE(ABORT, 'journal entries are immutable: post a "
	"reversing entry instead'); END;"
	"CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries BEGIN"
	" SELECT RAISE(ABORT, 'journal entries are immutable: post a "
	"reversing entry instead'); END;"
	"CREATE TRIGGER lines_no_update BEFORE UPDATE ON lines BEGIN"
	" SELECT RAISE(ABORT, 'journal entries are immutable: their lines "
	"cannot change'); END;"
	"CREATE TRIGGER lines_no_delete BEFORE DELETE ON lines BEGIN"
	" SELECT RAISE(ABORT, 'journal entries are immutable: their lines "
	"cannot be deleted'); END;"

	/* a line must agree with its entry and stay inside its org */
	"CREATE TRIGGER lines_consistent BEFORE INSERT ON lines BEGIN"
	" SELECT RAISE(ABORT, 'journal line does not match its entry')"
	"  WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.id = NEW.entry_id"
	"   AND e.org_id = NEW.org_id AND e.date = NEW.date);"
	" SELECT RAISE(ABORT, 'journal line names an account of another "
	"organization or an archived account')"
	"  WHERE NOT EXISTS (SELECT 1 FROM accounts a"
	"   WHERE a.id = NEW.account_id AND a.org_id = NEW.org_id"
	"   AND a.archived_at IS NULL);"
	" END;"

	/* derived totals: per account, per account and month, per account
	 * and day; balances as of any date are a few of these rows */
	"CREATE TABLE account_totals ("
	" account_id INTEGER PRIMARY KEY REFERENCES accounts(id),"
	" org_id INTEGER NOT NULL,"
	" debit INTEGER NOT NULL CHECK (typeof(debit) = 'integer'),"
	" credit INTEGER NOT NULL CHECK (typeof(credit) = 'integer'),"
	" nlines INTEGER NOT NULL,"
	" last_date TEXT NOT NULL);"
	"CREATE INDEX account_totals_org ON account_totals(org_id);"

	"CREATE TABLE account_month_totals ("
	" org_id INTEGER NOT NULL,"
	" month TEXT NOT NULL,"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" debit INTEGER NOT NULL CHECK (typeof(debit) = 'integer'),"
	" credit INTEGER NOT NULL CHECK (typeof(credit) = 'integer'),"
	" nlines INTEGER NOT NULL,"
	" PRIMARY KEY (org_id, month, account_id)) WITHOUT ROWID;"
	"CREATE INDEX account_month_totals_account"
	" ON account_month_totals(account_id, month);"

	"CREATE TABLE account_day_totals ("
	" org_id INTEGER NOT NULL,"
	" day TEXT NOT NULL,"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" debit INTEGER NOT NULL CHECK (typeof(debit) = 'integer'),"
	" credit INTEGER NOT NULL CHECK (typeof(credit) = 'integer'),"
	" nlines INTEGER NOT NULL,"
	" PRIMARY KEY (org_id, day, account_id)) WITHOUT ROWID;"

	/* an integer sum that overflows turns real in SQLite: the CHECKs
	 * above then abort the insert instead of losing a cent */
	"CREATE TRIGGER lines_totals AFTER INSERT ON lines BEGIN"
	" INSERT INTO account_totals"
	"  (account_id, org_id, debit, credit, nlines, last_date)"
	"  VALUES (NEW.account_id, NEW.org_id, max(NEW.amount, 0),"
	"   max(-NEW.amount, 0), 1, NEW.date)"
	"  ON CONFLICT (account_id) DO UPDATE SET"
	"   debit = debit + excluded.debit,"
	"   credit = credit + excluded.credit,"
	"   nlines = nlines + 1,"
	"   last_date = max(last_date, excluded.last_date);"
	" INSERT INTO account_month_totals"
	"  (org_id, month, account_id, debit, credit, nlines)"
	"  VALUES (NEW.org_id, substr(NEW.date, 1, 7), NEW.account_id,"
	"   max(NEW.amount, 0), max(-NEW.amount, 0), 1)"
	"  ON CONFLICT (org_id, month, account_id) DO UPDATE SET"
	"   debit = debit + excluded.debit,"
	"   credit = credit + excluded.credit,"
	"   nlines = nlines + 1;"
	" INSERT INTO account_day_totals"
	"  (org_id, day, account_id, debit, credit, nlines)"
	"  VALUES (NEW.org_id, NEW.date, NEW.account_id,"
	"   max(NEW.amount, 0), max(-NEW.amount, 0), 1)"
	"  ON CONFLICT (org_id, day, account_id) DO UPDATE SET"
	"   debit = debit + excluded.debit,"
	"   credit = credit + excluded.credit,"
	"   nlines = nlines + 1;"
	" END;"

	/* personal access tokens, stored only as SHA-256 hashes */
	"CREATE TABLE tokens ("
	" id INTEGER PRIMARY KEY,"
	" user_id INTEGER NOT NULL REFERENCES users(id),"
	" token_hash TEXT NOT NULL UNIQUE,"
	" label TEXT,"
	" access INTEGER NOT NULL CHECK (access IN (1, 2)),"
	" created_at TEXT NOT NULL,"
	" expires_at INTEGER,"
	" last_used_at TEXT,"
	" calls INTEGER NOT NULL DEFAULT 0,"
	" revoked_at TEXT);"
	"CREATE INDEX tokens_user ON tokens(user_id);"

	"CREATE TABLE token_orgs ("
	" token_id INTEGER NOT NULL REFERENCES tokens(id),"
	" org_id INTEGER NOT NULL REFERENCES orgs(id),"
	" PRIMARY KEY (token_id, org_id)) WITHOUT ROWID;"

	/* idempotency keys: one result per (org, key) */
	"CREATE TABLE idempotency ("
	" org_id INTEGER NOT NULL REFERENCES orgs(id),"
	" key TEXT NOT NULL,"
	" tool TEXT NOT NULL,"
	" args_digest TEXT NOT NULL,"
	" result TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" PRIMARY KEY (org_id, key)) WITHOUT ROWID;"

	/* the activity log, append-only */
	ACTIVITY_TABLE("activity",
		"outcome IN ('ok', 'error', 'denied', 'invalid')")
	ACTIVITY_INDEXES_AND_GUARDS;

/*
 * Version 2: what the reports need.  Closing entries (the year-end
 * entries that move income and expense balances into equity) count in
 * every balance but not in the profit and loss, which subtracts them
 * using their own small totals table.  The fiscal year's first day is
 * an organization setting, "MM-DD", the same every year.
 */
static const char core_v2[] =
	"ALTER TABLE entries ADD COLUMN closing INTEGER NOT NULL DEFAULT 0"
	" CHECK (closing IN (0, 1));"

	"ALTER TABLE orgs ADD COLUMN fiscal_year_start TEXT NOT NULL"
	" DEFAULT '01-01' CHECK (fiscal_year_start GLOB"
	" '[01][0-9]-[0-3][0-9]');"

	"CREATE TABLE account_closing_totals ("
	" org_id INTEGER NOT NULL,"
	" day TEXT NOT NULL,"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" debit INTEGER NOT NULL CHECK (typeof(debit) = 'integer'),"
	" credit INTEGER NOT NULL CHECK (typeof(credit) = 'integer'),"
	" nlines INTEGER NOT NULL,"
	" PRIMARY KEY (org_id, day, account_id)) WITHOUT ROWID;"

	"CREATE TRIGGER lines_closing_totals AFTER INSERT ON lines"
	" WHEN (SELECT closing FROM entries WHERE id = NEW.entry_id) = 1"
	" BEGIN"
	" INSERT INTO account_closing_totals"
	"  (org_id, day, account_id, debit, credit, nlines)"
	"  VALUES (NEW.org_id, NEW.date, NEW.account_id,"
	"   max(NEW.amount, 0), max(-NEW.amount, 0), 1)"
	"  ON CONFLICT (org_id, day, account_id) DO UPDATE SET"
	"   debit = debit + excluded.debit,"
	"   credit = credit + excluded.credit,"
	"   nlines = nlines + 1;"
	" END;";

/*
 * Version 3: web sign-in.  A session is known by the SHA-256 of its
 * cookie value only; expires_at is unix time.  Sign-in failures are
 * counted per key ("email:..." or "addr:...") for throttling.
 */
static const char core_v3[] =
	"CREATE TABLE web_sessions ("
	" id INTEGER PRIMARY KEY,"
	" token_hash TEXT NOT NULL UNIQUE,"
	" user_id INTEGER NOT NULL REFERENCES users(id),"
	" created_at TEXT NOT NULL,"
	" expires_at INTEGER NOT NULL);"
	"CREATE INDEX web_sessions_user ON web_sessions(user_id);"
	"CREATE INDEX web_sessions_expiry ON web_sessions(expires_at);"

	"CREATE TABLE login_failures ("
	" key TEXT NOT NULL,"
	" at INTEGER NOT NULL);"
	"CREATE INDEX login_failures_key ON login_failures(key, at);";

/*
 * Version 4: the OAuth authorization server (oauth.c).  Clients
 * register themselves; a consent makes a single-use code; redeeming it
 * makes a connection (client, user, organizations, access) whose access
 * tokens are rows of tokens bound to an audience and whose refresh
 * tokens rotate.  Secrets are stored only as SHA-256 hashes; times
 * compared with the clock are unix time, shown ones ISO 8601 text.
 */
static const char core_v4[] =
	"CREATE TABLE oauth_clients ("
	" id INTEGER PRIMARY KEY,"
	" client_id TEXT NOT NULL UNIQUE,"
	" secret_hash TEXT,"
	" auth_method INTEGER NOT NULL CHECK (auth_method BETWEEN 1 AND 3),"
	" name TEXT,"
	" metadata TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" issued_at INTEGER NOT NULL,"
	/* set by the first token: a client without one is swept away */
	" first_token_at TEXT);"
	"CREATE INDEX oauth_clients_unused ON oauth_clients(issued_at)"
	" WHERE first_token_at IS NULL;"

	"CREATE TABLE connections ("
	" id INTEGER PRIMARY KEY,"
	" client_id INTEGER NOT NULL REFERENCES oauth_clients(id),"
	" user_id INTEGER NOT NULL REFERENCES users(id),"
	" access INTEGER NOT NULL CHECK (access IN (1, 2)),"
	" resource TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" revoked_at TEXT);"
	"CREATE INDEX connections_user ON connections(user_id);"
	"CREATE INDEX connections_client ON connections(client_id);"

	"CREATE TABLE connection_orgs ("
	" connection_id INTEGER NOT NULL REFERENCES connections(id),"
	" org_id INTEGER NOT NULL REFERENCES orgs(id),"
	" PRIMARY KEY (connection_id, org_id)) WITHOUT ROWID;"
	"CREATE INDEX connection_orgs_org ON connection_orgs(org_id);"

	"CREATE TABLE oauth_codes ("
	" id INTEGER PRIMARY KEY,"
	" code_hash TEXT NOT NULL UNIQUE,"
	" client_id INTEGER NOT NULL REFERENCES oauth_clients(id),"
	" user_id INTEGER NOT NULL REFERENCES users(id),"
	" redirect_uri TEXT NOT NULL,"
	" code_challenge TEXT NOT NULL,"
	" resource TEXT NOT NULL,"
	" access INTEGER NOT NULL CHECK (access IN (1, 2)),"
	" orgs TEXT NOT NULL," /* JSON array of org ids */
	" expires_at INTEGER NOT NULL,"
	" used_at TEXT,"
	" connection_id INTEGER REFERENCES connections(id));"
	"CREATE INDEX oauth_codes_client ON oauth_codes(client_id);"
	"CREATE INDEX oauth_codes_expiry ON oauth_codes(expires_at);"

	"CREATE TABLE refresh_tokens ("
	" id INTEGER PRIMARY KEY,"
	" connection_id INTEGER NOT NULL REFERENCES connections(id),"
	" token_hash TEXT NOT NULL UNIQUE,"
	" created_at TEXT NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	/* set when a newer one replaced it, or its connection ended */
	" retired_at TEXT);"
	"CREATE INDEX refresh_tokens_connection"
	" ON refresh_tokens(connection_id);"
	"CREATE INDEX refresh_tokens_expiry ON refresh_tokens(expires_at);"

	"ALTER TABLE tokens ADD COLUMN connection_id INTEGER"
	" REFERENCES connections(id);"
	"ALTER TABLE tokens ADD COLUMN audience TEXT;"
	"CREATE INDEX tokens_connection ON tokens(connection_id)"
	" WHERE connection_id IS NOT NULL;";

/*
 * Version 5: one account's days, for the general ledger's balances
 * inside a month, read without passing over every other account's
 * rows of those days.  Only new (account, day) rows touch it.
 */
static const char core_v5[] =
	"CREATE INDEX account_day_totals_account"
	" ON account_day_totals(account_id, day);";

/*
 * Version 6: a counter that every change able to alter what a bearer
 * token resolves to bumps, so that lejrd may keep resolved tokens in
 * memory and still see a revocation on the very next request.  Only
 * the count of a token's uses (calls, last use) leaves it alone: an
 * update of tokens that changes calls is that count.
 */
#define AUTH_BUMP " BEGIN UPDATE auth_epoch SET n = n + 1; END;"
#define AUTH_BUMP_ON(table, ev) \
	"CREATE TRIGGER auth_epoch_" table "_" ev " AFTER " ev " ON " table \
	AUTH_BUMP

static const char core_v6[] =
	"CREATE TABLE auth_epoch ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" n INTEGER NOT NULL);"
	"INSERT INTO auth_epoch (id, n) VALUES (1, 0);"

	"CREATE TRIGGER auth_epoch_tokens_UPDATE AFTER UPDATE ON tokens"
	" WHEN NEW.calls IS OLD.calls" AUTH_BUMP
	AUTH_BUMP_ON("tokens", "DELETE")
	AUTH_BUMP_ON("token_orgs", "INSERT")
	AUTH_BUMP_ON("token_orgs", "UPDATE")
	AUTH_BUMP_ON("token_orgs", "DELETE")
	AUTH_BUMP_ON("members", "INSERT")
	AUTH_BUMP_ON("members", "UPDATE")
	AUTH_BUMP_ON("members", "DELETE")
	AUTH_BUMP_ON("users", "UPDATE")
	AUTH_BUMP_ON("users", "DELETE")
	AUTH_BUMP_ON("orgs", "UPDATE")
	AUTH_BUMP_ON("orgs", "DELETE")
	AUTH_BUMP_ON("connections", "UPDATE")
	AUTH_BUMP_ON("connections", "DELETE")
	AUTH_BUMP_ON("connection_orgs", "INSERT")
	AUTH_BUMP_ON("connection_orgs", "UPDATE")
	AUTH_BUMP_ON("connection_orgs", "DELETE");

/*
 * Version 7: a counter per organization that every change to its chart
 * of accounts bumps, so that a connection may keep the chart it read
 * and reuse it for as long as the counter, read in the same
 * transaction, has not moved.  Organizations whose accounts predate it
 * start at 1; one without a row has never had an account.
 */
#define CHART_BUMP(row) \
	" BEGIN INSERT INTO chart_epoch (org_id, n) VALUES (" row ".org_id," \
	" 1) ON CONFLICT (org_id) DO UPDATE SET n = n + 1; END;"

static const char core_v7[] =
	"CREATE TABLE chart_epoch ("
	" org_id INTEGER PRIMARY KEY REFERENCES orgs(id),"
	" n INTEGER NOT NULL);"
	"INSERT INTO chart_epoch (org_id, n)"
	" SELECT DISTINCT org_id, 1 FROM accounts;"
	"CREATE TRIGGER chart_epoch_insert AFTER INSERT ON accounts"
	CHART_BUMP("NEW")
	"CREATE TRIGGER chart_epoch_update AFTER UPDATE ON accounts"
	CHART_BUMP("NEW")
	"CREATE TRIGGER chart_epoch_delete AFTER DELETE ON accounts"
	CHART_BUMP("OLD");

/*
 * Version 8: totals per account and calendar year, and per account and
 * third of a month ("dekad": days 1-10, 11-20, 21 to the end, keyed
 * "YYYY-MM-1" to "YYYY-MM-3"), so that a balance or a period reads
 * whole years, months and dekads and at most a few days at its ends
 * (report-sums.c).  Filled from the month and day totals.
 */
#define DEKAD_OF(date) \
	" substr(" date ", 1, 8) || CASE WHEN substr(" date ", 9, 2) <= '10'" \
	" THEN '1' WHEN substr(" date ", 9, 2) <= '20' THEN '2' ELSE '3' END"

#define PERIOD_TOTALS(table, key) \
	"CREATE TABLE " table " (" \
	" org_id INTEGER NOT NULL," \
	" " key " TEXT NOT NULL," \
	" account_id INTEGER NOT NULL REFERENCES accounts(id)," \
	" debit INTEGER NOT NULL CHECK (typeof(debit) = 'integer')," \
	" credit INTEGER NOT NULL CHECK (typeof(credit) = 'integer')," \
	" nlines INTEGER NOT NULL," \
	" PRIMARY KEY (org_id, " key ", account_id)) WITHOUT ROWID;"

#define PERIOD_UPSERT(table, key, value) \
	" INSERT INTO " table " (org_id, " key ", account_id, debit, credit," \
	"  nlines)" \
	"  VALUES (NEW.org_id, " value ", NEW.account_id," \
	"   max(NEW.amount, 0), max(-NEW.amount, 0), 1)" \
	"  ON CONFLICT (org_id, " key ", account_id) DO UPDATE SET" \
	"   debit = debit + excluded.debit," \
	"   credit = credit + excluded.credit," \
	"   nlines = nlines + 1;"

static const char core_v8[] =
	PERIOD_TOTALS("account_year_totals", "year")
	PERIOD_TOTALS("account_dekad_totals", "dekad")
	"INSERT INTO account_year_totals"
	" (org_id, year, account_id, debit, credit, nlines)"
	" SELECT org_id, substr(month, 1, 4), account_id, sum(debit),"
	"  sum(credit), sum(nlines)"
	" FROM account_month_totals GROUP BY 1, 2, 3;"
	"INSERT INTO account_dekad_totals"
	" (org_id, dekad, account_id, debit, credit, nlines)"
	" SELECT org_id," DEKAD_OF("day") ", account_id, sum(debit),"
	"  sum(credit), sum(nlines)"
	" FROM account_day_totals GROUP BY 1, 2, 3;"
	"CREATE TRIGGER lines_period_totals AFTER INSERT ON lines BEGIN"
	PERIOD_UPSERT("account_year_totals", "year", "substr(NEW.date, 1, 4)")
	PERIOD_UPSERT("account_dekad_totals", "dekad", DEKAD_OF("NEW.date"))
	" END;";

/*
 * Version 9: the activity log's outcome check as comparisons.  SQLite
 * checks "x IN (four values)" by building a temporary index of the
 * values on every row it inserts, which made writing a record cost
 * three times what it needs; "x = a OR x = b ..." refuses the same
 * rows.  A CHECK is part of the table, so the table is made anew,
 * with its rows, ids, indexes and triggers.
 */
static const char core_v9[] =
	ACTIVITY_TABLE("activity_v9",
		"outcome = 'ok' OR outcome = 'error' OR"
		" outcome = 'denied' OR outcome = 'invalid'")
	"INSERT INTO activity_v9 (id, org_id, at, user_id, token_id, tool,"
	" args_digest, outcome, message, entries, duration_us)"
	" SELECT id, org_id, at, user_id, token_id, tool, args_digest,"
	"  outcome, message, entries, duration_us FROM activity;"
	/* dropping a table drops its triggers first, so its rows go
	 * without the DELETE that activity_no_delete refuses */
	"DROP TABLE activity;"
	"ALTER TABLE activity_v9 RENAME TO activity;"
	ACTIVITY_INDEXES_AND_GUARDS;

/*
 * Version 10: each organization's debits and credits over all its
 * lines.  An account's totals fit in 64 bits (posting sees to it), but
 * a report adds up many accounts: bounding the organization's own
 * totals bounds every report figure, so that no posting can leave its
 * reports unable to add up.  Filled from the accounts' totals, summed
 * exactly where their floating-point total() is under 9.2e18, far
 * from 2^63 - 1 (9.223e18) for its rounding; an organization at or
 * past that is set at the limit, which refuses its further postings
 * rather than the migration.
 */
#define ORG_SUM(col) \
	" CASE WHEN total(" col ") < 9.2e18 THEN (SELECT sum(" col ")" \
	"  FROM account_totals s WHERE s.org_id = t.org_id)" \
	"  ELSE 9223372036854775807 END"

static const char core_v10[] =
	"CREATE TABLE org_totals ("
	" org_id INTEGER PRIMARY KEY REFERENCES orgs(id),"
	" debit INTEGER NOT NULL CHECK (typeof(debit) = 'integer'),"
	" credit INTEGER NOT NULL CHECK (typeof(credit) = 'integer'));"
	"INSERT INTO org_totals (org_id, debit, credit)"
	" SELECT org_id," ORG_SUM("debit") "," ORG_SUM("credit")
	" FROM account_totals t GROUP BY org_id;"
	"CREATE TRIGGER lines_org_totals AFTER INSERT ON lines BEGIN"
	" INSERT INTO org_totals (org_id, debit, credit)"
	"  VALUES (NEW.org_id, max(NEW.amount, 0), max(-NEW.amount, 0))"
	"  ON CONFLICT (org_id) DO UPDATE SET"
	"   debit = debit + excluded.debit,"
	"   credit = credit + excluded.credit;"
	" END;";

const struct ledger_migration ledger_core_migrations[] = {
	{ 1, core_v1 },
	{ 2, core_v2 },
	{ 3, core_v3 },
	{ 4, core_v4 },
	{ 5, core_v5 },
	{ 6, core_v6 },
	{ 7, core_v7 },
	{ 8, core_v8 },
	{ 9, core_v9 },
	{ 10, core_v10 },
};

const size_t ledger_core_nmigrations =
	sizeof(ledger_core_migrations) / sizeof(ledger_core_migrations[0]);

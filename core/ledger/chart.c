/*
 * chart.c - the standard chart of accounts for a small business.
 *
 * Four-digit codes, grouped by the first digit: 1 assets, 2 liabilities,
 * 3 equity, 4 income, 5 cost of sales, 6-7 expenses.  Flat (no
 * parents), so that every account can take postings.
 */
#include "ledger-private.h"

struct chart_account {
	const char *code;
	const char *name;
	enum lejr_account_type type;
};

static const struct chart_account standard_chart[] = {
	{ "1000", "Cash", LEJR_ASSET },
	{ "1100", "Bank", LEJR_ASSET },
	{ "1200", "Accounts receivable", LEJR_ASSET },
	{ "1300", "Inventory", LEJR_ASSET },
	{ "1400", "Prepaid expenses", LEJR_ASSET },
	{ "1500", "VAT / sales tax receivable", LEJR_ASSET },
	{ "1600", "Equipment", LEJR_ASSET },
	{ "1610", "Accumulated depreciation", LEJR_ASSET },

	{ "2000", "Accounts payable", LEJR_LIABILITY },
	{ "2100", "VAT / sales tax payable", LEJR_LIABILITY },
	{ "2200", "Salaries payable", LEJR_LIABILITY },
	{ "2300", "Accrued expenses", LEJR_LIABILITY },
	{ "2400", "Credit card", LEJR_LIABILITY },
	{ "2500", "Loans", LEJR_LIABILITY },

	{ "3000", "Owner's capital", LEJR_EQUITY },
	{ "3100", "Retained earnings", LEJR_EQUITY },
	{ "3200", "Owner's drawings", LEJR_EQUITY },

	{ "4000", "Sales", LEJR_INCOME },
	{ "4100", "Service revenue", LEJR_INCOME },
	{ "4800", "Interest income", LEJR_INCOME },
	{ "4900", "Other income", LEJR_INCOME },

	{ "5000", "Cost of goods sold", LEJR_EXPENSE },

	{ "6000", "Rent", LEJR_EXPENSE },
	{ "6100", "Salaries and wages", LEJR_EXPENSE },
	{ "6200", "Utilities", LEJR_EXPENSE },
	{ "6300", "Office supplies", LEJR_EXPENSE },
	{ "6400", "Travel", LEJR_EXPENSE },
	{ "6500", "Bank fees", LEJR_EXPENSE },
	{ "6600", "Software and subscriptions", LEJR_EXPENSE },
	{ "6700", "Marketing and advertising", LEJR_EXPENSE },
	{ "6800", "Insurance", LEJR_EXPENSE },
	{ "6900", "Professional fees", LEJR_EXPENSE },
	{ "7000", "Depreciation", LEJR_EXPENSE },
	{ "7100", "Interest expense", LEJR_EXPENSE },
	{ "7900", "Other expenses", LEJR_EXPENSE },
};

int
ledger_chart_seed(sqlite3 *db, int64_t org, struct lejr_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	rc = ledger_org_exists(db, org, err);
	if (rc != LEJR_OK)
		return rc;

	/* Codes the org already has are left alone: seeding twice, or
	 * after adding accounts by hand, only fills the gaps. */
	rc = ledger_prepare(db, "INSERT INTO accounts (org_id, code, name, "
			    "type, created_at) VALUES (?, ?, ?, ?, "
			    LEDGER_NOW_SQL ") ON CONFLICT (org_id, code) "
			    "DO NOTHING", &st, err);
	if (rc != LEJR_OK)
		return rc;

	for (i = 0; i < sizeof(standard_chart) / sizeof(*standard_chart);
	     i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, org);
		ledger_bind_text(st, 2, standard_chart[i].code);
		ledger_bind_text(st, 3, standard_chart[i].name);
		sqlite3_bind_int(st, 4, standard_chart[i].type);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = ledger_db_error(db, "seeding the chart", err);
			break;
		}
	}

	ledger_finalize(db, st);
	return rc;
}

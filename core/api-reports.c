/*
 * api-reports.c - struct lejr_api's members of ABI 1.1: closing
 * entries and the financial reports, over the call's connection and
 * organization.
 */
#include <stddef.h>

#include "api-reports.h"
#include "runtime-internal.h"

int
lejr_api_post_entry_ex(struct lejr_call *call,
		       const struct lejr_entry_spec *spec, unsigned flags,
		       int64_t *id)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int64_t new_id = 0;
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (lejr_api_read_only(call, "post_entry_ex"))
		return call->status;
	if (spec == NULL)
		return lejr_api_missing(call, "post_entry_ex");

	ledger_sandbox_core(1);
	rc = ledger_entry_post_ex(call->db, org, call->principal->user_id,
				  spec, flags, &new_id, &err);
	ledger_sandbox_core(0);
	if (rc != LEJR_OK)
		return lejr_call_set_error(call, rc, &err);
	if (id != NULL)
		*id = new_id;
	return lejr_call_note_entry(call, new_id);
}

int
lejr_api_balance_sheet(struct lejr_call *call, const char *date,
		       json_t **out)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (out == NULL)
		return lejr_api_missing(call, "balance_sheet");
	ledger_sandbox_core(1);
	rc = ledger_balance_sheet(call->db, org, date, out, &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

int
lejr_api_profit_and_loss(struct lejr_call *call, const char *from,
			 const char *to, const char *columns, json_t **out)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (out == NULL)
		return lejr_api_missing(call, "profit_and_loss");
	ledger_sandbox_core(1);
	rc = ledger_profit_and_loss(call->db, org, from, to, columns, out,
				    &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

int
lejr_api_general_ledger(struct lejr_call *call, const char *code,
			const char *from, const char *to, const char *cursor,
			int limit, json_t **out)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (code == NULL || out == NULL)
		return lejr_api_missing(call, "general_ledger");
	ledger_sandbox_core(1);
	rc = ledger_general_ledger(call->db, org, code, from, to, cursor,
				   limit, out, &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

int
lejr_api_account_report(struct lejr_call *call, const char *code,
			const char *date, json_t **out)
{
	const struct lejr_org *org = lejr_api_org(call);
	struct lejr_error err = { 0 };
	int rc;

	if (org == NULL)
		return lejr_api_status(call);
	if (code == NULL || out == NULL)
		return lejr_api_missing(call, "account_report");
	ledger_sandbox_core(1);
	rc = ledger_account_report(call->db, org, code, date, out, &err);
	ledger_sandbox_core(0);
	return lejr_call_set_error(call, rc, &err);
}

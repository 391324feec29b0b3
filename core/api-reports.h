/*
 * api-reports.h - the members of struct lejr_api added in ABI 1.1:
 * posting with flags (closing entries) and the financial reports.  They
 * live apart from api.c and join its table through LEJR_API_REPORTS.
 */
#ifndef LEJR_API_REPORTS_H
#define LEJR_API_REPORTS_H

#include <lejr/plugin.h>

/* A member ("api->fail") called with no call (NULL), a plugin bug:
 * logged with the running plugin's name; returns LEJR_EINTERNAL.
 * Every member that takes the call checks it, so that such a plugin
 * fails its own calls and the server goes on. */
int lejr_api_no_call(const char *member);

/* The call's status, LEJR_EINTERNAL without a call. */
int lejr_api_status(const struct lejr_call *call);

/* The organization a ledger wrapper acts on, or NULL after failing the
 * call (a tool acting on no organization used the ledger: a plugin
 * bug), or without a call.  Shared by api.c and api-reports.c. */
const struct lejr_org *lejr_api_org(struct lejr_call *call);

/* Is the call's tool one that reads only (or no tool: a resource or a
 * prompt)?  Then the ledger member what, which writes, fails the call
 * (a plugin bug) and this returns 1. */
int lejr_api_read_only(struct lejr_call *call, const char *what);

/* Fail the call for a NULL required argument of the API member what. */
int lejr_api_missing(struct lejr_call *call, const char *what);

/* Each wraps the ledger function of the same name (ledger-internal.h)
 * with the call's connection, organization and user; failures are
 * described on the call. */
int lejr_api_post_entry_ex(struct lejr_call *call,
			   const struct lejr_entry_spec *spec,
			   unsigned flags, int64_t *id);
int lejr_api_balance_sheet(struct lejr_call *call, const char *date,
			   json_t **out);
int lejr_api_profit_and_loss(struct lejr_call *call, const char *from,
			     const char *to, const char *columns,
			     json_t **out);
int lejr_api_general_ledger(struct lejr_call *call, const char *code,
			    const char *from, const char *to,
			    const char *cursor, int limit, json_t **out);
int lejr_api_account_report(struct lejr_call *call, const char *code,
			    const char *date, json_t **out);

/* The designated initializers of those members, for lejr_api_table. */
#define LEJR_API_REPORTS \
	.post_entry_ex = lejr_api_post_entry_ex, \
	.balance_sheet = lejr_api_balance_sheet, \
	.profit_and_loss = lejr_api_profit_and_loss, \
	.general_ledger = lejr_api_general_ledger, \
	.account_report = lejr_api_account_report

#endif /* LEJR_API_REPORTS_H */

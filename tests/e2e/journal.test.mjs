// The main job, end to end: an assistant connected through the official
// MCP SDK keeps a small business's books for a month, fixes a mistake
// with a reversal, and reads a trial balance that must agree to the cent
// with an independent sum of what it posted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Lejr } from './lib/server.mjs';
import { connect, call, cents, money } from './lib/client.mjs';

const CHART = [
  ['1000', 'Cash', 'asset'],
  ['1100', 'Bank', 'asset'],
  ['1200', 'Accounts receivable', 'asset'],
  ['1300', 'Inventory', 'asset'],
  ['1400', 'Input VAT', 'asset'],
  ['2000', 'Accounts payable', 'liability'],
  ['2100', 'Output VAT', 'liability'],
  ['3000', "Owner's capital", 'equity'],
  ['4000', 'Sales', 'income'],
  ['5000', 'Cost of goods sold', 'expense'],
  ['6000', 'Rent', 'expense'],
  ['6100', 'Salaries', 'expense'],
  ['6200', 'Utilities', 'expense'],
  ['6300', 'Office supplies', 'expense'],
  ['6400', 'Travel', 'expense'],
  ['6500', 'Bank fees', 'expense'],
  ['6600', 'Software', 'expense'],
  ['7000', 'Interest', 'expense'],
];

// [date, memo, reference, [[account, debit, credit], ...]]
const MARCH = [
  ['2026-03-01', 'Owner contributes capital', 'CAP-1',
    [['1100', '20000.00'], ['3000', null, '20000.00']]],
  ['2026-03-02', 'March rent', 'RENT-03',
    [['6000', '1850.00'], ['1100', null, '1850.00']]],
  ['2026-03-03', 'Stock purchase from Nordlys Supply', 'PO-1001',
    [['1300', '4200.00'], ['1400', '798.00'], ['2000', null, '4998.00']]],
  ['2026-03-05', 'Invoice 2026-001 to Café Müller', 'INV-2026-001',
    [['1200', '3570.00'], ['4000', null, '3000.00'],
      ['2100', null, '570.00']]],
  ['2026-03-06', 'Cost of goods sold for INV-2026-001', 'INV-2026-001',
    [['5000', '1680.00'], ['1300', null, '1680.00']]],
  ['2026-03-08', 'Printer paper and toner', 'CARD-0308',
    [['6300', '70.00'], ['1400', '13.30'], ['1100', null, '83.30']]],
  ['2026-03-10', 'Café Müller pays INV-2026-001', 'INV-2026-001',
    [['1100', '3570.00'], ['1200', null, '3570.00']]],
  ['2026-03-12', 'Pay Nordlys Supply PO-1001', 'PO-1001',
    [['2000', '4998.00'], ['1100', null, '4998.00']]],
  ['2026-03-15', 'Account fee', 'BANK-0315',
    [['6500', '12.50'], ['1100', null, '12.50']]],
  ['2026-03-18', 'Counter sale', 'TILL-0318',
    [['1000', '595.00'], ['4000', null, '500.00'], ['2100', null, '95.00']]],
  ['2026-03-20', 'Accounting software, March', 'SUB-0320',
    [['6600', '42.01'], ['1400', '7.98'], ['1100', null, '49.99']]],
  ['2026-03-25', 'March salaries', 'PAY-03',
    [['6100', '3200.00'], ['1100', null, '3200.00']]],
  ['2026-03-28', 'Electricity, March', 'UTIL-03',
    [['6200', '180.00'], ['1400', '34.20'], ['2000', null, '214.20']]],
  ['2026-03-31', 'Loan interest, March', 'LOAN-03',
    [['7000', '37.45'], ['1100', null, '37.45']]],
];

const MISTAKE = ['2026-03-21', 'Train to trade fair', 'TRV-0321',
  [['6400', '840.00'], ['1100', null, '840.00']]];
const CORRECT = ['2026-03-21', 'Train to trade fair (corrected)', 'TRV-0321',
  [['6400', '480.00'], ['1100', null, '480.00']]];

function entryArgs([date, memo, reference, lines], org) {
  const a = {
    date, memo, reference,
    lines: lines.map(([account, debit, credit]) =>
      debit ? { account, debit } : { account, credit }),
  };
  if (org) a.organization = org;
  return a;
}

let lejr;
let tokens;

before(async () => {
  lejr = new Lejr();
  lejr.ctl('org', 'create', 'nordic', 'Nordic Goods AB', 'EUR', '--empty');
  lejr.ctl('org', 'create', 'harbor', 'Harbor Café Ltd', 'EUR');
  lejr.ctl('user', 'create', 'ana@nordic.example', 'Ana Berg');
  lejr.ctl('user', 'create', 'vic@nordic.example', 'Vic Viewer');
  lejr.ctl('member', 'set', 'nordic', 'ana@nordic.example', 'accountant');
  lejr.ctl('member', 'set', 'harbor', 'ana@nordic.example', 'owner');
  lejr.ctl('member', 'set', 'nordic', 'vic@nordic.example', 'viewer');
  tokens = {
    ana: lejr.token('ana@nordic.example', ['nordic']),
    anaBoth: lejr.token('ana@nordic.example', ['nordic', 'harbor']),
    anaRead: lejr.token('ana@nordic.example', ['nordic'], 'read'),
    vic: lejr.token('vic@nordic.example', ['nordic']),
  };
  await lejr.start();
});

after(async () => {
  await lejr?.stop();
  lejr?.cleanup();
});

test('an assistant keeps a month of books and the trial balance agrees',
  async () => {
    const c = await connect(lejr.url, tokens.ana);
    const { tools } = await c.listTools();
    const names = tools.map((t) => t.name);
    for (const n of ['list_accounts', 'create_account', 'archive_account',
      'post_journal_entry', 'get_journal_entry', 'list_journal_entries',
      'reverse_journal_entry', 'trial_balance', 'list_organizations',
      'activity'])
      assert.ok(names.includes(n), `tool ${n} listed`);
    const post = tools.find((t) => t.name === 'post_journal_entry');
    assert.equal(post.annotations.readOnlyHint, false);
    assert.ok(post.outputSchema, 'post_journal_entry has an output schema');
    const tb = tools.find((t) => t.name === 'trial_balance');
    assert.equal(tb.annotations.readOnlyHint, true);

    for (const [code, name, type] of CHART) {
      const r = await call(c, 'create_account', { code, name, type });
      assert.equal(r.isError, false, r.text);
    }

    const expected = new Map();
    const book = (lines, sign = 1n) => {
      for (const [acct, debit, credit] of lines) {
        const v = debit ? cents(debit) : -cents(credit);
        expected.set(acct, (expected.get(acct) ?? 0n) + sign * v);
      }
    };

    for (const e of MARCH) {
      const r = await call(c, 'post_journal_entry', entryArgs(e));
      assert.equal(r.isError, false, `${e[1]}: ${r.text}`);
      assert.ok(r.data.entry.id > 0);
      book(e[3]);
    }

    const wrong = await call(c, 'post_journal_entry', entryArgs(MISTAKE));
    assert.equal(wrong.isError, false, wrong.text);
    const rev = await call(c, 'reverse_journal_entry',
      { id: wrong.data.entry.id, memo: 'Wrong amount: 840 instead of 480' });
    assert.equal(rev.isError, false, rev.text);
    const again = await call(c, 'reverse_journal_entry',
      { id: wrong.data.entry.id });
    assert.equal(again.isError, true, 'an entry is reversed only once');
    const fixed = await call(c, 'post_journal_entry', entryArgs(CORRECT));
    assert.equal(fixed.isError, false, fixed.text);
    book(CORRECT[3]);

    const got = await call(c, 'get_journal_entry', { id: wrong.data.entry.id });
    assert.equal(got.isError, false, got.text);
    assert.equal(got.data.entry.memo, 'Train to trade fair');

    const res = await call(c, 'trial_balance', { as_of: '2026-03-31' });
    assert.equal(res.isError, false, res.text);
    const t = res.data;
    assert.equal(t.balanced, true);
    assert.equal(t.total_debit, t.total_credit);
    let debit = 0n;
    for (const [acct, v] of expected) {
      const row = t.accounts.find((a) => a.code === acct);
      if (v === 0n && !row) continue;
      assert.ok(row, `account ${acct} in the trial balance`);
      assert.equal(BigInt(row.balance_minor), v, `balance of ${acct}`);
      assert.equal(row.debit, money(v > 0n ? v : 0n));
      assert.equal(row.credit, money(v < 0n ? -v : 0n));
      if (v > 0n) debit += v;
    }
    assert.equal(t.total_debit, money(debit));
    // Bank: 20000 - 1850 - 83.30 + 3570 - 4998 - 12.50 - 49.99 - 3200
    //       - 37.45 - 480 = 12858.76
    assert.equal(expected.get('1100'), 1285876n);

    const early = await call(c, 'trial_balance', { as_of: '2026-03-05' });
    const bank = early.data.accounts.find((a) => a.code === '1100');
    assert.equal(bank.balance_minor, 2000000 - 185000);

    const list = await call(c, 'list_journal_entries',
      { from: '2026-03-10', to: '2026-03-12' });
    assert.equal(list.isError, false, list.text);
    assert.deepEqual(list.data.entries.map((e) => e.reference),
      ['INV-2026-001', 'PO-1001']);
    const byText = await call(c, 'list_journal_entries', { text: 'Müller' });
    assert.equal(byText.data.entries.length, 2);

    await c.close();
  });

test('a token reaching two organizations must name one', async () => {
  const c = await connect(lejr.url, tokens.anaBoth);
  const before = await call(c, 'trial_balance', { organization: 'harbor' });
  assert.equal(before.isError, false, before.text);

  const r = await call(c, 'post_journal_entry', entryArgs(MARCH[0]));
  assert.equal(r.isError, true);
  assert.match(r.text, /nordic/);
  assert.match(r.text, /harbor/);

  for (const org of ['nordic', 'harbor']) {
    const l = await call(c, 'list_journal_entries',
      { organization: org, from: '2026-03-01', to: '2026-03-01' });
    assert.equal(l.isError, false, l.text);
    const n = org === 'nordic' ? 1 : 0;
    assert.equal(l.data.entries.length, n, `nothing posted to ${org}`);
  }
  const after = await call(c, 'trial_balance', { organization: 'harbor' });
  assert.deepEqual(after.data, before.data);

  const orgs = await call(c, 'list_organizations');
  assert.equal(orgs.isError, false, orgs.text);
  assert.deepEqual(orgs.data.organizations.map((o) => o.slug).sort(),
    ['harbor', 'nordic']);

  const other = await call(c, 'trial_balance', { organization: 'elsewhere' });
  assert.equal(other.isError, true);
  await c.close();
});

test('viewers and read-only tokens cannot write', async () => {
  for (const [tok, word] of [[tokens.vic, /viewer/], [tokens.anaRead, /read/]]) {
    const c = await connect(lejr.url, tok);
    const r = await call(c, 'post_journal_entry', entryArgs(MARCH[1]));
    assert.equal(r.isError, true);
    assert.match(r.text, word);
    const tb = await call(c, 'trial_balance', {});
    assert.equal(tb.isError, false, tb.text);
    await c.close();
  }
});

test('the activity log shows every call', async () => {
  const c = await connect(lejr.url, tokens.ana);
  const seen = [];
  let cursor;
  do {
    const r = await call(c, 'activity', cursor ? { cursor } : {});
    assert.equal(r.isError, false, r.text);
    seen.push(...r.data.records);
    cursor = r.data.next_cursor;
  } while (cursor);
  const tools = seen.map((r) => r.tool);
  // 18 accounts, 14 + 2 entries posted, 2 reversal attempts, and the
  // viewer's refused post are all there.
  assert.equal(tools.filter((t) => t === 'create_account').length, 18);
  const refused = seen.filter((r) => r.outcome !== 'ok');
  assert.ok(refused.some((r) => r.tool === 'reverse_journal_entry'));
  assert.ok(refused.some((r) => r.tool === 'post_journal_entry'));
  const posted = seen.filter((r) => r.tool === 'post_journal_entry' &&
    r.outcome === 'ok');
  assert.equal(posted.length, 16);
  for (const r of posted) assert.equal(r.entries.length, 1);
  for (const r of seen) {
    assert.ok(r.time && r.user && r.args_digest && r.duration_us >= 0,
      JSON.stringify(r));
  }
  await c.close();
});

test('refusals quoting cut text stay readable tool errors', async () => {
  // The message quotes at most 40 bytes of the amount, which here ends
  // inside the 'é': it must still be a tool error, not a JSON-RPC one.
  const c = await connect(lejr.url, tokens.ana);
  const r = await call(c, 'post_journal_entry', {
    date: '2026-03-31', memo: 'signed amount',
    lines: [{ account: '1000', debit: '1.00' },
      { account: '4000', credit: `+${'a'.repeat(38)}é` }],
  });
  assert.equal(r.isError, true, r.text);
  assert.match(r.text, /lines\[1\]\.credit: "\+a{38}\?" has a sign/);
  await c.close();
});

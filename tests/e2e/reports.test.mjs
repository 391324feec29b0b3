// Replay case C21 (balance sheet and trial balance across a year end)
// through the MCP SDK client against a real lejrd loading journal and
// reports: closing entries stay out of the profit and loss, the balance
// sheet balances before and after the books are closed, and nothing
// counts twice.  Also the fiscal year setting of lejrctl and the
// general ledger's pages.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Lejr } from './lib/server.mjs';
import { connect, call } from './lib/client.mjs';

let lejr;
let c;
let scope = {}; // arguments every call below adds, e.g. the organization

const line = (account, side, amount) => ({ account, [side]: amount });

async function ok(name, args) {
  const r = await call(c, name, { ...scope, ...args });
  assert.equal(r.isError, false, `${name}: ${r.text}`);
  assert.ok(r.data, `${name} has structured content`);
  assert.ok(r.text.length > 0, `${name} has a text table`);
  return r;
}

async function post(date, lines, extra = {}) {
  return ok('post_journal_entry', { date, memo: `C21 ${date}`, lines,
    ...extra });
}

// A balance sheet line: an account by code, or a computed line.
function bsLine(bs, section, key) {
  const row = bs[section].rows.find((r) => r.code === key || r.line === key);
  return row ? row.amount_minor : 0;
}

async function sheet(date, { assets, capital, re, prior, current }) {
  const { data: bs, text } = await ok('balance_sheet', { as_of: date });
  assert.equal(bs.assets.total_minor, assets, `${date} assets`);
  assert.equal(bsLine(bs, 'equity', '3000'), capital, `${date} capital`);
  assert.equal(bsLine(bs, 'equity', '3100'), re, `${date} RE account`);
  assert.equal(bsLine(bs, 'equity', 'retained_earnings_prior'), prior,
    `${date} retained (prior years)`);
  assert.equal(bsLine(bs, 'equity', 'current_year_earnings'), current,
    `${date} current-year earnings`);
  assert.equal(bs.total_liabilities_and_equity_minor, assets,
    `${date}: assets = liabilities + equity`);
  assert.deepEqual(bs.checks, { balanced: true,
    earnings_match_profit_and_loss: true });
  assert.match(text, /Current-year earnings/);
  assert.match(text, /Retained earnings \(prior years, unclosed\)/);
  return bs;
}

async function pl2024() {
  const { data: pl, text } = await ok('profit_and_loss',
    { from: '2024-01-01', to: '2024-12-31' });
  const amt = (section, code) =>
    pl[section].rows.find((r) => r.code === code)?.amounts[0];
  assert.equal(amt('income', '4000'), '500.00');
  assert.equal(amt('expenses', '6000'), '200.00');
  assert.equal(pl.net[0], '300.00');
  assert.match(text, /Net result/);
  return pl;
}

// Each account of the trial balance agrees with its general ledger and
// with the balance sheet.
async function trial(date, total, expect) {
  const { data: tb } = await ok('trial_balance', { as_of: date });
  assert.equal(tb.total_debit_minor, total, `${date} total debit`);
  assert.equal(tb.total_credit_minor, total, `${date} total credit`);
  assert.deepEqual(tb.checks, { balanced: true });
  const { data: bs } = await ok('balance_sheet', { as_of: date });
  for (const row of tb.accounts) {
    assert.equal(row.balance_minor, expect[row.code] ?? 0,
      `${date} ${row.code}`);
    const { data: gl } = await ok('general_ledger',
      { account: row.code, to: date });
    assert.equal(gl.closing_balance_minor, row.balance_minor);
    assert.equal(gl.lines.at(-1).balance_minor, row.balance_minor);
    const sign = { asset: 1, liability: -1, equity: -1 }[row.type];
    const section = { asset: 'assets', liability: 'liabilities',
      equity: 'equity' }[row.type];
    if (sign)
      assert.equal(sign * bsLine(bs, section, row.code), row.balance_minor,
        `${date} ${row.code} on the balance sheet`);
  }
}

before(async () => {
  lejr = new Lejr();
  lejr.ctl('org', 'create', 'c21', 'Year End Ltd', 'EUR', '--empty');
  lejr.ctl('org', 'create', 'april', 'April Ltd', 'EUR', '--empty');
  lejr.ctl('user', 'create', 'ann@c21.example', 'Ann');
  lejr.ctl('member', 'set', 'c21', 'ann@c21.example', 'accountant');
  lejr.ctl('member', 'set', 'april', 'ann@c21.example', 'accountant');
  await lejr.start();
  c = await connect(lejr.url, lejr.token('ann@c21.example',
    ['c21', 'april']));
  for (const org of ['c21', 'april'])
    for (const [code, name, type] of [['1000', 'Cash', 'asset'],
      ['3000', 'Owner capital', 'equity'],
      ['3100', 'Retained earnings', 'equity'], ['4000', 'Sales', 'income'],
      ['6000', 'Rent', 'expense']])
      await ok('create_account', { organization: org, code, name, type });
});

after(async () => {
  await c?.close();
  await lejr?.stop();
  lejr?.cleanup();
});

test('the report tools are listed, read-only, with output schemas',
  async () => {
    const { tools } = await c.listTools();
    for (const name of ['trial_balance', 'balance_sheet', 'profit_and_loss',
      'general_ledger', 'account_balance', 'assert_balance']) {
      const t = tools.find((x) => x.name === name);
      assert.ok(t, `${name} listed`);
      assert.equal(t.annotations.readOnlyHint, true, name);
      assert.ok(t.outputSchema?.properties?.checks, `${name} states checks`);
    }
  });

test('C21: balance sheet and trial balance across the year end',
  async () => {
    scope = { organization: 'c21' };
    const po = post;
    try {
      await po('2024-01-05', [line('1000', 'debit', '1000.00'),
        line('3000', 'credit', '1000.00')]);
      await po('2024-03-10', [line('1000', 'debit', '500.00'),
        line('4000', 'credit', '500.00')]);
      await po('2024-06-20', [line('6000', 'debit', '200.00'),
        line('1000', 'credit', '200.00')]);
      await po('2025-02-01', [line('1000', 'debit', '50.00'),
        line('4000', 'credit', '50.00')]);

      const bs = await sheet('2024-12-31', { assets: 130000,
        capital: 100000, re: 0, prior: 0, current: 30000 });
      await sheet('2025-01-01', { assets: 130000, capital: 100000, re: 0,
        prior: 30000, current: 0 });
      await sheet('2025-02-28', { assets: 135000, capital: 100000, re: 0,
        prior: 30000, current: 5000 });
      const pl = await pl2024();
      assert.equal(pl.net_minor[0], bs.current_year_earnings_minor,
        'the P&L 2024 equals the current-year earnings at 2024-12-31');
      await trial('2024-12-31', 150000, { 1000: 130000, 3000: -100000,
        4000: -50000, 6000: 20000 });
      await trial('2025-02-28', 155000, { 1000: 135000, 3000: -100000,
        4000: -55000, 6000: 20000 });

      const closing = await po('2024-12-31', [line('4000', 'debit', '500.00'),
        line('6000', 'credit', '200.00'), line('3100', 'credit', '300.00')],
      { kind: 'closing' });
      assert.equal(closing.data.entry.kind, 'closing');

      await sheet('2024-12-31', { assets: 130000, capital: 100000,
        re: 30000, prior: 0, current: 0 });
      await sheet('2025-01-01', { assets: 130000, capital: 100000,
        re: 30000, prior: 0, current: 0 });
      await sheet('2025-02-28', { assets: 135000, capital: 100000,
        re: 30000, prior: 0, current: 5000 });
      await pl2024();
      await trial('2024-12-31', 130000, { 1000: 130000, 3000: -100000,
        3100: -30000 });
      await trial('2025-02-28', 135000, { 1000: 135000, 3000: -100000,
        3100: -30000, 4000: -5000 });

      const a = await ok('assert_balance', { account: '3100',
        date: '2025-02-28', expected: '300.00', side: 'credit' });
      assert.equal(a.data.holds, true);
    } finally {
      scope = {};
    }
  });

test('closing entries are held to the fiscal year set with lejrctl',
  async () => {
    lejr.ctl('org', 'set', 'april', 'fiscal-year-start', '04-01');
    const org = { organization: 'april' };
    await post('2024-05-01', [line('1000', 'debit', '80.00'),
      line('4000', 'credit', '80.00')], org);

    const wrong = await call(c, 'post_journal_entry', { ...org,
      date: '2024-12-31', memo: 'close', kind: 'closing',
      lines: [line('4000', 'debit', '80.00'), line('3100', 'credit', '80.00')] });
    assert.equal(wrong.isError, true);
    assert.match(wrong.text, /2025-03-31/);

    const { data: bs } = await ok('balance_sheet', { ...org,
      as_of: '2025-04-01' });
    assert.equal(bs.fiscal_year.from, '2025-04-01');
    assert.equal(bsLine(bs, 'equity', 'retained_earnings_prior'), 8000);

    const { data: pl } = await ok('profit_and_loss', { ...org,
      from: '2024-04-01', to: '2025-03-31', columns: 'quarter' });
    assert.deepEqual(pl.columns.map((x) => x.label),
      ['Q1 2024/25', 'Q2 2024/25', 'Q3 2024/25', 'Q4 2024/25', 'Total']);
    assert.deepEqual(pl.net, ['80.00', '0.00', '0.00', '0.00', '80.00']);
  });

test('the general ledger pages by whole entries', async () => {
  const org = { organization: 'c21' };
  const seen = new Set();
  let cursor;
  let pages = 0;
  let last;
  do {
    const { data } = await ok('general_ledger', { ...org, account: '1000',
      limit: 1, ...(cursor ? { cursor } : {}) });
    const here = new Set(data.lines.map((l) => l.entry));
    for (const e of here) assert.ok(!seen.has(e), `entry ${e} split`);
    for (const e of here) seen.add(e);
    cursor = data.next_cursor;
    last = data;
    pages++;
  } while (cursor);
  assert.equal(pages, 4);
  assert.equal(last.page_closing_balance, last.closing_balance);
  assert.equal(last.closing_balance, '1350.00');
});

// Ledger replay cases (tests/REPLAY.md: C16, C17, C24) through the MCP
// SDK client: every rejected entry names its problem and changes nothing,
// money is exact, idempotent retries post once.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Lejr } from './lib/server.mjs';
import { connect, call, cents, money } from './lib/client.mjs';

let lejr;
let a;
let b;

const line = (account, side, amount) => ({ account, [side]: amount });
const entry = (lines, extra = {}) => ({ date: '2026-02-10',
  memo: 'replay', lines, ...extra });

async function tb(c, args = {}) {
  const r = await call(c, 'trial_balance', args);
  assert.equal(r.isError, false, r.text);
  return r.data;
}

function bal(t, code) {
  const row = t.accounts.find((x) => x.code === code);
  return row ? BigInt(row.balance_minor) : 0n;
}

before(async () => {
  lejr = new Lejr();
  for (const [slug, name] of [['orga', 'Org A'], ['orgb', 'Org B']]) {
    lejr.ctl('org', 'create', slug, name, 'EUR', '--empty');
    lejr.ctl('user', 'create', `ed@${slug}.example`, `Ed ${slug}`);
    lejr.ctl('member', 'set', slug, `ed@${slug}.example`, 'accountant');
  }
  lejr.ctl('org', 'create', 'kw', 'Kuwait Trading', 'KWD', '--empty');
  lejr.ctl('member', 'set', 'kw', 'ed@orga.example', 'accountant');
  await lejr.start();
  a = await connect(lejr.url, lejr.token('ed@orga.example', ['orga']));
  b = await connect(lejr.url, lejr.token('ed@orgb.example', ['orgb']));
  for (const c of [a, b]) {
    for (const [code, name, type] of [['1000', 'Cash', 'asset'],
      ['4000', 'Sales', 'income'], ['6300', 'Office', 'expense'],
      ['6400', 'Travel', 'expense'], ['9999', 'Secret B account',
        'expense'], ['1900', 'Old cash box', 'asset']]) {
      const r = await call(c, 'create_account', { code, name, type });
      assert.equal(r.isError, false, r.text);
    }
  }
  const arch = await call(a, 'archive_account', { code: '1900' });
  assert.equal(arch.isError, false, arch.text);
});

after(async () => {
  await a?.close();
  await b?.close();
  await lejr?.stop();
  lejr?.cleanup();
});

test('C16: unbalanced and malformed entries are refused, nothing kept',
  async () => {
    const before = await tb(a);
    const cases = [
      ['a', [line('1000', 'debit', '99.90'), line('4000', 'credit', '99.80')],
        /0\.10/],
      ['b', [line('1000', 'debit', '99.80'), line('4000', 'credit', '99.90')],
        /0\.10/],
      ['c', [line('1000', 'debit', '10.00')], /line/i],
      ['d', [line('1000', 'debit', '10.00'), line('6300', 'debit', '10.00')],
        /balance/i],
      ['e', [line('1000', 'debit', '0.00'), line('4000', 'credit', '0.00')],
        /zero|0\.00/i],
      ['f', [line('1000', 'debit', '10.005'),
        line('4000', 'credit', '10.005')], /decimal|precision/i],
      ['g', [line('1000', 'debit', '1e2'), line('4000', 'credit', '1e2')],
        /amount|debit/i],
      ['h', [line('1000', 'debit', 'NaN'), line('4000', 'credit', 'NaN')],
        /amount|debit/i],
      ['i', [line('1000', 'debit', '99999999999999999999.99'),
        line('4000', 'credit', '99999999999999999999.99')], /range|large/i],
      ['k1', [line('1000', 'debit', '5.00'), line('1900', 'credit', '5.00')],
        /1900/],
      ['k2', [line('1000', 'debit', '5.00'), line('7777', 'credit', '5.00')],
        /7777/],
    ];
    for (const [name, lines, re] of cases) {
      const r = await call(a, 'post_journal_entry', entry(lines));
      assert.equal(r.isError, true, `case ${name} refused`);
      assert.match(r.text, re, `case ${name}: ${r.text}`);
    }
    // (a) says which side is larger
    const ra = await call(a, 'post_journal_entry', entry(cases[0][1]));
    const rb = await call(a, 'post_journal_entry', entry(cases[1][1]));
    assert.notEqual(ra.text, rb.text);

    // (j): an account code that only ORG_B has text for is not revealed
    const j = await call(b, 'create_account', { code: '8888',
      name: 'Only in B', type: 'expense' });
    assert.equal(j.isError, false, j.text);
    const rj = await call(a, 'post_journal_entry', entry([
      line('1000', 'debit', '5.00'), line('8888', 'credit', '5.00')]));
    assert.equal(rj.isError, true);
    assert.doesNotMatch(rj.text, /Only in B/);

    assert.deepEqual(await tb(a), before);
  });

test('C17: exact money', async () => {
  const start = await tb(a);
  for (let i = 0; i < 1000; i++) {
    const r = await call(a, 'post_journal_entry', entry([
      line('6300', 'debit', '0.01'), line('1000', 'credit', '0.01')],
    { memo: `penny ${i}` }));
    assert.equal(r.isError, false, r.text);
  }
  const t = await tb(a);
  assert.equal(bal(t, '6300') - bal(start, '6300'), 1000n);
  assert.equal(bal(t, '1000') - bal(start, '1000'), -1000n);

  const split = await call(a, 'post_journal_entry', entry([
    line('6300', 'debit', '0.10'), line('6400', 'debit', '0.20'),
    line('1000', 'credit', '0.30')]));
  assert.equal(split.isError, false, split.text);

  const three = await call(a, 'post_journal_entry', entry([
    line('6300', 'debit', '33.33'), line('6300', 'debit', '33.33'),
    line('6400', 'debit', '33.34'), line('1000', 'credit', '100.00')]));
  assert.equal(three.isError, false, three.text);
  const thirds = await call(a, 'post_journal_entry', entry([
    line('6300', 'debit', '33.333'), line('6300', 'debit', '33.333'),
    line('6400', 'debit', '33.333'), line('1000', 'credit', '99.999')]));
  assert.equal(thirds.isError, true);

  // (d) 5,000 seeded amounts against an independent decimal sum
  let seed = 20260303;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed; };
  const before = await tb(b);
  let sum = 0n;
  const batch = [];
  for (let i = 0; i < 5000; i++) {
    const v = BigInt(rnd() % 1000000 + 1);
    sum += v;
    batch.push(money(v));
  }
  for (let i = 0; i < batch.length; i += 50) {
    const lines = batch.slice(i, i + 50).map((m) => line('6300', 'debit', m));
    const total = batch.slice(i, i + 50).reduce((s, m) => s + cents(m), 0n);
    lines.push(line('1000', 'credit', money(total)));
    const r = await call(b, 'post_journal_entry', entry(lines,
      { memo: `bulk ${i}` }));
    assert.equal(r.isError, false, r.text);
  }
  const after = await tb(b);
  assert.equal(bal(after, '6300') - bal(before, '6300'), sum);
  assert.equal(bal(after, '1000') - bal(before, '1000'), -sum);
  assert.equal(after.total_debit, after.total_credit);

  // Numbers that are exact at the currency's precision are accepted.
  const num = await call(a, 'post_journal_entry', entry([
    { account: '6300', debit: 12.5 }, { account: '1000', credit: 12.5 }]));
  assert.equal(num.isError, false, num.text);
});

test('C17: three-decimal currency', async () => {
  const c = await connect(lejr.url,
    lejr.token('ed@orga.example', ['kw']));
  for (const [code, name, type] of [['1000', 'Cash', 'asset'],
    ['4000', 'Sales', 'income']])
    await call(c, 'create_account', { code, name, type });
  const ok = await call(c, 'post_journal_entry', entry([
    line('1000', 'debit', '12.345'), line('4000', 'credit', '12.345')]));
  assert.equal(ok.isError, false, ok.text);
  const bad = await call(c, 'post_journal_entry', entry([
    line('1000', 'debit', '1.2345'), line('4000', 'credit', '1.2345')]));
  assert.equal(bad.isError, true);
  const t = await tb(c);
  assert.equal(t.currency, 'KWD');
  assert.equal(t.total_debit, '12.345');
  await c.close();
});

test('C24: idempotent retries', async () => {
  const before = await tb(a);
  const k1 = entry([line('6300', 'debit', '45.00'),
    line('1000', 'credit', '45.00')], { idempotency_key: 'K1' });
  const first = await call(a, 'post_journal_entry', k1);
  assert.equal(first.isError, false, first.text);
  const again = await call(a, 'post_journal_entry', k1);
  assert.equal(again.isError, false, again.text);
  assert.equal(again.data.entry.id, first.data.entry.id);

  const changed = await call(a, 'post_journal_entry', entry([
    line('6300', 'debit', '46.00'), line('1000', 'credit', '46.00')],
  { idempotency_key: 'K1' }));
  assert.equal(changed.isError, true);
  assert.match(changed.text, /idempotency/i);

  const bad = await call(a, 'post_journal_entry', entry([
    line('6300', 'debit', '5.00'), line('1000', 'credit', '4.00')],
  { idempotency_key: 'K2' }));
  assert.equal(bad.isError, true);
  const good = await call(a, 'post_journal_entry', entry([
    line('6300', 'debit', '5.00'), line('1000', 'credit', '5.00')],
  { idempotency_key: 'K2' }));
  assert.equal(good.isError, false, good.text);

  const inB = await call(b, 'post_journal_entry', k1);
  assert.equal(inB.isError, false, 'keys are scoped per organization');

  const k3 = entry([line('6400', 'debit', '7.00'),
    line('1000', 'credit', '7.00')], { idempotency_key: 'K3' });
  const [x, y] = await Promise.all([call(a, 'post_journal_entry', k3),
    call(a, 'post_journal_entry', k3)]);
  assert.equal(x.isError, false, x.text);
  assert.equal(y.isError, false, y.text);
  assert.equal(x.data.entry.id, y.data.entry.id);

  const t = await tb(a);
  assert.equal(bal(t, '6300') - bal(before, '6300'), 4500n + 500n);
  assert.equal(bal(t, '6400') - bal(before, '6400'), 700n);
});

test('lock date refuses postings on or before it', async () => {
  lejr.ctl('org', 'lock', 'orga', '2026-01-31');
  const on = await call(a, 'post_journal_entry', entry([
    line('6300', 'debit', '1.00'), line('1000', 'credit', '1.00')],
  { date: '2026-01-31' }));
  assert.equal(on.isError, true);
  assert.match(on.text, /lock/i);
  const after = await call(a, 'post_journal_entry', entry([
    line('6300', 'debit', '1.00'), line('1000', 'credit', '1.00')],
  { date: '2026-02-01' }));
  assert.equal(after.isError, false, after.text);
  lejr.ctl('org', 'lock', 'orga', 'none');
});

test('posted entries are immutable even from the sqlite3 shell', async () => {
  const { execFileSync } = await import('node:child_process');
  for (const sql of ['UPDATE entries SET memo = \'x\';',
    'DELETE FROM entries;', 'DELETE FROM lines;']) {
    let failed = false;
    try {
      execFileSync('sqlite3', [lejr.db, sql], { stdio: 'pipe' });
    } catch (e) {
      failed = true;
      assert.match(String(e.stderr), /immutable/i);
    }
    assert.ok(failed, `${sql} refused`);
  }
});

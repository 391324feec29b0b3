// The correctness oracle.  A randomized ledger, the same for a given
// seed, is posted through lejrd's MCP endpoint: many accounts of all
// five types with sub-accounts and awkward names, thousands of entries
// of 2 to 8 lines dated across two year ends, reversals of random
// earlier entries, an archived account, year-end closing entries.
// `lejrctl export --format hledger` writes it out and hledger 1.25 reads
// it back: every account's figure in our reports must equal hledger's
// to the cent, at every date and for every period asked: trial balances
// and account balances against `hledger bal`, balance sheets against
// `hledger bs` and `bse`, movements and profit and loss against
// `hledger is`, general ledgers against `hledger reg`.  A last test
// moves one cent in the exported journal and checks that the
// comparison names the two accounts.
//
// Environment: LEJR_ORACLE_SEED (default 20240229), LEJR_ORACLE_ENTRIES
// (default 2500), LEJR_ORACLE_KEEP (set: keep the database and the
// journals), LEJR_BUILD as for the other end-to-end tests.  Needs
// hledger and ledger on PATH (scripts/deps.sh test installs them).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lejr, build } from './lib/server.mjs';
import { connect, call, cents, money } from './lib/client.mjs';

const SEED = Number(process.env.LEJR_ORACLE_SEED ?? 20240229);
const ENTRIES = Number(process.env.LEJR_ORACLE_ENTRIES ?? 2500);
const FIRST = '2023-10-01';
const LAST = '2025-03-31';
const YEAR_ENDS = ['2023-12-31', '2024-01-01', '2024-12-31', '2025-01-01'];
// hledger reads UTF-8 only under a UTF-8 locale
const UTF8 = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

// ---- a seeded random source (mulberry32) ----

function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (xs) => xs[int(0, xs.length - 1)];
  return { next, int, pick };
}

// ---- dates ----

const DAY = 86400000;
const toDays = (d) => Date.parse(`${d}T00:00:00Z`) / DAY;
const fromDays = (n) => new Date(n * DAY).toISOString().slice(0, 10);
const addDays = (d, n) => fromDays(toDays(d) + n);

// ---- the chart: [code, name, type, parent code] ----

const AWKWARD = [
  'Cash: petty', 'Bank; main account', 'Sales   (EU)  ', ' Leading space',
  'Reisekosten – Bahn & Flug', 'Accrued "bonus" #7 @ 50% * 2 = 1',
  'Café Müller receivable', '[Suspense]', '(Clearing)', 'Equity | draws',
  'Name with ; semicolon and  double  spaces', 'Trailing space ',
  'Ünïcødé ☃ account', 'Tax = 19% @ source', 'a:b:c colons',
];
const TYPES = [
  ['asset', 1000, 14], ['liability', 2000, 8], ['equity', 3000, 6],
  ['income', 4000, 10], ['expense', 5000, 22],
];

function makeChart(r) {
  const chart = [];
  let awkward = 0;
  for (const [type, base, n] of TYPES) {
    const own = [];
    for (let i = 0; i < n; i++) {
      let code = String(base + 10 * i);
      let parent = null;
      // every fourth account hangs under an earlier one of its type
      if (i % 4 === 3) {
        parent = r.pick(own)[0];
        code = `${parent}.${i}`;
      } else if (i % 7 === 5) {
        code = `${code}-X`;
      }
      const name = i % 3 === 1 && awkward < AWKWARD.length
        ? AWKWARD[awkward++] : `${type} account ${i}`;
      const a = [code, name, type, parent];
      own.push(a);
      chart.push(a);
    }
  }
  return chart;
}

// ---- entries ----

const MEMOS = [
  'Invoice %; paid in part', 'first line\nsecond line', '  padded  memo  ',
  'pipe | note', 'Rechnung Nr. % – Müller GmbH', '(parenthesised) %',
  '* starred %', '! bang %', 'tag: lookalike, x: y', 'tab\tseparated %',
  'Plain entry %', 'Plain entry %', 'Plain entry %', 'Plain entry %',
];
const LINE_MEMOS = [null, null, null, null, 'line; with semicolon',
  'multi\nline\nmemo', 'tab\there', 'plain line memo'];
const BOUNDARY = [...YEAR_ENDS, '2024-02-29', FIRST, LAST];

function amount(r) {
  const u = r.next();
  if (u < 0.05) return r.int(1, 99);
  if (u < 0.75) return r.int(100, 100000);
  if (u < 0.99) return r.int(100000, 10000000);
  return r.int(10000000, 100000000000);
}

// n parts of at least 1 that add up to total (total >= n)
function split(r, total, n) {
  const parts = [];
  let left = total;
  for (let i = n; i > 1; i--) {
    const p = r.int(1, left - (i - 1));
    parts.push(p);
    left -= p;
  }
  parts.push(left);
  return parts;
}

function makeEntry(r, pool, k) {
  const nlines = r.int(2, 8);
  const ndebit = r.int(1, nlines - 1);
  const debits = Array.from({ length: ndebit }, () => amount(r));
  let total = debits.reduce((s, x) => s + x, 0);
  if (total < nlines - ndebit) {
    debits[0] += nlines - ndebit;
    total += nlines - ndebit;
  }
  const credits = split(r, total, nlines - ndebit);
  const lines = [
    ...debits.map((v) => [r.pick(pool), v]),
    ...credits.map((v) => [r.pick(pool), -v]),
  ].map(([account, v]) => ({ account, minor: v, memo: r.pick(LINE_MEMOS) }));
  const date = r.next() < 0.08 ? r.pick(BOUNDARY)
    : addDays(FIRST, r.int(0, toDays(LAST) - toDays(FIRST)));
  return {
    date,
    memo: r.pick(MEMOS).replace('%', String(k)),
    reference: r.next() < 0.3 ? `REF-${k}, part ${r.int(1, 9)}` : null,
    lines,
  };
}

function entryArgs(e, exp) {
  const a = {
    date: e.date, memo: e.memo,
    lines: e.lines.map((l) => {
      const side = l.minor > 0 ? 'debit' : 'credit';
      const o = { account: l.account };
      o[side] = money(BigInt(Math.abs(l.minor)), exp);
      if (l.memo) o.memo = l.memo;
      return o;
    }),
  };
  if (e.reference) a.reference = e.reference;
  return a;
}

async function must(c, name, args) {
  const r = await call(c, name, args);
  if (r.isError)
    throw new Error(`${name} ${JSON.stringify(args).slice(0, 400)}: ${r.text}`);
  return r.data;
}

// Post the chart and n random entries, with reversals of random earlier
// ones; returns what was posted.
async function populate(c, r, n, exp) {
  const chart = makeChart(r);
  for (const [code, name, type, parent] of chart) {
    const a = { code, name, type };
    if (parent) a.parent = parent;
    await must(c, 'create_account', a);
  }

  // an account used, brought back to zero and archived: its lines stay
  await must(c, 'create_account',
    { code: '5999', name: 'Old suspense', type: 'expense' });
  const cash = chart[0][0];
  for (const [date, v] of [['2025-02-01', 5000], ['2025-03-15', -5000]])
    await must(c, 'post_journal_entry', entryArgs({ date, memo: 'suspense',
      lines: [{ account: '5999', minor: v }, { account: cash, minor: -v }] },
    exp));
  await must(c, 'archive_account', { code: '5999' });

  const pool = chart.map((a) => a[0]);
  const open = [];
  let posted = 2;
  let reversals = 0;
  for (let k = 0; k < n; k++) {
    if (open.length > 10 && r.next() < 0.08) {
      const [id, date] = open.splice(r.int(0, open.length - 1), 1)[0];
      const args = { id };
      if (r.next() < 0.75) args.date = addDays(date, r.int(0, 90));
      if (r.next() < 0.5) args.memo = `Undo ${id}; wrong\nsee file`;
      await must(c, 'reverse_journal_entry', args);
      reversals++;
    } else {
      const e = makeEntry(r, pool, k);
      const d = await must(c, 'post_journal_entry', entryArgs(e, exp));
      open.push([d.entry.id, e.date]);
    }
    posted++;
  }

  // year-end closings: each income and expense balance into equity
  for (const year of [2023, 2024]) {
    const tb = await must(c, 'trial_balance', { as_of: `${year}-12-31` });
    const lines = tb.accounts.filter((a) => (a.type === 'income' ||
      a.type === 'expense') && a.balance_minor !== 0)
      .map((a) => ({ account: a.code, minor: -Number(a.balance_minor) }));
    const rest = lines.reduce((x, l) => x + l.minor, 0);
    if (rest !== 0) lines.push({ account: chart.find((a) =>
      a[2] === 'equity' && !a[3])[0], minor: -rest });
    const args = entryArgs({ date: `${year}-12-31`,
      memo: `Closing ${year}; result to equity`, lines }, exp);
    args.kind = 'closing';
    await must(c, 'post_journal_entry', args);
    posted++;
  }
  return { chart, pool: [...pool, '5999'], posted, reversals };
}

// ---- our figures ----

// {code: minor units (BigInt), debit positive} from a trial balance.
async function ourBalances(c, asOf, exp) {
  const tb = await must(c, 'trial_balance', asOf ? { as_of: asOf } : {});
  assert.equal(tb.total_debit, tb.total_credit, `trial balance ${asOf}`);
  const m = new Map();
  for (const a of tb.accounts) m.set(a.code, cents(a.balance, exp));
  return m;
}

// ---- hledger's figures ----

function hledger(journal, args) {
  const p = spawnSync('hledger', ['-f', journal, ...args],
    { env: UTF8, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (p.error)
    throw new Error(`cannot run hledger (scripts/deps.sh test installs ` +
      `it): ${p.error.message}`);
  if (p.status !== 0)
    throw new Error(`hledger ${args.join(' ')}: ${p.stderr}`);
  return p.stdout;
}

// JSON with every decimal mantissa kept exact (as a string).  Answers
// are kept: several tests ask the same question.
const hledgerSeen = new Map();
function hledgerJSON(journal, args) {
  const key = JSON.stringify([journal, ...args]);
  if (!hledgerSeen.has(key)) {
    const text = hledger(journal, [...args, '-O', 'json']);
    // (averages may come as 1.9e19: kept as text too, never used)
    hledgerSeen.set(key, text.replace(
      /"decimalMantissa":\s*(-?[0-9][0-9.eE+-]*)/g,
      '"decimalMantissa":"$1"'));
  }
  return JSON.parse(hledgerSeen.get(key));
}

// RFC 4180 CSV, as hledger writes it.
function parseCSV(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') {
      field += ch;
    }
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

// An hledger amount list in minor units; one commodity only.
function hlMinor(amounts, currency, exp) {
  let sum = 0n;
  for (const a of amounts) {
    assert.equal(a.acommodity, currency, 'one commodity');
    const q = a.aquantity;
    const places = BigInt(q.decimalPlaces);
    const m = BigInt(q.decimalMantissa);
    const e = BigInt(exp);
    if (places <= e) {
      sum += m * 10n ** (e - places);
    } else {
      const d = 10n ** (places - e);
      assert.equal(m % d, 0n, `${m}e-${places} is not whole minor units`);
      sum += m / d;
    }
  }
  return sum;
}

// "assets:1100 Bank:1110 Checking" -> "1110"
const codeOf = (name) => name.split(':').pop().split(' ')[0];

// {code: minor} from one `hledger bal --flat` report.
function hlBalances(journal, args, currency, exp) {
  const [rows] = hledgerJSON(journal, ['bal', '--flat', ...args]);
  const m = new Map();
  for (const [full, , , amounts] of rows)
    m.set(codeOf(full), hlMinor(amounts, currency, exp));
  return m;
}

// Sections of a compound report (bs, is): {title: {code: minor}}, in
// hledger's own signs, and the column dates.
function hlCompound(journal, args, currency, exp) {
  const j = hledgerJSON(journal, [...args, '--flat']);
  const sections = {};
  for (const [title, report] of j.cbrSubreports) {
    const cols = report.prDates.map(() => new Map());
    for (const row of report.prRows)
      row.prrAmounts.forEach((amounts, i) =>
        cols[i].set(codeOf(row.prrName), hlMinor(amounts, currency, exp)));
    sections[title] = cols;
  }
  const totals = j.cbrTotals.prrAmounts.map((amounts) =>
    hlMinor(amounts, currency, exp));
  return { dates: j.cbrDates, sections, totals };
}

// ---- comparing ----

// Every code of codes must have the same figure in both maps (absent
// is zero); returns the differences as text, empty when none.
function differences(what, ours, theirs, codes) {
  const out = [];
  for (const code of new Set([...codes, ...ours.keys(), ...theirs.keys()])) {
    const a = ours.get(code) ?? 0n;
    const b = theirs.get(code) ?? 0n;
    if (a !== b) out.push(`${what}: account ${code}: lejr ${a}, hledger ${b}`);
  }
  return out;
}

function agree(what, ours, theirs, codes) {
  const d = differences(what, ours, theirs, codes);
  assert.deepEqual(d, [], d.slice(0, 20).join('\n'));
}

const SECTION_TYPE = { Assets: 'asset', Liabilities: 'liability',
  Equity: 'equity', Revenues: 'income', Expenses: 'expense' };
// hledger shows these sections credit positive
const FLIPPED = new Set(['Liabilities', 'Equity', 'Revenues']);

// Our debit-positive figures of one type, as hledger shows that section.
function section(ours, chart, title) {
  const type = SECTION_TYPE[title];
  const sign = FLIPPED.has(title) ? -1n : 1n;
  const m = new Map();
  for (const [code, v] of ours)
    if (chart.get(code) === type) m.set(code, sign * v);
  return m;
}

// ---- the ledgers ----

const ORGS = [
  { slug: 'oracle', name: 'Oracle; Test: Ltd', currency: 'EUR', exp: 2,
    entries: ENTRIES, seed: SEED },
  { slug: 'yen', name: 'Oracle KK', currency: 'JPY', exp: 0,
    entries: 200, seed: SEED + 1 },
  { slug: 'fils', name: 'Oracle WLL', currency: 'KWD', exp: 3,
    entries: 200, seed: SEED + 2 },
];

let lejr;
const books = {};

function exportJournal(slug) {
  const path = join(lejr.dir, `${slug}.journal`);
  lejr.ctl('export', slug, '--format', 'hledger', '--output', path);
  return path;
}

before(async () => {
  lejr = new Lejr({ logLevel: 'warn', plugins: ['journal', 'reports'] });
  lejr.ctl('user', 'create', 'oracle@lejr.example', 'Oracle');
  for (const o of ORGS) {
    lejr.ctl('org', 'create', o.slug, o.name, o.currency, '--empty');
    lejr.ctl('member', 'set', o.slug, 'oracle@lejr.example', 'owner');
    o.token = lejr.token('oracle@lejr.example', [o.slug]);
  }
  await lejr.start();

  for (const o of ORGS) {
    const c = await connect(lejr.url, o.token);
    const t0 = Date.now();
    const p = await populate(c, rng(o.seed), o.entries, o.exp);
    const secs = (Date.now() - t0) / 1000;
    console.log(`oracle: ${o.slug}: seed ${o.seed}, ${p.posted} entries ` +
      `(${p.reversals} reversals) in ${secs.toFixed(1)} s`);
    const chart = new Map(p.chart.map(([code, , type]) => [code, type]));
    chart.set('5999', 'expense');
    books[o.slug] = { ...o, ...p, client: c, chart,
      journal: exportJournal(o.slug) };
  }
});

after(async () => {
  for (const b of Object.values(books)) await b.client.close();
  await lejr?.stop();
  if (process.env.LEJR_ORACLE_KEEP)
    console.log(`oracle: kept ${lejr?.dir}`);
  else
    lejr?.cleanup();
});

test('lejrctl export refuses what it cannot do, and changes nothing',
  () => {
    assert.equal(lejr.ctlFail('export', 'nosuch').status, 1);
    const bad = lejr.ctlFail('export', 'oracle', '--format', 'csv');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /hledger/);
    assert.equal(lejr.ctlFail('export').status, 2);
    const missing = lejr.ctlFail('export', 'oracle', '--output',
      join(lejr.dir, 'no/such/dir/x.journal'));
    assert.equal(missing.status, 1);
  });

test('the export is a valid journal for hledger and ledger', () => {
  for (const b of Object.values(books)) {
    hledger(b.journal, ['check', '--strict', 'ordereddates',
      'uniqueleafnames']);
    const text = readFileSync(b.journal, 'utf8');
    const txns = text.match(/^\d{4}-\d\d-\d\d \(\d+\)/gm) ?? [];
    assert.equal(txns.length, b.posted, `${b.slug}: one transaction each`);

    // the same bytes on stdout as in the file
    const out = execFileSync(join(build, 'lejrctl'),
      ['-d', lejr.db, 'export', b.slug], { maxBuffer: 1 << 28 });
    assert.equal(out.toString('utf8'), text);

    // ledger 3 reads it too, and everything nets to zero
    const l = spawnSync('ledger', ['-f', b.journal, 'bal', '--flat'],
      { env: UTF8, encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(l.status, 0, l.stderr);
    assert.match(l.stdout.trim().split('\n').pop(), /^\s*0$/);
  }

  const text = readFileSync(books.oracle.journal, 'utf8');
  assert.match(text, /^commodity 1,000\.00 EUR$/m);
  assert.match(readFileSync(books.yen.journal, 'utf8'),
    /^commodity 1,000\. JPY$/m);
  assert.match(readFileSync(books.fils.journal, 'utf8'),
    /^commodity 1,000\.000 KWD$/m);
  // memos that would break a journal line survive in comments
  assert.match(text, /^\d{4}-\d\d-\d\d \(\d+\) Invoice \d+, paid in part$/m);
  assert.match(text, /^ {4}; memo: Invoice \d+; paid in part$/m);
  assert.match(text, /^ {4}; memo: first line\n {4}; memo: second line$/m);
  assert.match(text, /^ {4}; reverses: \d+$/m);
  assert.match(text, /^ {4}; reversed-by: \d+$/m);
  assert.equal(text.match(/^ {4}; kind: closing$/gm)?.length, 2);
  assert.match(text, /^account assets:\S+ Cash- petty$/m);
  assert.match(text,
    /^account expenses:5999 Old suspense\n.*\n {4}; archived: 20\d\d-/m);
});

test('trial balances agree with hledger bal, every account, to the cent',
  async () => {
    for (const b of Object.values(books)) {
      const r = rng(b.seed + 100);
      const dates = [addDays(FIRST, -1), ...YEAR_ENDS, '2024-02-29', LAST,
        null];
      for (let i = 0; i < 6; i++)
        dates.push(addDays(FIRST, r.int(0, toDays(LAST) - toDays(FIRST))));
      for (const d of dates) {
        const ours = await ourBalances(b.client, d, b.exp);
        const theirs = hlBalances(b.journal, d ? ['-e', addDays(d, 1)] : [],
          b.currency, b.exp);
        agree(`${b.slug} as of ${d ?? 'all time'}`, ours, theirs, b.pool);
        if (d === null)
          assert.ok([...theirs.values()].filter((v) => v !== 0n).length >
            b.pool.length / 2, 'most accounts have a balance');
      }

      // every month end at once: hledger's historical monthly balances
      const j = hledgerJSON(b.journal, ['bal', '--flat', '-H', '-M',
        '-b', '2023-10-01', '-e', '2025-04-01']);
      for (let i = 0; i < j.prDates.length; i++) {
        const end = addDays(j.prDates[i][1], -1);
        const theirs = new Map(j.prRows.map((row) => [codeOf(row.prrName),
          hlMinor(row.prrAmounts[i], b.currency, b.exp)]));
        const ours = await ourBalances(b.client, end, b.exp);
        agree(`${b.slug} month ending ${end}`, ours, theirs, b.pool);
      }
      assert.equal(j.prDates.length, 18);
    }
  });

const BS_DATES = [...YEAR_ENDS, '2024-05-17', LAST];

// hledger's balance sheet at d: bs for assets and liabilities, bse for
// equity.
function hlBalanceSheet(b, d) {
  const end = d ? ['-e', addDays(d, 1)] : [];
  const bs = hlCompound(b.journal, ['bs', ...end], b.currency, b.exp);
  const bse = hlCompound(b.journal, ['bse', ...end], b.currency, b.exp);
  assert.deepEqual(Object.keys(bs.sections), ['Assets', 'Liabilities']);
  assert.deepEqual(Object.keys(bse.sections),
    ['Assets', 'Liabilities', 'Equity']);
  return { Assets: bs.sections.Assets[0],
    Liabilities: bs.sections.Liabilities[0], Equity: bse.sections.Equity[0] };
}

const codesOf = (b, type) => [...b.chart].filter(([, t]) => t === type)
  .map(([code]) => code);

test('trial balances by type agree with hledger bs and bse', async () => {
  for (const b of Object.values(books)) {
    for (const d of [...BS_DATES, null]) {
      const ours = await ourBalances(b.client, d, b.exp);
      for (const [title, theirs] of Object.entries(hlBalanceSheet(b, d)))
        agree(`${b.slug} ${title} at ${d ?? 'the end'}`,
          section(ours, b.chart, title), theirs,
          codesOf(b, SECTION_TYPE[title]));
    }
  }
});

// Our period figures: the change of each balance from..to.
async function ourPeriod(c, from, to, exp) {
  const end = await ourBalances(c, to, exp);
  const start = await ourBalances(c, addDays(from, -1), exp);
  const m = new Map(end);
  for (const [code, v] of start) m.set(code, (m.get(code) ?? 0n) - v);
  return m;
}

const PERIODS = [['2023-01-01', '2023-12-31'], ['2024-01-01', '2024-12-31'],
  ['2025-01-01', '2025-12-31'], ['2024-11-15', '2025-01-20'],
  ['2024-02-29', '2024-02-29']];

// hledger's income statement from..to, closing entries left out as our
// profit and loss leaves them; columns: [] or ['-M'].
function hlIncome(b, from, to, columns = [], closings = false) {
  return hlCompound(b.journal, ['is', ...columns, '-b', from, '-e',
    addDays(to, 1), ...(closings ? [] : ['not:tag:kind=closing'])],
  b.currency, b.exp);
}

test('trial balance movements agree with hledger is, every account',
  async () => {
    for (const b of Object.values(books)) {
      for (const [from, to] of PERIODS) {
        const ours = await ourPeriod(b.client, from, to, b.exp);
        const is = hlIncome(b, from, to, [], true);
        assert.deepEqual(Object.keys(is.sections), ['Revenues', 'Expenses']);
        for (const [title, [theirs]] of Object.entries(is.sections))
          agree(`${b.slug} ${title} ${from}..${to}`,
            section(ours, b.chart, title), theirs, []);
      }

      // twelve monthly columns of 2024
      const is = hlIncome(b, '2024-01-01', '2024-12-31', ['-M'], true);
      assert.equal(is.dates.length, 12);
      for (let i = 0; i < 12; i++) {
        const [from, next] = is.dates[i];
        const ours = await ourPeriod(b.client, from, addDays(next, -1), b.exp);
        for (const [title, cols] of Object.entries(is.sections))
          agree(`${b.slug} ${title} ${from} month`,
            section(ours, b.chart, title), cols[i], []);
      }
    }
  });

// ---- reports.so's own reports against hledger ----

const sum = (m) => [...m.values()].reduce((x, y) => x + y, 0n);

// {code: minor} of a balance sheet section's account rows.
function bsRows(sec, exp) {
  return new Map(sec.rows.filter((r) => r.code !== null)
    .map((r) => [r.code, cents(r.amount, exp)]));
}

test('balance_sheet agrees with hledger bs, bse and is, line by line',
  async () => {
    for (const b of Object.values(books)) {
      for (const d of BS_DATES) {
        const bs = await must(b.client, 'balance_sheet', { as_of: d });
        const hl = hlBalanceSheet(b, d);
        const what = `${b.slug} balance_sheet at ${d}`;
        agree(`${what} assets`, bsRows(bs.assets, b.exp), hl.Assets,
          codesOf(b, 'asset'));
        agree(`${what} liabilities`, bsRows(bs.liabilities, b.exp),
          hl.Liabilities, codesOf(b, 'liability'));
        agree(`${what} equity`, bsRows(bs.equity, b.exp), hl.Equity,
          codesOf(b, 'equity'));

        // earnings: hledger's net income before the year, and in it
        const fy = `${d.slice(0, 4)}-01-01`;
        const prior = hlCompound(b.journal, ['is', '-e', fy], b.currency,
          b.exp).totals[0] ?? 0n;
        const current = hlCompound(b.journal, ['is', '-b', fy, '-e',
          addDays(d, 1)], b.currency, b.exp).totals[0] ?? 0n;
        assert.equal(cents(bs.retained_earnings_prior, b.exp), prior,
          `${what}: retained earnings`);
        assert.equal(cents(bs.current_year_earnings, b.exp), current,
          `${what}: current-year earnings`);
        const pl = hlIncome(b, fy, d).totals[0] ?? 0n;
        assert.equal(cents(bs.fiscal_year.profit_and_loss_net, b.exp), pl,
          `${what}: the year's profit and loss`);
        assert.equal(cents(bs.assets.total, b.exp), sum(hl.Assets), what);
        assert.equal(cents(bs.total_liabilities_and_equity, b.exp),
          sum(hl.Liabilities) + sum(hl.Equity) + prior + current, what);
      }
    }
  });

// {code: minor} of column i of a profit and loss section.
function plColumn(sec, i, exp) {
  return new Map(sec.rows.map((r) => [r.code, cents(r.amounts[i], exp)]));
}

function plAgrees(what, b, pl, i, hl, j) {
  agree(`${what} income`, plColumn(pl.income, i, b.exp),
    hl.sections.Revenues[j], codesOf(b, 'income'));
  agree(`${what} expenses`, plColumn(pl.expenses, i, b.exp),
    hl.sections.Expenses[j], [...codesOf(b, 'expense'), '5999']);
  assert.equal(cents(pl.net[i], b.exp), hl.totals[j] ?? 0n, `${what} net`);
}

test('profit_and_loss agrees with hledger is, every account and column',
  async () => {
    for (const b of Object.values(books)) {
      for (const [from, to] of PERIODS) {
        const pl = await must(b.client, 'profit_and_loss', { from, to });
        assert.equal(pl.columns.length, 1);
        plAgrees(`${b.slug} ${from}..${to}`, b, pl, 0, hlIncome(b, from, to),
          0);
      }

      // twelve months of 2024, then the total
      const pl = await must(b.client, 'profit_and_loss',
        { from: '2024-01-01', to: '2024-12-31', columns: 'month' });
      const hl = hlIncome(b, '2024-01-01', '2024-12-31', ['-M']);
      assert.equal(pl.columns.length, 13);
      for (let i = 0; i < 12; i++) {
        assert.equal(pl.columns[i].from, hl.dates[i][0]);
        assert.equal(pl.columns[i].to, addDays(hl.dates[i][1], -1));
        plAgrees(`${b.slug} ${pl.columns[i].label}`, b, pl, i, hl, i);
      }
      plAgrees(`${b.slug} 2024 total`, b, pl, 12,
        hlIncome(b, '2024-01-01', '2024-12-31'), 0);
      assert.ok(pl.income.rows.length > 3 && pl.expenses.rows.length > 3);
    }
  });

test('account_balance agrees with hledger bal for every account',
  async () => {
    for (const b of Object.values(books)) {
      for (const d of ['2024-12-31', null]) {
        const theirs = hlBalances(b.journal, d ? ['-e', addDays(d, 1)] : [],
          b.currency, b.exp);
        const ours = new Map();
        for (const code of b.pool) {
          const args = { account: code };
          if (d) args.as_of = d;
          const r = await must(b.client, 'account_balance', args);
          ours.set(code, cents(r.balance, b.exp));
        }
        agree(`${b.slug} account_balance ${d ?? 'all time'}`, ours, theirs,
          b.pool);
      }
    }
  });

// Every line of the account from..to, all pages: [date, entry, minor].
async function ourLedgerLines(b, account, from, to) {
  const lines = [];
  let cursor;
  let page;
  do {
    const args = { account, from, to, limit: 50 };
    if (cursor) args.cursor = cursor;
    page = await must(b.client, 'general_ledger', args);
    for (const l of page.lines)
      lines.push([l.date, String(l.entry), cents(l.amount, b.exp)]);
    cursor = page.next_cursor;
  } while (cursor);
  return { lines, page };
}

// hledger's register of one account (its exact name) from..to.
function hlRegister(b, name, from, to) {
  const re = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rows = parseCSV(hledger(b.journal, ['reg', '-O', 'csv', '-b', from,
    '-e', addDays(to, 1), `acct:^${re}$`]));
  assert.deepEqual(rows[0], ['txnidx', 'date', 'code', 'description',
    'account', 'amount', 'total']);
  return rows.slice(1).map((r) => [r[1], r[2],
    cents(r[5].replace(/,/g, '').replace(` ${b.currency}`, ''), b.exp)]);
}

test('general_ledger agrees with hledger reg, line by line', async () => {
  let glLines = 0;
  for (const b of Object.values(books)) {
    const names = new Map(hledger(b.journal, ['accounts']).trim().split('\n')
      .filter((n) => n.includes(':')).map((n) => [codeOf(n), n]));
    const r = rng(b.seed + 200);
    const accounts = new Set(['5999', b.pool[0]]);
    while (accounts.size < 6) accounts.add(r.pick(b.pool));
    const [from, to] = ['2024-01-01', '2024-12-31'];
    const opening = hlBalances(b.journal, ['-e', from], b.currency, b.exp);
    const closing = hlBalances(b.journal, ['-e', addDays(to, 1)], b.currency,
      b.exp);
    for (const code of accounts) {
      const { lines, page } = await ourLedgerLines(b, code, from, to);
      const theirs = hlRegister(b, names.get(code), from, to);
      assert.deepEqual(lines, theirs, `${b.slug} general_ledger ${code}`);
      glLines += lines.length;
      assert.equal(cents(page.opening_balance, b.exp),
        opening.get(code) ?? 0n, `${b.slug} ${code} opening balance`);
      assert.equal(cents(page.closing_balance, b.exp),
        closing.get(code) ?? 0n, `${b.slug} ${code} closing balance`);
    }
  }
  assert.ok(glLines > 100, `${glLines} lines compared`);
});

test('the oracle notices a journal one cent off', async () => {
  const b = books.oracle;
  const text = readFileSync(b.journal, 'utf8');

  // In the last transaction of 2024 with two accounts, move one cent
  // from one posting to another: still balanced, so hledger accepts it.
  const txns = text.split('\n\n');
  const at = txns.findLastIndex((t) => t.startsWith('2024-') &&
    new Set(t.split('\n').filter((l) => /^ {4}[a-z]/.test(l))
      .map((l) => l.trim().split('  ')[0])).size >= 2);
  assert.ok(at > 0, 'a transaction to change');
  const lines = txns[at].split('\n');
  const postings = lines.map((l, i) => [l, i]).filter(([l]) =>
    /^ {4}[a-z]/.test(l));
  const [first] = postings;
  const other = postings.find(([l]) => l.trim().split('  ')[0] !==
    first[0].trim().split('  ')[0]);
  const shift = (line, by) => line.replace(/ (-?\d+\.\d\d) EUR/, (_, v) =>
    ` ${money(cents(v) + by)} EUR`);
  lines[first[1]] = shift(first[0], 1n);
  lines[other[1]] = shift(other[0], -1n);
  txns[at] = lines.join('\n');
  const broken = join(lejr.dir, 'broken.journal');
  writeFileSync(broken, txns.join('\n\n'));
  hledger(broken, ['check']);

  const ours = await ourBalances(b.client, null, b.exp);
  const theirs = hlBalances(broken, [], b.currency, b.exp);
  const d = differences('broken', ours, theirs, b.pool);
  const codeAt = (l) => codeOf(l.trim().split('  ')[0]);
  assert.deepEqual(d.map((x) => x.split(':')[1].trim()).sort(),
    [`account ${codeAt(first[0])}`, `account ${codeAt(other[0])}`].sort(),
    d.join('\n'));
});

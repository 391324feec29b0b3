// The server's life: plugins that cannot load, a configuration that must
// be refused, a clean stop under load in which every acknowledged
// posting survives, and a crash under load that loses none either.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Lejr, build, rpc, handshake } from './lib/server.mjs';

function setup(lejr) {
  lejr.ctl('org', 'create', 'acme', 'Acme Ltd', 'EUR');
  lejr.ctl('user', 'create', 'ed@acme.example', 'Ed');
  lejr.ctl('member', 'set', 'acme', 'ed@acme.example', 'accountant');
  return lejr.token('ed@acme.example', ['acme']);
}

async function toolNames(lejr, tok) {
  const s = await handshake(lejr.url, tok);
  const r = await rpc(lejr.url, { jsonrpc: '2.0', id: 2,
    method: 'tools/list' }, { token: tok, ...s });
  assert.equal(r.status, 200, r.body);
  return r.json.result.tools.map((t) => t.name);
}

test('a missing plugin is logged and the server runs without it',
  async () => {
    const lejr = new Lejr({ plugins: ['journal', 'nosuchplugin'],
      pluginConf: ['disable_tools = reverse_journal_entry'] });
    try {
      const tok = setup(lejr);
      await lejr.start();
      const names = await toolNames(lejr, tok);
      assert.ok(names.includes('post_journal_entry'));
      assert.ok(!names.includes('reverse_journal_entry'),
        'a tool disabled in lejr.conf is not offered');
      assert.match(lejr.log, /nosuchplugin/);
    } finally {
      await lejr.stop();
      lejr.cleanup();
    }
  });

test('auth = none is refused on a non-loopback address', () => {
  const lejr = new Lejr();
  try {
    const conf = join(lejr.dir, 'open.conf');
    execFileSync('sh', ['-c', `cat > ${conf}`], { input: [
      '[server]', 'listen = 0.0.0.0', 'port = 1', 'auth = none',
      `database = ${lejr.db}`, ''].join('\n') });
    const r = spawnSync(join(build, 'lejrd'), ['-c', conf],
      { encoding: 'utf8', timeout: 10000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /loopback/);
  } finally {
    lejr.cleanup();
  }
});

test('SIGTERM under load: acknowledged postings survive, clean close',
  async () => {
    const lejr = new Lejr();
    try {
      const tok = setup(lejr);
      await lejr.start();
      const s = await handshake(lejr.url, tok);
      const post = (i) => rpc(lejr.url, { jsonrpc: '2.0', id: i,
        method: 'tools/call', params: { name: 'post_journal_entry',
          arguments: { date: '2026-04-01', memo: `load ${i}`, lines: [
            { account: '6300', debit: '1.00' },
            { account: '1000', credit: '1.00' }] } } },
      { token: tok, ...s }).catch(() => null);

      // 32 clients post in a loop; the server is told to stop once 100
      // postings have been answered, with calls still in flight.
      const answers = [];
      let next = 0;
      let stopped = false;
      const client = async () => {
        while (next < 2000) {
          const r = await post(next++);
          answers.push(r);
          if (r === null || r.status !== 200) return;
          if (answers.length === 100 && !stopped) {
            stopped = true;
            lejr.proc.kill('SIGTERM');
          }
        }
      };
      await Promise.all(Array.from({ length: 32 }, client));
      assert.ok(stopped, 'the server was stopped under load');
      const exit = await lejr.exited;
      assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}\n${lejr.log}`);
      assert.match(lejr.log, /shut|stop/i);

      const acked = answers.filter((r) => r && r.status === 200 &&
        r.json?.result && !r.json.result.isError)
        .map((r) => r.json.result.structuredContent.entry.id);
      assert.ok(acked.length > 0, 'some postings were acknowledged');
      const ids = execFileSync('sqlite3', [lejr.db,
        "SELECT id FROM entries WHERE memo LIKE 'load %'"],
      { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
      for (const id of acked)
        assert.ok(ids.includes(id), `acknowledged entry ${id} is stored`);
      assert.ok(!existsSync(`${lejr.db}-wal`) ||
        execFileSync('stat', ['-c', '%s', `${lejr.db}-wal`],
          { encoding: 'utf8' }).trim() === '0',
      'the write-ahead log was checkpointed on close');
      const check = execFileSync('sqlite3', [lejr.db,
        'PRAGMA integrity_check'], { encoding: 'utf8' }).trim();
      assert.equal(check, 'ok');
    } finally {
      await lejr.stop();
      lejr.cleanup();
    }
  });

test('SIGKILL under load: every acknowledged posting survives the crash',
  async () => {
    const lejr = new Lejr();
    try {
      const tok = setup(lejr);
      await lejr.start();
      let s = await handshake(lejr.url, tok);
      const body = (i) => ({ jsonrpc: '2.0', id: i, method: 'tools/call',
        params: { name: 'post_journal_entry', arguments: {
          date: '2026-04-01', memo: `crash ${i}`,
          idempotency_key: `crash-${i}`, lines: [
            { account: '6300', debit: `${i}.25` },
            { account: '1000', credit: `${i}.25` }] } } });

      // 32 clients post in a loop; the server is killed outright once
      // 150 postings have been answered, with calls in flight.
      const acked = new Map();
      let next = 0;
      let killed = false;
      const client = async () => {
        while (next < 5000) {
          const i = next++;
          const r = await rpc(lejr.url, body(i), { token: tok, ...s })
            .catch(() => null);
          if (r === null || r.status !== 200) return;
          if (!r.json?.result?.isError)
            acked.set(i, r.json.result.structuredContent.entry.id);
          if (acked.size >= 150 && !killed) {
            killed = true;
            lejr.proc.kill('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: 32 }, client));
      assert.ok(killed, 'the server was killed under load');
      assert.equal((await lejr.exited).sig, 'SIGKILL');

      const sql = (q) => execFileSync('sqlite3', [lejr.db, q],
        { encoding: 'utf8' }).trim();
      assert.equal(sql('PRAGMA integrity_check'), 'ok');
      const stored = new Map(sql("SELECT memo, id FROM entries WHERE " +
        "memo LIKE 'crash %'").split('\n').filter(Boolean)
        .map((l) => l.split('|')).map(([m, id]) => [m, Number(id)]));
      for (const [i, id] of acked)
        assert.equal(stored.get(`crash ${i}`), id,
          `acknowledged entry ${id} (crash ${i}) is stored`);
      // Whatever was stored is whole: two lines, balanced, in the totals.
      assert.equal(sql('SELECT count(*) FROM entries e WHERE (SELECT ' +
        'count(*) FROM lines l WHERE l.entry_id = e.id) != 2 OR (SELECT ' +
        'sum(amount) FROM lines l WHERE l.entry_id = e.id) != 0'), '0');
      assert.equal(sql('SELECT count(*) FROM account_totals t WHERE ' +
        'debit - credit != (SELECT coalesce(sum(amount), 0) FROM lines l ' +
        'WHERE l.account_id = t.account_id)'), '0');

      // Restarted on the same file, the server answers a replayed
      // acknowledged call with its first result and posts nothing new.
      await lejr.start();
      s = await handshake(lejr.url, tok);
      const [i, id] = acked.entries().next().value;
      const again = await rpc(lejr.url, body(i), { token: tok, ...s });
      assert.equal(again.status, 200, again.body);
      assert.equal(again.json.result.structuredContent.entry.id, id);
      assert.equal(sql("SELECT count(*) FROM entries WHERE memo = " +
        `'crash ${i}'`), '1');
    } finally {
      await lejr.stop();
      lejr.cleanup();
    }
  });

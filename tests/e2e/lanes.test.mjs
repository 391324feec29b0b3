// Calls of tools that run long, and calls of write tools, get threads
// of their own: a short read answers at once while long calls or slow
// writes hold every thread they may use.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Lejr, build, rpc, handshake } from './lib/server.mjs';

// Run fn(call) against lejrd with the good plugin and the server lines
// given, as Ed of Acme with role and a token of access; call(id, name,
// args) is a tools/call, answered as JSON only when json.
async function withLejr(server, role, access, json, fn) {
  const lejr = new Lejr({ pluginDir: join(build, 'tests/plugins/.libs'),
    plugins: ['good'], server });
  try {
    lejr.ctl('org', 'create', 'acme', 'Acme Ltd', 'EUR');
    lejr.ctl('user', 'create', 'ed@acme.example', 'Ed');
    lejr.ctl('member', 'set', 'acme', 'ed@acme.example', role);
    const tok = lejr.token('ed@acme.example', ['acme'], access);
    await lejr.start();
    const s = await handshake(lejr.url, tok);
    await fn((id, name, args) => rpc(lejr.url, { jsonrpc: '2.0', id,
      method: 'tools/call', params: { name, arguments: args } },
    { token: tok, ...s, ...(json ? { accept: 'application/json' } : {}) }));
  } finally {
    await lejr.stop();
    lejr.cleanup();
  }
}

test('a short call answers while long calls fill their lane', () =>
  withLejr(['workers = 1', 'long_workers = 1'], 'viewer', 'read', false,
    async (call) => {
      // Two calls of 20 ms of CPU each teach lejrd that good_spin is long.
      for (const id of [1, 2]) {
        const r = await call(id, 'good_spin', { ms: 20 });
        assert.equal(r.status, 200, r.body);
        assert.equal(r.json.result.isError, false, r.body);
      }

      // Three long calls for the one long worker, then a short call: it
      // must not wait for any of them.
      const order = [];
      const longs = [3, 4, 5].map((id) => call(id, 'good_spin', { ms: 400 })
        .then((r) => { order.push(`long ${id}`); return r; }));
      await new Promise((ok) => setTimeout(ok, 100));
      const short = await call(6, 'list_organizations', {});
      order.push('short');
      const answers = await Promise.all(longs);

      assert.equal(short.status, 200, short.body);
      assert.equal(short.json.result.structuredContent.organizations[0].slug,
        'acme');
      assert.equal(order[0], 'short', `answers came in order: ${order}`);
      for (const r of answers)
        assert.equal(r.json.result.isError, false, r.body);
    }));

test('a read answers while writes hold the write lane', () =>
  // JSON answers only: good_count's log messages are left out.
  withLejr(['workers = 1', 'write_workers = 1'], 'accountant', 'write',
    true, async (call) => {
      // Two writes that keep the writer busy for 400 ms each, then a
      // read: the one write worker waits on the first, the second write
      // waits for it, and the read must wait for neither.
      const order = [];
      const writes = [1, 2].map((id) => call(id, 'good_note',
        { text: `slow ${id}`, ms: 400 })
        .then((r) => { order.push(`write ${id}`); return r; }));
      await new Promise((ok) => setTimeout(ok, 100));
      const read = await call(3, 'good_count', {});
      order.push('read');
      const answers = await Promise.all(writes);

      assert.equal(read.status, 200, read.body);
      assert.equal(read.json.result.isError, false, read.body);
      assert.equal(read.json.result.structuredContent.notes, 0, read.body);
      assert.equal(order[0], 'read', `answers came in order: ${order}`);
      for (const r of answers)
        assert.equal(r.json.result.isError, false, r.body);
      const after = await call(4, 'good_count', {});
      assert.equal(after.json.result.structuredContent.notes, 2, after.body);
    }));

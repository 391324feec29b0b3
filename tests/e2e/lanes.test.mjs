// Calls of tools that run long, and calls of write tools, get threads
// of their own: a short read answers at once while long calls or slow
// writes hold every thread they may use.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
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

// Read an SSE response until an event's data holds a JSON-RPC message
// with a method; returns that message.  The stream stays open.
async function nextRequest(reader) {
  const dec = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before a request: ${text}`);
    text += dec.decode(value, { stream: true });
    for (const line of text.split('\n')) {
      if (!line.startsWith('data: ')) continue;
      const msg = JSON.parse(line.slice(6));
      if (msg.method) return msg;
    }
  }
}

async function rest(reader) {
  const dec = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += dec.decode(value, { stream: true });
  }
}

test('short calls answer while elicitations wait for the user', async () => {
  // As many questions pending as lejrd runs short calls at once (one a
  // CPU), on more threads than that: a waiting call must give up its
  // place, or the short call below would wait for the user too.
  const cpus = Math.max(1, availableParallelism());
  const lejr = new Lejr({ pluginDir: join(build, 'tests/plugins/.libs'),
    plugins: ['good'], server: [`workers = ${cpus + 1}`] });
  try {
    lejr.ctl('org', 'create', 'acme', 'Acme Ltd', 'EUR');
    lejr.ctl('user', 'create', 'ed@acme.example', 'Ed');
    lejr.ctl('member', 'set', 'acme', 'ed@acme.example', 'viewer');
    const token = lejr.token('ed@acme.example', ['acme'], 'read');
    await lejr.start();
    const init = await rpc(lejr.url, { jsonrpc: '2.0', id: 0,
      method: 'initialize', params: { protocolVersion: '2025-06-18',
        capabilities: { elicitation: {} },
        clientInfo: { name: 'e2e', version: '0' } } }, { token });
    const opts = { token, session: init.headers.get('mcp-session-id'),
      version: '2025-06-18' };
    const headers = { 'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${token}`, 'Mcp-Session-Id': opts.session,
      'MCP-Protocol-Version': opts.version };

    const asks = [];
    for (let i = 0; i < cpus; i++) {
      const r = await fetch(lejr.url, { method: 'POST', headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 10 + i,
          method: 'tools/call', params: { name: 'good_ask',
            arguments: {} } }) });
      assert.equal(r.status, 200);
      const reader = r.body.getReader();
      const q = await nextRequest(reader);
      assert.equal(q.method, 'elicitation/create');
      asks.push({ reader, id: q.id });
    }

    const short = await Promise.race([
      rpc(lejr.url, { jsonrpc: '2.0', id: 2, method: 'tools/call',
        params: { name: 'list_organizations', arguments: {} } },
      { ...opts, accept: 'application/json' }),
      new Promise((ok) => setTimeout(() => ok({ status: 0,
        body: 'no answer within 10 s' }), 10000)),
    ]);
    assert.equal(short.status, 200, short.body);
    assert.equal(short.json.result.structuredContent.organizations[0].slug,
      'acme');

    for (const a of asks) {
      const r = await rpc(lejr.url, { jsonrpc: '2.0', id: a.id,
        result: { action: 'accept', content: { ok: true } } }, opts);
      assert.equal(r.status, 202, r.body);
      const tail = await rest(a.reader);
      assert.match(tail, /"action":"accept"/);
    }
  } finally {
    await lejr.stop();
    lejr.cleanup();
  }
});

// Streamable HTTP transport replay cases (tests/REPLAY.md: C01 transport
// part, C08, C09, C11, C12, C13, C15), sent as raw HTTP so that nothing
// between the test and lejrd smooths the answers over.  After every
// rejected input the server must still answer a normal tools/list.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Lejr, rpc, handshake } from './lib/server.mjs';

let lejr;
let tok;
let url;

const list = { jsonrpc: '2.0', id: 99, method: 'tools/list' };

async function stillServes(s) {
  const r = await rpc(url, list, { token: tok, session: s.session,
    version: s.version });
  assert.equal(r.status, 200, `tools/list still works: ${r.body}`);
  assert.ok(Array.isArray(r.json.result.tools));
}

async function trialBalance(s) {
  const r = await rpc(url, { jsonrpc: '2.0', id: 50, method: 'tools/call',
    params: { name: 'trial_balance', arguments: {} } },
  { token: tok, session: s.session, version: s.version });
  assert.equal(r.status, 200, r.body);
  return r.json.result.structuredContent;
}

before(async () => {
  lejr = new Lejr();
  lejr.ctl('org', 'create', 'acme', 'Acme Ltd', 'EUR');
  lejr.ctl('user', 'create', 'ed@acme.example', 'Ed');
  lejr.ctl('member', 'set', 'acme', 'ed@acme.example', 'accountant');
  tok = lejr.token('ed@acme.example', ['acme']);
  await lejr.start();
  url = lejr.url;
});

after(async () => {
  await lejr?.stop();
  lejr?.cleanup();
});

test('C01: 401 carries a discovery challenge', async () => {
  const init = { jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {},
      clientInfo: { name: 'replay', version: '0' } } };
  const prm = `${lejr.base}/.well-known/oauth-protected-resource/api/mcp`;

  const none = await rpc(url, init);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'),
    `Bearer resource_metadata="${prm}", scope="ledger:read ledger:write"`);
  assert.ok(none.json, 'the 401 body is JSON');

  const bad = await rpc(url, init, { token: 'not-a-real-token' });
  assert.equal(bad.status, 401);
  const ch = bad.headers.get('www-authenticate');
  assert.match(ch, /^Bearer /);
  assert.ok(ch.includes(`resource_metadata="${prm}"`));
  assert.ok(ch.includes('error="invalid_token"'));

  const get = await fetch(url, { headers: { Accept: 'text/event-stream' } });
  assert.equal(get.status, 401);
  assert.ok(get.headers.get('www-authenticate').includes(prm));

  const doc = await fetch(prm);
  assert.equal(doc.status, 200);
  assert.match(doc.headers.get('content-type'), /application\/json/);
  const meta = await doc.json();
  assert.equal(meta.resource, `${lejr.base}/api/mcp`);
  const root = await (await fetch(
    `${lejr.base}/.well-known/oauth-protected-resource`)).json();
  assert.deepEqual(root, meta);
});

test('tokens are taken from the Authorization header only', async () => {
  const r = await rpc(`${url}?access_token=${tok}`, list);
  assert.equal(r.status, 401);
  lejr.ctl('token', 'list');
});

test('a revoked token is refused on the next request', async () => {
  const t = lejr.token('ed@acme.example', ['acme']);
  const s = await handshake(url, t);
  const ok = await rpc(url, list, { token: t, session: s.session,
    version: s.version });
  assert.equal(ok.status, 200);
  const id = JSON.parse(lejr.ctl('token', 'list', '--json'))
    .filter((x) => !x.revoked).map((x) => x.id).sort((a, b) => b - a)[0];
  lejr.ctl('token', 'revoke', String(id));
  const no = await rpc(url, list, { token: t, session: s.session,
    version: s.version });
  assert.equal(no.status, 401);
  assert.match(no.headers.get('www-authenticate'), /invalid_token/);
});

test('C08: no redirects, both spellings served', async () => {
  const init = { jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {},
      clientInfo: { name: 'replay', version: '0' } } };
  for (const u of [url, `${url}/`]) {
    const a = await rpc(u, init, { token: tok });
    assert.equal(a.status, 200, `${u}: ${a.body}`);
    const b = await fetch(u, { method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/json',
        'X-Forwarded-Proto': 'https' },
      body: JSON.stringify(init) });
    assert.equal(b.status, 401);
    assert.ok(b.headers.get('www-authenticate').includes(
      `${lejr.base}/.well-known/oauth-protected-resource/api/mcp`),
    'challenge built from the configured base URL');
  }
});

test('C09: notifications and client responses get 202', async () => {
  const s = await handshake(url, tok);
  const o = { token: tok, session: s.session, version: s.version };
  for (const body of [
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', method: 'notifications/cancelled',
      params: { requestId: 99 } },
    { jsonrpc: '2.0', method: 'notifications/something_new' },
    { jsonrpc: '2.0', id: 'srv-1', result: {} },
  ]) {
    const r = await rpc(url, body, o);
    assert.equal(r.status, 202, JSON.stringify(body));
    assert.equal(r.body, '');
  }
  const e = await rpc(url, { jsonrpc: '2.0', id: 7,
    method: 'notifications/initialized' }, o);
  assert.equal(e.status, 200);
  assert.deepEqual(e.json, { jsonrpc: '2.0', id: 7, result: {} });
  await stillServes(s);
});

test('C11: version negotiation and the version header', async () => {
  for (const [v, want] of [['2025-11-25', '2025-11-25'],
    ['2099-01-01', '2025-11-25'], ['2024-11-05', '2025-11-25'],
    ['2025-03-26', '2025-03-26'], ['2025-06-18', '2025-06-18']]) {
    const r = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { protocolVersion: v, capabilities: {},
        clientInfo: { name: 'replay', version: '0' } } },
    { token: tok, version: v === '2025-11-25' ? v : undefined });
    assert.equal(r.status, 200, `${v}: ${r.body}`);
    assert.equal(r.json.result.protocolVersion, want);
    assert.equal(r.json.result.serverInfo.name, 'lejrd');
    assert.ok(r.json.result.capabilities.tools);
    assert.equal(r.json.result.capabilities.prompts, undefined);
    assert.equal(r.json.result.capabilities.resources, undefined);
  }
  const s = await handshake(url, tok, '2025-06-18');
  for (const [h, status] of [['1900-01-01', 400], ['not-a-version', 400],
    [undefined, 200], [s.version, 200]]) {
    const r = await rpc(url, list, { token: tok, session: s.session,
      version: h });
    assert.equal(r.status, status, `header ${h}: ${r.body}`);
  }
});

test('C12: Accept and Content-Type', async () => {
  const s = await handshake(url, tok);
  const o = { token: tok, session: s.session, version: s.version };
  for (const accept of ['application/json, text/event-stream',
    'application/json', '*/*', null]) {
    const r = await rpc(url, list, { ...o, accept });
    assert.equal(r.status, 200, `Accept ${accept}`);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.equal(r.json.id, 99);
  }
  const sse = await rpc(url, list, { ...o, accept: 'text/event-stream' });
  assert.equal(sse.status, 200);
  assert.match(sse.headers.get('content-type'), /^text\/event-stream/);
  const data = sse.body.split('\n').filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trim()).filter((l) => l !== '');
  assert.equal(data.length, 1);
  assert.equal(JSON.parse(data[0]).id, 99);

  const html = await rpc(url, list, { ...o, accept: 'text/html' });
  assert.equal(html.status, 406);
  assert.ok(html.json.error);

  const cs = await rpc(url, list, { ...o,
    contentType: 'application/json; charset=utf-8' });
  assert.equal(cs.status, 200);
  const plain = await rpc(url, list, { ...o, contentType: 'text/plain' });
  assert.equal(plain.status, 415);
  await stillServes(s);
});

test('C13: batches are refused whole', async () => {
  const s = await handshake(url, tok);
  const o = { token: tok, session: s.session, version: s.version };
  const tbBefore = await trialBalance(s);
  const post = (id) => ({ jsonrpc: '2.0', id, method: 'tools/call',
    params: { name: 'post_journal_entry', arguments: {
      date: '2026-01-10', memo: 'batch', lines: [
        { account: '1000', debit: '10.00' },
        { account: '4000', credit: '10.00' }] } } });
  for (const body of [
    [{ jsonrpc: '2.0', id: 1, method: 'ping' }, list],
    [], [1, 2],
    [{ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }],
    [post(1), post(2)],
  ]) {
    const r = await rpc(url, body, o);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.jsonrpc, '2.0');
    assert.equal(r.json.id, null);
    assert.equal(r.json.error.code, -32600);
    assert.match(r.json.error.message, /batch/i);
  }
  assert.deepEqual(await trialBalance(s), tbBefore);
  await stillServes(s);
});

test('C15: malformed bodies and bad params', async () => {
  const s = await handshake(url, tok);
  const o = { token: tok, session: s.session, version: s.version };
  const tbBefore = await trialBalance(s);
  const entry = (memo) => Buffer.concat([
    Buffer.from('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":' +
      '{"name":"post_journal_entry","arguments":{"date":"2026-01-11",' +
      '"memo":"'), memo, Buffer.from('","lines":[{"account":"1000",' +
      '"debit":"1.00"},{"account":"4000","credit":"1.00"}]}}}')]);

  const cases = [
    ['a: raw 0xFF', entry(Buffer.from([0x41, 0xff])), 400, -32700],
    ['b: truncated', '{"jsonrpc":"2.0","id":3,', 400, -32700],
    ['c: no method', '{"jsonrpc":"2.0","id":4}', null, -32600],
    ['d: jsonrpc 1.0', '{"jsonrpc":"1.0","id":5,"method":"ping"}', null,
      -32600],
    ['e: unknown method', '{"jsonrpc":"2.0","id":8,' +
      '"method":"ledger/doesNotExist"}', null, -32601],
    ['f: unknown tool', '{"jsonrpc":"2.0","id":9,"method":"tools/call",' +
      '"params":{"name":"no_such_tool","arguments":{}}}', null, -32602],
    ['g: arguments as a string', JSON.stringify({ jsonrpc: '2.0', id: 10,
      method: 'tools/call', params: { name: 'post_journal_entry',
        arguments: '{"lines":[]}' } }), null, -32602],
    ['h: no params', '{"jsonrpc":"2.0","id":11,"method":"tools/call"}',
      null, -32602],
    ['j: string body', '"hello"', null, -32600],
    ['j: number body', '42', null, -32600],
    ['m: duplicate method', '{"jsonrpc":"2.0","id":12,"method":"ping",' +
      '"method":"tools/list"}', null, -32600],
    ['n: overlong /', entry(Buffer.from([0xc0, 0xaf])), 400, -32700],
    // Valid JSON that lejr does not hold: answered to its id.
    ['o: escaped NUL', '{"jsonrpc":"2.0","id":13,"method":"tools/call",' +
      '"params":{"name":"post_journal_entry","arguments":{"memo":' +
      '"a\\u0000b"}}}', 200, -32602],
    ['p: integer past 64 bits', '{"jsonrpc":"2.0","id":14,' +
      '"method":"tools/call","params":{"name":"post_journal_entry",' +
      '"arguments":{"debit":100000000000000000000}}}', 200, -32602],
  ];
  for (const [name, body, status, code] of cases) {
    const r = await rpc(url, body, o);
    if (status) assert.equal(r.status, status, name);
    assert.ok(r.json, `${name}: JSON answer, got ${r.status} ${r.body}`);
    assert.equal(r.json.error?.code, code, `${name}: ${r.body}`);
    if (status === 400 && code === -32700) assert.equal(r.json.id, null);
    if (name.startsWith('o:') || name.startsWith('p:')) {
      assert.equal(r.json.id, JSON.parse(body).id, `${name}: its id`);
    }
    assert.notEqual(r.json.id, 0, `${name}: never id 0`);
    await stillServes(s);
  }
  const g = await rpc(url, cases[6][1], o);
  assert.match(g.json.error.message, /arguments/);

  const ping = await rpc(url, '{"jsonrpc":"2.0","id":6,"method":"ping"}', o);
  assert.deepEqual(ping.json, { jsonrpc: '2.0', id: 6, result: {} });

  // k: 20 MB body, refused without the server buffering it all.
  const big = Buffer.alloc(20 * 1024 * 1024, 0x20);
  let status;
  try {
    status = (await rpc(url, big, o)).status;
  } catch {
    status = 413; // the server may close the connection after its 413
  }
  assert.equal(status, 413);
  await stillServes(s);

  // l: an array nested 100,000 levels deep.
  const deep = `{"jsonrpc":"2.0","id":13,"method":"ping","params":${
    '['.repeat(100000)}${']'.repeat(100000)}}`;
  const d = await rpc(url, deep, o);
  assert.ok(d.status === 400 || d.json?.error?.code === -32700, d.body);
  await stillServes(s);

  assert.deepEqual(await trialBalance(s), tbBefore);
});

test('sessions: unknown id 404, DELETE ends one, other users get 404',
  async () => {
    const s = await handshake(url, tok);
    const o = { token: tok, version: s.version };
    const unknown = await rpc(url, list, { ...o, session: 'f'.repeat(32) });
    assert.equal(unknown.status, 404);

    lejr.ctl('user', 'create', 'other@acme.example', 'Other');
    lejr.ctl('member', 'set', 'acme', 'other@acme.example', 'viewer');
    const other = lejr.token('other@acme.example', ['acme'], 'read');
    const stolen = await rpc(url, list, { token: other, session: s.session,
      version: s.version });
    assert.equal(stolen.status, 404);

    const del = await fetch(url, { method: 'DELETE', headers: {
      Authorization: `Bearer ${tok}`, 'Mcp-Session-Id': s.session } });
    assert.ok(del.status === 200 || del.status === 204, `${del.status}`);
    const gone = await rpc(url, list, { ...o, session: s.session });
    assert.equal(gone.status, 404);

    const none = await rpc(url, list, o);
    assert.equal(none.status, 400, 'a request without a session id');
  });

test('hostile Host and Origin are refused', async () => {
  const s = await handshake(url, tok);
  const r = await rpc(url, list, { token: tok, session: s.session,
    version: s.version, headers: { Origin: 'https://evil.example' } });
  assert.equal(r.status, 403);
  await stillServes(s);
});

// The status line of a request written by hand (fetch sends one Host).
function rawStatus(base, head) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname, () => sock.write(head));
    let text = '';
    sock.on('data', (d) => {
      text += d;
      if (text.includes('\r\n')) {
        sock.destroy();
        resolve(text.split('\r\n')[0]);
      }
    });
    sock.on('error', reject);
  });
}

test('a request with two Host headers is refused', async () => {
  const host = new URL(lejr.base).host;
  const path = '/.well-known/oauth-protected-resource';
  assert.match(await rawStatus(lejr.base, `GET ${path} HTTP/1.1\r\n` +
    `Host: ${host}\r\nConnection: close\r\n\r\n`), / 200 /);
  assert.match(await rawStatus(lejr.base, `GET ${path} HTTP/1.1\r\n` +
    `Host: ${host}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`),
  / 400 /);
  assert.match(await rawStatus(lejr.base, `GET ${path} HTTP/1.1\r\n` +
    'Host: evil.example\r\nConnection: close\r\n\r\n'), / 403 /);
});

test('GET without a stream Accept answers 405, unknown paths 404',
  async () => {
    const s = await handshake(url, tok);
    const g = await fetch(url, { headers: { Authorization: `Bearer ${tok}`,
      'Mcp-Session-Id': s.session, Accept: 'application/json' } });
    assert.equal(g.status, 405);
    const n = await fetch(`${lejr.base}/nothing-here`);
    assert.equal(n.status, 404);
    assert.match(n.headers.get('content-type'), /json/);
  });

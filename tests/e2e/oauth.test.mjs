// OAuth end to end with the official TypeScript MCP SDK client and its
// OAuth provider: it finds the metadata from the 401, registers,
// follows the authorization URL (our "browser" signs in and approves
// through the real HTML forms), exchanges the code with PKCE, connects
// and calls tools; a revoked access token then makes it refresh, and
// the refresh token rotates.  Also: read-only and several-organization
// consents, the redirect URIs of real clients, and https served by
// lejrd itself.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from
  '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

import { Lejr, rpc, handshake, build, freePort } from './lib/server.mjs';
import { call } from './lib/client.mjs';
import { Browser, BrowserProvider, codeFor, redeem, token } from
  './lib/oauth.mjs';

const PASSWORD = 'correct horse battery staple';
const ED = { email: 'ed@acme.example', password: PASSWORD };
const VIC = { email: 'vic@acme.example', password: PASSWORD };

let lejr;
let base;

before(async () => {
  lejr = new Lejr({ stdin: `${PASSWORD}\n` });
  lejr.ctl('org', 'create', 'acme', 'Acme Ltd', 'EUR');
  lejr.ctl('org', 'create', 'beta', 'Beta GmbH', 'EUR');
  lejr.ctl('user', 'create', ED.email, 'Ed', '--password-stdin');
  lejr.ctl('member', 'set', 'acme', ED.email, 'accountant');
  lejr.ctl('member', 'set', 'beta', ED.email, 'viewer');
  lejr.ctl('user', 'create', VIC.email, 'Vic', '--password-stdin');
  lejr.ctl('member', 'set', 'acme', VIC.email, 'viewer');
  await lejr.start();
  base = lejr.base;
});

after(async () => {
  await lejr?.stop();
  lejr?.cleanup();
});

function sdkClient(provider) {
  const transport = new StreamableHTTPClientTransport(new URL(lejr.url),
    { authProvider: provider });
  const client = new Client({ name: 'lejr-e2e-oauth', version: '1.0.0' });
  return { client, transport };
}

// The SDK's whole first connection: 401, discovery, registration,
// authorization in the browser, code exchange, connect again.
async function sdkConnect(provider) {
  let { client, transport } = sdkClient(provider);
  await assert.rejects(client.connect(transport), UnauthorizedError,
    'the first connection needs the user');
  const back = provider.lastRedirect;
  assert.ok(back, 'the browser came back to the redirect URI');
  assert.equal(back.origin + back.pathname, provider.redirectUrl);
  assert.equal(back.searchParams.get('state'), provider._state);
  assert.equal(back.searchParams.get('iss'), base, 'RFC 9207 iss');
  await transport.finishAuth(back.searchParams.get('code'));

  ({ client, transport } = sdkClient(provider));
  await client.connect(transport);
  return { client, transport };
}

test('SDK client: discovery, registration, sign-in, consent, tools', async () => {
  const browser = new Browser(base);
  const provider = new BrowserProvider(browser, {
    redirectUrl: 'http://127.0.0.1:41999/callback', ...ED,
    orgs: ['acme'], access: 'write' });
  const { client } = await sdkConnect(provider);

  // What the SDK did on its way.
  assert.ok(provider.clientInformation().client_id.startsWith('lejr_client_'));
  assert.equal(provider.clientInformation().token_endpoint_auth_method, 'none');
  const a = provider.authorizationUrl;
  assert.equal(a.origin + a.pathname, `${base}/authorize`);
  assert.equal(a.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(a.searchParams.get('resource'), `${base}/api/mcp`);
  assert.match(a.searchParams.get('scope'), /ledger:write/);
  const page = provider.redirects[0].page;
  assert.match(page, /lejr e2e \(SDK\) wants to use your Lejr books/,
    'the consent page names the client');
  assert.ok(page.includes('http://127.0.0.1:41999/callback'),
    'and where it will redirect');
  const tok = provider.tokens();
  assert.equal(tok.token_type, 'Bearer');
  assert.ok(tok.access_token.startsWith('lejr_at_'));
  assert.ok(tok.refresh_token.startsWith('lejr_rt_'));
  assert.equal(tok.scope, 'ledger:read ledger:write');
  assert.ok(tok.expires_in > 3000 && tok.expires_in <= 3600);

  // Tools, read and write, on the one organization consented to.
  const tools = (await client.listTools()).tools.map((t) => t.name);
  assert.ok(tools.includes('post_journal_entry'));
  const orgs = await call(client, 'list_organizations');
  assert.equal(orgs.isError, false, orgs.text);
  assert.deepEqual(orgs.data.organizations.map((o) => o.slug), ['acme']);
  const post = await call(client, 'post_journal_entry', { date: '2024-03-01',
    memo: 'Office supplies', lines: [{ account: '6300', debit: '12.50' },
      { account: '1000', credit: '12.50' }] });
  assert.equal(post.isError, false, post.text);
  await client.close();
});

test('a revoked access token makes the SDK refresh; the refresh token rotates', async () => {
  const browser = new Browser(base);
  const provider = new BrowserProvider(browser, {
    redirectUrl: 'http://localhost:42111/callback', ...ED,
    orgs: ['acme'], access: 'write' });
  const { client } = await sdkConnect(provider);
  const first = provider.tokens();
  const clientId = provider.clientInformation().client_id;

  // Force the next call's 401: revoke the access token alone (RFC 7009).
  const rv = await token(base, { token: first.access_token,
    token_type_hint: 'access_token', client_id: clientId }, {}, '/revoke');
  assert.equal(rv.status, 200);
  const dead = await rpc(lejr.url, { jsonrpc: '2.0', id: 1, method: 'ping' },
    { token: first.access_token });
  assert.equal(dead.status, 401);
  assert.match(dead.headers.get('www-authenticate'), /error="invalid_token"/);

  // The SDK meets the 401, refreshes and carries on.
  const r = await call(client, 'list_accounts', {});
  assert.equal(r.isError, false, r.text);
  const second = provider.tokens();
  assert.equal(provider.saved.length, 2, 'one refresh');
  assert.notEqual(second.access_token, first.access_token);
  assert.notEqual(second.refresh_token, first.refresh_token, 'rotated');

  // The rotated-out refresh token is dead, and using it again revokes
  // the connection: the new tokens die with it.
  const again = await token(base, { grant_type: 'refresh_token',
    refresh_token: first.refresh_token, client_id: clientId });
  assert.equal(again.status, 400);
  assert.equal(again.json.error, 'invalid_grant');
  const after = await rpc(lejr.url, { jsonrpc: '2.0', id: 2, method: 'ping' },
    { token: second.access_token });
  assert.equal(after.status, 401);
  const rt = await token(base, { grant_type: 'refresh_token',
    refresh_token: second.refresh_token, client_id: clientId });
  assert.equal(rt.status, 400);
  assert.equal(rt.json.error, 'invalid_grant');
  await client.close();
});

test('read-only consent: read tools work, write tools get 403 insufficient_scope, logged', async () => {
  const g = await codeFor(base, new Browser(base), { ...ED, orgs: ['acme'],
    access: 'read' });
  const t = await redeem(base, g);
  assert.equal(t.status, 200, t.text);
  assert.equal(t.json.scope, 'ledger:read');
  const s = await handshake(lejr.url, t.json.access_token);
  const opts = { token: t.json.access_token, session: s.session,
    version: s.version };

  const read = await rpc(lejr.url, { jsonrpc: '2.0', id: 3,
    method: 'tools/call', params: { name: 'list_accounts', arguments: {} } },
  opts);
  assert.equal(read.status, 200, read.body);
  assert.equal(read.json.result.isError, false);

  const write = await rpc(lejr.url, { jsonrpc: '2.0', id: 4,
    method: 'tools/call', params: { name: 'post_journal_entry', arguments: {
      date: '2024-03-02', memo: 'x', lines: [{ account: '6300', debit: '1.00' },
        { account: '1000', credit: '1.00' }] } } }, opts);
  assert.equal(write.status, 403, write.body);
  const ch = write.headers.get('www-authenticate');
  assert.match(ch, /^Bearer error="insufficient_scope"/);
  assert.match(ch, /scope="ledger:read ledger:write"/);
  assert.ok(ch.includes(`resource_metadata="${base}/.well-known/oauth-protected-resource/api/mcp"`));
  assert.equal(write.json.id, 4);
  assert.match(write.json.error.message, /read only/);

  // The refusal is in the organization's activity log, made with this
  // connection's token, and nothing was posted.
  const log = await rpc(lejr.url, { jsonrpc: '2.0', id: 5,
    method: 'tools/call', params: { name: 'activity', arguments: {} } },
  opts);
  assert.equal(log.status, 200, log.body);
  const records = log.json.result.structuredContent.records;
  const mine = records.filter((r) => r.token_id === records[0].token_id);
  const refused = mine.filter((r) => r.tool === 'post_journal_entry');
  assert.equal(refused.length, 1, JSON.stringify(records));
  assert.equal(refused[0].outcome, 'denied');
  assert.match(refused[0].message, /read-only access/);
  assert.equal(refused[0].entries.length, 0);
  assert.ok(mine.some((r) => r.tool === 'list_accounts' &&
    r.outcome === 'ok'));
});

test('a viewer is offered read only; several organizations in one consent', async () => {
  const vb = new Browser(base);
  const v = await codeFor(base, vb, { ...VIC, access: 'read' });
  assert.ok(v.code, 'a viewer can still connect, reading');
  const consent = await vb.authorize(`${base}/authorize?${new URLSearchParams({
    response_type: 'code', client_id: v.client.client_id,
    redirect_uri: v.redirectUri, code_challenge: v.challenge,
    code_challenge_method: 'S256', scope: 'ledger:write' })}`,
  { ...VIC, access: 'write' });
  assert.equal(consent.status, 400, 'writing is not on offer');
  assert.ok(!consent.form.choices.some((c) => c.value === 'write'));

  const g = await codeFor(base, new Browser(base), { ...ED, access: 'write' });
  const t = await redeem(base, g);
  assert.equal(t.status, 200, t.text);
  const s = await handshake(lejr.url, t.json.access_token);
  const r = await rpc(lejr.url, { jsonrpc: '2.0', id: 5, method: 'tools/call',
    params: { name: 'list_organizations', arguments: {} } },
  { token: t.json.access_token, session: s.session, version: s.version });
  assert.equal(r.status, 200, r.body);
  const orgs = r.json.result.structuredContent.organizations;
  assert.deepEqual(orgs.map((o) => o.slug), ['acme', 'beta']);
  assert.equal(orgs.find((o) => o.slug === 'beta').access, 'read',
    'connection access is capped by the role');
  assert.equal(orgs.find((o) => o.slug === 'acme').access, 'write');
});

test('the redirect URIs of real clients work', async () => {
  const uris = ['https://claude.ai/api/mcp/auth_callback',
    'https://claude.com/api/mcp/auth_callback',
    'http://localhost:6274/oauth/callback',
    'http://localhost:53682/callback'];
  for (const uri of uris) {
    const g = await codeFor(base, new Browser(base), { ...ED, orgs: ['acme'],
      redirectUri: uri });
    assert.equal(g.location.origin + g.location.pathname, uri);
    const t = await redeem(base, g);
    assert.equal(t.status, 200, `${uri}: ${t.text}`);
  }
});

test('CORS: the browser-based MCP Inspector may call every endpoint', async () => {
  const origin = 'http://localhost:6274';
  for (const path of ['/.well-known/oauth-protected-resource/api/mcp',
    '/.well-known/oauth-authorization-server', '/register', '/token']) {
    const r = await fetch(`${base}${path}`, { method: 'OPTIONS', headers: {
      Origin: origin, 'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type' } });
    assert.equal(r.status, 204, path);
    assert.equal(r.headers.get('access-control-allow-origin'), '*', path);
  }
  const mcp = await fetch(lejr.url, { method: 'OPTIONS', headers: {
    Origin: origin, 'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'authorization' } });
  assert.equal(mcp.status, 204);
  assert.equal(mcp.headers.get('access-control-allow-origin'), origin);
  assert.match(mcp.headers.get('access-control-allow-headers'), /Authorization/);
  const reg = await fetch(`${base}/register`, { method: 'POST', headers: {
    Origin: origin, 'Content-Type': 'application/json' },
  body: JSON.stringify({ redirect_uris: [`${origin}/oauth/callback`] }) });
  assert.equal(reg.status, 201);
  assert.equal(reg.headers.get('access-control-allow-origin'), '*');
});

test('the consent and sign-in pages refuse to be framed', async () => {
  const g = await codeFor(base, new Browser(base), { ...ED, orgs: ['acme'] });
  const b = new Browser(base);
  const r = await b.follow(`${base}/authorize?${new URLSearchParams({
    response_type: 'code', client_id: g.client.client_id,
    redirect_uri: g.redirectUri, code_challenge: g.challenge,
    code_challenge_method: 'S256' })}`);
  assert.equal(new URL(r.url).pathname, '/login');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
});

test('lejrd serves https itself from tls_cert and tls_key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lejr-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const port = await freePort();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  writeFileSync(join(dir, 'lejr.conf'), ['[server]', 'listen = 127.0.0.1',
    `port = ${port}`, `public_url = https://127.0.0.1:${port}`,
    `database = ${join(dir, 'lejr.db')}`, `tls_cert = ${cert}`,
    `tls_key = ${key}`, '[plugins]', 'load =', ''].join('\n'));
  const proc = spawn(join(build, 'lejrd'), ['-c', join(dir, 'lejr.conf')],
    { stdio: 'ignore' });
  const ca = readFileSync(cert);
  const get = (path) => new Promise((ok, fail) => {
    https.get({ host: '127.0.0.1', port, path, ca }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers,
        body }));
    }).on('error', fail);
  });
  try {
    let r;
    for (let i = 0; i < 200 && !r; i++) {
      r = await get('/.well-known/oauth-authorization-server')
        .catch(() => undefined);
      if (!r) await new Promise((ok) => setTimeout(ok, 50));
    }
    assert.ok(r, 'lejrd answers over TLS');
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).issuer, `https://127.0.0.1:${port}`);
    const mcp = await new Promise((ok, fail) => {
      const req = https.request({ host: '127.0.0.1', port, path: '/api/mcp',
        method: 'POST', ca, headers: { 'Content-Type': 'application/json' } },
      (res) => { res.resume(); res.on('end', () => ok(res)); });
      req.on('error', fail);
      req.end('{}');
    });
    assert.equal(mcp.statusCode, 401);
    assert.ok(mcp.headers['www-authenticate'].includes(
      `https://127.0.0.1:${port}/.well-known/oauth-protected-resource/api/mcp`));
    const plain = await fetch(`http://127.0.0.1:${port}/`).then(() => 'answered',
      () => 'refused');
    assert.equal(plain, 'refused', 'no plain http on the TLS port');
  } finally {
    proc.kill('SIGTERM');
    await new Promise((ok) => proc.on('exit', ok));
    rmSync(dir, { recursive: true, force: true });
  }
});

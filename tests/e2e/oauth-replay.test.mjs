// OAuth and discovery replay cases (../shared/cases-replay.md: C01, C02,
// C04, C05, C06, and the OAuth half of C08), as real clients sent them.
// BASE/mcp in the cases is BASE/api/mcp here.  After every case a
// normal tools/list still works.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { discoverOAuthProtectedResourceMetadata,
  discoverAuthorizationServerMetadata } from
  '@modelcontextprotocol/sdk/client/auth.js';

import { Lejr, rpc, handshake } from './lib/server.mjs';
import { Browser, pkce, register, token, basic, authorizeUrl, codeFor,
  redeem } from './lib/oauth.mjs';

const PASSWORD = 'correct horse battery staple';
const ED = { email: 'ed@acme.example', password: PASSWORD };

let lejr;
let base;
let pat;
let browser; // signed in once, reused

const init = { jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {},
    clientInfo: { name: 'replay', version: '0' } } };

before(async () => {
  lejr = new Lejr({ stdin: `${PASSWORD}\n` });
  lejr.ctl('org', 'create', 'acme', 'Acme Ltd', 'EUR');
  lejr.ctl('user', 'create', ED.email, 'Ed', '--password-stdin');
  lejr.ctl('member', 'set', 'acme', ED.email, 'accountant');
  pat = lejr.token(ED.email, ['acme']);
  await lejr.start('[oauth]\nregister_limit = 500');
  base = lejr.base;
  browser = new Browser(base);
});

after(async () => {
  await lejr?.stop();
  lejr?.cleanup();
});

async function stillServes() {
  const s = await handshake(lejr.url, pat);
  const r = await rpc(lejr.url, { jsonrpc: '2.0', id: 9, method: 'tools/list' },
    { token: pat, session: s.session, version: s.version });
  assert.equal(r.status, 200, `tools/list still works: ${r.body}`);
}

const prmUrl = () => `${base}/.well-known/oauth-protected-resource/api/mcp`;

test('C01: 401 with a discovery challenge', async () => {
  const ch = `Bearer resource_metadata="${prmUrl()}", scope="ledger:read ledger:write"`;
  const none = await rpc(lejr.url, init);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), ch);
  assert.match(none.headers.get('content-type'), /^application\/json/);
  assert.ok(none.json, 'the body is JSON');

  const bad = await rpc(lejr.url, init, { token: 'not-a-real-token' });
  assert.equal(bad.status, 401);
  assert.equal(bad.headers.get('www-authenticate'),
    `Bearer error="invalid_token", resource_metadata="${prmUrl()}", scope="ledger:read ledger:write"`);
  assert.ok(bad.json);

  const get = await fetch(lejr.url, { headers: { Accept: 'text/event-stream' },
    redirect: 'manual' });
  assert.equal(get.status, 401);
  assert.equal(get.headers.get('www-authenticate'), ch);
  assert.ok(await get.json());

  const doc = await fetch(prmUrl());
  assert.equal(doc.status, 200);
  assert.match(doc.headers.get('content-type'), /^application\/json/);
  const prm = await doc.json();
  assert.equal(prm.resource, `${base}/api/mcp`);
  assert.deepEqual(prm.authorization_servers, [base]);
  assert.deepEqual(prm.scopes_supported, ['ledger:read', 'ledger:write']);
  await stillServes();
});

test('C02: well-known probes and both discovery algorithms', async () => {
  const get = async (path) => {
    const r = await fetch(`${base}${path}`, { redirect: 'manual' });
    assert.ok(r.status === 200 || r.status === 404, `${path}: ${r.status}`);
    assert.match(r.headers.get('content-type'), /^application\/json/, path);
    return { status: r.status, json: await r.json() };
  };
  const prmSuffixed = await get('/.well-known/oauth-protected-resource/api/mcp');
  const prmRoot = await get('/.well-known/oauth-protected-resource');
  assert.equal(prmSuffixed.status, 200);
  assert.deepEqual(prmRoot, prmSuffixed, 'the same PRM at both URLs');

  const as = await get('/.well-known/oauth-authorization-server');
  assert.equal(as.status, 200);
  assert.equal(as.json.issuer, base, 'no trailing slash');
  assert.equal(as.json.issuer, prmRoot.json.authorization_servers[0]);
  assert.deepEqual(await get('/.well-known/oauth-authorization-server/api/mcp'),
    as, 'path-suffixed: the same document (policy)');
  const oidc = await get('/.well-known/openid-configuration');
  assert.equal(oidc.status, 200);
  for (const k of ['authorization_endpoint', 'token_endpoint',
    'registration_endpoint', 'code_challenge_methods_supported'])
    assert.deepEqual(oidc.json[k], as.json[k], k);
  const under = await get('/api/mcp/.well-known/oauth-authorization-server');
  assert.equal(under.status, 404, 'a clean JSON 404');

  // 2025-06-18: 401 -> PRM -> authorization_servers[0] -> RFC 8414 URL.
  const r401 = await rpc(lejr.url, init);
  const url = /resource_metadata="([^"]+)"/.exec(
    r401.headers.get('www-authenticate'))[1];
  const prm = await discoverOAuthProtectedResourceMetadata(lejr.url,
    { resourceMetadataUrl: url });
  const issuer = new URL(prm.authorization_servers[0]);
  const meta = await (await fetch(`${issuer.origin}/.well-known/` +
    `oauth-authorization-server${issuer.pathname.replace(/\/$/, '')}`)).json();
  const sdkMeta = await discoverAuthorizationServerMetadata(issuer);
  assert.equal(sdkMeta.token_endpoint, meta.token_endpoint);

  // 2025-03-26: the metadata at the root of the MCP URL's origin.
  const legacy = await (await fetch(`${new URL(lejr.url).origin}` +
    '/.well-known/oauth-authorization-server')).json();
  for (const m of [meta, legacy]) {
    assert.equal(m.authorization_endpoint, `${base}/authorize`);
    assert.equal(m.token_endpoint, `${base}/token`);
    assert.equal(m.registration_endpoint, `${base}/register`);
    const reg = await register(base, { redirect_uris: ['http://127.0.0.1:1/cb'] });
    assert.equal((await fetch(m.registration_endpoint, { method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:1/cb'] }) }))
      .status, 201);
    const t = await token(base, { grant_type: 'authorization_code',
      code: 'x', client_id: reg.json.client_id });
    assert.equal(t.status, 400, 'the token endpoint answers');
    const a = await fetch(m.authorization_endpoint, { redirect: 'manual' });
    assert.equal(a.status, 400, 'the authorization endpoint answers');
  }
  await stillServes();
});

// Authorize redirectUri for a client registered with uris; the result of
// the authorize request ({status, location}).
async function tryAuthorize(c, redirectUri) {
  const { challenge, verifier } = pkce();
  const r = await browser.authorize(authorizeUrl(base, {
    clientId: c.client_id, redirectUri, challenge }), { ...ED });
  return { ...r, verifier, redirectUri };
}

async function accepted(uris, redirectUri) {
  const reg = await register(base, { redirect_uris: uris });
  assert.equal(reg.status, 201, reg.text);
  const r = await tryAuthorize(reg.json, redirectUri);
  assert.equal(r.status, 303, `${redirectUri} after ${uris}`);
  const loc = new URL(r.location);
  assert.equal(`${loc.origin}${loc.pathname}`.replace(/\/$/, ''),
    redirectUri.replace(/\/$/, ''));
  const t = await token(base, { grant_type: 'authorization_code',
    code: loc.searchParams.get('code'), redirect_uri: redirectUri,
    code_verifier: r.verifier, client_id: reg.json.client_id });
  assert.equal(t.status, 200, t.text);
  return reg.json;
}

async function refused(c, redirectUri) {
  const { challenge } = pkce();
  const r = await browser.get(authorizeUrl(base, { clientId: c.client_id,
    redirectUri, challenge }));
  assert.equal(r.status, 400, redirectUri);
  assert.equal(r.location, null, 'never a redirect to it');
  assert.match(r.headers.get('content-type'), /^text\/html/);
}

test('C04: loopback redirect URIs', async () => {
  const a = await accepted(['http://127.0.0.1:33418'], 'http://127.0.0.1:33418');
  await accepted(['http://localhost/callback', 'http://127.0.0.1/callback'],
    'http://localhost:51234/callback');
  const c = await accepted(['http://localhost:8765/callback'],
    'http://localhost:9999/callback');
  const d = await accepted(['https://claude.ai/api/mcp/auth_callback'],
    'https://claude.ai/api/mcp/auth_callback');
  await accepted(['http://[::1]/cb'], 'http://[::1]:40123/cb');

  await refused(d, 'https://claude.ai/api/mcp/auth_callback2');
  await refused(d, 'https://claude.ai:8443/api/mcp/auth_callback');
  await refused(a, 'http://127.0.0.1:33418/other');
  await refused(c, 'http://127.0.0.1:8765/callback'); // not interchangeable
  await refused(c, 'http://localhost:9999/callback/x');

  const e = await register(base, { redirect_uris: ['http://attacker.example:8080/cb'] });
  assert.equal(e.status, 400);
  assert.equal(e.json.error, 'invalid_redirect_uri');
  await stillServes();
});

test('C05: registration defaults and answers; token calls per method', async () => {
  const asMeta = await (await fetch(
    `${base}/.well-known/oauth-authorization-server`)).json();
  const supported = asMeta.token_endpoint_auth_methods_supported;
  const uri = 'http://127.0.0.1:33418';
  const clients = {};
  for (const [k, method] of [['a', undefined], ['b', 'none'],
    ['c', 'client_secret_post'], ['d', 'client_secret_basic']]) {
    const meta = { redirect_uris: [uri], client_name: 'replay' };
    if (method) meta.token_endpoint_auth_method = method;
    const r = await register(base, meta);
    assert.equal(r.status, 201, `${k}: ${r.text}`);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const j = r.json;
    assert.ok(j.client_id);
    assert.deepEqual(j.redirect_uris, [uri]);
    assert.equal(j.client_name, 'replay');
    assert.ok(supported.includes(j.token_endpoint_auth_method), k);
    assert.equal(j.token_endpoint_auth_method, method ?? 'none',
      'the default is public (policy)');
    assert.ok(Number.isInteger(j.client_id_issued_at));
    for (const [f, v] of Object.entries(j))
      assert.notEqual(v, null, `${k}: ${f} is not null`);
    if (k === 'c' || k === 'd') {
      assert.ok(j.client_secret);
      assert.ok(Number.isInteger(j.client_secret_expires_at));
      assert.equal(j.client_secret_expires_at, 0);
    } else {
      assert.equal(j.client_secret, undefined);
    }
    clients[k] = j;
  }
  for (const m of supported)
    assert.equal((await register(base, { redirect_uris: [uri],
      token_endpoint_auth_method: m })).status, 201, m);
  const un = await register(base, { redirect_uris: [uri],
    token_endpoint_auth_method: 'private_key_jwt' });
  assert.equal(un.status, 400);
  assert.equal(un.json.error, 'invalid_client_metadata');

  const flow = async (c) => {
    const g = await codeFor(base, browser, { client: c, redirectUri: uri, ...ED });
    return { grant_type: 'authorization_code', code: g.code,
      redirect_uri: uri, code_verifier: g.verifier };
  };
  for (const [k, c] of Object.entries(clients)) {
    const secret = c.client_secret;
    // The matching method.
    let f = await flow(c);
    const ok = c.token_endpoint_auth_method === 'client_secret_basic'
      ? await token(base, f, { Authorization: basic(c.client_id, secret) })
      : await token(base, { ...f, client_id: c.client_id,
        ...(secret ? { client_secret: secret } : {}) });
    assert.equal(ok.status, 200, `${k} matching: ${ok.text}`);

    // A Basic header and an agreeing client_id in the body: accepted.
    f = await flow(c);
    const both = await token(base, { ...f, client_id: c.client_id },
      { Authorization: basic(c.client_id, secret ?? '') });
    assert.equal(both.status, 200, `${k} both: ${both.text}`);

    // A confidential client without its secret.
    if (secret) {
      f = await flow(c);
      const no = await token(base, { ...f, client_id: c.client_id });
      assert.equal(no.status, 401, k);
      assert.equal(no.json.error, 'invalid_client');
    }
  }
  await stillServes();
});

test('C06: PKCE advertised and enforced', async () => {
  const m = await (await fetch(
    `${base}/.well-known/oauth-authorization-server`)).json();
  assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(m.response_types_supported, ['code']);
  assert.ok(m.grant_types_supported.includes('authorization_code'));
  assert.ok(m.grant_types_supported.includes('refresh_token'));
  assert.equal(m.registration_endpoint, `${base}/register`);
  assert.ok(m.token_endpoint_auth_methods_supported.length > 0);

  const uri = 'http://127.0.0.1:33418/cb';
  const c = (await register(base, { redirect_uris: [uri] })).json;
  const { verifier, challenge } = pkce();
  for (const [ch, method] of [[null, null], [verifier, 'plain']]) {
    const r = await browser.get(authorizeUrl(base, { clientId: c.client_id,
      redirectUri: uri, challenge: ch, method, state: 'C06' }));
    assert.equal(r.status, 303);
    const loc = new URL(r.location);
    assert.equal(`${loc.origin}${loc.pathname}`, uri,
      'back to the validated redirect URI');
    assert.equal(loc.searchParams.get('error'), 'invalid_request');
    assert.equal(loc.searchParams.get('state'), 'C06');
  }

  const r = await browser.authorize(authorizeUrl(base, { clientId: c.client_id,
    redirectUri: uri, challenge }), { ...ED });
  const code = new URL(r.location).searchParams.get('code');
  const form = { grant_type: 'authorization_code', code, redirect_uri: uri,
    client_id: c.client_id };
  const d = await token(base, { ...form, code_verifier: pkce().verifier });
  assert.equal(d.status, 400);
  assert.equal(d.json.error, 'invalid_grant');
  const e = await token(base, { ...form, code_verifier: verifier });
  assert.equal(e.status, 200, e.text);
  assert.equal(e.json.token_type, 'Bearer');
  assert.ok(Number.isInteger(e.json.expires_in));
  assert.ok(e.json.refresh_token);
  const f = await token(base, { ...form, code_verifier: verifier });
  assert.equal(f.status, 400);
  assert.equal(f.json.error, 'invalid_grant');
  const gone = await rpc(lejr.url, init, { token: e.json.access_token });
  assert.equal(gone.status, 401, 'tokens minted from the code are revoked');
  await stillServes();
});

test('C08: the OAuth endpoints never redirect a POST; both spellings served', async () => {
  for (const path of ['/register', '/register/']) {
    const r = await fetch(`${base}${path}`, { method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:1/cb'] }) });
    assert.equal(r.status, 201, path);
  }
  for (const path of ['/token', '/token/', '/revoke', '/revoke/']) {
    const r = await fetch(`${base}${path}`, { method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=x&client_id=lejr_client_none' });
    assert.equal(r.status, 401, path);
    assert.equal((await r.json()).error, 'invalid_client');
  }
  const g = await codeFor(base, browser, { ...ED });
  const t = await redeem(base, g);
  for (const u of [lejr.url, `${lejr.url}/`]) {
    const r = await rpc(u, init, { token: t.json.access_token });
    assert.equal(r.status, 200, u);
  }
  await stillServes();
});

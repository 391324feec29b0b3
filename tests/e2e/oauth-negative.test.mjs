// OAuth refusals, each with its exact answer: PKCE, codes, redirect
// URIs, resources and audiences, refresh-token rotation, client
// authentication, CSRF and Origin, registration, expiry.  After every
// refusal, a good request still works.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Lejr, rpc } from './lib/server.mjs';
import { Browser, parseForms, formBody, pkce, register, token, basic,
  authorizeUrl, codeFor, redeem } from './lib/oauth.mjs';

const PASSWORD = 'correct horse battery staple';
const ED = { email: 'ed@acme.example', password: PASSWORD };
const REDIRECT = 'http://127.0.0.1:33418/callback';

let lejr;
let base;
let client; // a public client registered once

const ping = { jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {},
    clientInfo: { name: 'negative', version: '0' } } };

function setup(opts = {}) {
  const l = new Lejr({ stdin: `${PASSWORD}\n`, ...opts });
  l.ctl('org', 'create', 'acme', 'Acme Ltd', 'EUR');
  l.ctl('user', 'create', ED.email, 'Ed', '--password-stdin');
  l.ctl('member', 'set', 'acme', ED.email, 'accountant');
  return l;
}

before(async () => {
  lejr = setup();
  await lejr.start('[oauth]\naccess_token_ttl = 10\nregister_limit = 500');
  base = lejr.base;
  const reg = await register(base, { redirect_uris: [REDIRECT],
    client_name: 'negative', token_endpoint_auth_method: 'none' });
  assert.equal(reg.status, 201, reg.text);
  client = reg.json;
});

after(async () => {
  await lejr?.stop();
  lejr?.cleanup();
});

const grant = (extra = {}) => codeFor(base, new Browser(base),
  { ...ED, orgs: ['acme'], client, redirectUri: REDIRECT, ...extra });

function oauthError(r, status, error) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error, error, r.text);
  assert.equal(typeof r.json.error_description, 'string');
  assert.equal(r.headers.get('cache-control'), 'no-store');
}

async function mcpStatus(tok) {
  return rpc(lejr.url, ping, { token: tok });
}

test('wrong code verifier: 400 invalid_grant, and the code stays usable', async () => {
  const g = await grant();
  const bad = await redeem(base, g, { code_verifier: pkce().verifier });
  oauthError(bad, 400, 'invalid_grant');
  assert.equal(bad.json.error_description,
    'code_verifier does not match the code_challenge');
  const good = await redeem(base, g);
  assert.equal(good.status, 200, good.text);
});

test('reused code: 400 invalid_grant, and what it issued is revoked', async () => {
  const g = await grant();
  const first = await redeem(base, g);
  assert.equal(first.status, 200);
  assert.equal((await mcpStatus(first.json.access_token)).status, 200);

  const again = await redeem(base, g);
  oauthError(again, 400, 'invalid_grant');
  assert.match(again.json.error_description, /already used/);
  const dead = await mcpStatus(first.json.access_token);
  assert.equal(dead.status, 401);
  assert.match(dead.headers.get('www-authenticate'), /error="invalid_token"/);
  oauthError(await token(base, { grant_type: 'refresh_token',
    refresh_token: first.json.refresh_token, client_id: client.client_id }),
  400, 'invalid_grant');
});

test('wrong redirect URI at token time: 400 invalid_grant', async () => {
  const g = await grant();
  const r = await redeem(base, g,
    { redirect_uri: 'http://127.0.0.1:33418/other' });
  oauthError(r, 400, 'invalid_grant');
  assert.equal(r.json.error_description,
    'redirect_uri does not match the one of the authorization request');
});

test('unregistered redirect URI or unknown client at authorize: an error page, never a redirect', async () => {
  const { challenge } = pkce();
  const b = new Browser(base);
  for (const [clientId, redirectUri] of [
    [client.client_id, 'http://127.0.0.1:33418/elsewhere'],
    [client.client_id, 'https://attacker.example/callback'],
    [client.client_id, 'http://localhost:33418/callback'],
    ['lejr_client_doesnotexist', REDIRECT],
    [null, REDIRECT]]) {
    const r = await b.get(authorizeUrl(base, { clientId, redirectUri,
      challenge }));
    assert.equal(r.status, 400, `${clientId} ${redirectUri}`);
    assert.equal(r.location, null, 'no redirect');
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
  }
});

test('resource mismatch: invalid_target at authorize and at the token endpoint', async () => {
  const { challenge } = pkce();
  const r = await new Browser(base).get(authorizeUrl(base, {
    clientId: client.client_id, redirectUri: REDIRECT, challenge,
    state: 'S1', resource: 'https://ledger.example/api/mcp' }));
  assert.equal(r.status, 303);
  const loc = new URL(r.location);
  assert.equal(loc.origin + loc.pathname, REDIRECT);
  assert.equal(loc.searchParams.get('error'), 'invalid_target');
  assert.equal(loc.searchParams.get('state'), 'S1');
  assert.equal(loc.searchParams.get('iss'), base);
  assert.equal(loc.searchParams.get('code'), null);

  const g = await grant();
  oauthError(await redeem(base, g, { resource: 'https://ledger.example/api/mcp' }),
    400, 'invalid_target');
  const ok = await redeem(base, g, { resource: `${base}/api/mcp` });
  assert.equal(ok.status, 200, 'the right resource is accepted');
});

test('missing PKCE and plain PKCE: invalid_request, back to the client', async () => {
  const { challenge, verifier } = pkce();
  const b = new Browser(base);
  for (const [c, m] of [[null, null], [challenge, null], [verifier, 'plain'],
    [challenge, 'plain']]) {
    const r = await b.get(authorizeUrl(base, { clientId: client.client_id,
      redirectUri: REDIRECT, challenge: c, method: m, state: 'S2' }));
    assert.equal(r.status, 303, `${c} ${m}`);
    const loc = new URL(r.location);
    assert.equal(loc.origin + loc.pathname, REDIRECT);
    assert.equal(loc.searchParams.get('error'), 'invalid_request');
    assert.equal(loc.searchParams.get('state'), 'S2');
    assert.equal(loc.searchParams.get('iss'), base);
  }
  const t = await token(base, { grant_type: 'authorization_code',
    code: (await grant()).code, redirect_uri: REDIRECT,
    client_id: client.client_id });
  oauthError(t, 400, 'invalid_request');
});

test('unknown scope values are ignored; an unknown response_type is refused', async () => {
  const { challenge } = pkce();
  const b = new Browser(base);
  const ok = await b.authorize(authorizeUrl(base, { clientId: client.client_id,
    redirectUri: REDIRECT, challenge, scope: 'openid profile offline_access' }),
  { ...ED, access: 'read' });
  assert.equal(ok.status, 303);
  assert.ok(new URL(ok.location).searchParams.get('code'));

  const r = await b.get(authorizeUrl(base, { clientId: client.client_id,
    redirectUri: REDIRECT, challenge, responseType: 'token', state: 'S3' }));
  assert.equal(r.status, 303);
  assert.equal(new URL(r.location).searchParams.get('error'),
    'unsupported_response_type');
});

test('declining: access_denied back to the client, with state and iss', async () => {
  const { challenge } = pkce();
  const r = await new Browser(base).authorize(authorizeUrl(base, {
    clientId: client.client_id, redirectUri: REDIRECT, challenge,
    state: 'S4' }), { ...ED, decision: 'deny' });
  assert.equal(r.status, 303);
  const loc = new URL(r.location);
  assert.equal(loc.searchParams.get('error'), 'access_denied');
  assert.equal(loc.searchParams.get('state'), 'S4');
  assert.equal(loc.searchParams.get('iss'), base);
  assert.equal(loc.searchParams.get('code'), null);
});

// The consent form of a signed-in browser.
async function consentForm() {
  const { challenge } = pkce();
  const b = new Browser(base);
  const url = authorizeUrl(base, { clientId: client.client_id,
    redirectUri: REDIRECT, challenge });
  let r = await b.follow(url);
  r = await b.signIn(r, ED.email, ED.password);
  const form = parseForms(r.text).find((f) => f.action === '/authorize');
  assert.ok(form, 'consent form');
  return { b, r, form };
}

test('CSRF token missing or wrong on the consent form: 403, no code', async () => {
  const { b, r, form } = await consentForm();
  for (const csrf of [null, 'f'.repeat(64)]) {
    const body = formBody(form, { set: { csrf }, button: 'approve' });
    if (csrf === null) body.delete('csrf');
    const res = await b.submit(r.url, form, body);
    assert.equal(res.status, 403, `csrf ${csrf}`);
    assert.equal(res.location, null);
  }
  const good = await b.submit(r.url, form, formBody(form, { button: 'approve' }));
  assert.equal(good.status, 303, 'the real token works');
});

test('hostile Origin: 403 on the consent form and on /api/mcp', async () => {
  const { b, r, form } = await consentForm();
  const res = await b.submit(r.url, form, formBody(form, { button: 'approve' }),
    { Origin: 'https://attacker.example' });
  assert.equal(res.status, 403);
  assert.equal(res.location, null);
  assert.equal(JSON.parse(res.text).error, 'access_denied');

  const g = await grant();
  const t = await redeem(base, g);
  const m = await rpc(lejr.url, ping, { token: t.json.access_token,
    headers: { Origin: 'https://attacker.example' } });
  assert.equal(m.status, 403);
  assert.equal(m.headers.get('access-control-allow-origin'), null);
});

test('token in the query string: 401 with the plain challenge', async () => {
  const t = await redeem(base, await grant());
  const r = await rpc(`${lejr.url}?access_token=${t.json.access_token}`, ping);
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('www-authenticate'),
    `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/api/mcp", scope="ledger:read ledger:write"`);
});

test('invalid, unknown and revoked tokens: 401 invalid_token, never 500', async () => {
  for (const tok of ['lejr_at_' + 'A'.repeat(43), 'lejr_rt_nope', 'x'.repeat(70),
    'lejr_pat_' + 'B'.repeat(43)]) {
    const r = await mcpStatus(tok);
    assert.equal(r.status, 401, tok);
    assert.match(r.headers.get('www-authenticate'), /error="invalid_token"/);
    assert.equal(r.json.error, 'invalid_token');
  }

  // Revoking the refresh token ends the connection at once.
  const t = await redeem(base, await grant());
  const rv = await token(base, { token: t.json.refresh_token,
    client_id: client.client_id }, {}, '/revoke');
  assert.equal(rv.status, 200);
  assert.equal(rv.text, '');
  assert.equal((await mcpStatus(t.json.access_token)).status, 401);
  const unknown = await token(base, { token: 'lejr_rt_unknown',
    client_id: client.client_id }, {}, '/revoke');
  assert.equal(unknown.status, 200, 'RFC 7009: unknown tokens are fine');
});

test('rotated-out refresh token: 400 invalid_grant, and the connection is revoked', async () => {
  const t = await redeem(base, await grant());
  const r1 = await token(base, { grant_type: 'refresh_token',
    refresh_token: t.json.refresh_token, client_id: client.client_id });
  assert.equal(r1.status, 200, r1.text);
  assert.notEqual(r1.json.refresh_token, t.json.refresh_token);
  assert.equal(r1.headers.get('cache-control'), 'no-store');

  const old = await token(base, { grant_type: 'refresh_token',
    refresh_token: t.json.refresh_token, client_id: client.client_id });
  oauthError(old, 400, 'invalid_grant');
  assert.match(old.json.error_description, /connection is revoked/);
  assert.equal((await mcpStatus(r1.json.access_token)).status, 401);
  oauthError(await token(base, { grant_type: 'refresh_token',
    refresh_token: r1.json.refresh_token, client_id: client.client_id }),
  400, 'invalid_grant');
});

test('unknown client at the token endpoint: 401 invalid_client', async () => {
  const g = await grant();
  const r = await redeem(base, g, { client_id: 'lejr_client_unknown' });
  oauthError(r, 401, 'invalid_client');
  const b = await token(base, { grant_type: 'authorization_code', code: g.code,
    redirect_uri: REDIRECT, code_verifier: g.verifier },
  { Authorization: basic('lejr_client_unknown', 'x') });
  oauthError(b, 401, 'invalid_client');
  assert.equal(b.headers.get('www-authenticate'), 'Basic realm="lejr"');
  const none = await token(base, { grant_type: 'authorization_code',
    code: g.code, redirect_uri: REDIRECT, code_verifier: g.verifier });
  oauthError(none, 401, 'invalid_client');
  const other = await register(base, { redirect_uris: [REDIRECT] });
  oauthError(await redeem(base, g, { client_id: other.json.client_id }),
    400, 'invalid_grant');
  assert.equal((await redeem(base, g)).status, 200, 'the code survived');
});

test('confidential clients: the secret is required, checked, and sent once', async () => {
  for (const method of ['client_secret_post', 'client_secret_basic']) {
    const reg = await register(base, { redirect_uris: [REDIRECT],
      token_endpoint_auth_method: method });
    assert.equal(reg.status, 201);
    const c = reg.json;
    assert.ok(c.client_secret.startsWith('lejr_cs_'));
    assert.equal(c.client_secret_expires_at, 0);
    const g = await grant({ client: c });
    const form = { grant_type: 'authorization_code', code: g.code,
      redirect_uri: REDIRECT, code_verifier: g.verifier };

    oauthError(await token(base, { ...form, client_id: c.client_id }), 401,
      'invalid_client');
    oauthError(await token(base, { ...form, client_id: c.client_id,
      client_secret: 'lejr_cs_wrong' }), 401, 'invalid_client');
    oauthError(await token(base, { ...form, client_secret: c.client_secret },
      { Authorization: basic(c.client_id, c.client_secret) }), 400,
    'invalid_request');
    oauthError(await token(base, { ...form, client_id: 'lejr_client_other' },
      { Authorization: basic(c.client_id, c.client_secret) }), 400,
    'invalid_request');
  }
});

test('token endpoint: malformed requests', async () => {
  oauthError(await token(base, { grant_type: 'password', username: 'a',
    password: 'b', client_id: client.client_id }), 400,
  'unsupported_grant_type');
  oauthError(await token(base, { client_id: client.client_id }), 400,
    'invalid_request');
  const rep = await fetch(`${base}/token`, { method: 'POST', headers: {
    'Content-Type': 'application/x-www-form-urlencoded' },
  body: `grant_type=refresh_token&client_id=${client.client_id}&refresh_token=a&refresh_token=b` });
  assert.equal(rep.status, 400);
  assert.equal((await rep.json()).error, 'invalid_request');
  const json = await fetch(`${base}/token`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(json.status, 400);
  assert.equal((await json.json()).error, 'invalid_request');
  const get = await fetch(`${base}/token`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
});

test('registration refusals', async () => {
  const cases = [
    [{ redirect_uris: ['http://attacker.example:8080/cb'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['https://app.example/cb#frag'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: [] }, 'invalid_redirect_uri'],
    [{ client_name: 'no uris' }, 'invalid_redirect_uri'],
    [{ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt' },
      'invalid_client_metadata'],
    [{ redirect_uris: [REDIRECT], grant_types: ['client_credentials'] },
      'invalid_client_metadata'],
    [{ redirect_uris: [REDIRECT], response_types: ['token'] },
      'invalid_client_metadata'],
    [{ redirect_uris: [REDIRECT], client_name: 42 }, 'invalid_client_metadata'],
    [[REDIRECT], 'invalid_client_metadata'],
  ];
  for (const [meta, error] of cases) {
    const r = await register(base, meta);
    assert.equal(r.status, 400, JSON.stringify(meta));
    assert.equal(r.json.error, error, JSON.stringify(meta));
  }
  const bad = await fetch(`${base}/register`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: '{"redirect_uris":' });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error, 'invalid_client_metadata');
});

test('registration is rate limited per address', async () => {
  const l = setup();
  try {
    await l.start('[oauth]\nregister_limit = 3');
    for (let i = 0; i < 3; i++)
      assert.equal((await register(l.base, { redirect_uris: [REDIRECT] })).status,
        201);
    const r = await register(l.base, { redirect_uris: [REDIRECT] });
    assert.equal(r.status, 429);
    assert.equal(r.json.error, 'too_many_requests');
    assert.equal(r.headers.get('retry-after'), '3600');
  } finally {
    await l.stop();
    l.cleanup();
  }
});

test('token for another audience: 401 invalid_token', async () => {
  const l = setup();
  try {
    await l.start();
    const g = await codeFor(l.base, new Browser(l.base), { ...ED });
    const t = await redeem(l.base, g);
    assert.equal(t.status, 200);
    assert.equal((await rpc(l.url, ping, { token: t.json.access_token })).status,
      200);

    // The same database served under another public URL: the token was
    // issued for http://127.0.0.1:PORT/api/mcp, not for this resource.
    await l.stop();
    l.opts.port = l.port;
    l.opts.publicUrl = `http://localhost:${l.port}`;
    await l.start();
    const r = await rpc(l.url, ping, { token: t.json.access_token });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate'), /error="invalid_token"/);
    assert.ok(r.headers.get('www-authenticate').includes(
      `http://localhost:${l.port}/.well-known/oauth-protected-resource/api/mcp`));
    const rt = await token(l.base, { grant_type: 'refresh_token',
      refresh_token: t.json.refresh_token, client_id: g.client.client_id });
    assert.equal(rt.status, 400);
    assert.equal(rt.json.error, 'invalid_grant');
    assert.match(rt.json.error_description, /another resource/);
  } finally {
    await l.stop();
    l.cleanup();
  }
});

test('an expired access token: 401 invalid_token; refreshing brings it back', async () => {
  const t = await redeem(base, await grant());
  assert.equal(t.json.expires_in, 10);
  assert.equal((await mcpStatus(t.json.access_token)).status, 200);
  await new Promise((ok) => setTimeout(ok, 11000));
  const r = await mcpStatus(t.json.access_token);
  assert.equal(r.status, 401);
  assert.match(r.headers.get('www-authenticate'), /error="invalid_token"/);
  const n = await token(base, { grant_type: 'refresh_token',
    refresh_token: t.json.refresh_token, client_id: client.client_id });
  assert.equal(n.status, 200, n.text);
  assert.equal((await mcpStatus(n.json.access_token)).status, 200);
});

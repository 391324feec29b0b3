// The web pages in a real headless Chromium (Debian's, driven by
// playwright-core): sign-in and its return to the page asked for, the
// Settings pages, CSRF refusal, escaping, the security headers; binding
// and revoking a personal access token; and the whole OAuth path: the
// official MCP SDK client registers, the browser signs in and consents
// for two organizations, the connection shows in AI Connections, is
// bound to one organization, then revoked, and the SDK client is
// refused.  A last test checks the sign-in throttle over plain HTTP.
//
// Needs /usr/bin/chromium (scripts/deps.sh test installs it); skipped
// when it is missing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from
  '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Lejr, freePort } from './lib/server.mjs';
import { connect, call } from './lib/client.mjs';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed`;
const PASSWORD = 'correct horse battery staple';
const EVIL = '<script>alert(1)</script>';

let lejr, context, page, profile, dialogs = 0;

before(async () => {
  if (skip) return;
  lejr = new Lejr({ stdin: `${PASSWORD}\n` });
  lejr.ctl('org', 'create', 'acme', 'Acme Ltd', 'EUR');
  lejr.ctl('org', 'create', 'beta', 'Beta GmbH', 'EUR');
  lejr.ctl('user', 'create', 'ann@example.com', 'Ann', '--password-stdin');
  lejr.ctl('member', 'set', 'acme', 'ann@example.com', 'owner');
  lejr.ctl('member', 'set', 'beta', 'ann@example.com', 'owner');
  await lejr.start();

  profile = mkdtempSync(join(tmpdir(), 'lejr-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] ?? await context.newPage();
  // Any script running on our pages would be a failure of escaping.
  page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await lejr?.stop();
  lejr?.cleanup();
});

async function signIn(email = 'ann@example.com', password = PASSWORD) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// The organizations a token reaches, as list_organizations says.
async function orgsOf(client) {
  const r = await call(client, 'list_organizations');
  assert.equal(r.isError, false, r.text);
  return r.data.organizations.map((o) => o.slug).sort();
}

// The "Organizations" fact on a connection's page.
async function factOrgs() {
  return page.locator('dt:text-is("Organizations") + dd').innerText();
}

test('a signed-out visitor signs in and returns to the page asked for',
  { skip }, async () => {
    const res = await page.goto(`${lejr.base}/settings/connections`);
    assert.match(page.url(), /\/login\?next=%2Fsettings%2Fconnections$/);

    // The security headers, on the sign-in page too.
    const h = res.headers();
    assert.equal(h['x-frame-options'], 'DENY');
    assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
    assert.doesNotMatch(h['content-security-policy'], /unsafe/);
    assert.equal(h['referrer-policy'], 'same-origin');
    assert.equal(h['cache-control'], 'no-store');

    // Wrong password: the form again, with an error, still signed out.
    await signIn('ann@example.com', 'wrong password');
    await page.getByRole('alert')
      .filter({ hasText: 'Wrong email or password' }).waitFor();
    assert.match(page.url(), /\/login$/);

    // The form kept next=: signing in now lands where the visit began.
    await signIn();
    assert.equal(page.url(), `${lejr.base}/settings/connections`);
    await page.getByRole('heading', { name: 'AI Connections' }).waitFor();

    const cookies = await context.cookies(lejr.base);
    const session = cookies.find((c) => c.name === 'lejr_session');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.secure, false); // public_url is http here

    // The inline style sheet is allowed by its hash in the CSP.
    const bg = await page.locator('header').evaluate((el) =>
      getComputedStyle(el).backgroundColor);
    assert.equal(bg, 'rgb(31, 58, 95)');
  });

test('an off-site next= is not followed', { skip }, async () => {
  await page.goto(`${lejr.base}/login?next=//evil.example/x`);
  // Signed in already: sent home, not to the other site.
  assert.equal(page.url(), `${lejr.base}/settings/integrations`);
});

test('a personal access token: escaped, bound to one org, revoked',
  { skip }, async () => {
    const token = lejr.ctl('token', 'create', 'ann@example.com', '--org',
      'acme,beta', '--label', EVIL).split('\n').map((l) => l.trim())
      .find((l) => l.startsWith('lejr_pat_'));
    const client = await connect(lejr.url, token);
    assert.deepEqual(await orgsOf(client), ['acme', 'beta']);

    await page.goto(`${lejr.base}/settings/connections`);
    const link = page.getByRole('link', { name: EVIL });
    await link.waitFor();
    assert.equal(await page.locator('script').count(), 0);
    await link.click();
    assert.equal(await factOrgs(), 'acme, beta');

    // Bind to beta only: the very next call reaches beta only.
    await page.getByRole('group', { name: 'Bind to a single organization' })
      .getByLabel(/beta - Beta/).check();
    await page.getByRole('button', { name: 'Bind' }).click();
    await page.getByRole('status').waitFor();
    assert.equal(await factOrgs(), 'beta');
    assert.deepEqual(await orgsOf(client), ['beta']);

    // Allow both again, through the checkboxes.
    await page.getByRole('group', { name: 'Allow several organizations' })
      .getByLabel(/acme - Acme/).check();
    await page.getByRole('button', { name: 'Save organizations' }).click();
    assert.equal(await factOrgs(), 'acme, beta');
    assert.deepEqual(await orgsOf(client), ['acme', 'beta']);

    await page.getByRole('button', { name: 'Revoke' }).click();
    assert.match(page.url(), /\/settings\/connections\?done=revoked$/);
    await assert.rejects(call(client, 'list_organizations'));
    assert.equal(dialogs, 0, 'no script ran');
    await client.close().catch(() => {});
  });

test('a form with a wrong CSRF token is refused and changes nothing',
  { skip }, async () => {
    const token = lejr.ctl('token', 'create', 'ann@example.com', '--org',
      'acme,beta', '--label', 'csrf probe').split('\n')
      .map((l) => l.trim()).find((l) => l.startsWith('lejr_pat_'));
    await page.goto(`${lejr.base}/settings/connections`);
    await page.getByRole('link', { name: 'csrf probe' }).click();
    const here = page.url();

    await page.locator('input[name="csrf"]').evaluateAll((els) => {
      for (const el of els) el.value = '0'.repeat(64);
    });
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Revoke' }).click(),
    ]);
    assert.equal(res.status(), 403);
    await page.getByText('This form has expired').waitFor();

    // Still active, still working.
    const client = await connect(lejr.url, token);
    assert.deepEqual(await orgsOf(client), ['acme', 'beta']);
    await client.close();
    await page.goto(here);
    assert.equal(await page.getByRole('button', { name: 'Revoke' }).count(),
      1);

    // A POST without any token is refused too.
    const r = await context.request.post(`${here}/revoke`, {
      form: { x: '1' }, maxRedirects: 0,
    });
    assert.equal(r.status(), 403);
  });

// An MCP SDK OAuth client whose browser step is ours to drive.
class Provider {
  constructor(redirect) {
    this.redirect = redirect;
    this.authUrl = null;
  }

  get redirectUrl() { return this.redirect; }

  get clientMetadata() {
    return {
      client_name: `Desk ${EVIL}`,
      redirect_uris: [this.redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() { return this.client; }
  saveClientInformation(info) { this.client = info; }
  tokens() { return this.saved; }
  saveTokens(t) { this.saved = t; }
  redirectToAuthorization(url) { this.authUrl = url; }
  saveCodeVerifier(v) { this.verifier = v; }
  codeVerifier() { return this.verifier; }
}

// Where the browser lands after consent: the code is taken from there.
async function callbackServer() {
  const port = await freePort();
  let got;
  const code = new Promise((ok) => { got = ok; });
  const srv = createServer((req, res) => {
    const u = new URL(req.url, `http://127.0.0.1:${port}`);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('You can close this window.');
    if (u.pathname === '/callback') got(u.searchParams);
  });
  await new Promise((ok) => srv.listen(port, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${port}/callback`, code, srv };
}

test('OAuth: consent for two orgs, bind to one, revoke; the SDK client ' +
  'is refused', { skip }, async () => {
  const cb = await callbackServer();
  const provider = new Provider(cb.url);
  const sdk = () => {
    const client = new Client({ name: 'lejr-browser-e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(lejr.url),
      { authProvider: provider });
    return { client, transport };
  };

  try {
    // The client registers and asks for authorization.
    let { client, transport } = sdk();
    await assert.rejects(client.connect(transport), UnauthorizedError);
    assert.ok(provider.authUrl, 'the SDK asked to open a browser');

    // Signed out first: the sign-in page brings the visitor back.
    await context.clearCookies();
    await page.goto(provider.authUrl.toString());
    assert.match(page.url(), /\/login\?next=/);
    await signIn();
    await page.getByRole('heading', { name: /Allow access/ }).waitFor();
    await page.getByText(`Desk ${EVIL} wants to use`).waitFor();
    await page.getByLabel(/\(acme\)/).check();
    await page.getByLabel(/\(beta\)/).check();
    await page.getByLabel(/Read and write/).check();
    await page.getByRole('button', { name: 'Allow' }).click();
    const params = await Promise.race([cb.code, new Promise((ok, fail) =>
      setTimeout(() => fail(new Error('no redirect to the client')),
        15000))]);
    assert.ok(params.get('code'), `a code, got ${params}`);

    await transport.finishAuth(params.get('code'));
    ({ client, transport } = sdk());
    await client.connect(transport);
    assert.deepEqual(await orgsOf(client), ['acme', 'beta']);

    // Integrations and AI Connections show it.
    await page.goto(`${lejr.base}/settings/integrations`);
    const row = page.getByRole('row', { name: new RegExp(`Desk`) });
    await row.waitFor();
    assert.match(await row.innerText(), /acme, beta/);
    await page.goto(`${lejr.base}/settings/connections`);
    const link = page.getByRole('link', { name: `Desk ${EVIL}` });
    await link.click();
    assert.match(page.url(), /\/settings\/connections\/c\d+$/);
    assert.equal(await factOrgs(), 'acme, beta');

    // Bound to acme: the next call reaches acme only.
    await page.getByRole('group', { name: 'Bind to a single organization' })
      .getByLabel(/acme - Acme/).check();
    await page.getByRole('button', { name: 'Bind' }).click();
    await page.getByRole('status').waitFor();
    assert.equal(await factOrgs(), 'acme');
    assert.deepEqual(await orgsOf(client), ['acme']);

    // Its calls are in the Activity log, with the assistant's name.
    const accounts = await call(client, 'list_accounts',
      { organization: 'acme' });
    assert.equal(accounts.isError, false, accounts.text);
    await page.goto(`${lejr.base}/settings/activity?org=acme` +
      '&tool=list_accounts');
    await page.getByRole('cell', { name: `Desk ${EVIL}` }).first().waitFor();

    // Revoked: the SDK client is refused, even after refreshing.
    await page.goto(`${lejr.base}/settings/integrations`);
    await page.getByRole('row', { name: /Desk/ })
      .getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No assistant is connected').waitFor();
    await assert.rejects(call(client, 'list_organizations'));
    const raw = await fetch(lejr.url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${provider.saved.access_token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    assert.equal(raw.status, 401);
    await client.close().catch(() => {});
    assert.equal(dialogs, 0, 'no script ran');
  } finally {
    cb.srv.close();
  }
});

test('sign-in is refused after 5 failures in 15 minutes', { skip },
  async () => {
    const other = new Lejr({ stdin: `${PASSWORD}\n` });
    other.ctl('user', 'create', 'bob@example.com', 'Bob',
      '--password-stdin');
    await other.start();
    try {
      const jar = {};
      const form = async () => {
        const r = await fetch(`${other.base}/login`, {
          headers: jar.cookie ? { Cookie: jar.cookie } : {},
        });
        const set = r.headers.get('set-cookie');
        if (set) jar.cookie = set.split(';')[0];
        return (await r.text()).match(/name="csrf" value="([0-9a-f]+)"/)[1];
      };
      const post = async (password) => {
        const csrf = await form();
        return fetch(`${other.base}/login`, {
          method: 'POST', redirect: 'manual',
          headers: { Cookie: jar.cookie,
            'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf, email: 'bob@example.com',
            password }),
        });
      };

      for (let i = 0; i < 5; i++)
        assert.equal((await post('nope')).status, 200);
      // Now even the right password is refused, with a clear message.
      const r = await post(PASSWORD);
      assert.equal(r.status, 429);
      assert.match(await r.text(), /Too many failed sign-ins/);
    } finally {
      await other.stop();
      other.cleanup();
    }
  });

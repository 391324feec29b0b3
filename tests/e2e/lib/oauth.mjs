// OAuth helpers for the end-to-end tests: a small "browser" that keeps
// cookies, follows lejrd's redirects and submits its real HTML forms
// (sign-in and consent, hidden fields and CSRF token included); PKCE;
// raw calls to /register and /token; and an OAuthClientProvider for the
// official SDK client whose "browser" is that one.

import { createHash, randomBytes } from 'node:crypto';

// ---- HTML forms ----

function unescape(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|#39);/gi,
    (m, e) => {
      const l = e.toLowerCase();
      if (l === 'amp') return '&';
      if (l === 'lt') return '<';
      if (l === 'gt') return '>';
      if (l === 'quot') return '"';
      if (l === 'apos' || l === '#39') return "'";
      if (l.startsWith('#x')) return String.fromCodePoint(parseInt(l.slice(2), 16));
      return String.fromCodePoint(parseInt(l.slice(1), 10));
    });
}

function attrs(tag) {
  const out = {};
  const re = /([a-zA-Z_:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
  const body = tag.replace(/^<\s*[a-zA-Z]+/, '').replace(/\/?>$/, '');
  let m;
  while ((m = re.exec(body)) !== null)
    out[m[1].toLowerCase()] = unescape(m[2] ?? m[3] ?? m[4] ?? '');
  return out;
}

// Every <form> of a page: its action, method and controls.  A choice
// (checkbox, radio) carries the text of its <label>.
export function parseForms(html) {
  const forms = [];
  for (const fm of html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/gi)) {
    const f = attrs(fm[0].match(/<form\b[^>]*>/i)[0]);
    const form = { action: f.action ?? '', method: (f.method ?? 'get')
      .toLowerCase(), fields: [], choices: [], buttons: [] };
    const inner = fm[1];
    for (const im of inner.matchAll(/<input\b[^>]*>([^<]*)/gi)) {
      const a = attrs(im[0].match(/<input\b[^>]*>/i)[0]);
      const type = (a.type ?? 'text').toLowerCase();
      if (type === 'checkbox' || type === 'radio')
        form.choices.push({ type, name: a.name, value: a.value ?? 'on',
          checked: 'checked' in a, label: unescape(im[1]).trim() });
      else
        form.fields.push({ type, name: a.name, value: a.value ?? '' });
    }
    for (const bm of inner.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/gi)) {
      const a = attrs(bm[0].match(/<button\b[^>]*>/i)[0]);
      form.buttons.push({ name: a.name, value: a.value ?? '',
        text: unescape(bm[1]).trim() });
    }
    forms.push(form);
  }
  return forms;
}

// The form's fields as they would be sent: fields (hidden ones, and the
// text fields with their values), the checked choices, then the
// button whose value is `button` (if any).  `set` overrides fields;
// `choose` maps a choice name to the values to check instead.
export function formBody(form, { set = {}, choose = {}, button } = {}) {
  const body = new URLSearchParams();
  for (const f of form.fields)
    if (f.name && !(f.name in set)) body.append(f.name, f.value);
  for (const [k, v] of Object.entries(set))
    if (v !== undefined && v !== null) body.append(k, v);
  for (const c of form.choices) {
    const want = choose[c.name];
    if (want ? want.includes(c.value) : c.checked)
      body.append(c.name, c.value);
  }
  if (button !== undefined) {
    const b = form.buttons.find((x) => x.value === button);
    if (!b) throw new Error(`no button ${button}`);
    body.append(b.name, b.value);
  }
  return body;
}

// ---- a cookie-keeping browser ----

export class Browser {
  constructor(base) {
    this.base = base;
    this.jar = new Map();
  }

  // One request, redirects not followed; cookies kept and sent.
  async request(url, init = {}) {
    const u = new URL(url, this.base);
    const headers = { ...(init.headers ?? {}) };
    if (u.origin === new URL(this.base).origin && this.jar.size)
      headers.Cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(u, { ...init, headers, redirect: 'manual' });
    for (const sc of r.headers.getSetCookie()) {
      const [pair, ...opts] = sc.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const gone = opts.some((o) => /^max-age=0$/i.test(o));
      if (gone) this.jar.delete(name);
      else this.jar.set(name, pair.slice(eq + 1));
    }
    const text = await r.text();
    return { status: r.status, headers: r.headers, text, url: u.href,
      location: r.headers.get('location') };
  }

  async get(url) {
    return this.request(url);
  }

  // Submit form (from page at pageUrl) with body (URLSearchParams).
  async submit(pageUrl, form, body, headers = {}) {
    const action = new URL(form.action || pageUrl, pageUrl);
    return this.request(action, { method: 'POST', body: body.toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded',
        ...headers } });
  }

  // Follow redirects within our origin from url; returns the last page,
  // or the answer whose Location leaves the origin (not followed).
  async follow(url, max = 10) {
    let r = await this.get(url);
    for (let i = 0; i < max && r.location; i++) {
      const next = new URL(r.location, r.url);
      if (next.origin !== new URL(this.base).origin) return r;
      r = await this.get(next);
    }
    return r;
  }

  // Sign in on the /login page r shows (after a redirect to it).
  async signIn(r, email, password) {
    const form = parseForms(r.text).find((f) => f.action.startsWith('/login'));
    if (!form) throw new Error(`no sign-in form at ${r.url}: ${r.status}`);
    const res = await this.submit(r.url, form, formBody(form,
      { set: { email, password } }));
    if (res.status !== 303)
      throw new Error(`sign-in failed: ${res.status} ${res.text.slice(0, 300)}`);
    return this.follow(new URL(res.location, res.url));
  }

  // The whole authorization in the browser: open url, sign in when
  // asked, then decide on the consent page.  `orgs` picks organizations
  // by slug (default: all), access 'read' or 'write', decision
  // 'approve' or 'deny'.  Returns the redirect leaving lejrd: {status,
  // location, page} (page: the consent page seen).
  async authorize(url, { email, password, orgs, access = 'write',
    decision = 'approve' } = {}) {
    let r = await this.follow(url);
    if (new URL(r.url).pathname === '/login') r = await this.signIn(r, email, password);
    if (r.location) return { status: r.status, location: r.location };
    const form = parseForms(r.text).find((f) => f.action === '/authorize');
    if (!form) throw new Error(`no consent form: ${r.status} ${r.text.slice(0, 500)}`);
    const orgChoices = form.choices.filter((c) => c.name === 'org');
    const picked = orgs
      ? orgChoices.filter((c) => orgs.some((s) => c.label.includes(`(${s})`)))
        .map((c) => c.value)
      : orgChoices.map((c) => c.value);
    const res = await this.submit(r.url, form, formBody(form, {
      choose: { org: picked, access: [access] }, button: decision }));
    return { status: res.status, location: res.location, page: r.text,
      form, answer: res };
  }
}

// ---- PKCE and raw endpoint calls ----

export function b64url(buf) {
  return Buffer.from(buf).toString('base64url');
}

export function pkce() {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

export async function register(base, metadata) {
  const r = await fetch(`${base}/register`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(metadata) });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, headers: r.headers, json, text };
}

export async function token(base, params, headers = {}, path = '/token') {
  const r = await fetch(`${base}${path}`, { method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString() });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, headers: r.headers, json, text };
}

export function basic(id, secret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${
    encodeURIComponent(secret)}`).toString('base64')}`;
}

// The /authorize URL for a client.
export function authorizeUrl(base, { clientId, redirectUri, challenge,
  method = 'S256', state = 'st-' + b64url(randomBytes(6)),
  scope = 'ledger:read ledger:write', resource = `${base}/api/mcp`,
  responseType = 'code' }) {
  const q = new URLSearchParams();
  if (responseType !== null) q.set('response_type', responseType);
  if (clientId !== null) q.set('client_id', clientId);
  if (redirectUri !== null) q.set('redirect_uri', redirectUri);
  if (challenge !== null) q.set('code_challenge', challenge);
  if (method !== null) q.set('code_challenge_method', method);
  if (state !== null) q.set('state', state);
  if (scope !== null) q.set('scope', scope);
  if (resource !== null) q.set('resource', resource);
  return `${base}/authorize?${q}`;
}

// Register a public client, authorize it in a browser and return the
// code with what is needed to redeem it.
export async function codeFor(base, browser, { redirectUri =
  'http://127.0.0.1:33418/callback', email, password, orgs,
  access = 'write', client, register: meta = {} } = {}) {
  let c = client;
  if (!c) {
    const reg = await register(base, { redirect_uris: [redirectUri],
      client_name: 'e2e', token_endpoint_auth_method: 'none', ...meta });
    if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.text}`);
    c = reg.json;
  }
  const { verifier, challenge } = pkce();
  const state = 'st-' + b64url(randomBytes(6));
  const url = authorizeUrl(base, { clientId: c.client_id, redirectUri,
    challenge, state });
  const res = await browser.authorize(url, { email, password, orgs, access });
  if (res.status !== 303 || !res.location)
    throw new Error(`authorize: ${res.status}`);
  const loc = new URL(res.location);
  return { client: c, verifier, challenge, state, redirectUri,
    location: loc, code: loc.searchParams.get('code') };
}

// Redeem a code for a public client.
export function redeem(base, g, extra = {}) {
  return token(base, { grant_type: 'authorization_code', code: g.code,
    redirect_uri: g.redirectUri, code_verifier: g.verifier,
    client_id: g.client.client_id, ...extra });
}

// ---- an OAuthClientProvider for the SDK client ----

export class BrowserProvider {
  constructor(browser, { redirectUrl, email, password, orgs, access,
    clientMetadata = {} }) {
    this.browser = browser;
    this._redirect = redirectUrl;
    this.login = { email, password, orgs, access };
    this.extraMetadata = clientMetadata;
    this.saved = [];
    this.redirects = [];
    this._state = undefined;
  }

  get redirectUrl() { return this._redirect; }

  get clientMetadata() {
    return { client_name: 'lejr e2e (SDK)', redirect_uris: [this._redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], token_endpoint_auth_method: 'none',
      ...this.extraMetadata };
  }

  state() {
    this._state = 'st-' + b64url(randomBytes(8));
    return this._state;
  }

  clientInformation() { return this._client; }
  saveClientInformation(info) { this._client = info; }
  tokens() { return this._tokens; }
  saveTokens(t) { this._tokens = t; this.saved.push(t); }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { return this._verifier; }

  // "Open" the authorization URL: sign in and approve through the real
  // pages, and catch the redirect to our loopback redirect URI.
  async redirectToAuthorization(url) {
    this.authorizationUrl = new URL(url);
    const res = await this.browser.authorize(url.href ?? String(url), this.login);
    this.redirects.push(res);
    this.lastRedirect = res.location ? new URL(res.location) : undefined;
  }
}

// Start a real lejrd on loopback with a fresh SQLite file, and set up
// organizations, users and tokens through the real lejrctl.
//
// LEJR_BUILD names the build directory holding lejrd, lejrctl and
// .libs/journal.so (default: _build/check under the source tree).

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
export const top = resolve(here, '../../..');
export const build = process.env.LEJR_BUILD
  ? resolve(process.env.LEJR_BUILD)
  : join(top, '_build/check');

export async function freePort() {
  return new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

export class Lejr {
  constructor(opts = {}) {
    this.opts = opts;
    this.dir = mkdtempSync(join(tmpdir(), 'lejr-e2e-'));
    this.db = join(this.dir, 'lejr.db');
    this.log = '';
  }

  // Run lejrctl.  opts.stdin is written only to commands that read it
  // (--password-stdin): others may exit before reading, and writing to
  // them would fail with EPIPE.
  ctl(...args) {
    const reads = args.includes('--password-stdin');
    return execFileSync(join(build, 'lejrctl'), ['-d', this.db, ...args], {
      encoding: 'utf8',
      stdio: [reads ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      ...(reads ? { input: this.opts.stdin ?? '' } : {}),
    }).trim();
  }

  // Run lejrctl, expecting failure; returns {status, stderr}.
  ctlFail(...args) {
    try {
      this.ctl(...args);
    } catch (e) {
      return { status: e.status, stderr: String(e.stderr) };
    }
    throw new Error(`lejrctl ${args.join(' ')} unexpectedly succeeded`);
  }

  token(email, orgs, access = 'write') {
    const out = this.ctl('token', 'create', email, '--org', orgs.join(','),
      '--access', access, '--label', `e2e ${access}`);
    const tok = out.split('\n').map((l) => l.trim())
      .find((l) => l.startsWith('lejr_pat_'));
    if (!tok) throw new Error(`no token in lejrctl output: ${out}`);
    return tok;
  }

  async start(extraConf = '') {
    this.port = this.opts.port ?? await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.url = `${this.base}/api/mcp`;
    const plugins = this.opts.plugins ?? ['journal', 'reports'];
    const pluginDir = this.opts.pluginDir ?? join(build, '.libs');
    this.conf = join(this.dir, 'lejr.conf');
    writeFileSync(this.conf, [
      '[server]',
      'listen = 127.0.0.1',
      `port = ${this.port}`,
      `public_url = ${this.opts.publicUrl ?? this.base}`,
      `database = ${this.db}`,
      `auth = ${this.opts.auth ?? 'token'}`,
      `log_level = ${this.opts.logLevel ?? 'info'}`,
      ...(this.opts.server ?? []),
      '',
      '[plugins]',
      `directory = ${pluginDir}`,
      `load = ${plugins.join(' ')}`,
      ...(this.opts.pluginConf ?? []),
      extraConf,
      '',
    ].join('\n'));
    this.proc = spawn(join(build, 'lejrd'), ['-c', this.conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout.on('data', (d) => { this.log += d; });
    this.proc.stderr.on('data', (d) => { this.log += d; });
    this.exited = new Promise((ok) => this.proc.on('exit', (code, sig) =>
      ok({ code, sig })));
    const deadline = Date.now() + 15000;
    for (;;) {
      if (this.proc.exitCode !== null)
        throw new Error(`lejrd exited early:\n${this.log}`);
      try {
        const r = await fetch(`${this.base}/.well-known/oauth-protected-resource`);
        if (r.status === 200) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline)
        throw new Error(`lejrd did not start:\n${this.log}`);
      await new Promise((ok) => setTimeout(ok, 50));
    }
    return this;
  }

  async stop(signal = 'SIGTERM') {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill(signal);
      const res = await Promise.race([this.exited,
        new Promise((ok) => setTimeout(() => ok(null), 10000))]);
      if (res === null) this.proc.kill('SIGKILL');
      this.exit = res;
    }
    return this.exit;
  }

  cleanup() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// A raw JSON-RPC POST to the MCP endpoint; returns {status, headers, body,
// json} without any client library in between.
export async function rpc(url, body, { token, session, version, accept,
  contentType, headers = {} } = {}) {
  const h = {
    'Content-Type': contentType ?? 'application/json',
    Accept: accept ?? 'application/json, text/event-stream',
    ...headers,
  };
  if (accept === null) delete h.Accept;
  if (token) h.Authorization = `Bearer ${token}`;
  if (session) h['Mcp-Session-Id'] = session;
  if (version) h['MCP-Protocol-Version'] = version;
  const r = await fetch(url, {
    method: 'POST', headers: h,
    body: typeof body === 'string' || body instanceof Uint8Array
      ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, headers: r.headers, body: text, json };
}

// initialize + notifications/initialized over raw HTTP; returns the
// session id and negotiated version.
export async function handshake(url, token, version = '2025-06-18') {
  const init = await rpc(url, {
    jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: version, capabilities: {},
      clientInfo: { name: 'e2e', version: '0' } },
  }, { token });
  if (init.status !== 200)
    throw new Error(`initialize: ${init.status} ${init.body}`);
  const session = init.headers.get('mcp-session-id');
  const v = init.json.result.protocolVersion;
  const note = await rpc(url, { jsonrpc: '2.0',
    method: 'notifications/initialized' }, { token, session, version: v });
  if (note.status !== 202) throw new Error(`initialized: ${note.status}`);
  return { session, version: v };
}

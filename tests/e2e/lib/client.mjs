// Connect the official TypeScript MCP SDK client to a running lejrd.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from
  '@modelcontextprotocol/sdk/client/streamableHttp.js';

export async function connect(url, token, opts = {}) {
  const client = new Client(
    { name: 'lejr-e2e', version: '1.0.0' },
    { capabilities: opts.capabilities ?? {} });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

// Call a tool and return {isError, text, data}: data is the structured
// content of a successful call.
export async function call(client, name, args = {}) {
  const res = await client.callTool({ name, arguments: args });
  const text = (res.content ?? []).filter((c) => c.type === 'text')
    .map((c) => c.text).join('\n');
  return { isError: !!res.isError, text, data: res.structuredContent, raw: res };
}

// Exact decimal strings <-> BigInt minor units, for independent sums.
export function cents(s, exp = 2) {
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(i) * 10n ** BigInt(exp) + BigInt((f + '0'.repeat(exp))
    .slice(0, exp) || '0');
  return neg ? -v : v;
}

export function money(v, exp = 2) {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const d = 10n ** BigInt(exp);
  const s = exp ? `${a / d}.${String(a % d).padStart(exp, '0')}` : `${a}`;
  return neg ? `-${s}` : s;
}

// Send one MCP tools/call N times, one after the other, on one
// keep-alive connection, initializing a session first.
//
//   node callcost.mjs URL TOKEN N NAME ARGS_JSON

const [url, token, n, name, args] = process.argv.slice(2);
const headers = {
  'Content-Type': 'application/json',
  Accept: 'application/json, text/event-stream',
  Authorization: `Bearer ${token}`,
  'MCP-Protocol-Version': '2025-06-18',
};

async function post(body) {
  const r = await fetch(url, { method: 'POST', headers,
    body: JSON.stringify(body) });
  const text = await r.text();
  if (r.status !== 200 || text.includes('"isError":true'))
    throw new Error(`${r.status}: ${text.slice(0, 300)}`);
  return r;
}

const init = await post({ jsonrpc: '2.0', id: 0, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {},
    clientInfo: { name: 'callcost', version: '1' } } });
headers['Mcp-Session-Id'] = init.headers.get('mcp-session-id');
for (let i = 1; i <= Number(n); i++)
  await post({ jsonrpc: '2.0', id: i, method: 'tools/call',
    params: { name, arguments: JSON.parse(args) } });

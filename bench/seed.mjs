// Fill an organization with a ledger of N postings (journal lines)
// through lejrd's own MCP endpoint: entries of 20 lines spread over a
// year, ten expense accounts against the bank.
//
//   node seed.mjs URL TOKEN SESSION POSTINGS

const [url, token, session, total] = process.argv.slice(2);
const headers = {
  'Content-Type': 'application/json',
  Accept: 'application/json, text/event-stream',
  Authorization: `Bearer ${token}`,
  'Mcp-Session-Id': session,
  'MCP-Protocol-Version': '2025-06-18',
};

let id = 1;
async function call(name, args) {
  const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify({
    jsonrpc: '2.0', id: id++, method: 'tools/call',
    params: { name, arguments: args } }) });
  const j = await r.json();
  if (!j.result || j.result.isError)
    throw new Error(`${name}: ${JSON.stringify(j).slice(0, 300)}`);
  return j.result.structuredContent;
}

const expense = ['6000', '6100', '6200', '6300', '6400', '6500', '6600',
  '6700', '6800', '6900'];
const perEntry = 20;
const entries = Math.ceil(Number(total) / perEntry);
for (let e = 0; e < entries; e++) {
  const day = new Date(Date.UTC(2026, 0, 1) + (e % 365) * 86400000);
  const lines = [];
  let sum = 0;
  for (let i = 0; i < perEntry - 1; i++) {
    const cents = 100 + ((e * 31 + i * 17) % 90000);
    sum += cents;
    lines.push({ account: expense[i % expense.length],
      debit: (cents / 100).toFixed(2) });
  }
  lines.push({ account: '1100', credit: (sum / 100).toFixed(2) });
  await call('post_journal_entry', { date: day.toISOString().slice(0, 10),
    memo: `bench entry ${e}`, lines });
}
console.log(`seeded ${entries * perEntry} postings in ${entries} entries`);

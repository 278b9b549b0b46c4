#!/usr/bin/env node
// For issue 9 (item 6): the GraphQL-over-HTTP conformance audit of graphql-http
// (`serverAudits`, the same list https://graphql-http.com runs) against a running ctgraph.
//
//   node audit/audit.mjs http://127.0.0.1:8000/graphql [ALLOWED_WARNINGS_JSON]
//
// Prints every audit (id, status, name, reason) and a summary line. Exits 1 if any audit is
// `error`, or is `warn` without being listed in allowed-warnings.json (next to this file unless
// a path is given): a JSON list of { "audit": "<id or exact name>", "reason": "<why we keep it>" }.
// A listed audit that no longer warns is reported, not failed; a listed audit that does not
// exist fails (a typo would otherwise allow nothing). `notice` never fails.
import { readFileSync, existsSync } from 'node:fs';
import { serverAudits } from 'graphql-http';

const [url, allowedPath = new URL('./allowed-warnings.json', import.meta.url).pathname] =
  process.argv.slice(2);
if (!url) {
  console.error('usage: audit.mjs GRAPHQL_URL [ALLOWED_WARNINGS_JSON]');
  process.exit(2);
}

const allowed = existsSync(allowedPath) ? JSON.parse(readFileSync(allowedPath, 'utf8')) : [];
if (!Array.isArray(allowed) || allowed.some((a) => typeof a?.audit !== 'string'
  || typeof a?.reason !== 'string' || a.reason.trim() === '')) {
  console.error(`${allowedPath}: expected [{ "audit": "<id or name>", "reason": "<why>" }, ...]`);
  process.exit(2);
}

// Every request gets 10 s; a server that hangs fails its audit instead of the whole run.
const fetchFn = (input, init = {}) => fetch(input, { ...init, signal: AbortSignal.timeout(10_000) });
try { // one probe first, so an unreachable server is one line rather than 61 errors
  await fetchFn(url, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: '{"query":"{ __typename }"}' });
} catch (err) {
  console.error(`cannot reach ${url}: ${err?.cause?.message ?? err}`);
  process.exit(2);
}
const audits = serverAudits({ url, fetchFn });

const counts = { ok: 0, warn: 0, notice: 0, error: 0 };
const failures = [];
const used = new Set(); // allowed entries that matched a warning
for (const audit of audits) {
  let result;
  try {
    result = await audit.fn();
  } catch (err) { // fn throws only on fatal errors (e.g. the server is unreachable)
    result = { ...audit, status: 'error', reason: `audit threw: ${err?.cause?.message ?? err}` };
  }
  const { id, name, status } = result;
  const entry = allowed.find((a) => a.audit === id || a.audit === name);
  if (status === 'warn' && entry) used.add(entry);
  counts[status]++;
  const mark = status === 'warn' && entry ? 'warn (allowed)' : status;
  console.log(`${id}\t${mark}\t${name}${status === 'ok' ? '' : `\n\t\t${result.reason}`}`);
  if (status === 'error' || (status === 'warn' && !entry)) failures.push(`${id} ${status}`);
}

for (const a of allowed) {
  if (!audits.some((x) => x.id === a.audit || x.name === a.audit)) {
    failures.push(`allowed-warnings.json names no audit: ${a.audit}`);
  } else if (!used.has(a)) {
    console.log(`note: ${a.audit} is in allowed-warnings.json but did not warn; remove it`);
  }
}
console.log(`${audits.length} audits: ${counts.ok} ok, ${counts.warn} warn (${used.size} allowed), `
  + `${counts.notice} notice, ${counts.error} error`);
if (failures.length > 0) {
  console.log(`FAILED: ${failures.join(', ')}`);
  process.exit(1);
}

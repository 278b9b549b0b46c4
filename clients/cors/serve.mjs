#!/usr/bin/env node
// Serves the CORS probe page (index.html + page.js) for issue 9 (item 8) on a free port of
// 127.0.0.1, so that its origin differs from the GraphQL server's (another port), with
// GRAPHQL_URL and KEY (an editor key of that server, sent as the bearer) written into the page. Prints the page's URL as the first line of stdout, then
// serves until killed.
//
//   node cors/serve.mjs http://127.0.0.1:8000/graphql "$(ctgraph keys create --name cors --role editor)"
//   chromium --headless --no-sandbox --disable-gpu --no-first-run \
//     --disable-background-networking --disable-component-update --disable-sync \
//     --virtual-time-budget=10000 --user-data-dir=$(mktemp -d) --dump-dom http://127.0.0.1:PORT/
//   -> <pre id="result">OK {"data":{"__typename":"Query"}}</pre>, or FAILED <reason>
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [target, key] = process.argv.slice(2);
if (!target || !URL.canParse(target) || !key) {
  console.error('usage: serve.mjs GRAPHQL_URL KEY');
  process.exit(2);
}
const escape = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const file = (name) => readFileSync(new URL(name, import.meta.url), 'utf8');
const pages = {
  '/': ['text/html', file('index.html').replace('%GRAPHQL_URL%', escape(target)).replace('%GRAPHQL_KEY%', escape(key))],
  '/page.js': ['text/javascript', file('page.js')],
};

const server = http.createServer((req, res) => {
  const page = pages[new URL(req.url, 'http://x').pathname];
  res.writeHead(page ? 200 : 404, {
    'content-type': `${page ? page[0] : 'text/plain'}; charset=utf-8`,
    'cache-control': 'no-store',
  });
  res.end(page ? page[1] : 'not found');
});
server.listen(0, '127.0.0.1', () => {
  const origin = `http://127.0.0.1:${server.address().port}`;
  if (origin === new URL(target).origin) throw new Error('page and GraphQL share an origin');
  console.log(`${origin}/`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));

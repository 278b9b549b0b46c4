// Serves the built explorer the way ctgraph does, for working on the page without the Rust
// server's copy: /explore is assets/explore/index.html, /explore/assets/explore.{js,css} are the
// .gz files with `Content-Encoding: gzip`, and /graphql is passed to a running ctgraph.
//   node dev-server.mjs PORT UPSTREAM      e.g. node dev-server.mjs 8088 http://127.0.0.1:8000
// Prints its own URL on the first line of stdout. Files are read on each request, so
// `npm run build` shows up on the next reload. Plain node, no dependencies.

import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [port = '8088', upstream = 'http://127.0.0.1:8000'] = process.argv.slice(2);
const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'explore');
const target = new URL('/graphql', upstream);

const files = {
  '/explore': ['index.html', 'text/html; charset=utf-8', null],
  '/explore/': ['index.html', 'text/html; charset=utf-8', null],
  '/explore/assets/explore.js': ['explore.js.gz', 'text/javascript; charset=utf-8', 'gzip'],
  '/explore/assets/explore.css': ['explore.css.gz', 'text/css; charset=utf-8', 'gzip'],
};

function proxy(req, res) {
  const headers = { ...req.headers, host: target.host };
  const up = httpRequest(target, { method: req.method, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  up.on('error', (e) => {
    // The page must tell "server down" from a GraphQL error: answer as a gateway would.
    res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`dev-server: ${target} is not answering (${e.code ?? e.message})\n`);
  });
  req.pipe(up);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/graphql') {
    proxy(req, res);
    return;
  }
  const file = files[url.pathname];
  if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found: the explorer is at /explore\n');
    return;
  }
  const [name, type, encoding] = file;
  try {
    const body = await readFile(join(assets, name));
    const headers = { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache' };
    if (encoding) headers['content-encoding'] = encoding;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`dev-server: ${name} is missing: run npm run build\n`);
  }
});

server.listen(Number(port), '127.0.0.1', () => {
  const { port: bound } = server.address();
  console.log(`http://127.0.0.1:${bound}/explore`);
  console.error(`dev-server: /graphql -> ${target}`);
});

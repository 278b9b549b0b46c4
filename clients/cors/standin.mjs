#!/usr/bin/env node
// A stand-in GraphQL endpoint to show that the CORS probe page reports both outcomes:
// `--allow` answers the preflight allowing the headers page.js sends; `--deny` allows only
// content-type (ctgraph's behaviour before issue 9). Answers { __typename } on POST /graphql.
// Prints its /graphql URL as the first line of stdout; logs each preflight to stderr.
//
//   node cors/standin.mjs --allow|--deny
import http from 'node:http';

const mode = process.argv[2];
if (mode !== '--allow' && mode !== '--deny') {
  console.error('usage: standin.mjs --allow|--deny');
  process.exit(2);
}
const allowHeaders = mode === '--allow'
  ? 'content-type, accept, authorization, traceparent, tracestate, apollographql-client-name, apollographql-client-version'
  : 'content-type';

const server = http.createServer((req, res) => {
  const cors = { 'access-control-allow-origin': req.headers.origin ?? '*', vary: 'origin' };
  if (req.method === 'OPTIONS') {
    console.error(`preflight from ${req.headers.origin}: `
      + `${req.headers['access-control-request-method']} ${req.headers['access-control-request-headers']}`);
    res.writeHead(204, {
      ...cors,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': allowHeaders,
      'access-control-max-age': '600',
    });
    return res.end();
  }
  if (req.method === 'POST' && req.url === '/graphql') {
    res.writeHead(200, { ...cors, 'content-type': 'application/graphql-response+json' });
    return res.end(JSON.stringify({ data: { __typename: 'Query' } }));
  }
  res.writeHead(404, cors);
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}/graphql`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));

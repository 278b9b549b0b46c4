// Runs in the browser: one cross-origin POST that needs a CORS preflight (JSON content type
// and non-safelisted headers), its outcome written into <pre id="result">.
const result = document.getElementById('result');
const url = document.querySelector('meta[name="graphql-url"]').content;
// A key the server knows: it refuses a request whose key it does not know.
const key = document.querySelector('meta[name="graphql-key"]').content;

fetch(url, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    authorization: `Bearer ${key}`,
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    'apollographql-client-name': 'test',
  },
  body: JSON.stringify({ query: '{ __typename }' }),
})
  .then(async (res) => {
    const text = await res.text();
    result.textContent = res.ok ? `OK ${text}` : `FAILED HTTP ${res.status} ${text}`;
  })
  // A CORS rejection surfaces only as "TypeError: Failed to fetch"; the browser hides why.
  .catch((err) => { result.textContent = `FAILED ${err}`; });

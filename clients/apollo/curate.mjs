#!/usr/bin/env node
// Apollo Client 4, as a curation front-end uses it against a running ctgraph: an editor's key
// in the Authorization header, a nested create, a correction whose answer updates the
// normalised cache, a stale revision answered with userErrors (no error, cache untouched),
// and the refusals of a request without a key and of an unknown key.
//
//   node apollo/curate.mjs http://127.0.0.1:8000/graphql "$(ctgraph keys create --name fe --role editor)"
import assert from 'node:assert/strict';
import {
  ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache, ServerError, gql,
} from '@apollo/client';

const [url, key] = process.argv.slice(2);
if (!url || !key) {
  console.error('usage: curate.mjs GRAPHQL_URL KEY');
  process.exit(2);
}
const client = (bearer) => new ApolloClient({
  link: new HttpLink({ uri: url, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} }),
  cache: new InMemoryCache(),
});
const editor = client(key);

const IDS = gql`{
  districts(filter: { name: { eq: "Bannu" } }) { nodes { id } }
  organizations(filter: { name: { eq: "Pakistani security forces" } }) { nodes { id } }
  sources(first: 1) { nodes { id } }
}`;
const CREATE = gql`mutation Create($input: CreateOperationInput!) {
  createOperation(input: $input) {
    clientMutationId
    operation { id revision militantsKilled personnel { nodes { id name } } }
    userErrors { field message code }
  }
}`;
const UPDATE = gql`mutation Update($input: UpdateOperationInput!) {
  updateOperation(input: $input) {
    operation { id revision militantsKilled }
    userErrors { field message code }
  }
}`;
const FIELDS = gql`fragment Fields on Operation { revision militantsKilled }`;

const { data: ids } = await editor.query({ query: IDS });
const [district, organization, source] = [ids.districts, ids.organizations, ids.sources]
  .map((c) => c.nodes[0].id);

const created = await editor.mutate({
  mutation: CREATE,
  variables: {
    input: {
      clientMutationId: 'apollo-1',
      title: 'Operation recorded from Apollo Client',
      kind: 'RAID',
      startDate: '2025-04-03',
      datePrecision: 'DAY',
      districtId: district,
      militantsKilled: 2,
      personnel: [{ personnel: { name: 'Constable B', status: 'ACTIVE' }, outcome: 'UNHARMED' }],
      organizations: [{ organizationId: organization, role: 'CONDUCTED_BY' }],
      citations: [{ sourceId: source, quote: 'Two militants were killed in a raid on April 3.' }],
    },
  },
});
const payload = created.data.createOperation;
assert.deepEqual(payload.userErrors, []);
assert.equal(payload.clientMutationId, 'apollo-1');
const { id } = payload.operation;
const cacheId = editor.cache.identify({ __typename: 'Operation', id });
assert.deepEqual(editor.cache.readFragment({ id: cacheId, fragment: FIELDS }),
  { __typename: 'Operation', revision: 1, militantsKilled: 2 });
console.log('ok create: the operation and its new person in one mutation, cached by id');

const cite = [{ sourceId: source, quote: 'Officials later said three were killed.' }];
const updated = await editor.mutate({
  mutation: UPDATE,
  variables: { input: { id, revision: 1, militantsKilled: 3, citations: cite } },
});
assert.deepEqual(updated.data.updateOperation.userErrors, []);
assert.deepEqual(editor.cache.readFragment({ id: cacheId, fragment: FIELDS }),
  { __typename: 'Operation', revision: 2, militantsKilled: 3 });
console.log('ok update: the answer updated the normalised cache');

const stale = await editor.mutate({
  mutation: UPDATE,
  variables: { input: { id, revision: 1, militantsKilled: 9, citations: cite } },
});
assert.equal(stale.error, undefined);
assert.equal(stale.data.updateOperation.operation, null);
assert.equal(stale.data.updateOperation.userErrors[0].code, 'CONFLICT');
assert.deepEqual(stale.data.updateOperation.userErrors[0].field, ['input', 'revision']);
assert.deepEqual(editor.cache.readFragment({ id: cacheId, fragment: FIELDS }),
  { __typename: 'Operation', revision: 2, militantsKilled: 3 });
console.log('ok conflict: a stale revision is a userError; no error, the cache keeps revision 2');

await assert.rejects(
  client(null).mutate({ mutation: UPDATE, variables: { input: { id, militantsKilled: 1, citations: cite } } }),
  (e) => CombinedGraphQLErrors.is(e) && e.errors[0].extensions.code === 'UNAUTHENTICATED',
);
console.log('ok no key: UNAUTHENTICATED');

await assert.rejects(
  client('ctg_unknown').query({ query: IDS }),
  (e) => ServerError.is(e) && e.statusCode === 401,
);
console.log('ok unknown key: 401');

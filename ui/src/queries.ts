// The GraphQL documents the page sends, in one place, and the document the "Query" export
// writes. Fields of the same name but different types on two node types (`kind`, `description`,
// `isoCode`, `status`) are aliased per type, since GraphQL refuses to merge them in one
// selection (the OverlappingFieldsCanBeMerged rule).

/** Just enough of every node to draw, label and date it. */
export const NODE_FIELDS = `
fragment NodeFields on Node {
  __typename
  id
  ... on Operation { title startDate operationKind: kind }
  ... on District { name }
  ... on Province { name }
  ... on Country { name }
  ... on Personnel { name rank }
  ... on Militant { reportedName militantStatus militantDescription: description }
  ... on Organization { name organizationKind: kind }
  ... on Affiliation { affiliationKind: kind since until }
  ... on CommunityAction { communityActionKind: kind date place actionDescription: description }
  ... on Source { title sourceKind: kind }
  ... on ReportedFigure { metric value qualifier }
}`;

export const EDGE_FIELDS = `
fragment EdgeFields on GraphEdge {
  id
  kind
  from
  to
  data {
    __typename
    ... on Deployment { personnelRole personnelOutcome }
    ... on Encounter { militantOutcome }
    ... on Involvement { organizationRole }
    ... on Participation { participationRole }
    ... on Affiliation { id affiliationKind: kind crossBorder since until confidence }
  }
}`;

const WALK_FIELDS = `
fragment WalkFields on Neighborhood {
  truncated
  nodes { ...NodeFields }
  edges { ...EdgeFields }
}`;

const PATH_FIELDS = `
fragment PathFields on GraphPath {
  length
  nodes { ...NodeFields }
  edges { ...EdgeFields }
}`;

export const NEIGHBORHOOD = `query Neighborhood($id: ID!, $depth: Int, $first: Int, $asOf: Date) {
  neighborhood(id: $id, depth: $depth, first: $first, asOf: $asOf) { ...WalkFields }
}
${WALK_FIELDS}
${NODE_FIELDS}
${EDGE_FIELDS}`;

export const PATH = `query Path($from: ID!, $to: ID!, $maxDepth: Int, $asOf: Date) {
  path(from: $from, to: $to, maxDepth: $maxDepth, asOf: $asOf) { ...PathFields }
}
${PATH_FIELDS}
${NODE_FIELDS}
${EDGE_FIELDS}`;

export const SEARCH = `query Search($query: String!, $types: [NodeType!], $first: Int) {
  search(query: $query, types: $types, first: $first) {
    totalCount
    edges { node { ...NodeFields } }
  }
}
${NODE_FIELDS}`;

const CITATIONS = `citations(first: 50) {
      totalCount
      nodes {
        quote
        locator
        confidence
        source { id title publisher url publishedOn sourceKind: kind }
      }
    }`;

/** Each type's own fields for the details panel, and the citations every type has. */
const DETAIL_FIELDS: Record<string, string> = {
  Operation: `title operationKind: kind startDate endDate datePrecision place militantsKilled militantsArrested
    securityKilled securityInjured civiliansKilled summary district { id name }`,
  District: 'name aliases latitude longitude province { id name }',
  Province: 'name provinceIso: isoCode country { id name }',
  Country: 'name countryIso: isoCode',
  Personnel: 'name rank hometown personnelStatus: status organization { id name } hometownDistrict { id name }',
  Militant: `reportedName aliases militantStatus militantDescription: description nationality { id name }
    operatingCountry { id name } organization { id name }`,
  Organization: 'name aliases organizationKind: kind organizationDescription: description baseCountry { id name }',
  Affiliation: `affiliationKind: kind crossBorder since until confidence
    subject { __typename ... on Personnel { id name } ... on Militant { id reportedName } ... on Organization { id name } }
    target { __typename ... on Organization { id name } ... on Country { id name } }`,
  CommunityAction: `communityActionKind: kind date datePrecision place actorsDescription
    actionDescription: description district { id name }`,
  Source: 'title publisher url publishedOn sourceKind: kind sourceDescription: description',
  ReportedFigure: `metric value qualifier periodStart periodEnd quote itemisedValue itemisedUncertain coverage
    difference source { id title sourceKind: kind }`,
};

const DETAIL_SELECTION = Object.entries(DETAIL_FIELDS)
  .map(([type, fields]) => `  ... on ${type} {\n    ${fields}\n    ${CITATIONS}\n  }`)
  .join('\n');

/** One node's fields and citations, for the details panel. */
export const DETAILS = `query Details($id: ID!) {
  node(id: $id) {
    __typename
    id
${DETAIL_SELECTION}
  }
}`;

/** The citations of several nodes: what an edge between them rests on. */
export const CITATIONS_OF = `query CitationsOf($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    id
${Object.keys(DETAIL_FIELDS)
  .map((type) => `    ... on ${type} { ${CITATIONS} }`)
  .join('\n')}
  }
}`;

/** The requests behind a view, for the export: one `neighborhood` or `path` field each. */
export interface ViewRequest {
  alias: string;
  field: 'neighborhood' | 'path';
  args: Record<string, unknown>;
}

function literal(v: unknown): string {
  // Ids, dates and numbers as GraphQL literals; JSON's string syntax is GraphQL's.
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * One document that asks for everything a view drew, as the page asked for it piece by piece:
 * paste it into the playground or POST it to `/graphql` and the same nodes and edges come back.
 */
export function viewDocument(requests: ViewRequest[], comment: string[]): string {
  const fields = requests.map((r) => {
    const args = Object.entries(r.args)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${k}: ${literal(v)}`)
      .join(', ');
    const spread = r.field === 'path' ? '...PathFields' : '...WalkFields';
    return `  ${r.alias}: ${r.field}(${args}) { ${spread} }`;
  });
  const usesPath = requests.some((r) => r.field === 'path');
  const usesWalk = requests.some((r) => r.field === 'neighborhood');
  return [
    ...comment.map((line) => `# ${line}`),
    'query ExplorerView {',
    ...fields,
    '}',
    usesWalk ? WALK_FIELDS : '',
    usesPath ? PATH_FIELDS : '',
    NODE_FIELDS,
    EDGE_FIELDS,
    '',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

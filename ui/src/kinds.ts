// What each kind of node and edge looks like: the schema's `NodeType` values, the colour and
// shape a node of each type is drawn with, and the text that labels a node or an edge.
// Colours come from the Okabe–Ito palette (told apart with colour-blindness); types that share
// a hue differ in shape.

/** The schema's `NodeType` enum, in the order the legend lists them. */
export const NODE_TYPES = [
  'OPERATION',
  'PERSONNEL',
  'MILITANT',
  'ORGANIZATION',
  'COMMUNITY_ACTION',
  'DISTRICT',
  'PROVINCE',
  'COUNTRY',
  'AFFILIATION',
  'REPORTED_FIGURE',
  'SOURCE',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export interface TypeLook {
  /** The GraphQL object type (`__typename`). */
  typename: string;
  /** What a researcher calls one, for headings and the legend. */
  title: string;
  colour: string;
  /** A Cytoscape.js node shape. */
  shape: string;
}

export const LOOK: Record<NodeType, TypeLook> = {
  OPERATION: { typename: 'Operation', title: 'Operation', colour: '#D55E00', shape: 'diamond' },
  PERSONNEL: { typename: 'Personnel', title: 'Security personnel', colour: '#0072B2', shape: 'ellipse' },
  MILITANT: { typename: 'Militant', title: 'Militant', colour: '#B22222', shape: 'triangle' },
  ORGANIZATION: { typename: 'Organization', title: 'Organization', colour: '#CC79A7', shape: 'octagon' },
  COMMUNITY_ACTION: { typename: 'CommunityAction', title: 'Community action', colour: '#E69F00', shape: 'star' },
  DISTRICT: { typename: 'District', title: 'District', colour: '#009E73', shape: 'round-rectangle' },
  PROVINCE: { typename: 'Province', title: 'Province', colour: '#00664A', shape: 'pentagon' },
  COUNTRY: { typename: 'Country', title: 'Country', colour: '#56B4E9', shape: 'hexagon' },
  AFFILIATION: { typename: 'Affiliation', title: 'Affiliation', colour: '#888888', shape: 'tag' },
  REPORTED_FIGURE: { typename: 'ReportedFigure', title: 'Reported figure', colour: '#C8B400', shape: 'vee' },
  SOURCE: { typename: 'Source', title: 'Source', colour: '#555555', shape: 'barrel' },
};

const BY_TYPENAME = new Map<string, NodeType>(NODE_TYPES.map((t) => [LOOK[t].typename, t]));

/** The `NodeType` of a `__typename`, or null for a type this page does not know. */
export function nodeType(typename: string): NodeType | null {
  return BY_TYPENAME.get(typename) ?? null;
}

export function isNodeType(s: string): s is NodeType {
  return (NODE_TYPES as readonly string[]).includes(s);
}

/** A node as `NODE_FIELDS` (queries.ts) selects it. */
export interface RawNode {
  __typename: string;
  id: string;
  [field: string]: unknown;
}

/** `SOME_ENUM_VALUE` as words: "some enum value". */
export function words(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase().replace(/_/g, ' ') : '';
}

export function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function shorten(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : t.slice(0, max - 1).trimEnd() + '…';
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

const QUALIFIER: Record<string, string> = {
  EXACT: '',
  AT_LEAST: 'at least ',
  MORE_THAN: 'more than ',
  APPROXIMATELY: 'about ',
};

/** The name or title a node is labelled with: never empty, whatever the row leaves null. */
export function nodeLabel(n: RawNode): string {
  switch (n.__typename) {
    case 'Operation':
      return text(n.title) ?? 'untitled operation';
    case 'Source':
      return text(n.title) ?? 'untitled source';
    case 'Militant':
      return text(n.reportedName) ?? `unnamed militant (${words(n.militantStatus) || 'status unknown'})`;
    case 'Personnel': {
      const name = text(n.name) ?? 'unnamed';
      return text(n.rank) ? `${n.rank} ${name}` : name;
    }
    case 'CommunityAction': {
      const what = capitalised(words(n.communityActionKind)) || 'Community action';
      const where = text(n.place) ?? (text(n.actionDescription) ? shorten(String(n.actionDescription), 40) : null);
      return where ? `${what}: ${where}` : what;
    }
    case 'Affiliation':
      return `${words(n.affiliationKind) || 'affiliation'}`;
    case 'ReportedFigure':
      return `${QUALIFIER[String(n.qualifier)] ?? ''}${n.value} ${words(n.metric)} (reported)`;
    default:
      return text(n.name) ?? n.__typename;
  }
}

/** The date a node is listed under in the timeline, for operations and community actions. */
export function nodeDate(n: RawNode): string | null {
  if (n.__typename === 'Operation') return text(n.startDate);
  if (n.__typename === 'CommunityAction') return text(n.date);
  return null;
}

/** A second line for a search hit: what tells two hits of one name apart. */
export function nodeHint(n: RawNode): string {
  switch (n.__typename) {
    case 'Operation':
      return [n.startDate, words(n.operationKind)].filter(Boolean).join(' · ');
    case 'CommunityAction':
      return text(n.date) ?? 'undated';
    case 'Organization':
      return words(n.organizationKind);
    case 'Source':
      return n.sourceKind === 'SYNTHETIC' ? 'SYNTHETIC source: generated, never a fact' : words(n.sourceKind);
    case 'Militant':
      return text(n.militantDescription) ? shorten(String(n.militantDescription), 80) : '';
    default:
      return '';
  }
}

/** An edge's label: its `GraphEdgeKind` in words. */
export function edgeLabel(kind: string): string {
  return words(kind);
}

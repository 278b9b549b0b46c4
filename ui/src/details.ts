// The details panel: the selected node's or edge's fields and the citations they rest on, each
// quote with its source and the source's kind. A synthetic source (generated test data) is
// marked so no one can take it for a fact. Also the buttons that act on the selection.

import { explain, field } from './api';
import { h, fill, swatch, type Child } from './dom';
import { LOOK, capitalised, nodeLabel, nodeType, words, type RawNode } from './kinds';
import { CITATIONS_OF, DETAILS } from './queries';
import type { RawEdge } from './graph';

export interface NodeContext {
  isCentre: boolean;
  expanded: boolean;
  pinned: boolean;
}

export interface DetailActions {
  expand(id: string): void;
  hide(id: string): void;
  pin(id: string): void;
  centre(id: string): void;
  /** Selects a node if drawn, or draws it (a related node named in a field). */
  open(id: string): void;
  connect(from: string, to: string): void;
}

interface Citation {
  quote: string | null;
  locator: string | null;
  confidence: string;
  source: { id: string; title: string; publisher: string | null; url: string | null; publishedOn: string | null; sourceKind: string } | null;
}

interface Cited {
  __typename: string;
  id: string;
  citations?: { totalCount: number; nodes: Citation[] };
  [field: string]: unknown;
}

type Ref = { id: string; name?: string; reportedName?: string | null; __typename?: string } | null;

export class Details {
  private generation = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly actions: DetailActions,
  ) {
    this.clear();
  }

  clear(): void {
    this.generation++;
    fill(
      this.root,
      h('p', { class: 'hint' }, 'Select a node or a link to see its fields and the sentences they come from.'),
      h('p', { class: 'hint' }, 'Double-click a node to expand it; shift-click a second node, then “How are these connected?”.'),
    );
  }

  /** Two nodes selected: offer the path between them. */
  showPair(a: RawNode, b: RawNode): void {
    this.generation++;
    fill(
      this.root,
      h('h2', {}, 'Two nodes selected'),
      h('p', {}, heading(a), ' and ', heading(b)),
      h('button', { type: 'button', class: 'primary', onclick: () => this.actions.connect(a.id, b.id) }, 'How are these connected?'),
    );
  }

  async showNode(raw: RawNode, ctx: NodeContext): Promise<void> {
    const gen = ++this.generation;
    const type = nodeType(raw.__typename);
    const body = h('div', { class: 'loading' }, 'Loading fields and citations…');
    fill(
      this.root,
      h('h2', {}, type ? swatch(LOOK[type].shape, LOOK[type].colour) : null, nodeLabel(raw)),
      h('p', { class: 'kind' }, type ? LOOK[type].title : raw.__typename, ctx.isCentre ? ' · centre of the drawing' : ''),
      h(
        'div',
        { class: 'actions' },
        ctx.isCentre
          ? null
          : h('button', { type: 'button', onclick: () => this.actions.expand(raw.id) }, ctx.expanded ? 'Collapse' : 'Expand'),
        ctx.isCentre ? null : h('button', { type: 'button', onclick: () => this.actions.centre(raw.id) }, 'Make centre'),
        h('button', { type: 'button', onclick: () => this.actions.pin(raw.id) }, ctx.pinned ? 'Unpin' : 'Pin'),
        ctx.isCentre ? null : h('button', { type: 'button', onclick: () => this.actions.hide(raw.id) }, 'Hide'),
      ),
      body,
    );
    try {
      const { value, errors } = await field<Cited>('node', DETAILS, { id: raw.id });
      if (gen !== this.generation) return;
      if (!value) {
        fill(body, h('p', { class: 'error' }, 'The server no longer has this node.'));
        return;
      }
      body.className = '';
      fill(
        body,
        value.__typename === 'Source' && value.sourceKind === 'SYNTHETIC' ? syntheticBanner('This source is') : null,
        h('dl', { class: 'facts' }, facts(value, this.actions)),
        partial(errors),
        citations(value, 'Citations'),
      );
    } catch (e) {
      if (gen !== this.generation) return;
      fill(body, h('p', { class: 'error', role: 'alert' }, explain(e, `the details of ${nodeLabel(raw)}`)));
    }
  }

  async showEdge(edge: RawEdge, from: RawNode | null, to: RawNode | null): Promise<void> {
    const gen = ++this.generation;
    const body = h('div', { class: 'loading' }, 'Loading citations…');
    const d = edge.data ?? null;
    const rows: [string, Child][] = [
      ['from', from ? this.link(from.id, nodeLabel(from)) : edge.from],
      ['to', to ? this.link(to.id, nodeLabel(to)) : edge.to],
    ];
    if (d) {
      for (const [k, v] of Object.entries(d)) {
        if (k === '__typename' || k === 'id' || v === null || v === undefined) continue;
        rows.push([fieldLabel(k), show(v)]);
      }
    }
    fill(
      this.root,
      h('h2', {}, capitalised(words(edge.kind))),
      h('p', { class: 'kind' }, 'Link', d ? ` · ${d.__typename}` : ''),
      h('dl', { class: 'facts' }, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      body,
    );
    // An affiliation is a row of its own with citations; other links are facts of their ends.
    const affiliation = d?.__typename === 'Affiliation' && typeof d.id === 'string' ? d.id : null;
    const ids = affiliation ? [affiliation] : [edge.from, edge.to];
    try {
      const { value, errors } = await field<(Cited | null)[]>('nodes', CITATIONS_OF, { ids });
      if (gen !== this.generation) return;
      body.className = '';
      const cited = (value ?? []).filter((c): c is Cited => c !== null);
      fill(
        body,
        partial(errors),
        affiliation
          ? cited.map((c) => citations(c, 'Citations of the affiliation'))
          : cited.map((c) => {
              const end = c.id === edge.from ? from : to;
              return citations(c, `Citations of ${end ? nodeLabel(end) : c.__typename}`);
            }),
      );
    } catch (e) {
      if (gen !== this.generation) return;
      fill(body, h('p', { class: 'error', role: 'alert' }, explain(e, 'the citations of this link')));
    }
  }

  private link(id: string, text: string): HTMLElement {
    return h('button', { type: 'button', class: 'link', onclick: () => this.actions.open(id) }, text);
  }
}

function heading(n: RawNode): HTMLElement {
  return h('strong', {}, nodeLabel(n));
}

function show(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' && /^[A-Z][A-Z_]+$/.test(v)) return words(v);
  if (Array.isArray(v)) return v.length ? v.join(', ') : '—';
  return String(v);
}

/** The rows of the fields table: every scalar field, related nodes as links. */
function facts(n: Cited, actions: DetailActions): Child[] {
  const out: Child[] = [];
  for (const [key, value] of Object.entries(n)) {
    if (key === '__typename' || key === 'id' || key === 'citations' || value === null || value === undefined) continue;
    const label = fieldLabel(key);
    let cell: Child | Child[];
    if (typeof value === 'object' && !Array.isArray(value)) {
      const ref = value as Ref;
      if (!ref || typeof ref.id !== 'string') continue;
      const name = ref.name ?? ref.reportedName ?? (ref.__typename === 'Militant' ? 'unnamed militant' : ref.id);
      cell = h('button', { type: 'button', class: 'link', onclick: () => actions.open(ref.id) }, name);
      if ((value as Record<string, unknown>).sourceKind === 'SYNTHETIC') cell = [cell, ' ', kindBadge('SYNTHETIC')];
    } else if (key === 'url' && typeof value === 'string' && /^https?:\/\//.test(value)) {
      cell = h('a', { href: value, rel: 'noopener noreferrer', target: '_blank' }, value);
    } else if (key === 'sourceKind' && typeof value === 'string') {
      cell = kindBadge(value);
    } else {
      cell = show(value);
    }
    out.push(h('dt', {}, label), h('dd', {}, cell));
  }
  return out;
}

/** A field's name as words, without the type prefix its alias carries: `operationKind` is "kind". */
function fieldLabel(key: string): string {
  return words(key.replace(/([a-z])([A-Z])/g, '$1_$2'))
    .replace(/^(operation|organization|affiliation|community action|source|militant|personnel|action|province|country) (kind|description|status|iso)$/, '$2')
    .replace(/^iso$/, 'ISO code');
}

function kindBadge(kind: string): HTMLElement {
  return h('span', { class: `source-kind source-${kind.toLowerCase()}` }, kind === 'SYNTHETIC' ? 'SYNTHETIC' : words(kind));
}

function syntheticBanner(subject: string): HTMLElement {
  return h(
    'p',
    { class: 'synthetic-banner', role: 'note' },
    `⚠ SYNTHETIC: ${subject} generated data, made for tests and benchmarks. It is never a fact.`,
  );
}

function partial(errors: { message: string }[]): HTMLElement | null {
  if (errors.length === 0) return null;
  return h('p', { class: 'error' }, 'Part of this could not be loaded: ', errors.map((e) => e.message).join('; '));
}

/** The citations of one node: quote, then source, kind, locator and confidence. */
function citations(n: Cited, title: string): HTMLElement {
  const list = n.citations?.nodes ?? [];
  const total = n.citations?.totalCount ?? list.length;
  const synthetic = list.some((c) => c.source?.sourceKind === 'SYNTHETIC');
  return h(
    'section',
    { class: 'citations' },
    h('h3', {}, title, ` (${total})`),
    synthetic ? syntheticBanner('a source cited here is') : null,
    list.length === 0 ? h('p', { class: 'hint' }, 'No citation: nothing records where this came from.') : null,
    list.map((c) =>
      h(
        'figure',
        { class: `citation${c.source?.sourceKind === 'SYNTHETIC' ? ' synthetic' : ''}` },
        c.quote
          ? h('blockquote', { class: 'quote' }, c.quote)
          : h('p', { class: 'hint' }, 'No quote: the source gives a value (a coordinate, a generated row), not a sentence.'),
        h(
          'figcaption',
          {},
          c.source
            ? [
                kindBadge(c.source.sourceKind),
                ' ',
                c.source.url && /^https?:\/\//.test(c.source.url)
                  ? h('a', { href: c.source.url, rel: 'noopener noreferrer', target: '_blank' }, h('cite', {}, c.source.title))
                  : h('cite', {}, c.source.title),
                c.source.publisher ? `, ${c.source.publisher}` : '',
                c.source.publishedOn ? `, ${c.source.publishedOn}` : '',
              ]
            : 'source not loaded',
          c.locator ? ` · ${c.locator}` : '',
          ` · ${words(c.confidence)}`,
        ),
      ),
    ),
    total > list.length ? h('p', { class: 'hint' }, `The first ${list.length} of ${total} are shown.`) : null,
  );
}

// The explorer page at /explore: wires the search box, the drawing, the details panel, the side
// lists and the toolbar to one view state kept in the URL. Every change of what is drawn is a
// new history entry (`apply(next, 'push')`); the back button replays the previous URL through
// the same `apply`. Walks are cached by their request, so stepping back or collapsing an
// expansion asks the server nothing new.
//
// For whoever debugs it: `window.ctgraphExplore.cy` is the Cytoscape.js instance.

import { ApiError, explain, field, type GraphQLErrorBody } from './api';
import { Details } from './details';
import { byId, fill, h } from './dom';
import { Graph, type RawEdge } from './graph';
import { edgeLabel, nodeLabel, type NodeType, type RawNode } from './kinds';
import { Panels } from './panels';
import { NEIGHBORHOOD, PATH, viewDocument, type ViewRequest } from './queries';
import { Search } from './search';
import {
  CAPS,
  DEPTHS,
  PATH_MAX_DEPTH,
  formatState,
  parseState,
  sameDrawing,
  type ViewState,
} from './state';

interface Walk {
  truncated: boolean;
  nodes: RawNode[];
  edges: RawEdge[];
}

interface PathResult {
  length: number;
  nodes: RawNode[];
  edges: RawEdge[];
}

type Level = 'error' | 'notice' | 'info';
interface Message {
  level: Level;
  text: string;
  actions?: [string, () => void][];
}

/** Expansions one view may hold: the export writes one aliased field each, and GraphQL allows 50. */
const MAX_EXPANSIONS = 40;
const CACHE_SIZE = 64;

class App {
  private state: ViewState = parseState(location.search);
  /** The view the drawing shows, once drawn. */
  private drawn: ViewState | null = null;
  private generation = 0;
  private readonly cache = new Map<string, Promise<{ value: unknown; errors: GraphQLErrorBody[] }>>();
  private readonly graph: Graph;
  private readonly details: Details;
  private readonly panels: Panels;
  private selection: string[] = [];
  private messages: Message[] = [];
  private lastRequests: ViewRequest[] = [];
  /** Labels of every node seen (drawn, found, walked), to name nodes in messages. */
  private readonly labels = new Map<string, string>();

  constructor() {
    this.graph = new Graph(byId('graph'), {
      select: (ids) => this.onSelect(ids),
      expand: (id) => this.expand(id),
    });
    this.details = new Details(byId('details'), {
      expand: (id) => this.expand(id),
      hide: (id) => this.hide(id),
      pin: (id) => this.pin(id),
      centre: (id) => this.centre(id),
      open: (id) => this.open(id),
      connect: (from, to) => this.connect(from, to),
    });
    this.panels = new Panels({
      toggleType: (type, on) => this.toggleType(type, on),
      focus: (id) => this.focus(id),
      unhide: (id) => this.unhide(id),
    });
    new Search({
      draw: (n) => {
        this.labels.set(n.id, nodeLabel(n));
        this.centre(n.id);
      },
      connect: (n) => {
        this.labels.set(n.id, nodeLabel(n));
        const from = this.selectedNodes().at(-1) ?? this.state.id;
        if (from) this.connect(from, n.id);
      },
      canConnect: () => this.selectedNodes().length > 0 || this.state.id !== null,
    });
    this.toolbar();
    window.addEventListener('popstate', () => void this.apply(parseState(location.search), 'none'));
    (window as unknown as { ctgraphExplore: object }).ctgraphExplore = { cy: this.graph.cy };
    void this.apply(this.state, 'replace');
  }

  // ---- the view ----------------------------------------------------------------------------

  private requests(s: ViewState): ViewRequest[] {
    const out: ViewRequest[] = [];
    if (s.id) {
      out.push({ alias: 'centre', field: 'neighborhood', args: { id: s.id, depth: s.depth, first: s.first, asOf: s.asOf } });
    }
    s.expand.forEach((id, i) => {
      out.push({ alias: `expand${i + 1}`, field: 'neighborhood', args: { id, depth: 1, first: s.first, asOf: s.asOf } });
    });
    if (s.from && s.to) {
      out.push({ alias: 'path', field: 'path', args: { from: s.from, to: s.to, maxDepth: PATH_MAX_DEPTH, asOf: s.asOf } });
    }
    return out;
  }

  private fetch(r: ViewRequest): Promise<{ value: unknown; errors: GraphQLErrorBody[] }> {
    const key = JSON.stringify(r.args) + r.field;
    let p = this.cache.get(key);
    if (!p) {
      const doc = r.field === 'path' ? PATH : NEIGHBORHOOD;
      p = field<unknown>(r.field, doc, r.args);
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
      if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    }
    return p;
  }

  /**
   * Shows a view: fetches what it needs, merges it into the drawing, lays out what is new.
   * `force` fetches and draws again even when the view is the one drawn (Retry).
   */
  private async apply(next: ViewState, how: 'push' | 'replace' | 'none', force = false): Promise<void> {
    const url = `${location.pathname}${formatState(next)}`;
    if (how === 'push') history.pushState(null, '', url);
    else if (how === 'replace') history.replaceState(null, '', url);
    this.state = next;
    this.syncControls();
    const gen = ++this.generation; // any draw still under way is for another view now
    if (!force && this.drawn && sameDrawing(next, this.drawn)) {
      this.busy(false);
      this.restoreSelection();
      return;
    }
    this.busy(true);
    const requests = this.requests(next);
    const results = await Promise.allSettled(requests.map((r) => this.fetch(r)));
    if (gen !== this.generation) return;
    const receivedAt = performance.now();
    const view = this.collect(next, requests, results);

    // Messages first: they take room above the drawing, which must have its size before layout.
    const summary: Message | null =
      view.nodes.size > 0
        ? { level: 'info', text: `${view.nodes.size} nodes and ${view.edges.size} links${next.asOf ? `, affiliations as of ${next.asOf}` : ''}; drawing…` }
        : null;
    this.messages = summary ? [summary, ...view.messages] : view.messages;
    this.renderMessages();
    byId('placeholder').hidden = view.nodes.size > 0;
    this.graph.cy.resize();

    const fresh = this.drawn?.id !== next.id || this.graph.size === 0;
    await this.graph.sync(view.nodes, view.edges, this.classes(view.pathNodes, view.pathEdges), fresh);
    if (gen !== this.generation) return;
    const laidOut = performance.now();
    this.drawn = next;
    this.lastRequests = requests;
    performance.measure('explore:draw', { start: receivedAt, end: laidOut });
    document.body.dataset.drawMs = String(Math.round(laidOut - receivedAt));
    if (summary) {
      summary.text = summary.text.replace('drawing…', `laid out in ${Math.round(laidOut - receivedAt)} ms.`);
      this.renderMessages();
    }
    this.updatePanels();
    this.restoreSelection();
    this.syncControls();
    // Done once the drawing has been painted: the test reads `paintMs` then.
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    if (gen !== this.generation) return;
    document.body.dataset.paintMs = String(Math.round(performance.now() - receivedAt));
    this.busy(false);
  }

  /** Merges the answers to a view's requests into one set of nodes and edges, with what to say. */
  private collect(next: ViewState, requests: ViewRequest[], results: PromiseSettledResult<{ value: unknown }>[]) {
    const messages: Message[] = [];
    const nodes = new Map<string, RawNode>();
    const edges = new Map<string, RawEdge>();
    const pathNodes = new Set<string>();
    const pathEdges = new Set<string>();
    const add = (ns: RawNode[], es: RawEdge[]) => {
      for (const n of ns) if (!nodes.has(n.id)) nodes.set(n.id, n);
      for (const n of ns) this.labels.set(n.id, nodeLabel(n));
      for (const e of es) if (!edges.has(e.id)) edges.set(e.id, e);
    };
    const retry: [string, () => void] = ['Retry', () => void this.apply(this.state, 'none', true)];
    requests.forEach((r, i) => {
      const res = results[i]!;
      const id = String(r.args.id ?? '');
      const from = this.name(String(r.args.from));
      const to = this.name(String(r.args.to));
      const what =
        r.alias === 'centre' ? `the neighbourhood of ${this.name(id)}` : r.field === 'path' ? `the path from ${from} to ${to}` : `the expansion of ${this.name(id)}`;
      if (res.status === 'rejected') {
        const advice = r.field === 'path' ? 'Connect nodes with fewer links of their own: a person or an operation rather than a country.' : undefined;
        messages.push({ level: 'error', text: explain(res.reason, what, advice), actions: retryable(res.reason) ? [retry] : [] });
        return;
      }
      const { value, errors } = res.value as { value: unknown; errors: GraphQLErrorBody[] };
      if (errors.length > 0) {
        messages.push({ level: 'notice', text: `Part of ${what} could not be loaded: ${errors.map((e) => e.message).join('; ')}` });
      }
      if (r.field === 'neighborhood') {
        const walk = value as Walk;
        add(walk.nodes, walk.edges);
        if (walk.truncated) {
          const depth = Number(r.args.depth);
          messages.push({
            level: 'notice',
            text: `The walk around ${this.name(id, walk.nodes[0])} stopped at ${walk.nodes.length} nodes (truncated): there is more within ${depth} link${depth === 1 ? '' : 's'}.${next.first < 500 ? ' Raise “Nodes” to see more.' : ''}`,
          });
        }
        return;
      }
      const clear: [string, () => void] = ['Clear path', () => this.clearPath()];
      const path = value as PathResult | null;
      if (!path) {
        messages.push({
          level: 'notice',
          text: `${from} and ${to} are not connected within ${PATH_MAX_DEPTH} links${next.asOf ? ` as of ${next.asOf}` : ''}.`,
          actions: [clear],
        });
        return;
      }
      add(path.nodes, path.edges);
      path.nodes.forEach((n) => pathNodes.add(n.id));
      path.edges.forEach((e) => pathEdges.add(e.id));
      messages.push({ level: 'info', text: `Path, ${path.length} link${path.length === 1 ? '' : 's'}: ${describePath(path)}`, actions: [clear] });
    });
    if (next.expand.length > MAX_EXPANSIONS) {
      messages.push({ level: 'notice', text: `${next.expand.length} nodes are expanded; the query export can hold ${MAX_EXPANSIONS}. Collapse some.` });
    }
    return { nodes, edges, pathNodes, pathEdges, messages };
  }

  private busy(on: boolean): void {
    document.body.dataset.busy = String(on);
    byId('busy').hidden = !on;
  }

  private classes(pathNodes = this.pathNodes(), pathEdges = this.pathEdges()) {
    return {
      centre: this.state.id,
      hidden: new Set(this.state.hide),
      off: new Set(this.state.off),
      pathNodes,
      pathEdges,
    };
  }

  private pathNodes(): Set<string> {
    return new Set(this.graph.cy.nodes('.onpath').map((n) => n.id()));
  }

  private pathEdges(): Set<string> {
    return new Set(this.graph.cy.edges('.onpath').map((e) => e.id()));
  }

  private name(id: string, fallback?: RawNode): string {
    const n = this.graph.node(id) ?? fallback;
    return n ? nodeLabel(n) : (this.labels.get(id) ?? `the node “${id}”`);
  }

  private push(change: Partial<ViewState>): void {
    void this.apply({ ...this.state, ...change }, 'push');
  }

  // ---- actions -------------------------------------------------------------------------------

  private centre(id: string): void {
    this.push({ id, expand: [], hide: [], from: null, to: null, sel: id });
  }

  private expand(id: string): void {
    if (id === this.state.id) {
      this.say({ level: 'notice', text: 'That is the centre: its neighbourhood is drawn already. Raise “Depth” to walk further.' });
      return;
    }
    const open = this.state.expand.includes(id);
    this.push({ expand: open ? this.state.expand.filter((x) => x !== id) : [...this.state.expand, id], sel: id });
  }

  private hide(id: string): void {
    if (this.state.hide.includes(id)) return;
    this.push({ hide: [...this.state.hide, id], sel: this.state.sel === id ? null : this.state.sel });
  }

  private unhide(id: string | null): void {
    this.push({ hide: id === null ? [] : this.state.hide.filter((x) => x !== id) });
  }

  private pin(id: string): void {
    this.graph.setPinned(id, !this.graph.isPinned(id));
    this.onSelect(this.selection);
  }

  private open(id: string): void {
    if (this.graph.node(id)) this.focus(id);
    else this.push({ expand: [...this.state.expand, id], sel: id });
  }

  private focus(id: string): void {
    this.graph.selectOnly([id]);
    this.graph.reveal(id);
  }

  private connect(from: string, to: string): void {
    if (from === to) {
      this.say({ level: 'notice', text: 'Pick two different nodes to connect.' });
      return;
    }
    this.push({ from, to, sel: to });
  }

  private clearPath(): void {
    this.push({ from: null, to: null });
  }

  private toggleType(type: NodeType, on: boolean): void {
    const off = new Set(this.state.off);
    if (on) off.delete(type);
    else off.add(type);
    // Switching types changes what shows, not what is walked: no request; a node shown for the
    // first time (it came in while its type was off) is laid out beside the rest.
    const next = { ...this.state, off: [...off] };
    history.pushState(null, '', `${location.pathname}${formatState(next)}`);
    this.state = next;
    if (this.drawn) this.drawn = { ...this.drawn, off: next.off };
    void this.graph.showClasses(this.classes()).then(() => this.updatePanels());
  }

  private selectedNodes(): string[] {
    return this.selection.filter((id) => this.graph.node(id) !== null);
  }

  private onSelect(ids: string[]): void {
    this.selection = ids;
    const nodes = this.selectedNodes();
    byId<HTMLButtonElement>('connect').disabled = nodes.length !== 2;
    const sel = ids.at(-1) ?? null;
    if (sel !== this.state.sel && document.body.dataset.busy !== 'true') {
      this.state = { ...this.state, sel };
      history.replaceState(null, '', `${location.pathname}${formatState(this.state)}`);
    }
    if (ids.length === 0) {
      this.details.clear();
    } else if (nodes.length === 2 && ids.length === 2) {
      this.details.showPair(this.graph.node(nodes[0]!)!, this.graph.node(nodes[1]!)!);
    } else if (ids.length === 1) {
      const id = ids[0]!;
      const node = this.graph.node(id);
      if (node) {
        void this.details.showNode(node, {
          isCentre: id === this.state.id,
          expanded: this.state.expand.includes(id),
          pinned: this.graph.isPinned(id),
        });
      } else {
        const edge = this.graph.edge(id);
        if (edge) void this.details.showEdge(edge, this.graph.node(edge.from), this.graph.node(edge.to));
      }
    } else {
      fill(byId('details'), h('p', { class: 'hint' }, `${ids.length} elements selected. Select one to see its details, or two nodes to connect them.`));
    }
  }

  private restoreSelection(): void {
    const sel = this.state.sel;
    if (sel && this.graph.cy.getElementById(sel).nonempty()) {
      if (!(this.selection.length === 1 && this.selection[0] === sel)) this.graph.selectOnly([sel]);
    } else if (this.selection.length > 0) {
      this.graph.selectOnly([]);
    }
  }

  // ---- messages, panels, toolbar -------------------------------------------------------------

  private say(m: Message): void {
    this.messages = [...this.messages.filter((x) => x.level !== 'notice' || x.text !== m.text), m];
    this.renderMessages();
  }

  private renderMessages(): void {
    fill(
      byId('messages'),
      this.messages.map((m) =>
        h(
          'p',
          { class: `message ${m.level}`, role: m.level === 'error' ? 'alert' : null },
          m.text,
          (m.actions ?? []).map(([label, act]) => h('button', { type: 'button', onclick: act }, label)),
        ),
      ),
    );
  }

  private updatePanels(): void {
    const all = this.graph.cy.nodes().map((n) => n.data('raw') as RawNode);
    const hidden = this.state.hide.map((id) => this.graph.node(id)).filter((n): n is RawNode => n !== null);
    this.panels.update(all, new Set(this.state.off), hidden, this.graph.shownNodes());
  }

  private syncControls(): void {
    byId<HTMLSelectElement>('depth').value = String(this.state.depth);
    const first = byId<HTMLSelectElement>('first');
    if (![...first.options].some((o) => o.value === String(this.state.first))) {
      first.append(h('option', { value: this.state.first }, this.state.first));
    }
    first.value = String(this.state.first);
    byId<HTMLInputElement>('asof').value = this.state.asOf ?? '';
    byId<HTMLButtonElement>('asof-clear').disabled = !this.state.asOf;
    const drawn = this.graph.size > 0;
    for (const id of ['export-png', 'export-json', 'export-query', 'fit', 'relayout']) {
      byId<HTMLButtonElement>(id).disabled = !drawn;
    }
  }

  private toolbar(): void {
    const depth = byId<HTMLSelectElement>('depth');
    fill(depth, DEPTHS.map((d) => h('option', { value: d }, d)));
    depth.addEventListener('change', () => this.push({ depth: Number(depth.value) }));
    const first = byId<HTMLSelectElement>('first');
    fill(first, CAPS.map((c) => h('option', { value: c }, c)));
    first.addEventListener('change', () => this.push({ first: Number(first.value) }));
    const asOf = byId<HTMLInputElement>('asof');
    asOf.addEventListener('change', () => {
      if (asOf.value === '' || /^\d{4}-\d{2}-\d{2}$/.test(asOf.value)) this.push({ asOf: asOf.value || null });
    });
    byId('asof-clear').addEventListener('click', () => this.push({ asOf: null }));
    byId('connect').addEventListener('click', () => {
      const [a, b] = this.selectedNodes();
      if (a && b) this.connect(a, b);
    });
    byId('fit').addEventListener('click', () => this.graph.fit());
    byId('relayout').addEventListener('click', () => void this.graph.layout(true));
    byId('export-png').addEventListener('click', () => void this.exportPng());
    byId('export-json').addEventListener('click', () => this.exportJson());
    byId('export-query').addEventListener('click', () => this.exportQuery());
    byId('copy-link').addEventListener('click', () => void this.copyLink());
  }

  // ---- exports -------------------------------------------------------------------------------

  private baseName(): string {
    const id = this.state.id ?? this.state.to;
    const label = id ? this.name(id) : 'view';
    const slug = label.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
    return `ctgraph-${slug || 'view'}`;
  }

  private queryText(): string {
    const lines = [
      'The GraphQL behind a drawing of ctgraph\'s explorer: POST it to /graphql or paste it into',
      'the playground (/graphiql); it returns the nodes and edges the drawing holds.',
      `View: ${location.href}`,
    ];
    if (this.state.hide.length) lines.push(`Hidden by hand in the drawing: ${this.state.hide.join(', ')}`);
    if (this.state.off.length) lines.push(`Types switched off in the drawing: ${this.state.off.join(', ')}`);
    return viewDocument(this.lastRequests, lines);
  }

  private async exportPng(): Promise<void> {
    try {
      save(await this.graph.png(), `${this.baseName()}.png`);
    } catch (e) {
      this.say({ level: 'error', text: `Could not make the PNG: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private exportJson(): void {
    const json = this.graph.cyjs({
      name: `ctgraph: ${this.baseName().replace(/^ctgraph-/, '')}`,
      url: location.href,
      asOf: this.state.asOf ?? '',
      query: this.queryText(),
    });
    save(new Blob([JSON.stringify(json, null, 2)], { type: 'application/json' }), `${this.baseName()}.cyjs`);
  }

  private exportQuery(): void {
    save(new Blob([this.queryText()], { type: 'application/graphql' }), `${this.baseName()}.graphql`);
  }

  private async copyLink(): Promise<void> {
    try {
      await navigator.clipboard.writeText(location.href);
      this.say({ level: 'info', text: 'Link copied: it opens this view.' });
    } catch {
      this.say({ level: 'info', text: `Copy this link to share the view: ${location.href}` });
    }
  }
}

function retryable(e: unknown): boolean {
  return e instanceof ApiError && (e.kind === 'network' || e.kind === 'timeout' || e.kind === 'http' || e.code === 'DATABASE_UNAVAILABLE' || e.code === 'TIMEOUT');
}

/** "A → member of → B ← operates in ← C": each edge read in its own direction. */
function describePath(p: PathResult): string {
  const parts: string[] = [];
  p.nodes.forEach((n, i) => {
    parts.push(nodeLabel(n));
    const e = p.edges[i];
    if (!e) return;
    const label = edgeLabel(e.kind);
    parts.push(e.from === n.id ? `→ ${label} →` : `← ${label} ←`);
  });
  return parts.join(' ');
}

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

new App();

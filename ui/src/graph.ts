// The drawing: a Cytoscape.js instance, its style, and how a new set of nodes and edges is
// merged into it. Nodes already drawn keep their places (and pinned ones stay put through any
// layout); new nodes start beside a drawn neighbour and fCoSE settles them around the fixed
// rest; in large walks, leaves are set in discs around their hubs (see `layout`). Also the two
// exports of the drawing itself: PNG and Cytoscape JSON.

import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { LOOK, edgeLabel, nodeDate, nodeLabel, nodeType, type NodeType, type RawNode } from './kinds';

cytoscape.use(fcose);

export interface EdgeData {
  __typename: string;
  [field: string]: unknown;
}

export interface RawEdge {
  id: string;
  kind: string;
  from: string;
  to: string;
  data: EdgeData | null;
}

export interface Classes {
  centre: string | null;
  hidden: Set<string>;
  off: Set<NodeType>;
  pathNodes: Set<string>;
  pathEdges: Set<string>;
}

export interface Handlers {
  /** The selection changed; `ids` in the order the elements were selected. */
  select(ids: string[]): void;
  /** A node was double-clicked. */
  expand(id: string): void;
}

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      shape: 'data(shape)' as unknown as cytoscape.Css.NodeShape,
      'background-color': 'data(colour)',
      width: 22,
      height: 22,
      'font-size': 10,
      'font-family': 'system-ui, "DejaVu Sans", sans-serif',
      color: '#1d2530',
      'text-valign': 'bottom',
      'text-margin-y': 3,
      'text-wrap': 'ellipsis',
      'text-max-width': '140px',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.75,
      'text-background-padding': '1px',
      'min-zoomed-font-size': 7,
      'border-width': 1,
      'border-color': '#ffffff',
    },
  },
  { selector: 'node.folded', style: { label: '' } },
  { selector: 'node.folded.pointed, node.folded:selected', style: { label: 'data(label)', 'z-index': 10 } },
  { selector: 'node.centre', style: { width: 34, height: 34, 'border-width': 3, 'border-color': '#1d2530', 'font-weight': 'bold' } },
  { selector: 'node.pinned', style: { 'border-width': 3, 'border-style': 'double', 'border-color': '#1d2530' } },
  { selector: 'node.onpath', style: { 'border-width': 4, 'border-color': '#d40000', 'font-weight': 'bold' } },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'line-color': '#a0a8b4',
      'target-arrow-color': '#a0a8b4',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.8,
      'curve-style': 'bezier',
      label: 'data(label)',
      'font-size': 8,
      'font-family': 'system-ui, "DejaVu Sans", sans-serif',
      color: '#4a5563',
      'text-rotation': 'autorotate',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.75,
      'min-zoomed-font-size': 9,
    },
  },
  { selector: 'edge.folded', style: { label: '', 'line-color': '#c9ced6', 'target-arrow-shape': 'none', width: 1 } },
  { selector: 'edge.affiliation', style: { 'line-style': 'dashed' } },
  { selector: 'edge.killed', style: { 'line-color': '#c0392b', 'target-arrow-color': '#c0392b' } },
  { selector: 'edge.onpath', style: { width: 4, 'line-color': '#d40000', 'target-arrow-color': '#d40000', color: '#8a0000' } },
  {
    selector: 'node:selected',
    style: { 'underlay-color': '#ffbf00', 'underlay-opacity': 0.7, 'underlay-padding': 7, 'underlay-shape': 'ellipse' } as cytoscape.Css.Node,
  },
  { selector: 'edge:selected', style: { 'overlay-color': '#ffbf00', 'overlay-opacity': 0.45, 'overlay-padding': 4 } },
  { selector: '.hidden, .off', style: { display: 'none' } },
];

/** Movable nodes from which leaves are folded around their hub rather than laid out one by one. */
const FOLD_FROM = 150;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
const LEAF_SPACING = 30;
const DISC_HOLE = 40;

/** How far the `i`th leaf (from 1) of a sunflower disc sits from its hub: each gets an equal area. */
function discRadius(i: number): number {
  return i === 0 ? 0 : Math.sqrt(DISC_HOLE * DISC_HOLE + (i * LEAF_SPACING * LEAF_SPACING) / Math.PI);
}

/** A small deterministic hash, so a node's first offset from its neighbour is the same each time. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

export class Graph {
  readonly cy: cytoscape.Core;
  private readonly order: string[] = [];

  constructor(container: HTMLElement, handlers: Handlers) {
    this.cy = cytoscape({
      container,
      style: STYLE,
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: true,
      selectionType: 'additive',
      textureOnViewport: true,
      hideEdgesOnViewport: false,
    });
    // Cytoscape fires one event per element; gather a burst into one report.
    let queued = false;
    const report = () => {
      if (queued) return;
      queued = true;
      queueMicrotask(() => {
        queued = false;
        handlers.select([...this.order]);
      });
    };
    this.cy.on('select', (e) => {
      const id = e.target.id() as string;
      if (!this.order.includes(id)) this.order.push(id);
      report();
    });
    this.cy.on('unselect', (e) => {
      const i = this.order.indexOf(e.target.id() as string);
      if (i >= 0) this.order.splice(i, 1);
      report();
    });
    // A plain click on a node or edge selects it alone; shift- or ctrl-click adds to the selection.
    this.cy.on('tap', 'node, edge', (e) => {
      const ev = e.originalEvent as MouseEvent | undefined;
      if (!ev || !(ev.shiftKey || ev.ctrlKey || ev.metaKey)) {
        this.cy.elements(':selected').not(e.target).unselect();
      }
    });
    this.cy.on('tap', (e) => {
      if (e.target === this.cy) this.cy.elements(':selected').unselect();
    });
    // A double click expands. Cytoscape's own `dbltap` fires for two quick taps on different
    // nodes too (a click and then a shift-click), so count taps on the same node here.
    let last = { id: '', at: 0 };
    this.cy.on('tap', 'node', (e) => {
      const id = e.target.id() as string;
      const now = performance.now();
      if (last.id === id && now - last.at < 400) {
        last = { id: '', at: 0 };
        handlers.expand(id);
      } else {
        last = { id, at: now };
      }
    });
    new ResizeObserver(() => this.cy.resize()).observe(container);
    this.cy.on('mouseover', 'node', (e) => e.target.addClass('pointed'));
    this.cy.on('mouseout', 'node', (e) => e.target.removeClass('pointed'));
  }

  get size(): number {
    return this.cy.nodes().length;
  }

  /**
   * Makes the drawing hold exactly these nodes and edges, then lays out what is new. `fresh`
   * lays everything out anew (a new centre); otherwise drawn nodes stay where they are.
   * Resolves when the layout has stopped.
   */
  async sync(nodes: Map<string, RawNode>, edges: Map<string, RawEdge>, classes: Classes, fresh: boolean): Promise<void> {
    const cy = this.cy;
    const start = performance.now();
    const before = new Set(cy.nodes().map((n) => n.id()));
    cy.batch(() => {
      cy.edges().forEach((e) => {
        if (!edges.has(e.id())) e.remove();
      });
      cy.nodes().forEach((n) => {
        if (!nodes.has(n.id())) n.remove();
      });
      for (const [id, raw] of nodes) {
        const data = nodeData(raw);
        const existing = cy.getElementById(id);
        // A new node starts at a spot of its own: edges between nodes that overlap cannot be
        // drawn, and Cytoscape warns about each one.
        if (existing.nonempty()) existing.data(data);
        else cy.add({ group: 'nodes', data, position: { x: hash(id) * 2000, y: hash(id + '/y') * 2000 } });
      }
      for (const [id, e] of edges) {
        if (cy.getElementById(id).nonempty()) continue;
        if (!nodes.has(e.from) || !nodes.has(e.to)) continue;
        cy.add({ group: 'edges', data: edgeData(e), classes: edgeClasses(e) });
      }
      this.applyClasses(classes);
    });
    const kept = cy.nodes().not('.hidden, .off').filter((n) => before.has(n.id()));
    const merged = performance.now();
    performance.measure('explore:merge', { start, end: merged });
    if (fresh || kept.length === 0) await this.layout(true);
    else await this.placeNew();
    performance.measure('explore:layout', { start: merged, end: performance.now() });
  }

  /** Sets the classes, then places any node they bring into view that was never laid out. */
  async showClasses(c: Classes): Promise<void> {
    this.applyClasses(c);
    await this.placeNew();
  }

  /** Lays out the shown nodes that have no place yet (new, or hidden until now) around the rest. */
  private async placeNew(): Promise<void> {
    const cy = this.cy;
    const fresh = this.shown()
      .nodes()
      .filter((n) => n.scratch('_placed') !== true);
    if (fresh.empty()) return;
    const placed = new Set(cy.nodes().filter((n) => n.scratch('_placed') === true).map((n) => n.id()));
    this.placeBesideNeighbours(fresh, placed);
    await this.layout(false);
    // Zoom out only when something new landed outside the view.
    const view = cy.extent();
    const bb = fresh.boundingBox({ includeLabels: false } as cytoscape.BoundingBoxOptions);
    if (bb.x1 < view.x1 || bb.x2 > view.x2 || bb.y1 < view.y1 || bb.y2 > view.y2) this.fit();
  }

  /** Sets the classes that decide what shows and what stands out; no layout. */
  applyClasses(c: Classes): void {
    const cy = this.cy;
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        const id = n.id();
        n.toggleClass('centre', id === c.centre);
        n.toggleClass('hidden', c.hidden.has(id));
        n.toggleClass('off', c.off.has(n.data('type') as NodeType) && id !== c.centre);
        n.toggleClass('onpath', c.pathNodes.has(id));
      });
      cy.edges().forEach((e) => {
        e.toggleClass('onpath', c.pathEdges.has(e.id()));
      });
    });
  }

  /** New nodes start just beside a node already placed, nearest the drawn part first. */
  private placeBesideNeighbours(added: cytoscape.NodeCollection, before: Set<string>): void {
    const placed = new Set(before);
    let pending = added.toArray();
    for (let round = 0; round < 8 && pending.length > 0; round++) {
      const next: cytoscape.NodeSingular[] = [];
      for (const n of pending) {
        const anchor = n.neighborhood('node').filter((m) => placed.has(m.id()))[0];
        if (!anchor) {
          next.push(n);
          continue;
        }
        const a = hash(n.id()) * 2 * Math.PI;
        const p = anchor.position();
        n.position({ x: p.x + 70 * Math.cos(a), y: p.y + 70 * Math.sin(a) });
        placed.add(n.id());
      }
      if (next.length === pending.length) break;
      pending = next;
    }
    // Nothing drawn links to these: start them in a column to the right of the drawing.
    const bb = this.cy.nodes().filter((n) => before.has(n.id())).boundingBox({ includeLabels: false } as cytoscape.BoundingBoxOptions);
    for (const n of pending) n.position({ x: bb.x2 + 80, y: bb.y1 + hash(n.id()) * bb.h });
  }

  /**
   * Runs fCoSE over what shows; `all` moves every node but pinned ones, else only new ones.
   *
   * A large walk is mostly leaves: nodes whose one link leads back towards the centre, because
   * the walk stopped there. Force-directed layout spends nearly all its time on them and then
   * scatters them among everything else. So past `FOLD_FROM` movable nodes, leaves are folded:
   * fCoSE lays out the rest, each hub as large as the disc its leaves will need, then the leaves
   * are set around their hub in a sunflower disc. Folded leaves are labelled when pointed at.
   */
  layout(all: boolean): Promise<void> {
    const cy = this.cy;
    const shown = this.shown();
    const nodes = shown.nodes();
    if (nodes.empty()) return Promise.resolve();
    const isHeld = (n: cytoscape.NodeSingular) => n.hasClass('pinned') || (!all && n.scratch('_placed') === true);
    const movable = nodes.filter((n) => !isHeld(n));

    const hubOf = new Map<string, cytoscape.NodeSingular>();
    if (movable.length >= FOLD_FROM) {
      // Neighbours among what shows, counted in plain maps: collection operations per node
      // would make this quadratic.
      const around = new Map<string, Set<string>>();
      shown.edges().forEach((e) => {
        const a = e.source().id();
        const b = e.target().id();
        if (a === b) return;
        (around.get(a) ?? around.set(a, new Set()).get(a)!).add(b);
        (around.get(b) ?? around.set(b, new Set()).get(b)!).add(a);
      });
      movable.forEach((n) => {
        if (n.hasClass('centre') || n.hasClass('onpath')) return;
        const mine = around.get(n.id());
        if (!mine || mine.size !== 1) return;
        const hubId = mine.values().next().value!;
        if ((around.get(hubId)?.size ?? 0) > 1) hubOf.set(n.id(), cy.getElementById(hubId) as cytoscape.NodeSingular);
      });
    }
    const leavesOf = new Map<string, cytoscape.NodeSingular[]>();
    for (const [id, hub] of hubOf) {
      const list = leavesOf.get(hub.id()) ?? [];
      list.push(cy.getElementById(id) as cytoscape.NodeSingular);
      leavesOf.set(hub.id(), list);
    }
    // Leaves of one type sit together, in rings from the hub outwards.
    for (const leaves of leavesOf.values()) {
      leaves.sort((a, b) => String(a.data('type')).localeCompare(String(b.data('type'))) || String(a.data('label')).localeCompare(String(b.data('label'))));
    }
    cy.batch(() => {
      nodes.forEach((n) => {
        n.toggleClass('folded', hubOf.has(n.id()));
      });
      shown.edges().forEach((e) => {
        e.toggleClass('folded', hubOf.has(e.data('source') as string) || hubOf.has(e.data('target') as string));
      });
    });
    const core = shown.filter((el) => (el.isNode() ? !hubOf.has(el.id()) : !hubOf.has(el.source().id()) && !hubOf.has(el.target().id())));

    const fixed = core
      .nodes()
      .filter(isHeld)
      .nodes()
      .map((n) => ({ nodeId: n.id(), position: { ...n.position() } }));
    const big = core.nodes().length > 250;
    const options = {
      name: 'fcose',
      quality: all && !big ? 'proof' : 'default',
      randomize: all,
      animate: false,
      fit: false,
      nodeDimensionsIncludeLabels: !big,
      packComponents: false,
      nodeRepulsion: () => (big ? 6000 : 8000),
      idealEdgeLength: () => (big ? 60 : 90),
      edgeElasticity: () => 0.45,
      fixedNodeConstraint: fixed.length > 0 ? fixed : undefined,
    } as unknown as cytoscape.LayoutOptions;
    // While fCoSE runs, a hub is as large as its disc of leaves, so nothing is laid inside it.
    const hubs = cy.collection();
    for (const [hubId, leaves] of leavesOf) {
      const d = 2 * discRadius(leaves.length + 1);
      hubs.merge(cy.getElementById(hubId).style({ width: d, height: d }));
    }
    return new Promise<void>((resolve) => {
      const run = core.layout(options);
      run.one('layoutstop', () => {
        hubs.removeStyle('width height');
        cy.batch(() => {
          // fCoSE keeps a fixed node's box where it was, label included; put the node itself back.
          for (const f of fixed) cy.getElementById(f.nodeId).position(f.position);
          for (const [hubId, leaves] of leavesOf) {
            const p = cy.getElementById(hubId).position();
            leaves.forEach((leaf, i) => {
              const r = discRadius(i + 1);
              leaf.position({ x: p.x + r * Math.cos(i * GOLDEN_ANGLE), y: p.y + r * Math.sin(i * GOLDEN_ANGLE) });
            });
          }
        });
        nodes.forEach((n) => {
          n.scratch('_placed', true);
        });
        if (all) this.fitTo(nodes);
        resolve();
      });
      run.run();
    });
  }

  setPinned(id: string, pinned: boolean): void {
    this.cy.getElementById(id).toggleClass('pinned', pinned);
  }

  isPinned(id: string): boolean {
    return this.cy.getElementById(id).hasClass('pinned');
  }

  /** Selects exactly these elements (quietly if they already are). */
  selectOnly(ids: string[]): void {
    let want = this.cy.collection();
    for (const id of ids) want = want.union(this.cy.getElementById(id));
    this.cy.elements(':selected').not(want).unselect();
    want.select();
  }

  /** Brings an element into view without changing the zoom much. */
  reveal(id: string): void {
    const el = this.cy.getElementById(id);
    if (el.empty()) return;
    this.cy.animate({ center: { eles: el }, duration: 250 });
  }

  fit(): void {
    this.fitTo(this.shown().nodes());
  }

  /**
   * Zooms and pans so these nodes fill the view. Unlike `cy.fit`, it measures no label: with
   * hundreds of nodes, measuring every label costs more than the layout.
   */
  private fitTo(nodes: cytoscape.NodeCollection): void {
    if (nodes.empty()) return;
    const cy = this.cy;
    const bb = nodes.boundingBox({ includeLabels: false, includeOverlays: false, includeEdges: false } as cytoscape.BoundingBoxOptions);
    const pad = 50;
    const w = cy.width();
    const hgt = cy.height();
    const zoom = Math.max(cy.minZoom(), Math.min(1.5, (w - 2 * pad) / Math.max(bb.w, 1), (hgt - 2 * pad) / Math.max(bb.h, 1)));
    cy.viewport({ zoom, pan: { x: (w - zoom * (bb.x1 + bb.x2)) / 2, y: (hgt - zoom * (bb.y1 + bb.y2)) / 2 } });
  }

  /** What shows: nodes neither hidden nor of a type switched off, and the edges between them. */
  private shown(): cytoscape.CollectionReturnValue {
    const nodes = this.cy.nodes().not('.hidden, .off');
    const ids = new Set(nodes.map((n) => n.id()));
    const edges = this.cy.edges().filter((e) => ids.has(e.data('source') as string) && ids.has(e.data('target') as string));
    return nodes.union(edges);
  }

  node(id: string): RawNode | null {
    const n = this.cy.getElementById(id);
    return n.nonempty() && n.isNode() ? (n.data('raw') as RawNode) : null;
  }

  edge(id: string): RawEdge | null {
    const e = this.cy.getElementById(id);
    return e.nonempty() && e.isEdge() ? (e.data('raw') as RawEdge) : null;
  }

  /** The nodes that show, in drawing order. */
  shownNodes(): RawNode[] {
    return this.cy
      .nodes()
      .not('.hidden, .off')
      .map((n) => n.data('raw') as RawNode);
  }

  /** A PNG of everything that shows, at twice the screen's resolution, on white. */
  png(): Promise<Blob> {
    return this.cy.png({ output: 'blob-promise', full: true, scale: 2, bg: '#ffffff', maxWidth: 8000, maxHeight: 8000 });
  }

  /**
   * What shows, as Cytoscape JSON (`{ data, elements: { nodes, edges } }`, every data value a
   * string, number or boolean), which Cytoscape.js and Cytoscape Desktop read.
   */
  cyjs(meta: Record<string, string | number | boolean>): object {
    const shown = this.shown();
    const nodes = shown.nodes().map((n) => ({
      data: flat({ ...(n.data('raw') as RawNode), label: n.data('label'), type: n.data('type') }),
      position: { x: Math.round(n.position().x), y: Math.round(n.position().y) },
    }));
    const edges = shown.edges().map((e) => {
      const raw = e.data('raw') as RawEdge;
      return {
        data: flat({ id: raw.id, source: raw.from, target: raw.to, kind: raw.kind, label: e.data('label'), ...(raw.data ?? {}) }),
      };
    });
    return {
      format_version: '1.0',
      generated_by: 'ctgraph explorer',
      target_cytoscapejs_version: '~3.35',
      data: meta,
      elements: { nodes, edges },
    };
  }
}

function nodeData(raw: RawNode): Record<string, unknown> {
  const type = nodeType(raw.__typename);
  const look = type ? LOOK[type] : { colour: '#999999', shape: 'ellipse' };
  return {
    id: raw.id,
    label: nodeLabel(raw),
    type: type ?? raw.__typename,
    colour: look.colour,
    shape: look.shape,
    date: nodeDate(raw),
    raw,
  };
}

function edgeData(e: RawEdge): Record<string, unknown> {
  return { id: e.id, source: e.from, target: e.to, label: edgeLabel(e.kind), kind: e.kind, raw: e };
}

function edgeClasses(e: RawEdge): string[] {
  const classes: string[] = [];
  if (e.data?.__typename === 'Affiliation') classes.push('affiliation');
  const outcome = e.data?.personnelOutcome ?? e.data?.militantOutcome;
  if (outcome === 'KILLED') classes.push('killed');
  return classes;
}

/** Cytoscape Desktop reads only flat data: nested values become JSON text, `__typename` `typename`. */
function flat(o: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined) continue;
    const key = k === '__typename' ? 'typename' : k;
    out[key] = typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
  }
  return out;
}

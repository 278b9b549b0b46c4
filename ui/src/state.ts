// The view as data, and its home in the URL's query string: `/explore?id=…&depth=2&x=…`.
// Everything that decides what is drawn (centre, expansions, hidden nodes, types switched off,
// `asOf`, the path asked for) lives here, so a link reproduces the drawing and the back button
// (popstate) steps back through it. The selection is kept too, but replaced rather than pushed,
// so back does not step through clicks.

import { isNodeType, type NodeType } from './kinds';

export interface ViewState {
  /** The node whose neighbourhood is drawn; null before the first search. */
  id: string | null;
  /** Links walked out from the centre, 1 to 3. */
  depth: number;
  /** Most nodes one walk returns, 1 to 500. */
  first: number;
  /** Nodes whose own neighbourhood (one link) is merged into the drawing, in the order opened. */
  expand: string[];
  /** Nodes hidden by hand. */
  hide: string[];
  /** Node types switched off. */
  off: NodeType[];
  /** Only affiliations in force on this day (YYYY-MM-DD); null for all. */
  asOf: string | null;
  /** The ends of the path asked for, or null. */
  from: string | null;
  to: string | null;
  /** The selected node or edge. */
  sel: string | null;
}

export const DEPTHS = [1, 2, 3];
export const CAPS = [50, 100, 200, 500];
export const DEFAULT_DEPTH = 1;
export const DEFAULT_FIRST = 200;
export const PATH_MAX_DEPTH = 6;

export function emptyState(): ViewState {
  return {
    id: null,
    depth: DEFAULT_DEPTH,
    first: DEFAULT_FIRST,
    expand: [],
    hide: [],
    off: [],
    asOf: null,
    from: null,
    to: null,
    sel: null,
  };
}

function list(v: string | null): string[] {
  if (!v) return [];
  return [...new Set(v.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}

function int(v: string | null, min: number, max: number, fallback: number): number {
  const n = v === null ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function date(v: string | null): string | null {
  return v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
}

/** Reads a view from a query string; anything missing or malformed takes its default. */
export function parseState(search: string): ViewState {
  const q = new URLSearchParams(search);
  const from = q.get('from') || null;
  const to = q.get('to') || null;
  return {
    id: q.get('id') || null,
    depth: int(q.get('depth'), 1, 3, DEFAULT_DEPTH),
    first: int(q.get('first'), 1, 500, DEFAULT_FIRST),
    expand: list(q.get('x')),
    hide: list(q.get('hide')),
    off: list(q.get('off')).filter(isNodeType),
    asOf: date(q.get('asOf')),
    from: from && to ? from : null,
    to: from && to ? to : null,
    sel: q.get('sel') || null,
  };
}

/** The query string of a view (with its `?`), defaults left out, keys in a fixed order. */
export function formatState(s: ViewState): string {
  const q = new URLSearchParams();
  if (s.id) q.set('id', s.id);
  if (s.depth !== DEFAULT_DEPTH) q.set('depth', String(s.depth));
  if (s.first !== DEFAULT_FIRST) q.set('first', String(s.first));
  if (s.expand.length) q.set('x', s.expand.join(','));
  if (s.hide.length) q.set('hide', s.hide.join(','));
  if (s.off.length) q.set('off', s.off.join(','));
  if (s.asOf) q.set('asOf', s.asOf);
  if (s.from && s.to) {
    q.set('from', s.from);
    q.set('to', s.to);
  }
  if (s.sel) q.set('sel', s.sel);
  const text = q.toString().replace(/%2C/g, ',');
  return text ? `?${text}` : '';
}

/** True when two views draw the same thing (they may differ in selection). */
export function sameDrawing(a: ViewState, b: ViewState): boolean {
  const strip = (s: ViewState) => formatState({ ...s, sel: null });
  return strip(a) === strip(b);
}

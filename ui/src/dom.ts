// A few lines of DOM building, so the panels are written as trees of elements. Text always goes
// in as text nodes, never as HTML: names and quotes come from the database.

export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(key.replace(/^on/, ''), value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'number' ? String(child) : child);
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** A small inline SVG of a node shape in a colour, for the legend and lists. */
export function swatch(shape: string, colour: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 20 20');
  svg.setAttribute('class', 'swatch');
  svg.setAttribute('aria-hidden', 'true');
  let el: SVGElement;
  if (shape === 'ellipse') {
    el = document.createElementNS(ns, 'circle');
    el.setAttribute('cx', '10');
    el.setAttribute('cy', '10');
    el.setAttribute('r', '8');
  } else if (shape === 'round-rectangle' || shape === 'barrel') {
    el = document.createElementNS(ns, 'rect');
    el.setAttribute('x', '2');
    el.setAttribute('y', '4');
    el.setAttribute('width', '16');
    el.setAttribute('height', '12');
    el.setAttribute('rx', shape === 'barrel' ? '6' : '3');
  } else {
    el = document.createElementNS(ns, 'polygon');
    el.setAttribute('points', POLYGONS[shape] ?? POLYGONS.rectangle!);
  }
  el.setAttribute('fill', colour);
  svg.append(el);
  return svg;
}

const POLYGONS: Record<string, string> = {
  rectangle: '2,3 18,3 18,17 2,17',
  diamond: '10,1 19,10 10,19 1,10',
  triangle: '10,2 19,18 1,18',
  octagon: '6,1 14,1 19,6 19,14 14,19 6,19 1,14 1,6',
  hexagon: '5,2 15,2 19,10 15,18 5,18 1,10',
  pentagon: '10,1 19,8 15,19 5,19 1,8',
  star: '10,1 12.5,7 19,7.5 14,12 15.5,19 10,15.5 4.5,19 6,12 1,7.5 7.5,7',
  tag: '1,4 13,4 19,10 13,16 1,16',
  vee: '1,2 10,8 19,2 10,19',
};

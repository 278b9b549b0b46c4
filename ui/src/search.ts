// The search box: the `search` field as you type (or on Enter), hits listed under their type,
// the best type first. Each hit can be drawn (its neighbourhood becomes the drawing) or
// connected (the path from the selected node, or the centre, to it is drawn).

import { explain, field } from './api';
import { byId, fill, h, swatch } from './dom';
import { LOOK, NODE_TYPES, nodeHint, nodeLabel, nodeType, type NodeType, type RawNode } from './kinds';
import { SEARCH } from './queries';

const HITS = 30;

export interface SearchActions {
  draw(node: RawNode): void;
  connect(node: RawNode): void;
  /** Whether "Connect" has a node to start from. */
  canConnect(): boolean;
}

interface SearchResult {
  totalCount: number;
  edges: { node: RawNode }[];
}

export class Search {
  private readonly input = byId<HTMLInputElement>('search-input');
  private readonly type = byId<HTMLSelectElement>('search-type');
  private readonly results = byId('search-results');
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly actions: SearchActions) {
    fill(
      this.type,
      h('option', { value: '' }, 'All types'),
      NODE_TYPES.map((t) => h('option', { value: t }, LOOK[t].title)),
    );
    byId<HTMLFormElement>('search').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    this.input.addEventListener('input', () => {
      clearTimeout(this.timer);
      if (this.input.value.trim() === '') {
        this.close();
        return;
      }
      this.timer = setTimeout(() => void this.run(), 300);
    });
    this.type.addEventListener('change', () => {
      if (this.input.value.trim() !== '') void this.run();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
    document.addEventListener('click', (e) => {
      if (!(e.target instanceof Node) || !byId('search-area').contains(e.target)) this.close();
    });
  }

  close(): void {
    this.generation++;
    this.results.hidden = true;
    fill(this.results);
  }

  private say(cls: string, text: string): void {
    this.results.hidden = false;
    fill(this.results, h('p', { class: cls, role: cls === 'error' ? 'alert' : 'status' }, text));
  }

  async run(): Promise<void> {
    clearTimeout(this.timer);
    const text = this.input.value.trim();
    const gen = ++this.generation;
    if (text === '') {
      this.say('notice', 'Type a name, a place, a rank or any word to search for.');
      return;
    }
    if (!/[\p{L}\p{N}]/u.test(text)) {
      this.say('notice', 'Search needs at least one letter or digit: punctuation only separates words.');
      return;
    }
    const types = this.type.value ? [this.type.value as NodeType] : null;
    this.say('hint', 'Searching…');
    try {
      const { value } = await field<SearchResult>('search', SEARCH, { query: text, types, first: HITS });
      if (gen !== this.generation) return;
      const hits = value?.edges.map((e) => e.node) ?? [];
      if (hits.length === 0) {
        const where = types ? ` among ${LOOK[types[0]!].title.toLowerCase()} nodes` : '';
        this.say('notice', `Nothing matches “${text}”${where}. Every word must begin a word of a name, title, place or description: try fewer or shorter words.`);
        return;
      }
      this.show(hits, value?.totalCount ?? hits.length);
    } catch (e) {
      if (gen !== this.generation) return;
      this.say('error', explain(e, `the search for “${text}”`));
    }
  }

  private show(hits: RawNode[], total: number): void {
    const groups = new Map<string, RawNode[]>();
    for (const hit of hits) {
      const list = groups.get(hit.__typename) ?? [];
      list.push(hit);
      groups.set(hit.__typename, list);
    }
    const connect = this.actions.canConnect();
    this.results.hidden = false;
    fill(
      this.results,
      h('p', { class: 'hint' }, total > hits.length ? `The best ${hits.length} of ${total} hits, by type:` : `${total} hit${total === 1 ? '' : 's'}, by type:`),
      [...groups].map(([typename, nodes]) => {
        const type = nodeType(typename);
        return h(
          'section',
          { class: 'hit-group' },
          h('h3', {}, type ? swatch(LOOK[type].shape, LOOK[type].colour) : null, type ? LOOK[type].title : typename),
          h(
            'ul',
            {},
            nodes.map((n) =>
              h(
                'li',
                { class: 'hit', 'data-id': n.id },
                h('button', { type: 'button', class: 'hit-draw', title: 'Draw its neighbourhood', onclick: () => this.pick(n, 'draw') },
                  h('span', { class: 'hit-label' }, nodeLabel(n)),
                  nodeHint(n) ? h('span', { class: 'hit-hint' }, nodeHint(n)) : null,
                ),
                h('button', {
                  type: 'button',
                  class: 'hit-connect',
                  disabled: !connect,
                  title: connect ? 'Draw the path from the selected node (or the centre) to this one' : 'Draw something first, then connect it to this',
                  onclick: () => this.pick(n, 'connect'),
                }, 'Connect'),
              ),
            ),
          ),
        );
      }),
    );
  }

  private pick(n: RawNode, how: 'draw' | 'connect'): void {
    this.close();
    if (how === 'draw') this.actions.draw(n);
    else this.actions.connect(n);
  }
}

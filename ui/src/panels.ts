// The side lists about what is drawn: the legend (each type's shape and colour, how many are
// drawn, a switch to turn the type off), the timeline (operations and community actions in view,
// by date) and the nodes hidden by hand, each of which can be shown again.

import { byId, fill, h, swatch } from './dom';
import { LOOK, NODE_TYPES, nodeDate, nodeLabel, nodeType, type NodeType, type RawNode } from './kinds';

export interface PanelActions {
  toggleType(type: NodeType, on: boolean): void;
  focus(id: string): void;
  unhide(id: string | null): void;
}

export class Panels {
  private readonly legend = byId('legend');
  private readonly timeline = byId('timeline');
  private readonly hidden = byId('hidden');
  private readonly hiddenSummary = byId('hidden-summary');

  constructor(private readonly actions: PanelActions) {}

  /** `all` is every node drawn (types switched off included), `shown` what shows. */
  update(all: RawNode[], off: Set<NodeType>, hidden: RawNode[], shown: RawNode[]): void {
    const counts = new Map<string, number>();
    for (const n of all) counts.set(n.__typename, (counts.get(n.__typename) ?? 0) + 1);
    fill(
      this.legend,
      NODE_TYPES.map((t) => {
        const count = counts.get(LOOK[t].typename) ?? 0;
        return h(
          'li',
          { class: count === 0 ? 'absent' : null },
          h(
            'label',
            {},
            h('input', {
              type: 'checkbox',
              'data-type': t,
              checked: !off.has(t),
              onchange: (e: Event) => this.actions.toggleType(t, (e.target as HTMLInputElement).checked),
            }),
            swatch(LOOK[t].shape, LOOK[t].colour),
            LOOK[t].title,
            h('span', { class: 'count' }, count),
          ),
        );
      }),
    );

    const dated = shown
      .filter((n) => n.__typename === 'Operation' || n.__typename === 'CommunityAction')
      .map((n) => ({ n, date: nodeDate(n) }))
      .sort((a, b) => (a.date ?? '9999').localeCompare(b.date ?? '9999') || nodeLabel(a.n).localeCompare(nodeLabel(b.n)));
    fill(
      this.timeline,
      dated.length === 0
        ? h('li', { class: 'hint' }, 'No operation or community action in view.')
        : dated.map(({ n, date }) => {
            const type = nodeType(n.__typename);
            return h(
              'li',
              {},
              h('time', {}, date ?? 'undated'),
              h('button', { type: 'button', class: 'link', onclick: () => this.actions.focus(n.id) },
                type ? swatch(LOOK[type].shape, LOOK[type].colour) : null,
                nodeLabel(n),
              ),
            );
          }),
    );

    this.hiddenSummary.textContent = hidden.length === 0 ? 'Hidden nodes' : `Hidden nodes (${hidden.length})`;
    fill(
      this.hidden,
      hidden.length === 0
        ? h('li', { class: 'hint' }, 'Nothing hidden. “Hide” in the details panel takes a node out of the drawing.')
        : [
            ...hidden.map((n) =>
              h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => this.actions.unhide(n.id) }, 'show'), ' ', nodeLabel(n)),
            ),
            h('li', {}, h('button', { type: 'button', onclick: () => this.actions.unhide(null) }, 'Show all hidden')),
          ],
    );
  }
}

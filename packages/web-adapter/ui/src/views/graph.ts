/** The dependency graph of the whole catalog: layered by dependency depth, nodes coloured by status. */
import type { AppContext, View } from '../context.js';
import { h, s, setAttr } from '../dom.js';
import { statusLabel } from '../format.js';
import { layoutGraph } from '../graph-layout.js';
import type { StoreChange } from '../store.js';
import { type ServiceSummary, STATUSES } from '../types.js';

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function graphView(ctx: AppContext): View {
  const { store } = ctx;
  const canvas = h('div', { class: 'graph-scroll', tabindex: '-1' });
  const nodes = new Map<string, SVGAElement>();
  const element = h(
    'div',
    { class: 'page graph-page' },
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, 'Dependency graph')),
    h(
      'p',
      { class: 'muted' },
      'Services without dependencies are on the left; each service sits right of everything it depends on. Arrows point from a service to what it needs. Select a service to open it.',
    ),
    h(
      'ul',
      { class: 'legend', 'aria-label': 'Legend' },
      STATUSES.map((st) =>
        h(
          'li',
          null,
          h('span', { class: `legend-swatch status-${st}`, 'aria-hidden': 'true' }),
          `${statusLabel(st).symbol} ${statusLabel(st).text}`,
        ),
      ),
      h(
        'li',
        null,
        h('span', { class: 'legend-swatch disabled', 'aria-hidden': 'true' }),
        'dashed: disabled',
      ),
    ),
    canvas,
  );

  const nodeLabel = (service: ServiceSummary): string =>
    `${service.name} (${service.id}): ${statusLabel(service.status).text}${service.enabled ? '' : ', disabled'}${
      service.dependencies.length > 0 ? `; depends on ${service.dependencies.join(', ')}` : ''
    }`;

  function updateNode(service: ServiceSummary): void {
    const node = nodes.get(service.id);
    if (!node) return;
    setAttr(node, 'class', `node status-${service.status}${service.enabled ? '' : ' disabled'}`);
    setAttr(node, 'aria-label', nodeLabel(service));
    const symbol = node.querySelector('.node-symbol');
    if (symbol && symbol.textContent !== statusLabel(service.status).symbol)
      symbol.textContent = statusLabel(service.status).symbol;
    const title = node.querySelector('title');
    if (title) title.textContent = nodeLabel(service);
  }

  function render(): void {
    nodes.clear();
    const services = [...store.services.values()];
    if (!store.loaded) {
      canvas.replaceChildren(h('p', { class: 'muted' }, 'Loading services…'));
      return;
    }
    if (services.length === 0) {
      canvas.replaceChildren(h('p', { class: 'muted' }, 'No services in the catalog.'));
      return;
    }
    const layout = layoutGraph(services, { nodeWidth: 190, nodeHeight: 40, columnGap: 90, rowGap: 14 });
    const byId = new Map(services.map((sv) => [sv.id, sv]));
    const edges = layout.edges.map((edge) =>
      s('path', {
        class: `edge${edge.back ? ' back' : ''}`,
        d: edge.d,
        'marker-end': 'url(#arrow)',
        'data-from': edge.from,
        'data-to': edge.to,
      }),
    );
    // Focus order follows the layers, top to bottom.
    const ordered = [...layout.nodes].sort((a, b) => a.layer - b.layer || a.y - b.y);
    const nodeElements = ordered.map((box) => {
      const service = byId.get(box.id);
      if (!service) return null;
      const link = s(
        'a',
        {
          href: `/services/${encodeURIComponent(box.id)}`,
          'data-testid': `graph-node-${box.id}`,
          'data-id': box.id,
        },
        s('title', null, nodeLabel(service)),
        s('rect', { class: 'node-box', x: box.x, y: box.y, width: box.width, height: box.height, rx: 8 }),
        s(
          'text',
          { class: 'node-symbol', x: box.x + 10, y: box.y + box.height / 2 + 5 },
          statusLabel(service.status).symbol,
        ),
        s('text', { class: 'node-name', x: box.x + 32, y: box.y + 17 }, clip(service.name, 22)),
        s('text', { class: 'node-id', x: box.x + 32, y: box.y + 32 }, clip(service.id, 26)),
      );
      nodes.set(box.id, link);
      updateNode(service);
      return link;
    });
    const svg = s(
      'svg',
      {
        class: 'graph',
        width: layout.width,
        height: layout.height,
        viewBox: `0 0 ${layout.width} ${layout.height}`,
        role: 'group',
        tabindex: '-1',
        'aria-label': `Dependency graph of ${services.length} services in ${layout.layers} layers`,
        'data-testid': 'graph',
      },
      s(
        'defs',
        null,
        s(
          'marker',
          {
            id: 'arrow',
            viewBox: '0 0 10 10',
            refX: 9,
            refY: 5,
            markerWidth: 7,
            markerHeight: 7,
            orient: 'auto-start-reverse',
          },
          s('path', { class: 'arrow-head', d: 'M0 0L10 5L0 10z' }),
        ),
      ),
      s('g', { class: 'edges', 'aria-hidden': 'true' }, edges),
      s(
        'g',
        { class: 'nodes' },
        nodeElements.filter((n): n is SVGAElement => n !== null),
      ),
    );
    // Highlight a node's edges while it has focus or the pointer.
    const highlight = (id: string | null): void => {
      for (const path of svg.querySelectorAll<SVGPathElement>('path.edge')) {
        const on = id !== null && (path.dataset.from === id || path.dataset.to === id);
        path.classList.toggle('highlight', on);
      }
    };
    svg.addEventListener('focusin', (event) =>
      highlight((event.target as Element).closest('a')?.getAttribute('data-id') ?? null),
    );
    svg.addEventListener('focusout', () => highlight(null));
    svg.addEventListener('pointerover', (event) =>
      highlight((event.target as Element).closest('a')?.getAttribute('data-id') ?? null),
    );
    svg.addEventListener('pointerleave', () => highlight(null));
    canvas.replaceChildren(svg);
  }

  let structure = '';
  const structureKey = (): string =>
    [...store.services.values()]
      .map((sv) => `${sv.id}:${sv.dependencies.join(',')}`)
      .sort()
      .join('|');

  const unsubscribe = store.subscribe((changes: readonly StoreChange[]) => {
    for (const change of changes) {
      if (change.kind === 'services') {
        const key = structureKey();
        if (key !== structure) {
          structure = key;
          render();
        } else for (const service of store.services.values()) updateNode(service);
      } else if (change.kind === 'service') {
        const service = store.services.get(change.id);
        if (service) updateNode(service);
      }
    }
  });
  structure = structureKey();
  render();

  return { element, title: 'Dependency graph', destroy: unsubscribe };
}

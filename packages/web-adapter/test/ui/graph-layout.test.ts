import { describe, expect, it } from 'vitest';
import { dependencyDepths, layoutGraph } from '../../ui/src/graph-layout.js';

const bot = [
  { id: 'database', dependencies: [] },
  { id: 'cache', dependencies: [] },
  { id: 'reminders', dependencies: ['database'] },
  { id: 'digest', dependencies: ['reminders', 'cache'] },
  { id: 'alerts', dependencies: ['digest', 'missing-service'] },
];

describe('dependency graph layout', () => {
  it('GIVEN a catalog THEN a layer is the longest dependency chain below a service', () => {
    expect(Object.fromEntries(dependencyDepths(bot))).toEqual({
      database: 0,
      cache: 0,
      reminders: 1,
      digest: 2,
      alerts: 3,
    });
  });

  it('GIVEN a layout THEN every dependency sits in a column left of its dependents and no boxes overlap', () => {
    const layout = layoutGraph(bot, { nodeWidth: 100, nodeHeight: 30, columnGap: 50, rowGap: 10, margin: 5 });
    const box = new Map(layout.nodes.map((n) => [n.id, n]));
    for (const node of bot) {
      for (const dep of node.dependencies) {
        const from = box.get(node.id);
        const to = box.get(dep);
        if (from && to) expect(to.x).toBeLessThan(from.x);
      }
    }
    for (const a of layout.nodes) {
      for (const b of layout.nodes) {
        if (a === b) continue;
        const overlap =
          a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap).toBe(false);
      }
    }
    expect(layout.layers).toBe(4);
    expect(layout.width).toBe(5 * 2 + 4 * 100 + 3 * 50);
    expect(layout.nodes.every((n) => n.x + n.width <= layout.width && n.y + n.height <= layout.height)).toBe(
      true,
    );
  });

  it('GIVEN unknown dependencies THEN they get no node and no edge', () => {
    const layout = layoutGraph(bot);
    expect(layout.nodes.map((n) => n.id).sort()).toEqual([
      'alerts',
      'cache',
      'database',
      'digest',
      'reminders',
    ]);
    expect(layout.edges.map((e) => `${e.from}->${e.to}`).sort()).toEqual([
      'alerts->digest',
      'digest->cache',
      'digest->reminders',
      'reminders->database',
    ]);
    expect(layout.edges.every((e) => e.d.startsWith('M') && !e.back)).toBe(true);
  });

  it('GIVEN a dependency cycle THEN the layout still finishes and marks the edge closing it as a back edge', () => {
    const layout = layoutGraph([
      { id: 'a', dependencies: ['b'] },
      { id: 'b', dependencies: ['a'] },
      { id: 'self', dependencies: ['self'] },
    ]);
    expect(layout.nodes).toHaveLength(3);
    expect(layout.edges.filter((e) => e.back)).toHaveLength(1);
  });

  it('GIVEN the same catalog in another order THEN the layout is the same (deterministic)', () => {
    const one = layoutGraph(bot);
    const two = layoutGraph([...bot].reverse());
    const byId = (l: typeof one) => Object.fromEntries(l.nodes.map((n) => [n.id, [n.x, n.y]]));
    expect(byId(two)).toEqual(byId(one));
  });

  it('GIVEN 1 000 services THEN the layout is quick', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      id: `svc-${i}`,
      dependencies: i > 0 ? [`svc-${Math.floor(i / 3)}`] : [],
    }));
    const started = performance.now();
    const layout = layoutGraph(many);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(layout.nodes).toHaveLength(1000);
    expect(layout.edges).toHaveLength(999);
  });

  it('GIVEN no services THEN the layout is empty', () => {
    expect(layoutGraph([])).toMatchObject({ nodes: [], edges: [], width: 0, height: 0, layers: 0 });
  });
});

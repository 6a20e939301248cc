/**
 * A layered layout of the dependency graph: a service's layer is its dependency depth (services without
 * dependencies first, left to right), ordered within layers by the barycentre of their neighbours to
 * keep edges short. Cycles and unknown dependencies are tolerated. No DOM.
 */

export interface GraphInput {
  readonly id: string;
  readonly dependencies: readonly string[];
}

export interface NodeBox {
  readonly id: string;
  readonly layer: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface EdgePath {
  /** The service that depends. */
  readonly from: string;
  /** The service it depends on. */
  readonly to: string;
  /** SVG path data, from the dependent to its dependency. */
  readonly d: string;
  /** Whether the dependency is not a layer to the left (a cycle). */
  readonly back: boolean;
}

export interface GraphLayout {
  readonly nodes: NodeBox[];
  readonly edges: EdgePath[];
  readonly width: number;
  readonly height: number;
  readonly layers: number;
}

export interface LayoutOptions {
  readonly nodeWidth?: number;
  readonly nodeHeight?: number;
  readonly columnGap?: number;
  readonly rowGap?: number;
  readonly margin?: number;
}

/** Each service's depth: 0 without (known) dependencies, else 1 + the deepest dependency. */
export function dependencyDepths(nodes: readonly GraphInput[]): Map<string, number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return -1; // a cycle: this edge does not add depth
    visiting.add(id);
    let d = 0;
    for (const dep of byId.get(id)?.dependencies ?? []) {
      if (!byId.has(dep) || dep === id) continue;
      const child = visit(dep);
      if (child >= 0) d = Math.max(d, child + 1);
    }
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  for (const node of nodes) visit(node.id);
  return depth;
}

/** Lays the graph out left to right by dependency depth. */
export function layoutGraph(nodes: readonly GraphInput[], options: LayoutOptions = {}): GraphLayout {
  const nodeWidth = options.nodeWidth ?? 190;
  const nodeHeight = options.nodeHeight ?? 40;
  const columnGap = options.columnGap ?? 90;
  const rowGap = options.rowGap ?? 14;
  const margin = options.margin ?? 16;

  const ids = new Set(nodes.map((n) => n.id));
  const depths = dependencyDepths(nodes);
  const layerCount = nodes.length === 0 ? 0 : Math.max(...depths.values()) + 1;
  const layers: string[][] = Array.from({ length: layerCount }, () => []);
  const sorted = [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const node of sorted) layers[depths.get(node.id) ?? 0]?.push(node.id);

  // Neighbours both ways, for the barycentre ordering.
  const neighbours = new Map<string, string[]>();
  for (const node of nodes) neighbours.set(node.id, []);
  for (const node of nodes) {
    for (const dep of node.dependencies) {
      if (!ids.has(dep) || dep === node.id) continue;
      neighbours.get(node.id)?.push(dep);
      neighbours.get(dep)?.push(node.id);
    }
  }
  const position = new Map<string, number>();
  const index = (): void => {
    for (const layer of layers) {
      for (const [i, id] of layer.entries()) position.set(id, i);
    }
  };
  index();
  const reorder = (layer: string[], towards: (id: string) => boolean): void => {
    const centre = new Map<string, number>();
    for (const id of layer) {
      const ps = (neighbours.get(id) ?? []).filter(towards).map((n) => position.get(n) ?? 0);
      centre.set(id, ps.length > 0 ? ps.reduce((a, b) => a + b, 0) / ps.length : (position.get(id) ?? 0));
    }
    layer.sort((a, b) => (centre.get(a) ?? 0) - (centre.get(b) ?? 0) || (a < b ? -1 : 1));
    for (const [i, id] of layer.entries()) position.set(id, i);
  };
  for (let sweep = 0; sweep < 4; sweep += 1) {
    for (let l = 1; l < layerCount; l += 1) {
      const layer = layers[l];
      if (layer) reorder(layer, (n) => (depths.get(n) ?? 0) < l);
    }
    for (let l = layerCount - 2; l >= 0; l -= 1) {
      const layer = layers[l];
      if (layer) reorder(layer, (n) => (depths.get(n) ?? 0) > l);
    }
  }

  const tallest = Math.max(0, ...layers.map((layer) => layer.length));
  const innerHeight = tallest * nodeHeight + Math.max(0, tallest - 1) * rowGap;
  const boxes = new Map<string, NodeBox>();
  layers.forEach((layer, l) => {
    const layerHeight = layer.length * nodeHeight + Math.max(0, layer.length - 1) * rowGap;
    const top = margin + (innerHeight - layerHeight) / 2;
    for (const [i, id] of layer.entries()) {
      boxes.set(id, {
        id,
        layer: l,
        x: margin + l * (nodeWidth + columnGap),
        y: top + i * (nodeHeight + rowGap),
        width: nodeWidth,
        height: nodeHeight,
      });
    }
  });

  const edges: EdgePath[] = [];
  for (const node of sorted) {
    const from = boxes.get(node.id);
    if (!from) continue;
    for (const dep of node.dependencies) {
      const to = boxes.get(dep);
      if (!to || dep === node.id) continue;
      const back = to.layer >= from.layer;
      const x1 = from.x;
      const y1 = from.y + from.height / 2;
      const x2 = back ? to.x : to.x + to.width;
      const y2 = to.y + to.height / 2;
      // Forward edges curve between the columns; edges of a cycle loop out to the left of both ends.
      const c1 = back ? x1 - 40 : x1 - Math.max(30, (x1 - x2) / 2);
      const c2 = back ? x2 - 40 : x2 + Math.max(30, (x1 - x2) / 2);
      edges.push({
        from: node.id,
        to: dep,
        d: `M${round(x1)} ${round(y1)}C${round(c1)} ${round(y1)} ${round(c2)} ${round(y2)} ${round(x2)} ${round(y2)}`,
        back,
      });
    }
  }

  return {
    nodes: [...boxes.values()],
    edges,
    width: layerCount === 0 ? 0 : margin * 2 + layerCount * nodeWidth + (layerCount - 1) * columnGap,
    height: nodes.length === 0 ? 0 : margin * 2 + innerHeight,
    layers: layerCount,
  };
}

const round = (n: number): number => Math.round(n * 10) / 10;

import { navigate, BASE } from '../router';

export interface GraphNode {
  id: string;
  label: string;
  type: string;
}
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  type: string;
}

const TYPE_COLOURS: Record<string, string> = {
  virtual_machine: '#0066cc',
  hypervisor_host: '#3e8635',
  auto_scaling_group: '#8476d1',
  block_storage: '#f0ab00',
  file_storage: '#ec7a08',
};

/** Rows of the layered layout, top to bottom: clusters and pools, hosts, VMs, storage. */
const LAYER: Record<string, number> = {
  auto_scaling_group: 0,
  hypervisor_host: 1,
  virtual_machine: 2,
  block_storage: 3,
  file_storage: 3,
};

interface Placed extends GraphNode {
  x: number;
  y: number;
}

function layered(
  nodes: GraphNode[],
  edges: GraphEdge[],
  width: number,
): { placed: Placed[]; height: number } {
  const layers = new Map<number, GraphNode[]>();
  for (const node of nodes) {
    const layer = LAYER[node.type] ?? 4;
    layers.set(layer, [...(layers.get(layer) ?? []), node]);
  }
  const order = [...layers.keys()].sort((a, b) => a - b);
  const placed = new Map<string, Placed>();
  const rowHeight = 120;
  order.forEach((layer, row) => {
    let members = layers.get(layer) ?? [];
    // Order each row by the mean position of its neighbours already placed (fewer crossings).
    members = [...members].sort((a, b) => {
      const mean = (n: GraphNode) => {
        const xs = edges
          .filter((e) => e.source === n.id || e.target === n.id)
          .map((e) => placed.get(e.source === n.id ? e.target : e.source)?.x)
          .filter((x): x is number => x !== undefined);
        return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : Number.MAX_SAFE_INTEGER;
      };
      return mean(a) - mean(b) || a.label.localeCompare(b.label);
    });
    const step = width / (members.length + 1);
    members.forEach((node, index) =>
      placed.set(node.id, { ...node, x: step * (index + 1), y: 50 + row * rowHeight + (index % 2) * 36 }),
    );
  });
  return { placed: [...placed.values()], height: 50 + order.length * rowHeight };
}

function radial(nodes: GraphNode[], center: string, width: number): { placed: Placed[]; height: number } {
  const height = 420;
  const others = nodes.filter((n) => n.id !== center);
  const radius = Math.min(width, height) / 2 - 60;
  const placed: Placed[] = [];
  const middle = nodes.find((n) => n.id === center);
  if (middle) placed.push({ ...middle, x: width / 2, y: height / 2 });
  others.forEach((node, index) => {
    const angle = (2 * Math.PI * index) / Math.max(1, others.length) - Math.PI / 2;
    placed.push({
      ...node,
      x: width / 2 + radius * Math.cos(angle),
      y: height / 2 + radius * Math.sin(angle),
    });
  });
  return { placed, height };
}

/**
 * A relationship graph in SVG, laid out automatically (`center`: the resource and its
 * neighbours in a ring; otherwise in rows by type). Each node links to its resource.
 */
export function Graph({
  nodes,
  edges,
  center,
  label,
}: {
  nodes: GraphNode[];
  edges: GraphEdge[];
  center?: string;
  label: string;
}) {
  const width = center ? 720 : Math.max(900, nodes.length * 44);
  const { placed, height } = center ? radial(nodes, center, width) : layered(nodes, edges, width);
  const at = new Map(placed.map((n) => [n.id, n]));
  return (
    <div style={{ overflowX: 'auto' }}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="group"
        aria-label={label}
        data-graph={center ? 'neighbourhood' : 'topology'}
        style={{ width: '100%', minWidth: center ? 320 : 720, height: 'auto' }}
      >
        <g data-edges="">
          {edges.map((edge) => {
            const a = at.get(edge.source);
            const b = at.get(edge.target);
            if (!a || !b) return null;
            return (
              <g key={edge.id} data-edge={edge.type}>
                <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke="#8a8d90" strokeWidth="1.2" />
                {center && (
                  <text
                    x={(a.x + b.x) / 2}
                    y={(a.y + b.y) / 2 - 4}
                    fontSize="11"
                    textAnchor="middle"
                    fill="#4d5258"
                  >
                    {edge.type.replace(/_/g, ' ')}
                  </text>
                )}
                <title>{`${a.label} ${edge.type.replace(/_/g, ' ')} ${b.label}`}</title>
              </g>
            );
          })}
        </g>
        <g data-nodes="">
          {placed.map((node) => (
            <a
              key={node.id}
              href={`${BASE}/resources/${node.id}/`}
              data-node={node.id}
              aria-label={`${node.label} (${node.type.replace(/_/g, ' ')})`}
              onClick={(event) => {
                event.preventDefault();
                navigate(`/resources/${node.id}/`);
              }}
            >
              <circle
                cx={node.x}
                cy={node.y}
                r={node.id === center ? 14 : 10}
                fill={TYPE_COLOURS[node.type] ?? '#6a6e73'}
                stroke="#151515"
                strokeWidth={node.id === center ? 2 : 0.5}
              />
              <text x={node.x} y={node.y + 26} fontSize={center ? 12 : 14} textAnchor="middle" fill="#151515">
                {node.label}
              </text>
            </a>
          ))}
        </g>
      </svg>
    </div>
  );
}

// Reads a V8 .heapsnapshot (the JSON that node:v8 writeHeapSnapshot() writes) into two tables:
// shallow size and count per constructor, and ArrayBuffer backing-store bytes per owning object
// (the first retainer up the chain that is not a typed array, Buffer or internal node). Written by
// hand because the format is a flat array documented only by its own `meta` block, and no
// maintained package we have reads it; a diff of two summaries is the growth between snapshots.
import { readFile } from 'node:fs/promises';

/** Count and summed self size of one constructor (or node kind). */
export interface ClassTotal {
  count: number;
  bytes: number;
}

/** The summary of one snapshot. */
export interface HeapSummary {
  /** Sum of every node's self size (≈ V8 heap used, plus backing stores reported as native nodes). */
  totalBytes: number;
  /** Key: constructor name for objects, `(kind) name` for everything else. */
  byClass: Map<string, ClassTotal>;
  /** Key: `Owner.edge`, the object keeping an ArrayBuffer's backing store alive. */
  arrayBuffersByOwner: Map<string, ClassTotal>;
}

interface SnapshotJson {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Holder classes an ArrayBuffer's owner search looks through. */
const passThrough = new Set([
  'ArrayBuffer',
  'Uint8Array',
  'Buffer',
  'FastBuffer',
  'DataView',
  'Float32Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float64Array',
  'Uint16Array',
  'Int8Array',
]);

/** Summarises one snapshot file. */
export async function summarizeHeapSnapshot(file: string): Promise<HeapSummary> {
  const json = JSON.parse(await readFile(file, 'utf8')) as SnapshotJson;
  const { meta } = json.snapshot;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) => meta.node_fields.indexOf(f)) as [
    number,
    number,
    number,
    number,
  ];
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const { nodes, edges, strings } = json;
  const count = nodes.length / nf;
  const typeOf = (n: number): string => nodeTypes[nodes[n * nf + typeAt] as number] ?? '?';
  const nameOf = (n: number): string => strings[nodes[n * nf + nameAt] as number] ?? '?';

  const byClass = new Map<string, ClassTotal>();
  let totalBytes = 0;
  // Reverse edges: the first strong retainer of each node, and the edge name it holds it by.
  const retainer = new Int32Array(count).fill(-1);
  const retainerEdge = new Array<string>(count);
  let edge = 0;
  for (let n = 0; n < count; n++) {
    const type = typeOf(n);
    const size = nodes[n * nf + sizeAt] as number;
    totalBytes += size;
    const key =
      type === 'object' || type === 'native' ? nameOf(n) : `(${type})${type === 'hidden' || type === 'array' ? ` ${nameOf(n)}` : ''}`;
    const total = byClass.get(key) ?? { count: 0, bytes: 0 };
    total.count++;
    total.bytes += size;
    byClass.set(key, total);
    const edgeCount = nodes[n * nf + edgeCountAt] as number;
    for (let e = 0; e < edgeCount; e++, edge += ef) {
      const edgeType = edgeTypes[edges[edge + edgeTypeAt] as number];
      if (edgeType === 'weak' || edgeType === 'shortcut') continue;
      const to = (edges[edge + toAt] as number) / nf;
      if (retainer[to] !== -1) continue;
      retainer[to] = n;
      const nameOrIndex = edges[edge + edgeNameAt] as number;
      retainerEdge[to] = edgeType === 'element' || edgeType === 'hidden' ? `[${nameOrIndex}]` : (strings[nameOrIndex] ?? '?');
    }
  }

  const arrayBuffersByOwner = new Map<string, ClassTotal>();
  for (let n = 0; n < count; n++) {
    if (typeOf(n) !== 'native' || !nameOf(n).includes('JSArrayBufferData')) continue;
    const size = nodes[n * nf + sizeAt] as number;
    let owner = retainer[n] ?? -1;
    let via = retainerEdge[n] ?? '?';
    for (let hops = 0; owner !== -1 && hops < 6; hops++) {
      const name = nameOf(owner);
      if (typeOf(owner) === 'object' && !passThrough.has(name) && !name.startsWith('system /')) break;
      via = retainerEdge[owner] ?? via;
      owner = retainer[owner] ?? -1;
    }
    const key = owner === -1 ? '(unowned)' : `${nameOf(owner)}.${via}`;
    const total = arrayBuffersByOwner.get(key) ?? { count: 0, bytes: 0 };
    total.count++;
    total.bytes += size;
    arrayBuffersByOwner.set(key, total);
  }
  return { totalBytes, byClass, arrayBuffersByOwner };
}

/** One row of a growth table: what `after` holds beyond `before`. */
export interface Growth {
  key: string;
  count: number;
  bytes: number;
}

/** The `top` keys that grew most in bytes from `before` to `after`. */
export function growth(before: Map<string, ClassTotal>, after: Map<string, ClassTotal>, top: number): Growth[] {
  const rows: Growth[] = [];
  for (const [key, a] of after) {
    const b = before.get(key) ?? { count: 0, bytes: 0 };
    rows.push({ key, count: a.count - b.count, bytes: a.bytes - b.bytes });
  }
  return rows.sort((x, y) => y.bytes - x.bytes).slice(0, top);
}

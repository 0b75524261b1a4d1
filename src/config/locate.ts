import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

export type PathSegment = string | number;

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** `metric_transformations[0].value_from_label` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

function start(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}

/**
 * Finds where `path` is in the YAML document. With `atKey`, points at the key
 * of the last segment instead of its value (used for unknown keys). When the
 * path does not exist (a missing field), points at the deepest parent found.
 */
export function locate(doc: Document, lc: LineCounter, path: readonly PathSegment[], atKey = false): Position {
  let node: Node | null | undefined = doc.contents;
  let offset = start(node) ?? 0;
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair: Pair | undefined = node.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const keyNode = pair.key as Node;
      node = (last && atKey ? keyNode : (pair.value as Node | null)) ?? keyNode;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg] as Node | undefined;
    } else {
      break;
    }
    offset = start(node) ?? offset;
  }
  const { line, col } = lc.linePos(offset);
  return { line, column: col };
}

import { isMap, isNode, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node, Pair } from 'yaml';

/** A 1-based position in a scenario file, as editors and terminals count. */
export interface SourcePosition {
  line: number;
  col: number;
}

/** `['faults', 2, 'atSec']` becomes `faults[2].atSec`; the empty path is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? '(root)' : text;
}

function findPair(map: { items: Pair[] }, key: PropertyKey): Pair | undefined {
  return map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(key));
}

/**
 * The offset in the source of the node at `path`. Where the path leaves the document (a
 * missing field), the deepest node that exists stands in: for a missing field that is the
 * mapping it belongs in. With `atKey`, the last segment points at the key, not its value,
 * which is what an unknown key wants.
 */
export function locateOffset(doc: Document, path: readonly PropertyKey[], atKey = false): number {
  let node: Node | null = isNode(doc.contents) ? doc.contents : null;

  for (const [index, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = findPair(node, segment);
      if (pair === undefined) break;
      const keyNode = isNode(pair.key) ? pair.key : null;
      const valueNode = isNode(pair.value) ? pair.value : null;
      const wantKey = atKey && index === path.length - 1;
      node = wantKey ? (keyNode ?? valueNode) : (valueNode ?? keyNode);
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!isNode(item)) break;
      node = item;
    } else {
      break;
    }
  }

  return node?.range?.[0] ?? 0;
}

/** The 1-based line and column of a source offset. */
export function positionOf(lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line, col };
}

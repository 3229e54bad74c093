import { z } from 'zod';

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of neighbours, so
 * `ratePreSec` is one edit from `ratePerSec`. Case is ignored: `ratepersec` is a typo too.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows: number[][] = [];
  for (let i = 0; i <= s.length; i++) rows.push([i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 0; j <= t.length; j++) rows[0]![j] = j;

  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      const swapped = i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1];
      if (swapped) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[s.length]![t.length]!;
}

/** The known word closest to `word`, if one is within `maxDistance` edits. */
export function closestMatch(
  word: string,
  known: readonly string[],
  maxDistance = 2,
): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of known) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function field(value: unknown, key: PropertyKey): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  return (value as Record<PropertyKey, unknown>)[key];
}

/** Looks through wrappers to the schema that decides the shape of `value`. */
function unwrap(schema: z.ZodType, value: unknown, pickBranch: boolean): z.ZodType | undefined {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodDiscriminatedUnion && pickBranch) {
      const union = current;
      const kind = field(value, union.def.discriminator);
      return unionOptions(union).find((option) => literalOf(option, union)?.has(kind));
    }
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodDefault) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.out as z.ZodType;
    } else {
      return current;
    }
  }
}

function unionOptions(union: z.ZodDiscriminatedUnion): z.ZodType[] {
  return union.options as z.ZodType[];
}

/** The values an option of a discriminated union takes for the discriminator. */
function literalOf(option: z.ZodType, union: z.ZodDiscriminatedUnion): Set<unknown> | undefined {
  if (!(option instanceof z.ZodObject)) return undefined;
  const literal: unknown = option.shape[union.def.discriminator];
  return literal instanceof z.ZodLiteral ? (literal.values as Set<unknown>) : undefined;
}

/**
 * The schema at `path` inside `root`, following `input` to pick the branch of a
 * discriminated union (unless `pickBranch` is false for the last step); undefined where the
 * path leaves the schema.
 */
export function schemaAt(
  root: z.ZodType,
  input: unknown,
  path: readonly PropertyKey[],
  pickBranch = true,
): z.ZodType | undefined {
  let schema = unwrap(root, input, pickBranch || path.length > 0);
  let value = input;
  for (const [index, segment] of path.entries()) {
    if (schema instanceof z.ZodObject) schema = schema.shape[segment as string] as z.ZodType;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else return undefined;
    if (schema === undefined) return undefined;
    value = field(value, segment);
    schema = unwrap(schema, value, pickBranch || index < path.length - 1);
  }
  return schema;
}

/** The keys a mapping at `path` may hold. */
export function knownKeysAt(
  root: z.ZodType,
  input: unknown,
  path: readonly PropertyKey[],
): string[] {
  const schema = schemaAt(root, input, path);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** The values the discriminated union at `path` accepts for its discriminator. */
export function discriminatorValuesAt(
  root: z.ZodType,
  input: unknown,
  path: readonly PropertyKey[],
): string[] {
  const union = schemaAt(root, input, path, false);
  if (!(union instanceof z.ZodDiscriminatedUnion)) return [];
  return unionOptions(union).flatMap((option) => [...(literalOf(option, union) ?? [])].map(String));
}

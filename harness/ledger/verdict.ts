/**
 * What the ledger found, message by message, summed. The six classes (ok, lost, recovered,
 * failedButDelivered, indeterminateUndelivered, failedUndelivered) put every attempted message
 * in exactly one place, so they add up to `attempted`; the rest are counters beside them.
 */
export interface VerdictCounts {
  /** Distinct messages the producers tried to send at least once. */
  attempted: number;
  /** Best settlement per message (acked over indeterminate over failed). */
  acked: number;
  failed: number;
  /** Includes messages attempted but never settled: their outcome is just as unknown. */
  indeterminate: number;
  /** Acked and delivered. */
  ok: number;
  /** Acked and never delivered. Only meaningful after a full drain. */
  lost: number;
  /** Indeterminate (or never settled) and delivered anyway. */
  recovered: number;
  /** The producer was told it failed, yet it was delivered. */
  failedButDelivered: number;
  indeterminateUndelivered: number;
  failedUndelivered: number;
  /** Deliveries beyond the first, summed over all messages. */
  duplicated: number;
  /** Deliveries of messages this run never attempted, or could not even decode. */
  unexpected: number;
  /** First deliveries that arrived after a higher sequence of the same producer. */
  reordered: number;
  /** Times the idempotent handler saw an effect it had already applied. */
  duplicateEffects: number;
  /** Attempts beyond the first, summed over all messages. */
  resends: number;
  /** Distinct attempted messages delivered at least once. */
  delivered: number;
}

/** `unknown` is for runs that could not be checked to the end; it never passes. */
export type VerdictStatus = 'ok' | 'fail' | 'unknown';

/** The limits a scenario sets; the `safe` profile wants maxLost and maxUnexpected at 0. */
export interface Expectations {
  maxLost: number;
  maxUnexpected: number;
  /** acked / attempted must reach this, from 0 to 1. */
  minAckedFraction: number;
  /** Checked only when set: only workloads that promise order should set it. */
  maxReordered?: number;
  /** Checked only when set: only workloads with an idempotent handler should set it. */
  maxDuplicateEffects?: number;
}

/** The judgement of one run on one target, with the figures it was made from. */
export interface Verdict {
  status: VerdictStatus;
  /** One plain-English sentence per broken rule, naming the figure and the limit. */
  reasons: string[];
  counts: VerdictCounts;
  /** Whether the broker reported nothing left to consume at the end. */
  drained: boolean;
}

/** All zeros; the ledger fills a copy. */
export function emptyCounts(): VerdictCounts {
  return {
    attempted: 0,
    acked: 0,
    failed: 0,
    indeterminate: 0,
    ok: 0,
    lost: 0,
    recovered: 0,
    failedButDelivered: 0,
    indeterminateUndelivered: 0,
    failedUndelivered: 0,
    duplicated: 0,
    unexpected: 0,
    reordered: 0,
    duplicateEffects: 0,
    resends: 0,
    delivered: 0,
  };
}

/** True when the six classes add up to attempted, as they must for a sound ledger. */
export function checkClassesSum(c: VerdictCounts): boolean {
  const classes =
    c.ok +
    c.lost +
    c.recovered +
    c.failedButDelivered +
    c.indeterminateUndelivered +
    c.failedUndelivered;
  return classes === c.attempted;
}

/**
 * Judges counts against a scenario's expectations. Without a finished drain an undelivered
 * acked message may be lost or merely still queued, so such a run is `unknown`, never `ok`;
 * the rules that do not depend on the drain still report their reasons.
 */
export function judge(
  counts: VerdictCounts,
  expectations: Expectations,
  drained: boolean,
): Verdict {
  const reasons: string[] = [];
  if (!drained) {
    reasons.push(drainReason(counts));
  } else if (counts.lost > expectations.maxLost) {
    reasons.push(
      `${count(counts.lost, 'acked message')} ${were(counts.lost)} never delivered (lost); ` +
        `the limit is ${expectations.maxLost}`,
    );
  }
  reasons.push(...drainIndependentReasons(counts, expectations));

  const status: VerdictStatus = !drained ? 'unknown' : reasons.length > 0 ? 'fail' : 'ok';
  return { status, reasons, counts, drained };
}

function drainReason(counts: VerdictCounts): string {
  return (
    'the final drain did not finish: ' +
    `${count(counts.lost, 'acked message')} undelivered so far cannot be told lost from ` +
    'still queued, and whatever is still queued was never checked'
  );
}

function drainIndependentReasons(counts: VerdictCounts, limits: Expectations): string[] {
  const reasons: string[] = [];
  if (counts.unexpected > limits.maxUnexpected) {
    reasons.push(
      `${count(counts.unexpected, 'delivery', 'deliveries')} of messages never sent in this run ` +
        `(unexpected); the limit is ${limits.maxUnexpected}`,
    );
  }

  if (counts.attempted === 0) {
    reasons.push('nothing was attempted, so no message could be checked');
  } else if (counts.acked / counts.attempted < limits.minAckedFraction) {
    reasons.push(
      `only ${counts.acked} of ${counts.attempted} attempted messages were acked ` +
        `(${percent(counts.acked / counts.attempted)}); ` +
        `the minimum is ${percent(limits.minAckedFraction)}`,
    );
  }

  if (limits.maxReordered !== undefined && counts.reordered > limits.maxReordered) {
    reasons.push(
      `${count(counts.reordered, 'message')} ${were(counts.reordered)} first delivered after a ` +
        `higher sequence of the same producer (reordered); the limit is ${limits.maxReordered}`,
    );
  }
  if (
    limits.maxDuplicateEffects !== undefined &&
    counts.duplicateEffects > limits.maxDuplicateEffects
  ) {
    reasons.push(
      `the idempotent handler applied ${count(counts.duplicateEffects, 'effect')} a second ` +
        `time (duplicate effects); the limit is ${limits.maxDuplicateEffects}`,
    );
  }
  return reasons;
}

function count(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

function were(n: number): string {
  return n === 1 ? 'was' : 'were';
}

/** Two decimals, trailing zeros dropped, so 0.999 reads 99.9% and 1 reads 100%. */
function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

import { describe, expect, it } from 'vitest';

import { checkClassesSum, emptyCounts, judge } from './verdict.js';
import type { Expectations, VerdictCounts } from './verdict.js';

const SAFE: Expectations = { maxLost: 0, maxUnexpected: 0, minAckedFraction: 0.99 };

/** A clean run of 1,000 messages, with overrides; classes are kept consistent by the caller. */
function counts(overrides: Partial<VerdictCounts> = {}): VerdictCounts {
  return {
    ...emptyCounts(),
    attempted: 1000,
    acked: 1000,
    ok: 1000,
    delivered: 1000,
    ...overrides,
  };
}

describe('judge', () => {
  it('passes a drained run within every limit, duplicates included', () => {
    const verdict = judge(counts({ duplicated: 40, resends: 12 }), SAFE, true);
    expect(verdict.status).toBe('ok');
    expect(verdict.reasons).toEqual([]);
    expect(verdict.drained).toBe(true);
    expect(verdict.counts.duplicated).toBe(40);
  });

  it('fails on lost messages and names the figure and the limit', () => {
    const verdict = judge(counts({ ok: 997, lost: 3, delivered: 997 }), SAFE, true);
    expect(verdict.status).toBe('fail');
    expect(verdict.reasons).toEqual([
      '3 acked messages were never delivered (lost); the limit is 0',
    ]);
  });

  it('allows lost messages up to the limit', () => {
    const verdict = judge(counts({ ok: 997, lost: 3 }), { ...SAFE, maxLost: 3 }, true);
    expect(verdict.status).toBe('ok');
  });

  it('fails on unexpected deliveries', () => {
    const verdict = judge(counts({ unexpected: 1 }), SAFE, true);
    expect(verdict.status).toBe('fail');
    expect(verdict.reasons).toEqual([
      '1 delivery of messages never sent in this run (unexpected); the limit is 0',
    ]);
  });

  it('fails when too few messages were acked', () => {
    const verdict = judge(counts({ acked: 985, ok: 985, failedButDelivered: 15 }), SAFE, true);
    expect(verdict.status).toBe('fail');
    expect(verdict.reasons).toEqual([
      'only 985 of 1000 attempted messages were acked (98.5%); the minimum is 99%',
    ]);
  });

  it('passes an acked fraction exactly at the minimum', () => {
    const verdict = judge(counts({ acked: 990, ok: 990, recovered: 10 }), SAFE, true);
    expect(verdict.status).toBe('ok');
  });

  it('fails a run that attempted nothing', () => {
    const verdict = judge(emptyCounts(), { ...SAFE, minAckedFraction: 0 }, true);
    expect(verdict.status).toBe('fail');
    expect(verdict.reasons).toEqual(['nothing was attempted, so no message could be checked']);
  });

  it('checks reordering and duplicate effects only when the scenario sets a limit', () => {
    const messy = counts({ reordered: 5, duplicateEffects: 2 });
    expect(judge(messy, SAFE, true).status).toBe('ok');

    const strict = { ...SAFE, maxReordered: 0, maxDuplicateEffects: 1 };
    const verdict = judge(messy, strict, true);
    expect(verdict.status).toBe('fail');
    expect(verdict.reasons).toEqual([
      '5 messages were first delivered after a higher sequence of the same producer ' +
        '(reordered); the limit is 0',
      'the idempotent handler applied 2 effects a second time (duplicate effects); the limit is 1',
    ]);
  });

  it('lists every broken rule, in a stable order', () => {
    const bad = counts({ acked: 900, ok: 890, lost: 10, failedUndelivered: 100, unexpected: 4 });
    const verdict = judge(bad, SAFE, true);
    expect(verdict.status).toBe('fail');
    expect(verdict.reasons).toHaveLength(3);
    expect(verdict.reasons[0]).toContain('10 acked messages');
    expect(verdict.reasons[1]).toContain('4 deliveries');
    expect(verdict.reasons[2]).toContain('only 900 of 1000');
  });

  it('says unknown, never ok, when the drain did not finish', () => {
    const verdict = judge(counts(), SAFE, false);
    expect(verdict.status).toBe('unknown');
    expect(verdict.drained).toBe(false);
    expect(verdict.reasons).toEqual([
      'the final drain did not finish: 0 acked messages undelivered so far cannot be told ' +
        'lost from still queued, and whatever is still queued was never checked',
    ]);
  });

  it('says unknown rather than fail without a drain, and still lists definite faults', () => {
    const verdict = judge(counts({ ok: 990, lost: 10, unexpected: 2 }), SAFE, false);
    expect(verdict.status).toBe('unknown');
    expect(verdict.reasons).toHaveLength(2);
    expect(verdict.reasons[0]).toMatch(/^the final drain did not finish: 10 acked messages /);
    expect(verdict.reasons[1]).toContain('2 deliveries of messages never sent');
  });
});

describe('checkClassesSum', () => {
  it('accepts classes that add up to attempted', () => {
    const sound = counts({
      ok: 500,
      lost: 1,
      recovered: 2,
      failedButDelivered: 3,
      indeterminateUndelivered: 4,
      failedUndelivered: 490,
    });
    expect(checkClassesSum(sound)).toBe(true);
  });

  it('rejects classes that miss a message or count one twice', () => {
    expect(checkClassesSum(counts({ ok: 999 }))).toBe(false);
    expect(checkClassesSum(counts({ recovered: 1 }))).toBe(false);
  });
});

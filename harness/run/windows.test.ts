import { describe, expect, it } from 'vitest';
import { newLatencyHistogram, encodeHistogram } from '../metrics/histogram.js';
import type { AppliedFault } from '../report/result.js';
import { quietSeconds, steadyStateFigures } from './windows.js';

function fault(appliedAtSec: number, revertedAtSec: number): AppliedFault {
  return {
    index: 0,
    kind: 'latency',
    spec: {},
    plannedAtSec: appliedAtSec,
    appliedAtSec,
    revertedAtSec,
    evidence: {},
    error: null,
    window: null,
  };
}

function encodedOf(valueUs: number): string {
  const h = newLatencyHistogram();
  h.recordValue(valueUs);
  return encodeHistogram(h);
}

describe('quiet seconds', () => {
  it('leaves out each fault window and the 5 s after it heals', () => {
    expect(quietSeconds([fault(8, 14.01)], 5, 25)).toEqual([5, 6, 7, 20, 21, 22, 23, 24]);
  });

  it('keeps every headline second when no fault struck, and none of the warm-up', () => {
    const unapplied = { ...fault(3, 4), appliedAtSec: null };
    expect(quietSeconds([unapplied], 2, 6)).toEqual([2, 3, 4, 5]);
  });

  it('takes percentiles from the quiet seconds only', () => {
    const histograms = {
      publish: [1_000, 1_000, 900_000, 900_000, 1_000].map(encodedOf),
      endToEnd: [2_000, 2_000, 800_000, 800_000, 2_000].map(encodedOf),
    };
    const figures = steadyStateFigures([fault(2, 2.5)], histograms, [0, 5]);
    expect(figures.seconds).toBe(2);
    expect(figures.publishP99Us).toBeLessThan(1_100);
    expect(figures.endToEndP50Us).toBeGreaterThan(1_900);
    expect(figures.endToEndP50Us).toBeLessThan(2_100);
  });
});

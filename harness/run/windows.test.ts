import { describe, expect, it } from 'vitest';
import { newLatencyHistogram, encodeHistogram } from '../metrics/histogram.js';
import type { AppliedFault } from '../report/result.js';
import { quietSeconds, recoveredAtSec, steadyStateFigures, windowFigures } from './windows.js';
import type { CountBetween } from './windows.js';

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

function steadySeries(length: number, rate: number, overrides: Record<number, [number, number]>) {
  return Array.from({ length }, (_, sec) => {
    const [acked, received] = overrides[sec] ?? [rate, rate];
    const s = { sec, sent: rate, acked, failed: 0, indeterminate: 0, received };
    return { ...s, publishP99Us: 0, endToEndP99Us: 0 };
  });
}

describe('quiet seconds', () => {
  it('leaves out a fault window and its aftermath until acks and deliveries are back', () => {
    // Fault 8-14; acks back at 15 but the consumer only catches up at 17 (burst), steady 18 on.
    const series = steadySeries(25, 100, {
      8: [0, 0],
      9: [0, 0],
      10: [0, 0],
      11: [0, 0],
      12: [0, 0],
      13: [0, 0],
      14: [600, 0],
      15: [100, 0],
      16: [100, 0],
      17: [100, 900],
    });
    expect(recoveredAtSec(series, 14.01, 100)).toBe(18);
    expect(quietSeconds([fault(8, 14.01)], series, 100, [5, 25])).toEqual([
      5, 6, 7, 18, 19, 20, 21, 22, 23, 24,
    ]);
  });

  it('keeps every headline second when no fault struck, and none of the warm-up', () => {
    const unapplied = { ...fault(3, 4), appliedAtSec: null };
    expect(quietSeconds([unapplied], steadySeries(8, 10, {}), 10, [2, 6])).toEqual([2, 3, 4, 5]);
  });

  it('takes percentiles from the quiet seconds only', () => {
    const histograms = {
      publish: [1_000, 1_000, 900_000, 900_000, 1_000, 1_000, 1_000].map(encodedOf),
      endToEnd: [2_000, 2_000, 800_000, 800_000, 2_000, 2_000, 2_000].map(encodedOf),
    };
    const series = steadySeries(7, 10, { 2: [0, 0], 3: [30, 30] });
    const figures = steadyStateFigures([fault(2, 2.5)], series, 10, histograms, [0, 7]);
    expect(figures.seconds).toBe(5);
    expect(figures.publishP99Us).toBeLessThan(1_100);
    expect(figures.endToEndP50Us).toBeGreaterThan(1_900);
    expect(figures.endToEndP50Us).toBeLessThan(2_100);
  });
});

describe('fault window figures', () => {
  it('counts only what happened inside the window, to a tenth of a second', () => {
    // 20 acks per tenth until 30 s, none until 37.7 s, then a burst of 1,600 at 37.7 s.
    const tenths: number[] = Array.from({ length: 450 }, (_, i) => (i < 300 ? 20 : 0));
    tenths[377] = 1600;
    const countBetween: CountBetween = (_counter, from, to) =>
      tenths.slice(Math.round(from * 10), Math.round(to * 10)).reduce((a, b) => a + b, 0);
    const empty = { publish: [], endToEnd: [] };
    expect(windowFigures(fault(30, 37.63), countBetween, empty)?.ackedPerSec).toBe(0);
    expect(windowFigures(fault(29.5, 37.63), countBetween, empty)?.ackedPerSec).toBeCloseTo(
      (5 * 20) / 8.13,
      1,
    );
    expect(windowFigures(fault(30, 37.8), countBetween, empty)?.ackedPerSec).toBeCloseTo(
      1600 / 7.8,
      1,
    );
  });
});

import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from '../report/result.js';

/** One hour in microseconds: anything slower is clamped, and the clamp is visible as max. */
export const HIGHEST_TRACKABLE_US = 3_600_000_000;

/** Microsecond histogram with an explicit range and 3 significant digits. */
export function newLatencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 'packed',
    autoResize: false,
  });
}

export function recordUs(histogram: Histogram, valueUs: number): void {
  const clamped = Math.min(HIGHEST_TRACKABLE_US, Math.max(1, Math.round(valueUs)));
  histogram.recordValue(clamped);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 'packed', false);
}

export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  const at = (p: number) => (count === 0 ? 0 : histogram.getValueAtPercentile(p));
  return {
    count,
    p50Us: at(50),
    p90Us: at(90),
    p99Us: at(99),
    p999Us: at(99.9),
    maxUs: count === 0 ? 0 : histogram.maxValue,
    meanUs: count === 0 ? 0 : Math.round(histogram.mean),
    encoded: encodeHistogram(histogram),
  };
}

/** Merges encoded histograms (for example the seconds of a fault window) into one. */
export function mergeEncoded(encoded: string[]): Histogram {
  const merged = newLatencyHistogram();
  for (const item of encoded) {
    if (item) merged.add(decodeHistogram(item));
  }
  return merged;
}

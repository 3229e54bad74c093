import { mergeEncoded } from '../metrics/histogram.js';
import type {
  AppliedFault,
  SecondSample,
  SteadyStateFigures,
  WindowFigures,
} from '../report/result.js';

/**
 * Throughput and p99 inside one fault window, from the per-second series and the encoded
 * per-second histograms, so the percentiles are exact for the seconds the fault covered.
 */
export function windowFigures(
  fault: AppliedFault,
  series: SecondSample[],
  histograms: { publish: string[]; endToEnd: string[] },
): WindowFigures | null {
  if (fault.appliedAtSec === null) return null;
  const from = Math.floor(fault.appliedAtSec);
  const endSec = fault.revertedAtSec ?? fault.appliedAtSec;
  const to = Math.max(from + 1, Math.ceil(endSec));
  const seconds = series.slice(from, to);
  const span = Math.max(1, seconds.length);
  const sum = (pick: (s: SecondSample) => number) => seconds.reduce((a, s) => a + pick(s), 0);
  const publish = mergeEncoded(histograms.publish.slice(from, to));
  const endToEnd = mergeEncoded(histograms.endToEnd.slice(from, to));
  return {
    ackedPerSec: round(sum((s) => s.acked) / span),
    receivedPerSec: round(sum((s) => s.received) / span),
    publishP99Us: publish.totalCount ? publish.getValueAtPercentile(99) : 0,
    endToEndP99Us: endToEnd.totalCount ? endToEnd.getValueAtPercentile(99) : 0,
  };
}

/** Per-second mean over [fromSec, toSec) of the series. */
export function meanPerSec(
  series: SecondSample[],
  fromSec: number,
  toSec: number,
  pick: (s: SecondSample) => number,
): number {
  const seconds = series.slice(Math.floor(fromSec), Math.ceil(toSec));
  if (seconds.length === 0) return 0;
  return round(seconds.reduce((a, s) => a + pick(s), 0) / (toSec - fromSec));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Seconds after a fault heals that still count as its aftermath (reconnects, backlog). */
export const RECOVERY_MARGIN_SEC = 5;

/** Headline seconds [fromSec, toSec) that no fault window or its recovery margin touches. */
export function quietSeconds(faults: AppliedFault[], fromSec: number, toSec: number): number[] {
  const quiet: number[] = [];
  for (let sec = Math.ceil(fromSec); sec < toSec; sec++) {
    const touched = faults.some((f) => {
      if (f.appliedAtSec === null) return false;
      const end = (f.revertedAtSec ?? f.appliedAtSec) + RECOVERY_MARGIN_SEC;
      return sec + 1 > f.appliedAtSec && sec < end;
    });
    if (!touched) quiet.push(sec);
  }
  return quiet;
}

export function steadyStateFigures(
  faults: AppliedFault[],
  histograms: { publish: string[]; endToEnd: string[] },
  headline: [number, number],
): SteadyStateFigures {
  const seconds = quietSeconds(faults, headline[0], headline[1]);
  const pick = (encoded: string[]) => mergeEncoded(seconds.map((s) => encoded[s] ?? ''));
  const publish = pick(histograms.publish);
  const endToEnd = pick(histograms.endToEnd);
  const at = (h: typeof publish, p: number) => (h.totalCount ? h.getValueAtPercentile(p) : 0);
  return {
    seconds: seconds.length,
    recoveryMarginSec: RECOVERY_MARGIN_SEC,
    publishP50Us: at(publish, 50),
    publishP99Us: at(publish, 99),
    endToEndP50Us: at(endToEnd, 50),
    endToEndP99Us: at(endToEnd, 99),
  };
}

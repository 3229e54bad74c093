import { mergeEncoded } from '../metrics/histogram.js';
import type {
  AppliedFault,
  SecondSample,
  SteadyStateFigures,
  WindowFigures,
} from '../report/result.js';

/** Acks or deliveries that happened in [fromSec, toSec) since the workload's start. */
export type CountBetween = (
  counter: 'acked' | 'received',
  fromSec: number,
  toSec: number,
) => number;

/**
 * Throughput and p99 inside one fault window. Counts come from tenth-of-a-second buckets,
 * so a catch-up burst just after the heal is not credited to the fault. The p99s merge the
 * encoded histograms of the intended send seconds the window touches.
 */
export function windowFigures(
  fault: AppliedFault,
  countBetween: CountBetween,
  histograms: { publish: string[]; endToEnd: string[] },
): WindowFigures | null {
  if (fault.appliedAtSec === null) return null;
  const from = fault.appliedAtSec;
  const to = Math.max(fault.revertedAtSec ?? from, from + 0.1);
  const first = Math.floor(from);
  const last = Math.ceil(to);
  const publish = mergeEncoded(histograms.publish.slice(first, last));
  const endToEnd = mergeEncoded(histograms.endToEnd.slice(first, last));
  return {
    ackedPerSec: round(countBetween('acked', from, to) / (to - from)),
    receivedPerSec: round(countBetween('received', from, to) / (to - from)),
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

/**
 * When the aftermath of a fault ended: the first second from `afterSec` on that begins two
 * seconds in a row in which both acks and deliveries ran within 20 % of the target rate.
 * A consumer that resumes late, or a backlog still draining, keeps the aftermath going.
 */
export function recoveredAtSec(series: SecondSample[], afterSec: number, ratePerSec: number) {
  const steady = (s: SecondSample | undefined) =>
    s !== undefined &&
    Math.abs(s.acked - ratePerSec) <= ratePerSec * 0.2 &&
    Math.abs(s.received - ratePerSec) <= ratePerSec * 0.2;
  for (let sec = Math.ceil(afterSec); sec < series.length; sec++) {
    if (steady(series[sec]) && steady(series[sec + 1])) return sec;
  }
  return Number.POSITIVE_INFINITY;
}

/** Headline seconds [fromSec, toSec) outside every fault window and its aftermath. */
export function quietSeconds(
  faults: AppliedFault[],
  series: SecondSample[],
  ratePerSec: number,
  headline: [number, number],
): number[] {
  const spans = faults
    .filter((f) => f.appliedAtSec !== null)
    .map((f) => {
      const from = f.appliedAtSec as number;
      return [from, recoveredAtSec(series, f.revertedAtSec ?? from, ratePerSec)] as const;
    });
  const quiet: number[] = [];
  for (let sec = Math.ceil(headline[0]); sec < headline[1]; sec++) {
    if (!spans.some(([from, to]) => sec + 1 > from && sec < to)) quiet.push(sec);
  }
  return quiet;
}

export function steadyStateFigures(
  faults: AppliedFault[],
  series: SecondSample[],
  ratePerSec: number,
  histograms: { publish: string[]; endToEnd: string[] },
  headline: [number, number],
): SteadyStateFigures {
  const seconds = quietSeconds(faults, series, ratePerSec, headline);
  const pick = (encoded: string[]) => mergeEncoded(seconds.map((s) => encoded[s] ?? ''));
  const publish = pick(histograms.publish);
  const endToEnd = pick(histograms.endToEnd);
  const at = (h: typeof publish, p: number) => (h.totalCount ? h.getValueAtPercentile(p) : 0);
  return {
    seconds: seconds.length,
    publishP50Us: at(publish, 50),
    publishP99Us: at(publish, 99),
    endToEndP50Us: at(endToEnd, 50),
    endToEndP99Us: at(endToEnd, 99),
  };
}

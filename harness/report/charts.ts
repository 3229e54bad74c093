import type { RunResult, SecondSample, TargetResult } from './result.js';
import type { ChartBand, ChartSeries } from './svg.js';
import { lineChartSvg } from './svg.js';

/** A chart as the markdown links it: a file beside report.md and its title. */
export interface ChartRef {
  file: string;
  title: string;
}

/** A rendered chart, ready to be written as `file` into the report folder. */
export interface Chart extends ChartRef {
  svg: string;
}

/**
 * File-safe names for the targets, unique within the run: a run may test one broker twice
 * (say under both profiles), and the second must not overwrite the first's charts.
 */
export function targetSlugs(targets: TargetResult[]): string[] {
  const seen = new Map<string, number>();
  return targets.map((target) => {
    const base = target.name.replace(/[^A-Za-z0-9_-]+/g, '-');
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

/** Fault windows that really struck; one still active at the end runs to the last second. */
export function faultBands(target: TargetResult): ChartBand[] {
  const endSec = target.series.length;
  return target.faults.flatMap((fault) => {
    if (fault.appliedAtSec === null) return [];
    return [
      {
        from: fault.appliedAtSec,
        to: fault.revertedAtSec ?? endSec,
        label: `#${fault.index} ${fault.kind}`,
      },
    ];
  });
}

/** A sample counts the events of [sec, sec + 1), so it is plotted at the middle. */
function perSecond(series: SecondSample[], pick: (s: SecondSample) => number): ChartSeries {
  return { name: '', points: series.map((s) => [s.sec + 0.5, pick(s)]) };
}

function named(name: string, series: ChartSeries): ChartSeries {
  return { ...series, name };
}

/** 0 means "no events this second"; drawing it would fake a latency of 0, so leave a gap. */
function msOrGap(us: number): number {
  return us > 0 ? us / 1000 : Number.NaN;
}

function throughputChart(target: TargetResult, slug: string): Chart {
  const title = `${target.name}: messages per second`;
  const svg = lineChartSvg({
    title,
    xLabel: 'seconds since workload start',
    yLabel: 'messages / s',
    series: [
      named(
        'sent',
        perSecond(target.series, (s) => s.sent),
      ),
      named(
        'acked',
        perSecond(target.series, (s) => s.acked),
      ),
      named(
        'received',
        perSecond(target.series, (s) => s.received),
      ),
    ],
    bands: faultBands(target),
  });
  return { file: `${slug}-throughput.svg`, title, svg };
}

function latencyChart(target: TargetResult, slug: string): Chart {
  const title = `${target.name}: p99 latency by intended send second (corrected)`;
  const svg = lineChartSvg({
    title,
    xLabel: 'seconds since workload start',
    yLabel: 'p99 latency (ms, log scale)',
    yLog: true,
    series: [
      named(
        'publish p99',
        perSecond(target.series, (s) => msOrGap(s.publishP99Us)),
      ),
      named(
        'end-to-end p99',
        perSecond(target.series, (s) => msOrGap(s.endToEndP99Us)),
      ),
    ],
    bands: faultBands(target),
  });
  return { file: `${slug}-latency.svg`, title, svg };
}

function crossTargetChart(targets: TargetResult[]): Chart {
  const title = 'Acked messages per second, all targets';
  const svg = lineChartSvg({
    title,
    xLabel: 'seconds since workload start',
    yLabel: 'acked messages / s',
    // Fault times differ per target, so no bands here: each target's own chart has them.
    series: targets.map((t) =>
      named(
        t.name,
        perSecond(t.series, (s) => s.acked),
      ),
    ),
  });
  return { file: 'acked-per-second.svg', title, svg };
}

/**
 * The report's charts: one acked/s chart across targets, then per target its throughput and
 * its per-second corrected p99 latencies, with fault windows shaded. Targets with no
 * per-second data (stopped at set-up) get no charts.
 */
export function buildCharts(result: RunResult): Chart[] {
  const slugs = targetSlugs(result.targets);
  const charted = result.targets
    .map((target, i) => ({ target, slug: slugs[i] ?? target.name }))
    .filter(({ target }) => target.series.length > 0);
  if (charted.length === 0) return [];
  return [
    crossTargetChart(charted.map(({ target }) => target)),
    ...charted.flatMap(({ target, slug }) => [
      throughputChart(target, slug),
      latencyChart(target, slug),
    ]),
  ];
}

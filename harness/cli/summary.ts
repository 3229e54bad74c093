import type { RunResult } from '../report/result.js';

const ms = (us: number) => (us / 1000).toFixed(us < 10_000 ? 2 : 0);

/** A short plain-text table for the terminal; the full report is the markdown file. */
export function summaryTable(result: RunResult): string {
  const header = [
    'target',
    'verdict',
    'acked/s',
    'pub p99 ms',
    'e2e p99 ms',
    'lost',
    'dup',
    'recovered',
  ];
  const rows = result.targets.map((t) => [
    t.name,
    t.error ? 'error' : t.verdict.status,
    `${t.throughput.ackedPerSec}/${t.throughput.targetRatePerSec}`,
    ms(t.latency.publish.corrected.p99Us),
    ms(t.latency.endToEnd.corrected.p99Us),
    String(t.verdict.counts.lost),
    String(t.verdict.counts.duplicated),
    String(t.verdict.counts.recovered),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  const reasons = result.targets
    .filter((t) => t.verdict.status !== 'ok')
    .map((t) => `  ${t.name}: ${t.verdict.reasons.join('; ')}`);
  return [line(header), ...rows.map(line), ...reasons].join('\n');
}

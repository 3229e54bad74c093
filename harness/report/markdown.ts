import type { ChartRef } from './charts.js';
import type { RunResult, TargetResult } from './result.js';
import { latencySection, ledgerSection, perSecondSection } from './details-section.js';
import { faultsSection } from './faults-section.js';
import {
  formatDurationMs,
  formatInt,
  formatMs,
  formatRate,
  formatUtc,
  table,
  targetLabel,
  truncate,
  verdictLabel,
} from './format.js';
import {
  clientStatsSection,
  harnessSection,
  proxySection,
  settingsSection,
} from './setup-section.js';

export type { ChartRef } from './charts.js';

function titleBlock(result: RunResult): string {
  const { host, workload: w } = result;
  const facts = [
    `Seed **${result.seed}**`,
    `host ${host.platform}, ${host.cpus} CPUs, ${host.memoryGiB.toFixed(1)} GiB, Node ${host.node}`,
    `run \`${result.runId}\``,
    `${result.tool.name} ${result.tool.version}`,
    `scenario file \`${result.scenario.file}\``,
  ];
  const workload =
    `Workload: ${w.producers} producers and ${w.consumers} consumers, ` +
    `${formatInt(w.messageSizeBytes)}-byte messages at ${formatRate(w.ratePerSec)} msg/s ` +
    `for ${w.durationSec} s (the first ${w.warmupSec} s are warm-up, left out of the ` +
    `headline figures); each send times out after ${formatInt(w.sendTimeoutMs)} ms.`;
  return [
    `# ${result.scenario.name}: ${formatUtc(result.startedAt)}`,
    `${facts.join(' · ')}.`,
    result.scenario.description.trim(),
    workload,
  ]
    .filter((part) => part !== '')
    .join('\n\n');
}

function comparisonRow(t: TargetResult): string[] {
  const { publish, endToEnd } = t.latency;
  const verdict = t.error
    ? `unknown (set-up error: ${truncate(t.error, 60)})`
    : verdictLabel(t.verdict.status);
  const throughput =
    `${formatRate(t.throughput.ackedPerSec)} / ` + formatRate(t.throughput.targetRatePerSec);
  const latencies = t.error
    ? Array<string>(6).fill('—')
    : [publish.corrected, endToEnd.corrected].flatMap((s) =>
        [s.p50Us, s.p99Us, s.p999Us].map(formatMs),
      );
  const { lost, duplicated, recovered } = t.verdict.counts;
  return [
    targetLabel(t),
    verdict,
    t.error ? '—' : throughput,
    ...latencies,
    ...[lost, duplicated, recovered].map(formatInt),
  ];
}

function comparisonTable(result: RunResult): string {
  const headers = [
    'target',
    'verdict',
    'acked/s vs target',
    'publish p50',
    'publish p99',
    'publish p99.9',
    'e2e p50',
    'e2e p99',
    'e2e p99.9',
    'lost',
    'duplicated',
    'recovered',
  ];
  const align = headers.map((_, i) => (i < 2 ? 'l' : 'r') as 'l' | 'r');
  const note =
    'Throughput is acked messages per second actually achieved, beside the rate asked for. ' +
    'Latencies are corrected: counted from the intended send time, warm-up excluded.';
  return [table(headers, result.targets.map(comparisonRow), align), note].join('\n\n');
}

function drainText(t: TargetResult): string {
  const took = formatDurationMs(t.drain.durationMs);
  if (t.drain.drained) return `Drained in ${took}: ${t.drain.detail}.`;
  return (
    `Not drained after ${took}: ${formatInt(t.drain.remaining)} messages left ` +
    `(${t.drain.detail}).`
  );
}

/** One line per target saying what its verdict rests on. */
function verdictMeaning(t: TargetResult): string {
  const label = `**${targetLabel(t)}: ${verdictLabel(t.verdict.status)}.**`;
  if (t.error) return `- ${label} The target stopped at set-up, so nothing was checked.`;
  const status = t.verdict.status;
  const lead =
    status === 'ok'
      ? 'Nothing acked was lost and nothing unexpected arrived.'
      : status === 'fail'
        ? 'A rule of the profile was broken.'
        : 'The run could not be checked to the end, so it does not pass.';
  const reasons = t.verdict.reasons.map((r) => r.trim().replace(/\.?$/, '.'));
  return `- ${[label, lead, ...reasons, drainText(t)].join(' ')}`;
}

function verdictSection(result: RunResult): string {
  return ['## What the verdict means', ...result.targets.map(verdictMeaning)].join('\n\n');
}

function errorsSection(result: RunResult): string | null {
  const failed = result.targets.filter((t) => t.error);
  if (failed.length === 0) return null;
  const blocks = failed.map((t) => `### ${targetLabel(t)}\n\n\`\`\`text\n${t.error ?? ''}\n\`\`\``);
  return ['## Errors', ...blocks].join('\n\n');
}

function chartsSection(charts: ChartRef[]): string {
  if (charts.length === 0) return '## Charts\n\nNo charts: no target recorded per-second data.';
  const images = charts.map((c) => `![${c.title}](${encodeURI(c.file)})`);
  return ['## Charts', 'Shaded bands are fault windows.', ...images].join('\n\n');
}

/**
 * The whole report as markdown, from the RunResult alone: headline comparison, verdicts,
 * faults with their evidence, ledger, latency details, charts, per-second data, and the
 * settings and health checks a reader needs to trust the comparison.
 */
export function renderMarkdown(result: RunResult, charts: ChartRef[]): string {
  const sections = [
    titleBlock(result),
    comparisonTable(result),
    verdictSection(result),
    errorsSection(result),
    faultsSection(result.targets),
    ledgerSection(result.targets),
    latencySection(result.targets),
    chartsSection(charts),
    perSecondSection(result.targets),
    settingsSection(result.targets),
    proxySection(result.targets),
    harnessSection(result.targets),
    clientStatsSection(result.targets),
  ];
  return `${sections.filter((s): s is string => s !== null).join('\n\n')}\n`;
}

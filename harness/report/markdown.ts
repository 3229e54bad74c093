import type { ChartRef } from './charts.js';
import type { RunResult, TargetResult } from './result.js';
import { latencySection, ledgerSection, perSecondSection } from './details-section.js';
import { faultsSection } from './faults-section.js';
import { errorsSection, verdictSection } from './verdict-section.js';
import {
  countOf,
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

const PROFILE_MEANING = { safe: 'at-least-once, durable', fast: 'at-most-once' };

function profileText(targets: TargetResult[]): string {
  const profiles = [...new Set(targets.map((t) => t.profile))];
  const only = profiles.length === 1 ? profiles[0] : undefined;
  if (only === undefined) return "Delivery profiles differ: each target's label names its own.";
  return `Delivery profile: ${only} (${PROFILE_MEANING[only]}) on every target.`;
}

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
    `Workload: ${countOf(w.producers, 'producer')} and ${countOf(w.consumers, 'consumer')}, ` +
    `${formatInt(w.messageSizeBytes)}-byte messages at ${formatRate(w.ratePerSec)} msg/s ` +
    `for ${w.durationSec} s (the first ${w.warmupSec} s are warm-up, left out of the ` +
    `headline figures); each send times out after ${formatInt(w.sendTimeoutMs)} ms.`;
  return [
    `# ${result.scenario.name}: ${formatUtc(result.startedAt)}`,
    `${facts.join(' · ')}.`,
    result.scenario.description.trim(),
    `${workload} ${profileText(result.targets)}`,
  ]
    .filter((part) => part !== '')
    .join('\n\n');
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** Lost counted before the broker was empty is an upper bound, and the cell says so. */
function lostText(t: TargetResult): string {
  const lost = formatInt(t.verdict.counts.lost);
  return t.drain.drained || t.error ? lost : `${lost} (not drained)`;
}

/** A target that stopped at set-up has no figures, only its error. */
function errorRow(t: TargetResult, all: TargetResult[], error: string): string[] {
  const verdict = `unknown (set-up error: ${truncate(firstLine(error), 80)})`;
  return [targetLabel(t, all), ...Array<string>(10).fill('—'), verdict];
}

/** The mean hides an outage that a catch-up burst averaged away, so name the dead seconds. */
function throughputText(t: TargetResult): string {
  const { ackedPerSec, targetRatePerSec, secondsWithoutAcks } = t.throughput;
  const rate = `${formatRate(ackedPerSec)} / ${formatRate(targetRatePerSec)}`;
  return secondsWithoutAcks > 0 ? `${rate} (${secondsWithoutAcks} s with no ack)` : rate;
}

function comparisonRow(t: TargetResult, all: TargetResult[]): string[] {
  if (t.error) return errorRow(t, all, t.error);
  const { publish, endToEnd } = t.latency;
  const latencies = [publish.corrected, endToEnd.corrected].flatMap((s) =>
    [s.p50Us, s.p99Us, s.p999Us].map(formatMs),
  );
  return [
    targetLabel(t, all),
    throughputText(t),
    ...latencies,
    lostText(t),
    formatInt(t.verdict.counts.duplicated),
    formatInt(t.verdict.counts.recovered),
    verdictLabel(t.verdict.status),
  ];
}

function comparisonTable(result: RunResult): string {
  const headers = [
    'target',
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
    'verdict',
  ];
  const last = headers.length - 1;
  const align = headers.map((_, i) => (i === 0 || i === last ? 'l' : 'r') as 'l' | 'r');
  const undrained = result.targets.some((t) => !t.drain.drained && !t.error);
  const note =
    'Throughput is acked messages per second actually achieved, beside the rate asked for. ' +
    'Latencies are corrected: counted from the intended send time, warm-up excluded.' +
    (undrained
      ? ' "Not drained" marks a lost count taken while the broker still held messages: ' +
        'an upper bound, not a finding.'
      : '');
  const rows = result.targets.map((t) => comparisonRow(t, result.targets));
  return [table(headers, rows, align), note].join('\n\n');
}

/** Latency when nothing is wrong, beside the headline that the faults dominate. */
function steadyStateTable(result: RunResult): string {
  const ran = result.targets.filter((t) => !t.error);
  if (ran.length === 0) return '';
  const headers = ['target', 'quiet seconds', 'publish p50', 'publish p99', 'e2e p50', 'e2e p99'];
  const rows = ran.map((t) => {
    const s = t.steadyState;
    const figure = (us: number) => (s.seconds === 0 ? '—' : formatMs(us));
    return [
      targetLabel(t, result.targets),
      formatInt(s.seconds),
      figure(s.publishP50Us),
      figure(s.publishP99Us),
      figure(s.endToEndP50Us),
      figure(s.endToEndP99Us),
    ];
  });
  const lead =
    '### Outside the fault windows\n\nThe same corrected latencies over the headline seconds ' +
    'outside every fault and its aftermath, which lasts until acks and deliveries ran within ' +
    '20 % of the target rate for two seconds: the brokers when nothing is wrong.';
  const align = headers.map((_, i) => (i === 0 ? 'l' : 'r') as 'l' | 'r');
  return [lead, table(headers, rows, align)].join('\n\n');
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
    result.interrupted
      ? '> **Interrupted.** A signal stopped this run early. Every figure covers only the part ' +
        'that ran, targets not reached are listed as not run, and no verdict can be ok.'
      : null,
    comparisonTable(result),
    steadyStateTable(result),
    verdictSection(result.targets),
    errorsSection(result.targets),
    faultsSection(result.targets),
    ledgerSection(result.targets),
    latencySection(result.targets),
    chartsSection(charts),
    perSecondSection(result.targets, result.workload.warmupSec),
    settingsSection(result.targets),
    proxySection(result.targets),
    harnessSection(result.targets),
    clientStatsSection(result.targets),
  ];
  return `${sections.filter((s): s is string => s !== null).join('\n\n')}\n`;
}

import type { VerdictCounts } from '../ledger/verdict.js';
import type { LatencySummary, SecondSample, TargetResult } from './result.js';
import { formatInt, formatMs, table, targetLabel } from './format.js';

type CountKey = keyof VerdictCounts;

/** Ledger rows in reading order, each with the rule that puts a message there. */
const SETTLEMENT_ROWS: [CountKey, string][] = [
  ['attempted', 'attempted (distinct messages)'],
  ['acked', 'acked (best attempt)'],
  ['failed', 'failed (best attempt)'],
  ['indeterminate', 'indeterminate (best attempt, or never settled)'],
  ['resends', 'resends (attempts beyond the first)'],
];
const CLASS_ROWS: [CountKey, string][] = [
  ['ok', 'class ok: acked and delivered'],
  ['lost', 'class lost: acked, never delivered'],
  ['recovered', 'class recovered: indeterminate, delivered'],
  ['failedButDelivered', 'class failed-but-delivered'],
  ['indeterminateUndelivered', 'class indeterminate-undelivered'],
  ['failedUndelivered', 'class failed-undelivered (producer was told)'],
];
const COUNTER_ROWS: [CountKey, string][] = [
  ['delivered', 'delivered at least once'],
  ['duplicated', 'duplicated (deliveries beyond the first)'],
  ['unexpected', 'unexpected (never sent in this run)'],
  ['reordered', 'reordered'],
  ['duplicateEffects', 'duplicate effects'],
];

/** Whether the six classes account for every attempted message, as the ledger promises. */
export function classesAddUp(counts: VerdictCounts): boolean {
  const sum = CLASS_ROWS.reduce((total, [key]) => total + counts[key], 0);
  return sum === counts.attempted;
}

/** One table, a column per target, so the ledgers can be read side by side. */
export function ledgerSection(targets: TargetResult[]): string {
  const headers = ['', ...targets.map((t) => targetLabel(t, targets))];
  const countRow = ([key, label]: [CountKey, string]) => [
    label,
    ...targets.map((t) => formatInt(t.verdict.counts[key])),
  ];
  const rows = [
    ...SETTLEMENT_ROWS.map(countRow),
    ...CLASS_ROWS.map(countRow),
    [
      '**classes add up to attempted**',
      ...targets.map((t) => yesNo(classesAddUp(t.verdict.counts))),
    ],
    ...COUNTER_ROWS.map(countRow),
  ];
  const intro =
    'Every attempted message lands in exactly one class; the counters sit beside them. ' +
    'A message that was resent keeps its identity and takes its best attempt.';
  const align = headers.map((_, i) => (i === 0 ? 'l' : 'r') as 'l' | 'r');
  return ['## Ledger', intro, table(headers, rows, align)].join('\n\n');
}

function yesNo(value: boolean): string {
  return value ? 'yes' : '**no**';
}

function latencyRow(target: string, measure: string, s: LatencySummary): string[] {
  return [
    target,
    measure,
    formatInt(s.count),
    ...[s.p50Us, s.p90Us, s.p99Us, s.p999Us, s.maxUs].map(formatMs),
  ];
}

/** Corrected beside uncorrected: a wide gap means the sender fell behind its schedule. */
export function latencySection(targets: TargetResult[]): string {
  const rows = targets.flatMap((t) => {
    const label = targetLabel(t, targets);
    const { publish, endToEnd } = t.latency;
    return [
      latencyRow(label, 'publish, corrected', publish.corrected),
      latencyRow(label, 'publish, uncorrected', publish.uncorrected),
      latencyRow(label, 'end-to-end, corrected', endToEnd.corrected),
      latencyRow(label, 'end-to-end, uncorrected', endToEnd.uncorrected),
    ];
  });
  const headers = ['target', 'measure', 'samples', 'p50', 'p90', 'p99', 'p99.9', 'max'];
  const intro =
    'Corrected latency counts from the time the schedule meant to send (it includes time ' +
    'spent queued behind a stalled broker); uncorrected counts from the actual send. ' +
    'Warm-up is excluded.';
  const align: ('l' | 'r')[] = ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'];
  return ['## Latency details', intro, table(headers, rows, align)].join('\n\n');
}

/** Warm-up and the faults whose window overlaps the second [sec, sec + 1). */
function secondNote(target: TargetResult, sec: number, warmupSec: number): string {
  const end = target.series.length;
  const faults = target.faults
    .filter((f) => f.appliedAtSec !== null && f.appliedAtSec < sec + 1)
    .filter((f) => (f.revertedAtSec ?? end) > sec)
    .map((f) => `#${f.index} ${f.kind}`);
  return [...(sec < warmupSec ? ['warm-up'] : []), ...faults].join(', ');
}

function secondRow(target: TargetResult, s: SecondSample, warmupSec: number): string[] {
  const counts = [s.sent, s.acked, s.failed, s.indeterminate, s.received].map(formatInt);
  return [String(s.sec), ...counts, secondNote(target, s.sec, warmupSec)];
}

/** Per target, every second of the run, folded away: it is for checking, not for reading. */
export function perSecondSection(targets: TargetResult[], warmupSec: number): string {
  const headers = [
    'sec',
    'sent (first attempts)',
    'acked',
    'failed attempts',
    'indeterminate attempts',
    'received',
    'note',
  ];
  const align: ('l' | 'r')[] = ['r', 'r', 'r', 'r', 'r', 'r', 'l'];
  const blocks = targets
    .filter((t) => t.series.length > 0)
    .map((t) => {
      const rows = t.series.map((s) => secondRow(t, s, warmupSec));
      const summary = `${targetLabel(t, targets)}: ${t.series.length} seconds`;
      // Blank lines around the table: markdown inside HTML blocks renders only with them.
      const body = table(headers, rows, align);
      return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;
    });
  if (blocks.length === 0) return '## Per second\n\nNo per-second data was recorded.';
  const intro =
    'Events are counted in the second they happened, warm-up included. "sent" counts each ' +
    "message's first attempt, so it follows the schedule; acked, failed and indeterminate " +
    'count every attempt, resends included (a message is acked once); received counts every ' +
    'delivery, duplicates included.';
  return ['## Per second', intro, ...blocks].join('\n\n');
}

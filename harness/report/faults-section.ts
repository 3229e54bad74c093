import type { AppliedFault, TargetResult } from './result.js';
import { summarizeEvidence, valueText } from './evidence.js';
import { formatMs, formatRate, formatSec, table, targetLabel } from './format.js';

/** Spec keys the table shows in its own columns, or that do not matter per target. */
const TIMING_KEYS = new Set(['kind', 'atSec', 'forSec', 'endSec', 'restartAfterSec', 'targets']);

/** The fault as written, with its parameters: "latency (latencyMs=200, stream=both)". */
export function faultLabel(fault: AppliedFault): string {
  const params = Object.entries(fault.spec)
    .filter(([key]) => !TIMING_KEYS.has(key))
    .map(([key, value]) => `${key}=${valueText(value)}`);
  return params.length === 0 ? fault.kind : `${fault.kind} (${params.join(', ')})`;
}

function windowText(fault: AppliedFault): string {
  if (fault.appliedAtSec === null) return 'not applied';
  const end = fault.revertedAtSec === null ? 'not reverted' : formatSec(fault.revertedAtSec);
  return `${formatSec(fault.appliedAtSec)} → ${end}`;
}

/** A p99 of 0 means nothing completed inside the window, not that it was instant. */
function windowMs(us: number): string {
  return us > 0 ? formatMs(us) : 'none';
}

function faultRow(fault: AppliedFault): string[] {
  const evidence = summarizeEvidence(fault.evidence);
  const evidenceCell = fault.error ? `error: ${fault.error}; ${evidence}` : evidence;
  const w = fault.window;
  return [
    `#${fault.index} ${faultLabel(fault)}`,
    formatSec(fault.plannedAtSec),
    windowText(fault),
    evidenceCell,
    w ? formatRate(w.ackedPerSec) : '—',
    w ? windowMs(w.publishP99Us) : '—',
    w ? windowMs(w.endToEndP99Us) : '—',
  ];
}

function targetFaults(target: TargetResult, all: TargetResult[]): string {
  const heading = `### ${targetLabel(target, all)}`;
  if (target.faults.length === 0) {
    const why = target.error ? 'the target stopped at set-up (see Errors)' : 'none planned';
    return `${heading}\n\nNo faults: ${why}.`;
  }
  const headline =
    `For comparison, the headline figures: ${formatRate(target.throughput.ackedPerSec)} ` +
    `acked/s, publish p99 ${formatMs(target.latency.publish.corrected.p99Us)}, ` +
    `end-to-end p99 ${formatMs(target.latency.endToEnd.corrected.p99Us)}.`;
  const rows = target.faults.map(faultRow);
  const headers = [
    'fault',
    'planned at (s)',
    'applied → reverted (s)',
    'evidence',
    'acked/s in window',
    'publish p99',
    'e2e p99',
  ];
  return [heading, table(headers, rows, ['l', 'r', 'l', 'l', 'r', 'r', 'r']), headline].join(
    '\n\n',
  );
}

/**
 * Per target, each fault as it really struck: when, the evidence that it did, and what the
 * broker managed inside its window (exact per-second histograms, not whole-run figures).
 */
export function faultsSection(targets: TargetResult[]): string {
  const intro =
    'Times are seconds since the workload started. Figures "in window" cover only the ' +
    'seconds from applied to reverted: acked/s is the acks that came in then, estimated from ' +
    'the per-second counts with a partly covered second counting in proportion, and the ' +
    'latencies are corrected p99s of the messages meant to be sent then, however late they ' +
    'completed; "none" means no such message completed.';
  return ['## Faults', intro, ...targets.map((t) => targetFaults(t, targets))].join('\n\n');
}

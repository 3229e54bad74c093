import type { TargetResult } from './result.js';
import { countOf, formatDurationMs, formatInt, targetLabel, verdictLabel } from './format.js';

function drainText(t: TargetResult): string {
  const took = formatDurationMs(t.drain.durationMs);
  if (t.drain.drained) return `Drained in ${took}: ${t.drain.detail}.`;
  return (
    `Not drained after ${took}: ${formatInt(t.drain.remaining)} messages left ` +
    `(${t.drain.detail}).`
  );
}

/** A reason as a sentence: capitalised, ending in a full stop. */
function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1).replace(/\.?$/, '.')}`;
}

function okLead(t: TargetResult): string {
  const { lost, unexpected, duplicated } = t.verdict.counts;
  const lead =
    lost === 0 && unexpected === 0
      ? 'Every acked message was delivered and nothing unexpected arrived.'
      : `Within the scenario's limits: ${formatInt(lost)} lost, ` +
        `${formatInt(unexpected)} unexpected.`;
  if (duplicated === 0) return lead;
  const duplicates =
    `${countOf(duplicated, 'duplicate delivery', 'duplicate deliveries')} counted, not failed: ` +
    'faults make them expected.';
  return `${lead} ${duplicates}`;
}

function lead(t: TargetResult): string {
  const status = t.verdict.status;
  if (status === 'ok') return okLead(t);
  if (status === 'fail') return t.verdict.reasons.length ? '' : 'A rule of the profile was broken.';
  return 'It could not be checked to the end, so it does not pass.';
}

/** One line per target saying what its verdict rests on: the rules broken and the drain. */
export function verdictSection(targets: TargetResult[]): string {
  const lines = targets.map((t) => {
    // A set-up error is `unknown` whatever the counts say: nothing was checked.
    const status = t.error ? 'unknown' : verdictLabel(t.verdict.status);
    const label = `**${targetLabel(t, targets)}: ${status}.**`;
    if (t.error) return `- ${label} The target stopped at set-up, so nothing was checked.`;
    const parts = [label, lead(t), ...t.verdict.reasons.map(sentence), drainText(t)];
    return `- ${parts.filter((p) => p !== '').join(' ')}`;
  });
  return ['## What the verdict means', ...lines].join('\n\n');
}

/** The full text of each set-up error; the comparison table can only show its start. */
export function errorsSection(targets: TargetResult[]): string | null {
  const failed = targets.filter((t) => t.error);
  if (failed.length === 0) return null;
  const blocks = failed.map(
    (t) => `### ${targetLabel(t, targets)}\n\n\`\`\`text\n${t.error ?? ''}\n\`\`\``,
  );
  return ['## Errors', ...blocks].join('\n\n');
}

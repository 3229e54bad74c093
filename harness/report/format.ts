import type { TargetResult } from './result.js';

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimalFormat = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** A whole count with thousands separators: 12345 → "12,345". */
/** `1 producer`, `2 producers`: the count with its noun, in the right number. */
export function countOf(value: number, singular: string, plural = `${singular}s`): string {
  return `${formatInt(value)} ${value === 1 ? singular : plural}`;
}

export function formatInt(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return integerFormat.format(Math.round(value));
}

/** A rate per second: whole above 100, one decimal below, so small rates keep their detail. */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec)) return '—';
  if (perSec === 0) return '0';
  return Math.abs(perSec) >= 100 ? integerFormat.format(perSec) : oneDecimalFormat.format(perSec);
}

/**
 * Microseconds shown as milliseconds with three significant figures at most:
 * 420 → "0.42 ms", 1234 → "1.23 ms", 12345 → "12.3 ms", 215000 → "215 ms".
 */
export function formatMs(us: number): string {
  if (!Number.isFinite(us)) return '—';
  const ms = us / 1000;
  if (ms === 0) return '0 ms';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${integerFormat.format(ms)} ms`;
}

/** Seconds since the workload started, to the hundredth: fault times are that precise. */
export function formatSec(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '—';
  return sec.toFixed(2);
}

/** Bytes in binary units with the exact count beside them, so the bypass check is readable. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  if (unit === 'B') return `${formatInt(bytes)} B`;
  return `${value.toFixed(1)} ${unit} (${formatInt(bytes)} B)`;
}

/** An ISO time as "2026-12-04 16:30:00 UTC"; anything unparsable is shown as written. */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Whole milliseconds as seconds for durations of set-up and drain: 1234 → "1.2 s". */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${formatInt(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Text made safe for one markdown table cell: pipes escaped, lines joined. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Shortens text to `max` characters with an ellipsis, for table cells. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A markdown table; `align` marks numeric columns right-aligned. */
export function table(headers: string[], rows: string[][], align: ('l' | 'r')[] = []): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = headers.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

/**
 * How a target is named in every table: by its broker, with the profile added when the run
 * mixes profiles or tests one broker twice, so every label stays unique.
 */
export function targetLabel(target: TargetResult, all: TargetResult[]): string {
  const profiles = new Set(all.map((t) => t.profile));
  const sameName = all.filter((t) => t.name === target.name).length;
  return profiles.size > 1 || sameName > 1 ? `${target.name} (${target.profile})` : target.name;
}

/** The verdict as a reader scans it: failures shout, `unknown` never looks like a pass. */
export function verdictLabel(status: string): string {
  if (status === 'ok') return 'ok';
  if (status === 'fail') return 'FAIL';
  return 'unknown';
}

/** Splits camelCase keys into words for prose: "pidBefore" → "pid before". */
export function words(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

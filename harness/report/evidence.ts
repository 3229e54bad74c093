import { formatInt, truncate, words } from './format.js';

type Evidence = Record<string, unknown>;

/** Turns some known evidence keys into a phrase, marking the keys it used. */
type PhraseMaker = (e: Evidence, use: (key: string) => unknown) => string | null;

const EVIDENCE_MAX_CHARS = 240;
const PROCESS_STATES: Record<string, string> = {
  T: 'stopped',
  t: 'stopped',
  S: 'sleeping',
  R: 'running',
  D: 'in disk wait',
  Z: 'zombie',
  gone: 'gone',
};
/** Connect probes the faults record, and when each was taken. */
const PROBES: [string, string][] = [
  ['connectAfterKill', 'in between'],
  ['connectWhileStopped', 'while stopped'],
  ['connectToProxy', 'to the proxy'],
];

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** Compact text for any value: lists joined, objects as k=v. */
export function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(valueText).join(', ');
  if (value !== null && typeof value === 'object') {
    const pairs = Object.entries(value).map(([k, v]) => `${k}=${valueText(v)}`);
    return `(${pairs.join(' ')})`;
  }
  return scalarText(value);
}

/** What a connect probe found: `connected`, or the errno of the failed connect. */
function probeText(code: unknown): string {
  if (code === 'connected') return 'connect succeeded';
  if (code === 'ECONNREFUSED') return 'connect refused (ECONNREFUSED)';
  if (code === 'ETIMEDOUT') return 'connect timed out (ETIMEDOUT)';
  return `connect failed (${scalarText(code)})`;
}

const processPhrase: PhraseMaker = (e, use) => {
  const signal = use('signal');
  const signalAfter = use('signalAfter');
  const pid = use('pidBefore') ?? use('pid');
  const after = use('pidAfter');
  const parts = typeof signal === 'string' ? [signal] : [];
  if (typeof signalAfter === 'string') parts.push(`then ${signalAfter}`);
  const arrow = after === undefined ? '' : ` → ${scalarText(after)}`;
  if (typeof pid === 'number') parts.push(`pid ${pid}${arrow}`);
  else if (typeof after === 'number') parts.push(`pid after: ${after}`);
  return parts.length ? parts.join(', ') : null;
};

const probePhrases: PhraseMaker = (e, use) => {
  const found = PROBES.filter(([key]) => key in e).map(
    ([key, when]) => `${probeText(use(key))} ${when}`,
  );
  return found.length ? found.join(', ') : null;
};

const statePhrase: PhraseMaker = (e, use) => {
  const stateName = (s: unknown) => `${PROCESS_STATES[String(s)] ?? 'state'} (${scalarText(s)})`;
  const before = use('processState');
  const after = use('processStateAfter');
  if (before === undefined && after === undefined) return null;
  if (after === undefined) return `process ${stateName(before)}`;
  if (before === undefined) return `process ${stateName(after)} after revert`;
  return `process ${stateName(before)}, then ${stateName(after)}`;
};

const durationPhrase: PhraseMaker = (e, use) => {
  const down = use('downtimeMs');
  const restart = use('restartMs');
  const parts: string[] = [];
  if (typeof down === 'number') parts.push(`down ${formatInt(down)} ms`);
  if (typeof restart === 'number') parts.push(`restarted in ${formatInt(restart)} ms`);
  return parts.length ? parts.join(', ') : null;
};

/** Toxics grouped by type: "timeout toxic on upstream+downstream (timeout=0)". */
function toxicsText(toxics: unknown[]): string {
  const byType = new Map<string, { streams: string[]; attributes: unknown }>();
  for (const toxic of toxics) {
    const t = (toxic ?? {}) as { type?: unknown; stream?: unknown; attributes?: unknown };
    const type = scalarText(t.type);
    const entry = byType.get(type) ?? { streams: [], attributes: t.attributes };
    entry.streams.push(scalarText(t.stream));
    byType.set(type, entry);
  }
  return [...byType]
    .map(([type, { streams, attributes }]) => {
      const attrs = attributes && typeof attributes === 'object' ? ` ${valueText(attributes)}` : '';
      return `${type} toxic on ${streams.join('+')}${attrs}`;
    })
    .join(', ');
}

const proxyPhrase: PhraseMaker = (e, use) => {
  const readBack = use('proxyReadBack');
  if (readBack === undefined || readBack === null || typeof readBack !== 'object') return null;
  const { enabled, toxics } = readBack as { enabled?: unknown; toxics?: unknown };
  const parts: string[] = [];
  if (enabled === false) parts.push('disabled');
  if (Array.isArray(toxics)) parts.push(toxics.length ? toxicsText(toxics) : 'no toxics');
  else if (enabled === true) parts.push('enabled');
  return `proxy read back: ${parts.join(', ')}`;
};

const revertPhrase: PhraseMaker = (e, use) => {
  const left = use('toxicsAfterRevert');
  const enabled = use('enabledAfterRevert');
  const parts: string[] = [];
  if (left === 0) parts.push('toxics removed after revert');
  else if (typeof left === 'number') parts.push(`${left} toxics still present after revert`);
  if (enabled === true) parts.push('re-enabled after revert');
  else if (enabled === false) parts.push('still disabled after revert');
  return parts.length ? parts.join(', ') : null;
};

/** Reading order: what was hit, what a probe then saw, how it looked after the revert. */
const PHRASES = [
  processPhrase,
  proxyPhrase,
  probePhrases,
  statePhrase,
  durationPhrase,
  revertPhrase,
];

/**
 * One line of evidence that a fault struck, for a table cell. A fault may write its own
 * sentence into `evidence.summary`; otherwise the keys the fault kinds record (pids, signals,
 * connect probes, proxy read-back, revert checks) become phrases, and any other key is listed
 * as it is, so nothing recorded is hidden.
 */
export function summarizeEvidence(evidence: Evidence): string {
  const summary = evidence['summary'];
  if (typeof summary === 'string' && summary.trim() !== '') return summary.trim();
  const used = new Set<string>(['summary']);
  const use = (key: string) => {
    used.add(key);
    return evidence[key];
  };
  const phrases = PHRASES.map((make) => make(evidence, use)).filter((p): p is string => !!p);
  const rest = Object.entries(evidence)
    .filter(([key]) => !used.has(key))
    .map(([key, value]) => `${words(key)}: ${valueText(value)}`);
  const all = [...phrases, ...rest];
  if (all.length === 0) return 'no evidence recorded';
  return truncate(all.join(', '), EVIDENCE_MAX_CHARS);
}

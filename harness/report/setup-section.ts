import type { Settings } from '../providers/types.js';
import type { TargetResult } from './result.js';
import { formatBytes, formatInt, formatMs, table, targetLabel } from './format.js';

function settingsText(settings: Settings): string {
  const entries = Object.entries(settings);
  if (entries.length === 0) return 'none recorded';
  return entries.map(([key, value]) => `\`${key}=${String(value)}\``).join(', ');
}

function targetSettings(target: TargetResult, all: TargetResult[]): string {
  return [
    `### ${targetLabel(target, all)}`,
    [
      `- Provider: ${target.provider}; broker: ${target.brokerVersion || 'version unknown'}; ` +
        `client: ${target.clientLibrary || 'unknown'}`,
      `- Broker settings: ${settingsText(target.settings.broker)}`,
      `- Client settings: ${settingsText(target.settings.client)}`,
      `- Durability: ${target.settings.durabilityNote || 'no note recorded'}`,
    ].join('\n'),
  ].join('\n\n');
}

/** The exact settings per target, so a reader can judge whether the comparison was fair. */
export function settingsSection(targets: TargetResult[]): string {
  return [
    '## Settings each target ran with',
    ...targets.map((t) => targetSettings(t, targets)),
  ].join('\n\n');
}

/**
 * Whether the traffic really went through the fault proxy: the client-to-broker direction
 * must carry at least the payload bytes that were acked, or faults could have missed.
 */
export function proxyCarriedPayload(target: TargetResult): boolean {
  const { proxy } = target;
  return !proxy.bypassed && proxy.upstreamBytes >= proxy.ackedPayloadBytes;
}

/** Byte counters of each target's proxy and the bypass check they support. */
export function proxySection(targets: TargetResult[]): string {
  const rows = targets.map((t) => [
    targetLabel(t, targets),
    `${t.proxy.name} :${t.proxy.listenPort} → :${t.proxy.upstreamPort}`,
    formatBytes(t.proxy.upstreamBytes),
    formatBytes(t.proxy.downstreamBytes),
    formatBytes(t.proxy.ackedPayloadBytes),
    proxyCarriedPayload(t) ? 'yes' : '**NO: traffic bypassed the proxy**',
  ]);
  const headers = [
    'target',
    'proxy',
    'client → broker',
    'broker → client',
    'acked payload',
    'all through the proxy',
  ];
  const intro =
    "Bytes are the proxy's own counters. Client → broker traffic must be at least the " +
    'acked payload; if it is less, clients reached the broker another way and the faults ' +
    'may have missed them.';
  const align: ('l' | 'r')[] = ['l', 'l', 'r', 'r', 'r', 'l'];
  return ['## Proxy bytes', intro, table(headers, rows, align)].join('\n\n');
}

function cpuText(target: TargetResult): string {
  const { cpuUserSec, cpuSystemSec } = target.harness;
  return `${cpuUserSec.toFixed(1)} s user + ${cpuSystemSec.toFixed(1)} s system`;
}

/** Event-loop lag, schedule slip and CPU of the harness; flags runs the harness paced. */
export function harnessSection(targets: TargetResult[]): string {
  const rows = targets.map((t) => [
    targetLabel(t, targets),
    formatMs(t.harness.eventLoopLagP99Ms * 1000),
    formatMs(t.harness.eventLoopLagMaxMs * 1000),
    formatMs(t.harness.scheduleSlipP99Ms * 1000),
    formatMs(t.harness.maxScheduleSlipMs * 1000),
    cpuText(t),
    t.harness.harnessBound ? '**yes**' : 'no',
    t.harness.note,
  ]);
  const headers = [
    'target',
    'event-loop lag p99',
    'lag max',
    'schedule slip p99',
    'slip max',
    'harness CPU',
    'harness-bound',
    'note',
  ];
  const bound = targets.filter((t) => t.harness.harnessBound).map((t) => targetLabel(t, targets));
  const warning =
    bound.length === 0
      ? 'The harness kept up with its schedule on every target.'
      : `**Warning:** on ${bound.join(', ')} the harness, not the broker, set the pace: ` +
        'throughput and latency there understate the broker.';
  const align: ('l' | 'r')[] = ['l', 'r', 'r', 'r', 'r', 'l', 'l'];
  return ['## Harness health', warning, table(headers, rows, align)].join('\n\n');
}

function errorsText(errors: Record<string, number>): string {
  const entries = Object.entries(errors).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return 'none';
  return entries.map(([name, count]) => `${name} ×${formatInt(count)}`).join(', ');
}

/** Reconnects, resends and errors the clients saw: the cost of the faults on the client side. */
export function clientStatsSection(targets: TargetResult[]): string {
  const rows = targets.map((t) => [
    targetLabel(t, targets),
    formatInt(t.clientStats.producerReconnects),
    formatInt(t.clientStats.consumerReconnects),
    formatInt(t.clientStats.resends),
    errorsText(t.clientStats.errors),
  ]);
  const headers = ['target', 'producer reconnects', 'consumer reconnects', 'resends', 'errors'];
  const align: ('l' | 'r')[] = ['l', 'r', 'r', 'r', 'l'];
  return ['## Client stats', table(headers, rows, align)].join('\n\n');
}

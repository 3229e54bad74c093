import * as hdr from 'hdr-histogram-js';
import type { VerdictCounts } from '../ledger/verdict.js';
import { emptyCounts } from '../ledger/verdict.js';
import type {
  AppliedFault,
  LatencyPair,
  LatencySummary,
  SecondSample,
  TargetResult,
  WindowFigures,
} from './result.js';

// Building blocks of the synthetic run in fixture.ts: per-second series shaped by outages,
// latency summaries with real encoded histograms, and a target with plausible side figures.

export const RATE = 1000;
export const DURATION_SEC = 50;
export const PAYLOAD = 1024;

/** A real encoded histogram holding the given values, so the fixture decodes like a run. */
function encode(valuesUs: number[]): string {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000 });
  for (const v of valuesUs) h.recordValue(v);
  return hdr.encodeIntoCompressedBase64(h);
}

function summary(count: number, p50Us: number, p99Us: number, p999Us: number): LatencySummary {
  const p90Us = Math.round(p50Us + (p99Us - p50Us) * 0.3);
  const maxUs = p999Us * 3;
  const values = [p50Us, p90Us, p99Us, p999Us, maxUs];
  return { count, p50Us, p90Us, p99Us, p999Us, maxUs, meanUs: p90Us, encoded: encode(values) };
}

/** Uncorrected latency is lower: it leaves out time spent waiting behind a stall. */
export function pair(count: number, p50Us: number, p99Us: number, p999Us: number): LatencyPair {
  return {
    corrected: summary(count, p50Us, p99Us, p999Us),
    uncorrected: summary(
      count,
      Math.round(p50Us * 0.9),
      Math.round(Math.max(p50Us * 1.5, p99Us * 0.4)),
      Math.round(p999Us / 5),
    ),
  };
}

export interface Outage {
  from: number;
  to: number;
  /** `slow` delays acks by `p99Us`; `stop` stops them until the fault is reverted. */
  mode: 'slow' | 'stop';
  p99Us: number;
}

function secondSample(sec: number, outages: Outage[]): SecondSample {
  const base = { sec, sent: RATE, failed: 0, indeterminate: 0 };
  const active = outages.find((o) => sec >= Math.floor(o.from) && sec < Math.ceil(o.to));
  if (active?.mode === 'stop') {
    return { ...base, acked: 0, indeterminate: 6, received: 0, publishP99Us: 0, endToEndP99Us: 0 };
  }
  if (active) {
    const slowed = { acked: 940, received: 930, failed: 2 };
    return { ...base, ...slowed, publishP99Us: active.p99Us, endToEndP99Us: active.p99Us * 1.2 };
  }
  // The backlog of a stop drains in the two seconds after it is reverted.
  const after = outages.find((o) => o.mode === 'stop' && sec >= o.to && sec < o.to + 2);
  const backlog = after ? Math.round(((after.to - after.from) * RATE) / 2) : 0;
  const p99Us = after ? after.p99Us : 2100 + (sec % 7) * 90;
  return {
    ...base,
    acked: RATE + backlog - (sec % 5 === 0 ? 3 : 0),
    received: RATE + backlog - (sec % 4 === 0 ? 2 : 0),
    publishP99Us: p99Us,
    endToEndP99Us: Math.round(p99Us * 2.3),
  };
}

function series(outages: Outage[]): SecondSample[] {
  return Array.from({ length: DURATION_SEC }, (_, sec) => secondSample(sec, outages));
}

export function counts(
  classes: Partial<VerdictCounts>,
  extra: Partial<VerdictCounts>,
): VerdictCounts {
  const c = {
    ...emptyCounts(),
    attempted: RATE * DURATION_SEC,
    ...classes,
    ...extra,
  };
  c.delivered = c.ok + c.recovered + c.failedButDelivered;
  return c;
}

/** A fault as the timeline records it; the spec carries the scenario's own keys. */
export function fault(
  index: number,
  kind: string,
  [appliedAtSec, revertedAtSec]: [number, number | null],
  extra: Record<string, unknown>,
  evidence: Record<string, unknown>,
  figures: WindowFigures | null = window(0, 0, 0),
): AppliedFault {
  const atSec = Math.round(appliedAtSec);
  const spec = { kind, atSec, ...extra };
  return {
    ...{ index, kind, spec, plannedAtSec: atSec, appliedAtSec, revertedAtSec },
    ...{ evidence, error: null, window: figures },
  };
}

export interface TargetSpec {
  name: TargetResult['name'];
  version: string;
  client: string;
  broker: TargetResult['settings']['broker'];
  faults: AppliedFault[];
  outages: Outage[];
  verdict: TargetResult['verdict'];
  ackedPerSec: number;
  latency: TargetResult['latency'];
}

/** What the harness saw around the broker: proxy bytes, drain, its own health, clients. */
function sideFigures(spec: TargetSpec) {
  const acked = spec.verdict.counts.acked;
  return {
    proxy: {
      name: `${spec.name}-proxy`,
      listenPort: 41000 + spec.name.length,
      upstreamPort: 42000 + spec.name.length,
      upstreamBytes: Math.round(acked * PAYLOAD * 1.12),
      downstreamBytes: Math.round(acked * PAYLOAD * 1.08),
      ackedPayloadBytes: acked * PAYLOAD,
      bypassed: false,
    },
    drain: spec.verdict.drained
      ? { drained: true, remaining: 0, detail: 'broker reports nothing left', durationMs: 1340 }
      : { drained: false, remaining: 1204, detail: 'lag 1,204 on partition 2', durationMs: 30000 },
    harness: {
      eventLoopLagP99Ms: 1.4,
      eventLoopLagMaxMs: 18.2,
      scheduleSlipP99Ms: 1.2,
      maxScheduleSlipMs: 3.1,
      cpuUserSec: 21.4,
      cpuSystemSec: 4.2,
      harnessBound: false,
      note: 'kept up',
    },
    clientStats: {
      producerReconnects: 2,
      consumerReconnects: 1,
      resends: spec.verdict.counts.resends,
      errors: { ECONNREFUSED: 14, 'send timeout': 9 },
    },
  };
}

export function target(spec: TargetSpec): TargetResult {
  const points = series(spec.outages);
  const histograms = points.map((s) => encode([Math.max(1, s.publishP99Us)]));
  return {
    name: spec.name,
    provider: 'local',
    profile: 'safe',
    brokerVersion: spec.version,
    clientLibrary: spec.client,
    settings: {
      broker: spec.broker,
      client: { sendTimeoutMs: 5000, clientResends: 'off' },
      durabilityNote:
        'kill -9 keeps the OS page cache, so it tests a process crash, not a power loss.',
    },
    verdict: spec.verdict,
    throughput: {
      targetRatePerSec: RATE,
      ackedPerSec: spec.ackedPerSec,
      sentPerSec: RATE,
      receivedPerSec: spec.ackedPerSec - 1.5,
      secondsWithoutAcks: spec.name === 'rabbitmq' ? 4 : 0,
      headlineWindowSec: [5, DURATION_SEC],
    },
    latency: spec.latency,
    steadyState: {
      seconds: 30,
      publishP50Us: spec.latency.publish.corrected.p50Us,
      publishP99Us: 1_940,
      endToEndP50Us: spec.latency.endToEnd.corrected.p50Us,
      endToEndP99Us: 3_310,
    },
    series: points,
    perSecondHistograms: { publish: histograms, endToEnd: histograms },
    faults: spec.faults,
    ...sideFigures(spec),
    error: null,
    timings: {
      startedAt: '2026-12-04T16:30:05.000Z',
      provisionMs: 420,
      workloadMs: 50000,
      drainMs: 1340,
    },
  };
}

export function window(ackedPerSec: number, publishP99Us: number, e2eP99Us: number): WindowFigures {
  return {
    ackedPerSec,
    receivedPerSec: Math.max(0, ackedPerSec - 3),
    publishP99Us,
    endToEndP99Us: e2eP99Us,
  };
}

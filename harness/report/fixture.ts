import * as hdr from 'hdr-histogram-js';
import type { VerdictCounts } from '../ledger/verdict.js';
import type {
  AppliedFault,
  LatencyPair,
  LatencySummary,
  RunResult,
  SecondSample,
  TargetResult,
  WindowFigures,
} from './result.js';
import { SCHEMA_VERSION } from './result.js';

// A synthetic run for the report's tests: three targets (one ok, one that lost messages,
// one that could not drain), two faults each, 50 s of per-second data at 1,000 msg/s.

const RATE = 1000;
const DURATION_SEC = 50;
const PAYLOAD = 1024;

/** A real encoded histogram holding the given values, so the fixture decodes like a run. */
function encode(valuesUs: number[]): string {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000 });
  for (const v of valuesUs) h.recordValue(v);
  return hdr.encodeIntoCompressedBase64(h);
}

function summary(count: number, p50Us: number, p99Us: number, p999Us: number): LatencySummary {
  const p90Us = Math.round((p50Us + p99Us) / 3);
  const maxUs = p999Us * 3;
  const values = [p50Us, p90Us, p99Us, p999Us, maxUs];
  return { count, p50Us, p90Us, p99Us, p999Us, maxUs, meanUs: p90Us, encoded: encode(values) };
}

/** Uncorrected latency is lower: it leaves out time spent waiting behind a stall. */
function pair(count: number, p50Us: number, p99Us: number, p999Us: number): LatencyPair {
  return {
    corrected: summary(count, p50Us, p99Us, p999Us),
    uncorrected: summary(count, Math.round(p50Us * 0.9), Math.round(p99Us * 0.4), p999Us / 5),
  };
}

interface Outage {
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

function counts(classes: Partial<VerdictCounts>, extra: Partial<VerdictCounts>): VerdictCounts {
  const c = {
    attempted: RATE * DURATION_SEC,
    acked: 0,
    failed: 0,
    indeterminate: 0,
    ok: 0,
    lost: 0,
    recovered: 0,
    failedButDelivered: 0,
    indeterminateUndelivered: 0,
    failedUndelivered: 0,
    duplicated: 0,
    unexpected: 0,
    reordered: 0,
    duplicateEffects: 0,
    resends: 0,
    delivered: 0,
    ...classes,
    ...extra,
  };
  c.delivered = c.ok + c.recovered + c.failedButDelivered;
  return c;
}

function fault(index: number, kind: string, at: [number, number | null], extra: object) {
  const [appliedAtSec, revertedAtSec] = at;
  const spec = { kind, at: Math.round(appliedAtSec), ...(extra as Record<string, unknown>) };
  return { index, kind, spec, plannedAtSec: Math.round(appliedAtSec), appliedAtSec, revertedAtSec };
}

interface TargetSpec {
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

function target(spec: TargetSpec): TargetResult {
  const points = series(spec.outages);
  const acked = spec.verdict.counts.acked;
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
      headlineWindowSec: [5, DURATION_SEC],
    },
    latency: spec.latency,
    series: points,
    perSecondHistograms: { publish: histograms, endToEnd: histograms },
    faults: spec.faults,
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
    error: null,
    timings: {
      startedAt: '2026-12-04T16:30:05.000Z',
      provisionMs: 420,
      workloadMs: 50000,
      drainMs: 1340,
    },
  };
}

function window(ackedPerSec: number, publishP99Us: number): WindowFigures {
  return { ackedPerSec, receivedPerSec: ackedPerSec - 3, publishP99Us, endToEndP99Us: 0 };
}

function redis(): TargetResult {
  const latencyFault = fault(0, 'latency', [15.02, 20.03], { latencyMs: 200, jitterMs: 20 });
  const kill = fault(1, 'kill9', [30.01, 31.84], {});
  return target({
    name: 'redis',
    version: 'Redis 7.0.15',
    client: 'ioredis 6.1.0',
    broker: { appendonly: 'yes', appendfsync: 'always', save: '' },
    faults: [
      {
        ...latencyFault,
        evidence: { summary: 'proxy read back: latency toxic (200 ms ± 20 ms) on downstream' },
        error: null,
        window: { ...window(940, 212_000), endToEndP99Us: 254_000 },
      },
      {
        ...kill,
        evidence: { summary: 'pid 1234 → 5678, connect refused (ECONNREFUSED) in between' },
        error: null,
        window: { ...window(0, 0), endToEndP99Us: 0 },
      },
    ],
    outages: [
      { from: 15.02, to: 20.03, mode: 'slow', p99Us: 212_000 },
      { from: 30.01, to: 31.84, mode: 'stop', p99Us: 1_900_000 },
    ],
    verdict: {
      status: 'ok',
      reasons: [],
      drained: true,
      counts: counts(
        { acked: 49_950, failed: 10, indeterminate: 40, ok: 49_950, recovered: 32 },
        { indeterminateUndelivered: 8, failedUndelivered: 10, duplicated: 120, resends: 58 },
      ),
    },
    ackedPerSec: 998.2,
    latency: {
      publish: pair(45_000, 1234, 2900, 215_000),
      endToEnd: pair(45_000, 2800, 6700, 250_000),
    },
  });
}

function rabbitmq(): TargetResult {
  const timeout = fault(0, 'timeout', [15.01, 20.02], { timeoutMs: 0, stream: 'both' });
  const kill = fault(1, 'kill9', [30.02, 38.51], {});
  return target({
    name: 'rabbitmq',
    version: 'RabbitMQ 3.10.8',
    client: 'amqplib 2.3.1',
    broker: { queueType: 'quorum', deliveryMode: 2, confirms: true, prefetch: 200 },
    faults: [
      {
        ...timeout,
        evidence: { summary: 'proxy read back: timeout toxic on upstream+downstream' },
        error: null,
        window: { ...window(0, 0), endToEndP99Us: 0 },
      },
      {
        ...kill,
        evidence: { summary: 'pid 2211 → 2407, connect refused (ECONNREFUSED) in between' },
        error: null,
        window: { ...window(0, 0), endToEndP99Us: 0 },
      },
    ],
    outages: [
      { from: 15.01, to: 20.02, mode: 'stop', p99Us: 5_100_000 },
      { from: 30.02, to: 38.51, mode: 'stop', p99Us: 8_600_000 },
    ],
    verdict: {
      status: 'fail',
      reasons: ['lost 37 acked messages; the safe profile allows 0'],
      drained: true,
      counts: counts(
        { acked: 49_900, failed: 60, indeterminate: 40, ok: 49_863, lost: 37, recovered: 25 },
        { indeterminateUndelivered: 15, failedButDelivered: 4, failedUndelivered: 56 },
      ),
    },
    ackedPerSec: 991.4,
    latency: {
      publish: pair(45_000, 3400, 48_000, 5_100_000),
      endToEnd: pair(45_000, 4100, 51_000, 5_300_000),
    },
  });
}

function kafka(): TargetResult {
  const cut = fault(0, 'cut', [15.0, 20.0], { stream: 'both' });
  const pause = fault(1, 'pause', [30.0, 35.0], {});
  const result = target({
    name: 'kafka',
    version: 'Kafka 4.1.1',
    client: 'kafkajs 2.2.4',
    broker: { acks: 'all', idempotent: true, 'log.flush.interval.messages': 'default' },
    faults: [
      {
        ...cut,
        // No summary on purpose: the report must list raw evidence fields readably.
        evidence: { proxyEnabled: false, probe: 'ECONNREFUSED', toxics: [] },
        error: null,
        window: { ...window(0, 0), endToEndP99Us: 0 },
      },
      {
        ...pause,
        evidence: { summary: 'pid 3301 stopped (state T), then running (state S)' },
        error: null,
        window: { ...window(0, 0), endToEndP99Us: 0 },
      },
    ],
    outages: [
      { from: 15.0, to: 20.0, mode: 'stop', p99Us: 5_000_000 },
      { from: 30.0, to: 35.0, mode: 'stop', p99Us: 5_200_000 },
    ],
    verdict: {
      status: 'unknown',
      reasons: ['not drained: 1,204 messages left, so lost cannot be judged'],
      drained: false,
      counts: counts(
        { acked: 49_700, indeterminate: 300, ok: 48_500, lost: 1200, recovered: 280 },
        { indeterminateUndelivered: 20, duplicated: 2_310, resends: 300 },
      ),
    },
    ackedPerSec: 987.0,
    latency: {
      publish: pair(45_000, 2600, 41_000, 5_000_000),
      endToEnd: pair(45_000, 5200, 52_000, 5_200_000),
    },
  });
  result.harness = { ...result.harness, harnessBound: true, maxScheduleSlipMs: 180 };
  result.harness.note = 'schedule slipped 180 ms while the broker was paused';
  return result;
}

/** A realistic RunResult for tests: every section of the report has something to show. */
export function fixtureRunResult(): RunResult {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'mqbench', version: '0.1.0' },
    runId: 'r-20261204-163000-7f3a',
    scenario: {
      name: 'quickstart',
      file: 'scenarios/quickstart.yaml',
      description: 'Steady 1,000 msg/s with a network fault and a broker crash on each target.',
    },
    seed: 42,
    startedAt: '2026-12-04T16:30:00.000Z',
    finishedAt: '2026-12-04T16:34:12.000Z',
    host: { node: 'v20.19.0', platform: 'linux x64', cpus: 2, memoryGiB: 7.75 },
    workload: {
      producers: 2,
      consumers: 2,
      messageSizeBytes: PAYLOAD,
      ratePerSec: RATE,
      durationSec: DURATION_SEC,
      warmupSec: 5,
      sendTimeoutMs: 5000,
    },
    targets: [redis(), rabbitmq(), kafka()],
  };
}

import type { RunResult, TargetResult } from './result.js';
import { SCHEMA_VERSION } from './result.js';
import {
  DURATION_SEC,
  PAYLOAD,
  RATE,
  counts,
  fault,
  pair,
  target,
  window,
} from './fixture-parts.js';

// A synthetic run for the report's tests: three targets (one ok, one that lost messages,
// one that could not drain), two faults each, 50 s of per-second data at 1,000 msg/s.

/** What ToxicFault reads back from the proxy: one toxic per direction. */
function toxics(type: string, streams: string[], attributes: Record<string, number>) {
  const list = streams.map((stream) => ({ name: `f-${type}-${stream}`, type, stream, attributes }));
  return { enabled: true, toxics: list.map((t) => ({ ...t, toxicity: 1 })) };
}

/** What the kill fault records: the signal, pids, a connect probe while down, restart time. */
function killed(pidBefore: number, pidAfter: number, restartMs: number) {
  const probe = 'ECONNREFUSED';
  return { signal: 'SIGKILL', pidBefore, connectAfterKill: probe, pidAfter, restartMs };
}

function redis(): TargetResult {
  return target({
    name: 'redis',
    version: 'Redis 7.0.15',
    client: 'ioredis 6.1.0',
    broker: { appendonly: 'yes', appendfsync: 'always', save: '' },
    faults: [
      fault(
        0,
        'latency',
        [15.02, 20.03],
        { latencyMs: 200, jitterMs: 20, direction: 'downstream', forSec: 5 },
        { proxyReadBack: toxics('latency', ['downstream'], { latency: 200, jitter: 20 }) },
        window(940, 212_000, 254_000),
      ),
      fault(1, 'kill', [30.01, 31.84], { restartAfterSec: 1.8 }, killed(1234, 5678, 1830)),
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
  return target({
    name: 'rabbitmq',
    version: 'RabbitMQ 3.10.8',
    client: 'amqplib 2.3.1',
    broker: { queueType: 'quorum', deliveryMode: 2, confirms: true, prefetch: 200 },
    faults: [
      fault(
        0,
        'timeout',
        [15.01, 20.02],
        { timeoutMs: 0, direction: 'both', forSec: 5 },
        { proxyReadBack: toxics('timeout', ['upstream', 'downstream'], { timeout: 0 }) },
      ),
      fault(1, 'kill', [30.02, 38.51], { restartAfterSec: 8.5 }, killed(2211, 2407, 8470)),
    ],
    outages: [
      { from: 15.01, to: 20.02, mode: 'stop', p99Us: 5_100_000 },
      { from: 30.02, to: 38.51, mode: 'stop', p99Us: 8_600_000 },
    ],
    verdict: {
      status: 'fail',
      reasons: ['37 acked messages were never delivered (lost); the limit is 0'],
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
  const result = target({
    name: 'kafka',
    version: 'Kafka 4.1.1',
    client: 'kafkajs 2.2.4',
    broker: { acks: 'all', idempotent: true, 'log.flush.interval.messages': 'default' },
    faults: [
      fault(
        0,
        'cut',
        [15.0, 20.0],
        { forSec: 5 },
        {
          proxyReadBack: { enabled: false },
          connectToProxy: 'ECONNREFUSED',
          enabledAfterRevert: true,
        },
      ),
      // The pause records its revert under the same `signal` key, so SIGCONT is what remains.
      fault(
        1,
        'pause',
        [30.0, 35.0],
        { forSec: 5 },
        {
          signal: 'SIGCONT',
          pid: 3301,
          processState: 'T',
          processStateAfter: 'S',
        },
      ),
    ],
    outages: [
      { from: 15.0, to: 20.0, mode: 'stop', p99Us: 5_000_000 },
      { from: 30.0, to: 35.0, mode: 'stop', p99Us: 5_200_000 },
    ],
    verdict: {
      status: 'unknown',
      reasons: [
        'the final drain did not finish: 1200 acked messages undelivered so far cannot be ' +
          'told lost from still queued, and whatever is still queued was never checked',
      ],
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
    interrupted: false,
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

import fs from 'node:fs';
import path from 'node:path';
import { ADAPTERS } from '../adapters/index.js';
import type { BrokerAdapter, ConsumerClient, ProducerClient } from '../adapters/types.js';
import type { Logger } from '../core/log.js';
import { freePorts } from '../core/ports.js';
import { seededRandom } from '../core/rng.js';
import { nowUs } from '../core/time.js';
import { Ledger } from '../ledger/index.js';
import { HarnessMonitor } from '../metrics/harness-health.js';
import { Recorder } from '../metrics/recorder.js';
import { startBroker } from '../providers/index.js';
import type { BrokerHandle } from '../providers/types.js';
import type { ProxyControl } from '../proxy/proxy-control.js';
import type { ToxiproxyServer } from '../proxy/toxiproxy-server.js';
import type { Scenario, TargetSpec } from '../scenario/index.js';
import { faultTargets, targetProfile } from '../scenario/index.js';
import { deliveryHandler } from '../workload/consumer.js';
import { makeFiller, runTagOf } from '../workload/message.js';
import { PacedProducer } from '../workload/producer.js';
import { FaultTimeline } from '../faults/timeline.js';
import { drainUntilEmpty } from './drain.js';
import type { DrainOutcome } from './drain.js';

/** Everything one target's run needs from the runner. */
export interface TargetRunInput {
  scenario: Scenario;
  target: TargetSpec;
  runId: string;
  seed: number;
  runDir: string;
  toxiproxy: ToxiproxyServer;
  signal: AbortSignal;
  log: Logger;
}

/** What a finished target run hands to the result builder. */
export interface TargetRunOutput {
  broker: BrokerHandle;
  adapter: BrokerAdapter;
  proxy: ProxyControl;
  ledger: Ledger;
  recorder: Recorder;
  monitor: HarnessMonitor;
  timeline: FaultTimeline;
  drain: DrainOutcome;
  originUs: number;
  workloadMs: number;
  provisionMs: number;
}

/** Time allowed after the last send slot for resends to land. */
export const RESEND_WINDOW_MS = 20_000;

/**
 * Runs one target: broker behind its proxy, producers and consumers, the fault timeline,
 * then heal and drain. The caller disposes the broker; this function closes the clients.
 */
export async function runTarget(input: TargetRunInput): Promise<TargetRunOutput> {
  const { scenario, target, log } = input;
  const provisionStart = Date.now();
  const [brokerPort, proxyPort] = (await freePorts(2)) as [number, number];
  fs.mkdirSync(input.runDir, { recursive: true });
  const profile = targetProfile(scenario, target);
  log.info({ brokerPort, proxyPort, profile }, 'starting broker');
  const broker = await startBroker(target, {
    runDir: input.runDir,
    brokerPort,
    proxyPort,
    profile,
  });
  try {
    // The proxy comes after the broker, so an external broker's own address is its upstream;
    // a local Kafka already advertises proxyPort, which is reserved until then.
    const proxy = await input.toxiproxy.createProxy(
      target.name,
      proxyPort,
      broker.brokerPort,
      broker.host,
    );
    return await driveTarget(input, broker, proxy, Date.now() - provisionStart);
  } catch (error) {
    await broker.dispose().catch(() => undefined);
    throw error;
  }
}

async function driveTarget(
  input: TargetRunInput,
  broker: BrokerHandle,
  proxy: ProxyControl,
  provisionMs: number,
): Promise<TargetRunOutput> {
  const { scenario, target, log } = input;
  const w = scenario.workload;
  const adapter = await makeAdapter(input, proxy);
  const producers: ProducerClient[] = [];
  const consumers: ConsumerClient[] = [];
  try {
    await adapter.setup();
    const perProducer = Math.ceil((w.ratePerSec * w.durationSec) / w.producers) + 16;
    const ledger = new Ledger(w.producers, perProducer);
    const runTag = runTagOf(`${input.runId}/${target.name}`);
    const recorder = new Recorder(nowUs(), w.warmupSec);
    const handler = deliveryHandler(ledger, recorder, runTag);
    for (let i = 0; i < w.consumers; i++) consumers.push(await adapter.createConsumer(i, handler));
    for (let i = 0; i < w.producers; i++) producers.push(await adapter.createProducer(i));
    // The schedule starts once every client is open, so slow connects are not slip.
    const originUs = nowUs() + 200_000;
    recorder.startAt(originUs);
    const monitor = new HarnessMonitor(originUs + w.warmupSec * 1e6);
    const faults = scenario.faults.filter((f) =>
      faultTargets(scenario, f).some((t) => t.name === target.name),
    );
    const timeline = new FaultTimeline(faults, { proxy, broker, log }, originUs);
    const paced = producers.map((client, producerId) =>
      pacedProducer(input, { client, producerId, originUs, runTag, ledger, recorder, monitor }),
    );

    log.info({ ratePerSec: w.ratePerSec, durationSec: w.durationSec }, 'workload started');
    const workloadStart = Date.now();
    const stopResends = () => paced.forEach((p) => p.abandonResends());
    input.signal.addEventListener('abort', stopResends, { once: true });
    await Promise.all([timeline.run(input.signal), ...paced.map((p) => p.run())]);
    const workloadMs = Date.now() - workloadStart;
    monitor.finish();
    log.info({ attempted: ledger.attemptedCount, acked: ledger.ackedCount }, 'workload done');

    await proxy.heal();
    const drainMs = scenario.drain.timeoutSec * 1000;
    const drain = await drainUntilEmpty(adapter, drainMs, input.signal, log);
    const measured = { ledger, recorder, monitor, timeline, drain, originUs };
    return { broker, adapter, proxy, ...measured, workloadMs, provisionMs };
  } finally {
    // On success and on error alike, so no client goes on reconnecting to a dead broker.
    await closeAll(producers, consumers, adapter, log);
  }
}

async function makeAdapter(input: TargetRunInput, proxy: ProxyControl): Promise<BrokerAdapter> {
  const { scenario, target } = input;
  const createAdapter = await ADAPTERS[target.name]();
  return createAdapter(
    { host: '127.0.0.1', port: proxy.listenPort },
    {
      name: `mqbench-${input.runId}-${target.name}`.replace(/[^A-Za-z0-9_.-]/g, '-'),
      profile: targetProfile(scenario, target),
      partitions: scenario.workload.partitions,
      sendTimeoutMs: scenario.workload.sendTimeoutMs,
      heartbeatSec: 5,
    },
  );
}

interface ProducerParts {
  client: ProducerClient;
  producerId: number;
  originUs: number;
  runTag: number;
  ledger: Ledger;
  recorder: Recorder;
  monitor: HarnessMonitor;
}

function pacedProducer(input: TargetRunInput, parts: ProducerParts): PacedProducer {
  const w = input.scenario.workload;
  // Each producer's filler comes from its own seeded stream, so a run replays exactly.
  const random = seededRandom(input.seed + parts.producerId);
  return new PacedProducer({
    ...parts,
    producerCount: w.producers,
    totalRatePerSec: w.ratePerSec,
    durationSec: w.durationSec,
    filler: makeFiller(w.messageSizeBytes, random),
    sendTimeoutMs: w.sendTimeoutMs,
    resendWindowMs: RESEND_WINDOW_MS,
    signal: input.signal,
  });
}

async function closeAll(
  producers: ProducerClient[],
  consumers: ConsumerClient[],
  adapter: BrokerAdapter,
  log: Logger,
): Promise<void> {
  const close = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      log.warn({ err: error }, `closing ${what} failed`);
    }
  };
  for (const p of producers) await close('producer', () => p.close());
  for (const c of consumers) await close('consumer', () => c.close());
  await close('adapter', () => adapter.teardown());
}

export function targetRunDir(outDir: string, target: string): string {
  return path.join(outDir, target);
}

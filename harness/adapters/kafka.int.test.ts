import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, probeConnect } from '../core/ports.js';
import { sleep, waitFor } from '../core/time.js';
import { startLocalKafka } from '../providers/local/kafka.js';
import type { BrokerHandle, ProcessControl } from '../providers/types.js';
import type { ProxyControl } from '../proxy/proxy-control.js';
import { ToxiproxyServer } from '../proxy/toxiproxy-server.js';
import { createKafkaAdapter } from './kafka.js';
import type { BrokerAdapter, ProducerClient, SendResult, TopologyOptions } from './types.js';

const PAYLOAD_BYTES = 512;
const ID_BYTES = 8;

let runDir = '';
let toxiproxy: ToxiproxyServer | undefined;
let proxy: ProxyControl;
let handle: BrokerHandle | undefined;
let brokerPort = 0;
let startupMs = 0;

/** A body whose first bytes carry its index, padded to PAYLOAD_BYTES. */
function body(index: number): Buffer {
  const buffer = Buffer.alloc(PAYLOAD_BYTES, 0x2e);
  buffer.write(String(index).padStart(ID_BYTES, '0'), 'ascii');
  return buffer;
}

/** A unique topic per test, so a test never reads another's messages. */
function adapterFor(
  test: string,
  overrides: Partial<TopologyOptions> = {},
  port = proxy.listenPort,
): BrokerAdapter {
  const options: TopologyOptions = {
    name: `mqbench-${test}-${Date.now().toString(36)}`,
    profile: 'safe',
    partitions: 3,
    sendTimeoutMs: 5000,
    heartbeatSec: 2,
    ...overrides,
  };
  return createKafkaAdapter({ host: '127.0.0.1', port }, options);
}

/** Sets up a topic, runs `fn`, and always tears down, so no client outlives its test. */
async function withAdapter<T>(
  test: string,
  overrides: Partial<TopologyOptions>,
  fn: (adapter: BrokerAdapter) => Promise<T>,
): Promise<T> {
  const adapter = adapterFor(test, overrides);
  try {
    await adapter.setup();
    return await fn(adapter);
  } finally {
    await adapter.teardown();
  }
}

/** Counts deliveries per message index, read from the body. */
function deliveryCounter(): { counts: Map<number, number>; onDelivery: (b: Buffer) => void } {
  const counts = new Map<number, number>();
  const onDelivery = (delivered: Buffer) => {
    const index = Number(delivered.toString('ascii', 0, ID_BYTES));
    counts.set(index, (counts.get(index) ?? 0) + 1);
  };
  return { counts, onDelivery };
}

/** `count` concurrent sends; they batch while a request is out. */
function sendAll(producer: ProducerClient, count: number): Promise<SendResult[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => producer.send(`key-${i}`, body(i))));
}

/** The time until an acked send settles, in ms; fails the test on any other outcome. */
async function timedAck(send: () => Promise<SendResult>): Promise<number> {
  const startedAt = performance.now();
  const result = await send();
  expect(result.outcome).toBe('acked');
  return performance.now() - startedAt;
}

/** About 50 sends a second for durationMs, open loop: a slow send does not hold the next. */
function produceOpenLoop(producer: ProducerClient, durationMs: number): Promise<SendResult[]> {
  const sends: Promise<SendResult>[] = [];
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const ticker = setInterval(() => {
      if (Date.now() - startedAt < durationMs) {
        sends.push(producer.send(`key-${sends.length}`, body(sends.length)));
        return;
      }
      clearInterval(ticker);
      resolve(Promise.all(sends));
    }, 20);
  });
}

/** kill -9 at 3 s, a TCP probe while down, restart at 6 s (times from startedAt). */
async function killAndRestart(control: ProcessControl, startedAt: number) {
  const elapsed = () => Date.now() - startedAt;
  const pidBefore = control.pid();
  await sleep(Math.max(0, 3000 - elapsed()));
  await control.kill9();
  const whileDown = await probeConnect(brokerPort);
  await sleep(Math.max(0, 6000 - elapsed()));
  const restartAt = Date.now();
  await control.start();
  return { pidBefore, whileDown, restartMs: Date.now() - restartAt };
}

async function waitDrained(adapter: BrokerAdapter, timeoutMs: number) {
  return waitFor(
    'committed offsets to reach the log end offsets',
    async () => {
      const status = await adapter.drainStatus();
      return status.drained ? status : undefined;
    },
    timeoutMs,
    200,
  );
}

/** Waits (bounded) for every acked message to arrive, then for the drain; the test judges. */
async function awaitAckedThenDrain(
  adapter: BrokerAdapter,
  results: SendResult[],
  counts: Map<number, number>,
) {
  const acked = results.flatMap((r, i) => (r.outcome === 'acked' ? [i] : []));
  const allIn = async () => (acked.every((i) => counts.has(i)) ? true : undefined);
  await waitFor('every acked message delivered', allIn, 30_000).catch(() => undefined);
  return { acked, status: await waitDrained(adapter, 30_000) };
}

beforeAll(async () => {
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqbench-kafka-'));
  toxiproxy = await ToxiproxyServer.start(runDir);
  const [clientPort, proxyPort] = await freePorts(2);
  brokerPort = clientPort ?? 0;
  // The proxy exists before Kafka, as in a run: the broker advertises its port.
  proxy = await toxiproxy.createProxy('kafka', proxyPort ?? 0, brokerPort);
  const startedAt = Date.now();
  handle = await startLocalKafka({
    runDir,
    brokerPort,
    proxyPort: proxy.listenPort,
    profile: 'safe',
  });
  startupMs = Date.now() - startedAt;
});

afterAll(async () => {
  await handle?.dispose();
  await toxiproxy?.dispose();
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
});

describe('local Kafka through Toxiproxy with kafkajs', () => {
  it('starts a KRaft node and reports its version and settings', () => {
    console.log(`kafka startup (format + start): ${startupMs} ms`);
    expect(handle?.version).toBe('4.1.1');
    expect(handle?.settings['min.insync.replicas']).toBe('1');
  });

  it('round-trips 200 messages through the proxy, each once, and drains', async () => {
    const before = await proxy.bytes();
    const { counts, onDelivery } = deliveryCounter();
    const { results, status, elapsedMs } = await withAdapter('roundtrip', {}, async (adapter) => {
      await adapter.createConsumer(0, onDelivery);
      const producer = await adapter.createProducer(0);
      const startedAt = Date.now();
      const results = await sendAll(producer, 200);
      await waitFor('200 deliveries', async () => (counts.size >= 200 ? true : undefined), 30_000);
      const elapsedMs = Date.now() - startedAt;
      return { results, status: await waitDrained(adapter, 15_000), elapsedMs };
    });
    console.log(`kafka round trip of 200 messages (safe): ${elapsedMs} ms`);

    expect(results.filter((r) => r.outcome === 'acked')).toHaveLength(200);
    expect(status.remaining).toBe(0);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([...Array(200).keys()]);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Toxiproxy adds a connection's bytes when it closes; teardown closed every client.
    await sleep(300);
    const after = await proxy.bytes();
    const payload = 200 * PAYLOAD_BYTES;
    expect(after.upstreamBytes - before.upstreamBytes).toBeGreaterThanOrEqual(payload);
    expect(after.downstreamBytes - before.downstreamBytes).toBeGreaterThanOrEqual(payload);
  });

  it('round-trips with the fast profile (acks 0, not idempotent) and drains', async () => {
    const { counts, onDelivery } = deliveryCounter();
    const run = await withAdapter('fast', { profile: 'fast' }, async (adapter) => {
      expect(adapter.settings).toMatchObject({ acks: 0, idempotent: false });
      await adapter.createConsumer(0, onDelivery);
      const results = await sendAll(await adapter.createProducer(0), 50);
      await waitFor('50 deliveries', async () => (counts.size >= 50 ? true : undefined), 30_000);
      return { results, status: await waitDrained(adapter, 15_000) };
    });
    expect(run.results.filter((r) => r.outcome === 'acked')).toHaveLength(50);
    expect(counts.size).toBe(50);
    expect(run.status.remaining).toBe(0);
  });

  it('refuses a client endpoint that is not what the broker advertises', async () => {
    // Bootstrapping at the broker itself: the broker then advertises the proxy's port.
    const direct = adapterFor('direct', {}, brokerPort);
    await expect(direct.setup()).rejects.toThrow(/instead of the proxy/);
    await direct.teardown();
  });

  it('slows a send by a 300 ms downstream latency toxic', async () => {
    await withAdapter('latency', { partitions: 1 }, async (adapter) => {
      const producer = await adapter.createProducer(0);
      expect((await producer.send('warm', body(0))).outcome).toBe('acked');
      try {
        await proxy.addToxic('kafka-latency', 'latency', 'downstream', { latency: 300, jitter: 0 });
        const state = await proxy.state();
        expect(state.toxics).toEqual([
          expect.objectContaining({
            name: 'kafka-latency',
            type: 'latency',
            stream: 'downstream',
            attributes: expect.objectContaining({ latency: 300 }),
          }),
        ]);
        const slowMs = await timedAck(() => producer.send('slow', body(1)));
        console.log(`kafka send under a 300 ms latency toxic: ${Math.round(slowMs)} ms`);
        expect(slowMs).toBeGreaterThanOrEqual(300);
      } finally {
        await proxy.removeToxic('kafka-latency');
      }
      expect((await proxy.state()).toxics).toHaveLength(0);
      expect(await timedAck(() => producer.send('fast', body(2)))).toBeLessThan(300);
    });
  });

  it('loses no acked message across kill -9 and restart', async () => {
    const control = handle?.process;
    if (!control) throw new Error('the local provider must give process control');
    const { counts, onDelivery } = deliveryCounter();
    // The node is back 5-8 s after the restart begins (JVM start, then 3 s until the old
    // registration is fenced). An 8 s deadline lets sends issued while it is down still
    // land; with 5 s most of them fail before it returns, which says little of the adapter.
    const outcome = await withAdapter('kill9', { sendTimeoutMs: 8000 }, async (adapter) => {
      await adapter.createConsumer(0, onDelivery);
      const producer = await adapter.createProducer(0);
      const startedAt = Date.now();
      const sending = produceOpenLoop(producer, 12_000);
      const fault = await killAndRestart(control, startedAt);
      const results = await sending;
      const { acked, status } = await awaitAckedThenDrain(adapter, results, counts);
      return { ...fault, results, acked, status, stats: adapter.stats };
    });
    const { results, acked } = outcome;
    const tally = (o: string) => `${o} ${results.filter((r) => r.outcome === o).length}`;
    const outcomes = ['acked', 'failed', 'indeterminate'].map(tally).join(', ');
    console.log(
      `kafka kill -9: restart ${outcome.restartMs} ms; sent ${results.length}, ` +
        `${outcomes}, delivered ${counts.size}, stats ${JSON.stringify(outcome.stats)}`,
    );

    expect(control.pid()).not.toBe(outcome.pidBefore);
    expect(outcome.whileDown).toBe('ECONNREFUSED');
    expect(acked.filter((i) => !counts.has(i))).toEqual([]);
    // `failed` claims the broker never got it: a delivery would prove the claim wrong.
    expect(results.filter((r, i) => r.outcome === 'failed' && counts.has(i))).toEqual([]);
    expect(acked.length / results.length).toBeGreaterThan(0.5);
    expect(outcome.status.remaining).toBe(0);
  });

  it('rides through a 3 s cut of the proxy with no acked message lost', async () => {
    const { counts, onDelivery } = deliveryCounter();
    const outcome = await withAdapter('cut', {}, async (adapter) => {
      await adapter.createConsumer(0, onDelivery);
      const producer = await adapter.createProducer(0);
      const sending = produceOpenLoop(producer, 8000);
      await sleep(2000);
      await proxy.setEnabled(false);
      try {
        await sleep(3000);
      } finally {
        await proxy.setEnabled(true);
      }
      const results = await sending;
      return { results, ...(await awaitAckedThenDrain(adapter, results, counts)) };
    });
    const { results, acked } = outcome;
    console.log(`kafka 3 s cut: sent ${results.length}, acked ${acked.length}`);
    expect(acked.filter((i) => !counts.has(i))).toEqual([]);
    // The last 100 sends (2 s, all after the heal) must be acked: the producer came back.
    const afterHeal = results.slice(-100);
    expect(afterHeal.filter((r) => r.outcome !== 'acked')).toEqual([]);
    expect(outcome.status.remaining).toBe(0);
  });
});

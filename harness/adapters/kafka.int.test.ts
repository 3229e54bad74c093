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

function indexOf(delivered: Buffer): number {
  return Number(delivered.toString('ascii', 0, ID_BYTES));
}

function adapterFor(test: string, overrides: Partial<TopologyOptions> = {}): BrokerAdapter {
  const name = `mqbench-${test}-${Date.now().toString(36)}`;
  const options = { name, profile: 'safe', partitions: 3, sendTimeoutMs: 5000, heartbeatSec: 2 };
  return createKafkaAdapter({ host: '127.0.0.1', port: proxy.listenPort }, {
    ...options,
    ...overrides,
  } as TopologyOptions);
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

/** Counts deliveries per message index. */
function deliveryCounter(): { counts: Map<number, number>; onDelivery: (b: Buffer) => void } {
  const counts = new Map<number, number>();
  const onDelivery = (b: Buffer) => counts.set(indexOf(b), (counts.get(indexOf(b)) ?? 0) + 1);
  return { counts, onDelivery };
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
    expect(startupMs).toBeLessThan(60_000);
  });

  it('round-trips 200 messages through the proxy, each once, and drains', async () => {
    const before = await proxy.bytes();
    const { counts, onDelivery } = deliveryCounter();
    const { results, status, elapsedMs } = await withAdapter('roundtrip', {}, async (adapter) => {
      await adapter.createConsumer(0, onDelivery);
      const producer = await adapter.createProducer(0);
      const startedAt = Date.now();
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => producer.send(`key-${i}`, body(i))),
      );
      await waitFor('200 deliveries', async () => (counts.size >= 200 ? true : undefined), 30_000);
      const elapsedMs = Date.now() - startedAt;
      return { results, status: await waitDrained(adapter, 15_000), elapsedMs };
    });
    console.log(`kafka round trip of 200 messages (safe): ${elapsedMs} ms`);

    expect(results.filter((r) => r.outcome === 'acked')).toHaveLength(200);
    expect(status.remaining).toBe(0);
    const all = Array.from({ length: 200 }, (_, i) => i);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(all);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Toxiproxy adds a connection's bytes when it closes; teardown closed every client.
    await sleep(300);
    const after = await proxy.bytes();
    expect(after.upstreamBytes - before.upstreamBytes).toBeGreaterThanOrEqual(200 * PAYLOAD_BYTES);
    expect(after.downstreamBytes - before.downstreamBytes).toBeGreaterThanOrEqual(
      200 * PAYLOAD_BYTES,
    );
  });

  it('round-trips with the fast profile (acks 1, auto-commit) and drains', async () => {
    const { counts, onDelivery } = deliveryCounter();
    const { results, status, settings } = await withAdapter(
      'fast',
      { profile: 'fast' },
      async (adapter) => {
        await adapter.createConsumer(0, onDelivery);
        const producer = await adapter.createProducer(0);
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => producer.send(`key-${i}`, body(i))),
        );
        await waitFor('50 deliveries', async () => (counts.size >= 50 ? true : undefined), 30_000);
        return { results, status: await waitDrained(adapter, 15_000), settings: adapter.settings };
      },
    );
    expect(settings).toMatchObject({ acks: 1, idempotent: false });
    expect(results.filter((r) => r.outcome === 'acked')).toHaveLength(50);
    expect(counts.size).toBe(50);
    expect(status.remaining).toBe(0);
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
    const outcome = await withAdapter('kill9', {}, async (adapter) => {
      await adapter.createConsumer(0, onDelivery);
      const producer = await adapter.createProducer(0);
      const startedAt = Date.now();
      const sending = produceOpenLoop(producer, 12_000);
      const fault = await killAndRestart(control, startedAt);
      const results = await sending;
      const acked = results.flatMap((r, i) => (r.outcome === 'acked' ? [i] : []));
      const allIn = async () => (acked.every((i) => counts.has(i)) ? true : undefined);
      await waitFor('every acked message delivered', allIn, 30_000).catch(() => undefined);
      const status = await waitDrained(adapter, 30_000);
      return { ...fault, results, acked, status, stats: adapter.stats };
    });
    const { results, acked } = outcome;
    const tally = (o: string) => results.filter((r) => r.outcome === o).length;
    console.log(
      `kafka kill -9: restart ${outcome.restartMs} ms; sent ${results.length}, ` +
        `acked ${acked.length}, failed ${tally('failed')}, ` +
        `indeterminate ${tally('indeterminate')}, delivered ${counts.size}, ` +
        `stats ${JSON.stringify(outcome.stats)}`,
    );

    expect(control.pid()).not.toBe(outcome.pidBefore);
    expect(outcome.whileDown).toBe('ECONNREFUSED');
    expect(acked.filter((i) => !counts.has(i))).toEqual([]);
    expect(acked.length / results.length).toBeGreaterThan(0.5);
    expect(outcome.status.remaining).toBe(0);
  });
});

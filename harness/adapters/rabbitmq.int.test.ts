import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, probeConnect } from '../core/ports.js';
import { sleep, waitFor } from '../core/time.js';
import type { ProxyControl, ProxyState } from '../proxy/proxy-control.js';
import { ToxiproxyServer } from '../proxy/toxiproxy-server.js';
import { startLocalRabbitMQ } from '../providers/local/rabbitmq.js';
import type { BrokerHandle } from '../providers/types.js';
import { createRabbitMQAdapter } from './rabbitmq.js';
import type {
  BrokerAdapter,
  DrainStatus,
  ProducerClient,
  SendResult,
  TopologyOptions,
} from './types.js';

const PAYLOAD_BYTES = 256;

/** A body that carries its sequence number in the first 4 bytes. */
function payload(seq: number): Buffer {
  const body = Buffer.alloc(PAYLOAD_BYTES, 'x');
  body.writeUInt32BE(seq, 0);
  return body;
}

function deliveryCounter(): { counts: Map<number, number>; onDelivery: (b: Buffer) => void } {
  const counts = new Map<number, number>();
  return {
    counts,
    onDelivery: (body) => {
      const seq = body.readUInt32BE(0);
      counts.set(seq, (counts.get(seq) ?? 0) + 1);
    },
  };
}

async function waitDrained(adapter: BrokerAdapter, timeoutMs: number): Promise<DrainStatus> {
  const deadline = performance.now() + timeoutMs;
  let status = await adapter.drainStatus();
  while (!status.drained && performance.now() < deadline) {
    await sleep(250);
    status = await adapter.drainStatus();
  }
  return status;
}

/** The test's own resend loop, standing in for the harness, which owns resends. */
async function sendUntilAcked(producer: ProducerClient, seq: number): Promise<SendResult> {
  let result: SendResult = { outcome: 'failed', error: 'not tried' };
  for (let attempt = 0; attempt < 20 && result.outcome !== 'acked'; attempt++) {
    if (attempt > 0) await sleep(500);
    result = await producer.send(String(seq), payload(seq));
  }
  return result;
}

interface Attempt {
  seq: number;
  startedMs: number;
  settledMs?: number;
  result?: SendResult;
}

describe('RabbitMQ adapter on a local node behind Toxiproxy', () => {
  let runDir = '';
  let toxiproxy: ToxiproxyServer | undefined;
  let proxy: ProxyControl;
  let broker: BrokerHandle | undefined;
  let brokerPort = 0;
  let proxyPort = 0;
  const adapters: BrokerAdapter[] = [];

  function adapter(label: string, overrides: Partial<TopologyOptions> = {}): BrokerAdapter {
    const created = createRabbitMQAdapter(
      { host: '127.0.0.1', port: proxyPort },
      {
        name: `mqbench-${label}-${crypto.randomBytes(4).toString('hex')}`,
        profile: 'safe',
        partitions: 1,
        sendTimeoutMs: 5000,
        heartbeatSec: 5,
        ...overrides,
      },
    );
    adapters.push(created);
    return created;
  }

  beforeAll(async () => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqbench-rabbitmq-int-'));
    toxiproxy = await ToxiproxyServer.start(runDir);
    [brokerPort = 0, proxyPort = 0] = await freePorts(2);
    proxy = await toxiproxy.createProxy('rabbitmq', proxyPort, brokerPort);
    const startedAt = performance.now();
    broker = await startLocalRabbitMQ({ runDir, brokerPort, proxyPort, profile: 'safe' });
    const startupMs = Math.round(performance.now() - startedAt);
    console.log(`RabbitMQ ${broker.version} ready in ${startupMs} ms`, broker.settings);
  });

  afterAll(async () => {
    await Promise.allSettled(adapters.map((a) => a.teardown()));
    await broker?.dispose();
    await toxiproxy?.dispose();
    if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
  });

  it('round-trips 200 messages through the proxy, each delivered once', async () => {
    const before = await proxy.bytes();
    const rabbit = adapter('roundtrip');
    await rabbit.setup();
    const { counts, onDelivery } = deliveryCounter();
    await rabbit.createConsumer(0, onDelivery);
    const producer = await rabbit.createProducer(0);

    const seqs = Array.from({ length: 200 }, (_, i) => i);
    const results = await Promise.all(seqs.map((seq) => producer.send(String(seq), payload(seq))));
    expect(results.filter((r) => r.outcome !== 'acked')).toEqual([]);

    const status = await waitDrained(rabbit, 20_000);
    expect(status.drained, status.detail).toBe(true);
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);

    await rabbit.teardown();
    // Toxiproxy adds a connection's bytes to its counters only once the connection closes.
    const minimum = before.upstreamBytes + 200 * PAYLOAD_BYTES;
    const after = await waitFor(
      'proxy byte counters',
      async () => {
        const bytes = await proxy.bytes();
        return bytes.upstreamBytes >= minimum ? bytes : undefined;
      },
      5000,
    ).catch(() => proxy.bytes());
    expect(after.upstreamBytes - before.upstreamBytes).toBeGreaterThanOrEqual(200 * PAYLOAD_BYTES);
  });

  it('settles every publish through a confirm black hole and resumes after it', async () => {
    const sendTimeoutMs = 2000;
    const rabbit = adapter('blackhole', { sendTimeoutMs, heartbeatSec: 2 });
    await rabbit.setup();
    const { counts, onDelivery } = deliveryCounter();
    await rabbit.createConsumer(0, onDelivery);
    const producer = await rabbit.createProducer(0);

    const t0 = performance.now();
    const elapsed = () => performance.now() - t0;
    const fault = blackHole(proxy, t0, 3000, 8000);
    fault.catch(() => undefined); // awaited below; this only keeps an early failure handled
    const { attempts, sends } = await paceSends(producer, t0, 10, 14_000);
    const { stateDuringFault, healedAtMs } = await fault;

    // Every send settles on its own; the extra wait only exposes a promise that hangs.
    await Promise.race([Promise.all(sends), sleep(sendTimeoutMs + 2000)]);
    expect(attempts.filter((a) => !a.result)).toEqual([]);
    const slowestMs = Math.max(...attempts.map((a) => (a.settledMs ?? Infinity) - a.startedMs));
    expect(slowestMs).toBeLessThanOrEqual(sendTimeoutMs + 750);

    const toxics = stateDuringFault.toxics.map((t) => `${t.type}/${t.stream}`).sort();
    expect(toxics).toEqual(['timeout/downstream', 'timeout/upstream']);
    const acked = attempts.filter((a) => a.result?.outcome === 'acked');
    expect(attempts.some((a) => a.result?.outcome !== 'acked')).toBe(true);
    expect(acked.filter((a) => a.startedMs > healedAtMs).length).toBeGreaterThan(0);

    const status = await waitDrained(rabbit, 30_000);
    expect(status.drained, status.detail).toBe(true);
    expect(acked.filter((a) => !counts.has(a.seq)).map((a) => a.seq)).toEqual([]);
    console.log('black hole:', summarize(attempts, counts), {
      slowestMs: Math.round(slowestMs),
      healedAtMs: Math.round(healedAtMs),
      finishedAtMs: Math.round(elapsed()),
      stats: rabbit.stats,
    });
  });

  it('survives kill -9 of beam.smp and a restart on the same data', async () => {
    const rabbit = adapter('kill9', { sendTimeoutMs: 2000, heartbeatSec: 2 });
    await rabbit.setup();
    const { counts, onDelivery } = deliveryCounter();
    await rabbit.createConsumer(0, onDelivery);
    const producer = await rabbit.createProducer(0);
    const control = broker?.process;
    if (!control) throw new Error('the local provider must offer process control');

    const first = await Promise.all(
      Array.from({ length: 50 }, (_, i) => producer.send(String(i), payload(i))),
    );
    expect(first.filter((r) => r.outcome !== 'acked')).toEqual([]);

    const pidBefore = control.pid();
    await control.kill9();
    expect(await probeConnect(brokerPort)).toBe('ECONNREFUSED');
    const whileDown = await producer.send('down', payload(9999));
    expect(whileDown.outcome).not.toBe('acked');

    const restartAt = performance.now();
    await control.start();
    const restartMs = Math.round(performance.now() - restartAt);
    expect(control.pid()).not.toBe(pidBefore);

    const second: SendResult[] = [];
    for (let seq = 50; seq < 100; seq++) second.push(await sendUntilAcked(producer, seq));
    expect(second.filter((r) => r.outcome !== 'acked')).toEqual([]);

    const status = await waitDrained(rabbit, 30_000);
    expect(status.drained, status.detail).toBe(true);
    const missing = Array.from({ length: 100 }, (_, i) => i).filter((seq) => !counts.has(seq));
    expect(missing).toEqual([]);
    console.log('kill -9:', {
      pidBefore,
      pidAfter: control.pid(),
      restartMs,
      whileDown,
      duplicates: [...counts.values()].filter((n) => n > 1).length,
      stats: rabbit.stats,
    });
  });
});

/** Adds a `timeout` toxic (timeout 0) on both directions at startMs and removes it at endMs. */
async function blackHole(
  proxy: ProxyControl,
  t0: number,
  startMs: number,
  endMs: number,
): Promise<{ stateDuringFault: ProxyState; healedAtMs: number }> {
  await sleep(startMs);
  try {
    await proxy.addToxic('blackhole-down', 'timeout', 'downstream', { timeout: 0 });
    await proxy.addToxic('blackhole-up', 'timeout', 'upstream', { timeout: 0 });
    const stateDuringFault = await proxy.state();
    await sleep(Math.max(0, t0 + endMs - performance.now()));
    await proxy.removeToxic('blackhole-down');
    await proxy.removeToxic('blackhole-up');
    return { stateDuringFault, healedAtMs: performance.now() - t0 };
  } catch (error) {
    await proxy.heal().catch(() => undefined);
    throw error;
  }
}

/** Open-loop pacing: each send starts at its intended time, whether or not others settled. */
async function paceSends(
  producer: ProducerClient,
  t0: number,
  ratePerSec: number,
  durationMs: number,
): Promise<{ attempts: Attempt[]; sends: Promise<void>[] }> {
  const attempts: Attempt[] = [];
  const sends: Promise<void>[] = [];
  const intervalMs = 1000 / ratePerSec;
  for (let seq = 0; seq * intervalMs < durationMs; seq++) {
    await sleep(Math.max(0, t0 + seq * intervalMs - performance.now()));
    const attempt: Attempt = { seq, startedMs: performance.now() - t0 };
    attempts.push(attempt);
    const settled = producer.send(String(seq), payload(seq)).then((result) => {
      attempt.result = result;
      attempt.settledMs = performance.now() - t0;
    });
    sends.push(settled);
  }
  return { attempts, sends };
}

function summarize(attempts: Attempt[], counts: Map<number, number>): Record<string, number> {
  const summary: Record<string, number> = { attempted: attempts.length };
  for (const attempt of attempts) {
    const outcome = attempt.result?.outcome ?? 'pending';
    const delivered = counts.has(attempt.seq) ? 'delivered' : 'undelivered';
    const key = `${outcome}/${delivered}`;
    summary[key] = (summary[key] ?? 0) + 1;
  }
  return summary;
}

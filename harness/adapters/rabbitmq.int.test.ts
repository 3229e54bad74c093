import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, probeConnect } from '../core/ports.js';
import { sleep, waitFor } from '../core/time.js';
import type { ProxyControl } from '../proxy/proxy-control.js';
import { ToxiproxyServer } from '../proxy/toxiproxy-server.js';
import { startLocalRabbitMQ } from '../providers/local/rabbitmq.js';
import type { BrokerHandle } from '../providers/types.js';
import { createRabbitMQAdapter } from './rabbitmq.js';
import {
  blackHole,
  deliveryCounter,
  paceSends,
  PAYLOAD_BYTES,
  payload,
  sendBatch,
  sendUntilAcked,
  summarize,
  waitDrained,
} from './rabbitmq-test-helpers.js';
import type { BrokerAdapter, SendResult, TopologyOptions } from './types.js';

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
    const consumer = await rabbit.createConsumer(0, onDelivery);
    const producer = await rabbit.createProducer(0);

    const results = await sendBatch(producer, 0, 200);
    expect(results.filter((r) => r.outcome !== 'acked')).toEqual([]);

    const status = await waitDrained(rabbit, 20_000);
    expect(status.drained, status.detail).toBe(true);
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);

    // Unacked deliveries return to the queue when their consumer goes, a moment after its
    // channel closes: 0 ready then proves the acks.
    await consumer.close();
    await producer.close();
    await sleep(500);
    const afterClose = await rabbit.drainStatus();
    expect(afterClose.remaining, afterClose.detail).toBe(0);

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

  it('round-trips with the fast profile: classic queue, no confirms, auto-ack', async () => {
    const rabbit = adapter('fast', { profile: 'fast' });
    expect(rabbit.settings.queue_type).toBe('classic');
    await rabbit.setup();
    const { counts, onDelivery } = deliveryCounter();
    await rabbit.createConsumer(0, onDelivery);
    const producer = await rabbit.createProducer(0);

    const results = await sendBatch(producer, 0, 200);
    expect(results.filter((r) => r.outcome !== 'acked')).toEqual([]);
    const status = await waitDrained(rabbit, 20_000);
    expect(status.drained, status.detail).toBe(true);
    expect(counts.size).toBe(200);
    await rabbit.teardown();
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
    // Ra registers a new quorum queue in a DETS table saved after 500 ms of quiet, and its
    // metadata after 5 s. A queue killed younger than that comes back with no Ra member: no
    // leader, ever. Let it age first; the kill is meant to test messages, not that race.
    await sleep(6000);

    const first = await sendBatch(producer, 0, 50);
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
    const resendDeadline = performance.now() + 30_000;
    for (let seq = 50; seq < 100; seq++) {
      second.push(await sendUntilAcked(producer, seq, resendDeadline));
    }
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

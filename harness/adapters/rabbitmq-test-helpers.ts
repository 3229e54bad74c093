import { sleep } from '../core/time.js';
import type { ProxyControl, ProxyState } from '../proxy/proxy-control.js';
import type { BrokerAdapter, DrainStatus, ProducerClient, SendResult } from './types.js';

// Helpers of rabbitmq.int.test.ts: bodies that carry a sequence number, a delivery counter,
// open-loop pacing and the black-hole fault of the confirm-blackhole case.

export const PAYLOAD_BYTES = 256;

/** A body that carries its sequence number in the first 4 bytes. */
export function payload(seq: number): Buffer {
  const body = Buffer.alloc(PAYLOAD_BYTES, 'x');
  body.writeUInt32BE(seq, 0);
  return body;
}

export function deliveryCounter(): {
  counts: Map<number, number>;
  onDelivery: (b: Buffer) => void;
} {
  const counts = new Map<number, number>();
  return {
    counts,
    onDelivery: (body) => {
      const seq = body.readUInt32BE(0);
      counts.set(seq, (counts.get(seq) ?? 0) + 1);
    },
  };
}

export async function waitDrained(adapter: BrokerAdapter, timeoutMs: number): Promise<DrainStatus> {
  const deadline = performance.now() + timeoutMs;
  let status = await adapter.drainStatus();
  while (!status.drained && performance.now() < deadline) {
    await sleep(250);
    status = await adapter.drainStatus();
  }
  return status;
}

/** The test's own resend loop, standing in for the harness, which owns resends. */
export async function sendUntilAcked(
  producer: ProducerClient,
  seq: number,
  deadline: number,
): Promise<SendResult> {
  let result = await producer.send(String(seq), payload(seq));
  while (result.outcome !== 'acked' && performance.now() < deadline) {
    await sleep(250);
    result = await producer.send(String(seq), payload(seq));
  }
  return result;
}

export interface Attempt {
  seq: number;
  startedMs: number;
  settledMs?: number;
  result?: SendResult;
}

/** Sends count messages from seq `from` at once and waits for all their outcomes. */
export function sendBatch(producer: ProducerClient, from: number, count: number) {
  const seqs = Array.from({ length: count }, (_, i) => from + i);
  return Promise.all(seqs.map((seq) => producer.send(String(seq), payload(seq))));
}

/** Adds a `timeout` toxic (timeout 0) on both directions at startMs and removes it at endMs. */
export async function blackHole(
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
export async function paceSends(
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

export function summarize(
  attempts: Attempt[],
  counts: Map<number, number>,
): Record<string, number> {
  const duplicated = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
  const summary: Record<string, number> = { attempted: attempts.length, duplicated };
  for (const attempt of attempts) {
    const outcome = attempt.result?.outcome ?? 'pending';
    const delivered = counts.has(attempt.seq) ? 'delivered' : 'undelivered';
    const key = `${outcome}/${delivered}`;
    summary[key] = (summary[key] ?? 0) + 1;
  }
  return summary;
}

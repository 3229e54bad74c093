import { describe, expect, it } from 'vitest';
import type { ProducerClient, SendResult } from '../adapters/types.js';
import { nowUs } from '../core/time.js';
import { Ledger } from '../ledger/index.js';
import { HarnessMonitor } from '../metrics/harness-health.js';
import { Recorder } from '../metrics/recorder.js';
import { decodeMessage, makeFiller } from './message.js';
import { PacedProducer } from './producer.js';

/** An in-memory client: records what it is handed and answers as told. No broker involved. */
class ScriptedClient implements ProducerClient {
  readonly sends: { seq: number; intendedUs: number; sentAtUs: number }[] = [];
  constructor(private readonly answer: (seq: number, attempt: number) => SendResult['outcome']) {}

  async send(_key: string, body: Buffer): Promise<SendResult> {
    const decoded = decodeMessage(body, 1);
    if (!decoded.ok) throw new Error(`bad message: ${decoded.reason}`);
    const { seq, intendedUs } = decoded.header;
    const attempt = this.sends.filter((s) => s.seq === seq).length;
    this.sends.push({ seq, intendedUs, sentAtUs: nowUs() });
    return { outcome: this.answer(seq, attempt) };
  }

  async close(): Promise<void> {}
}

function producers(count: number, clients: ScriptedClient[], ledger: Ledger, originUs: number) {
  const recorder = new Recorder(originUs, 0);
  return clients.map(
    (client, producerId) =>
      new PacedProducer({
        producerId,
        producerCount: count,
        totalRatePerSec: 300,
        durationSec: 0.5,
        originUs,
        runTag: 1,
        filler: makeFiller(128, () => 0.5),
        sendTimeoutMs: 1000,
        resendWindowMs: 2000,
        client,
        ledger,
        recorder,
        monitor: new HarnessMonitor(),
        signal: new AbortController().signal,
      }),
  );
}

describe('the paced producer', () => {
  it('attempts every slot exactly once across producers, never ahead of its time', async () => {
    const clients = [0, 1, 2].map(() => new ScriptedClient(() => 'acked'));
    const ledger = new Ledger(3, 64);
    const paced = producers(3, clients, ledger, nowUs() + 20_000);
    await Promise.all(paced.map((p) => p.run()));

    expect(paced.map((p) => p.slotCount())).toEqual([50, 50, 50]);
    expect(ledger.counts().attempted).toBe(150);
    expect(ledger.counts().acked).toBe(150);
    const early = clients.flatMap((c) => c.sends).filter((s) => s.sentAtUs < s.intendedUs);
    expect(early).toEqual([]);
  });

  it('resends what was not acked with the same identity until it is', async () => {
    // Every 10th message fails twice, then is acked; one is indeterminate once.
    const answer = (seq: number, attempt: number): SendResult['outcome'] => {
      if (seq === 7 && attempt === 0) return 'indeterminate';
      return seq % 10 === 0 && attempt < 2 ? 'failed' : 'acked';
    };
    const client = new ScriptedClient(answer);
    const ledger = new Ledger(1, 64);
    const [producer] = producers(1, [client], ledger, nowUs() + 20_000);
    await producer?.run();

    const c = ledger.counts();
    expect(c.attempted).toBe(150);
    expect(c.acked).toBe(150);
    expect(c.resends).toBe(15 * 2 + 1);
    const seqZero = client.sends.filter((s) => s.seq === 0);
    expect(seqZero).toHaveLength(3);
    expect(new Set(seqZero.map((s) => s.intendedUs)).size).toBe(1);
  });
});

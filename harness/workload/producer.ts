import type { ProducerClient, SendResult } from '../adapters/types.js';
import { backoffMs } from '../core/retry.js';
import { nowUs, sleep, withTimeout } from '../core/time.js';
import type { Ledger } from '../ledger/index.js';
import type { HarnessMonitor } from '../metrics/harness-health.js';
import type { Recorder } from '../metrics/recorder.js';
import { encodeMessage, stampSentUs } from './message.js';
import { ResendGate } from './resend-gate.js';

const RESEND_BACKOFF = { attempts: 0, baseDelayMs: 100, maxDelayMs: 1000 };

/** How long past its own deadline an adapter's send may run before the harness gives up. */
const SEND_GRACE_MS = 5000;

export interface PacedProducerOptions {
  producerId: number;
  /** Every producer-th slot of the schedule belongs to this producer. */
  producerCount: number;
  totalRatePerSec: number;
  durationSec: number;
  originUs: number;
  runTag: number;
  filler: Buffer;
  /** The adapter's own deadline per send; the producer allows a grace beyond it. */
  sendTimeoutMs: number;
  /** Resends of a message stop once it is this old, or when the run stops. */
  resendWindowMs: number;
  client: ProducerClient;
  ledger: Ledger;
  recorder: Recorder;
  monitor: HarnessMonitor;
  signal: AbortSignal;
}

/**
 * An open-loop producer: slot n is due at origin + n / rate whatever happened to earlier
 * sends, so an outage never thins the schedule and attempted = rate × duration. Each
 * message is resent (same identity) until acked or too old; the ledger sees every attempt.
 */
export class PacedProducer {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly intervalUs: number;
  private stopResending = false;
  private readonly gate = new ResendGate();

  constructor(private readonly o: PacedProducerOptions) {
    this.intervalUs = 1e6 / o.totalRatePerSec;
  }

  /** Number of slots this producer owns, so the slots of all producers add up exactly. */
  slotCount(): number {
    const total = Math.round(this.o.totalRatePerSec * this.o.durationSec);
    const base = Math.floor(total / this.o.producerCount);
    return base + (this.o.producerId < total % this.o.producerCount ? 1 : 0);
  }

  /** Runs the schedule, then waits until every message is acked or has given up. */
  async run(): Promise<void> {
    const slots = this.slotCount();
    for (let n = 0; n < slots && !this.o.signal.aborted; n++) {
      const slot = n * this.o.producerCount + this.o.producerId;
      const intendedUs = this.o.originUs + slot * this.intervalUs;
      await waitUntil(intendedUs);
      this.o.monitor.slip((nowUs() - intendedUs) / 1000, intendedUs);
      this.track(this.sendUntilSettled(n, intendedUs));
    }
    await Promise.all(this.inFlight);
  }

  /** Ends resending early (used when the run is aborted). */
  abandonResends(): void {
    this.stopResending = true;
    this.gate.wakeAll();
  }

  private track(promise: Promise<void>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private async sendUntilSettled(seq: number, intendedUs: number): Promise<void> {
    const { ledger, recorder, producerId } = this.o;
    const header = { runTag: this.o.runTag, producerId, seq, intendedUs, sentUs: 0 };
    const template = encodeMessage(header, this.o.filler);
    const key = `${producerId}`;
    const mayResend = () => this.mayResend(intendedUs);
    for (let attempt = 0; ; attempt++) {
      const release = attempt === 0 ? () => undefined : await this.gate.turn(mayResend);
      if (!release) return;
      const body = attempt === 0 ? template : Buffer.from(template);
      const sentUs = nowUs();
      stampSentUs(body, sentUs);
      ledger.recordAttempt(producerId, seq);
      if (attempt === 0) recorder.count('sent', sentUs);
      const result = await this.safeSend(key, body);
      const settledUs = nowUs();
      ledger.recordSettlement(producerId, seq, result.outcome);
      recorder.count(result.outcome, settledUs);
      this.gate.settled(result.outcome);
      release();
      if (result.outcome === 'acked') {
        recorder.publishSettled(intendedUs, sentUs, settledUs);
        return;
      }
      if (!mayResend()) return;
      await sleep(backoffMs(Math.min(attempt, 4), RESEND_BACKOFF));
    }
  }

  private mayResend(intendedUs: number): boolean {
    if (this.stopResending || this.o.signal.aborted) return false;
    return (nowUs() - intendedUs) / 1000 < this.o.resendWindowMs;
  }

  /**
   * An adapter must neither throw nor hang past its deadline; if one does, the attempt is
   * recorded as indeterminate, so no promise is left pending at the end of a run.
   */
  private async safeSend(key: string, body: Buffer): Promise<SendResult> {
    const limitMs = this.o.sendTimeoutMs + SEND_GRACE_MS;
    try {
      return await withTimeout(this.o.client.send(key, body), limitMs, 'adapter send');
    } catch (error) {
      return { outcome: 'indeterminate', error: String(error) };
    }
  }
}

/**
 * Resolves at or just after `atUs`, never before, so no message leaves ahead of its slot.
 * Timers have millisecond grain; the last millisecond is waited out with setImmediate.
 */
async function waitUntil(atUs: number): Promise<void> {
  const aheadMs = (atUs - nowUs()) / 1000;
  if (aheadMs > 1) await sleep(Math.floor(aheadMs)).catch(() => undefined);
  while (nowUs() < atUs) await new Promise<void>((resolve) => setImmediate(resolve));
}

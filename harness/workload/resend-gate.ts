import type { SendOutcome } from '../adapters/types.js';

/** At most this many resend probes a second reach a broker that refuses. */
export const PROBE_INTERVAL_MS = 100;

/**
 * Keeps resends from storming a broker that is down. While the latest settlement of a
 * producer was not an ack, one resend at a time may probe the broker, 100 ms apart; the
 * others queue.
 * First attempts never wait here: they keep the schedule, and an ack from any attempt
 * opens the gate for every queued resend at once.
 */
export class ResendGate {
  private healthy = true;
  private probing = false;
  private readonly waiters: (() => void)[] = [];

  /** Every settlement of the producer, first attempts included. */
  settled(outcome: SendOutcome): void {
    this.healthy = outcome === 'acked';
    if (this.healthy) this.wakeAll();
  }

  /**
   * Waits for a resend's turn. Resolves with a release function to call once the resend
   * has settled, or undefined when `mayGo` says the resend is no longer wanted.
   */
  async turn(mayGo: () => boolean): Promise<(() => void) | undefined> {
    for (;;) {
      if (!mayGo()) {
        this.wakeOne();
        return undefined;
      }
      if (this.healthy) return () => undefined;
      if (!this.probing) {
        this.probing = true;
        return () => this.endProbe();
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Lets every queued resend re-check, for instance when the run stops. */
  wakeAll(): void {
    this.waiters.splice(0).forEach((wake) => wake());
  }

  queued(): number {
    return this.waiters.length;
  }

  /** A refused probe fails in a millisecond; the next one waits, or the probes would storm. */
  private endProbe(): void {
    if (this.healthy) {
      this.probing = false;
      this.wakeAll();
      return;
    }
    setTimeout(() => {
      this.probing = false;
      if (this.healthy) this.wakeAll();
      else this.wakeOne();
    }, PROBE_INTERVAL_MS).unref();
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }
}

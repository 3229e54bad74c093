import { describe, expect, it } from 'vitest';

import { seededRandom } from '../core/rng.js';
import { Ledger } from './ledger.js';
import type { SettlementOutcome } from './ledger.js';
import { checkClassesSum, emptyCounts } from './verdict.js';
import type { VerdictCounts } from './verdict.js';

interface ModelMessage {
  best: number; // 0 none, 1 failed, 2 indeterminate, 3 acked
  deliveries: number;
}

const RANK: Record<SettlementOutcome, number> = { failed: 1, indeterminate: 2, acked: 3 };
const OUTCOMES: SettlementOutcome[] = ['acked', 'failed', 'indeterminate'];

/** The same rules as the ledger, written the slow obvious way with a Map per message. */
function modelCounts(model: Map<string, ModelMessage>): VerdictCounts {
  const counts = emptyCounts();
  for (const { best, deliveries } of model.values()) {
    const delivered = deliveries > 0;
    counts.attempted++;
    counts.delivered += delivered ? 1 : 0;
    counts.duplicated += Math.max(0, deliveries - 1);
    if (best === 3) {
      counts.acked++;
      counts[delivered ? 'ok' : 'lost']++;
    } else if (best === 1) {
      counts.failed++;
      counts[delivered ? 'failedButDelivered' : 'failedUndelivered']++;
    } else {
      counts.indeterminate++;
      counts[delivered ? 'recovered' : 'indeterminateUndelivered']++;
    }
  }
  return counts;
}

describe('Ledger on a randomized history', () => {
  it.each([1, 42, 20_260_101])('matches a Map-based model (seed %i)', (seed) => {
    const random = seededRandom(seed);
    const producers = 3;
    const ledger = new Ledger(producers, 8);
    const model = new Map<string, ModelMessage>();
    const highestFirst = [-1, -1, -1];
    const extra = { resends: 0, unexpected: 0, reordered: 0 };

    for (let step = 0; step < 20_000; step++) {
      const producerId = Math.floor(random() * producers);
      // One hot sequence per producer, so some messages pass the 62-delivery saturation.
      const seq = random() < 0.1 ? 0 : Math.floor(random() * 1500);
      const key = `${producerId}:${seq}`;
      const message = model.get(key);
      const roll = random();
      if (roll < 0.4) {
        ledger.recordAttempt(producerId, seq);
        if (message) extra.resends++;
        else model.set(key, { best: 0, deliveries: 0 });
      } else if (roll < 0.7) {
        const outcome = OUTCOMES[Math.floor(random() * OUTCOMES.length)] ?? 'acked';
        ledger.recordSettlement(producerId, seq, outcome);
        const settled = message ?? { best: 0, deliveries: 0 };
        settled.best = Math.max(settled.best, RANK[outcome]);
        model.set(key, settled);
      } else {
        ledger.recordDelivery(producerId, seq);
        if (!message) {
          extra.unexpected++;
        } else if (message.deliveries++ === 0) {
          const highest = highestFirst[producerId] ?? -1;
          if (seq < highest) extra.reordered++;
          else highestFirst[producerId] = seq;
        }
      }
    }

    const counts = ledger.counts();
    expect(counts).toEqual({ ...modelCounts(model), ...extra });
    expect(Math.max(...[...model.values()].map((m) => m.deliveries))).toBeGreaterThan(100);
    expect(counts.unexpected).toBeGreaterThan(0);
    expect(checkClassesSum(counts)).toBe(true);
  });
});

describe('Unconfirmed does not mean lost (confirmed-subset-of-stored)', () => {
  /*
   * 1,000 messages from one producer, no consumer during the burst. A reset hits with
   * 480..499 in flight: their confirms never arrive, though the broker had stored 480..491.
   * The producer sends 500..999 on a new connection, then republishes the 20 unconfirmed.
   * Confirms come back for the republished 480..489; the run's send deadline ends before
   * those of 490..499 arrive. The broker stored every republish at the tail of the queue. A
   * consumer then drains.
   */
  function burstWithReset(ledger: Ledger): void {
    for (let seq = 0; seq < 1000; seq++) {
      ledger.recordAttempt(0, seq);
      const inFlight = seq >= 480 && seq < 500;
      ledger.recordSettlement(0, seq, inFlight ? 'indeterminate' : 'acked');
    }
  }

  function drainStored(ledger: Ledger, seqs: Iterable<number>): void {
    for (const seq of seqs) ledger.recordDelivery(0, seq);
  }

  const range = (from: number, to: number): number[] =>
    Array.from({ length: to - from }, (_, i) => from + i);
  const storedBeforeReset = [...range(0, 492), ...range(500, 1000)];

  it('shows in-flight messages as recovered or indeterminate before any republish', () => {
    const ledger = new Ledger(1);
    burstWithReset(ledger);
    drainStored(ledger, storedBeforeReset);

    const counts = ledger.counts();
    expect(counts).toEqual(
      expected({
        attempted: 1000,
        acked: 980,
        indeterminate: 20,
        ok: 980,
        recovered: 12,
        indeterminateUndelivered: 8,
        delivered: 992,
      }),
    );
    expect(checkClassesSum(counts)).toBe(true);
  });

  it('counts republished twins as duplicated and keeps every class exact', () => {
    const ledger = new Ledger(1);
    burstWithReset(ledger);
    for (const seq of range(480, 500)) ledger.recordAttempt(0, seq);
    for (const seq of range(480, 490)) ledger.recordSettlement(0, seq, 'acked');
    for (const seq of range(490, 500)) ledger.recordSettlement(0, seq, 'indeterminate');
    drainStored(ledger, [...storedBeforeReset, ...range(480, 500)]);

    const counts = ledger.counts();
    expect(counts).toEqual(
      expected({
        attempted: 1000,
        acked: 990,
        indeterminate: 10,
        ok: 990,
        lost: 0,
        recovered: 10,
        delivered: 1000,
        duplicated: 12,
        resends: 20,
        reordered: 8, // 492..499 first arrive as twins, after 999
      }),
    );
    expect(checkClassesSum(counts)).toBe(true);
  });
});

function expected(overrides: Partial<VerdictCounts>): VerdictCounts {
  return { ...emptyCounts(), ...overrides };
}

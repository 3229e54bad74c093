import { describe, expect, it } from 'vitest';

import { Ledger } from './ledger.js';
import type { SettlementOutcome } from './ledger.js';
import { checkClassesSum, emptyCounts } from './verdict.js';
import type { VerdictCounts } from './verdict.js';

/** One attempt that settles with `outcome`. */
function send(ledger: Ledger, producerId: number, seq: number, outcome: SettlementOutcome): void {
  ledger.recordAttempt(producerId, seq);
  ledger.recordSettlement(producerId, seq, outcome);
}

function deliverTimes(ledger: Ledger, producerId: number, seq: number, times: number): void {
  for (let i = 0; i < times; i++) ledger.recordDelivery(producerId, seq);
}

function expected(overrides: Partial<VerdictCounts>): VerdictCounts {
  return { ...emptyCounts(), ...overrides };
}

describe('Ledger classes', () => {
  it('puts each kind of history in its own class', () => {
    const ledger = new Ledger(1);
    send(ledger, 0, 0, 'acked');
    ledger.recordDelivery(0, 0); // ok
    send(ledger, 0, 1, 'acked'); // lost
    send(ledger, 0, 2, 'indeterminate');
    ledger.recordDelivery(0, 2); // recovered
    send(ledger, 0, 3, 'failed');
    ledger.recordDelivery(0, 3); // failed but delivered
    send(ledger, 0, 4, 'indeterminate'); // indeterminate undelivered
    send(ledger, 0, 5, 'failed'); // failed undelivered
    ledger.recordAttempt(0, 6);
    ledger.recordDelivery(0, 6); // never settled, delivered: recovered
    ledger.recordAttempt(0, 7); // never settled, undelivered

    const counts = ledger.counts();
    expect(counts).toEqual(
      expected({
        attempted: 8,
        acked: 2,
        failed: 2,
        indeterminate: 4,
        ok: 1,
        lost: 1,
        recovered: 2,
        failedButDelivered: 1,
        indeterminateUndelivered: 2,
        failedUndelivered: 1,
        delivered: 4,
      }),
    );
    expect(checkClassesSum(counts)).toBe(true);
    expect(ledger.attemptedCount).toBe(8);
    expect(ledger.ackedCount).toBe(2);
  });

  it('keeps the best attempt: acked over indeterminate over failed', () => {
    const ledger = new Ledger(1);
    const histories: SettlementOutcome[][] = [
      ['failed', 'acked'],
      ['indeterminate', 'failed'],
      ['acked', 'failed'],
      ['acked', 'indeterminate'],
      ['failed', 'indeterminate'],
      ['acked', 'acked'],
    ];
    histories.forEach((outcomes, seq) => {
      for (const outcome of outcomes) send(ledger, 0, seq, outcome);
    });

    const counts = ledger.counts();
    expect(counts.acked).toBe(4);
    expect(counts.indeterminate).toBe(2);
    expect(counts.failed).toBe(0);
    expect(counts.resends).toBe(6);
    expect(ledger.ackedCount).toBe(4);
  });

  it('counts a settlement without an attempt as the attempt', () => {
    const ledger = new Ledger(1);
    ledger.recordSettlement(0, 0, 'acked');
    expect(ledger.counts()).toEqual(expected({ attempted: 1, acked: 1, lost: 1 }));
  });

  it('counts resends in one total, not as new messages', () => {
    const ledger = new Ledger(2);
    for (let i = 0; i < 3; i++) ledger.recordAttempt(0, 0);
    ledger.recordAttempt(1, 0);
    ledger.recordAttempt(1, 0);

    const counts = ledger.counts();
    expect(counts.attempted).toBe(2);
    expect(counts.resends).toBe(3);
  });

  it('counts deliveries beyond the first as duplicated', () => {
    const ledger = new Ledger(1);
    send(ledger, 0, 0, 'acked');
    send(ledger, 0, 1, 'acked');
    deliverTimes(ledger, 0, 0, 3);
    deliverTimes(ledger, 0, 1, 2);

    expect(ledger.counts()).toEqual(
      expected({ attempted: 2, acked: 2, ok: 2, delivered: 2, duplicated: 3 }),
    );
  });

  it.each([61, 62, 63, 64, 100, 1000])('stays exact at %i deliveries of one message', (n) => {
    const ledger = new Ledger(1);
    send(ledger, 0, 0, 'indeterminate');
    send(ledger, 0, 1, 'acked');
    deliverTimes(ledger, 0, 0, n);
    ledger.recordDelivery(0, 1);

    const counts = ledger.counts();
    expect(counts.duplicated).toBe(n - 1);
    expect(counts.recovered).toBe(1);
    expect(counts.ok).toBe(1);
    expect(counts.delivered).toBe(2);
  });
});

describe('Ledger storage', () => {
  it('grows past its initial capacity without losing earlier messages', () => {
    const ledger = new Ledger(2, 4);
    for (let seq = 9_999; seq >= 0; seq--) send(ledger, seq % 2, seq, 'acked');
    for (let seq = 0; seq < 10_000; seq += 2) ledger.recordDelivery(0, seq);

    const counts = ledger.counts();
    expect(counts.attempted).toBe(10_000);
    expect(counts.ok).toBe(5_000);
    expect(counts.lost).toBe(5_000);
    expect(counts.unexpected).toBe(0);
  });

  it('doubles capacity up to the first power of two that holds the sequence', () => {
    const ledger = new Ledger(1, 4);
    expect(ledger.memoryBytes()).toBe(4);
    ledger.recordAttempt(0, 100_000);
    expect(ledger.memoryBytes()).toBe(131_072);
    expect(ledger.counts().attempted).toBe(1);
  });

  it('holds one byte a message for 10,000 messages over two producers', () => {
    const ledger = new Ledger(2, 1024);
    for (let i = 0; i < 10_000; i++) send(ledger, i & 1, i >> 1, 'acked');
    expect(ledger.memoryBytes()).toBe(2 * 8_192);
  });

  it('allocates the effect bit set only when effects are recorded', () => {
    const ledger = new Ledger(1, 1024);
    expect(ledger.memoryBytes()).toBe(1024);
    ledger.recordEffect(0, 0);
    expect(ledger.memoryBytes()).toBe(1024 + 128);
  });

  it.each([
    [2, 0, 'producerId 2 is outside 0..1'],
    [-1, 0, 'producerId -1'],
    [0.5, 0, 'producerId 0.5'],
    [0, -1, 'seq -1 is not an integer in 0..2147483647'],
    [0, 1.5, 'seq 1.5'],
    [0, 2 ** 31, 'seq 2147483648'],
  ])('rejects attempt at producer %d seq %d', (producerId, seq, message) => {
    const ledger = new Ledger(2);
    expect(() => ledger.recordAttempt(producerId, seq)).toThrow(RangeError);
    expect(() => ledger.recordAttempt(producerId, seq)).toThrow(message);
    expect(() => ledger.recordSettlement(producerId, seq, 'acked')).toThrow(message);
    expect(() => ledger.recordEffect(producerId, seq)).toThrow(message);
    expect(ledger.attemptedCount).toBe(0);
  });
});

describe('Ledger counters', () => {
  it('counts deliveries of unknown producers and unattempted sequences as unexpected', () => {
    const ledger = new Ledger(2);
    send(ledger, 0, 0, 'acked');
    send(ledger, 0, 2, 'acked');
    ledger.recordDelivery(5, 0);
    ledger.recordDelivery(0, 1); // below the high-water mark, never attempted
    ledger.recordDelivery(0, 1_000_000); // beyond capacity
    ledger.recordDelivery(1, -3);
    ledger.recordUnexpected('run id 7f3a is not this run');

    const counts = ledger.counts();
    expect(counts.unexpected).toBe(5);
    expect(counts.delivered).toBe(0);
    expect(counts.lost).toBe(2);
    expect(ledger.unexpectedSamples).toEqual([
      'producer 5 seq 0 (no such producer)',
      'producer 0 seq 1 (never attempted)',
      'producer 0 seq 1000000 (never attempted)',
      'producer 1 seq -3 (never attempted)',
      'run id 7f3a is not this run',
    ]);
  });

  it('keeps only the first 20 samples but counts every unexpected delivery', () => {
    const ledger = new Ledger(1);
    for (let i = 0; i < 25; i++) ledger.recordUnexpected(`bad checksum ${i}`);
    expect(ledger.unexpected).toBe(25);
    expect(ledger.unexpectedSamples).toHaveLength(20);
    expect(ledger.unexpectedSamples[19]).toBe('bad checksum 19');
  });

  it('counts first deliveries below the highest first-delivered sequence as reordered', () => {
    const ledger = new Ledger(2);
    for (let seq = 0; seq < 6; seq++) send(ledger, 0, seq, 'acked');
    send(ledger, 1, 0, 'acked');
    for (const seq of [0, 3, 1, 2, 5, 4]) ledger.recordDelivery(0, seq);
    ledger.recordDelivery(0, 0); // a redelivery is a duplicate, not an inversion
    ledger.recordDelivery(1, 0); // another producer has its own order

    const counts = ledger.counts();
    expect(counts.reordered).toBe(3);
    expect(counts.duplicated).toBe(1);
  });

  it('reports an effect applied twice, per producer', () => {
    const ledger = new Ledger(2);
    expect(ledger.recordEffect(0, 7)).toBe(true);
    expect(ledger.recordEffect(0, 7)).toBe(false);
    expect(ledger.recordEffect(1, 7)).toBe(true);
    expect(ledger.recordEffect(0, 8)).toBe(true);
    expect(ledger.recordEffect(0, 50_000)).toBe(true);
    expect(ledger.recordEffect(0, 50_000)).toBe(false);
    expect(ledger.recordEffect(0, 7)).toBe(false);
    expect(ledger.counts().duplicateEffects).toBe(3);
  });
});

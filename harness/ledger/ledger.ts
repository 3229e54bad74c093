import {
  MAX_SEQ,
  NOT_ATTEMPTED,
  ProducerTrack,
  SETTLEMENT_ACKED,
  SETTLEMENT_FAILED,
  SETTLEMENT_INDETERMINATE,
  settlementOf,
} from './producer-track.js';
import { emptyCounts } from './verdict.js';
import type { VerdictCounts } from './verdict.js';

/** How one attempt at sending a message ended, as far as the producer could tell. */
export type SettlementOutcome = 'acked' | 'failed' | 'indeterminate';

/** What a delivery was to the ledger: the message's first, a repeat, or never sent. */
export type DeliveryKind = 'first' | 'duplicate' | 'unexpected';

const SETTLEMENT_CODES: Record<SettlementOutcome, number> = {
  acked: SETTLEMENT_ACKED,
  failed: SETTLEMENT_FAILED,
  indeterminate: SETTLEMENT_INDETERMINATE,
};

/** Enough examples to recognise a pattern in the report without storing every stray. */
const MAX_UNEXPECTED_SAMPLES = 20;

/**
 * Every message's fate in one run, knowing nothing of brokers. A message is
 * (producerId, seq), seq dense from 0 per producer; a resend keeps the identity.
 *
 *   recordAttempt ─► recordSettlement ─► (broker) ─► recordDelivery ─► recordEffect
 *                                                        │
 *                                      counts() ─► VerdictCounts ─► judge()
 *
 * Memory is one byte a message (see ProducerTrack), plus one bit for effects when used.
 * Mistakes of the caller (bad ids on the sending side) throw RangeError; strange deliveries
 * are data and are counted as unexpected.
 */
export class Ledger {
  readonly producerCount: number;
  private readonly tracks: ProducerTrack[];
  private attempted = 0;
  private acked = 0;
  private resendCount = 0;
  private unexpectedCount = 0;
  private reorderedCount = 0;
  private duplicateEffectCount = 0;
  private readonly samples: string[] = [];

  constructor(producerCount: number, initialCapacityPerProducer = 1024) {
    if (!Number.isInteger(producerCount) || producerCount < 1) {
      throw new RangeError(`producerCount must be a positive integer, got ${producerCount}`);
    }
    if (!Number.isInteger(initialCapacityPerProducer) || initialCapacityPerProducer < 1) {
      throw new RangeError(
        `initialCapacityPerProducer must be a positive integer, got ${initialCapacityPerProducer}`,
      );
    }
    this.producerCount = producerCount;
    const capacity = Math.min(initialCapacityPerProducer, MAX_SEQ + 1);
    this.tracks = Array.from({ length: producerCount }, () => new ProducerTrack(capacity));
  }

  /** Distinct messages attempted so far. */
  get attemptedCount(): number {
    return this.attempted;
  }

  /** Distinct messages whose best settlement so far is acked. */
  get ackedCount(): number {
    return this.acked;
  }

  get resends(): number {
    return this.resendCount;
  }

  get unexpected(): number {
    return this.unexpectedCount;
  }

  /** Up to 20 descriptions of unexpected deliveries, the first ones seen. */
  get unexpectedSamples(): readonly string[] {
    return this.samples;
  }

  /** Call before each send, resends included: the first call makes the message attempted. */
  recordAttempt(producerId: number, seq: number): void {
    if (this.track(producerId, seq).attempt(seq)) this.attempted++;
    else this.resendCount++;
  }

  /**
   * Call when an attempt settles. The message keeps its best outcome over all attempts. A
   * settlement with no recorded attempt counts as the attempt, so a missed call is not lost.
   */
  recordSettlement(producerId: number, seq: number, outcome: SettlementOutcome): void {
    const track = this.track(producerId, seq);
    if (track.attempt(seq)) this.attempted++;

    const code = SETTLEMENT_CODES[outcome];
    const previous = track.settle(seq, code);
    if (code === SETTLEMENT_ACKED && previous !== SETTLEMENT_ACKED) this.acked++;
  }

  /** Call for each delivery a consumer decoded. Ids this run never attempted are counted. */
  recordDelivery(producerId: number, seq: number): DeliveryKind {
    const track = this.isProducer(producerId) ? this.tracks[producerId] : undefined;
    const before = track !== undefined && isSeq(seq) ? track.deliver(seq) : NOT_ATTEMPTED;
    if (track === undefined || before === NOT_ATTEMPTED) {
      const why = track === undefined ? 'no such producer' : 'never attempted';
      this.recordUnexpected(`producer ${producerId} seq ${seq} (${why})`);
      return 'unexpected';
    }

    if (before > 0) return 'duplicate';
    if (seq < track.highestFirstDelivered) this.reorderedCount++;
    else track.highestFirstDelivered = seq;
    return 'first';
  }

  /** Call for a delivery that could not be decoded at all (foreign run id, bad checksum). */
  recordUnexpected(description: string): void {
    this.unexpectedCount++;
    if (this.samples.length < MAX_UNEXPECTED_SAMPLES) this.samples.push(description);
  }

  /**
   * Call from an idempotent handler before applying a message's effect. Returns true the first
   * time, false (and counts a duplicate effect) when the effect was already applied.
   */
  recordEffect(producerId: number, seq: number): boolean {
    if (this.track(producerId, seq).applyEffect(seq)) return true;
    this.duplicateEffectCount++;
    return false;
  }

  /** Scans every message once; O(messages), so call it at the end, not per delivery. */
  counts(): VerdictCounts {
    const counts = emptyCounts();
    for (const track of this.tracks) tallyTrack(track, counts);

    counts.unexpected = this.unexpectedCount;
    counts.reordered = this.reorderedCount;
    counts.duplicateEffects = this.duplicateEffectCount;
    counts.resends = this.resendCount;
    return counts;
  }

  /** Bytes the ledger holds: typed arrays exactly, side maps and samples estimated. */
  memoryBytes(): number {
    let bytes = 0;
    for (const track of this.tracks) bytes += track.byteLength();
    for (const sample of this.samples) bytes += 2 * sample.length;
    return bytes;
  }

  private isProducer(producerId: number): boolean {
    return Number.isInteger(producerId) && producerId >= 0 && producerId < this.producerCount;
  }

  private track(producerId: number, seq: number): ProducerTrack {
    const track = this.isProducer(producerId) ? this.tracks[producerId] : undefined;
    if (track === undefined) {
      throw new RangeError(
        `producerId ${producerId} is outside 0..${this.producerCount - 1} for this ledger`,
      );
    }
    if (!isSeq(seq)) {
      throw new RangeError(`seq ${seq} is not an integer in 0..${MAX_SEQ}`);
    }
    return track;
  }
}

function isSeq(seq: number): boolean {
  return Number.isInteger(seq) && seq >= 0 && seq <= MAX_SEQ;
}

/** Adds one producer's messages to the classes; never-attempted cells are skipped. */
function tallyTrack(track: ProducerTrack, counts: VerdictCounts): void {
  const cells = track.cells;
  for (let seq = 0; seq < track.highWater; seq++) {
    const cell = cells[seq]!;
    if (cell === 0) continue;

    const deliveries = track.deliveries(seq, cell);
    counts.attempted++;
    if (deliveries > 0) {
      counts.delivered++;
      counts.duplicated += deliveries - 1;
    }
    classify(settlementOf(cell), deliveries > 0, counts);
  }
}

/** Puts one message in its settlement total and in exactly one class. */
function classify(settlement: number, delivered: boolean, counts: VerdictCounts): void {
  if (settlement === SETTLEMENT_ACKED) {
    counts.acked++;
    if (delivered) counts.ok++;
    else counts.lost++;
  } else if (settlement === SETTLEMENT_FAILED) {
    counts.failed++;
    if (delivered) counts.failedButDelivered++;
    else counts.failedUndelivered++;
  } else {
    // Indeterminate, or never settled: either way nobody knows whether the broker took it.
    counts.indeterminate++;
    if (delivered) counts.recovered++;
    else counts.indeterminateUndelivered++;
  }
}

/**
 * One producer's messages, one byte each, indexed by sequence:
 *
 *   bit  7 6 5 4 3 2 | 1 0
 *        count field | settlement (0 none, 1 failed, 2 indeterminate, 3 acked)
 *
 * The count field is 0 for a message never attempted and deliveries + 1 otherwise. The offset
 * lets the same byte say "attempted" without a second bit set, which keeps the ledger at one
 * byte a message. A field of 63 means "62 or more deliveries", and the exact figure then lives
 * in a small map beside the array: that many deliveries of one message is rare.
 */

/** Settlement codes, ordered so that the larger code is the better outcome. */
export const SETTLEMENT_NONE = 0;
export const SETTLEMENT_FAILED = 1;
export const SETTLEMENT_INDETERMINATE = 2;
export const SETTLEMENT_ACKED = 3;

/** The highest sequence the ledger accepts: sequences index typed arrays. */
export const MAX_SEQ = 2 ** 31 - 1;

const SETTLEMENT_MASK = 0b11;
const COUNT_SHIFT = 2;
const COUNT_ONE = 1 << COUNT_SHIFT;
/** Count field value from which the exact delivery count is kept in `overflow`. */
const COUNT_SATURATED = 63;
/** Deliveries a cell can say exactly; one more and the count moves to `overflow`. */
const MAX_INLINE_DELIVERIES = COUNT_SATURATED - 2;

/** Marks a delivery of a sequence this producer never attempted. */
export const NOT_ATTEMPTED = -1;

/** The per-producer arrays behind the Ledger; it validates ids before calling in. */
export class ProducerTrack {
  cells: Uint8Array;
  /** One past the highest attempted sequence, so a scan stops where the data does. */
  highWater = 0;
  /** Exact delivery counts of the messages whose count field saturated. */
  overflow: Map<number, number> | null = null;
  /** One bit a message, allocated on the first recorded effect. */
  effects: Uint8Array | null = null;
  /** The highest sequence delivered for the first time so far, for inversion counting. */
  highestFirstDelivered = -1;

  constructor(initialCapacity: number) {
    this.cells = new Uint8Array(initialCapacity);
  }

  /** Marks the message attempted; returns false when it already was (a resend). */
  attempt(seq: number): boolean {
    if (seq >= this.cells.length) this.cells = grow(this.cells, seq + 1);
    if (this.cells[seq] !== 0) return false;

    this.cells[seq] = COUNT_ONE;
    if (seq >= this.highWater) this.highWater = seq + 1;
    return true;
  }

  /** Keeps the better of the old and new settlement; returns the old one. */
  settle(seq: number, settlement: number): number {
    const cell = this.cells[seq]!;
    const previous = cell & SETTLEMENT_MASK;
    if (settlement > previous) this.cells[seq] = (cell & ~SETTLEMENT_MASK) | settlement;
    return previous;
  }

  /** Counts one delivery; returns the deliveries before it, or NOT_ATTEMPTED. */
  deliver(seq: number): number {
    if (seq >= this.highWater) return NOT_ATTEMPTED;
    const cell = this.cells[seq]!;
    const field = cell >>> COUNT_SHIFT;
    if (field === 0) return NOT_ATTEMPTED;

    if (field < COUNT_SATURATED) {
      this.cells[seq] = cell + COUNT_ONE;
      const before = field - 1;
      if (before === MAX_INLINE_DELIVERIES) this.overflowMap().set(seq, before + 1);
      return before;
    }
    const overflow = this.overflowMap();
    const before = overflow.get(seq) ?? 0;
    overflow.set(seq, before + 1);
    return before;
  }

  /** Exact deliveries of an attempted message, given its cell; reads the map only if saturated. */
  deliveries(seq: number, cell: number): number {
    const field = cell >>> COUNT_SHIFT;
    if (field < COUNT_SATURATED) return field - 1;
    return this.overflow?.get(seq) ?? 0;
  }

  /** Sets the effect bit; returns false when it was already set. */
  applyEffect(seq: number): boolean {
    const byte = seq >>> 3;
    if (this.effects === null) this.effects = new Uint8Array(Math.max(byte + 1, 128));
    else if (byte >= this.effects.length) this.effects = grow(this.effects, byte + 1);

    const bit = 1 << (seq & 7);
    const old = this.effects[byte]!;
    if ((old & bit) !== 0) return false;
    this.effects[byte] = old | bit;
    return true;
  }

  /** Bytes held: the arrays exactly, the overflow map by a rough per-entry figure. */
  byteLength(): number {
    // A V8 Map entry costs about three words in its hash table plus slack for growth.
    const mapBytesPerEntry = 40;
    return (
      this.cells.byteLength +
      (this.effects?.byteLength ?? 0) +
      (this.overflow?.size ?? 0) * mapBytesPerEntry
    );
  }

  private overflowMap(): Map<number, number> {
    this.overflow ??= new Map();
    return this.overflow;
  }
}

/** The settlement code in a cell. */
export function settlementOf(cell: number): number {
  return cell & SETTLEMENT_MASK;
}

/** Doubles until `needed` fits, but never past what a sequence up to MAX_SEQ can use. */
function grow(array: Uint8Array, needed: number): Uint8Array {
  let capacity = Math.max(array.length, 1);
  while (capacity < needed) capacity *= 2;
  const grown = new Uint8Array(Math.min(capacity, MAX_SEQ + 1));
  grown.set(array);
  return grown;
}

import { crc32 } from 'node:zlib';

/**
 * The header every message carries, so a consumer can tell whose it is and when it should
 * have been sent. Big-endian layout:
 *   0 magic "MQB1" | 4 run tag u32 | 8 producer u16 | 10 seq u32 | 14 intended send µs f64
 *   | 22 actual send µs f64 | 30 crc32 of bytes 34.. | 34 filler up to the message size
 */
export const HEADER_BYTES = 34;
const MAGIC = 0x4d514231;

export interface MessageHeader {
  runTag: number;
  producerId: number;
  seq: number;
  intendedUs: number;
  sentUs: number;
}

export type Decoded =
  | { ok: true; header: MessageHeader }
  | { ok: false; reason: 'short' | 'magic' | 'checksum' | 'foreign-run'; detail: string };

/** A stable 32-bit tag of the run id (FNV-1a), so leftovers of other runs are recognised. */
export function runTagOf(runId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) {
    hash ^= runId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Builds the filler once; every message of a producer shares it, only the header changes. */
export function makeFiller(sizeBytes: number, random: () => number): Buffer {
  const filler = Buffer.alloc(Math.max(0, sizeBytes - HEADER_BYTES));
  for (let i = 0; i < filler.length; i++) filler[i] = Math.floor(random() * 256);
  return filler;
}

export function encodeMessage(header: MessageHeader, filler: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES + filler.length);
  buf.writeUInt32BE(MAGIC, 0);
  buf.writeUInt32BE(header.runTag, 4);
  buf.writeUInt16BE(header.producerId, 8);
  buf.writeUInt32BE(header.seq, 10);
  buf.writeDoubleBE(header.intendedUs, 14);
  buf.writeDoubleBE(header.sentUs, 22);
  filler.copy(buf, HEADER_BYTES);
  buf.writeUInt32BE(crc32(filler), 30);
  return buf;
}

/** Rewrites the actual-send time of an encoded message in place (for a resend). */
export function stampSentUs(message: Buffer, sentUs: number): void {
  message.writeDoubleBE(sentUs, 22);
}

export function decodeMessage(buf: Buffer, expectedRunTag: number): Decoded {
  if (buf.length < HEADER_BYTES) {
    return { ok: false, reason: 'short', detail: `${buf.length} bytes` };
  }
  if (buf.readUInt32BE(0) !== MAGIC) {
    return { ok: false, reason: 'magic', detail: buf.subarray(0, 4).toString('hex') };
  }
  const runTag = buf.readUInt32BE(4);
  const producerId = buf.readUInt16BE(8);
  const seq = buf.readUInt32BE(10);
  if (runTag !== expectedRunTag) {
    return { ok: false, reason: 'foreign-run', detail: `run tag ${runTag} ${producerId}/${seq}` };
  }
  if (crc32(buf.subarray(HEADER_BYTES)) !== buf.readUInt32BE(30)) {
    return { ok: false, reason: 'checksum', detail: `producer ${producerId} seq ${seq}` };
  }
  const intendedUs = buf.readDoubleBE(14);
  const sentUs = buf.readDoubleBE(22);
  return { ok: true, header: { runTag, producerId, seq, intendedUs, sentUs } };
}

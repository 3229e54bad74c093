import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/rng.js';
import { decodeMessage, encodeMessage, makeFiller, runTagOf, stampSentUs } from './message.js';

const tag = runTagOf('run-1/redis');
const header = { runTag: tag, producerId: 3, seq: 123_456, intendedUs: 1.5e9, sentUs: 0 };

describe('the message header', () => {
  it('round-trips producer, sequence and times at the requested size', () => {
    const message = encodeMessage(header, makeFiller(1024, seededRandom(1)));
    stampSentUs(message, 1_500_000_250);
    expect(message.length).toBe(1024);
    expect(decodeMessage(message, tag)).toEqual({
      ok: true,
      header: { ...header, sentUs: 1_500_000_250 },
    });
  });

  it('refuses a message of another run, a corrupted one and a foreign one', () => {
    const message = encodeMessage(header, makeFiller(256, seededRandom(2)));
    expect(decodeMessage(message, runTagOf('run-2/redis'))).toMatchObject({
      ok: false,
      reason: 'foreign-run',
    });
    const corrupted = Buffer.from(message);
    corrupted[200] = (corrupted[200] ?? 0) ^ 0xff;
    expect(decodeMessage(corrupted, tag)).toMatchObject({ ok: false, reason: 'checksum' });
    expect(decodeMessage(Buffer.from('hello, not ours at all'), tag)).toMatchObject({
      ok: false,
      reason: 'short',
    });
  });
});

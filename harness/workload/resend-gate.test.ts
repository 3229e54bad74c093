import { describe, expect, it } from 'vitest';
import { PROBE_INTERVAL_MS, ResendGate } from './resend-gate.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the resend gate', () => {
  it('lets resends through freely while the broker acks', async () => {
    const gate = new ResendGate();
    const turns = await Promise.all([1, 2, 3].map(() => gate.turn(() => true)));
    expect(turns.every((release) => typeof release === 'function')).toBe(true);
    expect(gate.queued()).toBe(0);
  });

  it('after a failure admits one probe at a time, and an ack releases the queue', async () => {
    const gate = new ResendGate();
    gate.settled('failed');
    let admitted = 0;
    const waits = [1, 2, 3, 4].map(() =>
      gate
        .turn(() => true)
        .then((release) => {
          admitted++;
          return release;
        }),
    );
    await tick();
    expect(admitted).toBe(1);
    expect(gate.queued()).toBe(3);

    const probe = await waits[0];
    gate.settled('failed');
    probe?.();
    await tick();
    expect(admitted).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS + 20));
    expect(admitted).toBe(2);

    gate.settled('acked');
    await Promise.all(waits);
    expect(admitted).toBe(4);
  });

  it('gives up a queued resend that is no longer wanted', async () => {
    const gate = new ResendGate();
    gate.settled('indeterminate');
    let wanted = true;
    const first = gate.turn(() => wanted);
    const second = gate.turn(() => wanted);
    await first;
    wanted = false;
    gate.wakeAll();
    expect(await second).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { onlyTarget, runYaml } from '../testing/run-yaml.js';

/**
 * A known-lossy set-up beside a clean control. Redis without AOF (the fast profile), a
 * bandwidth toxic that lets the consumer fall behind while XADD replies still get through,
 * then kill -9: the backlog the producer saw acked dies with the process.
 */
function scenario(name: string, withKill: boolean): string {
  return `
name: ${name}
targets: [redis]
profile: fast
workload: { ratePerSec: 200, durationSec: 14, warmupSec: 1 }
drain: { timeoutSec: 20 }
expect: { maxLost: 0 }
faults:
  - { kind: bandwidth, atSec: 2, forSec: 7, rateKBps: 60, direction: downstream }
${withKill ? '  - { kind: kill, atSec: 8, restartAfterSec: 1 }' : ''}
`;
}

describe('the checker bites', () => {
  it('a clean control under the same throttle loses nothing', async () => {
    const t = onlyTarget((await runYaml(scenario('control', false))).result);
    expect(t.verdict.counts.attempted).toBe(2800);
    expect(t.verdict.counts.lost).toBe(0);
    expect(t.verdict.status).toBe('ok');
  });

  it('Redis without AOF loses acked messages when killed with a backlog', async () => {
    const t = onlyTarget((await runYaml(scenario('lossy', true))).result);
    const c = t.verdict.counts;
    expect(c.attempted).toBe(2800);
    expect(c.lost).toBeGreaterThan(100);
    expect(c.lost + c.ok + c.recovered + c.failedButDelivered).toBeLessThanOrEqual(c.attempted);
    expect(t.verdict.status).toBe('fail');
    expect(t.verdict.reasons.join(' ')).toMatch(/lost/);
    expect(t.faults[1]?.evidence.connectAfterKill).toBe('ECONNREFUSED');
  });
});

/**
 * RabbitMQ's fast profile: auto-ack, so the broker forgets a message once it is written to
 * the consumer's socket. A latency toxic holds a second of deliveries inside the proxy;
 * cutting the proxy then drops them, and nothing brings them back.
 */
function rabbitScenario(name: string, withCut: boolean): string {
  return `
name: ${name}
targets: [rabbitmq]
profile: fast
workload: { ratePerSec: 100, durationSec: 14, warmupSec: 1 }
drain: { timeoutSec: 30 }
expect: { maxLost: 0 }
faults:
  - { kind: latency, atSec: 3, forSec: 6, latencyMs: 1500, direction: downstream }
${withCut ? '  - { kind: cut, atSec: 6, forSec: 2 }' : ''}
`;
}

describe('the checker bites on RabbitMQ auto-ack', () => {
  it('a clean control with the same latency loses nothing', async () => {
    const t = onlyTarget((await runYaml(rabbitScenario('rabbit-control', false))).result);
    expect(t.verdict.counts.attempted).toBe(1400);
    expect(t.verdict.counts.lost).toBe(0);
    expect(t.verdict.status).toBe('ok');
  });

  it('a cut while deliveries sit in the proxy loses acked messages', async () => {
    const t = onlyTarget((await runYaml(rabbitScenario('rabbit-lossy', true))).result);
    const c = t.verdict.counts;
    expect(c.attempted).toBe(1400);
    expect(c.lost).toBeGreaterThan(20);
    expect(t.verdict.status).toBe('fail');
    expect(t.faults[1]?.evidence.connectToProxy).toBe('ECONNREFUSED');
  });
});

/**
 * Kafka's fast profile: acks=0, so a send counts as acked once it is written to the socket.
 * A reset_peer toxic on the client-to-broker direction discards what was written and resets
 * the connection: everything "acked" in those seconds never reached the log.
 */
function kafkaScenario(name: string, withReset: boolean): string {
  return `
name: ${name}
targets: [kafka]
profile: fast
workload: { ratePerSec: 200, durationSec: 12, warmupSec: 1 }
drain: { timeoutSec: 20 }
expect: { maxLost: 0 }
${withReset ? 'faults:\n  - { kind: reset_peer, atSec: 4, forSec: 3, direction: upstream }' : ''}
`;
}

describe('the checker bites on Kafka acks=0', () => {
  it('a clean control loses nothing', async () => {
    const t = onlyTarget((await runYaml(kafkaScenario('kafka-control', false))).result);
    expect(t.settings.client).toMatchObject({ acks: 0 });
    expect(t.verdict.counts.attempted).toBe(2400);
    expect(t.verdict.counts.lost).toBe(0);
    expect(t.verdict.status).toBe('ok');
  });

  it('a reset of the upstream while sends count as acked loses them', async () => {
    const t = onlyTarget((await runYaml(kafkaScenario('kafka-lossy', true))).result);
    const c = t.verdict.counts;
    expect(c.attempted).toBe(2400);
    expect(c.acked).toBe(2400);
    expect(c.lost).toBeGreaterThan(200);
    expect(t.verdict.status).toBe('fail');
    const readBack = t.faults[0]?.evidence.proxyReadBack as { toxics: { type: string }[] };
    expect(readBack.toxics.map((x) => x.type)).toEqual(['reset_peer']);
  });
});

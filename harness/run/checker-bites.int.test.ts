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

  it('Redis without AOF killed with a backlog loses acked messages, and the verdict fails', async () => {
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

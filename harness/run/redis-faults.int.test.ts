import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../core/registry.js';
import { ackedBetween, onlyTarget, pidFiles, runYaml } from '../testing/run-yaml.js';

const RATE = 200;
const DURATION = 20;

// The case blocking-read-restart.md, shortened: kill -9 then restart, later a black hole.
const SAFE_WITH_FAULTS = `
name: redis-safe-faults
targets: [redis]
profile: safe
workload: { ratePerSec: ${RATE}, durationSec: ${DURATION}, warmupSec: 2 }
drain: { timeoutSec: 30 }
faults:
  - { kind: kill, atSec: 5, restartAfterSec: 2 }
  - { kind: timeout, atSec: 12, forSec: 3, timeoutMs: 0, direction: both }
`;

describe('redis, safe profile, kill -9 and a black hole', () => {
  const outDirs: string[] = [];
  afterAll(() => {
    for (const dir of outDirs) {
      for (const { pid } of pidFiles(dir)) expect(isAlive(pid)).toBe(false);
    }
  });

  it('loses nothing, stalls during each fault and recovers after it', async () => {
    const { result, outDir } = await runYaml(SAFE_WITH_FAULTS);
    outDirs.push(outDir);
    const t = onlyTarget(result);
    const c = t.verdict.counts;

    // The producer never skips a slot, so every slot of the schedule was attempted.
    expect(c.attempted).toBe(RATE * DURATION);
    expect(c.lost).toBe(0);
    expect(c.unexpected).toBe(0);
    expect(c.acked / c.attempted).toBeGreaterThan(0.9);
    expect(c.resends).toBeGreaterThan(0);
    expect(t.verdict.drained).toBe(true);
    expect(t.verdict.status).toBe('ok');

    const [kill, blackHole] = t.faults;
    expect(kill?.evidence.connectAfterKill).toBe('ECONNREFUSED');
    expect(kill?.evidence.pidAfter).not.toBe(kill?.evidence.pidBefore);
    expect(typeof kill?.evidence.pidBefore).toBe('number');
    const readBack = blackHole?.evidence.proxyReadBack as { toxics: { type: string }[] };
    expect(readBack.toxics.map((x) => x.type)).toEqual(['timeout', 'timeout']);

    // The stall and the recovery show in the per-second series.
    expect(ackedBetween(t.series, 5, 6)).toBeLessThan(RATE * 0.5);
    expect(ackedBetween(t.series, 9, 12)).toBeGreaterThan(RATE * 3 * 0.9);
    expect(ackedBetween(t.series, 13, 14)).toBeLessThan(RATE * 0.5);
    expect(ackedBetween(t.series, 17, 20)).toBeGreaterThan(RATE * 3 * 0.9);

    // The consumer resumed and the traffic went through the proxy.
    expect(c.delivered).toBe(c.attempted);
    expect(t.proxy.bypassed).toBe(false);
    expect(t.proxy.upstreamBytes).toBeGreaterThanOrEqual(c.acked * 1024);
  });
});

// The other fault kinds, each with its evidence: SIGSTOP/SIGCONT, a graceful restart and a
// cut of the proxy.
const SAFE_PAUSE_RESTART_CUT = `
name: redis-safe-pause-restart-cut
targets: [redis]
profile: safe
workload: { ratePerSec: 100, durationSec: 18, warmupSec: 1 }
drain: { timeoutSec: 30 }
faults:
  - { kind: pause, atSec: 3, forSec: 2 }
  - { kind: restart, atSec: 8 }
  - { kind: cut, atSec: 12, forSec: 2 }
`;

describe('redis, safe profile, pause, graceful restart and a cut', () => {
  it('shows the evidence of each fault and loses nothing', async () => {
    const { result } = await runYaml(SAFE_PAUSE_RESTART_CUT);
    const t = onlyTarget(result);
    const [pause, restart, cut] = t.faults;

    expect(pause?.evidence.processState).toBe('T');
    expect(pause?.evidence.signalAfter).toBe('SIGCONT');
    expect(pause?.evidence.processStateAfter).not.toBe('T');
    expect(ackedBetween(t.series, 3, 5)).toBeLessThan(100);

    expect(restart?.evidence.connectWhileStopped).toBe('ECONNREFUSED');
    expect(restart?.evidence.pidAfter).not.toBe(restart?.evidence.pidBefore);

    expect(cut?.evidence.connectToProxy).toBe('ECONNREFUSED');
    expect(cut?.evidence.enabledAfterRevert).toBe(true);
    expect(ackedBetween(t.series, 12, 13)).toBeLessThan(50);
    expect(ackedBetween(t.series, 15, 18)).toBeGreaterThan(270);

    expect(t.verdict.counts.attempted).toBe(1800);
    expect(t.verdict.counts.lost).toBe(0);
    expect(t.verdict.status).toBe('ok');
  });
});

import { describe, expect, it } from 'vitest';
import { fixtureRunResult } from '../report/fixture.js';
import { parseScenario } from '../scenario/index.js';
import { EXIT, exitCodeOf, selectTargets } from './main.js';

const SCENARIO = parseScenario(
  'name: t\ntargets: [redis, rabbitmq, kafka]\nworkload: { ratePerSec: 10, durationSec: 10 }\n',
  'inline.yaml',
);

describe('exit codes', () => {
  it('is 0 only when every verdict is ok, 1 on a fail or unknown, 2 on a set-up error', () => {
    const result = fixtureRunResult();
    for (const t of result.targets) t.verdict.status = 'ok';
    expect(exitCodeOf(result)).toBe(EXIT.ok);
    result.targets[1]!.verdict.status = 'unknown';
    expect(exitCodeOf(result)).toBe(EXIT.verdictFailed);
    result.targets[1]!.verdict.status = 'fail';
    expect(exitCodeOf(result)).toBe(1);
    result.targets[0]!.error = 'redis-server is missing';
    expect(exitCodeOf(result)).toBe(2);
  });
});

describe('--targets', () => {
  it('keeps the named targets in the scenario order', () => {
    const picked = selectTargets(SCENARIO, 'kafka, redis', 'inline.yaml');
    expect(picked.targets.map((t) => t.name)).toEqual(['redis', 'kafka']);
  });

  it('refuses an unknown name and one the scenario lacks, naming them', () => {
    expect(() => selectTargets(SCENARIO, 'nats', 'inline.yaml')).toThrow(
      "--targets: unknown target 'nats'; expected one of redis, rabbitmq, kafka",
    );
    const redisOnly = { ...SCENARIO, targets: SCENARIO.targets.slice(0, 1) };
    expect(() => selectTargets(redisOnly, 'kafka', 'inline.yaml')).toThrow(
      "--targets: inline.yaml has no target 'kafka'",
    );
  });
});

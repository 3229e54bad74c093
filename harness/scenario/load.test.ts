import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from './load.js';
import { ScenarioError } from './issues.js';
import { targetProfile } from './schema.js';
import { closestMatch, editDistance } from './suggest.js';

const FILE = 'test.yaml';
const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const BUNDLED = readdirSync(SCENARIOS).filter((file) => /\.ya?ml$/.test(file));

/** The error parseScenario throws for `text`; fails the test if it does not throw one. */
function errorOf(text: string): ScenarioError {
  try {
    parseScenario(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return error as ScenarioError;
  }
  throw new Error('expected parseScenario to throw');
}

describe('parseScenario on valid input', () => {
  const text = [
    'name: minimal', // 1
    'targets:', // 2
    '  - redis', // 3
    '  - name: kafka', // 4
    '    profile: fast', // 5
    'workload:', // 6
    '  ratePerSec: 50', // 7
    '  durationSec: 30', // 8
    'faults:', // 9
    '  - kind: latency', // 10
    '    atSec: 2', // 11
    '    forSec: 3', // 12
    '    latencyMs: 40', // 13
    '  - { kind: kill, atSec: 10, restartAfterSec: 4, targets: [kafka] }', // 14
    '  - { kind: restart, atSec: 20 }', // 15
  ].join('\n');

  it('fills every default', () => {
    const scenario = parseScenario(text, FILE);

    expect(scenario.targets).toEqual([
      { name: 'redis', provider: 'local' },
      { name: 'kafka', provider: 'local', profile: 'fast' },
    ]);
    expect(scenario.profile).toBe('safe');
    expect(scenario.seed).toBeUndefined();
    expect(scenario.workload).toEqual({
      producers: 1,
      consumers: 1,
      messageSizeBytes: 1024,
      ratePerSec: 50,
      durationSec: 30,
      warmupSec: 5,
      sendTimeoutMs: 5000,
      partitions: 1,
    });
    expect(scenario.drain).toEqual({ timeoutSec: 60 });
    expect(scenario.expect).toEqual({ maxLost: 0, maxUnexpected: 0, minAckedFraction: 0.5 });
  });

  it('fills fault defaults and computes endSec per kind', () => {
    const [latency, kill, restart] = parseScenario(text, FILE).faults;

    expect(latency).toEqual({
      kind: 'latency',
      atSec: 2,
      forSec: 3,
      latencyMs: 40,
      jitterMs: 0,
      direction: 'downstream',
      endSec: 5,
    });
    expect(kill).toEqual({
      kind: 'kill',
      atSec: 10,
      restartAfterSec: 4,
      targets: ['kafka'],
      endSec: 14,
    });
    expect(restart).toEqual({ kind: 'restart', atSec: 20, endSec: 20 });
  });

  it('resolves target profiles and the fast profile leaves loss unchecked', () => {
    const scenario = parseScenario(text, FILE);
    const [redis, kafka] = scenario.targets;
    expect(targetProfile(scenario, redis!)).toBe('safe');
    expect(targetProfile(scenario, kafka!)).toBe('fast');

    const fast = parseScenario(`${text}\nprofile: fast\n`, FILE);
    expect(fast.expect.maxLost).toBeNull();
  });
});

describe('parseScenario on invalid input', () => {
  it('reports a wrong type with its position and path', () => {
    const error = errorOf(
      ['name: t', 'targets: [redis]', 'workload:', '  ratePerSec: 10', '  durationSec: "60s"'].join(
        '\n',
      ),
    );
    expect(error.message).toContain(
      'test.yaml:5:16 workload.durationSec: expected a number, got "60s"',
    );
    expect(error.phase).toBe('scenario');
  });

  it('names an unknown key and suggests the one meant', () => {
    const error = errorOf(
      ['name: t', 'targets: [redis]', 'workload:', '  ratePreSec: 10', '  durationSec: 60'].join(
        '\n',
      ),
    );
    expect(error.message).toContain('test.yaml:4:3 workload.ratePreSec: expected a known key');
    expect(error.message).toContain('got unknown key "ratePreSec"; did you mean "ratePerSec"?');
  });

  it('points a missing field at the mapping it belongs in', () => {
    const error = errorOf(
      ['name: t', 'targets: [redis]', 'workload:', '  ratePerSec: 10'].join('\n'),
    );
    expect(error.message).toContain(
      'test.yaml:4:3 workload.durationSec: expected a number, got nothing (the field is missing)',
    );
    expect(error.issues).toHaveLength(1);
  });

  it('rejects a value outside an enum', () => {
    const text = [
      'name: t', // 1
      'targets:', // 2
      '  - redis', // 3
      '  - name: kafka', // 4
      '    provider: cloud', // 5
      'workload: { ratePerSec: 10, durationSec: 60 }', // 6
    ].join('\n');
    expect(errorOf(text).message).toContain(
      'test.yaml:5:15 targets[1].provider: expected one of "local", "docker", "external", ' +
        'got "cloud"',
    );
  });

  it('rejects an unknown fault kind with a suggestion', () => {
    const text = [
      'name: t', // 1
      'targets: [redis]', // 2
      'workload: { ratePerSec: 10, durationSec: 60 }', // 3
      'faults:', // 4
      '  - { kind: latncy, atSec: 1, forSec: 1, latencyMs: 5 }', // 5
    ].join('\n');
    const message = errorOf(text).message;
    expect(message).toContain('test.yaml:5:13 faults[0].kind: expected one of "latency",');
    expect(message).toContain('got "latncy"; did you mean "latency"?');
  });

  it('rejects a fault that ends after the workload', () => {
    const text = [
      'name: t', // 1
      'targets: [redis]', // 2
      'workload: { ratePerSec: 10, durationSec: 20 }', // 3
      'faults:', // 4
      '  - { kind: cut, atSec: 1, forSec: 2 }', // 5
      '  - kind: latency', // 6
      '    latencyMs: 5', // 7
      '    atSec: 15', // 8
      '    forSec: 6', // 9
    ].join('\n');
    expect(errorOf(text).message).toContain(
      'test.yaml:8:12 faults[1].atSec: expected a fault that ends within durationSec (20), ' +
        'got an end at 15 + forSec 6 = 21',
    );
  });

  it('rejects a process fault on an external target', () => {
    const text = [
      'name: t', // 1
      'targets:', // 2
      '  - redis', // 3
      '  - { name: rabbitmq, provider: external, url: "amqp://10.0.0.5:5672" }', // 4
      'workload: { ratePerSec: 10, durationSec: 20 }', // 5
      'faults:', // 6
      '  - { kind: pause, atSec: 1, forSec: 2, targets: [redis] }', // 7
      '  - { kind: kill, atSec: 5, restartAfterSec: 2 }', // 8
    ].join('\n');
    const error = errorOf(text);
    expect(error.message).toContain(
      'test.yaml:8:13 faults[1].kind: expected a target whose process mqbench controls',
    );
    expect(error.message).toContain('got kill on external target "rabbitmq"');
    expect(error.issues).toHaveLength(1);
  });

  it('requires a url for provider external and forbids it otherwise', () => {
    const text = [
      'name: t', // 1
      'targets:', // 2
      '  - name: redis', // 3
      '    provider: external', // 4
      '  - name: kafka', // 5
      '    url: localhost:9092', // 6
      'workload: { ratePerSec: 10, durationSec: 20 }', // 7
    ].join('\n');
    const message = errorOf(text).message;
    expect(message).toContain('test.yaml:3:5 targets[0].url: expected a url');
    expect(message).toContain(
      'test.yaml:6:10 targets[1].url: expected no url for provider "local"',
    );
  });

  it('reports a YAML syntax error with its position', () => {
    const error = errorOf(['name: quick: start', 'targets: [redis]'].join('\n'));
    expect(error.message).toContain('test.yaml:1:7: YAML syntax error:');
  });

  it('lists every problem at once, in file order', () => {
    const text = [
      'name: Bad Name', // 1
      'targets: [redis, redis]', // 2
      'workload: { ratePerSec: 0, durationSec: 10 }', // 3
    ].join('\n');
    const issues = errorOf(text).issues;
    expect(issues.map((issue) => `${issue.line}:${issue.col} ${issue.path}`)).toEqual([
      '1:7 name',
      '3:25 workload.ratePerSec',
    ]);
  });
});

describe('loadScenario', () => {
  it('names the path of a missing file', async () => {
    const missing = '/nonexistent/mqbench/nope.yaml';
    await expect(loadScenario(missing)).rejects.toThrow(
      `cannot read scenario file ${missing}: no such file`,
    );
  });

  it('finds the bundled scenarios', () => {
    expect(BUNDLED).toContain('quickstart.yaml');
  });

  it.each(BUNDLED)('loads scenarios/%s', async (file) => {
    const scenario = await loadScenario(join(SCENARIOS, file));
    expect(`${scenario.name}.yaml`).toBe(file);
  });
});

describe('suggestions', () => {
  it('counts a swap of neighbours as one edit and ignores case', () => {
    expect(editDistance('ratePreSec', 'ratePerSec')).toBe(1);
    expect(editDistance('RATEPERSEC', 'ratePerSec')).toBe(0);
    expect(editDistance('kafka', 'redis')).toBe(5);
    expect(closestMatch('durationSecs', ['durationSec', 'warmupSec'])).toBe('durationSec');
    expect(closestMatch('throughput', ['ratePerSec'])).toBeUndefined();
  });
});

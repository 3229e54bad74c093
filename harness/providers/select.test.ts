import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MqbenchError } from '../core/errors.js';
import type { TargetSpec } from '../scenario/index.js';
import { BROKER_IMAGES, TOXIPROXY_IMAGE } from './docker/images.js';
import { detectContainerRuntime } from './docker/runtime.js';
import type { RuntimeStatus } from './docker/runtime.js';
import { externalBroker, parseBrokerUrl } from './external.js';
import { startBroker } from './index.js';
import { planProvider } from './select.js';

const NO_RUNTIME: RuntimeStatus = {
  available: false,
  reason:
    'no working container runtime (Docker): Could not find a working container runtime ' +
    'strategy; use provider: local, or start Docker',
};
const RUNTIME: RuntimeStatus = { available: true, info: 'Debian, server API 1.47, host localhost' };

const target = (spec: Partial<TargetSpec> & Pick<TargetSpec, 'name'>): TargetSpec => ({
  provider: 'local',
  ...spec,
});

/** Throws from `run` and returns the MqbenchError, failing the test on anything else. */
function mqbenchError(run: () => unknown): MqbenchError {
  try {
    run();
  } catch (error) {
    if (error instanceof MqbenchError) return error;
    throw error;
  }
  throw new Error('expected an MqbenchError, but nothing was thrown');
}

/**
 * True when nothing on this machine points testcontainers at an engine: no DOCKER_HOST, no
 * ~/.testcontainers.properties and none of the sockets it probes. Then the real runtime check
 * must say "unavailable", and a docker target must fail before any container could start.
 */
function noEngineConfigured(): boolean {
  const home = os.homedir();
  const uid = process.getuid?.() ?? 0;
  const places = [
    path.join(home, '.testcontainers.properties'),
    '/var/run/docker.sock',
    '/run/docker.sock',
    `/run/user/${uid}/docker.sock`,
    path.join(home, '.docker', 'run', 'docker.sock'),
    path.join(home, '.docker', 'desktop', 'docker.sock'),
    path.join(process.env.XDG_RUNTIME_DIR ?? '/nonexistent', 'docker.sock'),
  ];
  const vars = ['DOCKER_HOST', 'TESTCONTAINERS_HOST_OVERRIDE'];
  return vars.every((name) => !process.env[name]) && places.every((p) => !fs.existsSync(p));
}

describe('planProvider', () => {
  it('runs a local target on local processes without asking for a runtime', () => {
    expect(planProvider(target({ name: 'redis' }))).toEqual({ kind: 'local' });
  });

  it('chooses docker when the runtime check found an engine', () => {
    const plan = planProvider(target({ name: 'kafka', provider: 'docker' }), { runtime: RUNTIME });
    expect(plan).toEqual({ kind: 'docker', runtimeInfo: RUNTIME.available && RUNTIME.info });
  });

  it('refuses docker without an engine, naming the target, the reason and the way out', () => {
    const spec = target({ name: 'rabbitmq', provider: 'docker' });
    const error = mqbenchError(() => planProvider(spec, { runtime: NO_RUNTIME }));
    expect(error.phase).toBe('provision');
    expect(error.target).toBe('rabbitmq');
    expect(error.message).toContain('target rabbitmq asks for provider: docker');
    expect(error.message).toContain('Could not find a working container runtime strategy');
    expect(error.hint).toContain('use provider: local');
  });

  it('refuses docker when no runtime check ran, rather than guessing', () => {
    const error = mqbenchError(() => planProvider(target({ name: 'redis', provider: 'docker' })));
    expect(error.message).toContain('no runtime check ran');
  });

  it('takes an external target at its parsed URL', () => {
    const spec = target({ name: 'redis', provider: 'external', url: 'redis://127.0.0.1:6390' });
    expect(planProvider(spec)).toEqual({
      kind: 'external',
      url: 'redis://127.0.0.1:6390',
      address: { host: '127.0.0.1', port: 6390 },
    });
  });

  it('names targets[i].url when an external target has none', () => {
    const spec = target({ name: 'kafka', provider: 'external' });
    const error = mqbenchError(() => planProvider(spec, { targetIndex: 2 }));
    expect(error.message).toBe(
      "targets[2].url is missing: provider: external needs the broker's URL",
    );
  });

  it('refuses a url on a target mqbench starts itself', () => {
    const spec = target({ name: 'redis', provider: 'docker', url: 'redis://127.0.0.1:1' });
    const error = mqbenchError(() => planProvider(spec, { runtime: RUNTIME, targetIndex: 0 }));
    expect(error.message).toBe('targets[0].url is set, but only provider: external takes a url');
  });
});

describe('the real container runtime check on this machine', () => {
  it('answers within 5 s, and says why when there is no engine', async () => {
    const startedMs = performance.now();
    const status = await detectContainerRuntime();
    expect(performance.now() - startedMs).toBeLessThan(5000);
    if (noEngineConfigured()) expect(status.available).toBe(false);
    if (!status.available) {
      expect(status.reason).toMatch(
        /^no working container runtime \(Docker\): .+; use provider: local, or start Docker$/,
      );
    }
  });

  it.runIf(noEngineConfigured())('fails a docker target fast through startBroker', async () => {
    const startedMs = performance.now();
    const run = startBroker(target({ name: 'redis', provider: 'docker' }), {
      runDir: fs.mkdtempSync(path.join(os.tmpdir(), 'mqbench-select-')),
      brokerPort: 1,
      proxyPort: 2,
      profile: 'safe',
    });
    await expect(run).rejects.toThrow(/target redis asks for provider: docker, but found no work/);
    await expect(run).rejects.toMatchObject({ phase: 'provision', target: 'redis' });
    expect(performance.now() - startedMs).toBeLessThan(5000);
  });
});

describe('external URLs', () => {
  it('parses the scheme of each target, with the default port when none is given', () => {
    expect(parseBrokerUrl('redis', 'redis://127.0.0.1:6390')).toEqual({
      host: '127.0.0.1',
      port: 6390,
    });
    expect(parseBrokerUrl('rabbitmq', 'amqp://localhost')).toEqual({
      host: 'localhost',
      port: 5672,
    });
    expect(parseBrokerUrl('kafka', 'kafka://[::1]:19092')).toEqual({ host: '::1', port: 19092 });
  });

  it('names the field and the expected scheme on a mismatch', () => {
    const error = mqbenchError(() =>
      parseBrokerUrl('rabbitmq', 'redis://127.0.0.1:5672', 'targets[1].url'),
    );
    expect(error.message).toBe(
      'targets[1].url "redis://127.0.0.1:5672" has scheme redis, expected amqp for rabbitmq',
    );
    expect(error.hint).toBe('write it as amqp://127.0.0.1:5672');
  });

  it('refuses what is not a URL, and what the adapters would ignore', () => {
    const message = (url: string) =>
      mqbenchError(() => parseBrokerUrl('redis', url, 'targets[0].url')).message;
    expect(message('127.0.0.1:6379')).toContain('is not a URL');
    // WHATWG URL reads a bare host:port as scheme "localhost:"; the hint shows the fix.
    expect(message('localhost:6379')).toContain('has scheme localhost, expected redis');
    expect(message('not a url')).toBe('targets[0].url "not a url" is not a URL');
    expect(message('redis://user:secret@127.0.0.1:6379')).toContain('carries credentials');
    expect(message('redis://127.0.0.1:6379/2')).toContain('has a path or query');
    expect(message('redis://127.0.0.1:0')).toContain('has port 0');
  });

  it('hands back a handle with no process, so process faults are refused', async () => {
    const handle = externalBroker('kafka', 'kafka://127.0.0.1:19092');
    expect(handle).toMatchObject({
      target: 'kafka',
      provider: 'external',
      version: 'unknown (external)',
      host: '127.0.0.1',
      brokerPort: 19092,
      process: undefined,
    });
    expect(handle.pids()).toEqual([]);
    await expect(handle.dispose()).resolves.toBeUndefined();
  });
});

describe('docker/compose.yaml', () => {
  const file = fileURLToPath(new URL('../../docker/compose.yaml', import.meta.url));
  const compose = parse(fs.readFileSync(file, 'utf8')) as {
    services: Record<string, { image: string; ports?: string[] }>;
  };

  it('pins the same images as the docker provider', () => {
    const images = Object.fromEntries(
      Object.entries(compose.services).map(([name, service]) => [name, service.image]),
    );
    expect(images).toEqual({ ...BROKER_IMAGES, toxiproxy: TOXIPROXY_IMAGE });
  });

  it('publishes every port on host loopback only', () => {
    const ports = Object.values(compose.services).flatMap((service) => service.ports ?? []);
    expect(ports.length).toBeGreaterThanOrEqual(7);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });
});

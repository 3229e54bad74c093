import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { INSTALL_HINT, whichSync } from '../../core/binaries.js';
import { MissingPrerequisiteError } from '../../core/errors.js';
import { waitFor, withTimeout } from '../../core/time.js';
import type { BrokerHandle, BrokerStartOptions, Settings } from '../types.js';
import { LocalProcess } from './local-process.js';

export function redisBinary(): string {
  const binary = whichSync('redis-server');
  if (!binary)
    throw new MissingPrerequisiteError('redis-server (Debian package redis-server)', INSTALL_HINT);
  return binary;
}

export function redisVersion(binary: string): string {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  return /v=([\d.]+)/.exec(out)?.[1] ?? out.trim();
}

/** Durability follows the profile: AOF with fsync on every write (safe), or none (fast). */
export function redisSettings(profile: 'safe' | 'fast'): Settings {
  return profile === 'safe'
    ? { appendonly: 'yes', appendfsync: 'always', save: '(none)' }
    : { appendonly: 'no', appendfsync: 'n/a', save: '(none)' };
}

/** Starts Debian's redis-server on a loopback port with its data under the run folder. */
export async function startLocalRedis(options: BrokerStartOptions): Promise<BrokerHandle> {
  const binary = redisBinary();
  const dataDir = path.join(options.runDir, 'redis-data');
  fs.mkdirSync(dataDir, { recursive: true });
  const settings = redisSettings(options.profile);
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(options.brokerPort),
    '--dir',
    dataDir,
    '--appendonly',
    String(settings.appendonly),
    ...(options.profile === 'safe' ? ['--appendfsync', 'always'] : []),
    '--save',
    '',
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
  ];
  const broker = new LocalProcess({
    target: 'redis',
    runDir: options.runDir,
    command: binary,
    args,
    waitReady: () => waitForRedis(options.brokerPort),
    stopGraceMs: 3000,
  });
  await broker.start();
  return {
    label: broker.label,
    target: 'redis',
    provider: 'local',
    version: redisVersion(binary),
    brokerPort: options.brokerPort,
    settings,
    process: broker,
    pids: () => broker.pids(),
    dispose: () => broker.dispose(),
  };
}

async function waitForRedis(port: number): Promise<void> {
  await waitFor(
    `redis PING on 127.0.0.1:${port}`,
    async () => {
      const client = new Redis({
        host: '127.0.0.1',
        port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      try {
        await withTimeout(client.connect(), 500, 'connect');
        const pong = await withTimeout(client.ping(), 500, 'ping');
        // A restarted Redis answers LOADING while it replays the AOF; PING passes then.
        const info = await withTimeout(client.info('persistence'), 500, 'info');
        return pong === 'PONG' && /loading:0/.test(info) ? true : undefined;
      } finally {
        client.disconnect();
      }
    },
    15_000,
    50,
  );
}

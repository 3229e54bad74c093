import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RABBIT_CONFIG } from '../local/rabbitmq-env.js';
import { redisSettings } from '../local/redis.js';
import type { BrokerStartOptions } from '../types.js';
import {
  kafkaClusterId,
  kafkaSpec,
  kafkaStartScript,
  rabbitConfig,
  rabbitSpec,
  redisSpec,
} from './brokers.js';
import { LoopbackContainer } from './container.js';
import { imageVersion } from './images.js';
import { waitForLine } from './log-lines.js';
import { isLoopbackHost } from './runtime.js';

const options = (profile: 'safe' | 'fast'): BrokerStartOptions => ({
  runDir: '/nonexistent',
  brokerPort: 40001,
  proxyPort: 40002,
  profile,
});

/** The properties file a Kafka spec copies into its container, as key-value pairs. */
function kafkaFile(proxyPort: number): Map<string, string> {
  const spec = kafkaSpec({ ...options('safe'), proxyPort }, 'AAAAAAAAAAAAAAAAAAAAAA');
  const lines = spec.files[0]?.content.trim().split('\n') ?? [];
  return new Map(lines.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

describe('container specs', () => {
  it('runs Redis with AOF fsync always for safe and without AOF for fast', () => {
    const safe = redisSpec(options('safe')).command.join(' ');
    const fast = redisSpec(options('fast')).command.join(' ');
    expect(safe).toContain('--appendonly yes --appendfsync always');
    expect(fast).toContain('--appendonly no');
    expect(fast).not.toContain('--appendfsync');
    expect(redisSpec(options('safe')).settings).toMatchObject(redisSettings('safe'));
  });

  it('advertises the proxy port to Kafka clients and listens on the container interface', () => {
    const properties = kafkaFile(45123);
    expect(properties.get('advertised.listeners')).toContain('CLIENT://127.0.0.1:45123');
    expect(properties.get('listeners')).toContain('CLIENT://0.0.0.0:9092');
    expect(properties.get('offsets.topic.replication.factor')).toBe('1');
    expect(kafkaSpec(options('safe'), 'x').containerPort).toBe(9092);
  });

  it('formats Kafka storage only when the data dir is new, then execs the broker', () => {
    const script = kafkaStartScript('Zm9vYmFyYmF6cXV4cXV1eA');
    expect(script).toMatch(/if \[ ! -f \/var\/lib\/kafka\/data\/meta\.properties \]; then/);
    expect(script).toContain('format -t Zm9vYmFyYmF6cXV4cXV1eA -c /opt/mqbench/server.properties');
    expect(script.split('\n').at(-1)).toMatch(/^exec \/opt\/kafka\/bin\/kafka-server-start\.sh /);
  });

  it('mints Kafka cluster ids of 16 bytes that no CLI would take for a flag', () => {
    for (let i = 0; i < 500; i++) {
      const id = kafkaClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });

  it("gives RabbitMQ the local provider's limits and lets guest past Docker's NAT", () => {
    const config = rabbitConfig();
    expect(config).toContain(`disk_free_limit.absolute = ${RABBIT_CONFIG.diskFreeLimit}`);
    expect(config).toContain(`heartbeat = ${RABBIT_CONFIG.heartbeatSec}`);
    expect(config).toContain('loopback_users.guest = false');
    expect(rabbitSpec().files[0]?.target).toBe('/etc/rabbitmq/conf.d/90-mqbench.conf');
  });

  it('reads the broker version from the image tag', () => {
    expect(imageVersion('redis:7.0.15-bookworm')).toBe('7.0.15');
    expect(imageVersion('apache/kafka:4.1.1')).toBe('4.1.1');
    expect(imageVersion('ghcr.io/shopify/toxiproxy:2.12.0')).toBe('2.12.0');
  });
});

describe('LoopbackContainer', () => {
  it('publishes the fixed host port on 127.0.0.1 only', async () => {
    const container = new LoopbackContainer('redis:7.0.15-bookworm').withExposedPorts({
      container: 6379,
      host: 40001,
    });
    // Protected hook and field of testcontainers, reached here without creating a container.
    const open = container as unknown as {
      beforeContainerCreated(): Promise<void>;
      hostConfig: { PortBindings: unknown };
    };
    await open.beforeContainerCreated();
    expect(open.hostConfig.PortBindings).toEqual({
      '6379/tcp': [{ HostPort: '40001', HostIp: '127.0.0.1' }],
    });
  });
});

describe('isLoopbackHost', () => {
  it('accepts the names of this machine and refuses others', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['172.17.0.1', 'docker.example', '0.0.0.0', '']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe('waitForLine', () => {
  it('finds a marker split across chunks', async () => {
    const stream = new PassThrough();
    const waiting = waitForLine(stream, 'Server startup complete', 1000);
    stream.write('booting\nServer start');
    stream.write('up complete; 0 plugins started.\n');
    await expect(waiting).resolves.toBeUndefined();
  });

  it('fails when the log ends first, as it does when the container stops', async () => {
    const stream = new PassThrough();
    const waiting = waitForLine(stream, 'Kafka Server started', 1000);
    stream.end('Exiting Kafka due to fatal exception\n');
    await expect(waiting).rejects.toThrow('the container stopped');
  });

  it('fails after the timeout when the marker never comes', async () => {
    const stream = new PassThrough();
    await expect(waitForLine(stream, 'Ready to accept connections', 50)).rejects.toThrow(
      'no "Ready to accept connections" in the log within 50 ms',
    );
    stream.destroy();
  });
});

import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type {
  AdapterFactory,
  BrokerAdapter,
  ClientEndpoint,
  ConsumerClient,
  DeliveryHandler,
  DrainStatus,
  ProducerClient,
  SendResult,
  TopologyOptions,
} from './types.js';
import { countError, newClientStats } from './types.js';
import { RedisStreamConsumer } from './redis-consumer.js';

export const IOREDIS_VERSION = '6.1.0';
const GROUP = 'mqbench';

/**
 * Client options that leave every retry to the harness: no offline queue (a command while
 * disconnected fails at once, so it was definitely not sent) and no silent resend of
 * commands that were in flight when a connection dropped (their outcome is unknown).
 */
export function redisClientOptions(endpoint: ClientEndpoint, timeoutMs: number): RedisOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 3000),
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  };
}

class RedisProducer implements ProducerClient {
  private lastReconnectMs = 0;

  constructor(
    private readonly client: Redis,
    private readonly stream: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  async send(_key: string, body: Buffer): Promise<SendResult> {
    try {
      await this.client.xadd(this.stream, '*', 'm', body);
      return { outcome: 'acked' };
    } catch (error) {
      this.onError(error);
      return classifySendError(error, () => this.reconnectAfterTimeout());
    }
  }

  /** After a timeout the socket may be a black hole: open a new one rather than queue behind it. */
  private reconnectAfterTimeout(): void {
    const now = Date.now();
    if (now - this.lastReconnectMs < 2000) return;
    this.lastReconnectMs = now;
    this.client.disconnect(true);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}

/** A command refused before it was written failed; one cut off in flight is indeterminate. */
export function classifySendError(error: unknown, onTimeout: () => void): SendResult {
  const message = error instanceof Error ? error.message : String(error);
  if (/isn't writeable|enableOfflineQueue|Connection is closed\.?$/.test(message)) {
    const inFlight = /Connection is closed/.test(message);
    return { outcome: inFlight ? 'indeterminate' : 'failed', error: message };
  }
  if (/timed out/i.test(message)) {
    onTimeout();
    return { outcome: 'indeterminate', error: message };
  }
  if (/^(ERR|WRONGTYPE|OOM|NOPERM|MISCONF)/.test(message)) {
    return { outcome: 'failed', error: message };
  }
  return { outcome: 'indeterminate', error: message };
}

/** Redis Streams: one stream per run, one consumer group, XADD / XREADGROUP / XACK. */
export class RedisStreamsAdapter implements BrokerAdapter {
  readonly target = 'redis' as const;
  readonly clientLibrary = `ioredis ${IOREDIS_VERSION}`;
  readonly stats = newClientStats();
  readonly settings;
  private readonly clients: Redis[] = [];
  private readonly consumers: RedisStreamConsumer[] = [];

  constructor(
    private readonly endpoint: ClientEndpoint,
    private readonly options: TopologyOptions,
  ) {
    this.settings = {
      stream: options.name,
      group: GROUP,
      read: options.profile === 'safe' ? 'XREADGROUP then XACK after processing' : 'NOACK',
      pendingReclaim: options.profile === 'safe' ? 'own PEL on reconnect + XAUTOCLAIM' : 'none',
      blockMs: 1000,
      commandTimeoutMs: options.sendTimeoutMs,
      offlineQueue: false,
      autoResendUnfulfilledCommands: false,
    };
  }

  async setup(): Promise<void> {
    const admin = await this.connect();
    try {
      await admin.xgroup('CREATE', this.options.name, GROUP, '0', 'MKSTREAM');
    } finally {
      admin.disconnect();
    }
  }

  async createProducer(_producerId: number): Promise<ProducerClient> {
    const client = await this.connect();
    client.on('reconnecting', () => this.stats.producerReconnects++);
    return new RedisProducer(client, this.options.name, (e) => countError(this.stats, e));
  }

  async createConsumer(consumerId: number, onDelivery: DeliveryHandler): Promise<ConsumerClient> {
    const consumer = new RedisStreamConsumer({
      clientOptions: redisClientOptions(this.endpoint, 1000 + 3000),
      stream: this.options.name,
      group: GROUP,
      consumerName: `consumer-${consumerId}`,
      noAck: this.options.profile === 'fast',
      blockMs: 1000,
      stats: this.stats,
      onDelivery,
    });
    await consumer.start();
    this.consumers.push(consumer);
    return consumer;
  }

  async drainStatus(): Promise<DrainStatus> {
    const admin = await this.connect();
    try {
      return await streamDrainStatus(admin, this.options.name, GROUP);
    } finally {
      admin.disconnect();
    }
  }

  async teardown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.close()));
    const admin = await this.connect().catch(() => undefined);
    if (admin) {
      await admin.del(this.options.name).catch(() => undefined);
      admin.disconnect();
    }
    for (const client of this.clients) client.disconnect();
  }

  private async connect(): Promise<Redis> {
    const client = new Redis(redisClientOptions(this.endpoint, this.options.sendTimeoutMs));
    client.on('error', (e) => countError(this.stats, e));
    this.clients.push(client);
    await client.connect();
    return client;
  }
}

/** Drained: the group's lag is 0 and its pending entries list is empty. */
export async function streamDrainStatus(
  client: Redis,
  stream: string,
  group: string,
): Promise<DrainStatus> {
  const groups = (await client.xinfo('GROUPS', stream)) as unknown[][];
  for (const raw of groups) {
    const info = toRecord(raw);
    if (info.name !== group) continue;
    const pending = Number(info.pending ?? 0);
    const lag = info.lag === null || info.lag === undefined ? Number.NaN : Number(info.lag);
    const remaining = (Number.isNaN(lag) ? 0 : lag) + pending;
    const drained = lag === 0 && pending === 0;
    return { drained, remaining, detail: `group lag ${info.lag ?? 'unknown'}, pending ${pending}` };
  }
  return { drained: false, remaining: Number.NaN, detail: `group ${group} not found` };
}

function toRecord(flat: unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = flat[i + 1];
  return record;
}

export const createRedisAdapter: AdapterFactory = (endpoint, options) =>
  new RedisStreamsAdapter(endpoint, options);

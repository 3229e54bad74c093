import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { backoffMs } from '../core/retry.js';
import { sleep } from '../core/time.js';
import type { ClientStats, ConsumerClient, DeliveryHandler } from './types.js';
import { countError } from './types.js';

export interface StreamConsumerOptions {
  clientOptions: RedisOptions;
  stream: string;
  group: string;
  consumerName: string;
  noAck: boolean;
  blockMs: number;
  stats: ClientStats;
  onDelivery: DeliveryHandler;
}

type StreamEntry = [Buffer, Buffer[] | null];
type ReadReply = [Buffer, StreamEntry[]][] | null;

const BATCH = 200;
const RECLAIM_EVERY_MS = 5000;
const RECLAIM_MIN_IDLE_MS = 10_000;

/**
 * A consumer-group reader on a connection of its own. A blocking read on a dead socket
 * never returns by itself, so every read has a client-side timeout (block + margin), and a
 * timeout opens a new socket. After every (re)connect it first re-reads its own pending
 * entries, which a crash left delivered but unacknowledged.
 */
export class RedisStreamConsumer implements ConsumerClient {
  private readonly client: Redis;
  private closed = false;
  private readPendingFirst = true;
  private loop: Promise<void> | undefined;
  private lastReclaimMs = Date.now();
  private readyCount = 0;

  constructor(private readonly o: StreamConsumerOptions) {
    this.client = new Redis(o.clientOptions);
    this.client.on('error', (e) => countError(o.stats, e));
    this.client.on('ready', () => {
      this.readPendingFirst = true;
      if (this.readyCount++ > 0) o.stats.consumerReconnects++;
    });
  }

  async start(): Promise<void> {
    await this.client.connect();
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.loop;
    this.client.disconnect();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        await this.readOnce();
        failures = 0;
      } catch (error) {
        failures++;
        await this.recover(error);
        await sleep(
          backoffMs(Math.min(failures, 5), { attempts: 0, baseDelayMs: 50, maxDelayMs: 1000 }),
        );
      }
    }
  }

  private async readOnce(): Promise<void> {
    if (this.readPendingFirst && !this.o.noAck) {
      const handled = await this.readAndHandle('0');
      if (handled === 0) this.readPendingFirst = false;
      return;
    }
    await this.readAndHandle('>');
    if (!this.o.noAck && Date.now() - this.lastReclaimMs > RECLAIM_EVERY_MS) {
      this.lastReclaimMs = Date.now();
      await this.reclaimIdle();
    }
  }

  private async readAndHandle(from: '0' | '>'): Promise<number> {
    const args: (string | number)[] = ['GROUP', this.o.group, this.o.consumerName];
    args.push('COUNT', BATCH);
    if (from === '>') args.push('BLOCK', this.o.blockMs);
    if (this.o.noAck) args.push('NOACK');
    args.push('STREAMS', this.o.stream, from);
    const reply = (await this.client.callBuffer('XREADGROUP', ...args)) as ReadReply;
    const entries = reply?.[0]?.[1] ?? [];
    await this.handle(entries);
    return entries.length;
  }

  /** Entries another consumer took and never acknowledged (it died) are claimed here. */
  private async reclaimIdle(): Promise<void> {
    const reply = (await this.client.callBuffer(
      'XAUTOCLAIM',
      this.o.stream,
      this.o.group,
      this.o.consumerName,
      RECLAIM_MIN_IDLE_MS,
      '0-0',
      'COUNT',
      BATCH,
    )) as [Buffer, StreamEntry[]];
    await this.handle(reply[1] ?? []);
  }

  private async handle(entries: StreamEntry[]): Promise<void> {
    const ids: Buffer[] = [];
    for (const [id, fields] of entries) {
      ids.push(id);
      // A pending entry whose data was deleted comes back with null fields: nothing to hand.
      const body = fields?.[1];
      if (body) this.o.onDelivery(body);
    }
    if (ids.length > 0 && !this.o.noAck) {
      await this.client.xack(this.o.stream, this.o.group, ...ids);
    }
  }

  private async recover(error: unknown): Promise<void> {
    countError(this.o.stats, error);
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('NOGROUP')) {
      // The stream is gone (a broker without persistence was killed): start a new group.
      await this.client
        .xgroup('CREATE', this.o.stream, this.o.group, '0', 'MKSTREAM')
        .catch((e: unknown) => countError(this.o.stats, e));
      return;
    }
    if (/timed out/i.test(message) && this.client.status === 'ready') {
      this.client.disconnect(true);
    }
  }
}

import kafkajs from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';
import { sleep, withTimeout } from '../core/time.js';
import { classifySendError, CLIENT_RETRY, countKafkaError } from './kafka-client.js';
import type { ClientStats, ProducerClient, SendResult } from './types.js';

/** At most this many messages in one produce call; more wait for the next. */
const MAX_BATCH_MESSAGES = 500;
const CLOSE_TIMEOUT_MS = 5000;
const CONNECT_BACKOFF_MAX_MS = 1000;

export interface KafkaProducerOptions {
  kafka: Kafka;
  topic: string;
  profile: 'safe' | 'fast';
  sendTimeoutMs: number;
  stats: ClientStats;
}

/** What the report prints about the producer of each profile. */
export function producerSettings(profile: 'safe' | 'fast') {
  const safe = profile === 'safe';
  return {
    acks: safe ? -1 : 0,
    idempotent: safe,
    maxInFlight: safe ? 1 : 5,
  };
}

interface Pending {
  key: string;
  body: Buffer;
  /** queued: still ours; sent: handed to kafkajs, so the broker may have it. */
  state: 'queued' | 'sent';
  settled: boolean;
  resolve: (result: SendResult) => void;
  timer?: NodeJS.Timeout;
  batch?: Batch;
}

interface Batch {
  items: Pending[];
  producer: Producer;
  finished: boolean;
  /** Its first deadline passed: its slot is freed and its producer replaced. */
  abandoned: boolean;
}

/**
 * Sends each message with its own deadline and batches what arrives while a produce call
 * is out. The idempotent producer sends one request per broker at a time; batching keeps
 * the rate up when a latency fault slows every round trip.
 *
 * A producer that saw any error is replaced. kafkajs rewinds its sequence numbers after a
 * failed request, so the next batch would reuse them: if the failed one was written after
 * all, the broker answers OUT_OF_ORDER_SEQUENCE_NUMBER forever, or takes a batch of equal
 * length as a duplicate and drops it while reporting success. A fresh producer id avoids both.
 */
export class KafkaProducerClient implements ProducerClient {
  private readonly queue: Pending[] = [];
  private readonly settings;
  private inFlight = 0;
  private producer: Producer | undefined;
  private connecting: Promise<void> | undefined;
  private connectedOnce = false;
  private closed = false;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: KafkaProducerOptions) {
    this.settings = producerSettings(options.profile);
  }

  /** Connects the first producer, so set-up errors surface before the run starts. */
  async start(): Promise<void> {
    await this.connectNew();
  }

  send(key: string, body: Buffer): Promise<SendResult> {
    if (this.closed) return Promise.resolve({ outcome: 'failed', error: 'producer closed' });
    return new Promise((resolve) => {
      const item: Pending = { key, body, state: 'queued', settled: false, resolve };
      item.timer = setTimeout(() => this.expire(item), this.options.sendTimeoutMs);
      this.queue.push(item);
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const item of this.queue.splice(0)) {
      settle(item, { outcome: 'failed', error: 'producer closed before sending' });
    }
    const pending = Promise.allSettled([...this.running, this.connecting]);
    await withTimeout(pending, CLOSE_TIMEOUT_MS, 'sends').catch(() => undefined);
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await disconnectQuietly(producer);
  }

  /** Hands queued messages to kafkajs, or connects first; messages wait for the connection. */
  private pump(): void {
    if (this.closed) return;
    const producer = this.producer;
    if (!producer) {
      if (this.queue.length > 0) this.ensureConnecting();
      return;
    }
    while (this.inFlight < this.settings.maxInFlight && this.queue.length > 0) {
      const items = this.queue.splice(0, MAX_BATCH_MESSAGES);
      const batch: Batch = { items, producer, finished: false, abandoned: false };
      for (const item of items) {
        item.batch = batch;
        item.state = 'sent';
      }
      this.inFlight++;
      const run = this.dispatch(batch);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }
  }

  private async dispatch(batch: Batch): Promise<void> {
    try {
      await batch.producer.send(this.record(batch.items));
      settleAll(batch, { outcome: 'acked' });
    } catch (error) {
      countKafkaError(this.options.stats, error);
      this.replace(batch.producer);
      settleAll(batch, classifySendError(error, batch.items.length));
    }
    batch.finished = true;
    if (!batch.abandoned) this.inFlight--;
    this.pump();
  }

  private record(items: Pending[]) {
    return {
      topic: this.options.topic,
      acks: this.settings.acks,
      timeout: this.options.sendTimeoutMs,
      messages: items.map((item) => ({ key: item.key, value: item.body })),
    };
  }

  /** A deadline: unsent messages failed; sent ones are unknown, and their batch is stuck. */
  private expire(item: Pending): void {
    if (item.settled) return;
    const waitedMs = this.options.sendTimeoutMs;
    if (item.state === 'queued') {
      const index = this.queue.indexOf(item);
      if (index >= 0) this.queue.splice(index, 1);
      settle(item, { outcome: 'failed', error: `not sent within the ${waitedMs} ms deadline` });
      return;
    }
    settle(item, { outcome: 'indeterminate', error: `no answer within ${waitedMs} ms` });
    const batch = item.batch;
    if (batch && !batch.finished && !batch.abandoned) {
      batch.abandoned = true;
      this.inFlight--;
      this.replace(batch.producer);
      this.pump();
    }
  }

  /** Like the Java client's max.block.ms: while messages wait, keep trying to connect. */
  private ensureConnecting(): void {
    if (this.connecting) return;
    this.connecting = this.connectLoop().finally(() => {
      this.connecting = undefined;
      this.pump();
    });
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 0; !this.closed && !this.producer && this.queue.length > 0; attempt++) {
      try {
        await this.connectNew();
      } catch (error) {
        countKafkaError(this.options.stats, error);
        await sleep(Math.min(CONNECT_BACKOFF_MAX_MS, 100 * 2 ** attempt));
      }
    }
  }

  private async connectNew(): Promise<Producer> {
    const producer = this.options.kafka.producer({
      idempotent: this.settings.idempotent,
      maxInFlightRequests: this.settings.maxInFlight,
      allowAutoTopicCreation: false,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
      retry: CLIENT_RETRY,
    });
    try {
      await withTimeout(producer.connect(), this.options.sendTimeoutMs, 'producer connect');
    } catch (error) {
      void disconnectQuietly(producer);
      throw error;
    }
    if (this.closed) {
      void disconnectQuietly(producer);
      throw new Error('producer closed while connecting');
    }
    if (this.connectedOnce) this.options.stats.producerReconnects++;
    this.connectedOnce = true;
    this.producer = producer;
    return producer;
  }

  /** Drops a producer that erred or hung; the next batch connects a new one. */
  private replace(producer: Producer): void {
    if (this.producer !== producer) return;
    this.producer = undefined;
    void disconnectQuietly(producer);
  }
}

function settle(item: Pending, result: SendResult): void {
  if (item.settled) return;
  item.settled = true;
  clearTimeout(item.timer);
  item.resolve(result);
}

function settleAll(batch: Batch, result: SendResult): void {
  for (const item of batch.items) settle(item, result);
}

async function disconnectQuietly(producer: Producer): Promise<void> {
  await withTimeout(producer.disconnect(), CLOSE_TIMEOUT_MS, 'disconnect').catch(() => undefined);
}

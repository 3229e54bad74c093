import kafkajs from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';
import { withTimeout } from '../core/time.js';
import { classifySendError, errorKey, errorText } from './kafka-client.js';
import type { ClientStats, ProducerClient, SendResult } from './types.js';

/** At most this many messages in one produce call; more wait for the next. */
const MAX_BATCH_MESSAGES = 500;
const CLOSE_TIMEOUT_MS = 5000;

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
    acks: safe ? -1 : 1,
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
  timer: NodeJS.Timeout;
  batch?: Batch;
}

interface Batch {
  items: Pending[];
  producer?: Producer;
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
  private connecting: Promise<Producer> | undefined;
  private connectedOnce = false;
  private closed = false;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: KafkaProducerOptions) {
    this.settings = producerSettings(options.profile);
  }

  /** Connects the first producer, so set-up errors surface before the run starts. */
  async start(): Promise<void> {
    await this.currentProducer();
  }

  send(key: string, body: Buffer): Promise<SendResult> {
    if (this.closed) return Promise.resolve({ outcome: 'failed', error: 'producer closed' });
    return new Promise((resolve) => {
      const item: Pending = {
        key,
        body,
        state: 'queued',
        settled: false,
        resolve,
        timer: 0 as never,
      };
      item.timer = setTimeout(() => this.expire(item), this.options.sendTimeoutMs);
      this.queue.push(item);
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const item of this.queue.splice(0))
      settle(item, { outcome: 'failed', error: 'producer closed' });
    await withTimeout(Promise.allSettled([...this.running]), CLOSE_TIMEOUT_MS, 'sends').catch(
      () => undefined,
    );
    const producer = this.producer;
    this.producer = undefined;
    if (producer)
      await withTimeout(producer.disconnect(), CLOSE_TIMEOUT_MS, 'disconnect').catch(
        () => undefined,
      );
  }

  private pump(): void {
    while (!this.closed && this.inFlight < this.settings.maxInFlight && this.queue.length > 0) {
      const batch: Batch = {
        items: this.queue.splice(0, MAX_BATCH_MESSAGES),
        finished: false,
        abandoned: false,
      };
      for (const item of batch.items) item.batch = batch;
      this.inFlight++;
      const run = this.dispatch(batch);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }
  }

  private async dispatch(batch: Batch): Promise<void> {
    try {
      batch.producer = await this.currentProducer();
    } catch (error) {
      // Never handed to kafkajs: those messages definitely did not reach the broker.
      this.countError(error);
      settleAll(batch, { outcome: 'failed', error: `connect: ${errorText(error)}` });
      this.finish(batch);
      return;
    }
    const items = batch.items.filter((item) => !item.settled);
    for (const item of items) item.state = 'sent';
    try {
      if (items.length > 0) await batch.producer.send(this.record(items));
      settleAll(batch, { outcome: 'acked' });
    } catch (error) {
      this.countError(error);
      this.replace(batch.producer);
      settleAll(batch, classifySendError(error, items.length));
    }
    this.finish(batch);
  }

  private record(items: Pending[]) {
    return {
      topic: this.options.topic,
      acks: this.settings.acks,
      timeout: this.options.sendTimeoutMs,
      messages: items.map((item) => ({ key: item.key, value: item.body })),
    };
  }

  private finish(batch: Batch): void {
    batch.finished = true;
    if (!batch.abandoned) this.inFlight--;
    this.pump();
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
      if (batch.producer) this.replace(batch.producer);
      this.pump();
    }
  }

  private currentProducer(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= this.connectNew().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connectNew(): Promise<Producer> {
    const safe = this.options.profile === 'safe';
    const producer = this.options.kafka.producer({
      idempotent: safe,
      maxInFlightRequests: this.settings.maxInFlight,
      allowAutoTopicCreation: false,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    try {
      await withTimeout(producer.connect(), this.options.sendTimeoutMs, 'producer connect');
    } catch (error) {
      void producer.disconnect().catch(() => undefined);
      throw error;
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
    void producer.disconnect().catch(() => undefined);
  }

  private countError(error: unknown): void {
    const key = errorKey(error);
    this.options.stats.errors[key] = (this.options.stats.errors[key] ?? 0) + 1;
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

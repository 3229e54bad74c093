import type {
  Consumer,
  ConsumerConfig,
  ConsumerCrashEvent,
  ConsumerGroupJoinEvent,
  Kafka,
} from 'kafkajs';
import { sleep, withTimeout } from '../core/time.js';
import { countKafkaError } from './kafka-client.js';
import type { ClientStats, ConsumerClient, DeliveryHandler } from './types.js';

/** Processed offsets are committed together at this interval, not one request a message. */
export const COMMIT_INTERVAL_MS = 100;
const CALL_TIMEOUT_MS = 5000;
const RESTART_DELAY_MS = 500;

export interface KafkaConsumerOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  profile: 'safe' | 'fast';
  /** Bounds how long a dead member holds its partitions after a crash. */
  sessionTimeoutMs: number;
  stats: ClientStats;
  onDelivery: DeliveryHandler;
}

/** What the report prints about the consumer of each profile. */
export function consumerSettings(profile: 'safe' | 'fast', sessionTimeoutMs: number) {
  return {
    commit:
      profile === 'safe'
        ? `offset+1 after processing, committed every ${COMMIT_INTERVAL_MS} ms in background`
        : `offset+1 before processing, committed every ${COMMIT_INTERVAL_MS} ms in background`,
    kafkajsAutoCommit: false,
    sessionTimeoutMs,
    startFrom: 'earliest (group new per run)',
  };
}

/**
 * One group member. kafkajs restarts a member itself after a retriable crash; after any
 * other crash this class starts a new member, so the consumer rides through kill -9 and
 * cuts. Deliveries whose offsets were not committed come again after a restart.
 */
export class KafkaConsumerClient implements ConsumerClient {
  private consumer: Consumer | undefined;
  /** Next offset to commit per partition, for deliveries already handed over. */
  private readonly toCommit = new Map<number, string>();
  private commitTimer: NodeJS.Timeout | undefined;
  private committing = false;
  /** The member kafkajs will not restart; replaced by restartMember. */
  private abandoned: Consumer | undefined;
  private restartLoop: Promise<void> | undefined;
  private restarting = false;
  private closed = false;

  constructor(private readonly options: KafkaConsumerOptions) {}

  async start(): Promise<void> {
    await this.startMember();
    this.commitTimer = setInterval(() => void this.commit(), COMMIT_INTERVAL_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.commitTimer);
    if (this.restartLoop)
      await withTimeout(this.restartLoop, CALL_TIMEOUT_MS, 'restart').catch(() => undefined);
    await this.commit();
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer) await disconnectQuietly(consumer);
  }

  private async startMember(): Promise<void> {
    const { kafka, topic } = this.options;
    const consumer = kafka.consumer(memberConfig(this.options));
    consumer.on(consumer.events.CRASH, (event) => this.onCrash(consumer, event));
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onJoin(event));
    this.consumer = consumer;
    try {
      await withTimeout(consumer.connect(), CALL_TIMEOUT_MS, 'consumer connect');
      await withTimeout(
        consumer.subscribe({ topic, fromBeginning: true }),
        CALL_TIMEOUT_MS,
        'subscribe',
      );
      await consumer.run({
        // kafkajs's auto-commit commits inside the fetch loop, so under a 200 ms latency
        // fault each commit holds the next fetch (end-to-end p50 about 1 s rather than
        // 0.4 s at 500 msg/s). Both profiles commit from a timer instead.
        autoCommit: false,
        eachMessage: async ({ partition, message }) => this.deliver(partition, message),
      });
      // close() may have run while this member was starting; it must not outlive it.
      if (this.closed) await disconnectQuietly(consumer);
    } catch (error) {
      countKafkaError(this.options.stats, error);
      this.abandoned = consumer;
      throw error;
    }
  }

  /** safe marks an offset done after the handler (at-least-once), fast before (at-most-once). */
  private deliver(partition: number, message: { offset: string; value: Buffer | null }): void {
    const next = (BigInt(message.offset) + 1n).toString();
    if (this.options.profile === 'fast') this.toCommit.set(partition, next);
    this.options.onDelivery(message.value ?? Buffer.alloc(0));
    this.toCommit.set(partition, next);
  }

  /** Offsets of partitions that went to another member are no longer ours to commit. */
  private onJoin(event: ConsumerGroupJoinEvent): void {
    const assigned = new Set(event.payload.memberAssignment[this.options.topic] ?? []);
    for (const partition of [...this.toCommit.keys()]) {
      if (!assigned.has(partition)) this.toCommit.delete(partition);
    }
  }

  private onCrash(consumer: Consumer, event: ConsumerCrashEvent): void {
    countKafkaError(this.options.stats, event.payload.error);
    this.options.stats.consumerReconnects++;
    if (event.payload.restart || consumer !== this.consumer) return;
    this.abandoned = consumer;
    if (!this.restarting && !this.closed) this.restartLoop = this.restartMember();
  }

  /**
   * kafkajs gave up on this member: start new ones until one joins or we close. A member
   * can crash while it starts (run() returns before the group join), so check again.
   */
  private async restartMember(): Promise<void> {
    // Set and cleared without an await between the last check and the return, so a crash
    // is never missed between one loop ending and the next starting.
    this.restarting = true;
    try {
      for (;;) {
        const crashed = this.abandoned;
        if (this.closed || !crashed || this.consumer !== crashed) return;
        await disconnectQuietly(crashed);
        await sleep(RESTART_DELAY_MS);
        if (this.closed) return;
        await this.startMember().catch(() => undefined);
      }
    } finally {
      this.restarting = false;
    }
  }

  /** Commits what was handed over; a failed commit stays pending and is tried again. */
  private async commit(): Promise<void> {
    const consumer = this.consumer;
    if (this.committing || !consumer || this.toCommit.size === 0) return;
    const offsets = [...this.toCommit.entries()];
    this.committing = true;
    try {
      const topic = this.options.topic;
      const request = offsets.map(([partition, offset]) => ({ topic, partition, offset }));
      await withTimeout(consumer.commitOffsets(request), CALL_TIMEOUT_MS, 'commit');
      for (const [partition, offset] of offsets) {
        if (this.toCommit.get(partition) === offset) this.toCommit.delete(partition);
      }
    } catch (error) {
      countKafkaError(this.options.stats, error);
    } finally {
      this.committing = false;
    }
  }
}

/** kafkajs restarts a member itself after retriable crashes, with these retries. */
function memberConfig(options: KafkaConsumerOptions): ConsumerConfig {
  return {
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs,
    rebalanceTimeout: options.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 5)),
    maxWaitTimeInMs: 500,
    allowAutoTopicCreation: false,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
  };
}

async function disconnectQuietly(consumer: Consumer): Promise<void> {
  await withTimeout(consumer.disconnect(), CALL_TIMEOUT_MS, 'disconnect').catch(() => undefined);
}

import type { Consumer, ConsumerCrashEvent, ConsumerGroupJoinEvent, Kafka } from 'kafkajs';
import { sleep, withTimeout } from '../core/time.js';
import { errorKey } from './kafka-client.js';
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
        ? `manual: offset+1 after processing, committed every ${COMMIT_INTERVAL_MS} ms`
        : `auto-commit every ${COMMIT_INTERVAL_MS} ms`,
    sessionTimeoutMs,
    startFrom: 'earliest (group new per run)',
  };
}

/**
 * One group member. kafkajs restarts a member itself after a retriable crash; after any
 * other crash this class starts a new member, so the consumer rides through kill -9 and
 * cuts. Uncommitted deliveries come again after a restart: at-least-once.
 */
export class KafkaConsumerClient implements ConsumerClient {
  private consumer: Consumer | undefined;
  /** Next offset to commit per partition, for deliveries already handed over. */
  private readonly toCommit = new Map<number, string>();
  private commitTimer: NodeJS.Timeout | undefined;
  private committing = false;
  private restarting = false;
  private closed = false;

  constructor(private readonly options: KafkaConsumerOptions) {}

  async start(): Promise<void> {
    await this.startMember();
    if (this.options.profile === 'safe') {
      this.commitTimer = setInterval(() => void this.commit(), COMMIT_INTERVAL_MS);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.commitTimer);
    await this.commit();
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer)
      await withTimeout(consumer.disconnect(), CALL_TIMEOUT_MS, 'disconnect').catch(
        () => undefined,
      );
  }

  private async startMember(): Promise<void> {
    const { kafka, topic, groupId, profile, sessionTimeoutMs } = this.options;
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: sessionTimeoutMs,
      rebalanceTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 5)),
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      retry: {
        retries: 5,
        initialRetryTime: 200,
        maxRetryTime: 2000,
        restartOnFailure: async () => true,
      },
    });
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
        autoCommit: profile === 'fast',
        autoCommitInterval: COMMIT_INTERVAL_MS,
        eachMessage: async ({ partition, message }) => this.deliver(partition, message),
      });
    } catch (error) {
      this.countError(error);
      void consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private deliver(partition: number, message: { offset: string; value: Buffer | null }): void {
    this.options.onDelivery(message.value ?? Buffer.alloc(0));
    if (this.options.profile === 'safe') {
      this.toCommit.set(partition, (BigInt(message.offset) + 1n).toString());
    }
  }

  /** Offsets of partitions that went to another member are no longer ours to commit. */
  private onJoin(event: ConsumerGroupJoinEvent): void {
    const assigned = new Set(event.payload.memberAssignment[this.options.topic] ?? []);
    for (const partition of [...this.toCommit.keys()]) {
      if (!assigned.has(partition)) this.toCommit.delete(partition);
    }
  }

  private onCrash(consumer: Consumer, event: ConsumerCrashEvent): void {
    this.countError(event.payload.error);
    this.options.stats.consumerReconnects++;
    if (event.payload.restart || this.closed || consumer !== this.consumer) return;
    void this.restartMember();
  }

  /** kafkajs gave up on this member: start a new one until it joins or we close. */
  private async restartMember(): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    const old = this.consumer;
    this.consumer = undefined;
    if (old)
      await withTimeout(old.disconnect(), CALL_TIMEOUT_MS, 'disconnect').catch(() => undefined);
    while (!this.closed) {
      await sleep(RESTART_DELAY_MS);
      try {
        await this.startMember();
        break;
      } catch {
        // counted in startMember; try again after the delay
      }
    }
    this.restarting = false;
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
      this.countError(error);
    } finally {
      this.committing = false;
    }
  }

  private countError(error: unknown): void {
    const key = errorKey(error);
    this.options.stats.errors[key] = (this.options.stats.errors[key] ?? 0) + 1;
  }
}

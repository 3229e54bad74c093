import type { Admin, Kafka } from 'kafkajs';
import { MqbenchError } from '../core/errors.js';
import { withTimeout } from '../core/time.js';
import type { Settings } from '../providers/types.js';
import {
  CLIENT_RETRY,
  createKafkaClient,
  countKafkaError,
  KAFKAJS_VERSION,
  kafkaTimeouts,
} from './kafka-client.js';
import { consumerSettings, KafkaConsumerClient } from './kafka-consumer.js';
import { KafkaProducerClient, producerSettings } from './kafka-producer.js';
import type {
  AdapterFactory,
  BrokerAdapter,
  ClientEndpoint,
  ConsumerClient,
  DeliveryHandler,
  DrainStatus,
  ProducerClient,
  TopologyOptions,
} from './types.js';
import { newClientStats } from './types.js';

const REPLICATION_FACTOR = 1;
const ADMIN_TIMEOUT_MS = 10_000;
/** The broker's floor for group.min.session.timeout.ms is 6 s. */
const MIN_SESSION_TIMEOUT_MS = 6000;

/**
 * Kafka through kafkajs: one topic per run with `partitions` partitions, one consumer group
 * per run. Every client connects to the proxy; the broker advertises the proxy too.
 */
export class KafkaAdapter implements BrokerAdapter {
  readonly target = 'kafka' as const;
  readonly clientLibrary = `kafkajs ${KAFKAJS_VERSION}`;
  readonly stats = newClientStats();
  readonly settings: Settings;
  private readonly kafka: Kafka;
  private readonly groupId: string;
  private readonly sessionTimeoutMs: number;
  private readonly producers: KafkaProducerClient[] = [];
  private readonly consumers: KafkaConsumerClient[] = [];
  private admin: Admin | undefined;

  constructor(
    private readonly endpoint: ClientEndpoint,
    private readonly options: TopologyOptions,
  ) {
    this.kafka = createKafkaClient(endpoint, options, `mqbench-${options.name}`, this.stats);
    this.groupId = `mqbench-${options.name}`;
    // After a broker restart the coordinator reloads the group with its old members, and a
    // rebalance waits for every dead member's session to expire before the new one may
    // consume: the session timeout is how long consumption stalls after a crash. 6 s is the
    // broker's default group.min.session.timeout.ms.
    this.sessionTimeoutMs = MIN_SESSION_TIMEOUT_MS;
    this.settings = this.describe();
  }

  private describe(): Settings {
    const { profile, partitions, sendTimeoutMs } = this.options;
    const timeouts = kafkaTimeouts(this.options);
    return {
      topic: this.options.name,
      partitions,
      replicationFactor: REPLICATION_FACTOR,
      ...producerSettings(profile),
      kafkajsRetries: CLIENT_RETRY.retries,
      sendTimeoutMs,
      requestTimeoutMs: timeouts.requestTimeoutMs,
      connectionTimeoutMs: timeouts.connectionTimeoutMs,
      batching: 'messages waiting while a request is out go in the next (at most 500)',
      group: this.groupId,
      ...consumerSettings(profile, this.sessionTimeoutMs),
      clientLibrary: this.clientLibrary,
    };
  }

  async setup(): Promise<void> {
    const admin = await this.connectAdmin();
    await this.checkAdvertisedIsProxy(admin);
    const topic = this.options.name;
    try {
      await withTimeout(
        admin.createTopics({
          topics: [
            {
              topic,
              numPartitions: this.options.partitions,
              replicationFactor: REPLICATION_FACTOR,
            },
          ],
          waitForLeaders: true,
          timeout: ADMIN_TIMEOUT_MS,
        }),
        ADMIN_TIMEOUT_MS,
        `create topic ${topic}`,
      );
    } catch (error) {
      throw new MqbenchError(`could not create Kafka topic ${topic}: ${String(error)}`, {
        phase: 'setup',
        target: 'kafka',
        cause: error,
      });
    }
  }

  /**
   * After the first metadata answer kafkajs connects where the broker advertises. A broker
   * that advertises anything but the proxy takes the traffic around it, and every fault of
   * the run would silently miss, so that stops the run here.
   */
  private async checkAdvertisedIsProxy(admin: Admin): Promise<void> {
    const { brokers } = await withTimeout(admin.describeCluster(), ADMIN_TIMEOUT_MS, 'describe');
    const proxy = `${this.endpoint.host}:${this.endpoint.port}`;
    const elsewhere = brokers.map((b) => `${b.host}:${b.port}`).filter((a) => a !== proxy);
    if (elsewhere.length === 0) return;
    throw new MqbenchError(
      `Kafka advertises ${elsewhere.join(', ')} instead of the proxy ${proxy}: ` +
        'clients would route around the proxy and faults would miss',
      {
        phase: 'setup',
        target: 'kafka',
        hint: `advertise ${proxy} on the client listener (advertised.listeners)`,
      },
    );
  }

  async createProducer(_producerId: number): Promise<ProducerClient> {
    const producer = new KafkaProducerClient({
      kafka: this.kafka,
      topic: this.options.name,
      profile: this.options.profile,
      sendTimeoutMs: this.options.sendTimeoutMs,
      stats: this.stats,
    });
    this.producers.push(producer);
    await producer.start();
    return producer;
  }

  async createConsumer(_consumerId: number, onDelivery: DeliveryHandler): Promise<ConsumerClient> {
    const consumer = new KafkaConsumerClient({
      kafka: this.kafka,
      topic: this.options.name,
      groupId: this.groupId,
      profile: this.options.profile,
      sessionTimeoutMs: this.sessionTimeoutMs,
      stats: this.stats,
      onDelivery,
    });
    this.consumers.push(consumer);
    await consumer.start();
    return consumer;
  }

  /** Drained: the group's committed offset equals the log end offset on every partition. */
  async drainStatus(): Promise<DrainStatus> {
    try {
      const admin = await this.connectAdmin();
      return await withTimeout(this.readLag(admin), ADMIN_TIMEOUT_MS, 'read consumer lag');
    } catch (error) {
      // A broken admin connection would fail every later poll: start a fresh one next time.
      countKafkaError(this.stats, error);
      await this.dropAdmin();
      throw error;
    }
  }

  private async readLag(admin: Admin): Promise<DrainStatus> {
    const topic = this.options.name;
    const [group] = await admin.fetchOffsets({ groupId: this.groupId, topics: [topic] });
    const committed = new Map(group?.partitions.map((p) => [p.partition, BigInt(p.offset)]));
    const ends = await admin.fetchTopicOffsets(topic);
    let remaining = 0n;
    const parts: string[] = [];
    for (const end of [...ends].sort((a, b) => a.partition - b.partition)) {
      // No commit yet reads -1: the group starts from the log start offset then.
      const low = BigInt(end.low);
      const high = BigInt(end.high);
      const position = maxBigInt(committed.get(end.partition) ?? -1n, low);
      const lag = high > position ? high - position : 0n;
      remaining += lag;
      parts.push(`p${end.partition} ${position}/${high}`);
    }
    const count = Number(remaining);
    const detail = `committed/end offsets: ${parts.join(', ')}`;
    return { drained: ends.length > 0 && count === 0, remaining: count, detail };
  }

  async teardown(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.close()));
    await Promise.allSettled(this.producers.map((p) => p.close()));
    try {
      const admin = await this.connectAdmin();
      const deleted = admin.deleteTopics({ topics: [this.options.name], timeout: 5000 });
      await withTimeout(deleted, ADMIN_TIMEOUT_MS, 'delete topic');
      if (this.consumers.length > 0) {
        await withTimeout(admin.deleteGroups([this.groupId]), ADMIN_TIMEOUT_MS, 'delete group');
      }
    } catch (error) {
      // Best effort: the broker of a run is disposable, and its data goes with the run.
      countKafkaError(this.stats, error);
    }
    await this.dropAdmin();
  }

  private async connectAdmin(): Promise<Admin> {
    if (this.admin) return this.admin;
    const admin = this.kafka.admin({ retry: { retries: 2, initialRetryTime: 100 } });
    try {
      await withTimeout(admin.connect(), ADMIN_TIMEOUT_MS, 'admin connect');
    } catch (error) {
      void admin.disconnect().catch(() => undefined);
      throw error;
    }
    this.admin = admin;
    return admin;
  }

  private async dropAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin)
      await withTimeout(admin.disconnect(), 5000, 'admin disconnect').catch(() => undefined);
  }
}

function maxBigInt(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export const createKafkaAdapter: AdapterFactory = (endpoint, options) =>
  new KafkaAdapter(endpoint, options);

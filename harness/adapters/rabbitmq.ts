import type { Channel, ChannelModel } from 'amqplib';
import { MqbenchError } from '../core/errors.js';
import { childLogger } from '../core/log.js';
import type { Logger } from '../core/log.js';
import { retry } from '../core/retry.js';
import { withTimeout } from '../core/time.js';
import type { Settings } from '../providers/types.js';
import {
  CLIENT_LIBRARY,
  closeConnection,
  destroyConnection,
  errorText,
  openConnection,
} from './rabbitmq-connection.js';
import { RabbitConsumer } from './rabbitmq-consumer.js';
import type { ConsumerTracker } from './rabbitmq-consumer.js';
import { RabbitProducer } from './rabbitmq-producer.js';
import type {
  AdapterFactory,
  BrokerAdapter,
  ClientEndpoint,
  ClientStats,
  ConsumerClient,
  DeliveryHandler,
  DrainStatus,
  ProducerClient,
  TopologyOptions,
} from './types.js';
import { countError, newClientStats } from './types.js';

const PREFETCH = 100;
// Deliveries already sent by the broker but still on the wire are invisible to a passive
// declare, so drained also asks that none arrived for this long.
const DRAIN_QUIET_MS = 500;
const SETUP_RETRY = { attempts: 5, baseDelayMs: 200, maxDelayMs: 2000 };

/** The queue, profile and client settings one RabbitMQ target runs with, for the report. */
export function rabbitSettings(options: TopologyOptions): Settings {
  const safe = options.profile === 'safe';
  return {
    queue_type: safe ? 'quorum' : 'classic',
    durable: true,
    persistent: safe,
    confirms: safe ? 'publisher confirms' : 'no confirms: acked means written to socket',
    mandatory: safe,
    prefetch: safe ? PREFETCH : 'n/a (auto-ack)',
    ack_mode: safe ? 'manual ack after the handler' : 'auto-ack (noAck)',
    heartbeat_sec: options.heartbeatSec,
    send_timeout_ms: options.sendTimeoutMs,
    partitions: '1 (a queue has none; the option is ignored)',
    resends: 'none in the client; the harness resends',
    client: CLIENT_LIBRARY,
  };
}

export const createRabbitMQAdapter: AdapterFactory = (endpoint, options) =>
  new RabbitMQAdapter(endpoint, options);

interface AdminLink {
  model: ChannelModel;
  channel: Channel;
  open: boolean;
}

/**
 * RabbitMQ behind the BrokerAdapter interface, with amqplib. Every producer and consumer has
 * a connection of its own; a third, short-lived "admin" connection declares, counts and
 * deletes the queue.
 */
class RabbitMQAdapter implements BrokerAdapter {
  readonly target = 'rabbitmq' as const;
  readonly clientLibrary = CLIENT_LIBRARY;
  readonly settings: Settings;
  readonly stats: ClientStats = newClientStats();
  private readonly tracker: ConsumerTracker = { live: 0, unacked: 0, lastActivityAtMs: 0 };
  private readonly producers = new Set<RabbitProducer>();
  private readonly consumers = new Set<RabbitConsumer>();
  private readonly connectTimeoutMs: number;
  private readonly log: Logger;
  private admin: AdminLink | undefined;

  constructor(
    private readonly endpoint: ClientEndpoint,
    private readonly options: TopologyOptions,
  ) {
    this.settings = rabbitSettings(options);
    // At most half the send deadline, so a send that had to connect still has time to confirm.
    this.connectTimeoutMs = Math.max(250, Math.min(2000, Math.floor(options.sendTimeoutMs / 2)));
    this.log = childLogger({ target: 'rabbitmq', queue: options.name });
  }

  async setup(): Promise<void> {
    const queueType = this.options.profile === 'safe' ? 'quorum' : 'classic';
    try {
      await retry(
        async () => {
          const channel = await this.adminChannel();
          const declare = channel.assertQueue(this.options.name, {
            durable: true,
            arguments: { 'x-queue-type': queueType },
          });
          await withTimeout(declare, 5000, `declare queue ${this.options.name}`);
        },
        { ...SETUP_RETRY, retriable: (error) => (error as { code?: number }).code !== 406 },
      );
    } catch (error) {
      throw new MqbenchError(
        `could not declare the ${queueType} queue ${this.options.name}: ${errorText(error)}`,
        {
          phase: 'setup',
          target: 'rabbitmq',
          cause: error,
          hint: 'a queue of that name with other arguments exists, or the broker is unreachable',
        },
      );
    }
  }

  async createProducer(producerId: number): Promise<ProducerClient> {
    const producer = new RabbitProducer({
      endpoint: this.endpoint,
      queue: this.options.name,
      profile: this.options.profile,
      sendTimeoutMs: this.options.sendTimeoutMs,
      heartbeatSec: this.options.heartbeatSec,
      connectTimeoutMs: this.connectTimeoutMs,
      producerId,
      stats: this.stats,
    });
    this.producers.add(producer);
    try {
      await retry(() => producer.open(), SETUP_RETRY);
    } catch (error) {
      this.producers.delete(producer);
      throw this.setupError(`producer ${producerId} could not connect`, error);
    }
    // A message written but not yet at the broker is in neither count that drainStatus
    // reads, so the quiet time runs from the last publish as well as the last delivery.
    return {
      send: async (key, body) => {
        const result = await producer.send(key, body);
        this.tracker.lastActivityAtMs = Math.max(this.tracker.lastActivityAtMs, performance.now());
        return result;
      },
      close: () => producer.close(),
    };
  }

  async createConsumer(consumerId: number, onDelivery: DeliveryHandler): Promise<ConsumerClient> {
    const consumer = new RabbitConsumer(
      {
        endpoint: this.endpoint,
        queue: this.options.name,
        profile: this.options.profile,
        heartbeatSec: this.options.heartbeatSec,
        connectTimeoutMs: this.connectTimeoutMs,
        prefetch: PREFETCH,
        consumerId,
        stats: this.stats,
        tracker: this.tracker,
      },
      onDelivery,
    );
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (error) {
      this.consumers.delete(consumer);
      await consumer.close();
      throw this.setupError(`consumer ${consumerId} could not subscribe`, error);
    }
    return consumer;
  }

  /**
   * Drained: the passive declare reports no ready message, none of our deliveries waits for
   * its ack, the broker counts exactly our live consumers, and no delivery arrived in the
   * last DRAIN_QUIET_MS. remaining is NaN when the broker could not be asked.
   *
   * The consumer counts guard two blind spots of the passive declare. A stale consumer of
   * a dead connection still holds its unacked deliveries, which the ready count omits. And
   * a quorum queue without a leader (seen after kill -9 of a queue a few hundred ms old)
   * answers 0 ready and 0 consumers instead of an error, while our consumers cannot
   * subscribe. Before any consumer was created, neither case can be told apart.
   */
  async drainStatus(): Promise<DrainStatus> {
    let ready: number;
    let brokerConsumers: number;
    try {
      const channel = await this.adminChannel();
      const reply = await withTimeout(channel.checkQueue(this.options.name), 3000, 'checkQueue');
      ready = reply.messageCount;
      brokerConsumers = reply.consumerCount;
    } catch (error) {
      this.dropAdmin();
      return {
        drained: false,
        remaining: Number.NaN,
        detail: `broker not asked: ${errorText(error)}`,
      };
    }
    const { unacked, live, lastActivityAtMs } = this.tracker;
    const expected = [...this.consumers].filter((consumer) => consumer.active).length;
    const quietMs = Math.round(performance.now() - lastActivityAtMs);
    const remaining = ready + unacked;
    const consumersAgree = live === expected && brokerConsumers === live;
    const drained = remaining === 0 && consumersAgree && quietMs >= DRAIN_QUIET_MS;
    const detail =
      `ready=${ready} unacked(ours)=${unacked} consumers(broker)=${brokerConsumers} ` +
      `consumers(ours: subscribed/open)=${live}/${expected} ` +
      `last publish or delivery ${quietMs} ms ago`;
    return { drained, remaining, detail };
  }

  /** Closes every client, then deletes the queue; bounded in time and never throws. */
  async teardown(): Promise<void> {
    const clients = [...this.producers, ...this.consumers];
    this.producers.clear();
    this.consumers.clear();
    await Promise.allSettled(clients.map((client) => client.close()));
    try {
      const channel = await this.adminChannel();
      await withTimeout(channel.deleteQueue(this.options.name), 5000, 'delete queue');
    } catch (error) {
      countError(this.stats, error);
      this.log.warn({ err: error }, 'could not delete the queue');
    }
    const admin = this.admin;
    this.admin = undefined;
    if (admin?.open) await closeConnection(admin.model, 2000);
  }

  private async adminChannel(): Promise<Channel> {
    if (this.admin?.open) return this.admin.channel;
    const model = await openConnection(this.endpoint, {
      heartbeatSec: this.options.heartbeatSec,
      connectTimeoutMs: this.connectTimeoutMs,
      connectionName: `mqbench-admin-${this.options.name}`,
      onError: (error) => countError(this.stats, error),
    });
    let channel: Channel;
    try {
      channel = await withTimeout(model.createChannel(), this.connectTimeoutMs, 'admin channel');
    } catch (error) {
      destroyConnection(model, 'admin channel did not open');
      throw error;
    }
    const admin: AdminLink = { model, channel, open: true };
    // A failed declare closes the channel (404, 406): forget the link, so the next call
    // opens a fresh one.
    const lost = () => {
      admin.open = false;
      destroyConnection(model, 'admin channel closed');
    };
    channel.on('error', (error: unknown) => countError(this.stats, error));
    channel.on('close', lost);
    model.on('close', lost);
    this.admin = admin;
    return channel;
  }

  private dropAdmin(): void {
    if (this.admin) destroyConnection(this.admin.model, 'admin link dropped');
    this.admin = undefined;
  }

  private setupError(what: string, cause: unknown): MqbenchError {
    return new MqbenchError(`${what}: ${errorText(cause)}`, {
      phase: 'setup',
      target: 'rabbitmq',
      cause,
      hint: `is the broker reachable at ${this.endpoint.host}:${this.endpoint.port}?`,
    });
  }
}

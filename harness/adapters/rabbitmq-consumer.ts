import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { retry } from '../core/retry.js';
import type { RetryOptions } from '../core/retry.js';
import { sleep, withTimeout } from '../core/time.js';
import {
  closeConnection,
  destroyConnection,
  errorText,
  openConnection,
} from './rabbitmq-connection.js';
import type { ClientEndpoint, ClientStats, ConsumerClient, DeliveryHandler } from './types.js';
import { countError } from './types.js';

export interface ConsumerContext {
  endpoint: ClientEndpoint;
  queue: string;
  profile: 'safe' | 'fast';
  heartbeatSec: number;
  connectTimeoutMs: number;
  prefetch: number;
  consumerId: number;
  stats: ClientStats;
  /** Shared by the adapter's consumers; drainStatus reads it. */
  tracker: ConsumerTracker;
}

/** What the broker cannot tell over AMQP: our live consumers and deliveries not yet acked. */
export interface ConsumerTracker {
  live: number;
  unacked: number;
  lastActivityAtMs: number;
}

interface Link {
  model: ChannelModel;
  channel: Channel;
  consumerTag: string;
  open: boolean;
  unacked: number;
}

// A quorum queue applies acks through its Raft log; acks sent just before the channel closes
// can be dropped, and those messages then come back as duplicates. A short pause lets them land.
const ACK_SETTLE_PAUSE_MS = 300;

const RECONNECT_BACKOFF: RetryOptions = {
  attempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 200,
  maxDelayMs: 2000,
};

/**
 * A consumer that rides through faults: when its connection or channel closes, it reconnects
 * with jittered backoff and consumes again. Safe acks each delivery after the handler
 * returns; fast consumes with auto-ack.
 */
export class RabbitConsumer implements ConsumerClient {
  private link: Link | undefined;
  private closed = false;
  private readonly stop = new AbortController();

  constructor(
    private readonly ctx: ConsumerContext,
    private readonly onDelivery: DeliveryHandler,
  ) {}

  /** False once close() was called; drainStatus then stops waiting for this consumer. */
  get active(): boolean {
    return !this.closed;
  }

  /** The first subscription; a failure here is a set-up failure and throws. */
  async start(): Promise<void> {
    await retry(() => this.subscribe(), { ...RECONNECT_BACKOFF, attempts: 3 });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stop.abort();
    const link = this.link;
    this.link = undefined;
    if (!link?.open) return;
    this.markLost(link);
    try {
      await withTimeout(link.channel.cancel(link.consumerTag), 2000, 'basic.cancel');
      await sleep(ACK_SETTLE_PAUSE_MS);
    } catch (error) {
      countError(this.ctx.stats, error);
    }
    await closeConnection(link.model, 2000);
  }

  private async subscribe(): Promise<void> {
    const { ctx } = this;
    const model = await openConnection(ctx.endpoint, {
      heartbeatSec: ctx.heartbeatSec,
      connectTimeoutMs: ctx.connectTimeoutMs,
      connectionName: `mqbench-consumer-${ctx.consumerId}`,
      onError: (error) => countError(ctx.stats, error),
    });
    try {
      const channel = await withTimeout(model.createChannel(), ctx.connectTimeoutMs, 'channel');
      channel.on('error', (error: unknown) => countError(ctx.stats, error));
      if (ctx.profile === 'safe') {
        await withTimeout(channel.prefetch(ctx.prefetch), ctx.connectTimeoutMs, 'basic.qos');
      }
      const link: Link = { model, channel, consumerTag: '', open: true, unacked: 0 };
      channel.on('close', () => this.onLost(link));
      model.on('close', () => this.onLost(link));
      const reply = await withTimeout(
        channel.consume(ctx.queue, (message) => this.onMessage(link, message), {
          noAck: ctx.profile === 'fast',
        }),
        ctx.connectTimeoutMs,
        `basic.consume on ${ctx.queue}`,
      );
      link.consumerTag = reply.consumerTag;
      if (this.closed || !link.open) throw new Error('closed while subscribing');
      this.link = link;
      ctx.tracker.live++;
    } catch (error) {
      destroyConnection(model, 'subscribe failed');
      throw error;
    }
  }

  private onMessage(link: Link, message: ConsumeMessage | null): void {
    // null: the broker cancelled us (queue deleted, or a quorum queue lost its leader).
    if (message === null) {
      destroyConnection(link.model, 'consumer cancelled by the broker');
      return;
    }
    const { tracker } = this.ctx;
    tracker.lastActivityAtMs = performance.now();
    if (this.ctx.profile === 'fast') {
      this.handle(message);
      return;
    }
    link.unacked++;
    tracker.unacked++;
    const handled = this.handle(message);
    try {
      if (handled) link.channel.ack(message);
      else link.channel.nack(message, false, true);
    } catch (error) {
      // The channel closed under us; the broker requeues the delivery, so it comes again.
      countError(this.ctx.stats, error);
    }
    link.unacked--;
    tracker.unacked--;
  }

  private handle(message: ConsumeMessage): boolean {
    try {
      this.onDelivery(message.content);
      return true;
    } catch (error) {
      countError(this.ctx.stats, error);
      return false;
    }
  }

  /** Only the active link resubscribes; a link lost while subscribing is retried there. */
  private onLost(link: Link): void {
    if (!link.open) return;
    const wasActive = this.link === link;
    this.markLost(link);
    destroyConnection(link.model, 'consumer link lost');
    if (wasActive && !this.closed) void this.resubscribe();
  }

  /** Forgets a link; its unacked deliveries go back to the queue on the broker's side. */
  private markLost(link: Link): void {
    link.open = false;
    if (this.link === link) {
      this.link = undefined;
      this.ctx.tracker.live--;
    }
    this.ctx.tracker.unacked -= link.unacked;
    link.unacked = 0;
  }

  private async resubscribe(): Promise<void> {
    try {
      await retry(() => this.subscribe(), {
        ...RECONNECT_BACKOFF,
        signal: this.stop.signal,
        retriable: () => !this.closed,
      });
      this.ctx.stats.consumerReconnects++;
    } catch (error) {
      // Only reached once close() stopped the retries.
      if (!this.closed) countError(this.ctx.stats, `resubscribe: ${errorText(error)}`);
    }
  }
}

import type { Channel, ChannelModel, ConfirmChannel, Message } from 'amqplib';
import { withTimeout } from '../core/time.js';
import {
  closeConnection,
  destroyConnection,
  errorText,
  openConnection,
} from './rabbitmq-connection.js';
import type { ClientEndpoint, ClientStats, ProducerClient, SendResult } from './types.js';
import { countError } from './types.js';

export interface ProducerContext {
  endpoint: ClientEndpoint;
  queue: string;
  profile: 'safe' | 'fast';
  sendTimeoutMs: number;
  heartbeatSec: number;
  connectTimeoutMs: number;
  producerId: number;
  stats: ClientStats;
}

/** One connection with its channel; `open` turns false for good once either closes. */
interface Link {
  model: ChannelModel;
  channel: Channel;
  confirm: ConfirmChannel | undefined;
  open: boolean;
  /** Settles a send whose message the broker returned as unroutable, by message id. */
  returned: Map<string, (result: SendResult) => void>;
}

/**
 * A producer on its own connection. Each send settles within sendTimeoutMs: acked on a
 * publisher confirm (safe) or once handed to the socket (fast), failed on a nack, a return
 * or when no connection could be made, indeterminate when the confirm did not come in time.
 * It never resends: that is the harness's call.
 */
export class RabbitProducer implements ProducerClient {
  private link: Link | undefined;
  private connecting: Promise<Link> | undefined;
  private everConnected = false;
  private closed = false;
  private sequence = 0;

  constructor(private readonly ctx: ProducerContext) {}

  async send(_key: string, body: Buffer): Promise<SendResult> {
    const deadline = performance.now() + this.ctx.sendTimeoutMs;
    if (this.closed) return { outcome: 'failed', error: 'producer closed' };

    let link: Link;
    try {
      link = await this.ensureLink(deadline);
    } catch (error) {
      // Nothing was published, so the broker cannot hold this message.
      return { outcome: 'failed', error: `not connected: ${errorText(error)}` };
    }

    if (link.confirm) return this.publishConfirmed(link, link.confirm, body, deadline);
    return this.publishUnconfirmed(link, body, deadline);
  }

  /** Connects now, so an unreachable broker fails the set-up rather than the first send. */
  async open(): Promise<void> {
    await this.ensureLink(performance.now() + 2 * this.ctx.connectTimeoutMs + 500);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    const link = this.link;
    this.link = undefined;
    if (link?.open) await closeConnection(link.model, 2000);
  }

  /** Sends that arrive while a connect is under way share it, each within its own deadline. */
  private async ensureLink(deadline: number): Promise<Link> {
    if (this.link?.open) return this.link;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    const remainingMs = Math.max(0, deadline - performance.now());
    return withTimeout(this.connecting, remainingMs, 'connecting to the broker');
  }

  private async connect(): Promise<Link> {
    const { ctx } = this;
    const model = await openConnection(ctx.endpoint, {
      heartbeatSec: ctx.heartbeatSec,
      connectTimeoutMs: ctx.connectTimeoutMs,
      connectionName: `mqbench-producer-${ctx.producerId}`,
      onError: (error) => countError(ctx.stats, error),
    });
    let confirm: ConfirmChannel | undefined;
    let channel: Channel;
    try {
      const opening = ctx.profile === 'safe' ? model.createConfirmChannel() : model.createChannel();
      channel = await withTimeout(opening, ctx.connectTimeoutMs, 'opening a channel');
      if (ctx.profile === 'safe') confirm = channel as ConfirmChannel;
    } catch (error) {
      destroyConnection(model, 'channel did not open');
      throw error;
    }
    const link: Link = { model, channel, confirm, open: true, returned: new Map() };
    this.watch(link);
    if (this.closed) {
      destroyConnection(model, 'producer closed while connecting');
      throw new Error('producer closed');
    }
    if (this.everConnected) ctx.stats.producerReconnects++;
    this.everConnected = true;
    this.link = link;
    return link;
  }

  private watch(link: Link): void {
    const lost = () => {
      if (!link.open) return;
      link.open = false;
      if (this.link === link) this.link = undefined;
      // A channel can close alone (a channel error); drop its connection too, so the next
      // send starts clean.
      destroyConnection(link.model, 'channel closed');
    };
    link.channel.on('error', (error: unknown) => countError(this.ctx.stats, error));
    link.channel.on('close', lost);
    link.model.on('close', lost);
    link.channel.on('return', (message: Message) => {
      const id = String(message.properties.messageId);
      link.returned.get(id)?.({ outcome: 'failed', error: 'unroutable: returned by the broker' });
    });
  }

  /**
   * Publishes with a confirm callback and a deadline timer. When the deadline passes on a
   * message that waited long enough to be evidence of a dead path, the connection is torn
   * down, so the sends behind it reconnect instead of queueing on a silent socket.
   */
  private publishConfirmed(
    link: Link,
    channel: ConfirmChannel,
    body: Buffer,
    deadline: number,
  ): Promise<SendResult> {
    const messageId = `${this.ctx.producerId}-${++this.sequence}`;
    const publishedAt = performance.now();
    return new Promise<SendResult>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (result: SendResult) => {
        if (!timer) return;
        clearTimeout(timer);
        timer = undefined;
        link.returned.delete(messageId);
        resolve(result);
      };
      timer = setTimeout(() => {
        const waitedMs = performance.now() - publishedAt;
        settle({ outcome: 'indeterminate', error: `no confirm within ${Math.round(waitedMs)} ms` });
        if (waitedMs >= this.ctx.sendTimeoutMs / 2) destroyConnection(link.model, 'no confirm');
      }, deadline - publishedAt);
      link.returned.set(messageId, settle);
      try {
        const options = { persistent: true, mandatory: true, messageId };
        channel.sendToQueue(this.ctx.queue, body, options, (error: unknown) => {
          settle(confirmOutcome(error));
        });
      } catch (error) {
        // amqplib refuses before writing anything when the channel is already closed.
        settle({ outcome: 'failed', error: `not sent: ${errorText(error)}` });
        destroyConnection(link.model, 'publish refused');
      }
    });
  }

  /** No confirms: acked means the frame was handed to the socket within the deadline. */
  private async publishUnconfirmed(
    link: Link,
    body: Buffer,
    deadline: number,
  ): Promise<SendResult> {
    let flushed: boolean;
    try {
      flushed = link.channel.sendToQueue(this.ctx.queue, body, { persistent: false });
    } catch (error) {
      destroyConnection(link.model, 'publish refused');
      return { outcome: 'failed', error: `not sent: ${errorText(error)}` };
    }
    if (flushed || (await waitForDrain(link, deadline))) return { outcome: 'acked' };
    destroyConnection(link.model, 'write buffer did not drain');
    return { outcome: 'indeterminate', error: 'write buffer did not drain in time' };
  }
}

function confirmOutcome(error: unknown): SendResult {
  if (!error) return { outcome: 'acked' };
  const text = errorText(error);
  if (text === 'message nacked') return { outcome: 'failed', error: 'nacked by the broker' };
  // 'channel closed' and the like: the broker may or may not have stored it.
  return { outcome: 'indeterminate', error: text };
}

function waitForDrain(link: Link, deadline: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (drained: boolean) => {
      clearTimeout(timer);
      link.channel.off('drain', onDrain);
      link.channel.off('close', onClose);
      resolve(drained);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), Math.max(0, deadline - performance.now()));
    link.channel.on('drain', onDrain);
    link.channel.on('close', onClose);
  });
}

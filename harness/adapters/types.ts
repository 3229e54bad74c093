import type { Settings, TargetName } from '../providers/types.js';

/** How one send attempt settled, as the producer was told. */
export type SendOutcome = 'acked' | 'failed' | 'indeterminate';

export interface SendResult {
  outcome: SendOutcome;
  /** Short error text for failed and indeterminate attempts. */
  error?: string;
}

/** Where clients connect: always the target's proxy, never the broker itself. */
export interface ClientEndpoint {
  host: string;
  port: number;
}

export interface TopologyOptions {
  /** Unique per run, so runs and tests never share a topic, queue or stream. */
  name: string;
  profile: 'safe' | 'fast';
  partitions: number;
  sendTimeoutMs: number;
  /** A client-side bound on blocking calls, so a dead path is noticed. */
  heartbeatSec: number;
}

/**
 * Producer side of one adapter. send() never throws and never hangs past the send
 * deadline: every attempt settles as acked, failed or indeterminate. Reconnection is the
 * adapter's job; resending is the harness's.
 */
export interface ProducerClient {
  send(key: string, body: Buffer): Promise<SendResult>;
  close(): Promise<void>;
}

/** Receives one delivery; the adapter acks it after this returns (at-least-once). */
export type DeliveryHandler = (body: Buffer) => void;

export interface ConsumerClient {
  close(): Promise<void>;
}

export interface DrainStatus {
  drained: boolean;
  /** Messages the broker still holds for the consumer (lag, ready + unacked, ...). */
  remaining: number;
  detail: string;
}

/** Counters the adapter keeps about its clients: reconnects and errors seen. */
export interface ClientStats {
  producerReconnects: number;
  consumerReconnects: number;
  errors: Record<string, number>;
}

/** One broker's terms, behind one interface. Nothing outside an adapter knows them. */
export interface BrokerAdapter {
  readonly target: TargetName;
  readonly clientLibrary: string;
  /** The exact client and topology settings the target runs with, for the report. */
  readonly settings: Settings;
  readonly stats: ClientStats;
  setup(): Promise<void>;
  createProducer(producerId: number): Promise<ProducerClient>;
  createConsumer(consumerId: number, onDelivery: DeliveryHandler): Promise<ConsumerClient>;
  drainStatus(): Promise<DrainStatus>;
  teardown(): Promise<void>;
}

export type AdapterFactory = (endpoint: ClientEndpoint, options: TopologyOptions) => BrokerAdapter;

export function newClientStats(): ClientStats {
  return { producerReconnects: 0, consumerReconnects: 0, errors: {} };
}

export function countError(stats: ClientStats, error: unknown): void {
  const key =
    (error as { code?: string }).code ??
    (error instanceof Error ? error.message : String(error)).slice(0, 160);
  stats.errors[key] = (stats.errors[key] ?? 0) + 1;
}

import type { Disposable } from '../core/registry.js';

export type TargetName = 'redis' | 'rabbitmq' | 'kafka';
export type ProviderKind = 'local' | 'docker' | 'external';

/** Broker-side settings that decide durability; the report prints them per target. */
export type Settings = Record<string, string | number | boolean>;

/** What the harness needs to start a broker behind its proxy. */
export interface BrokerStartOptions {
  /** Everything of this broker lives under here: data, logs, pid file, config. */
  runDir: string;
  /** The port the broker listens on for clients (the proxy's upstream). */
  brokerPort: number;
  /** The proxy's port: Kafka advertises it, so clients never route around the proxy. */
  proxyPort: number;
  /** Profile-dependent durability, e.g. Redis AOF always (safe) or none (fast). */
  profile: 'safe' | 'fast';
}

/** kill -9, pause and restart of the broker's real process (local provider only). */
export interface ProcessControl {
  /** The broker's real pid (for RabbitMQ, beam.smp from its PID file). */
  pid(): number;
  kill9(): Promise<void>;
  /** Starts the broker again on the same ports and data after kill9 or stop. */
  start(): Promise<void>;
  /** Graceful stop, waiting for the process to exit. */
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
}

/** A started broker. dispose() stops it and everything it started, on every exit path. */
export interface BrokerHandle extends Disposable {
  readonly target: TargetName;
  readonly provider: ProviderKind;
  readonly version: string;
  readonly brokerPort: number;
  /** Where the proxy's upstream points; 127.0.0.1 unless an external broker says otherwise. */
  readonly host?: string;
  readonly settings: Settings;
  readonly process: ProcessControl | undefined;
}

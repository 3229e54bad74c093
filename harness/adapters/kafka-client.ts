import kafkajs from 'kafkajs';
import type { Kafka, KafkaConfig, LogEntry, logCreator } from 'kafkajs';
import type { ClientEndpoint, ClientStats, SendResult, TopologyOptions } from './types.js';

export const KAFKAJS_VERSION = '2.2.4';

/** Only kafkajs's ERROR entries reach the log creator, which counts and never prints. */
const LOG_LEVEL_ERROR = kafkajs.logLevel.ERROR;

/**
 * Broker rejections of a batch that say it was not written and will not be on a retry.
 * Retriable codes are missing on purpose: once kafkajs has retried, an earlier attempt
 * may have been written before its answer was lost.
 */
const DEFINITE_REJECTIONS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_REQUIRED_ACKS',
  'POLICY_VIOLATION',
  'INVALID_TIMESTAMP',
]);

/** Few, short internal retries: the send deadline and the harness own the rest. */
export const CLIENT_RETRY = { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 };

/** Timeouts of a few seconds, so a dead path is noticed well inside one send deadline. */
export function kafkaTimeouts(options: TopologyOptions): {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
} {
  const requestTimeoutMs = Math.min(10_000, Math.max(1000, Math.round(options.sendTimeoutMs / 2)));
  return { connectionTimeoutMs: 3000, requestTimeoutMs };
}

/** One kafkajs client towards the proxy, quiet on stderr: its errors are counted instead. */
export function createKafkaClient(
  endpoint: ClientEndpoint,
  options: TopologyOptions,
  clientId: string,
  stats: ClientStats,
): Kafka {
  const timeouts = kafkaTimeouts(options);
  const config: KafkaConfig = {
    clientId,
    brokers: [`${endpoint.host}:${endpoint.port}`],
    connectionTimeout: timeouts.connectionTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    enforceRequestTimeout: true,
    logLevel: LOG_LEVEL_ERROR,
    logCreator: countingLogCreator(stats),
    retry: CLIENT_RETRY,
  };
  return new kafkajs.Kafka(config);
}

/** Counts kafkajs's error log entries per namespace and error, and prints nothing. */
export function countingLogCreator(stats: ClientStats): logCreator {
  return () => (entry: LogEntry) => {
    if (entry.level > LOG_LEVEL_ERROR) return;
    const detail = typeof entry.log.error === 'string' ? entry.log.error : entry.log.message;
    // Digits vary per entry (ports, retry delays), so they would split one error into many.
    const text = `kafkajs ${entry.namespace}: ${detail.replace(/\d+(\.\d+)?/g, 'N')}`;
    const key = text.slice(0, 160);
    stats.errors[key] = (stats.errors[key] ?? 0) + 1;
  };
}

/** The innermost cause: kafkajs wraps the broker's answer in retry and non-retriable errors. */
export function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (cause === undefined || cause === null || cause === current) return current;
    current = cause;
  }
  return current;
}

/** A short stable key for stats.errors: the broker error type, else the error class. */
export function errorKey(error: unknown): string {
  const root = rootCause(error) as { type?: unknown; name?: unknown } | null;
  if (typeof root?.type === 'string') return `kafka ${root.type}`;
  if (typeof root?.name === 'string') return `kafka ${root.name}`;
  return 'kafka unknown error';
}

/** Counts an error the adapter saw under its errorKey. */
export function countKafkaError(stats: ClientStats, error: unknown): void {
  const key = errorKey(error);
  stats.errors[key] = (stats.errors[key] ?? 0) + 1;
}

export function errorText(error: unknown): string {
  const root = rootCause(error);
  const outer = error instanceof Error ? error.message : String(error);
  const inner = root instanceof Error ? root.message : String(root);
  return outer === inner ? outer : `${outer} (cause: ${inner})`;
}

/**
 * How a batch that kafkajs gave up on settles. Only a definite broker rejection on the
 * first try of a one-message batch is `failed`: a multi-message batch may span partitions,
 * and the broker may have written the others while kafkajs reports one error for all.
 * Everything else (connection lost, timeouts, retries exhausted) may have been written.
 */
export function classifySendError(error: unknown, batchSize: number): SendResult {
  const root = rootCause(error) as { type?: unknown } | null;
  const retried = (error as { name?: unknown } | null)?.name === 'KafkaJSNumberOfRetriesExceeded';
  const definite = typeof root?.type === 'string' && DEFINITE_REJECTIONS.has(root.type);
  const outcome = definite && !retried && batchSize === 1 ? 'failed' : 'indeterminate';
  return { outcome, error: errorText(error) };
}

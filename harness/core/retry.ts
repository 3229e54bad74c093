import { sleep } from './time.js';

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  retriable?: (error: unknown) => boolean;
  signal?: AbortSignal;
  random?: () => number;
  /** Replaceable in tests. */
  delay?: (ms: number) => Promise<void>;
}

/** Full-jitter exponential backoff: the delay before attempt n is uniform in [0, base·2^n]. */
export function backoffMs(attempt: number, options: RetryOptions): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.round((options.random ?? Math.random)() * ceiling);
}

/** The one retry helper of the harness. It rethrows the last error when attempts run out. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < o.attempts; attempt++) {
    if (o.signal?.aborted) break;
    try {
      return await fn(attempt);
    } catch (error) {
      lastError = error;
      if (o.retriable && !o.retriable(error)) throw error;
      if (attempt + 1 < o.attempts) await (o.delay ?? sleep)(backoffMs(attempt, o));
    }
  }
  throw lastError ?? new Error('retry aborted before the first attempt');
}

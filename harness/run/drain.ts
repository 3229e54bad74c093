import type { BrokerAdapter } from '../adapters/types.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { sleepUnlessAborted } from '../core/time.js';

export interface DrainOutcome {
  drained: boolean;
  remaining: number;
  detail: string;
  durationMs: number;
}

/** Drained must hold on this many polls in a row, so a just-restarted broker cannot fool us. */
const STABLE_POLLS = 3;
const POLL_MS = 500;

/**
 * Waits until the broker itself reports nothing left for the consumers, not until the
 * consumers go quiet. A drain that does not finish by the deadline leaves the verdict
 * `unknown`.
 */
export async function drainUntilEmpty(
  adapter: BrokerAdapter,
  timeoutMs: number,
  signal: AbortSignal,
  log: Logger,
): Promise<DrainOutcome> {
  const start = Date.now();
  let stable = 0;
  let last = { drained: false, remaining: Number.NaN, detail: 'not polled yet' };
  while (Date.now() - start < timeoutMs && !signal.aborted) {
    try {
      last = await adapter.drainStatus();
    } catch (error) {
      last = {
        drained: false,
        remaining: Number.NaN,
        detail: `poll failed: ${errorMessage(error)}`,
      };
    }
    stable = last.drained ? stable + 1 : 0;
    if (stable >= STABLE_POLLS) break;
    await sleepUnlessAborted(POLL_MS, signal);
  }
  const outcome = { ...last, drained: stable >= STABLE_POLLS, durationMs: Date.now() - start };
  log.info({ drained: outcome.drained, detail: outcome.detail }, 'drain finished');
  return outcome;
}

import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * The one logger. Logs go to stderr so stdout stays free for results; the level comes from
 * MQBENCH_LOG (default `info`, `silent` in tests unless set).
 */
export const rootLogger: Logger = pino(
  {
    level: process.env.MQBENCH_LOG ?? (process.env.VITEST ? 'silent' : 'info'),
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  },
  pino.destination(2),
);

export function childLogger(bindings: Record<string, string | number>): Logger {
  return rootLogger.child(bindings);
}

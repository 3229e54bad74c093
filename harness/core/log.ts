import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

export type { Logger };

const LEVELS: Record<number, string> = { 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR' };
const HIDDEN = new Set(['level', 'time', 'msg', 'run', 'scenario']);

/** One short line per log record for a terminal: time, level, target, message, fields. */
export function humanLine(json: string): string {
  try {
    const record = JSON.parse(json) as Record<string, unknown>;
    const time = String(record.time ?? '').slice(11, 19);
    const level = LEVELS[Number(record.level)] ?? String(record.level);
    const target = record.target ? `[${String(record.target)}] ` : '';
    const fields = Object.entries(record)
      .filter(([key]) => !HIDDEN.has(key) && key !== 'target')
      .map(
        ([key, value]) =>
          `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
      )
      .join(' ');
    return `${time} ${level} ${target}${String(record.msg ?? '')}${fields ? `  ${fields}` : ''}\n`;
  } catch {
    return json;
  }
}

function destination(): DestinationStream {
  if (process.env.MQBENCH_LOG_FORMAT === 'json') return pino.destination(2);
  return { write: (line: string) => void process.stderr.write(humanLine(line)) };
}

/**
 * The one logger. Logs go to stderr so stdout stays free for results; the level comes from
 * MQBENCH_LOG (default `info`, `silent` under vitest unless set), the format from
 * MQBENCH_LOG_FORMAT (`json` for JSON lines, else one readable line per record).
 */
export const rootLogger: Logger = pino(
  {
    level: process.env.MQBENCH_LOG ?? (process.env.VITEST ? 'silent' : 'info'),
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  },
  destination(),
);

export function childLogger(bindings: Record<string, string | number>): Logger {
  return rootLogger.child(bindings);
}

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import type { HarnessHealth } from '../report/result.js';
import { newLatencyHistogram, recordUs } from './histogram.js';

/**
 * A harness whose event loop or send schedule lags this much most of the time could not
 * keep the pace itself. One long stall (a GC, decoding a backlog after an outage) shows in
 * the maxima but does not flag the run; a sustained lag shows in the p99s and does.
 */
const LAG_P99_LIMIT_MS = 50;
const SLIP_P99_LIMIT_MS = 50;

/** Watches the harness itself during the workload: event-loop lag, schedule slip, CPU. */
export class HarnessMonitor {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly slips = newLatencyHistogram();
  private readonly cpuStart = process.cpuUsage();
  private result: HarnessHealth | undefined;

  /** Slips of slots before `warmupEndUs` are not counted: warm-up is not headline. */
  constructor(private readonly warmupEndUs = 0) {
    this.loop.enable();
  }

  /** How late a producer was for the send slot due at intendedUs, in ms. */
  slip(lateMs: number, intendedUs: number): void {
    if (this.result !== undefined || intendedUs < this.warmupEndUs) return;
    recordUs(this.slips, Math.max(0, lateMs) * 1000);
  }

  /** Stops measuring; later calls return the same figures. */
  finish(): HarnessHealth {
    this.result ??= this.measure();
    return this.result;
  }

  private measure(): HarnessHealth {
    this.loop.disable();
    const cpu = process.cpuUsage(this.cpuStart);
    const lagP99Ms = this.loop.percentile(99) / 1e6;
    const slipP99Ms = this.slips.totalCount ? this.slips.getValueAtPercentile(99) / 1000 : 0;
    const slipMaxMs = this.slips.totalCount ? this.slips.maxValue / 1000 : 0;
    const bound = lagP99Ms > LAG_P99_LIMIT_MS || slipP99Ms > SLIP_P99_LIMIT_MS;
    return {
      eventLoopLagP99Ms: round(lagP99Ms),
      eventLoopLagMaxMs: round(this.loop.max / 1e6),
      scheduleSlipP99Ms: round(slipP99Ms),
      maxScheduleSlipMs: round(slipMaxMs),
      cpuUserSec: round(cpu.user / 1e6),
      cpuSystemSec: round(cpu.system / 1e6),
      harnessBound: bound,
      note: bound
        ? `the harness fell behind (event-loop p99 ${round(lagP99Ms)} ms, schedule slip p99 ` +
          `${round(slipP99Ms)} ms): figures may reflect the harness, not the broker`
        : 'the harness kept the schedule',
    };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

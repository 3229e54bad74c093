import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import type { HarnessHealth } from '../report/result.js';

/** A harness whose event loop stalls this long could not keep the schedule itself. */
const LAG_LIMIT_MS = 50;
const SLIP_LIMIT_MS = 200;

/** Watches the harness itself: event-loop lag, the producers' schedule slip and CPU. */
export class HarnessMonitor {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly cpuStart = process.cpuUsage();
  private maxSlipMs = 0;

  constructor() {
    this.loop.enable();
  }

  /** How late a producer was for a send slot. */
  slip(lateMs: number): void {
    if (lateMs > this.maxSlipMs) this.maxSlipMs = lateMs;
  }

  finish(): HarnessHealth {
    this.loop.disable();
    const cpu = process.cpuUsage(this.cpuStart);
    const lagP99Ms = this.loop.percentile(99) / 1e6;
    const lagMaxMs = this.loop.max / 1e6;
    const bound = lagP99Ms > LAG_LIMIT_MS || this.maxSlipMs > SLIP_LIMIT_MS;
    return {
      eventLoopLagP99Ms: round(lagP99Ms),
      eventLoopLagMaxMs: round(lagMaxMs),
      maxScheduleSlipMs: round(this.maxSlipMs),
      cpuUserSec: round(cpu.user / 1e6),
      cpuSystemSec: round(cpu.system / 1e6),
      harnessBound: bound,
      note: bound
        ? `the harness fell behind (event-loop p99 ${round(lagP99Ms)} ms, ` +
          `slip ${round(this.maxSlipMs)} ms): figures may reflect the harness, not the broker`
        : 'the harness kept the schedule',
    };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

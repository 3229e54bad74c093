import { errorMessage } from '../core/errors.js';
import { nowUs, sleepUnlessAborted } from '../core/time.js';
import type { AppliedFault } from '../report/result.js';
import type { FaultSpec } from '../scenario/index.js';
import { cutFault } from './cut.js';
import { killFault, pauseFault, restartFault } from './process-faults.js';
import { toxicFault } from './toxic.js';
import type { ActiveFault, FaultContext, FaultKind } from './types.js';

function kindOf(spec: FaultSpec): FaultKind {
  switch (spec.kind) {
    case 'cut':
      return cutFault as FaultKind;
    case 'kill':
      return killFault as FaultKind;
    case 'pause':
      return pauseFault as FaultKind;
    case 'restart':
      return restartFault as FaultKind;
    default:
      return toxicFault as FaultKind;
  }
}

/**
 * Strikes each fault at its time and heals it at its end, measured from the workload's
 * origin. Faults run side by side, so overlapping windows are allowed. An abort heals
 * at once; a fault that fails to apply is recorded with its error and the run goes on.
 */
export class FaultTimeline {
  readonly applied: AppliedFault[];

  constructor(
    private readonly specs: FaultSpec[],
    private readonly context: FaultContext,
    private readonly originUs: number,
  ) {
    this.applied = specs.map((spec, index) => ({
      index,
      kind: spec.kind,
      spec: { ...spec },
      plannedAtSec: spec.atSec,
      appliedAtSec: null,
      revertedAtSec: null,
      evidence: {},
      error: null,
      window: null,
    }));
  }

  run(signal: AbortSignal): Promise<void> {
    return Promise.all(this.specs.map((spec, i) => this.strike(spec, i, signal))).then(() => {});
  }

  private elapsedSec(): number {
    return Math.round((nowUs() - this.originUs) / 1000) / 1000;
  }

  /** Never early: a timer may fire a fraction of a millisecond short, so check and go again. */
  private async sleepUntil(sec: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      const waitMs = sec * 1000 - (nowUs() - this.originUs) / 1000;
      if (waitMs <= 0 || signal.aborted) return;
      await sleepUnlessAborted(Math.max(1, Math.ceil(waitMs)), signal);
    }
  }

  private async strike(spec: FaultSpec, index: number, signal: AbortSignal): Promise<void> {
    const record = this.applied[index] as AppliedFault;
    await this.sleepUntil(spec.atSec, signal);
    if (signal.aborted) return;
    let active: ActiveFault | undefined;
    try {
      record.appliedAtSec = this.elapsedSec();
      this.context.log.info({ fault: spec.kind, atSec: record.appliedAtSec }, 'fault applied');
      active = await kindOf(spec).apply(spec, this.context);
      record.evidence = { ...active.evidence };
    } catch (error) {
      record.error = `apply failed: ${errorMessage(error)}`;
    }
    await this.sleepUntil(spec.endSec, signal);
    await this.revert(record, active);
  }

  private async revert(record: AppliedFault, active: ActiveFault | undefined): Promise<void> {
    try {
      const after = active ? await active.revert() : {};
      record.evidence = { ...record.evidence, ...after };
    } catch (error) {
      record.error = `${record.error ?? ''}revert failed: ${errorMessage(error)}`;
    }
    record.revertedAtSec = this.elapsedSec();
    this.context.log.info({ fault: record.kind, atSec: record.revertedAtSec }, 'fault healed');
  }
}

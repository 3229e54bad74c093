import fs from 'node:fs';
import { MqbenchError } from '../core/errors.js';
import { probeConnect } from '../core/ports.js';
import { sleep } from '../core/time.js';
import type { ProcessControl } from '../providers/types.js';
import type { FaultSpec } from '../scenario/index.js';
import type { FaultContext, FaultKind } from './types.js';
import { NOTHING_TO_REVERT } from './types.js';

function control({ broker }: FaultContext): ProcessControl {
  if (!broker.process) {
    throw new MqbenchError(
      `process faults need a broker mqbench started; ${broker.provider} has none`,
      {
        phase: 'run',
        target: broker.target,
      },
    );
  }
  return broker.process;
}

/** kill -9, then a start on the same data after restartAfterSec. */
export const killFault: FaultKind<Extract<FaultSpec, { kind: 'kill' }>> = {
  async apply(_spec, context) {
    const proc = control(context);
    const pidBefore = proc.pid();
    await proc.kill9();
    const probe = await probeConnect(context.broker.brokerPort);
    return {
      evidence: { signal: 'SIGKILL', pidBefore, connectAfterKill: probe },
      async revert() {
        const startedMs = Date.now();
        await proc.start();
        return { pidAfter: proc.pid(), restartMs: Date.now() - startedMs };
      },
    };
  },
};

/** SIGSTOP now, SIGCONT after forSec: the process lives, its sockets stay open, nothing moves. */
export const pauseFault: FaultKind<Extract<FaultSpec, { kind: 'pause' }>> = {
  async apply(_spec, context) {
    const proc = control(context);
    const pid = proc.pid();
    proc.pause();
    return {
      evidence: { signal: 'SIGSTOP', pid, processState: await stateSettles(pid, 'T') },
      async revert() {
        proc.resume();
        return { signalAfter: 'SIGCONT', processStateAfter: processState(pid) };
      },
    };
  },
};

/** A graceful stop and a start, both inside apply; the window is the downtime. */
export const restartFault: FaultKind<Extract<FaultSpec, { kind: 'restart' }>> = {
  async apply(_spec, context) {
    const proc = control(context);
    const pidBefore = proc.pid();
    const stoppedMs = Date.now();
    await proc.stop();
    const probe = await probeConnect(context.broker.brokerPort);
    await proc.start();
    return {
      evidence: {
        pidBefore,
        connectWhileStopped: probe,
        pidAfter: proc.pid(),
        downtimeMs: Date.now() - stoppedMs,
      },
      revert: NOTHING_TO_REVERT,
    };
  },
};

/** A signal lands a moment after kill() returns: wait up to 1 s for the state to show it. */
async function stateSettles(pid: number, expected: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const state = processState(pid);
    if (state === expected || state === 'gone') return state;
    await sleep(10);
  }
  return processState(pid);
}

/** The state letter from /proc/<pid>/stat: T when stopped, S or R when running. */
function processState(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?';
  } catch {
    return 'gone';
  }
}

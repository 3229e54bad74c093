import type { Logger } from '../core/log.js';
import type { BrokerHandle } from '../providers/types.js';
import type { ProxyControl } from '../proxy/proxy-control.js';
import type { FaultSpec } from '../scenario/index.js';

/** What a fault may act on: the target's proxy and, for process faults, its broker. */
export interface FaultContext {
  proxy: ProxyControl;
  broker: BrokerHandle;
  log: Logger;
}

/** A fault in force. revert() heals it and returns evidence of the healing. */
export interface ActiveFault {
  /** Evidence read back right after applying: proxy state, pids, connect probes. */
  evidence: Record<string, unknown>;
  revert(): Promise<Record<string, unknown>>;
}

/** One fault kind: apply at t, revert at t + d. */
export interface FaultKind<S extends FaultSpec = FaultSpec> {
  apply(spec: S, context: FaultContext): Promise<ActiveFault>;
}

export const NOTHING_TO_REVERT = async (): Promise<Record<string, unknown>> => ({});

import type { ToxicDirection } from '../proxy/proxy-control.js';
import type { FaultSpec } from '../scenario/index.js';
import type { ActiveFault, FaultContext, FaultKind } from './types.js';

type ToxicSpec = Extract<
  FaultSpec,
  { kind: 'latency' | 'bandwidth' | 'timeout' | 'reset_peer' | 'slicer' | 'limit_data' }
>;

/** Toxiproxy's attribute names for each toxic, from the scenario's unit-named fields. */
export function toxicAttributes(spec: ToxicSpec): Record<string, number> {
  switch (spec.kind) {
    case 'latency':
      return { latency: spec.latencyMs, jitter: spec.jitterMs };
    case 'bandwidth':
      return { rate: spec.rateKBps };
    case 'timeout':
    case 'reset_peer':
      return { timeout: spec.timeoutMs };
    case 'slicer':
      return {
        average_size: spec.averageSize,
        size_variation: spec.sizeVariation,
        delay: spec.delayUs,
      };
    case 'limit_data':
      return { bytes: spec.bytes };
  }
}

/** A toxic acts on one direction only, so `both` becomes two toxics. */
export function toxicStreams(direction: 'upstream' | 'downstream' | 'both'): ToxicDirection[] {
  return direction === 'both' ? ['upstream', 'downstream'] : [direction];
}

/** Every Toxiproxy toxic: added on apply, removed on revert, and read back both times. */
export const toxicFault: FaultKind<ToxicSpec> = {
  async apply(spec, { proxy }: FaultContext): Promise<ActiveFault> {
    const names: string[] = [];
    for (const stream of toxicStreams(spec.direction)) {
      const name = `${spec.kind}-${stream}-${Date.now()}`;
      await proxy.addToxic(name, spec.kind, stream, toxicAttributes(spec));
      names.push(name);
    }
    const state = await proxy.state();
    return {
      evidence: { proxyReadBack: { enabled: state.enabled, toxics: state.toxics } },
      async revert() {
        for (const name of names) await proxy.removeToxic(name);
        const after = await proxy.state();
        return { toxicsAfterRevert: after.toxics.length };
      },
    };
  },
};

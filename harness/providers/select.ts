import { MqbenchError } from '../core/errors.js';
import type { TargetSpec } from '../scenario/index.js';
import type { RuntimeStatus } from './docker/runtime.js';
import type { BrokerAddress } from './external.js';
import { parseBrokerUrl } from './external.js';

/** How a target's broker will be provided, decided before anything is started. */
export type ProviderPlan =
  | { kind: 'local' }
  | { kind: 'docker'; runtimeInfo: string }
  | { kind: 'external'; url: string; address: BrokerAddress };

/** What the choice depends on besides the target; passed in so the choice stays pure. */
export interface SelectionInput {
  /** The container runtime check; needed only when the target asks for docker. */
  runtime?: RuntimeStatus;
  /** The target's place in the scenario's list, for error messages naming the field. */
  targetIndex?: number;
}

/** Where the target's url sits in the scenario file, as precisely as we know it. */
export function urlField(target: TargetSpec, targetIndex?: number): string {
  return targetIndex === undefined ? `url of target ${target.name}` : `targets[${targetIndex}].url`;
}

/**
 * Chooses the provider the scenario names, or says why it cannot be used. Nothing falls back
 * silently: a target that asks for docker never runs on local processes instead, since the
 * report would then name other builds than the ones the scenario asked for.
 */
export function planProvider(target: TargetSpec, input: SelectionInput = {}): ProviderPlan {
  const field = urlField(target, input.targetIndex);
  if (target.provider !== 'external' && target.url !== undefined) {
    throw new MqbenchError(`${field} is set, but only provider: external takes a url`, {
      phase: 'scenario',
      target: target.name,
      hint: 'remove the url, or set provider: external to use a broker you run yourself',
    });
  }
  if (target.provider === 'local') return { kind: 'local' };
  if (target.provider === 'docker') return planDocker(target, input.runtime);
  if (target.url === undefined) {
    throw new MqbenchError(`${field} is missing: provider: external needs the broker's URL`, {
      phase: 'scenario',
      target: target.name,
      hint: 'add a url such as redis://127.0.0.1:6379, or use provider: local',
    });
  }
  return {
    kind: 'external',
    url: target.url,
    address: parseBrokerUrl(target.name, target.url, field),
  };
}

function planDocker(target: TargetSpec, runtime: RuntimeStatus | undefined): ProviderPlan {
  if (runtime === undefined) {
    // A caller bug, not a user error: the runtime must be checked before docker is chosen.
    throw new MqbenchError(`target ${target.name} asks for docker, but no runtime check ran`, {
      phase: 'provision',
      target: target.name,
    });
  }
  if (!runtime.available) {
    throw new MqbenchError(
      `target ${target.name} asks for provider: docker, but found ${runtime.reason}`,
      {
        phase: 'provision',
        target: target.name,
        hint: 'use provider: local for this target, or start a Docker engine and run again',
      },
    );
  }
  return { kind: 'docker', runtimeInfo: runtime.info };
}

import { MqbenchError } from '../core/errors.js';
import type { TargetSpec } from '../scenario/index.js';
import type { BrokerHandle, BrokerStartOptions, TargetName } from './types.js';

type Starter = (options: BrokerStartOptions) => Promise<BrokerHandle>;

const LOCAL: Record<TargetName, () => Promise<Starter>> = {
  redis: async () => (await import('./local/redis.js')).startLocalRedis,
  rabbitmq: async () => (await import('./local/rabbitmq.js')).startLocalRabbitMQ,
  kafka: async () => (await import('./local/kafka.js')).startLocalKafka,
};

/** Starts the target's broker with the provider the scenario names. */
export async function startBroker(
  target: TargetSpec,
  options: BrokerStartOptions,
): Promise<BrokerHandle> {
  if (target.provider === 'local') return (await LOCAL[target.name]())(options);
  throw new MqbenchError(`provider '${target.provider}' is not available in this build`, {
    phase: 'provision',
    target: target.name,
    hint: 'use provider: local',
  });
}

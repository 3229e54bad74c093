import type { TargetSpec } from '../scenario/index.js';
import { externalBroker } from './external.js';
import { planProvider } from './select.js';
import type { BrokerHandle, BrokerStartOptions, TargetName } from './types.js';

type Starter = (options: BrokerStartOptions) => Promise<BrokerHandle>;

// Imported when first used, so a run loads only the provider and brokers it needs; the docker
// modules pull in testcontainers and dockerode, which a local run never touches.
const LOCAL: Record<TargetName, () => Promise<Starter>> = {
  redis: async () => (await import('./local/redis.js')).startLocalRedis,
  rabbitmq: async () => (await import('./local/rabbitmq.js')).startLocalRabbitMQ,
  kafka: async () => (await import('./local/kafka.js')).startLocalKafka,
};

/**
 * Starts the target's broker with the provider the scenario names. The container runtime is
 * checked only for docker targets: without an engine the check fails in milliseconds, and the
 * error says to use provider: local instead.
 */
export async function startBroker(
  target: TargetSpec,
  options: BrokerStartOptions,
): Promise<BrokerHandle> {
  const runtime =
    target.provider === 'docker'
      ? await (await import('./docker/runtime.js')).detectContainerRuntime()
      : undefined;
  const plan = planProvider(target, { runtime });
  switch (plan.kind) {
    case 'local':
      return (await LOCAL[target.name]())(options);
    case 'docker':
      return (await import('./docker/docker.js')).startDockerBroker(target.name, options);
    case 'external':
      return externalBroker(target.name, plan.url);
  }
}

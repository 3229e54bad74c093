import fs from 'node:fs';
import { childLogger } from '../../core/log.js';
import type { BrokerHandle, BrokerStartOptions, Settings, TargetName } from '../types.js';
import { containerSpec, rabbitSettings } from './brokers.js';
import { DockerBroker } from './container.js';

/**
 * Starts the target's broker in a container from the pinned image, with the local provider's
 * settings for the profile. The client port is published on host 127.0.0.1:brokerPort, the
 * upstream of the harness's Toxiproxy, which runs on the host as for every provider; Kafka's
 * client listener advertises 127.0.0.1:proxyPort, so clients stay behind the proxy.
 */
export async function startDockerBroker(
  target: TargetName,
  options: BrokerStartOptions,
): Promise<BrokerHandle> {
  fs.mkdirSync(options.runDir, { recursive: true });
  const spec = containerSpec(target, options);
  const log = childLogger({ target, provider: 'docker' });
  log.info({ image: spec.image, brokerPort: options.brokerPort }, 'starting container');
  const startedAt = Date.now();
  const broker = await DockerBroker.create(spec, options.brokerPort, options.runDir);
  log.info({ startupMs: Date.now() - startedAt, container: broker.containerId }, 'started');

  const settings = target === 'rabbitmq' ? await readRabbitSettings(broker) : spec.settings;
  return {
    label: broker.label,
    target,
    provider: 'docker',
    version: spec.version,
    brokerPort: options.brokerPort,
    settings: { ...settings, container: broker.containerId.slice(0, 12) },
    process: broker,
    pids: () => broker.pids(),
    dispose: () => broker.dispose(),
  };
}

// The quorum queues' WAL sync method decides what a confirm means; read it from the node.
const WAL_SYNC_EVAL = 'maps:get(wal_sync_method, ra_system:fetch(quorum_queues)).';

async function readRabbitSettings(broker: DockerBroker): Promise<Settings> {
  const result = await broker
    .exec(['rabbitmqctl', '-q', 'eval', WAL_SYNC_EVAL])
    .catch(() => ({ exitCode: -1, stdout: '' }));
  const method = result.exitCode === 0 ? result.stdout.trim() : '';
  return rabbitSettings(/^\w+$/.test(method) ? method : 'unknown');
}

import crypto from 'node:crypto';
import { kafkaProperties, kafkaSettings } from '../local/kafka-config.js';
import { RABBIT_CONFIG } from '../local/rabbitmq-env.js';
import { redisSettings } from '../local/redis.js';
import type { BrokerStartOptions, Settings, TargetName } from '../types.js';
import { BROKER_IMAGES, imageVersion } from './images.js';

/** Everything needed to create one broker's container; pure data, so tests read it. */
export interface ContainerSpec {
  target: TargetName;
  image: string;
  version: string;
  /** The client port inside the container; published on host 127.0.0.1:brokerPort. */
  containerPort: number;
  entrypoint?: string[];
  command: string[];
  environment: Record<string, string>;
  files: { content: string; target: string }[];
  /** Fixed, so RabbitMQ's node name (and its data directory) survive a container restart. */
  hostname: string;
  /** The log line each start prints once the broker serves clients. */
  readyMarker: string;
  startupTimeoutMs: number;
  /** How long `docker stop` waits after SIGTERM before it sends SIGKILL. */
  stopGraceMs: number;
  settings: Settings;
}

export function containerSpec(target: TargetName, options: BrokerStartOptions): ContainerSpec {
  if (target === 'redis') return redisSpec(options);
  if (target === 'rabbitmq') return rabbitSpec();
  return kafkaSpec(options, kafkaClusterId());
}

/** The same arguments as the local provider, but on the container's own interface. */
export function redisSpec(options: BrokerStartOptions): ContainerSpec {
  const settings = redisSettings(options.profile);
  const command = ['redis-server', '--port', '6379', '--dir', '/data'];
  command.push('--appendonly', String(settings.appendonly));
  if (options.profile === 'safe') command.push('--appendfsync', 'always');
  // Docker's NAT makes host clients arrive from the bridge gateway, which protected mode
  // refuses. The port is published on host loopback only, so nothing else reaches it.
  command.push('--save', '', '--protected-mode', 'no');
  return {
    target: 'redis',
    image: BROKER_IMAGES.redis,
    version: imageVersion(BROKER_IMAGES.redis),
    containerPort: 6379,
    command,
    environment: {},
    files: [],
    hostname: 'mqbench-redis',
    readyMarker: 'Ready to accept connections',
    startupTimeoutMs: 60_000,
    stopGraceMs: 3000,
    settings: { ...settings, image: BROKER_IMAGES.redis },
  };
}

/** RabbitMQ reads conf.d files after the image's own defaults, so ours win. */
const RABBIT_CONF_PATH = '/etc/rabbitmq/conf.d/90-mqbench.conf';

export function rabbitConfig(): string {
  return [
    '# Written by mqbench for this container only.',
    `disk_free_limit.absolute = ${RABBIT_CONFIG.diskFreeLimit}`,
    `vm_memory_high_watermark.relative = ${RABBIT_CONFIG.vmMemoryHighWatermark}`,
    `heartbeat = ${RABBIT_CONFIG.heartbeatSec}`,
    // guest may log in only from loopback, and Docker's NAT hides the host's loopback
    // behind the bridge gateway. The port is published on host loopback only.
    'loopback_users.guest = false',
    '',
  ].join('\n');
}

export function rabbitSpec(): ContainerSpec {
  return {
    target: 'rabbitmq',
    image: BROKER_IMAGES.rabbitmq,
    version: imageVersion(BROKER_IMAGES.rabbitmq),
    containerPort: 5672,
    command: ['rabbitmq-server'],
    environment: {
      // Idle schedulers busy-wait by default, which eats the cores the clients need.
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '+sbwt none +sbwtdcpu none +sbwtdio none',
    },
    files: [{ content: rabbitConfig(), target: RABBIT_CONF_PATH }],
    hostname: 'mqbench-rabbitmq',
    readyMarker: 'Server startup complete',
    startupTimeoutMs: 120_000,
    stopGraceMs: 15_000,
    settings: rabbitSettings('not read yet'),
  };
}

export function rabbitSettings(walSyncMethod: string): Settings {
  return {
    node: 'rabbit@mqbench-rabbitmq',
    image: BROKER_IMAGES.rabbitmq,
    quorum_queue_fsync: `Raft WAL ${walSyncMethod} before the confirm`,
    classic_queue_fsync: 'message store fsync before confirming persistent messages',
    vm_memory_high_watermark: RABBIT_CONFIG.vmMemoryHighWatermark,
    disk_free_limit: RABBIT_CONFIG.diskFreeLimit,
    heartbeat_server_sec: RABBIT_CONFIG.heartbeatSec,
    plugins: "the image's defaults",
  };
}

const KAFKA_DIR = '/opt/mqbench';
const KAFKA_PROPERTIES = `${KAFKA_DIR}/server.properties`;
/** A VOLUME of the image, owned by its appuser; it lives as long as the container. */
const KAFKA_LOG_DIR = '/var/lib/kafka/data';
const KAFKA_PORTS = { client: 9092, internal: 19092, controller: 9093 };

/**
 * Kafka's cluster ids are 16 random bytes in unpadded base64url (22 characters). Like Kafka's
 * own generator, we draw again when one starts with '-', which the CLI would take for a flag.
 */
export function kafkaClusterId(): string {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * The local provider's properties, with one change: the client listener binds the
 * container's interface so Docker can forward to it. It still advertises the host proxy's
 * port, so clients that follow the advertised address stay behind the proxy.
 */
export function kafkaContainerProperties(proxyPort: number): Record<string, string> {
  const ports = { ...KAFKA_PORTS, advertised: proxyPort };
  return {
    ...kafkaProperties(KAFKA_LOG_DIR, ports),
    listeners: [
      `CLIENT://0.0.0.0:${ports.client}`,
      `INTERNAL://127.0.0.1:${ports.internal}`,
      `CONTROLLER://127.0.0.1:${ports.controller}`,
    ].join(','),
  };
}

/**
 * Formats the log dir only when it holds no meta.properties, like the local provider: a
 * second format would mint a new cluster id over the data a restart must find.
 */
export function kafkaStartScript(clusterId: string): string {
  const bin = '/opt/kafka/bin';
  return [
    'set -e',
    `if [ ! -f ${KAFKA_LOG_DIR}/meta.properties ]; then`,
    `  ${bin}/kafka-storage.sh format -t ${clusterId} -c ${KAFKA_PROPERTIES} --standalone`,
    'fi',
    // exec, so the JVM is the container's first process and receives docker's signals.
    `exec ${bin}/kafka-server-start.sh ${KAFKA_PROPERTIES}`,
  ].join('\n');
}

export function kafkaSpec(options: BrokerStartOptions, clusterId: string): ContainerSpec {
  const properties = kafkaContainerProperties(options.proxyPort);
  const content = Object.entries(properties)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  return {
    target: 'kafka',
    image: BROKER_IMAGES.kafka,
    version: imageVersion(BROKER_IMAGES.kafka),
    containerPort: KAFKA_PORTS.client,
    // The image's own entrypoint builds its config from KAFKA_* variables; ours is a file.
    entrypoint: ['/bin/sh', '-c'],
    command: [kafkaStartScript(clusterId)],
    environment: { KAFKA_HEAP_OPTS: '-Xms512m -Xmx512m' },
    files: [{ content: `${content}\n`, target: KAFKA_PROPERTIES }],
    hostname: 'mqbench-kafka',
    readyMarker: 'Kafka Server started',
    startupTimeoutMs: 120_000,
    stopGraceMs: 15_000,
    settings: { ...kafkaSettings(properties, options.profile), image: BROKER_IMAGES.kafka },
  };
}

import fs from 'node:fs';
import path from 'node:path';
import { childLogger } from '../../core/log.js';
import { canConnect, freePorts } from '../../core/ports.js';
import type { GroupProcess } from '../../core/process.js';
import { sleep } from '../../core/time.js';
import type { BrokerHandle, BrokerStartOptions } from '../types.js';
import {
  formatStorageOnce,
  javaBinary,
  kafkaLibsDir,
  kafkaProperties,
  kafkaSettings,
  kafkaVersion,
  log4j2Properties,
  previousPorts,
  writeProperties,
} from './kafka-config.js';
import type { KafkaFiles, KafkaPorts } from './kafka-config.js';
import { LocalProcess } from './local-process.js';

/** A cold start takes about 3 s on 2 cores; a restart replays the log first. */
const READY_TIMEOUT_MS = 60_000;
const READY_MARKER = 'Kafka Server started';
/** Heap pinned, and the GC flags of Kafka's own start script. */
const JVM_OPTIONS = [
  '-Xms512m',
  '-Xmx512m',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-Djava.awt.headless=true',
];

/**
 * Starts Kafka as one KRaft node (broker and controller in one JVM) with everything under
 * the run folder. Clients reach it only through the proxy: the client listener advertises
 * the proxy's port, while the inter-broker and controller listeners stay on direct ports.
 */
export async function startLocalKafka(options: BrokerStartOptions): Promise<BrokerHandle> {
  const files = kafkaFiles(options.runDir);
  const ports = await choosePorts(options, files.properties);
  const properties = kafkaProperties(files.logDir, ports);
  fs.mkdirSync(files.logDir, { recursive: true });
  writeProperties(files.properties, properties);
  fs.writeFileSync(files.log4j, log4j2Properties(files.serverLog));
  formatStorageOnce(files);

  const broker = new LocalProcess({
    target: 'kafka',
    runDir: options.runDir,
    command: files.java,
    args: [
      ...JVM_OPTIONS,
      `-Dlog4j2.configurationFile=${files.log4j}`,
      '-cp',
      path.join(files.libsDir, '*'),
      'kafka.Kafka',
      files.properties,
    ],
    waitReady: (proc) => waitForKafka(proc, files.serverLog, options.brokerPort),
    // A clean shutdown flushes and closes every segment; a few seconds on one node.
    stopGraceMs: 15_000,
  });
  const log = childLogger({ target: 'kafka', port: options.brokerPort });
  const startedAt = Date.now();
  log.info('starting');
  await broker.start();
  log.info({ startupMs: Date.now() - startedAt, pid: broker.pid() }, 'started');

  return {
    label: broker.label,
    target: 'kafka',
    provider: 'local',
    version: kafkaVersion(files.libsDir),
    brokerPort: options.brokerPort,
    settings: kafkaSettings(properties, options.profile),
    process: broker,
    pids: () => broker.pids(),
    dispose: () => broker.dispose(),
  };
}

function kafkaFiles(runDir: string): KafkaFiles {
  const libsDir = kafkaLibsDir();
  return {
    java: javaBinary(),
    libsDir,
    properties: path.join(runDir, 'kafka-server.properties'),
    log4j: path.join(runDir, 'kafka-log4j2.properties'),
    serverLog: path.join(runDir, 'kafka-server.log'),
    logDir: path.join(runDir, 'kafka-data'),
  };
}

/** The inter-broker and controller ports, distinct from the client and proxy ports. */
async function choosePorts(options: BrokerStartOptions, file: string): Promise<KafkaPorts> {
  const base = { client: options.brokerPort, advertised: options.proxyPort };
  const previous = previousPorts(file);
  if (previous) return { ...base, ...previous };
  const taken = new Set([options.brokerPort, options.proxyPort]);
  for (;;) {
    const [internal, controller] = await freePorts(2);
    if (internal === undefined || controller === undefined) continue;
    if (taken.has(internal) || taken.has(controller)) continue;
    return { ...base, internal, controller };
  }
}

/**
 * Ready when this process logged "Kafka Server started" and the client port accepts TCP.
 * A client library cannot check it: the broker advertises the proxy's port, which may not
 * exist yet, and a client follows the advertised address after its first request.
 */
async function waitForKafka(proc: GroupProcess, serverLog: string, port: number): Promise<void> {
  // The log is appended to across restarts; only lines written from here on count.
  const fromOffset = fileSize(serverLog);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exited()) throw new Error(`java exited with code ${String(proc.exitCode())}`);
    if (loggedStarted(serverLog, fromOffset, proc.pgid) && (await canConnect(port))) return;
    await sleep(200);
  }
  throw new Error(`no "${READY_MARKER}" from pid ${proc.pgid} within ${READY_TIMEOUT_MS} ms`);
}

function loggedStarted(serverLog: string, fromOffset: number, pid: number): boolean {
  const text = readFrom(serverLog, fromOffset);
  return text
    .split('\n')
    .some((line) => line.includes(`pid=${pid} `) && line.includes(READY_MARKER));
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function readFrom(file: string, offset: number): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const length = Math.max(0, fs.fstatSync(fd).size - offset);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, offset);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

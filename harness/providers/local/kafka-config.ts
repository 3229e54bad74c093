import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, INSTALL_HINT, whichSync } from '../../core/binaries.js';
import { MissingPrerequisiteError, MqbenchError } from '../../core/errors.js';
import type { Settings } from '../types.js';

export const KAFKA_DIST = 'kafka-4.1.1';
/** Kafka 4 is built for Java 17; older JVMs fail at class loading with an unhelpful trace. */
const MIN_JAVA_MAJOR = 17;

/** Where one local Kafka node keeps its binaries, config, data and logs. */
export interface KafkaFiles {
  java: string;
  libsDir: string;
  properties: string;
  log4j: string;
  /** The broker's own log (log4j2); stdout and stderr go to kafka.log beside it. */
  serverLog: string;
  logDir: string;
}

/** The ports of one local Kafka node; only `client` is reached through the proxy. */
export interface KafkaPorts {
  client: number;
  advertised: number;
  internal: number;
  controller: number;
}

/** The jar folder: $KAFKA_HOME/libs when set, else the install cache. */
export function kafkaLibsDir(): string {
  const home = process.env.KAFKA_HOME;
  const dir = home ? path.join(home, 'libs') : path.join(cacheDir(), KAFKA_DIST, 'libs');
  const jars = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  if (!jars.some((name) => /^kafka_2\.13-[\d.]+\.jar$/.test(name))) {
    throw new MissingPrerequisiteError(
      `the Kafka broker jars (kafka_2.13-*.jar in ${dir})`,
      INSTALL_HINT,
    );
  }
  // Without a logging binding the broker runs but writes nothing, so startup cannot be seen.
  if (!jars.some((name) => name.startsWith('log4j-core-'))) {
    throw new MissingPrerequisiteError(
      `the log4j2 binding (log4j-core-*.jar in ${dir})`,
      INSTALL_HINT,
    );
  }
  return dir;
}

/** The version from the broker jar's name, e.g. kafka_2.13-4.1.1.jar gives 4.1.1. */
export function kafkaVersion(libsDir: string): string {
  for (const name of fs.readdirSync(libsDir)) {
    const match = /^kafka_2\.13-([\d.]+)\.jar$/.exec(name);
    if (match?.[1]) return match[1];
  }
  return 'unknown';
}

/** The java binary ($JAVA_HOME first), checked to be Java 17 or newer. */
export function javaBinary(): string {
  const fromHome = process.env.JAVA_HOME && path.join(process.env.JAVA_HOME, 'bin', 'java');
  const binary = fromHome && fs.existsSync(fromHome) ? fromHome : whichSync('java');
  if (!binary) {
    throw new MissingPrerequisiteError(`java ${MIN_JAVA_MAJOR} or newer`, INSTALL_HINT);
  }
  // java -version prints its banner on stderr.
  const banner = spawnSync(binary, ['-version'], { encoding: 'utf8', timeout: 10_000 }).stderr;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(banner ?? '');
  const first = Number(match?.[1]);
  const major = first === 1 ? Number(match?.[2]) : first;
  if (Number.isFinite(major) && major < MIN_JAVA_MAJOR) {
    throw new MissingPrerequisiteError(
      `java ${MIN_JAVA_MAJOR} or newer (found ${major} at ${binary})`,
      INSTALL_HINT,
    );
  }
  return binary;
}

/** Broker properties for a single combined broker and controller node. */
export function kafkaProperties(logDir: string, ports: KafkaPorts): Record<string, string> {
  return {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.bootstrap.servers': `127.0.0.1:${ports.controller}`,
    listeners: [
      `CLIENT://127.0.0.1:${ports.client}`,
      `INTERNAL://127.0.0.1:${ports.internal}`,
      `CONTROLLER://127.0.0.1:${ports.controller}`,
    ].join(','),
    // Clients go wherever the broker advertises after their first metadata request, so the
    // client listener advertises the proxy; anything else routes around the faults.
    'advertised.listeners': [
      `CLIENT://127.0.0.1:${ports.advertised}`,
      `INTERNAL://127.0.0.1:${ports.internal}`,
    ].join(','),
    'listener.security.protocol.map': 'CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': logDir,
    'num.partitions': '1',
    // One node cannot meet the defaults of 3 replicas and 2 in sync.
    'offsets.topic.replication.factor': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'min.insync.replicas': '1',
    'group.initial.rebalance.delay.ms': '0',
    'auto.create.topics.enable': 'false',
    'unclean.leader.election.enable': 'false',
    // After kill -9 the restarted node is refused (DUPLICATE_BROKER_REGISTRATION) until its
    // old registration is fenced, a session timeout later: 9 s by default, 3 s here.
    'broker.heartbeat.interval.ms': '500',
    'broker.session.timeout.ms': '3000',
  };
}

/**
 * The inter-broker and controller ports of an earlier start in this run folder. Formatting
 * wrote the controller's address into the metadata log, so a second start keeps them.
 */
export function previousPorts(file: string): { internal: number; controller: number } | undefined {
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8');
  const internal = /INTERNAL:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1];
  const controller = /CONTROLLER:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1];
  if (!internal || !controller) return undefined;
  return { internal: Number(internal), controller: Number(controller) };
}

export function writeProperties(file: string, properties: Record<string, string>): void {
  const lines = Object.entries(properties).map(([key, value]) => `${key}=${value}`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

/**
 * log4j2 to one file of the run. The pid in every line tells restarts apart, since the
 * file is appended to across them. Request and client chatter stay at WARN.
 */
export function log4j2Properties(logFile: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = FILE',
    `appender.file.fileName = ${logFile}`,
    'appender.file.append = true',
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] pid=%pid %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = FILE',
    'logger.request.name = kafka.request.logger',
    'logger.request.level = WARN',
    'logger.clients.name = org.apache.kafka.clients',
    'logger.clients.level = WARN',
    '',
  ].join('\n');
}

/** The settings the report prints; the broker side is the same for both profiles. */
export function kafkaSettings(properties: Record<string, string>, profile: string): Settings {
  const keys = [
    'process.roles',
    'min.insync.replicas',
    'offsets.topic.replication.factor',
    'transaction.state.log.replication.factor',
    'transaction.state.log.min.isr',
    'group.initial.rebalance.delay.ms',
    'auto.create.topics.enable',
    'unclean.leader.election.enable',
    'broker.heartbeat.interval.ms',
    'broker.session.timeout.ms',
  ];
  const settings: Settings = Object.fromEntries(keys.map((k) => [k, properties[k] ?? '']));
  settings.profile = profile;
  settings['log.flush.interval.messages'] = '(default: never forced; OS page cache)';
  settings.flush =
    'OS page cache, no fsync per message: kill -9 keeps the page cache, a power loss does not';
  settings.heap = '-Xms512m -Xmx512m';
  return settings;
}

/**
 * Formats the log dir once. A second format would mint a new cluster id and orphan the data
 * of a restart, so an existing meta.properties is kept.
 */
export function formatStorageOnce(files: KafkaFiles): void {
  if (fs.existsSync(path.join(files.logDir, 'meta.properties'))) return;
  const jvm = ['-cp', path.join(files.libsDir, '*'), `-Dlog4j2.configurationFile=${files.log4j}`];
  const tool = (args: string[]) =>
    execFileSync(files.java, [...jvm, 'kafka.tools.StorageTool', ...args], {
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: 60_000,
    });
  try {
    const clusterId = tool(['random-uuid']).trim();
    // The voters come from controller.quorum.bootstrap.servers, which needs --standalone.
    tool(['format', '-t', clusterId, '-c', files.properties, '--standalone']);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new MqbenchError(`kafka storage format failed: ${stderr.trim() || String(error)}`, {
      phase: 'provision',
      target: 'kafka',
      cause: error,
    });
  }
}

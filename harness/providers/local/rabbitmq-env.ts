import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { INSTALL_HINT } from '../../core/binaries.js';
import { MissingPrerequisiteError } from '../../core/errors.js';
import { freePort } from '../../core/ports.js';

const RABBITMQ_LIB = '/usr/lib/rabbitmq/lib';

/** Where one local RabbitMQ node keeps everything, and the ports it owns. */
export interface RabbitLayout {
  runDir: string;
  sbinDir: string;
  nodeName: string;
  brokerPort: number;
  distPort: number;
  epmdPort: number;
  home: string;
  pidFile: string;
  configFile: string;
}

export interface RabbitInstall {
  sbinDir: string;
  version: string;
}

/**
 * The newest rabbitmq_server-* of Debian's package. We run its own sbin scripts, because
 * /usr/sbin/rabbitmq-server is a wrapper that switches to the rabbitmq user.
 */
export function findRabbitMQ(): RabbitInstall {
  const override = process.env.MQBENCH_RABBITMQ_SBIN;
  if (override && fs.existsSync(path.join(override, 'rabbitmq-server'))) {
    return { sbinDir: override, version: versionFromPath(override) };
  }
  const dirs = safeReaddir(RABBITMQ_LIB)
    .filter((name) => name.startsWith('rabbitmq_server-'))
    .filter((name) => fs.existsSync(path.join(RABBITMQ_LIB, name, 'sbin', 'rabbitmq-server')))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const newest = dirs.at(-1);
  if (!newest) {
    throw new MissingPrerequisiteError(
      `rabbitmq-server (Debian package rabbitmq-server, looked in ${RABBITMQ_LIB})`,
      INSTALL_HINT,
    );
  }
  const sbinDir = path.join(RABBITMQ_LIB, newest, 'sbin');
  return { sbinDir, version: versionFromPath(sbinDir) };
}

function versionFromPath(sbinDir: string): string {
  return /rabbitmq_server-([\d.]+)/.exec(sbinDir)?.[1] ?? 'unknown';
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** The settings we pin in the node's config, so the report states them, not defaults. */
export const RABBIT_CONFIG = {
  diskFreeLimit: '50MB',
  vmMemoryHighWatermark: 0.4,
  heartbeatSec: 10,
} as const;

/**
 * Writes config, plugin list, env file and Erlang cookie into the run folder. Each points a
 * RABBITMQ_* variable away from /etc/rabbitmq, so the system's node and files stay untouched.
 * The cookie is written before any Erlang process starts: the server and rabbitmqctl would
 * otherwise race to create it with different values.
 */
export function writeRabbitFiles(layout: RabbitLayout): void {
  for (const dir of [layout.home, mnesiaBase(layout), logBase(layout)]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  const cookie = path.join(layout.home, '.erlang.cookie');
  if (!fs.existsSync(cookie)) {
    const value = crypto.randomBytes(15).toString('hex').toUpperCase();
    fs.writeFileSync(cookie, value, { mode: 0o400 });
  }
  const config = [
    '# Written by mqbench for this run only.',
    `disk_free_limit.absolute = ${RABBIT_CONFIG.diskFreeLimit}`,
    `vm_memory_high_watermark.relative = ${RABBIT_CONFIG.vmMemoryHighWatermark}`,
    `heartbeat = ${RABBIT_CONFIG.heartbeatSec}`,
    'loopback_users.guest = true',
    '',
  ];
  fs.writeFileSync(layout.configFile, config.join('\n'));
  fs.writeFileSync(path.join(layout.runDir, 'rabbitmq-advanced.config'), '[].\n');
  fs.writeFileSync(path.join(layout.runDir, 'rabbitmq-enabled-plugins'), '[].\n');
  fs.writeFileSync(path.join(layout.runDir, 'rabbitmq-env.conf'), '# empty on purpose\n');
}

function mnesiaBase(layout: RabbitLayout): string {
  return path.join(layout.runDir, 'rabbitmq-mnesia');
}

function logBase(layout: RabbitLayout): string {
  return path.join(layout.runDir, 'rabbitmq-logs');
}

// Erlang binds distribution and epmd to every interface unless told otherwise.
const LOOPBACK_DIST = '-kernel inet_dist_use_interface {127,0,0,1}';

/**
 * The environment of the server and of rabbitmqctl. Inherited RABBITMQ_* and ERL_* variables
 * are dropped, so a user's shell settings cannot point the node at default ports or /etc.
 */
export function rabbitEnv(layout: RabbitLayout): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('RABBITMQ_') && !key.startsWith('ERL_')) env[key] = value;
  }
  const file = (name: string) => path.join(layout.runDir, name);
  return {
    ...env,
    HOME: layout.home,
    RABBITMQ_NODENAME: layout.nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(layout.brokerPort),
    RABBITMQ_DIST_PORT: String(layout.distPort),
    ERL_EPMD_PORT: String(layout.epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_MNESIA_BASE: mnesiaBase(layout),
    RABBITMQ_LOG_BASE: logBase(layout),
    RABBITMQ_PID_FILE: layout.pidFile,
    RABBITMQ_CONFIG_FILE: layout.configFile,
    RABBITMQ_ADVANCED_CONFIG_FILE: file('rabbitmq-advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: file('rabbitmq-enabled-plugins'),
    RABBITMQ_CONF_ENV_FILE: file('rabbitmq-env.conf'),
    // Idle schedulers busy-wait by default, which eats the 2 cores the clients need.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `+sbwt none +sbwtdcpu none +sbwtdio none ${LOOPBACK_DIST}`,
    RABBITMQ_CTL_ERL_ARGS: LOOPBACK_DIST,
  };
}

/**
 * Runs rabbitmqctl against the node. Each call gets a fresh free distribution port, since
 * the CLI's default range (35672-35682) belongs to whatever system node may be running.
 */
export async function runCtl(
  layout: RabbitLayout,
  args: string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  const ctlPort = String(await freePort());
  const env = {
    ...rabbitEnv(layout),
    RABBITMQ_CTL_DIST_PORT_MIN: ctlPort,
    RABBITMQ_CTL_DIST_PORT_MAX: ctlPort,
  };
  const command = path.join(layout.sbinDir, 'rabbitmqctl');
  return new Promise((resolve, reject) => {
    execFile(
      command,
      ['-n', layout.nodeName, ...args],
      { env, timeout: timeoutMs, killSignal: 'SIGKILL', signal, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`rabbitmqctl ${args[0]} failed: ${error.message} ${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * epmd outlives the node as a daemon of its own session, so the group kill misses it. We find
 * ours by the ERL_EPMD_PORT in its environment, which no other epmd shares.
 */
export function findEpmdPid(epmdPort: number): number | undefined {
  const marker = `ERL_EPMD_PORT=${epmdPort}`;
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm !== 'epmd') continue;
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(marker)) return Number(entry);
    } catch {
      // the process ended while we looked, or is not ours to read
    }
  }
  return undefined;
}

import fs from 'node:fs';
import path from 'node:path';
import { childLogger } from '../../core/log.js';
import { canConnect, freePorts } from '../../core/ports.js';
import type { GroupProcess } from '../../core/process.js';
import { isAlive } from '../../core/registry.js';
import { sleep, waitFor } from '../../core/time.js';
import type { BrokerHandle, BrokerStartOptions, ProcessControl, Settings } from '../types.js';
import { LocalProcess } from './local-process.js';
import type { RabbitLayout } from './rabbitmq-env.js';
import {
  findEpmdPid,
  findRabbitMQ,
  RABBIT_CONFIG,
  rabbitEnv,
  runCtl,
  writeRabbitFiles,
} from './rabbitmq-env.js';

const STARTUP_TIMEOUT_MS = 60_000;

/**
 * Starts Debian's RabbitMQ as a local node: its own node name, AMQP, distribution and epmd
 * ports on 127.0.0.1, and data, logs and config under the run folder. The settings that decide
 * durability are read back from the running node.
 */
export async function startLocalRabbitMQ(options: BrokerStartOptions): Promise<BrokerHandle> {
  const install = findRabbitMQ();
  const layout = await planLayout(options, install.sbinDir);
  writeRabbitFiles(layout);
  const broker = rabbitProcess(layout);
  const control = processControl(broker, layout);

  const log = childLogger({ target: 'rabbitmq', node: layout.nodeName });
  log.info({ brokerPort: layout.brokerPort }, 'starting RabbitMQ');
  const startedAt = performance.now();
  try {
    await control.start();
  } catch (error) {
    // dispose() also stops epmd, which a failed start leaves behind.
    await broker.dispose();
    throw error;
  }
  log.info({ startupMs: Math.round(performance.now() - startedAt) }, 'RabbitMQ started');

  const settings = await readSettings(layout).catch((error: unknown) => {
    log.warn({ err: error }, 'could not read the node settings; reporting the configured ones');
    return configuredSettings(layout, 'unknown');
  });
  return {
    label: broker.label,
    target: 'rabbitmq',
    provider: 'local',
    version: install.version,
    brokerPort: options.brokerPort,
    settings,
    process: control,
    pids: () => broker.pids(),
    dispose: () => broker.dispose(),
  };
}

async function planLayout(options: BrokerStartOptions, sbinDir: string): Promise<RabbitLayout> {
  const [distPort = 0, epmdPort = 0] = await freePorts(2);
  return {
    runDir: options.runDir,
    sbinDir,
    nodeName: `mqbench-${options.brokerPort}@localhost`,
    brokerPort: options.brokerPort,
    distPort,
    epmdPort,
    home: path.join(options.runDir, 'rabbitmq-home'),
    pidFile: path.join(options.runDir, 'rabbitmq-beam.pid'),
    configFile: path.join(options.runDir, 'rabbitmq.conf'),
  };
}

function rabbitProcess(layout: RabbitLayout): LocalProcess {
  const epmd = epmdTracker(layout.epmdPort);
  return new LocalProcess({
    target: 'rabbitmq',
    runDir: layout.runDir,
    command: path.join(layout.sbinDir, 'rabbitmq-server'),
    args: [],
    env: rabbitEnv(layout),
    waitReady: (proc) => waitForRabbit(layout, proc),
    realPid: () => readPidFile(layout.pidFile),
    extraPids: () => epmd.pids(),
    stopGraceMs: 15_000,
  });
}

/**
 * Removes the PID file before each start: `rabbitmqctl wait` would otherwise read the pid of
 * the node killed before, see it dead and give up at once.
 */
function processControl(broker: LocalProcess, layout: RabbitLayout): ProcessControl {
  return {
    pid: () => broker.pid(),
    kill9: () => broker.kill9(),
    start: async () => {
      fs.rmSync(layout.pidFile, { force: true });
      await broker.start();
    },
    stop: () => broker.stop(),
    pause: () => broker.pause(),
    resume: () => broker.resume(),
  };
}

/** `rabbitmqctl wait` follows the PID file until the app runs; then AMQP must accept. */
async function waitForRabbit(layout: RabbitLayout, proc: GroupProcess): Promise<void> {
  const abort = new AbortController();
  const watchExit = (async () => {
    while (!abort.signal.aborted) {
      if (proc.exited()) {
        abort.abort();
        throw new Error(`rabbitmq-server exited early with code ${String(proc.exitCode())}`);
      }
      await sleep(200);
    }
  })();
  const waitSec = String(Math.round(STARTUP_TIMEOUT_MS / 1000));
  const ctl = runCtl(
    layout,
    ['wait', layout.pidFile, '--timeout', waitSec],
    STARTUP_TIMEOUT_MS + 5000,
    abort.signal,
  );
  try {
    await Promise.race([ctl, watchExit]);
  } finally {
    abort.abort();
    await Promise.allSettled([ctl, watchExit]);
  }
  await waitFor(
    `AMQP on 127.0.0.1:${layout.brokerPort}`,
    async () => ((await canConnect(layout.brokerPort)) ? true : undefined),
    10_000,
  );
}

function readPidFile(pidFile: string): number {
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new Error(`${pidFile} holds no pid (read ${JSON.stringify(pid)})`);
  }
  return pid;
}

/** Remembers our epmd once seen, and looks again if it went away (it normally never does). */
function epmdTracker(epmdPort: number): { pids(): number[] } {
  let pid: number | undefined;
  return {
    pids: () => {
      if (pid === undefined || !isAlive(pid)) pid = findEpmdPid(epmdPort);
      return pid === undefined ? [] : [pid];
    },
  };
}

// One eval instead of several CLI calls: each CLI call boots an Erlang VM of its own.
const SETTINGS_EVAL = [
  'QQ = ra_system:fetch(quorum_queues),',
  'E = fun(K) -> application:get_env(rabbit, K, undefined) end,',
  'io:format("wal_sync_method=~p~nvm_memory_high_watermark=~p~n',
  'disk_free_limit=~p~nheartbeat=~p~n",',
  '[maps:get(wal_sync_method, QQ), E(vm_memory_high_watermark),',
  'E(disk_free_limit), E(heartbeat)]), ok.',
].join(' ');

async function readSettings(layout: RabbitLayout): Promise<Settings> {
  const out = await runCtl(layout, ['-q', 'eval', SETTINGS_EVAL], 15_000);
  const values = new Map<string, string>();
  for (const line of out.split('\n')) {
    const match = /^(\w+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) values.set(match[1], match[2].replace(/"/g, ''));
  }
  const settings = configuredSettings(layout, values.get('wal_sync_method') ?? 'unknown');
  return {
    ...settings,
    vm_memory_high_watermark: values.get('vm_memory_high_watermark') ?? 'unknown',
    disk_free_limit: values.get('disk_free_limit') ?? 'unknown',
    heartbeat_server_sec: values.get('heartbeat') ?? 'unknown',
  };
}

function configuredSettings(layout: RabbitLayout, walSyncMethod: string): Settings {
  return {
    node: layout.nodeName,
    quorum_queue_fsync: `Raft WAL ${walSyncMethod} before the confirm`,
    classic_queue_fsync: 'message store fsync before confirming persistent messages',
    vm_memory_high_watermark: RABBIT_CONFIG.vmMemoryHighWatermark,
    disk_free_limit: RABBIT_CONFIG.diskFreeLimit,
    heartbeat_server_sec: RABBIT_CONFIG.heartbeatSec,
    plugins: 'none',
  };
}

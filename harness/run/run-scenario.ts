import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { childLogger } from '../core/log.js';
import { ToxiproxyServer } from '../proxy/toxiproxy-server.js';
import type { RunResult, TargetResult } from '../report/result.js';
import { SCHEMA_VERSION } from '../report/result.js';
import type { Scenario } from '../scenario/index.js';
import { buildTargetResult, failedTargetResult } from './target-result.js';
import { runTarget, targetRunDir } from './target-run.js';

export const MQBENCH_VERSION = '0.1.0';

const NOT_RUN = 'not run: the run was interrupted before this target started';

export interface RunOptions {
  scenario: Scenario;
  scenarioFile: string;
  /** The run's folder: result.json, report.md, and a folder of data and logs per target. */
  outDir: string;
  seed: number;
  signal: AbortSignal;
}

/**
 * Runs the targets one after another, so they never compete for the cores, each behind
 * its own proxy on one shared Toxiproxy server. A target whose set-up fails gets an
 * `unknown` verdict with the error; the others still run.
 */
export async function runScenario(options: RunOptions): Promise<RunResult> {
  const { scenario } = options;
  const runId = `${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
  const log = childLogger({ run: runId, scenario: scenario.name });
  const startedAt = new Date().toISOString();
  fs.mkdirSync(options.outDir, { recursive: true });
  const toxiproxy = await ToxiproxyServer.start(options.outDir);
  const targets: TargetResult[] = [];
  try {
    for (const target of scenario.targets) {
      if (options.signal.aborted) {
        targets.push(failedTargetResult(scenario, target, new Error(NOT_RUN)));
        continue;
      }
      targets.push(await runOneTarget(options, runId, toxiproxy, target, log));
    }
  } finally {
    await toxiproxy.dispose();
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'mqbench', version: MQBENCH_VERSION },
    runId,
    scenario: {
      name: scenario.name,
      file: options.scenarioFile,
      description: scenario.description ?? '',
    },
    seed: options.seed,
    interrupted: options.signal.aborted,
    startedAt,
    finishedAt: new Date().toISOString(),
    host: {
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    },
    workload: { ...scenario.workload },
    targets,
  };
}

async function runOneTarget(
  options: RunOptions,
  runId: string,
  toxiproxy: ToxiproxyServer,
  target: Scenario['targets'][number],
  parentLog: ReturnType<typeof childLogger>,
): Promise<TargetResult> {
  const log = parentLog.child({ target: target.name });
  const startedAt = new Date().toISOString();
  log.info('target starting');
  try {
    const out = await runTarget({
      scenario: options.scenario,
      target,
      runId,
      seed: options.seed,
      runDir: targetRunDir(options.outDir, target.name),
      toxiproxy,
      signal: options.signal,
      log,
    });
    try {
      return await buildTargetResult(options.scenario, target, out, startedAt);
    } finally {
      await out.broker.dispose();
    }
  } catch (error) {
    log.error({ err: error }, 'target failed');
    return failedTargetResult(options.scenario, target, error);
  } finally {
    log.info('target finished');
  }
}

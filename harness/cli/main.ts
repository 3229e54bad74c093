import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { MqbenchError, errorMessage } from '../core/errors.js';
import { registry, onStopSignal } from '../core/registry.js';
import { randomSeed } from '../core/rng.js';
import { installAll } from '../install/install.js';
import { readResult, reportDirName, writeReport } from '../report/write.js';
import type { RunResult } from '../report/result.js';
import { loadScenario, TARGET_NAMES } from '../scenario/index.js';
import type { Scenario } from '../scenario/index.js';
import { runScenario } from '../run/run-scenario.js';
import { summaryTable } from './summary.js';

/**
 * 0: every verdict ok; 1: a verdict failed or is unknown; 2: bad input or set-up error;
 * 130: interrupted (SIGINT), after a partial report.
 */
export const EXIT = { ok: 0, verdictFailed: 1, badInput: 2, interrupted: 130 } as const;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function runCommand(argv: {
  scenario: string;
  targets?: string;
  out?: string;
  seed?: string;
}) {
  const seedArg = argv.seed === undefined ? undefined : Number(argv.seed);
  if (
    seedArg !== undefined &&
    !(Number.isSafeInteger(seedArg) && /^-?\d+$/.test(argv.seed ?? ''))
  ) {
    throw new MqbenchError(`--seed: expected an integer, got '${argv.seed}'`, {
      phase: 'scenario',
    });
  }
  const scenario = selectTargets(await loadScenario(argv.scenario), argv.targets, argv.scenario);
  const seed = seedArg ?? scenario.seed ?? randomSeed();
  const outDir = path.resolve(
    argv.out ?? path.join(REPO_ROOT, 'reports', reportDirName(scenario.name, new Date())),
  );
  process.stderr.write(`mqbench: scenario ${scenario.name}, seed ${seed}, output ${outDir}\n`);
  const controller = new AbortController();
  const unsubscribe = onStopSignal(() => controller.abort());
  let result: RunResult;
  try {
    result = await runScenario({
      scenario,
      scenarioFile: argv.scenario,
      outDir,
      seed,
      signal: controller.signal,
    });
  } finally {
    unsubscribe();
    await registry.disposeAll();
  }
  const { markdownPath, jsonPath } = await writeReport(result, outDir);
  process.stdout.write(`${summaryTable(result)}\nreport: ${markdownPath}\njson:   ${jsonPath}\n`);
  if (controller.signal.aborted) {
    process.stderr.write('mqbench: interrupted; the report is partial\n');
    return EXIT.interrupted;
  }
  return exitCodeOf(result);
}

export function exitCodeOf(result: RunResult): number {
  if (result.targets.some((t) => t.error !== null)) return EXIT.badInput;
  if (result.targets.every((t) => t.verdict.status === 'ok')) return EXIT.ok;
  return EXIT.verdictFailed;
}

/** Keeps the scenario's targets named by --targets, in the scenario's order. */
export function selectTargets(
  scenario: Scenario,
  targets: string | undefined,
  file: string,
): Scenario {
  if (targets === undefined) return scenario;
  const wanted = targets
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (wanted.length === 0) {
    throw new MqbenchError('--targets: name at least one target, e.g. --targets redis', {
      phase: 'scenario',
    });
  }
  for (const name of wanted) {
    if (!(TARGET_NAMES as readonly string[]).includes(name)) {
      throw new MqbenchError(
        `--targets: unknown target '${name}'; expected one of ${TARGET_NAMES.join(', ')}`,
        { phase: 'scenario' },
      );
    }
    if (!scenario.targets.some((t) => t.name === name)) {
      throw new MqbenchError(`--targets: ${file} has no target '${name}'`, { phase: 'scenario' });
    }
  }
  return { ...scenario, targets: scenario.targets.filter((t) => wanted.includes(t.name)) };
}

async function validateCommand(argv: { scenario: string }) {
  const scenario = await loadScenario(argv.scenario);
  const targets = scenario.targets.map((t) => t.name).join(', ');
  process.stdout.write(
    `${argv.scenario}: ok (${targets}; ${scenario.workload.ratePerSec} msg/s for ` +
      `${scenario.workload.durationSec} s; ${plural(scenario.faults.length, 'fault')})\n`,
  );
  return EXIT.ok;
}

/** Renders report.md and the charts again from a result.json, beside it. */
async function reportCommand(argv: { result: string }) {
  const result = await readResult(argv.result);
  const { markdownPath } = await writeReport(result, path.dirname(path.resolve(argv.result)));
  process.stdout.write(`${summaryTable(result)}\nreport: ${markdownPath}\n`);
  return EXIT.ok;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function installCommand() {
  const steps = installAll((line) => process.stderr.write(`mqbench install: ${line}\n`));
  for (const step of steps)
    process.stdout.write(`${step.name.padEnd(14)} ${step.status.padEnd(9)} ${step.detail}\n`);
  return EXIT.ok;
}

/** Arguments yargs refused: printed with the usage, exit 2, and no command runs. */
export class UsageError extends Error {}

export function buildCli(argv: string[], onExit: (code: number) => void) {
  const done = (promise: Promise<number> | number) =>
    Promise.resolve(promise).then(onExit, (error: unknown) => {
      process.stderr.write(`${describe(error)}\n`);
      onExit(EXIT.badInput);
    });
  return yargs(argv)
    .scriptName('mqbench')
    .usage(
      '$0 <command>\n\nBenchmark and chaos-test harness for Redis Streams, RabbitMQ and Kafka.',
    )
    .command(
      'run <scenario>',
      'run a scenario on real brokers and write a report',
      (y) =>
        y
          .positional('scenario', {
            type: 'string',
            demandOption: true,
            describe: 'scenario YAML file',
          })
          .option('targets', {
            type: 'string',
            describe: 'comma-separated subset of the targets, e.g. redis,kafka',
          })
          .option('out', {
            type: 'string',
            describe: 'output folder [reports/<timestamp>-<scenario>]',
          })
          .option('seed', {
            // A string, so that `--seed abc` reaches our check instead of becoming NaN.
            type: 'string',
            describe: 'seed for everything random [scenario seed, else random]',
          })
          .epilogue(
            'Exit codes: 0 every verdict ok, 1 a verdict failed or unknown, ' +
              '2 bad input or a set-up error, 130 interrupted (after a partial report).',
          ),
      (a) => done(runCommand(a)),
    )
    .command(
      'validate <scenario>',
      'check a scenario file against the schema',
      (y) =>
        y.positional('scenario', {
          type: 'string',
          demandOption: true,
          describe: 'scenario YAML file',
        }),
      (a) => done(validateCommand(a)),
    )
    .command(
      'report <result>',
      'render report.md and the charts again from a result.json',
      (y) =>
        y.positional('result', {
          type: 'string',
          demandOption: true,
          describe: 'a result.json written by mqbench run',
        }),
      (a) => done(reportCommand(a)),
    )
    .command(
      'install',
      'fetch what is missing: apt packages (as root), Kafka jars, Toxiproxy',
      (y) => y,
      () => done(installCommandSafe()),
    )
    .demandCommand(1, 'name a command: run, validate, report or install')
    .strict()
    .fail((message, error, y) => {
      if (error) throw error;
      // Throwing stops yargs before any command runs on arguments it refused.
      y.showHelp((help: string) => process.stderr.write(`${help}\n\n`));
      throw new UsageError(message);
    })
    .help();
}

function installCommandSafe(): Promise<number> {
  return new Promise((resolve, reject) => {
    try {
      resolve(installCommand());
    } catch (error) {
      reject(error);
    }
  });
}

function describe(error: unknown): string {
  if (error instanceof MqbenchError) return error.describe();
  if (error instanceof UsageError) return `mqbench: ${error.message}`;
  return `mqbench: ${errorMessage(error)}`;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const setExit = (code: number) => {
    process.exitCode = code;
  };
  try {
    // yargs throws refused arguments synchronously from parseAsync, hence try, not catch().
    await buildCli(hideBin(process.argv), setExit).parseAsync();
  } catch (error) {
    process.stderr.write(`${describe(error)}\n`);
    setExit(EXIT.badInput);
  }
  // The command is done and every broker stopped; a client library's reconnect timer must
  // not keep the process alive after it.
  process.exit(process.exitCode ?? 0);
}

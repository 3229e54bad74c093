import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../core/registry.js';
import { sleep, waitFor } from '../core/time.js';
import { pidFiles, processesMentioning } from '../testing/run-yaml.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'harness', 'cli', 'main.ts');

const SCENARIO = `
name: leftovers
targets: [redis]
workload: { ratePerSec: 50, durationSec: 8, warmupSec: 1 }
faults:
  - { kind: latency, atSec: 2, forSec: 2, latencyMs: 20 }
`;

interface Cli {
  exited: Promise<number | null>;
  stderr: () => string;
  kill: (signal: NodeJS.Signals) => void;
}

/** Runs the CLI as a user would, as one node process, so signals reach mqbench itself. */
function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...env, MQBENCH_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { exited, stderr: () => stderr, kill: (s) => child.kill(s) };
}

function tempScenario(text = SCENARIO): { file: string; outDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqbench-cli-'));
  const file = path.join(dir, 'leftovers.yaml');
  fs.writeFileSync(file, text);
  return { file, outDir: path.join(dir, 'out') };
}

/** Pids from the run's pid files that still live, and any process naming the run folder. */
function livePids(outDir: string): number[] {
  const fromFiles = pidFiles(outDir)
    .map((p) => p.pid)
    .filter(isAlive);
  return [...new Set([...fromFiles, ...processesMentioning(outDir)])];
}

describe('no process is left behind', () => {
  it('after a normal run', async () => {
    const { file, outDir } = tempScenario();
    const cli = startCli(['run', file, '--out', outDir]);
    expect(await cli.exited).toBe(0);
    const pids = pidFiles(outDir);
    expect(pids.map((p) => path.basename(p.file)).sort()).toEqual(['redis.pid', 'toxiproxy.pid']);
    expect(livePids(outDir)).toEqual([]);
    expect(fs.existsSync(path.join(outDir, 'report.md'))).toBe(true);
  });

  it('after SIGINT in the middle of a run', async () => {
    const { file, outDir } = tempScenario();
    const cli = startCli(['run', file, '--out', outDir]);
    const redisPidFile = path.join(outDir, 'redis', 'redis.pid');
    await waitFor(
      'the broker to start',
      async () => fs.existsSync(redisPidFile) || undefined,
      20_000,
    );
    await sleep(2000);
    const running = pidFiles(outDir).filter((p) => isAlive(p.pid));
    expect(running.map((p) => path.basename(p.file)).sort()).toEqual([
      'redis.pid',
      'toxiproxy.pid',
    ]);
    cli.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(livePids(outDir)).toEqual([]);

    // The run wound down and still wrote a report: the verdict cannot be ok.
    const result = JSON.parse(fs.readFileSync(path.join(outDir, 'result.json'), 'utf8')) as {
      targets: { verdict: { status: string; drained: boolean } }[];
    };
    expect(result.targets[0]?.verdict.status).toBe('unknown');
    expect(result.targets[0]?.verdict.drained).toBe(false);
    expect(fs.existsSync(path.join(outDir, 'report.md'))).toBe(true);
  });

  it('after a failed set-up: a missing broker binary, with the command to run', async () => {
    const { file, outDir } = tempScenario();
    // PATH without the folders holding redis-server.
    const cli = startCli(['run', file, '--out', outDir], { ...process.env, PATH: '/nonexistent' });
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(/redis-server/);
    expect(cli.stderr()).toMatch(/mqbench install/);
    expect(pidFiles(outDir).length).toBeGreaterThan(0);
    expect(livePids(outDir)).toEqual([]);
  });

  it('after SIGINT while RabbitMQ runs, epmd included', async () => {
    const { file, outDir } = tempScenario(SCENARIO.replace('[redis]', '[rabbitmq]'));
    const cli = startCli(['run', file, '--out', outDir]);
    const pidFile = path.join(outDir, 'rabbitmq', 'rabbitmq.pid');
    await waitFor('RabbitMQ to start', async () => fs.existsSync(pidFile) || undefined, 60_000);
    await sleep(3000);
    // beam.smp, epmd and Toxiproxy at least, all carrying the run folder.
    expect(processesMentioning(outDir).length).toBeGreaterThanOrEqual(3);
    cli.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(livePids(outDir)).toEqual([]);
  });
});

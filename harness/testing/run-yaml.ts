import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registry } from '../core/registry.js';
import type { RunResult, SecondSample, TargetResult } from '../report/result.js';
import { runScenario } from '../run/run-scenario.js';
import { parseScenario } from '../scenario/index.js';

/** Runs a scenario written inline, in this process, against real brokers. For tests. */
export async function runYaml(
  yamlText: string,
  seed = 7,
): Promise<{ result: RunResult; outDir: string }> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqbench-test-'));
  const scenario = parseScenario(yamlText, 'inline.yaml');
  try {
    const result = await runScenario({
      scenario,
      scenarioFile: 'inline.yaml',
      outDir,
      seed,
      signal: new AbortController().signal,
    });
    return { result, outDir };
  } finally {
    await registry.disposeAll();
  }
}

export function onlyTarget(result: RunResult): TargetResult {
  const target = result.targets[0];
  if (!target) throw new Error('the run has no target');
  if (target.error) throw new Error(`the target failed to run: ${target.error}`);
  return target;
}

/** Acked messages summed over [fromSec, toSec). */
export function ackedBetween(series: SecondSample[], fromSec: number, toSec: number): number {
  return series.slice(fromSec, toSec).reduce((sum, s) => sum + s.acked, 0);
}

/** Pids written into a run folder (`*.pid`), at any depth. */
export function pidFiles(dir: string): { file: string; pid: number }[] {
  const found: { file: string; pid: number }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.pid')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) found.push({ file, pid });
  }
  return found;
}

/**
 * Live processes whose command line or environment names `dir`: every broker, epmd and
 * proxy a run started carries its run folder in one or the other.
 */
export function processesMentioning(dir: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && (cmdline.includes(dir) || environ.includes(dir))) found.push(pid);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

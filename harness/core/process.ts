import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { isAlive, killQuietly } from './registry.js';
import { sleep } from './time.js';

export interface SpawnSpec {
  label: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
}

/** A child started in a process group of its own, so one signal reaches all it forks. */
export interface GroupProcess {
  readonly child: ChildProcess;
  readonly pgid: number;
  exited(): boolean;
  exitCode(): number | null;
  waitExit(timeoutMs: number): Promise<boolean>;
}

export function spawnGroup(spec: SpawnSpec): GroupProcess {
  const out = fs.openSync(spec.logFile, 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  if (child.pid === undefined) {
    throw new Error(`could not start ${spec.command}: no pid (is it installed and executable?)`);
  }
  let exited = false;
  let code: number | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (c) => {
      exited = true;
      code = c;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  return {
    child,
    pgid: child.pid,
    exited: () => exited,
    exitCode: () => code,
    waitExit: async (timeoutMs) => {
      await Promise.race([exitPromise, sleep(timeoutMs)]);
      return exited;
    },
  };
}

/** SIGTERM to the group, then SIGKILL after graceMs if anything of it is still alive. */
export async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  if (!killQuietly(-pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return;
    await sleep(50);
  }
  killQuietly(-pgid, 'SIGKILL');
  await sleep(50);
}

export function groupAlive(pgid: number): boolean {
  return isAlive(-pgid);
}

export function readTail(file: string, bytes = 2000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

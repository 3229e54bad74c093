import fs from 'node:fs';
import path from 'node:path';
import { MqbenchError } from '../../core/errors.js';
import type { GroupProcess } from '../../core/process.js';
import { readTail, spawnGroup, stopGroup } from '../../core/process.js';
import { isAlive, killQuietly, registry } from '../../core/registry.js';
import type { Disposable } from '../../core/registry.js';
import { sleep } from '../../core/time.js';
import type { TargetName } from '../types.js';

/** How to launch one broker and how to tell that it is ready. */
export interface LaunchSpec {
  target: TargetName;
  runDir: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Resolves when the broker serves clients; throws or times out otherwise. */
  waitReady: (proc: GroupProcess) => Promise<void>;
  /** The broker's real pid, when it is not the spawned process (RabbitMQ's beam.smp). */
  realPid?: (proc: GroupProcess) => number;
  /** Extra pids to kill at the end (epmd). */
  extraPids?: () => number[];
  gracefulStop?: (proc: GroupProcess) => Promise<void>;
  stopGraceMs: number;
}

/**
 * A broker run as a local child process in a group of its own. It writes the real pid to
 * `<target>.pid` in the run folder and registers itself, so every exit path stops it.
 */
export class LocalProcess implements Disposable {
  readonly label: string;
  private proc: GroupProcess | undefined;
  private realPid = 0;
  private readonly logFile: string;

  constructor(private readonly spec: LaunchSpec) {
    this.label = `${spec.target} broker`;
    this.logFile = path.join(spec.runDir, `${spec.target}.log`);
  }

  pid(): number {
    return this.realPid;
  }

  async start(): Promise<void> {
    registry.add(this);
    const proc = spawnGroup({
      label: this.label,
      command: this.spec.command,
      args: this.spec.args,
      env: this.spec.env,
      cwd: this.spec.runDir,
      logFile: this.logFile,
    });
    this.proc = proc;
    try {
      await this.spec.waitReady(proc);
    } catch (error) {
      await this.stopGroupNow();
      throw new MqbenchError(`${this.spec.target} did not become ready: ${String(error)}`, {
        phase: 'provision',
        target: this.spec.target,
        cause: error,
        hint: `last log lines of ${this.logFile}:\n${readTail(this.logFile, 800)}`,
      });
    }
    this.realPid = this.spec.realPid ? this.spec.realPid(proc) : proc.pgid;
    fs.writeFileSync(path.join(this.spec.runDir, `${this.spec.target}.pid`), `${this.realPid}\n`);
  }

  async kill9(): Promise<void> {
    killQuietly(this.realPid, 'SIGKILL');
    await this.stopGroupNow(0);
  }

  async stop(): Promise<void> {
    if (this.proc && this.spec.gracefulStop) {
      await this.spec.gracefulStop(this.proc).catch(() => undefined);
    }
    await this.stopGroupNow(this.spec.stopGraceMs);
  }

  pause(): void {
    killQuietly(this.realPid, 'SIGSTOP');
  }

  resume(): void {
    killQuietly(this.realPid, 'SIGCONT');
  }

  pids(): number[] {
    const pids = this.proc ? [-this.proc.pgid] : [];
    if (this.realPid) pids.push(this.realPid);
    return [...pids, ...(this.spec.extraPids?.() ?? [])];
  }

  async dispose(): Promise<void> {
    if (this.realPid) killQuietly(this.realPid, 'SIGCONT');
    await this.stop();
    for (const pid of this.spec.extraPids?.() ?? []) killQuietly(pid, 'SIGKILL');
    registry.remove(this);
  }

  private async stopGroupNow(graceMs = 2000): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    await stopGroup(proc.pgid, graceMs);
    if (this.realPid && isAlive(this.realPid)) {
      killQuietly(this.realPid, 'SIGKILL');
      await sleep(50);
    }
    await proc.waitExit(2000);
  }
}

import { rootLogger } from './log.js';

/** Something live that the registry must stop on every exit path. */
export interface Disposable {
  readonly label: string;
  dispose(): Promise<void>;
  /** Process groups and pids to SIGKILL synchronously if the process exits first. */
  pids(): number[];
}

/**
 * The one process-wide registry of live brokers and proxies. It disposes every handle on a
 * normal end, on error, and on SIGINT/SIGTERM; the `exit` handler kills what is still
 * registered synchronously, because no async work runs once Node is exiting.
 */
class Registry {
  private readonly live = new Set<Disposable>();
  private installed = false;
  private disposing: Promise<void> | undefined;

  add(item: Disposable): void {
    this.install();
    this.live.add(item);
  }

  remove(item: Disposable): void {
    this.live.delete(item);
  }

  size(): number {
    return this.live.size;
  }

  /** Disposes the newest first, since later handles (clients, proxies) lean on earlier ones. */
  async disposeAll(): Promise<void> {
    this.disposing ??= this.runDisposeAll().finally(() => (this.disposing = undefined));
    return this.disposing;
  }

  killAllSync(): void {
    for (const item of this.live) {
      for (const pid of item.pids()) killQuietly(pid, 'SIGKILL');
    }
  }

  private async runDisposeAll(): Promise<void> {
    const items = [...this.live].reverse();
    for (const item of items) {
      try {
        await item.dispose();
      } catch (error) {
        rootLogger.warn({ err: error, label: item.label }, 'dispose failed; killing');
        for (const pid of item.pids()) killQuietly(pid, 'SIGKILL');
      }
      this.live.delete(item);
    }
  }

  private install(): void {
    if (this.installed) return;
    this.installed = true;
    process.once('exit', () => this.killAllSync());
    // A bug that escapes every handler must not leave brokers running behind it.
    for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
      process.on(event, (error: unknown) => {
        rootLogger.fatal({ err: error, event }, 'mqbench crashed; stopping every broker');
        this.killAllSync();
        // Under vitest the runner reports the error itself; exiting would hide it.
        if (!process.env.VITEST) process.exit(2);
      });
    }
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void this.onSignal(signal));
    }
  }

  /**
   * With a run listening, the first signal asks it to wind down (heal, stop, write a
   * partial report) within WIND_DOWN_MS; without one, or on a second signal, everything is
   * disposed at once. Either way a hard timer kills what is left.
   */
  private async onSignal(signal: NodeJS.Signals): Promise<void> {
    const code = signal === 'SIGINT' ? 130 : 143;
    const hardStop = setTimeout(() => this.exitNow(code), WIND_DOWN_MS);
    hardStop.unref();
    if (signalListeners.size > 0) {
      rootLogger.warn({ signal }, 'stopping: winding the run down (signal again to stop now)');
      process.once(signal, () => void this.stopNow(signal, code));
      signalListeners.forEach((listener) => listener(signal));
      return;
    }
    await this.stopNow(signal, code);
  }

  private async stopNow(signal: NodeJS.Signals, code: number): Promise<void> {
    rootLogger.warn({ signal }, 'stopping: disposing every broker and proxy');
    await this.disposeAll().catch(() => this.killAllSync());
    process.exit(code);
  }

  private exitNow(code: number): void {
    this.killAllSync();
    process.exit(code);
  }
}

/** How long a run may take to wind down after a signal before everything is killed. */
const WIND_DOWN_MS = 30_000;

const signalListeners = new Set<(signal: NodeJS.Signals) => void>();

/** Lets a running scenario abort its AbortController when a signal arrives. */
export function onStopSignal(listener: (signal: NodeJS.Signals) => void): () => void {
  signalListeners.add(listener);
  return () => signalListeners.delete(listener);
}

/** Negative pids address a whole process group. */
export function killQuietly(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const registry = new Registry();

import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { GenericContainer, getContainerRuntimeClient, Wait } from 'testcontainers';
import type { ContainerRuntimeClient, ExecResult, StartedTestContainer } from 'testcontainers';
import { MqbenchError } from '../../core/errors.js';
import { childLogger } from '../../core/log.js';
import type { Logger } from '../../core/log.js';
import { canConnect } from '../../core/ports.js';
import { readTail } from '../../core/process.js';
import { registry } from '../../core/registry.js';
import type { Disposable } from '../../core/registry.js';
import { waitFor } from '../../core/time.js';
import type { ProcessControl } from '../types.js';
import type { ContainerSpec } from './brokers.js';
import { waitForLine } from './log-lines.js';

type DockerodeContainer = ReturnType<ContainerRuntimeClient['container']['getById']>;

/**
 * testcontainers publishes a fixed host port on every interface (it sets no HostIp). A broker
 * here lets guest in and runs Redis without protected mode, so it must be reachable from this
 * machine only: every binding is narrowed to 127.0.0.1 just before the container is created.
 */
export class LoopbackContainer extends GenericContainer {
  protected override async beforeContainerCreated(): Promise<void> {
    const bindings = (this.hostConfig.PortBindings ?? {}) as Record<string, { HostIp?: string }[]>;
    for (const list of Object.values(bindings)) {
      for (const binding of list) binding.HostIp = '127.0.0.1';
    }
  }
}

/**
 * One broker container, with the process faults done through the Docker API.
 *
 * kill9 is `docker kill -s KILL`: the container's first process gets SIGKILL, and the kernel
 * kills the rest of its pid namespace with it (for RabbitMQ the first process is the start
 * script and beam.smp its child). The container is kept, so its writable layer and volumes,
 * the broker's data, survive; start() is `docker start` of the same container on the same
 * host port. That costs a few hundred ms of container set-up on top of the broker's own
 * start, which the restart time in the report includes. Like kill -9 of a local process, it
 * keeps the OS page cache: a process crash, not a power loss.
 *
 * pause is `docker pause`: the cgroup freezer stops every process of the container at once,
 * its sockets stay open. No signal is sent, so /proc shows the frozen processes as sleeping,
 * not stopped (T).
 */
export class DockerBroker implements ProcessControl, Disposable {
  readonly label: string;
  private mainPid = 0;
  private disposed = false;
  private readonly logStreams: Readable[] = [];
  private readonly log: Logger;

  private constructor(
    private readonly spec: ContainerSpec,
    private readonly brokerPort: number,
    private readonly logFile: string,
    private readonly client: ContainerRuntimeClient,
    private started: StartedTestContainer | undefined,
  ) {
    this.label = `${spec.target} broker (docker)`;
    this.log = childLogger({ target: spec.target, provider: 'docker' });
  }

  /** Creates and starts the container, registered so every exit path removes it. */
  static async create(
    spec: ContainerSpec,
    brokerPort: number,
    runDir: string,
  ): Promise<DockerBroker> {
    const logFile = path.join(runDir, `${spec.target}.log`);
    const client = await getContainerRuntimeClient();
    const broker = new DockerBroker(spec, brokerPort, logFile, client, undefined);
    try {
      broker.started = await broker.definition().start();
    } catch (error) {
      throw broker.notReady(error);
    }
    registry.add(broker);
    try {
      await broker.afterStart(true);
    } catch (error) {
      await broker.dispose().catch(() => undefined);
      throw broker.notReady(error);
    }
    return broker;
  }

  get containerId(): string {
    return this.container().getId();
  }

  /** The engine's pid of the container's first process; on Docker Desktop, one in its VM. */
  pid(): number {
    return this.mainPid;
  }

  async kill9(): Promise<void> {
    await this.docker().kill({ signal: 'SIGKILL' });
    await this.waitStopped();
  }

  /** `docker start` of the same container; ready when its new log says so. */
  async start(): Promise<void> {
    await this.client.container.start(this.docker());
    try {
      await this.afterStart(false);
    } catch (error) {
      throw this.notReady(error);
    }
  }

  /** `docker stop`: SIGTERM to the first process, SIGKILL after the grace period. */
  async stop(): Promise<void> {
    await this.client.container.stop(this.docker(), { timeout: this.spec.stopGraceMs });
    await this.waitStopped();
  }

  /**
   * ProcessControl's pause is synchronous, the Docker API is not: the returned promise says
   * when the container is frozen, for a caller that awaits it. One that does not still sees
   * a failure in the log rather than as an unhandled rejection.
   */
  pause(): Promise<void> {
    return this.logFailure('pause', this.docker().pause());
  }

  resume(): Promise<void> {
    return this.logFailure('unpause', this.docker().unpause());
  }

  exec(command: string[]): Promise<ExecResult> {
    return this.container().exec(command);
  }

  /**
   * Containers are not in our process group, so the registry's synchronous kill at exit
   * cannot reach them. testcontainers' reaper (Ryuk) removes them once this process's
   * connection to it closes, unless TESTCONTAINERS_RYUK_DISABLED is set.
   */
  pids(): number[] {
    return [];
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      const state = await this.client.container.inspect(this.docker()).catch(() => undefined);
      // A frozen container cannot be stopped gracefully, and SIGTERM would wait in the queue.
      if (state?.State.Paused) await this.docker().unpause();
      await this.started?.stop({ timeout: this.spec.stopGraceMs, remove: true });
    } finally {
      for (const stream of this.logStreams) stream.destroy();
      registry.remove(this);
    }
  }

  private definition(): GenericContainer {
    const spec = this.spec;
    const container = new LoopbackContainer(spec.image)
      .withExposedPorts({ container: spec.containerPort, host: this.brokerPort })
      .withCommand(spec.command)
      .withEnvironment(spec.environment)
      .withHostname(spec.hostname)
      .withWaitStrategy(Wait.forLogMessage(spec.readyMarker))
      .withStartupTimeout(spec.startupTimeoutMs)
      .withLogConsumer((stream) => this.appendLogs(stream));
    if (spec.entrypoint) container.withEntrypoint(spec.entrypoint);
    if (spec.files.length > 0) container.withCopyContentToContainer(spec.files);
    return container;
  }

  /**
   * The first start was waited for by testcontainers; a restart reads the log from the
   * second the container started again. The TCP check is weak on its own, since Docker's
   * port forwarder accepts connections while the broker is still down.
   */
  private async afterStart(firstStart: boolean): Promise<void> {
    const inspect = await this.client.container.inspect(this.docker());
    this.mainPid = inspect.State.Pid;
    if (!firstStart) {
      const sinceSec = Math.floor(Date.parse(inspect.State.StartedAt) / 1000);
      const stream = await this.client.container.logs(this.docker(), { since: sinceSec });
      this.appendLogs(stream);
      await waitForLine(stream, this.spec.readyMarker, this.spec.startupTimeoutMs);
    }
    const address = `${this.spec.target} on 127.0.0.1:${this.brokerPort}`;
    await waitFor(
      address,
      async () => ((await canConnect(this.brokerPort)) ? true : undefined),
      10_000,
    );
  }

  private async waitStopped(): Promise<void> {
    await waitFor(
      `container ${this.containerId} to stop`,
      async () => {
        const inspect = await this.client.container.inspect(this.docker());
        return inspect.State.Running ? undefined : true;
      },
      this.spec.stopGraceMs + 10_000,
      100,
    );
  }

  private appendLogs(stream: Readable): void {
    this.logStreams.push(stream);
    const file = fs.createWriteStream(this.logFile, { flags: 'a' });
    stream.on('error', () => file.end());
    stream.pipe(file);
  }

  private logFailure(action: string, request: Promise<unknown>): Promise<void> {
    const done = request.then(() => undefined);
    done.catch((error: unknown) => this.log.error({ err: error }, `docker ${action} failed`));
    return done;
  }

  private container(): StartedTestContainer {
    if (!this.started) throw new Error(`${this.label} has no container yet`);
    return this.started;
  }

  private docker(): DockerodeContainer {
    return this.client.container.getById(this.container().getId());
  }

  private notReady(error: unknown): MqbenchError {
    return new MqbenchError(`${this.spec.image} did not become ready: ${String(error)}`, {
      phase: 'provision',
      target: this.spec.target,
      cause: error,
      hint: `last lines of the container's log, ${this.logFile}:\n${readTail(this.logFile, 800)}`,
    });
  }
}

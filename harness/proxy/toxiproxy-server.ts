import fs from 'node:fs';
import path from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { cacheDir, INSTALL_HINT, whichSync } from '../core/binaries.js';
import { MissingPrerequisiteError, MqbenchError } from '../core/errors.js';
import { freePort } from '../core/ports.js';
import { spawnGroup, stopGroup, readTail } from '../core/process.js';
import type { Disposable } from '../core/registry.js';
import { registry } from '../core/registry.js';
import { waitFor, withTimeout } from '../core/time.js';
import { ProxyControl } from './proxy-control.js';

export const TOXIPROXY_MODULE = 'github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0';

/** The Toxiproxy binary: MQBENCH_TOXIPROXY, the install cache, or PATH. */
export function findToxiproxyBinary(): string {
  const fromEnv = process.env.MQBENCH_TOXIPROXY;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  const cached = path.join(cacheDir(), 'bin', 'toxiproxy-server');
  if (fs.existsSync(cached)) return cached;
  const onPath = whichSync('toxiproxy-server');
  if (onPath) return onPath;
  throw new MissingPrerequisiteError(`the Toxiproxy server (${TOXIPROXY_MODULE})`, INSTALL_HINT);
}

/** A running Toxiproxy server on a free loopback port, with its API client. */
export class ToxiproxyServer implements Disposable {
  readonly label = 'toxiproxy';
  private constructor(
    readonly apiPort: number,
    readonly version: string,
    private readonly pgid: number,
    readonly client: Toxiproxy,
  ) {}

  static async start(runDir: string): Promise<ToxiproxyServer> {
    const binary = findToxiproxyBinary();
    const apiPort = await freePort();
    const logFile = path.join(runDir, 'toxiproxy.log');
    const proc = spawnGroup({
      label: 'toxiproxy',
      command: binary,
      args: ['-host', '127.0.0.1', '-port', String(apiPort), '-proxy-metrics'],
      logFile,
    });
    fs.writeFileSync(path.join(runDir, 'toxiproxy.pid'), `${proc.pgid}\n`);
    const client = new Toxiproxy(`http://127.0.0.1:${apiPort}`);
    const placeholder: Disposable = {
      label: 'toxiproxy (starting)',
      pids: () => [-proc.pgid],
      dispose: () => stopGroup(proc.pgid, 2000),
    };
    registry.add(placeholder);
    try {
      const version = await waitFor(
        `Toxiproxy API on 127.0.0.1:${apiPort}`,
        async () => {
          if (proc.exited()) throw new Error(`exited early: ${readTail(logFile, 500)}`);
          return withTimeout(client.getVersion(), 1000, 'toxiproxy version');
        },
        10_000,
      );
      const server = new ToxiproxyServer(apiPort, String(version).trim(), proc.pgid, client);
      registry.remove(placeholder);
      registry.add(server);
      return server;
    } catch (error) {
      await placeholder.dispose();
      registry.remove(placeholder);
      throw new MqbenchError(`Toxiproxy did not become ready: ${String(error)}`, {
        phase: 'provision',
        cause: error,
        hint: `see ${logFile}`,
      });
    }
  }

  /** Creates a proxy listening on 127.0.0.1:listenPort towards upstreamHost:upstreamPort. */
  async createProxy(
    name: string,
    listenPort: number,
    upstreamPort: number,
    upstreamHost = '127.0.0.1',
  ): Promise<ProxyControl> {
    const proxy = await withTimeout(
      this.client.createProxy({
        name,
        listen: `127.0.0.1:${listenPort}`,
        upstream: `${upstreamHost}:${upstreamPort}`,
      }),
      3000,
      `create proxy ${name}`,
    );
    return new ProxyControl(this.apiPort, proxy.name, listenPort, upstreamPort);
  }

  pids(): number[] {
    return [-this.pgid];
  }

  async dispose(): Promise<void> {
    await stopGroup(this.pgid, 2000);
    registry.remove(this);
  }
}

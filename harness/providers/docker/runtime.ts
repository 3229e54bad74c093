import { getContainerRuntimeClient } from 'testcontainers';
import { errorMessage } from '../../core/errors.js';
import { withTimeout } from '../../core/time.js';

/** Whether testcontainers found a Docker engine mqbench can use, and if not, why. */
export type RuntimeStatus =
  | { available: true; info: string }
  | { available: false; reason: string };

const ADVICE = 'use provider: local, or start Docker';

/**
 * Asks testcontainers for its container runtime, as its own start-up would. With no engine it
 * fails in milliseconds ("Could not find a working container runtime strategy"); the timeout
 * covers an engine address that accepts nothing, e.g. a DOCKER_HOST whose host is down.
 */
export async function detectContainerRuntime(timeoutMs = 3000): Promise<RuntimeStatus> {
  let host: string;
  let info: string;
  try {
    const client = await withTimeout(getContainerRuntimeClient(), timeoutMs, 'runtime check');
    const runtime = client.info.containerRuntime;
    host = runtime.host;
    info = `${runtime.operatingSystem}, server API ${runtime.serverVersion}, host ${host}`;
  } catch (error) {
    const reason = `no working container runtime (Docker): ${errorMessage(error)}; ${ADVICE}`;
    return { available: false, reason };
  }
  if (!isLoopbackHost(host)) {
    return {
      available: false,
      reason:
        `the Docker engine testcontainers found serves ports on ${host}, not on this ` +
        `machine's loopback, where the harness's proxy must reach them; ${ADVICE} locally`,
    };
  }
  return { available: true, info };
}

/**
 * The provider publishes broker ports on 127.0.0.1 and the harness's proxy dials them there,
 * which works only when the engine's published ports appear on this host's loopback: a local
 * socket, Docker Desktop, rootless Docker. A remote engine's ports would be on its own host.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

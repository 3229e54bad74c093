import { MqbenchError } from '../core/errors.js';
import type { BrokerHandle, TargetName } from './types.js';

/** Where a broker we did not start listens for clients. */
export interface BrokerAddress {
  host: string;
  port: number;
}

/** The URL scheme each target takes, and the port when the URL names none. */
export const EXTERNAL_SCHEMES: Readonly<Record<TargetName, { scheme: string; port: number }>> = {
  redis: { scheme: 'redis', port: 6379 },
  rabbitmq: { scheme: 'amqp', port: 5672 },
  kafka: { scheme: 'kafka', port: 9092 },
};

/** A started external broker: the address comes from the scenario, not from a free port. */
export interface ExternalBrokerHandle extends BrokerHandle {
  readonly host: string;
}

/**
 * Parses `redis://host:port`, `amqp://host:port` or `kafka://host:port`. Credentials, a path
 * (Redis database, AMQP vhost) and a query are refused rather than ignored: the adapters
 * connect with their own defaults, so a run would silently use other ones than the URL says.
 * `field` names the place in the scenario, e.g. `targets[2].url`.
 */
export function parseBrokerUrl(target: TargetName, url: string, field = 'url'): BrokerAddress {
  const { scheme, port: defaultPort } = EXTERNAL_SCHEMES[target];
  const example = `${scheme}://127.0.0.1:${defaultPort}`;
  const fail = (problem: string) =>
    new MqbenchError(`${field} ${JSON.stringify(url)} ${problem}`, {
      phase: 'scenario',
      target,
      hint: `write it as ${example}`,
    });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw fail('is not a URL');
  }
  if (parsed.protocol !== `${scheme}:`) {
    throw fail(`has scheme ${parsed.protocol.replace(/:$/, '')}, expected ${scheme} for ${target}`);
  }
  if (parsed.username || parsed.password) throw fail('carries credentials, not supported yet');
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search || parsed.hash) {
    throw fail('has a path or query, not supported yet: only host and port are used');
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw fail('names no host');
  const port = parsed.port === '' ? defaultPort : Number(parsed.port);
  if (port === 0) throw fail('has port 0, expected the port the broker listens on');
  return { host, port };
}

/**
 * A broker the user runs. mqbench neither started nor can stop it, so it has no process:
 * kill, pause and restart faults fail with the process faults' own error, and disposing it
 * leaves the broker running. Any host is accepted, since this is for the user's brokers.
 *
 * An external Kafka advertises whatever its owner configured, and clients go there after
 * their first request, so only the bootstrap connection passes the harness's proxy unless
 * the broker advertises the proxy's address.
 */
export function externalBroker(
  target: TargetName,
  url: string,
  field?: string,
): ExternalBrokerHandle {
  const { host, port } = parseBrokerUrl(target, url, field);
  const handle: ExternalBrokerHandle = {
    label: `${target} broker (external ${host}:${port})`,
    target,
    provider: 'external',
    version: 'unknown (external)',
    host,
    brokerPort: port,
    settings: {
      address: `${host}:${port}`,
      durability: "unknown: an external broker runs with its owner's settings",
    },
    process: undefined,
    pids: () => [],
    dispose: async () => undefined,
  };
  return handle;
}

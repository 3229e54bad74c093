import { MqbenchError } from '../core/errors.js';

export type ToxicDirection = 'upstream' | 'downstream';

export interface ToxicState {
  name: string;
  type: string;
  stream: ToxicDirection;
  toxicity: number;
  attributes: Record<string, number>;
}

/** What Toxiproxy reports for a proxy: the evidence that a fault was in place. */
export interface ProxyState {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicState[];
}

export interface ProxyBytes {
  /** Client to broker. */
  upstreamBytes: number;
  /** Broker to client. */
  downstreamBytes: number;
}

const API_TIMEOUT_MS = 3000;

/**
 * One proxy in front of one target. Every API call has a timeout, since a hung control
 * call must never hang a run. Calls go straight to the HTTP API because the node client has
 * no timeout and cannot list toxics.
 */
export class ProxyControl {
  constructor(
    readonly apiPort: number,
    readonly name: string,
    readonly listenPort: number,
    readonly upstreamPort: number,
  ) {}

  async addToxic(
    name: string,
    type: string,
    stream: ToxicDirection,
    attributes: Record<string, number>,
  ): Promise<void> {
    await this.call('POST', `/proxies/${this.name}/toxics`, {
      name,
      type,
      stream,
      toxicity: 1,
      attributes,
    });
  }

  async removeToxic(name: string): Promise<void> {
    await this.call('DELETE', `/proxies/${this.name}/toxics/${name}`);
  }

  async setEnabled(enabled: boolean): Promise<void> {
    await this.call('POST', `/proxies/${this.name}`, { enabled });
  }

  async state(): Promise<ProxyState> {
    return (await this.call('GET', `/proxies/${this.name}`)) as ProxyState;
  }

  /** Removes every toxic and enables the proxy: the end state of every run. */
  async heal(): Promise<void> {
    const state = await this.state();
    for (const toxic of state.toxics) await this.removeToxic(toxic.name);
    if (!state.enabled) await this.setEnabled(true);
  }

  /**
   * Byte counters from /metrics. Toxiproxy adds a connection's bytes when it closes, so read
   * this after the clients have disconnected.
   */
  async bytes(): Promise<ProxyBytes> {
    const text = await this.call('GET', '/metrics', undefined, 'text');
    return parseProxyBytes(String(text), this.name);
  }

  private async call(
    method: string,
    urlPath: string,
    body?: unknown,
    kind: 'json' | 'text' = 'json',
  ): Promise<unknown> {
    const url = `http://127.0.0.1:${this.apiPort}${urlPath}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(API_TIMEOUT_MS),
      });
    } catch (error) {
      throw new MqbenchError(`Toxiproxy API ${method} ${urlPath} failed: ${String(error)}`, {
        phase: 'run',
        cause: error,
      });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new MqbenchError(
        `Toxiproxy API ${method} ${urlPath} answered ${response.status}: ${text.trim()}`,
        { phase: 'run' },
      );
    }
    if (kind === 'text') return text;
    return text ? JSON.parse(text) : undefined;
  }
}

/**
 * Sums toxiproxy_proxy_received_bytes_total per direction for one proxy: in the upstream
 * direction, what the proxy read from the clients; downstream, what it read from the broker.
 * The sent counter is no use here: Toxiproxy adds a link's sent bytes only when its write
 * side ends without error, so every connection cut by a kill -9 or a reset is left out.
 */
export function parseProxyBytes(metricsText: string, proxyName: string): ProxyBytes {
  const result: ProxyBytes = { upstreamBytes: 0, downstreamBytes: 0 };
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('toxiproxy_proxy_received_bytes_total{')) continue;
    if (!line.includes(`proxy="${proxyName}"`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.includes('direction="upstream"')) result.upstreamBytes += value;
    else if (line.includes('direction="downstream"')) result.downstreamBytes += value;
  }
  return result;
}

/**
 * A target's traffic went around its proxy when the proxy carried fewer client-to-broker
 * bytes than the payload the broker acked: then no fault on the proxy reached the clients.
 */
export function proxyBypassed(upstreamBytes: number, ackedPayloadBytes: number): boolean {
  return upstreamBytes === 0 || upstreamBytes < ackedPayloadBytes;
}

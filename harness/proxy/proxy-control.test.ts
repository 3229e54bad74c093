import { describe, expect, it } from 'vitest';
import { parseProxyBytes, proxyBypassed } from './proxy-control.js';

/** One Prometheus line as Toxiproxy's /metrics writes it. */
function metric(name: string, direction: string, proxy: string, port: number, value: string) {
  const labels =
    `direction="${direction}",listener="127.0.0.1:${port}",proxy="${proxy}",` +
    `upstream="127.0.0.1:${port + 1000}"`;
  return `toxiproxy_proxy_${name}_bytes_total{${labels}} ${value}`;
}

const METRICS = [
  '# HELP toxiproxy_proxy_received_bytes_total',
  metric('sent', 'upstream', 'kafka', 4001, '999'),
  metric('received', 'upstream', 'kafka', 4001, '1.2345e+06'),
  metric('received', 'downstream', 'kafka', 4001, '4567'),
  metric('received', 'upstream', 'redis', 4002, '77'),
].join('\n');

describe('proxy byte counters', () => {
  it('sums the bytes one proxy received per direction, ignoring the sent counter', () => {
    expect(parseProxyBytes(METRICS, 'kafka')).toEqual({
      upstreamBytes: 1_234_500,
      downstreamBytes: 4567,
    });
    expect(parseProxyBytes(METRICS, 'redis')).toEqual({ upstreamBytes: 77, downstreamBytes: 0 });
    expect(parseProxyBytes(METRICS, 'rabbitmq')).toEqual({ upstreamBytes: 0, downstreamBytes: 0 });
  });

  it('calls a proxy bypassed when it carried less than the acked payload, or nothing', () => {
    expect(proxyBypassed(0, 0)).toBe(true);
    expect(proxyBypassed(1_000, 1_024)).toBe(true);
    expect(proxyBypassed(2_048, 1_024)).toBe(false);
  });
});

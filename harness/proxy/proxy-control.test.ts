import { describe, expect, it } from 'vitest';
import { parseProxyBytes, proxyBypassed } from './proxy-control.js';

const METRICS = `# HELP toxiproxy_proxy_received_bytes_total
toxiproxy_proxy_sent_bytes_total{direction="upstream",listener="127.0.0.1:4001",proxy="kafka",upstream="127.0.0.1:5001"} 999
toxiproxy_proxy_received_bytes_total{direction="upstream",listener="127.0.0.1:4001",proxy="kafka",upstream="127.0.0.1:5001"} 1.2345e+06
toxiproxy_proxy_received_bytes_total{direction="downstream",listener="127.0.0.1:4001",proxy="kafka",upstream="127.0.0.1:5001"} 4567
toxiproxy_proxy_received_bytes_total{direction="upstream",listener="127.0.0.1:4002",proxy="redis",upstream="127.0.0.1:5002"} 77
`;

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

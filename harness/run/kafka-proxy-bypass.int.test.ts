import { describe, expect, it } from 'vitest';
import { mergeEncoded } from '../metrics/histogram.js';
import { onlyTarget, runYaml } from '../testing/run-yaml.js';

// The case proxy-bypass.md, shortened: a fault that routes around the proxy would leave
// these latencies flat. Kafka clients follow the advertised address, which is the proxy.
const SCENARIO = `
name: kafka-proxy-bypass
targets: [kafka]
profile: safe
workload: { ratePerSec: 500, durationSec: 16, warmupSec: 2 }
drain: { timeoutSec: 30 }
faults:
  - { kind: latency, atSec: 6, forSec: 6, latencyMs: 200, direction: downstream }
`;

function p50Ms(encoded: string[], fromSec: number, toSec: number): number {
  return mergeEncoded(encoded.slice(fromSec, toSec)).getValueAtPercentile(50) / 1000;
}

describe('kafka behind its proxy feels the latency fault', () => {
  it('raises publish and end-to-end p50 by at least 200 ms inside the window', async () => {
    const t = onlyTarget((await runYaml(SCENARIO)).result);
    const { publish, endToEnd } = t.perSecondHistograms;

    const publishBefore = p50Ms(publish, 2, 6);
    const publishDuring = p50Ms(publish, 7, 12);
    const e2eBefore = p50Ms(endToEnd, 2, 6);
    const e2eDuring = p50Ms(endToEnd, 7, 12);
    expect(publishDuring - publishBefore).toBeGreaterThanOrEqual(200);
    expect(e2eDuring - e2eBefore).toBeGreaterThanOrEqual(200);

    const readBack = t.faults[0]?.evidence.proxyReadBack as { toxics: { attributes: object }[] };
    expect(readBack.toxics[0]?.attributes).toEqual({ latency: 200, jitter: 0 });
    expect(t.proxy.bypassed).toBe(false);
    expect(t.proxy.upstreamBytes).toBeGreaterThanOrEqual(t.verdict.counts.acked * 1024);
    expect(t.proxy.downstreamBytes).toBeGreaterThan(0);
    expect(t.verdict.counts.lost).toBe(0);
    expect(t.verdict.status).toBe('ok');
  });
});

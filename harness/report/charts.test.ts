import { describe, expect, it } from 'vitest';
import { buildCharts, faultBands } from './charts.js';
import { fixtureRunResult } from './fixture.js';
import { lineChartSvg } from './svg.js';

/** A tiny well-formedness check: every opened tag closes, in order. */
function tagsBalance(svg: string): boolean {
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing) continue;
    if (!closing) stack.push(name ?? '');
    else if (stack.pop() !== name) return false;
  }
  return stack.length === 0 && !/<(?![/a-zA-Z])/.test(svg) && !/&(?!\w+;|#\d+;)/.test(svg);
}

const count = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].length;

describe('SVG charts', () => {
  const result = fixtureRunResult();
  const charts = buildCharts(result);

  it('draws one cross-target chart and two per target', () => {
    expect(charts.map((c) => c.file)).toEqual([
      'acked-per-second.svg',
      'redis-throughput.svg',
      'redis-latency.svg',
      'rabbitmq-throughput.svg',
      'rabbitmq-latency.svg',
      'kafka-throughput.svg',
      'kafka-latency.svg',
    ]);
  });

  it('is well formed, with one path per series and one band per fault', () => {
    const target = result.targets[1];
    if (!target) throw new Error('fixture has no rabbitmq target');
    const throughput = charts.find((c) => c.file === 'rabbitmq-throughput.svg')?.svg ?? '';
    const latency = charts.find((c) => c.file === 'rabbitmq-latency.svg')?.svg ?? '';
    for (const chart of charts) expect(tagsBalance(chart.svg), chart.file).toBe(true);
    expect(count(throughput, /<path /g)).toBe(3);
    expect(count(latency, /<path /g)).toBe(2);
    expect(count(throughput, /<rect class="band"/g)).toBe(target.faults.length);
    expect(faultBands(target)).toHaveLength(2);
    expect(count(charts[0]?.svg ?? '', /<path /g)).toBe(3);
    expect(count(charts[0]?.svg ?? '', /<rect class="band"/g)).toBe(0);
  });

  it('draws latency on a log axis with decade ticks', () => {
    const latency = charts.find((c) => c.file === 'redis-latency.svg')?.svg ?? '';
    // Per-second p99s run from about 2 ms to 4.4 s: decades 1 ms to 10 s.
    for (const tick of ['1', '10', '100', '1k', '10k']) {
      expect(latency).toContain(`>${tick}</text>`);
    }
    expect(latency).toContain('p99 latency (ms, log scale)');
  });

  it('leaves a gap where a second had no latency sample', () => {
    const latency = charts.find((c) => c.file === 'rabbitmq-latency.svg')?.svg ?? '';
    const firstPath = /<path class="series" d="([^"]*)"/.exec(latency)?.[1] ?? '';
    // Two outages with no acks split the line in three.
    expect(count(firstPath, /M/g)).toBe(3);
  });

  it('escapes text and labels ticks', () => {
    const svg = lineChartSvg({
      title: 'a <b> & "c"',
      xLabel: 's',
      yLabel: 'msg/s',
      series: [
        {
          name: "o'k",
          points: [
            [0, 0],
            [10, 12_000],
          ],
        },
      ],
      bands: [{ from: 2, to: 4, label: '<cut>' }],
    });
    expect(tagsBalance(svg)).toBe(true);
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg).toContain('&lt;cut&gt;');
    expect(svg).toContain('o&apos;k');
    // y runs to the nice tick above 12,000: 0, 5k, 10k, 15k.
    expect(svg).toContain('>5k</text>');
    expect(svg).toContain('>15k</text>');
    expect(count(svg, /<rect class="band"/g)).toBe(1);
  });
});

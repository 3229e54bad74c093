import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MqbenchError } from '../core/errors.js';
import { buildCharts } from './charts.js';
import { summarizeEvidence } from './evidence.js';
import { fixtureRunResult } from './fixture.js';
import { formatBytes, formatInt, formatMs, formatRate } from './format.js';
import { renderMarkdown } from './markdown.js';
import type { RunResult } from './result.js';
import { readResult, reportDirName, writeReport } from './write.js';

const count = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].length;

function render(result: RunResult): string {
  return renderMarkdown(result, buildCharts(result));
}

/** The cells of the first table row whose first cell is `label`. */
function rowCells(markdown: string, label: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${label} |`));
  if (line === undefined) throw new Error(`no table row for ${label}`);
  return line
    .slice(2, -2)
    .split(' | ')
    .map((c) => c.trim());
}

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`## ${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

describe('formatting', () => {
  it('formats counts, rates, latencies and bytes for reading', () => {
    expect(formatInt(12345)).toBe('12,345');
    expect(formatInt(1_000_000)).toBe('1,000,000');
    expect(formatRate(998.2)).toBe('998');
    expect(formatRate(12.34)).toBe('12.3');
    expect(formatMs(420)).toBe('0.42 ms');
    expect(formatMs(1234)).toBe('1.23 ms');
    expect(formatMs(48_000)).toBe('48.0 ms');
    expect(formatMs(215_000)).toBe('215 ms');
    expect(formatMs(5_100_000)).toBe('5,100 ms');
    expect(formatBytes(2048)).toBe('2.0 KiB (2,048 B)');
  });
});

describe('renderMarkdown', () => {
  const result = fixtureRunResult();
  const markdown = render(result);

  it('opens with scenario, date, seed and host', () => {
    const [title, facts] = markdown.split('\n\n');
    expect(title).toBe('# quickstart: 2026-12-04 16:30:00 UTC');
    expect(facts).toContain('Seed **42**');
    expect(facts).toContain('linux x64, 2 CPUs, 7.8 GiB');
  });

  it('puts throughput and lost figures in each target row', () => {
    const expected: [string, string, string][] = [
      ['redis', '998 / 1,000', '0'],
      ['rabbitmq', '991 / 1,000 (4 s with no ack)', '37'],
      ['kafka', '987 / 1,000', '1,200 (not drained)'],
    ];
    for (const [label, throughput, lost] of expected) {
      const cells = rowCells(markdown, label);
      expect(cells).toHaveLength(12);
      expect(cells[1]).toBe(throughput);
      expect(cells[8]).toBe(lost);
    }
    expect(rowCells(markdown, 'redis').slice(2, 5)).toEqual(['1.23 ms', '2.90 ms', '215 ms']);
  });

  it('shows unknown as unknown and fail as FAIL, never as ok', () => {
    expect(rowCells(markdown, 'kafka')[11]).toBe('unknown');
    expect(rowCells(markdown, 'rabbitmq')[11]).toBe('FAIL');
    expect(rowCells(markdown, 'redis')[11]).toBe('ok');
    const meaning = section(markdown, 'What the verdict means');
    expect(meaning).toContain('**kafka: unknown.**');
    expect(meaning).toContain('Not drained after 30.0 s: 1,204 messages left');
    expect(meaning).toContain(
      '**rabbitmq: FAIL.** 37 acked messages were never delivered (lost); the limit is 0.',
    );
  });

  it('lists every fault with its evidence and window figures', () => {
    const faults = section(markdown, 'Faults');
    for (const target of result.targets) {
      for (const fault of target.faults) {
        expect(faults).toContain(`#${fault.index} ${fault.kind}`);
        expect(faults).toContain(summarizeEvidence(fault.evidence));
      }
    }
    expect(faults).toContain('proxy read back: timeout toxic on upstream+downstream');
    expect(faults).toContain('pid 1234 → 5678, connect refused (ECONNREFUSED) in between');
    expect(faults).toContain(
      'proxy read back: disabled, connect refused (ECONNREFUSED) to the proxy, ' +
        're-enabled after revert',
    );
    expect(faults).toContain('process stopped (T), then sleeping (S)');
    const latencyRow = rowCells(
      faults,
      '#0 latency (latencyMs=200, jitterMs=20, direction=downstream)',
    );
    expect(latencyRow.slice(1, 3)).toEqual(['15.00', '15.02 → 20.03']);
    expect(latencyRow.slice(4)).toEqual(['940', '212 ms', '254 ms']);
  });

  it('checks that the ledger classes add up to attempted', () => {
    expect(rowCells(markdown, '**classes add up to attempted**').slice(1)).toEqual([
      'yes',
      'yes',
      'yes',
    ]);
    const broken = fixtureRunResult();
    const first = broken.targets[0];
    if (!first) throw new Error('fixture has no targets');
    first.verdict.counts.ok -= 1;
    expect(rowCells(render(broken), '**classes add up to attempted**')[1]).toBe('**no**');
  });

  it('links every chart and folds the per-second table away', () => {
    for (const chart of buildCharts(result)) {
      expect(markdown).toContain(`![${chart.title}](${chart.file})`);
    }
    expect(count(markdown, /<details>/g)).toBe(3);
    expect(markdown).toContain('<summary>redis: 50 seconds</summary>');
  });

  it('flags the harness-bound target and prints the durability note', () => {
    expect(section(markdown, 'Harness health')).toContain(
      '**Warning:** on kafka the harness, not the broker, set the pace',
    );
    expect(section(markdown, 'Settings each target ran with')).toContain(
      'kill -9 keeps the OS page cache, so it tests a process crash, not a power loss.',
    );
    expect(section(markdown, 'Client stats')).toContain('ECONNREFUSED ×14, send timeout ×9');
  });

  it('names the profile in labels only when the run mixes profiles', () => {
    expect(markdown).toContain('Delivery profile: safe (at-least-once, durable) on every target.');
    const mixed = fixtureRunResult();
    const redis = mixed.targets[0];
    if (!redis) throw new Error('fixture has no redis target');
    mixed.targets.push({ ...redis, profile: 'fast' });
    const text = render(mixed);
    expect(rowCells(text, 'redis (safe)')[1]).toBe('998 / 1,000');
    expect(rowCells(text, 'redis (fast)')[11]).toBe('ok');
    expect(buildCharts(mixed).map((c) => c.file)).toContain('redis-2-latency.svg');
  });

  it('shows a set-up error in the row and in its own section', () => {
    const failed = fixtureRunResult();
    const kafka = failed.targets[2];
    if (!kafka) throw new Error('fixture has no kafka target');
    kafka.error = 'broker did not start: port 9092 | in use\n  at start (kafka.ts:12)';
    kafka.verdict.status = 'ok';
    const text = render(failed);
    expect(rowCells(text, 'kafka')[11]).toBe(
      'unknown (set-up error: broker did not start: port 9092 \\| in use)',
    );
    expect(rowCells(text, 'kafka').slice(1, 11)).toEqual(Array<string>(10).fill('—'));
    expect(section(text, 'What the verdict means')).toContain('**kafka: unknown.**');
    expect(section(text, 'Errors')).toContain(
      'broker did not start: port 9092 | in use\n  at start (kafka.ts:12)',
    );
  });
});

describe('summarizeEvidence', () => {
  it('prefers a written summary and lists unknown keys as they are', () => {
    expect(summarizeEvidence({ summary: 'all good', pid: 1 })).toBe('all good');
    expect(summarizeEvidence({ pidBefore: 7, extraCheck: [1, 2], leftOver: { a: true } })).toBe(
      'pid 7, extra check: 1, 2, left over: (a=yes)',
    );
    expect(summarizeEvidence({})).toBe('no evidence recorded');
    expect(summarizeEvidence({ proxyReadBack: { enabled: true, toxics: [] } })).toBe(
      'proxy read back: no toxics',
    );
  });
});

describe('writeReport and readResult', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mqbench-report-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('round-trips the result and writes the markdown and charts', async () => {
    const dir = await tempDir();
    const result = fixtureRunResult();
    const { jsonPath, markdownPath } = await writeReport(result, join(dir, 'run'));
    expect(await readResult(jsonPath)).toEqual(result);
    expect(await readFile(markdownPath, 'utf8')).toBe(render(result));
    const files = await readdir(join(dir, 'run'));
    expect(files.filter((f) => f.endsWith('.svg'))).toHaveLength(7);
  });

  it('rejects an unknown schemaVersion, naming the file', async () => {
    const file = join(await tempDir(), 'old.json');
    await writeFile(file, JSON.stringify({ ...fixtureRunResult(), schemaVersion: 99 }));
    const error = await readResult(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MqbenchError);
    expect((error as MqbenchError).phase).toBe('report');
    expect((error as MqbenchError).message).toBe(
      `${file} has schemaVersion 99 by mqbench 0.1.0; this mqbench reads schemaVersion 1`,
    );
  });

  it('rejects JSON that is not a mqbench result, and text that is not JSON', async () => {
    const dir = await tempDir();
    const other = join(dir, 'package.json');
    const text = join(dir, 'report.md');
    await writeFile(other, JSON.stringify({ name: 'x', schemaVersion: 1 }));
    await writeFile(text, '# not json');
    await expect(readResult(other)).rejects.toThrow(`${other} is not a mqbench result`);
    await expect(readResult(text)).rejects.toThrow(`${text} is not a mqbench result`);
  });

  it('names report folders timestamp first, safe for any file system', () => {
    const at = new Date('2026-12-04T16:30:00.123Z');
    expect(reportDirName('quickstart', at)).toBe('2026-12-04T16-30-00Z-quickstart');
    expect(reportDirName(' kill -9 / redis: safe ', at)).toBe(
      '2026-12-04T16-30-00Z-kill-9-redis-safe',
    );
  });
});

describe('steady-state figures', () => {
  it('prints the latency outside the fault windows for each target that ran', () => {
    const text = render(fixtureRunResult());
    const quiet = section(text, 'Outside the fault windows');
    expect(rowCells(quiet, 'redis').slice(1)).toEqual([
      '30',
      '1.23 ms',
      '1.94 ms',
      expect.any(String),
      '3.31 ms',
    ]);
  });
});

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MqbenchError, errorMessage } from '../core/errors.js';
import { buildCharts } from './charts.js';
import { renderMarkdown } from './markdown.js';
import type { RunResult } from './result.js';
import { SCHEMA_VERSION } from './result.js';

/**
 * The folder name of one run's report: UTC timestamp first, so folders sort by time, then
 * the scenario name. Colons become dashes and anything else unsafe in a file name becomes
 * a dash: `2026-12-04T16-30-00Z-quickstart`.
 */
export function reportDirName(scenarioName: string, startedAt: Date): string {
  const stamp = startedAt.toISOString().slice(0, 19).replace(/:/g, '-');
  const name = scenarioName
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return `${stamp}Z-${name || 'run'}`;
}

/**
 * Writes result.json (pretty), report.md and the SVG charts into `outDir`, creating it.
 * The markdown links the charts by relative name, so the folder can be moved whole.
 */
export async function writeReport(
  result: RunResult,
  outDir: string,
): Promise<{ jsonPath: string; markdownPath: string }> {
  await mkdir(outDir, { recursive: true });
  const charts = buildCharts(result);
  const jsonPath = join(outDir, 'result.json');
  const markdownPath = join(outDir, 'report.md');

  await writeFile(jsonPath, `${JSON.stringify(result, null, 2)}\n`, 'utf8');
  await Promise.all(charts.map((c) => writeFile(join(outDir, c.file), c.svg, 'utf8')));
  await writeFile(markdownPath, renderMarkdown(result, charts), 'utf8');
  return { jsonPath, markdownPath };
}

function reportError(message: string, hint: string, cause?: unknown): MqbenchError {
  return new MqbenchError(message, { phase: 'report', hint, cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw reportError(
      `cannot read result file ${file}: ${errorMessage(error)}`,
      'pass the result.json of a run folder under reports/',
      error,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw reportError(
      `${file} is not a mqbench result: it is not valid JSON (${errorMessage(error)})`,
      'pass the result.json that mqbench wrote, not report.md or an edited copy',
      error,
    );
  }
}

/**
 * Reads a result.json written by writeReport. Checks that it is a mqbench result of a
 * schema version this code renders, and throws a report-phase MqbenchError naming the file
 * otherwise. Fields beyond the version are trusted: the version is the contract.
 */
export async function readResult(file: string): Promise<RunResult> {
  const data = await readJson(file);
  const tool = isRecord(data) ? data['tool'] : undefined;
  if (!isRecord(data) || !isRecord(tool) || tool['name'] !== 'mqbench') {
    throw reportError(
      `${file} is not a mqbench result: expected an object with tool.name "mqbench"`,
      'pass the result.json that mqbench wrote into the run folder',
    );
  }
  const version = data['schemaVersion'];
  if (version !== SCHEMA_VERSION) {
    const written = typeof tool['version'] === 'string' ? ` by mqbench ${tool['version']}` : '';
    throw reportError(
      `${file} has schemaVersion ${JSON.stringify(version)}${written}; ` +
        `this mqbench reads schemaVersion ${SCHEMA_VERSION}`,
      'render it with the mqbench version that wrote it, or re-run the scenario',
    );
  }
  if (!Array.isArray(data['targets'])) {
    throw reportError(
      `${file} is not a complete mqbench result: "targets" is missing or not a list`,
      'the run may have been cut short while writing; re-run the scenario',
    );
  }
  return data as unknown as RunResult;
}

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { errorMessage } from '../core/errors.js';
import { fromZodIssue, ScenarioError } from './issues.js';
import type { RawIssue, ScenarioIssue } from './issues.js';
import { formatPath, locateOffset, positionOf } from './locate.js';
import { scenarioSchema } from './schema.js';
import type { ParsedScenario, Profile, Scenario } from './schema.js';
import { checkScenario } from './semantic.js';

/**
 * Reads, parses and validates a scenario file. Every problem is reported at once, each as
 * `file:line:col field.path: expected …, got …`, in a {@link ScenarioError}.
 */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
  return parseScenario(text, file);
}

/** Parses scenario YAML; `file` only names the source in messages. */
export function parseScenario(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) throw syntaxError(file, doc, lineCounter);

  const input: unknown = doc.toJS();
  const result = scenarioSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    const raw = result.error.issues.flatMap((issue) => fromZodIssue(issue, scenarioSchema, input));
    throw new ScenarioError(file, placeIssues(raw, file, doc, lineCounter));
  }

  const scenario = resolveDefaults(result.data);
  const problems = checkScenario(scenario);
  if (problems.length > 0)
    throw new ScenarioError(file, placeIssues(problems, file, doc, lineCounter));
  return scenario;
}

function unreadable(file: string, error: unknown): ScenarioError {
  const code = (error as NodeJS.ErrnoException).code;
  const missing = code === 'ENOENT';
  const folder = code === 'EISDIR';
  const absolute = resolve(file);
  const shown = absolute === file ? file : `${file} (${absolute})`;
  const reason = missing ? 'no such file' : folder ? 'it is a folder' : errorMessage(error);
  return new ScenarioError(file, [], {
    cause: error,
    message: `cannot read scenario file ${shown}: ${reason}`,
    hint:
      missing || folder
        ? 'name one YAML file; the bundled scenarios are in scenarios/, e.g. scenarios/smoke.yaml'
        : 'check that the file is readable',
  });
}

function syntaxError(file: string, doc: Document, lineCounter: LineCounter): ScenarioError {
  const issues = doc.errors.map((error): ScenarioIssue => {
    const { line, col } = positionOf(lineCounter, error.pos[0]);
    return { file, line, col, path: '', message: `YAML syntax error: ${error.message}` };
  });
  return new ScenarioError(file, issues, { cause: doc.errors[0] });
}

/** Gives each issue its line and column, in the order they appear in the file. */
function placeIssues(
  raw: readonly RawIssue[],
  file: string,
  doc: Document,
  lineCounter: LineCounter,
): ScenarioIssue[] {
  const placed = raw.map((issue) => {
    const offset = locateOffset(doc, issue.path, issue.atKey);
    const note = issue.note === undefined ? '' : `; ${issue.note}`;
    const message = `expected ${issue.expected}, got ${issue.got}${note}`;
    const position = positionOf(lineCounter, offset);
    return { offset, issue: { file, ...position, path: formatPath(issue.path), message } };
  });
  placed.sort((a, b) => a.offset - b.offset);
  return placed.map(({ issue }) => issue);
}

/** The `maxLost` a profile implies when the scenario leaves it out. */
export function defaultMaxLost(profile: Profile): number | null {
  return profile === 'safe' ? 0 : null;
}

function endSecOf(fault: ParsedScenario['faults'][number]): number {
  if (fault.kind === 'kill') return fault.atSec + fault.restartAfterSec;
  if (fault.kind === 'restart') return fault.atSec;
  return fault.atSec + fault.forSec;
}

/**
 * Fills the defaults that depend on other fields. `expect.maxLost` follows the scenario's
 * profile; a target that overrides the profile still shares it, so a scenario mixing profiles
 * should set `maxLost` itself.
 */
function resolveDefaults(parsed: ParsedScenario): Scenario {
  const faults = parsed.faults.map((fault) => ({ ...fault, endSec: endSecOf(fault) }));
  const maxLost =
    parsed.expect.maxLost === undefined ? defaultMaxLost(parsed.profile) : parsed.expect.maxLost;
  return { ...parsed, faults, expect: { ...parsed.expect, maxLost } };
}

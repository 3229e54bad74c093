import type { z } from 'zod';
import { MqbenchError } from '../core/errors.js';
import { closestMatch, discriminatorValuesAt, knownKeysAt } from './suggest.js';

/** A problem found in a scenario, before it is placed in the source. */
export interface RawIssue {
  path: readonly PropertyKey[];
  expected: string;
  got: string;
  /** Advice printed after the issue, such as a "did you mean". */
  note?: string;
  /** Point at the key of the last path segment rather than at its value. */
  atKey?: boolean;
}

/** One problem in a scenario file, printed as `file:line:col path: expected …, got …`. */
export interface ScenarioIssue {
  file: string;
  line: number;
  col: number;
  /** Dotted field path such as `faults[2].atSec`; empty for YAML syntax errors. */
  path: string;
  message: string;
}

/** Overrides for a {@link ScenarioError} that is not a list of issues. */
interface ScenarioErrorOptions {
  cause?: unknown;
  message?: string;
  hint?: string;
}

/** A scenario that cannot be read, parsed or validated; `issues` lists every problem found. */
export class ScenarioError extends MqbenchError {
  readonly file: string;
  readonly issues: readonly ScenarioIssue[];

  constructor(file: string, issues: readonly ScenarioIssue[], options: ScenarioErrorOptions = {}) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const lines = issues.map((issue) => `  ${formatIssue(issue)}`);
    super(options.message ?? `scenario ${file} has ${count}:\n${lines.join('\n')}`, {
      phase: 'scenario',
      scenario: file,
      cause: options.cause,
      hint: options.hint ?? 'fix the fields named above; scenarios/quickstart.yaml is an example',
    });
    this.name = 'ScenarioError';
    this.file = file;
    this.issues = issues;
  }
}

/** `file:line:col path: message`, the form editors and terminals turn into links. */
export function formatIssue(issue: ScenarioIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  return issue.path === ''
    ? `${where}: ${issue.message}`
    : `${where} ${issue.path}: ${issue.message}`;
}

/** A value as the user wrote it, for the "got" half of a message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return `a list of ${value.length} item(s)`;
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
};

function oneOf(values: readonly unknown[]): string {
  return `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`;
}

function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = small ? issue.minimum : issue.maximum;
  if (issue.origin === 'array') return `${small ? 'at least' : 'at most'} ${limit} item(s)`;
  if (issue.origin === 'string') return `${small ? 'at least' : 'at most'} ${limit} character(s)`;
  const operator = (small ? '>' : '<') + (issue.inclusive ? '=' : '');
  return `a number ${operator} ${limit}`;
}

function unknownKeys(
  issue: z.core.$ZodIssueUnrecognizedKeys,
  schema: z.ZodType,
  input: unknown,
): RawIssue[] {
  const known = knownKeysAt(schema, input, issue.path);
  return issue.keys.map((key) => {
    const suggestion = closestMatch(key, known);
    return {
      path: [...issue.path, key],
      atKey: true,
      expected: known.length > 0 ? `a known key (${known.join(', ')})` : 'a known key',
      got: `unknown key ${JSON.stringify(key)}`,
      ...(suggestion === undefined ? {} : { note: `did you mean "${suggestion}"?` }),
    };
  });
}

function unionMismatch(
  issue: z.core.$ZodIssueInvalidUnion,
  schema: z.ZodType,
  input: unknown,
): RawIssue {
  const discriminator = issue.discriminator;
  if (discriminator === undefined) {
    return {
      path: issue.path,
      expected: 'one of the allowed forms',
      got: describeValue(issue.input),
    };
  }
  const parentPath = issue.path.at(-1) === discriminator ? issue.path.slice(0, -1) : issue.path;
  const values = discriminatorValuesAt(schema, input, parentPath);
  const given = (issue.input as Record<string, unknown> | undefined)?.[discriminator];
  const suggestion = typeof given === 'string' ? closestMatch(given, values) : undefined;
  return {
    path: [...parentPath, discriminator],
    expected: oneOf(values),
    got: describeValue(given),
    ...(suggestion === undefined ? {} : { note: `did you mean "${suggestion}"?` }),
  };
}

function didYouMean(issue: z.core.$ZodIssueInvalidValue): { note?: string } {
  const known = issue.values.filter((value): value is string => typeof value === 'string');
  const suggestion = typeof issue.input === 'string' ? closestMatch(issue.input, known) : undefined;
  return suggestion === undefined ? {} : { note: `did you mean "${suggestion}"?` };
}

/** Turns one zod issue into messages that say what was expected and what was found. */
export function fromZodIssue(
  issue: z.core.$ZodIssue,
  schema: z.ZodType,
  input: unknown,
): RawIssue[] {
  const got = describeValue(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      return [{ path: issue.path, expected: TYPE_NAMES[issue.expected] ?? issue.expected, got }];
    case 'invalid_value':
      return [{ path: issue.path, expected: oneOf(issue.values), got, ...didYouMean(issue) }];
    case 'too_small':
    case 'too_big':
      return [{ path: issue.path, expected: bound(issue), got }];
    case 'invalid_format': {
      const pattern = issue.pattern ?? issue.format;
      return [{ path: issue.path, expected: `a string matching ${pattern}`, got }];
    }
    case 'unrecognized_keys':
      return unknownKeys(issue, schema, input);
    case 'invalid_union':
      return [unionMismatch(issue, schema, input)];
    default:
      return [{ path: issue.path, expected: issue.message, got }];
  }
}

/** Where in a run an error arose; the CLI prints it and the report stores it. */
export type Phase =
  | 'scenario'
  | 'install'
  | 'provision'
  | 'setup'
  | 'run'
  | 'drain'
  | 'report'
  | 'teardown';

export interface ErrorContext {
  phase: Phase;
  target?: string;
  scenario?: string;
  cause?: unknown;
  /** What the user can do about it, printed under the message. */
  hint?: string;
}

/**
 * The one base error of mqbench. Set-up failures throw it; failures during a run are
 * counted as data instead. The message states the bad value and what was expected.
 */
export class MqbenchError extends Error {
  readonly phase: Phase;
  readonly target: string | undefined;
  readonly scenario: string | undefined;
  readonly hint: string | undefined;

  constructor(message: string, context: ErrorContext) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'MqbenchError';
    this.phase = context.phase;
    this.target = context.target;
    this.scenario = context.scenario;
    this.hint = context.hint;
  }

  /** One line for a terminal: phase, target, message, then the hint on its own line. */
  describe(): string {
    const where = [this.phase, this.target].filter(Boolean).join('/');
    const hint = this.hint ? `\n  hint: ${this.hint}` : '';
    return `mqbench [${where}]: ${this.message}${hint}`;
  }
}

/** A missing binary, jar or package: names the thing and the command that installs it. */
export class MissingPrerequisiteError extends MqbenchError {
  constructor(what: string, installCommand: string, cause?: unknown) {
    super(`${what} is missing`, { phase: 'install', hint: `run: ${installCommand}`, cause });
    this.name = 'MissingPrerequisiteError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

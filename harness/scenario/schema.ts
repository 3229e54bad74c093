import { z } from 'zod';

/** The brokers mqbench can put under test. */
export const TARGET_NAMES = ['redis', 'rabbitmq', 'kafka'] as const;
/** Where a target's broker comes from: native processes, containers, or a URL we are given. */
export const PROVIDERS = ['local', 'docker', 'external'] as const;
/** Delivery profiles, named the same across brokers (see DESIGN.md, "Delivery profiles"). */
export const PROFILES = ['safe', 'fast'] as const;
/** Which way a toxic acts; `both` means one toxic per direction. */
export const DIRECTIONS = ['downstream', 'upstream', 'both'] as const;
/** Faults that act on the broker process, so they need a provider that owns the process. */
export const PROCESS_FAULT_KINDS = ['kill', 'pause', 'restart'] as const;

/** One broker under test. */
export type TargetName = (typeof TARGET_NAMES)[number];
/** How a target's broker is provisioned. */
export type Provider = (typeof PROVIDERS)[number];
/** `safe` is at-least-once and durable; `fast` is at-most-once. */
export type Profile = (typeof PROFILES)[number];
/** The direction of a toxic, seen from the client. */
export type Direction = (typeof DIRECTIONS)[number];

const targetName = z.enum(TARGET_NAMES);
const profile = z.enum(PROFILES);
const direction = z.enum(DIRECTIONS);
const nonNegativeInt = z.int().min(0);
const positiveInt = z.int().min(1);

const targetObject = z.strictObject({
  name: targetName,
  provider: z.enum(PROVIDERS).default('local'),
  url: z.string().min(1).optional(),
  profile: profile.optional(),
});

/** A target is written either as a bare name or as a mapping; the bare name is `{ name }`. */
export const targetSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { name: value } : value),
  targetObject,
);

export const workloadSchema = z.strictObject({
  producers: positiveInt.default(1),
  consumers: positiveInt.default(1),
  messageSizeBytes: z.int().min(64).max(1_048_576).default(1024),
  ratePerSec: z.number().positive(),
  durationSec: z.number().positive(),
  warmupSec: z.number().min(0).default(5),
  sendTimeoutMs: positiveInt.default(5000),
  partitions: positiveInt.default(1),
});

export const drainSchema = z.strictObject({
  timeoutSec: z.number().positive().default(60),
});

export const expectSchema = z.strictObject({
  maxLost: nonNegativeInt.nullable().optional(),
  maxUnexpected: nonNegativeInt.default(0),
  minAckedFraction: z.number().min(0).max(1).default(0.5),
});

/** Fields every fault has: when it starts, and which targets it hits (all when absent). */
const faultBase = {
  atSec: z.number().min(0),
  targets: z.array(targetName).min(1).optional(),
};
const forSec = z.number().positive();

const toxicFaults = [
  z.strictObject({
    kind: z.literal('latency'),
    ...faultBase,
    latencyMs: nonNegativeInt,
    jitterMs: nonNegativeInt.default(0),
    direction: direction.default('downstream'),
    forSec,
  }),
  z.strictObject({
    kind: z.literal('bandwidth'),
    ...faultBase,
    rateKBps: nonNegativeInt,
    direction: direction.default('downstream'),
    forSec,
  }),
  z.strictObject({
    kind: z.literal('timeout'),
    ...faultBase,
    timeoutMs: nonNegativeInt.default(0),
    direction: direction.default('both'),
    forSec,
  }),
  z.strictObject({
    kind: z.literal('reset_peer'),
    ...faultBase,
    timeoutMs: nonNegativeInt.default(0),
    direction: direction.default('both'),
    forSec,
  }),
  z.strictObject({
    kind: z.literal('slicer'),
    ...faultBase,
    averageSize: positiveInt,
    sizeVariation: nonNegativeInt.default(0),
    delayUs: nonNegativeInt.default(0),
    direction: direction.default('downstream'),
    forSec,
  }),
  z.strictObject({
    kind: z.literal('limit_data'),
    ...faultBase,
    bytes: positiveInt,
    direction: direction.default('downstream'),
    forSec,
  }),
] as const;

const otherFaults = [
  z.strictObject({ kind: z.literal('cut'), ...faultBase, forSec }),
  z.strictObject({
    kind: z.literal('kill'),
    ...faultBase,
    restartAfterSec: z.number().positive(),
  }),
  z.strictObject({ kind: z.literal('pause'), ...faultBase, forSec }),
  z.strictObject({ kind: z.literal('restart'), ...faultBase }),
] as const;

export const faultSchema = z.discriminatedUnion('kind', [...toxicFaults, ...otherFaults]);

/** The file as written, before defaults that depend on other fields are resolved. */
export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string().optional(),
  seed: z.int().optional(),
  targets: z.array(targetSchema).min(1),
  profile: profile.default('safe'),
  workload: workloadSchema,
  drain: drainSchema.default(() => ({ timeoutSec: 60 })),
  faults: z.array(faultSchema).default(() => []),
  expect: expectSchema.default(() => ({ maxUnexpected: 0, minAckedFraction: 0.5 })),
});

/** What zod hands back; `load.ts` turns it into a {@link Scenario}. */
export type ParsedScenario = z.output<typeof scenarioSchema>;

/** One broker under test, with where it comes from; `url` is set iff provider is external. */
export type TargetSpec = z.output<typeof targetObject>;
/** Load shape: producers pace an open loop at `ratePerSec` in total, for `durationSec`. */
export type Workload = z.output<typeof workloadSchema>;
/** How long the final drain may take before the verdict says `unknown`. */
export type Drain = z.output<typeof drainSchema>;

/** Thresholds for the verdict. `maxLost: null` leaves loss unchecked (the `fast` default). */
export interface Expect {
  maxLost: number | null;
  maxUnexpected: number;
  minAckedFraction: number;
}

type WithEndSec<F> = F extends unknown ? F & { endSec: number } : never;

/**
 * One fault on the timeline, as a union on `kind`. `endSec` is when it is healed: atSec +
 * forSec, atSec + restartAfterSec for `kill`, and atSec for the instant `restart`.
 */
export type FaultSpec = WithEndSec<z.output<typeof faultSchema>>;
/** The `kind` of a fault. */
export type FaultKind = FaultSpec['kind'];
/** A fault that signals or restarts the broker process. */
export type ProcessFaultKind = (typeof PROCESS_FAULT_KINDS)[number];

/** A validated scenario with every default filled; what the runner consumes. */
export interface Scenario {
  name: string;
  description?: string | undefined;
  /** Absent means the CLI picks one, prints it and writes it into the report. */
  seed?: number | undefined;
  targets: TargetSpec[];
  profile: Profile;
  workload: Workload;
  drain: Drain;
  faults: FaultSpec[];
  expect: Expect;
}

/** True for kill, pause and restart: faults a provider of kind `external` cannot inject. */
export function isProcessFault(kind: FaultKind): kind is ProcessFaultKind {
  return (PROCESS_FAULT_KINDS as readonly string[]).includes(kind);
}

/** The profile a target runs with: its own override, else the scenario's. */
export function targetProfile(scenario: Scenario, target: TargetSpec): Profile {
  return target.profile ?? scenario.profile;
}

/** The targets a fault applies to: those it names, else all of the scenario's. */
export function faultTargets(scenario: Scenario, fault: FaultSpec): TargetSpec[] {
  const names = fault.targets;
  if (names === undefined) return scenario.targets;
  return scenario.targets.filter((target) => names.includes(target.name));
}

import type { Settings, TargetName, ProviderKind } from '../providers/types.js';
import type { VerdictCounts, VerdictStatus } from '../ledger/verdict.js';

/** Bumped whenever a field changes meaning or moves; readers check it first. */
export const SCHEMA_VERSION = 1;

/** Percentiles of one HDR histogram, in microseconds, plus its compressed encoding. */
export interface LatencySummary {
  count: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  meanUs: number;
  /** hdr-histogram-js compressed base64; histograms merge exactly across runs. */
  encoded: string;
}

/** Corrected counts from the intended send time; uncorrected from the actual send. */
export interface LatencyPair {
  corrected: LatencySummary;
  uncorrected: LatencySummary;
}

/**
 * One second of the run. Counts are filed by when each event happened; the p99s (and the
 * per-second histograms) by the second in which each message was meant to be sent.
 */
export interface SecondSample {
  /** Seconds since the workload started; 0 is the first second. */
  sec: number;
  sent: number;
  acked: number;
  failed: number;
  indeterminate: number;
  received: number;
  /** Corrected p99s of the messages meant to be sent in this second, 0 when none. */
  publishP99Us: number;
  endToEndP99Us: number;
}

/** Figures measured inside one fault window [appliedAtSec, revertedAtSec). */
export interface WindowFigures {
  ackedPerSec: number;
  receivedPerSec: number;
  publishP99Us: number;
  endToEndP99Us: number;
}

/** A fault as it really struck, with the evidence that it did. */
export interface AppliedFault {
  index: number;
  kind: string;
  /** The fault as the scenario wrote it. */
  spec: Record<string, unknown>;
  plannedAtSec: number;
  appliedAtSec: number | null;
  revertedAtSec: number | null;
  /** Proxy state read back, pids before and after, connect probes, ... */
  evidence: Record<string, unknown>;
  error: string | null;
  window: WindowFigures | null;
}

/**
 * Latency in the seconds of the headline window outside every fault and its aftermath
 * (until acks and deliveries ran at the target rate again): the broker when nothing is
 * wrong, beside the headline.
 */
export interface SteadyStateFigures {
  seconds: number;
  publishP50Us: number;
  publishP99Us: number;
  endToEndP50Us: number;
  endToEndP99Us: number;
}

export interface ProxyResult {
  name: string;
  listenPort: number;
  upstreamPort: number;
  upstreamBytes: number;
  downstreamBytes: number;
  /** Payload bytes acked; the proxy must have carried at least this many. */
  ackedPayloadBytes: number;
  bypassed: boolean;
}

/** Signs that the harness, not the broker, set the pace. */
export interface HarnessHealth {
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  /** How late sends left against their slots, measured during the workload only. */
  scheduleSlipP99Ms: number;
  maxScheduleSlipMs: number;
  cpuUserSec: number;
  cpuSystemSec: number;
  harnessBound: boolean;
  note: string;
}

export interface ThroughputResult {
  targetRatePerSec: number;
  /** Acked messages per second over the headline window (warm-up excluded). */
  ackedPerSec: number;
  sentPerSec: number;
  receivedPerSec: number;
  /** Seconds of the headline window in which not one message was acked: the outages. */
  secondsWithoutAcks: number;
  headlineWindowSec: [number, number];
}

export interface TargetResult {
  name: TargetName;
  provider: ProviderKind;
  profile: 'safe' | 'fast';
  brokerVersion: string;
  clientLibrary: string;
  settings: { broker: Settings; client: Settings; durabilityNote: string };
  verdict: {
    status: VerdictStatus;
    reasons: string[];
    drained: boolean;
    counts: VerdictCounts;
  };
  throughput: ThroughputResult;
  /** Headline latency, warm-up excluded. */
  latency: { publish: LatencyPair; endToEnd: LatencyPair };
  steadyState: SteadyStateFigures;
  series: SecondSample[];
  /**
   * One encoded corrected histogram per intended send second, for exact percentiles of the
   * messages meant to be sent inside a window.
   */
  perSecondHistograms: { publish: string[]; endToEnd: string[] };
  faults: AppliedFault[];
  proxy: ProxyResult;
  drain: { drained: boolean; remaining: number; detail: string; durationMs: number };
  harness: HarnessHealth;
  clientStats: {
    producerReconnects: number;
    consumerReconnects: number;
    resends: number;
    errors: Record<string, number>;
  };
  /** A set-up error that stopped this target; its verdict is then `unknown`. */
  error: string | null;
  timings: { startedAt: string; provisionMs: number; workloadMs: number; drainMs: number };
}

export interface RunResult {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'mqbench'; version: string };
  runId: string;
  scenario: { name: string; file: string; description: string };
  seed: number;
  /** True when a signal stopped the run early: every figure covers only what ran. */
  interrupted: boolean;
  startedAt: string;
  finishedAt: string;
  host: { node: string; platform: string; cpus: number; memoryGiB: number };
  workload: {
    producers: number;
    consumers: number;
    messageSizeBytes: number;
    ratePerSec: number;
    durationSec: number;
    warmupSec: number;
    sendTimeoutMs: number;
  };
  targets: TargetResult[];
}

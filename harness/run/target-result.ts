import { errorMessage } from '../core/errors.js';
import type { Expectations } from '../ledger/index.js';
import { emptyCounts, judge } from '../ledger/index.js';
import { proxyBypassed } from '../proxy/proxy-control.js';
import type { ProxyBytes } from '../proxy/proxy-control.js';
import { sleep } from '../core/time.js';
import type { ProxyResult, TargetResult } from '../report/result.js';
import type { Scenario, TargetSpec } from '../scenario/index.js';
import { defaultMaxLost, targetProfile } from '../scenario/index.js';
import type { TargetRunOutput } from './target-run.js';
import { meanPerSec, steadyStateFigures, windowFigures } from './windows.js';

const NO_LIMIT = Number.MAX_SAFE_INTEGER;

export function expectationsFor(scenario: Scenario, target: TargetSpec): Expectations {
  const profile = targetProfile(scenario, target);
  const maxLost =
    scenario.expect.maxLost === undefined ? defaultMaxLost(profile) : scenario.expect.maxLost;
  return {
    maxLost: maxLost ?? NO_LIMIT,
    maxUnexpected: scenario.expect.maxUnexpected,
    minAckedFraction: scenario.expect.minAckedFraction,
  };
}

/** kill -9 keeps the OS page cache: say so next to each broker's fsync setting. */
export function durabilityNote(target: string, profile: string): string {
  const base = 'kill -9 keeps the OS page cache, so it tests a process crash, not a power loss.';
  if (target === 'redis') {
    return profile === 'safe'
      ? `AOF with appendfsync always: each write is fsynced before the reply. ${base}`
      : `No AOF and no snapshots: a kill -9 loses the whole stream. ${base}`;
  }
  if (target === 'kafka') {
    const kafka =
      'Kafka acks once the write reaches the page cache; it does not fsync per message.';
    return `${kafka} ${base}`;
  }
  return `Quorum queues fsync their log before confirming. ${base}`;
}

/** Turns a finished target run into its versioned result, verdict included. */
export async function buildTargetResult(
  scenario: Scenario,
  target: TargetSpec,
  out: TargetRunOutput,
  startedAt: string,
): Promise<TargetResult> {
  const w = scenario.workload;
  const series = out.recorder.series();
  const histograms = out.recorder.perSecondHistograms();
  const faults = out.timeline.applied.map((f) => ({
    ...f,
    window: windowFigures(f, (c, a, b) => out.recorder.countBetween(c, a, b), histograms),
  }));
  const counts = out.ledger.counts();
  const proxy = await proxyResult(out, counts.acked * w.messageSizeBytes);
  const verdict = judge(counts, expectationsFor(scenario, target), out.drain.drained);
  if (proxy.bypassed) {
    verdict.status = 'fail';
    verdict.reasons.unshift(
      `traffic bypassed the proxy: it carried ${proxy.upstreamBytes} bytes upstream but ` +
        `${proxy.ackedPayloadBytes} payload bytes were acked, so the faults missed the clients`,
    );
  }
  for (const fault of faults) {
    if (fault.error) verdict.reasons.push(`fault ${fault.index} (${fault.kind}): ${fault.error}`);
  }
  const profile = targetProfile(scenario, target);
  // An interrupted run has fewer seconds than planned: average over those it had.
  const headlineEnd = Math.max(w.warmupSec + 1, Math.min(w.durationSec, series.length));
  return {
    name: target.name,
    provider: target.provider,
    profile,
    brokerVersion: out.broker.version,
    clientLibrary: out.adapter.clientLibrary,
    settings: {
      broker: out.broker.settings,
      client: out.adapter.settings,
      durabilityNote: durabilityNote(target.name, profile),
    },
    verdict: { status: verdict.status, reasons: verdict.reasons, drained: verdict.drained, counts },
    throughput: {
      targetRatePerSec: w.ratePerSec,
      ackedPerSec: meanPerSec(series, w.warmupSec, headlineEnd, (s) => s.acked),
      sentPerSec: meanPerSec(series, w.warmupSec, headlineEnd, (s) => s.sent),
      receivedPerSec: meanPerSec(series, w.warmupSec, headlineEnd, (s) => s.received),
      secondsWithoutAcks: series
        .slice(Math.ceil(w.warmupSec), Math.floor(headlineEnd))
        .filter((s) => s.acked === 0).length,
      headlineWindowSec: [w.warmupSec, headlineEnd],
    },
    latency: out.recorder.latency(),
    steadyState: steadyStateFigures(faults, series, w.ratePerSec, histograms, [
      w.warmupSec,
      headlineEnd,
    ]),
    series,
    perSecondHistograms: histograms,
    faults,
    proxy,
    drain: out.drain,
    harness: out.monitor.finish(),
    clientStats: {
      producerReconnects: out.adapter.stats.producerReconnects,
      consumerReconnects: out.adapter.stats.consumerReconnects,
      resends: counts.resends,
      errors: out.adapter.stats.errors,
    },
    error: null,
    timings: {
      startedAt,
      provisionMs: out.provisionMs,
      workloadMs: out.workloadMs,
      drainMs: out.drain.durationMs,
    },
  };
}

/**
 * Toxiproxy counts a connection's bytes when it closes; the clients are closed by now.
 * A proxy that carried fewer bytes than the payload acked was routed around.
 */
async function proxyResult(out: TargetRunOutput, ackedPayloadBytes: number): Promise<ProxyResult> {
  let bytes = { upstreamBytes: 0, downstreamBytes: 0 };
  try {
    await out.proxy.setEnabled(false);
    bytes = await settledBytes(out);
  } catch (error) {
    out.adapter.stats.errors[`proxy metrics: ${errorMessage(error)}`] = 1;
  }
  return {
    name: out.proxy.name,
    listenPort: out.proxy.listenPort,
    upstreamPort: out.proxy.upstreamPort,
    ...bytes,
    ackedPayloadBytes,
    bypassed: proxyBypassed(bytes.upstreamBytes, ackedPayloadBytes),
  };
}

/** Disabling the proxy closes its links; their counts land a moment later, so read until stable. */
async function settledBytes(out: TargetRunOutput): Promise<ProxyBytes> {
  let previous = await out.proxy.bytes();
  for (let i = 0; i < 10; i++) {
    await sleep(200);
    const next = await out.proxy.bytes();
    const same = next.upstreamBytes === previous.upstreamBytes;
    if (same && next.downstreamBytes === previous.downstreamBytes) return next;
    previous = next;
  }
  return previous;
}

/** A target that could not run: verdict unknown, the error kept for the report. */
export function failedTargetResult(
  scenario: Scenario,
  target: TargetSpec,
  error: unknown,
): TargetResult {
  const empty = {
    count: 0,
    p50Us: 0,
    p90Us: 0,
    p99Us: 0,
    p999Us: 0,
    maxUs: 0,
    meanUs: 0,
    encoded: '',
  };
  const pair = { corrected: empty, uncorrected: empty };
  const w = scenario.workload;
  return {
    name: target.name,
    provider: target.provider,
    profile: targetProfile(scenario, target),
    brokerVersion: 'unknown',
    clientLibrary: 'unknown',
    settings: { broker: {}, client: {}, durabilityNote: '' },
    verdict: {
      status: 'unknown',
      reasons: [errorMessage(error)],
      drained: false,
      counts: emptyCounts(),
    },
    throughput: {
      targetRatePerSec: w.ratePerSec,
      ackedPerSec: 0,
      sentPerSec: 0,
      receivedPerSec: 0,
      secondsWithoutAcks: 0,
      headlineWindowSec: [w.warmupSec, w.durationSec],
    },
    latency: { publish: pair, endToEnd: pair },
    steadyState: {
      seconds: 0,
      publishP50Us: 0,
      publishP99Us: 0,
      endToEndP50Us: 0,
      endToEndP99Us: 0,
    },
    series: [],
    perSecondHistograms: { publish: [], endToEnd: [] },
    faults: [],
    proxy: {
      name: target.name,
      listenPort: 0,
      upstreamPort: 0,
      upstreamBytes: 0,
      downstreamBytes: 0,
      ackedPayloadBytes: 0,
      bypassed: false,
    },
    drain: { drained: false, remaining: Number.NaN, detail: 'not run', durationMs: 0 },
    harness: {
      eventLoopLagP99Ms: 0,
      eventLoopLagMaxMs: 0,
      scheduleSlipP99Ms: 0,
      maxScheduleSlipMs: 0,
      cpuUserSec: 0,
      cpuSystemSec: 0,
      harnessBound: false,
      note: 'not run',
    },
    clientStats: { producerReconnects: 0, consumerReconnects: 0, resends: 0, errors: {} },
    error: errorMessage(error),
    timings: { startedAt: new Date().toISOString(), provisionMs: 0, workloadMs: 0, drainMs: 0 },
  };
}

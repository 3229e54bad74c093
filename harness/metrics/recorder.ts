import type { Histogram } from 'hdr-histogram-js';
import type { LatencyPair, SecondSample } from '../report/result.js';
import { encodeHistogram, newLatencyHistogram, recordUs, summarize } from './histogram.js';

type Counter = 'sent' | 'acked' | 'failed' | 'indeterminate' | 'received';

interface Second {
  counts: Record<Counter, number>;
  publish: Histogram | undefined;
  endToEnd: Histogram | undefined;
}

/**
 * Latency histograms and per-second counts of one target's run. Times are microseconds on
 * the process's monotonic clock; `originUs` is the workload's start. Headline histograms
 * take only messages whose intended send time lies after the warm-up.
 */
export class Recorder {
  private readonly seconds: Second[] = [];
  private readonly publishCorrected = newLatencyHistogram();
  private readonly publishUncorrected = newLatencyHistogram();
  private readonly e2eCorrected = newLatencyHistogram();
  private readonly e2eUncorrected = newLatencyHistogram();
  /** Acks and deliveries per tenth of a second, so a fault window's counts are exact. */
  private readonly tenths: Record<'acked' | 'received', number[]> = { acked: [], received: [] };
  private originUs: number;
  private warmupEndUs: number;

  constructor(
    originUs: number,
    private readonly warmupSec: number,
  ) {
    this.originUs = originUs;
    this.warmupEndUs = originUs + warmupSec * 1e6;
  }

  /** Moves the workload's start, before anything was recorded (clients open slowly). */
  startAt(originUs: number): void {
    this.originUs = originUs;
    this.warmupEndUs = originUs + this.warmupSec * 1e6;
  }

  get workloadOriginUs(): number {
    return this.originUs;
  }

  count(counter: Counter, atUs: number): void {
    this.second(atUs).counts[counter]++;
    if (counter === 'acked' || counter === 'received') this.countTenth(counter, atUs);
  }

  /** Acks or deliveries that happened in [fromSec, toSec), to a tenth of a second. */
  countBetween(counter: 'acked' | 'received', fromSec: number, toSec: number): number {
    const buckets = this.tenths[counter];
    let sum = 0;
    for (let i = Math.max(0, Math.round(fromSec * 10)); i < Math.round(toSec * 10); i++) {
      sum += buckets[i] ?? 0;
    }
    return sum;
  }

  private countTenth(counter: 'acked' | 'received', atUs: number): void {
    const index = Math.max(0, Math.floor((atUs - this.originUs) / 1e5));
    const buckets = this.tenths[counter];
    while (buckets.length <= index) buckets.push(0);
    buckets[index] = (buckets[index] ?? 0) + 1;
  }

  /**
   * A settled publish: ack time against intended and actual send times. The per-second
   * histograms file a message under the second it was meant to be sent, so a backlog that
   * lands after an outage counts against the outage, not against the quiet second after it.
   */
  publishSettled(intendedUs: number, sentUs: number, settledUs: number): void {
    const second = this.second(intendedUs);
    second.publish ??= newLatencyHistogram();
    recordUs(second.publish, settledUs - intendedUs);
    if (intendedUs < this.warmupEndUs) return;
    recordUs(this.publishCorrected, settledUs - intendedUs);
    recordUs(this.publishUncorrected, settledUs - sentUs);
  }

  delivered(intendedUs: number, sentUs: number, receivedUs: number): void {
    this.count('received', receivedUs);
    const second = this.second(intendedUs);
    second.endToEnd ??= newLatencyHistogram();
    recordUs(second.endToEnd, receivedUs - intendedUs);
    if (intendedUs < this.warmupEndUs) return;
    recordUs(this.e2eCorrected, receivedUs - intendedUs);
    recordUs(this.e2eUncorrected, receivedUs - sentUs);
  }

  latency(): { publish: LatencyPair; endToEnd: LatencyPair } {
    return {
      publish: {
        corrected: summarize(this.publishCorrected),
        uncorrected: summarize(this.publishUncorrected),
      },
      endToEnd: {
        corrected: summarize(this.e2eCorrected),
        uncorrected: summarize(this.e2eUncorrected),
      },
    };
  }

  series(): SecondSample[] {
    return this.seconds.map((s, sec) => ({
      sec,
      ...s.counts,
      publishP99Us: s.publish ? s.publish.getValueAtPercentile(99) : 0,
      endToEndP99Us: s.endToEnd ? s.endToEnd.getValueAtPercentile(99) : 0,
    }));
  }

  perSecondHistograms(): { publish: string[]; endToEnd: string[] } {
    return {
      publish: this.seconds.map((s) => (s.publish ? encodeHistogram(s.publish) : '')),
      endToEnd: this.seconds.map((s) => (s.endToEnd ? encodeHistogram(s.endToEnd) : '')),
    };
  }

  private second(atUs: number): Second {
    const index = Math.max(0, Math.floor((atUs - this.originUs) / 1e6));
    while (this.seconds.length <= index) {
      this.seconds.push({
        counts: { sent: 0, acked: 0, failed: 0, indeterminate: 0, received: 0 },
        publish: undefined,
        endToEnd: undefined,
      });
    }
    return this.seconds[index] as Second;
  }
}

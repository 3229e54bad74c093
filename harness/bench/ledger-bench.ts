/**
 * How fast the ledger records and how much memory it holds, with no broker involved.
 *
 *   npx tsx harness/bench/ledger-bench.ts [messages]      (default 10,000,000)
 *
 * Each message gets an attempt, an ack and one delivery, spread over 4 producers. The ledger
 * starts at its default capacity, so growth by doubling is part of the measured time. Run with
 * `node --expose-gc --import tsx` for steadier heap figures.
 */
import { Ledger } from '../ledger/ledger.js';

const PRODUCERS = 4;
const DEFAULT_MESSAGES = 10_000_000;

function parseMessages(arg: string | undefined): number {
  if (arg === undefined) return DEFAULT_MESSAGES;
  const messages = Number(arg.replaceAll('_', ''));
  if (!Number.isInteger(messages) || messages < 1) {
    throw new RangeError(`messages must be a positive integer, got ${JSON.stringify(arg)}`);
  }
  return messages;
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function record(ledger: Ledger, messages: number): void {
  for (let i = 0; i < messages; i++) {
    const producerId = i % PRODUCERS;
    const seq = Math.floor(i / PRODUCERS);
    ledger.recordAttempt(producerId, seq);
    ledger.recordSettlement(producerId, seq, 'acked');
    ledger.recordDelivery(producerId, seq);
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function main(): void {
  const messages = parseMessages(process.argv[2]);
  collectGarbage();
  const before = process.memoryUsage();

  const ledger = new Ledger(PRODUCERS);
  const recordStartMs = performance.now();
  record(ledger, messages);
  const recordMs = performance.now() - recordStartMs;

  const countsStartMs = performance.now();
  const counts = ledger.counts();
  const countsMs = performance.now() - countsStartMs;

  collectGarbage();
  const after = process.memoryUsage();
  const ops = 3 * messages;
  const ledgerBytes = ledger.memoryBytes();

  console.log(`messages            ${messages} over ${PRODUCERS} producers`);
  console.log(`record ops          ${ops} (attempt + settlement + delivery)`);
  console.log(`record elapsed      ${recordMs.toFixed(0)} ms`);
  console.log(`record ops/sec      ${Math.round(ops / (recordMs / 1000))}`);
  console.log(`messages/sec        ${Math.round(messages / (recordMs / 1000))}`);
  console.log(`counts() elapsed    ${countsMs.toFixed(0)} ms`);
  console.log(`ledger memoryBytes  ${ledgerBytes} (${mib(ledgerBytes)})`);
  console.log(`bytes per message   ${(ledgerBytes / messages).toFixed(3)}`);
  console.log(`rss delta           ${mib(after.rss - before.rss)}`);
  console.log(`heapUsed delta      ${mib(after.heapUsed - before.heapUsed)}`);
  console.log(`arrayBuffers delta  ${mib(after.arrayBuffers - before.arrayBuffers)}`);
  console.log(`check               ok=${counts.ok} attempted=${counts.attempted}`);
}

main();

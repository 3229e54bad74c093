export { Ledger } from './ledger.js';
export type { DeliveryKind, SettlementOutcome } from './ledger.js';
export { checkClassesSum, emptyCounts, judge } from './verdict.js';
export type { Expectations, Verdict, VerdictCounts, VerdictStatus } from './verdict.js';

import { nowUs } from '../core/time.js';
import type { Ledger } from '../ledger/index.js';
import type { Recorder } from '../metrics/recorder.js';
import { decodeMessage } from './message.js';

/**
 * Hands each delivery to the ledger and the recorder. End-to-end latency is taken on a
 * message's first delivery only; a redelivery after a crash is a duplicate, counted apart.
 */
export function deliveryHandler(ledger: Ledger, recorder: Recorder, runTag: number) {
  return (body: Buffer): void => {
    const receivedUs = nowUs();
    const decoded = decodeMessage(body, runTag);
    if (!decoded.ok) {
      recorder.count('received', receivedUs);
      ledger.recordUnexpected(`${decoded.reason}: ${decoded.detail}`);
      return;
    }
    const { producerId, seq, intendedUs, sentUs } = decoded.header;
    const kind = ledger.recordDelivery(producerId, seq);
    if (kind === 'first') recorder.delivered(intendedUs, sentUs, receivedUs);
    else recorder.count('received', receivedUs);
  };
}

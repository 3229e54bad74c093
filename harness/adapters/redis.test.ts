import { describe, expect, it } from 'vitest';
import { classifySendError } from './redis.js';

describe('how a failed XADD settles', () => {
  const classify = (message: string) => {
    let reconnects = 0;
    const result = classifySendError(new Error(message), () => reconnects++);
    return { outcome: result.outcome, reconnects };
  };

  it('is failed when ioredis refused to write the command at all', () => {
    const refused = "Stream isn't writeable and enableOfflineQueue options is false";
    expect(classify(refused)).toEqual({ outcome: 'failed', reconnects: 0 });
  });

  it('is indeterminate when the connection closed with the command in flight', () => {
    expect(classify('Connection is closed.')).toEqual({ outcome: 'indeterminate', reconnects: 0 });
  });

  it('is indeterminate after a timeout, and asks for a fresh socket', () => {
    expect(classify('Command timed out')).toEqual({ outcome: 'indeterminate', reconnects: 1 });
  });

  it('is failed when Redis answered with an error', () => {
    expect(classify('MISCONF Redis is configured to save RDB snapshots')).toEqual({
      outcome: 'failed',
      reconnects: 0,
    });
  });
});

import type { Readable } from 'node:stream';

/**
 * Resolves when a line containing `marker` arrives on a text stream (a followed container
 * log). Rejects when the stream ends first, which for a followed log means the container
 * stopped, or after `timeoutMs`. It only listens: the stream keeps flowing to its other
 * readers, such as the log file.
 */
export function waitForLine(stream: Readable, marker: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // A chunk may end mid-line, so the unfinished tail is kept for the next one.
    let pending = '';
    const cleanup = () => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      if (lines.some((line) => line.includes(marker))) finish();
    };
    const finish = (error?: Error) => {
      cleanup();
      if (error) reject(error);
      else resolve();
    };
    const onEnd = () => {
      if (pending.includes(marker)) finish();
      else finish(new Error(`the log ended before "${marker}": the container stopped`));
    };
    const onError = (error: Error) => finish(error);
    const timer = setTimeout(
      () => finish(new Error(`no "${marker}" in the log within ${timeoutMs} ms`)),
      timeoutMs,
    );
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

import { connect } from 'amqplib';
import type { ChannelModel } from 'amqplib';
import { withTimeout } from '../core/time.js';
import type { ClientEndpoint } from './types.js';

export const CLIENT_LIBRARY = 'amqplib 2.3.1';

export interface AmqpConnectOptions {
  heartbeatSec: number;
  connectTimeoutMs: number;
  /** Shown by the broker next to the connection, so a log line names the client. */
  connectionName: string;
  onError: (error: unknown) => void;
}

/**
 * Opens one AMQP connection through the proxy within connectTimeoutMs, handshake included.
 * amqplib's socket timeout covers the handshake too; our own timer is the backstop. A
 * connection that opens after we gave up is destroyed, so none leaks. The `error` listener
 * is attached before anyone awaits the connection: without one, a single socket error or
 * heartbeat timeout would crash the process.
 */
export async function openConnection(
  endpoint: ClientEndpoint,
  options: AmqpConnectOptions,
): Promise<ChannelModel> {
  let gaveUp = false;
  const opening = connect(
    {
      protocol: 'amqp',
      hostname: endpoint.host,
      port: endpoint.port,
      username: 'guest',
      password: 'guest',
      heartbeat: options.heartbeatSec,
    },
    {
      timeout: options.connectTimeoutMs,
      noDelay: true,
      clientProperties: { connection_name: options.connectionName },
    },
  ).then((model) => {
    model.on('error', (error: unknown) => {
      if (!(error instanceof DeliberateDrop)) options.onError(error);
    });
    if (gaveUp) destroyConnection(model, 'opened after the connect deadline');
    return model;
  });
  try {
    return await withTimeout(
      opening,
      options.connectTimeoutMs + 250,
      `AMQP connect to ${endpoint.host}:${endpoint.port}`,
    );
  } catch (error) {
    gaveUp = true;
    opening.catch(() => undefined);
    throw error;
  }
}

/** The error we destroy a socket with; not counted as a client error. */
class DeliberateDrop extends Error {
  override readonly name = 'DeliberateDrop';
}

interface SocketHolder {
  stream?: { destroy(error?: Error): void };
}

/**
 * Drops a connection at once. A clean close() sends Connection.Close and waits for CloseOk,
 * which never comes over a black-holed path. Destroying the socket with an error makes
 * amqplib close every channel, fail their pending confirms and emit `close`; it exposes no
 * public call for that, so we reach for its socket.
 */
export function destroyConnection(model: ChannelModel, reason: string): void {
  const socket = (model.connection as unknown as SocketHolder).stream;
  if (socket && typeof socket.destroy === 'function') {
    socket.destroy(new DeliberateDrop(reason));
    return;
  }
  model.close().catch(() => undefined);
}

/** A clean close within timeoutMs, else the socket is destroyed. Never throws. */
export async function closeConnection(model: ChannelModel, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(model.close(), timeoutMs, 'AMQP connection close');
  } catch {
    destroyConnection(model, 'close timed out or failed');
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

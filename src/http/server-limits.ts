// What one slow or greedy client may hold of the server: time to send headers and the whole request, an
// idle keep-alive connection, and connections in total and per address. Documented in the README
// (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS).
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

export interface ServerLimits {
  /** The longest a client may take to send a request's headers, in ms (slow-header attacks). */
  headersTimeoutMs: number;
  /** The longest a client may take to send a whole request, body included, in ms (slow bodies, short bodies). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after an answer, in ms. */
  keepAliveTimeoutMs: number;
  /** Open connections in total; more are closed at once. */
  maxConnections: number;
  /** Open connections from one address (behind a reverse proxy: the proxy's); more are closed at once. */
  maxConnectionsPerAddress: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 10_000,
  maxConnectionsPerAddress: 1_000,
};

// Node checks the two request timeouts on this interval (30 s by default, which lets a slow client
// keep a connection up to half a minute past its limit).
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** The options Fastify passes to Node's HTTP server for these limits. */
export function serverOptions(limits: ServerLimits): { keepAliveTimeout: number; requestTimeout: number; http: ServerOptions } {
  return {
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
  };
}

/** Caps the connections of a listening server, in total and per client address. */
export function capConnections(server: Server, limits: ServerLimits): void {
  server.maxConnections = limits.maxConnections;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.maxConnectionsPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

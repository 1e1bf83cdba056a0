// What a slow or greedy client may hold of the server: it must send its headers and its whole request
// in time, an idle keep-alive connection is closed, and one address opens only so many connections.
// Each limit answers in the error shape (408) or closes the connection; the server goes on serving.
import type { FastifyInstance } from 'fastify';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { ServerLimits } from '../../src/http/server-limits.js';
import { createLogger } from '../../src/lib/logger.js';
import { buildWorld } from '../support/factories.js';
import { openTestStore, type TestStore } from '../support/stores.js';

const LIMITS: ServerLimits = { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 1_000, maxConnections: 100, maxConnectionsPerAddress: 3 };
// Far beyond every limit above: a connection still open by then was never timed out.
const NEVER = 15_000;

interface RawConnection {
  socket: net.Socket;
  received(): string;
  /** Resolves once the server closed the connection, with what it sent; rejects after NEVER ms. */
  closed: Promise<string>;
}

function connect(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', () => undefined);
    const closed = new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`the server kept the connection open; it sent: ${data}`)), NEVER);
      socket.on('close', () => {
        clearTimeout(timer);
        done(data);
      });
    });
    closed.catch(() => undefined);
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

describe('limits on slow and greedy clients', () => {
  let db: TestStore;
  let app: FastifyInstance;
  let port = 0;
  const open: net.Socket[] = [];

  beforeEach(async () => {
    db = await openTestStore('sqlite');
    const world = await buildWorld(db.store);
    app = await buildApp({ deps: world.deps, logger: createLogger('silent'), publicUrl: 'http://127.0.0.1', limits: LIMITS });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as net.AddressInfo).port;
  });
  afterEach(async () => {
    for (const socket of open.splice(0)) socket.destroy();
    await app?.close();
    await db?.dispose();
  });
  const tracked = async () => {
    const connection = await connect(port);
    open.push(connection.socket);
    return connection;
  };
  const healthy = async () => expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

  it('a client that trickles its headers and never ends them gets 408 REQUEST_TIMEOUT and is disconnected', async () => {
    const slow = await tracked();
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => slow.socket.writable && slow.socket.write(`X-Slow-${Math.floor(performance.now())}: 1\r\n`), 200);
    try {
      const answer = await slow.closed;
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
    } finally {
      clearInterval(trickle);
    }
    await healthy();
  });

  it('a request whose body is shorter than its Content-Length gets 408 REQUEST_TIMEOUT instead of waiting forever', async () => {
    const short = await tracked();
    short.socket.write('POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":');
    const answer = await short.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    await healthy();
  });

  it('an idle keep-alive connection is closed after its timeout', async () => {
    const idle = await tracked();
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const answer = await idle.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('one address holds only so many connections: one more is closed at once, and a freed place can be used again', async () => {
    const held = [await tracked(), await tracked(), await tracked()];
    const extra = await tracked();
    expect(await extra.closed).toBe('');
    held[0]!.socket.destroy();
    await held[0]!.closed;
    const again = await tracked();
    again.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(await again.closed).toMatch(/^HTTP\/1\.1 200 /);
  });
});

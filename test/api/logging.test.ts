// What the server logs while people sign in, use tokens, connect channels and write to customers:
// requests are logged, but never a password, a session, a token, a provider secret or a message body.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { hashPassword } from '../../src/modules/users/password.js';
import { insertUser } from '../../src/modules/users/user.repo.js';
import { buildWorld, newAddress, type World } from '../support/factories.js';
import { ENGINES, openTestStore, type TestStore } from '../support/stores.js';

const PASSWORD = 'a-password-nobody-may-log';
const ACCESS_TOKEN = 'EAAG-provider-token-nobody-may-log';
const APP_SECRET = 'provider-app-secret-nobody-may-log';
const MESSAGE = 'My card number is 4111 1111 1111 1111';
const VERIFY_TOKEN = 'tbv_verify-token-nobody-may-log';

describe.each(ENGINES)('server logs (%s)', (engine) => {
  let db: TestStore;
  let world: World;
  let lines: string[];
  let close: () => Promise<void>;
  let url: string;

  beforeEach(async () => {
    db = await openTestStore(engine);
    world = await buildWorld(db.store);
    lines = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    // The most verbose level: what is safe there is safe at info.
    const app = await buildApp({ deps: world.deps, logger: createLogger('trace', sink), publicUrl: 'http://127.0.0.1' });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    close = async () => {
      await app.close();
      await db.dispose();
    };
  });
  afterEach(() => close());

  async function call(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), origin: url, ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json().catch(() => null)) as any };
  }

  it('log requests and their outcome, without passwords, cookies, tokens, provider secrets or message bodies', async () => {
    const user = await insertUser(db.store.db, { workspaceId: world.workspaceId, email: 'admin@brand.test', name: 'Admin', role: 'admin', passwordHash: await hashPassword(PASSWORD) }, world.clock.now());
    expect((await call('POST', '/api/auth/login', { body: { email: user.email, password: 'wrong-password-also-secret' } })).status).toBe(401);
    const login = await call('POST', '/api/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const session = cookie.split('=')[1]!;
    const token = (await call('POST', '/api/tokens', { body: { name: 'CRM' }, headers: { cookie } })).body.token as string;
    const bearer = { authorization: `Bearer ${token}` };

    const channel = await call('POST', '/api/channels', {
      headers: bearer,
      body: { kind: 'whatsapp', name: 'Line', settings: { phoneNumberId: '123456789012' }, secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET } },
    });
    expect(channel.status).toBe(201);
    const started = await call('POST', '/api/tickets', {
      headers: bearer,
      body: { channelId: world.channels.email.id, contact: { address: newAddress('email') }, message: { kind: 'text', body: MESSAGE, subject: 'Card' } },
    });
    expect(started.status).toBe(201);
    await call('POST', `/api/tickets/${started.body.ticket.id}/notes`, { headers: { cookie }, body: { body: MESSAGE } });
    await call('POST', '/api/tickets', { headers: bearer, body: '{"not json' as unknown });
    await call('POST', '/api/auth/logout', { headers: { cookie } });

    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(10);
    expect(log).toContain('"url":"/api/tickets"');
    for (const secret of [PASSWORD, 'wrong-password-also-secret', session, token, ACCESS_TOKEN, APP_SECRET, MESSAGE, '4111']) {
      expect(log, `the log contains ${secret}`).not.toContain(secret);
    }
  });

  it('log request URLs without the verify token of Meta\'s handshake or any other credential in the query string', async () => {
    await insertChannel(db.store.db, { workspaceId: world.workspaceId, kind: 'whatsapp', name: 'Line', externalId: '200000000000777', config: { verifyToken: VERIFY_TOKEN } }, world.clock.now());
    const ok = await call('GET', `/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=31337&hub.verify_token=${VERIFY_TOKEN}`);
    expect(ok.status).toBe(200);
    expect((await call('GET', `/webhooks/instagram?hub.mode=subscribe&hub.challenge=1&hub%2Everify_token=${VERIFY_TOKEN}-encoded-name`)).status).toBe(403);
    const credentials = ['access_token=at-nobody-may-log', 'client_secret=cs-nobody-may-log', 'password=pw-nobody-may-log', 'api_key=ak-nobody-may-log', 'sessionId=sid-nobody-may-log'];
    await call('GET', `/api/tickets?status=open&${credentials.join('&')}`);

    const log = lines.join('\n');
    expect(log).toContain('hub.verify_token=[redacted]');
    expect(log).toContain('hub.challenge=31337');
    expect(log).toContain('status=open');
    for (const secret of [VERIFY_TOKEN, 'nobody-may-log']) expect(log, `the log contains ${secret}`).not.toContain(secret);
  });

  it("every log line of a request and every answer carry the request's id: a proxy's X-Request-Id when it is a plain token, else one of ours", async () => {
    const kept = await call('GET', '/api/auth/me', { headers: { 'x-request-id': 'edge-7f3a.42' } });
    expect(kept.status).toBe(401);
    expect(kept.headers.get('x-request-id')).toBe('edge-7f3a.42');
    expect(kept.body.error.requestId).toBe('edge-7f3a.42');
    const ours = await call('GET', '/healthz', { headers: { 'x-request-id': 'not a token <script>' } });
    const id = ours.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lineOf = (reqId: string) => lines.map((line) => JSON.parse(line) as { reqId?: string; msg?: string }).filter((line) => line.reqId === reqId);
    expect(lineOf('edge-7f3a.42').map((line) => line.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    expect(lineOf(id).length).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).not.toContain('<script>');
  });
});

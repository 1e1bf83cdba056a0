// Password guessing is slowed, never turned into a lockout: counted in the store per account at an
// address and per address, shared by every server process, and keyed on the real client address behind
// a trusted proxy (src/domain/sign-in-throttle.ts has the rule).
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { PASSWORD, useApi, type ApiContext } from '../support/api.js';
import { ENGINES } from '../support/stores.js';

const signIn = (api: ApiContext, email: string, password: string, from?: string) =>
  api.call('POST', '/api/auth/login', { body: { email, password }, ...(from ? { headers: { 'x-forwarded-for': from } } : {}) });

describe.each(ENGINES)('slowing down password guessing (%s)', (engine) => {
  const api = useApi(engine, { trustProxy: ['127.0.0.1'] });

  it("someone else's wrong guesses, however many and from wherever, never keep the owner from signing in", async () => {
    const { email } = await api.addUser('agent');
    for (let i = 0; i < 21; i++) await signIn(api, email, `guess-${i}`, `203.0.113.${1 + (i % 3)}`);
    expect((await signIn(api, email, 'one more guess', '203.0.113.1')).status).toBe(429);
    expect((await signIn(api, email, PASSWORD, '198.51.100.7')).status).toBe(200);
  });

  it('one account guessed from one address: five failures are free, then each attempt waits twice as long, even with the right password, and the wait ends by itself', async () => {
    const { email } = await api.addUser('agent');
    const from = '203.0.113.9';
    for (let i = 0; i < 6; i++) expect((await signIn(api, email, `guess-${i}`, from)).status).toBe(401);
    const waiting = await signIn(api, email, PASSWORD, from);
    expect({ status: waiting.status, code: waiting.body.error.code, retryAfter: waiting.headers.get('retry-after') }).toEqual({ status: 429, code: 'RATE_LIMITED', retryAfter: '1' });
    expect(waiting.body.error.message).toBe('Too many failed sign-in attempts from here; try again in 1 second.');
    api.world.clock.advance(1_000);
    expect((await signIn(api, email, 'guess-6', from)).status).toBe(401);
    expect((await signIn(api, email, PASSWORD, from)).headers.get('retry-after')).toBe('2');
    api.world.clock.advance(2_000);
    expect((await signIn(api, email, PASSWORD, from)).status).toBe(200);
    // A success starts that account at that address afresh.
    for (let i = 0; i < 5; i++) expect((await signIn(api, email, `typo-${i}`, from)).status).toBe(401);
  });

  it('guesses sent all at once are each counted before the password is checked: only the free ones and one more reach it', async () => {
    const { email } = await api.addUser('agent');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(api, email, `burst-${i}`, '203.0.113.20')));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(6);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(14);
  });

  it('one address guessing across many accounts is slowed after fifty failures, for every account from there', async () => {
    const from = '203.0.113.50';
    for (let i = 0; i < 51; i++) await signIn(api, `nobody-${i}@brand.test`, 'guess', from);
    const { email } = await api.addUser('agent');
    expect((await signIn(api, email, PASSWORD, from)).status).toBe(429);
    expect((await signIn(api, email, PASSWORD, '203.0.113.51')).status).toBe(200);
  });

  it('the count lives in the store: another server process on the same database applies the same wait', async () => {
    const { email } = await api.addUser('agent');
    for (let i = 0; i < 6; i++) await signIn(api, email, `guess-${i}`, '203.0.113.60');
    let other: FastifyInstance | undefined;
    try {
      other = await buildApp({ deps: api.world.deps, logger: createLogger('silent'), publicUrl: 'http://127.0.0.1', trustProxy: ['127.0.0.1'] });
      const url = await other.listen({ port: 0, host: '127.0.0.1' });
      const response = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.60' }, body: JSON.stringify({ email, password: PASSWORD }) });
      expect(response.status).toBe(429);
    } finally {
      await other?.close();
    }
  });
});

describe.each(ENGINES)('the client address without a trusted proxy (%s)', (engine) => {
  const api = useApi(engine);

  it('X-Forwarded-For is ignored unless its proxy is trusted, so a guesser cannot pick a new address per guess', async () => {
    const { email } = await api.addUser('agent');
    for (let i = 0; i < 6; i++) expect((await signIn(api, email, `guess-${i}`, `203.0.113.${100 + i}`)).status).toBe(401);
    expect((await signIn(api, email, 'guess', '203.0.113.200')).status).toBe(429);
  });
});

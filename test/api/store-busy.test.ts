// SQLite shared with another process: while that process holds the write lock longer than the busy
// timeout, a write fails fast with 503 STORE_UNAVAILABLE and stores nothing, instead of hanging or
// answering 500; once the lock is free the same delivery is stored.
import BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inboundText, metaJson, metaSignature } from '../../src/channels/whatsapp/fake-graph/index.js';
import { openStore, sqliteFileOf, type Store } from '../../src/db/store.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { buildWorld, type World } from '../support/factories.js';
import { openTestStore, type TestStore } from '../support/stores.js';

const APP_SECRET = 'busy-app-secret-0123456789';
const PHONE_NUMBER_ID = '200000000000055';

describe('a SQLite file whose write lock another process holds (sqlite)', () => {
  let db: TestStore;
  let store: Store;
  let world: World;
  let app: FastifyInstance;
  let url = '';

  beforeEach(async () => {
    db = await openTestStore('sqlite');
    store = openStore({ databaseUrl: db.databaseUrl, sqliteSynchronous: 'NORMAL', busyTimeoutMs: 300 });
    world = await buildWorld(store);
    await insertChannel(store.db, { workspaceId: world.workspaceId, kind: 'whatsapp', name: 'Support line', externalId: PHONE_NUMBER_ID, config: { phoneNumberId: PHONE_NUMBER_ID }, secrets: { appSecret: APP_SECRET } }, world.clock.now());
    app = await buildApp({ deps: world.deps, logger: createLogger('silent'), publicUrl: 'http://127.0.0.1' });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await app?.close();
    await store?.close();
    await db?.dispose();
  });

  const deliver = async () => {
    const raw = Buffer.from(metaJson(inboundText({ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '15550005555', waId: '15550001234', name: 'Dana', text: 'hello', timestampSec: Math.floor(world.clock.now() / 1000) })));
    const response = await fetch(`${url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, APP_SECRET) }, body: raw });
    return { status: response.status, body: (await response.json()) as { error?: { code: string } }, retryAfter: response.headers.get('retry-after') };
  };
  const storedPayloads = async () => Number((await store.db.selectFrom('inbound_payloads').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('a webhook answers 503 STORE_UNAVAILABLE with Retry-After after the busy timeout, stores nothing, and is stored once the lock is free', async () => {
    const otherProcess = new BetterSqlite3(sqliteFileOf(db.databaseUrl));
    try {
      otherProcess.exec('begin immediate');
      const refused = await deliver();
      expect({ status: refused.status, code: refused.body.error?.code, retryAfter: refused.retryAfter }).toEqual({ status: 503, code: 'STORE_UNAVAILABLE', retryAfter: '5' });
      otherProcess.exec('rollback');
      expect(await storedPayloads()).toBe(0);
      expect((await deliver()).status).toBe(200);
      expect(await storedPayloads()).toBe(1);
    } finally {
      otherProcess.close();
    }
  });
});

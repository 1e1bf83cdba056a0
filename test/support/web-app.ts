// A real server for browser tests: the built web app and the API over a fresh store, a world whose clock
// is the real one (the browser counts reply windows down against its own clock), and an admin who signs in.
import type { FastifyInstance } from 'fastify';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach } from 'vitest';
import type { Engine } from '../../src/db/dialect/engine.js';
import { buildApp } from '../../src/http/app.js';
import { newId } from '../../src/lib/ids.js';
import { createLogger } from '../../src/lib/logger.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { hashPassword } from '../../src/modules/users/password.js';
import { insertUser } from '../../src/modules/users/user.repo.js';
import { TestClock } from './clock.js';
import { buildWorld, type World } from './factories.js';
import { openTestStore, type TestStore } from './stores.js';
import { WEB_ROOT } from './web-build.js';
import { systemClock } from '../../src/domain/clock.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';

/** The system clock, so what the server computes and what the page counts down agree. */
class WallClock extends TestClock {
  override now(): number {
    return systemClock.now();
  }
}

export interface WebAppContext {
  readonly url: string;
  readonly db: TestStore;
  readonly world: World;
  readonly admin: { email: string; userId: string; name: string };
  /** Signs in through the page and waits for the inbox. */
  signIn(page: Page): Promise<void>;
}

/** Registers a fresh store, world, admin and listening server (serving dist/web) around every test. */
export function useWebApp(engine: Engine): WebAppContext {
  let db: TestStore | undefined;
  let world: World | undefined;
  let app: FastifyInstance | undefined;
  let url = '';
  let attachmentsDir = '';
  let admin = { email: '', userId: '', name: '' };
  beforeEach(async () => {
    db = await openTestStore(engine);
    world = await buildWorld(db.store, new WallClock());
    const email = `admin-${newId().slice(-8)}@brand.test`;
    const user = await insertUser(db.store.db, { workspaceId: world.workspaceId, email, name: 'Ana Admin', role: 'admin', passwordHash: await hashPassword(ADMIN_PASSWORD) }, world.clock.now());
    admin = { email, userId: user.id, name: 'Ana Admin' };
    attachmentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-web-attachments-'));
    app = await buildApp({
      deps: world.deps,
      logger: createLogger('silent'),
      publicUrl: 'http://127.0.0.1',
      attachments: { storage: new LocalDiskAttachmentStorage(attachmentsDir), maxBytes: 1024 * 1024 },
      webRoot: WEB_ROOT,
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await app?.close();
    await db?.dispose();
    if (attachmentsDir) fs.rmSync(attachmentsDir, { recursive: true, force: true });
  });
  const running = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the web app context exists only while a test runs');
    return value;
  };
  const ctx: WebAppContext = {
    get url() {
      return url;
    },
    get db() {
      return running(db);
    },
    get world() {
      return running(world);
    },
    get admin() {
      return admin;
    },
    async signIn(page) {
      await page.goto(url);
      await page.getByLabel('Email').fill(admin.email);
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('searchbox', { name: 'Search tickets' }).waitFor();
    },
  };
  return ctx;
}

/** Adds an approved WhatsApp template to a channel, as a sync from Meta would. */
export async function addWhatsappTemplate(world: World, channelId: string, name: string, bodyText: string): Promise<void> {
  await world.deps.store.db
    .insertInto('templates')
    .values({ id: newId(), workspace_id: world.workspaceId, channel_id: channelId, name, language: 'en_US', category: 'UTILITY', status: 'APPROVED', components: JSON.stringify([{ type: 'BODY', text: bodyText }]), updated_at: world.clock.now() })
    .execute();
}

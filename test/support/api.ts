// A real API server on 127.0.0.1 over a fresh store, with users who have real passwords.
import type { FastifyInstance } from 'fastify';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Engine } from '../../src/db/dialect/engine.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { hashPassword } from '../../src/modules/users/password.js';
import { insertUser, type Role } from '../../src/modules/users/user.repo.js';
import { buildWorld, type World } from './factories.js';
import { openTestStore, type TestStore } from './stores.js';

export const PASSWORD = 'correct horse battery staple';

export interface ApiContext {
  readonly db: TestStore;
  readonly world: World;
  readonly url: string;
  /** This test's own attachment storage folder. */
  readonly attachmentsDir: string;
  /** A user of the world's workspace with the shared PASSWORD. */
  addUser(role: Role, world?: World): Promise<{ email: string; userId: string }>;
  /** A request with JSON in and out; `cookie` signs it in as a browser would (same-origin). */
  call(method: string, path: string, options?: { body?: unknown; cookie?: string; token?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  /** Signs in and returns the session cookie. */
  signIn(email: string, password?: string): Promise<string>;
}

let sequence = 0;

/** Registers a fresh store, world and listening server around every test. */
export function useApi(engine: Engine, options: { attachmentMaxBytes?: number; allowPrivateOutboundUrls?: boolean; trustProxy?: string[] } = {}): ApiContext {
  let db: TestStore | undefined;
  let world: World | undefined;
  let app: FastifyInstance | undefined;
  let url = '';
  let attachmentsDir = '';
  beforeEach(async () => {
    db = await openTestStore(engine);
    world = await buildWorld(db.store, undefined, { allowPrivateOutboundUrls: options.allowPrivateOutboundUrls ?? true });
    attachmentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-attachments-'));
    const attachments = { storage: new LocalDiskAttachmentStorage(attachmentsDir), maxBytes: options.attachmentMaxBytes ?? 25 * 1024 * 1024 };
    app = await buildApp({ deps: world.deps, logger: createLogger('silent'), publicUrl: 'http://127.0.0.1', attachments, ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}) });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await app?.close();
    await db?.dispose();
    if (attachmentsDir) fs.rmSync(attachmentsDir, { recursive: true, force: true });
  });
  const ctx: ApiContext = {
    get db() {
      if (!db) throw new Error('the API context is only available inside a test');
      return db;
    },
    get world() {
      if (!world) throw new Error('the API context is only available inside a test');
      return world;
    },
    get url() {
      return url;
    },
    get attachmentsDir() {
      return attachmentsDir;
    },
    async addUser(role, w = ctx.world) {
      const email = `${role}-${sequence++}@brand.test`;
      const user = await insertUser(ctx.db.store.db, { workspaceId: w.workspaceId, email, name: `The ${role}`, role, passwordHash: await hashPassword(PASSWORD) }, w.clock.now());
      return { email, userId: user.id };
    },
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) headers['content-type'] ??= 'application/json';
      if (options.cookie) {
        headers.cookie = options.cookie;
        headers.origin ??= url;
      }
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const response = await fetch(`${url}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
    },
    async signIn(email, password = PASSWORD) {
      const response = await ctx.call('POST', '/api/auth/login', { body: { email, password } });
      if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(response.body)}`);
      return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    },
  };
  return ctx;
}

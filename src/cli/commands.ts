// What each CLI command does, apart from argument parsing.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';
import { backupDatabase, restoreDatabase } from '../db/backup.js';
import { systemClock } from '../domain/clock.js';
import type { Logger } from '../lib/logger.js';
import { createDeps } from '../modules/deps.js';
import { seedDemo } from '../modules/demo/seed-demo.js';
import { hashPassword } from '../modules/users/password.js';
import { insertUser, type Role } from '../modules/users/user.repo.js';
import { insertWorkspace } from '../modules/workspaces/workspace.repo.js';
import { closeOnSignals, openConfiguredStore, startServer } from '../server.js';
import { readDemoLogin, saveDemoLogin } from './demo-login.js';

export async function migrateCommand(config: Config, logger: Logger): Promise<void> {
  const store = openConfiguredStore(config, logger);
  try {
    await store.migrate();
    console.log('Migrations applied.');
  } finally {
    await store.close();
  }
}

export async function serveCommand(config: Config, logger: Logger): Promise<void> {
  const server = await startServer(config, logger);
  closeOnSignals(server, logger);
  console.log(`Threadbox is listening on ${server.url}`);
}

export async function seedDemoCommand(config: Config, logger: Logger): Promise<void> {
  const store = openConfiguredStore(config, logger);
  try {
    await store.migrate();
    const result = await seedDemo(createDeps(store, systemClock));
    if (result.created) saveDemoLogin(config.dataDir, { email: result.email, password: result.password });
    printLogin(config, result.email);
  } finally {
    await store.close();
  }
}

/** `npm start`: migrate, seed the demo workspace on first run, print where to log in, and serve. */
export async function startCommand(config: Config, logger: Logger): Promise<void> {
  const server = await startServer(config, logger);
  closeOnSignals(server, logger);
  const seeded = await seedDemo(server.deps);
  if (seeded.created) saveDemoLogin(config.dataDir, { email: seeded.email, password: seeded.password });
  console.log(`\nThreadbox is running at ${server.url}`);
  printLogin(config, seeded.email);
}

function printLogin(config: Config, email: string): void {
  const login = readDemoLogin(config.dataDir);
  if (login && login.email === email) {
    console.log(`Demo login: ${login.email} / ${login.password}\n`);
  } else {
    console.log(`Demo login: ${email} (its password was printed when the demo was first created; set a new one with \`threadbox create-user\`)\n`);
  }
}

export interface CreateUserOptions {
  email: string;
  name: string;
  role: Role;
  password?: string;
  workspace?: string;
  newWorkspace?: string;
}

export async function createUserCommand(config: Config, logger: Logger, options: CreateUserOptions): Promise<void> {
  const store = openConfiguredStore(config, logger);
  try {
    await store.migrate();
    const now = systemClock.now();
    const workspaceId = options.newWorkspace ? (await insertWorkspace(store.db, options.newWorkspace, now)).id : await pickWorkspace(store.db, options.workspace);
    const password = options.password ?? randomBytes(12).toString('base64url');
    const user = await insertUser(store.db, { workspaceId, email: options.email, name: options.name, role: options.role, passwordHash: await hashPassword(password) }, now);
    console.log(`Created ${user.role} ${user.email} in workspace ${workspaceId}.`);
    if (!options.password) console.log(`Password: ${password}`);
  } finally {
    await store.close();
  }
}

async function pickWorkspace(db: ReturnType<typeof openConfiguredStore>['db'], wanted: string | undefined): Promise<string> {
  const workspaces = await db.selectFrom('workspaces').select(['id', 'name']).execute();
  const match = wanted ? workspaces.filter((w) => w.id === wanted || w.name === wanted) : workspaces;
  if (match.length === 1) return match[0]!.id;
  const known = workspaces.map((w) => `${w.name} (${w.id})`).join(', ') || 'none yet';
  throw new Error(wanted ? `No single workspace matches "${wanted}"; known: ${known}.` : `Choose a workspace with --workspace or create one with --new-workspace; known: ${known}.`);
}

/** `threadbox backup <file>`: the database into a file, while servers run (attachments are a folder of their own). */
export async function backupCommand(config: Config, _logger: Logger, file: string): Promise<void> {
  const summary = await backupDatabase(config.databaseUrl, file);
  console.log(`Backed up to ${summary.file} (${summary.bytes} bytes${summary.counts ? `; ${summary.counts.tickets} tickets, ${summary.counts.messages} messages` : ''}).`);
  console.log(`Attachments are files in ${config.attachmentsDir}: back that folder up with it.`);
}

/** `threadbox restore <file>`: replaces the database with a backup; every server using it must be stopped. */
export async function restoreCommand(config: Config, _logger: Logger, file: string, options: { force?: boolean }): Promise<void> {
  const summary = await restoreDatabase(config.databaseUrl, file, options);
  console.log(`Restored from ${summary.file}${summary.counts ? ` (${summary.counts.tickets} tickets, ${summary.counts.messages} messages)` : ''}. Start the servers again; pending migrations run at start.`);
}
